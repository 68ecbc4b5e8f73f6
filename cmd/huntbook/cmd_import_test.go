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

// runCase is one run of the huntbook command line.
type runCase struct {
	args []string
	code int
	msg  []string // in stdout on success, stderr otherwise
}

// checkRuns runs each case in turn (later cases see what earlier ones wrote).
func checkRuns(t *testing.T, tests []runCase) {
	t.Helper()
	for _, tc := range tests {
		var o, e bytes.Buffer
		code := run(tc.args, &o, &e)
		got := e.String()
		if tc.code == 0 {
			got = o.String()
		}
		for _, m := range tc.msg {
			if !strings.Contains(got, m) {
				t.Errorf("%q: output lacks %q:\n%s", tc.args, m, got)
			}
		}
		if code != tc.code {
			t.Errorf("%q = %d, out %q, err %q; want %d", tc.args, code, o.String(), e.String(), tc.code)
		}
	}
}

// queryCase is a query over an imported folder and the rows it answers.
type queryCase struct {
	name, kql string
	want      []string // rows, cells joined by |
}

// checkQueries runs the queries on the folder through the embedded engine.
func checkQueries(t *testing.T, dir string, queries []queryCase) {
	t.Helper()
	p, err := local.New("", []string{dir}, local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
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

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestImportUALCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ir")
	notUAL := filepath.Join(t.TempDir(), "signins.csv")
	writeFile(t, notUAL, "TimeGenerated,UserPrincipalName\n2026-03-02T00:00:00Z,a@b.c\n")
	tests := []runCase{
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
			"noted in " + filepath.Join(dir, "workspace.json") + ": the data ends at 2026-03-02T11:50:02Z",
		}},
		{[]string{"import", "ual", "--workspace", dir, ualPurview}, 1, []string{"OfficeActivity.jsonl", "already there; use --force"}},
		{[]string{"import", "ual", "--workspace", dir, "--force", ualPurview, ualClassic}, 0, []string{"8 rows"}},
	}
	checkRuns(t, tests)

	// The folder answers the guided notebooks' queries through the embedded engine.
	const q1 = "https://contoso.sharepoint.com/sites/Finance/Shared Documents/Q1 forecast.xlsx"
	const payroll = "https://contoso.sharepoint.com/sites/Finance/Shared Documents/Payroll 2026.docx"
	const adele = "7e1d6a3b-2f4c-4b8e-9a51-3c2d1e0f9a88"
	queries := []queryCase{
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
	checkQueries(t, dir, queries)
}

func TestImportUALOtherFormat(t *testing.T) {
	// A table kept in another format is never silently doubled, even with --force.
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "OfficeActivity.csv"), "TimeGenerated\n")
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

// The synthetic sign-in downloads the signinlog package tests with.
var (
	signinGraph  = filepath.Join("..", "..", "signinlog", "testdata", "graph_page.json")
	signinPortal = filepath.Join("..", "..", "signinlog", "testdata", "InteractiveSignIns_2026-03-02_2026-03-03.json")
	signinCSV    = filepath.Join("..", "..", "signinlog", "testdata", "InteractiveSignIns_2026-03-02_2026-03-03.csv")
	signinNonCSV = filepath.Join("..", "..", "signinlog", "testdata", "NonInteractiveSignIns_2026-03-02_2026-03-03.csv")
)

func TestImportSigninsCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ir")
	notSignins := filepath.Join(t.TempDir(), "query_data.csv")
	writeFile(t, notSignins, "TimeGenerated,UserPrincipalName\n2026-03-02T00:00:00Z,a@b.c\n")
	all := []string{signinGraph, signinPortal, signinCSV, signinNonCSV}
	tests := []runCase{
		{[]string{"import", "signins", signinGraph}, 2, []string{"--workspace DIR is required"}},
		{[]string{"import", "signins", "--workspace", dir}, 2, []string{"no download files"}},
		{[]string{"import", "signins", "--workspace", dir, "--bogus", signinGraph}, 2, []string{"flag provided but not defined: -bogus"}},
		{[]string{"import", "signins", "--workspace", dir, notSignins}, 1, []string{notSignins + `: no "Date (UTC)" column`}},
		{[]string{"import", "signins", "--workspace", dir, filepath.Join(dir, "missing.json")}, 1, []string{"missing.json"}},
		// Flags may follow the files.
		{append(append([]string{"import", "signins"}, all...), "--workspace", dir), 0, []string{
			"read 4 files: 6 sign-ins (12 duplicates left out: an earlier sign-in had the same id), 3 skipped",
			"note: " + signinGraph + ":1: a Graph page with more after it (@odata.nextLink)",
			"note: " + signinCSV + `: columns no sign-in table has, left out: "Incoming token type"`,
			"note: " + signinNonCSV + ": sign-ins taken as non-interactive (AADNonInteractiveUserSignInLogs)",
			"  " + signinGraph + ":493: value[6]: no createdDateTime: the sign-in has no time",
			"  " + signinPortal + ":243: [3]: not a JSON object",
			"  " + signinCSV + ":4: no sign-in time: Date (UTC) is empty or not a datetime",
			"wrote " + filepath.Join(dir, "SigninLogs.jsonl") + ": 5 rows",
			"wrote " + filepath.Join(dir, "AADNonInteractiveUserSignInLogs.jsonl") + ": 1 row",
			"time span: 2026-03-02T08:14:05.4821937Z to 2026-03-02T11:00:03.1Z (2h45m57.6178063s)",
			"noted in " + filepath.Join(dir, "workspace.json") + ": the data ends at 2026-03-02T11:00:03.1Z",
		}},
		{[]string{"import", "signins", "--workspace", dir, signinCSV}, 1, []string{"SigninLogs.jsonl", "AADNonInteractiveUserSignInLogs.jsonl", "already there; use --force"}},
		{append([]string{"import", "signins", "--workspace", dir, "--force"}, all...), 0, []string{"5 rows", "1 row"}},
	}
	checkRuns(t, tests)

	// The folder answers the guided notebooks' queries through the embedded engine.
	const pinned = "set query_now = datetime(2026-03-03);\nlet lookback = 2d;\n"
	queries := []queryCase{
		// workspace.json's clock stops at the last sign-in: ago() finds the data.
		{"last hour", `SigninLogs | where TimeGenerated > ago(1h) | project UserPrincipalName, City = tostring(LocationDetails.city)`, []string{
			"adele.vance@contoso.com|Amsterdam",
		}},
		{"bad passwords by address", `SigninLogs | where ResultType == "50126" | summarize count() by IPAddress`, []string{
			"203.0.113.24|2",
		}},
		{"city and latitude", `SigninLogs | extend City = tostring(LocationDetails.city),
   Lat = todouble(LocationDetails.geoCoordinates.latitude) | project UserPrincipalName, City, Lat`, []string{
			"adele.vance@contoso.com|Seattle|47.6062",
			"megan.bowen@contoso.com|Lagos|6.4541",
			"alex.wilber@contoso.com|Lagos|6.4541",
			"adele.vance@contoso.com|Lagos|6.4541",
			"adele.vance@contoso.com|Amsterdam|52.3676",
		}},
		{"sprayers (password-spray)", pinned + `let bad_password = dynamic(["50126", "50053"]);
SigninLogs
| where TimeGenerated > ago(lookback)
| summarize SignIns = count(), BadPasswords = countif(ResultType in (bad_password)), Successes = countif(ResultType == "0"),
    Accounts = dcountif(UserPrincipalName, ResultType in (bad_password)), Apps = make_set(AppDisplayName, 5)
    by IPAddress
| order by IPAddress asc`, []string{
			`192.0.2.55|1|0|1|0|["One Outlook Web"]`,
			`198.51.100.7|1|0|1|0|["One Outlook Web"]`,
			`203.0.113.24|3|2|0|2|["One Outlook Web"]`,
		}},
		{"hops (impossible-travel)", pinned + `let min_distance_km = 500.0; let max_speed_kmh = 800.0;
SigninLogs
| where TimeGenerated > ago(lookback) and ResultType == "0"
| project TimeGenerated, UserPrincipalName = tolower(UserPrincipalName), IPAddress, City = tostring(LocationDetails.city),
    Country = tostring(LocationDetails.countryOrRegion),
    Lat = toreal(LocationDetails.geoCoordinates.latitude), Lon = toreal(LocationDetails.geoCoordinates.longitude)
| where isnotempty(City)
| sort by UserPrincipalName asc, TimeGenerated asc
| extend PrevUser = prev(UserPrincipalName), PrevTime = prev(TimeGenerated), PrevCity = prev(City), PrevCountry = prev(Country),
    PrevIP = prev(IPAddress), PrevLat = prev(Lat), PrevLon = prev(Lon)
| where UserPrincipalName == PrevUser and City != PrevCity
| extend DistanceKm = geo_distance_2points(PrevLon, PrevLat, Lon, Lat) / 1000, Hours = (TimeGenerated - PrevTime) / 1h
| extend SpeedKmh = DistanceKm / max_of(Hours, 1.0 / 60)
| where DistanceKm >= min_distance_km and SpeedKmh > max_speed_kmh
| project UserPrincipalName, From = strcat(PrevCity, ", ", PrevCountry), FromIP = PrevIP,
    To = strcat(City, ", ", Country), ToIP = IPAddress, Hours = round(Hours, 2), Fast = SpeedKmh > 3000`, []string{
			"adele.vance@contoso.com|Seattle, US|198.51.100.7|Amsterdam, NL|192.0.2.55|2.3|true",
		}},
		{"risk events (ueba-anomalous-signins)", `SigninLogs
| where RiskLevelDuringSignIn in ("medium", "high")
| mv-expand Event = todynamic(RiskEventTypes_V2) to typeof(string)
| project UserPrincipalName, IPAddress, RiskState, Event`, []string{
			"adele.vance@contoso.com|192.0.2.55|atRisk|anonymizedIPAddress",
			"adele.vance@contoso.com|192.0.2.55|atRisk|unfamiliarFeatures",
		}},
		{"MFA prompts", `SigninLogs | where ResultType == "50074"
| project UserPrincipalName, ResultDescription, Country = tostring(LocationDetails.countryOrRegion), Status.errorCode`, []string{
			"adele.vance@contoso.com|Strong Authentication is required.|NG|50074",
		}},
		{"non-interactive", `AADNonInteractiveUserSignInLogs
| extend City = tostring(parse_json(LocationDetails).city), Device = tostring(parse_json(DeviceDetail).displayName)
| project TimeGenerated, AppDisplayName, City, Device, IsInteractive, ResultType`, []string{
			"2026-03-02T11:00:03.1Z|Microsoft Office|Seattle|ADELE-LT|false|0",
		}},
		{"both tables", `union SigninLogs, AADNonInteractiveUserSignInLogs | summarize count() by Category, Type | order by Category asc`, []string{
			"NonInteractiveUserSignInLogs|AADNonInteractiveUserSignInLogs|1",
			"SignInLogs|SigninLogs|5",
		}},
	}
	checkQueries(t, dir, queries)
}

func TestImportSigninsForceRemovesStale(t *testing.T) {
	// A --force import with no non-interactive sign-ins removes the former
	// import's table rather than pair old sign-ins with new ones.
	dir := t.TempDir()
	var o, e bytes.Buffer
	if code := run([]string{"import", "signins", "--workspace", dir, signinGraph}, &o, &e); code != 0 {
		t.Fatalf("first import: %d, %s", code, e.String())
	}
	o.Reset()
	if code := run([]string{"import", "signins", "--workspace", dir, "--force", signinCSV}, &o, &e); code != 0 {
		t.Fatalf("second import: %d, %s", code, e.String())
	}
	stale := filepath.Join(dir, "AADNonInteractiveUserSignInLogs.jsonl")
	if !strings.Contains(o.String(), "removed "+stale+": the downloads have no AADNonInteractiveUserSignInLogs rows") {
		t.Errorf("output lacks the removal:\n%s", o.String())
	}
	for _, f := range []string{stale, filepath.Join(dir, "AADNonInteractiveUserSignInLogs.schema.json")} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s still there", f)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "SigninLogs.jsonl")); err != nil {
		t.Error(err)
	}
	// A table in another format is never silently doubled, even with --force.
	other := t.TempDir()
	writeFile(t, filepath.Join(other, "SigninLogs.csv"), "TimeGenerated\n")
	e.Reset()
	if code := run([]string{"import", "signins", "--workspace", other, "--force", signinGraph}, &o, &e); code != 1 || !strings.Contains(e.String(), "SigninLogs.csv") {
		t.Errorf("beside SigninLogs.csv: %d, %q; want 1 naming it", code, e.String())
	}
}
