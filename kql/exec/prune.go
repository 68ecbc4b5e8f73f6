package exec

import (
	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/table"
)

// Column pruning: a pipe that reads a wide table (SigninLogs has dozens of
// columns) but only mentions a few before a summarize or project need not
// carry the others through its filters and joins, where every kept column
// is gathered row by row. prunedSource narrows the source table to the
// columns the pipe can name; it only does so when that set is certain.

// pruneSafe are the operators that may come before the closing one: they
// keep every input column and name the ones they read.
func pruneSafe(op ast.Operator) bool {
	switch o := op.(type) {
	case *ast.WhereOp, *ast.TakeOp, *ast.SortOp, *ast.TopOp, *ast.MvExpandOp, *ast.ParseOp,
		*ast.JoinOp, *ast.LookupOp, *ast.SerializeOp:
		return true
	case *ast.ProjectOp:
		return o.Kind == "extend"
	}
	return false
}

// pruneCloses are the operators whose output columns are exactly the ones
// they name.
func pruneCloses(op ast.Operator) bool {
	switch o := op.(type) {
	case *ast.SummarizeOp, *ast.CountOp, *ast.MakeSeriesOp, *ast.TopNestedOp:
		return true
	case *ast.ProjectOp:
		return o.Kind == "project"
	case *ast.DistinctOp:
		return len(o.Cols) > 0
	}
	return false
}

// functions that reach columns without naming them
var prunePoison = map[string]bool{
	"pack_all": true, "bag_pack_columns": true, "column_ifexists": true, "columnifexists": true,
}

// neededColumns returns the names the operators up to the first closing
// one can refer to, or ok=false when the pipe may need every column.
func neededColumns(ops []ast.Operator) (map[string]bool, bool) {
	end := -1
	for i, op := range ops {
		if pruneCloses(op) {
			end = i
			break
		}
		if !pruneSafe(op) {
			return nil, false
		}
	}
	if end < 0 {
		return nil, false
	}
	names := map[string]bool{}
	ok := true
	joins := false
	for _, op := range ops[:end+1] {
		switch op.(type) {
		case *ast.JoinOp, *ast.LookupOp:
			joins = true
		}
		ast.Inspect(op, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.StarExpr, *ast.WildcardIdent:
				ok = false
			case *ast.Ident:
				names[x.Name] = true
			case *ast.SelectorExpr:
				// $left.Col / $right.Col in join conditions name columns
				// through a selector, which Inspect does not descend into.
				names[x.Sel.Name] = true
			case *ast.CallExpr:
				if prunePoison[callName(x)] {
					ok = false
				}
			}
			return ok
		})
		if !ok {
			return nil, false
		}
	}
	if joins {
		// a join renames a right column clashing with a left one (Name1);
		// keep the left Name so that the clash, and Name1, still happen
		for n := range names {
			i := len(n)
			for i > 0 && n[i-1] >= '0' && n[i-1] <= '9' {
				i--
			}
			if i < len(n) && i > 0 {
				names[n[:i]] = true
			}
		}
	}
	return names, true
}

// prunedSource keeps the columns of t the pipe's operators can name; ok
// tells whether the pipe's columns are known at all.
func prunedSource(t *table.Table, ops []ast.Operator) (*table.Table, bool) {
	names, ok := neededColumns(ops)
	if !ok {
		return t, false
	}
	if len(t.Columns) <= len(names) {
		return t, true
	}
	out := &table.Table{Name: t.Name}
	for _, c := range t.Columns {
		if names[c.Name] {
			out.Columns = append(out.Columns, c)
		}
	}
	if len(out.Columns) == 0 {
		// keep the row count: count() by nothing still needs one column
		out.Columns = append(out.Columns, t.Columns[0])
	}
	if len(out.Columns) == len(t.Columns) {
		return t, true
	}
	return out, true
}
