// Package fake holds what the sentineltest, kustotest and defendertest fake
// servers share: answering a query with the embedded engine over in-memory
// tables, scripted faults (throttling, server errors, slow answers) served
// before real answers, the log of requests seen, and Kusto's way of
// writing a rejected query's position.
package fake

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/huntbook/huntbook/kql/exec"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/table"
)

// Answer is what a fake service returns for one query.
type Answer struct {
	Tables []*table.Table
	Render *exec.Render // the visualization hint, or nil
	// Partial lists errors the service reports beside the tables (Log
	// Analytics PartialError details, Kusto OneApiErrors).
	Partial []string
}

// Handler answers one query text. An error is reported by the fake as
// the service reports a failed query (400 with the message); a
// *exec.Error's position is reported as line and column.
type Handler func(ctx context.Context, query string) (*Answer, error)

// Engine returns a Handler that runs queries on the embedded engine over
// tables (by name), with now() pinned to now when it is not zero.
func Engine(tables map[string]*table.Table, now time.Time) Handler {
	cat := &catalog{tables: tables}
	return func(ctx context.Context, query string) (*Answer, error) {
		script, file, err := parser.Parse("", []byte(query))
		if err != nil {
			return nil, err
		}
		res, err := exec.NewSession(cat, exec.Options{Now: now}).Run(ctx, script, file)
		if err != nil {
			return nil, err
		}
		a := &Answer{}
		for _, r := range res {
			t := *r.Table
			t.Name = "PrimaryResult"
			if r.Name != "" {
				t.Name = r.Name
			}
			a.Tables = append(a.Tables, &t)
			if r.Render != nil {
				a.Render = r.Render
			}
		}
		return a, nil
	}
}

type catalog struct{ tables map[string]*table.Table }

func (c *catalog) Table(_ context.Context, name string) (*table.Table, error) {
	if t, ok := c.tables[name]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("table %q not found", name)
}

func (c *catalog) TableNames() []string { return Names(c.tables) }

// Names lists the tables' names in order.
func Names(tables map[string]*table.Table) []string {
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (c *catalog) Watchlist(context.Context, string) (*table.Table, error) {
	return nil, errors.New("watchlists are not served by the fake")
}

// Fault is one scripted failure answer.
type Fault struct {
	Status     int
	RetryAfter string // Retry-After header value, if any
	Body       string // answer body; empty for the service's usual error body
	Delay      time.Duration
}

// Faults is a queue of scripted failures, taken one per request.
type Faults struct {
	mu sync.Mutex
	q  []Fault
}

// Push queues faults.
func (f *Faults) Push(fs ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.q = append(f.q, fs...)
}

// Next takes the next fault, if any.
func (f *Faults) Next() (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.q) == 0 {
		return Fault{}, false
	}
	x := f.q[0]
	f.q = f.q[1:]
	return x, true
}

// Position extracts a 1-based line and column and the bare message from
// an engine or parser error (0, 0 and the whole text when it has none).
func Position(err error) (line, col int, msg string) {
	var pl parser.ErrorList
	if errors.As(err, &pl) && len(pl) > 0 {
		return pl[0].Pos.Line, pl[0].Pos.Column, pl[0].Msg
	}
	var ee *exec.Error
	if errors.As(err, &ee) && ee.Pos.IsValid() {
		return ee.Pos.Line, ee.Pos.Column, ee.Msg
	}
	return 0, 0, err.Error()
}
