package functions

// Spectral and seasonal series functions: series_fft, series_ifft and
// series_seasonal.

import (
	"math"

	"github.com/huntbook/huntbook/kql/types"
	"gonum.org/v1/gonum/dsp/fourier"
)

// FFT is the discrete Fourier transform of the complex series re + i*im
// (im may be nil), unnormalised as Kusto's series_fft: X[k] = sum_j
// x[j]*exp(-2*pi*i*j*k/n). Any length works (not only powers of two).
func FFT(re, im []float64) (outRe, outIm []float64) {
	return dft(re, im, false)
}

// IFFT is the inverse of FFT: x[j] = (1/n) * sum_k X[k]*exp(2*pi*i*j*k/n),
// so IFFT(FFT(x)) gives x back.
func IFFT(re, im []float64) (outRe, outIm []float64) {
	return dft(re, im, true)
}

func dft(re, im []float64, inverse bool) ([]float64, []float64) {
	n := len(re)
	if n == 0 {
		return []float64{}, []float64{}
	}
	seq := make([]complex128, n)
	for j := range seq {
		r, i := re[j], 0.0
		if j < len(im) {
			i = im[j]
		}
		if math.IsNaN(r) {
			r = 0
		}
		if math.IsNaN(i) {
			i = 0
		}
		seq[j] = complex(r, i)
	}
	f := fourier.NewCmplxFFT(n)
	var out []complex128
	if inverse {
		out = f.Sequence(nil, seq)
	} else {
		out = f.Coefficients(nil, seq)
	}
	outRe, outIm := make([]float64, n), make([]float64, n)
	scale := 1.0
	if inverse {
		scale = 1 / float64(n) // gonum leaves the inverse unscaled
	}
	for k, c := range out {
		outRe[k], outIm[k] = real(c)*scale, imag(c)*scale
	}
	return outRe, outIm
}

// Seasonal is series_seasonal over plain floats: the median of each phase
// of period across the whole series, repeated over its length. Period -1
// detects the period (series_periods_detect with the documented 0.7
// threshold); no period, or any other non-positive value, gives zeros.
// Missing elements are interpolated first.
func Seasonal(y []float64, period int) []float64 {
	out := make([]float64, len(y))
	x := FillLinear(y, true)
	for i := range x {
		if math.IsNaN(x[i]) {
			return out // nothing but nulls
		}
	}
	if period == -1 {
		period = 0
		if ps, sc := DetectPeriods(x, 4, float64(len(x))/2, 1); len(ps) > 0 && sc[0] >= 0.7 {
			period = int(ps[0])
		}
	}
	if period <= 0 || period > len(x) {
		return out
	}
	phaseMedians(x, period, out)
	return out
}

func init() {
	complexArgs := func(a []types.Value) (re, im []float64, ok bool) {
		r, ok := readSeries(a[0])
		if !ok {
			return nil, nil, false
		}
		if len(a) > 1 && !a[1].IsNull() {
			i, ok := readSeries(a[1])
			if !ok {
				return nil, nil, false
			}
			im = i.vals
		}
		return r.vals, im, true
	}
	outputs("series_fft", "real", types.Dynamic, "imag", types.Dynamic)
	def("series_fft", "series_fft(x_real [, x_imaginary])",
		"Fast Fourier transform of a (complex) series: the real and imaginary parts of the frequency domain (two columns).", 1, 2, "yy", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			re, im, ok := complexArgs(a)
			if !ok {
				return nullDyn, nil
			}
			r, i := FFT(re, im)
			return Dyn([]any{floatsDyn(r), floatsDyn(i)}), nil
		})
	outputs("series_ifft", "real", types.Dynamic, "imag", types.Dynamic)
	def("series_ifft", "series_ifft(fft_real [, fft_imaginary])",
		"Inverse fast Fourier transform: the real and imaginary parts back in the time domain (two columns).", 1, 2, "yy", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			re, im, ok := complexArgs(a)
			if !ok {
				return nullDyn, nil
			}
			r, i := IFFT(re, im)
			return Dyn([]any{floatsDyn(r), floatsDyn(i)}), nil
		})
	def("series_seasonal", "series_seasonal(series [, period])",
		"The seasonal component of a series: the median of each phase of the (detected or given) period.", 1, 2, "yi", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, ok := readSeries(a[0])
			if !ok {
				return nullDyn, nil
			}
			return Dyn(floatsDyn(Seasonal(s.vals, int(optLong(a, 1, -1))))), nil
		})
}
