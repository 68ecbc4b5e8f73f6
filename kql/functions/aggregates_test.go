package functions

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

// aggregate runs an aggregate over rows through the registry; it also splits
// the rows over two accumulators and merges them, and checks both agree.
func aggregate(t *testing.T, name string, argTypes []types.Type, rows [][]types.Value) types.Value {
	t.Helper()
	a, ok := LookupAggregate(name)
	if !ok {
		t.Fatalf("%s: not registered", name)
	}
	rt, err := a.Result(argTypes)
	if err != nil {
		t.Fatalf("%s: Result: %v", name, err)
	}
	whole := a.New(argTypes)
	for _, r := range rows {
		whole.Add(r)
	}
	left, right := a.New(argTypes), a.New(argTypes)
	for i, r := range rows {
		if i%2 == 0 {
			left.Add(r)
		} else {
			right.Add(r)
		}
	}
	left.Merge(right)
	got, merged := whole.Result(), left.Result()
	if name != "make_list" && name != "make_list_if" && name != "take_any" && !sameValue(merged, got) {
		t.Errorf("%s: merged result %s differs from single-pass %s", name, show(merged), show(got))
	}
	if got.Type != rt && !(got.IsNull() && rt == types.Null) {
		t.Errorf("%s: value type %s, but Result said %s", name, got.Type, rt)
	}
	return got
}

func col(vs ...types.Value) [][]types.Value {
	rows := make([][]types.Value, len(vs))
	for i, v := range vs {
		rows[i] = []types.Value{v}
	}
	return rows
}

// zipRows builds rows from parallel columns.
func zipRows(cols ...[]types.Value) [][]types.Value {
	rows := make([][]types.Value, len(cols[0]))
	for i := range rows {
		for _, c := range cols {
			rows[i] = append(rows[i], c[i])
		}
	}
	return rows
}

func rep(v types.Value, n int) []types.Value {
	out := make([]types.Value, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestSimpleAggregates(t *testing.T) {
	longs := col(L(1), L(5), N(types.Long), L(3), L(-2))
	reals := col(R(1.5), R(2.5), N(types.Real))
	strs := col(S("b"), S(""), S("a"), S("c"))
	dts := col(DT("2020-01-02"), DT("2020-01-01"), N(types.DateTime), DT("2020-01-03"))
	spans := col(TS("1h"), TS("3h"))
	bools := []types.Value{B(true), B(false), B(true), N(types.Bool), B(true)}
	lt, rt, st, dt, tt := []types.Type{types.Long}, []types.Type{types.Real}, []types.Type{types.String}, []types.Type{types.DateTime}, []types.Type{types.TimeSpan}
	for _, c := range []struct {
		name  string
		types []types.Type
		rows  [][]types.Value
		want  types.Value
	}{
		{"count", nil, make([][]types.Value, 7), L(7)},
		{"count", nil, nil, L(0)},
		{"countif", []types.Type{types.Bool}, col(bools...), L(3)},
		{"sum", lt, longs, L(7)},
		{"sum", []types.Type{types.Int}, col(I(1), I(2)), L(3)},
		{"sum", rt, reals, R(4)},
		{"sum", tt, spans, TS("4h")},
		{"sum", lt, col(N(types.Long)), N(types.Long)},
		{"sum", lt, nil, N(types.Long)},
		{"sumif", []types.Type{types.Long, types.Bool}, zipRows([]types.Value{L(1), L(5), N(types.Long), L(3), L(-2)}, bools), L(-1)},
		{"avg", lt, longs, R(1.75)},
		{"avg", rt, reals, R(2)},
		{"avg", tt, spans, TS("2h")},
		{"avg", dt, col(DT("2020-01-01"), DT("2020-01-03")), DT("2020-01-02")},
		{"avg", lt, col(N(types.Long)), N(types.Real)},
		{"avgif", []types.Type{types.Long, types.Bool}, zipRows([]types.Value{L(1), L(5), L(7), L(3), L(-2)}, bools), R(2)},
		{"max", lt, longs, L(5)},
		{"min", lt, longs, L(-2)},
		{"max", rt, col(R(1), R(math.NaN()), R(3)), R(3)},
		{"max", st, strs, S("c")},
		{"min", st, strs, S("a")},
		{"min", st, col(S("")), S("")},
		{"max", dt, dts, DT("2020-01-03")},
		{"min", dt, dts, DT("2020-01-01")},
		{"min", dt, col(N(types.DateTime)), N(types.DateTime)},
		{"max", tt, spans, TS("3h")},
		{"maxif", []types.Type{types.Long, types.Bool}, zipRows([]types.Value{L(1), L(5), L(7), L(3), L(9)}, bools), L(9)},
		{"minif", []types.Type{types.Long, types.Bool}, zipRows([]types.Value{L(1), L(5), L(7), L(3), L(9)}, bools), L(1)},
		{"stdev", lt, col(L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10)), R(3.0276503540974917)},
		{"stdevp", lt, col(L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10)), R(2.8722813232690143)},
		{"variance", lt, col(L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10)), R(9.166666666666666)},
		{"variancep", lt, col(L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10)), R(8.25)},
		{"variance", lt, col(L(4)), R(0)},
		{"variance", lt, nil, N(types.Real)},
		{"stdevif", []types.Type{types.Long, types.Bool}, zipRows([]types.Value{L(2), L(100), L(4), L(0), L(6)}, bools), R(2)},
		{"varianceif", []types.Type{types.Long, types.Bool}, zipRows([]types.Value{L(2), L(100), L(4), L(0), L(6)}, bools), R(4)},
		{"binary_all_or", lt, col(L(1), L(2), L(8)), L(11)},
		{"binary_all_and", lt, col(L(7), L(6), L(14)), L(6)},
		{"binary_all_xor", lt, col(L(1), L(3), L(4)), L(6)},
		{"binary_all_or", lt, nil, N(types.Long)},
		{"count_distinct", st, col(S("a"), S("b"), S("a"), S("")), L(2)},
		{"count_distinct", lt, col(L(1), L(1), N(types.Long), L(2)), L(2)},
		{"count_distinctif", []types.Type{types.String, types.Bool}, zipRows([]types.Value{S("a"), S("b"), S("c"), S("d"), S("a")}, bools), L(2)},
		{"dcount", st, col(S("a"), S("b"), S("a"), S("")), L(2)},
		{"dcount", lt, col(L(1), L(2), L(2), L(3), N(types.Long)), L(3)},
		{"dcount", []types.Type{types.Dynamic}, col(D(`[1]`), D(`[1]`), D(`{"a":1}`)), L(2)},
		{"dcountif", []types.Type{types.String, types.Bool}, zipRows([]types.Value{S("a"), S("b"), S("c"), S("d"), S("a")}, bools), L(2)},
		{"make_set", st, col(S("a"), S("b"), S("a")), D(`["a","b"]`)},
		{"make_set", lt, col(L(1), N(types.Long), L(1), L(2)), D(`[1,2]`)},
		{"make_set", []types.Type{types.Dynamic}, col(D(`[1,2]`), D(`[2,3]`), N(types.Dynamic)), D(`[1,2,3]`)},
		{"make_set", []types.Type{types.String, types.Long}, zipRows([]types.Value{S("a"), S("a"), S("b"), S("c")}, rep(L(2), 4)), D(`["a","b"]`)},
		{"makeset", st, col(S("x")), D(`["x"]`)},
		{"make_set_if", []types.Type{types.String, types.Bool}, zipRows([]types.Value{S("a"), S("b"), S("c"), S("d"), S("a")}, bools), D(`["a","c"]`)},
		{"make_list", lt, col(L(1), N(types.Long), L(1)), D(`[1,1]`)},
		{"make_list", lt, nil, D(`[]`)},
		{"make_list_with_nulls", lt, col(L(1), N(types.Long)), D(`[1,null]`)},
		{"make_list_if", []types.Type{types.Long, types.Bool}, zipRows([]types.Value{L(1), L(2), L(3), L(4), L(5)}, bools), D(`[1,3,5]`)},
		{"make_bag", []types.Type{types.Dynamic}, col(D(`{"a":1}`), D(`{"b":2,"a":3}`), D(`[1]`), N(types.Dynamic)), D(`{"a":1,"b":2}`)},
		{"make_bag_if", []types.Type{types.Dynamic, types.Bool}, zipRows([]types.Value{D(`{"a":1}`), D(`{"b":2}`)}, []types.Value{B(false), B(true)}), D(`{"b":2}`)},
		{"take_any", lt, col(N(types.Long), L(4)), L(4)},
		{"take_anyif", []types.Type{types.Long, types.Bool}, zipRows([]types.Value{L(1), L(2)}, []types.Value{B(false), B(true)}), L(2)},
		{"percentile", []types.Type{types.Long, types.Long}, zipRows([]types.Value{L(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8), L(9), L(10)}, rep(L(50), 10)), L(5)},
		{"percentile", []types.Type{types.Long, types.Long}, zipRows([]types.Value{L(10), L(9), L(8), L(7), L(6), L(5), L(4), L(3), L(2), L(1)}, rep(L(95), 10)), L(10)},
		{"percentile", []types.Type{types.Real, types.Long}, zipRows([]types.Value{R(1), R(2), R(3), R(4)}, rep(L(0), 4)), R(1)},
		{"percentile", []types.Type{types.TimeSpan, types.Real}, zipRows([]types.Value{TS("1s"), TS("2s"), TS("3s")}, rep(R(50), 3)), TS("2s")},
		{"percentile", []types.Type{types.Long, types.Long}, nil, N(types.Long)},
		{"percentiles_array", []types.Type{types.Long, types.Long, types.Long}, zipRows([]types.Value{L(1), L(2), L(3), L(4)}, rep(L(25), 4), rep(L(100), 4)), D(`[1,4]`)},
		{"percentiles_array", []types.Type{types.Long, types.Dynamic}, zipRows([]types.Value{L(1), L(2), L(3), L(4)}, rep(D(`[50,75]`), 4)), D(`[2,3]`)},
	} {
		got := aggregate(t, c.name, c.types, c.rows)
		if !sameValue(got, c.want) {
			t.Errorf("%s over %d rows = %s, want %s", c.name, len(c.rows), show(got), show(c.want))
		}
	}
}

func TestMakeListKeepsOrder(t *testing.T) {
	a, _ := LookupAggregate("make_list")
	acc := a.New([]types.Type{types.String})
	for _, s := range []string{"c", "a", "b", "a"} {
		acc.Add(A(S(s)))
	}
	if got := types.DynamicJSON(acc.Result().D); got != `["c","a","b","a"]` {
		t.Errorf("make_list = %s", got)
	}
}

func TestArgMaxArgMin(t *testing.T) {
	argTypes := []types.Type{types.Long, types.String, types.DateTime}
	rows := [][]types.Value{
		{L(3), S("c"), DT("2020-01-03")},
		{N(types.Long), S("null"), DT("2020-01-09")},
		{L(7), S("first7"), DT("2020-01-07")},
		{L(1), S("a"), DT("2020-01-01")},
		{L(7), S("second7"), DT("2020-01-08")},
	}
	for _, c := range []struct {
		name string
		want []types.Value
	}{
		{"arg_max", A(L(7), S("first7"), DT("2020-01-07"))},
		{"arg_min", A(L(1), S("a"), DT("2020-01-01"))},
		{"argmax", A(L(7), S("first7"), DT("2020-01-07"))},
	} {
		a, _ := LookupAggregate(c.name)
		acc := a.New(argTypes)
		for _, r := range rows {
			acc.Add(r)
		}
		got := acc.(MultiAccumulator).Results()
		if len(got) != len(c.want) {
			t.Fatalf("%s: %d results, want %d", c.name, len(got), len(c.want))
		}
		for i := range got {
			if !sameValue(got[i], c.want[i]) {
				t.Errorf("%s result %d = %s, want %s", c.name, i, show(got[i]), show(c.want[i]))
			}
		}
		if !sameValue(acc.Result(), c.want[0]) {
			t.Errorf("%s Result() = %s", c.name, show(acc.Result()))
		}
		cols, err := a.Outputs(argTypes, []string{"Count", "Name", ""}, nil)
		if err != nil || len(cols) != 3 || cols[0] != (types.Column{Name: "Count", Type: types.Long}) || cols[1].Name != "Name" || cols[2].Type != types.DateTime || cols[2].Name == "" {
			t.Errorf("%s Outputs = %v, %v", c.name, cols, err)
		}
	}
	// all-null input: nulls of each type
	a, _ := LookupAggregate("arg_max")
	acc := a.New(argTypes)
	acc.Add([]types.Value{N(types.Long), S("x"), DT("2020-01-01")})
	for i, v := range acc.(MultiAccumulator).Results() {
		if !v.IsNull() && !(v.Type == types.String && v.S == "") {
			t.Errorf("arg_max over nulls: result %d = %s, want null", i, show(v))
		}
	}
	// merge keeps the larger
	x, y := a.New(argTypes), a.New(argTypes)
	x.Add(rows[0])
	y.Add(rows[2])
	x.Merge(y)
	if got := x.(MultiAccumulator).Results()[1]; got.S != "first7" {
		t.Errorf("merged arg_max row = %s", show(got))
	}
}

func TestTakeAnyMulti(t *testing.T) {
	a, _ := LookupAggregate("take_any")
	argTypes := []types.Type{types.String, types.Long}
	acc := a.New(argTypes)
	acc.Add(A(S("x"), L(1)))
	acc.Add(A(S("y"), L(2)))
	r := acc.(MultiAccumulator).Results()
	if len(r) != 2 || r[0].S != "x" || r[1].I != 1 {
		t.Errorf("take_any(s, l) = %v", r)
	}
	cols, err := a.Outputs(argTypes, []string{"s", "l"}, nil)
	if err != nil || len(cols) != 2 || cols[1] != (types.Column{Name: "l", Type: types.Long}) {
		t.Errorf("take_any Outputs = %v, %v", cols, err)
	}
	old, _ := LookupAggregate("any")
	cols, err = old.Outputs(argTypes, []string{"s", "l"}, nil)
	if err != nil || len(cols) != 2 || cols[0].Name != "any_s" || cols[1].Name != "any_l" {
		t.Errorf("any Outputs = %v, %v", cols, err)
	}
}

func TestPercentiles(t *testing.T) {
	a, _ := LookupAggregate("percentiles")
	argTypes := []types.Type{types.Long, types.Long, types.Real, types.Long}
	consts := []types.Value{{}, L(5), R(99.9), L(50)}
	cols, err := a.Outputs(argTypes, []string{"Duration"}, consts)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
		if c.Type != types.Long {
			t.Errorf("percentiles column %s type %s", c.Name, c.Type)
		}
	}
	if got := strings.Join(names, ","); got != "percentile_Duration_5,percentile_Duration_99_9,percentile_Duration_50" {
		t.Errorf("percentiles columns = %s", got)
	}
	if _, err := a.Outputs(argTypes, []string{"Duration"}, []types.Value{{}, {}, R(1), L(2)}); err == nil || !strings.Contains(err.Error(), "argument 2 must be a constant") {
		t.Errorf("non-constant percentage: %v", err)
	}
	acc := a.New(argTypes)
	for i := int64(1); i <= 1000; i++ {
		acc.Add(A(L(i), L(5), R(99.9), L(50)))
	}
	r := acc.(MultiAccumulator).Results()
	want := []int64{50, 999, 500}
	for i, w := range want {
		if r[i].I != w || r[i].Type != types.Long {
			t.Errorf("percentile %v = %s, want %d", consts[i+1], show(r[i]), w)
		}
	}
	empty := a.New(argTypes)
	for _, v := range empty.(MultiAccumulator).Results() {
		if !v.IsNull() {
			t.Errorf("percentiles of nothing = %s", show(v))
		}
	}
}

func TestAggregateResultErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		args []types.Type
		want string
	}{
		{"count", []types.Type{types.Long}, "count(): expects 0 arguments, got 1"},
		{"countif", []types.Type{types.String}, "countif(): argument 1 must be bool, got string"},
		{"stdev", []types.Type{types.String}, "stdev(): argument 1 must be numeric or timespan, got string"},
		{"max", []types.Type{types.Dynamic}, "max(): argument 1 must be an orderable scalar, got dynamic"},
		{"make_bag", []types.Type{types.String}, "make_bag(): argument 1 must be dynamic, got string"},
		{"percentile", []types.Type{types.Long}, "percentile(): expects 2 arguments, got 1"},
		{"dcount", []types.Type{types.String, types.String}, "dcount(): argument 2 must be int or long, got string"},
	} {
		a, ok := LookupAggregate(c.name)
		if !ok {
			t.Fatalf("%s missing", c.name)
		}
		if _, err := a.Result(c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s%v: %v, want %q", c.name, c.args, err, c.want)
		}
	}
}

func TestDcountAccuracy(t *testing.T) {
	a, _ := LookupAggregate("dcount")
	for _, n := range []int{100, 1000, 2048, 5000, 20000, 100000} {
		acc := a.New([]types.Type{types.String})
		for i := 0; i < n; i++ {
			v := A(S(fmt.Sprintf("user%d@contoso.com", i)))
			acc.Add(v)
			acc.Add(v) // duplicates must not count
		}
		got := acc.Result().I
		errPct := math.Abs(float64(got)-float64(n)) / float64(n) * 100
		if n <= 2048 && got != int64(n) {
			t.Errorf("dcount of %d distinct = %d, want exact", n, got)
		}
		if errPct > 3 {
			t.Errorf("dcount of %d distinct = %d (%.2f%% off)", n, got, errPct)
		}
	}
	// accuracy level 0 (2^12 registers) and a merge of differing precisions
	lo, hi := a.New([]types.Type{types.Long, types.Long}), a.New([]types.Type{types.Long, types.Long})
	for i := int64(0); i < 30000; i++ {
		lo.Add(A(L(i), L(0)))
		hi.Add(A(L(i+15000), L(4)))
	}
	lo.Merge(hi)
	if got := lo.Result().I; math.Abs(float64(got)-45000)/45000 > 0.05 {
		t.Errorf("merged dcount = %d, want about 45000", got)
	}
}

func TestHll(t *testing.T) {
	h, _ := LookupAggregate("hll")
	m, _ := LookupAggregate("hll_merge")
	dh, _ := LookupScalar("dcount_hll")
	sm, _ := LookupScalar("hll_merge")
	mk := func(from, to int) types.Value {
		acc := h.New([]types.Type{types.Long})
		for i := from; i < to; i++ {
			acc.Add(A(L(int64(i))))
		}
		return acc.Result()
	}
	small1, small2, big := mk(0, 100), mk(50, 150), mk(0, 50000)
	count := func(v types.Value) int64 {
		r, err := dh.Eval(testEnv, A(v))
		if err != nil {
			t.Fatal(err)
		}
		return r.I
	}
	if got := count(small1); got != 100 {
		t.Errorf("dcount_hll(hll(0..99)) = %d", got)
	}
	merged, err := sm.Eval(testEnv, A(small1, small2))
	if err != nil || count(merged) != 150 {
		t.Errorf("hll_merge scalar: %d, %v", count(merged), err)
	}
	acc := m.New([]types.Type{types.Dynamic})
	acc.Add(A(small1))
	acc.Add(A(big))
	if got := count(acc.Result()); math.Abs(float64(got)-50000)/50000 > 0.03 {
		t.Errorf("hll_merge aggregate of big sketch = %d", got)
	}
	if _, err := dh.Eval(testEnv, A(D(`[1,2]`))); err == nil || !strings.Contains(err.Error(), "dcount_hll(): not an hll() value") {
		t.Errorf("bad sketch error: %v", err)
	}
}

func TestDefaultColumnName(t *testing.T) {
	for _, c := range []struct {
		agg    string
		names  []string
		consts []types.Value
		want   string
	}{
		{"count", nil, nil, "count_"},
		{"countif", []string{""}, nil, "countif_"},
		{"sum", []string{"Bytes"}, nil, "sum_Bytes"},
		{"dcount", []string{"Account"}, nil, "dcount_Account"},
		{"make_set", []string{"IP"}, nil, "set_IP"},
		{"make_list_if", []string{"IP", ""}, nil, "list_IP"},
		{"make_bag", []string{"Props"}, nil, "bag_Props"},
		{"take_any", []string{"Computer"}, nil, "Computer"},
		{"any", []string{"Computer"}, nil, "any_Computer"},
		{"percentile", []string{"Duration", ""}, []types.Value{{}, R(99.5)}, "percentile_Duration_99_5"},
	} {
		if got := DefaultColumnName(c.agg, c.names, c.consts); got != c.want {
			t.Errorf("DefaultColumnName(%s, %v) = %q, want %q", c.agg, c.names, got, c.want)
		}
	}
}

func TestRegistry(t *testing.T) {
	names := Names()
	if len(names) < 200 {
		t.Errorf("only %d functions registered", len(names))
	}
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Fatalf("Names not sorted and unique at %q, %q", names[i-1], names[i])
		}
	}
	for _, n := range ScalarNames() {
		s, _ := LookupScalar(n)
		if s.Name != n || s.Doc == "" || !strings.HasPrefix(s.Signature, n+"(") || s.Eval == nil || s.Result == nil {
			t.Errorf("scalar %q incompletely described: %+v", n, s)
		}
	}
	for _, n := range AggregateNames() {
		a, _ := LookupAggregate(n)
		if a.Name != n || a.Doc == "" || !strings.HasPrefix(a.Signature, n+"(") || a.New == nil || a.Result == nil {
			t.Errorf("aggregate %q incompletely described", n)
		}
	}
	if _, ok := LookupScalar("Strlen"); ok {
		t.Error("lookup must be case-sensitive")
	}
}
