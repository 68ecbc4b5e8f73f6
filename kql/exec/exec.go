// Package exec is huntbook's embedded KQL engine: it runs a parsed script
// (kql/ast) over columnar tables (kql/table) that a Catalog supplies, with
// Kusto's semantics.
//
// A Session keeps let bindings, set options and named results (| as Name)
// across Run calls, as a notebook does. Each tabular statement of a script
// yields one Result, in order, as a Kusto batch does.
//
// Execution is columnar: scalar expressions are compiled once per operator
// into closures that evaluate a whole range of rows into a column (with fast
// paths for the comparisons, string operators and bin() hunting queries
// use); filters, projections, aggregation and join probes split their input
// into chunks that run on Options.Parallelism goroutines and check the
// context between chunks, so a cancel stops a query promptly. Scalar
// functions and most aggregates come from kql/functions; count, sum, min,
// max, avg, dcount, arg_max/arg_min and take_any have typed fast paths here.
//
// A pipe that names its columns before a summarize or project reads only
// those columns of its source (prune.go), and their string (and dynamic)
// values are dictionary-encoded once per catalog column (dict.go,
// table.Column.Codes): grouping then indexes arrays by code, predicates and
// dynamic property access run once per distinct value, and dcount/make_set
// dedupe integer pairs; sort compares codes by their rank in string order.
// A column that arrives encoded (the workspace loader encodes as it parses)
// is used as it is. A property d.key of a dynamic column too distinct to
// encode whole is coded once per (column, key) and kept with the column
// (project.go), so repeated reads of DeviceDetail.operatingSystem cost a
// slice of codes. summarize gives rows global group ids first, so each
// aggregate folds all rows into one state without merges. Result columns
// are named by kql/naming, the rules the binder's schemas follow.
//
// Anything not implemented fails with an *Error saying "not supported yet",
// never with a wrong answer.
package exec

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"time"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// Catalog supplies the tables a query reads.
type Catalog interface {
	// Table returns the named table; an unknown name is an error.
	Table(ctx context.Context, name string) (*table.Table, error)
	// TableNames lists every table, for union and search wildcards.
	TableNames() []string
	// Watchlist returns a Sentinel watchlist by alias (_GetWatchlist).
	Watchlist(ctx context.Context, alias string) (*table.Table, error)
}

// WorkspaceCatalog is a Catalog that serves several workspaces by name. It
// answers Log Analytics' cross-workspace references, workspace("name").T
// (and database("name").T); a catalog without it has no other workspace.
type WorkspaceCatalog interface {
	WorkspaceTable(ctx context.Context, workspace, name string) (*table.Table, error)
}

// Options tune a Session.
type Options struct {
	// Now is the query clock for now() and ago(); zero means time.Now at
	// each Run. `set query_now = datetime(...)` overrides it.
	Now time.Time
	// MaxRows caps each result (Kusto's truncationmaxrecords); 0 means
	// Kusto's default of 500000. `set truncationmaxrecords = N` overrides it
	// and `set notruncation` lifts it.
	MaxRows int
	// MemoryBudget bounds the estimated bytes one operator may build (a join
	// or mv-expand that would exceed it fails); 0 means 4 GiB.
	MemoryBudget int64
	// Parallelism is the number of goroutines operators use; 0 means
	// runtime.GOMAXPROCS(0).
	Parallelism int
	// Geo answers geo_info_from_ip_address(); nil answers null.
	Geo functions.GeoLocator
}

// DefaultMaxRows is Kusto's default result truncation limit.
const DefaultMaxRows = 500000

// Render is the chart a query asked for with the render operator.
type Render struct {
	Kind  string         // timechart, barchart, piechart, table ...
	Props map[string]any // with (title="...", ycolumns=...): string, []string, bool, int64, float64
}

// Stats describes the work one result took.
type Stats struct {
	RowsScanned int64         // rows read from catalog tables
	BytesRead   int64         // estimated size of those rows
	Elapsed     time.Duration // wall time of the statement
	PeakMemory  int64         // estimated bytes of the largest intermediate table
}

// Result is one tabular result of a script.
type Result struct {
	Table     *table.Table
	Name      string  // from | as Name, "" otherwise
	Render    *Render // nil unless the query ended in render
	Truncated bool    // rows were dropped at MaxRows
	Stats     Stats
	// Warnings are what the statement left out without failing: the legs
	// of a union isfuzzy=true that did not resolve, as Kusto reports them.
	Warnings []string
}

// Error is a semantic or runtime error, with the position of the offending
// syntax where known.
type Error struct {
	Pos token.Position
	Msg string
}

func (e *Error) Error() string {
	if e.Pos.IsValid() {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Msg
}

// Session runs scripts against one catalog, keeping let bindings, options
// and named results between runs.
type Session struct {
	cat   Catalog
	opts  Options
	scope *scope
	// options set with `set` statements; they persist like lets do.
	queryNow   *int64
	maxRows    int
	noTruncate bool
	named      map[string]*table.Table // results of | as Name
}

// NewSession makes a session over cat.
func NewSession(cat Catalog, opts Options) *Session {
	if opts.Parallelism <= 0 {
		opts.Parallelism = runtime.GOMAXPROCS(0)
	}
	if opts.MemoryBudget <= 0 {
		opts.MemoryBudget = 4 << 30
	}
	return &Session{cat: cat, opts: opts, scope: newScope(nil), named: map[string]*table.Table{}}
}

// Run executes the statements of script in order and returns one Result per
// tabular statement. file turns positions into line:column for errors; it
// may be nil. Bindings made by let and set persist in the session even when
// a later statement fails.
func (s *Session) Run(ctx context.Context, script *ast.Script, file *token.File) ([]*Result, error) {
	if script == nil {
		return nil, nil
	}
	r := &runner{sess: s, ctx: ctx, file: file, hidden: hiddenRefs(script)}
	r.now = s.nowTicks()
	var out []*Result
	for _, st := range script.Stmts {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		start := time.Now()
		r.stats, r.warnings = Stats{}, nil
		if es, ok := st.(*ast.ExprStmt); ok {
			if p, ok := endsInMulti(es.X); ok {
				rs, err := r.multiResult(p)
				if err != nil {
					return out, err
				}
				for _, res := range rs {
					res.Stats, res.Warnings = r.stats, r.warnings
					res.Stats.Elapsed = time.Since(start)
					s.truncate(res)
				}
				out = append(out, rs...)
				continue
			}
		}
		res, err := r.stmt(st)
		if err != nil {
			return out, err
		}
		if res != nil {
			res.Stats, res.Warnings = r.stats, r.warnings
			res.Stats.Elapsed = time.Since(start)
			s.truncate(res)
			out = append(out, res)
		}
	}
	return out, nil
}

// Bindings lists the names bound by let in this session, sorted.
func (s *Session) Bindings() []string {
	var out []string
	for k := range s.scope.vars {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Session) nowTicks() int64 {
	if s.queryNow != nil {
		return *s.queryNow
	}
	if !s.opts.Now.IsZero() {
		return types.TimeToTicks(s.opts.Now)
	}
	return types.TimeToTicks(time.Now())
}

// plainTable drops the executor's dictionary encodings from a result, so
// that callers who edit a result's strings cannot leave stale codes.
func plainTable(t *table.Table) *table.Table {
	if t == nil {
		return nil
	}
	var out *table.Table
	for i, c := range t.Columns {
		if c.Codes == nil {
			continue
		}
		if out == nil {
			out = &table.Table{Name: t.Name, Columns: append([]*table.Column(nil), t.Columns...)}
		}
		o := *c
		o.Dict, o.DynDict, o.Codes = nil, nil, nil
		out.Columns[i] = &o
	}
	if out == nil {
		return t
	}
	return out
}

func (s *Session) truncate(res *Result) {
	res.Table = plainTable(res.Table)
	if s.noTruncate || res.Table == nil {
		return
	}
	max := s.maxRows
	if max == 0 {
		max = s.opts.MaxRows
	}
	if max <= 0 {
		max = DefaultMaxRows
	}
	if res.Table.Rows() > max {
		res.Table = sliceTable(res.Table, 0, max)
		res.Truncated = true
	}
}

// runner carries the state of one Run.
type runner struct {
	sess  *Session
	ctx   context.Context
	file  *token.File
	now   int64
	stats Stats
	// warnings of the statement being run (Result.Warnings)
	warnings []string

	cur      *scope  // scope of the expression being evaluated; nil = session
	render   *Render // set by render in the current statement
	asName   string  // set by as in the current statement
	tableSet map[string]bool
	implicit *table.Table // input of source-less subqueries (mv-apply)

	// serialized marks tables whose row order is defined (the output of
	// sort, top, serialize, range, or of an order-keeping operator over
	// one); serialIn tells whether the operator being run reads one, which
	// window functions (row_number, prev ...) require as Kusto does.
	serialized map[*table.Table]bool
	serialIn   bool

	hidden map[string]bool // hidden standard columns the script names (hidden.go)
	depth  int             // views and functions being expanded (scope.go nest)
}

func (r *runner) errorf(pos token.Pos, format string, args ...any) error {
	e := &Error{Msg: fmt.Sprintf(format, args...)}
	if r.file != nil && pos.IsValid() {
		e.Pos = r.file.Position(pos)
	}
	return e
}

func (r *runner) unsupported(pos token.Pos, what string) error {
	return r.errorf(pos, "not supported yet: %s", what)
}

// wrap attaches pos to a plain error from a helper, leaving *Error alone.
func (r *runner) wrap(pos token.Pos, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*Error); ok {
		return err
	}
	if err == context.Canceled || err == context.DeadlineExceeded {
		return err
	}
	return r.errorf(pos, "%s", err.Error())
}

func (r *runner) notePeak(t *table.Table) {
	if b := tableBytes(t); b > r.stats.PeakMemory {
		r.stats.PeakMemory = b
	}
}
