// Package remote keeps the notebook state a remote provider's session
// emulates: Log Analytics and Kusto forget let statements between
// requests, so a cell holding only declarations (let, set, declare,
// alias, pattern) is remembered and sent before every later query, and
// query parameters become let statements with literal values. Error
// positions are mapped back to the user's text. It also holds what the
// sentinel, kusto and defender providers share around that: the session
// (session.go), the Connect probe, and the reading of failed answers
// (error bodies, common statuses, positions in Kusto's messages).
package remote

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/templates"
)

// State is one session's remembered declarations.
type State struct {
	mu    sync.Mutex
	decls []string
}

// Prepared is a query ready to send.
type Prepared struct {
	Text string
	// Lines is how many lines were put before the user's text.
	Lines int
	// DeclOnly is set when the user's text only declared things: it was
	// remembered and need not be sent.
	DeclOnly bool
}

// Prepare builds the text to send for query. Parameters are bound with
// let statements; remembered declarations come first.
func (s *State) Prepare(query string, params map[string]types.Value) (Prepared, error) {
	var pre strings.Builder
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		lit, err := templates.Literal(params[n])
		if err != nil {
			return Prepared{}, fmt.Errorf("query parameter %s: %w", n, err)
		}
		fmt.Fprintf(&pre, "let %s = %s;\n", quoteName(n), lit)
	}
	s.mu.Lock()
	for _, d := range s.decls {
		pre.WriteString(d)
		pre.WriteString(";\n")
	}
	s.mu.Unlock()
	if decls, ok := declarationsOnly(query); ok {
		s.mu.Lock()
		s.decls = append(s.decls, decls...)
		s.mu.Unlock()
		return Prepared{DeclOnly: true}, nil
	}
	p := pre.String()
	return Prepared{Text: p + query, Lines: strings.Count(p, "\n")}, nil
}

// declarationsOnly reports whether query is nothing but declarations, and
// returns their texts. A query the engine's parser cannot read is sent as
// is: the service may know syntax the parser does not.
func declarationsOnly(query string) ([]string, bool) {
	script, file, err := parser.Parse("", []byte(query))
	if err != nil || len(script.Stmts) == 0 {
		return nil, false
	}
	var out []string
	for _, st := range script.Stmts {
		switch st.(type) {
		case *ast.LetStmt, *ast.SetStmt, *ast.DeclareStmt, *ast.AliasStmt, *ast.PatternStmt:
			out = append(out, query[file.Offset(st.Pos()):file.Offset(st.End())])
		default:
			return nil, false
		}
	}
	return out, true
}

// FixPosition maps a server-reported line back to the user's text; a
// position inside the added lines is dropped.
func FixPosition(qe *providers.QueryError, p Prepared) {
	if qe.Line == 0 {
		return
	}
	qe.Line -= p.Lines
	if qe.Line < 1 {
		qe.Line, qe.Column = 0, 0
	}
}

func quoteName(n string) string {
	for i, r := range n {
		ok := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9'
		if !ok {
			return "['" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`).Replace(n) + "']"
		}
	}
	return n
}
