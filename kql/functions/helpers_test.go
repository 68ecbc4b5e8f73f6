package functions

import (
	"math"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

// Short constructors keep the case tables readable.
func S(s string) types.Value  { return types.NewString(s) }
func L(i int64) types.Value   { return types.NewLong(i) }
func I(i int64) types.Value   { return types.NewInt(i) }
func R(f float64) types.Value { return types.NewReal(f) }
func B(b bool) types.Value    { return types.NewBool(b) }
func G(s string) types.Value  { return types.NewGUID(s) }
func N(t types.Type) types.Value {
	return types.NullOf(t)
}

// DT parses a datetime literal; the test fails loudly on a bad literal.
func DT(s string) types.Value {
	t, ok := ParseDateTime(s)
	if !ok {
		panic("bad datetime literal " + s)
	}
	return types.NewDateTime(t)
}

func TS(s string) types.Value {
	t, ok := ParseTimeSpan(s)
	if !ok {
		panic("bad timespan literal " + s)
	}
	return types.NewTimeSpan(t)
}

// D parses JSON into a dynamic value.
func D(js string) types.Value {
	d, err := types.ParseJSON(js)
	if err != nil {
		panic("bad JSON " + js + ": " + err.Error())
	}
	return types.NewDynamic(d)
}

func A(vs ...types.Value) []types.Value { return vs }

// sameValue compares type, nullness and payload; reals within 1e-9
// relative, dynamics by their JSON.
func sameValue(got, want types.Value) bool {
	if got.Type != want.Type || got.IsNull() != want.IsNull() {
		return false
	}
	if got.IsNull() {
		return true
	}
	switch got.Type {
	case types.Real, types.Decimal:
		if math.IsNaN(want.F) {
			return math.IsNaN(got.F)
		}
		if math.IsInf(want.F, 0) {
			return got.F == want.F
		}
		return math.Abs(got.F-want.F) <= 1e-9*math.Max(1, math.Abs(want.F))
	case types.String, types.GUID:
		return got.S == want.S
	case types.Dynamic:
		return types.DynamicJSON(got.D) == types.DynamicJSON(want.D)
	}
	return got.I == want.I
}

func show(v types.Value) string {
	if v.IsNull() {
		return v.Type.String() + "(null)"
	}
	if v.Type == types.String {
		return "string(" + `"` + v.S + `"` + ")"
	}
	return v.Type.String() + "(" + v.String() + ")"
}

type scase struct {
	fn   string
	args []types.Value
	want types.Value
}

var testEnv = &Env{Now: mustDT("2024-03-15T12:30:00Z")}

func mustDT(s string) int64 {
	t, ok := ParseDateTime(s)
	if !ok {
		panic(s)
	}
	return t
}

// runScalars evaluates each case through the registry, and checks that the
// value's type is the one Result promised for the argument types.
func runScalars(t *testing.T, cases []scase) {
	t.Helper()
	for _, c := range cases {
		f, ok := LookupScalar(c.fn)
		if !ok {
			t.Errorf("%s: not registered", c.fn)
			continue
		}
		ts := make([]types.Type, len(c.args))
		for i, a := range c.args {
			ts[i] = a.Type
		}
		rt, err := f.Result(ts)
		if err == nil && f.ResultConsts != nil {
			rt, err = f.ResultConsts(ts, c.args)
		}
		if err != nil {
			t.Errorf("%s%v: Result: %v", c.fn, showArgs(c.args), err)
			continue
		}
		got, err := f.Eval(testEnv, c.args)
		if err != nil {
			t.Errorf("%s%v: Eval: %v", c.fn, showArgs(c.args), err)
			continue
		}
		if !sameValue(got, c.want) {
			t.Errorf("%s%v = %s, want %s", c.fn, showArgs(c.args), show(got), show(c.want))
		}
		if got.Type != rt {
			t.Errorf("%s%v: value type %s, but Result said %s", c.fn, showArgs(c.args), got.Type, rt)
		}
	}
}

func showArgs(a []types.Value) []string {
	out := make([]string, len(a))
	for i, v := range a {
		out[i] = show(v)
	}
	return out
}
