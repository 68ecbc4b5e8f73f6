package interp

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/providers"
)

// Completion and inspection of KQL without a binder: words are matched
// against the provider's tables, the columns of the tables the query
// names, the function library, the tabular operators (after a pipe), let
// names and query parameters. It is a lexical approximation; the binder
// gives scope-exact answers where it is available.

// operatorDocs are the tabular operators offered after "|", with a line
// on what each does.
var operatorDocs = map[string]string{
	"as":              "as Name: names the result so later queries (and %export) can use it",
	"count":           "count: the number of input rows, as one row with column Count",
	"distinct":        "distinct Col, ...: the distinct combinations of the given columns",
	"evaluate":        "evaluate plugin(...): runs a plugin such as bag_unpack",
	"extend":          "extend Name = Expr, ...: adds computed columns",
	"externaldata":    "externaldata (schema) [urls]: reads data from outside the workspace",
	"facet":           "facet by Col, ...: one result per column with its value counts",
	"find":            "find in (Tables) where Predicate: searches several tables",
	"fork":            "fork (subquery) (subquery): runs several subqueries over one input",
	"getschema":       "getschema: the input's column names and types",
	"invoke":          "invoke function(): calls a tabular function with the input as its first argument",
	"join":            "join kind=K (Right) on Key: combines rows of two tables that match on keys",
	"limit":           "limit N: the first N rows (same as take)",
	"lookup":          "lookup kind=K (Dimension) on Key: extends rows with columns from a dimension table",
	"make-series":     "make-series Agg default=D on Time from A to B step S by Col: aggregates into arrays over time bins",
	"mv-apply":        "mv-apply Col to typeof(T) on (subquery): runs a subquery over each row's array",
	"mv-expand":       "mv-expand Col: one row per element of a dynamic array or property bag",
	"order":           "order by Col [asc|desc]: sorts the rows (same as sort)",
	"parse":           "parse Col with * \"text\" Name:type *: extracts columns from a string by pattern",
	"parse-kv":        "parse-kv Col as (Key:type, ...) with (pair_delimiter=..., kv_delimiter=...): extracts key/value pairs",
	"parse-where":     "parse-where: parse that drops rows whose text does not match the pattern",
	"project":         "project Col, Name = Expr, ...: keeps (and computes) only the given columns",
	"project-away":    "project-away Col, ...: drops the given columns",
	"project-keep":    "project-keep Col, ...: keeps the given columns, in their order",
	"project-rename":  "project-rename New = Old, ...: renames columns",
	"project-reorder": "project-reorder Col, ...: moves the given columns first",
	"range":           "range x from A to B step S: a table of one column counting from A to B",
	"reduce":          "reduce by Col: groups similar strings into patterns",
	"render":          "render timechart|barchart|piechart|...: asks for a chart of the result",
	"sample":          "sample N: N random rows",
	"sample-distinct": "sample-distinct N of Col: N random distinct values of a column",
	"scan":            "scan with (step ...): matches sequences of rows",
	"search":          "search \"term\": rows with the term in any column",
	"serialize":       "serialize: marks the rows as ordered, for window functions such as prev() and row_number()",
	"sort":            "sort by Col [asc|desc]: sorts the rows",
	"summarize":       "summarize Agg, ... by Col, ...: groups rows and aggregates each group",
	"take":            "take N: any N rows",
	"top":             "top N by Col [asc|desc]: the first N rows by a column",
	"top-hitters":     "top-hitters N of Col: an approximation of the most frequent values",
	"top-nested":      "top-nested N of Col by Agg, ...: hierarchical top results",
	"union":           "union T1, T2, ...: the rows of several tables",
	"where":           "where Predicate: keeps the rows for which the predicate is true",
}

// keywords that may start a statement besides a table name.
var statementKeywords = []string{"let", "set", "declare", "print", "range", "union", "datatable", "search", "find", "externaldata", "evaluate"}

var letNameRE = regexp.MustCompile(`(?m)\blet\s+([A-Za-z_][A-Za-z0-9_]*)\s*=`)

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// wordBefore returns the start of the identifier that ends at cursor
// (operator names such as mv-expand include their dashes).
func wordBefore(code string, cursor int) int {
	i := cursor
	for i > 0 && (isIdentByte(code[i-1]) || code[i-1] == '-' && i > 1 && isIdentByte(code[i-2]) && !pipeWord(code, i)) {
		i--
	}
	return i
}

// pipeWord reports whether a dash at code[i-1] belongs to an operator
// name right after a pipe (mv-expand), rather than being a minus.
func pipeWord(code string, i int) bool {
	j := i - 1
	for j > 0 && (isIdentByte(code[j-1]) || code[j-1] == '-') {
		j--
	}
	return prevSignificant(code, j) != '|'
}

// prevSignificant returns the last non-blank byte before i, or 0.
func prevSignificant(code string, i int) byte {
	for i > 0 {
		i--
		switch code[i] {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return code[i]
	}
	return 0
}

// tableCtx gives the tables for completion without making a completion
// request wait on a slow backend for long.
func tableCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 20*time.Second)
}

// tablesIn returns the provider's tables that the code names.
func tablesIn(code string, tables []providers.TableInfo) []providers.TableInfo {
	words := map[string]bool{}
	for i := 0; i < len(code); {
		if !isIdentByte(code[i]) {
			i++
			continue
		}
		j := i
		for j < len(code) && isIdentByte(code[j]) {
			j++
		}
		words[code[i:j]] = true
		i = j
	}
	var out []providers.TableInfo
	for _, t := range tables {
		if words[t.Name] {
			out = append(out, t)
		}
	}
	return out
}

func completeKQL(e *ProviderEngine, code string, cursor int) ([]string, int, int) {
	cursor = max(0, min(cursor, len(code)))
	start := wordBefore(code, cursor)
	prefix := code[start:cursor]
	var cands []string
	prev := prevSignificant(code, start)
	if prev == '|' {
		for op := range operatorDocs {
			cands = append(cands, op)
		}
		return filterPrefix(cands, prefix), start, cursor
	}
	ctx, cancel := tableCtx()
	defer cancel()
	tables, _ := e.Tables(ctx)
	atStatement := prev == 0 || prev == ';' || prev == '(' || prev == ','
	for _, t := range tables {
		cands = append(cands, t.Name)
	}
	for _, m := range letNameRE.FindAllStringSubmatch(code, -1) {
		cands = append(cands, m[1])
	}
	if atStatement {
		cands = append(cands, statementKeywords...)
	}
	if !atStatement || prev == '(' || prev == ',' {
		for _, t := range tablesIn(code, tables) {
			for _, c := range t.Schema {
				cands = append(cands, c.Name)
			}
		}
		cands = append(cands, functions.Names()...)
		cands = append(cands, e.ParamNames()...)
	}
	return filterPrefix(cands, prefix), start, cursor
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

// wordAt returns the identifier around cursor.
func wordAt(code string, cursor int) (string, int) {
	cursor = max(0, min(cursor, len(code)))
	start := wordBefore(code, cursor)
	end := cursor
	for end < len(code) && (isIdentByte(code[end]) || code[end] == '-' && end+1 < len(code) && isIdentByte(code[end+1]) && prevSignificant(code, start) == '|') {
		end++
	}
	return code[start:end], start
}

func inspectKQL(e *ProviderEngine, code string, cursor int) (string, bool) {
	word, start := wordAt(code, cursor)
	if word == "" {
		return "", false
	}
	if prevSignificant(code, start) == '|' {
		if d, ok := operatorDocs[word]; ok {
			return "operator " + d, true
		}
	}
	if s, ok := functions.LookupScalar(word); ok {
		return fmt.Sprintf("%s\n\n%s", s.Signature, s.Doc), true
	}
	if a, ok := functions.LookupAggregate(word); ok {
		return fmt.Sprintf("%s  (aggregate)\n\n%s", a.Signature, a.Doc), true
	}
	ctx, cancel := tableCtx()
	defer cancel()
	tables, _ := e.Tables(ctx)
	for _, t := range tables {
		if t.Name == word {
			return describeTable(t), true
		}
	}
	for _, t := range tablesIn(code, tables) {
		for _, c := range t.Schema {
			if c.Name == word {
				return fmt.Sprintf("column %s: %s (table %s)", c.Name, c.Type, t.Name), true
			}
		}
	}
	if v, ok := e.Params()[word]; ok {
		return fmt.Sprintf("query parameter %s: %s = %s", word, v.Type, v.String()), true
	}
	return "", false
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
