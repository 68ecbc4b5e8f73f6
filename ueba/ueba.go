package ueba

import (
	"cmp"
	"context"
	"crypto/sha1"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

// Tables are the three UEBA tables built from a workspace, with what the
// per-entity answers (Peers, BlastRadius, Timeline) need.
type Tables struct {
	BehaviorAnalytics   *table.Table
	UserPeerAnalytics   *table.Table
	UserAccessAnalytics *table.Table

	Directory *Directory
	Graph     *AccessGraph
	// Radii is every principal's blast radius summary, by graph node id.
	Radii []RadiusSummary
	// Priorities counts BehaviorAnalytics rows per InvestigationPriority.
	Priorities [11]int

	// Stats says what the build read: all days, or only those after a
	// saved baseline (Options.Incremental).
	Stats BuildStats

	state   []byte // encoded baseline for StateFile
	opts    Options
	asOf    int64
	tenant  string
	peers   map[string][]PeerRank // user id -> ranked peers (indices into Directory.Users)
	alerts  *table.Table
	reports map[string]bool
}

// Build computes BehaviorAnalytics, UserPeerAnalytics and
// UserAccessAnalytics from a workspace's logs and directory.
func Build(ctx context.Context, ws *workspace.Workspace, opts Options) (*Tables, error) {
	opts = opts.withDefaults()
	if err := opts.check(); err != nil {
		return nil, err
	}
	asOf := opts.Now
	if asOf.IsZero() {
		asOf = ws.End
	}
	if asOf.IsZero() {
		asOf = time.Now().UTC()
	}
	dir, err := LoadDirectory(ctx, ws)
	if err != nil {
		return nil, err
	}
	t := &Tables{Directory: dir, opts: opts, asOf: types.TimeToTicks(asOf), reports: map[string]bool{}}
	for _, u := range dir.Users {
		if u.ManagerID != "" {
			t.reports[strings.ToLower(u.ManagerID)] = true
		}
	}
	t.Graph = NewAccessGraph(dir, t.asOf)
	if t.Radii, err = t.Graph.AllBlastRadii(ctx, t.reports); err != nil {
		return nil, err
	}
	in, err := t.readInput(ctx, ws)
	if err != nil {
		return nil, err
	}
	if len(in.acts) > 0 {
		t.tenant = in.acts[0].TenantID
	} else {
		t.tenant = in.header.Tenant
	}
	if err := t.buildPeers(ctx); err != nil {
		return nil, err
	}
	ti, err := threatIntel(ctx, ws)
	if err != nil {
		return nil, err
	}
	if t.alerts, err = loadOptional(ctx, ws, "SecurityAlert"); err != nil {
		return nil, err
	}
	if err := t.buildBehavior(ctx, in, ti); err != nil {
		return nil, err
	}
	t.buildAccess()
	return t, nil
}

// Write stores the three tables in the workspace folder as JSON lines
// with schema files, so KQL sees them as plain tables, and the baseline
// state (StateFile) a later incremental build starts from.
func (t *Tables) Write(ws *workspace.Workspace) error {
	for _, x := range []*table.Table{t.BehaviorAnalytics, t.UserPeerAnalytics, t.UserAccessAnalytics} {
		if err := ws.Write(x.Name, x, "jsonl"); err != nil {
			return fmt.Errorf("ueba: %w", err)
		}
	}
	if t.state != nil {
		return writeState(ws.Dir, t.state)
	}
	return nil
}

// memberships lists each user's groups, direct and nested, as group
// indices; cycles in the nesting are harmless.
func memberships(d *Directory) [][]int32 {
	gi := map[string]int32{}
	for i, g := range d.Groups {
		gi[strings.ToLower(g.ID)] = int32(i)
	}
	parents := make([][]int32, len(d.Groups))
	direct := map[string][]int32{}
	for i, g := range d.Groups {
		for _, c := range g.MemberGroups {
			if ci, ok := gi[strings.ToLower(c)]; ok {
				parents[ci] = append(parents[ci], int32(i))
			}
		}
		for _, u := range g.MemberUsers {
			direct[strings.ToLower(u)] = append(direct[strings.ToLower(u)], int32(i))
		}
	}
	out := make([][]int32, len(d.Users))
	seen := make([]bool, len(d.Groups))
	for ui, u := range d.Users {
		stack := append([]int32(nil), direct[strings.ToLower(u.ID)]...)
		var got []int32
		for len(stack) > 0 {
			g := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[g] {
				continue
			}
			seen[g] = true
			got = append(got, g)
			stack = append(stack, parents[g]...)
		}
		for _, g := range got {
			seen[g] = false
		}
		out[ui] = got
	}
	return out
}

func (t *Tables) buildPeers(ctx context.Context) error {
	d := t.Directory
	ranks, err := RankPeers(ctx, memberships(d), len(d.Groups), t.opts.Peers)
	if err != nil {
		return err
	}
	t.peers = map[string][]PeerRank{}
	tbl := newTable(UserPeerAnalyticsTable)
	for ui, u := range d.Users {
		t.peers[strings.ToLower(u.ID)] = ranks[ui]
		for r, p := range ranks[ui] {
			pu := d.Users[p.Peer]
			tbl.AppendRow(rowOf(tbl, map[string]types.Value{
				"AADTenantId": types.NewString(d.TenantID), "PeerUserId": types.NewString(pu.ID),
				"PeerUserName": types.NewString(pu.DisplayName), "PeerUserPrincipalName": types.NewString(pu.UPN),
				"Rank": types.NewInt(int64(r + 1)), "SourceSystem": types.NewString("huntbook"), "TenantId": types.NewString(t.tenant),
				"TimeGenerated": types.NewDateTime(t.asOf), "Type": types.NewString(UserPeerAnalyticsTable),
				"UserId": types.NewString(u.ID), "UserName": types.NewString(u.DisplayName), "UserPrincipalName": types.NewString(u.UPN),
			}))
		}
	}
	t.UserPeerAnalytics = tbl
	return nil
}

// rowOf orders named values as the table's columns (absent ones null).
func rowOf(t *table.Table, vals map[string]types.Value) []types.Value {
	row := make([]types.Value, len(t.Columns))
	for i, c := range t.Columns {
		if v, ok := vals[c.Name]; ok {
			row[i] = v
		} else {
			row[i] = types.NullOf(c.Type)
		}
	}
	return row
}

func threatIntel(ctx context.Context, ws *workspace.Workspace) (map[string]tiInfo, error) {
	out := map[string]tiInfo{}
	t, err := loadOptional(ctx, ws, "ThreatIntelligenceIndicator")
	if err != nil || t == nil {
		return out, err
	}
	c := columnsOf(t)
	ip, src, dst, kind, desc, active := c.str("NetworkIP"), c.str("NetworkSourceIP"), c.str("NetworkDestinationIP"), c.str("ThreatType"), c.str("Description"), c.str("Active")
	for i := range t.Rows() {
		if active(i) == "false" {
			continue
		}
		for _, a := range []string{ip(i), src(i), dst(i)} {
			if a != "" {
				out[a] = tiInfo{kind(i), desc(i)}
			}
		}
	}
	return out, nil
}

func (t *Tables) buildBehavior(ctx context.Context, in *input, ti map[string]tiInfo) error {
	acts := in.acts
	d := t.Directory
	accounts := map[string]*accountInfo{}
	for _, u := range d.Users {
		info := &accountInfo{id: u.ID, upn: u.UPN, name: u.DisplayName, sam: u.SAMAccount, blast: "Low"}
		if u.Created != "" {
			if tm, err := time.Parse(time.RFC3339Nano, u.Created); err == nil {
				info.created = types.TimeToTicks(tm)
			}
		}
		if n := t.Graph.byKey[strings.ToLower(u.ID)]; n != nil {
			info.blast = t.Radii[n.id].Level
		}
		accounts[strings.ToLower(u.ID)] = info
	}
	for _, sp := range d.ServicePrincipals {
		info := &accountInfo{id: sp.ID, name: sp.DisplayName, blast: "Low"}
		if n := t.Graph.byKey[strings.ToLower(sp.ID)]; n != nil {
			info.blast = t.Radii[n.id].Level
		}
		accounts[strings.ToLower(sp.ID)] = info
	}
	b := in.base
	for _, u := range d.Users {
		var ps []string
		for _, p := range t.peers[strings.ToLower(u.ID)] {
			ps = append(ps, d.Users[p.Peer].ID)
		}
		b.SetPeers(u.ID, ps)
	}
	w := newBehaviorWriter(t.opts, types.TimeToTicks(time.Now().UTC()), accounts, ti)
	if !t.opts.Now.IsZero() {
		w.processed = types.TimeToTicks(t.opts.Now)
	}
	if in.prior != nil {
		w.resume(in.prior, in.header.Rows, len(acts))
	}
	// the last day stays out of the saved state until it is over
	bl, cur := newBlastLevels(t), -1
	lastPartial := len(acts) > 0 && dayOf(acts[len(acts)-1].Time)+types.Day > t.asOf
	for lo := 0; lo < len(acts); {
		if err := ctx.Err(); err != nil {
			return err
		}
		day := dayOf(acts[lo].Time)
		hi := lo + 1
		for hi < len(acts) && dayOf(acts[hi].Time) <= day {
			hi++
		}
		levels, key, err := bl.at(ctx, day+types.Day-1)
		if err != nil {
			return err
		}
		if key != cur {
			cur = key
			for k, info := range accounts {
				info.blast = cmp.Or(levels[k], "Low")
				info.bags = [4]*types.Bag{}
			}
		}
		if hi == len(acts) && lastPartial {
			b.Fold()
			t.state = in.save(b, w.t.Rows(), acts[:lo], t.tenant)
		}
		borrowLocations(acts[lo:hi], in.ips)
		w.writeDay(b, acts[lo:hi], t.opts.Workers)
		lo = hi
	}
	if t.state == nil {
		b.Fold()
		t.state = in.save(b, w.t.Rows(), acts, t.tenant)
	}
	t.BehaviorAnalytics = w.t
	t.Priorities = w.Priorities
	t.Stats.Activities = len(acts)
	t.Stats.BaselineDays = b.Days()
	return nil
}

// accessID is a stable id for one access: a name-based UUID of its parts.
func accessID(parts ...string) string {
	h := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func (t *Tables) buildAccess() {
	tbl := newTable(UserAccessAnalyticsTable)
	add := func(src *Node, a Access, end int64, reason string) {
		vals := map[string]types.Value{
			"AADTenantId": types.NewString(t.Directory.TenantID), "AccessId": types.NewString(accessID(src.Key, a.Target.Key, a.Level)),
			"AccessLevel": types.NewString(a.Level), "AccessType": types.NewString(a.Type),
			"SourceEntityId": types.NewString(src.ID), "SourceEntityName": types.NewString(src.Name), "SourceEntityType": types.NewString(src.Kind.String()),
			"SourceSystem": types.NewString("huntbook"), "TargetEntityId": types.NewString(a.Target.ID),
			"TargetEntityName": types.NewString(a.Target.Name), "TargetEntityType": types.NewString(a.Target.Kind.String()),
			"TenantId": types.NewString(t.tenant), "TimeGenerated": types.NewDateTime(t.asOf), "Type": types.NewString(UserAccessAnalyticsTable),
			"AccessEndReason": types.NewString(reason),
		}
		if a.Start != 0 {
			vals["AccessStartTime"] = types.NewDateTime(a.Start)
		}
		if end != 0 {
			vals["AccessEndTime"] = types.NewDateTime(end)
		}
		tbl.AppendRow(rowOf(tbl, vals))
	}
	current := map[accessKey]bool{}
	for _, src := range t.Graph.nodes {
		if !src.Kind.principal() {
			continue
		}
		for _, a := range t.Graph.Reach(src) {
			current[accessKey{src.Key, a.Target.Key, a.Level}] = true
			add(src, a, 0, "")
		}
	}
	for _, e := range t.endedAccess(current) {
		add(e.src, e.Access, e.end, e.reason)
	}
	t.UserAccessAnalytics = tbl
}

type accessKey struct{ src, target, level string }

// ended is an access a principal had until end.
type ended struct {
	Access
	src    *Node
	end    int64
	reason string
}

// Reasons an access ended (UserAccessAnalytics AccessEndReason).
const (
	EndRoleDeleted      = "Role assignment deleted"
	EndRemovedFromGroup = "Removed from group"
	endReasonsSeparator = "; "
)

// endedAccess lists the accesses principals held during the logs and no
// longer hold at the build's instant, each ended at the last role
// assignment deletion or group removal that took it away. Only the
// principals the change reaches are walked: the assignee or removed
// member, its nested members and the owners of those principals.
func (t *Tables) endedAccess(current map[accessKey]bool) []ended {
	d := t.Directory
	reasons := map[int64][]string{} // end instant -> reasons
	sources := map[int64][]string{} // end instant -> principal or group keys the change hit
	note := func(at int64, key, reason string) {
		if at == 0 || at > t.asOf {
			return
		}
		if !slices.Contains(reasons[at], reason) {
			reasons[at] = append(reasons[at], reason)
		}
		sources[at] = append(sources[at], strings.ToLower(key))
	}
	for _, ra := range d.RoleAssignments {
		note(ra.End, ra.PrincipalID, EndRoleDeleted)
	}
	for _, c := range d.MemberChanges {
		if !c.Added {
			note(c.At, c.MemberID, EndRemovedFromGroup)
		}
	}
	ends := make([]int64, 0, len(reasons))
	for at := range reasons {
		ends = append(ends, at)
	}
	slices.Sort(ends)
	var out []ended
	done := map[accessKey]bool{}
	// latest first: an access that ended, came back and ended again ended last
	for i := len(ends) - 1; i >= 0; i-- {
		at := ends[i]
		before, after := NewAccessGraph(d, at-1), NewAccessGraph(d, at)
		for _, src := range before.affected(sources[at]) {
			still := map[accessKey]bool{}
			if n := after.byKey[src.Key]; n != nil {
				for _, a := range after.Reach(n) {
					still[accessKey{src.Key, a.Target.Key, a.Level}] = true
				}
			}
			for _, a := range before.Reach(src) {
				k := accessKey{src.Key, a.Target.Key, a.Level}
				if current[k] || done[k] || still[k] {
					continue
				}
				done[k] = true
				out = append(out, ended{Access: a, src: src, end: at, reason: strings.Join(reasons[at], endReasonsSeparator)})
			}
		}
	}
	// in time order of ending
	slices.SortStableFunc(out, func(a, b ended) int { return cmp.Compare(a.end, b.end) })
	return out
}

// findUser finds a directory user by UPN, object id or display name.
func (t *Tables) findUser(s string) (int, error) {
	for i, u := range t.Directory.Users {
		if strings.EqualFold(u.UPN, s) || strings.EqualFold(u.ID, s) {
			return i, nil
		}
	}
	var hits []int
	for i, u := range t.Directory.Users {
		if strings.EqualFold(u.DisplayName, s) {
			hits = append(hits, i)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return -1, fmt.Errorf("ueba: no user %q (give a user principal name, object id or display name)", s)
	}
	return -1, fmt.Errorf("ueba: %d users are named %q; give the user principal name", len(hits), s)
}

// Peer is one ranked peer.
type Peer struct {
	Rank       int
	User       User
	Similarity float64
	Shared     []string // groups both belong to
}

// PeersOf ranks a user's peers with their similarity and shared groups.
func (t *Tables) PeersOf(user string) (User, []Peer, error) {
	ui, err := t.findUser(user)
	if err != nil {
		return User{}, nil, err
	}
	d := t.Directory
	mem := memberships(d)
	mine := map[int32]bool{}
	for _, g := range mem[ui] {
		mine[g] = true
	}
	var out []Peer
	for r, p := range t.peers[strings.ToLower(d.Users[ui].ID)] {
		var shared []string
		for _, g := range mem[p.Peer] {
			if mine[g] {
				shared = append(shared, d.Groups[g].DisplayName)
			}
		}
		sort.Strings(shared)
		out = append(out, Peer{Rank: r + 1, User: d.Users[p.Peer], Similarity: p.Score, Shared: shared})
	}
	return d.Users[ui], out, nil
}

// BlastOf computes a principal's blast radius with every access path.
// The principal is a user (UPN, object id or display name), a service
// principal or managed identity (object id or display name).
func (t *Tables) BlastOf(principal string) (BlastRadius, error) {
	n := t.Graph.Lookup(principal)
	if n == nil {
		if ui, err := t.findUser(principal); err == nil {
			n = t.Graph.byKey[strings.ToLower(t.Directory.Users[ui].ID)]
		}
	}
	if n == nil || !n.Kind.principal() {
		return BlastRadius{}, fmt.Errorf("ueba: no user or service principal %q", principal)
	}
	return t.Graph.Blast(n, t.reports[n.Key]), nil
}
