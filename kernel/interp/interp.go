// Package interp is huntbook's cell interpreter, the language half of the
// Jupyter kernel: it implements kernel.Interpreter for KQL notebooks. It
// owns the magics framework (%line and %%cell magics and their help), the
// splitting of cells into magics and queries, the display of results
// (HTML, text and JSON tables), the kept results (_ and | as Name),
// completion, inspection and is_complete. Queries themselves run through an
// Engine, which other packages provide.
package interp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/huntbook/huntbook/jupyter"
	"github.com/huntbook/huntbook/kernel"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/providers"
)

// DefaultMaxRows is how many rows a result shows before it is truncated.
const DefaultMaxRows = 100

// Interpreter runs cells: magics itself, queries through its Engine.
type Interpreter struct {
	mu     sync.Mutex
	engine Engine
	magics map[string]*Magic
	last   *Result
	named  map[string]Result

	// MaxRows limits the rows displayed (the full result is kept).
	MaxRows int
	// RenderChart turns a result with a Chart into a MIME bundle (New sets
	// it to draw with analytics/charts); when nil, or when it fails, the
	// table is shown with a note.
	RenderChart func(Result) (map[string]any, error)
	// Version goes into language_info.version.
	Version string
	// OpenProvider opens a provider by name for %connect and %%kql NAME
	// (dirs are %connect local's folders; overrides hold endpoint, auth
	// and token_env). Without it only the registry's local provider opens.
	OpenProvider func(name string, dirs []string, overrides map[string]string) (providers.Provider, error)
	// ConfigPath is the msticpyconfig.yaml to use; empty finds it as
	// MSTICPy does.
	ConfigPath string

	// cellEngines are the providers %%kql NAME opened, by name.
	cellEngines map[string]*ProviderEngine
	// tmpl is the %query template library, loaded on first use.
	tmpl *templateLibrary
	// ueba is the last %ueba build, for the per-entity answers.
	ueba *uebaState
}

// New makes an interpreter with the built-in magics. engine may be nil:
// queries then fail with ErrNoEngine until SetEngine.
func New(engine Engine) *Interpreter {
	in := &Interpreter{engine: engine, magics: map[string]*Magic{}, named: map[string]Result{}, MaxRows: DefaultMaxRows}
	in.RenderChart = func(r Result) (map[string]any, error) { return RenderChart(r, in.maxRows()) }
	builtinMu.Lock()
	defer builtinMu.Unlock()
	for _, m := range builtins {
		m := m
		in.magics[m.Name] = &m
	}
	return in
}

// SetEngine connects (or replaces) the query engine.
func (in *Interpreter) SetEngine(e Engine) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.engine = e
}

// Engine returns the connected engine, or nil.
func (in *Interpreter) Engine() Engine {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.engine
}

// Last returns the last result shown (the cell value _).
func (in *Interpreter) Last() (Result, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.last == nil {
		return Result{}, false
	}
	return *in.last, true
}

// Named returns a result kept by | as Name.
func (in *Interpreter) Named(name string) (Result, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	r, ok := in.named[name]
	return r, ok
}

// Table returns the table of a kept result: "_" for the last one, or a
// name given with | as Name. An engine can use it to let queries refer to
// earlier results.
func (in *Interpreter) Table(name string) (*table.Table, bool) {
	if name == "_" {
		r, ok := in.Last()
		return r.Table, ok && r.Table != nil
	}
	r, ok := in.Named(name)
	return r.Table, ok && r.Table != nil
}

// Names lists the kept result names, sorted.
func (in *Interpreter) Names() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]string, 0, len(in.named))
	for n := range in.named {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (in *Interpreter) keep(r Result) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.last = &r
	if r.Name != "" {
		in.named[r.Name] = r
	}
}

// Shutdown closes the providers the interpreter opened; the kernel calls
// it once when it stops.
func (in *Interpreter) Shutdown(restart bool) {
	in.mu.Lock()
	engines := in.cellEngines
	in.cellEngines = nil
	e := in.engine
	in.mu.Unlock()
	for _, ce := range engines {
		ce.Close()
	}
	if c, ok := e.(interface{ Close() error }); ok {
		c.Close()
	}
}

// Info describes KQL for kernel_info_reply.
func (in *Interpreter) Info() kernel.Info {
	return kernel.Info{
		Banner: "huntbook: KQL threat hunting. Magics: %lsmagic; help on one: %name?",
		HelpLinks: []kernel.HelpLink{
			{Text: "KQL reference", URL: "https://learn.microsoft.com/kusto/query/"},
			{Text: "Microsoft Sentinel tables", URL: "https://learn.microsoft.com/azure/azure-monitor/reference/tables-index"},
		},
		Language: kernel.LanguageInfo{
			Name: "kql", Version: in.Version, Mimetype: "text/x-kql", FileExtension: ".kql",
			PygmentsLexer: "kql", CodemirrorMode: "sql", NbconvertExporter: "script",
		},
	}
}

// execution is one Execute call.
type execution struct {
	in      *Interpreter
	req     kernel.ExecuteRequest
	out     *cellOutput
	payload []map[string]any
	code    string // the whole cell, for error carets
}

// Execute runs a cell: a leading %%magic takes the whole cell; otherwise
// %magic lines run in order, and the lines between them run as queries.
func (in *Interpreter) Execute(ctx context.Context, req kernel.ExecuteRequest, out kernel.Output) kernel.ExecuteReply {
	x := &execution{in: in, req: req, out: &cellOutput{out: out}, code: req.Code}
	// A sign-in a query needs (device code) asks in the cell's output, where
	// the analyst looks; the metadata lets a batch runner show it at once.
	ctx = providers.WithPrompt(ctx, func(msg string) {
		out.Display(map[string]any{"text/plain": msg}, map[string]any{jupyter.SignInMetadata: true})
	})
	err := x.runCell(ctx, req.Code, 0)
	x.out.finish(err == nil)
	reply := kernel.ExecuteReply{Payload: x.payload}
	if err != nil {
		reply.Err = x.renderError(ctx, err)
	}
	if len(req.UserExpressions) > 0 {
		reply.UserExpressions = in.userExpressions(ctx, req)
	}
	return reply
}

// runCell runs cell content whose first line is line first+1 of the cell.
func (x *execution) runCell(ctx context.Context, code string, first int) error {
	lines := strings.Split(code, "\n")
	// A cell magic is the first non-blank line.
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "%%") {
			return x.runMagic(ctx, t[2:], CellMagic, strings.Join(lines[i+1:], "\n"), first+i+1)
		}
		break
	}
	var query []string
	qstart := 0
	flush := func() error {
		// Leading blank lines are dropped so the engine's line 1 is the
		// query's first line.
		for len(query) > 0 && strings.TrimSpace(query[0]) == "" {
			query, qstart = query[1:], qstart+1
		}
		q := strings.Join(query, "\n")
		query = nil
		if !hasCode(q) {
			return nil
		}
		return x.runQuery(ctx, q, first+qstart+1)
	}
	for i, l := range lines {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "%") {
			if query == nil {
				qstart = i
			}
			query = append(query, l)
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		name, _, _ := strings.Cut(t[1:], " ")
		if m := x.in.magic(strings.TrimSuffix(name, "?")); m != nil && m.Rest && !strings.HasSuffix(name, "?") {
			return x.runMagic(ctx, t[1:], LineMagic, strings.Join(lines[i+1:], "\n"), first+i+1)
		}
		if err := x.runMagic(ctx, t[1:], LineMagic, "", first+i+1); err != nil {
			return err
		}
	}
	return flush()
}

// hasCode reports whether a query chunk has anything but blanks and
// comments.
func hasCode(q string) bool {
	for _, l := range strings.Split(q, "\n") {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "//") {
			return true
		}
	}
	return false
}

// runMagic runs "name args" (the text after % or %%) on cell line line.
func (x *execution) runMagic(ctx context.Context, text string, kind MagicKind, body string, line int) error {
	name, args, _ := strings.Cut(text, " ")
	name = strings.TrimRight(name, "\t\r")
	if i := strings.IndexAny(name, "\t"); i >= 0 {
		name, args = name[:i], name[i+1:]+" "+args
	}
	help := strings.HasSuffix(name, "?")
	name = strings.TrimSuffix(name, "?")
	if !validMagicName(name) {
		return &magicError{name: name, err: fmt.Errorf("bad magic name %q on line %d: a magic name is letters, digits and _ (try %%lsmagic)", spelled(name, kind), line)}
	}
	m := x.in.magic(name)
	if m == nil || m.Kind&kind == 0 {
		return x.in.unknownMagic(name, kind)
	}
	if help {
		x.payload = append(x.payload, map[string]any{"source": "page", "data": map[string]any{"text/plain": m.helpText()}, "start": 0})
		return nil
	}
	c := &Call{In: x.in, Name: name, Cell: kind == CellMagic, Args: strings.TrimSpace(args), Body: body, Line: line, Req: x.req, magic: m, x: x}
	if err := m.Run(ctx, c); err != nil {
		var ue *UsageError
		if errors.As(err, &ue) {
			return &magicError{name: name, err: fmt.Errorf("%s: %s\nusage: %s", spelled(name, kind), ue.Msg, m.Usage)}
		}
		var me *magicError
		var qe *queryError
		if errors.As(err, &me) || errors.As(err, &qe) || errors.Is(err, context.Canceled) {
			return err // already placed
		}
		return &magicError{name: name, err: fmt.Errorf("%s: %w", spelled(name, kind), err)}
	}
	return nil
}

// runQuery sends one query to the engine and shows what comes back; line
// is the cell line the query starts on.
func (x *execution) runQuery(ctx context.Context, q string, line int) error {
	return x.runQueryOn(ctx, x.in.Engine(), q, line)
}

// runQueryOn is runQuery on a given engine (%%kql NAME).
func (x *execution) runQueryOn(ctx context.Context, e Engine, q string, line int) error {
	if e == nil {
		return &queryError{err: ErrNoEngine, query: q, line: line}
	}
	results, err := e.Run(ctx, q)
	for _, r := range results {
		x.show(r)
	}
	if err != nil {
		return &queryError{err: err, query: q, line: line}
	}
	return nil
}

// show displays a result and keeps it as _ and by name.
func (x *execution) show(r Result) {
	x.in.keep(r)
	data, md := x.in.bundle(r)
	x.out.setResult(data, md)
}

// bundle renders a result (a chart when a renderer is set).
func (in *Interpreter) bundle(r Result) (map[string]any, map[string]any) {
	maxRows := in.maxRows()
	if r.Chart != nil && in.RenderChart != nil {
		data, err := in.RenderChart(r)
		switch {
		case err == nil:
			return data, nil
		case errors.Is(err, errTableChart):
			r.Chart = nil
		default:
			r.Chart, r.ChartError = nil, err.Error()
		}
	}
	return Bundle(r, maxRows), nil
}

func (in *Interpreter) maxRows() int {
	if in.MaxRows <= 0 {
		return DefaultMaxRows
	}
	return in.MaxRows
}

// cellOutput holds back the latest value so that only a cell's last value
// becomes its execute_result; anything shown after it turns it into
// display_data, keeping the order of output.
type cellOutput struct {
	out         kernel.Output
	pending     map[string]any
	pendingMeta map[string]any
	has         bool
}

func (o *cellOutput) flush() {
	if o.has {
		o.out.Display(o.pending, o.pendingMeta)
		o.has, o.pending, o.pendingMeta = false, nil, nil
	}
}

func (o *cellOutput) setResult(data, md map[string]any) {
	o.flush()
	o.pending, o.pendingMeta, o.has = data, md, true
}

// finish emits the held value: as the cell's result when it succeeded,
// as plain display when an error follows it.
func (o *cellOutput) finish(ok bool) {
	if !o.has {
		return
	}
	if ok {
		o.out.Result(o.pending, o.pendingMeta)
		o.has = false
		return
	}
	o.flush()
}

// note writes a stream without turning the held value into display_data,
// so that it stays the cell's result (%time's report).
func (o *cellOutput) note(name, text string) { o.out.Stream(name, text) }

func (o *cellOutput) Stream(name, text string)              { o.flush(); o.out.Stream(name, text) }
func (o *cellOutput) Display(data, metadata map[string]any) { o.flush(); o.out.Display(data, metadata) }
func (o *cellOutput) Result(data, metadata map[string]any)  { o.setResult(data, metadata) }
func (o *cellOutput) Clear(wait bool)                       { o.flush(); o.out.Clear(wait) }

// discard is an Output that keeps nothing (user expressions).
type discard struct{}

func (discard) Stream(string, string)                  {}
func (discard) Display(map[string]any, map[string]any) {}
func (discard) Result(map[string]any, map[string]any)  {}
func (discard) Clear(bool)                             {}

// userExpressions evaluates each expression as a cell of its own and
// returns its value's bundle, as the protocol asks.
func (in *Interpreter) userExpressions(ctx context.Context, req kernel.ExecuteRequest) map[string]any {
	out := map[string]any{}
	for name, expr := range req.UserExpressions {
		x := &execution{in: in, req: req, out: &cellOutput{out: discard{}}, code: expr}
		err := x.runCell(ctx, expr, 0)
		if err != nil {
			e := x.renderError(ctx, err)
			out[name] = map[string]any{"status": "error", "ename": e.Name, "evalue": e.Value, "traceback": e.Traceback}
			continue
		}
		data := x.out.pending
		if data == nil {
			data = map[string]any{}
		}
		out[name] = map[string]any{"status": "ok", "data": data, "metadata": map[string]any{}}
	}
	return out
}
