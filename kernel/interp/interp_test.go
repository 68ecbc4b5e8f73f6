package interp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/jupyter"
	"github.com/huntbook/huntbook/kernel"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
)

// fakeEngine understands a handful of query shapes, enough to drive the
// interpreter:
//
//	print N [| as Name]      one 1x1 long result
//	rows N [| as Name]       N rows of (Account:string, Count:long)
//	two                      two results
//	error LINE COL MSG       an error at that position of the query
//	block                    waits for the interrupt
type fakeEngine struct {
	queries []string
}

type posErr struct {
	msg       string
	line, col int
}

func (e *posErr) Error() string { return e.msg }
func (e *posErr) Position() token.Position {
	return token.Position{Line: e.line, Column: e.col}
}

func (f *fakeEngine) Run(ctx context.Context, q string) ([]Result, error) {
	f.queries = append(f.queries, q)
	body, name, _ := strings.Cut(strings.TrimSpace(q), "| as ")
	fields := strings.Fields(body)
	if len(fields) == 0 {
		return nil, errors.New("empty query")
	}
	switch fields[0] {
	case "print":
		n, _ := strconv.ParseInt(fields[1], 10, 64)
		t := table.New("PrintResult", types.Schema{{Name: "print_0", Type: types.Long}})
		t.AppendRow([]types.Value{types.NewLong(n)})
		return []Result{{Table: t, Name: strings.TrimSpace(name), Elapsed: 3 * time.Millisecond}}, nil
	case "rows":
		n, _ := strconv.Atoi(fields[1])
		return []Result{{Table: accounts(n), Name: strings.TrimSpace(name)}}, nil
	case "two":
		return []Result{{Table: accounts(1)}, {Table: accounts(2)}}, nil
	case "error":
		l, _ := strconv.Atoi(fields[1])
		c, _ := strconv.Atoi(fields[2])
		return nil, &posErr{msg: strings.Join(fields[3:], " "), line: l, col: c}
	case "block":
		<-ctx.Done()
		return nil, ctx.Err()
	case "signin": // a provider's device code sign-in before its answer
		show := providers.PromptFrom(ctx)
		if show == nil {
			return nil, errors.New("no prompt in the context")
		}
		show("To sign in, enter the code HUNT-1234")
		return f.Run(ctx, "print 1")
	}
	return nil, fmt.Errorf("fake engine cannot run %q", q)
}

func (f *fakeEngine) Complete(code string, cursor int) ([]string, int, int) {
	start := strings.LastIndexAny(code[:cursor], " \n") + 1
	word := code[start:cursor]
	var out []string
	for _, kw := range []string{"where", "summarize", "project"} {
		if strings.HasPrefix(kw, word) {
			out = append(out, kw)
		}
	}
	return out, start, cursor
}

func (f *fakeEngine) Inspect(code string, cursor int) (string, bool) {
	if strings.Contains(code, "where") {
		return "where: filters rows", true
	}
	return "", false
}

func accounts(n int) *table.Table {
	t := table.New("Accounts", types.Schema{{Name: "Account", Type: types.String}, {Name: "Count", Type: types.Long}})
	for i := 0; i < n; i++ {
		t.AppendRow([]types.Value{types.NewString(fmt.Sprintf("user%d", i)), types.NewLong(int64(i * 10))})
	}
	return t
}

// recorder is a kernel.Output that keeps everything in order.
type recorder struct{ events []event }

type event struct {
	kind string // stdout, stderr, display, result, clear
	data map[string]any
	meta map[string]any
	text string
}

func (r *recorder) Stream(name, text string) {
	r.events = append(r.events, event{kind: name, text: text})
}
func (r *recorder) Display(d, m map[string]any) {
	r.events = append(r.events, event{kind: "display", data: d, meta: m})
}
func (r *recorder) Result(d, m map[string]any) {
	r.events = append(r.events, event{kind: "result", data: d})
}
func (r *recorder) Clear(wait bool) { r.events = append(r.events, event{kind: "clear"}) }

func (r *recorder) kinds() string {
	var s []string
	for _, e := range r.events {
		s = append(s, e.kind)
	}
	return strings.Join(s, ",")
}

func (r *recorder) text() string {
	var b strings.Builder
	for _, e := range r.events {
		b.WriteString(e.text)
		if p, ok := e.data["text/plain"].(string); ok {
			b.WriteString(p + "\n")
		}
	}
	return b.String()
}

func run(t *testing.T, in *Interpreter, code string) (*recorder, kernel.ExecuteReply) {
	t.Helper()
	rec := &recorder{}
	reply := in.Execute(context.Background(), kernel.ExecuteRequest{Code: code, StoreHistory: true, ExecutionCount: 1}, rec)
	return rec, reply
}

// A provider's sign-in instructions show in the cell, marked for batch
// runners, before the result.
func TestSignInPromptInCell(t *testing.T) {
	rec, reply := run(t, New(&fakeEngine{}), "signin")
	if reply.Err != nil {
		t.Fatal(reply.Err)
	}
	if rec.kinds() != "display,result" {
		t.Fatalf("outputs = %s", rec.kinds())
	}
	e := rec.events[0]
	if e.data["text/plain"] != "To sign in, enter the code HUNT-1234" || e.meta[jupyter.SignInMetadata] != true {
		t.Errorf("sign-in display = %v, %v", e.data, e.meta)
	}
}

func TestExecuteCells(t *testing.T) {
	tests := []struct {
		name     string
		code     string
		kinds    string
		contains []string
		ename    string
	}{
		{"echo", "%echo hello, world", "stdout", []string{"hello, world\n"}, ""},
		{"echo stderr", "%echo --stderr oops", "stderr", []string{"oops\n"}, ""},
		{"echo dashes", "%echo -- --stderr is text", "stdout", []string{"--stderr is text"}, ""},
		{"echo bad option", "%echo --loud x", "", []string{"unknown option --loud", "usage: %echo"}, "MagicError"},
		{"query result", "print 7", "result", []string{"7\n"}, ""},
		{"last value is the result, earlier ones display", "%echo a\nprint 1\n%echo b\nprint 2", "stdout,display,stdout,result", []string{"a\n", "1\n", "b\n", "2\n"}, ""},
		{"two results", "two", "display,result", nil, ""},
		{"comment-only chunk is skipped", "// just a note\n%echo x", "stdout", []string{"x"}, ""},
		{"html", "%%html\n<b>bold</b>", "display", []string{"<b>bold</b>"}, ""},
		{"markdown", "%%markdown\n# Title", "display", []string{"# Title"}, ""},
		{"clear", "%echo a\n%clear", "stdout,clear", nil, ""},
		{"time line rest", "%time\nprint 3", "stdout,result", []string{"3\n", "Wall time: "}, ""},
		{"time cell", "%%time\n%echo timed", "stdout,stdout", []string{"timed", "Wall time: "}, ""},
		{"time inline", "%time print 4", "stdout,result", []string{"4\n"}, ""},
		{"lsmagic", "%lsmagic", "result", []string{"%echo", "%%html", "%time", "%%time", "%name?"}, ""},
		{"unknown magic", "%ecoh hi", "", []string{"unknown magic %ecoh", "did you mean %echo?", "line magics: ", "%lsmagic", "cell magics: %%html"}, "UnknownMagic"},
		{"cell magic used as line", "%html x", "", []string{"unknown magic %html (%%html exists"}, "UnknownMagic"},
		{"bad magic name", "%ec$ho", "", []string{"bad magic name"}, "MagicError"},
		{"error stops the cell", "%echo before\nerror 1 1 boom\n%echo after", "stdout", []string{"before"}, "KQLError"},
		{"result before an error is still shown", "print 1\n%nosuch", "display", []string{"1\n"}, "UnknownMagic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := New(&fakeEngine{})
			rec, reply := run(t, in, tc.code)
			if got := rec.kinds(); got != tc.kinds {
				t.Errorf("output kinds %q, want %q", got, tc.kinds)
			}
			all := rec.text()
			if reply.Err != nil {
				all += reply.Err.Value + strings.Join(reply.Err.Traceback, "\n")
			}
			for _, s := range tc.contains {
				if !strings.Contains(all, s) {
					t.Errorf("output %q lacks %q", all, s)
				}
			}
			switch {
			case tc.ename == "" && reply.Err != nil:
				t.Errorf("unexpected error %v", reply.Err)
			case tc.ename != "" && (reply.Err == nil || reply.Err.Name != tc.ename):
				t.Errorf("error = %v, want %s", reply.Err, tc.ename)
			}
		})
	}
}

func TestQueriesSplitAtMagics(t *testing.T) {
	e := &fakeEngine{}
	in := New(e)
	run(t, in, "print 1\n| as A\n%echo x\n\nprint 2")
	want := []string{"print 1\n| as A", "print 2"}
	if fmt.Sprint(e.queries) != fmt.Sprint(want) {
		t.Errorf("queries %q, want %q", e.queries, want)
	}
}

func TestHelpIsPaged(t *testing.T) {
	in := New(nil)
	for _, code := range []string{"%echo?", "%%html?", "%time?"} {
		rec, reply := run(t, in, code)
		if reply.Err != nil || len(rec.events) != 0 || len(reply.Payload) != 1 {
			t.Fatalf("%s: reply %+v events %v", code, reply, rec.events)
		}
		p := reply.Payload[0]
		text := p["data"].(map[string]any)["text/plain"].(string)
		if p["source"] != "page" || !strings.Contains(text, "Usage: %") {
			t.Errorf("%s: payload %v", code, p)
		}
	}
}

func TestNamedResultsAndWho(t *testing.T) {
	in := New(&fakeEngine{})
	rec, _ := run(t, in, "%who")
	if !strings.Contains(rec.text(), "No results kept yet") {
		t.Errorf("empty %%who = %q", rec.text())
	}
	run(t, in, "rows 5 | as Suspects")
	run(t, in, "print 9")
	if r, ok := in.Named("Suspects"); !ok || r.Table.Rows() != 5 {
		t.Errorf("Suspects = %+v, %v", r, ok)
	}
	if r, ok := in.Last(); !ok || r.Table.Rows() != 1 {
		t.Errorf("_ = %+v", r)
	}
	rec, _ = run(t, in, "%who")
	out := rec.text()
	for _, s := range []string{"Name", "Suspects", "5", "(Account:string, Count:long)", "_ ", "(print_0:long)"} {
		if !strings.Contains(out, s) {
			t.Errorf("%%who output %q lacks %q", out, s)
		}
	}
}

func TestHistoryMagic(t *testing.T) {
	in := New(nil)
	h := &kernel.History{}
	for i, c := range []string{"%echo one", "T | take 1", "%echo two", "%history -n -g %echo*"} {
		h.Add(i+1, c)
	}
	tests := []struct{ args, want string }{
		{"", "%echo one\nT | take 1\n%echo two\n"},
		{"2", "T | take 1\n%echo two\n"},
		{"-n -g %echo*", "  1: %echo one\n  3: %echo two\n"},
	}
	for _, tc := range tests {
		rec := &recorder{}
		code := strings.TrimSpace("%history " + tc.args)
		reply := in.Execute(context.Background(), kernel.ExecuteRequest{Code: code, StoreHistory: true, ExecutionCount: 4, History: h}, rec)
		if reply.Err != nil || rec.text() != tc.want {
			t.Errorf("%s: %q, %v; want %q", code, rec.text(), reply.Err, tc.want)
		}
	}
	_, reply := run(t, in, "%history -x")
	if reply.Err == nil || !strings.Contains(reply.Err.Value, "usage: %history") {
		t.Errorf("bad option: %v", reply.Err)
	}
}

func TestErrorCaret(t *testing.T) {
	in := New(&fakeEngine{})
	// The query starts on cell line 3; the engine reports line 1, column 7.
	_, reply := run(t, in, "%echo a\n\nerror 1 7 unknown column\n")
	if reply.Err == nil {
		t.Fatal("no error")
	}
	tb := strings.Join(reply.Err.Traceback, "\n")
	want := "KQLError: line 3, column 7: unknown column\n  error 1 7 unknown column\n        ^"
	if tb != want {
		t.Errorf("traceback\n%s\nwant\n%s", tb, want)
	}
	if reply.Err.Value != "line 3, column 7: unknown column" {
		t.Errorf("evalue %q", reply.Err.Value)
	}
	if got := caret("\tab", 3); got != "\t ^" {
		t.Errorf("caret keeps tabs: %q", got)
	}
}

// joinEngine returns several positioned errors at once.
type joinEngine struct{ fakeEngine }

func (j *joinEngine) Run(ctx context.Context, q string) ([]Result, error) {
	return nil, errors.Join(&posErr{"first", 1, 1}, &posErr{"second", 2, 3}, errors.New("no position"))
}

func TestJoinedErrors(t *testing.T) {
	in := New(&joinEngine{})
	_, reply := run(t, in, "abc\nxyz")
	tb := strings.Join(reply.Err.Traceback, "\n")
	for _, s := range []string{"line 1, column 1: first\n  abc\n  ^", "line 2, column 3: second\n  xyz\n    ^", "KQLError: no position"} {
		if !strings.Contains(tb, s) {
			t.Errorf("traceback %q lacks %q", tb, s)
		}
	}
}

func TestNoEngine(t *testing.T) {
	in := New(nil)
	_, reply := run(t, in, "SecurityEvent | take 1")
	if reply.Err == nil || reply.Err.Name != "NoEngine" || !strings.Contains(reply.Err.Value, "no KQL engine connected") {
		t.Errorf("reply = %+v", reply.Err)
	}
}

func TestInterrupt(t *testing.T) {
	in := New(&fakeEngine{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(10*time.Millisecond, cancel)
	reply := in.Execute(ctx, kernel.ExecuteRequest{Code: "block"}, &recorder{})
	if reply.Err == nil || reply.Err.Name != "Interrupted" {
		t.Errorf("reply = %+v", reply.Err)
	}
}

func TestRegister(t *testing.T) {
	in := New(nil)
	if err := in.Register(Magic{Name: "bad-name", Kind: LineMagic, Run: func(context.Context, *Call) error { return nil }}); err == nil {
		t.Error("bad name accepted")
	}
	if err := in.Register(Magic{Name: "norun", Kind: LineMagic}); err == nil {
		t.Error("magic without Run accepted")
	}
	var got *Call
	err := in.Register(Magic{Name: "hunt", Kind: CellMagic, KQLBody: true, Usage: "%%hunt", Run: func(ctx context.Context, c *Call) error {
		got = c
		return errors.New("went wrong")
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, reply := run(t, in, "%%hunt --x 1\nT\n| take 1")
	if got == nil || got.Args != "--x 1" || got.Body != "T\n| take 1" || !got.Cell || got.Line != 1 {
		t.Errorf("call = %+v", got)
	}
	if reply.Err == nil || reply.Err.Value != "%%hunt: went wrong" {
		t.Errorf("error = %+v", reply.Err)
	}
	if New(nil).magic("hunt") != nil {
		t.Error("Register must not leak into other interpreters")
	}
}

func TestUserExpressions(t *testing.T) {
	in := New(&fakeEngine{})
	rec := &recorder{}
	reply := in.Execute(context.Background(), kernel.ExecuteRequest{Code: "%echo x", UserExpressions: map[string]string{"a": "print 5", "b": "%nope"}}, rec)
	a := reply.UserExpressions["a"].(map[string]any)
	if a["status"] != "ok" || a["data"].(map[string]any)["text/plain"] != "5" {
		t.Errorf("a = %v", a)
	}
	if b := reply.UserExpressions["b"].(map[string]any); b["status"] != "error" || b["ename"] != "UnknownMagic" {
		t.Errorf("b = %v", b)
	}
	if rec.kinds() != "stdout" {
		t.Errorf("user expressions must not print: %s", rec.kinds())
	}
}

func TestIsComplete(t *testing.T) {
	in := New(nil)
	in.Register(Magic{Name: "kql", Kind: CellMagic, KQLBody: true, Run: func(context.Context, *Call) error { return nil }})
	tests := []struct{ code, want string }{
		{"", "complete"},
		{"%echo hi", "complete"},
		{"%echo?", "complete"},
		{"%nosuch", "complete"}, // runs, and says it is unknown
		{"SecurityEvent | take 10", "complete"},
		{"SecurityEvent\n| where EventID == 4625\n| summarize count() by Account", "complete"},
		{"let x = 1;\nprint x", "complete"},
		{"T | take 1;", "complete"},
		{"print s = 'a)b' // (", "complete"},
		{"print @'c:\\temp\\'", "complete"},
		{"print ```\nmulti ( line\n```", "complete"},
		{"let f = (a:int) { a + 1 };\nprint f(1)", "complete"},
		{"%%html\n<div>", "complete"},
		{"Pattern | take 1", "complete"}, // a table, not the pattern statement
		{"T | where a AND", "complete"},  // AND is not KQL's and
		{"SecurityEvent |", "incomplete"},
		{"SecurityEvent\n| where x == 1 and", "incomplete"},
		{"T | summarize count() by", "incomplete"},
		{"T | project a,", "incomplete"},
		{"print (1", "incomplete"},
		{"print dynamic({\"a\": [1, 2]", "incomplete"},
		{"print 'abc", "incomplete"},
		{"print ```abc", "incomplete"},
		{"let x = 1", "incomplete"},
		{"let x = 1;", "incomplete"},
		{"let x = 1; let y = 2;", "incomplete"},
		{"%%kql\nT |", "incomplete"},
		{"%%kql", "incomplete"},
		{"print 1)", "invalid"},
		{"print (1]", "invalid"},
		{"%ec$ho hi", "invalid"},
		{"%%9x\nbody", "invalid"},
		{"T |\n%echo x", "invalid"},
		{"%%kql\nprint 1)", "invalid"},
	}
	for _, tc := range tests {
		if got := in.IsComplete(tc.code).Status; got != tc.want {
			t.Errorf("IsComplete(%q) = %s, want %s", tc.code, got, tc.want)
		}
	}
}

func TestComplete(t *testing.T) {
	in := New(&fakeEngine{})
	tests := []struct {
		code       string
		cursor     int // -1: end
		matches    string
		start, end int
	}{
		{"%ec", -1, "%echo", 0, 3},
		{"%%h", -1, "%%html", 0, 3},
		{"%ti", -1, "%%time,%time,%timerange", 0, 3},
		{"%h", -1, "%%html,%history", 0, 2},
		{"%%h", -1, "%%html", 0, 3},
		{"print 1\n  %his", -1, "%history", 10, 14},
		{"%echo x\nT | wh", -1, "where", 12, 14},
		{"T | wh\n%echo x", 6, "where", 4, 6},
		{"%echo wh", -1, "", 8, 8}, // magic arguments: nothing to offer yet
	}
	for _, tc := range tests {
		cur := tc.cursor
		if cur < 0 {
			cur = len(tc.code)
		}
		r := in.Complete(tc.code, cur)
		if got := strings.Join(r.Matches, ","); got != tc.matches || r.CursorStart != tc.start || r.CursorEnd != tc.end {
			t.Errorf("Complete(%q, %d) = %q [%d,%d), want %q [%d,%d)", tc.code, cur, got, r.CursorStart, r.CursorEnd, tc.matches, tc.start, tc.end)
		}
	}
	if r := New(nil).Complete("T | wh", 6); len(r.Matches) != 0 {
		t.Errorf("no engine should offer nothing: %v", r.Matches)
	}
}

func TestInspect(t *testing.T) {
	in := New(&fakeEngine{})
	tests := []struct {
		code  string
		found bool
		has   string
	}{
		{"%echo", true, "Usage: %echo"},
		{"%%time\nprint 1", false, ""}, // cursor at end: on the query, which the fake does not know
		{"print 1\n%history 3", true, "%history [-n]"},
		{"T | where x", true, "filters rows"},
		{"%nosuch", false, ""},
	}
	for _, tc := range tests {
		r := in.Inspect(tc.code, len(tc.code), 0)
		text, _ := r.Data["text/plain"].(string)
		if r.Found != tc.found || !strings.Contains(text, tc.has) {
			t.Errorf("Inspect(%q) = %v %q", tc.code, r.Found, text)
		}
	}
}

func TestBundle(t *testing.T) {
	tb := table.New("Mixed", types.Schema{
		{Name: "Name", Type: types.String}, {Name: "Count", Type: types.Long}, {Name: "Score", Type: types.Real},
		{Name: "When", Type: types.DateTime}, {Name: "Props", Type: types.Dynamic}, {Name: "Flag", Type: types.Bool},
	})
	bag := types.NewBag()
	bag.Set("b", int64(1))
	bag.Set("a", "<x>")
	long := types.NewBag()
	long.Set("CommandLine", strings.Repeat("powershell -enc AAAA ", 6))
	tb.AppendRow([]types.Value{types.NewString("<script>alert(1)</script>"), types.NewLong(12345), types.NewReal(math.NaN()),
		types.NewDateTime(types.TimeToTicks(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))), types.NewDynamic(bag), types.NewBool(true)})
	tb.AppendRow([]types.Value{types.NewString("line1\nline2"), types.NullOf(types.Long), types.NewReal(1.5),
		types.NullOf(types.DateTime), types.NewDynamic(long), types.NewBool(false)})
	tb.AppendRow([]types.Value{types.NewString("third"), types.NewLong(3), types.NewReal(2), types.NullOf(types.DateTime), types.NewDynamic(nil), types.NullOf(types.Bool)})
	r := Result{Table: tb, Name: "Mixed", Elapsed: 1500 * time.Millisecond}
	b := Bundle(r, 2)

	h := b["text/html"].(string)
	for _, s := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;", `<td style="text-align:right">12345</td>`, "<code>{&#34;b&#34;:1,&#34;a&#34;:&#34;&lt;x&gt;&#34;}</code>",
		"<details>", "2026-01-02T03:04:05Z", "3 rows", "1.50 s", "showing the first 2", ">long<",
	} {
		if !strings.Contains(h, s) {
			t.Errorf("html lacks %q:\n%s", s, h)
		}
	}
	if strings.Contains(h, "<script>") || strings.Contains(h, "third") {
		t.Errorf("html unescaped or not truncated:\n%s", h)
	}

	p := b["text/plain"].(string)
	lines := strings.Split(p, "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "Name ") || !strings.Contains(lines[2], `  12345  `) || !strings.Contains(lines[3], `line1\nline2`) {
		t.Errorf("text table:\n%s", p)
	}
	// Numbers are right-aligned: the header ends where the longest value ends.
	if i, j := strings.Index(lines[0], "Count")+len("Count"), strings.Index(lines[2], "12345")+len("12345"); i != j {
		t.Errorf("Count not right-aligned:\n%s", p)
	}
	if !strings.Contains(lines[4], "showing the first 2") {
		t.Errorf("text footer: %q", lines[4])
	}

	js, err := json.Marshal(b["application/json"])
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Columns []struct{ Name, Type string }
		Rows    [][]any
		Count   int  `json:"row_count"`
		Trunc   bool `json:"truncated"`
	}
	json.Unmarshal(js, &back)
	if len(back.Rows) != 2 || back.Count != 3 || !back.Trunc || back.Columns[3].Type != "datetime" {
		t.Errorf("json = %s", js)
	}
	if back.Rows[0][2] != "NaN" || back.Rows[1][1] != nil || back.Rows[0][4].(map[string]any)["a"] != "<x>" || back.Rows[0][5] != true {
		t.Errorf("json values = %v", back.Rows)
	}

	one := Bundle(Result{Table: accounts(1)}, 10)
	if one["text/plain"] == "user0" {
		t.Error("a 1x2 table is not a bare value")
	}
	single := table.New("", types.Schema{{Name: "x", Type: types.String}})
	single.AppendRow([]types.Value{types.NewString("only")})
	if got := Bundle(Result{Table: single}, 10)["text/plain"]; got != "only" {
		t.Errorf("1x1 text/plain = %q", got)
	}
}

func TestReadableJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":"\u003cx\u003e \u0026"}`, `{"a":"<x> &"}`},
		{`{"a":"\\u003c"}`, `{"a":"\\u003c"}`}, // a literal backslash-u text stays
		{`"\n\u00e9"`, `"\n\u00e9"`},
	}
	for _, tc := range tests {
		if got := readableJSON(tc.in); got != tc.want {
			t.Errorf("readableJSON(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestMagicArgumentCompletion(t *testing.T) {
	in := New(nil)
	tables := []string{"SecurityEvent", "SigninLogs", "Syslog"}
	in.Register(Magic{Name: "schema", Kind: LineMagic, Run: func(context.Context, *Call) error { return nil },
		Complete: func(_ *Interpreter, args string, cursor int) ([]string, int, int) {
			start := strings.LastIndexByte(args[:cursor], ' ') + 1
			var out []string
			for _, tb := range tables {
				if strings.HasPrefix(tb, args[start:cursor]) {
					out = append(out, tb)
				}
			}
			return out, start, cursor
		}})
	tests := []struct {
		code       string
		matches    string
		start, end int
	}{
		{"%schema Si", "SigninLogs", 8, 10},
		{"print 1\n  %schema S", "SecurityEvent,SigninLogs,Syslog", 18, 19},
		{"%echo Si", "", 8, 8}, // %echo completes nothing
	}
	for _, tc := range tests {
		r := in.Complete(tc.code, len(tc.code))
		if got := strings.Join(r.Matches, ","); got != tc.matches || r.CursorStart != tc.start || r.CursorEnd != tc.end {
			t.Errorf("Complete(%q) = %q [%d,%d), want %q [%d,%d)", tc.code, got, r.CursorStart, r.CursorEnd, tc.matches, tc.start, tc.end)
		}
	}
}

func TestTableLookupAndTimeout(t *testing.T) {
	in := New(&fakeEngine{})
	if _, ok := in.Table("_"); ok {
		t.Error("no result yet, but _ found")
	}
	run(t, in, "rows 3 | as Three")
	run(t, in, "print 1")
	if tb, ok := in.Table("Three"); !ok || tb.Rows() != 3 {
		t.Errorf("Three = %v %v", tb, ok)
	}
	if tb, ok := in.Table("_"); !ok || tb.Rows() != 1 {
		t.Errorf("_ = %v %v", tb, ok)
	}
	if _, ok := in.Table("Nope"); ok {
		t.Error("Nope found")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	reply := in.Execute(ctx, kernel.ExecuteRequest{Code: "block"}, &recorder{})
	if reply.Err == nil || reply.Err.Name != "Timeout" {
		t.Errorf("timeout reply = %+v", reply.Err)
	}
}

func BenchmarkBundle10kRows(b *testing.B) {
	r := Result{Table: accounts(10000), Elapsed: time.Second}
	b.ReportAllocs()
	for b.Loop() {
		Bundle(r, DefaultMaxRows)
	}
}
