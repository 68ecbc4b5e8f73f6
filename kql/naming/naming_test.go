package naming

import (
	"testing"

	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/types"
)

func TestExprName(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{"Account", "Account"},
		{"(Account)", "Account"},
		{"d.a.b", "d_a_b"},
		{`d["k"]`, "d_k"},
		{"d[0]", "d_0"},
		{`d.a["k"]`, "d_a_k"},
		{"d[i]", ""},
		{"tostring(DeviceDetail.operatingSystem)", "DeviceDetail_operatingSystem"},
		{"bin(TimeGenerated, 1h)", "TimeGenerated"},
		{"todatetime(x)", "x"},
		{"count()", "count_"},
		{"sum(Bytes)", "sum_Bytes"},
		{"make_set(IPAddress)", "set_IPAddress"},
		{"make_list(x)", "list_x"},
		{"dcount(User)", "dcount_User"},
		{"percentile(Latency, 95)", "percentile_Latency_95"},
		{"percentile(Latency, 99.5)", "percentile_Latency_99_5"},
		{"binary_all_or(x)", "binary_all_or_x"},
		{"strlen(User)", "strlen_User"},
		{"gettype(x)", "type_x"},
		{"hll_merge(h)", "hll_merge_h"}, // the aggregate
		{"merge_tdigests(a, b)", "tdigests_merge_result"},
		{"make_datetime(x)", "x"},
		{"make_datetime(2024, 1, 1)", ""},
		{"strcat(a, b)", ""},
		{"a + 1", ""},
		{"1", ""},
	} {
		e, err := parser.ParseExpr(tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		if got := ExprName(e); got != tc.want {
			t.Errorf("ExprName(%s) = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

func TestFragment(t *testing.T) {
	for _, tc := range []struct {
		v    types.Value
		want string
	}{
		{types.NewLong(95), "95"},
		{types.NewReal(99.5), "99_5"},
		{types.NewLong(-1), "_1"},
		{types.NewString("a b"), "a_b"},
	} {
		if got := Fragment(tc.v); got != tc.want {
			t.Errorf("Fragment(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestNamer(t *testing.T) {
	n := NewNamer([]string{"Column1", "count_"})
	if got := n.Column(); got != "Column2" {
		t.Errorf("first Column() = %q, want Column2 (Column1 is in use)", got)
	}
	n.Used["Column3"] = true // taken by the caller directly
	if got := n.Column(); got != "Column4" {
		t.Errorf("Column() after marking Column3 = %q, want Column4", got)
	}
	for _, want := range []string{"count_1", "count_2"} {
		if got := n.Unique("count_"); got != want {
			t.Errorf("Unique(count_) = %q, want %q", got, want)
		}
	}
	if got := n.Unique("sum_x"); got != "sum_x" {
		t.Errorf("Unique(sum_x) = %q, want it unchanged", got)
	}
	if !n.Used["sum_x"] || !n.Used["count_2"] {
		t.Errorf("names handed out are not marked used: %v", n.Used)
	}
}
