package ueba

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/local"
)

// storyRows returns the BehaviorAnalytics rows of a story in one table.
func storyRows(t *testing.T, tb *Tables, truth *groundTruth, story, native string) []int {
	t.Helper()
	ids := map[string]bool{}
	for _, s := range truth.Stories {
		if s.ID != story {
			continue
		}
		for _, r := range s.Rows {
			if r.Table == native {
				for _, v := range r.Values {
					ids[v] = true
				}
			}
		}
	}
	ba := tb.BehaviorAnalytics
	rec, nt := ba.Column("SourceRecordId"), ba.Column("NativeTableName")
	var rows []int
	for i := range ba.Rows() {
		if nt.Strs[i] == native && ids[rec.Strs[i]] {
			rows = append(rows, i)
		}
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no BehaviorAnalytics rows for its %s records", story, native)
	}
	return rows
}

func insight(ba *table.Table, i int, col, name string) bool {
	v, _ := dget(ba.Column(col).Dyns[i], name).(bool)
	return v
}

func storyEntity(t *testing.T, truth *groundTruth, story, kind string) (id, name string) {
	t.Helper()
	for _, s := range truth.Stories {
		for _, e := range s.Entities {
			if s.ID == story && e.Kind == kind {
				return e.ID, e.Name
			}
		}
	}
	t.Fatalf("%s has no %s entity", story, kind)
	return "", ""
}

func TestTakeoverSignInsAreFirstCountryAndTopPercent(t *testing.T) {
	tb, truth, _ := sampleTables(t)
	ba := tb.BehaviorAnalytics
	prio := ba.Column("InvestigationPriority").Ints
	sorted := append([]int64(nil), prio...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] > sorted[j] })
	// nearest-rank 99th percentile: the priority of the row at the top 1%
	p99 := sorted[(len(sorted)-1)/100]
	for _, i := range storyRows(t, tb, truth, "S1-account-takeover", "SigninLogs") {
		if !insight(ba, i, "ActivityInsights", "FirstTimeUserConnectedFromCountry") {
			t.Errorf("takeover sign-in %s lacks FirstTimeUserConnectedFromCountry", ba.Column("SourceRecordId").Strs[i])
		}
		above := 0
		for _, p := range prio {
			if p > prio[i] {
				above++
			}
		}
		if prio[i] < p99 || float64(above) >= 0.01*float64(len(prio)) {
			t.Errorf("takeover sign-in priority %d: want the top 1%% (99th percentile %d, %d rows rank above)", prio[i], p99, above)
		}
		if got := ba.Column("SourceIPLocation").Strs[i]; !strings.HasSuffix(got, "NG") {
			t.Errorf("takeover sign-in location %q, want Nigeria", got)
		}
		if dev, _ := dget(ba.Column("DevicesInsights").Dyns[i], "ThreatIntelIndicatorType").(string); dev == "" {
			t.Errorf("takeover sign-in address is a threat indicator, DevicesInsights has no ThreatIntelIndicatorType")
		}
	}
}

func TestKeyVaultAccessIsUncommonAmongPeers(t *testing.T) {
	tb, truth, _ := sampleTables(t)
	ba := tb.BehaviorAnalytics
	kv, _ := storyEntity(t, truth, "S5-peer-anomaly-key-vault", "resource")
	_, upn := storyEntity(t, truth, "S5-peer-anomaly-key-vault", "account")
	for _, i := range storyRows(t, tb, truth, "S5-peer-anomaly-key-vault", "AzureActivity") {
		if !strings.HasPrefix(strings.ToLower(ba.Column("TargetName").Strs[i]), strings.ToLower(kv)) {
			continue
		}
		if !insight(ba, i, "ActivityInsights", "ResourceUncommonlyAccessedAmongPeers") {
			t.Errorf("key vault access by %s lacks ResourceUncommonlyAccessedAmongPeers", upn)
		}
		if !insight(ba, i, "ActivityInsights", "FirstTimeUserAccessedResource") {
			t.Errorf("key vault access by %s lacks FirstTimeUserAccessedResource", upn)
		}
	}
	// and it is a real peer judgement: the same vault, used by the admins
	// and automation it belongs to, is not uncommon for them
	res, nt, user := ba.Column("TargetName"), ba.Column("NativeTableName"), ba.Column("UserPrincipalName")
	ordinary := 0
	for i := range ba.Rows() {
		if nt.Strs[i] == "AzureActivity" && strings.HasPrefix(strings.ToLower(res.Strs[i]), strings.ToLower(kv)) && !strings.EqualFold(user.Strs[i], upn) &&
			!insight(ba, i, "ActivityInsights", "FirstTimeUserAccessedResource") && !insight(ba, i, "ActivityInsights", "ResourceUncommonlyAccessedByUser") {
			ordinary++
		}
	}
	if ordinary == 0 {
		t.Error("no routine key vault access was judged common for its user: the insight cannot tell anything apart")
	}
}

func TestOverPrivilegedServicePrincipalBlastRadius(t *testing.T) {
	tb, truth, ws := sampleTables(t)
	spID, _ := storyEntity(t, truth, "S3-service-principal-owner", "servicePrincipal")
	sp := tb.Graph.Lookup(spID)
	if sp == nil {
		t.Fatal("the story's service principal is not in the access graph")
	}
	if got := tb.Radii[sp.id].Level; got != "High" {
		t.Errorf("BlastRadius of %s = %s, want High", sp.Name, got)
	}
	for _, kind := range []NodeKind{KindServicePrincipal, KindManagedIdentity} {
		for _, other := range tb.Graph.NodesOf(kind) {
			if other != sp && tb.Radii[other.id].Sensitivity >= tb.Radii[sp.id].Sensitivity {
				t.Errorf("%s has sensitivity-weighted blast radius %.2f, not below %s's %.2f",
					other.Name, tb.Radii[other.id].Sensitivity, sp.Name, tb.Radii[sp.id].Sensitivity)
			}
		}
	}
	// the grant came from AzureActivity: before it, the principal was not High
	before, err := Build(context.Background(), ws, Options{Now: sampleEnd.Add(-4 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if got := before.Radii[before.Graph.Lookup(spID).id]; got.Level == "High" || got.Sensitivity >= tb.Radii[sp.id].Sensitivity {
		t.Errorf("before the Owner grant the blast radius was %+v; want less than High and less sensitive", got)
	}
	// the per-principal walk and the all-principals summary agree
	for _, n := range tb.Graph.nodes {
		if !n.Kind.principal() {
			continue
		}
		b := tb.Graph.Blast(n, tb.reports[n.Key])
		s := tb.Radii[n.id]
		if b.Level != s.Level || b.Resources != s.Resources || abs(b.Sensitivity-s.Sensitivity) > 1e-9 {
			t.Errorf("%s: Blast says %s/%d/%.4f, AllBlastRadii %s/%d/%.4f", n.Name, b.Level, b.Resources, b.Sensitivity, s.Level, s.Resources, s.Sensitivity)
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestWrittenTablesAreKQLTables(t *testing.T) {
	tb, truth, ws := sampleTables(t)
	if err := tb.Write(ws); err != nil {
		t.Fatal(err)
	}
	p, err := local.New("", []string{ws.Dir}, local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, victim := storyEntity(t, truth, "S1-account-takeover", "account")
	cases := []struct {
		query string
		want  func(*table.Table) bool
	}{
		{`BehaviorAnalytics | where UserPrincipalName =~ "` + victim + `" and ActivityInsights.FirstTimeUserConnectedFromCountry == true | summarize max(InvestigationPriority)`,
			func(r *table.Table) bool { return r.Rows() == 1 && r.Columns[0].Ints[0] == 10 }},
		// ranks run 1..n without gaps, n at most 20 (users share no group
		// with more than their small department are not padded with strangers)
		{`UserPeerAnalytics | summarize n = count(), top = max(Rank), low = min(Rank) by UserId | summarize max(top), countif(n != top or low != 1), dcount(UserId)`,
			func(r *table.Table) bool {
				return r.Rows() == 1 && r.Columns[0].Ints[0] == 20 && r.Columns[1].Ints[0] == 0 && r.Columns[2].Ints[0] == 300
			}},
		{`UserAccessAnalytics | where SourceEntityName == "Data Pipeline Sync" and TargetEntityType == "AzureSubscription" | project AccessLevel, AccessType`,
			func(r *table.Table) bool {
				return r.Rows() == 1 && r.Columns[0].Strs[0] == "Owner" && r.Columns[1].Strs[0] == "Direct"
			}},
	}
	for _, c := range cases {
		res, err := p.NewSession().Run(context.Background(), c.query, providers.QueryOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		if got := res[len(res)-1].Table; !c.want(got) {
			t.Errorf("%s: got %d rows: %v", c.query, got.Rows(), firstRow(got))
		}
	}
}

func firstRow(t *table.Table) []types.Value {
	if t.Rows() == 0 {
		return nil
	}
	return t.Row(0)
}

func TestAnswersAndPictures(t *testing.T) {
	tb, truth, _ := sampleTables(t)
	_, victim := storyEntity(t, truth, "S1-account-takeover", "account")
	spID, _ := storyEntity(t, truth, "S3-service-principal-owner", "servicePrincipal")
	peers, err := tb.Peers(victim)
	if err != nil {
		t.Fatal(err)
	}
	if peers.Table.Rows() != 20 || peers.Table.Column("Rank").Ints[0] != 1 {
		t.Errorf("Peers: %d rows, want 20 ranked from 1", peers.Table.Rows())
	}
	blast, err := tb.BlastRadius(spID)
	if err != nil {
		t.Fatal(err)
	}
	if got := blast.Table.Column("TargetEntityName").Strs[0]; got != "stfinancedata01" {
		t.Errorf("BlastRadius: most sensitive target %q, want stfinancedata01 (card and IBAN data)", got)
	}
	tl, err := tb.Timeline(victim)
	if err != nil {
		t.Fatal(err)
	}
	alerts, anomalous := 0, 0
	for i := range tl.Table.Rows() {
		if tl.Table.Column("Kind").Strs[i] == "alert" {
			alerts++
		} else if tl.Table.Column("Anomalous").Ints[i] == 1 {
			anomalous++
		}
	}
	if alerts == 0 || anomalous == 0 {
		t.Errorf("Timeline: %d alerts, %d anomalous activities; want both", alerts, anomalous)
	}
	for name, pic := range map[string]*Picture{"peers": peers.Picture, "blast": blast.Picture, "timeline": tl.Picture, "priority": tb.PriorityChart()} {
		png, err := pic.PNG()
		if err != nil || len(png) < 1000 || string(png[1:4]) != "PNG" {
			t.Errorf("%s PNG: %d bytes, %v", name, len(png), err)
		}
		svg, err := pic.SVG()
		if err != nil || !strings.Contains(string(svg), "<svg") {
			t.Errorf("%s SVG: %v", name, err)
		}
	}
	if _, err := tb.Peers("nobody@example.com"); err == nil || !strings.Contains(err.Error(), "nobody@example.com") {
		t.Errorf("unknown user: error %v should name it", err)
	}
	if _, err := tb.BlastRadius("no-such-principal"); err == nil {
		t.Error("unknown principal: no error")
	}
}
