package functions

import (
	"math"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

// Element-wise, fill, filter and statistics cases; expected values from the
// Kusto documentation's examples where it gives them.
func TestSeriesScalars(t *testing.T) {
	runScalars(t, []scase{
		// element-wise: different lengths and non-numbers give null elements
		{"series_add", A(D(`[1,2,3]`), D(`[4,5,6]`)), D(`[5,7,9]`)},
		{"series_add", A(D(`[1,2,3]`), D(`[4.5,5]`)), D(`[5.5,7,null]`)},
		{"series_add", A(D(`[1,null,"x"]`), L(10)), D(`[11,null,null]`)},
		{"series_subtract", A(L(10), D(`[1,2.5]`)), D(`[9,7.5]`)},
		{"series_multiply", A(D(`[1,2,3]`), D(`[2,2,2]`)), D(`[2,4,6]`)},
		{"series_divide", A(D(`[1,2,3]`), D(`[4,5,6]`)), D(`[0.25,0.4,0.5]`)},
		{"series_divide", A(D(`[1]`), D(`[0]`)), D(`["Infinity"]`)},
		{"series_pow", A(D(`[2,3]`), L(2)), D(`[4,9]`)},
		{"series_greater", A(D(`[1,5,3]`), D(`[2,2,3]`)), D(`[false,true,false]`)},
		{"series_greater_equals", A(D(`[1,5,3]`), D(`[2,2,3]`)), D(`[false,true,true]`)},
		{"series_less", A(D(`[1,5,3]`), L(3)), D(`[true,false,false]`)},
		{"series_less_equals", A(D(`[1,5,3]`), L(3)), D(`[true,false,true]`)},
		{"series_equals", A(D(`[1,5,3]`), D(`[1,2]`)), D(`[true,false,null]`)},
		{"series_not_equals", A(D(`[1,5]`), D(`[1,2]`)), D(`[false,true]`)},
		{"series_add", A(L(1), L(2)), N(types.Dynamic)},
		{"series_add", A(N(types.Dynamic), D(`[1]`)), D(`[null]`)},
		{"series_abs", A(D(`[-1,2,-3.5,null]`)), D(`[1,2,3.5,null]`)},
		{"series_abs", A(D(`[-1,2]`)), D(`[1,2]`)},
		{"series_sign", A(D(`[-4,0,9]`)), D(`[-1,0,1]`)},
		{"series_floor", A(D(`[1.5,-1.5]`)), D(`[1,-2]`)},
		{"series_ceiling", A(D(`[1.5,-1.5]`)), D(`[2,-1]`)},
		{"series_exp", A(D(`[0]`)), D(`[1]`)},
		{"series_log", A(D(`[1,-1]`)), D(`[0,null]`)},
		{"series_cos", A(D(`[0]`)), D(`[1]`)},
		{"series_abs", A(D(`[]`)), D(`[]`)},
		{"series_abs", A(D(`{}`)), N(types.Dynamic)},
		{"series_sum", A(D(`[1,2,null,3.5]`)), R(6.5)},
		{"series_magnitude", A(D(`[3,4]`)), R(5)},
		{"series_dot_product", A(D(`[1,2,3]`), D(`[4,5,6]`)), R(32)},
		{"series_cosine_similarity", A(D(`[1,0]`), D(`[0,1]`)), R(0)},
		{"series_cosine_similarity", A(D(`[1,1]`), D(`[2,2]`)), R(1)},
		{"series_pearson_correlation", A(D(`[1,2,3]`), D(`[2,4,6]`)), R(1)},
		{"series_pearson_correlation", A(D(`[1,2,3]`), D(`[3,2,1]`)), R(-1)},
		{"series_pearson_correlation", A(D(`[1,1,1]`), D(`[3,2,1]`)), N(types.Real)},

		// series_fill_linear: the documentation's table
		{"series_fill_linear", A(D(`[null,111.0,null,36.0,41.0,null,null,16.0,61.0,33.0,null,null]`)),
			D(`[111.0,111.0,73.5,36.0,41.0,32.66666666666667,24.333333333333336,16.0,61.0,33.0,33.0,33.0]`)},
		{"series_fill_linear", A(D(`[null,111.0,null,36.0,41.0,null,null,16.0,61.0,33.0,null,null]`), N(types.Real), B(false)),
			D(`[null,111.0,73.5,36.0,41.0,32.66666666666667,24.333333333333336,16.0,61.0,33.0,null,null]`)},
		{"series_fill_linear", A(D(`[null,111,null,36,41,null,null,16,61,33,null,null]`)),
			D(`[111,111,73,36,41,32,24,16,61,33,33,33]`)},
		{"series_fill_linear", A(D(`[null,111,null,36,41,null,null,16,61,33,null,null]`), N(types.Real), B(false)),
			D(`[null,111,73,36,41,32,24,16,61,33,null,null]`)},
		{"series_fill_linear", A(D(`[null,null,null,null]`)), D(`[0.0,0.0,0.0,0.0]`)},
		{"series_fill_linear", A(D(`[null,null,null,null]`), N(types.Real), B(true), R(3.14159)), D(`[3.14159,3.14159,3.14159,3.14159]`)},
		{"series_fill_linear", A(D(`[1,-1,3]`), L(-1)), D(`[1,2,3]`)},
		{"series_fill_linear", A(D(`[]`)), D(`[]`)},
		// forward/backward/const (the docs' make-series examples)
		{"series_fill_forward", A(D(`[null,null,36,41,null,null,16,61,33,null,null]`)), D(`[null,null,36,41,41,41,16,61,33,33,33]`)},
		{"series_fill_backward", A(D(`[null,null,36,41,null,null,16,61,33,null,null]`)), D(`[36,36,36,41,16,16,16,61,33,null,null]`)},
		{"series_fill_forward", A(D(`[1,-1,-1,4]`), L(-1)), D(`[1,1,1,4]`)},
		{"series_fill_const", A(D(`[null,null,36,41,null,null,16,61,33,null,null]`), L(0)), D(`[0,0,36,41,0,0,16,61,33,0,0]`)},
		{"series_fill_const", A(D(`[1,-1,3]`), R(2.5), L(-1)), D(`[1,2.5,3]`)},

		// series_iir: the documented cumulative sum
		{"series_iir", A(D(`[1.0,2.0,3.0,4.0]`), D(`[1]`), D(`[1,-1]`)), D(`[1.0,3.0,6.0,10.0]`)},
		{"series_iir", A(D(`[0,1,2,3,4]`), D(`[1]`), D(`[1,-1]`)), D(`[0,1,3,6,10]`)},
		{"series_iir", A(D(`[2,2]`), D(`[1]`), D(`[2]`)), D(`[1,1]`)},
		// series_fir: 5-point moving averages of the documented series
		{"series_fir", A(D(`[0,0,0,0,10,20,40,100,40,20,10,0]`), D(`[1,1,1,1,1]`)), D(`[0,0,0,0,2,6,14,34,42,44,42,34]`)},
		{"series_fir", A(D(`[0,0,0,0,10,20,40,100,40,20,10,0]`), D(`[1,1,1,1,1]`), B(true), B(true)), D(`[0,0,2,6,14,34,42,44,42,34,14,6]`)},
		// a difference filter: negative coefficients turn normalisation off
		{"series_fir", A(D(`[1,4,9,16]`), D(`[1,-1]`)), D(`[1,3,5,7]`)},
		{"series_fir", A(D(`[1,4,9,16]`), D(`[1,-1]`), B(true)), N(types.Dynamic)},

		{"series_stats", A(D(`[1,null,3]`)), D(`[null,null,null,null,null,null,null]`)},
		{"series_stats", A(D(`[1,null,3]`), B(true)), D(`[1,0,3,2,2,1.4142135623730951,2]`)},
		{"series_stats", A(D(`[]`)), D(`[null,null,null,null,null,null,null]`)},
		{"series_stats", A(D(`[5]`)), D(`[5,0,5,0,5,0,0]`)},
	})
}

// within compares a dynamic array of numbers with want to tol.
func within(t *testing.T, what string, got any, want []float64, tol float64) {
	t.Helper()
	arr, ok := got.([]any)
	if !ok || len(arr) != len(want) {
		t.Errorf("%s = %s, want %d numbers", what, types.DynamicJSON(got), len(want))
		return
	}
	for i, w := range want {
		f, _, ok := dynNumber(arr[i])
		if math.IsNaN(w) {
			if arr[i] != nil {
				t.Errorf("%s[%d] = %v, want null", what, i, arr[i])
			}
			continue
		}
		if !ok || math.Abs(f-w) > tol {
			t.Errorf("%s[%d] = %v, want %v (±%g)", what, i, arr[i], w, tol)
		}
	}
}

func evalSeries(t *testing.T, fn string, args ...types.Value) types.Value {
	t.Helper()
	f, ok := LookupScalar(fn)
	if !ok {
		t.Fatalf("%s not registered", fn)
	}
	ts := make([]types.Type, len(args))
	for i, a := range args {
		ts[i] = a.Type
	}
	if _, err := f.Result(ts); err != nil {
		t.Fatalf("%s: Result: %v", fn, err)
	}
	v, err := f.Eval(testEnv, args)
	if err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
	return v
}

func TestSeriesStatsDocExample(t *testing.T) {
	x := D(`[23,46,23,87,4,8,3,75,2,56,13,75,32,16,29]`)
	within(t, "series_stats", evalSeries(t, "series_stats", x).D,
		[]float64{2, 8, 87, 3, 32.8, 28.5036338535483, 812.457142857143}, 1e-9)
	bag := evalSeries(t, "series_stats_dynamic", x).D.(*types.Bag)
	var got []any
	for _, k := range bag.Keys {
		got = append(got, bag.Prop(k))
	}
	if strings.Join(bag.Keys, ",") != "min,min_idx,max,max_idx,avg,stdev,variance,sum,len" {
		t.Errorf("series_stats_dynamic keys = %v", bag.Keys)
	}
	within(t, "series_stats_dynamic", got, []float64{2, 8, 87, 3, 32.8, 28.503633853548269, 812.45714285714291, 492, 15}, 1e-9)
	if _, isInt := bag.Prop("min_idx").(int64); !isInt {
		t.Errorf("min_idx is %T, want long", bag.Prop("min_idx"))
	}
}

func TestSeriesFitLineDocExample(t *testing.T) {
	// the documentation prints three decimals
	v := evalSeries(t, "series_fit_line", D(`[2,5,6,8,11,15,17,18,25,26,30,30]`))
	out := v.D.([]any)
	within(t, "rsquare..interception", out[:5], []float64{0.982, 2.730, 98.628, 1.686, -1.666}, 1.5e-3)
	within(t, "line_fit", out[5], []float64{1.064, 3.7945, 6.526, 9.256, 11.987, 14.718, 17.449, 20.180, 22.910, 25.641, 28.371, 31.102}, 1e-3)
	cols, ok := ScalarOutputs("series_fit_line")
	if !ok || len(cols) != len(out) || cols[0].Name != "rsquare" || cols[5].Name != "line_fit" {
		t.Errorf("ScalarOutputs(series_fit_line) = %v", cols)
	}
	bag := evalSeries(t, "series_fit_line_dynamic", D(`[2,5,6,8,11,15,17,18,25,26,30,30]`)).D.(*types.Bag)
	if s, _ := bag.Get("slope"); math.Abs(s.(float64)-2.730769230769231) > 1e-9 {
		t.Errorf("series_fit_line_dynamic slope = %v", s)
	}
	// edge cases: empty and one point give nulls, constant series fit exactly
	if got := types.DynamicJSON(evalSeries(t, "series_fit_line", D(`[]`)).D); got != `[null,null,null,null,null,[]]` {
		t.Errorf("series_fit_line([]) = %s", got)
	}
	if got := types.DynamicJSON(evalSeries(t, "series_fit_line", D(`[4,4,4]`)).D); got != `[1,0,0,0,4,[4,4,4]]` {
		t.Errorf("series_fit_line([4,4,4]) = %s", got)
	}
	// nulls are skipped but keep their x position
	within(t, "fit with null", evalSeries(t, "series_fit_line", D(`[1,null,3]`)).D.([]any)[5], []float64{1, 2, 3}, 1e-9)
}

func TestSeriesFit2Lines(t *testing.T) {
	v := evalSeries(t, "series_fit_2lines", D(`[1,2,3,4,5,5,4,3,2,1]`)).D.([]any)
	cols, _ := ScalarOutputs("series_fit_2lines")
	if len(cols) != len(v) {
		t.Fatalf("%d outputs, %d columns", len(v), len(cols))
	}
	if v[0].(float64) < 1-1e-9 || v[1].(int64) != 5 {
		t.Errorf("rsquare, split_idx = %v, %v; want 1, 5", v[0], v[1])
	}
	within(t, "line_fit", v[4], []float64{1, 2, 3, 4, 5, 5, 4, 3, 2, 1}, 1e-9)
	within(t, "right slope/interception", []any{v[6], v[7]}, []float64{-1, 11}, 1e-9)
	within(t, "left slope/interception", []any{v[11], v[12]}, []float64{1, 0}, 1e-9)
	// the documented example bends after its peak at index 5
	doc := evalSeries(t, "series_fit_2lines", D(`[1, 2.2, 2.5, 4.7, 5.0, 12, 10.3, 10.3, 9, 8.3, 6.2]`)).D.([]any)
	if si := doc[1].(int64); si < 5 || si > 6 {
		t.Errorf("documented example split_idx = %d, want the peak (5 or 6)", si)
	}
	if got := types.DynamicJSON(evalSeries(t, "series_fit_2lines", D(`[1,2]`)).D); !strings.HasPrefix(got, "[null,null") {
		t.Errorf("too short = %s", got)
	}
}

func TestSeriesOutliers(t *testing.T) {
	// sorted: 0..9, 100; p10 = 1, p90 = 9, so IQR 8
	v := evalSeries(t, "series_outliers", D(`[0,1,2,3,4,5,6,7,8,9,100]`))
	within(t, "ctukey", v.D, []float64{-0.125, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11.375}, 1e-9)
	// tukey: quartiles at positions 2.5 and 7.5: 2.5 and 7.5, IQR 5
	v = evalSeries(t, "series_outliers", D(`[0,1,2,3,4,5,6,7,8,9,100]`), S("tukey"))
	within(t, "tukey", v.D, []float64{-0.5, -0.3, -0.1, 0, 0, 0, 0, 0, 0.1, 0.3, 18.5}, 1e-9)
	// nulls and ignore values score 0 (and stay out of the percentiles)
	v = evalSeries(t, "series_outliers", D(`[1,2,null,3,-1,2,1000]`), S("ctukey"), L(-1))
	arr := v.D.([]any)
	if arr[2].(float64) != 0 || arr[4].(float64) != 0 {
		t.Errorf("nulls/ignore = %s", types.DynamicJSON(v.D))
	}
	for i, e := range arr {
		if i != 6 && e.(float64) >= arr[6].(float64) {
			t.Errorf("score[%d] = %v not below the spike's %v", i, e, arr[6])
		}
	}
	// a flat series: no spread, distances in its own units
	within(t, "flat", evalSeries(t, "series_outliers", D(`[0,0,0,0,0,0,0,0,0,0,5]`)).D, []float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}, 1e-9)
	f, _ := LookupScalar("series_outliers")
	if _, err := f.Eval(testEnv, A(D(`[1,2]`), S("zscore"))); err == nil || !strings.Contains(err.Error(), "kind") {
		t.Errorf("bad kind error = %v", err)
	}
	if _, err := f.Eval(testEnv, A(D(`[1,2]`), S("ctukey"), N(types.Real), L(1), L(90))); err == nil || !strings.Contains(err.Error(), "min_percentile") {
		t.Errorf("bad percentile error = %v", err)
	}
}

var docTraffic = `[80, 139, 87, 110, 68, 54, 50, 51, 53, 133, 86, 141, 97, 156, 94, 149, 95, 140, 77, 61, 50, 54, 47, 133, 72, 152, 94, 148, 105, 162, 101, 160, 87, 63, 53, 55, 54, 151, 103, 189, 108, 183, 113, 175, 113, 178, 90, 71, 62, 62, 65, 165, 109, 181, 115, 182, 121, 178, 114, 170]`

func TestSeriesPeriodsDetect(t *testing.T) {
	// The documented example finds the weekly period of 14 half-day bins,
	// scored 0.84, and nothing else.
	v := evalSeries(t, "series_periods_detect", D(docTraffic), R(0), R(50), L(2)).D.([]any)
	ps, sc := v[0].([]any), v[1].([]any)
	if ps[0].(float64) != 14 || ps[1].(float64) != 0 || sc[1].(float64) != 0 {
		t.Errorf("periods = %s, scores = %s; want [14,0] and [.., 0]", types.DynamicJSON(ps), types.DynamicJSON(sc))
	}
	if s := sc[0].(float64); math.Abs(s-0.84) > 0.005 {
		t.Errorf("score of 14 = %v, want 0.84", s)
	}
	v = evalSeries(t, "series_periods_detect", D(docTraffic), R(0), R(50), L(1)).D.([]any)
	if got := types.DynamicJSON(v[0]); got != "[14]" {
		t.Errorf("one period = %s", got)
	}
	// a flat series and a short one have no periods
	for _, js := range []string{`[5,5,5,5,5,5,5,5,5,5]`, `[1,2,3]`, `[]`} {
		v = evalSeries(t, "series_periods_detect", D(js), R(0), R(50), L(1)).D.([]any)
		if got := types.DynamicJSON(v); got != "[[0],[0]]" {
			t.Errorf("periods of %s = %s", js, got)
		}
	}
	v = evalSeries(t, "series_periods_validate", D(docTraffic), L(14), L(13)).D.([]any)
	sc = v[1].([]any)
	if math.Abs(sc[0].(float64)-0.84) > 0.005 || sc[1].(float64) > 0.3 {
		t.Errorf("validate 14, 13 = %s", types.DynamicJSON(sc))
	}
}

// seasonal builds cycles of a daily-like pattern of period p with an
// optional trend and spikes.
func seasonal(p, cycles int, trend float64, spikes map[int]float64) []float64 {
	y := make([]float64, p*cycles)
	for i := range y {
		y[i] = 10 + 5*math.Sin(2*math.Pi*float64(i)/float64(p)) + trend*float64(i) + spikes[i]
	}
	return y
}

func dynFloats(y []float64) types.Value {
	return types.NewDynamic(floatsDyn(y))
}

func TestSeriesDecompose(t *testing.T) {
	y := seasonal(24, 5, 0, nil)
	v := evalSeries(t, "series_decompose", dynFloats(y)).D.([]any)
	cols, _ := ScalarOutputs("series_decompose")
	if len(v) != 4 || cols[3].Name != "residual" {
		t.Fatalf("outputs %d, columns %v", len(v), cols)
	}
	within(t, "baseline", v[0], y, 1e-9) // a pure seasonal series is its own baseline
	within(t, "residual", v[3], make([]float64, len(y)), 1e-9)
	// no seasonality, linefit trend: a straight line is all trend
	line := []float64{1, 3, 5, 7, 9, 11}
	v = evalSeries(t, "series_decompose", dynFloats(line), L(0), S("linefit")).D.([]any)
	within(t, "trend", v[2], line, 1e-9)
	within(t, "seasonal", v[1], make([]float64, 6), 0)
	// avg trend is the mean
	v = evalSeries(t, "series_decompose", dynFloats(line), L(0)).D.([]any)
	within(t, "avg trend", v[2], []float64{6, 6, 6, 6, 6, 6}, 1e-9)
	// empty series, null input, bad trend
	if got := types.DynamicJSON(evalSeries(t, "series_decompose", D(`[]`)).D); got != "[[],[],[],[]]" {
		t.Errorf("empty = %s", got)
	}
	f, _ := LookupScalar("series_decompose")
	if _, err := f.Eval(testEnv, A(D(`[1,2,3]`), L(0), S("cubic"))); err == nil || !strings.Contains(err.Error(), "series_decompose(): trend") {
		t.Errorf("bad trend error = %v", err)
	}
	// nulls are interpolated before decomposing
	v = evalSeries(t, "series_decompose", D(`[1,null,3]`), L(0), S("linefit")).D.([]any)
	within(t, "with null", v[0], []float64{1, 2, 3}, 1e-9)
}

func TestSeriesDecomposeAnomalies(t *testing.T) {
	spikes := map[int]float64{30: 12, 70: -12}
	y := seasonal(24, 5, 0.05, spikes)
	v := evalSeries(t, "series_decompose_anomalies", dynFloats(y), R(1.5), L(-1), S("linefit")).D.([]any)
	flags := v[0].([]any)
	for i, f := range flags {
		want := int64(0)
		switch i {
		case 30:
			want = 1
		case 70:
			want = -1
		}
		if f.(int64) != want {
			t.Errorf("ad_flag[%d] = %v, want %d", i, f, want)
		}
	}
	scores := v[1].([]any)
	if scores[30].(float64) <= 1.5 || scores[70].(float64) >= -1.5 {
		t.Errorf("scores at spikes = %v, %v", scores[30], scores[70])
	}
	// the baseline follows the seasonal pattern, not the spikes
	base := v[2].([]any)
	// (the seasonal medians are backfitted against the line, so the trend
	// leaves no step in the baseline)
	if d := math.Abs(base[30].(float64) - (y[30] - 12)); d > 0.5 {
		t.Errorf("baseline at spike off by %v", d)
	}
	f, _ := LookupScalar("series_decompose_anomalies")
	if _, err := f.Eval(testEnv, A(D(`[1,2,3]`), R(1.5), L(0), S("avg"), L(0), S("mad"))); err == nil || !strings.Contains(err.Error(), "AD_method") {
		t.Errorf("bad method error = %v", err)
	}
	if _, err := f.Eval(testEnv, A(D(`[1,2,3]`), R(1.5), L(0), S("avg"), L(9))); err == nil || !strings.Contains(err.Error(), "test_points") {
		t.Errorf("bad test_points error = %v", err)
	}
	if got := types.DynamicJSON(evalSeries(t, "series_decompose_anomalies", D(`[]`)).D); got != "[[],[],[]]" {
		t.Errorf("empty = %s", got)
	}
}

func TestSeriesDecomposeForecast(t *testing.T) {
	// train on 4 cycles, forecast the fifth; make-series pads the future with 0
	for _, c := range []struct {
		trend, tol float64
	}{{0, 1e-9}, {0.1, 2}} {
		y := seasonal(24, 5, c.trend, nil)
		in := append(append([]float64(nil), y[:96]...), make([]float64, 24)...)
		v := evalSeries(t, "series_decompose_forecast", dynFloats(in), L(24))
		within(t, "forecast", v.D.([]any)[96:], y[96:], c.tol)
	}
}

func TestPeriodScore(t *testing.T) {
	traffic, _ := SeriesFloats(D(docTraffic).D)
	for _, c := range []struct {
		name   string
		y      []float64
		p      int
		lo, hi float64
	}{
		{"documented weekly period", traffic, 14, 0.8415, 0.8425},
		{"documented non-period", traffic, 10, 0, 0},
		{"exact repeat", []float64{1, 5, 2, 1, 5, 2, 1, 5, 2, 1, 5, 2}, 3, 1, 1},
		{"flat series", []float64{3, 3, 3, 3, 3, 3, 3, 3}, 4, 0, 0},
		{"a phase seen once", []float64{1, 2, 3, 4, 5}, 4, 0, 0},
		{"nulls are skipped", []float64{1, 5, math.NaN(), 1, 5, 2, 1, 5, 2}, 3, 1, 1},
	} {
		if got := PeriodScore(c.y, c.p); got < c.lo-1e-12 || got > c.hi+1e-12 {
			t.Errorf("%s: PeriodScore(%d) = %v, want in [%v, %v]", c.name, c.p, got, c.lo, c.hi)
		}
	}
}

func TestSeasonal(t *testing.T) {
	for _, c := range []struct {
		name   string
		y      []float64
		period int
		want   []float64
	}{
		{"given period, median per phase", []float64{1, 3, 5, 1, 3, 5, 2, 4, 6}, 3, []float64{1, 3, 5, 1, 3, 5, 1, 3, 5}},
		{"even count takes the middle", []float64{1, 3, 5, 2, 4, 6}, 3, []float64{1.5, 3.5, 5.5, 1.5, 3.5, 5.5}},
		{"detected", []float64{8, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10}, -1,
			[]float64{10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10, 10, 12, 14, 12, 10}},
		{"too short to detect", []float64{1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6}, -1, make([]float64, 12)},
		{"zero means none", []float64{1, 2, 1, 2}, 0, []float64{0, 0, 0, 0}},
		{"nulls interpolated", []float64{1, math.NaN(), 1, 3}, 2, []float64{1, 2, 1, 2}},
	} {
		within(t, c.name, floatsDyn(Seasonal(c.y, c.period)), c.want, 1e-12)
	}
}

func TestFFT(t *testing.T) {
	re, im := FFT([]float64{1, 2, 3, 4}, nil)
	within(t, "fft re", floatsDyn(re), []float64{10, -2, -2, -2}, 1e-12)
	within(t, "fft im", floatsDyn(im), []float64{0, 2, 0, -2}, 1e-12)
	// odd length and a complex input come back through the inverse
	xr, xi := []float64{1, -2, 0.5, 7, 3}, []float64{0, 1, 2, -1, 4}
	fr, fi := FFT(xr, xi)
	br, bi := IFFT(fr, fi)
	within(t, "round trip re", floatsDyn(br), xr, 1e-12)
	within(t, "round trip im", floatsDyn(bi), xi, 1e-12)
	if r, i := FFT(nil, nil); len(r) != 0 || len(i) != 0 {
		t.Errorf("FFT(empty) = %v, %v", r, i)
	}
	v := evalSeries(t, "series_ifft", D(`[10,-2,-2,-2]`), D(`[0,2,0,-2]`)).D.([]any)
	within(t, "series_ifft", v[0], []float64{1, 2, 3, 4}, 1e-12)
}

func TestFitPoly(t *testing.T) {
	// y = 2x^2 - 3x + 1 on uneven x, with a null that is skipped
	x := []float64{-2, -1, 0, 0.5, 3, 4}
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = 2*v*v - 3*v + 1
	}
	y[3] = math.NaN()
	pf, ok := FitPoly(y, x, 2)
	if !ok {
		t.Fatal("FitPoly failed")
	}
	within(t, "coefficients", floatsDyn(pf.Coefficients), []float64{2, -3, 1}, 1e-9)
	within(t, "fit", floatsDyn(pf.Fit), []float64{15, 6, 1, 0, 10, 21}, 1e-9)
	if math.Abs(pf.RSquare-1) > 1e-12 || math.Abs(pf.RVariance) > 1e-9 {
		t.Errorf("rsquare, rvariance = %v, %v", pf.RSquare, pf.RVariance)
	}
	// degree 1 on the default x is series_fit_line
	doc := []float64{2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30}
	lf := FitLine(doc)
	p1, _ := FitPoly(doc, nil, 1)
	within(t, "degree 1", floatsDyn([]float64{p1.RSquare, p1.Coefficients[0], p1.Coefficients[1], p1.Variance, p1.RVariance}),
		[]float64{lf.RSquare, lf.Slope, lf.Interception, lf.Variance, lf.RVariance}, 1e-9)
	if _, ok := FitPoly([]float64{1, 2}, nil, 2); ok {
		t.Error("two points fitted a parabola")
	}
	if _, ok := FitPoly([]float64{1, 2, 3}, []float64{5, 5, 5}, 1); ok {
		t.Error("a constant x fitted a line")
	}
}
