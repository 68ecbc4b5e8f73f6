package binder

import (
	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/naming"
	"github.com/huntbook/huntbook/kql/types"
)

// Column naming follows kql/naming, which kql/exec uses too, so result
// schemas and result tables agree.

func exprName(e ast.Expr) string        { return naming.ExprName(e) }
func callName(c *ast.CallExpr) string   { return naming.CallName(c) }
func nameFragment(v types.Value) string { return naming.Fragment(v) }
func newNamer(existing []string) *namer {
	n := naming.NewNamer(existing)
	return &namer{Namer: n, used: n.Used}
}
func (n *namer) column() string            { return n.Column() }
func (n *namer) unique(name string) string { return n.Unique(name) }

// namer hands out names that do not clash with names in use.
type namer struct {
	*naming.Namer
	used map[string]bool // the Namer's, for marking names taken directly
}
