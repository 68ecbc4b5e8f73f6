package templates

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/huntbook/huntbook/kql/types"
)

// Literal renders v as a KQL literal that reads back as the same value:
// strings double-quoted with escapes, datetime(...), timespan(...),
// typed nulls (long(null)), real(nan), dynamic(...). A string that is not
// valid UTF-8 is an error: there is no literal for it and Kusto would
// mangle it.
func Literal(v types.Value) (string, error) {
	if v.IsNull() {
		if v.Type == types.Null {
			return "dynamic(null)", nil
		}
		return v.Type.String() + "(null)", nil
	}
	switch v.Type {
	case types.String:
		return QuoteString(v.S)
	case types.Bool:
		if v.Bool() {
			return "true", nil
		}
		return "false", nil
	case types.Int:
		return "int(" + strconv.FormatInt(v.I, 10) + ")", nil
	case types.Long:
		return strconv.FormatInt(v.I, 10), nil
	case types.Real:
		return realLit(v.F), nil
	case types.Decimal:
		return "decimal(" + strconv.FormatFloat(v.F, 'g', -1, 64) + ")", nil
	case types.DateTime:
		return "datetime(" + isoTicks(v.I) + ")", nil
	case types.TimeSpan:
		return "timespan(" + types.FormatTimeSpan(v.I) + ")", nil
	case types.GUID:
		if !isGUID(v.S) {
			return "", fmt.Errorf("%q is not a guid", v.S)
		}
		return "guid(" + v.S + ")", nil
	case types.Dynamic:
		js := types.DynamicJSON(v.D)
		if !utf8.ValidString(js) {
			return "", fmt.Errorf("dynamic value is not valid UTF-8")
		}
		// dynamic(...) takes JSON; a string in it is quoted JSON, which
		// KQL reads with the same escapes. Newlines are already escaped.
		return "dynamic(" + js + ")", nil
	}
	return "", fmt.Errorf("no literal for type %s", v.Type)
}

func realLit(f float64) string {
	switch {
	case math.IsNaN(f):
		return "real(nan)"
	case math.IsInf(f, 1):
		return "real(+inf)"
	case math.IsInf(f, -1):
		return "real(-inf)"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0" // 2.0, not the long 2
	}
	return s
}

// isoTicks renders a datetime with its full 7-digit fraction so the value
// survives exactly.
func isoTicks(ticks int64) string {
	frac := ticks % types.Second
	if frac < 0 {
		frac += types.Second
	}
	s := types.TicksToTime(ticks).Format("2006-01-02T15:04:05")
	if frac != 0 {
		s += "." + strconv.FormatInt(frac+types.Second, 10)[1:]
	}
	return s + "Z"
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !strings.ContainsRune("0123456789abcdefABCDEF", rune(c)) {
			return false
		}
	}
	return true
}

// QuoteString renders s as a double-quoted KQL string literal.
func QuoteString(s string) (string, error) {
	body, err := escapeIn(s, '"')
	if err != nil {
		return "", err
	}
	return `"` + body + `"`, nil
}

// escapeIn escapes s for the inside of a quoted (non-verbatim) KQL string
// delimited by q, refusing text that is not UTF-8 (it could not read back).
func escapeIn(s string, q byte) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("value is not valid UTF-8")
	}
	return types.EscapeString(s, q), nil
}
