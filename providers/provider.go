// Package providers defines the one interface every data backend of
// huntbook implements (the embedded engine over a workspace, Microsoft
// Sentinel / Log Analytics, Azure Data Explorer) and the registry that opens
// them by name. Whatever the backend, a query returns the same typed
// kql/table results, so display, export, UEBA and charts do not care where
// the data came from.
package providers

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/huntbook/huntbook/kql/exec"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Provider is a connected (or connectable) data backend.
type Provider interface {
	// Name is the name the user picks it by: "local", "Default", a workspace
	// or cluster name from msticpyconfig.yaml.
	Name() string
	// Kind is the backend: "local", "sentinel", "kusto" or "defender".
	Kind() string
	// Describe is one line for %providers: where it points and how it authenticates.
	Describe() string
	// Connect authenticates and checks the backend answers.
	Connect(ctx context.Context) error
	// NewSession starts a query session. Sessions keep what a notebook
	// expects to persist between cells (let statements, named results).
	NewSession() Session
	// Tables lists the tables with their schemas.
	Tables(ctx context.Context) ([]TableInfo, error)
	// Close releases connections.
	Close() error
}

// Session runs queries one after another, keeping state between them.
type Session interface {
	// Run executes a query text (one or more statements) and returns each
	// tabular result in order. Errors that point into the text are
	// *QueryError values.
	Run(ctx context.Context, query string, opts QueryOptions) ([]*Result, error)
}

// QueryOptions tune one Run.
type QueryOptions struct {
	// Timeout bounds the query on the server (and locally); 0 means the
	// provider's default.
	Timeout time.Duration
	// Params are query parameters (declare query_parameters / %set).
	Params map[string]types.Value
	// Optional names tables the query may do without (%optional): the
	// embedded engine serves one a workspace lacks as empty, with its
	// built-in schema and a warning, so a notebook's enrichment runs on a
	// partial export. Remote backends have the tables they have.
	Optional []string
}

// Result is one tabular result.
type Result struct {
	Table     *table.Table
	Name      string       // set by "| as Name"
	Render    *exec.Render // the chart the query asked for, or nil
	Truncated bool         // the result hit the row limit
	Warnings  []string     // partial results, server notices
	Stats     exec.Stats
}

// TableInfo describes one table of a provider.
type TableInfo struct {
	Name   string
	Schema types.Schema
	Rows   int // -1 when unknown without scanning
}

// QueryError is an error located in the query text: line and column are
// 1-based; zero when the backend gave no position.
type QueryError struct {
	Line, Column int
	Msg          string
}

func (e *QueryError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg)
	}
	return e.Msg
}

// Factory opens a provider of one kind from its settings.
type Factory func(name string, settings map[string]string) (Provider, error)

var (
	mu        sync.Mutex
	factories = map[string]Factory{}
)

// Register makes a provider kind available to Open. Backends call it from init.
func Register(kind string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[kind]; dup {
		panic("providers: kind registered twice: " + kind)
	}
	factories[kind] = f
}

// Kinds lists the registered provider kinds.
func Kinds() []string {
	mu.Lock()
	defer mu.Unlock()
	ks := make([]string, 0, len(factories))
	for k := range factories {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Open makes a provider of a registered kind.
func Open(kind, name string, settings map[string]string) (Provider, error) {
	mu.Lock()
	f, ok := factories[kind]
	mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("providers: unknown provider kind %q (known: %v)", kind, Kinds())
	}
	return f(name, settings)
}
