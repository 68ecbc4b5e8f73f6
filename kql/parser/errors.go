package parser

import (
	"fmt"
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/token"
)

// Error is one syntax error: where it is and what was wrong.
type Error struct {
	Pos token.Position
	Msg string
}

// Error is "file:line:col: message" (without a file name, "line:col: message").
func (e *Error) Error() string {
	if e.Pos.IsValid() || e.Pos.Filename != "" {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Msg
}

// ErrorList is a list of errors sorted by position.
type ErrorList []*Error

// Add appends an error.
func (l *ErrorList) Add(pos token.Position, msg string) {
	*l = append(*l, &Error{Pos: pos, Msg: msg})
}

func (l ErrorList) Len() int      { return len(l) }
func (l ErrorList) Swap(i, j int) { l[i], l[j] = l[j], l[i] }
func (l ErrorList) Less(i, j int) bool {
	a, b := l[i].Pos, l[j].Pos
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	return l[i].Msg < l[j].Msg
}

// Sort orders the list by position.
func (l ErrorList) Sort() { sort.Stable(l) }

// Error is the first error, plus how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Caret renders the source line of err and a '^' under its column, for
// showing an error to a person:
//
//	T | wher x > 1
//	    ^
func Caret(file *token.File, err *Error) string {
	if file == nil || err == nil || !err.Pos.IsValid() {
		return ""
	}
	line := file.Line(err.Pos.Line)
	col := err.Pos.Column - 1
	if col > len(line) {
		col = len(line)
	}
	// Keep tabs so the caret lines up under tab-indented text.
	var pad strings.Builder
	for i := 0; i < col; i++ {
		if line[i] == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	return line + "\n" + pad.String() + "^"
}
