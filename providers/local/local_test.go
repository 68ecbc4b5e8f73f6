package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/sampledata"
)

// tenant writes a small sample tenant once per test binary.
func tenant(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tenant")
	cfg := sampledata.Config{Users: 40, Days: 7, Seed: 7, End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	if err := sampledata.WriteWorkspace(dir, cfg); err != nil {
		t.Fatal(err)
	}
	return dir
}

func run(t *testing.T, s providers.Session, q string, opts providers.QueryOptions) []*providers.Result {
	t.Helper()
	res, err := s.Run(context.Background(), q, opts)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res
}

func TestSessionOnWorkspace(t *testing.T) {
	dir := tenant(t)
	p, err := New("", []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := p.NewSession()
	ctx := context.Background()

	// The count through KQL equals the rows the workspace loads.
	if err := p.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	tbl, _, err := p.spaces[0].Load(ctx, "SigninLogs")
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, s, "SigninLogs | count", providers.QueryOptions{})
	if got := res[0].Table.Columns[0].Ints[0]; got != int64(tbl.Rows()) || got == 0 {
		t.Fatalf("count = %d, want %d (non-zero)", got, tbl.Rows())
	}

	// let bindings and named results persist between runs, as notebook cells.
	run(t, s, "let fails = SigninLogs | where ResultType != '0'", providers.QueryOptions{})
	res = run(t, s, "fails | summarize n=count() by UserPrincipalName | as FailUsers", providers.QueryOptions{})
	if res[0].Name != "FailUsers" {
		t.Fatalf("name = %q", res[0].Name)
	}
	res = run(t, s, "FailUsers | count", providers.QueryOptions{})
	if got := res[0].Table.Columns[0].Ints[0]; got == 0 {
		t.Fatal("named result not queryable")
	}

	tables, err := p.Tables(ctx)
	if err != nil || len(tables) < 10 {
		t.Fatalf("tables = %d, %v", len(tables), err)
	}
	// Row counts: a loaded table's from its load, the others' from what
	// the generated tenant's workspace.json records.
	for _, ti := range tables {
		switch ti.Name {
		case "SigninLogs":
			if ti.Rows != tbl.Rows() {
				t.Errorf("SigninLogs rows = %d, want %d", ti.Rows, tbl.Rows())
			}
		case "AuditLogs":
			audit, _, err := p.spaces[0].Load(ctx, "AuditLogs")
			if err != nil {
				t.Fatal(err)
			}
			if ti.Rows != audit.Rows() || ti.Rows <= 0 {
				t.Errorf("AuditLogs rows before loading = %d, want %d", ti.Rows, audit.Rows())
			}
		}
	}
}

// A folder of one's own exports records no row counts: unknown until loaded.
func TestTablesRowsUnknownUntilLoaded(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Mine.csv"), []byte("a,b\n1,x\n2,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := New("", []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rows := func() int {
		tables, err := p.Tables(ctx)
		if err != nil || len(tables) != 1 {
			t.Fatalf("tables = %v, %v", tables, err)
		}
		return tables[0].Rows
	}
	if n := rows(); n != -1 {
		t.Errorf("rows before loading = %d, want -1 (unknown)", n)
	}
	run(t, p.NewSession(), "Mine | count", providers.QueryOptions{})
	if n := rows(); n != 2 {
		t.Errorf("rows after loading = %d, want 2", n)
	}
}

func TestParametersCannotChangeQueryShape(t *testing.T) {
	p, err := New("", []string{tenant(t)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := p.NewSession()
	hostile := []string{
		`x" | count; print "pwned`,
		`\" or 1==1 //`,
		"line1\nline2 | take 1",
		`'; datatable(a:int)[1] | project a`,
		"@\"verbatim\"",
	}
	for _, h := range hostile {
		res := run(t, s, "print v = who", providers.QueryOptions{Params: map[string]types.Value{"who": types.NewString(h)}})
		if len(res) != 1 || res[0].Table.Rows() != 1 {
			t.Fatalf("%q: shape changed: %d results", h, len(res))
		}
		if got := res[0].Table.Columns[0].Strs[0]; got != h {
			t.Errorf("param %q came back as %q", h, got)
		}
	}
}

func TestErrorsCarryPositions(t *testing.T) {
	p, err := New("", []string{tenant(t)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.NewSession().Run(context.Background(), "SigninLogs\n| where", providers.QueryOptions{})
	var qe *providers.QueryError
	if !errors.As(err, &qe) || qe.Line != 2 {
		t.Fatalf("err = %#v, want a QueryError on line 2", err)
	}
}

func TestMissingFolder(t *testing.T) {
	_, err := New("x", []string{filepath.Join(t.TempDir(), "nope")}, Options{})
	if err == nil || !os.IsNotExist(errors.Unwrap(errors.Unwrap(err))) && err.Error() == "" {
		t.Fatalf("err = %v", err)
	}
}

// A folder written by the sample generator keeps its clock at the data's end,
// so ago() windows find the data; the test tenant ended in 2026-11-01.
func TestGeneratedFolderPinsNow(t *testing.T) {
	p, err := New("", []string{tenant(t)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := run(t, p.NewSession(), "print now()", providers.QueryOptions{})
	if got := res[0].Table.Columns[0].Value(0).String(); got != "2026-11-01T00:00:00Z" {
		t.Fatalf("now() = %s", got)
	}
	res = run(t, p.NewSession(), "SigninLogs | where TimeGenerated > ago(1d) | count", providers.QueryOptions{})
	if res[0].Table.Columns[0].Ints[0] == 0 {
		t.Fatal("ago(1d) found nothing in a generated tenant")
	}
}

// workspace.json "clock" decides whether now() stops where the data ends:
// "end" (what huntbook import writes) stops it for an export, "real" keeps
// the real clock even for a generated tenant, and an export without it
// keeps the real clock.
func TestClockSetting(t *testing.T) {
	tests := []struct {
		name, settings string
		pinned         bool
	}{
		{"import", `{"end": "2026-03-02T11:50:02Z", "clock": "end"}`, true},
		{"export with an end only", `{"end": "2026-03-02T11:50:02Z"}`, false},
		{"generated, clock real", `{"end": "2026-03-02T11:50:02Z", "generator": "huntbook sample", "clock": "real"}`, false},
		{"generated", `{"end": "2026-03-02T11:50:02Z", "generator": "huntbook sample"}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range map[string]string{"workspace.json": tc.settings, "T.csv": "A\n1\n"} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p, err := New("", []string{dir}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			res := run(t, p.NewSession(), "print now()", providers.QueryOptions{})
			got := res[0].Table.Columns[0].Value(0).String()
			if pinned := got == "2026-03-02T11:50:02Z"; pinned != tc.pinned {
				t.Fatalf("now() = %s, pinned %v, want %v", got, pinned, tc.pinned)
			}
			if says := strings.Contains(p.Describe(), "now() is 2026-03-02T11:50:02Z, where the data ends"); says != tc.pinned {
				t.Errorf("Describe() = %q", p.Describe())
			}
		})
	}
}

// The default sample tenant ends at the current hour, so each hour of use
// writes a new one: older ones of the same configuration are pruned, others
// are left alone.
func TestPruneSamples(t *testing.T) {
	dir := t.TempDir()
	names := []string{
		"sample--u0-d0-s0-x0-20261123T10", "sample--u0-d0-s0-x0-20261123T11", "sample--u0-d0-s0-x0-20261123T12",
		"sample--u0-d0-s0-x0-20261123T09-nostories", // another configuration
		"sample--u0-d0-s7-x0-20261123T09",           // another seed
		"sample--u0-d0-s0-x0-20261123T13.tmp123",    // being written
	}
	old := time.Now().Add(-2 * pruneAge)
	for _, n := range names {
		if err := os.Mkdir(filepath.Join(dir, n), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(dir, n), old, old); err != nil {
			t.Fatal(err)
		}
	}
	// Just written by another process with a pinned, earlier end: spared.
	if err := os.Mkdir(filepath.Join(dir, "sample--u0-d0-s0-x0-20261123T00"), 0o755); err != nil {
		t.Fatal(err)
	}
	pruneSamples(dir, "sample--u0-d0-s0-x0-", "", 2)
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := []string{
		"sample--u0-d0-s0-x0-20261123T00",
		"sample--u0-d0-s0-x0-20261123T09-nostories", "sample--u0-d0-s0-x0-20261123T11", "sample--u0-d0-s0-x0-20261123T12",
		"sample--u0-d0-s0-x0-20261123T13.tmp123", "sample--u0-d0-s7-x0-20261123T09",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("left:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Engine errors about unknown names carry the binder's suggestion.
func TestUnknownNamesGetSuggestions(t *testing.T) {
	p, err := New("", []string{tenant(t)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ q, want string }{
		{"SigninLogs | where UserPrincipalNam == 'x'", "did you mean 'UserPrincipalName'?"},
		{"SigninLog | take 1", "did you mean 'SigninLogs'?"},
	}
	for _, tc := range tests {
		_, err := p.NewSession().Run(context.Background(), tc.q, providers.QueryOptions{})
		var qe *providers.QueryError
		if !errors.As(err, &qe) || !strings.HasSuffix(qe.Msg, tc.want) || qe.Line != 1 {
			t.Errorf("%s: err = %v, want it to end with %q", tc.q, err, tc.want)
		}
	}
}

// workspace("name").T reaches another open workspace, by its folder's name;
// references to other services fail saying what they need.
func TestCrossWorkspaceReferences(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "contoso/SigninLogs.csv", "UserPrincipalName,ResultType\nalice@contoso.com,0\nbob@contoso.com,50126\n")
	writeFile(t, root, "fabrikam/SigninLogs.csv", "UserPrincipalName,ResultType\ncarol@fabrikam.com,0\n")
	p, err := New("", []string{filepath.Join(root, "contoso"), filepath.Join(root, "fabrikam")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := p.NewSession()
	tests := []struct{ q, want, err string }{
		{`SigninLogs | count`, "2", ""}, // the first workspace's
		{`workspace("fabrikam").SigninLogs | project UserPrincipalName`, "carol@fabrikam.com", ""},
		{`workspace("FABRIKAM").SigninLogs | count`, "1", ""},
		{`union SigninLogs, workspace("fabrikam").SigninLogs | count`, "3", ""},
		{`workspace("nowhere").SigninLogs`, "", `no workspace named "nowhere" is open (open: contoso, fabrikam)`},
		{`workspace("fabrikam").AuditLogs`, "", `workspace "fabrikam" has no table "AuditLogs"`},
		{`arg("").Resources | count`, "", "not supported offline: arg() queries Azure Resource Graph"},
		{`app("web").requests | count`, "", "not supported offline: app() queries an Application Insights resource"},
	}
	for _, tc := range tests {
		res, err := s.Run(context.Background(), tc.q, providers.QueryOptions{})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.q, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.q, err)
			continue
		}
		if got := res[0].Table.Columns[0].Value(0).String(); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.q, got, tc.want)
		}
	}
}

// geo_info_from_ip_address reads the GeoIP database a workspace holds, or
// the one Options.GeoIP names (a file or a folder).
func TestGeoIPDatabase(t *testing.T) {
	root := t.TempDir()
	mk := func(rel, body string) string { return writeFile(t, root, rel, body) }
	mk("ws/SigninLogs.csv", "IPAddress\n73.53.1.2\n8.8.8.8\n")
	mk("ws/geoip.csv", "network,country,state,city,latitude,longitude\n73.53.0.0/16,United States,Washington,Seattle,47.61,-122.33\n")
	mk("other/dbip-city-lite-2026-11.csv", "8.8.8.0,8.8.8.255,NA,US,California,\"Mountain View\",37.42,-122.08\n")
	mk("bad/geoip.csv", "network,country,state,city,latitude,longitude\n73.53.0.0/16,US,WA,Seattle,north,-122.33\n")
	const q = `SigninLogs | extend g = geo_info_from_ip_address(IPAddress) | project IPAddress, City = tostring(g.city), Country = tostring(g.country)`
	tests := []struct {
		name, geo string
		want      []string // City per row
		err       string
	}{
		{"the workspace's own", "", []string{"Seattle", ""}, ""},
		{"a folder named in the options", filepath.Join(root, "other"), []string{"", "Mountain View"}, ""},
		{"a file named in the options", filepath.Join(root, "other", "dbip-city-lite-2026-11.csv"), []string{"", "Mountain View"}, ""},
		{"a bad database", filepath.Join(root, "bad"), nil, "geoip.csv:2: latitude \"north\" is not a number"},
		{"a folder without one", filepath.Join(root, "empty"), nil, "holds no database"},
		{"a path that is not there", filepath.Join(root, "missing.mmdb"), nil, "missing.mmdb: no such file"},
	}
	if err := os.MkdirAll(filepath.Join(root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		p, err := New("", []string{filepath.Join(root, "ws")}, Options{GeoIP: tc.geo})
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.NewSession().Run(context.Background(), q, providers.QueryOptions{})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		city := res[0].Table.Column("City")
		for i, want := range tc.want {
			if got := city.Strs[i]; got != want {
				t.Errorf("%s: row %d city = %q, want %q", tc.name, i, got, want)
			}
		}
		if tc.geo == "" && p.GeoIP() != filepath.Join(root, "ws", "geoip.csv") {
			t.Errorf("GeoIP() = %q", p.GeoIP())
		}
		if !strings.HasSuffix(p.Describe(), "; GeoIP "+p.GeoIP()) {
			t.Errorf("Describe() = %q does not name the GeoIP database", p.Describe())
		}
		p.Close()
	}
}

// A cached sample tenant written by an older generator is written again.
func TestSampleDirRewritesOlderTenants(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	cfg := sampledata.Config{Users: 20, Days: 7, Seed: 3, End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	dir, err := SampleDir(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if v := sampledata.WrittenVersion(dir); v != sampledata.Version {
		t.Fatalf("version %d, want %d", v, sampledata.Version)
	}
	// What an older huntbook left: no version recorded, no GeoIP database.
	info := filepath.Join(dir, "workspace.json")
	b, err := os.ReadFile(info)
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(string(b), fmt.Sprintf(`"generatorVersion": %d,`, sampledata.Version), "", 1)
	if old == string(b) {
		t.Fatal("workspace.json does not record the generator version")
	}
	if err := os.WriteFile(info, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "geoip")); err != nil {
		t.Fatal(err)
	}
	again, err := SampleDir(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if again != dir || sampledata.WrittenVersion(dir) != sampledata.Version {
		t.Fatalf("second SampleDir = %s (version %d), want %s rewritten", again, sampledata.WrittenVersion(dir), dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "geoip", "geoip.csv")); err != nil {
		t.Errorf("rewritten tenant: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("cache holds %d entries, want only the tenant", len(entries))
	}
}

// writeFile writes body to root/rel, making its folders.
func writeFile(t *testing.T, root, rel, body string) string {
	t.Helper()
	p := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A portal export's readings the file does not state (the zone of local
// times) reach the analyst as a warning with the first query that loads the
// table, once a session, and bad values as a warning naming the line.
func TestExportNotesAreWarnings(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"workspace.json": `{"timeZone": "Europe/Paris"}`,
		"SigninLogs.csv": "\"TimeGenerated [Local Time]\",UserPrincipalName\n\"25/02/2026 10:00:00.000\",a@contoso.com\nnot a date,b@contoso.com\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := New("", []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := p.NewSession()
	res := run(t, s, "SigninLogs | where isnotnull(TimeGenerated) | project TimeGenerated", providers.QueryOptions{})
	if got := types.TicksToTime(res[0].Table.Columns[0].Ints[0]); !got.Equal(time.Date(2026, 2, 25, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("TimeGenerated = %v, want 09:00 UTC (10:00 in Paris)", got)
	}
	all := strings.Join(res[0].Warnings, "\n")
	for _, want := range []string{"dates read day-first", "read as Europe/Paris (workspace.json timeZone)", "SigninLogs.csv:3: column TimeGenerated: cannot convert"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	if again := run(t, s, "SigninLogs | count", providers.QueryOptions{}); len(again[0].Warnings) != 0 {
		t.Errorf("warnings repeated: %q", again[0].Warnings)
	}
}

// A Sentinel table the export left out is named as such, with where it
// was looked for; any other name stays plainly unknown.
func TestMissingSentinelTable(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "SigninLogs.csv"), []byte("UserPrincipalName\na@contoso.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := New("", []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ query, want string }{
		{"OfficeActivity | take 1", `unknown table "OfficeActivity": no file for it in ` + dir + ` (OfficeActivity.csv, .jsonl, .json or .parquet); export it there, or go on without it (%optional TABLE in a notebook, union isfuzzy=true in a query)`},
		{"NoSuchTable | take 1", `unknown table "NoSuchTable"`},
	}
	for _, tc := range tests {
		_, err := p.NewSession().Run(context.Background(), tc.query, providers.QueryOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want ...%s", tc.query, err, tc.want)
		}
	}
	res := run(t, p.NewSession(), "union isfuzzy=true OfficeActivity, SigninLogs | count", providers.QueryOptions{})
	if got := res[0].Table.Columns[0].Ints[0]; got != 1 {
		t.Errorf("union isfuzzy count = %d, want 1", got)
	}
}

// A table declared optional that no workspace has reads as empty, with
// its built-in schema and a warning; other missing tables still fail.
func TestOptionalTables(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "SigninLogs.csv"), []byte("UserPrincipalName,IPAddress\na@contoso.com,10.0.0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := New("", []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := p.NewSession()
	opts := providers.QueryOptions{Optional: []string{"OfficeActivity", "SigninLogs", "NotATable"}}
	q := "SigninLogs | join kind=leftouter (OfficeActivity | project UserPrincipalName = tolower(UserId), Operation) on UserPrincipalName | project UserPrincipalName, Operation"
	res := run(t, s, q, opts)
	if res[0].Table.Rows() != 1 {
		t.Fatalf("rows = %d", res[0].Table.Rows())
	}
	if w := strings.Join(res[0].Warnings, "\n"); !strings.Contains(w, "OfficeActivity is not in "+dir+": read as an empty table (%optional)") {
		t.Errorf("warnings = %q", res[0].Warnings)
	}
	if _, err := s.Run(context.Background(), "NotATable | take 1", opts); err == nil || !strings.Contains(err.Error(), `unknown table "NotATable"`) {
		t.Errorf("an optional name with no known schema: err = %v", err)
	}
	// Without the declaration the table is missing again.
	if _, err := s.Run(context.Background(), "OfficeActivity | take 1", providers.QueryOptions{}); err == nil {
		t.Error("OfficeActivity served without being declared optional")
	}
}
