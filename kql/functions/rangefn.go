package functions

import (
	"fmt"
	"math"

	"github.com/huntbook/huntbook/kql/types"
)

// maxRangeElems is where range() truncates its array, as Kusto documents.
const maxRangeElems = 1 << 20

func init() {
	defR("range", "range(start, stop [, step])", "A dynamic array of equally spaced values from start up to and including stop (at most 2^20).", 2, 3, "aaa",
		func(args []types.Type) (types.Type, error) {
			for i, t := range args {
				if !t.IsNumeric() && t != types.DateTime && t != types.TimeSpan && t != types.Dynamic && t != types.Null {
					return types.Null, fmt.Errorf("range(): argument %d must be a number, datetime or timespan, got %s", i+1, t)
				}
			}
			return types.Dynamic, nil
		},
		func(_ *Env, a []types.Value) (types.Value, error) {
			for _, v := range a {
				if v.IsNull() {
					return nullDyn, nil
				}
			}
			start, stop := a[0], a[1]
			timeLike := start.Type == types.DateTime || start.Type == types.TimeSpan
			if timeLike {
				step := types.Hour
				if len(a) == 3 {
					if a[2].Type != types.TimeSpan && !a[2].Type.IsInteger() {
						return nullDyn, nil
					}
					step = a[2].I
				}
				if stop.Type != start.Type || step == 0 {
					return nullDyn, nil
				}
				end := stop.I
				var out []any
				for v := start.I; len(out) < maxRangeElems && (step > 0 && v <= end || step < 0 && v >= end); v += step {
					if start.Type == types.DateTime {
						out = append(out, types.DateTimeValue(v))
					} else {
						out = append(out, types.TimeSpanValue(v))
					}
					if overflows(v, step) {
						break
					}
				}
				return Dyn(orEmpty(out)), nil
			}
			integral := start.Type.IsInteger() && stop.Type.IsInteger() && (len(a) < 3 || a[2].Type.IsInteger())
			if integral {
				step := int64(1)
				if len(a) == 3 {
					step = a[2].I
				}
				if step == 0 {
					return nullDyn, nil
				}
				var out []any
				for v := start.I; len(out) < maxRangeElems && (step > 0 && v <= stop.I || step < 0 && v >= stop.I); v += step {
					out = append(out, v)
					if overflows(v, step) {
						break
					}
				}
				return Dyn(orEmpty(out)), nil
			}
			x, ok1 := ToReal(start)
			end, ok2 := ToReal(stop)
			step := 1.0
			ok3 := true
			if len(a) == 3 {
				step, ok3 = ToReal(a[2])
			}
			if !ok1 || !ok2 || !ok3 || step == 0 || step != step {
				return nullDyn, nil
			}
			var out []any
			for i := 0; i < maxRangeElems; i++ {
				v := x + float64(i)*step
				if step > 0 && v > end || step < 0 && v < end {
					break
				}
				out = append(out, v)
			}
			return Dyn(orEmpty(out)), nil
		})
}

// overflows reports whether v+step leaves int64.
func overflows(v, step int64) bool {
	return step > 0 && v > math.MaxInt64-step || step < 0 && v < math.MinInt64-step
}

func orEmpty(a []any) []any {
	if a == nil {
		return []any{}
	}
	return a
}
