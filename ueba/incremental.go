package ueba

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

// BuildStats says what a build read.
type BuildStats struct {
	// Incremental: the build started from the baseline saved in the
	// workspace and read only activities from From on.
	Incremental bool
	// Reason says why a build asked to be incremental read everything.
	Reason string
	// From is the saved baseline's end (zero for a full build).
	From time.Time
	// Activities is how many activities the build scored.
	Activities int
	// BaselineDays is how many days the baseline window holds after it.
	BaselineDays int
}

// input is what a build scores: activities, the baseline they are scored
// against and, when resuming, the rows already written.
type input struct {
	acts   []Activity
	base   *Baseline
	ips    map[string]ipInfo
	header stateHeader   // the saved baseline's (zero for a full build)
	before [nSources]int // activities per source before header.WindowEnd
	prior  *table.Table  // BehaviorAnalytics rows before header.WindowEnd
	opts   Options
}

// readInput resumes from the workspace's saved baseline when
// Options.Incremental asks and it fits (same options, unchanged history,
// its BehaviorAnalytics rows present); otherwise it reads everything.
func (t *Tables) readInput(ctx context.Context, ws *workspace.Workspace) (*input, error) {
	in := &input{opts: t.opts}
	if t.opts.Incremental {
		reason, err := in.resume(ctx, ws, t.Directory)
		if err != nil {
			return nil, err
		}
		if reason == "" {
			t.Stats.Incremental = true
			t.Stats.From = types.TicksToTime(in.header.WindowEnd)
			return in, nil
		}
		t.Stats.Reason = reason
		*in = input{opts: t.opts}
	}
	acts, _, err := readActivities(ctx, ws, t.Directory, minTicks)
	if err != nil {
		return nil, err
	}
	in.acts, in.base, in.ips = acts, NewBaseline(t.opts), map[string]ipInfo{}
	return in, nil
}

// minTicks reads every activity.
const minTicks = -1 << 63

// resume loads the saved baseline and the activities after it; a reason
// not to resume is returned, a damaged state file is an error.
func (in *input) resume(ctx context.Context, ws *workspace.Workspace, dir *Directory) (string, error) {
	h, b, ips, err := readState(ws.Dir, in.opts)
	if errors.Is(err, errNoState) {
		return "no saved baseline in " + StateFile, nil
	}
	if err != nil {
		return "", err
	}
	if h.Options != in.opts.fingerprint() {
		return fmt.Sprintf("the saved baseline was built with other options (%s)", h.Options), nil
	}
	acts, before, err := readActivities(ctx, ws, dir, h.WindowEnd)
	if err != nil {
		return "", err
	}
	for s := range nSources {
		if got, want := before[s], h.Sources[sourceTables[s]]; got != want {
			return fmt.Sprintf("%s has %d activities before %s, the saved baseline counted %d: history changed",
				sourceTables[s], got, types.FormatDateTime(h.WindowEnd), want), nil
		}
	}
	prior, reason, err := priorRows(ctx, ws, h)
	if err != nil || reason != "" {
		return reason, err
	}
	in.acts, in.base, in.ips, in.header, in.before, in.prior = acts, b, ips, h, before, prior
	return "", nil
}

// priorRows checks the workspace's BehaviorAnalytics against a saved
// baseline: it must hold the rows before the baseline's end, with every
// column this build writes.
func priorRows(ctx context.Context, ws *workspace.Workspace, h stateHeader) (*table.Table, string, error) {
	old, err := loadOptional(ctx, ws, BehaviorAnalyticsTable)
	if err != nil {
		return nil, "", err
	}
	if old == nil {
		return nil, "the workspace has no BehaviorAnalytics table for the saved baseline", nil
	}
	for _, c := range newBehaviorTable().Columns {
		oc := old.Column(c.Name)
		if oc == nil || oc.Type != c.Type {
			return nil, fmt.Sprintf("BehaviorAnalytics lacks column %s (%s)", c.Name, c.Type), nil
		}
	}
	if old.Rows() < h.Rows {
		return nil, fmt.Sprintf("BehaviorAnalytics has %d rows, the saved baseline wrote %d", old.Rows(), h.Rows), nil
	}
	tg := old.Column("TimeGenerated")
	if h.Rows > 0 && tg.Ints[h.Rows-1] >= h.WindowEnd || h.Rows < old.Rows() && tg.Ints[h.Rows] < h.WindowEnd {
		return nil, fmt.Sprintf("BehaviorAnalytics rows do not end at the saved baseline's end (%s)", types.FormatDateTime(h.WindowEnd)), nil
	}
	return old, "", nil
}

// save encodes the baseline as folded now: done are the activities
// scored so far in this build, rows the BehaviorAnalytics rows so far.
func (in *input) save(b *Baseline, rows int, done []Activity, tenant string) []byte {
	h := stateHeader{Options: in.opts.fingerprint(), WindowEnd: in.header.WindowEnd, Rows: rows, Tenant: tenant,
		Sources: map[string]int{}}
	if n := len(b.days); n > 0 {
		h.WindowEnd = b.days[n-1].day + types.Day
	}
	counts := in.before
	for i := range done {
		counts[done[i].Source]++
	}
	for s := range nSources {
		h.Sources[sourceTables[s]] = counts[s]
	}
	return encodeState(h, b, in.ips)
}

// resume starts the writer's table with the first rows of a previous
// build's BehaviorAnalytics, with room for more new ones.
func (w *behaviorWriter) resume(old *table.Table, rows, more int) {
	for _, c := range w.t.Columns {
		oc := old.Column(c.Name)
		switch table.Storage(c.Type) {
		case table.StoreStrs:
			c.Strs = append(slices.Grow(c.Strs[:0], rows+more), oc.Strs[:rows]...)
		case table.StoreDyns:
			c.Dyns = append(slices.Grow(c.Dyns[:0], rows+more), oc.Dyns[:rows]...)
		case table.StoreInts:
			c.Ints = append(slices.Grow(c.Ints[:0], rows+more), oc.Ints[:rows]...)
		case table.StoreReals:
			c.Reals = append(slices.Grow(c.Reals[:0], rows+more), oc.Reals[:rows]...)
		}
		if oc.Nulls != nil && slices.Contains(oc.Nulls[:rows], true) {
			c.Nulls = slices.Clone(oc.Nulls[:rows])
		}
	}
	for _, p := range old.Column("InvestigationPriority").Ints[:rows] {
		w.Priorities[min(max(p, 0), 10)]++
	}
}
