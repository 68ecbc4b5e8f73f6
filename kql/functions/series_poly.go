package functions

// series_fit_poly: least-squares polynomial regression of y on x.

import (
	"fmt"
	"math"

	"github.com/huntbook/huntbook/kql/types"
	"gonum.org/v1/gonum/mat"
)

// PolyFit is series_fit_poly's result. Coefficients run from the highest
// power down to the constant, as Kusto orders them; Fit holds the
// polynomial at every x (NaN where x is missing).
type PolyFit struct {
	RSquare, Variance, RVariance float64
	Coefficients, Fit            []float64
}

// FitPoly fits a polynomial of the given degree to the points (x[i], y[i])
// where both are numbers; x nil means 1, 2, ... n. Variance is the sample
// variance of y and RVariance that of the residuals, as in FitLine (degree
// 1 gives FitLine's numbers). ok is false when there are fewer points than
// coefficients or the points cannot determine them (all x equal).
func FitPoly(y, x []float64, degree int) (PolyFit, bool) {
	n := len(y)
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i + 1)
		if x != nil {
			xs[i] = math.NaN()
			if i < len(x) {
				xs[i] = x[i]
			}
		}
	}
	var rows []int
	for i := range y {
		if !math.IsNaN(y[i]) && !math.IsNaN(xs[i]) {
			rows = append(rows, i)
		}
	}
	m := degree + 1
	if len(rows) < m {
		return PolyFit{}, false
	}
	a := mat.NewDense(len(rows), m, nil)
	b := mat.NewVecDense(len(rows), nil)
	for r, i := range rows {
		p := 1.0
		for c := m - 1; c >= 0; c-- {
			a.Set(r, c, p)
			p *= xs[i]
		}
		b.SetVec(r, y[i])
	}
	var qr mat.QR
	qr.Factorize(a)
	var coef mat.VecDense
	if err := qr.SolveVecTo(&coef, false, b); err != nil {
		return PolyFit{}, false
	}
	pf := PolyFit{Coefficients: make([]float64, m), Fit: make([]float64, n)}
	for c := range pf.Coefficients {
		pf.Coefficients[c] = coef.AtVec(c)
		if math.IsNaN(pf.Coefficients[c]) || math.IsInf(pf.Coefficients[c], 0) {
			return PolyFit{}, false
		}
	}
	for i := range pf.Fit {
		pf.Fit[i] = horner(pf.Coefficients, xs[i])
	}
	var mean, cnt float64
	for _, i := range rows {
		mean += y[i]
		cnt++
	}
	mean /= cnt
	var sst, sse, rsum float64
	for _, i := range rows {
		d := y[i] - mean
		sst += d * d
		r := y[i] - pf.Fit[i]
		sse += r * r
		rsum += r
	}
	pf.Variance, pf.RVariance, pf.RSquare = math.NaN(), math.NaN(), 1
	if cnt > 1 {
		pf.Variance = sst / (cnt - 1)
		rmean := rsum / cnt
		pf.RVariance = (sse - cnt*rmean*rmean) / (cnt - 1)
	}
	if sst > 0 {
		pf.RSquare = 1 - sse/sst
	}
	return pf, true
}

func horner(coef []float64, x float64) float64 {
	v := 0.0
	for _, c := range coef {
		v = v*x + c
	}
	return v
}

func init() {
	outputs("series_fit_poly", "rsquare", types.Real, "coefficients", types.Dynamic, "variance", types.Real,
		"rvariance", types.Real, "poly_fit", types.Dynamic)
	def("series_fit_poly", "series_fit_poly(y_series [, x_series [, degree]])",
		"Polynomial regression of y on x (default 1, 2, ...; degree 1 by default): rsquare, coefficients (highest power first), variance, rvariance, poly_fit (several columns).",
		1, 3, "yyi", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			y, ok := readSeries(a[0])
			if !ok {
				return nullDyn, nil
			}
			var x []float64
			if len(a) > 1 && !a[1].IsNull() {
				xs, ok := readSeries(a[1])
				if !ok {
					return nullDyn, nil
				}
				x = xs.vals
			}
			deg := optLong(a, 2, 1)
			if deg < 1 || deg > 64 {
				return types.Value{}, fmt.Errorf("series_fit_poly(): degree must be between 1 and 64, got %d", deg)
			}
			pf, ok := FitPoly(y.vals, x, int(deg))
			if !ok {
				return Dyn([]any{nil, nil, nil, nil, floatsDyn(nanSlice(len(y.vals)))}), nil
			}
			return Dyn([]any{num(pf.RSquare), floatsDyn(pf.Coefficients), num(pf.Variance), num(pf.RVariance), floatsDyn(pf.Fit)}), nil
		})
}
