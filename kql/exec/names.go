package exec

import (
	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/naming"
)

// Column naming of unnamed expressions follows kql/naming, as the binder's
// result schemas do.

func resultName(e ast.Expr) string    { return naming.ExprName(e) }
func callName(c *ast.CallExpr) string { return naming.CallName(c) }
func newNamer(existing []string) *namer {
	n := naming.NewNamer(existing)
	return &namer{Namer: n, used: n.Used}
}
func (n *namer) column() string { return n.Column() }

// namer hands out default names (Column1, Column2 ...) that do not clash
// with names in use.
type namer struct {
	*naming.Namer
	used map[string]bool // the Namer's, for marking names taken directly
}
