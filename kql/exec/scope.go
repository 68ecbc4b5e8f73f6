package exec

import (
	"sync"
	"sync/atomic"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// bindKind says what a let name stands for.
type bindKind int

const (
	bScalar  bindKind = iota // a constant value
	bTabular                 // a tabular expression, evaluated at each use (a view)
	bTable                   // an evaluated table (materialize, as, tabular parameters)
	bFunc                    // a user function (let f = (a:long) { ... })
	bExpr                    // a per-row expression (scalar function parameters)
)

type binding struct {
	kind bindKind
	val  types.Value
	expr ast.Expr
	sc   *scope // the scope expr and fn were defined in
	tab  *table.Table
	fn   *ast.FuncLit
	ce   *cexpr
}

// scope is a chain of let bindings; the session keeps the outermost one.
type scope struct {
	parent *scope
	vars   map[string]*binding
}

func newScope(parent *scope) *scope { return &scope{parent: parent, vars: map[string]*binding{}} }

// lookup finds a name's binding; a name bound to nil in a scope (see
// defScope) is unbound there, whatever the outer scopes say.
func (s *scope) lookup(name string) *binding {
	for ; s != nil; s = s.parent {
		if b, ok := s.vars[name]; ok {
			return b
		}
	}
	return nil
}

// defScope is the scope a let's value or function body is evaluated in: sc,
// except that the name being defined means what it meant before the let (an
// earlier let, or a table of that name), as in Kusto. Seeing itself, `let s =
// s | where ...` would recurse without end.
func defScope(sc *scope, name string) *scope {
	inner := newScope(sc)
	inner.vars[name] = sc.lookup(name)
	return inner
}

// maxNesting bounds how deeply views and user functions may expand into one
// another. Kusto refuses recursion; here mutual recursion through lets of
// several cells would otherwise overflow the stack, which ends the process.
const maxNesting = 100

// nest counts one level of view or function expansion, failing past
// maxNesting; undo with unnest.
func (r *runner) nest(pos token.Pos, name string) error {
	if r.depth >= maxNesting {
		return r.errorf(pos, "'%s' expands into itself (through %d levels of lets and functions): recursion is not allowed", name, maxNesting)
	}
	r.depth++
	return nil
}

func (r *runner) unnest() { r.depth-- }

// chunkRows is how many rows one unit of parallel work covers; the context
// is checked between chunks.
const chunkRows = 1 << 15

// forChunks runs f over [0, n) in chunks on the session's workers (or in
// one sequential pass when serial), stopping at the first error or when the
// context is cancelled.
func (r *runner) forChunks(n int, serial bool, f func(ci, lo, hi int) error) error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	nchunks := (n + chunkRows - 1) / chunkRows
	if serial {
		if n == 0 {
			return f(0, 0, 0)
		}
		return f(0, 0, n)
	}
	if nchunks <= 1 {
		return f(0, 0, n)
	}
	workers := r.sess.opts.Parallelism
	if workers > nchunks {
		workers = nchunks
	}
	var next atomic.Int64
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ci := int(next.Add(1) - 1)
				if ci >= nchunks {
					return
				}
				mu.Lock()
				stop := firstErr != nil
				mu.Unlock()
				if stop {
					return
				}
				err := r.ctx.Err()
				if err == nil {
					lo := ci * chunkRows
					hi := min(lo+chunkRows, n)
					err = f(ci, lo, hi)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

func numChunks(n int, serial bool) int {
	if serial || n <= chunkRows {
		return 1
	}
	return (n + chunkRows - 1) / chunkRows
}
