package rules

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/huntbook/huntbook/kql/exec"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

// WorkspaceCatalog serves the tables and watchlists of workspace folders
// (an earlier folder's table hides a later one of the same name), as the
// local provider does.
func WorkspaceCatalog(spaces ...*workspace.Workspace) exec.Catalog {
	return &wsCatalog{spaces: spaces}
}

type wsCatalog struct{ spaces []*workspace.Workspace }

func (c *wsCatalog) Table(ctx context.Context, name string) (*table.Table, error) {
	for _, w := range c.spaces {
		if _, ok := w.Schema(name); ok {
			t, _, err := w.Load(ctx, name)
			return t, err
		}
	}
	return nil, fmt.Errorf("unknown table %q", name)
}

func (c *wsCatalog) TableNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range c.spaces {
		for _, n := range w.Tables() {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (c *wsCatalog) Watchlist(ctx context.Context, alias string) (*table.Table, error) {
	var first error
	for _, w := range c.spaces {
		t, err := w.Watchlist(alias)
		if err == nil {
			return t, nil
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = fmt.Errorf("unknown watchlist %q", alias)
	}
	return nil, first
}

// timeIndex caches each table of a catalog sorted by TimeGenerated, so a
// run's window is a contiguous range of rows that can be sliced, not copied.
type timeIndex struct {
	cat exec.Catalog
	mu  sync.Mutex
	ts  map[string]*timed
}

type timed struct {
	t     *table.Table
	times []int64 // sorted TimeGenerated ticks; nil when the table has no such column
	nulls int     // rows with a null TimeGenerated, sorted first and never visible
}

func newTimeIndex(cat exec.Catalog) *timeIndex {
	return &timeIndex{cat: cat, ts: map[string]*timed{}}
}

func (x *timeIndex) get(ctx context.Context, name string) (*timed, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if t, ok := x.ts[name]; ok {
		return t, nil
	}
	t, err := x.cat.Table(ctx, name)
	if err != nil {
		return nil, err
	}
	tt := &timed{t: t}
	if c := t.Column("TimeGenerated"); c != nil && c.Type == types.DateTime {
		tt.t, tt.times, tt.nulls = sortByTime(t, c)
	}
	x.ts[name] = tt
	return tt, nil
}

// sortByTime returns t ordered by the time column (nulls first), the sorted
// times and the number of nulls. A table already in order is not copied.
func sortByTime(t *table.Table, c *table.Column) (*table.Table, []int64, int) {
	n := t.Rows()
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	key := func(i int) (bool, int64) { return !c.IsNull(i), c.Ints[i] }
	less := func(a, b int) bool {
		va, ta := key(a)
		vb, tb := key(b)
		if va != vb {
			return !va
		}
		return ta < tb
	}
	sorted := sort.SliceIsSorted(idx, func(i, j int) bool { return less(idx[i], idx[j]) })
	if !sorted {
		sort.SliceStable(idx, func(i, j int) bool { return less(idx[i], idx[j]) })
		t = gather(t, idx)
		c = t.Column("TimeGenerated")
	}
	nulls := 0
	for i := 0; i < n && c.IsNull(i); i++ {
		nulls++
	}
	return t, c.Ints, nulls
}

// gather builds a table of t's rows idx, in that order.
func gather(t *table.Table, idx []int) *table.Table {
	out := &table.Table{Name: t.Name}
	for _, c := range t.Columns {
		nc := table.NewColumn(c.Name, c.Type, len(idx))
		for _, i := range idx {
			nc.Append(c.Value(i))
		}
		out.Columns = append(out.Columns, nc)
	}
	return out
}

// window returns the rows with lo < TimeGenerated <= hi, sharing storage.
func (tt *timed) window(lo, hi int64) *table.Table {
	if tt.times == nil {
		return tt.t
	}
	a := tt.nulls + sort.Search(len(tt.times)-tt.nulls, func(i int) bool { return tt.times[tt.nulls+i] > lo })
	b := tt.nulls + sort.Search(len(tt.times)-tt.nulls, func(i int) bool { return tt.times[tt.nulls+i] > hi })
	return slice(tt.t, a, b)
}

// count is how many rows fall in the window.
func (tt *timed) count(lo, hi int64) int {
	if tt.times == nil {
		return tt.t.Rows()
	}
	return tt.window(lo, hi).Rows()
}

func slice(t *table.Table, a, b int) *table.Table {
	out := &table.Table{Name: t.Name, Columns: make([]*table.Column, len(t.Columns))}
	for j, c := range t.Columns {
		nc := &table.Column{Name: c.Name, Type: c.Type}
		switch table.Storage(c.Type) {
		case table.StoreInts:
			nc.Ints = c.Ints[a:b:b]
		case table.StoreReals:
			nc.Reals = c.Reals[a:b:b]
		case table.StoreStrs:
			nc.Strs = c.Strs[a:b:b]
		case table.StoreDyns:
			nc.Dyns = c.Dyns[a:b:b]
		}
		if c.Nulls != nil {
			nc.Nulls = c.Nulls[a:b:b]
		}
		out.Columns[j] = nc
	}
	return out
}

// windowView is the catalog one run sees: every table cut to the run's
// queryPeriod, so rows after the run time (and before the period) do not
// exist for the query, as in Sentinel.
type windowView struct {
	idx    *timeIndex
	lo, hi int64
	mu     sync.Mutex
	used   map[string]bool
}

func (v *windowView) Table(ctx context.Context, name string) (*table.Table, error) {
	tt, err := v.idx.get(ctx, name)
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	if v.used == nil {
		v.used = map[string]bool{}
	}
	v.used[name] = true
	v.mu.Unlock()
	return tt.window(v.lo, v.hi), nil
}

func (v *windowView) TableNames() []string { return v.idx.cat.TableNames() }

func (v *windowView) Watchlist(ctx context.Context, alias string) (*table.Table, error) {
	return v.idx.cat.Watchlist(ctx, alias)
}
