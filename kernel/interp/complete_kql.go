package interp

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/binder"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
)

// Completion and inspection of KQL come from the binder (kql/binder),
// which knows the scope at the cursor: table names where a table goes,
// operators after a pipe, the columns of the table flowing in, functions
// with signatures, let names. The session's own names (query parameters
// and named results of earlier cells) reach it as let statements put
// before the cell's text.

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// tableCtx bounds how long completion waits for a backend's table list.
func tableCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 20*time.Second)
}

// catalog is the provider's tables as the binder sees them.
func (e *ProviderEngine) catalog() binder.Catalog {
	ctx, cancel := tableCtx()
	defer cancel()
	tables, _ := e.Tables(ctx)
	cat := make(binder.MapCatalog, len(tables))
	for _, t := range tables {
		cat[t.Name] = t.Schema
	}
	return cat
}

// prologue declares the session's parameters and named results as lets,
// so the binder offers and documents them.
func (e *ProviderEngine) prologue() string {
	var b strings.Builder
	params := e.Params()
	for _, n := range sortedKeys(params) {
		fmt.Fprintf(&b, "let %s = %s;\n", n, nullLiteral(params[n].Type))
	}
	named := e.namedSchemas()
	for _, n := range sortedKeys(named) {
		if !validParamName(n) {
			continue
		}
		fmt.Fprintf(&b, "let %s = datatable(", n)
		for i, c := range named[n] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s:%s", quoteColumn(c.Name), c.Type)
		}
		b.WriteString(")[];\n")
	}
	return b.String()
}

// nullLiteral is a literal of type t (its value does not matter to the
// binder).
func nullLiteral(t types.Type) string {
	if t == types.String {
		return `""`
	}
	return t.String() + "(null)"
}

func quoteColumn(name string) string {
	if validParamName(name) {
		return name
	}
	return "['" + quoteEscaper.Replace(name) + "']"
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`)

// CompleteTyped completes KQL with each match's kind and detail.
func (e *ProviderEngine) CompleteTyped(code string, cursor int) ([]binder.Completion, int, int) {
	pro := e.prologue()
	items, start, end := binder.Complete(pro+code, len(pro)+cursor, e.catalog())
	start, end = max(start-len(pro), 0), max(end-len(pro), 0)
	return items, start, end
}

func completeKQL(e *ProviderEngine, code string, cursor int) ([]string, int, int) {
	items, start, end := e.CompleteTyped(code, cursor)
	out := make([]string, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		if !seen[it.Label] {
			seen[it.Label] = true
			out = append(out, it.Label)
		}
	}
	return out, start, end
}

func inspectKQL(e *ProviderEngine, code string, cursor int) (string, bool) {
	pro := e.prologue()
	return binder.Inspect(pro+code, len(pro)+cursor, e.catalog())
}

// filterPrefix keeps the candidates starting with prefix, exact-case
// matches first, then case-insensitive ones; each once, sorted.
func filterPrefix(cands []string, prefix string) []string {
	seen := map[string]bool{}
	var exact, fold []string
	lp := strings.ToLower(prefix)
	for _, c := range cands {
		if seen[c] || c == "" {
			continue
		}
		seen[c] = true
		switch {
		case strings.HasPrefix(c, prefix):
			exact = append(exact, c)
		case strings.HasPrefix(strings.ToLower(c), lp):
			fold = append(fold, c)
		}
	}
	sort.Strings(exact)
	sort.Strings(fold)
	return append(exact, fold...)
}

// describeTable is a table's schema as text: one column per line.
func describeTable(t providers.TableInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "table %s", t.Name)
	if t.Rows >= 0 {
		fmt.Fprintf(&b, " (%s)", plural(t.Rows, "row"))
	}
	fmt.Fprintf(&b, ", %d columns\n", len(t.Schema))
	w := 0
	for _, c := range t.Schema {
		w = max(w, len(c.Name))
	}
	for _, c := range t.Schema {
		fmt.Fprintf(&b, "  %-*s  %s\n", w, c.Name, c.Type)
	}
	return b.String()
}

// completeTableArg completes a magic's table-name argument.
func completeTableArg(in *Interpreter, args string, cursor int) ([]string, int, int) {
	e, ok := in.Engine().(*ProviderEngine)
	if !ok || e == nil || strings.ContainsAny(args[:cursor], " \t") {
		return nil, cursor, cursor
	}
	ctx, cancel := tableCtx()
	defer cancel()
	tables, _ := e.Tables(ctx)
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.Name
	}
	return filterPrefix(names, args[:cursor]), 0, cursor
}
