package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/workspace"
	"github.com/huntbook/huntbook/sampledata"
)

func TestRulesCommands(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	rule := `id: 0b6b9a5e-3d2f-4f55-9a59-2b1e8f3f6a10
name: Risky sign-ins
severity: Low
queryFrequency: 1d
queryPeriod: 1d
triggerOperator: gt
triggerThreshold: 0
query: |
  SigninLogs
  | where RiskLevelDuringSignIn == "high"
  | project TimeGenerated, UserPrincipalName, IPAddress
entityMappings:
  - entityType: Account
    fieldMappings:
      - identifier: FullName
        columnName: UserPrincipalName
kind: Scheduled
`
	os.WriteFile(good, []byte(rule), 0o644)
	os.WriteFile(bad, []byte(strings.Replace(rule, "queryPeriod: 1d", "queryPeriod: 2h", 1)), 0o644)
	ws := filepath.Join(dir, "ws")
	if err := sampledata.WriteWorkspace(ws, sampledata.Config{Users: 25, Days: 8, End: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"rules", "validate", good}, 0, "good.yaml: ok: Risky sign-ins (Scheduled, Low, every 1d over 1d)", ""},
		{[]string{"rules", "validate", good, bad}, 1, "", "bad.yaml:5:14: queryPeriod: 2h is shorter than queryFrequency 1d (line 4)"},
		{[]string{"rules", "validate"}, 2, "", "Usage: huntbook rules validate"},
		{[]string{"rules", "list"}, 0, "Sensitive Data Discovered in the Last 24 Hours - Customized", ""},
		{[]string{"rules", "run", good}, 2, "", "--workspace DIR is required"},
		{[]string{"rules", "run", "--workspace", ws, "--from", "yesterday", good}, 2, "", `--from "yesterday"`},
		{[]string{"rules", "run", "--workspace", ws, bad}, 1, "", "fix the rule files first"},
		// the only high-risk sign-in is the takeover story's, on the 19th
		{[]string{"rules", "run", "--workspace", ws, "--dry-run", "--from", "2026-11-20", good}, 0, "Risky sign-ins", ": 0 alerts, 0 incidents, not written (--dry-run)"},
		{[]string{"rules", "run", "--workspace", ws, good}, 0, "account:", ": 1 alerts, 1 incidents, appended to SecurityAlert"},
	}
	for _, tc := range tests {
		var o, e bytes.Buffer
		code := run(tc.args, &o, &e)
		if code != tc.code || !strings.Contains(o.String(), tc.stdout) || !strings.Contains(e.String(), tc.stderr) {
			t.Errorf("%v: exit %d, want %d\nstdout: %s\nstderr: %s", tc.args, code, tc.code, o.String(), e.String())
		}
	}
	// the last run appended its alert to the tenant's own
	w, err := workspace.Open(ws, workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	alerts, _, err := w.Load(t.Context(), "SecurityAlert")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range alerts.Column("ProductName").Strs {
		if p == "Azure Sentinel" {
			n++
		}
	}
	if n != 1 || alerts.Rows() < 2 {
		t.Errorf("SecurityAlert has %d rows, %d from the rule; want the tenant's and one more", alerts.Rows(), n)
	}
}
