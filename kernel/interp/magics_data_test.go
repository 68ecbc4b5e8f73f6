package interp

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
	"github.com/huntbook/huntbook/providers"
	_ "github.com/huntbook/huntbook/providers/local" // registers "local"
)

// testWorkspace writes a small workspace folder: an Events table of four
// sign-in events and a Hosts table, with data ending 2024-03-10.
func testWorkspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"workspace.json": `{"name": "test", "end": "2024-03-10T00:00:00Z"}`,
		"Events.csv": "TimeGenerated,Account,EventID,Success\n" +
			"2024-03-01T10:00:00Z,alice,4624,true\n" +
			"2024-03-05T11:00:00Z,bob,4625,false\n" +
			"2024-03-09T12:00:00Z,alice,4625,false\n" +
			"2024-03-09T23:00:00Z,carol,4624,true\n",
		"Hosts.csv": "Computer,OS\nWS01,Windows\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// connected returns an interpreter connected to the test workspace.
func connected(t *testing.T) (*Interpreter, string) {
	t.Helper()
	dir := testWorkspace(t)
	in := New(nil)
	rec, reply := run(t, in, "%connect local "+dir)
	if reply.Err != nil {
		t.Fatalf("%%connect: %v", reply.Err)
	}
	if !strings.Contains(rec.text(), "Connected to local (local): embedded KQL engine on "+dir) {
		t.Fatalf("%%connect printed %q", rec.text())
	}
	return in, dir
}

// mustRun runs code and fails the test on an error reply.
func mustRun(t *testing.T, in *Interpreter, code string) *recorder {
	t.Helper()
	rec, reply := run(t, in, code)
	if reply.Err != nil {
		t.Fatalf("%q: %s: %s", code, reply.Err.Name, reply.Err.Value)
	}
	return rec
}

// resultText is the text/plain of the cell's execute_result.
func resultText(t *testing.T, rec *recorder) string {
	t.Helper()
	for _, e := range rec.events {
		if e.kind == "result" {
			s, _ := e.data["text/plain"].(string)
			return s
		}
	}
	t.Fatalf("no result in %s", rec.kinds())
	return ""
}

func TestConnectAndQuery(t *testing.T) {
	in, _ := connected(t)
	rec := mustRun(t, in, "Events | where EventID == 4625 | count")
	if got := resultText(t, rec); got != "2" {
		t.Errorf("count = %q, want 2", got)
	}
	// let statements persist in the session from cell to cell.
	mustRun(t, in, "let failed = Events | where not(Success);")
	if got := resultText(t, mustRun(t, in, "failed | summarize dcount(Account)")); got != "2" {
		t.Errorf("dcount = %q, want 2", got)
	}
	// Reconnecting starts a fresh session: the let is gone.
	mustRun(t, in, "%connect local "+testWorkspace(t))
	_, reply := run(t, in, "failed | count")
	if reply.Err == nil || reply.Err.Name != "KQLError" {
		t.Errorf("let survived %%connect: %+v", reply.Err)
	}
}

func TestConnectErrors(t *testing.T) {
	dir := testWorkspace(t)
	tests := []struct {
		args, ename, want string
	}{
		{"", "MagicError", "which provider?"},
		{"local --nope", "MagicError", "unknown option --nope"},
		{"local --endpoint", "MagicError", "--endpoint needs a value"},
		{"Default --endpoint notaurl", "MagicError", `--endpoint "notaurl" is not an absolute URL`},
		{"Default " + dir, "MagicError", "folders are for the local provider only"},
		{"local " + filepath.Join(dir, "missing"), "MagicError", "missing: no such file or directory"},
		{"local " + filepath.Join(dir, "Events.csv"), "MagicError", "is not a folder"},
		{"Elsewhere", "MagicError", `unknown provider "Elsewhere"`},
		{`local "unclosed`, "MagicError", "unclosed \" quote"},
	}
	for _, tc := range tests {
		in := New(nil)
		_, reply := run(t, in, "%connect "+tc.args)
		if reply.Err == nil || reply.Err.Name != tc.ename || !strings.Contains(reply.Err.Value, tc.want) {
			t.Errorf("%%connect %s: got %+v, want %s containing %q", tc.args, reply.Err, tc.ename, tc.want)
		}
		if in.Engine() != nil {
			t.Errorf("%%connect %s: a failed connect set an engine", tc.args)
		}
	}
}

func TestOpenProviderHook(t *testing.T) {
	dir := testWorkspace(t)
	in := New(nil)
	var gotName string
	var gotOverrides map[string]string
	in.OpenProvider = func(name string, dirs []string, overrides map[string]string) (providers.Provider, error) {
		gotName, gotOverrides = name, overrides
		return providers.Open("local", name, map[string]string{"data_paths": dir})
	}
	mustRun(t, in, "%connect Hunt --endpoint https://example.test/x --auth cli --token-env=TOK")
	want := map[string]string{"endpoint": "https://example.test/x", "auth": "cli", "token_env": "TOK"}
	if gotName != "Hunt" || len(gotOverrides) != 3 || gotOverrides["endpoint"] != want["endpoint"] || gotOverrides["auth"] != "cli" || gotOverrides["token_env"] != "TOK" {
		t.Errorf("hook got %q %v, want Hunt %v", gotName, gotOverrides, want)
	}
	if got := resultText(t, mustRun(t, in, "Hosts | count")); got != "1" {
		t.Errorf("count = %q", got)
	}
}

func TestTablesAndSchema(t *testing.T) {
	in, _ := connected(t)
	rec := mustRun(t, in, "%tables")
	text := resultText(t, rec)
	for _, want := range []string{"Events", "Hosts", "2 tables in local"} {
		if !strings.Contains(text, want) {
			t.Errorf("%%tables text lacks %q:\n%s", want, text)
		}
	}
	if got := resultText(t, mustRun(t, in, "%tables ost")); !strings.Contains(got, "Hosts") || strings.Contains(got, "Events") {
		t.Errorf("%%tables ost = %q", got)
	}
	if got := mustRun(t, in, "%tables Nothing").text(); !strings.Contains(got, `No table of local matches "Nothing"`) {
		t.Errorf("%%tables Nothing = %q", got)
	}

	rec = mustRun(t, in, "%schema events") // case-insensitive fallback
	text = resultText(t, rec)
	for _, want := range []string{"table Events", "TimeGenerated  datetime", "EventID        long", "Success        bool"} {
		if !strings.Contains(text, want) {
			t.Errorf("%%schema text lacks %q:\n%s", want, text)
		}
	}
	js := rec.events[len(rec.events)-1].data["application/json"].(map[string]any)
	if js["row_count"] != 4 {
		t.Errorf("%%schema json row_count = %v, want 4 columns", js["row_count"])
	}
	_, reply := run(t, in, "%schema Evnts")
	if reply.Err == nil || !strings.Contains(reply.Err.Value, `no table "Evnts" in local; did you mean Events?`) {
		t.Errorf("%%schema Evnts: %+v", reply.Err)
	}
	_, reply = run(t, in, "%schema")
	if reply.Err == nil || !strings.Contains(reply.Err.Value, "give one TABLE name") {
		t.Errorf("%%schema with no table: %+v", reply.Err)
	}
}

func TestTablesWithoutProvider(t *testing.T) {
	for _, m := range []string{"%tables", "%schema T", "%set x = 1", "%timerange last 1d"} {
		_, reply := run(t, New(nil), m)
		if reply.Err == nil || !strings.Contains(reply.Err.Value, "no provider connected: use %connect local") {
			t.Errorf("%s without a provider: %+v", m, reply.Err)
		}
	}
}

func TestParseLiteral(t *testing.T) {
	tests := []struct {
		src  string
		want types.Value
		err  string
	}{
		{"42", types.NewLong(42), ""},
		{"-42", types.NewLong(-42), ""},
		{"(7)", types.NewLong(7), ""},
		{"1.5", types.NewReal(1.5), ""},
		{"-1.5", types.NewReal(-1.5), ""},
		{"int(3)", types.NewInt(3), ""},
		{"'text'", types.NewString("text"), ""},
		{`"a\"b"`, types.NewString(`a"b`), ""},
		{"true", types.NewBool(true), ""},
		{"7d", types.NewTimeSpan(7 * 24 * 3600 * 10_000_000), ""},
		{"-1h", types.NewTimeSpan(-3600 * 10_000_000), ""},
		{"datetime(2024-01-31)", types.NewDateTime(types.TimeToTicks(mustTime(t, "2024-01-31T00:00:00Z"))), ""},
		{"guid(74be27de-1e4e-49d9-b579-fe0b331d3642)", types.NewGUID("74be27de-1e4e-49d9-b579-fe0b331d3642"), ""},
		{"long(null)", types.NullOf(types.Long), ""},
		{"", types.Value{}, "no value"},
		{"1 + 2", types.Value{}, "is not a KQL literal"},
		{"ago(1d)", types.Value{}, "is not a KQL literal"},
		{"x", types.Value{}, "is not a KQL literal"},
		{"'open", types.Value{}, "is not a KQL literal"},
		{"-'a'", types.Value{}, "a string cannot be negative"},
		{"-long(null)", types.Value{}, "cannot negate a null"},
	}
	for _, tc := range tests {
		got, err := ParseLiteral(tc.src)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseLiteral(%q) error = %v, want %q", tc.src, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseLiteral(%q): %v", tc.src, err)
			continue
		}
		if got.Type != tc.want.Type || got.Valid != tc.want.Valid || got.I != tc.want.I || got.F != tc.want.F || got.S != tc.want.S {
			t.Errorf("ParseLiteral(%q) = %#v, want %#v", tc.src, got, tc.want)
		}
	}
	// dynamic values keep their JSON.
	v, err := ParseLiteral("dynamic(['a', 2])")
	if err != nil || v.Type != types.Dynamic || v.String() != `["a",2]` {
		t.Errorf("dynamic literal = %v, %v", v, err)
	}
}

func TestSetParameters(t *testing.T) {
	in, _ := connected(t)
	rec := mustRun(t, in, "%set who = 'alice'\n%set minid = 4625")
	if got := rec.text(); got != "who: string = \"alice\"\nminid: long = 4625\n" {
		t.Errorf("%%set printed %q", got)
	}
	if got := resultText(t, mustRun(t, in, "Events | where Account == who and EventID >= minid | count")); got != "1" {
		t.Errorf("parameterised count = %q, want 1", got)
	}
	if got := mustRun(t, in, "%set").text(); got != "minid: long = 4625\nwho: string = \"alice\"\n" {
		t.Errorf("%%set list = %q", got)
	}
	mustRun(t, in, "%set --unset who")
	if _, ok := in.Engine().(*ProviderEngine).Params()["who"]; ok {
		t.Error("--unset kept the parameter")
	}
	bad := []struct{ code, want string }{
		{"%set who", "expected NAME = VALUE"},
		{"%set 1x = 2", `"1x" is not a parameter name`},
		{"%set x = ago(1d)", "x: \"ago(1d)\" is not a KQL literal"},
		{"%set x =", "x: no value"},
		{"%set --unset nope", "no query parameter nope is set"},
	}
	for _, b := range bad {
		_, reply := run(t, in, b.code)
		if reply.Err == nil || !strings.Contains(reply.Err.Value, b.want) {
			t.Errorf("%s: %+v, want %q", b.code, reply.Err, b.want)
		}
	}
}

func TestTimerange(t *testing.T) {
	in, _ := connected(t)
	// "last" ends where the workspace's data ends (2024-03-10).
	rec := mustRun(t, in, "%timerange last 2d")
	if got := rec.text(); got != "start = 2024-03-08T00:00:00Z\nend   = 2024-03-10T00:00:00Z  (2.00:00:00)\n" {
		t.Errorf("%%timerange last 2d printed %q", got)
	}
	if got := resultText(t, mustRun(t, in, "Events | where TimeGenerated between (start .. end) | count")); got != "2" {
		t.Errorf("events in the last 2 days = %q, want 2", got)
	}
	mustRun(t, in, "%timerange 2024-03-01 datetime(2024-03-06)")
	if got := resultText(t, mustRun(t, in, "Events | where TimeGenerated between (start .. end) | count")); got != "2" {
		t.Errorf("events from 1 to 6 March = %q, want 2", got)
	}
	if got := mustRun(t, in, "%timerange").text(); !strings.HasPrefix(got, "start = 2024-03-01T00:00:00Z\nend   = 2024-03-06T00:00:00Z") {
		t.Errorf("%%timerange shows %q", got)
	}
	bad := []struct{ code, want string }{
		{"%timerange last soon", `"soon" is not a positive timespan`},
		{"%timerange last -1d", `"-1d" is not a positive timespan`},
		{"%timerange 2024-03-06 2024-03-01", "END (2024-03-01T00:00:00Z) must be after START (2024-03-06T00:00:00Z)"},
		{"%timerange yesterday 2024-03-01", `START: "yesterday" is not a datetime`},
		{"%timerange 2024-03-01", "expected START END or last DURATION"},
	}
	for _, b := range bad {
		_, reply := run(t, in, b.code)
		if reply.Err == nil || !strings.Contains(reply.Err.Value, b.want) {
			t.Errorf("%s: %+v, want %q", b.code, reply.Err, b.want)
		}
	}
	mustRun(t, in, "%timerange --unset")
	if len(in.Engine().(*ProviderEngine).Params()) != 0 {
		t.Error("--unset kept start/end")
	}
}

func TestExport(t *testing.T) {
	in, _ := connected(t)
	out := t.TempDir()
	mustRun(t, in, "Events | where EventID == 4625 | project Account, EventID | as Failed")
	mustRun(t, in, "Hosts")
	for _, ext := range []string{"csv", "jsonl", "parquet"} {
		file := filepath.Join(out, "failed."+ext)
		rec := mustRun(t, in, "%export Failed "+file)
		want := "Wrote 2 rows (2 columns) to " + file + "\n"
		if ext == "csv" {
			want = "Wrote 2 rows (2 columns) to " + file + " (column types in failed.schema.json)\n"
		}
		if rec.text() != want {
			t.Errorf("%%export printed %q, want %q", rec.text(), want)
		}
		if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, %v; want rw-r--r-- like a plain file", file, st.Mode(), err)
		}
		// Read the file back through the workspace loader.
		ws := t.TempDir()
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ws, "Back."+ext), data, 0o644); err != nil {
			t.Fatal(err)
		}
		w, err := workspace.Open(ws, workspace.Options{})
		if err != nil {
			t.Fatal(err)
		}
		back, _, err := w.Load(context.Background(), "Back")
		if err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		if back.Rows() != 2 || back.Columns[0].Value(0).S != "bob" || back.Columns[1].Value(1).I != 4625 {
			t.Errorf("%s round trip: %d rows, first %v", ext, back.Rows(), back.Row(0))
		}
	}
	// _ is the last result.
	file := filepath.Join(out, "last.jsonl")
	mustRun(t, in, "%export _ "+file)
	if data, _ := os.ReadFile(file); strings.TrimSpace(string(data)) != `{"Computer":"WS01","OS":"Windows"}` {
		t.Errorf("exported _ = %q", data)
	}
	bad := []struct{ code, want string }{
		{"%export Failed " + filepath.Join(out, "x.txt"), "the extension must be .csv, .jsonl or .parquet"},
		{"%export Nope " + filepath.Join(out, "x.csv"), "no kept result named Nope (kept: _, Failed)"},
		{"%export Failed", "expected NAME FILE"},
		{"%export Failed " + filepath.Join(out, "no", "such", "dir.csv"), "the folder " + filepath.Join(out, "no", "such") + " does not exist"},
	}
	for _, b := range bad {
		_, reply := run(t, in, b.code)
		if reply.Err == nil || !strings.Contains(reply.Err.Value, b.want) {
			t.Errorf("%s: %+v, want %q", b.code, reply.Err, b.want)
		}
	}
	_, reply := run(t, New(nil), "%export _ "+filepath.Join(out, "x.csv"))
	if reply.Err == nil || !strings.Contains(reply.Err.Value, "no result to export yet") {
		t.Errorf("export before any query: %+v", reply.Err)
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestConfigMasked(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "msticpyconfig.yaml")
	cfg := `AzureSentinel:
  Workspaces:
    Default:
      WorkspaceId: "52b1ab41-869e-4138-9e40-2a4457f09bf0"
      TenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47"
TIProviders:
  OTX:
    Args:
      AuthKey: "s3cr3t-otx-key"
    Primary: True
    Provider: "OTX"
DataProviders:
  MicrosoftDefender:
    Args:
      TenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47"
`
	if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	in := New(nil)
	in.ConfigPath = file
	rec := mustRun(t, in, "%config")
	text := resultText(t, rec)
	if strings.Contains(text, "s3cr3t") || !strings.Contains(text, "********") || !strings.Contains(text, "52b1ab41-869e-4138-9e40-2a4457f09bf0") {
		t.Errorf("%%config did not mask the secret:\n%s", text)
	}
	if md := rec.events[0].data["text/markdown"].(string); !strings.HasPrefix(md, "```yaml\n") || strings.Contains(md, "s3cr3t") {
		t.Errorf("markdown form: %q", md)
	}
	if got := mustRun(t, in, "%providers").text(); !strings.Contains(got, "Default") || !strings.Contains(got, "52b1ab41") ||
		!strings.Contains(got, "MicrosoftDefender    defender  advanced hunting (DataProviders.MicrosoftDefender)") {
		t.Errorf("%%providers does not list the config's workspace and Defender entry:\n%s", got)
	}
	in.ConfigPath = filepath.Join(dir, "missing.yaml")
	_, reply := run(t, in, "%config")
	if reply.Err == nil || !strings.Contains(reply.Err.Value, "missing.yaml") {
		t.Errorf("%%config with a missing file: %+v", reply.Err)
	}
}

func TestKQLCellMagic(t *testing.T) {
	dir := testWorkspace(t)
	in := New(nil)
	in.OpenProvider = func(name string, dirs []string, overrides map[string]string) (providers.Provider, error) {
		if name != "lab" {
			return nil, os.ErrNotExist
		}
		return providers.Open("local", "lab", map[string]string{"data_paths": dir})
	}
	_, reply := run(t, in, "%%kql\nHosts")
	if reply.Err == nil || reply.Err.Name != "NoEngine" {
		t.Errorf("%%%%kql with nothing connected: %+v", reply.Err)
	}
	if got := resultText(t, mustRun(t, in, "%%kql lab\nHosts\n| count")); got != "1" {
		t.Errorf("%%%%kql lab count = %q", got)
	}
	if in.Engine() != nil {
		t.Error("%%kql NAME changed the connected provider")
	}
	// Errors point into the cell: the query starts on line 2.
	_, reply = run(t, in, "%%kql lab\nHosts\n| where Nope == 1")
	if reply.Err == nil || !strings.Contains(reply.Err.Value, "line 3, column 9") {
		t.Errorf("%%%%kql error position: %+v", reply.Err)
	}
	if got := mustRun(t, in, "%providers").text(); !strings.Contains(got, "Also open for %%kql: lab") {
		t.Errorf("%%providers:\n%s", got)
	}
	_, reply = run(t, in, "%%kql lab\n// only a comment")
	if reply.Err == nil || !strings.Contains(reply.Err.Value, "no query") {
		t.Errorf("empty %%%%kql: %+v", reply.Err)
	}
}

func TestProviderCompletionAndInspect(t *testing.T) {
	in, _ := connected(t)
	tests := []struct {
		code    string
		want    []string // each must be offered
		notWant []string
		start   int
	}{
		{"Ev", []string{"Events"}, []string{"Hosts"}, 0},
		{"ev", []string{"Events"}, nil, 0},
		{"Events | wh", []string{"where"}, []string{"Events"}, 9},
		{"Events | mv-e", []string{"mv-expand"}, nil, 9},
		{"Events | where Acc", []string{"Account"}, nil, 15},
		{"Events | extend n = strl", []string{"strlen"}, nil, 20},
		{"let recent = Events;\nrec", []string{"recent"}, nil, 21},
		{"%set lim = 3\nEvents | take li", nil, nil, 0},
		// %optional offers the tables huntbook knows, present or not
		{"%optional OfficeActivity ThreatIntel", []string{"ThreatIntelligenceIndicator"}, []string{"Events"}, 25},
	}
	for _, tc := range tests {
		r := in.Complete(tc.code, len(tc.code))
		got := strings.Join(r.Matches, ",")
		for _, w := range tc.want {
			if !contains(r.Matches, w) {
				t.Errorf("Complete(%q) = %s, lacks %s", tc.code, got, w)
			}
		}
		for _, w := range tc.notWant {
			if contains(r.Matches, w) {
				t.Errorf("Complete(%q) = %s, should not offer %s", tc.code, got, w)
			}
		}
		if tc.want != nil && r.CursorStart != tc.start {
			t.Errorf("Complete(%q) starts at %d, want %d", tc.code, r.CursorStart, tc.start)
		}
	}
	// Parameters are offered once set.
	mustRun(t, in, "%set limit = 3")
	if r := in.Complete("Events | take li", 16); !contains(r.Matches, "limit") {
		t.Errorf("parameter not offered: %v", r.Matches)
	}
	// Named results of earlier cells complete as tables, with their columns.
	mustRun(t, in, "Events | summarize Logons = count() by Account | as PerAccount")
	if r := in.Complete("PerA", 4); strings.Join(r.Matches, ",") != "PerAccount" {
		t.Errorf("named result not offered: %v", r.Matches)
	}
	if r := in.Complete("PerAccount | where Lo", 21); len(r.Matches) == 0 || r.Matches[0] != "Logons" {
		t.Errorf("named result's columns not offered: %v", r.Matches)
	}
	// JupyterLab's typed metadata, offsets in code points.
	r := in.Complete("// é\nEvents | where Acc", 24)
	typed, _ := r.Metadata["_jupyter_types_experimental"].([]any)
	if len(typed) != 1 || r.CursorStart != 21 {
		t.Fatalf("typed completion = %v %v at %d", r.Matches, r.Metadata, r.CursorStart)
	}
	if m := typed[0].(map[string]any); m["text"] != "Account" || m["type"] != "column" || m["signature"] != "string" || m["start"] != 20 || m["end"] != 23 {
		t.Errorf("typed metadata = %v", m)
	}

	// Magic arguments: table names for %schema, kept names for %export.
	if r := in.Complete("%schema Ho", 10); strings.Join(r.Matches, ",") != "Hosts" || r.CursorStart != 8 {
		t.Errorf("%%schema completion = %v at %d", r.Matches, r.CursorStart)
	}
	if r := in.Complete("%connect lo", 11); !contains(r.Matches, "local") {
		t.Errorf("%%connect completion = %v", r.Matches)
	}

	inspect := []struct{ code, want string }{
		{"print strlen", "strlen("},
		{"Events | summarize dcount", "(aggregate)"},
		{"Events", "table Events\n  TimeGenerated: datetime\n  Account: string"},
		{"Events | where Account", "column Account: string"},
		{"Events | where", "where operator"},
		{"Events | take limit", "let limit: long"},
	}
	for _, tc := range inspect {
		r := in.Inspect(tc.code, len(tc.code), 0)
		if !r.Found || !strings.Contains(r.Data["text/plain"].(string), tc.want) {
			t.Errorf("Inspect(%q) = %v %q, want %q", tc.code, r.Found, r.Data["text/plain"], tc.want)
		}
	}
	if r := in.Inspect("Events | where zzz", 18, 0); r.Found {
		t.Errorf("Inspect of an unknown word found %v", r.Data)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"a b  c", []string{"a", "b", "c"}, false},
		{`local "/my data/ws" 'x y'`, []string{"local", "/my data/ws", "x y"}, false},
		{`a""b`, []string{"ab"}, false},
		{`""`, []string{""}, false},
		{`"open`, nil, true},
		{"", nil, false},
	}
	for _, tc := range tests {
		got, err := splitArgs(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("splitArgs(%q) error = %v", tc.in, err)
			continue
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(tc.want)
		if !bytes.Equal(a, b) {
			t.Errorf("splitArgs(%q) = %s, want %s", tc.in, a, b)
		}
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A CSV export reads back with its column types: digits in a string column
// (Sentinel's ResultType) stay strings instead of being inferred as longs.
func TestExportCSVKeepsTypes(t *testing.T) {
	in, _ := connected(t)
	out := t.TempDir()
	mustRun(t, in, `print ResultType = "50126", When = datetime(2026-01-02), Bag = dynamic({"a": 1}) | as R`)
	mustRun(t, in, "%export R "+filepath.Join(out, "codes.csv"))
	w, err := workspace.Open(out, workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := w.Load(context.Background(), "codes")
	if err != nil {
		t.Fatal(err)
	}
	want := []types.Type{types.String, types.DateTime, types.Dynamic}
	for i, c := range back.Columns {
		if c.Type != want[i] {
			t.Errorf("column %s read back as %s, want %s", c.Name, c.Type, want[i])
		}
	}
}

// %optional lets a cell read a table the workspace lacks as empty, saying
// so with the result; the declaration lasts for the session and is listed.
func TestOptionalMagic(t *testing.T) {
	in, _ := connected(t)
	_, reply := run(t, in, "OfficeActivity | count")
	if reply.Err == nil || !strings.Contains(reply.Err.Value, `unknown table "OfficeActivity"`) {
		t.Fatalf("before %%optional: %v", reply.Err)
	}
	rec := mustRun(t, in, "%optional OfficeActivity\nEvents | join kind=leftouter (OfficeActivity | project Account = UserId, Operation) on Account | count")
	if got := rec.text(); !strings.Contains(got, "4") || !strings.Contains(got, "OfficeActivity is not in ") || !strings.Contains(got, "read as an empty table (%optional)") {
		t.Errorf("with %%optional:\n%s", got)
	}
	if got := mustRun(t, in, "%optional").text(); got != "Optional tables: OfficeActivity\n" {
		t.Errorf("%%optional lists %q", got)
	}
	_, reply = run(t, in, "%optional NoSuchTable")
	if reply.Err == nil || !strings.Contains(reply.Err.Value, "NoSuchTable is not a table huntbook knows the schema of") {
		t.Errorf("unknown table: %v", reply.Err)
	}
}
