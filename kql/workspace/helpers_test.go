package workspace

import (
	"math"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// sameTable fails unless a and b have the same schema and values.
func sameTable(t *testing.T, got, want *table.Table) {
	t.Helper()
	if g, w := got.Schema().String(), want.Schema().String(); g != w {
		t.Fatalf("schema = %s, want %s", g, w)
	}
	if got.Rows() != want.Rows() {
		t.Fatalf("rows = %d, want %d", got.Rows(), want.Rows())
	}
	for j, wc := range want.Columns {
		gc := got.Columns[j]
		for i := 0; i < want.Rows(); i++ {
			if !sameValue(gc.Value(i), wc.Value(i)) {
				t.Errorf("row %d column %s = %#v, want %#v", i, wc.Name, gc.Value(i), wc.Value(i))
			}
		}
	}
}

func sameValue(a, b types.Value) bool {
	if a.Type != b.Type || a.IsNull() != b.IsNull() {
		return false
	}
	if a.IsNull() {
		return true
	}
	switch a.Type {
	case types.Real, types.Decimal:
		return a.F == b.F || math.IsNaN(a.F) && math.IsNaN(b.F)
	case types.Dynamic:
		return types.DynamicJSON(a.D) == types.DynamicJSON(b.D)
	case types.String, types.GUID:
		return a.S == b.S
	}
	return a.I == b.I
}

// mk builds a table from a schema and rows of Values.
func mk(name string, s types.Schema, rows ...[]types.Value) *table.Table {
	t := table.New(name, s)
	for _, r := range rows {
		if err := t.AppendRow(r); err != nil {
			panic(err)
		}
	}
	return t
}

func dt(s string) types.Value {
	ticks, ok := parseDateTime([]byte(s))
	if !ok {
		panic("bad datetime " + s)
	}
	return types.NewDateTime(ticks)
}

func dyn(js string) types.Value {
	v, err := types.ParseJSON(js)
	if err != nil {
		panic(err)
	}
	return types.NewDynamic(v)
}

// allTypes is a table with one column of each type, nulls, unicode and
// text that needs quoting.
func allTypes() *table.Table {
	s := types.Schema{
		{Name: "B", Type: types.Bool}, {Name: "I", Type: types.Int}, {Name: "L", Type: types.Long},
		{Name: "R", Type: types.Real}, {Name: "S", Type: types.String}, {Name: "T", Type: types.DateTime},
		{Name: "TS", Type: types.TimeSpan}, {Name: "G", Type: types.GUID}, {Name: "D", Type: types.Dynamic},
	}
	return mk("All", s,
		[]types.Value{types.NewBool(true), types.NewInt(-7), types.NewLong(1 << 40), types.NewReal(2.5),
			types.NewString("plain"), dt("2026-11-22T10:15:30.1234567Z"), types.NewTimeSpan(90 * types.Minute),
			types.NewGUID("0f8fad5b-d9cb-469f-a165-70867728950e"), dyn(`{"a":[1,2.5,"x"],"b":{"c":null}}`)},
		[]types.Value{types.NullOf(types.Bool), types.NullOf(types.Int), types.NullOf(types.Long),
			types.NullOf(types.Real), types.NewString(""), types.NullOf(types.DateTime),
			types.NullOf(types.TimeSpan), types.NullOf(types.GUID), types.NullOf(types.Dynamic)},
		[]types.Value{types.NewBool(false), types.NewInt(0), types.NewLong(-1), types.NewReal(math.Inf(-1)),
			types.NewString("Zoë, \"quoted\"\nsecond line 東京"), dt("1601-01-01T00:00:00Z"),
			types.NewTimeSpan(-(2*types.Day + 3*types.Second + 5)), types.NewGUID("00000000-0000-0000-0000-000000000000"),
			dyn(`"just a string"`)},
		[]types.Value{types.NewBool(true), types.NewInt(2147483647), types.NewLong(-9223372036854775808), types.NewReal(-0.001),
			types.NewString(" leading space"), dt("2262-04-11T23:47:16Z"), types.NewTimeSpan(1),
			types.NewGUID("ffffffff-ffff-ffff-ffff-ffffffffffff"), dyn(`[]`)},
	)
}
