package types

import (
	"fmt"
	"strings"
)

// Literal renders v as a KQL literal of its own type, so that text built
// from values (query parameters, injected notebook parameters) always parses
// back to the same value and can never change a query's structure.
func (v Value) Literal() string {
	if v.IsNull() {
		return v.Type.String() + "(null)"
	}
	switch v.Type {
	case String:
		return QuoteString(v.S)
	case Bool:
		return v.String()
	case Int:
		return "int(" + v.String() + ")"
	case Long:
		return "long(" + v.String() + ")"
	case Real:
		return "real(" + v.String() + ")"
	case Decimal:
		return "decimal(" + v.String() + ")"
	case DateTime:
		return "datetime(" + v.String() + ")"
	case TimeSpan:
		return "timespan(" + v.String() + ")"
	case GUID:
		return "guid(" + v.S + ")"
	case Dynamic:
		return "dynamic(" + v.String() + ")"
	}
	return QuoteString(v.String())
}

// QuoteString makes a double-quoted KQL string literal with every character
// that could end or bend it escaped.
func QuoteString(s string) string { return `"` + EscapeString(s, '"') + `"` }

// EscapeString escapes s for the inside of a quoted (non-verbatim) KQL string
// delimited by quote: the documented escapes (\\, \", \', \t, \n, \r) and \u
// for the other control characters, line separators and replacement
// characters, which could end the literal or hide text from a reader.
func EscapeString(s string, quote byte) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(quote):
			b.WriteByte('\\')
			b.WriteByte(quote)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfffd:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
