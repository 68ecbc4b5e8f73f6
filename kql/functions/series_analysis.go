package functions

// Series analysis: regression (series_fit_line, series_fit_2lines), outlier
// scoring (series_outliers), period detection (series_periods_detect,
// series_periods_validate) and decomposition (series_decompose and its
// anomaly and forecast forms). The numeric cores are exported so the charts
// (anomalychart) and analytics packages compute exactly what KQL computes.

import (
	"fmt"
	"math"
	"sort"

	"github.com/huntbook/huntbook/kql/types"
	"gonum.org/v1/gonum/dsp/fourier"
)

// LineFit is the result of a least-squares line through a series, with x
// running 1, 2, ... n as in Kusto (so Fit[0] = Slope + Interception).
type LineFit struct {
	RSquare, Slope, Variance, RVariance, Interception float64
	Fit                                               []float64
}

// FitLine fits y = Slope*x + Interception over the non-NaN elements of y,
// x being the 1-based position. Variance is the sample variance of y,
// RVariance the sample variance of the residuals, RSquare 1 - SSE/SST (1
// for a constant series, which any line fits exactly). Fewer than two
// points give NaNs.
func FitLine(y []float64) LineFit {
	return fitRange(y, 0, len(y))
}

// fitRange fits the elements lo..hi-1 of y with x = index+1.
func fitRange(y []float64, lo, hi int) LineFit {
	var n, sx, sy, sxx, sxy float64
	for i := lo; i < hi; i++ {
		if math.IsNaN(y[i]) {
			continue
		}
		x := float64(i + 1)
		n++
		sx += x
		sy += y[i]
		sxx += x * x
		sxy += x * y[i]
	}
	nan := math.NaN()
	lf := LineFit{RSquare: nan, Slope: nan, Variance: nan, RVariance: nan, Interception: nan}
	if n < 2 {
		return lf
	}
	den := n*sxx - sx*sx
	lf.Slope = (n*sxy - sx*sy) / den
	lf.Interception = (sy - lf.Slope*sx) / n
	mean := sy / n
	var sst, sse, rsum float64
	for i := lo; i < hi; i++ {
		if math.IsNaN(y[i]) {
			continue
		}
		d := y[i] - mean
		sst += d * d
		r := y[i] - (lf.Slope*float64(i+1) + lf.Interception)
		sse += r * r
		rsum += r
	}
	lf.Variance = sst / (n - 1)
	rmean := rsum / n
	lf.RVariance = (sse - n*rmean*rmean) / (n - 1)
	if sst == 0 {
		lf.RSquare = 1
	} else {
		lf.RSquare = 1 - sse/sst
	}
	lf.Fit = make([]float64, hi-lo)
	for i := lo; i < hi; i++ {
		lf.Fit[i-lo] = lf.Slope*float64(i+1) + lf.Interception
	}
	return lf
}

// TwoLines is the best two-segment fit of a series: the left line covers
// elements 0..SplitIdx-1 and the right line SplitIdx..n-1, both in the
// series' own x (1-based position).
type TwoLines struct {
	RSquare   float64
	SplitIdx  int
	Variance  float64
	RVariance float64
	Fit       []float64
	Left      LineFit
	Right     LineFit
}

// FitTwoLines tries every split leaving at least two points on each side
// and keeps the one with the largest total r-square. ok is false for series
// shorter than four points.
func FitTwoLines(y []float64) (TwoLines, bool) {
	n := len(y)
	if n < 4 {
		return TwoLines{}, false
	}
	all := FitLine(y)
	mean, cnt := 0.0, 0.0
	for _, v := range y {
		if !math.IsNaN(v) {
			mean += v
			cnt++
		}
	}
	mean /= cnt
	sst := 0.0
	for _, v := range y {
		if !math.IsNaN(v) {
			sst += (v - mean) * (v - mean)
		}
	}
	best := TwoLines{RSquare: math.Inf(-1)}
	for split := 2; split <= n-2; split++ {
		l, r := fitRange(y, 0, split), fitRange(y, split, n)
		if math.IsNaN(l.Slope) || math.IsNaN(r.Slope) {
			continue
		}
		sse := 0.0
		fit := append(append([]float64(nil), l.Fit...), r.Fit...)
		for i, v := range y {
			if !math.IsNaN(v) {
				sse += (v - fit[i]) * (v - fit[i])
			}
		}
		rs := 1.0
		if sst > 0 {
			rs = 1 - sse/sst
		}
		if rs > best.RSquare {
			best = TwoLines{RSquare: rs, SplitIdx: split, Variance: all.Variance, RVariance: sse / (cnt - 1), Fit: fit, Left: l, Right: r}
		}
	}
	if math.IsInf(best.RSquare, -1) {
		return TwoLines{}, false
	}
	return best, true
}

// percentile is the linearly interpolated p-th percentile (0..100) of
// sorted values.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	pos := p / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	return sorted[lo] + (pos-float64(lo))*(sorted[hi]-sorted[lo])
}

// OutlierScores scores each element with Tukey's fences over the lowPct and
// highPct percentiles (25/75 for "tukey", 10/90 for Kusto's default
// "ctukey"): 0 inside [Q_low, Q_high], (x-Q_high)/IQR above it and
// (x-Q_low)/IQR below, so ±1.5 is Tukey's mild-outlier fence and ±3 the
// strong one. NaN elements score 0. A series whose percentiles coincide
// (IQR 0, common for counts that are mostly zero) measures distances in its
// own units instead of failing.
func OutlierScores(y []float64, lowPct, highPct float64) []float64 {
	lo, hi := fences(y, lowPct, highPct)
	return scoreWith(y, lo, hi)
}

func fences(y []float64, lowPct, highPct float64) (float64, float64) {
	var xs []float64
	for _, v := range y {
		if !math.IsNaN(v) {
			xs = append(xs, v)
		}
	}
	sort.Float64s(xs)
	return percentile(xs, lowPct), percentile(xs, highPct)
}

func scoreWith(y []float64, lo, hi float64) []float64 {
	iqr := hi - lo
	if iqr <= 0 || math.IsNaN(iqr) {
		iqr = 1
	}
	out := make([]float64, len(y))
	for i, v := range y {
		switch {
		case math.IsNaN(v):
		case v > hi:
			out[i] = (v - hi) / iqr
		case v < lo:
			out[i] = (v - lo) / iqr
		}
	}
	return out
}

// PeriodScore measures (0..1) how well period p (in bins) explains y: the
// leave-one-out R-square of the seasonal model that predicts each point by
// the mean of the other points in its phase. Cross-validating keeps a
// period from scoring just because it has many phases to fit the noise
// with: a random period scores about 0 (clipped there), a clean repeat
// close to 1. NaN elements are left out. This reproduces the documented
// scores (0.84 for the weekly period of the traffic example, 0 for a
// period the series does not have).
func PeriodScore(y []float64, p int) float64 {
	if p < 1 {
		return 0
	}
	sum := make([]float64, p)
	cnt := make([]float64, p)
	mean, n := 0.0, 0.0
	for i, v := range y {
		if math.IsNaN(v) {
			continue
		}
		sum[i%p] += v
		cnt[i%p]++
		mean += v
		n++
	}
	if n < 2 {
		return 0
	}
	mean /= n
	var sse, sst float64
	for i, v := range y {
		if math.IsNaN(v) {
			continue
		}
		c := cnt[i%p]
		if c < 2 { // a phase seen once predicts nothing
			return 0
		}
		pred := (sum[i%p] - v) / (c - 1)
		sse += (v - pred) * (v - pred)
		sst += (v - mean) * (v - mean)
	}
	if sst <= 1e-12*n*(math.Abs(mean)+1) { // flat: nothing repeats
		return 0
	}
	return math.Max(0, math.Min(1, 1-sse/sst))
}

// DetectPeriods finds up to num periods (in bins) between minPeriod and
// maxPeriod, best first, with scores in 0..1 (PeriodScore). Periods must
// span at least 4 points and repeat more than twice (2p < n). Candidates
// come from the peaks of the periodogram (an FFT), strongest first; each is
// refined to the best-scoring integer lag whose frequency falls in the
// peak's bin. A candidate at a multiple of a better period is its harmonic
// and is dropped. Missing places are period 0 with score 0, as Kusto pads
// them.
func DetectPeriods(y []float64, minPeriod, maxPeriod float64, num int) (periods, scores []float64) {
	periods = make([]float64, max(num, 0))
	scores = make([]float64, max(num, 0))
	n := len(y)
	lo := max(4, int(math.Ceil(minPeriod)))
	hi := min((n-1)/2, int(math.Floor(maxPeriod)))
	if num <= 0 || hi < lo {
		return periods, scores
	}
	power := periodogram(y)
	type peak struct {
		j int
		p float64
	}
	var peaks []peak
	for j := 1; j < len(power); j++ {
		next := 0.0
		if j+1 < len(power) {
			next = power[j+1]
		}
		if power[j] > power[j-1] && power[j] >= next && float64(n)/float64(j) >= float64(lo)-1 && float64(n)/float64(j) <= float64(hi)+1 {
			peaks = append(peaks, peak{j, power[j]})
		}
	}
	sort.SliceStable(peaks, func(a, b int) bool { return peaks[a].p > peaks[b].p })
	type cand struct {
		p int
		s float64
	}
	var cands []cand
	seen := map[int]bool{}
	score := map[int]float64{}
	scoreOf := func(k int) float64 {
		if s, ok := score[k]; ok {
			return s
		}
		s := PeriodScore(y, k)
		score[k] = s
		return s
	}
	for _, pk := range peaks {
		// the lags whose frequency falls in this periodogram bin
		from := max(lo, int(math.Floor(float64(n)/(float64(pk.j)+1)))+1)
		to := hi
		if pk.j > 1 {
			to = min(hi, int(math.Ceil(float64(n)/(float64(pk.j)-1)))-1)
		}
		best := -1
		for k := from; k <= to; k++ {
			if best < 0 || scoreOf(k) > scoreOf(best) {
				best = k
			}
		}
		if best < 0 || scoreOf(best) <= 0 || seen[best] {
			continue
		}
		seen[best] = true
		cands = append(cands, cand{best, scoreOf(best)})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].s > cands[j].s })
	var chosen []cand
	for _, c := range cands {
		harmonic := false
		for _, b := range chosen {
			m := math.Round(float64(c.p) / float64(b.p))
			if m >= 2 && math.Abs(float64(c.p)-m*float64(b.p)) <= 1 {
				harmonic = true
				break
			}
		}
		if !harmonic {
			chosen = append(chosen, c)
		}
		if len(chosen) == num {
			break
		}
	}
	for i, c := range chosen {
		periods[i], scores[i] = float64(c.p), c.s
	}
	return periods, scores
}

// periodogram returns the power of the de-meaned series at frequencies
// j/n for j = 0..n/2 (NaN elements count as the mean).
func periodogram(y []float64) []float64 {
	n := len(y)
	mean, cnt := 0.0, 0
	for _, v := range y {
		if !math.IsNaN(v) {
			mean += v
			cnt++
		}
	}
	if cnt > 0 {
		mean /= float64(cnt)
	}
	z := make([]float64, n)
	for i, v := range y {
		if !math.IsNaN(v) {
			z[i] = v - mean
		}
	}
	c := fourier.NewFFT(n).Coefficients(nil, z)
	out := make([]float64, len(c))
	for i, v := range c {
		out[i] = real(v)*real(v) + imag(v)*imag(v)
	}
	return out
}

// Decomposition is series_decompose's result; Period is the seasonal period
// used (0 for none).
type Decomposition struct {
	Baseline, Seasonal, Trend, Residual []float64
	Period                              int
}

// Decompose splits y into seasonal, trend and residual parts as
// series_decompose does: seasonal is the median of the training points
// sharing a phase of the period (period -1 detects it with DetectPeriods,
// keeping it when its score reaches seasonThreshold; 0 means none); trend
// ("avg", "linefit" or "none") is taken from the deseasoned training
// points; the last testPoints points are left out of learning and
// extrapolated. Missing elements are interpolated linearly first.
func Decompose(y []float64, period int, trend string, testPoints int, seasonThreshold float64) (Decomposition, error) {
	n := len(y)
	switch trend {
	case "avg", "linefit", "none":
	default:
		return Decomposition{}, fmt.Errorf("trend must be 'avg', 'linefit' or 'none', got '%s'", trend)
	}
	if testPoints < 0 || testPoints > n {
		return Decomposition{}, fmt.Errorf("test_points must be between 0 and the series length %d, got %d", n, testPoints)
	}
	d := Decomposition{Baseline: make([]float64, n), Seasonal: make([]float64, n), Trend: make([]float64, n), Residual: make([]float64, n)}
	if n == 0 {
		return d, nil
	}
	x := FillLinear(y, true)
	for i := range x {
		if math.IsNaN(x[i]) { // nothing but nulls
			x[i] = 0
		}
	}
	train := x[:n-testPoints]
	if period < 0 {
		// detect on the series with its line removed: a trend would
		// otherwise smear every cycle and hide the period
		ps, sc := DetectPeriods(detrend(train), 4, float64(len(train))/2, 1)
		period = 0
		if len(ps) > 0 && ps[0] > 0 && sc[0] >= seasonThreshold {
			period = int(ps[0])
		}
	}
	if period > len(train) {
		period = 0
	}
	d.Period = period
	// Seasonal first (the median of each phase), then the trend of what
	// is left, as Kusto documents. With a linefit trend the phase medians
	// of the raw series would carry the trend too (each cycle sits higher
	// than the last, leaving a sawtooth in the baseline), so the medians
	// are taken with the current line removed (its level kept) and the
	// two are refitted in turn until the line settles (backfitting).
	d.Trend = fitTrend(train, d.Seasonal, trend, n)
	if period > 0 {
		rounds := 1
		if trend == "linefit" {
			rounds = 25
		}
		level := make([]float64, len(train))
		for r := 0; r < rounds; r++ {
			if r == 0 {
				copy(level, train)
			} else {
				m := 0.0
				for i := range train {
					m += d.Trend[i]
				}
				m /= float64(len(train))
				for i, v := range train {
					level[i] = v - (d.Trend[i] - m)
				}
			}
			phaseMedians(level, period, d.Seasonal)
			prev := d.Trend
			d.Trend = fitTrend(train, d.Seasonal, trend, n)
			if r > 0 && maxDiff(prev, d.Trend) <= 1e-12*(1+maxAbs(train)) {
				break
			}
		}
	}
	for i := range x {
		d.Baseline[i] = d.Seasonal[i] + d.Trend[i]
		d.Residual[i] = x[i] - d.Baseline[i]
	}
	return d, nil
}

// detrend returns y minus its least-squares line (y itself when no line
// fits).
func detrend(y []float64) []float64 {
	lf := FitLine(y)
	if lf.Fit == nil {
		return y
	}
	out := make([]float64, len(y))
	for i, v := range y {
		out[i] = v - lf.Fit[i]
	}
	return out
}

// phaseMedians fills seasonal (the whole series' length) with the median
// of the training points in each phase of period.
func phaseMedians(train []float64, period int, seasonal []float64) {
	phase := make([][]float64, period)
	for i, v := range train {
		phase[i%period] = append(phase[i%period], v)
	}
	med := make([]float64, period)
	for p, vs := range phase {
		sort.Float64s(vs)
		med[p] = percentile(vs, 50)
	}
	for i := range seasonal {
		seasonal[i] = med[i%period]
	}
}

// fitTrend is the trend component over n points learnt from the training
// points with the seasonal component removed: their mean ("avg"), their
// least-squares line ("linefit", extrapolated past the training points) or
// zero ("none").
func fitTrend(train, seasonal []float64, trend string, n int) []float64 {
	out := make([]float64, n)
	deseason := make([]float64, len(train))
	for i, v := range train {
		deseason[i] = v - seasonal[i]
	}
	switch trend {
	case "avg":
		m := 0.0
		for _, v := range deseason {
			m += v
		}
		if len(deseason) > 0 {
			m /= float64(len(deseason))
		}
		for i := range out {
			out[i] = m
		}
	case "linefit":
		lf := FitLine(deseason)
		if math.IsNaN(lf.Slope) { // fewer than two training points: a flat line
			lf.Slope, lf.Interception = 0, 0
			if len(deseason) == 1 {
				lf.Interception = deseason[0]
			}
		}
		for i := range out {
			out[i] = lf.Slope*float64(i+1) + lf.Interception
		}
	}
	return out
}

func maxDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func maxAbs(a []float64) float64 {
	m := 0.0
	for _, v := range a {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// Anomalies is series_decompose_anomalies over plain floats: the residuals
// of Decompose are scored with OutlierScores ("ctukey" uses the 10th and
// 90th percentiles, "tukey" the quartiles; both learnt from the training
// points), and a score beyond ±threshold flags +1 or -1.
func Anomalies(y []float64, threshold float64, period int, trend string, testPoints int, method string, seasonThreshold float64) (flags []int64, scores, baseline []float64, err error) {
	lowP, highP := 10.0, 90.0
	switch method {
	case "ctukey":
	case "tukey":
		lowP, highP = 25, 75
	default:
		return nil, nil, nil, fmt.Errorf("AD_method must be 'ctukey' or 'tukey', got '%s'", method)
	}
	d, err := Decompose(y, period, trend, testPoints, seasonThreshold)
	if err != nil {
		return nil, nil, nil, err
	}
	lo, hi := fences(d.Residual[:len(y)-testPoints], lowP, highP)
	scores = scoreWith(d.Residual, lo, hi)
	flags = make([]int64, len(y))
	for i, s := range scores {
		switch {
		case s > threshold:
			flags[i] = 1
		case s < -threshold:
			flags[i] = -1
		}
	}
	return flags, scores, d.Baseline, nil
}

func lineFitDyn(lf LineFit, n int) []any {
	if lf.Fit == nil {
		return floatsDyn(nanSlice(n))
	}
	return floatsDyn(lf.Fit)
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// num is a real output element: NaN (not computable) becomes null.
func num(f float64) any {
	if math.IsNaN(f) {
		return nil
	}
	return f
}

func longsDyn(xs []int64) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func init() {
	outputs("series_fit_line", "rsquare", types.Real, "slope", types.Real, "variance", types.Real,
		"rvariance", types.Real, "interception", types.Real, "line_fit", types.Dynamic)
	fitLine := func(a []types.Value) (LineFit, int, bool) {
		s, ok := readSeries(a[0])
		if !ok {
			return LineFit{}, 0, false
		}
		return FitLine(s.vals), len(s.vals), true
	}
	def("series_fit_line", "series_fit_line(series)",
		"Linear regression of a series: rsquare, slope, variance, rvariance, interception, line_fit (several columns).", 1, 1, "y", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			lf, n, ok := fitLine(a)
			if !ok {
				return nullDyn, nil
			}
			return Dyn([]any{num(lf.RSquare), num(lf.Slope), num(lf.Variance), num(lf.RVariance), num(lf.Interception), lineFitDyn(lf, n)}), nil
		})
	def("series_fit_line_dynamic", "series_fit_line_dynamic(series)",
		"Linear regression of a series as a property bag.", 1, 1, "y", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			lf, n, ok := fitLine(a)
			if !ok {
				return nullDyn, nil
			}
			b := types.NewBag()
			b.Set("rsquare", num(lf.RSquare))
			b.Set("slope", num(lf.Slope))
			b.Set("variance", num(lf.Variance))
			b.Set("rvariance", num(lf.RVariance))
			b.Set("interception", num(lf.Interception))
			b.Set("line_fit", lineFitDyn(lf, n))
			return Dyn(b), nil
		})

	outputs("series_fit_2lines", "rsquare", types.Real, "split_idx", types.Long, "variance", types.Real,
		"rvariance", types.Real, "line_fit", types.Dynamic,
		"right_rsquare", types.Real, "right_slope", types.Real, "right_interception", types.Real,
		"right_variance", types.Real, "right_rvariance", types.Real,
		"left_rsquare", types.Real, "left_slope", types.Real, "left_interception", types.Real,
		"left_variance", types.Real, "left_rvariance", types.Real)
	def("series_fit_2lines", "series_fit_2lines(series)",
		"Two-segment linear regression of a series (several columns: rsquare, split_idx, ...).", 1, 1, "y", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok {
				return nullDyn, nil
			}
			t, ok := FitTwoLines(s.vals)
			if !ok {
				return Dyn(make([]any, 15)), nil
			}
			return Dyn([]any{num(t.RSquare), int64(t.SplitIdx), num(t.Variance), num(t.RVariance), floatsDyn(t.Fit),
				num(t.Right.RSquare), num(t.Right.Slope), num(t.Right.Interception), num(t.Right.Variance), num(t.Right.RVariance),
				num(t.Left.RSquare), num(t.Left.Slope), num(t.Left.Interception), num(t.Left.Variance), num(t.Left.RVariance)}), nil
		})
	def("series_fit_2lines_dynamic", "series_fit_2lines_dynamic(series)",
		"Two-segment linear regression of a series as a property bag.", 1, 1, "y", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok {
				return nullDyn, nil
			}
			t, ok := FitTwoLines(s.vals)
			if !ok {
				return nullDyn, nil
			}
			side := func(lf LineFit) *types.Bag {
				b := types.NewBag()
				b.Set("rsquare", num(lf.RSquare))
				b.Set("slope", num(lf.Slope))
				b.Set("interception", num(lf.Interception))
				b.Set("variance", num(lf.Variance))
				b.Set("rvariance", num(lf.RVariance))
				return b
			}
			b := types.NewBag()
			b.Set("rsquare", num(t.RSquare))
			b.Set("split_idx", int64(t.SplitIdx))
			b.Set("variance", num(t.Variance))
			b.Set("rvariance", num(t.RVariance))
			b.Set("line_fit", floatsDyn(t.Fit))
			b.Set("right", side(t.Right))
			b.Set("left", side(t.Left))
			return Dyn(b), nil
		})

	def("series_outliers", "series_outliers(series [, kind [, ignore_val [, min_percentile [, max_percentile]]]])",
		"Tukey-fence anomaly score per element: above 1.5 a rise, below -1.5 a decline.", 1, 5, "ysann", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok {
				return nullDyn, nil
			}
			kind := optString(a, 1, "ctukey")
			lowP, highP := 25.0, 75.0
			switch kind {
			case "tukey":
			case "ctukey":
				lowP, highP = optReal(a, 3, 10), optReal(a, 4, 90)
				if lowP < 2 || lowP > 98 || highP < 2 || highP > 98 || lowP >= highP {
					return types.Value{}, fmt.Errorf("series_outliers(): min_percentile and max_percentile must lie in [2, 98] with min below max, got %g and %g", lowP, highP)
				}
			default:
				return types.Value{}, fmt.Errorf("series_outliers(): kind must be 'tukey' or 'ctukey', got '%s'", kind)
			}
			y := append([]float64(nil), s.vals...)
			if len(a) > 2 && !a[2].IsNull() {
				if ig, ok := ToReal(a[2]); ok {
					for i, v := range y {
						if v == ig {
							y[i] = math.NaN()
						}
					}
				}
			}
			return Dyn(floatsDyn(OutlierScores(y, lowP, highP))), nil
		})

	outputs("series_periods_detect", "periods", types.Dynamic, "scores", types.Dynamic)
	def("series_periods_detect", "series_periods_detect(series, min_period, max_period, num_periods)",
		"The most significant periods of a series and their scores (two columns).", 4, 4, "ynni", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok || anyNull(a[1:]) {
				return nullDyn, nil
			}
			minP, _ := ToReal(a[1])
			maxP, _ := ToReal(a[2])
			k, _ := ToLong(a[3])
			if k < 0 || k > 1000 {
				return types.Value{}, fmt.Errorf("series_periods_detect(): num_periods must be between 0 and 1000, got %d", k)
			}
			ps, sc := DetectPeriods(FillLinear(s.vals, true), minP, maxP, int(k))
			return Dyn([]any{floatsDyn(ps), floatsDyn(sc)}), nil
		})
	outputs("series_periods_validate", "periods", types.Dynamic, "scores", types.Dynamic)
	def("series_periods_validate", "series_periods_validate(series, period1 [, period2, ...])",
		"Scores (0..1) how strongly a series repeats with each given period (two columns).", 2, 17, "yn", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok {
				return nullDyn, nil
			}
			y := FillLinear(s.vals, true)
			var ps, sc []any
			for _, v := range a[1:] {
				p, ok := ToReal(v)
				if !ok || p < 4 || p > float64(len(y))/2 {
					ps, sc = append(ps, num(p)), append(sc, 0.0)
					continue
				}
				ps, sc = append(ps, p), append(sc, PeriodScore(y, int(math.Round(p))))
			}
			return Dyn([]any{ps, sc}), nil
		})

	decompArgs := func(name string, a []types.Value, seasIdx, trendIdx, testIdx, threshIdx int, defTrend string) ([]float64, Decomposition, error) {
		s, ok := readSeries(a[0])
		if !ok {
			return nil, Decomposition{}, nil
		}
		period := optLong(a, seasIdx, -1)
		tp := 0
		if testIdx >= 0 {
			tp = int(optLong(a, testIdx, 0))
		}
		d, err := Decompose(s.vals, int(period), optString(a, trendIdx, defTrend), tp, optReal(a, threshIdx, 0.6))
		if err != nil {
			return nil, d, fmt.Errorf("%s(): %v", name, err)
		}
		return s.vals, d, nil
	}
	outputs("series_decompose", "baseline", types.Dynamic, "seasonal", types.Dynamic, "trend", types.Dynamic, "residual", types.Dynamic)
	def("series_decompose", "series_decompose(series [, seasonality [, trend [, test_points [, seasonality_threshold]]]])",
		"Decomposes a series into baseline, seasonal, trend and residual (four columns).", 1, 5, "yisin", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			y, d, err := decompArgs("series_decompose", a, 1, 2, 3, 4, "avg")
			if err != nil || y == nil {
				return nullDyn, err
			}
			return Dyn([]any{floatsDyn(d.Baseline), floatsDyn(d.Seasonal), floatsDyn(d.Trend), floatsDyn(d.Residual)}), nil
		})
	def("series_decompose_forecast", "series_decompose_forecast(series, points [, seasonality [, trend [, seasonality_threshold]]])",
		"Forecasts the last points of a series from the decomposition of the points before them.", 2, 5, "yiisn", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			y, d, err := decompArgs("series_decompose_forecast", a, 2, 3, 1, 4, "linefit")
			if err != nil || y == nil {
				return nullDyn, err
			}
			return Dyn(floatsDyn(d.Baseline)), nil
		})
	outputs("series_decompose_anomalies", "ad_flag", types.Dynamic, "ad_score", types.Dynamic, "baseline", types.Dynamic)
	def("series_decompose_anomalies", "series_decompose_anomalies(series [, threshold [, seasonality [, trend [, test_points [, ad_method [, seasonality_threshold]]]]]])",
		"Anomalies of a series from its decomposition: ad_flag (+1/-1/0), ad_score and baseline (three columns).", 1, 7, "ynisisn", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok {
				return nullDyn, nil
			}
			tp := int(optLong(a, 4, 0))
			flags, scores, base, err := Anomalies(s.vals, optReal(a, 1, 1.5), int(optLong(a, 2, -1)), optString(a, 3, "avg"),
				tp, optString(a, 5, "ctukey"), optReal(a, 6, 0.6))
			if err != nil {
				return nullDyn, fmt.Errorf("series_decompose_anomalies(): %v", err)
			}
			return Dyn([]any{longsDyn(flags), floatsDyn(scores), floatsDyn(base)}), nil
		})
}
