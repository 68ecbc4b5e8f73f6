package workspace

import "github.com/huntbook/huntbook/kql/types"

// Type inference for columns no schema declares. Each sampled value gets
// its narrowest type and the column gets the join of them; types.Null
// stands for "only empty values so far".

// classifyText is the narrowest type of a CSV field.
func classifyText(b []byte) types.Type {
	b = trimSpace(b)
	if len(b) == 0 {
		return types.Null
	}
	switch c := b[0]; {
	case c == '{' || c == '[':
		if _, err := parseDynamic(b); err == nil {
			return types.Dynamic
		}
		return types.String
	case c == 't' || c == 'T' || c == 'f' || c == 'F':
		if len(b) >= 4 {
			if _, ok := parseBool(b); ok {
				return types.Bool
			}
		}
	}
	if t := classifyString(b); t != types.String {
		return t
	}
	if c := b[0]; isDigit(c) || c == '-' || c == '+' || c == '.' {
		if _, ok := parseLong(b); ok {
			return types.Long
		}
		if _, ok := parseReal(b); ok {
			return types.Real
		}
	}
	return types.String
}

// classifyString is the narrowest type a string value can have: datetime,
// guid, timespan, dynamic (JSON object or array text) or string.
func classifyString(b []byte) types.Type {
	b = trimSpace(b)
	if len(b) == 0 {
		return types.Null
	}
	switch {
	case b[0] == '{' || b[0] == '[':
		if _, err := parseDynamic(b); err == nil {
			return types.Dynamic
		}
	case len(b) >= 8 && isDigit(b[0]) && (b[4] == '-' || b[4] == '/' || b[1] == '/' || b[2] == '/' || b[1] == '.' || b[2] == '.'):
		// either order: the column's order is chosen after its type
		if _, ok := parseDateTime(b); ok {
			return types.DateTime
		}
		if _, ok := parseDateTimeIn(b, true); ok {
			return types.DateTime
		}
	}
	if len(b) == 36 || len(b) == 38 {
		var buf [36]byte
		if _, ok := parseGUID(b, &buf); ok {
			return types.GUID
		}
	}
	if colons(b) == 2 {
		if _, ok := parseTimeSpan(b, false); ok {
			return types.TimeSpan
		}
	}
	return types.String
}

func colons(b []byte) int {
	n := 0
	for _, c := range b {
		if c == ':' {
			n++
		}
	}
	return n
}

// classifyCell is the narrowest type of a JSON or Parquet value.
func classifyCell(c cell) types.Type {
	switch c.kind {
	case cBool:
		return types.Bool
	case cInt:
		return types.Long
	case cFloat:
		return types.Real
	case cNum:
		if _, isInt, _ := scanNumber(c.b, 0); isInt {
			if _, ok := parseLong(c.b); ok {
				return types.Long
			}
		}
		return types.Real
	case cStr:
		return classifyString(c.b)
	case cJSON:
		return types.Dynamic
	case cTime:
		return types.DateTime
	case cSpan:
		return types.TimeSpan
	}
	return types.Null
}

// joinText joins CSV types: numbers widen to real, other mixes are strings.
func joinText(a, b types.Type) types.Type {
	switch {
	case a == types.Null:
		return b
	case b == types.Null || a == b:
		return a
	case a.IsNumeric() && b.IsNumeric():
		return types.Real
	}
	return types.String
}

// joinCell joins JSON types: numbers widen to real, types read from JSON
// strings widen to string, and anything else mixed is dynamic, which holds
// every JSON value faithfully.
func joinCell(a, b types.Type) types.Type {
	switch {
	case a == types.Null:
		return b
	case b == types.Null || a == b:
		return a
	case a.IsNumeric() && b.IsNumeric():
		return types.Real
	case fromString(a) && fromString(b):
		return types.String
	}
	return types.Dynamic
}

func fromString(t types.Type) bool {
	return t == types.String || t == types.DateTime || t == types.GUID || t == types.TimeSpan
}

// finalType turns "only nulls seen" into string.
func finalType(t types.Type) types.Type {
	if t == types.Null {
		return types.String
	}
	return t
}

// tally counts the narrowest types of a column's values, so inference can
// take the type nearly all of them have: one stray "abc" in a count column
// should make a null and a report, not a string column.
type tally [types.Dynamic + 1]int

func (t *tally) add(ty types.Type) { t[ty]++ }

func (t *tally) merge(o *tally) {
	for i, n := range o {
		t[i] += n
	}
}

// majority is the type of a column with these values: the join of them
// all when they agree, otherwise the type nearly all non-empty values
// share (numbers together), when the rest are few: at most 1% of them, or
// a single value among at least ten. Otherwise the join (string).
func (t *tally) majority() types.Type {
	all, n := types.Null, 0
	for ty, c := range t {
		if c > 0 {
			all = joinText(all, types.Type(ty))
			if ty != int(types.Null) {
				n += c
			}
		}
	}
	if all != types.String || n == 0 {
		return finalType(all)
	}
	groups := []struct {
		ty    types.Type
		count int
	}{
		{types.Bool, t[types.Bool]},
		{numericJoin(t), t[types.Long] + t[types.Real]},
		{types.DateTime, t[types.DateTime]},
		{types.TimeSpan, t[types.TimeSpan]},
		{types.GUID, t[types.GUID]},
		{types.Dynamic, t[types.Dynamic]},
	}
	for _, g := range groups {
		bad := n - g.count
		if g.count > 0 && (bad*100 <= n || bad == 1 && n >= 10) {
			return g.ty
		}
	}
	return types.String
}

func numericJoin(t *tally) types.Type {
	if t[types.Real] > 0 {
		return types.Real
	}
	return types.Long
}
