// Package functions owns KQL's scalar and aggregate function library: the
// registry the binder and executor look functions up in, each function's
// signature, result-type rule and evaluation over kql/types.Value, with
// Kusto's semantics (null propagation, implicit conversions, edge cases).
//
// # Scalars
//
// A Scalar is looked up by its exact (case-sensitive) name with LookupScalar.
// Result checks argument types at bind time and returns the result type (or
// an error naming the function and the offending argument); Eval computes one
// row. Eval receives values of the types Result accepted; an untyped null
// (types.Null) is accepted wherever a value is. Functions that need the
// query clock (now, ago) or randomness (rand, new_guid) read them from Env.
//
// # Aggregates
//
// An Aggregate makes one Accumulator per group with New. The executor calls
// Add once per row with the evaluated arguments (constant arguments such as
// percentile's 95 or make_set's size limit are passed on every row too; the
// accumulator reads them on the first row). Merge folds another accumulator
// of the same aggregate and argument types into the receiver, for parallel
// aggregation. Result gives the group's value.
//
// # Several outputs
//
// Some aggregates produce several columns: arg_max/arg_min(x, c1, c2, ...),
// take_any(c1, c2, ...) and percentiles(x, p1, p2, ...). For these,
// Aggregate.Outputs is non-nil: given the argument types, the names the
// executor would give the arguments ("" for an expression without one) and the
// constant argument values, it returns the output columns in order. Their
// accumulators also implement MultiAccumulator, whose Results returns one
// value per output column (Result returns the first). The executor expands
// `*` in arg_max(x, *) or take_any(*) into all input columns itself before
// calling Outputs and Add. For arg_max/arg_min the first output is the
// maximised expression itself, then one column per further argument.
//
// Approximations: dcount/dcountif/hll use HyperLogLog with 2^14 registers
// (Kusto's default accuracy level 1, about 0.8% error; level 0 is 2^12 and
// about 1.6%), exact below a few hundred distinct values. percentile and
// percentiles compute the exact nearest-rank percentile over all collected
// values rather than Kusto's T-Digest estimate: identical on small inputs.
package functions

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/types"
)

// Env is the per-query context a scalar may read.
type Env struct {
	// Now is the query's now() in ticks since the Unix epoch; every call of
	// now() and ago() in one query sees the same instant, as in Kusto.
	Now int64
	// Rand feeds rand() and new_guid(); nil uses a process-wide source.
	Rand *rand.Rand
	// Geo answers geo_info_from_ip_address(); nil answers null, as Kusto
	// does for an address its database does not know.
	Geo GeoLocator
}

// GeoLocator looks up where an IP address is (package geoip reads the
// databases).
type GeoLocator interface {
	Locate(ip netip.Addr) (GeoInfo, bool)
}

// GeoInfo is what geo_info_from_ip_address() returns about an address.
type GeoInfo struct {
	Country, State, City string
	Latitude, Longitude  float64
}

// Scalar is a scalar function.
type Scalar struct {
	Name      string
	Signature string // "strcat(arg1, arg2, ...)", shown by completion and inspect
	Doc       string // one line
	MinArgs   int
	MaxArgs   int // -1 = variadic
	// Result tells the result type from the argument types; it returns an
	// error for wrong argument types with a message naming the argument.
	Result func(args []types.Type) (types.Type, error)
	// ResultConsts, when set, refines Result for functions whose result type
	// depends on a constant argument (extract's typeof(real)): consts[i] is
	// argument i's value when it is a constant, an invalid Value otherwise;
	// a type literal is passed as its name, a string Value such as "real".
	ResultConsts func(args []types.Type, consts []types.Value) (types.Type, error)
	Eval         func(env *Env, args []types.Value) (types.Value, error)
}

// Aggregate is an aggregation function used by summarize.
type Aggregate struct {
	Name      string
	Signature string
	Doc       string
	MinArgs   int
	MaxArgs   int // -1 = variadic
	// Result tells the (first) result type from the argument types.
	Result func(args []types.Type) (types.Type, error)
	// New makes the accumulator for one group.
	New func(args []types.Type) Accumulator
	// Outputs is set for aggregates with several output columns (see the
	// package doc); names[i] is the executor's name for argument i ("" if
	// none) and consts[i] the value of argument i when it is a constant (an
	// invalid Value otherwise).
	Outputs func(args []types.Type, names []string, consts []types.Value) ([]types.Column, error)
}

// Accumulator folds the rows of one group.
type Accumulator interface {
	Add(args []types.Value) // one row
	Merge(other Accumulator)
	Result() types.Value
}

// MultiResult is the row of values a several-output aggregate produces, one
// per column that its Aggregate.Outputs returned.
type MultiResult []types.Value

// MultiAccumulator is implemented by the accumulators of aggregates whose
// Outputs is non-nil.
type MultiAccumulator interface {
	Accumulator
	Results() MultiResult
}

var (
	scalars    = map[string]*Scalar{}
	aggregates = map[string]*Aggregate{}
)

// LookupScalar finds a scalar function by its exact name (Kusto function
// names are case-sensitive).
func LookupScalar(name string) (*Scalar, bool) {
	s, ok := scalars[name]
	return s, ok
}

// LookupAggregate finds an aggregate function by its exact name.
func LookupAggregate(name string) (*Aggregate, bool) {
	a, ok := aggregates[name]
	return a, ok
}

// Names lists every scalar and aggregate name, sorted, each once.
func Names() []string {
	seen := map[string]bool{}
	var out []string
	for n := range scalars {
		seen[n] = true
		out = append(out, n)
	}
	for n := range aggregates {
		if !seen[n] {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// ScalarNames lists the scalar function names, sorted.
func ScalarNames() []string {
	out := make([]string, 0, len(scalars))
	for n := range scalars {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// AggregateNames lists the aggregate function names, sorted.
func AggregateNames() []string {
	out := make([]string, 0, len(aggregates))
	for n := range aggregates {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// CheckArity returns an error when n arguments do not fit min..max.
func CheckArity(name string, min, max, n int) error {
	switch {
	case n < min && (max == min):
		return fmt.Errorf("%s(): expects %d argument%s, got %d", name, min, plural(min), n)
	case n < min:
		return fmt.Errorf("%s(): expects at least %d argument%s, got %d", name, min, plural(min), n)
	case max >= 0 && n > max && max == min:
		return fmt.Errorf("%s(): expects %d argument%s, got %d", name, max, plural(max), n)
	case max >= 0 && n > max:
		return fmt.Errorf("%s(): expects at most %d argument%s, got %d", name, max, plural(max), n)
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// --- registration helpers ---------------------------------------------------

// evalFn is the common shape of scalar implementations.
type evalFn = func(env *Env, args []types.Value) (types.Value, error)

// resultFn computes a result type from argument types already checked
// against the parameter kinds.
type resultFn = func(args []types.Type) types.Type

// kind letters for parameter checking:
//
//	s string (also accepts dynamic and guid, converted as tostring does)
//	a any scalar     n numeric     i integer (numeric accepted, truncated)
//	d datetime       t timespan    b bool        y dynamic
//	g guid           o orderable (numeric, string, datetime, timespan, bool, guid)
//	p part name (a string naming a date part)
//	u numeric or timespan (stdev and variance of a timespan, in ticks)
//
// A params string lists one letter per parameter; in a variadic function the
// last letter repeats.
func kindOK(k byte, t types.Type) bool {
	if t == types.Null {
		return true
	}
	switch k {
	case 'a':
		return true
	case 's', 'p':
		return t == types.String || t == types.Dynamic || t == types.GUID
	case 'n':
		return t.IsNumeric() || t == types.Dynamic
	case 'i':
		return t.IsNumeric() || t == types.Dynamic || t == types.Bool
	case 'd':
		return t == types.DateTime || t == types.Dynamic
	case 't':
		return t == types.TimeSpan || t == types.Dynamic
	case 'b':
		return t == types.Bool || t == types.Dynamic
	case 'y':
		return t == types.Dynamic
	case 'g':
		return t == types.GUID || t == types.String || t == types.Dynamic
	case 'o':
		return t != types.Dynamic
	case 'u':
		return t.IsNumeric() || t == types.Dynamic || t == types.TimeSpan
	}
	return false
}

var kindNames = map[byte]string{
	'a': "a scalar", 's': "string", 'p': "string (a date part name)", 'n': "numeric",
	'i': "int or long", 'd': "datetime", 't': "timespan", 'b': "bool", 'y': "dynamic",
	'g': "guid", 'o': "an orderable scalar", 'u': "numeric or timespan",
}

// checkKinds validates argument types against a params string.
func checkKinds(name, params string, args []types.Type) error {
	for i, t := range args {
		var k byte
		switch {
		case i < len(params):
			k = params[i]
		case len(params) > 0:
			k = params[len(params)-1]
		default:
			return fmt.Errorf("%s(): takes no arguments", name)
		}
		if !kindOK(k, t) {
			return fmt.Errorf("%s(): argument %d must be %s, got %s", name, i+1, kindNames[k], t)
		}
	}
	return nil
}

// fixed is a resultFn returning t whatever the arguments.
func fixed(t types.Type) resultFn { return func([]types.Type) types.Type { return t } }

// sameAs returns the type of argument i (long for an untyped null).
func sameAs(i int) resultFn {
	return func(args []types.Type) types.Type {
		if i < len(args) && args[i] != types.Null {
			return args[i]
		}
		return types.Long
	}
}

// def registers a scalar. min/max are the arity, params the kind letters.
func def(name, sig, doc string, min, max int, params string, res resultFn, eval evalFn) *Scalar {
	s := &Scalar{Name: name, Signature: sig, Doc: doc, MinArgs: min, MaxArgs: max, Eval: eval}
	s.Result = func(args []types.Type) (types.Type, error) {
		if err := CheckArity(name, min, max, len(args)); err != nil {
			return types.Null, err
		}
		if err := checkKinds(name, params, args); err != nil {
			return types.Null, err
		}
		return res(args), nil
	}
	scalars[name] = s
	return s
}

// defR registers a scalar whose result rule does its own checking beyond
// the kind letters.
func defR(name, sig, doc string, min, max int, params string, res func([]types.Type) (types.Type, error), eval evalFn) *Scalar {
	s := &Scalar{Name: name, Signature: sig, Doc: doc, MinArgs: min, MaxArgs: max, Eval: eval}
	s.Result = func(args []types.Type) (types.Type, error) {
		if err := CheckArity(name, min, max, len(args)); err != nil {
			return types.Null, err
		}
		if err := checkKinds(name, params, args); err != nil {
			return types.Null, err
		}
		return res(args)
	}
	scalars[name] = s
	return s
}

// alias registers an existing scalar under another name.
func alias(name, of string) {
	s := *scalars[of]
	s.Name = name
	s.Signature = name + strings.TrimPrefix(s.Signature, of)
	scalars[name] = &s
}

// anyNull reports whether any argument is null (strings never are).
func anyNull(args []types.Value) bool {
	for _, a := range args {
		if a.IsNull() {
			return true
		}
	}
	return false
}

// strict wraps an evaluation so that any null argument yields a null of the
// given type: the usual Kusto propagation rule.
func strict(t types.Type, f evalFn) evalFn {
	return func(env *Env, args []types.Value) (types.Value, error) {
		if anyNull(args) {
			return Null(t), nil
		}
		return f(env, args)
	}
}

// strictBy is strict for functions whose result type follows the argument
// types: the null's type comes from res over the runtime argument types.
func strictBy(res resultFn, f evalFn) evalFn {
	return func(env *Env, args []types.Value) (types.Value, error) {
		if anyNull(args) {
			ts := make([]types.Type, len(args))
			for i, a := range args {
				ts[i] = a.Type
			}
			return Null(res(ts)), nil
		}
		return f(env, args)
	}
}

// Null returns the null of t; for string, the empty string (Kusto has no null
// string).
func Null(t types.Type) types.Value {
	if t == types.String {
		return types.NewString("")
	}
	return types.NullOf(t)
}
