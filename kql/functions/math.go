package functions

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"

	"github.com/huntbook/huntbook/kql/types"
)

// numResult keeps ints, longs and reals as they are and makes everything
// else (dynamic, null) real.
func numResult(args []types.Type) types.Type {
	if len(args) > 0 && args[0].IsNumeric() {
		return args[0]
	}
	return types.Real
}

// real1 registers a real -> real function; results that are NaN from a
// domain error become null when nanIsNull is set (log of a negative).
func real1(name, doc string, f func(float64) float64, nanIsNull bool) {
	def(name, name+"(number)", doc, 1, 1, "n", fixed(types.Real),
		strict(types.Real, func(_ *Env, a []types.Value) (types.Value, error) {
			x, ok := ToReal(a[0])
			if !ok {
				return types.NullOf(types.Real), nil
			}
			r := f(x)
			if nanIsNull && math.IsNaN(r) && !math.IsNaN(x) {
				return types.NullOf(types.Real), nil
			}
			return types.NewReal(r), nil
		}))
}

func (e *Env) float() float64 {
	if e != nil && e.Rand != nil {
		return e.Rand.Float64()
	}
	return rand.Float64()
}

func (e *Env) uint64() uint64 {
	if e != nil && e.Rand != nil {
		return e.Rand.Uint64()
	}
	return rand.Uint64()
}

// numeric makes a Value of type t from an integer or real result.
func numeric(t types.Type, f float64) types.Value {
	switch t {
	case types.Int:
		return types.NewInt(int64(f))
	case types.Long:
		return types.NewLong(int64(f))
	case types.Decimal:
		return types.NewDecimal(f)
	}
	return types.NewReal(f)
}

func init() {
	// abs of an integer is a long (Kusto.Language's abs(Integer): long);
	// reals, decimals and timespans keep their type.
	absResult := func(args []types.Type) types.Type {
		switch {
		case args[0].IsInteger():
			return types.Long
		case args[0] == types.TimeSpan || args[0].IsNumeric():
			return args[0]
		}
		return types.Real
	}
	def("abs", "abs(x)", "Absolute value.", 1, 1, "a", absResult, strictBy(absResult, func(_ *Env, a []types.Value) (types.Value, error) {
		v := a[0]
		switch v.Type {
		case types.Int, types.Long, types.TimeSpan:
			if v.I < 0 {
				v.I = -v.I
			}
			if v.Type == types.Int {
				v.Type = types.Long
			}
			return v, nil
		case types.Real, types.Decimal:
			v.F = math.Abs(v.F)
			return v, nil
		}
		f, ok := ToReal(v)
		if !ok {
			return types.NullOf(types.Real), nil
		}
		return types.NewReal(math.Abs(f)), nil
	}))
	def("round", "round(number [, precision])", "Rounds to the given number of decimal digits (0 by default), halves away from zero.", 1, 2, "ni", numResult,
		strictBy(numResult, func(_ *Env, a []types.Value) (types.Value, error) {
			t := numResult([]types.Type{a[0].Type})
			x, ok := ToReal(a[0])
			if !ok {
				return types.NullOf(t), nil
			}
			p := int64(0)
			if len(a) == 2 {
				p, _ = ToLong(a[1])
			}
			if (t == types.Int || t == types.Long) && p >= 0 {
				return a[0], nil
			}
			scale := math.Pow(10, float64(p))
			r := math.Round(x*scale) / scale
			if math.IsInf(x*scale, 0) {
				r = x
			}
			return numeric(t, r), nil
		}))
	def("ceiling", "ceiling(number)", "The smallest integer greater than or equal to the number.", 1, 1, "n", numResult,
		strictBy(numResult, func(_ *Env, a []types.Value) (types.Value, error) {
			if a[0].Type == types.Int || a[0].Type == types.Long {
				return a[0], nil
			}
			x, _ := ToReal(a[0])
			return numeric(numResult([]types.Type{a[0].Type}), math.Ceil(x)), nil
		}))
	// sign is real whatever the number's type, as Kusto documents it
	def("sign", "sign(number)", "-1, 0 or +1 by the sign of the number.", 1, 1, "n", fixed(types.Real),
		strict(types.Real, func(_ *Env, a []types.Value) (types.Value, error) {
			x, _ := ToReal(a[0])
			s := 0.0
			switch {
			case x > 0:
				s = 1
			case x < 0:
				s = -1
			case math.IsNaN(x):
				s = x
			}
			return types.NewReal(s), nil
		}))
	real1("log", "Natural logarithm; null for a negative number.", math.Log, true)
	real1("log2", "Base-2 logarithm; null for a negative number.", math.Log2, true)
	real1("log10", "Base-10 logarithm; null for a negative number.", math.Log10, true)
	real1("log1p", "log(1 + x).", math.Log1p, true)
	real1("exp", "e to the power x.", math.Exp, false)
	real1("exp2", "2 to the power x.", math.Exp2, false)
	real1("exp10", "10 to the power x.", func(x float64) float64 { return math.Pow(10, x) }, false)
	real1("expm1", "exp(x) - 1.", math.Expm1, false)
	real1("sqrt", "Square root; null for a negative number.", math.Sqrt, true)
	real1("cos", "Cosine.", math.Cos, false)
	real1("sin", "Sine.", math.Sin, false)
	real1("tan", "Tangent.", math.Tan, false)
	real1("acos", "Arc cosine; null outside [-1, 1].", math.Acos, true)
	real1("asin", "Arc sine; null outside [-1, 1].", math.Asin, true)
	real1("atan", "Arc tangent.", math.Atan, false)
	real1("cot", "Cotangent.", func(x float64) float64 { return 1 / math.Tan(x) }, false)
	real1("degrees", "Converts radians to degrees.", func(x float64) float64 { return x * 180 / math.Pi }, false)
	real1("radians", "Converts degrees to radians.", func(x float64) float64 { return x * math.Pi / 180 }, false)
	real1("gamma", "The gamma function.", math.Gamma, false)
	real1("loggamma", "Natural log of the absolute gamma function.", func(x float64) float64 { l, _ := math.Lgamma(x); return l }, false)
	def("atan2", "atan2(y, x)", "The angle in radians between the positive x axis and the ray to (x, y).", 2, 2, "nn", fixed(types.Real),
		strict(types.Real, func(_ *Env, a []types.Value) (types.Value, error) {
			y, _ := ToReal(a[0])
			x, _ := ToReal(a[1])
			return types.NewReal(math.Atan2(y, x)), nil
		}))
	def("pow", "pow(base, exponent)", "base raised to the power exponent.", 2, 2, "nn", fixed(types.Real),
		strict(types.Real, func(_ *Env, a []types.Value) (types.Value, error) {
			x, _ := ToReal(a[0])
			y, _ := ToReal(a[1])
			return types.NewReal(math.Pow(x, y)), nil
		}))
	def("pi", "pi()", "The constant pi.", 0, 0, "", fixed(types.Real),
		func(_ *Env, _ []types.Value) (types.Value, error) { return types.NewReal(math.Pi), nil })
	// rand(N) is a real too: Kusto documents a real from {0.0, 1.0, ..., N-1}
	def("rand", "rand([N])", "A random real in [0, 1), or a random whole real in [0, N) when N is given.", 0, 1, "i", fixed(types.Real),
		func(env *Env, a []types.Value) (types.Value, error) {
			if len(a) == 0 {
				return types.NewReal(env.float()), nil
			}
			n, ok := ToLong(a[0])
			if !ok {
				return types.NullOf(types.Real), nil
			}
			if n <= 0 {
				return types.NullOf(types.Real), fmt.Errorf("rand(): N must be positive, got %d", n)
			}
			return types.NewReal(float64(env.uint64() % uint64(n))), nil
		})
	bin2 := func(name, doc string, f func(a, b int64) int64) {
		def(name, name+"(value1, value2)", doc, 2, 2, "ii", fixed(types.Long),
			strict(types.Long, func(_ *Env, a []types.Value) (types.Value, error) {
				x, ok1 := ToLong(a[0])
				y, ok2 := ToLong(a[1])
				if !ok1 || !ok2 {
					return types.NullOf(types.Long), nil
				}
				return types.NewLong(f(x, y)), nil
			}))
	}
	bin2("binary_and", "Bitwise and.", func(a, b int64) int64 { return a & b })
	bin2("binary_or", "Bitwise or.", func(a, b int64) int64 { return a | b })
	bin2("binary_xor", "Bitwise exclusive or.", func(a, b int64) int64 { return a ^ b })
	bin2("binary_shift_left", "Shifts left by the given number of bits (mod 64).", func(a, b int64) int64 {
		if b < 0 {
			return 0
		}
		return a << (uint(b) % 64)
	})
	bin2("binary_shift_right", "Shifts right by the given number of bits (mod 64).", func(a, b int64) int64 {
		if b < 0 {
			return 0
		}
		return int64(uint64(a) >> (uint(b) % 64))
	})
	def("binary_not", "binary_not(value)", "Bitwise not.", 1, 1, "i", fixed(types.Long),
		strict(types.Long, func(_ *Env, a []types.Value) (types.Value, error) {
			x, _ := ToLong(a[0])
			return types.NewLong(^x), nil
		}))
	def("bitset_count_ones", "bitset_count_ones(value)", "Number of set bits.", 1, 1, "i", fixed(types.Long),
		strict(types.Long, func(_ *Env, a []types.Value) (types.Value, error) {
			x, _ := ToLong(a[0])
			return types.NewLong(int64(bits.OnesCount64(uint64(x)))), nil
		}))
}
