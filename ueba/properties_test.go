package ueba

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

func TestRankPeersTFIDFExact(t *testing.T) {
	// groups: A={0,1} B={0,1,2} C={2,3} D=everyone (idf 0: says nothing)
	member := [][]int32{{0, 1, 3}, {0, 1, 3}, {1, 2, 3}, {2, 3}, {3}}
	got, err := RankPeers(context.Background(), member, 4, 20)
	if err != nil {
		t.Fatal(err)
	}
	a, b := math.Log(5.0/2), math.Log(5.0/3) // idf of A (and C), of B
	n := math.Sqrt(a*a + b*b)                // |u0| = |u1| = |u2|
	want := [][]PeerRank{
		{{1, 1}, {2, b * b / (n * n)}},
		{{0, 1}, {2, b * b / (n * n)}},
		{{3, a * a / (n * a)}, {0, b * b / (n * n)}, {1, b * b / (n * n)}}, // tie: lower index first
		{{2, a * a / (n * a)}},
		nil, // only in the all-staff group: no peers
	}
	for u := range want {
		if len(got[u]) != len(want[u]) {
			t.Fatalf("user %d: %v, want %v", u, got[u], want[u])
		}
		for r := range want[u] {
			if got[u][r].Peer != want[u][r].Peer || math.Abs(got[u][r].Score-want[u][r].Score) > 1e-12 {
				t.Errorf("user %d rank %d: %+v, want %+v", u, r+1, got[u][r], want[u][r])
			}
		}
	}
}

// RankPeers' pruned search gives exactly the all-pairs top k.
func TestRankPeersMatchesAllPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	const users, groups = 300, 40
	member := make([][]int32, users)
	for u := range member {
		member[u] = append(member[u], int32(u%5)) // big department groups
		for range 1 + r.IntN(4) {
			member[u] = append(member[u], int32(5+r.IntN(groups-5)))
		}
	}
	for _, k := range []int{1, 3, 20} {
		got, err := RankPeers(context.Background(), member, groups, k)
		if err != nil {
			t.Fatal(err)
		}
		want := bruteForcePeers(member, groups, k)
		for u := range want {
			if len(got[u]) != len(want[u]) {
				t.Fatalf("k=%d user %d: %d peers, want %d", k, u, len(got[u]), len(want[u]))
			}
			for i := range want[u] {
				if got[u][i].Peer != want[u][i].Peer || math.Abs(got[u][i].Score-want[u][i].Score) > 1e-9 {
					t.Fatalf("k=%d user %d rank %d: %+v, want %+v", k, u, i+1, got[u][i], want[u][i])
				}
			}
		}
	}
}

func bruteForcePeers(member [][]int32, groups, k int) [][]PeerRank {
	n := len(member)
	df := make([]float64, groups)
	sets := make([]map[int32]bool, n)
	for u, gs := range member {
		sets[u] = map[int32]bool{}
		for _, g := range gs {
			if !sets[u][g] {
				sets[u][g] = true
				df[g]++
			}
		}
	}
	vec := func(u int) map[int32]float64 {
		v := map[int32]float64{}
		for g := range sets[u] {
			v[g] = math.Log(float64(n) / df[g])
		}
		return v
	}
	out := make([][]PeerRank, n)
	for u := range n {
		vu := vec(u)
		var all []PeerRank
		for v := range n {
			if v == u {
				continue
			}
			vv := vec(v)
			dot, nu, nv := 0.0, 0.0, 0.0
			for g, w := range vu {
				dot += w * vv[g]
				nu += w * w
			}
			for _, w := range vv {
				nv += w * w
			}
			if dot > 0 {
				all = append(all, PeerRank{v, roundScore(dot / math.Sqrt(nu*nv))})
			}
		}
		sort.Slice(all, func(i, j int) bool { return better(all[i], all[j]) })
		out[u] = all[:min(k, len(all))]
		if len(out[u]) == 0 {
			out[u] = nil
		}
	}
	return out
}

// tenant builds a directory: a management group > subscription > resource
// group > resources hierarchy under the given ids.
func tenant() *Directory {
	return &Directory{
		ManagementGroups: []ManagementGroup{{ID: "/providers/Microsoft.Management/managementGroups/root", Name: "root"}},
		Subscriptions:    []Subscription{{ID: "/subscriptions/s1", SubscriptionID: "s1", DisplayName: "Prod", ManagementGroupID: "/providers/Microsoft.Management/managementGroups/root"}},
		ResourceGroups:   []ResourceGroup{{ID: "/subscriptions/s1/resourceGroups/rg1", Name: "rg1"}},
		Resources: []Resource{
			{ID: "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st1", Name: "st1"},
			{ID: "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1", Name: "vm1"},
			{ID: "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/kv1", Name: "kv1"},
		},
		Labels: []Label{{ID: "l0", DisplayName: "Public", Order: 0}, {ID: "l1", DisplayName: "Secret", Order: 1}},
		Assets: []Asset{
			// 2 classifications + the top label (4) = 6
			{Path: "a1", ResourceID: "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st1", Classifications: []string{"IBAN", "SSN"}, LabelID: "l1"},
			// 1 classification + the lowest of two labels (4*1/2 = 2) = 3
			{Path: "a2", ResourceID: "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/kv1", Classifications: []string{"Secret"}, LabelID: "l0"},
		},
	}
}

func reachOf(g *AccessGraph, who string) map[string]Access {
	out := map[string]Access{}
	for _, a := range g.Reach(g.Lookup(who)) {
		out[a.Target.Name+"|"+a.Level] = a
	}
	return out
}

func TestAccessThroughThreeLevelsOfNesting(t *testing.T) {
	d := tenant()
	d.Users = []User{{ID: "u1", UPN: "ann@x.com", DisplayName: "Ann"}}
	d.Groups = []Group{
		{ID: "g1", DisplayName: "team", MemberUsers: []string{"u1"}},
		{ID: "g2", DisplayName: "dept", MemberGroups: []string{"g1"}},
		{ID: "g3", DisplayName: "division", MemberGroups: []string{"g2"}},
	}
	d.RoleAssignments = []RoleAssignment{{RoleName: "Reader", PrincipalID: "g3", Scope: "/subscriptions/s1"},
		{RoleName: "Storage Blob Data Reader", PrincipalID: "g3", Scope: "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st1"}}
	d.resolveLabels()
	g := NewAccessGraph(d, 0)
	r := reachOf(g, "ann@x.com")
	want := []struct {
		key, typ string
		hops     int
	}{
		{"team|Member", "Direct", 1}, {"dept|Member", "Group", 2}, {"division|Member", "Group", 3},
		{"Prod|Reader", "Group", 4}, {"rg1|Reader", "Group", 5}, {"st1|Reader", "Group", 6}, {"vm1|Reader", "Group", 6},
		{"st1|Storage Blob Data Reader", "Group", 4},
	}
	for _, w := range want {
		a, ok := r[w.key]
		if !ok {
			t.Errorf("Ann cannot reach %s", w.key)
			continue
		}
		if a.Type != w.typ || len(a.Path) != w.hops {
			t.Errorf("%s: %s in %d hops, want %s in %d", w.key, a.Type, len(a.Path), w.typ, w.hops)
		}
	}
	if len(r) != len(want)+1 { // + kv1 as Reader
		t.Errorf("Ann reaches %d things, want %d: %v", len(r), len(want)+1, keys(r))
	}
	b := g.Blast(g.Lookup("u1"), false)
	// data access to st1 only (readers see no data): 6 * 0.6
	if b.Level != "Medium" || b.Resources != 3 || math.Abs(b.Sensitivity-6*0.6) > 1e-12 {
		t.Errorf("Ann's blast radius %s, %d resources, %.3f; want Medium, 3, 3.6", b.Level, b.Resources, b.Sensitivity)
	}
	checkSummaries(t, g)
}

func keys(m map[string]Access) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkSummaries: the all-principals summary agrees with each walk.
func checkSummaries(t *testing.T, g *AccessGraph) {
	t.Helper()
	all, err := g.AllBlastRadii(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range g.nodes {
		if !n.Kind.principal() {
			continue
		}
		b := g.Blast(n, false)
		if s := all[n.id]; s.Level != b.Level || s.Resources != b.Resources || math.Abs(s.Sensitivity-b.Sensitivity) > 1e-9 {
			t.Errorf("%s: summary %+v, walk %s/%d/%.3f", n.Name, s, b.Level, b.Resources, b.Sensitivity)
		}
	}
}

func TestAccessWithCyclicGroupNesting(t *testing.T) {
	d := tenant()
	d.Users = []User{{ID: "u1", UPN: "ann@x.com"}, {ID: "u2", UPN: "bob@x.com"}}
	d.Groups = []Group{
		{ID: "g1", DisplayName: "a", MemberUsers: []string{"u1"}, MemberGroups: []string{"g3"}},
		{ID: "g2", DisplayName: "b", MemberGroups: []string{"g1"}, MemberUsers: []string{"u2"}},
		{ID: "g3", DisplayName: "c", MemberGroups: []string{"g2"}}, // a > c > b > a
	}
	d.RoleAssignments = []RoleAssignment{{RoleName: "Owner", PrincipalID: "g2", Scope: "/subscriptions/s1/resourceGroups/rg1"}}
	d.resolveLabels()
	g := NewAccessGraph(d, 0)
	for _, who := range []string{"ann@x.com", "bob@x.com"} {
		r := reachOf(g, who)
		for _, k := range []string{"a|Member", "b|Member", "c|Member", "rg1|Owner", "st1|Owner", "kv1|Owner", "vm1|Owner"} {
			if _, ok := r[k]; !ok {
				t.Errorf("%s cannot reach %s through the cycle", who, k)
			}
		}
		b := g.Blast(g.Lookup(who), false)
		// Owner on a resource group: Medium; st1 (6) + kv1 (3) at factor 1
		if b.Level != "Medium" || b.Resources != 3 || math.Abs(b.Sensitivity-9) > 1e-12 {
			t.Errorf("%s: %s, %d resources, %.3f; want Medium, 3, 9", who, b.Level, b.Resources, b.Sensitivity)
		}
	}
	checkSummaries(t, g)
}

func TestAccessLevelsTelescopeAndManagedIdentities(t *testing.T) {
	d := tenant()
	d.Users = []User{{ID: "u1", UPN: "ann@x.com"}, {ID: "u2", UPN: "bob@x.com"}, {ID: "u3", UPN: "cy@x.com", EntraRoles: []string{"Global Administrator"}}}
	d.ServicePrincipals = []ServicePrincipal{{ID: "mi1", DisplayName: "vm1-identity", Kind: "ManagedIdentity",
		ResourceID: "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1"}}
	d.RoleAssignments = []RoleAssignment{
		// Ann: Reader on the subscription, Owner on the resource group:
		// every resource counts once, at its best level
		{RoleName: "Reader", PrincipalID: "u1", Scope: "/subscriptions/s1"},
		{RoleName: "Owner", PrincipalID: "u1", Scope: "/subscriptions/s1/resourceGroups/rg1"},
		// Bob: Contributor on the VM, whose identity reads the vault
		{RoleName: "Virtual Machine Contributor", PrincipalID: "u2", Scope: "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1"},
		{RoleName: "Key Vault Secrets User", PrincipalID: "mi1", Scope: "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/kv1"},
	}
	d.resolveLabels()
	g := NewAccessGraph(d, 0)
	ann := g.Blast(g.Lookup("u1"), false)
	if ann.Resources != 3 || math.Abs(ann.Sensitivity-9) > 1e-12 || ann.Level != "Medium" {
		t.Errorf("Ann: %s, %d, %.3f; want Medium, 3, 9", ann.Level, ann.Resources, ann.Sensitivity)
	}
	bob := reachOf(g, "bob@x.com")
	kv, ok := bob["kv1|Key Vault Secrets User"]
	if !ok || kv.Type != "ServicePrincipal" || len(kv.Path) != 3 {
		t.Errorf("Bob should reach kv1 through vm1's identity in 3 hops: %+v (%v)", kv, keys(bob))
	}
	if mi, ok := bob["vm1-identity|Impersonate"]; !ok || mi.Type != "Direct" {
		t.Errorf("Bob controls vm1, so acts as its identity: %+v", mi)
	}
	if b := g.Blast(g.Lookup("u2"), false); math.Abs(b.Sensitivity-3*0.6) > 1e-12 {
		t.Errorf("Bob's sensitivity %.3f, want kv1's 3 at the data factor 0.6", b.Sensitivity)
	}
	if cy := g.Blast(g.Lookup("u3"), false); cy.Level != "High" || cy.Resources != 0 {
		t.Errorf("a Global Administrator with no Azure roles: %s, %d resources; want High, 0", cy.Level, cy.Resources)
	}
	// a Reader on the VM cannot use its identity
	d.RoleAssignments[2].RoleName = "Reader"
	g = NewAccessGraph(d, 0)
	if _, ok := reachOf(g, "bob@x.com")["kv1|Key Vault Secrets User"]; ok {
		t.Error("a Reader on vm1 acts as its identity")
	}
	checkSummaries(t, g)
}

// act makes a sign-in-like activity with only a country, at hour 10 UTC
// of day d after 2026-01-01.
func act(account, country string, d int) Activity {
	return Activity{Time: types.TimeToTicks(sampleEnd) + int64(d)*types.Day + 10*types.Hour, Source: SourceAzure,
		Account: account, Country: country}
}

func TestBaselineSurprisalExact(t *testing.T) {
	b := NewBaseline(Options{MinBaselineDays: 1})
	for _, c := range []string{"US", "US", "US", "FR"} {
		b.Score(&Activity{Time: act("a", c, 0).Time, Source: SourceAzure, Account: "a", Country: c})
	}
	// a week later: the same hour of the same weekday
	s := b.Score(ptr(act("a", "NG", 7)))
	// tenant: one account, shares US 3/4, FR 1/4, two values:
	//   p_tenant(NG) = 0.5/(1+0.5*3) = 0.2, p_tenant(US) = (0.75+0.5)/2.5 = 0.5
	// no peers: p_peers = p_tenant
	//   p_user(NG) = (0+2*0.2)/(4+2) = 1/15, p_user(US) = (3+2*0.5)/6 = 2/3
	// same hour as usual, one activity today: no hour or volume bits
	want := math.Log2((2.0 / 3) / (1.0 / 15))
	if math.Abs(s.Bits-want) > 1e-12 || s.Priority != int(want/4) {
		t.Errorf("bits %.6f priority %d; want %.6f, %d", s.Bits, s.Priority, want, int(want/4))
	}
	for _, k := range []int{insFirstUser, insUncommonUser, insFirstTenant, insUncommonTenant} {
		if s.Flags&insightBit(dimCountry, k) == 0 {
			t.Errorf("NG lacks %s", insightNames[dimCountry][k])
		}
	}
	if s.Flags&insightBit(dimCountry, insUncommonPeers) != 0 {
		t.Error("an account without peers has no peer insight")
	}
	// the usual value: no bits, no insight
	if s := b.Score(ptr(act("a", "US", 7))); s.Bits != 0 || s.Flags != 0 {
		t.Errorf("US: %.3f bits, flags %b; want none", s.Bits, s.Flags)
	}
}

func ptr(a Activity) *Activity { return &a }

func TestBaselineWindowIsIncremental(t *testing.T) {
	// window 2 days: a country seen only on day 0 is first-time again on day 3
	b := NewBaseline(Options{BaselineDays: 2, MinBaselineDays: 1})
	b.Score(ptr(act("a", "FR", 0)))
	b.Score(ptr(act("a", "US", 1)))
	b.Score(ptr(act("a", "US", 2)))
	if s := b.Score(ptr(act("a", "FR", 3))); s.Flags&insightBit(dimCountry, insFirstUser) == 0 {
		t.Error("FR left the 2-day window, but is not first-time on day 3")
	}
	if b.Days() != 2 {
		t.Errorf("baseline holds %d days, want 2", b.Days())
	}
	// folding day by day gives the same scores as a baseline fed only the
	// days still in the window: history is not recomputed, and not kept
	fresh := NewBaseline(Options{BaselineDays: 2, MinBaselineDays: 1})
	fresh.Score(ptr(act("a", "US", 1)))
	fresh.Score(ptr(act("a", "US", 2)))
	probeA, probeB := b.Score(ptr(act("a", "DE", 3))), fresh.Score(ptr(act("a", "DE", 3)))
	if probeA.Bits != probeB.Bits || probeA.Flags != probeB.Flags {
		t.Errorf("incremental %+v, fresh %+v", probeA, probeB)
	}
	// within a day the baseline does not move: all of a day's activities
	// are judged against the days before it
	if s := b.Score(ptr(act("a", "FR", 3))); s.Flags&insightBit(dimCountry, insFirstUser) == 0 {
		t.Error("second FR of day 3 should still be first-time against days 1-2")
	}
}

func TestBaselinePeersAndVolume(t *testing.T) {
	b := NewBaseline(Options{MinBaselineDays: 1})
	b.SetPeers("a", []string{"p1", "p2"})
	for d := range 7 {
		b.Score(ptr(act("p1", "US", d)))
		b.Score(ptr(act("p2", "DE", d)))
		b.Score(&Activity{Time: act("a", "", d).Time, Source: SourceOffice, Account: "a", ActionType: "FileAccessed"})
	}
	if s := b.Score(ptr(act("a", "US", 7))); s.Flags&insightBit(dimCountry, insUncommonPeers) != 0 {
		t.Error("US is used by one of a's two peers: not uncommon among them")
	}
	if s := b.Score(ptr(act("a", "BR", 7))); s.Flags&insightBit(dimCountry, insUncommonPeers) == 0 {
		t.Error("BR is used by none of a's peers: uncommon among them")
	}
	// one Office activity a day for a week: lambda = 1; P(X >= 5) = 0.0037,
	// P(X >= 6) = 0.00059 < 0.001, so the sixth of the day is the first flagged
	for k := 1; k <= 8; k++ {
		s := b.Score(&Activity{Time: act("a", "", 7).Time, Source: SourceOffice, Account: "a", ActionType: "FileAccessed"})
		if got, want := s.Flags&flagHighVolume != 0, k >= 6; got != want {
			t.Errorf("activity %d of the day: high volume %v, want %v", k, got, want)
		}
	}
}

func TestDormantAccount(t *testing.T) {
	b := NewBaseline(Options{DormantDays: 3, MinBaselineDays: 1})
	b.Score(ptr(act("a", "US", 0)))
	b.Score(ptr(act("b", "US", 0)))
	b.Score(ptr(act("b", "US", 2)))
	if s := b.Score(ptr(act("b", "US", 3))); s.Dormant {
		t.Error("b was active yesterday")
	}
	if s := b.Score(ptr(act("a", "US", 3))); !s.Dormant {
		t.Error("a was idle for 3 days: dormant")
	}
}

func TestOptionsCheck(t *testing.T) {
	for _, o := range []Options{{BaselineDays: -1}, {UncommonShare: 2}, {BitsPerPoint: -1}, {Peers: 5000}, {MinBaselineDays: 40, BaselineDays: 30}} {
		if err := o.withDefaults().check(); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
	if err := (Options{}).withDefaults().check(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}
