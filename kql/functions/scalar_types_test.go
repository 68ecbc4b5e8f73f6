package functions

import (
	"math"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

func TestConversions(t *testing.T) {
	runScalars(t, []scase{
		{"tostring", A(L(123)), S("123")},
		{"tostring", A(R(1.5)), S("1.5")},
		{"tostring", A(B(true)), S("true")},
		{"tostring", A(N(types.Long)), S("")},
		{"tostring", A(DT("2024-01-02 03:04:05.5")), S("2024-01-02T03:04:05.5Z")},
		{"tostring", A(TS("1.02:03:04")), S("1.02:03:04")},
		{"tostring", A(D(`"raw"`)), S("raw")},
		{"tostring", A(D(`{"a":[1,2]}`)), S(`{"a":[1,2]}`)},
		{"tostring", A(G("74BE27DE-1E4E-49D9-B579-FE0B331D3642")), S("74be27de-1e4e-49d9-b579-fe0b331d3642")},
		{"toint", A(S("123")), I(123)},
		{"toint", A(R(2.9)), I(2)},
		{"toint", A(R(-2.9)), I(-2)},
		{"toint", A(S("abc")), N(types.Int)},
		{"toint", A(S("")), N(types.Int)},
		{"toint", A(B(true)), I(1)},
		{"tolong", A(S(" 42 ")), L(42)},
		{"tolong", A(S("1.5")), N(types.Long)},
		{"tolong", A(S("0x1F")), L(31)},
		{"tolong", A(R(math.NaN())), N(types.Long)},
		{"tolong", A(DT("1970-01-01")), L(NetEpochTicks)},
		{"tolong", A(TS("1s")), L(10000000)},
		{"tolong", A(D(`7`)), L(7)},
		{"tolong", A(D(`"8"`)), L(8)},
		{"tolong", A(D(`[1]`)), N(types.Long)},
		{"toreal", A(S("1e3")), R(1000)},
		{"toreal", A(S("NaN")), R(math.NaN())},
		{"toreal", A(S("-Infinity")), R(math.Inf(-1))},
		{"toreal", A(S("0x10")), N(types.Real)},
		{"toreal", A(L(3)), R(3)},
		{"todouble", A(S("2.5")), R(2.5)},
		{"todecimal", A(S("2.5")), types.NewDecimal(2.5)},
		{"tobool", A(S("true")), B(true)},
		{"tobool", A(S("FALSE")), B(false)},
		{"tobool", A(S("yes")), N(types.Bool)},
		{"tobool", A(L(123)), B(true)},
		{"tobool", A(L(0)), B(false)},
		{"toboolean", A(D(`true`)), B(true)},
		{"todatetime", A(S("2015-12-24")), DT("2015-12-24T00:00:00Z")},
		{"todatetime", A(S("2014-05-25T08:20:03.123456Z")), types.NewDateTime(mustDT("2014-05-25T08:20:03Z") + 1234560)},
		{"todatetime", A(S("2014-11-08 15:55:55")), DT("2014-11-08T15:55:55Z")},
		{"todatetime", A(S("2014-11-08 15:55")), DT("2014-11-08T15:55:00Z")},
		{"todatetime", A(S("2014-05-25T10:20:03+02:00")), DT("2014-05-25T08:20:03Z")},
		{"todatetime", A(S("Sat, 8 Nov 14 15:05:02 GMT")), DT("2014-11-08T15:05:02Z")},
		{"todatetime", A(S("8 Nov 14 15:05")), DT("2014-11-08T15:05:00Z")},
		{"todatetime", A(S("Saturday, 08-Nov-14 15:05:02 GMT")), DT("2014-11-08T15:05:02Z")},
		{"todatetime", A(S("Sat, 8 Nov 14 15:05:02 EST")), DT("2014-11-08T20:05:02Z")},
		{"todatetime", A(S("2015-02-30")), N(types.DateTime)},
		{"todatetime", A(S("not a date")), N(types.DateTime)},
		{"todatetime", A(S("")), N(types.DateTime)},
		{"todatetime", A(D(`"2020-01-01T00:00:00Z"`)), DT("2020-01-01")},
		{"totimespan", A(S("1.02:03:04.5")), types.NewTimeSpan(types.Day + 2*types.Hour + 3*types.Minute + 4*types.Second + 5000000)},
		{"totimespan", A(S("00:10:00")), TS("10m")},
		{"totimespan", A(S("-01:00:00")), types.NewTimeSpan(-types.Hour)},
		{"totimespan", A(S("1d")), types.NewTimeSpan(types.Day)},
		{"totimespan", A(S("1.5h")), types.NewTimeSpan(90 * types.Minute)},
		{"totimespan", A(S("100ms")), types.NewTimeSpan(100 * types.Millisecond)},
		{"totimespan", A(S("10microseconds")), types.NewTimeSpan(100)},
		{"totimespan", A(S("5tick")), types.NewTimeSpan(5)},
		{"totimespan", A(S("xyz")), N(types.TimeSpan)},
		{"totimespan", A(S("25:00:00")), N(types.TimeSpan)},
		{"totimespan", A(L(10)), types.NewTimeSpan(10)},
		{"toguid", A(S("74be27de-1e4e-49d9-b579-fe0b331d3642")), G("74be27de-1e4e-49d9-b579-fe0b331d3642")},
		{"toguid", A(S("{74BE27DE-1E4E-49D9-B579-FE0B331D3642}")), G("74be27de-1e4e-49d9-b579-fe0b331d3642")},
		{"toguid", A(S("74be27de1e4e49d9b579fe0b331d3642")), G("74be27de-1e4e-49d9-b579-fe0b331d3642")},
		{"toguid", A(S("not-a-guid")), N(types.GUID)},
		{"todynamic", A(S(`{"a":1,"b":[true,null]}`)), D(`{"a":1,"b":[true,null]}`)},
		{"parse_json", A(S(`[1, 2.5, "x"]`)), D(`[1,2.5,"x"]`)},
		{"parse_json", A(S(`not json`)), D(`"not json"`)},
		{"parse_json", A(S(``)), N(types.Dynamic)},
		{"parse_json", A(L(5)), D(`5`)},
		{"parsejson", A(S(`{"k":"v"}`)), D(`{"k":"v"}`)},
		{"parse_json", A(D(`{"k":"v"}`)), D(`{"k":"v"}`)},
		{"dynamic_to_json", A(D(`{"b":1,"a":[2]}`)), S(`{"b":1,"a":[2]}`)},
	})
}

func TestTypePredicates(t *testing.T) {
	runScalars(t, []scase{
		{"gettype", A(S("a")), S("string")},
		{"gettype", A(L(1)), S("long")},
		{"gettype", A(I(1)), S("int")},
		{"gettype", A(R(1)), S("real")},
		{"gettype", A(B(true)), S("bool")},
		{"gettype", A(DT("2020-01-01")), S("datetime")},
		{"gettype", A(TS("1d")), S("timespan")},
		{"gettype", A(G("74be27de-1e4e-49d9-b579-fe0b331d3642")), S("guid")},
		{"gettype", A(D(`[1]`)), S("array")},
		{"gettype", A(D(`{"a":1}`)), S("dictionary")},
		{"gettype", A(D(`1`)), S("long")},
		{"gettype", A(D(`1.5`)), S("real")},
		{"gettype", A(D(`"s"`)), S("string")},
		{"gettype", A(N(types.Dynamic)), S("null")},
		{"isnull", A(N(types.Long)), B(true)},
		{"isnull", A(L(0)), B(false)},
		{"isnull", A(S("")), B(false)},
		{"isnull", A(N(types.Dynamic)), B(true)},
		{"isnotnull", A(N(types.Real)), B(false)},
		{"isnotnull", A(R(0)), B(true)},
		{"isempty", A(S("")), B(true)},
		{"isempty", A(S("x")), B(false)},
		{"isempty", A(N(types.Long)), B(true)},
		{"isempty", A(N(types.Dynamic)), B(true)},
		{"isempty", A(D(`[]`)), B(false)},
		{"isempty", A(D(`{}`)), B(false)},
		{"isempty", A(D(`""`)), B(true)},
		{"isnotempty", A(S("x")), B(true)},
		{"isnotempty", A(S("")), B(false)},
		{"notempty", A(L(0)), B(true)},
		{"isnan", A(R(math.NaN())), B(true)},
		{"isnan", A(R(1)), B(false)},
		{"isnan", A(N(types.Real)), B(false)},
		{"isinf", A(R(math.Inf(1))), B(true)},
		{"isinf", A(R(math.Inf(-1))), B(true)},
		{"isinf", A(R(1e308)), B(false)},
		{"isfinite", A(R(1)), B(true)},
		{"isfinite", A(R(math.NaN())), B(false)},
		{"isfinite", A(N(types.Real)), N(types.Bool)},
	})
}

func TestConditionals(t *testing.T) {
	runScalars(t, []scase{
		{"iff", A(B(true), S("yes"), S("no")), S("yes")},
		{"iff", A(B(false), S("yes"), S("no")), S("no")},
		{"iff", A(N(types.Bool), L(1), L(2)), L(2)},
		{"iff", A(B(true), L(1), R(2.5)), R(1)},
		{"iff", A(B(true), N(types.Null), L(2)), N(types.Long)},
		{"iif", A(B(true), TS("1h"), TS("2h")), TS("1h")},
		// the branches that are not dynamic decide the type; dynamic ones
		// convert to it (Kusto.Language's CommonNonDynamic)
		{"iff", A(B(true), D(`{"a":1}`), S("none")), S(`{"a":1}`)},
		{"iff", A(B(true), D(`"x"`), S("none")), S("x")},
		{"iff", A(B(false), S("none"), D(`[1]`)), S("[1]")},
		{"iff", A(B(false), D(`7`), L(2)), L(2)},
		{"iff", A(B(true), D(`7`), L(2)), L(7)},
		{"iff", A(B(true), D(`[1]`), D(`null`)), D(`[1]`)},
		{"case", A(B(false), D(`1`), B(true), S("b"), S("c")), S("b")},
		{"case", A(B(false), S("a"), B(true), S("b"), S("c")), S("b")},
		{"case", A(B(false), S("a"), B(false), S("b"), S("c")), S("c")},
		{"case", A(N(types.Bool), L(1), L(0)), L(0)},
		{"case", A(B(true), I(1), L(0)), L(1)},
		{"coalesce", A(N(types.Long), L(2), L(3)), L(2)},
		{"coalesce", A(S(""), S("b")), S("b")},
		{"coalesce", A(N(types.Long), N(types.Long)), N(types.Long)},
		{"coalesce", A(N(types.Dynamic), D(`[1]`)), D(`[1]`)},
		{"coalesce", A(N(types.Int), L(5)), L(5)},
		{"max_of", A(L(10), L(1), L(5)), L(10)},
		{"max_of", A(L(1), N(types.Long), L(3)), L(3)},
		{"max_of", A(N(types.Long), N(types.Long)), N(types.Long)},
		{"max_of", A(L(1), R(2.5)), R(2.5)},
		{"max_of", A(S("abc"), S("def")), S("def")},
		{"max_of", A(DT("2020-01-01"), DT("2021-01-01")), DT("2021-01-01")},
		{"min_of", A(L(10), L(1), L(5)), L(1)},
		{"min_of", A(TS("1d"), TS("1h")), TS("1h")},
		{"not", A(B(true)), B(false)},
		{"not", A(B(false)), B(true)},
		{"not", A(N(types.Bool)), N(types.Bool)},
	})
}

func TestMath(t *testing.T) {
	runScalars(t, []scase{
		{"abs", A(L(-5)), L(-(-5))},
		{"abs", A(R(-2.5)), R(2.5)},
		{"abs", A(TS("-1h")), TS("1h")},
		{"abs", A(N(types.Long)), N(types.Long)},
		{"round", A(R(2.98765), L(3)), R(2.988)},
		{"round", A(R(2.15), L(1)), R(2.2)},
		{"round", A(R(2.5)), R(3)},
		{"round", A(R(-2.5)), R(-3)},
		{"round", A(R(-50.55324), L(2)), R(-50.55)},
		{"round", A(R(21.5), L(-1)), R(20)},
		{"round", A(L(7)), L(7)},
		{"round", A(L(1234), L(-2)), L(1200)},
		{"ceiling", A(R(-1.1)), R(-1)},
		{"ceiling", A(R(1.1)), R(2)},
		{"ceiling", A(L(3)), L(3)},
		{"sign", A(L(-42)), R(-1)},
		{"sign", A(R(0)), R(0)},
		{"sign", A(R(3.5)), R(1)},
		{"log", A(R(5)), R(1.6094379124341003)},
		{"log", A(R(-1)), N(types.Real)},
		{"log", A(R(0)), R(math.Inf(-1))},
		{"log", A(L(1)), R(0)},
		{"log2", A(L(8)), R(3)},
		{"log10", A(L(1000)), R(3)},
		{"exp", A(L(0)), R(1)},
		{"exp2", A(L(10)), R(1024)},
		{"exp10", A(L(3)), R(1000)},
		{"pow", A(L(2), L(10)), R(1024)},
		{"pow", A(R(2), R(-1)), R(0.5)},
		{"sqrt", A(L(16)), R(4)},
		{"sqrt", A(L(-4)), N(types.Real)},
		{"pi", A(), R(math.Pi)},
		{"degrees", A(R(math.Pi)), R(180)},
		{"radians", A(L(180)), R(math.Pi)},
		{"atan2", A(R(1), R(1)), R(math.Pi / 4)},
		{"cos", A(R(0)), R(1)},
		{"binary_and", A(L(12), L(10)), L(8)},
		{"binary_or", A(L(12), L(10)), L(14)},
		{"binary_xor", A(L(12), L(10)), L(6)},
		{"binary_not", A(L(100)), L(-101)},
		{"binary_shift_left", A(L(1), L(3)), L(8)},
		{"binary_shift_right", A(L(16), L(2)), L(4)},
		{"binary_and", A(N(types.Long), L(1)), N(types.Long)},
		{"bitset_count_ones", A(L(42)), L(3)},
	})
}

func TestRand(t *testing.T) {
	f, _ := LookupScalar("rand")
	for i := 0; i < 200; i++ {
		v, err := f.Eval(testEnv, nil)
		if err != nil || v.Type != types.Real || v.F < 0 || v.F >= 1 {
			t.Fatalf("rand() = %v, %v", v, err)
		}
		// rand(N) is a whole real in [0, N), as Kusto documents it
		v, err = f.Eval(testEnv, A(L(10)))
		if err != nil || v.Type != types.Real || v.F < 0 || v.F >= 10 || v.F != math.Trunc(v.F) {
			t.Fatalf("rand(10) = %v, %v", v, err)
		}
	}
	for _, args := range [][]types.Type{nil, {types.Long}, {types.Int}} {
		if rt, err := f.Result(args); err != nil || rt != types.Real {
			t.Errorf("rand%v: Result = %v, %v; want real", args, rt, err)
		}
	}
	if _, err := f.Eval(testEnv, A(L(0))); err == nil {
		t.Error("rand(0) should fail")
	}
}
