package ueba

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

// isSource reports whether a table is one BehaviorAnalytics reads.
func isSource(name string) bool {
	for _, s := range sourceTables {
		if s == name {
			return true
		}
	}
	return false
}

// before keeps the rows of t earlier than cut (ticks).
func before(t *table.Table, cut int64) *table.Table {
	tg := t.Column("TimeGenerated")
	var keep []int
	for i := range t.Rows() {
		if tg.Ints[i] < cut {
			keep = append(keep, i)
		}
	}
	out := &table.Table{Name: t.Name}
	for _, c := range t.Columns {
		n := table.NewColumn(c.Name, c.Type, len(keep))
		for _, i := range keep {
			switch table.Storage(c.Type) {
			case table.StoreInts:
				n.Ints = append(n.Ints, c.Ints[i])
			case table.StoreReals:
				n.Reals = append(n.Reals, c.Reals[i])
			case table.StoreStrs:
				n.Strs = append(n.Strs, c.Strs[i])
			case table.StoreDyns:
				n.Dyns = append(n.Dyns, c.Dyns[i])
			}
			if c.Nulls != nil {
				n.Nulls = append(n.Nulls, c.Nulls[i])
			}
		}
		out.Columns = append(out.Columns, n)
	}
	return out
}

// cutWorkspace is the sample tenant as it stood at cut: a folder with its
// directory and saved UEBA state, the source logs before cut and the
// other tables whole, in memory; prior is the previous build's
// BehaviorAnalytics (nil for none).
func cutWorkspace(t testing.TB, src *workspace.Workspace, dir string, cut time.Time, prior *table.Table) *workspace.Workspace {
	t.Helper()
	ws, err := workspace.Open(dir, workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws.End = cut
	for _, name := range src.Tables() {
		if strings.HasSuffix(name, "Analytics") {
			continue
		}
		tbl, _, err := src.Load(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if isSource(name) {
			tbl = before(tbl, types.TimeToTicks(cut))
		}
		ws.Add(tbl)
	}
	if prior != nil {
		ws.Add(prior)
	}
	return ws
}

// sameRows compares two BehaviorAnalytics tables cell by cell, all but
// TimeProcessed (when a row was computed, the one thing that differs
// between builds); dynamic values compare by their JSON text.
func sameRows(t testing.TB, got, want *table.Table) {
	t.Helper()
	if got.Rows() != want.Rows() {
		t.Fatalf("%d rows, want %d", got.Rows(), want.Rows())
	}
	text := map[any]string{} // rendered dynamic values by identity
	render := func(v any) string {
		if s, ok := text[v]; ok {
			return s
		}
		s := types.NewDynamic(v).String()
		text[v] = s
		return s
	}
	for _, wc := range want.Columns {
		if wc.Name == "TimeProcessed" {
			continue
		}
		gc := got.Column(wc.Name)
		if gc == nil || gc.Type != wc.Type {
			t.Fatalf("column %s (%s) missing or of another type", wc.Name, wc.Type)
		}
		for i := range want.Rows() {
			if wc.Type == types.Dynamic {
				if g, w := render(gc.Dyns[i]), render(wc.Dyns[i]); g != w {
					t.Fatalf("row %d %s: %s, want %s", i, wc.Name, g, w)
				}
			} else if g, w := gc.Value(i), wc.Value(i); g != w {
				t.Fatalf("row %d %s: %v, want %v", i, wc.Name, g, w)
			}
		}
	}
}

func sampleDir(t testing.TB, src *workspace.Workspace) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(src.Dir, "entities.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "entities.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Building day by day, each build folding one new day into the saved
// baseline, gives exactly the rows of building everything at once.
func TestIncrementalEqualsFull(t *testing.T) {
	full, _, src := sampleTables(t)
	dir := sampleDir(t, src)
	var prior *table.Table
	for i, back := range []int{3, 2, 1, 0} {
		cut := sampleEnd.AddDate(0, 0, -back)
		ws := cutWorkspace(t, src, dir, cut, prior)
		tb, err := Build(context.Background(), ws, Options{Now: cut, Incremental: true})
		if err != nil {
			t.Fatal(err)
		}
		wantFrom := cut.AddDate(0, 0, -1)
		switch {
		case i == 0 && (tb.Stats.Incremental || !strings.Contains(tb.Stats.Reason, "no saved baseline")):
			t.Fatalf("first build: %+v, want a full build for want of a baseline", tb.Stats)
		case i > 0 && (!tb.Stats.Incremental || !tb.Stats.From.Equal(wantFrom)):
			t.Fatalf("build to %s: %+v, want incremental from %s", cut, tb.Stats, wantFrom)
		case i > 0 && tb.Stats.Activities >= full.BehaviorAnalytics.Rows()/10:
			t.Fatalf("build to %s scored %d activities: more than a day's", cut, tb.Stats.Activities)
		}
		if err := writeState(dir, tb.state); err != nil {
			t.Fatal(err)
		}
		prior = tb.BehaviorAnalytics
	}
	sameRows(t, prior, full.BehaviorAnalytics)
	if prior.Rows() == 0 {
		t.Fatal("no rows")
	}
}
