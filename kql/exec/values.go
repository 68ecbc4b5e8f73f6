package exec

import (
	"cmp"
	"fmt"
	"github.com/huntbook/huntbook/kql/functions"
	"math"
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// This file holds Kusto's scalar semantics as the executor needs them:
// conversions, comparison, equality and arithmetic on types.Value.

// fromDyn converts a dynamic payload to a scalar of type t, null when it
// does not convert.
func fromDyn(d any, t types.Type) types.Value {
	if t == types.Dynamic {
		return types.NewDynamic(d)
	}
	if d == nil {
		return types.NullOf(t)
	}
	switch t {
	case types.String:
		return types.NewString(functions.DynString(d))
	case types.Bool:
		switch x := d.(type) {
		case bool:
			return types.NewBool(x)
		case int64:
			return types.NewBool(x != 0)
		case float64:
			return types.NewBool(x != 0)
		case string:
			return parseScalar(x, t)
		}
	case types.Int, types.Long:
		switch x := d.(type) {
		case bool:
			if x {
				return types.Value{Type: t, Valid: true, I: 1}
			}
			return types.Value{Type: t, Valid: true}
		case int64:
			return intOf(t, x)
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return types.NullOf(t)
			}
			return intOf(t, int64(x))
		case string:
			return parseScalar(x, t)
		case types.DateTimeValue:
			return intOf(t, int64(x))
		case types.TimeSpanValue:
			return intOf(t, int64(x))
		}
	case types.Real, types.Decimal:
		switch x := d.(type) {
		case bool:
			if x {
				return types.Value{Type: t, Valid: true, F: 1}
			}
			return types.Value{Type: t, Valid: true}
		case int64:
			return types.Value{Type: t, Valid: true, F: float64(x)}
		case float64:
			return types.Value{Type: t, Valid: true, F: x}
		case string:
			return parseScalar(x, t)
		}
	case types.DateTime:
		switch x := d.(type) {
		case types.DateTimeValue:
			return types.NewDateTime(int64(x))
		case string:
			return parseScalar(x, t)
		}
	case types.TimeSpan:
		switch x := d.(type) {
		case types.TimeSpanValue:
			return types.NewTimeSpan(int64(x))
		case int64:
			return types.NewTimeSpan(x)
		case string:
			return parseScalar(x, t)
		}
	case types.GUID:
		if s, ok := d.(string); ok {
			return parseScalar(s, t)
		}
	}
	return types.NullOf(t)
}

func intOf(t types.Type, i int64) types.Value {
	if t == types.Int {
		return types.NewInt(i)
	}
	return types.NewLong(i)
}

// convert changes v to type t the way a typed column stores a value of
// another type: numbers widen or truncate, anything becomes a string with
// tostring, anything becomes a dynamic.
func convert(v types.Value, t types.Type) types.Value {
	if v.Type == t {
		return v
	}
	if t == types.String {
		return types.NewString(functions.ToString(v))
	}
	if t == types.Dynamic {
		return types.NewDynamic(functions.ToDyn(v))
	}
	if v.IsNull() || (v.Type == types.String && v.S == "" && t != types.String) {
		return types.NullOf(t)
	}
	switch {
	case v.Type == types.Dynamic:
		return fromDyn(v.D, t)
	case v.Type == types.String:
		return parseScalar(v.S, t)
	case t == types.Int || t == types.Long:
		switch v.Type {
		case types.Real, types.Decimal:
			if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
				return types.NullOf(t)
			}
			return intOf(t, int64(v.F))
		case types.Int, types.Long, types.Bool, types.DateTime, types.TimeSpan:
			return intOf(t, v.I)
		}
	case t == types.Real || t == types.Decimal:
		switch v.Type {
		case types.Real, types.Decimal:
			return types.Value{Type: t, Valid: true, F: v.F}
		case types.Int, types.Long, types.Bool:
			return types.Value{Type: t, Valid: true, F: float64(v.I)}
		}
	case t == types.Bool:
		switch v.Type {
		case types.Int, types.Long:
			return types.NewBool(v.I != 0)
		case types.Real, types.Decimal:
			return types.NewBool(v.F != 0)
		}
	case t == types.DateTime || t == types.TimeSpan:
		switch v.Type {
		case types.Int, types.Long, types.DateTime, types.TimeSpan:
			return types.Value{Type: t, Valid: true, I: v.I}
		}
	}
	return types.NullOf(t)
}

// parseScalar parses text as a value of type t (for datatable, parse,
// externaldata and string conversions); failures are null.
func parseScalar(s string, t types.Type) types.Value {
	s2 := strings.TrimSpace(s)
	switch t {
	case types.String:
		return types.NewString(s)
	case types.Bool:
		switch strings.ToLower(s2) {
		case "true", "1":
			return types.NewBool(true)
		case "false", "0":
			return types.NewBool(false)
		}
	case types.Int, types.Long:
		if i, err := strconv.ParseInt(s2, 10, 64); err == nil {
			return intOf(t, i)
		}
		if f, err := strconv.ParseFloat(s2, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && f == math.Trunc(f) {
			return intOf(t, int64(f))
		}
	case types.Real, types.Decimal:
		switch strings.ToLower(s2) {
		case "nan":
			return types.Value{Type: t, Valid: true, F: math.NaN()}
		case "infinity", "+infinity", "inf":
			return types.Value{Type: t, Valid: true, F: math.Inf(1)}
		case "-infinity", "-inf":
			return types.Value{Type: t, Valid: true, F: math.Inf(-1)}
		}
		if f, err := strconv.ParseFloat(s2, 64); err == nil {
			return types.Value{Type: t, Valid: true, F: f}
		}
	case types.DateTime:
		if ticks, ok := parseDateTime(s2); ok {
			return types.NewDateTime(ticks)
		}
	case types.TimeSpan:
		if ticks, ok := parseTimeSpan(s2); ok {
			return types.NewTimeSpan(ticks)
		}
	case types.GUID:
		if isGUID(s2) {
			return types.NewGUID(s2)
		}
	case types.Dynamic:
		if s2 == "" {
			return types.NullOf(t)
		}
		if d, err := types.ParseJSON(s2); err == nil {
			return types.NewDynamic(d)
		}
		return types.NewDynamic(s)
	}
	return types.NullOf(t)
}

func isGUID(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// parseDateTime accepts ISO 8601 and the common RFC forms Kusto reads.
var dateLayouts = []string{
	"2006-01-02T15:04:05.9999999Z07:00",
	"2006-01-02T15:04:05.9999999",
	"2006-01-02 15:04:05.9999999Z07:00",
	"2006-01-02 15:04:05.9999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-1-2",
	"2006-1-2 15:04:05",
	"2006/01/02 15:04:05",
	"2006/01/02",
	"Mon, 02 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"1/2/2006 3:04:05 PM",
	"1/2/2006 15:04:05",
	"1/2/2006",
}

func parseDateTime(s string) (int64, bool) {
	for _, l := range dateLayouts {
		if t, err := parseTimeLayout(l, s); err == nil {
			return types.TimeToTicks(t), true
		}
	}
	return 0, false
}

// parseTimeSpan reads [-][d.]hh:mm[:ss[.fffffff]] and KQL literal forms
// such as 1d, 2h, 30m, 10s, 100ms, 5tick.
func parseTimeSpan(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	var ticks int64
	ok := false
	if strings.Contains(s, ":") {
		ticks, ok = parseClockSpan(s)
	} else {
		ticks, ok = parseUnitSpan(s)
	}
	if !ok {
		return 0, false
	}
	if neg {
		ticks = -ticks
	}
	return ticks, true
}

func parseClockSpan(s string) (int64, bool) {
	var days int64
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s, ':') {
		d, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil {
			return 0, false
		}
		days, s = d, s[i+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	ticks := days*types.Day + h*types.Hour + m*types.Minute
	if len(parts) == 3 {
		f, err := strconv.ParseFloat(parts[2], 64)
		if err != nil {
			return 0, false
		}
		ticks += int64(math.Round(f * float64(types.Second)))
	}
	return ticks, true
}

var spanUnits = []struct {
	suffix string
	ticks  float64
}{
	{"microseconds", float64(types.Microsecond)}, {"microsecond", float64(types.Microsecond)},
	{"milliseconds", float64(types.Millisecond)}, {"millisecond", float64(types.Millisecond)},
	{"seconds", float64(types.Second)}, {"second", float64(types.Second)},
	{"minutes", float64(types.Minute)}, {"minute", float64(types.Minute)},
	{"hours", float64(types.Hour)}, {"hour", float64(types.Hour)},
	{"days", float64(types.Day)}, {"day", float64(types.Day)},
	{"ticks", 1}, {"tick", 1},
	{"micros", float64(types.Microsecond)}, {"microsec", float64(types.Microsecond)},
	{"millis", float64(types.Millisecond)}, {"ms", float64(types.Millisecond)},
	{"sec", float64(types.Second)}, {"min", float64(types.Minute)},
	{"hr", float64(types.Hour)}, {"d", float64(types.Day)}, {"h", float64(types.Hour)},
	{"m", float64(types.Minute)}, {"s", float64(types.Second)},
}

func parseUnitSpan(s string) (int64, bool) {
	for _, u := range spanUnits {
		if strings.HasSuffix(s, u.suffix) {
			n := s[:len(s)-len(u.suffix)]
			f, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return 0, false
			}
			return int64(math.Round(f * u.ticks)), true
		}
	}
	return 0, false
}

// typeClass groups types that compare with each other.
type typeClass int

const (
	classNone typeClass = iota
	classBool
	classNum
	classString
	classTime
	classSpan
	classGUID
	classDyn
)

func classOf(t types.Type) typeClass {
	switch t {
	case types.Bool:
		return classBool
	case types.Int, types.Long, types.Real, types.Decimal:
		return classNum
	case types.String:
		return classString
	case types.DateTime:
		return classTime
	case types.TimeSpan:
		return classSpan
	case types.GUID:
		return classGUID
	case types.Dynamic:
		return classDyn
	}
	return classNone
}

func isFloat(t types.Type) bool { return t == types.Real || t == types.Decimal }

func numF(v types.Value) float64 {
	if isFloat(v.Type) {
		return v.F
	}
	return float64(v.I)
}

// compareValues orders two non-null values of comparable types: -1, 0, 1.
// Numbers compare across int/long/real; NaN sorts below every number.
func compareValues(a, b types.Value) int {
	if a.Type == types.Dynamic || b.Type == types.Dynamic {
		return compareDyn(functions.ToDyn(a), functions.ToDyn(b))
	}
	a, b = numericPair(a, b)
	ca, cb := classOf(a.Type), classOf(b.Type)
	if ca == classNum && cb == classNum {
		if !isFloat(a.Type) && !isFloat(b.Type) {
			return cmp.Compare(a.I, b.I)
		}
		return cmp.Compare(numF(a), numF(b))
	}
	if ca != cb {
		return strings.Compare(functions.ToString(a), functions.ToString(b))
	}
	switch ca {
	case classString, classGUID:
		return strings.Compare(a.S, b.S)
	default:
		return cmp.Compare(a.I, b.I)
	}
}

// numericPair lets a number meet a bool (as 0/1) or a numeric string (as
// the number it spells), as hunting queries compare ResultType == 0 on a
// string column; other pairs are returned unchanged.
func numericPair(a, b types.Value) (types.Value, types.Value) {
	ca, cb := classOf(a.Type), classOf(b.Type)
	if ca == cb || (ca != classNum && cb != classNum) {
		return a, b
	}
	fix := func(v types.Value) types.Value {
		switch v.Type {
		case types.Bool:
			return types.NewLong(v.I)
		case types.String:
			if n := parseScalar(v.S, types.Long); !n.IsNull() {
				return n
			}
			if n := parseScalar(v.S, types.Real); !n.IsNull() {
				return n
			}
		}
		return v
	}
	if ca == classNum {
		return a, fix(b)
	}
	return fix(a), b
}

// compareDyn orders dynamic payloads: numbers by value, strings
// ordinally, otherwise by their JSON text.
func compareDyn(a, b any) int {
	fa, aok := dynNum(a)
	fb, bok := dynNum(b)
	if aok && bok {
		ia, aInt := a.(int64)
		ib, bInt := b.(int64)
		if aInt && bInt {
			return cmp.Compare(ia, ib)
		}
		return cmp.Compare(fa, fb)
	}
	sa, aStr := a.(string)
	sb, bStr := b.(string)
	if aStr && bStr {
		return strings.Compare(sa, sb)
	}
	return strings.Compare(functions.DynString(a), functions.DynString(b))
}

func dynNum(d any) (float64, bool) {
	switch x := d.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// equalValues is == for two non-null values, Kusto style: numbers across
// types, strings case-sensitively, dynamics by their content.
func equalValues(a, b types.Value) bool {
	if a.Type == types.Dynamic && b.Type == types.Dynamic {
		return dynEqual(a.D, b.D)
	}
	if a.Type == types.Dynamic {
		return equalValues(fromDyn(a.D, b.Type), b)
	}
	if b.Type == types.Dynamic {
		return equalValues(a, fromDyn(b.D, a.Type))
	}
	a, b = numericPair(a, b)
	ca, cb := classOf(a.Type), classOf(b.Type)
	if ca == classNum && cb == classNum {
		if !isFloat(a.Type) && !isFloat(b.Type) {
			return a.I == b.I
		}
		return numF(a) == numF(b)
	}
	if ca != cb {
		if (ca == classGUID && cb == classString) || (ca == classString && cb == classGUID) {
			return strings.EqualFold(a.S, b.S)
		}
		return false
	}
	switch ca {
	case classString, classGUID:
		return a.S == b.S
	}
	return a.I == b.I
}

func dynEqual(a, b any) bool {
	fa, aok := dynNum(a)
	fb, bok := dynNum(b)
	if aok && bok {
		return fa == fb
	}
	sa, aStr := a.(string)
	sb, bStr := b.(string)
	if aStr || bStr {
		return aStr && bStr && sa == sb
	}
	return types.DynamicJSON(a) == types.DynamicJSON(b)
}

// arithType is the result type of X op Y, or an error naming the types.
func arithType(op token.Token, lt, rt types.Type) (types.Type, error) {
	if lt == types.Null {
		lt = rt
	}
	if rt == types.Null {
		rt = lt
	}
	if lt == types.Null {
		return types.Long, nil
	}
	bad := func() (types.Type, error) {
		return types.Null, fmt.Errorf("operator %s cannot be applied to %s and %s", op, lt, rt)
	}
	if lt == types.Dynamic || rt == types.Dynamic {
		o := rt
		if lt != types.Dynamic {
			o = lt
		}
		switch {
		case o == types.Dynamic || o.IsNumeric():
			return types.Dynamic, nil
		case o == types.TimeSpan || o == types.DateTime:
			return arithType(op, dynAs(lt, o), dynAs(rt, o))
		}
		return bad()
	}
	ln, rn := lt.IsNumeric(), rt.IsNumeric()
	switch {
	case ln && rn:
		switch {
		case lt == types.Real || rt == types.Real:
			return types.Real, nil
		case lt == types.Decimal || rt == types.Decimal:
			return types.Decimal, nil
		case lt == types.Long || rt == types.Long:
			return types.Long, nil
		}
		return types.Int, nil
	case lt == types.DateTime && rt == types.DateTime:
		if op == token.SUB {
			return types.TimeSpan, nil
		}
	case lt == types.DateTime && rt == types.TimeSpan:
		if op == token.ADD || op == token.SUB {
			return types.DateTime, nil
		}
	case lt == types.TimeSpan && rt == types.DateTime:
		if op == token.ADD {
			return types.DateTime, nil
		}
	case lt == types.TimeSpan && rt == types.TimeSpan:
		switch op {
		case token.ADD, token.SUB, token.REM:
			return types.TimeSpan, nil
		case token.QUO:
			return types.Real, nil
		}
	case lt == types.TimeSpan && rn:
		if op == token.MUL || op == token.QUO {
			return types.TimeSpan, nil
		}
	case ln && rt == types.TimeSpan:
		if op == token.MUL {
			return types.TimeSpan, nil
		}
	}
	return bad()
}

func dynAs(t, o types.Type) types.Type {
	if t == types.Dynamic {
		return o
	}
	return t
}

// arith computes X op Y with result type rt (from arithType); nulls
// propagate, integer division by zero is null, real division follows IEEE.
func arith(op token.Token, a, b types.Value, rt types.Type) types.Value {
	if a.IsNull() || b.IsNull() {
		return types.NullOf(rt)
	}
	if rt == types.Dynamic {
		return arithDyn(op, functions.ToDyn(a), functions.ToDyn(b))
	}
	if a.Type == types.Dynamic {
		a = fromDyn(a.D, b.Type)
		if a.IsNull() {
			return types.NullOf(rt)
		}
	}
	if b.Type == types.Dynamic {
		b = fromDyn(b.D, a.Type)
		if b.IsNull() {
			return types.NullOf(rt)
		}
	}
	switch rt {
	case types.Real, types.Decimal:
		if a.Type == types.TimeSpan && b.Type == types.TimeSpan { // span / span
			return types.Value{Type: rt, Valid: true, F: float64(a.I) / float64(b.I)}
		}
		x, y := numF(a), numF(b)
		var f float64
		switch op {
		case token.ADD:
			f = x + y
		case token.SUB:
			f = x - y
		case token.MUL:
			f = x * y
		case token.QUO:
			f = x / y
		case token.REM:
			f = math.Mod(x, y)
		}
		return types.Value{Type: rt, Valid: true, F: f}
	case types.Int, types.Long:
		r, ok := intArith(op, a.I, b.I)
		if !ok {
			return types.NullOf(rt)
		}
		return intOf(rt, r)
	case types.DateTime, types.TimeSpan:
		switch {
		case a.Type == types.TimeSpan && b.Type.IsNumeric():
			x := float64(a.I)
			y := numF(b)
			if op == token.MUL {
				return types.Value{Type: rt, Valid: true, I: int64(math.Round(x * y))}
			}
			if y == 0 {
				return types.NullOf(rt)
			}
			return types.Value{Type: rt, Valid: true, I: int64(math.Round(x / y))}
		case a.Type.IsNumeric() && b.Type == types.TimeSpan:
			return types.Value{Type: rt, Valid: true, I: int64(math.Round(numF(a) * float64(b.I)))}
		}
		r, ok := intArith(op, a.I, b.I)
		if !ok {
			return types.NullOf(rt)
		}
		return types.Value{Type: rt, Valid: true, I: r}
	}
	return types.NullOf(rt)
}

func intArith(op token.Token, x, y int64) (int64, bool) {
	switch op {
	case token.ADD:
		return x + y, true
	case token.SUB:
		return x - y, true
	case token.MUL:
		return x * y, true
	case token.QUO:
		if y == 0 {
			return 0, false
		}
		return x / y, true
	case token.REM:
		if y == 0 {
			return 0, false
		}
		return x % y, true
	}
	return 0, false
}

func arithDyn(op token.Token, a, b any) types.Value {
	ia, aInt := a.(int64)
	ib, bInt := b.(int64)
	if aInt && bInt {
		r, ok := intArith(op, ia, ib)
		if !ok {
			return types.NullOf(types.Dynamic)
		}
		return types.NewDynamic(r)
	}
	fa, aok := dynNum(a)
	fb, bok := dynNum(b)
	if !aok || !bok {
		return types.NullOf(types.Dynamic)
	}
	v := arith(op, types.NewReal(fa), types.NewReal(fb), types.Real)
	return types.NewDynamic(v.F)
}
