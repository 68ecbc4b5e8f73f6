// Package token defines the lexical tokens of KQL and source positions, in
// the manner of go/token: a Pos is a compact offset into one query text and a
// File turns it into a line and column for people.
package token

import (
	"fmt"
	"sort"
	"strconv"
)

// Token is the kind of a lexical token.
type Token int

// The tokens of KQL. Most KQL words are contextual (count, kind, by, on ...),
// so the scanner reports them as IDENT and the parser decides by their text;
// only operators and literals have their own kinds.
const (
	ILLEGAL Token = iota
	EOF
	COMMENT

	literalBeg
	IDENT    // StormEvents, ['Column name'], $left
	LONG     // 12345, 0x1f
	REAL     // 1.5, 1e3
	STRING   // "a", 'b', @"c", h"d", ```e```
	TIMESPAN // 1d, 30m, 2.5h, 10ms, 1tick
	// TYPEDLIT is a literal whose body is not made of tokens: datetime(...),
	// date(...), time(...), timespan(...), guid(...). The literal text is the
	// whole form, e.g. "datetime(2024-01-01 10:00)"; the parser decodes it.
	TYPEDLIT
	literalEnd

	operatorBeg
	ADD    // +
	SUB    // -
	MUL    // *
	QUO    // /
	REM    // %
	EQL    // ==
	NEQ    // != or <>
	LSS    // <
	GTR    // >
	LEQ    // <=
	GEQ    // >=
	ASSIGN // =
	EQTILDE
	NEQTILDE
	LPAREN    // (
	RPAREN    // )
	LBRACK    // [
	RBRACK    // ]
	LBRACE    // {
	RBRACE    // }
	COMMA     // ,
	PERIOD    // .
	DOTDOT    // ..
	SEMICOLON // ;
	COLON     // :
	PIPE      // |
	ARROW     // =>
	QUESTION  // ?
	BANG      // ! (as in !has, !contains)
	AT        // @ alone (rare)
	DASHDASH  // -- in graph-match edges
	operatorEnd
)

var tokens = [...]string{
	ILLEGAL:   "ILLEGAL",
	EOF:       "EOF",
	COMMENT:   "COMMENT",
	IDENT:     "IDENT",
	LONG:      "LONG",
	REAL:      "REAL",
	STRING:    "STRING",
	TIMESPAN:  "TIMESPAN",
	TYPEDLIT:  "TYPEDLIT",
	ADD:       "+",
	SUB:       "-",
	MUL:       "*",
	QUO:       "/",
	REM:       "%",
	EQL:       "==",
	NEQ:       "!=",
	LSS:       "<",
	GTR:       ">",
	LEQ:       "<=",
	GEQ:       ">=",
	ASSIGN:    "=",
	EQTILDE:   "=~",
	NEQTILDE:  "!~",
	LPAREN:    "(",
	RPAREN:    ")",
	LBRACK:    "[",
	RBRACK:    "]",
	LBRACE:    "{",
	RBRACE:    "}",
	COMMA:     ",",
	PERIOD:    ".",
	DOTDOT:    "..",
	SEMICOLON: ";",
	COLON:     ":",
	PIPE:      "|",
	ARROW:     "=>",
	QUESTION:  "?",
	BANG:      "!",
	AT:        "@",
	DASHDASH:  "--",
}

func (t Token) String() string {
	if t >= 0 && int(t) < len(tokens) && tokens[t] != "" {
		return tokens[t]
	}
	return "token(" + strconv.Itoa(int(t)) + ")"
}

// IsLiteral reports whether t is an identifier or basic literal.
func (t Token) IsLiteral() bool { return literalBeg < t && t < literalEnd }

// IsOperator reports whether t is an operator or delimiter.
func (t Token) IsOperator() bool { return operatorBeg < t && t < operatorEnd }

// Pos is a byte offset into a query text, plus one so that the zero value
// means "no position".
type Pos int

// NoPos is the zero Pos: no position is known.
const NoPos Pos = 0

// IsValid reports whether p is a known position.
func (p Pos) IsValid() bool { return p != NoPos }

// Position is a Pos made readable: file name, byte offset, line and column
// (both 1-based; the column counts bytes, as go/token does).
type Position struct {
	Filename string
	Offset   int
	Line     int
	Column   int
}

// IsValid reports whether the position is known.
func (p Position) IsValid() bool { return p.Line > 0 }

// String is "file:line:col", "line:col" without a file, or "-" when unknown.
func (p Position) String() string {
	s := p.Filename
	if p.IsValid() {
		if s != "" {
			s += ":"
		}
		s += fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	if s == "" {
		s = "-"
	}
	return s
}

// File records where lines start in one query text, so that a Pos can be
// turned into a Position without keeping the text around.
type File struct {
	name  string
	src   []byte
	lines []int // offsets of line starts; lines[0] == 0
}

// NewFile indexes src's lines. name is used in positions and may be empty.
func NewFile(name string, src []byte) *File {
	f := &File{name: name, src: src, lines: []int{0}}
	for i, c := range src {
		if c == '\n' {
			f.lines = append(f.lines, i+1)
		}
	}
	return f
}

// Name is the file name given to NewFile.
func (f *File) Name() string { return f.name }

// Source is the text the file was made from.
func (f *File) Source() []byte { return f.src }

// Size is the length of the text in bytes.
func (f *File) Size() int { return len(f.src) }

// Pos is the Pos of a byte offset (0-based).
func (f *File) Pos(offset int) Pos { return Pos(offset + 1) }

// Offset is the byte offset (0-based) of p.
func (f *File) Offset(p Pos) int { return int(p) - 1 }

// Position turns p into file, line and column.
func (f *File) Position(p Pos) Position {
	if !p.IsValid() {
		return Position{}
	}
	off := int(p) - 1
	if off > len(f.src) {
		off = len(f.src)
	}
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > off }) - 1
	return Position{Filename: f.name, Offset: off, Line: i + 1, Column: off - f.lines[i] + 1}
}

// Line returns the text of line n (1-based) without its newline, for caret
// displays under error messages.
func (f *File) Line(n int) string {
	if n < 1 || n > len(f.lines) {
		return ""
	}
	start := f.lines[n-1]
	end := len(f.src)
	if n < len(f.lines) {
		end = f.lines[n] - 1
	}
	if end > start && f.src[end-1] == '\r' {
		end--
	}
	return string(f.src[start:end])
}
