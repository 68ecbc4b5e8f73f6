package functions

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

// TestNoPanics feeds every scalar and aggregate random argument lists its
// Result accepts (edge values, nulls, unicode, odd dynamics) and requires a
// value of the promised type or an error, never a panic.
func TestNoPanics(t *testing.T) {
	pool := []types.Value{
		S(""), S("abc"), S("héllo wörld"), S("10.0.0.1/8"), S("2024-01-01"), S("$.a"), S("(x"), S("-1"), S("1d"),
		L(0), L(-1), L(math.MaxInt64), L(math.MinInt64), L(3), I(-7), R(math.NaN()), R(math.Inf(1)), R(-0.5), R(2.5),
		B(true), B(false), DT("2024-02-29 23:59:59.9999999"), DT("0001-01-01"), TS("-1d"), TS("0s"), TS("1h"),
		G("74be27de-1e4e-49d9-b579-fe0b331d3642"), D(`[]`), D(`[1,"a",null,[2]]`), D(`{"a":{"b":[1]}}`), D(`"s"`), D(`3`),
		N(types.Long), N(types.Real), N(types.Dynamic), N(types.DateTime), N(types.TimeSpan), N(types.Bool), N(types.Null),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(lo, hi int) []types.Value {
		n := lo
		if hi < 0 {
			hi = lo + 3
		}
		if hi > lo {
			n += rng.IntN(min(hi, lo+3) - lo + 1)
		}
		args := make([]types.Value, n)
		for i := range args {
			args[i] = pool[rng.IntN(len(pool))]
		}
		return args
	}
	typesOf := func(a []types.Value) []types.Type {
		ts := make([]types.Type, len(a))
		for i, v := range a {
			ts[i] = v.Type
		}
		return ts
	}
	for _, name := range ScalarNames() {
		f, _ := LookupScalar(name)
		accepted := 0
		for try := 0; try < 400 && accepted < 60; try++ {
			args := pick(f.MinArgs, f.MaxArgs)
			rt, err := f.Result(typesOf(args))
			if err != nil {
				continue
			}
			if f.ResultConsts != nil {
				if rt, err = f.ResultConsts(typesOf(args), args); err != nil {
					continue
				}
			}
			accepted++
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s%v panicked: %v", name, showArgs(args), r)
					}
				}()
				v, err := f.Eval(testEnv, args)
				if err == nil && v.Type != rt && !(rt == types.Null) {
					t.Errorf("%s%v: value type %s, Result said %s", name, showArgs(args), v.Type, rt)
				}
			}()
		}
	}
	for _, name := range AggregateNames() {
		a, _ := LookupAggregate(name)
		for try := 0; try < 200; try++ {
			first := pick(a.MinArgs, a.MaxArgs)
			ts := typesOf(first)
			if _, err := a.Result(ts); err != nil {
				continue
			}
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s%v panicked: %v", name, showArgs(first), r)
					}
				}()
				x, y := a.New(ts), a.New(ts)
				for i := 0; i < 5; i++ {
					row := make([]types.Value, len(first))
					for j := range row {
						// same types as the first row, values varied within the pool
						row[j] = first[j]
						for k := 0; k < 8; k++ {
							if c := pool[rng.IntN(len(pool))]; c.Type == ts[j] {
								row[j] = c
								break
							}
						}
					}
					x.Add(row)
					y.Add(first)
				}
				x.Merge(y)
				_ = x.Result()
				if m, ok := x.(MultiAccumulator); ok {
					_ = m.Results()
				}
			}()
		}
	}
}

func ExampleLookupScalar() {
	f, _ := LookupScalar("strcat")
	v, _ := f.Eval(&Env{}, []types.Value{types.NewString("host-"), types.NewLong(42)})
	fmt.Println(v.String())
	// Output: host-42
}
