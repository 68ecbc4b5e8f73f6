// Package table holds KQL results and inputs in columnar form: typed columns
// with nulls, and tables made of them. Every provider returns these, and the
// executor, display, export, UEBA and charts consume them.
package table

import (
	"fmt"

	"github.com/huntbook/huntbook/kql/types"
)

// Column is one typed column. Its values live in the one slice its Type
// uses; Nulls marks nulls (nil means the column has none). Strings have no
// nulls in Kusto, only empty strings, so Nulls is never set on them.
//
//	Bool, Int, Long, DateTime, TimeSpan  Ints (bool as 0/1; times in ticks)
//	Real, Decimal                        Reals
//	String, GUID                         Strs
//	Dynamic                              Dyns (nil element is a null)
//
// A string column may also carry a dictionary encoding: Codes[i] indexes
// Dict and Dict[Codes[i]] == Strs[i]; a dynamic column likewise with
// DynDict (Dyns[i] == DynDict[Codes[i]], entries not necessarily distinct).
// It is optional (nil when absent; the workspace loader sets it on string
// columns that repeat, the executor on others it reads) and only an
// accelerator for grouping, sorting, predicates and joins: Strs and Dyns
// stay complete, and code that changes them in place must set Codes, Dict
// and DynDict to nil (Append does).
//
// NoDict records that a dictionary was tried on the column and does not pay
// (its values are mostly distinct, like ids): the loader sets it when it
// gives up on codes, so the executor does not try again on the first query.
type Column struct {
	Name    string
	Type    types.Type
	Ints    []int64
	Reals   []float64
	Strs    []string
	Dyns    []any
	Nulls   []bool
	Dict    []string // distinct values of a dictionary-encoded string column
	DynDict []any    // values of a dictionary-encoded dynamic column
	Codes   []uint32 // per row index into Dict or DynDict, or nil
	NoDict  bool     // a dictionary does not pay for these values
}

// NewColumn makes an empty column with room for capacity rows.
func NewColumn(name string, t types.Type, capacity int) *Column {
	c := &Column{Name: name, Type: t}
	switch Storage(t) {
	case StoreInts:
		c.Ints = make([]int64, 0, capacity)
	case StoreReals:
		c.Reals = make([]float64, 0, capacity)
	case StoreStrs:
		c.Strs = make([]string, 0, capacity)
	case StoreDyns:
		c.Dyns = make([]any, 0, capacity)
	}
	return c
}

// Store says which slice of a Column holds a type's values.
type Store uint8

const (
	StoreNone Store = iota
	StoreInts
	StoreReals
	StoreStrs
	StoreDyns
)

// Storage tells which slice holds values of type t.
func Storage(t types.Type) Store {
	switch t {
	case types.Bool, types.Int, types.Long, types.DateTime, types.TimeSpan:
		return StoreInts
	case types.Real, types.Decimal:
		return StoreReals
	case types.String, types.GUID:
		return StoreStrs
	case types.Dynamic:
		return StoreDyns
	}
	return StoreNone
}

// Len is the number of rows.
func (c *Column) Len() int {
	switch Storage(c.Type) {
	case StoreInts:
		return len(c.Ints)
	case StoreReals:
		return len(c.Reals)
	case StoreStrs:
		return len(c.Strs)
	case StoreDyns:
		return len(c.Dyns)
	}
	return len(c.Nulls)
}

// IsNull reports whether row i is null.
func (c *Column) IsNull(i int) bool {
	if c.Type == types.Dynamic {
		return c.Dyns[i] == nil
	}
	return c.Nulls != nil && c.Nulls[i]
}

// Value returns row i as a Value.
func (c *Column) Value(i int) types.Value {
	v := types.Value{Type: c.Type, Valid: !c.IsNull(i)}
	switch Storage(c.Type) {
	case StoreInts:
		v.I = c.Ints[i]
	case StoreReals:
		v.F = c.Reals[i]
	case StoreStrs:
		v.S = c.Strs[i]
		v.Valid = true
	case StoreDyns:
		v.D = c.Dyns[i]
	}
	return v
}

// Append adds v, which must be of the column's type or null.
func (c *Column) Append(v types.Value) {
	null := !v.Valid && c.Type != types.String
	if null && c.Nulls == nil && c.Type != types.Dynamic { // dynamic nulls live in Dyns
		c.Nulls = make([]bool, c.Len(), cap(c.Ints)+cap(c.Reals)+cap(c.Strs)+1)
	}
	switch Storage(c.Type) {
	case StoreInts:
		c.Ints = append(c.Ints, v.I)
	case StoreReals:
		c.Reals = append(c.Reals, v.F)
	case StoreStrs:
		c.Strs = append(c.Strs, v.S)
		c.Dict, c.Codes = nil, nil
	case StoreDyns:
		c.DynDict, c.Codes = nil, nil
		if !v.Valid {
			c.Dyns = append(c.Dyns, nil)
		} else {
			c.Dyns = append(c.Dyns, v.D)
		}
		return // dynamic nulls are nil elements, not Nulls
	}
	if c.Nulls != nil {
		c.Nulls = append(c.Nulls, null)
	}
}

// AppendNull adds a null (an empty string for string columns).
func (c *Column) AppendNull() { c.Append(types.NullOf(c.Type)) }

// Table is a named list of equally long columns.
type Table struct {
	Name    string
	Columns []*Column
}

// New makes an empty table with the given schema.
func New(name string, schema types.Schema) *Table {
	t := &Table{Name: name}
	for _, c := range schema {
		t.Columns = append(t.Columns, NewColumn(c.Name, c.Type, 0))
	}
	return t
}

// Rows is the number of rows.
func (t *Table) Rows() int {
	if len(t.Columns) == 0 {
		return 0
	}
	return t.Columns[0].Len()
}

// Schema lists the columns' names and types.
func (t *Table) Schema() types.Schema {
	s := make(types.Schema, len(t.Columns))
	for i, c := range t.Columns {
		s[i] = types.Column{Name: c.Name, Type: c.Type}
	}
	return s
}

// Column returns the column named name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Row returns row i as Values, in column order.
func (t *Table) Row(i int) []types.Value {
	r := make([]types.Value, len(t.Columns))
	for j, c := range t.Columns {
		r[j] = c.Value(i)
	}
	return r
}

// AppendRow adds one row; len(row) must equal the number of columns.
func (t *Table) AppendRow(row []types.Value) error {
	if len(row) != len(t.Columns) {
		return fmt.Errorf("table %s: row has %d values, want %d", t.Name, len(row), len(t.Columns))
	}
	for j, c := range t.Columns {
		c.Append(row[j])
	}
	return nil
}
