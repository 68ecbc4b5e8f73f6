package exportfile

import (
	"slices"
	"sort"

	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Mapping says how records of type R become rows of a table in its
// built-in schema: each column is computed by a filler, copied from a
// property of the record's bag, or left empty.
type Mapping[R any] struct {
	// Table names the table; its built-in schema gives columns and types.
	Table string
	// Data is the record's properties.
	Data func(r *R) *types.Bag
	// Column says how a column is filled: fill, else the property key it
	// copies; neither leaves it empty.
	Column func(name string) (fill func(r *R) any, key string)
	// Fold, when set, is applied to property keys and column keys before
	// they are matched (case, underscores).
	Fold func(key string) string
	// Convert makes the column values.
	Convert Converter
}

// Build makes the table, one row a record in order. A value that does not
// fit its column's type is left null and passed to notFit with the record
// and the message NotFit writes.
func (m Mapping[R]) Build(recs []R, notFit func(r *R, msg string)) *table.Table {
	schema, ok := schemas.Lookup(m.Table)
	if !ok {
		panic("exportfile: no built-in schema for " + m.Table)
	}
	fold := m.Fold
	if fold == nil {
		fold = func(k string) string { return k }
	}
	t := &table.Table{Name: m.Table}
	fill := make([]func(*R) any, len(schema))
	byKey := map[string][]int{} // property key -> columns it fills
	for j, c := range schema {
		t.Columns = append(t.Columns, table.NewColumn(c.Name, c.Type, len(recs)))
		f, key := m.Column(c.Name)
		switch {
		case f != nil:
			fill[j] = f
		case key != "":
			byKey[fold(key)] = append(byKey[fold(key)], j)
		}
	}
	row := make([]any, len(schema))
	for i := range recs {
		r := &recs[i]
		clear(row)
		// One pass over the record's properties rather than a lookup per
		// column: records have tens of properties, tables up to a hundred or more columns.
		data := m.Data(r)
		for k, key := range data.Keys {
			for _, j := range byKey[fold(key)] {
				row[j] = data.Value(k)
			}
		}
		for j, f := range fill {
			if f != nil {
				row[j] = f(r)
			}
		}
		for j, c := range schema {
			val, ok := m.Convert.Convert(row[j], c.Type)
			if !ok {
				notFit(r, NotFit(m.Table, c.Name, row[j], c.Type))
			}
			t.Columns[j].Append(val)
		}
	}
	return t
}

// IDs remembers the ids of the records kept, to keep the first of records
// that share one (overlapping exports hold the same record more than once).
type IDs map[string]bool

// First reports whether id is met for the first time, and remembers it.
// A record without an id is always kept.
func (s *IDs) First(id string) bool {
	if id == "" {
		return true
	}
	if *s == nil {
		*s = IDs{}
	}
	if (*s)[id] {
		return false
	}
	(*s)[id] = true
	return true
}

// OldestFirst returns a copy of recs sorted by time, records of the same
// time kept in their order.
func OldestFirst[R any](recs []R, at func(r *R) int64) []R {
	recs = slices.Clone(recs)
	// By index: the records compared stay in place (a copy passed by
	// pointer would go to the heap).
	sort.SliceStable(recs, func(i, j int) bool { return at(&recs[i]) < at(&recs[j]) })
	return recs
}

// Span is the first and last time of recs; ok is false with none.
func Span[R any](recs []R, at func(r *R) int64) (first, last int64, ok bool) {
	for i := range recs {
		t := at(&recs[i])
		if i == 0 || t < first {
			first = t
		}
		if i == 0 || t > last {
			last = t
		}
	}
	return first, last, len(recs) > 0
}
