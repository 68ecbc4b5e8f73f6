package parser

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/types"
)

// show renders a tree compactly, Lisp style, so tests can state the
// expected structure in one line: (where (== x 1)).
func show(n ast.Node) string {
	var b strings.Builder
	write(&b, n)
	return b.String()
}

func showAll[T ast.Node](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = show(x)
	}
	return strings.Join(parts, " ")
}

func showLit(v types.Value) string {
	if !v.Valid && v.Type != types.String {
		return v.Type.String() + "(null)"
	}
	switch v.Type {
	case types.String:
		return fmt.Sprintf("%q", v.S)
	case types.Long:
		return v.String()
	case types.Dynamic:
		return "dynamic(" + v.String() + ")"
	}
	return v.Type.String() + "(" + v.String() + ")"
}

func write(b *strings.Builder, n ast.Node) {
	if n == nil || reflect.ValueOf(n).IsNil() {
		b.WriteString("nil")
		return
	}
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	switch n := n.(type) {
	case *ast.Script:
		w("%s", showAll(n.Stmts))
	case *ast.ExprStmt:
		write(b, n.X)
	case *ast.LetStmt:
		w("(let %s %s)", n.Name.Name, show(n.Value))
	case *ast.SetStmt:
		w("(set %s %s)", n.Name.Name, show(n.Value))
	case *ast.DeclareStmt:
		w("(declare %s)", showAll(n.Params))
	case *ast.AliasStmt:
		w("(alias %s %s)", n.Name.Name, show(n.Value))
	case *ast.Ident:
		if n.Quoted {
			w("[%s]", n.Name)
		} else {
			w("%s", n.Name)
		}
	case *ast.WildcardIdent:
		w("%s", n.Pattern)
	case *ast.Lit:
		w("%s", showLit(n.Value))
	case *ast.ParenExpr:
		w("(paren %s)", show(n.X))
	case *ast.UnaryExpr:
		w("(%s %s)", n.Op, show(n.X))
	case *ast.BinaryExpr:
		op := n.Word
		if op == "" {
			op = n.Op.String()
		}
		w("(%s %s %s)", op, show(n.X), show(n.Y))
	case *ast.InExpr:
		w("(%s %s [%s])", n.Op, show(n.X), showAll(n.List))
	case *ast.BetweenExpr:
		op := "between"
		if n.Not {
			op = "!between"
		}
		w("(%s %s %s %s)", op, show(n.X), show(n.Lo), show(n.Hi))
	case *ast.CallExpr:
		w("(call %s", show(n.Fun))
		for _, a := range n.Args {
			w(" %s", show(a))
		}
		w(")")
	case *ast.SelectorExpr:
		w("(. %s %s)", show(n.X), show(n.Sel))
	case *ast.IndexExpr:
		w("(index %s %s)", show(n.X), show(n.Index))
	case *ast.StarExpr:
		w("*")
	case *ast.NamedExpr:
		w("(= %s %s)", showAll(n.Names), show(n.Value))
	case *ast.TypedExpr:
		w("%s:%s", n.Name.Name, show(n.Type))
	case *ast.TypeExpr:
		if n.Tabular {
			w("(")
			if n.Star {
				w("*")
			}
			w("%s)", showAll(n.Columns))
		} else {
			w("%s", n.Type)
		}
	case *ast.OrderExpr:
		w("%s", show(n.X))
		if n.Dir != "" {
			w(" %s", n.Dir)
		}
		if n.Nulls != "" {
			w(" nulls-%s", n.Nulls)
		}
	case *ast.ListExpr:
		w("(list %s)", showAll(n.Elems))
	case *ast.FuncLit:
		w("(func (%s) %s)", showAll(n.Params), show(n.Body))
	case *ast.ViewLit:
		w("(view %s)", show(n.Func))
	case *ast.Param:
		w("%s:%s", n.Name.Name, show(n.Type))
		if n.Default != nil {
			w("=%s", show(n.Default))
		}
	case *ast.Block:
		w("{%s}", showAll(n.Stmts))
	case *ast.Pipe:
		w("(pipe %s", show(n.Source))
		for _, op := range n.Ops {
			w(" %s", show(op))
		}
		w(")")
	case *ast.OpExpr:
		write(b, n.Op)
	case *ast.BadExpr:
		w("BAD")
	case *ast.WhereOp:
		w("(where %s)", show(n.Pred))
	case *ast.ProjectOp:
		w("(%s %s)", n.Kind, showAll(n.Items))
	case *ast.SummarizeOp:
		w("(summarize %s by %s)", showAll(n.Aggs), showAll(n.By))
	case *ast.TakeOp:
		w("(%s %s)", n.Kind, show(n.N))
	case *ast.TopOp:
		w("(top %s by %s)", show(n.N), showAll(n.By))
	case *ast.SortOp:
		w("(%s by %s)", n.Kind, showAll(n.By))
	case *ast.JoinOp:
		w("(join kind=%s %s on %s)", n.Kind, show(n.Right), showAll(n.On))
	case *ast.LookupOp:
		w("(lookup kind=%s %s on %s)", n.Kind, show(n.Right), showAll(n.On))
	case *ast.UnionOp:
		w("(union")
		if n.WithSource != nil {
			w(" withsource=%s", n.WithSource.Name)
		}
		for _, p := range n.Params {
			w(" %s", show(p))
		}
		w(" %s)", showAll(n.Tables))
	case *ast.MvExpandOp:
		w("(mv-expand")
		for _, it := range n.Items {
			w(" %s%s", showAll(it.Names), show(it.X))
			if it.To != nil {
				w(" to %s", show(it.To))
			}
		}
		if n.Limit != nil {
			w(" limit %s", show(n.Limit))
		}
		w(")")
	case *ast.ParseOp:
		w("(%s %s", n.Kind, show(n.Source))
		for _, p := range n.Params {
			w(" %s", show(p))
		}
		for _, part := range n.Pattern {
			switch {
			case part.Star:
				w(" *")
			case part.Lit != nil:
				w(" %s", show(part.Lit))
			default:
				w(" %s", part.Column.Name)
				if part.Type != nil {
					w(":%s", show(part.Type))
				}
			}
		}
		w(")")
	case *ast.RenderOp:
		w("(render %s %s)", n.Chart.Name, showAll(n.With))
	case *ast.DataTableOp:
		w("(datatable (%s) %s)", showAll(n.Columns), showAll(n.Values))
	case *ast.PrintOp:
		w("(print %s)", showAll(n.Items))
	case *ast.RangeOp:
		w("(range %s %s %s %s)", n.Col.Name, show(n.From), show(n.To), show(n.Step))
	case *ast.EvaluateOp:
		w("(evaluate %s)", show(n.Call))
	case *ast.InvokeOp:
		w("(invoke %s)", show(n.Call))
	default:
		w("%T", n)
	}
}
