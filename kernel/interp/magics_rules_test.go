package interp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/analytics/rules"
)

// vaultRule raises one alert per day a user operates on a key vault: a
// rule whose alerts a plain query can count.
const vaultRule = `id: 0b5c6c38-54b0-4c39-9d58-3c3e4a1a8a11
name: Key vault operations
description: 'Test rule: key vault operations per user and day.'
severity: Low
queryFrequency: 1d
queryPeriod: 1d
triggerOperator: gt
triggerThreshold: 0
tactics:
  - Discovery
query: |
  AzureActivity
  | where ResourceProviderValue =~ "Microsoft.KeyVault"
  | summarize TimeGenerated = max(TimeGenerated), Operations = count() by Caller
entityMappings:
  - entityType: Account
    fieldMappings:
      - identifier: FullName
        columnName: Caller
eventGroupingSettings:
  aggregationKind: AlertPerResult
kind: Scheduled
`

// writeRule writes a rule file and returns its path.
func writeRule(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRulesList(t *testing.T) {
	in := New(nil) // listing needs no provider
	_, reply := run(t, in, "%rules?")
	if len(reply.Payload) != 1 || !strings.Contains(reply.Payload[0]["data"].(map[string]any)["text/plain"].(string), "Usage: %rules list") {
		t.Errorf("%%rules? payload %v", reply.Payload)
	}
	builtin, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, in, "%rules list")
	tb := resultTable(t, in)
	if tb.Rows() != len(builtin) {
		t.Errorf("%%rules list: %d rows, %d shipped rules", tb.Rows(), len(builtin))
	}
	names := column(t, tb, "Name")
	for i, r := range builtin {
		if names[i] != r.Name {
			t.Errorf("row %d: %q, want %q", i, names[i], r.Name)
		}
	}
	mustRun(t, in, "%rules list "+writeRule(t, "vault.yaml", vaultRule))
	tb = resultTable(t, in)
	if got := column(t, tb, "Name"); len(got) != 1 || got[0] != "Key vault operations" {
		t.Errorf("%%rules list FILE: %v", got)
	}
	if got := column(t, tb, "Frequency"); got[0] != "1d" {
		t.Errorf("Frequency %q, want 1d", got[0])
	}
}

func TestRulesRun(t *testing.T) {
	dir := sharedTenant(t)
	in := tenantInterp(t, dir)
	rec := mustRun(t, in, "%rules run")
	sum := resultTable(t, in)
	if sum.Rows() == 0 {
		t.Fatal("the shipped rules raised no alert on the sample tenant")
	}
	// Alerts and Incidents are kept by name and readable by queries.
	alerts := count(t, in, "Alerts | count")
	if alerts != sum.Rows() {
		t.Errorf("Alerts has %d rows, the summary %d alerts", alerts, sum.Rows())
	}
	for _, name := range []string{"Alerts", "Incidents"} {
		if _, ok := in.Named(name); !ok {
			t.Errorf("%s not kept as a named result", name)
		}
	}
	if n := count(t, in, "Incidents | summarize dcount(IncidentNumber)"); n == 0 || n > alerts {
		t.Errorf("Incidents: %d distinct incidents for %d alerts", n, alerts)
	}
	if !strings.Contains(rec.text(), "kept as Alerts and Incidents") {
		t.Errorf("%%rules run said %q", rec.text())
	}
	// One row per shipped rule in the rule summary (displayed before the
	// alerts).
	var ruleRows int
	for _, e := range rec.events {
		if e.kind == "display" {
			if j, ok := e.data["application/json"].(map[string]any); ok {
				if rows, ok := j["rows"].([]any); ok {
					ruleRows = len(rows)
				}
			}
		}
	}
	if b, _ := rules.Builtin(); ruleRows != len(b) {
		t.Errorf("rule summary has %d rows, want %d", ruleRows, len(b))
	}
	// The planted stories are found: S1's takeover, S2's label downgrades
	// and S3's owner grant (S5's key vault needs a larger tenant: with 60
	// users a department colleague has used the vault too).
	for _, story := range []string{"S1", "S2", "S3"} {
		// Entities spell an account as Name and UPNSuffix.
		acct, _, _ := strings.Cut(storyEntity(t, dir, story, "account"), "@")
		if n := count(t, in, "Alerts | where Entities has '"+acct+"' | count"); n == 0 {
			t.Errorf("no alert names %s of %s", acct, story)
		}
	}
	// Nothing was written to the folder.
	before := count(t, tenantInterp(t, dir), "SecurityAlert | count")
	if n := count(t, in, "SecurityAlert | count"); n != before {
		t.Errorf("SecurityAlert changed without --write: %d, was %d", n, before)
	}
}

func TestRulesRunFileWindowAndWrite(t *testing.T) {
	dir := freshTenant(t)
	in := tenantInterp(t, dir)
	rule := writeRule(t, "vault.yaml", vaultRule)
	before := count(t, in, "SecurityAlert | count")
	mustRun(t, in, "%rules run --from 2026-11-16 --to=2026-11-23 --write "+rule)
	// One alert per caller and day with key vault operations: what a plain
	// query over the same days says.
	want := count(t, in, `AzureActivity
		| where TimeGenerated > datetime(2026-11-16) and TimeGenerated <= datetime(2026-11-23)
		| where ResourceProviderValue =~ "Microsoft.KeyVault"
		| summarize by Caller, Day = bin(TimeGenerated, 1d) | count`)
	got := count(t, in, "Alerts | count")
	if got != want || want == 0 {
		t.Errorf("%d alerts, want %d (callers by day)", got, want)
	}
	if n := count(t, in, "Alerts | where AlertName != 'Key vault operations' | count"); n != 0 {
		t.Errorf("%d alerts from other rules: the shipped ones ran too", n)
	}
	// --write appended them to the folder's SecurityAlert.
	if n := count(t, tenantInterp(t, dir), "SecurityAlert | count"); n != before+got {
		t.Errorf("SecurityAlert has %d rows after --write, want %d + %d", n, before, got)
	}
	// --builtin adds the shipped rules to the file.
	mustRun(t, in, "%rules run --from 2026-11-16 --builtin "+rule)
	if n := count(t, in, "Alerts | summarize dcount(AlertName)"); n < 2 {
		t.Errorf("--builtin with a file: %d rule names among the alerts", n)
	}
}

func TestRulesRunSeesUEBA(t *testing.T) {
	dir := sharedTenant(t)
	in := tenantInterp(t, dir)
	rule := writeRule(t, "ueba.yaml", strings.NewReplacer(
		"Key vault operations", "Anomalous activity",
		`AzureActivity
  | where ResourceProviderValue =~ "Microsoft.KeyVault"
  | summarize TimeGenerated = max(TimeGenerated), Operations = count() by Caller`,
		`BehaviorAnalytics
  | where InvestigationPriority >= 8
  | summarize TimeGenerated = max(TimeGenerated), Operations = count() by Caller = UserPrincipalName`).Replace(vaultRule))
	// Without a build the rule cannot run, and says which table is missing.
	_, reply := run(t, in, "%rules run --from 2026-11-20 "+rule)
	if reply.Err == nil || !strings.Contains(reply.Err.Value, "BehaviorAnalytics") {
		t.Fatalf("rule over BehaviorAnalytics before %%ueba build: %+v", reply.Err)
	}
	mustRun(t, in, "%ueba build --window 14d")
	// Daily runs from midnight: the last is at 2026-11-23T00:00, before
	// the data's end.
	mustRun(t, in, "%rules run --from 2026-11-20 "+rule)
	want := count(t, in, `BehaviorAnalytics
		| where TimeGenerated > datetime(2026-11-20) and TimeGenerated <= datetime(2026-11-23) and InvestigationPriority >= 8
		| summarize by UserPrincipalName, Day = bin(TimeGenerated, 1d) | count`)
	if got := count(t, in, "Alerts | count"); got != want || want == 0 {
		t.Errorf("%d alerts over BehaviorAnalytics, want %d", got, want)
	}
}

func TestRulesErrors(t *testing.T) {
	dir := sharedTenant(t)
	bad := writeRule(t, "bad.yaml", strings.Replace(vaultRule, "queryFrequency: 1d", "queryFrequency: often", 1))
	tests := []struct {
		code, want string
	}{
		{"%rules", "say list or run"},
		{"%rules frob", `unknown subcommand "frob"`},
		{"%rules list --frob", "unknown option --frob"},
		{"%rules run --frob", "unknown option --frob"},
		{"%rules run --from", "--from needs a time"},
		{"%rules run --from yesterday", `--from: "yesterday" is not a datetime`},
		{"%rules run --from 2026-11-20 --to 2026-11-19", "must be after --from"},
		{"%rules run --builtin=1", "--builtin takes no value"},
		{"%rules run " + bad, bad + ":"},
		{"%rules run " + bad, "queryFrequency"},
		{"%rules list " + bad, "queryFrequency"},
		{"%rules run " + filepath.Join(t.TempDir(), "missing.yaml"), "missing.yaml"},
	}
	in := tenantInterp(t, dir)
	for _, tc := range tests {
		_, reply := run(t, in, tc.code)
		if reply.Err == nil || reply.Err.Name != "MagicError" || !strings.Contains(reply.Err.Value, tc.want) {
			t.Errorf("%s: got %+v, want a MagicError containing %q", tc.code, reply.Err, tc.want)
		}
	}
	_, reply := run(t, New(NewProviderEngine(sentinelProvider{})), "%rules run")
	if reply.Err == nil || !strings.Contains(reply.Err.Value, "Microsoft Sentinel runs analytics rules in the service") {
		t.Errorf("%%rules run on Sentinel: %+v", reply.Err)
	}
}

func TestRulesCompletion(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.yaml", "b.yml", "c.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := New(nil)
	tests := []struct {
		code string
		want []string
	}{
		{"%rules r", []string{"run"}},
		{"%rules run --b", []string{"--builtin"}},
		{"%rules run --", []string{"--builtin", "--from", "--to", "--write"}},
		{"%rules run " + dir + "/", []string{filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yml")}},
		{"%rules run --from ", nil},
	}
	for _, tc := range tests {
		r := in.Complete(tc.code, len(tc.code))
		if strings.Join(r.Matches, ",") != strings.Join(tc.want, ",") {
			t.Errorf("completing %q: %v, want %v", tc.code, r.Matches, tc.want)
		}
	}
}
