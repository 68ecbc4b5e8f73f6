package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

// memCatalog serves in-memory tables to the engine.
type memCatalog map[string]*table.Table

func (m memCatalog) Table(_ context.Context, name string) (*table.Table, error) {
	if t, ok := m[name]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("unknown table %q", name)
}

func (m memCatalog) TableNames() []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	return out
}

func (m memCatalog) Watchlist(context.Context, string) (*table.Table, error) {
	return nil, errors.New("no watchlists")
}

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

type event struct {
	at       time.Duration // after t0
	user, ip string
	sev      string
}

// events builds an Events table (out of time order on purpose: the replay
// must not depend on the order rows are stored in).
func events(evs ...event) memCatalog {
	t := table.New("Events", types.Schema{{Name: "TimeGenerated", Type: types.DateTime}, {Name: "User", Type: types.String},
		{Name: "IP", Type: types.String}, {Name: "Sev", Type: types.String}})
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		t.AppendRow([]types.Value{types.FromTime(t0.Add(e.at)), types.NewString(e.user), types.NewString(e.ip), types.NewString(e.sev)})
	}
	t.AppendRow([]types.Value{types.NullOf(types.DateTime), types.NewString("nobody"), types.NewString(""), types.NewString("")})
	return memCatalog{"Events": t}
}

// rule builds a valid rule from a query and extra YAML lines.
func rule(t *testing.T, query string, extra ...string) *Rule {
	t.Helper()
	src := `id: 11111111-2222-4333-8444-555555555555
name: Test
description: test rule
severity: Low
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
tactics: [Discovery]
relevantTechniques: [T1087]
kind: Scheduled
query: |
  ` + strings.ReplaceAll(query, "\n", "\n  ") + "\n" + strings.Join(extra, "\n") + "\n"
	r, diags := Parse("test.yaml", []byte(src))
	if err := Errors(diags); err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return r
}

func replay(t *testing.T, cat memCatalog, hours int, rs ...*Rule) *Report {
	t.Helper()
	rep, err := Replay(context.Background(), rs, cat, Options{From: t0, To: t0.Add(time.Duration(hours) * time.Hour), WorkspaceID: "ws1"})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func runTimes(rep *Report) []string {
	var out []string
	for _, a := range rep.Alerts {
		out = append(out, a.RunTime.Sub(t0).String())
	}
	return out
}

func TestReplayWindow(t *testing.T) {
	cat := events(
		event{at: 10 * time.Minute, user: "a@x.com", ip: "1.1.1.1"},
		event{at: 60 * time.Minute, user: "b@x.com", ip: "2.2.2.2"}, // exactly at the 1h run: belongs to it
		event{at: 90 * time.Minute, user: "c@x.com", ip: "3.3.3.3"},
		event{at: 150 * time.Minute, user: "d@x.com", ip: "4.4.4.4"},
	)
	// the query asks for three hours, but only the 1h queryPeriod is visible;
	// Now shows now() is the run time
	r := rule(t, "Events\n| where TimeGenerated > ago(3h)\n| extend Now = now()\n| project TimeGenerated, User, Now",
		"eventGroupingSettings:\n  aggregationKind: AlertPerResult", "customDetails:\n  Now: Now\n  User: User")
	rep := replay(t, cat, 4, r)
	want := []struct{ run, user string }{{"1h0m0s", "a@x.com"}, {"1h0m0s", "b@x.com"}, {"2h0m0s", "c@x.com"}, {"3h0m0s", "d@x.com"}}
	if len(rep.Alerts) != len(want) {
		t.Fatalf("alerts at %v, want %v", runTimes(rep), want)
	}
	for i, w := range want {
		a := rep.Alerts[i]
		if a.RunTime.Sub(t0).String() != w.run || a.Custom[1].Values[0] != w.user {
			t.Errorf("alert %d: run %v user %v, want %v", i, a.RunTime.Sub(t0), a.Custom[1].Values, w)
		}
		if got := a.Custom[0].Values[0]; got != types.FormatDateTime(types.TimeToTicks(a.RunTime)) {
			t.Errorf("alert %d: now() = %v, want the run time %v", i, got, a.RunTime)
		}
	}
	if s := rep.Stats[0]; s.Runs != 4 || s.Triggered != 3 || s.Alerts != 4 {
		t.Errorf("stats %+v", *s)
	}
}

func TestTrigger(t *testing.T) {
	// two rows in the first hour, none in the second, three in the third
	cat := events(event{at: time.Minute}, event{at: 2 * time.Minute},
		event{at: 121 * time.Minute}, event{at: 122 * time.Minute}, event{at: 123 * time.Minute})
	tests := []struct {
		op        string
		threshold int
		want      []string
	}{
		{"gt", 0, []string{"1h0m0s", "3h0m0s"}},
		{"gt", 2, []string{"3h0m0s"}},
		{"lt", 1, []string{"2h0m0s"}},
		{"eq", 2, []string{"1h0m0s"}},
		{"ne", 2, []string{"2h0m0s", "3h0m0s"}},
		{"GreaterThan", 2, []string{"3h0m0s"}},
	}
	for _, tt := range tests {
		r := rule(t, "Events")
		r.TriggerOperator, r.TriggerThreshold = triggerOps[strings.ToLower(tt.op)], tt.threshold
		got := runTimes(replay(t, cat, 3, r))
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s %d: alerts at %v, want %v", tt.op, tt.threshold, got, tt.want)
		}
	}
}

func TestEntitiesAndDetails(t *testing.T) {
	cat := events(
		event{at: time.Minute, user: "alice@contoso.com", ip: "10.0.0.1", sev: "high"},
		event{at: 2 * time.Minute, user: `CONTOSO\bob`, ip: "10.0.0.1", sev: "Low"},
		event{at: 3 * time.Minute, user: "alice@contoso.com", ip: "10.0.0.2", sev: "Low"},
	)
	mappings := `entityMappings:
  - entityType: Account
    fieldMappings:
      - identifier: FullName
        columnName: User
  - entityType: IP
    fieldMappings:
      - identifier: Address
        columnName: IP
customDetails:
  Addr: IP
alertDetailsOverride:
  alertDisplayNameFormat: 'Activity by {{User}} from {{ IP }}'
  alertDescriptionFormat: '{{User}} did {{Missing}}'
  alertSeverityColumnName: Sev`
	t.Run("SingleAlert", func(t *testing.T) {
		r := rule(t, "Events | sort by TimeGenerated asc | extend Missing = 'things'", mappings)
		rep := replay(t, cat, 1, r)
		if len(rep.Alerts) != 1 {
			t.Fatalf("want one alert, got %d", len(rep.Alerts))
		}
		a := rep.Alerts[0]
		wantEnts := `[{"$id":"1","Name":"alice","UPNSuffix":"contoso.com","Type":"account"},{"$id":"2","Address":"10.0.0.1","Type":"ip"},` +
			`{"$id":"3","NTDomain":"CONTOSO","Name":"bob","Type":"account"},{"$id":"4","Address":"10.0.0.2","Type":"ip"}]`
		if got := entitiesJSON(a.Entities); got != wantEnts {
			t.Errorf("entities\n got %s\nwant %s", got, wantEnts)
		}
		if a.DisplayName != "Activity by alice@contoso.com from 10.0.0.1" || a.Description != "alice@contoso.com did things" {
			t.Errorf("override: %q / %q", a.DisplayName, a.Description)
		}
		if a.Severity != "High" { // the column's "high", spelled as Sentinel does
			t.Errorf("severity %q", a.Severity)
		}
		if a.Rows != 3 || a.StartTime != t0.Add(time.Minute) || a.EndTime != t0.Add(3*time.Minute) {
			t.Errorf("rows %d, %v..%v", a.Rows, a.StartTime, a.EndTime)
		}
		alerts, _ := rep.Tables()
		var ext map[string]string
		if err := json.Unmarshal([]byte(alerts.Column("ExtendedProperties").Strs[0]), &ext); err != nil {
			t.Fatal(err)
		}
		if ext["Custom Details"] != `{"Addr":["10.0.0.1","10.0.0.2"]}` || ext["Search Query Results Overall Count"] != "3" ||
			ext["Trigger Operator"] != "GreaterThan" || ext["Query Period"] != "01:00:00" || ext["Analytic Rule Ids"] != `["11111111-2222-4333-8444-555555555555"]` {
			t.Errorf("ExtendedProperties %v", ext)
		}
		if got := alerts.Column("CompromisedEntity").Strs[0]; got != "alice@contoso.com" {
			t.Errorf("CompromisedEntity %q", got)
		}
		if got := alerts.Column("AlertType").Strs[0]; got != "ws1_11111111-2222-4333-8444-555555555555" {
			t.Errorf("AlertType %q", got)
		}
	})
	t.Run("AlertPerResult", func(t *testing.T) {
		r := rule(t, "Events | sort by TimeGenerated asc | extend Missing = 'things'", mappings,
			"eventGroupingSettings:\n  aggregationKind: AlertPerResult")
		rep := replay(t, cat, 1, r)
		var got []string
		for _, a := range rep.Alerts {
			got = append(got, a.DisplayName+"|"+a.Severity+"|"+describeEntities(a.Entities))
		}
		want := []string{
			"Activity by alice@contoso.com from 10.0.0.1|High|account:alice@contoso.com, ip:10.0.0.1",
			`Activity by CONTOSO\bob from 10.0.0.1|Low|account:bob, ip:10.0.0.1`,
			"Activity by alice@contoso.com from 10.0.0.2|Low|account:alice@contoso.com, ip:10.0.0.2",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("alerts\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if rep.Alerts[0].ID == rep.Alerts[1].ID {
			t.Error("alerts share an id")
		}
	})
}

func TestAlertCap(t *testing.T) {
	var evs []event
	for i := range 160 {
		evs = append(evs, event{at: time.Duration(i+1) * time.Second, user: fmt.Sprintf("u%d", i)})
	}
	r := rule(t, "Events", "eventGroupingSettings:\n  aggregationKind: AlertPerResult")
	rep := replay(t, events(evs...), 1, r)
	if len(rep.Alerts) != maxAlertsPerRun || rep.Alerts[maxAlertsPerRun-1].Rows != 11 || rep.Alerts[0].Rows != 1 {
		t.Errorf("got %d alerts, last with %d rows; want 150, the last summarising 11", len(rep.Alerts), rep.Alerts[len(rep.Alerts)-1].Rows)
	}
}

func TestSuppression(t *testing.T) {
	var evs []event
	for h := range 8 {
		evs = append(evs, event{at: time.Duration(h)*time.Hour + time.Minute})
	}
	r := rule(t, "Events", "suppressionEnabled: true", "suppressionDuration: 3h")
	rep := replay(t, events(evs...), 8, r)
	if got := strings.Join(runTimes(rep), ","); got != "1h0m0s,4h0m0s,7h0m0s" {
		t.Errorf("alerts at %s, want 1h,4h,7h", got)
	}
	if s := rep.Stats[0]; s.Skipped != 5 || s.Runs != 3 {
		t.Errorf("stats %+v", *s)
	}
	r.SuppressionEnabled = false
	if n := len(replay(t, events(evs...), 8, r).Alerts); n != 8 {
		t.Errorf("without suppression %d alerts, want 8", n)
	}
}

func TestIncidentGrouping(t *testing.T) {
	// one alert per hour: users a, a, b, a, with sev Low, Low, Low, High
	cat := events(
		event{at: 1 * time.Minute, user: "a@x.com", sev: "Low"},
		event{at: 61 * time.Minute, user: "a@x.com", sev: "Low"},
		event{at: 121 * time.Minute, user: "b@x.com", sev: "Low"},
		event{at: 181 * time.Minute, user: "a@x.com", sev: "High"},
	)
	base := []string{
		"entityMappings:\n  - entityType: Account\n    fieldMappings:\n      - identifier: FullName\n        columnName: User",
		"customDetails:\n  Sev: Sev",
		"eventGroupingSettings:\n  aggregationKind: AlertPerResult",
	}
	grouping := func(lines ...string) string {
		return "incidentConfiguration:\n  createIncident: true\n  groupingConfiguration:\n    " + strings.Join(lines, "\n    ")
	}
	tests := []struct {
		name   string
		config string
		want   string // incident number of each alert
	}{
		{"no grouping", grouping("enabled: false"), "1,2,3,4"},
		{"no incidents", "incidentConfiguration:\n  createIncident: false", "-,-,-,-"},
		{"any alert", grouping("enabled: true", "matchingMethod: AnyAlert", "lookbackDuration: 5h"), "1,1,1,1"},
		{"any alert, short lookback", grouping("enabled: true", "matchingMethod: AnyAlert", "lookbackDuration: 90m"), "1,1,2,2"},
		{"all entities", grouping("enabled: true", "matchingMethod: AllEntities", "lookbackDuration: 5h"), "1,1,2,1"},
		{"selected account", grouping("enabled: true", "matchingMethod: Selected", "lookbackDuration: 5h", "groupByEntities: [Account]"), "1,1,2,1"},
		{"selected custom detail", grouping("enabled: true", "matchingMethod: Selected", "lookbackDuration: 5h", "groupByCustomDetails: [Sev]"), "1,1,1,2"},
		{"selected details", grouping("enabled: true", "matchingMethod: Selected", "lookbackDuration: 5h", "groupByAlertDetails: [DisplayName]"), "1,1,1,1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rule(t, "Events | project TimeGenerated, User, Sev", append(base, tt.config)...)
			rep, err := Replay(context.Background(), []*Rule{r}, cat, Options{From: t0, To: t0.Add(4 * time.Hour), FirstIncidentNumber: 1})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range rep.Alerts {
				if a.Incident == nil {
					got = append(got, "-")
				} else {
					got = append(got, fmt.Sprint(a.Incident.Number))
				}
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("incidents %s, want %s", strings.Join(got, ","), tt.want)
			}
			// one SecurityIncident row per incident version
			_, incs := rep.Tables()
			versions := 0
			for _, inc := range rep.Incidents {
				versions += len(inc.Alerts)
			}
			if incs.Rows() != versions {
				t.Errorf("%d incident rows, want %d", incs.Rows(), versions)
			}
		})
	}
}

func TestIncidentRows(t *testing.T) {
	cat := events(event{at: time.Minute, user: "a@x.com", sev: "Low"}, event{at: 61 * time.Minute, user: "a@x.com", sev: "High"})
	r := rule(t, "Events | project TimeGenerated, User, Sev",
		"entityMappings:\n  - entityType: Account\n    fieldMappings:\n      - identifier: FullName\n        columnName: User",
		"alertDetailsOverride:\n  alertSeverityColumnName: Sev",
		"incidentConfiguration:\n  createIncident: true\n  groupingConfiguration:\n    enabled: true\n    matchingMethod: AnyAlert\n    lookbackDuration: 5h")
	prior := memCatalog{"SecurityIncident": table.New("SecurityIncident", schemaOf("SecurityIncident"))}
	b := newRow(schemaOf("SecurityIncident")).set("IncidentNumber", types.NewInt(41))
	prior["SecurityIncident"].AppendRow(b.vals)
	for k, v := range cat {
		prior[k] = v
	}
	rep := replay(t, prior, 2, r)
	_, incs := rep.Tables()
	if incs.Rows() != 2 {
		t.Fatalf("%d incident rows, want 2 (created, then updated)", incs.Rows())
	}
	num, sev, ids, mod := incs.Column("IncidentNumber"), incs.Column("Severity"), incs.Column("AlertIds"), incs.Column("LastModifiedTime")
	if num.Ints[0] != 42 || num.Ints[1] != 42 {
		t.Errorf("incident numbers %v, want 42 after the workspace's 41", num.Ints)
	}
	if sev.Strs[0] != "Low" || sev.Strs[1] != "High" {
		t.Errorf("severities %v: the update takes the highest alert's", sev.Strs)
	}
	if len(ids.Dyns[0].([]any)) != 1 || len(ids.Dyns[1].([]any)) != 2 {
		t.Errorf("AlertIds %v", ids.Dyns)
	}
	if mod.Ints[1]-mod.Ints[0] != types.Hour {
		t.Errorf("LastModifiedTime %v", mod.Ints)
	}
	if got := incs.Column("RelatedAnalyticRuleIds").Dyns[0].([]any)[0]; got != r.ID {
		t.Errorf("RelatedAnalyticRuleIds %v", got)
	}
}

func TestRunErrors(t *testing.T) {
	cat := events(event{at: time.Minute, user: "a"})
	tests := []struct {
		name  string
		query string
		extra string
		want  string
	}{
		{"missing entity column", "Events | project User", "entityMappings:\n  - entityType: IP\n    fieldMappings:\n      - identifier: Address\n        columnName: IP",
			`test.yaml:17: rule "Test", run at 2026-11-01T01:00:00Z: entityMappings[0].fieldMappings[0].columnName: the query result has no column "IP"`},
		{"missing custom column", "Events | project User", "customDetails:\n  Where: Place",
			`test.yaml:15: rule "Test", run at 2026-11-01T01:00:00Z: customDetails.Where: the query result has no column "Place"`},
		{"unknown table", "Events\n| join (Nope) on User", "", `test.yaml:14: rule "Test", run at 2026-11-01T00:00:00Z: query:`},
	}
	for _, tt := range tests {
		r := rule(t, tt.query, tt.extra)
		_, err := Replay(context.Background(), []*Rule{r}, cat, Options{From: t0, To: t0.Add(time.Hour)})
		var re *RunError
		if !errors.As(err, &re) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want prefix %q", tt.name, err, tt.want)
		}
	}
	if _, err := Replay(context.Background(), nil, cat, Options{From: t0, To: t0}); err == nil {
		t.Error("an empty period is an error")
	}
}

func TestWriteTo(t *testing.T) {
	dir := t.TempDir()
	w, err := workspace.Open(dir, workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := table.New("SecurityAlert", types.Schema{{Name: "AlertName", Type: types.String}, {Name: "Legacy", Type: types.String}})
	old.AppendRow([]types.Value{types.NewString("earlier"), types.NewString("kept")})
	if err := w.Write("SecurityAlert", old, "csv"); err != nil {
		t.Fatal(err)
	}
	r := rule(t, "Events", "eventGroupingSettings:\n  aggregationKind: AlertPerResult")
	rep := replay(t, events(event{at: time.Minute}, event{at: 2 * time.Minute}), 1, r)
	if err := rep.WriteTo(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	w2, err := workspace.Open(dir, workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	alerts, lr, err := w2.Load(context.Background(), "SecurityAlert")
	if err != nil {
		t.Fatal(err)
	}
	if lr.Format != "csv" || alerts.Rows() != 3 {
		t.Fatalf("SecurityAlert: %d rows in %s, want 3 in csv", alerts.Rows(), lr.Format)
	}
	names, legacy := alerts.Column("AlertName"), alerts.Column("Legacy")
	if names.Strs[0] != "earlier" || names.Strs[1] != "Test" || legacy.Strs[0] != "kept" || alerts.Column("ProductName").Strs[2] != "Azure Sentinel" {
		t.Errorf("rows: %v %v", names.Strs, legacy.Strs)
	}
	incs, _, err := w2.Load(context.Background(), "SecurityIncident")
	if err != nil || incs.Rows() != 2 {
		t.Fatalf("SecurityIncident: %v rows, %v", incs, err)
	}
}
