package binder

import (
	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/naming"
	"github.com/huntbook/huntbook/kql/types"
)

// patternPlugin types the output of basket, diffpatterns and
// rolling_percentile (kql/exec/patterns.go computes them): their columns
// are fixed by the arguments and the input schema, so a later
// `| where Count > 10` binds. ok is false for other plugins.
func (b *binder) patternPlugin(name string, call *ast.CallExpr, in *tabular) (*tabular, bool) {
	args := call.Args
	arg := func(i int) ast.Expr {
		if i < len(args) {
			return args[i]
		}
		return nil
	}
	switch name {
	case "basket":
		weight := argColumnName(arg(1))
		out := &tabular{open: in.open, cols: types.Schema{
			{Name: "SegmentId", Type: types.Long},
			{Name: "Count", Type: weightCountType(in, weight)},
			{Name: "Percent", Type: types.Real},
		}}
		out.cols = appendDims(out.cols, dimsExcept(in, weight))
		return out, true
	case "diffpatterns":
		split, weight := argColumnName(arg(0)), argColumnName(arg(3))
		ct := weightCountType(in, weight)
		out := &tabular{open: in.open, cols: types.Schema{
			{Name: "SegmentId", Type: types.Long},
			{Name: "CountA", Type: ct}, {Name: "CountB", Type: ct},
			{Name: "PercentA", Type: types.Real}, {Name: "PercentB", Type: types.Real},
			{Name: "PercentDiffAB", Type: types.Real},
		}}
		out.cols = appendDims(out.cols, dimsExcept(in, split, weight))
		return out, true
	case "rolling_percentile":
		if len(args) < 5 {
			return openTab(), true
		}
		colType := func(e ast.Expr) types.Type {
			if c, ok := in.lookup(argColumnName(e)); ok {
				return c.Type
			}
			return Unknown
		}
		valName := argColumnName(args[0])
		out := &tabular{cols: types.Schema{{Name: argColumnName(args[2]), Type: colType(args[2])}}}
		for _, d := range args[5:] {
			out.cols = append(out.cols, types.Column{Name: argColumnName(d), Type: colType(d)})
		}
		window, pct := "", ""
		if lit, ok := args[4].(*ast.Lit); ok {
			window = lit.Value.String()
		}
		if lit, ok := args[1].(*ast.Lit); ok {
			pct = naming.Fragment(lit.Value)
		}
		if window == "" || pct == "" || valName == "" {
			// a computed window or percentile names the column at run time
			out.open = true
			return out, true
		}
		vt := colType(args[0])
		out.cols = append(out.cols, types.Column{Name: "rolling_" + window + "_percentile_" + valName + "_" + pct, Type: vt})
		return out, true
	}
	return nil, false
}

// argColumnName is the column an argument names: a bare name or a string
// constant ("" for '~' or anything else).
func argColumnName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.Lit:
		if x.Value.Type == types.String && x.Value.S != "~" {
			return x.Value.S
		}
	}
	return ""
}

// weightCountType is the type of a pattern count: real when a real weight
// column sums fractions, long otherwise.
func weightCountType(in *tabular, weight string) types.Type {
	if c, ok := in.lookup(weight); ok && (c.Type == types.Real || c.Type == types.Decimal) {
		return types.Real
	}
	return types.Long
}

// appendDims appends the dimension columns; one named like a fixed column
// (an input column Count) gets a numeric suffix, as the executor names it.
func appendDims(fixed, dims types.Schema) types.Schema {
	var names []string
	for _, c := range fixed {
		names = append(names, c.Name)
	}
	n := naming.NewNamer(names)
	for _, c := range dims {
		c.Name = n.Unique(c.Name)
		fixed = append(fixed, c)
	}
	return fixed
}

// dimsExcept is the input schema without the named columns.
func dimsExcept(in *tabular, names ...string) types.Schema {
	var out types.Schema
	for _, c := range in.cols {
		skip := false
		for _, n := range names {
			skip = skip || (n != "" && c.Name == n)
		}
		if !skip {
			out = append(out, c)
		}
	}
	return out
}
