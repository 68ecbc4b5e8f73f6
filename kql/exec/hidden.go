package exec

import (
	"maps"
	"slices"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Log Analytics gives every table hidden standard columns that a query sees
// only when it names them (a plain take does not show them); exported logs
// rarely carry them. The binder accepts them on workspace tables; a table
// read from the catalog gains the ones the script names and it lacks:
//
//   - _BilledSize, the record's size in bytes, estimated as Log Analytics
//     bills it: the row's column names and values, without the standard
//     columns (names starting with "_", Type, TenantId);
//   - _IsBillable, "true": most tables are billed, and the export does not
//     say which were not (the documented cost queries filter on it);
//   - _ResourceId and _SubscriptionId, empty: the export does not say.
//
// The names and types are schemas.HiddenColumns, the binder's list, so what
// binds also runs.
var hiddenColumns = func() map[string]types.Type {
	m := map[string]types.Type{}
	for _, c := range schemas.HiddenColumns() {
		m[c.Name] = c.Type
	}
	return m
}()

// hiddenRefs is the hidden columns a script names anywhere.
func hiddenRefs(script *ast.Script) map[string]bool {
	var refs map[string]bool
	ast.Inspect(script, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if _, ok := hiddenColumns[id.Name]; ok {
				if refs == nil {
					refs = map[string]bool{}
				}
				refs[id.Name] = true
			}
		}
		return true
	})
	return refs
}

// withHidden adds the hidden columns the script names and t lacks.
func (r *runner) withHidden(t *table.Table) *table.Table {
	var add []*table.Column
	for _, name := range slices.Sorted(maps.Keys(r.hidden)) {
		if t.Column(name) != nil {
			continue
		}
		c := table.NewColumn(name, hiddenColumns[name], t.Rows())
		switch name {
		case "_BilledSize":
			c.Reals = billedSizes(t)
		case "_IsBillable":
			c.Strs = make([]string, t.Rows())
			for i := range c.Strs {
				c.Strs[i] = "true"
			}
		default: // empty strings (or nulls, should the list gain other types)
			for range t.Rows() {
				c.AppendNull()
			}
		}
		add = append(add, c)
	}
	if len(add) == 0 {
		return t
	}
	out := *t
	out.Columns = append(append(make([]*table.Column, 0, len(t.Columns)+len(add)), t.Columns...), add...)
	return &out
}

// billedSizes estimates each row's billed size: for every column that is
// not a standard one, its name and its value (a string's bytes, 8 for a
// number or time, 1 for a bool, a dynamic value's JSON); nulls count nothing.
func billedSizes(t *table.Table) []float64 {
	out := make([]float64, t.Rows())
	for _, c := range t.Columns {
		if strings.HasPrefix(c.Name, "_") || c.Name == "Type" || c.Name == "TenantId" {
			continue
		}
		name := float64(len(c.Name))
		for i := range out {
			if c.Nulls != nil && c.Nulls[i] {
				continue
			}
			switch table.Storage(c.Type) {
			case table.StoreStrs:
				if len(c.Strs[i]) == 0 {
					continue
				}
				out[i] += name + float64(len(c.Strs[i]))
			case table.StoreDyns:
				if c.Dyns[i] == nil {
					continue
				}
				out[i] += name + float64(len(types.DynamicJSON(c.Dyns[i])))
			default:
				if c.Type == types.Bool {
					out[i] += name + 1
				} else {
					out[i] += name + 8
				}
			}
		}
	}
	return out
}
