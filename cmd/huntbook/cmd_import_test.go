package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/local"
)

// The synthetic exports the auditlog package tests with.
var (
	ualPurview = filepath.Join("..", "..", "auditlog", "testdata", "purview_export.csv")
	ualClassic = filepath.Join("..", "..", "auditlog", "testdata", "classic_export.csv")
)

func TestImportUALCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ir")
	notUAL := filepath.Join(t.TempDir(), "signins.csv")
	if err := os.WriteFile(notUAL, []byte("TimeGenerated,UserPrincipalName\n2026-03-02T00:00:00Z,a@b.c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		msg  []string // in stdout on success, stderr otherwise
	}{
		{[]string{"import", "ual", ualPurview}, 2, []string{"--workspace DIR is required"}},
		{[]string{"import", "ual", "--workspace", dir}, 2, []string{"no export files"}},
		{[]string{"import", "ual", "--workspace", dir, "--bogus", ualPurview}, 2, []string{"flag provided but not defined: -bogus"}},
		{[]string{"import", "ual", "--workspace", dir, notUAL}, 1, []string{notUAL + ": no AuditData column"}},
		{[]string{"import", "ual", "--workspace", dir, filepath.Join(dir, "missing.csv")}, 1, []string{"missing.csv"}},
		// Flags may follow the files.
		{[]string{"import", "ual", ualPurview, ualClassic, "--workspace", dir}, 0, []string{
			"read 2 files: 8 records (1 duplicate left out",
			"1 skipped",
			ualPurview + ":5: AuditData is not JSON",
			"wrote " + filepath.Join(dir, "OfficeActivity.jsonl") + ": 8 rows",
			"wrote " + filepath.Join(dir, "CloudAppEvents.jsonl") + ": 8 rows",
			"time span: 2026-03-02T07:58:03Z to 2026-03-02T11:50:02Z (3h51m59s)",
		}},
		{[]string{"import", "ual", "--workspace", dir, ualPurview}, 1, []string{"OfficeActivity.jsonl", "already there; use --force"}},
		{[]string{"import", "ual", "--workspace", dir, "--force", ualPurview, ualClassic}, 0, []string{"8 rows"}},
	}
	for _, tc := range tests {
		var o, e bytes.Buffer
		code := run(tc.args, &o, &e)
		got := e.String()
		if tc.code == 0 {
			got = o.String()
		}
		for _, m := range tc.msg {
			if !strings.Contains(got, m) {
				t.Errorf("%q: output lacks %q", tc.args, m)
			}
		}
		if code != tc.code {
			t.Errorf("%q = %d, out %q, err %q; want %d", tc.args, code, o.String(), e.String(), tc.code)
		}
	}

	// The folder answers the guided notebooks' queries through the embedded engine.
	p, err := local.New("", []string{dir}, local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const q1 = "https://contoso.sharepoint.com/sites/Finance/Shared Documents/Q1 forecast.xlsx"
	const payroll = "https://contoso.sharepoint.com/sites/Finance/Shared Documents/Payroll 2026.docx"
	const adele = "7e1d6a3b-2f4c-4b8e-9a51-3c2d1e0f9a88"
	queries := []struct {
		name, kql string
		want      []string // rows, cells joined by |
	}{
		{"label changes (information-protection-label-activity)", `CloudAppEvents
| where ActionType in ("SensitivityLabelUpdated", "SensitivityLabelRemoved")
| extend d = RawEventData.SensitivityLabelEventData
| project NewId = tostring(d.SensitivityLabelId), OldId = tostring(d.OldSensitivityLabelId), AccountObjectId, ObjectName
| order by ObjectName asc`, []string{
			"|b1e5c7d9-3a2f-4e6d-8c1b-9a0f2e4d6c8b|" + adele + "|" + payroll,
			"9f2a4c6e-8b1d-4f3a-a5c7-e9b1d3f5a7c9|b1e5c7d9-3a2f-4e6d-8c1b-9a0f2e4d6c8b|" + adele + "|" + q1,
		}},
		{"workloads", `OfficeActivity | summarize count() by OfficeWorkload, RecordType | order by OfficeWorkload asc, RecordType asc`, []string{
			"AzureActiveDirectory|AzureActiveDirectoryStsLogon|1",
			"Exchange|ExchangeAdmin|1",
			"Exchange|ExchangeItem|1",
			"Exchange|ExchangeItemAggregated|1",
			"Microsoft Information Protection|SensitivityLabelAction|1",
			"OneDrive|SharePointFileOperation|1",
			"SharePoint|SensitivityLabelAction|1",
			"SharePoint|SharePointFileOperation|1",
		}},
		{"inbox rules (incident-triage)", `OfficeActivity
| where Operation in~ ("New-InboxRule", "Set-InboxRule")
| mv-expand p = todynamic(Parameters)
| summarize Params = make_bag(bag_pack(tostring(p.Name), tostring(p.Value))) by TimeGenerated, UserId, ClientIP, OfficeId
| project TimeGenerated, UserId, ClientIP, RuleName = tostring(Params.Name), Keywords = tostring(Params.SubjectOrBodyContainsWords), MoveToFolder = tostring(Params.MoveToFolder)`, []string{
			"2026-03-02T11:42:10Z|adele.vance@contoso.com|198.51.100.7|..|invoice;payment|RSS Feeds",
		}},
		{"addresses (password-spray, impossible-travel)", `OfficeActivity
| project UserPrincipalName = tolower(UserId), IPAddress = ClientIP
| summarize Actions = count() by UserPrincipalName, IPAddress | order by IPAddress asc`, []string{
			"adele.vance@contoso.com|198.51.100.7|2",
			"adele.vance@contoso.com|2001:db8:4a::17|2",
			"adele.vance@contoso.com|203.0.113.24|4",
		}},
		{"downloads (incident-triage)", `OfficeActivity
| where Operation in ("FileDownloaded", "FileSyncDownloadedFull")
| summarize Files = dcount(OfficeObjectId), Sites = make_set(Site_Url) by UserId, ClientIP, Hour = bin(TimeGenerated, 1h)`, []string{
			`adele.vance@contoso.com|203.0.113.24|2026-03-02T09:00:00Z|1|["https://contoso.sharepoint.com/sites/Finance/"]`,
		}},
	}
	for _, qc := range queries {
		res, err := p.NewSession().Run(context.Background(), qc.kql, providers.QueryOptions{})
		if err != nil {
			t.Errorf("%s: %v", qc.name, err)
			continue
		}
		tb := res[len(res)-1].Table
		var got []string
		for i := range tb.Rows() {
			cells := make([]string, len(tb.Columns))
			for j, c := range tb.Columns {
				cells[j] = c.Value(i).String()
			}
			got = append(got, strings.Join(cells, "|"))
		}
		if strings.Join(got, "\n") != strings.Join(qc.want, "\n") {
			t.Errorf("%s:\n%s\nwant\n%s", qc.name, strings.Join(got, "\n"), strings.Join(qc.want, "\n"))
		}
	}
}

func TestImportUALOtherFormat(t *testing.T) {
	// A table kept in another format is never silently doubled, even with --force.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "OfficeActivity.csv"), []byte("TimeGenerated\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, force := range []bool{false, true} {
		args := []string{"import", "ual", "--workspace", dir, ualPurview}
		if force {
			args = append(args, "--force")
		}
		var o, e bytes.Buffer
		if code := run(args, &o, &e); code != 1 || !strings.Contains(e.String(), "OfficeActivity.csv") {
			t.Errorf("force=%v: %d, %q; want 1 naming OfficeActivity.csv", force, code, e.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "OfficeActivity.jsonl")); err == nil {
		t.Error("OfficeActivity.jsonl written beside OfficeActivity.csv")
	}
}
