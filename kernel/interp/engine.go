package interp

import (
	"context"
	"errors"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
)

// Engine runs the KQL parts of cells. The interpreter knows nothing about
// KQL itself; it splits cells into magics and queries and hands queries here.
// Offsets (cursor, start, end) are byte offsets into code.
type Engine interface {
	// Run executes one query text (possibly several statements) and
	// returns its results in order. It must return promptly once ctx is
	// cancelled (the user interrupted). Errors that know where they happened
	// implement PositionError.
	Run(ctx context.Context, query string) ([]Result, error)
	// Complete lists completions replacing code[start:end].
	Complete(code string, cursor int) (matches []string, start, end int)
	// Inspect returns documentation for what is under the cursor.
	Inspect(code string, cursor int) (doc string, ok bool)
}

// Result is one tabular result of a query.
type Result struct {
	Table *table.Table
	// Name is set when the query named its result (| as Name); the
	// interpreter keeps such results for %who and later use.
	Name string
	// Chart is set when the query ended in | render.
	Chart *ChartRequest
	// ChartError says why the requested chart could not be drawn (the
	// table is shown instead).
	ChartError string
	Elapsed    time.Duration
	// Warnings are the provider's notices (partial results, rows that did
	// not load); they are shown under the table.
	Warnings []string
	// Truncated is set when the provider cut the result at its row limit.
	Truncated bool
}

// ChartRequest is a render operator's chart kind and properties.
type ChartRequest struct {
	Kind  string         // timechart, barchart, piechart, ...
	Props map[string]any // title, xcolumn, ycolumns ([]string), kind, ...
}

// PositionError is implemented by engine errors that know where in the
// query they occurred. The position is relative to the query given to Run
// (1-based line and byte column); the interpreter maps it to the cell and
// draws a caret under it. Errors joined with errors.Join are each shown.
type PositionError interface {
	error
	Position() token.Position
}

// ErrNoEngine is what KQL cells fail with while no engine is connected.
var ErrNoEngine = errors.New("no KQL engine connected: this kernel can run magics (try %lsmagic) but not queries yet")
