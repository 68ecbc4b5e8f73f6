package ueba

import (
	"context"
	"slices"
	"sort"
	"strings"
)

// changeTimes are the instants the logs change access at: grants and
// revocations of roles, app roles and group memberships, sorted.
func (d *Directory) changeTimes() []int64 {
	var ts []int64
	for _, ra := range d.RoleAssignments {
		ts = append(ts, ra.Start, ra.End)
	}
	for _, rs := range d.AppRoles {
		for _, r := range rs {
			ts = append(ts, r.Start)
		}
	}
	for _, m := range d.MemberChanges {
		ts = append(ts, m.At)
	}
	ts = slices.DeleteFunc(ts, func(t int64) bool { return t == 0 })
	slices.Sort(ts)
	return slices.Compact(ts)
}

// blastLevels gives principals' blast radius levels as of an instant, so
// an activity carries the radius its account had on its day, not at the
// build's end (and a day built alone agrees with a build of all days).
// The graph only changes at changeTimes, so one computation serves every
// day between two changes.
type blastLevels struct {
	t       *Tables
	changes []int64
	cache   map[int]map[string]string // by changes in force -> principal key -> level
}

func newBlastLevels(t *Tables) *blastLevels {
	return &blastLevels{t: t, changes: t.Directory.changeTimes(), cache: map[int]map[string]string{}}
}

// at returns the levels as of when and an id of that access state.
func (bl *blastLevels) at(ctx context.Context, when int64) (map[string]string, int, error) {
	when = min(when, bl.t.asOf)
	key := sort.Search(len(bl.changes), func(i int) bool { return bl.changes[i] > when })
	if m, ok := bl.cache[key]; ok {
		return m, key, nil
	}
	g, radii := bl.t.Graph, bl.t.Radii
	if key != sort.Search(len(bl.changes), func(i int) bool { return bl.changes[i] > bl.t.asOf }) {
		g = NewAccessGraph(bl.t.Directory, when)
		var err error
		if radii, err = g.AllBlastRadii(ctx, bl.t.reports); err != nil {
			return nil, 0, err
		}
	}
	m := map[string]string{}
	for _, n := range g.nodes {
		if n.Kind.principal() {
			m[strings.ToLower(n.ID)] = radii[n.id].Level
		}
	}
	bl.cache[key] = m
	return m, key, nil
}
