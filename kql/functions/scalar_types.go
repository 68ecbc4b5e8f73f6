package functions

import (
	"cmp"
	"fmt"
	"math"
	"strings"

	"github.com/huntbook/huntbook/kql/types"
)

// unify finds the common type of values that must agree (iff branches,
// coalesce, case, max_of): untyped nulls are ignored, numerics widen to the
// widest (int < long < real, decimal wins), anything else must match exactly.
func unify(fn string, ts []types.Type) (types.Type, error) {
	out := types.Null
	rank := map[types.Type]int{types.Int: 1, types.Long: 2, types.Real: 3, types.Decimal: 4}
	for i, t := range ts {
		switch {
		case t == types.Null:
		case out == types.Null:
			out = t
		case t == out:
		case t.IsNumeric() && out.IsNumeric():
			if rank[t] > rank[out] {
				out = t
			}
		default:
			return types.Null, fmt.Errorf("%s(): argument types must agree, got %s and %s (argument %d)", fn, out, t, i+1)
		}
	}
	return out, nil
}

// unifyBranches is unify for the value arguments of iff and case, which
// Kusto also accepts when a branch is dynamic: as Kusto.Language's
// CommonNonDynamic, the result takes the common type of the branches that
// are not dynamic, and dynamic branches convert to it
// (iff(c, split(x, ".")[0], "") is a string); only when every branch is
// dynamic is the result dynamic.
func unifyBranches(fn string, ts []types.Type) (types.Type, error) {
	var scalar []types.Type
	dynamic := false
	for _, t := range ts {
		if t == types.Dynamic {
			dynamic = true
		} else {
			scalar = append(scalar, t)
		}
	}
	out, err := unify(fn, scalar)
	if err == nil && out == types.Null && dynamic {
		return types.Dynamic, nil
	}
	return out, err
}

// branchType is the type unifyBranches gave the values vs at bind time.
func branchType(vs []types.Value) types.Type {
	ts := make([]types.Type, len(vs))
	for i, v := range vs {
		ts[i] = v.Type
	}
	t, err := unifyBranches("", ts)
	if err != nil {
		return vs[0].Type
	}
	return t
}

// coerce converts v to t where unify widened it (long to real, ...).
func coerce(v types.Value, t types.Type) types.Value {
	if v.Type == t || t == types.Null {
		return v
	}
	if v.IsNull() {
		return Null(t)
	}
	return Convert(v, t)
}

func isTrue(v types.Value) bool {
	if v.IsNull() {
		return false
	}
	b, ok := ToBool(v)
	return ok && b
}

func init() {
	for _, c := range []struct {
		name string
		t    types.Type
	}{
		{"tostring", types.String}, {"toint", types.Int}, {"tolong", types.Long}, {"toreal", types.Real},
		{"todouble", types.Real}, {"todecimal", types.Decimal}, {"tobool", types.Bool}, {"toboolean", types.Bool},
		{"todatetime", types.DateTime}, {"totimespan", types.TimeSpan}, {"toguid", types.GUID},
		{"todynamic", types.Dynamic}, {"parse_json", types.Dynamic}, {"parsejson", types.Dynamic},
		{"toobject", types.Dynamic}, {"time", types.TimeSpan},
	} {
		t := c.t
		def(c.name, c.name+"(value)", fmt.Sprintf("Converts a value to %s; null when it cannot be converted.", t), 1, 1, "a", fixed(t),
			func(_ *Env, a []types.Value) (types.Value, error) { return Convert(a[0], t), nil })
	}
	def("dynamic_to_json", "dynamic_to_json(value)", "Serialises a dynamic value as JSON text.", 1, 1, "a", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			return strV(types.DynamicJSON(ToDyn(a[0]))), nil
		})
	def("gettype", "gettype(value)", "The runtime type name of a value (array and dictionary for dynamic containers).", 1, 1, "a", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) { return strV(gettype(a[0])), nil })
	def("isnull", "isnull(value)", "Whether a value is null (a string is never null).", 1, 1, "a", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) { return types.NewBool(a[0].IsNull()), nil })
	def("isnotnull", "isnotnull(value)", "Whether a value is not null.", 1, 1, "a", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) { return types.NewBool(!a[0].IsNull()), nil })
	alias("notnull", "isnotnull")
	def("isempty", "isempty(value)", "Whether a value is null or an empty string.", 1, 1, "a", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) { return types.NewBool(isEmpty(a[0])), nil })
	def("isnotempty", "isnotempty(value)", "Whether a value is neither null nor an empty string.", 1, 1, "a", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) { return types.NewBool(!isEmpty(a[0])), nil })
	alias("notempty", "isnotempty")
	defR("coalesce", "coalesce(arg, arg_2, [arg_3, ...])", "The first argument that is not null (not empty, for strings).", 2, 64, "a",
		func(args []types.Type) (types.Type, error) { return unify("coalesce", args) },
		func(_ *Env, a []types.Value) (types.Value, error) {
			t := resultOf(a)
			for _, v := range a {
				if !isEmpty(v) {
					return coerce(v, t), nil
				}
			}
			return Null(t), nil
		})
	def("isnan", "isnan(number)", "Whether a real is NaN.", 1, 1, "n", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			f, ok := ToReal(a[0])
			return types.NewBool(ok && math.IsNaN(f)), nil
		})
	def("isinf", "isinf(number)", "Whether a real is infinite.", 1, 1, "n", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			f, ok := ToReal(a[0])
			return types.NewBool(ok && math.IsInf(f, 0)), nil
		})
	def("isfinite", "isfinite(number)", "Whether a real is neither infinite nor NaN.", 1, 1, "n", fixed(types.Bool),
		strict(types.Bool, func(_ *Env, a []types.Value) (types.Value, error) {
			f, ok := ToReal(a[0])
			return types.NewBool(ok && !math.IsInf(f, 0) && !math.IsNaN(f)), nil
		}))
	def("not", "not(expr)", "Logical negation.", 1, 1, "b", fixed(types.Bool),
		strict(types.Bool, func(_ *Env, a []types.Value) (types.Value, error) {
			b, ok := ToBool(a[0])
			if !ok {
				return types.NullOf(types.Bool), nil
			}
			return types.NewBool(!b), nil
		}))

	iffResult := func(name string) func([]types.Type) (types.Type, error) {
		return func(args []types.Type) (types.Type, error) {
			if !kindOK('b', args[0]) {
				return types.Null, fmt.Errorf("%s(): argument 1 (the condition) must be bool, got %s", name, args[0])
			}
			return unifyBranches(name, args[1:])
		}
	}
	iffEval := func(_ *Env, a []types.Value) (types.Value, error) {
		t := branchType(a[1:])
		if isTrue(a[0]) {
			return coerce(a[1], t), nil
		}
		return coerce(a[2], t), nil
	}
	defR("iff", "iff(condition, then, else)", "then when the condition is true, else otherwise (also when it is null).", 3, 3, "aaa", iffResult("iff"), iffEval)
	defR("iif", "iif(condition, then, else)", "Same as iff.", 3, 3, "aaa", iffResult("iif"), iffEval)
	defR("case", "case(predicate_1, then_1, [predicate_2, then_2, ...] else)", "The value of the first true predicate, else the last argument.", 3, -1, "a",
		func(args []types.Type) (types.Type, error) {
			if len(args)%2 == 0 {
				return types.Null, fmt.Errorf("case(): expects an odd number of arguments (pairs of predicate and value, then else), got %d", len(args))
			}
			vals := []types.Type{}
			for i := 0; i < len(args)-1; i += 2 {
				if !kindOK('b', args[i]) {
					return types.Null, fmt.Errorf("case(): argument %d (a predicate) must be bool, got %s", i+1, args[i])
				}
				vals = append(vals, args[i+1])
			}
			return unifyBranches("case", append(vals, args[len(args)-1]))
		},
		func(_ *Env, a []types.Value) (types.Value, error) {
			vals := []types.Value{}
			for i := 1; i < len(a); i += 2 {
				vals = append(vals, a[i])
			}
			vals = append(vals, a[len(a)-1])
			t := branchType(vals)
			for i := 0; i < len(a)-1; i += 2 {
				if isTrue(a[i]) {
					return coerce(a[i+1], t), nil
				}
			}
			return coerce(a[len(a)-1], t), nil
		})
	for _, m := range []struct {
		name string
		sign int
	}{{"max_of", 1}, {"min_of", -1}} {
		m := m
		defR(m.name, m.name+"(arg, arg_2, [arg_3, ...])", fmt.Sprintf("The %s of the arguments, ignoring nulls.", strings.TrimSuffix(m.name, "_of")), 2, 64, "o",
			func(args []types.Type) (types.Type, error) { return unify(m.name, args) },
			func(_ *Env, a []types.Value) (types.Value, error) {
				t := resultOf(a)
				best := Null(t)
				found := false
				for _, v := range a {
					if v.IsNull() {
						continue
					}
					v = coerce(v, t)
					if !found || Compare(v, best)*m.sign > 0 {
						best, found = v, true
					}
				}
				return best, nil
			})
	}
}

// resultOf is unify at run time over the values' own types; it cannot fail
// for arguments Result accepted.
func resultOf(vs []types.Value) types.Type {
	ts := make([]types.Type, len(vs))
	for i, v := range vs {
		ts[i] = v.Type
	}
	t, err := unify("", ts)
	if err != nil {
		return vs[0].Type
	}
	return t
}

func isEmpty(v types.Value) bool {
	if v.IsNull() {
		return true
	}
	switch v.Type {
	case types.String:
		return v.S == ""
	case types.Dynamic:
		s, ok := v.D.(string)
		return ok && s == ""
	}
	return false
}

func gettype(v types.Value) string {
	if v.Type == types.Dynamic {
		switch x := v.D.(type) {
		case nil:
			return "null"
		case []any:
			return "array"
		case *types.Bag:
			return "dictionary"
		default:
			return gettype(FromDyn(x))
		}
	}
	switch v.Type {
	case types.Real:
		return "real"
	case types.Null:
		return "null"
	}
	return v.Type.String()
}

// Compare orders two non-null values of comparable types: numbers by value
// (across int, long and real), strings ordinally, datetimes and timespans by
// ticks, bools false < true. Nulls sort first. It is the order min, max,
// arg_max and sorting use.
func Compare(a, b types.Value) int {
	an, bn := a.IsNull(), b.IsNull()
	switch {
	case an && bn:
		return 0
	case an:
		return -1
	case bn:
		return 1
	}
	if a.Type.IsNumeric() && b.Type.IsNumeric() {
		if (a.Type == types.Real || a.Type == types.Decimal) || (b.Type == types.Real || b.Type == types.Decimal) {
			x, _ := ToReal(a)
			y, _ := ToReal(b)
			return cmp.Compare(x, y)
		}
		return cmp.Compare(a.I, b.I)
	}
	switch a.Type {
	case types.String, types.GUID:
		return strings.Compare(a.S, ToString(b))
	case types.Bool, types.DateTime, types.TimeSpan, types.Int, types.Long:
		return cmp.Compare(a.I, b.I)
	case types.Real, types.Decimal:
		return cmp.Compare(a.F, b.F)
	case types.Dynamic:
		return strings.Compare(types.DynamicJSON(a.D), types.DynamicJSON(b.D))
	}
	return 0
}
