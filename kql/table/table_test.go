package table

import (
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

func TestAppendKeepsValuesAndNulls(t *testing.T) {
	tests := []struct {
		typ  types.Type
		vals []types.Value
	}{
		{types.Long, []types.Value{types.NewLong(1), types.NullOf(types.Long), types.NewLong(-3)}},
		{types.Bool, []types.Value{types.NullOf(types.Bool), types.NewBool(true), types.NewBool(false)}},
		{types.Real, []types.Value{types.NewReal(1.5), types.NullOf(types.Real)}},
		{types.DateTime, []types.Value{types.NewDateTime(17e15), types.NullOf(types.DateTime)}},
		{types.TimeSpan, []types.Value{types.NullOf(types.TimeSpan), types.NewTimeSpan(types.Hour)}},
		{types.GUID, []types.Value{types.NewGUID("0F8FAD5B-D9CB-469F-A165-70867728950E")}},
		// A string is never null in Kusto: a null string reads back as "".
		{types.String, []types.Value{types.NewString("a"), types.NullOf(types.String), types.NewString("")}},
		// Dynamic nulls are nil elements, after rows that are not null.
		{types.Dynamic, []types.Value{types.NewDynamic(int64(1)), types.NewDynamic([]any{"x"}), types.NullOf(types.Dynamic), types.NewDynamic(nil)}},
	}
	for _, tc := range tests {
		c := NewColumn("c", tc.typ, 0)
		for _, v := range tc.vals {
			c.Append(v)
		}
		if c.Len() != len(tc.vals) {
			t.Fatalf("%s: Len = %d, want %d", tc.typ, c.Len(), len(tc.vals))
		}
		for i, want := range tc.vals {
			got := c.Value(i)
			if tc.typ == types.String {
				if got.IsNull() || got.S != want.S {
					t.Errorf("%s row %d = %+v, want %q and not null", tc.typ, i, got, want.S)
				}
				continue
			}
			if got.IsNull() != want.IsNull() || c.IsNull(i) != want.IsNull() {
				t.Errorf("%s row %d: null = %v, want %v", tc.typ, i, got.IsNull(), want.IsNull())
				continue
			}
			if !want.IsNull() && got.String() != want.String() {
				t.Errorf("%s row %d = %s, want %s", tc.typ, i, got, want)
			}
		}
	}
}

func TestTableRowsAndSchema(t *testing.T) {
	sch := types.Schema{{Name: "a", Type: types.Long}, {Name: "b", Type: types.String}}
	tb := New("T", sch)
	if tb.Rows() != 0 || tb.Schema().String() != "(a:long, b:string)" {
		t.Fatalf("empty table: %d rows, %s", tb.Rows(), tb.Schema())
	}
	if err := tb.AppendRow([]types.Value{types.NewLong(1), types.NewString("x")}); err != nil {
		t.Fatal(err)
	}
	if err := tb.AppendRow([]types.Value{types.NewLong(2)}); err == nil {
		t.Error("short row accepted")
	}
	if tb.Rows() != 1 || tb.Column("b").Strs[0] != "x" || tb.Column("nope") != nil {
		t.Errorf("after one row: %d rows", tb.Rows())
	}
	row := tb.Row(0)
	if row[0].I != 1 || row[1].S != "x" {
		t.Errorf("Row(0) = %+v", row)
	}
}
