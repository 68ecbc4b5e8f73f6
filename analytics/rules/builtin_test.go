package rules

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/sampledata"
)

func TestBuiltinValid(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) < 10 {
		t.Fatalf("%d shipped rules, want at least 10", len(rs))
	}
	ids := map[string]string{}
	for _, r := range rs {
		data, _ := builtinFS.ReadFile(r.File)
		if _, diags := Parse(r.File, data); len(diags) > 0 {
			t.Errorf("%s: %v", r.File, diags) // not even warnings
		}
		if prev, dup := ids[r.ID]; dup {
			t.Errorf("%s and %s share id %s", prev, r.File, r.ID)
		}
		ids[r.ID] = r.File
	}
}

// tenantCatalog serves a generated tenant held in memory.
type tenantCatalog struct{ *sampledata.Tenant }

func (c tenantCatalog) Table(ctx context.Context, name string) (*table.Table, error) {
	return memCatalog(c.Tables).Table(ctx, name)
}
func (c tenantCatalog) TableNames() []string { return memCatalog(c.Tables).TableNames() }
func (c tenantCatalog) Watchlist(_ context.Context, alias string) (*table.Table, error) {
	return memCatalog(c.Watchlists).Table(context.Background(), alias)
}

var tenantEnd = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// tenantUsers keeps the replay fast; `huntbook rules run` on the default
// 300-user tenant raises the same alerts.
const tenantUsers = 100

func replayTenant(t *testing.T, noStories bool) (*sampledata.Tenant, *Report) {
	t.Helper()
	ten, err := sampledata.Generate(sampledata.Config{Seed: 1, Users: tenantUsers, End: tenantEnd, NoStories: noStories})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Replay(context.Background(), rs, tenantCatalog{ten}, Options{From: ten.Start, To: ten.End, WorkspaceID: ten.WorkspaceID})
	if err != nil {
		t.Fatal(err)
	}
	return ten, rep
}

// storyRules says which story each shipped detection is for, how many
// alerts the story should raise, and which of the story's entities
// (kind:role) every one of those alerts must carry.
var storyRules = map[string]struct {
	story  string
	alerts int
	needs  []string
}{
	"MassDownloadAfterNewCountrySignin.yaml": {"S1-account-takeover", 1, []string{"account:victim", "ip:attacker"}},
	"MailboxRuleAfterRiskySignin.yaml":       {"S1-account-takeover", 1, []string{"account:victim", "ip:attacker"}},
	"MIPLabelDowngradeBulk.yaml":             {"S2-insider-label-downgrade", 1, []string{"account:actor"}},
	"ServicePrincipalGrantedOwner.yaml":      {"S3-service-principal-owner", 1, []string{"account:actor", "servicePrincipal:target", "resource:target"}},
	"PasswordSpray.yaml":                     {"S4-password-spray", 3, []string{"ip:attacker"}}, // one per spraying address
	"PasswordSpraySuccess.yaml":              {"S4-password-spray", 1, []string{"account:victim", "ip:attacker"}},
	"KeyVaultAccessPeerAnomaly.yaml":         {"S5-peer-anomaly-key-vault", 1, []string{"account:actor", "resource:target"}},
	// the insider's anonymizer sign-in, then the evening's label changes
	"RiskySigninThenLabelRemoval.yaml": {"S2-insider-label-downgrade", 1, []string{"account:actor", "ip:actor"}},
}

// entityMatches reports whether a ground-truth entity is among an alert's.
func entityMatches(e sampledata.Entity, ents []Entity) bool {
	for _, a := range ents {
		switch e.Kind {
		case "account":
			upn := a.Get("Name") + "@" + a.Get("UPNSuffix")
			if a.Type == "Account" && (strings.EqualFold(upn, e.Name) || a.Get("AadUserId") == e.ID) {
				return true
			}
		case "servicePrincipal":
			if a.Type == "Account" && a.Get("AadUserId") == e.ID {
				return true
			}
		case "ip":
			if a.Type == "IP" && a.Get("Address") == e.ID {
				return true
			}
		case "resource":
			if a.Type == "AzureResource" && strings.EqualFold(a.Get("ResourceId"), e.ID) {
				return true
			}
		}
	}
	return false
}

// purviewRuns are the daily runs whose day holds scan rows that match: the
// alerts the Purview rules must raise, worked out from the table in Go.
func purviewRuns(ten *sampledata.Tenant, match func(classes []any) bool) []time.Time {
	pv := ten.Tables["PurviewDataSensitivityLogs"]
	tg, cls := pv.Column("TimeGenerated"), pv.Column("Classification")
	runs := map[time.Time]bool{}
	for i := range pv.Rows() {
		c, _ := cls.Dyns[i].([]any)
		if !match(c) {
			continue
		}
		at := types.TicksToTime(tg.Ints[i])
		run := ten.Start.Add(at.Sub(ten.Start).Truncate(24*time.Hour) + 24*time.Hour)
		if at.Equal(run.Add(-24 * time.Hour)) { // (run-1d, run]: a row exactly at midnight belongs to that run
			run = run.Add(-24 * time.Hour)
		}
		runs[run] = true
	}
	var out []time.Time
	for r := range runs {
		out = append(out, r)
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

func checkPurview(t *testing.T, ten *sampledata.Tenant, rep *Report) {
	t.Helper()
	want := map[string][]time.Time{
		"PurviewSensitiveDataDiscovered.yaml": purviewRuns(ten, func(c []any) bool { return len(c) > 0 }),
		"PurviewSensitiveDataDiscoveredCustom.yaml": purviewRuns(ten, func(c []any) bool {
			return slices.ContainsFunc(c, func(x any) bool { s, _ := x.(string); return strings.Contains(s, "Social Security Number") })
		}),
	}
	for file, runs := range want {
		if len(runs) == 0 {
			t.Fatalf("%s: the tenant has no matching scans to test with", file)
		}
		var got []time.Time
		for _, a := range rep.Alerts {
			if a.Rule.File == "builtin/"+file {
				got = append(got, a.RunTime)
			}
		}
		if !slices.Equal(got, runs) {
			t.Errorf("%s: alerts at %v, want one per scan day at %v", file, got, runs)
		}
	}
}

func TestBuiltinOnSampleTenant(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 30 days of the sample tenant")
	}
	ten, rep := replayTenant(t, false)
	stories := map[string]sampledata.Story{}
	for _, s := range ten.Stories {
		stories[s.ID] = s
	}
	byRule := map[string][]*Alert{}
	for _, a := range rep.Alerts {
		byRule[strings.TrimPrefix(a.Rule.File, "builtin/")] = append(byRule[strings.TrimPrefix(a.Rule.File, "builtin/")], a)
	}
	for file, want := range storyRules {
		alerts := byRule[file]
		if len(alerts) != want.alerts {
			var got []string
			for _, a := range alerts {
				got = append(got, a.RunTime.Format(time.RFC3339)+" "+describeEntities(a.Entities))
			}
			t.Errorf("%s: %d alerts, want %d: %v", file, len(alerts), want.alerts, got)
			continue
		}
		if want.story == "" {
			continue
		}
		s := stories[want.story]
		start, _ := time.Parse(time.RFC3339Nano, s.Start)
		end, _ := time.Parse(time.RFC3339Nano, s.End)
		covered := map[string]bool{}
		for _, a := range alerts {
			// raised by the first run after the story's rows, from them
			// the story's window is its operations' times; the log rows of an
			// operation's outcome come seconds later
			if a.StartTime.Before(start) || a.EndTime.After(end.Add(time.Minute)) || !a.RunTime.After(start) || a.RunTime.After(end.Add(2*time.Hour)) {
				t.Errorf("%s: alert %s..%s run %s is outside story %s (%s..%s)", file, a.StartTime, a.EndTime, a.RunTime, s.ID, s.Start, s.End)
			}
			for _, need := range want.needs {
				kind, role, _ := strings.Cut(need, ":")
				found := false
				for _, e := range s.Entities {
					if e.Kind == kind && e.Role == role && entityMatches(e, a.Entities) {
						found = true
						covered[e.ID] = true
					}
				}
				if !found {
					t.Errorf("%s: alert lacks the story's %s: %s", file, need, describeEntities(a.Entities))
				}
			}
		}
		if file == "PasswordSpray.yaml" { // the three alerts are the three addresses
			var ips []string
			for _, e := range s.Entities {
				if e.Kind == "ip" && !covered[e.ID] {
					ips = append(ips, e.ID)
				}
			}
			if len(ips) > 0 {
				t.Errorf("spray addresses without an alert: %v", ips)
			}
		}
	}
	for file := range byRule {
		if _, ok := storyRules[file]; !ok && !strings.HasPrefix(file, "Purview") {
			t.Errorf("%s: no expectation in storyRules", file)
		}
	}
	checkPurview(t, ten, rep)
	// the two spray alerts of one run share an incident (AnyAlert grouping)
	if a := byRule["PasswordSpray.yaml"]; len(a) == 3 && (a[0].Incident != a[1].Incident || a[1].Incident != a[2].Incident) {
		t.Error("spray alerts should be grouped into one incident")
	}
	alerts, incidents := rep.Tables()
	if alerts.Rows() != len(rep.Alerts) || incidents.Rows() == 0 {
		t.Errorf("tables: %d alerts, %d incident rows", alerts.Rows(), incidents.Rows())
	}
	numbers := incidents.Column("IncidentNumber")
	first := int64(0)
	for _, n := range ten.Tables["SecurityIncident"].Column("IncidentNumber").Ints {
		first = max(first, n)
	}
	if numbers.Ints[0] != first+1 {
		t.Errorf("first new incident is %d, want %d (after the tenant's)", numbers.Ints[0], first+1)
	}
}

func TestBuiltinQuietWithoutStories(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 30 days of the sample tenant")
	}
	ten, rep := replayTenant(t, true)
	var noisy []string
	for _, a := range rep.Alerts {
		if !strings.HasPrefix(a.Rule.File, "builtin/Purview") {
			noisy = append(noisy, a.Rule.Name+" at "+a.RunTime.Format(time.RFC3339)+": "+describeEntities(a.Entities))
		}
	}
	sort.Strings(noisy)
	if len(noisy) > 0 {
		t.Errorf("alerts on a tenant without stories:\n%s", strings.Join(noisy, "\n"))
	}
	// the Purview rules report every scan, stories or not
	checkPurview(t, ten, rep)
}
