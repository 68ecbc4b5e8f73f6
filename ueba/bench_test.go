package ueba

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

// heapPeak samples the live heap; benchmarks report the largest sample.
type heapPeak struct{ max uint64 }

func (h *heapPeak) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.max = max(h.max, m.HeapInuse)
}

func (h *heapPeak) report(b *testing.B) { b.ReportMetric(float64(h.max)/1e6, "MB-heap-peak") }

// BenchmarkBehaviorAnalytics10M scores 10M sign-ins of 10,000 users over
// 30 days (peers in teams of 21) and writes their BehaviorAnalytics rows,
// a day at a time as a streaming build would: go test -bench
// BehaviorAnalytics10M -benchtime 1x ./ueba (target: under 60 s on 2 cores).
func BenchmarkBehaviorAnalytics10M(b *testing.B) {
	const users, days, total = 10_000, 30, 10_000_000
	perDay := total / days
	r := rand.New(rand.NewPCG(1, 2))
	apps := []string{"Office 365 Exchange Online", "Microsoft Teams", "SharePoint", "Azure Portal", "Power BI", "Outlook", "OneDrive", "Azure CLI"}
	countries := []string{"US", "GB", "DE", "FR", "IN", "JP", "BR", "CA"}
	type habit struct {
		upn, country string
		isp, dev     [2]string
		browser      [2]string
	}
	habits := make([]habit, users)
	for u := range habits {
		habits[u] = habit{upn: fmt.Sprintf("user%05d@contoso.com", u), country: countries[u%len(countries)],
			isp: [2]string{fmt.Sprintf("AS%d", 100+u%300), fmt.Sprintf("AS%d", 400+u%50)},
			dev: [2]string{fmt.Sprintf("dev-%d-a", u), fmt.Sprintf("dev-%d-b", u)}, browser: [2]string{"Edge 131", "Mobile Safari 17"}}
	}
	start := types.TimeToTicks(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	acts := make([]Activity, perDay)
	var peak heapPeak
	b.ResetTimer()
	for range b.N {
		base := NewBaseline(Options{})
		for u := range users {
			team := u / 21 * 21
			var ps []string
			for p := team; p < min(team+21, users); p++ {
				if p != u {
					ps = append(ps, habits[p].upn)
				}
			}
			base.SetPeers(habits[u].upn, ps)
		}
		w := newBehaviorWriter(Options{}.withDefaults(), start, map[string]*accountInfo{}, map[string]tiInfo{})
		rows := 0
		for d := range days {
			b.StopTimer()
			for i := range acts {
				u := r.IntN(users)
				h := &habits[u]
				k := r.IntN(2)
				a := Activity{Time: start + int64(d)*types.Day + int64(8+r.IntN(10))*types.Hour + r.Int64N(types.Hour),
					Source: SourceSignin, Account: h.upn, UPN: h.upn, ActionType: "Sign-in", ActivityType: "LogOn",
					App: apps[r.IntN(3)+k*r.IntN(5)], Browser: h.browser[k], Country: h.country, Device: h.dev[k], ISP: h.isp[k],
					Resource: apps[r.IntN(2)], IP: "10.0.0.1"}
				if r.IntN(2000) == 0 { // now and then a trip
					a.Country, a.ISP = countries[r.IntN(len(countries))], "AS9"
				}
				acts[i] = a
			}
			sort.Slice(acts, func(i, j int) bool { return acts[i].Time < acts[j].Time })
			w.t = newBehaviorTable() // a day's rows, then streamed away
			b.StartTimer()
			w.writeDay(base, acts, 0)
			rows += len(acts)
			peak.sample()
		}
		base.Fold()
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds()*float64(b.N), "rows/s")
	}
	peak.report(b)
}

// BenchmarkPeers100k ranks 20 peers for each of 100,000 users in 5,000
// groups: departments, locations, teams, projects and an all-staff list
// (target: under 30 s on 2 cores).
func BenchmarkPeers100k(b *testing.B) {
	const users = 100_000
	r := rand.New(rand.NewPCG(3, 4))
	// groups: 0 all staff, 1-50 departments, 51-60 locations, 61-4060 teams (in a department), 4061-4999 projects
	member := make([][]int32, users)
	for u := range member {
		dept := r.IntN(50)
		team := 61 + dept*80 + r.IntN(80)
		member[u] = []int32{0, int32(1 + dept), int32(51 + r.IntN(10)), int32(team)}
		if r.IntN(2) == 0 {
			member[u] = append(member[u], int32(4061+r.IntN(939)))
		}
	}
	var peak heapPeak
	b.ResetTimer()
	for range b.N {
		ranks, err := RankPeers(context.Background(), member, 5000, 20)
		if err != nil {
			b.Fatal(err)
		}
		peak.sample()
		if len(ranks[0]) != 20 {
			b.Fatalf("user 0 has %d peers", len(ranks[0]))
		}
	}
	peak.report(b)
}

// BenchmarkBlastRadius1M computes every principal's blast radius on an
// access graph of about a million edges: 200,000 users in 20,000 nested
// groups, 40,000 role assignments over 50 management groups, 500
// subscriptions, 10,000 resource groups and 200,000 resources (target:
// under 30 s on 2 cores).
func BenchmarkBlastRadius1M(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	d := &Directory{}
	for i := range 50 {
		mg := ManagementGroup{ID: fmt.Sprintf("/providers/Microsoft.Management/managementGroups/mg%d", i), Name: fmt.Sprintf("mg%d", i)}
		if i > 0 {
			mg.ParentID = fmt.Sprintf("/providers/Microsoft.Management/managementGroups/mg%d", (i-1)/7)
		}
		d.ManagementGroups = append(d.ManagementGroups, mg)
	}
	var scopes []string
	for s := range 500 {
		id := fmt.Sprintf("/subscriptions/s%d", s)
		d.Subscriptions = append(d.Subscriptions, Subscription{ID: id, DisplayName: id, ManagementGroupID: d.ManagementGroups[s%50].ID})
		scopes = append(scopes, id)
	}
	var resources []string
	for g := range 10_000 {
		rg := fmt.Sprintf("/subscriptions/s%d/resourceGroups/rg%d", g%500, g)
		d.ResourceGroups = append(d.ResourceGroups, ResourceGroup{ID: rg})
		scopes = append(scopes, rg)
		for x := range 20 {
			id := fmt.Sprintf("%s/providers/Microsoft.Storage/storageAccounts/st%d_%d", rg, g, x)
			d.Resources = append(d.Resources, Resource{ID: id})
			resources = append(resources, id)
		}
	}
	for i := range 20_000 {
		a := Asset{Path: fmt.Sprint(i), ResourceID: resources[r.IntN(len(resources))], Classifications: []string{"Credit Card Number"}, LabelOrder: -1}
		d.Assets = append(d.Assets, a)
	}
	for g := range 20_000 {
		grp := Group{ID: fmt.Sprintf("g%d", g)}
		if g >= 100 {
			grp.MemberGroups = []string{fmt.Sprintf("g%d", g/10+r.IntN(10))} // nesting, a few cycles
		}
		d.Groups = append(d.Groups, grp)
	}
	for u := range 200_000 {
		id := fmt.Sprintf("u%d", u)
		d.Users = append(d.Users, User{ID: id, UPN: id + "@contoso.com"})
		for range 4 {
			g := &d.Groups[r.IntN(len(d.Groups))]
			g.MemberUsers = append(g.MemberUsers, id)
		}
	}
	roles := []string{"Reader", "Contributor", "Owner", "Storage Blob Data Reader"}
	for i := range 40_000 {
		ra := RoleAssignment{RoleName: roles[r.IntN(len(roles))], Scope: scopes[r.IntN(len(scopes))]}
		if i%4 == 0 {
			ra.Scope = resources[r.IntN(len(resources))]
		}
		if i%5 == 0 {
			ra.PrincipalID = fmt.Sprintf("u%d", r.IntN(200_000))
		} else {
			ra.PrincipalID = fmt.Sprintf("g%d", r.IntN(20_000))
		}
		d.RoleAssignments = append(d.RoleAssignments, ra)
	}
	g := NewAccessGraph(d, 0)
	var peak heapPeak
	peak.sample()
	b.ResetTimer()
	for range b.N {
		radii, err := g.AllBlastRadii(context.Background(), nil)
		if err != nil {
			b.Fatal(err)
		}
		peak.sample()
		if len(radii) != len(g.nodes) {
			b.Fatal("missing radii")
		}
	}
	b.ReportMetric(float64(g.EdgeCount()), "edges")
	peak.report(b)
}

// BenchmarkIncrementalDay compares a full build of the sample tenant's 30
// days with an incremental build that folds its last day into the
// baseline saved the day before (tables in memory, so file parsing is
// left out of both): go test -bench IncrementalDay -run XXX ./ueba.
func BenchmarkIncrementalDay(b *testing.B) {
	_, _, src := sampleTables(b)
	dir := sampleDir(b, src)
	prev := sampleEnd.AddDate(0, 0, -1)
	ws := cutWorkspace(b, src, dir, prev, nil)
	day, err := Build(context.Background(), ws, Options{Now: prev})
	if err != nil {
		b.Fatal(err)
	}
	if err := writeState(dir, day.state); err != nil {
		b.Fatal(err)
	}
	full := cutWorkspace(b, src, dir, sampleEnd, nil)
	next := cutWorkspace(b, src, dir, sampleEnd, day.BehaviorAnalytics)
	for _, c := range []struct {
		name string
		ws   *workspace.Workspace
		opts Options
	}{
		{"full-30-days", full, Options{Now: sampleEnd}},
		{"incremental-1-day", next, Options{Now: sampleEnd, Incremental: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var acts int
			for range b.N {
				tb, err := Build(context.Background(), c.ws, c.opts)
				if err != nil {
					b.Fatal(err)
				}
				if c.opts.Incremental != tb.Stats.Incremental {
					b.Fatalf("stats %+v", tb.Stats)
				}
				acts = tb.Stats.Activities
			}
			b.ReportMetric(float64(acts), "activities")
		})
	}
}
