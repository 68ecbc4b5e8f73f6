package interp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
)

// ProviderEngine runs KQL cells on a provider (the embedded engine, Sentinel,
// Azure Data Explorer): the bridge between the cell interpreter and the
// providers package. It keeps one provider session, so let statements and
// named results persist from cell to cell, and the query parameters that
// %set and %timerange define.
type ProviderEngine struct {
	mu       sync.Mutex
	provider providers.Provider
	session  providers.Session
	params   map[string]types.Value
	// optional are the tables %optional lets queries do without.
	optional []string
	// named are the schemas of this session's named results (| as Name),
	// for completion.
	named map[string]types.Schema
	// Timeout bounds each query (0: the provider's default).
	Timeout time.Duration

	// tables caches the provider's table list for completion; it is
	// dropped when the provider changes.
	tablesMu  sync.Mutex
	tables    []providers.TableInfo
	tablesFor providers.Provider
}

// NewProviderEngine makes an engine over p.
func NewProviderEngine(p providers.Provider) *ProviderEngine {
	return &ProviderEngine{provider: p, params: map[string]types.Value{}}
}

// Provider is the current provider.
func (e *ProviderEngine) Provider() providers.Provider {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.provider
}

// Switch replaces the provider (for %connect) and starts a fresh session.
// Query parameters are kept: they belong to the notebook, not the backend.
func (e *ProviderEngine) Switch(p providers.Provider) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.provider != nil && e.provider != p {
		e.provider.Close()
	}
	e.provider, e.session, e.named = p, nil, nil
}

// namedSchemas returns the schemas of the session's named results.
func (e *ProviderEngine) namedSchemas() map[string]types.Schema {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]types.Schema, len(e.named))
	for k, v := range e.named {
		out[k] = v
	}
	return out
}

// Close releases the provider.
func (e *ProviderEngine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.provider == nil {
		return nil
	}
	err := e.provider.Close()
	e.provider, e.session = nil, nil
	return err
}

// SetParam sets a query parameter, passed to every later query.
func (e *ProviderEngine) SetParam(name string, v types.Value) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.params == nil {
		e.params = map[string]types.Value{}
	}
	e.params[name] = v
}

// DeleteParam removes a query parameter; it reports whether it was set.
func (e *ProviderEngine) DeleteParam(name string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.params[name]
	delete(e.params, name)
	return ok
}

// AddOptional declares tables the notebook's queries may do without
// (%optional): the embedded engine serves one a workspace lacks as empty.
func (e *ProviderEngine) AddOptional(names ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, n := range names {
		if !slices.Contains(e.optional, n) {
			e.optional = append(e.optional, n)
		}
	}
}

// Optional returns the tables declared optional, in declaration order.
func (e *ProviderEngine) Optional() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.optional)
}

// Params returns a copy of the query parameters.
func (e *ProviderEngine) Params() map[string]types.Value {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]types.Value, len(e.params))
	for k, v := range e.params {
		out[k] = v
	}
	return out
}

// ParamNames lists the query parameter names, sorted.
func (e *ProviderEngine) ParamNames() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.params))
	for k := range e.params {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Session returns the current session, connecting first if needed.
func (e *ProviderEngine) Session(ctx context.Context) (providers.Session, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.provider == nil {
		return nil, ErrNoEngine
	}
	if e.session == nil {
		if err := e.provider.Connect(ctx); err != nil {
			return nil, fmt.Errorf("connecting to %s: %w", e.provider.Name(), err)
		}
		e.session = e.provider.NewSession()
	}
	return e.session, nil
}

// Run executes one query on the current provider.
func (e *ProviderEngine) Run(ctx context.Context, query string) ([]Result, error) {
	s, err := e.Session(ctx)
	if err != nil {
		return nil, err
	}
	opts := providers.QueryOptions{Timeout: e.Timeout, Params: e.Params(), Optional: e.Optional()}
	start := time.Now()
	res, err := s.Run(ctx, query, opts)
	if err != nil {
		// A cancelled query reports the cancellation, whatever the
		// backend wrapped it in, so the cell shows "interrupted".
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, positioned(err)
	}
	out := make([]Result, len(res))
	for i, r := range res {
		out[i] = Result{Table: r.Table, Name: r.Name, Elapsed: r.Stats.Elapsed, Warnings: r.Warnings, Truncated: r.Truncated}
		if out[i].Elapsed == 0 {
			out[i].Elapsed = time.Since(start)
		}
		if r.Render != nil {
			out[i].Chart = &ChartRequest{Kind: r.Render.Kind, Props: r.Render.Props}
		}
		if r.Name != "" && r.Table != nil {
			e.mu.Lock()
			if e.named == nil {
				e.named = map[string]types.Schema{}
			}
			e.named[r.Name] = r.Table.Schema()
			e.mu.Unlock()
		}
	}
	return out, nil
}

// Tables lists the provider's tables (cached until the provider changes).
func (e *ProviderEngine) Tables(ctx context.Context) ([]providers.TableInfo, error) {
	p := e.Provider()
	if p == nil {
		return nil, ErrNoEngine
	}
	e.tablesMu.Lock()
	defer e.tablesMu.Unlock()
	if e.tablesFor == p && e.tables != nil {
		return e.tables, nil
	}
	ts, err := p.Tables(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	e.tables, e.tablesFor = ts, p
	return ts, nil
}

// Complete completes KQL through the binder (see complete_kql.go).
func (e *ProviderEngine) Complete(code string, cursor int) ([]string, int, int) {
	return completeKQL(e, code, cursor)
}

// Inspect documents the table, column, function, operator or name under
// the cursor (see complete_kql.go).
func (e *ProviderEngine) Inspect(code string, cursor int) (string, bool) {
	return inspectKQL(e, code, cursor)
}

// providerError adapts providers.QueryError to PositionError.
type providerError struct{ *providers.QueryError }

func (q providerError) Position() token.Position {
	return token.Position{Line: q.Line, Column: q.Column}
}
func (q providerError) Error() string { return q.Msg }

// positioned wraps provider errors that know their line and column so the
// interpreter draws a caret under them; joined errors stay joined.
func positioned(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs := j.Unwrap()
		out := make([]error, len(errs))
		for i, e := range errs {
			out[i] = positioned(e)
		}
		return errors.Join(out...)
	}
	var qe *providers.QueryError
	if errors.As(err, &qe) && qe.Line > 0 {
		return providerError{qe}
	}
	return err
}
