package exec

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// signinTable generates a SigninLogs-like table: n rows over a week, users
// and IPs repeating heavily as real sign-in data does.
func signinTable(n int, seed uint64) *table.Table {
	rng := rand.New(rand.NewPCG(seed, 7))
	t := table.New("SigninLogs", types.Schema{
		{Name: "TimeGenerated", Type: types.DateTime}, {Name: "UserPrincipalName", Type: types.String},
		{Name: "IPAddress", Type: types.String}, {Name: "ResultType", Type: types.Long},
		{Name: "AppDisplayName", Type: types.String}, {Name: "UserAgent", Type: types.String},
	})
	apps := []string{"Azure Portal", "Office 365 Exchange Online", "Microsoft Teams", "Azure CLI", "SharePoint Online"}
	agents := []string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0", "python-requests/2.31", "Mozilla/5.0 (Macintosh) Safari/17", "curl/8.4.0"}
	start := types.TimeToTicks(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	cols := t.Columns
	for i := 0; i < n; i++ {
		cols[0].Ints = append(cols[0].Ints, start+rng.Int64N(7*types.Day))
		cols[1].Strs = append(cols[1].Strs, fmt.Sprintf("user%d@contoso.com", rng.IntN(2000)))
		cols[2].Strs = append(cols[2].Strs, fmt.Sprintf("10.%d.%d.%d", rng.IntN(4), rng.IntN(50), rng.IntN(250)))
		rt := int64(0)
		if rng.IntN(10) == 0 {
			rt = 50126
		}
		cols[3].Ints = append(cols[3].Ints, rt)
		cols[4].Strs = append(cols[4].Strs, apps[rng.IntN(len(apps))])
		cols[5].Strs = append(cols[5].Strs, agents[rng.IntN(len(agents))])
	}
	return t
}

func bigCatalog(n int) *testCatalog {
	return &testCatalog{tables: map[string]*table.Table{"SigninLogs": signinTable(n, 1)}}
}

func TestCancellationStopsPromptly(t *testing.T) {
	cat := bigCatalog(200_000)
	// a cross join that would produce 200k x 200k rows (the by makes it
	// materialise them): only cancellation stops it
	q := `SigninLogs | extend k = 1 | join kind=inner (SigninLogs | extend k = 1) on k | summarize count() by k`
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := runQuery(ctx, cat, Options{Now: goldenNow, MemoryBudget: 1 << 62}, q)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancelled := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
		if d := time.Since(cancelled); d > 100*time.Millisecond {
			t.Errorf("query stopped %v after cancel, want within 100ms", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("query did not stop after cancel")
	}
}

func TestCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := runQuery(ctx, newTestCatalog(), Options{}, "SigninLogs | count")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

func TestMemoryBudgetStopsRunawayJoin(t *testing.T) {
	cat := bigCatalog(20_000)
	q := `SigninLogs | extend k = 1 | join kind=inner (SigninLogs | extend k = 1) on k | summarize count() by k`
	_, err := runQuery(context.Background(), cat, Options{MemoryBudget: 64 << 20}, q)
	if err == nil || !strings.Contains(err.Error(), "memory budget") {
		t.Fatalf("want a memory budget error, got %v", err)
	}
	var e *Error
	if !errors.As(err, &e) || !e.Pos.IsValid() {
		t.Fatalf("want a positioned *Error, got %#v", err)
	}
}

// A join that only count or summarize count() reads is counted without
// its rows, so a many-to-many key within the budget's reach still counts.
func TestJoinCountWithoutRows(t *testing.T) {
	cat := bigCatalog(20_000)
	q := `SigninLogs | extend k = 1 | join kind=inner (SigninLogs | extend k = 1) on k | count`
	res, err := runQuery(context.Background(), cat, Options{MemoryBudget: 64 << 20}, q)
	if err != nil {
		t.Fatal(err)
	}
	if got := res[len(res)-1].Table.Columns[0].Ints[0]; got != 20_000*20_000 {
		t.Fatalf("count = %d, want %d", got, 20_000*20_000)
	}
}

// Counting agrees with materialising (take keeps every row but reads them)
// for every join kind, with repeated, missing and null keys.
func TestJoinCountMatchesRows(t *testing.T) {
	const data = `let L = datatable(k:long, s:string)[1,"a", 1,"a", 2,"b", 3,"", long(null),"c", 5,"a"];
let R = datatable(k:long, s:string)[1,"a", 1,"x", 1,"a", 3,"", 4,"d", long(null),"c", 4,"z"];
`
	kinds := []string{"inner", "innerunique", "leftouter", "rightouter", "fullouter", "leftanti", "rightanti", "leftsemi", "rightsemi"}
	tails := []struct{ counting, reading string }{
		{"count", "take 1000000 | count"},
		{"summarize n = count(), m = count()", "take 1000000 | summarize n = count(), m = count()"},
		{"summarize count()", "take 1000000 | summarize count()"},
	}
	for _, kind := range kinds {
		for _, on := range []string{"k", "s", "k, s"} {
			for _, tl := range tails {
				q := data + "L | join kind=" + kind + " (R) on " + on + " | "
				got, err := runQuery(context.Background(), newTestCatalog(), Options{}, q+tl.counting)
				if err != nil {
					t.Fatalf("%s on %s: %v", kind, on, err)
				}
				want, err := runQuery(context.Background(), newTestCatalog(), Options{}, q+tl.reading)
				if err != nil {
					t.Fatal(err)
				}
				g, w := got[len(got)-1].Table, want[len(want)-1].Table
				if g.Schema().String() != w.Schema().String() || fmt.Sprint(g.Row(0)) != fmt.Sprint(w.Row(0)) {
					t.Errorf("%s on %s | %s = %v %v, want %v %v", kind, on, tl.counting, g.Schema(), g.Row(0), w.Schema(), w.Row(0))
				}
			}
		}
	}
}

func TestMemoryBudgetAllowsNormalJoin(t *testing.T) {
	cat := bigCatalog(20_000)
	q := `SigninLogs | summarize n = count() by UserPrincipalName | join kind=inner (SigninLogs | distinct UserPrincipalName, AppDisplayName) on UserPrincipalName | count`
	res, err := runQuery(context.Background(), cat, Options{MemoryBudget: 64 << 20}, q)
	if err != nil {
		t.Fatal(err)
	}
	if n := res[0].Table.Columns[0].Ints[0]; n == 0 {
		t.Fatalf("join produced no rows")
	}
}

// TestParallelMatchesSerial runs hunting-shaped queries over a table big
// enough to be split into chunks, with 1 and 4 workers: results must agree.
func TestParallelMatchesSerial(t *testing.T) {
	cat := bigCatalog(80_000)
	queries := []string{
		`SigninLogs | where ResultType != 0 and AppDisplayName has "azure" | count`,
		`SigninLogs | summarize n = count(), users = dcount(UserPrincipalName), last = max(TimeGenerated) by AppDisplayName | sort by AppDisplayName asc`,
		`SigninLogs | summarize arg_max(TimeGenerated, IPAddress) by UserPrincipalName | sort by UserPrincipalName asc | take 50`,
		`SigninLogs | summarize count() by bin(TimeGenerated, 1h), ResultType | sort by TimeGenerated asc, ResultType asc`,
		`SigninLogs | where UserAgent contains "python" | summarize make_set(AppDisplayName) by IPAddress | sort by IPAddress asc | take 20`,
		`SigninLogs | where ResultType == 50126 | summarize f = count() by UserPrincipalName | join kind=inner (SigninLogs | where ResultType == 0 | summarize s = count() by UserPrincipalName) on UserPrincipalName | sort by UserPrincipalName asc | take 30`,
		`SigninLogs | extend h = hourofday(TimeGenerated) | where h between (0 .. 5) | summarize avg(todouble(h)), sum(ResultType) by AppDisplayName | sort by AppDisplayName asc`,
	}
	for _, q := range queries {
		serial, err := runQuery(context.Background(), cat, Options{Parallelism: 1, Now: goldenNow}, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		par, err := runQuery(context.Background(), cat, Options{Parallelism: 4, Now: goldenNow}, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if a, b := printTable(serial[0].Table), printTable(par[0].Table); a != b {
			t.Errorf("%s: parallel result differs from serial\nserial:\n%.400s\nparallel:\n%.400s", q, a, b)
		}
		if serial[0].Table.Rows() == 0 {
			t.Errorf("%s: empty result; the comparison proves nothing", q)
		}
	}
}

func TestTruncationFlagsResult(t *testing.T) {
	res, err := runQuery(context.Background(), nil, Options{MaxRows: 5}, "range x from 1 to 10 step 1")
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Truncated || res[0].Table.Rows() != 5 {
		t.Fatalf("want 5 rows truncated, got %d rows truncated=%v", res[0].Table.Rows(), res[0].Truncated)
	}
	res, err = runQuery(context.Background(), nil, Options{MaxRows: 50}, "range x from 1 to 10 step 1")
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Truncated || res[0].Table.Rows() != 10 {
		t.Fatalf("want 10 rows not truncated, got %d rows truncated=%v", res[0].Table.Rows(), res[0].Truncated)
	}
}

func TestResultNameRenderAndStats(t *testing.T) {
	res, err := runQuery(context.Background(), newTestCatalog(), Options{Now: goldenNow},
		`SigninLogs | summarize count() by bin(TimeGenerated, 1h) | as Hourly | render timechart with (title="Sign-ins", ycolumns=count_)`)
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	if r.Name != "Hourly" {
		t.Errorf("Name = %q, want Hourly", r.Name)
	}
	if r.Render == nil || r.Render.Kind != "timechart" || r.Render.Props["title"] != "Sign-ins" {
		t.Errorf("Render = %+v, want timechart titled Sign-ins", r.Render)
	}
	if r.Stats.RowsScanned != 4 {
		t.Errorf("RowsScanned = %d, want 4", r.Stats.RowsScanned)
	}
}

func TestSessionKeepsBindingsAcrossRuns(t *testing.T) {
	s := NewSession(newTestCatalog(), Options{Now: goldenNow})
	run := func(q string) []*Result {
		t.Helper()
		script, file, err := parseScript(q)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Run(context.Background(), script, file)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return res
	}
	run(`let minFailures = 2;`)
	run(`SigninLogs | where ResultType != "0" | as Failures`)
	res := run(`Failures | summarize n = count() by UserPrincipalName | where n >= minFailures`)
	if got := printTable(res[0].Table); got != "UserPrincipalName:string | n:long\nbob@contoso.com | 2" {
		t.Fatalf("got:\n%s", got)
	}
	if b := s.Bindings(); len(b) != 2 || b[0] != "Failures" || b[1] != "minFailures" {
		t.Fatalf("Bindings() = %v", b)
	}
}

// TestHandBuiltAST runs an AST built without the parser, as other
// packages may do: top-nested with two levels.
func TestHandBuiltTopNested(t *testing.T) {
	id := func(n string) *ast.Ident { return &ast.Ident{Name: n} }
	lit := func(v types.Value) *ast.Lit { return &ast.Lit{Value: v} }
	call := func(f string, args ...ast.Expr) *ast.CallExpr { return &ast.CallExpr{Fun: id(f), Args: args} }
	dt := &ast.DataTableOp{
		Columns: []*ast.TypedExpr{
			{Name: id("State"), Type: &ast.TypeExpr{Type: types.String}},
			{Name: id("Source"), Type: &ast.TypeExpr{Type: types.String}},
			{Name: id("Damage"), Type: &ast.TypeExpr{Type: types.Long}},
		},
	}
	for _, row := range [][3]any{{"TX", "a", 10}, {"TX", "b", 5}, {"TX", "a", 1}, {"CA", "c", 7}, {"NY", "d", 1}} {
		dt.Values = append(dt.Values, lit(types.NewString(row[0].(string))), lit(types.NewString(row[1].(string))), lit(types.NewLong(int64(row[2].(int)))))
	}
	tn := &ast.TopNestedOp{Clauses: []*ast.TopNestedClause{
		{N: lit(types.NewLong(2)), Of: id("State"), By: &ast.OrderExpr{X: call("sum", id("Damage"))}},
		{N: lit(types.NewLong(1)), Of: id("Source"), By: &ast.OrderExpr{X: call("sum", id("Damage"))}},
	}}
	script := &ast.Script{Stmts: []ast.Stmt{&ast.ExprStmt{X: &ast.Pipe{Source: &ast.OpExpr{Op: dt}, Ops: []ast.Operator{tn}}}}}
	res, err := NewSession(nil, Options{}).Run(context.Background(), script, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "State:string | aggregated_State:long | Source:string | aggregated_Source:long\nTX | 16 | a | 11\nCA | 7 | c | 7"
	if got := printTable(res[0].Table); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestErrorsCarryPositions(t *testing.T) {
	cases := []struct{ q, want string }{
		{"print x = y", "1:11: unknown column or variable 'y'"},
		{"datatable(a:long)[1]\n| extend b = a + \"s\"", "2:16: operator + cannot be applied to long and string"},
		{"datatable(a:long)[1]\n| take b", "2:8: unknown column or variable 'b'"},
		{"datatable(a:long)[1]\n| evaluate autocluster()", "not supported yet: evaluate plugin autocluster"},
	}
	for _, c := range cases {
		_, err := runQuery(context.Background(), nil, Options{}, c.q)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.q, err, c.want)
		}
	}
}

func parseScript(q string) (*ast.Script, *token.File, error) {
	return parserParse(q)
}

// TestXDRTablesAnswerTimeGenerated: a Defender XDR export has Timestamp only;
// Sentinel stores the same table with TimeGenerated as well, and its queries
// say TimeGenerated.
func TestXDRTablesAnswerTimeGenerated(t *testing.T) {
	xdr := table.New("DeviceEvents", types.Schema{{Name: "Timestamp", Type: types.DateTime}, {Name: "DeviceName", Type: types.String}})
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i, name := range []string{"ws1", "ws2", "ws3"} {
		if err := xdr.AppendRow([]types.Value{types.FromTime(day.Add(time.Duration(i) * 24 * time.Hour)), types.NewString(name)}); err != nil {
			t.Fatal(err)
		}
	}
	la := table.New("SigninLogs", types.Schema{{Name: "TimeGenerated", Type: types.DateTime}})
	cat := &testCatalog{tables: map[string]*table.Table{"DeviceEvents": xdr, "SigninLogs": la}}
	checkQueries(t, cat, []queryCase{
		{"DeviceEvents | where TimeGenerated > datetime(2024-05-01T12:00) | project DeviceName, TimeGenerated",
			"DeviceName:string | TimeGenerated:datetime\nws2 | 2024-05-02T00:00:00Z\nws3 | 2024-05-03T00:00:00Z", ""},
		{"DeviceEvents | take 1", "Timestamp:datetime | DeviceName:string | TimeGenerated:datetime\n2024-05-01T00:00:00Z | ws1 | 2024-05-01T00:00:00Z", ""},
		// a Log Analytics table does not gain Timestamp
		{"SigninLogs | project Timestamp", "", "unknown column or variable 'Timestamp'"},
		// nor does a table made in the query
		{"datatable(Timestamp:datetime)[] | project TimeGenerated", "", "unknown column or variable 'TimeGenerated'"},
	})
	if xdr.Column("TimeGenerated") != nil {
		t.Error("the catalog's table was changed")
	}
}

// scan keeps its input's order, so window functions may follow it.
func TestScanKeepsOrder(t *testing.T) {
	q := `datatable(x:long)[3, 1, 2]
| order by x asc
| scan with_match_id=m declare (total:long = 0) with (step s: true => total = s.total + x;)
| extend rn = row_number()
| project x, total, m, rn`
	res, err := runQuery(context.Background(), nil, Options{}, q)
	if err != nil {
		t.Fatal(err)
	}
	want := "x:long | total:long | m:long | rn:long\n1 | 1 | 0 | 1\n2 | 3 | 0 | 2\n3 | 6 | 0 | 3"
	if got := printTable(res[0].Table); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// Hidden standard columns: a catalog table gains the ones a script names.
func TestHiddenStandardColumns(t *testing.T) {
	tb := table.New("Events", types.Schema{{Name: "a", Type: types.String}, {Name: "n", Type: types.Long},
		{Name: "d", Type: types.Dynamic}, {Name: "ok", Type: types.Bool}, {Name: "Type", Type: types.String}})
	rows := [][]types.Value{
		{types.NewString("xy"), types.NewLong(5), types.NewDynamic(map[string]any{"k": int64(1)}), types.NewBool(true), types.NewString("Events")},
		{types.NewString(""), types.NullOf(types.Long), types.NullOf(types.Dynamic), types.NullOf(types.Bool), types.NewString("Events")},
	}
	for _, row := range rows {
		if err := tb.AppendRow(row); err != nil {
			t.Fatal(err)
		}
	}
	cat := &testCatalog{tables: map[string]*table.Table{"Events": tb}}
	checkQueries(t, cat, []queryCase{
		// a = "xy": 1+2; n = 5: 1+8; d = {"k":1}: 1+7; ok: 2+1; Type is a standard column
		{"Events | project _BilledSize", "_BilledSize:real\n23\n0", ""},
		{"union * | summarize Bytes = sum(_BilledSize) by Type", "Type:string | Bytes:real\nEvents | 23", ""},
		// the documented cost query's filter
		{"Events | where _IsBillable == true | summarize Bytes = sum(_BilledSize)", "Bytes:real\n23", ""},
		{"Events | take 1 | project a, _ResourceId, _SubscriptionId", `a:string | _ResourceId:string | _SubscriptionId:string` + "\nxy | \"\" | \"\"", ""},
		// not named: not there
		{"Events | take 1", "a:string | n:long | d:dynamic | ok:bool | Type:string\nxy | 5 | {\"k\":1} | true | Events", ""},
		// only tables of the workspace have them
		{"datatable(a:string)['x'] | project _BilledSize", "", "unknown column or variable '_BilledSize'"},
	})
}

// queryCase is a query with its printed result, or the error it must fail
// with.
type queryCase struct{ q, want, err string }

func checkQueries(t *testing.T, cat Catalog, tests []queryCase) {
	t.Helper()
	for _, tc := range tests {
		res, err := runQuery(context.Background(), cat, Options{Now: goldenNow}, tc.q)
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
		if got := printTable(res[0].Table); got != tc.want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", tc.q, got, tc.want)
		}
	}
}

// A let that names itself means what the name meant before, as in Kusto;
// recursion through functions is refused with an error, never a stack
// overflow (which would end the kernel's process).
func TestLetSelfReferenceAndRecursion(t *testing.T) {
	cat := newTestCatalog()
	checkQueries(t, cat, []queryCase{
		{"let s = datatable(x:long)[1, 2, 3]; let s = s | where x > 1; s | count", "Count:long\n2", ""},
		{"let SigninLogs = SigninLogs | take 1; SigninLogs | count", "Count:long\n1", ""},
		{"let f = () { 41 }; let f = () { f() + 1 }; print x = f()", "x:long\n42", ""},
		{"let s = s | take 1; s", "", "unknown table 's'"},
		{"let f = () { f() }; f()", "", "must be tabular"}, // f() inside is no function: f is not yet defined there
		{"let f = (n:long) { f(n) }; print f(1)", "", "unknown"},
	})
	// through the session: f and g defined in different cells call each other
	s := NewSession(cat, Options{Now: goldenNow})
	for i, q := range []string{"let f = () { g() };", "let g = () { f() };", "f()", "print x = toscalar(f())"} {
		script, file, err := parseScript(q)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Run(context.Background(), script, file)
		if i < 2 && err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if i == 2 && err == nil {
			t.Errorf("%s: no error", q)
		}
		if i == 3 && (err == nil || !strings.Contains(err.Error(), "recursion is not allowed")) {
			t.Errorf("%s: error %v, want recursion refused", q, err)
		}
	}
}

// A bool compares equal to the string it converts to (tobool), as Kusto
// does in IsLocalAdmin == "True" and the documented _IsBillable == true.
func TestBoolEqualsString(t *testing.T) {
	checkQueries(t, nil, []queryCase{
		{`datatable(b:bool, s:string)[true, "True", false, "true", true, "no"] | where b == "True" | count`, "Count:long\n2", ""},
		{`datatable(b:bool, s:string)[true, "True", false, "true", true, "no"] | where s == true | project s`, "s:string\nTrue\ntrue", ""},
		{`datatable(b:bool, s:string)[true, "True", false, "true", true, "no"] | where b != s | project s`, "s:string\ntrue", ""},
		{`print x = "false" == false, y = "maybe" == true`, "x:bool | y:bool\ntrue | null", ""},
		{`print true < "x"`, "", "cannot compare bool with string using <"},
	})
}

// A range larger than the engine makes fails with its size, known before
// any row is built; one within it is built whole.
func TestRangeLimit(t *testing.T) {
	checkQueries(t, nil, []queryCase{
		{"range x from 1 to 100000000000 step 1 | count", "", "range would produce 100000000000 rows, more than the 100000000 a range may make"},
		{"range x from 0.0 to 1e12 step 0.5 | count", "", "range would produce 2000000000001 rows"},
		{"range x from 1 to 100000 step 1 | count", "Count:long\n100000", ""},
		{"range x from 10 to 1 step -3 | summarize make_list(x)", "list_x:dynamic\n[10,7,4,1]", ""},
		{"range x from 1 to 0 step 1 | count", "Count:long\n0", ""},
	})
}
