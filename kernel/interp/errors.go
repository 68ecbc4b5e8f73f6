package interp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/huntbook/huntbook/kernel"
)

// queryError is an engine error with the query and where it sits in the cell.
type queryError struct {
	err   error
	query string
	line  int // cell line the query starts on (1-based)
}

func (e *queryError) Error() string { return e.err.Error() }
func (e *queryError) Unwrap() error { return e.err }

// renderError turns a cell's error into ename, evalue and traceback. Query
// errors with positions quote the offending line with a caret under the
// column.
func (x *execution) renderError(ctx context.Context, err error) *kernel.Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &kernel.Error{Name: "Timeout", Value: "the query ran out of time: " + err.Error(), Traceback: []string{"Timeout: " + err.Error()}}
	}
	if errors.Is(err, context.Canceled) || (ctx.Err() != nil && errors.Is(err, ctx.Err())) {
		return &kernel.Error{Name: "Interrupted", Value: "execution interrupted", Traceback: []string{"Interrupted: execution interrupted"}}
	}
	var me *magicError
	if errors.As(err, &me) {
		name := "MagicError"
		if me.unknown {
			name = "UnknownMagic"
		}
		return &kernel.Error{Name: name, Value: me.Error(), Traceback: strings.Split(name+": "+me.Error(), "\n")}
	}
	var qe *queryError
	if !errors.As(err, &qe) {
		return &kernel.Error{Name: "Error", Value: err.Error(), Traceback: []string{"Error: " + err.Error()}}
	}
	if errors.Is(qe.err, ErrNoEngine) {
		return &kernel.Error{Name: "NoEngine", Value: qe.err.Error(), Traceback: []string{"NoEngine: " + qe.err.Error()}}
	}
	var parts []error
	if j, ok := qe.err.(interface{ Unwrap() []error }); ok {
		parts = j.Unwrap()
	} else {
		parts = []error{qe.err}
	}
	var value, tb []string
	for _, p := range parts {
		msg, pointer := describe(p, qe)
		value = append(value, msg)
		tb = append(tb, "KQLError: "+msg)
		tb = append(tb, pointer...)
	}
	return &kernel.Error{Name: "KQLError", Value: strings.Join(value, "\n"), Traceback: tb}
}

// describe returns an error's message placed in the cell ("line L, column
// C: msg") and the quoted line with a caret, when it has a position.
func describe(err error, qe *queryError) (string, []string) {
	var pe PositionError
	if !errors.As(err, &pe) {
		return err.Error(), nil
	}
	pos := pe.Position()
	if !pos.IsValid() {
		return err.Error(), nil
	}
	lines := strings.Split(qe.query, "\n")
	cellLine := qe.line + pos.Line - 1
	msg := fmt.Sprintf("line %d, column %d: %s", cellLine, pos.Column, err.Error())
	if pos.Line > len(lines) {
		return msg, nil
	}
	src := strings.TrimRight(lines[pos.Line-1], "\r")
	return msg, []string{"  " + src, "  " + caret(src, pos.Column)}
}

// caret puts ^ under byte column col (1-based) of line, keeping tabs so
// that it lines up however the front-end expands them.
func caret(line string, col int) string {
	if col < 1 {
		col = 1
	}
	var b strings.Builder
	for i, r := range line {
		if i >= col-1 {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	b.WriteByte('^')
	return b.String()
}
