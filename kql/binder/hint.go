package binder

import (
	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/types"
)

// schemaHint applies evaluate's output-schema hint, plugin(...) : (A:t, ...),
// to the plugin's bound result out: the output is exactly the hinted
// columns with the hinted types, so later operators bind against them even
// when the data would not produce them (a pivot value that never occurs).
// A leading * keeps the input columns the plugin passes through, in front.
func (b *binder) schemaHint(o *ast.EvaluateOp, in, out *tabular) *tabular {
	s := o.Schema
	if s == nil {
		return out
	}
	if !s.Tabular {
		b.report(Error, s.Pos(), s.End(), "evaluate: the output schema must be a column list, as in : (Name:string, Count:long)")
		return out
	}
	hint := make(types.Schema, 0, len(s.Columns))
	for _, c := range s.Columns {
		if c.Name == nil || c.Type == nil {
			continue // a parse error already reported
		}
		if hint.Index(c.Name.Name) >= 0 {
			b.errorf(c.Name, "evaluate: column '%s' appears twice in the output schema", c.Name.Name)
			continue
		}
		hint = append(hint, types.Column{Name: c.Name.Name, Type: c.Type.Type})
	}
	if in == nil {
		in = &tabular{}
	}
	res := &tabular{hidden: in.hidden}
	if s.Star {
		// the input columns still in the plugin's output; all of them when
		// the plugin's output is not modelled
		for _, col := range in.cols {
			if hint.Index(col.Name) >= 0 || (len(out.cols) > 0 && out.cols.Index(col.Name) < 0) {
				continue
			}
			res.cols = append(res.cols, col)
		}
		res.open = in.open
	}
	res.cols = append(res.cols, hint...)
	return res
}
