package ueba

import (
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// columns reads a table's columns by name, tolerating absent ones (a
// workspace may hold a table with fewer columns than Sentinel's schema).
type columns struct{ t *table.Table }

func columnsOf(t *table.Table) columns { return columns{t} }

func (c columns) str(name string) func(int) string {
	col := c.t.Column(name)
	if col == nil {
		return func(int) string { return "" }
	}
	switch table.Storage(col.Type) {
	case table.StoreStrs:
		return func(i int) string { return col.Strs[i] }
	case table.StoreInts:
		if col.Type == types.Bool {
			return func(i int) string {
				if col.IsNull(i) {
					return ""
				}
				return strconv.FormatBool(col.Ints[i] != 0)
			}
		}
	}
	return func(i int) string { return col.Value(i).String() }
}

func (c columns) ticks(name string) func(int) int64 {
	col := c.t.Column(name)
	if col == nil || table.Storage(col.Type) != table.StoreInts {
		return func(int) int64 { return 0 }
	}
	return func(i int) int64 {
		if col.IsNull(i) {
			return 0
		}
		return col.Ints[i]
	}
}

func (c columns) boolean(name string) func(int) bool {
	col := c.t.Column(name)
	if col == nil {
		return func(int) bool { return false }
	}
	if col.Type == types.Bool {
		return func(i int) bool { return !col.IsNull(i) && col.Ints[i] != 0 }
	}
	s := c.str(name)
	return func(i int) bool { return strings.EqualFold(s(i), "true") }
}

// dyn reads a dynamic column; a string column holding JSON is parsed.
func (c columns) dyn(name string) func(int) any {
	col := c.t.Column(name)
	if col == nil {
		return func(int) any { return nil }
	}
	if col.Type == types.Dynamic {
		return func(i int) any { return col.Dyns[i] }
	}
	if table.Storage(col.Type) == table.StoreStrs {
		return func(i int) any {
			s := col.Strs[i]
			if s == "" || (s[0] != '{' && s[0] != '[') {
				return s
			}
			v, err := types.ParseJSON(s)
			if err != nil {
				return s
			}
			return v
		}
	}
	return func(i int) any { return nil }
}

// dget walks a dynamic value by property names.
func dget(v any, path ...string) any {
	for _, k := range path {
		b, ok := v.(*types.Bag)
		if !ok {
			return nil
		}
		v, _ = b.Get(k)
	}
	return v
}

func dstr(v any, path ...string) string {
	switch x := dget(v, path...).(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case nil:
		return ""
	default:
		return types.DynamicJSON(x)
	}
}
