package interp

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/providers"
)

// ProviderEngine runs KQL cells on a provider (the embedded engine, Sentinel,
// Azure Data Explorer): the bridge between the cell interpreter and the
// providers package. It keeps one provider session, so let statements and
// named results persist from cell to cell.
type ProviderEngine struct {
	mu       sync.Mutex
	provider providers.Provider
	session  providers.Session
	// Params are query parameters set with %set, passed to every query.
	Params providers.QueryOptions
}

// NewProviderEngine makes an engine over p.
func NewProviderEngine(p providers.Provider) *ProviderEngine {
	return &ProviderEngine{provider: p}
}

// Provider is the current provider.
func (e *ProviderEngine) Provider() providers.Provider {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.provider
}

// Switch replaces the provider (for %connect) and starts a fresh session.
func (e *ProviderEngine) Switch(p providers.Provider) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.provider != nil && e.provider != p {
		e.provider.Close()
	}
	e.provider, e.session = p, nil
}

// Run executes one query on the current provider.
func (e *ProviderEngine) Run(ctx context.Context, query string) ([]Result, error) {
	e.mu.Lock()
	if e.session == nil {
		if err := e.provider.Connect(ctx); err != nil {
			e.mu.Unlock()
			return nil, err
		}
		e.session = e.provider.NewSession()
	}
	s, opts := e.session, e.Params
	e.mu.Unlock()

	start := time.Now()
	res, err := s.Run(ctx, query, opts)
	if err != nil {
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
	}
	return out, nil
}

// Complete has no completions of its own yet beyond the interpreter's.
func (e *ProviderEngine) Complete(code string, cursor int) ([]string, int, int) {
	return nil, cursor, cursor
}

// Inspect has no documentation of its own yet.
func (e *ProviderEngine) Inspect(code string, cursor int) (string, bool) { return "", false }

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
