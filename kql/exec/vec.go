package exec

import (
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Column helpers: the executor builds columns by index rather than by
// Append, and shares slices where a result is a view of its input.

func parseTimeLayout(layout, s string) (time.Time, error) { return time.Parse(layout, s) }

// storeType is the type a column of t is built with; an untyped null
// becomes dynamic so that it has storage.
func storeType(t types.Type) types.Type {
	if t == types.Null {
		return types.Dynamic
	}
	return t
}

// newVec makes a column of n zero rows.
func newVec(name string, t types.Type, n int) *table.Column {
	t = storeType(t)
	c := &table.Column{Name: name, Type: t}
	switch table.Storage(t) {
	case table.StoreInts:
		c.Ints = make([]int64, n)
	case table.StoreReals:
		c.Reals = make([]float64, n)
	case table.StoreStrs:
		c.Strs = make([]string, n)
	case table.StoreDyns:
		c.Dyns = make([]any, n)
	}
	return c
}

// setNull makes row i null (empty for strings).
func setNull(c *table.Column, i int) {
	switch table.Storage(c.Type) {
	case table.StoreDyns:
		c.Dyns[i] = nil
		c.DynDict, c.Codes = nil, nil
		return
	case table.StoreStrs:
		c.Strs[i] = ""
		c.Dict, c.Codes = nil, nil // a changed value invalidates the codes
		if c.Type == types.String {
			return
		}
	}
	if c.Nulls == nil {
		c.Nulls = make([]bool, c.Len())
	}
	c.Nulls[i] = true
}

// setVal stores v at row i, converting it to the column's type.
func setVal(c *table.Column, i int, v types.Value) {
	if v.Type != c.Type {
		v = convert(v, c.Type)
	}
	if v.IsNull() {
		setNull(c, i)
		return
	}
	switch table.Storage(c.Type) {
	case table.StoreInts:
		c.Ints[i] = v.I
	case table.StoreReals:
		c.Reals[i] = v.F
	case table.StoreStrs:
		c.Strs[i] = v.S
		c.Dict, c.Codes = nil, nil
	case table.StoreDyns:
		c.Dyns[i] = v.D
		c.DynDict, c.Codes = nil, nil
	}
	if c.Nulls != nil {
		c.Nulls[i] = false
	}
}

// constVec is a column of n copies of v.
func constVec(name string, v types.Value, t types.Type, n int) *table.Column {
	c := newVec(name, t, n)
	v = convert(v, c.Type)
	if v.IsNull() {
		for i := 0; i < n; i++ {
			setNull(c, i)
		}
		return c
	}
	for i := 0; i < n; i++ {
		switch table.Storage(c.Type) {
		case table.StoreInts:
			c.Ints[i] = v.I
		case table.StoreReals:
			c.Reals[i] = v.F
		case table.StoreStrs:
			c.Strs[i] = v.S
		case table.StoreDyns:
			c.Dyns[i] = v.D
		}
	}
	return c
}

// sliceCol is a view of rows lo..hi of c.
func sliceCol(c *table.Column, lo, hi int) *table.Column {
	o := &table.Column{Name: c.Name, Type: c.Type}
	switch table.Storage(c.Type) {
	case table.StoreInts:
		o.Ints = c.Ints[lo:hi:hi]
	case table.StoreReals:
		o.Reals = c.Reals[lo:hi:hi]
	case table.StoreStrs:
		o.Strs = c.Strs[lo:hi:hi]
	case table.StoreDyns:
		o.Dyns = c.Dyns[lo:hi:hi]
	}
	if c.Nulls != nil {
		o.Nulls = c.Nulls[lo:hi:hi]
	}
	if c.Codes != nil {
		o.Dict, o.DynDict, o.Codes = c.Dict, c.DynDict, c.Codes[lo:hi:hi]
	}
	return o
}

// sliceTable is a view of rows lo..hi of t.
func sliceTable(t *table.Table, lo, hi int) *table.Table {
	o := &table.Table{Name: t.Name, Columns: make([]*table.Column, len(t.Columns))}
	for i, c := range t.Columns {
		o.Columns[i] = sliceCol(c, lo, hi)
	}
	return o
}

// gather builds a column from rows idx of c; an index of -1 is a null row.
func gather(c *table.Column, idx []int) *table.Column {
	if strCoded(c) {
		return gatherCoded(c, idx)
	}
	if dynCoded(c) {
		return gatherDynCoded(c, idx)
	}
	o := newVec(c.Name, c.Type, len(idx))
	hasNull := c.Nulls != nil
	for j, i := range idx {
		if i < 0 {
			setNull(o, j)
			continue
		}
		switch table.Storage(c.Type) {
		case table.StoreInts:
			o.Ints[j] = c.Ints[i]
		case table.StoreReals:
			o.Reals[j] = c.Reals[i]
		case table.StoreStrs:
			o.Strs[j] = c.Strs[i]
		case table.StoreDyns:
			o.Dyns[j] = c.Dyns[i]
		}
		if hasNull && c.Nulls[i] {
			setNull(o, j)
		}
	}
	return o
}

// gatherCoded is gather for a dictionary-encoded string column: codes go
// along; a -1 (null) row is "" and keeps the codes only when the
// dictionary has "".
func gatherCoded(c *table.Column, idx []int) *table.Column {
	o := &table.Column{Name: c.Name, Type: c.Type, Strs: make([]string, len(idx)), Dict: c.Dict, Codes: make([]uint32, len(idx))}
	empty := -1
	for j, i := range idx {
		if i < 0 {
			if empty < 0 {
				empty = len(c.Dict)
				for k, s := range c.Dict {
					if s == "" {
						empty = k
						break
					}
				}
			}
			if empty == len(c.Dict) {
				o.Dict, o.Codes = nil, nil
				for jj, ii := range idx[j:] {
					if ii >= 0 {
						o.Strs[j+jj] = c.Strs[ii]
					}
				}
				return o
			}
			o.Codes[j] = uint32(empty)
			continue
		}
		o.Strs[j] = c.Strs[i]
		o.Codes[j] = c.Codes[i]
	}
	return o
}

// gatherDynCoded is gather for a dictionary-encoded dynamic column; a -1
// (null) row drops the codes.
func gatherDynCoded(c *table.Column, idx []int) *table.Column {
	o := &table.Column{Name: c.Name, Type: c.Type, Dyns: make([]any, len(idx)), DynDict: c.DynDict, Codes: make([]uint32, len(idx))}
	for j, i := range idx {
		if i < 0 {
			o.DynDict, o.Codes = nil, nil
			for jj, ii := range idx[j:] {
				if ii >= 0 {
					o.Dyns[j+jj] = c.Dyns[ii]
				}
			}
			return o
		}
		o.Dyns[j] = c.Dyns[i]
		o.Codes[j] = c.Codes[i]
	}
	return o
}

// gatherTable applies gather to every column.
func gatherTable(t *table.Table, idx []int) *table.Table {
	o := &table.Table{Name: t.Name, Columns: make([]*table.Column, len(t.Columns))}
	for i, c := range t.Columns {
		o.Columns[i] = gather(c, idx)
	}
	return o
}

// concatCols joins parts of one column end to end.
func concatCols(name string, t types.Type, parts []*table.Column) *table.Column {
	n := 0
	for _, p := range parts {
		n += p.Len()
	}
	o := &table.Column{Name: name, Type: storeType(t)}
	anyNull := false
	for _, p := range parts {
		if p.Nulls != nil {
			anyNull = true
		}
	}
	switch table.Storage(o.Type) {
	case table.StoreInts:
		o.Ints = make([]int64, 0, n)
		for _, p := range parts {
			o.Ints = append(o.Ints, p.Ints...)
		}
	case table.StoreReals:
		o.Reals = make([]float64, 0, n)
		for _, p := range parts {
			o.Reals = append(o.Reals, p.Reals...)
		}
	case table.StoreStrs:
		o.Strs = make([]string, 0, n)
		for _, p := range parts {
			o.Strs = append(o.Strs, p.Strs...)
		}
		// parts cut from one encoded column keep its codes
		coded := len(parts) > 0 && parts[0].Codes != nil
		for _, p := range parts {
			coded = coded && p.Codes != nil && sameDict(p.Dict, parts[0].Dict)
		}
		if coded {
			o.Dict, o.Codes = parts[0].Dict, make([]uint32, 0, n)
			for _, p := range parts {
				o.Codes = append(o.Codes, p.Codes...)
			}
		}
	case table.StoreDyns:
		o.Dyns = make([]any, 0, n)
		for _, p := range parts {
			o.Dyns = append(o.Dyns, p.Dyns...)
		}
		coded := len(parts) > 0 && parts[0].Codes != nil
		for _, p := range parts {
			coded = coded && p.Codes != nil && len(p.DynDict) == len(parts[0].DynDict) &&
				(len(p.DynDict) == 0 || &p.DynDict[0] == &parts[0].DynDict[0])
		}
		if coded {
			o.DynDict, o.Codes = parts[0].DynDict, make([]uint32, 0, n)
			for _, p := range parts {
				o.Codes = append(o.Codes, p.Codes...)
			}
		}
	}
	if anyNull && o.Type != types.String && o.Type != types.Dynamic {
		o.Nulls = make([]bool, 0, n)
		for _, p := range parts {
			if p.Nulls != nil {
				o.Nulls = append(o.Nulls, p.Nulls...)
			} else {
				o.Nulls = append(o.Nulls, make([]bool, p.Len())...)
			}
		}
	}
	return o
}

// renamed is a shallow copy of c under another name.
func renamed(c *table.Column, name string) *table.Column {
	o := *c
	o.Name = name
	return &o
}

// tableBytes estimates the memory a table holds.
func tableBytes(t *table.Table) int64 {
	if t == nil {
		return 0
	}
	var b int64
	for _, c := range t.Columns {
		b += colBytes(c)
	}
	return b
}

func colBytes(c *table.Column) int64 {
	switch table.Storage(c.Type) {
	case table.StoreInts:
		return int64(len(c.Ints)) * 8
	case table.StoreReals:
		return int64(len(c.Reals)) * 8
	case table.StoreStrs:
		// estimated from a sample: this runs after every operator
		n := len(c.Strs)
		if n == 0 {
			return 0
		}
		step := max(1, n/256)
		var sum, k int64
		for i := 0; i < n; i += step {
			sum += int64(len(c.Strs[i]))
			k++
		}
		return int64(n) * (16 + sum/k)
	case table.StoreDyns:
		return int64(len(c.Dyns)) * 48
	}
	return 0
}

// isAllDigits is used by column name fragments.
func isAllDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// uniqueName returns name, or name1, name2 ... whichever is not in used.
func uniqueName(name string, used map[string]bool) string {
	if !used[name] {
		return name
	}
	for i := 1; ; i++ {
		n := name + itoa(i)
		if !used[n] {
			return n
		}
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
