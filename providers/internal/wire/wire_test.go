package wire

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/exec"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

func TestParseTimeSpan(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"00:00:00", 0, false},
		{"01:02:03", types.Hour + 2*types.Minute + 3*types.Second, false},
		{"1.00:00:00.5", types.Day + 5000000, false},
		{"-2.03:00:00.0000007", -(2*types.Day + 3*types.Hour + 7), false},
		{"10675199.02:48:05.4775807", math.MaxInt64, false},
		{"00:60:00", 0, true},
		{"1:2", 0, true},
		{"soon", 0, true},
		{"00:00:00.12345678", 0, true},
	}
	for _, c := range cases {
		got, err := ParseTimeSpan(c.in)
		if c.bad != (err != nil) || (!c.bad && got != c.want) {
			t.Errorf("ParseTimeSpan(%q) = %d, %v; want %d (bad %v)", c.in, got, err, c.want, c.bad)
		}
		if !c.bad {
			if back, err := ParseTimeSpan(types.FormatTimeSpan(got)); err != nil || back != got {
				t.Errorf("round trip of %q: %d, %v", c.in, back, err)
			}
		}
	}
}

func TestCells(t *testing.T) {
	cases := []struct {
		typ  types.Type
		raw  string
		d    Dialect
		want string // Value.String(); "null" for a null
		err  string
	}{
		{types.Long, `9223372036854775807`, Kusto, "9223372036854775807", ""},
		{types.Long, `"42"`, Kusto, "42", ""},
		{types.Long, `1e3`, Kusto, "1000", ""},
		{types.Long, `1.5`, Kusto, "", "not a valid long"},
		{types.Int, `2147483648`, Kusto, "", "out of 32-bit range"},
		{types.Real, `"NaN"`, Kusto, "NaN", ""},
		{types.Real, `"-Infinity"`, LogAnalytics, "-Infinity", ""},
		{types.Bool, `"True"`, LogAnalytics, "true", ""},
		{types.Bool, `"yes"`, LogAnalytics, "", "not a valid bool"},
		{types.DateTime, `"2024-02-29T23:59:59.9999999Z"`, Kusto, "2024-02-29T23:59:59.9999999Z", ""},
		{types.DateTime, `"2024-02-29T01:00:00+01:00"`, Kusto, "2024-02-29T00:00:00Z", ""},
		{types.DateTime, `12345`, Kusto, "", "not a valid datetime"},
		{types.GUID, `"6F9619FF-8B86-D011-B42D-00C04FC964FF"`, Kusto, "6f9619ff-8b86-d011-b42d-00c04fc964ff", ""},
		{types.GUID, `"not-a-guid"`, Kusto, "", "not a valid guid"},
		{types.Dynamic, `"{\"b\":1,\"a\":[2]}"`, LogAnalytics, `{"b":1,"a":[2]}`, ""},
		{types.Dynamic, `"plain text"`, LogAnalytics, `"plain text"`, ""},
		{types.Dynamic, `"{\"b\":1}"`, Kusto, `"{\"b\":1}"`, ""},
		{types.Dynamic, `{"b":1,"a":[2]}`, Kusto, `{"b":1,"a":[2]}`, ""},
		{types.String, `null`, Kusto, "", ""},
		{types.Long, `null`, Kusto, "null", ""},
		{types.Decimal, `"12.5"`, Kusto, "12.5", ""},
	}
	for _, c := range cases {
		v, err := Cell(c.typ, json.RawMessage(c.raw), c.d)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s %s: err = %v, want %q", c.typ, c.raw, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s: %v", c.typ, c.raw, err)
			continue
		}
		got := v.String()
		if v.IsNull() {
			got = "null"
		}
		if got != c.want {
			t.Errorf("%s %s = %s, want %s", c.typ, c.raw, got, c.want)
		}
	}
}

// TestEncodeDecode checks every type survives the trip through each
// dialect's encoding.
func TestEncodeDecode(t *testing.T) {
	bag := types.NewBag()
	bag.Set("k", []any{int64(1), "two", nil})
	vals := []types.Value{types.NewString("s\n\""), types.NewInt(-5), types.NewLong(math.MinInt64), types.NewReal(math.Inf(1)),
		types.NewBool(false), types.NewDateTime(-1), types.NewTimeSpan(-types.Day - 1), types.NewGUID("00000000-0000-0000-0000-00000000000a"),
		types.NewDynamic(bag), types.NewDecimal(-1.25), types.NullOf(types.DateTime)}
	for _, d := range []Dialect{LogAnalytics, Kusto} {
		for _, v := range vals {
			c := table.NewColumn("c", v.Type, 1)
			c.Append(v)
			raw := EncodeCell(c, 0, d)
			back, err := Cell(v.Type, raw, d)
			if err != nil || back.String() != v.String() || back.IsNull() != v.IsNull() {
				t.Errorf("dialect %d: %#v -> %s -> %#v, %v", d, v, raw, back, err)
			}
		}
	}
}

func TestRender(t *testing.T) {
	r := &exec.Render{Kind: "timechart", Props: map[string]any{"title": "T", "ycolumns": []string{"a", "b"}, "xcolumn": "x", "accumulate": true}}
	for _, d := range []Dialect{LogAnalytics, Kusto} {
		js, _ := json.Marshal(RenderJSON(r, d))
		v, err := types.ParseJSON(string(js))
		if err != nil {
			t.Fatal(err)
		}
		if got := Render(v); !reflect.DeepEqual(got, r) {
			t.Errorf("dialect %d: %s -> %+v, want %+v", d, js, got, r)
		}
		if got := Render(string(js)); !reflect.DeepEqual(got, r) {
			t.Errorf("dialect %d: JSON text form: %+v", d, got)
		}
	}
	if Render(nil) != nil || Render("not json") != nil || Render(types.NewBag()) != nil {
		t.Errorf("a missing visualization must give nil")
	}
}
