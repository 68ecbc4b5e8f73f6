package workspace

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var signinSchema = types.Schema{{Name: "TimeGenerated", Type: types.DateTime},
	{Name: "UserPrincipalName", Type: types.String}, {Name: "ResultType", Type: types.String}}

// noBuiltins keeps tests independent of the shipped schemas, except the
// one table they declare.
func testOptions() Options {
	return Options{BuiltinSchema: func(name string) (types.Schema, bool) {
		if name == "SigninLogs" {
			return signinSchema, true
		}
		return nil, false
	}}
}

// demoWorkspace makes a folder with one table per format, a schema file,
// a watchlist and the files a workspace must ignore.
func demoWorkspace(t *testing.T) string {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"workspace.json": `{"name": "demo", "end": "2026-11-23T00:00:00Z", "generator": "unit-test", "seed": 7}`,
		"SigninLogs.csv": "TimeGenerated,UserPrincipalName,ResultType\n" +
			"2026-11-22T10:00:00Z,alice@contoso.com,0\n2026-11-22T11:00:00Z,bob@contoso.com,50126\n",
		"Custom_CL.jsonl":           `{"When":"2026-11-22T00:00:00Z","Score":"7","Tags":"[\"a\"]"}` + "\n",
		"Custom_CL.schema.json":     `{"Name":"Custom_CL","Properties":[{"Name":"When","Type":"datetime"},{"Name":"Score","Type":"long"},{"Name":"Tags","Type":"dynamic"}]}`,
		"ground_truth.json":         `{"stories": []}`,
		"entities.json":             `{"users": []}`,
		"notes.txt":                 "not a table",
		"watchlists/VIPs.csv":       "UPN,Role\nalice@contoso.com,CEO\ncarol@contoso.com,CFO\n",
		"watchlists/VIPs.meta.json": `{"alias": "VIPs", "searchKey": "UPN"}`,
		"watchlists/Servers.csv":    "Host,SearchKey\nweb01,x\n",
	})
	var buf bytes.Buffer
	ev := mk("Events", types.Schema{{Name: "Id", Type: types.Long}, {Name: "Span", Type: types.TimeSpan}},
		[]types.Value{types.NewLong(1), types.NewTimeSpan(types.Second)})
	if err := WriteParquet(&buf, ev); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("A,B\n1,x\n2,y\n"))
	zw.Close()
	writeFiles(t, dir, map[string]string{"Events.parquet": buf.String(), "Zipped.csv.gz": gz.String()})
	return dir
}

func TestOpen(t *testing.T) {
	w, err := Open(demoWorkspace(t), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "demo" || !w.End.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) || w.Seed != 7 || w.Generator != "unit-test" {
		t.Fatalf("settings: %+v", w)
	}
	if got, want := w.Tables(), []string{"Custom_CL", "Events", "SigninLogs", "Zipped"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Tables() = %v, want %v", got, want)
	}
	if got := w.Watchlists(); !reflect.DeepEqual(got, []string{"Servers", "VIPs"}) {
		t.Fatalf("Watchlists() = %v", got)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // suffix of the error
	}{
		{"bad json", map[string]string{"workspace.json": `{"name": 3}`}, "cannot unmarshal number into Go struct field workspaceFile.name of type string"},
		{"bad end", map[string]string{"workspace.json": `{"end": "tomorrow"}`}, `workspace.json: end: "tomorrow" is not an ISO 8601 datetime`},
		{"bad seed", map[string]string{"workspace.json": `{"seed": "x"}`}, `workspace.json: seed: "x" is not an integer`},
		{"two files", map[string]string{"T.csv": "A\n", "T.jsonl": ""}, "table T has two files, T.csv and T.jsonl; remove one"},
		{"bad zone", map[string]string{"workspace.json": `{"timeZone": "Mars/Olympus"}`}, `workspace.json: timeZone: "Mars/Olympus" is not a time zone name (an IANA name such as Europe/London): unknown time zone Mars/Olympus`},
		{"bad date order", map[string]string{"workspace.json": `{"dateOrder": "YDM"}`}, `workspace.json: dateOrder: "YDM" is neither MDY (02/25/2026) nor DMY (25/02/2026)`},
		{"bad clock", map[string]string{"workspace.json": `{"clock": "stopped", "end": "2026-01-01T00:00:00Z"}`}, `workspace.json: clock: "stopped" is neither "end" (now() is the data's end) nor "real"`},
		{"clock without end", map[string]string{"workspace.json": `{"clock": "end"}`}, `workspace.json: clock: "end" needs the data's end in "end"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tc.files)
			_, err := Open(dir, Options{})
			if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
				t.Fatalf("Open error = %v, want ...%s", err, tc.want)
			}
		})
	}
	if _, err := Open(filepath.Join(t.TempDir(), "nope"), Options{}); err == nil {
		t.Fatal("Open of a missing folder succeeded")
	}
	// Without workspace.json the folder name is the workspace name.
	dir := filepath.Join(t.TempDir(), "plain")
	os.Mkdir(dir, 0o755)
	w, err := Open(dir, Options{})
	if err != nil || w.Name != "plain" || !w.End.IsZero() {
		t.Fatalf("Open(plain) = %+v, %v", w, err)
	}
}

func TestSchemaWithoutLoading(t *testing.T) {
	w, err := Open(demoWorkspace(t), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ table, want string }{
		{"SigninLogs", "(TimeGenerated:datetime, UserPrincipalName:string, ResultType:string)"}, // built-in
		{"Custom_CL", "(When:datetime, Score:long, Tags:dynamic)"},                              // schema file
		{"Events", "(Id:long, Span:timespan)"},                                                  // parquet footer
		{"Zipped", "(A:long, B:string)"},                                                        // inferred
	}
	for _, tc := range tests {
		s, ok := w.Schema(tc.table)
		if !ok || s.String() != tc.want {
			t.Errorf("Schema(%s) = %s, %v; want %s", tc.table, s, ok, tc.want)
		}
		if w.Report(tc.table) != nil || w.tables[tc.table].tbl != nil {
			t.Errorf("Schema(%s) loaded the table", tc.table)
		}
	}
	if _, ok := w.Schema("Nope"); ok {
		t.Error("Schema of a missing table succeeded")
	}
}

func TestLoadCachesAndReports(t *testing.T) {
	w, err := Open(demoWorkspace(t), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range w.Tables() {
		t1, rep, err := w.Load(ctx, name)
		if err != nil {
			t.Fatalf("Load(%s): %v", name, err)
		}
		if rep == nil || rep.Rows != t1.Rows() || rep.Bytes == 0 || t1.Name != name {
			t.Fatalf("Load(%s) report %v", name, rep)
		}
		t2, rep2, _ := w.Load(ctx, name)
		if t1 != t2 || rep != rep2 {
			t.Fatalf("Load(%s) twice returned different tables", name)
		}
	}
	tb, _, _ := w.Load(ctx, "Custom_CL")
	if tb.Column("Score").Ints[0] != 7 || types.DynamicJSON(tb.Column("Tags").Dyns[0]) != `["a"]` {
		t.Fatalf("Custom_CL row: %v", tb.Row(0))
	}
	zt, _, _ := w.Load(ctx, "Zipped")
	if zt.Rows() != 2 || zt.Column("B").Strs[1] != "y" {
		t.Fatalf("Zipped: %v", zt.Row(1))
	}
	if _, _, err := w.Load(ctx, "Nope"); err == nil || err.Error() != `workspace demo: no table named "Nope"` {
		t.Fatalf("Load(Nope) error = %v", err)
	}
}

func TestConcurrentLoadsShareOneRead(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("N,S\n")
	for i := 0; i < 20000; i++ {
		b.WriteString("12345,some text\n")
	}
	writeFiles(t, dir, map[string]string{"Big.csv": b.String(), "Other.csv": "A\n1\n"})
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	got := make([]*table.Table, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := "Big"
			if i%4 == 3 {
				name = "Other"
			}
			tb, _, err := w.Load(context.Background(), name)
			if err != nil {
				t.Error(err)
			}
			got[i] = tb
		}(i)
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		want := got[0]
		if i%4 == 3 {
			want = got[3]
		}
		if got[i] != want {
			t.Fatalf("load %d got a different table", i)
		}
	}
	if got[0].Rows() != 20000 || got[3].Rows() != 1 {
		t.Fatalf("rows %d %d", got[0].Rows(), got[3].Rows())
	}
}

func TestLoadCancelledAndStrict(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"T.csv": "N\n1\nx\n", "T.schema.json": `{"Name":"T","Properties":[{"Name":"N","Type":"long"}]}`,
		"W.csv": "A\n1\n", "W.schema.json": `{"Name":"Other","Properties":[{"Name":"A","Type":"long"}]}`})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w, _ := Open(dir, Options{})
	if _, _, err := w.Load(ctx, "T"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Load error = %v", err)
	}
	// A failed load is not cached: the next one reads again.
	if tb, rep, err := w.Load(context.Background(), "T"); err != nil || tb.Rows() != 2 || rep.BadValues != 1 {
		t.Fatalf("Load after cancel: %v %v", rep, err)
	}
	ws, _ := Open(dir, Options{Strict: true})
	if _, _, err := ws.Load(context.Background(), "T"); err == nil || err.Error() != `T.csv:3: column N: cannot convert "x" to long` {
		t.Fatalf("strict Load error = %v", err)
	}
	if _, _, err := w.Load(context.Background(), "W"); err == nil || !strings.HasSuffix(err.Error(), `W.schema.json: Name: schema is for table "Other", not "W"`) {
		t.Fatalf("mismatched schema file error = %v", err)
	}
}

func TestAddAndWrite(t *testing.T) {
	dir := t.TempDir()
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mem := mk("Behaviors", types.Schema{{Name: "User", Type: types.String}}, []types.Value{types.NewString("alice")})
	w.Add(mem)
	if tb, rep, err := w.Load(context.Background(), "Behaviors"); err != nil || tb != mem || rep.Format != "memory" {
		t.Fatalf("Load of an added table: %v %v", rep, err)
	}
	want := allTypes()
	want.Column("T").Ints[2] = dt("1901-01-01T00:00:00Z").I // keep inside Parquet's nanosecond range
	for _, format := range []string{"", "csv", "parquet"} {
		name := "Out_" + format
		if format == "" {
			name = "Out_default"
		}
		if err := w.Write(name, want, format); err != nil {
			t.Fatalf("Write(%s): %v", format, err)
		}
		if tb, _, _ := w.Load(context.Background(), name); tb.Rows() != want.Rows() {
			t.Fatalf("Write(%s) did not make the table current", format)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "Out_default.jsonl")); err != nil {
		t.Fatalf("default format: %v", err)
	}
	// Written files are readable by everyone, as other table files are.
	for _, f := range []string{"Out_default.jsonl", "Out_csv.csv", "Out_parquet.parquet", "Out_csv.schema.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		} else if st.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, want -rw-r--r--", f, st.Mode().Perm())
		}
	}
	// Rewriting keeps a mode the user chose.
	if err := os.Chmod(filepath.Join(dir, "Out_csv.csv"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := w.Write("Out_csv", want, "csv"); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(filepath.Join(dir, "Out_csv.csv")); st.Mode().Perm() != 0o640 {
		t.Errorf("rewritten Out_csv.csv: mode %v, want -rw-r-----", st.Mode().Perm())
	}
	// Reopen: every written table reads back with exactly its types.
	w2, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := w2.Tables(); !reflect.DeepEqual(got, []string{"Out_csv", "Out_default", "Out_parquet"}) {
		t.Fatalf("Tables after Write = %v", got)
	}
	for _, name := range w2.Tables() {
		got, rep, err := w2.Load(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Issues) != 0 || len(rep.Warnings) != 0 {
			t.Fatalf("%s: %v %v", name, rep.Issues, rep.Warnings)
		}
		sameTable(t, got, want)
	}
	errs := []struct {
		name, format, want string
	}{
		{"Out_csv", "jsonl", "workspace " + filepath.Base(dir) + ": write Out_csv: the table is stored in Out_csv.csv; remove it to write Out_csv.jsonl"},
		{"../evil", "csv", "workspace " + filepath.Base(dir) + `: write: "../evil" is not a valid table name (letters, digits, _)`},
		{"X", "xml", "workspace " + filepath.Base(dir) + `: write X: unknown format "xml" (want jsonl, csv or parquet)`},
	}
	for _, e := range errs {
		if err := w2.Write(e.name, want, e.format); err == nil || err.Error() != e.want {
			t.Errorf("Write(%s, %s) error = %v, want %s", e.name, e.format, err, e.want)
		}
	}
}

func TestWatchlist(t *testing.T) {
	w, err := Open(demoWorkspace(t), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	wl, err := w.Watchlist("vips") // aliases match ignoring case when not exact
	if err != nil {
		t.Fatal(err)
	}
	want := "(_DTItemId:string, LastUpdatedTimeUTC:datetime, SearchKey:string, WatchlistItem:dynamic, UPN:string, Role:string)"
	if s := wl.Schema().String(); s != want {
		t.Fatalf("schema = %s, want %s", s, want)
	}
	if wl.Rows() != 2 || wl.Column("SearchKey").Strs[1] != "carol@contoso.com" ||
		types.DynamicJSON(wl.Column("WatchlistItem").Dyns[0]) != `{"UPN":"alice@contoso.com","Role":"CEO"}` {
		t.Fatalf("rows: %v", wl.Row(0))
	}
	if id := wl.Column("_DTItemId").Strs[0]; len(id) != 36 || id == wl.Column("_DTItemId").Strs[1] {
		t.Fatalf("item ids: %v", wl.Column("_DTItemId").Strs)
	}
	again, _ := w.Watchlist("vips")
	if again != wl {
		t.Fatal("watchlist not cached")
	}
	// No meta file: the first column is the search key; a CSV column named
	// like a system column stays only inside WatchlistItem.
	sv, err := w.Watchlist("Servers")
	if err != nil {
		t.Fatal(err)
	}
	if sv.Column("SearchKey").Strs[0] != "web01" || len(sv.Columns) != 5 {
		t.Fatalf("Servers: %s %v", sv.Schema(), sv.Row(0))
	}
	if _, err := w.Watchlist("Nope"); err == nil || err.Error() != `workspace demo: no watchlist "Nope" (watchlists/Nope.csv)` {
		t.Fatalf("missing watchlist error = %v", err)
	}
	writeFiles(t, w.Dir, map[string]string{"watchlists/Bad.csv": "A\n1\n", "watchlists/Bad.meta.json": `{"searchKey": "B"}`})
	if _, err := w.Watchlist("Bad"); err == nil || err.Error() != `watchlists/Bad.meta.json: searchKey "B" is not a column of watchlists/Bad.csv (columns: (A:string))` {
		t.Fatalf("bad searchKey error = %v", err)
	}
}

// Without Options.BuiltinSchema the shipped Sentinel schemas type known tables.
func TestDefaultBuiltinSchemas(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"SigninLogs.csv": "TimeGenerated,ResultType,Custom\n2026-11-22T10:00:00Z,50126,x\n",
		"MyTable_CL.csv": "TimeGenerated,ResultType\n2026-11-22T10:00:00Z,50126\n",
	})
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb, rep, err := w.Load(context.Background(), "SigninLogs")
	if err != nil {
		t.Fatal(err)
	}
	if c := tb.Column("ResultType"); c == nil || c.Type != types.String || c.Strs[0] != "50126" {
		t.Fatalf("ResultType should be the built-in string column: %v", tb.Schema())
	}
	if tb.Column("UserPrincipalName") == nil || tb.Columns[len(tb.Columns)-1].Name != "Custom" {
		t.Fatalf("built-in columns first, extra file columns last: %v", tb.Schema())
	}
	if !strings.Contains(strings.Join(rep.Warnings, "\n"), "SigninLogs.csv: column Custom is not in the schema; appended as string") {
		t.Fatalf("warnings: %q", rep.Warnings)
	}
	// The many built-in columns the file lacks make one warning, not dozens.
	if len(rep.Warnings) != 2 || !strings.HasPrefix(rep.Warnings[0], "SigninLogs.csv: schema columns AADTenantId, AlternateSignInName, ") ||
		!strings.HasSuffix(rep.Warnings[0], " are not in the file; they are null") {
		t.Fatalf("warnings: %q", rep.Warnings)
	}
	custom, _, _ := w.Load(context.Background(), "MyTable_CL")
	if s := custom.Schema().String(); s != "(TimeGenerated:datetime, ResultType:long)" {
		t.Fatalf("unknown table should be inferred: %s", s)
	}
}

// RecordEnd keeps the latest end and the settings it does not own.
func TestRecordEnd(t *testing.T) {
	dir := t.TempDir()
	mar := time.Date(2026, 3, 2, 11, 50, 2, 0, time.UTC)
	if got, err := RecordEnd(dir, mar); err != nil || !got.Equal(mar) {
		t.Fatal(got, err)
	}
	w, err := Open(dir, Options{})
	if err != nil || !w.End.Equal(mar) || w.Clock != "end" {
		t.Fatalf("after the first import: end %v clock %q err %v", w.End, w.Clock, err)
	}
	// An earlier import keeps the later end; a user's settings survive.
	writeFiles(t, dir, map[string]string{"workspace.json": `{"end": "2026-03-02T11:50:02Z", "clock": "real", "timeZone": "Europe/Paris"}`})
	if got, err := RecordEnd(dir, mar.Add(-time.Hour)); err != nil || !got.Equal(mar) {
		t.Fatal("an earlier import reports the end kept:", got, err)
	}
	w, err = Open(dir, Options{})
	if err != nil || !w.End.Equal(mar) || w.Clock != "real" || w.TimeZone == nil || w.TimeZone.String() != "Europe/Paris" {
		t.Fatalf("after the second import: end %v clock %q zone %v err %v", w.End, w.Clock, w.TimeZone, err)
	}
	// A later one moves it.
	if _, err := RecordEnd(dir, mar.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if w, _ = Open(dir, Options{}); !w.End.Equal(mar.Add(24 * time.Hour)) {
		t.Fatalf("end = %v", w.End)
	}
	writeFiles(t, dir, map[string]string{"workspace.json": `{"end": `})
	if _, err := RecordEnd(dir, mar); err == nil || !strings.Contains(err.Error(), "workspace.json") {
		t.Fatalf("bad workspace.json: err = %v", err)
	}
}
