// Package scanner is the KQL lexer, in the manner of go/scanner: it turns a
// query text into tokens with positions, reporting malformed literals to an
// ErrorHandler and carrying on.
//
// KQL words are contextual, so every word (where, by, kind, has, ...) comes
// out as token.IDENT and the parser decides what it means. Forms whose body
// is not made of tokens (datetime(2024-01-01 10:00), time(1.02:03:04),
// guid(...)) come out whole as token.TYPEDLIT.
package scanner

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/huntbook/huntbook/kql/token"
)

// ErrorHandler is called for each lexical error, with its position and a
// message.
type ErrorHandler func(pos token.Position, msg string)

// Mode controls optional scanner behaviour.
type Mode uint

// ScanComments returns // comments as token.COMMENT instead of skipping them.
const ScanComments Mode = 1 << iota

// Scanner holds the state of a scan over one text. Use Init, then Scan.
type Scanner struct {
	file *token.File
	src  []byte
	errh ErrorHandler

	// Mode may be set after Init and before the first Scan.
	Mode Mode

	off        int // read offset
	ErrorCount int
}

// Init prepares s to scan src, whose positions file describes (file may be
// nil: one is made from src). errh may be nil.
func (s *Scanner) Init(file *token.File, src []byte, errh ErrorHandler) {
	if file == nil {
		file = token.NewFile("", src)
	}
	s.file, s.src, s.errh = file, src, errh
	s.off = 0
	s.ErrorCount = 0
}

func (s *Scanner) error(off int, msg string) {
	s.ErrorCount++
	if s.errh != nil {
		s.errh(s.file.Position(s.file.Pos(off)), msg)
	}
}

func (s *Scanner) peek(i int) byte {
	if s.off+i < len(s.src) {
		return s.src[s.off+i]
	}
	return 0
}

func isLetter(r rune) bool {
	return r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r >= utf8.RuneSelf && unicode.IsLetter(r)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func (s *Scanner) runeAt(off int) (rune, int) {
	if off >= len(s.src) {
		return -1, 0
	}
	if c := s.src[off]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRune(s.src[off:])
}

func (s *Scanner) skipSpace() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' {
			s.off++
			continue
		}
		if c >= utf8.RuneSelf {
			r, w := utf8.DecodeRune(s.src[s.off:])
			// Zero-width spaces and BOMs pasted from web pages are blanks too.
			if unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B' || r == '\u200C' || r == '\u200D' || r == '\u2060' {
				s.off += w
				continue
			}
		}
		return
	}
}

// Scan returns the next token: its position, kind and source text (for
// literals, identifiers and comments; the operator text otherwise). At the
// end of the text it returns token.EOF, again and again.
func (s *Scanner) Scan() (pos token.Pos, tok token.Token, lit string) {
scanAgain:
	s.skipSpace()
	start := s.off
	pos = s.file.Pos(start)
	if s.off >= len(s.src) {
		return pos, token.EOF, ""
	}
	c := s.src[s.off]
	r, w := s.runeAt(s.off)
	switch {
	case isLetter(r):
		return s.scanWord(pos)
	case isDigit(c) || c == '.' && isDigit(s.peek(1)):
		return s.scanNumber(pos)
	}
	s.off += w
	switch c {
	case '"', '\'':
		s.scanQuoted(start, c)
		return pos, token.STRING, string(s.src[start:s.off])
	case '`':
		if s.peek(0) == '`' && s.peek(1) == '`' {
			s.off += 2
			s.scanFenced(start, "```")
			return pos, token.STRING, string(s.src[start:s.off])
		}
	case '~':
		if s.peek(0) == '~' && s.peek(1) == '~' {
			s.off += 2
			s.scanFenced(start, "~~~")
			return pos, token.STRING, string(s.src[start:s.off])
		}
	case '@':
		if q := s.peek(0); q == '"' || q == '\'' {
			s.off++
			s.scanVerbatim(start, q)
			return pos, token.STRING, string(s.src[start:s.off])
		}
		return pos, token.AT, "@"
	case '$':
		// $left, $right, $ for the whole row in some plugins.
		s.skipIdentChars()
		return pos, token.IDENT, string(s.src[start:s.off])
	case '/':
		if s.peek(0) == '/' {
			for s.off < len(s.src) && s.src[s.off] != '\n' {
				s.off++
			}
			if s.Mode&ScanComments == 0 {
				goto scanAgain
			}
			return pos, token.COMMENT, strings.TrimRight(string(s.src[start:s.off]), "\r")
		}
		return pos, token.QUO, "/"
	case '+':
		return pos, token.ADD, "+"
	case '-':
		return pos, token.SUB, "-"
	case '*':
		return pos, token.MUL, "*"
	case '%':
		return pos, token.REM, "%"
	case '=':
		switch s.peek(0) {
		case '=':
			s.off++
			return pos, token.EQL, "=="
		case '~':
			s.off++
			return pos, token.EQTILDE, "=~"
		case '>':
			s.off++
			return pos, token.ARROW, "=>"
		}
		return pos, token.ASSIGN, "="
	case '!':
		switch s.peek(0) {
		case '=':
			s.off++
			return pos, token.NEQ, "!="
		case '~':
			s.off++
			return pos, token.NEQTILDE, "!~"
		}
		return pos, token.BANG, "!"
	case '<':
		switch s.peek(0) {
		case '=':
			s.off++
			return pos, token.LEQ, "<="
		case '>':
			s.off++
			return pos, token.NEQ, "<>"
		}
		return pos, token.LSS, "<"
	case '>':
		if s.peek(0) == '=' {
			s.off++
			return pos, token.GEQ, ">="
		}
		return pos, token.GTR, ">"
	case '(':
		return pos, token.LPAREN, "("
	case ')':
		return pos, token.RPAREN, ")"
	case '[':
		return pos, token.LBRACK, "["
	case ']':
		return pos, token.RBRACK, "]"
	case '{':
		return pos, token.LBRACE, "{"
	case '}':
		return pos, token.RBRACE, "}"
	case ',':
		return pos, token.COMMA, ","
	case '.':
		if s.peek(0) == '.' {
			s.off++
			return pos, token.DOTDOT, ".."
		}
		return pos, token.PERIOD, "."
	case ';':
		return pos, token.SEMICOLON, ";"
	case ':':
		return pos, token.COLON, ":"
	case '|':
		return pos, token.PIPE, "|"
	case '?':
		return pos, token.QUESTION, "?"
	case '#':
		// A line starting with # is a client directive (#connect ...), which
		// Kusto tools read and the query language ignores.
		if s.atLineStart(start) {
			for s.off < len(s.src) && s.src[s.off] != '\n' {
				s.off++
			}
			if s.Mode&ScanComments == 0 {
				goto scanAgain
			}
			return pos, token.COMMENT, strings.TrimRight(string(s.src[start:s.off]), "\r")
		}
	}
	lit = string(s.src[start:s.off])
	s.error(start, fmt.Sprintf("unexpected character %q", lit))
	return pos, token.ILLEGAL, lit
}

// skipIdentChars advances over letters, digits and underscores.
func (s *Scanner) skipIdentChars() {
	for s.off < len(s.src) {
		r, w := s.runeAt(s.off)
		if !isLetter(r) && !(r < utf8.RuneSelf && isDigit(byte(r))) {
			return
		}
		s.off += w
	}
}

// typedLits are the words whose parenthesized body is raw text rather than
// tokens.
var typedLits = map[string]bool{"datetime": true, "date": true, "time": true, "timespan": true, "guid": true}

func (s *Scanner) scanWord(pos token.Pos) (token.Pos, token.Token, string) {
	start := s.off
	s.skipIdentChars()
	word := string(s.src[start:s.off])
	// h"..." and h@"..." are obfuscated strings: the same value, hidden from logs.
	if word == "h" || word == "H" {
		if q := s.peek(0); q == '"' || q == '\'' {
			s.off++
			s.scanQuoted(start, q)
			return pos, token.STRING, string(s.src[start:s.off])
		}
		if s.peek(0) == '@' && (s.peek(1) == '"' || s.peek(1) == '\'') {
			q := s.peek(1)
			s.off += 2
			s.scanVerbatim(start, q)
			return pos, token.STRING, string(s.src[start:s.off])
		}
	}
	// in~ is one operator word (case-insensitive in).
	if word == "in" && s.peek(0) == '~' {
		s.off++
		return pos, token.IDENT, "in~"
	}
	if typedLits[strings.ToLower(word)] {
		save := s.off
		s.skipSpace()
		if s.peek(0) == '(' {
			end := s.off + 1
			for end < len(s.src) && s.src[end] != ')' && s.src[end] != '\n' && s.src[end] != '|' {
				end++
			}
			if end < len(s.src) && s.src[end] == ')' {
				s.off = end + 1
				return pos, token.TYPEDLIT, string(s.src[start:s.off])
			}
			s.error(s.off, fmt.Sprintf("%s literal not terminated: expected ')'", word))
			s.off = end
			return pos, token.TYPEDLIT, string(s.src[start:s.off])
		}
		s.off = save
	}
	return pos, token.IDENT, word
}

// timespanUnits are the suffixes KQL accepts on a number to make a timespan.
var timespanUnits = map[string]bool{
	"d": true, "day": true, "days": true,
	"h": true, "hr": true, "hrs": true, "hour": true, "hours": true,
	"m": true, "min": true, "minute": true, "minutes": true,
	"s": true, "sec": true, "second": true, "seconds": true,
	"ms": true, "milli": true, "millis": true, "millisecond": true, "milliseconds": true,
	"microsecond": true, "microseconds": true,
	"nanosecond": true, "nanoseconds": true,
	"tick": true, "ticks": true,
}

// TimespanUnit reports whether suffix is a timespan unit KQL accepts after a
// number (d, h, m, s, ms, microsecond, tick and their long forms).
func TimespanUnit(suffix string) bool { return timespanUnits[strings.ToLower(suffix)] }

func (s *Scanner) scanNumber(pos token.Pos) (token.Pos, token.Token, string) {
	start := s.off
	tok := token.LONG
	if s.src[s.off] == '0' && (s.peek(1) == 'x' || s.peek(1) == 'X') {
		s.off += 2
		n := s.off
		for s.off < len(s.src) && strings.IndexByte("0123456789abcdefABCDEF", s.src[s.off]) >= 0 {
			s.off++
		}
		if s.off == n {
			s.error(start, "hexadecimal literal has no digits")
		}
		return pos, token.LONG, string(s.src[start:s.off])
	}
	for s.off < len(s.src) && isDigit(s.src[s.off]) {
		s.off++
	}
	// A fraction needs a digit after the dot so that 1..10 stays 1 .. 10.
	if s.peek(0) == '.' && s.peek(1) != '.' && !isLetter(rune(s.peek(1))) {
		tok = token.REAL
		s.off++
		for s.off < len(s.src) && isDigit(s.src[s.off]) {
			s.off++
		}
	}
	if c := s.peek(0); c == 'e' || c == 'E' {
		d := 1
		if p := s.peek(1); p == '+' || p == '-' {
			d = 2
		}
		if isDigit(s.peek(d)) {
			tok = token.REAL
			s.off += d
			for s.off < len(s.src) && isDigit(s.src[s.off]) {
				s.off++
			}
		}
	}
	// A word glued to the number is a timespan unit.
	if r, _ := s.runeAt(s.off); isLetter(r) {
		us := s.off
		s.skipIdentChars()
		unit := string(s.src[us:s.off])
		if !TimespanUnit(unit) {
			// Kusto names may start with digits: 2022MostExploited, 5Minutebin.
			if tok == token.LONG {
				return pos, token.IDENT, string(s.src[start:s.off])
			}
			s.error(start, fmt.Sprintf("unknown timespan unit %q after number (want d, h, m, s, ms, microsecond or tick)", unit))
			return pos, token.ILLEGAL, string(s.src[start:s.off])
		}
		return pos, token.TIMESPAN, string(s.src[start:s.off])
	}
	return pos, tok, string(s.src[start:s.off])
}

// scanQuoted scans the rest of a '...' or "..." string with backslash
// escapes; the opening quote has been read. Strings end at the line's end.
func (s *Scanner) scanQuoted(start int, q byte) {
	for {
		if s.off >= len(s.src) || s.src[s.off] == '\n' {
			s.error(start, "string literal not terminated")
			return
		}
		c := s.src[s.off]
		s.off++
		if c == q {
			return
		}
		if c == '\\' && s.off < len(s.src) && s.src[s.off] != '\n' {
			s.off++
		}
	}
}

// scanVerbatim scans the rest of an @"..." string: no escapes, a doubled
// quote stands for one.
func (s *Scanner) scanVerbatim(start int, q byte) {
	for {
		if s.off >= len(s.src) || s.src[s.off] == '\n' {
			s.error(start, "string literal not terminated")
			return
		}
		c := s.src[s.off]
		s.off++
		if c == q {
			if s.peek(0) == q {
				s.off++
				continue
			}
			return
		}
	}
}

// scanFenced scans a multi-line ```...``` (or ~~~...~~~) string.
func (s *Scanner) scanFenced(start int, fence string) {
	i := strings.Index(string(s.src[s.off:]), fence)
	if i < 0 {
		s.off = len(s.src)
		s.error(start, "multi-line string literal not terminated: expected "+fence)
		return
	}
	s.off += i + len(fence)
}

// atLineStart reports whether only blanks precede off on its line.
func (s *Scanner) atLineStart(off int) bool {
	for i := off - 1; i >= 0; i-- {
		switch s.src[i] {
		case '\n':
			return true
		case ' ', '\t', '\r':
			continue
		}
		return false
	}
	return true
}

// Offset is the read offset: the byte just after the last token scanned.
func (s *Scanner) Offset() int { return s.off }
