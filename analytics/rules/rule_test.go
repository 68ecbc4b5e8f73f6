package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// validRule is a complete rule; tests change one line at a time.
const validRule = `id: 0b6b9a5e-3d2f-4f55-9a59-2b1e8f3f6a10
name: Test rule
description: |
  'Fires on test data.'
severity: Medium
requiredDataConnectors:
  - connectorId: AzureActiveDirectory
    dataTypes:
      - SigninLogs
queryFrequency: 1h
queryPeriod: 2h
triggerOperator: gt
triggerThreshold: 0
tactics:
  - CredentialAccess
relevantTechniques:
  - T1110.003
query: |
  SigninLogs
  | where ResultType == "50126"
  | project TimeGenerated, UserPrincipalName, IPAddress
entityMappings:
  - entityType: Account
    fieldMappings:
      - identifier: FullName
        columnName: UserPrincipalName
  - entityType: IP
    fieldMappings:
      - identifier: Address
        columnName: IPAddress
customDetails:
  Address: IPAddress
alertDetailsOverride:
  alertDisplayNameFormat: 'Failures for {{UserPrincipalName}}'
eventGroupingSettings:
  aggregationKind: AlertPerResult
incidentConfiguration:
  createIncident: true
  groupingConfiguration:
    enabled: true
    reopenClosedIncident: false
    lookbackDuration: PT5H
    matchingMethod: Selected
    groupByEntities:
      - Account
    groupByCustomDetails:
      - Address
suppressionEnabled: true
suppressionDuration: 3h
version: 1.0.0
kind: Scheduled
`

func TestParseValid(t *testing.T) {
	r, diags := Parse("valid.yaml", []byte(validRule))
	if len(diags) != 0 {
		t.Fatalf("diagnostics on a valid rule: %v", diags)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"ID", r.ID, "0b6b9a5e-3d2f-4f55-9a59-2b1e8f3f6a10"},
		{"Description", r.Description, "Fires on test data."},
		{"Severity", r.Severity, "Medium"},
		{"QueryFrequency", r.QueryFrequency, time.Hour},
		{"QueryPeriod", r.QueryPeriod, 2 * time.Hour},
		{"TriggerOperator", r.TriggerOperator, "gt"},
		{"QueryLine", r.QueryLine, 19},
		{"EntityMappings", len(r.EntityMappings), 2},
		{"Entity0", r.EntityMappings[0].Type + "." + r.EntityMappings[0].Fields[0].Identifier, "Account.FullName"},
		{"Entity0Line", r.EntityMappings[0].Fields[0].Line, 25},
		{"Custom", r.CustomDetails[0].Key + "=" + r.CustomDetails[0].Column, "Address=IPAddress"},
		{"Override", r.AlertDetailsOverride.DisplayNameFormat, "Failures for {{UserPrincipalName}}"},
		{"Aggregation", r.AggregationKind, "AlertPerResult"},
		{"Lookback", r.Incident.LookbackDuration, 5 * time.Hour},
		{"Matching", r.Incident.MatchingMethod, "Selected"},
		{"GroupBy", strings.Join(r.Incident.GroupByEntities, ","), "Account"},
		{"Suppression", r.SuppressionDuration, 3 * time.Hour},
		{"DataTypes", r.RequiredDataConnectors[0].DataTypes[0], "SigninLogs"},
		{"Techniques", r.RelevantTechniques[0], "T1110.003"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestParseDefaults(t *testing.T) {
	src := `id: 0b6b9a5e-3d2f-4f55-9a59-2b1e8f3f6a10
name: Minimal
severity: Low
queryFrequency: 5m
queryPeriod: 5m
triggerOperator: GreaterThan
triggerThreshold: 3
query: SigninLogs
kind: Scheduled
`
	r, diags := Parse("min.yaml", []byte(src))
	if err := Errors(diags); err != nil {
		t.Fatal(err)
	}
	if r.AggregationKind != "SingleAlert" || !r.Incident.CreateIncident || r.Incident.GroupingEnabled ||
		r.SuppressionEnabled || r.TriggerOperator != "gt" || r.TriggerThreshold != 3 || r.QueryLine != 8 {
		t.Errorf("defaults: %+v", r)
	}
}

func TestParseNRT(t *testing.T) {
	src := `id: 0b6b9a5e-3d2f-4f55-9a59-2b1e8f3f6a10
name: NRT rule
severity: High
query: SigninLogs | where ResultType == "50126"
kind: NRT
queryFrequency: 1h
`
	r, diags := Parse("nrt.yaml", []byte(src))
	if err := Errors(diags); err != nil {
		t.Fatal(err)
	}
	if r.QueryFrequency != time.Minute || r.QueryPeriod != time.Minute {
		t.Errorf("NRT runs every minute over a minute, got %v/%v", r.QueryFrequency, r.QueryPeriod)
	}
	if len(diags) != 1 || !diags[0].Warning || diags[0].Key != "queryFrequency" || diags[0].Line != 6 {
		t.Errorf("want one warning on queryFrequency at line 6, got %v", diags)
	}
}

// TestValidate changes one line of the valid rule and expects an error
// at that line, naming the key and the problem.
func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		line     int
		key, msg string
		warning  bool
	}{
		{"bad id", "id: 0b6b9a5e-3d2f-4f55-9a59-2b1e8f3f6a10", "id: rule-1", 1, "id", "not a GUID", false},
		{"severity case", "severity: Medium", "severity: medium", 0, "severity", `did you mean "Medium"`, false},
		{"severity", "severity: Medium", "severity: Critical", 0, "severity", "not valid (want one of Informational, Low, Medium, High)", false},
		{"iso frequency", "queryFrequency: 1h", "queryFrequency: PT1H", 0, "", "", false},
		{"bad duration", "queryFrequency: 1h", "queryFrequency: 1 hour", 0, "queryFrequency", "not a duration", false},
		{"too frequent", "queryFrequency: 1h", "queryFrequency: 1m", 0, "queryFrequency", "out of range: want 5m to 14d", false},
		{"too long", "queryPeriod: 2h", "queryPeriod: P15D", 0, "queryPeriod", "out of range", false},
		{"period < frequency", "queryPeriod: 2h", "queryPeriod: 30m", 0, "queryPeriod", "shorter than queryFrequency 1h (line 10)", false},
		{"operator", "triggerOperator: gt", "triggerOperator: more", 0, "triggerOperator", `"more" is not valid`, false},
		{"threshold", "triggerThreshold: 0", "triggerThreshold: -1", 0, "triggerThreshold", "whole number", false},
		{"tactic", "  - CredentialAccess", "  - Credential Access", 0, "tactics[0]", "not valid", false},
		{"tactic case", "  - CredentialAccess", "  - credentialaccess", 0, "tactics[0]", `did you mean "CredentialAccess"`, false},
		{"technique", "  - T1110.003", "  - 1110", 0, "relevantTechniques[0]", "not a MITRE ATT&CK technique", false},
		{"query syntax", `  | where ResultType == "50126"`, `  | where ResultType == `, 0, "query", "", false},
		{"entity type", "  - entityType: IP", "  - entityType: IPAddress", 0, "entityMappings[1].entityType", "not valid", false},
		{"identifier", "      - identifier: Address", "      - identifier: IP", 0, "entityMappings[1].fieldMappings[0].identifier", `"IP" is not valid (want one of Address, AddressScope)`, false},
		{"account identifier", "      - identifier: FullName", "      - identifier: UPN", 0, "entityMappings[0].fieldMappings[0].identifier", "not valid", false},
		{"column", "        columnName: IPAddress", "        columnName: IP Address", 0, "entityMappings[1].fieldMappings[0].columnName", "not a column name", false},
		{"custom key", "  Address: IPAddress", "  1Address: IPAddress", 0, "customDetails.1Address", "detail name", false},
		{"override params", "  alertDisplayNameFormat: 'Failures for {{UserPrincipalName}}'",
			"  alertDisplayNameFormat: '{{a}} {{b}} {{c}} {{d}}'", 0, "alertDetailsOverride.alertDisplayNameFormat", "4 {{column}} parameters; Sentinel allows 3", false},
		{"aggregation", "  aggregationKind: AlertPerResult", "  aggregationKind: PerRow", 0, "eventGroupingSettings.aggregationKind", "not valid", false},
		{"create incident", "  createIncident: true", "  createIncident: yes please", 0, "incidentConfiguration.createIncident", "want true or false", false},
		{"lookback", "    lookbackDuration: PT5H", "    lookbackDuration: 8d", 0, "incidentConfiguration.groupingConfiguration.lookbackDuration", "out of range: want 5m to 7d", false},
		{"matching", "    matchingMethod: Selected", "    matchingMethod: Some", 0, "incidentConfiguration.groupingConfiguration.matchingMethod", "not valid", false},
		{"group entity", "      - Account\n    groupByCustomDetails", "      - User\n    groupByCustomDetails", 0, "incidentConfiguration.groupingConfiguration.groupByEntities[0]", "not valid", false},
		{"group custom", "      - Address\nsuppressionEnabled", "      - Country\nsuppressionEnabled", 1, "incidentConfiguration.groupingConfiguration.groupByCustomDetails[0]", `"Country" is not a key of customDetails`, false},
		{"suppression", "suppressionDuration: 3h", "suppressionDuration: 2d", 0, "suppressionDuration", "out of range: want 5m to 1d", false},
		{"suppression bool", "suppressionEnabled: true", "suppressionEnabled: 1", 0, "suppressionEnabled", "want true or false", false},
		{"kind", "kind: Scheduled", "kind: Fusion", 0, "kind", "not valid", false},
		{"unknown key", "version: 1.0.0", "versoin: 1.0.0", 0, "versoin", "unknown key", true},
		{"duplicate key", "version: 1.0.0", "version: 1.0.0\nversion: 1.0.1", 0, "version", "given twice (first at line 50)", false},
		{"missing query", "query: |\n  SigninLogs\n  | where ResultType == \"50126\"\n  | project TimeGenerated, UserPrincipalName, IPAddress\n", "", 1, "query", "required key is missing", false},
		{"tactics not a list", "tactics:\n  - CredentialAccess", "tactics: CredentialAccess", 0, "tactics", "want a list", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(validRule, tt.old) {
				t.Fatalf("test bug: %q not in the valid rule", tt.old)
			}
			src := strings.Replace(validRule, tt.old, tt.new, 1)
			if tt.line == 0 { // the line the changed text lands on
				at := strings.Index(src, tt.new)
				if tt.name == "duplicate key" {
					at = strings.Index(src, "version: 1.0.1")
				}
				tt.line = 1 + strings.Count(src[:at], "\n")
			}
			_, diags := Parse("r.yaml", []byte(src))
			if tt.msg == "" && tt.key == "" {
				if len(diags) != 0 {
					t.Fatalf("want no diagnostics, got %v", diags)
				}
				return
			}
			for _, d := range diags {
				if d.Key == tt.key && strings.Contains(d.Msg, tt.msg) && d.Line == tt.line && d.Warning == tt.warning {
					if !strings.HasPrefix(d.Error(), "r.yaml:") || !strings.Contains(d.Error(), tt.key+": ") {
						t.Errorf("message %q does not name file and key", d.Error())
					}
					return
				}
			}
			t.Fatalf("want %s:%d %s: %q (warning %v), got %v", "r.yaml", tt.line, tt.key, tt.msg, tt.warning, diags)
		})
	}
}

func TestQueryErrorLine(t *testing.T) {
	src := strings.Replace(validRule, `  | where ResultType == "50126"`, `  | where ResultType == "50126" and`, 1)
	_, diags := Parse("r.yaml", []byte(src))
	var found bool
	for _, d := range diags {
		if d.Key == "query" && !d.Warning {
			found = true
			// the error is at the end of the where clause (line 20) or the
			// start of the next line (21), never at the query key
			if d.Line != 20 && d.Line != 21 {
				t.Errorf("query error at line %d, want 20 or 21: %v", d.Line, d)
			}
		}
	}
	if !found {
		t.Fatalf("no query error: %v", diags)
	}
}

func TestParseNotAMapping(t *testing.T) {
	for _, src := range []string{"", "- a\n- b\n", "id: [unclosed\n"} {
		r, diags := Parse("x.yaml", []byte(src))
		if r != nil || Errors(diags) == nil {
			t.Errorf("Parse(%q) = %v, %v; want an error", src, r, diags)
		}
	}
}

func TestLoadFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte(validRule), 0o644)
	os.WriteFile(bad, []byte(strings.Replace(validRule, "severity: Medium", "severity: Urgent", 1)), 0o644)
	rs, diags, err := LoadFiles(good, bad, filepath.Join(dir, "missing.yaml"))
	if len(rs) != 1 || rs[0].File != good {
		t.Errorf("want the good rule only, got %v", rs)
	}
	if err == nil || !strings.Contains(err.Error(), bad+":5:11: severity:") || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("error %v should name bad.yaml:5:11 and the missing file", err)
	}
	if len(diags) != 1 {
		t.Errorf("diags = %v", diags)
	}
}
