package schemas

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

// The tables the synthetic sample tenant generates; each must be built in.
var tenantTables = []string{
	"SigninLogs", "AADNonInteractiveUserSignInLogs", "AADServicePrincipalSignInLogs",
	"AADManagedIdentitySignInLogs", "AuditLogs", "OfficeActivity", "CloudAppEvents",
	"PurviewDataSensitivityLogs", "McasShadowItReporting", "SecurityAlert", "SecurityIncident",
	"IdentityInfo", "CommonSecurityLog", "Syslog", "ThreatIntelligenceIndicator", "AzureActivity",
	"BehaviorAnalytics", "UserPeerAnalytics", "UserAccessAnalytics", "Watchlist",
}

// Some Defender vulnerability-management tables and the exposure graph are
// snapshots or knowledge bases whose documented schemas have no time column;
// only these families may lack one, and the Source must say so.
func timeless(name string) bool {
	return strings.HasPrefix(name, "DeviceTvm") || strings.HasPrefix(name, "ExposureGraph")
}

var kqlTypeNames = map[string]bool{
	"string": true, "long": true, "int": true, "real": true, "bool": true, "datetime": true,
	"timespan": true, "guid": true, "dynamic": true, "decimal": true,
}

// TestEmbeddedFiles checks every data file on its own terms: it parses, its
// file is named after its table, it says where it came from, it spells types
// the KQL way and it has a time column.
func TestEmbeddedFiles(t *testing.T) {
	entries, err := dataFS.ReadDir("data")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			b, err := dataFS.ReadFile("data/" + e.Name())
			if err != nil {
				t.Fatal(err)
			}
			name, s, err := Parse(b, e.Name())
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimSuffix(e.Name(), ".json"); name != want {
				t.Errorf("Name %q does not match file name %q", name, want)
			}
			var f File
			if err := json.Unmarshal(b, &f); err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(f.Source) == "" {
				t.Errorf("no Source noted")
			}
			for _, p := range f.Properties {
				if !kqlTypeNames[p.Type] {
					t.Errorf("column %s: type %q is not in KQL spelling", p.Name, p.Type)
				}
			}
			hasTime := false
			for _, c := range s {
				if (c.Name == "TimeGenerated" || c.Name == "Timestamp") && c.Type == types.DateTime {
					hasTime = true
				}
			}
			for _, h := range HiddenColumns() {
				if s.Index(h.Name) >= 0 {
					t.Errorf("hidden system column %s should be left out", h.Name)
				}
			}
			switch {
			case hasTime:
			case !timeless(name):
				t.Errorf("no TimeGenerated or Timestamp datetime column in %v", s)
			case !strings.Contains(f.Source, "no time column"):
				t.Errorf("%s has no time column and its Source does not say so", name)
			}
		})
	}
	if n != len(Names()) {
		t.Errorf("%d data files but %d names", n, len(Names()))
	}
}

func TestNamesAndLookup(t *testing.T) {
	names := Names()
	if !sort.StringsAreSorted(names) {
		t.Errorf("Names not sorted: %v", names)
	}
	for _, want := range tenantTables {
		if !slices.Contains(names, want) {
			t.Errorf("sample-tenant table %s is not built in", want)
		}
	}

	tests := []struct {
		table, column string
		want          types.Type
	}{
		{"SigninLogs", "TimeGenerated", types.DateTime},
		{"SigninLogs", "LocationDetails", types.Dynamic},
		{"SigninLogs", "IsInteractive", types.Bool},
		{"SigninLogs", "DurationMs", types.Long},
		{"SecurityIncident", "IncidentNumber", types.Int},
		{"SecurityIncident", "AlertIds", types.Dynamic},
		{"AuditLogs", "TargetResources", types.Dynamic},
		{"CommonSecurityLog", "DestinationPort", types.Int},
		{"CommonSecurityLog", "SentBytes", types.Long},
		{"CloudAppEvents", "Timestamp", types.DateTime},
		{"CloudAppEvents", "RawEventData", types.Dynamic},
		{"Watchlist", "SearchKey", types.String},
		{"Syslog", "TenantId", types.String},
		// Defender XDR tables merged with their Sentinel (Azure Monitor) columns
		{"DeviceProcessEvents", "IsInitiatingProcessRemoteSession", types.Bool},
		{"DeviceProcessEvents", "CreatedProcessSessionId", types.Long},
		{"DeviceImageLoadEvents", "InitiatingProcessRemoteSessionIP", types.String},
		{"DeviceTvmSoftwareInventory", "TimeGenerated", types.DateTime},
		{"DeviceTvmSoftwareVulnerabilitiesKB", "CvssScore", types.Real},
		{"DeviceTvmSecureConfigurationAssessmentKB", "RelatedMitreTactics", types.Dynamic},
		{"CloudAuditEvents", "TimeGenerated", types.DateTime},
		{"CloudAuditEvents", "Timestamp", types.DateTime},
		{"AADSignInEventsBeta", "RiskLevelDuringSignIn", types.Int},
		// IdentityInfo: Sentinel's columns and Defender XDR's, AM types kept
		{"IdentityInfo", "TimeGenerated", types.DateTime},
		{"IdentityInfo", "Timestamp", types.DateTime},
		{"IdentityInfo", "AccountUPN", types.String},
		{"IdentityInfo", "AccountUpn", types.String},
		{"IdentityInfo", "OnPremSid", types.String},
		{"IdentityInfo", "EmailAddress", types.String},
		{"IdentityInfo", "Tags", types.String},
		// Sentinel data lake Entra ID asset tables
		{"EntraUsers", "id", types.String},
		{"EntraUsers", "otherMails", types.Dynamic},
		{"EntraGroups", "groupTypes", types.Dynamic},
		{"EntraGroupMemberships", "sourceId", types.String},
		{"EntraGroupMemberships", "TimeGenerated", types.DateTime},
	}
	for _, tc := range tests {
		s, ok := Lookup(tc.table)
		if !ok {
			t.Errorf("Lookup(%q) not found", tc.table)
			continue
		}
		i := s.Index(tc.column)
		if i < 0 {
			t.Errorf("%s has no column %s", tc.table, tc.column)
			continue
		}
		if s[i].Type != tc.want {
			t.Errorf("%s.%s is %v, want %v", tc.table, tc.column, s[i].Type, tc.want)
		}
	}

	// Kusto table names are case-sensitive.
	for _, name := range []string{"signinlogs", "SIGNINLOGS", "SigninLogs ", "", "NoSuchTable"} {
		if _, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) found a table", name)
		}
	}

	// Callers get their own copy.
	a, _ := Lookup("SigninLogs")
	a[0].Name = "Clobbered"
	b, _ := Lookup("SigninLogs")
	if b[0].Name == "Clobbered" {
		t.Error("Lookup returned shared storage")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, json string
		want       []string // substrings of the error
	}{
		{"syntax", "{\n \"Name\": \"T\",\n \"Properties\": [\n  {\"Name\": \"A\" \"Type\": \"string\"}\n ]\n}",
			[]string{"bad.json", "line 4", "invalid JSON"}},
		{"no name", `{"Properties": [{"Name": "A", "Type": "string"}]}`,
			[]string{"bad.json", "Name", "missing"}},
		{"bad table name", `{"Name": "My Table", "Properties": [{"Name": "A", "Type": "string"}]}`,
			[]string{"bad.json", "Name", `"My Table"`}},
		{"no columns", `{"Name": "T", "Properties": []}`,
			[]string{"bad.json", "Properties", "no columns"}},
		{"properties not a list", `{"Name": "T", "Properties": {"A": "string"}}`,
			[]string{"bad.json", "Properties", "line 1"}},
		{"empty column name", `{"Name": "T", "Properties": [{"Name": "A", "Type": "string"}, {"Type": "long"}]}`,
			[]string{"bad.json", "Properties[1].Name", "missing"}},
		{"duplicate column", `{"Name": "T", "Properties": [{"Name": "A", "Type": "string"}, {"Name": "A", "Type": "long"}]}`,
			[]string{"bad.json", "Properties[1].Name", `duplicate column "A"`, "Properties[0]"}},
		{"unknown type", `{"Name": "T", "Properties": [{"Name": "A", "Type": "strng"}]}`,
			[]string{"bad.json", "Properties[0].Type", `"strng"`}},
		{"missing type", `{"Name": "T", "Properties": [{"Name": "A"}]}`,
			[]string{"bad.json", "Properties[0].Type", "no type"}},
		{"null type", `{"Name": "T", "Properties": [{"Name": "A", "Type": "null"}]}`,
			[]string{"bad.json", "Properties[0].Type", `"null"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse([]byte(tc.json), "bad.json")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestParseAliases(t *testing.T) {
	// Workspace files may carry .NET or alias spellings, as exported schemas do.
	src := `{"Name": "T_CL", "Properties": [
		{"Name": "a", "Type": "System.String"}, {"Name": "b", "Type": "Int64"},
		{"Name": "c", "Type": "double"}, {"Name": "d", "Type": "boolean"},
		{"Name": "e", "Type": "DateTime"}, {"Name": "f", "Type": "uniqueid"}]}`
	name, s, err := Parse([]byte(src), "t.json")
	if err != nil {
		t.Fatal(err)
	}
	want := types.Schema{col("a", types.String), col("b", types.Long), col("c", types.Real),
		col("d", types.Bool), col("e", types.DateTime), col("f", types.GUID)}
	if name != "T_CL" || !slices.Equal(s, want) {
		t.Errorf("got %s %v, want T_CL %v", name, s, want)
	}
}

func col(name string, t types.Type) types.Column { return types.Column{Name: name, Type: t} }

func writeFile(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "Alpha.json", `{"Name": "Alpha", "Properties": [{"Name": "TimeGenerated", "Type": "datetime"}, {"Name": "N", "Type": "long"}]}`)
	writeFile(t, dir, "Beta.schema.json", `{"Name": "Beta", "Source": "test", "Properties": [{"Name": "X", "Type": "dynamic"}]}`)
	writeFile(t, dir, "notes.txt", "not a schema")
	if err := os.Mkdir(filepath.Join(dir, "sub.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]types.Schema{
		"Alpha": {col("TimeGenerated", types.DateTime), col("N", types.Long)},
		"Beta":  {col("X", types.Dynamic)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d tables %v, want %d", len(got), got, len(want))
	}
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Errorf("%s: got %v, want %v", k, got[k], w)
		}
	}

	t.Run("broken file", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "Good.json", `{"Name": "Good", "Properties": [{"Name": "A", "Type": "string"}]}`)
		writeFile(t, dir, "Broken.json", `{"Name": "Broken", "Properties": [{"Name": "A", "Type": "text"}]}`)
		_, err := Load(dir)
		if err == nil {
			t.Fatal("no error")
		}
		for _, w := range []string{filepath.Join(dir, "Broken.json"), "Properties[0].Type", `"text"`} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not mention %q", err, w)
			}
		}
	})
	t.Run("same table twice", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "a.json", `{"Name": "T", "Properties": [{"Name": "A", "Type": "string"}]}`)
		writeFile(t, dir, "b.json", `{"Name": "T", "Properties": [{"Name": "B", "Type": "string"}]}`)
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), "b.json") || !strings.Contains(err.Error(), "a.json") {
			t.Errorf("want an error naming both files, got %v", err)
		}
	})
	t.Run("missing dir", func(t *testing.T) {
		_, err := Load(filepath.Join(dir, "nope"))
		if err == nil || !strings.Contains(err.Error(), "nope") {
			t.Errorf("want an error naming the folder, got %v", err)
		}
	})
}

// TestReadmeListsTables keeps data/README.md's table list in step with the data.
func TestReadmeListsTables(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("data", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range Names() {
		if !strings.Contains(string(b), n) {
			t.Errorf("data/README.md does not list %s", n)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	Names() // parse the embedded data outside the timed loop
	for b.Loop() {
		if _, ok := Lookup("DeviceProcessEvents"); !ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkParseEmbedded(b *testing.B) {
	data, err := dataFS.ReadFile("data/SecurityEvent.json")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := Parse(data, "SecurityEvent.json"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMergedTablesCarrySentinelColumns checks the merge rule of data/README.md:
// a Defender XDR table merged with its Azure Monitor (Sentinel) page answers
// both spellings of its time column and carries the standard Log Analytics
// columns, so hunting queries written for either portal bind.
func TestMergedTablesCarrySentinelColumns(t *testing.T) {
	merged := 0
	for _, name := range Names() {
		b, err := dataFS.ReadFile("data/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var f File
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(f.Source, "Defender XDR") || !strings.Contains(f.Source, "Azure Monitor Logs reference") {
			continue
		}
		merged++
		s, _ := Lookup(name)
		for _, c := range []types.Column{
			{Name: "TimeGenerated", Type: types.DateTime},
			{Name: "TenantId", Type: types.String},
			{Name: "Type", Type: types.String},
		} {
			if i := s.Index(c.Name); i < 0 || s[i].Type != c.Type {
				t.Errorf("%s: merged with Azure Monitor but has no %s %v", name, c.Name, c.Type)
			}
		}
		// Defender event tables have Timestamp; only the timeless
		// families (snapshots, knowledge bases) may lack it.
		if s.Index("Timestamp") < 0 && !timeless(name) {
			t.Errorf("%s: merged Defender XDR table has no Timestamp", name)
		}
	}
	if merged < 20 {
		t.Errorf("only %d merged Defender XDR tables found; did the Source wording change?", merged)
	}
}
