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
func QuoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f || r == 0xfffd {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
