package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/providers/sentinel/sentineltest"
	"github.com/huntbook/huntbook/sampledata"
)

func TestQueryCommand(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "ws")
	if err := sampledata.WriteWorkspace(ws, sampledata.Config{Users: 20, Days: 7, End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"--workspace", ws, "--format", "csv", "print a = 1, b = 'x'"}, 0, "a,b\n1,x\n", ""},
		{[]string{"--workspace", ws, "--format", "json", "print a = 1"}, 0, `{"a":1}`, ""},
		{[]string{"--workspace", ws, "print a = 1; print b = 2"}, 0, "b", ""},
		{[]string{"--workspace", ws, "--stats", "SigninLogs | count"}, 0, "Count", "rows scanned"},
		{[]string{"--workspace", ws, "SigninLogs\n| where NoSuch == 1"}, 1, "", "line 2, column 9"},
		{[]string{"--workspace", ws, "--format", "xml", "print 1"}, 2, "", "unknown --format"},
		{[]string{"--workspace", filepath.Join(ws, "missing"), "print 1"}, 1, "", "data path"},
		{[]string{"--workspace", ws, "--format", "csv", "--template", "SigninLogs.failed_signins_by_user"}, 0, "UserPrincipalName,FailedCount", ""},
		{[]string{"--workspace", ws, "--template", "no.such.template"}, 2, "", `no query named "no.such.template"`},
		{[]string{"--workspace", ws, "-p", "a=1", "print 1"}, 2, "", "-p goes with --template"},
		{[]string{"--workspace", ws, "--plot", filepath.Join(ws, "c.txt"), "print a=1 | render barchart"}, 1, "", "want a .png or .svg"},
		{[]string{"--workspace", ws, "--plot", filepath.Join(ws, "c.png"), "print a=1"}, 1, "", "no render operator"},
		// Flags after the query, as users type them.
		{[]string{"print a = 1, b = 'x'", "--workspace", ws, "--format", "csv"}, 0, "a,b\n1,x\n", ""},
		{[]string{"--workspace", ws, "--", "print a = 2"}, 0, "2", ""},
		{[]string{"--workspace", ws, "print 1", "print 2"}, 2, "", "one QUERY, got 2 arguments"},
		{[]string{"--workspace", ws, "--provider", "defender", "print 1"}, 2, "", `--workspace is for the embedded engine; provider "defender" has its own data`},
		{[]string{"--workspace", ws, "--provider", "local", "print 1"}, 0, "1", ""},
		{[]string{"--workspace", ws, "--template", "SigninLogs.failed_signins_by_user", "print 1"}, 2, "", "not both"},
	}
	for _, tc := range tests {
		var out, errb strings.Builder
		code := run(append([]string{"query"}, tc.args...), &out, &errb)
		if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("query %q = %d\nstdout %q\nstderr %q\nwant %d, %q, %q", tc.args, code, out.String(), errb.String(), tc.code, tc.out, tc.err)
		}
	}
}

// Table output ends with a newline, so the shell prompt and the next
// statement's table start on a line of their own.
func TestQueryTableEndsLines(t *testing.T) {
	var out, errb strings.Builder
	if code := run([]string{"query", "print a = 1; print b = 2"}, &out, &errb); code != 0 {
		t.Fatalf("code %d: %s", code, errb.String())
	}
	s := out.String()
	if !strings.HasSuffix(s, ")\n") {
		t.Errorf("output does not end with the footer and a newline: %q", s)
	}
	if !strings.Contains(s, ")\n\nb\n") {
		t.Errorf("second result does not start on its own line: %q", s)
	}
}

func TestQueryPlot(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{"png", "svg"} {
		p := filepath.Join(dir, "c."+ext)
		var out, errb strings.Builder
		q := "range h from 0 to 23 step 1 | extend n = h * h | render columnchart with (title='squares')"
		if code := run([]string{"query", "--plot", p, q}, &out, &errb); code != 0 {
			t.Fatalf("%s: %d %s", ext, code, errb.String())
		}
		b, err := os.ReadFile(p)
		if err != nil || len(b) < 1000 {
			t.Fatalf("%s: %d bytes, %v", ext, len(b), err)
		}
		if ext == "png" && string(b[1:4]) != "PNG" || ext == "svg" && !strings.Contains(string(b), "<svg") {
			t.Errorf("%s: wrong format", ext)
		}
	}
}

// huntbook query --provider picks a workspace from msticpyconfig.yaml, and
// --endpoint/--token-env point it at a (here local) Log Analytics API.
func TestQueryCommandOnSentinel(t *testing.T) {
	tbl := table.New("T", nil)
	srv := sentineltest.NewServer(map[string]*table.Table{"T": tbl}, time.Time{})
	defer srv.Close()
	dir := t.TempDir()
	conf := "AzureSentinel:\n  Workspaces:\n    Default:\n      WorkspaceId: " + srv.WorkspaceID + "\n      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47\n"
	if err := os.WriteFile(filepath.Join(dir, "msticpyconfig.yaml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MSTICPYCONFIG", filepath.Join(dir, "msticpyconfig.yaml"))
	t.Setenv("HB_TOKEN", srv.Token)
	var out, errb strings.Builder
	code := run([]string{"query", "--provider", "Default", "--endpoint", srv.Endpoint(), "--token-env", "HB_TOKEN", "--format", "csv", "print x = 40 + 2"}, &out, &errb)
	if code != 0 || out.String() != "x\n42\n" {
		t.Fatalf("code %d, out %q, err %q", code, out.String(), errb.String())
	}
	if strings.Contains(errb.String(), srv.Token) {
		t.Error("token leaked to stderr")
	}
}

// geo_info_from_ip_address reads $HUNTBOOK_GEOIP, else MSTICPy's GeoIPLite
// DBFolder, else the workspace's own database.
func TestQueryGeoIPDatabase(t *testing.T) {
	root := t.TempDir()
	mk := func(rel, body string) string {
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
	const header = "network,country,state,city,latitude,longitude\n"
	mk("ws/Hosts.csv", "IP\n73.53.1.2\n")
	mk("ws/geoip.csv", header+"73.53.0.0/16,United States,Washington,Seattle,47.61,-122.33\n")
	env := mk("env/geoip.csv", header+"73.53.0.0/16,United States,Washington,Tacoma,47.25,-122.44\n")
	mk("msticpy/GeoLite/geoip.csv", header+"73.53.0.0/16,United States,Washington,Redmond,47.67,-122.12\n")
	conf := mk("msticpy/msticpyconfig.yaml", "OtherProviders:\n  GeoIPLite:\n    Args:\n      DBFolder: "+filepath.Join(root, "msticpy", "GeoLite")+"\n    Provider: GeoLiteLookup\n")
	empty := mk("empty/msticpyconfig.yaml", "OtherProviders:\n  GeoIPLite:\n    Args:\n      DBFolder: "+filepath.Join(root, "not-downloaded")+"\n    Provider: GeoLiteLookup\n")
	tests := []struct{ name, geoEnv, config, want string }{
		{"the workspace's", "", "", "Seattle"},
		{"HUNTBOOK_GEOIP", env, conf, "Tacoma"},
		{"msticpyconfig's GeoIPLite", "", conf, "Redmond"},
		{"a DBFolder not downloaded yet", "", empty, "Seattle"},
	}
	for _, tc := range tests {
		t.Setenv("HUNTBOOK_GEOIP", tc.geoEnv)
		t.Setenv("MSTICPYCONFIG", tc.config)
		var out, errb strings.Builder
		code := run([]string{"query", "--workspace", filepath.Join(root, "ws"), "--format", "csv",
			"Hosts | project City = tostring(geo_info_from_ip_address(IP).city)"}, &out, &errb)
		if code != 0 || out.String() != "City\n"+tc.want+"\n" {
			t.Errorf("%s: code %d, out %q, err %q", tc.name, code, out.String(), errb.String())
		}
	}
}
