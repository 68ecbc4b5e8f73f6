package functions

// Series functions: KQL's functions over dynamic numeric arrays (the output
// of make-series and make_list). This file holds the element-wise family,
// the fill functions, filters and statistics; series_analysis.go holds
// regression, outliers, period detection and decomposition.
//
// Kusto returns several columns from some of these (series_stats,
// series_fit_line, series_decompose_anomalies ...). The registry's scalars
// return one Value, so these return a dynamic array with one element per
// output column, in Kusto's column order; ScalarOutputs names the columns so
// the executor can split the array for `extend (a, b, c) = f(x)` and for the
// default names Kusto gives (series_stats_x_min ...).

import (
	"fmt"
	"math"

	"github.com/huntbook/huntbook/kql/types"
)

// ScalarOutputs returns the output columns of a scalar function that Kusto
// documents as returning several columns, in order, and whether name is one.
// Such a function's Eval returns a dynamic array holding one element per
// column (an element is itself an array for series-valued outputs). Kusto
// names unassigned outputs <function>_<argument>_<output>.
func ScalarOutputs(name string) ([]types.Column, bool) {
	cols, ok := multiOutputs[name]
	return cols, ok
}

var multiOutputs = map[string][]types.Column{}

func outputs(name string, spec ...any) {
	var cols []types.Column
	for i := 0; i < len(spec); i += 2 {
		cols = append(cols, types.Column{Name: spec[i].(string), Type: spec[i+1].(types.Type)})
	}
	multiOutputs[name] = cols
}

// seriesIn is one numeric array read from a dynamic value: vals holds the
// elements as float64 (NaN for nulls and non-numeric elements), valid marks
// the numeric ones and allInt tells whether every valid element was an int64
// (several functions keep long elements long, as Kusto does).
type seriesIn struct {
	vals   []float64
	valid  []bool
	allInt bool
}

// readSeries converts a dynamic array; ok is false when v is not an array.
func readSeries(v types.Value) (seriesIn, bool) {
	arr, ok := asArray(v)
	if !ok {
		return seriesIn{}, false
	}
	s := seriesIn{vals: make([]float64, len(arr)), valid: make([]bool, len(arr)), allInt: true}
	for i, e := range arr {
		f, isInt, ok := dynNumber(e)
		if !ok {
			s.vals[i] = math.NaN()
			continue
		}
		s.vals[i] = f
		s.valid[i] = true
		if !isInt {
			s.allInt = false
		}
	}
	return s, true
}

// dynNumber reads one numeric array element. Booleans count as 0/1 and
// timespans as ticks, so series of those still compute.
func dynNumber(e any) (f float64, isInt, ok bool) {
	switch x := e.(type) {
	case int64:
		return float64(x), true, true
	case float64:
		return x, false, true
	case bool:
		if x {
			return 1, true, true
		}
		return 0, true, true
	case types.TimeSpanValue:
		return float64(x), true, true
	}
	return 0, false, false
}

// SeriesFloats reads a dynamic numeric array as float64s with NaN for nulls
// and non-numeric elements; ok is false when d is not an array. Charts and
// analytics use it to read make-series output.
func SeriesFloats(d any) ([]float64, bool) {
	s, ok := readSeries(types.NewDynamic(d))
	return s.vals, ok
}

// floatsDyn makes a dynamic array of reals; NaN becomes null.
func floatsDyn(xs []float64) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		if math.IsNaN(x) {
			out[i] = nil
		} else {
			out[i] = x
		}
	}
	return out
}

// operand is one argument of an element-wise function: a series, or a
// scalar broadcast over the other series.
type operand struct {
	s      seriesIn
	scalar float64
	sInt   bool
	sValid bool
	isArr  bool
}

func readOperand(v types.Value) (operand, bool) {
	if v.Type == types.Dynamic {
		if s, ok := readSeries(v); ok {
			return operand{s: s, isArr: true}, true
		}
		f, isInt, ok := dynNumber(v.D)
		return operand{scalar: f, sInt: isInt, sValid: ok}, true
	}
	if v.IsNull() {
		return operand{}, true
	}
	f, ok := ToReal(v)
	return operand{scalar: f, sInt: v.Type.IsInteger() || v.Type == types.Bool, sValid: ok}, true
}

func (o operand) at(i int) (float64, bool, bool) {
	if !o.isArr {
		return o.scalar, o.sInt, o.sValid
	}
	if i >= len(o.s.vals) || !o.s.valid[i] {
		return 0, false, false
	}
	return o.s.vals[i], o.s.allInt, true
}

func (o operand) length() int {
	if o.isArr {
		return len(o.s.vals)
	}
	return -1
}

// seriesBinary registers an element-wise function of two series (or a series and
// a scalar). Missing elements (arrays of different lengths) and
// non-numeric ones give null elements, as Kusto documents. keepInt keeps
// long results long when both inputs are long.
func seriesBinary(name, doc string, keepInt bool, f func(a, b float64) any) {
	def(name, name+"(series1, series2)", doc, 2, 2, "aa", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			x, _ := readOperand(a[0])
			y, _ := readOperand(a[1])
			if !x.isArr && !y.isArr {
				return nullDyn, nil
			}
			n := max(x.length(), y.length())
			out := make([]any, n)
			for i := range n {
				xv, xi, xok := x.at(i)
				yv, yi, yok := y.at(i)
				if !xok || !yok {
					continue
				}
				r := f(xv, yv)
				if fv, isF := r.(float64); isF && keepInt && xi && yi {
					r = int64(fv)
				}
				out[i] = r
			}
			return Dyn(out), nil
		})
}

// seriesUnary registers an element-wise function of one series; keepInt keeps
// long elements long.
func seriesUnary(name, doc string, keepInt bool, f func(float64) float64) {
	def(name, name+"(series)", doc, 1, 1, "y", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok {
				return nullDyn, nil
			}
			out := make([]any, len(s.vals))
			for i, x := range s.vals {
				if !s.valid[i] {
					continue
				}
				r := f(x)
				switch {
				case math.IsNaN(r):
				case keepInt && s.allInt:
					out[i] = int64(r)
				default:
					out[i] = r
				}
			}
			return Dyn(out), nil
		})
}

// seriesReduce2 registers a function of two series returning one real.
func seriesReduce2(name, doc string, f func(x, y []float64) float64) {
	def(name, name+"(series1, series2)", doc, 2, 2, "yy", fixed(types.Real),
		strict(types.Real, func(_ *Env, a []types.Value) (types.Value, error) {
			x, ok1 := readSeries(a[0])
			y, ok2 := readSeries(a[1])
			if !ok1 || !ok2 {
				return types.NullOf(types.Real), nil
			}
			n := min(len(x.vals), len(y.vals))
			r := f(x.vals[:n], y.vals[:n])
			if math.IsNaN(r) {
				return types.NullOf(types.Real), nil
			}
			return types.NewReal(r), nil
		}))
}

func cmpOp(f func(a, b float64) bool) func(a, b float64) any {
	return func(a, b float64) any { return f(a, b) }
}

func arith(f func(a, b float64) float64) func(a, b float64) any {
	return func(a, b float64) any {
		r := f(a, b)
		if math.IsNaN(r) {
			return nil
		}
		return r
	}
}

// optReal reads optional argument i as a real, def when absent or null.
func optReal(a []types.Value, i int, def float64) float64 {
	if i >= len(a) || a[i].IsNull() {
		return def
	}
	if f, ok := ToReal(a[i]); ok {
		return f
	}
	return def
}

func optLong(a []types.Value, i int, def int64) int64 {
	if i >= len(a) || a[i].IsNull() {
		return def
	}
	if n, ok := ToLong(a[i]); ok {
		return n
	}
	return def
}

func optBool(a []types.Value, i int, def bool) bool {
	if i >= len(a) || a[i].IsNull() {
		return def
	}
	if b, ok := ToBool(a[i]); ok {
		return b
	}
	return def
}

func optString(a []types.Value, i int, def string) string {
	if i >= len(a) || a[i].IsNull() || (a[i].Type == types.String && a[i].S == "") {
		return def
	}
	return ToString(a[i])
}

// missingMask marks the elements a fill function treats as missing: nulls
// and non-numeric elements, plus those equal to the placeholder when one is
// given.
func missingMask(s seriesIn, a []types.Value, i int) []bool {
	miss := make([]bool, len(s.vals))
	ph, hasPH := 0.0, false
	if i < len(a) && !a[i].IsNull() {
		ph, hasPH = ToReal(a[i])
	}
	for j := range s.vals {
		miss[j] = !s.valid[j] || (hasPH && s.vals[j] == ph)
	}
	return miss
}

// elem makes an output element in the series' own element type.
func elem(s seriesIn, f float64) any {
	if s.allInt {
		return int64(f) // Kusto truncates interpolated longs
	}
	return f
}

func origElem(v types.Value, i int) any {
	arr, _ := asArray(v)
	return arr[i]
}

// FillLinear interpolates the missing (NaN) elements of y linearly; with
// fillEdges, leading and trailing gaps take the nearest value. It returns
// a new slice.
func FillLinear(y []float64, fillEdges bool) []float64 {
	out := append([]float64(nil), y...)
	prev := -1
	for i, v := range y {
		if math.IsNaN(v) {
			continue
		}
		if prev >= 0 {
			for j := prev + 1; j < i; j++ {
				t := float64(j-prev) / float64(i-prev)
				out[j] = y[prev] + t*(v-y[prev])
			}
		} else if fillEdges {
			for j := 0; j < i; j++ {
				out[j] = v
			}
		}
		prev = i
	}
	if fillEdges && prev >= 0 {
		for j := prev + 1; j < len(y); j++ {
			out[j] = y[prev]
		}
	}
	return out
}

func init() {
	seriesBinary("series_add", "Element-wise sum of two series (or a series and a number).", true, arith(func(a, b float64) float64 { return a + b }))
	seriesBinary("series_subtract", "Element-wise difference of two series.", true, arith(func(a, b float64) float64 { return a - b }))
	seriesBinary("series_multiply", "Element-wise product of two series.", true, arith(func(a, b float64) float64 { return a * b }))
	seriesBinary("series_divide", "Element-wise quotient of two series, as reals.", false, arith(func(a, b float64) float64 { return a / b }))
	seriesBinary("series_pow", "Element-wise power: series1 raised to series2.", false, arith(math.Pow))
	seriesBinary("series_greater", "Element-wise series1 > series2.", false, cmpOp(func(a, b float64) bool { return a > b }))
	seriesBinary("series_greater_equals", "Element-wise series1 >= series2.", false, cmpOp(func(a, b float64) bool { return a >= b }))
	seriesBinary("series_less", "Element-wise series1 < series2.", false, cmpOp(func(a, b float64) bool { return a < b }))
	seriesBinary("series_less_equals", "Element-wise series1 <= series2.", false, cmpOp(func(a, b float64) bool { return a <= b }))
	seriesBinary("series_equals", "Element-wise series1 == series2.", false, cmpOp(func(a, b float64) bool { return a == b }))
	seriesBinary("series_not_equals", "Element-wise series1 != series2.", false, cmpOp(func(a, b float64) bool { return a != b }))

	seriesUnary("series_abs", "Element-wise absolute value.", true, math.Abs)
	seriesUnary("series_sign", "Element-wise sign: -1, 0 or 1.", true, func(x float64) float64 {
		switch {
		case x > 0:
			return 1
		case x < 0:
			return -1
		}
		return 0
	})
	seriesUnary("series_ceiling", "Element-wise ceiling.", true, math.Ceil)
	seriesUnary("series_floor", "Element-wise floor.", true, math.Floor)
	seriesUnary("series_acos", "Element-wise arccosine.", false, math.Acos)
	seriesUnary("series_asin", "Element-wise arcsine.", false, math.Asin)
	seriesUnary("series_atan", "Element-wise arctangent.", false, math.Atan)
	seriesUnary("series_cos", "Element-wise cosine.", false, math.Cos)
	seriesUnary("series_sin", "Element-wise sine.", false, math.Sin)
	seriesUnary("series_tan", "Element-wise tangent.", false, math.Tan)
	seriesUnary("series_exp", "Element-wise e^x.", false, math.Exp)
	seriesUnary("series_log", "Element-wise natural logarithm; null for negative elements.", false, func(x float64) float64 {
		if x < 0 {
			return math.NaN()
		}
		return math.Log(x)
	})

	def("series_sum", "series_sum(series)", "Sum of the numeric elements of a series.", 1, 1, "y", fixed(types.Real),
		strict(types.Real, func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok {
				return types.NullOf(types.Real), nil
			}
			sum := 0.0
			for i, v := range s.vals {
				if s.valid[i] {
					sum += v
				}
			}
			return types.NewReal(sum), nil
		}))
	def("series_product", "series_product(series)", "Product of the numeric elements of a series.", 1, 1, "y", fixed(types.Real),
		strict(types.Real, func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok {
				return types.NullOf(types.Real), nil
			}
			p := 1.0
			for i, v := range s.vals {
				if s.valid[i] {
					p *= v
				}
			}
			return types.NewReal(p), nil
		}))
	def("series_magnitude", "series_magnitude(series)", "Euclidean norm of a series.", 1, 1, "y", fixed(types.Real),
		strict(types.Real, func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok {
				return types.NullOf(types.Real), nil
			}
			sum := 0.0
			for i, v := range s.vals {
				if s.valid[i] {
					sum += v * v
				}
			}
			return types.NewReal(math.Sqrt(sum)), nil
		}))
	def("series_dot_product", "series_dot_product(series1, series2)",
		"Dot product of two series (over the shorter length; non-numeric elements are skipped); either may be a number broadcast over the other.", 2, 2, "aa", fixed(types.Real),
		strict(types.Real, func(_ *Env, a []types.Value) (types.Value, error) {
			x, _ := readOperand(a[0])
			y, _ := readOperand(a[1])
			n := -1
			for _, o := range []operand{x, y} {
				if o.isArr && (n < 0 || o.length() < n) {
					n = o.length()
				}
			}
			if n <= 0 { // no series, or an empty one
				return types.NullOf(types.Real), nil
			}
			sum := 0.0
			for i := range n {
				xv, _, xok := x.at(i)
				yv, _, yok := y.at(i)
				if xok && yok {
					sum += xv * yv
				}
			}
			return types.NewReal(sum), nil
		}))
	seriesReduce2("series_cosine_similarity", "Cosine similarity of two series.", func(x, y []float64) float64 {
		d, nx, ny := dot(x, y), dot(x, x), dot(y, y)
		if nx == 0 || ny == 0 {
			return math.NaN()
		}
		return d / math.Sqrt(nx*ny)
	})
	def("series_pearson_correlation", "series_pearson_correlation(series1, series2)",
		"Pearson correlation coefficient of two series; null when their lengths differ or an element is not a number.", 2, 2, "yy", fixed(types.Real),
		strict(types.Real, func(_ *Env, a []types.Value) (types.Value, error) {
			x, ok1 := readSeries(a[0])
			y, ok2 := readSeries(a[1])
			if !ok1 || !ok2 || len(x.vals) != len(y.vals) {
				return types.NullOf(types.Real), nil
			}
			for i := range x.vals {
				if !x.valid[i] || !y.valid[i] {
					return types.NullOf(types.Real), nil
				}
			}
			r := pearson(x.vals, y.vals)
			if math.IsNaN(r) {
				return types.NullOf(types.Real), nil
			}
			return types.NewReal(r), nil
		}))

	def("series_fill_linear", "series_fill_linear(series [, missing_value_placeholder [, fill_edges [, constant_value]]])",
		"Linearly interpolates missing values; edges take the nearest value unless fill_edges is false.", 1, 4, "yaba", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok {
				return nullDyn, nil
			}
			miss := missingMask(s, a, 1)
			y := make([]float64, len(s.vals))
			have := false
			for i := range y {
				if miss[i] {
					y[i] = math.NaN()
				} else {
					y[i] = s.vals[i]
					have = true
				}
			}
			out := make([]any, len(y))
			if !have { // only missing values: the constant (0 by default), as reals
				if len(a) > 3 && a[3].IsNull() {
					return Dyn(out), nil
				}
				c := optReal(a, 3, 0)
				for i := range out {
					out[i] = c
				}
				return Dyn(out), nil
			}
			f := FillLinear(y, optBool(a, 2, true))
			for i, v := range f {
				switch {
				case !miss[i]:
					out[i] = origElem(a[0], i)
				case math.IsNaN(v):
					out[i] = origElem(a[0], i)
				default:
					out[i] = elem(s, v)
				}
			}
			return Dyn(out), nil
		})
	def("series_fill_forward", "series_fill_forward(series [, missing_value_placeholder])",
		"Replaces missing values with the last value before them.", 1, 2, "ya", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			return fillDir(a, false)
		})
	def("series_fill_backward", "series_fill_backward(series [, missing_value_placeholder])",
		"Replaces missing values with the next value after them.", 1, 2, "ya", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			return fillDir(a, true)
		})
	def("series_fill_const", "series_fill_const(series, constant_value [, missing_value_placeholder])",
		"Replaces missing values with a constant.", 2, 3, "yaa", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok {
				return nullDyn, nil
			}
			miss := missingMask(s, a, 2)
			c := ToDyn(a[1])
			out := make([]any, len(s.vals))
			for i := range out {
				if miss[i] {
					out[i] = c
				} else {
					out[i] = origElem(a[0], i)
				}
			}
			return Dyn(out), nil
		})

	def("series_fir", "series_fir(series, filter [, normalize [, center]])",
		"Applies a finite impulse response filter (moving averages, differences).", 2, 4, "yybb", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok1 := readSeries(a[0])
			flt, ok2 := readSeries(a[1])
			if !ok1 || !ok2 {
				return nullDyn, nil
			}
			out, ok := FIR(s.vals, flt.vals, a, 2, optBool(a, 3, false))
			if !ok {
				return nullDyn, nil
			}
			return Dyn(floatsDyn(out)), nil
		})
	def("series_iir", "series_iir(series, numerators, denominators)",
		"Applies an infinite impulse response filter (cumulative sums, smoothing).", 3, 3, "yyy", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok1 := readSeries(a[0])
			b, ok2 := readSeries(a[1])
			den, ok3 := readSeries(a[2])
			if !ok1 || !ok2 || !ok3 {
				return nullDyn, nil
			}
			if len(den.vals) == 0 || den.vals[0] == 0 || math.IsNaN(den.vals[0]) {
				return types.Value{}, fmt.Errorf("series_iir(): the first denominator coefficient must be a non-zero number")
			}
			return Dyn(floatsDyn(IIR(s.vals, b.vals, den.vals))), nil
		})

	outputs("series_stats", "min", types.Real, "min_idx", types.Long, "max", types.Real, "max_idx", types.Long,
		"avg", types.Real, "stdev", types.Real, "variance", types.Real)
	def("series_stats", "series_stats(series [, ignore_nonfinite])",
		"Statistics of a series: min, min_idx, max, max_idx, avg, stdev, variance (several columns).", 1, 2, "yb", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			st, ok := seriesStats(a)
			if !ok {
				return nullDyn, nil
			}
			return Dyn([]any{st["min"], st["min_idx"], st["max"], st["max_idx"], st["avg"], st["stdev"], st["variance"]}), nil
		})
	def("series_stats_dynamic", "series_stats_dynamic(series [, ignore_nonfinite])",
		"Statistics of a series as a property bag: min, min_idx, max, max_idx, avg, stdev, variance, sum, len.", 1, 2, "yb", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			st, ok := seriesStats(a)
			if !ok {
				return nullDyn, nil
			}
			b := types.NewBag()
			for _, k := range []string{"min", "min_idx", "max", "max_idx", "avg", "stdev", "variance", "sum", "len"} {
				b.Set(k, st[k])
			}
			return Dyn(b), nil
		})
}

func dot(x, y []float64) float64 {
	s := 0.0
	for i := range x {
		if !math.IsNaN(x[i]) && !math.IsNaN(y[i]) {
			s += x[i] * y[i]
		}
	}
	return s
}

func pearson(x, y []float64) float64 {
	var n, sx, sy float64
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) {
			continue
		}
		n++
		sx += x[i]
		sy += y[i]
	}
	if n < 2 {
		return math.NaN()
	}
	mx, my := sx/n, sy/n
	var cxy, cxx, cyy float64
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) {
			continue
		}
		dx, dy := x[i]-mx, y[i]-my
		cxy += dx * dy
		cxx += dx * dx
		cyy += dy * dy
	}
	if cxx == 0 || cyy == 0 {
		return math.NaN()
	}
	return cxy / math.Sqrt(cxx*cyy)
}

func fillDir(a []types.Value, backward bool) (types.Value, error) {
	s, ok := readSeries(a[0])
	if !ok {
		return nullDyn, nil
	}
	miss := missingMask(s, a, 1)
	arr, _ := asArray(a[0])
	out := make([]any, len(arr))
	var last any
	have := false
	for k := range arr {
		i := k
		if backward {
			i = len(arr) - 1 - k
		}
		if !miss[i] {
			last, have = arr[i], true
			out[i] = arr[i]
		} else if have {
			out[i] = last
		} else {
			out[i] = arr[i] // leading (or trailing, backward) gaps stay
		}
	}
	return Dyn(out), nil
}

// FIR filters x with coefficients f: y[i] = sum_j f[j]*x[i-j], elements
// outside the series counting as 0; center shifts the window to be
// symmetric around i. Normalisation (argument normIdx of a) defaults to true
// unless f has a negative coefficient; ok is false when normalisation was
// asked for with negative coefficients or a zero sum (Kusto returns null).
func FIR(x, f []float64, a []types.Value, normIdx int, center bool) ([]float64, bool) {
	neg, sum := false, 0.0
	for _, c := range f {
		if c < 0 {
			neg = true
		}
		sum += c
	}
	normalize := optBool(a, normIdx, !neg)
	if normalize {
		if neg || sum == 0 {
			return nil, false
		}
	} else {
		sum = 1
	}
	shift := 0
	if center {
		shift = (len(f) - 1) / 2
	}
	out := make([]float64, len(x))
	for i := range x {
		acc := 0.0
		for j, c := range f {
			k := i + shift - j
			if k < 0 || k >= len(x) || math.IsNaN(x[k]) {
				continue
			}
			acc += c * x[k]
		}
		out[i] = acc / sum
	}
	return out, true
}

// IIR filters x: a0*y[i] = sum_j b[j]*x[i-j] - sum_{j>=1} a[j]*y[i-j].
// Null elements of x count as 0.
func IIR(x, b, a []float64) []float64 {
	y := make([]float64, len(x))
	for i := range x {
		acc := 0.0
		for j, c := range b {
			if i-j >= 0 && !math.IsNaN(x[i-j]) {
				acc += c * x[i-j]
			}
		}
		for j := 1; j < len(a); j++ {
			if i-j >= 0 {
				acc -= a[j] * y[i-j]
			}
		}
		y[i] = acc / a[0]
	}
	return y
}

// seriesStats computes series_stats over the elements of a[0]. Non-finite
// elements make every statistic null unless ignore_nonfinite (a[1]) is set.
func seriesStats(a []types.Value) (map[string]any, bool) {
	s, ok := readSeries(a[0])
	if !ok {
		return nil, false
	}
	ignore := optBool(a, 1, false)
	st := map[string]any{"min": nil, "min_idx": nil, "max": nil, "max_idx": nil, "avg": nil,
		"stdev": nil, "variance": nil, "sum": nil, "len": int64(len(s.vals))}
	var xs []float64
	var idx []int
	for i, v := range s.vals {
		if !s.valid[i] || math.IsNaN(v) || math.IsInf(v, 0) {
			if !ignore {
				return st, true
			}
			continue
		}
		xs = append(xs, v)
		idx = append(idx, i)
	}
	if len(xs) == 0 {
		return st, true
	}
	mn, mx, mi, ma, sum := xs[0], xs[0], idx[0], idx[0], 0.0
	for k, v := range xs {
		if v < mn {
			mn, mi = v, idx[k]
		}
		if v > mx {
			mx, ma = v, idx[k]
		}
		sum += v
	}
	avg := sum / float64(len(xs))
	st["min"], st["min_idx"], st["max"], st["max_idx"] = mn, int64(mi), mx, int64(ma)
	st["avg"], st["sum"] = avg, sum
	if len(xs) > 1 {
		ss := 0.0
		for _, v := range xs {
			ss += (v - avg) * (v - avg)
		}
		variance := ss / float64(len(xs)-1) // sample variance, as Kusto documents
		st["variance"], st["stdev"] = variance, math.Sqrt(variance)
	} else {
		st["variance"], st["stdev"] = 0.0, 0.0
	}
	return st, true
}
