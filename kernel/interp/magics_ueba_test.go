package interp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/sampledata"
)

// The small generated tenant the UEBA and rules magics run on: fixed seed
// and end, so runs are repeatable; 60 users over 10 days keep it fast.
var tenantCfg = sampledata.Config{Seed: 7, Users: 60, Days: 10, End: time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)}

var (
	tenantOnce sync.Once
	tenantDir  string
	tenantErr  error
)

// sharedTenant is one generated tenant for the tests that only read it.
func sharedTenant(t *testing.T) string {
	t.Helper()
	tenantOnce.Do(func() {
		tenantDir, tenantErr = os.MkdirTemp("", "huntbook-interp-tenant-")
		if tenantErr == nil {
			tenantErr = sampledata.WriteWorkspace(tenantDir, tenantCfg)
		}
	})
	if tenantErr != nil {
		t.Fatal(tenantErr)
	}
	return tenantDir
}

// freshTenant is a tenant of the test's own, for tests that write to it.
func freshTenant(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := sampledata.WriteWorkspace(dir, tenantCfg); err != nil {
		t.Fatal(err)
	}
	return dir
}

// storyEntity reads the name of a planted story's entity of a kind from
// the tenant's ground_truth.json.
func storyEntity(t *testing.T, dir, story, kind string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "ground_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gt struct {
		Stories []struct {
			ID       string
			Entities []struct{ Kind, ID, Name string }
		}
	}
	if err := json.Unmarshal(data, &gt); err != nil {
		t.Fatal(err)
	}
	for _, s := range gt.Stories {
		if !strings.HasPrefix(s.ID, story) {
			continue
		}
		for _, e := range s.Entities {
			if e.Kind == kind && e.Name != "" {
				return e.Name
			}
		}
	}
	t.Fatalf("ground truth has no %s entity in story %s", kind, story)
	return ""
}

// tenantInterp is an interpreter connected to a tenant folder.
func tenantInterp(t *testing.T, dir string) *Interpreter {
	t.Helper()
	in := New(nil)
	mustRun(t, in, "%connect local "+dir)
	return in
}

// count runs a query ending in a count and returns it.
func count(t *testing.T, in *Interpreter, q string) int {
	t.Helper()
	n, err := strconv.Atoi(resultText(t, mustRun(t, in, q)))
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// pictures checks that the cell displayed a PNG and an SVG and returns
// how many pictures it showed.
func pictures(t *testing.T, rec *recorder) int {
	t.Helper()
	n := 0
	for _, e := range rec.events {
		b64, ok := e.data["image/png"].(string)
		if !ok {
			continue
		}
		n++
		png, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("image/png is not a PNG (%d bytes, %v)", len(png), err)
		}
		svg, _ := e.data["image/svg+xml"].(string)
		if !strings.Contains(svg, "<svg") {
			t.Errorf("image/svg+xml is not SVG: %.80q", svg)
		}
		if e.kind != "display" {
			t.Errorf("picture sent as %s, want display_data", e.kind)
		}
	}
	return n
}

// resultTable is the table kept as _ by the cell.
func resultTable(t *testing.T, in *Interpreter) *table.Table {
	t.Helper()
	tb, ok := in.Table("_")
	if !ok {
		t.Fatal("no result kept as _")
	}
	return tb
}

// column returns a string column's values.
func column(t *testing.T, tb *table.Table, name string) []string {
	t.Helper()
	c := tb.Column(name)
	if c == nil {
		t.Fatalf("%s has no column %s (schema %v)", tb.Name, name, tb.Schema())
	}
	out := make([]string, tb.Rows())
	for i := range out {
		out[i] = c.Value(i).String()
	}
	return out
}

func TestUEBABuild(t *testing.T) {
	dir := sharedTenant(t)
	in := tenantInterp(t, dir)
	// Before the build the UEBA tables do not exist.
	if _, reply := run(t, in, "BehaviorAnalytics | count"); reply.Err == nil {
		t.Fatal("BehaviorAnalytics exists before %ueba build")
	}
	mustRun(t, in, "%tables") // caches the table list
	rec := mustRun(t, in, "%ueba build --window 30d")
	// %tables and %schema know the new tables.
	if got := resultText(t, mustRun(t, in, "%tables Analytics")); !strings.Contains(got, "UserPeerAnalytics") || !strings.Contains(got, "BehaviorAnalytics") {
		t.Errorf("%%tables after the build:\n%s", got)
	}
	if got := resultText(t, mustRun(t, in, "%schema UserAccessAnalytics")); !strings.Contains(got, "SourceEntityName") {
		t.Errorf("%%schema UserAccessAnalytics:\n%s", got)
	}
	if got := pictures(t, rec); got != 1 {
		t.Errorf("%%ueba build showed %d pictures, want the priority chart", got)
	}
	if !strings.Contains(rec.text(), "30d baseline") {
		t.Errorf("%%ueba build output %q does not name the window", rec.text())
	}
	sum := resultTable(t, in)
	names, rows := column(t, sum, "Table"), column(t, sum, "Rows")
	want := []string{"BehaviorAnalytics", "UserPeerAnalytics", "UserAccessAnalytics"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("summary tables %v, want %v", names, want)
	}
	// Each is now a plain table whose size is what the summary says.
	for i, name := range names {
		n := count(t, in, name+" | count")
		if strconv.Itoa(n) != rows[i] || n == 0 {
			t.Errorf("%s | count = %d, summary says %s", name, n, rows[i])
		}
	}
	// The planted key vault user has ranked peers and can reach the vault.
	user := storyEntity(t, dir, "S5", "account")
	vault := storyEntity(t, dir, "S5", "resource")
	if n := count(t, in, "UserPeerAnalytics | where UserPrincipalName =~ '"+user+"' | count"); n == 0 {
		t.Errorf("no UserPeerAnalytics rows for %s", user)
	}
	if n := count(t, in, "UserAccessAnalytics | where SourceEntityName =~ '"+user+"' and TargetEntityName =~ '"+vault+"' | count"); n == 0 {
		t.Errorf("UserAccessAnalytics: %s does not reach %s", user, vault)
	}
	// The tables live in memory only: nothing was written to the folder.
	if _, err := os.Stat(filepath.Join(dir, "BehaviorAnalytics.jsonl")); err == nil {
		t.Error("build without --write wrote BehaviorAnalytics.jsonl")
	}
	// A new connection starts without them.
	mustRun(t, in, "%connect local "+dir)
	if _, reply := run(t, in, "UserPeerAnalytics | count"); reply.Err == nil {
		t.Error("UEBA tables survived a new connection")
	}
}

func TestUEBABuildWrite(t *testing.T) {
	dir := freshTenant(t)
	in := tenantInterp(t, dir)
	mustRun(t, in, "%ueba build --window=14d --write")
	want := count(t, in, "BehaviorAnalytics | count")
	for _, f := range []string{"BehaviorAnalytics.jsonl", "UserPeerAnalytics.schema.json", "UserAccessAnalytics.jsonl"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("--write: %v", err)
		}
	}
	// A new connection reads them back from the folder.
	in2 := tenantInterp(t, dir)
	if got := count(t, in2, "BehaviorAnalytics | count"); got != want {
		t.Errorf("written BehaviorAnalytics has %d rows, built %d", got, want)
	}
}

func TestUEBAEntities(t *testing.T) {
	dir := sharedTenant(t)
	in := tenantInterp(t, dir)
	user := storyEntity(t, dir, "S5", "account")
	vault := storyEntity(t, dir, "S5", "resource")
	victim := storyEntity(t, dir, "S1", "account")
	// The first entity magic builds on its own.
	rec := mustRun(t, in, "%ueba peers "+user)
	if !strings.Contains(rec.text(), "building with the default window") {
		t.Errorf("first %%ueba peers did not say it builds: %q", rec.text())
	}
	if n := count(t, in, "UserPeerAnalytics | count"); n == 0 {
		t.Error("the implicit build did not add UserPeerAnalytics")
	}
	tests := []struct {
		code   string
		col    string // a column of the answer
		has    string // a value of that column
		minRow int
	}{
		{"%ueba peers " + user, "Rank", "1", 5},
		{"%ueba peers " + strings.ToUpper(user), "Rank", "1", 5},
		{"%ueba blast-radius " + user, "TargetEntityName", vault, 1},
		{"%ueba timeline " + victim, "Kind", "alert", 1},
	}
	for _, tc := range tests {
		rec := mustRun(t, in, tc.code)
		if got := pictures(t, rec); got != 1 {
			t.Errorf("%s: %d pictures, want 1", tc.code, got)
		}
		tb := resultTable(t, in)
		if tb.Rows() < tc.minRow {
			t.Errorf("%s: %d rows, want at least %d", tc.code, tb.Rows(), tc.minRow)
		}
		found := false
		for _, v := range column(t, tb, tc.col) {
			found = found || strings.EqualFold(v, tc.has) || strings.Contains(strings.ToLower(v), strings.ToLower(tc.has))
		}
		if !found {
			t.Errorf("%s: column %s has no %q", tc.code, tc.col, tc.has)
		}
		// The picture comes before the table, which is the cell's value.
		if k := rec.kinds(); !strings.HasSuffix(k, "display,result") {
			t.Errorf("%s: outputs %s, want the picture then the table", tc.code, k)
		}
	}
	// {name} reads the user from a let of an earlier cell (a notebook
	// parameter) or a %set parameter.
	mustRun(t, in, "%ueba peers "+user)
	direct := resultTable(t, in)
	mustRun(t, in, "let who = '"+user+"';")
	mustRun(t, in, "%set who2 = '"+user+"'")
	for _, ref := range []string{"{who}", "{who2}"} {
		mustRun(t, in, "%ueba peers "+ref)
		got := resultTable(t, in)
		if strings.Join(column(t, got, "PeerUserPrincipalName"), ",") != strings.Join(column(t, direct, "PeerUserPrincipalName"), ",") {
			t.Errorf("%%ueba peers %s answered differently from %%ueba peers %s", ref, user)
		}
	}
	// --as keeps the answer by name as a table for later queries.
	mustRun(t, in, "%ueba peers "+user+" --as JonasPeers")
	if _, ok := in.Named("JonasPeers"); !ok {
		t.Error("--as JonasPeers kept no named result")
	}
	if n := count(t, in, "JonasPeers | where Rank <= 3 | count"); n != 3 {
		t.Errorf("JonasPeers | where Rank <= 3 has %d rows, want 3", n)
	}
}

// sentinelProvider stands for any provider that is not local.
type sentinelProvider struct{}

func (sentinelProvider) Name() string                      { return "Default" }
func (sentinelProvider) Kind() string                      { return "sentinel" }
func (sentinelProvider) Describe() string                  { return "test" }
func (sentinelProvider) Connect(ctx context.Context) error { return nil }
func (sentinelProvider) NewSession() providers.Session     { return nil }
func (sentinelProvider) Close() error                      { return nil }
func (sentinelProvider) Tables(ctx context.Context) ([]providers.TableInfo, error) {
	return nil, nil
}

func TestUEBAErrors(t *testing.T) {
	dir := sharedTenant(t)
	tests := []struct {
		code, ename, want string
	}{
		{"%ueba", "MagicError", "say build, peers, blast-radius or timeline"},
		{"%ueba nope", "MagicError", `unknown subcommand "nope"`},
		{"%ueba build --window", "MagicError", "--window needs a number of days"},
		{"%ueba build --window 3x", "MagicError", `"3x" is not a whole number of days`},
		{"%ueba build --window 36h", "MagicError", `"36h" is not a whole number of days`},
		{"%ueba build --frob", "MagicError", `unexpected "--frob"`},
		{"%ueba build --write=yes", "MagicError", "--write takes no value"},
		{"%ueba peers", "MagicError", "peers needs a USER"},
		{"%ueba blast-radius", "MagicError", "USER or service principal"},
		{"%ueba peers a b", "MagicError", `one USER, got "a" and "b"`},
		{"%ueba peers a --frob", "MagicError", "unknown option --frob"},
		{"%ueba peers a --as 1x", "MagicError", `--as "1x" is not a name`},
		{"%ueba peers nobody@nowhere.example", "MagicError", "nobody@nowhere.example"},
		{"%ueba timeline 'no such user'", "MagicError", "no such user"},
		{"%ueba peers {nope}", "MagicError", "{nope}: "},
		{"%ueba peers {a-b}", "MagicError", "write {NAME} for the value"},
		{"%ueba peers {blank}", "MagicError", "{blank} is empty"},
	}
	in := tenantInterp(t, dir)
	mustRun(t, in, "let blank = '';")
	for _, tc := range tests {
		_, reply := run(t, in, tc.code)
		if reply.Err == nil || reply.Err.Name != tc.ename || !strings.Contains(reply.Err.Value, tc.want) {
			t.Errorf("%s: got %+v, want %s containing %q", tc.code, reply.Err, tc.ename, tc.want)
		}
	}
	// Not connected, and connected elsewhere.
	_, reply := run(t, New(nil), "%ueba build")
	if reply.Err == nil || !strings.Contains(reply.Err.Value, "no provider connected") {
		t.Errorf("unconnected %%ueba build: %+v", reply.Err)
	}
	for _, code := range []string{"%ueba build", "%ueba peers someone"} {
		_, reply = run(t, New(NewProviderEngine(sentinelProvider{})), code)
		if reply.Err == nil || !strings.Contains(reply.Err.Value, "Default is a sentinel provider") ||
			!strings.Contains(reply.Err.Value, "Microsoft Sentinel computes BehaviorAnalytics") {
			t.Errorf("%s on Sentinel: %+v", code, reply.Err)
		}
	}
}

func TestUEBAHelpAndCompletion(t *testing.T) {
	dir := sharedTenant(t)
	in := tenantInterp(t, dir)
	_, reply := run(t, in, "%ueba?")
	if len(reply.Payload) != 1 || !strings.Contains(reply.Payload[0]["data"].(map[string]any)["text/plain"].(string), "Usage: %ueba build") {
		t.Errorf("%%ueba? payload %v", reply.Payload)
	}
	user := storyEntity(t, dir, "S5", "account")
	prefix := user[:3]
	check := func(stage, code string, want []string, absent string) {
		t.Helper()
		r := in.Complete(code, len(code))
		got := strings.Join(r.Matches, "\n")
		for _, w := range want {
			if !strings.Contains("\n"+got+"\n", "\n"+w+"\n") {
				t.Errorf("%s: completing %q: %q missing from %v", stage, code, w, r.Matches)
			}
		}
		if absent != "" && strings.Contains(got, absent) {
			t.Errorf("%s: completing %q offered %q", stage, code, absent)
		}
		if r.CursorEnd != len(code) {
			t.Errorf("%s: completing %q: cursor end %d", stage, code, r.CursorEnd)
		}
	}
	check("subcommand", "%ueba b", []string{"build", "blast-radius"}, "peers")
	check("options", "%ueba build --w", []string{"--window", "--write"}, "")
	// Before a build the names come from IdentityInfo.
	check("before build", "%ueba peers "+prefix, []string{user}, "")
	mustRun(t, in, "%ueba build --window 14d")
	// After it, from the directory: users, and for blast-radius also
	// service principals (quoted when they have blanks).
	check("after build", "%ueba timeline "+prefix, []string{user}, "")
	sp := storyEntity(t, dir, "S3", "servicePrincipal")
	want := sp
	if strings.Contains(sp, " ") {
		want = `"` + sp + `"`
	}
	check("principal", "%ueba blast-radius "+sp[:4], []string{want}, "")
	check("quoted principal", "%ueba blast-radius "+want[:5], []string{want}, "")
	// And blast-radius of the service principal answers.
	mustRun(t, in, "%ueba blast-radius "+want)
	if resultTable(t, in).Rows() == 0 {
		t.Errorf("blast radius of %s is empty", sp)
	}
}

func TestParseDays(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"30d", 30, true}, {"7", 7, true}, {"720h", 30, true}, {"1d", 1, true},
		{"0d", 0, false}, {"-3d", 0, false}, {"1.5d", 0, false}, {"36h", 0, false}, {"x", 0, false},
	}
	for _, tc := range tests {
		got, err := parseDays(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseDays(%q) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestMain removes the shared tenant after the package's tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if tenantDir != "" {
		os.RemoveAll(tenantDir)
	}
	os.Exit(code)
}
