package notebooks

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huntbook/huntbook/jupyter"
	"github.com/huntbook/huntbook/kql/types"
)

func TestParseParameters(t *testing.T) {
	ps, err := ParseParameters("// who\nlet user = \"alice@contoso.com\"; // the user\n\nlet lookback = 14d;\nlet n = 5;\nlet since = datetime(2026-01-01);")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		typ  types.Type
	}{{"user", types.String}, {"lookback", types.TimeSpan}, {"n", types.Long}, {"since", types.DateTime}}
	if len(ps) != len(want) {
		t.Fatalf("got %d params", len(ps))
	}
	for i, w := range want {
		if ps[i].Name != w.name || ps[i].Default.Type != w.typ {
			t.Errorf("param %d = %s:%s, want %s:%s", i, ps[i].Name, ps[i].Default.Type, w.name, w.typ)
		}
	}
	if ps[0].Comment != "the user" {
		t.Errorf("comment = %q", ps[0].Comment)
	}
	for _, bad := range []string{"user = 1", "let x = strcat('a','b');", "let x = ;"} {
		if _, err := ParseParameters(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestInjectedSource(t *testing.T) {
	declared, _ := ParseParameters("let user = \"a\";\nlet lookback = 14d;\nlet n = 5;\nlet when = datetime(2026-01-01);\nlet ids = dynamic([]);")
	tests := []struct {
		values  map[string]any
		want    string
		warn    int
		wantErr string
	}{
		{map[string]any{"user": `bob" | take 1; print "x`}, `let user = "bob\" | take 1; print \"x";`, 0, ""},
		{map[string]any{"lookback": "2d"}, "let lookback = timespan(2.00:00:00);", 0, ""},
		{map[string]any{"lookback": "1h"}, "let lookback = timespan(01:00:00);", 0, ""},
		{map[string]any{"n": 7}, "let n = long(7);", 0, ""},
		{map[string]any{"when": "2026-02-03T04:05:06Z"}, "let when = datetime(2026-02-03T04:05:06Z);", 0, ""},
		{map[string]any{"extra": "3"}, "let extra = long(3);", 1, ""},
		{map[string]any{"n": "seven"}, "", 0, `parameter n: "seven" is not a long`},
		{map[string]any{"lookback": "soon"}, "", 0, `parameter lookback: "soon" is not a timespan`},
		{map[string]any{"bad name": "x"}, "", 0, `parameter name "bad name" is not a KQL identifier`},
		// Values as a YAML parameters file decodes them.
		{map[string]any{"when": time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC)}, "let when = datetime(2026-02-03", 0, ""},
		{map[string]any{"user": time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC)}, `let user = "2026-02-03T00:00:00Z";`, 0, ""},
		{map[string]any{"ids": []any{"a", 2}}, `let ids = dynamic(["a",2]);`, 0, ""},
		{map[string]any{"ids": `["x"]`}, `let ids = dynamic(["x"]);`, 0, ""},
		{map[string]any{"user": map[string]any{"nested": 1}}, "", 0, "parameter user: the value is a mapping, not a string"},
		{map[string]any{"n": []any{1}}, "", 0, "parameter n: the value is a list, not a long"},
		{map[string]any{"user": nil}, "", 0, "parameter user: the value is null"},
		{map[string]any{"extra2": []any{1}}, "let extra2 = dynamic([1]);", 1, ""},
	}
	for _, tc := range tests {
		src, warns, err := InjectedSource(declared, tc.values)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v: err = %v, want %q", tc.values, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tc.values, err)
			continue
		}
		if !strings.Contains(src, tc.want) || len(warns) != tc.warn {
			t.Errorf("%v: got %q (%d warnings), want %q (%d)", tc.values, src, len(warns), tc.want, tc.warn)
		}
	}
}

func nbOf(t *testing.T, cells ...*Cell) *Notebook {
	t.Helper()
	return &Notebook{NBFormat: 4, NBFormatMinor: 5, Metadata: map[string]any{}, Cells: cells}
}

func TestPrepareInjectsAfterParametersCell(t *testing.T) {
	nb := nbOf(t,
		&Cell{CellType: "markdown", Source: "# t", Metadata: map[string]any{}},
		&Cell{CellType: "code", Source: "let n = 5;", Metadata: map[string]any{"tags": []any{"parameters"}}},
		&Cell{CellType: "code", Source: "// old", Metadata: map[string]any{"tags": []any{"injected-parameters"}}},
		&Cell{CellType: "code", Source: "print n", Metadata: map[string]any{}},
	)
	if _, err := Prepare(nb, map[string]any{"n": "9"}); err != nil {
		t.Fatal(err)
	}
	if len(nb.Cells) != 4 || !nb.Cells[2].HasTag("injected-parameters") || !strings.Contains(string(nb.Cells[2].Source), "long(9)") {
		t.Fatalf("cells after Prepare: %+v", nb.Cells)
	}
	// No parameters cell: injected at the top, with a warning.
	nb = nbOf(t, &Cell{CellType: "code", Source: "print 1", Metadata: map[string]any{}})
	warns, err := Prepare(nb, map[string]any{"x": "a"})
	if err != nil || len(warns) != 2 || !nb.Cells[0].HasTag("injected-parameters") {
		t.Fatalf("warns=%v err=%v cells=%d", warns, err, len(nb.Cells))
	}
}

func TestNotebookRoundTrip(t *testing.T) {
	src := `{"cells":[{"cell_type":"markdown","metadata":{},"source":["# a\n","b"]},
	{"cell_type":"code","metadata":{"tags":["parameters"]},"source":"let x = 1;","outputs":[],"execution_count":null}],
	"metadata":{"kernelspec":{"name":"huntbook"}},"nbformat":4,"nbformat_minor":5}`
	nb, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if nb.Cells[0].Source != "# a\nb" || !nb.Cells[1].HasTag("parameters") {
		t.Fatalf("parsed: %+v", nb.Cells)
	}
	out, err := nb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	cells := raw["cells"].([]any)
	md, code := cells[0].(map[string]any), cells[1].(map[string]any)
	if _, has := md["outputs"]; has {
		t.Error("markdown cell has outputs")
	}
	if _, has := code["execution_count"]; !has {
		t.Error("code cell lacks execution_count")
	}
	if _, err := Parse([]byte(`{"nbformat":3,"cells":[]}`)); err == nil || !strings.Contains(err.Error(), "nbformat 3") {
		t.Errorf("nbformat 3: err = %v", err)
	}
	if _, err := Parse([]byte("{\n\"cells\": [,]}")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad JSON: err = %v", err)
	}
}

func TestOutputsAndReport(t *testing.T) {
	msg := func(typ string, content map[string]any) *jupyter.Message {
		b, _ := json.Marshal(content)
		return &jupyter.Message{Header: jupyter.Header{MsgType: typ}, Content: b}
	}
	rep := &jupyter.ExecuteReply{Outputs: []*jupyter.Message{
		msg("stream", map[string]any{"name": "stdout", "text": "a"}),
		msg("stream", map[string]any{"name": "stdout", "text": "b\n"}),
		msg("execute_result", map[string]any{"data": map[string]any{"text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "1"}, "execution_count": 3}),
		msg("error", map[string]any{"ename": "KQLError", "evalue": "bad <x>", "traceback": []string{"\x1b[31mKQLError\x1b[0m: bad <x>"}}),
	}}
	outs := outputsOf(rep)
	if len(outs) != 3 || outs[0]["text"] != "ab\n" {
		t.Fatalf("outputs = %v", outs)
	}
	nb := nbOf(t, &Cell{CellType: "markdown", Source: "# Title\n<script>alert(1)</script>", Metadata: map[string]any{}},
		&Cell{CellType: "code", Source: "T | take 1", Metadata: map[string]any{}, Outputs: outs})
	var buf bytes.Buffer
	if err := WriteHTML(&buf, nb, "r"); err != nil {
		t.Fatal(err)
	}
	h := buf.String()
	for _, want := range []string{"<h1>Title</h1>", "<td>1</td>", "KQLError: bad &lt;x&gt;", "T | take 1"} {
		if !strings.Contains(h, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(h, "<script>alert") || strings.Contains(h, "\x1b[") {
		t.Error("report carries raw script or ANSI codes")
	}
}

// A report opens the failed cell's query beside its error and says which
// cells never ran.
func TestReportFailedAndUnrunCells(t *testing.T) {
	one, two := 1, 2
	ok := []map[string]any{{"output_type": "execute_result", "data": map[string]any{"text/plain": "1"}}}
	bad := []map[string]any{{"output_type": "error", "ename": "KQLError", "evalue": "x", "traceback": []any{"KQLError: x"}}}
	nb := nbOf(t,
		&Cell{CellType: "code", Source: "print 1", Metadata: map[string]any{}, ExecutionCount: &one, Outputs: ok},
		&Cell{CellType: "code", Source: "T | where Nope", Metadata: map[string]any{}, ExecutionCount: &two, Outputs: bad},
		&Cell{CellType: "code", Source: "print 3", Metadata: map[string]any{}},
	)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, nb, "r"); err != nil {
		t.Fatal(err)
	}
	h := buf.String()
	for _, want := range []string{
		`<details class="src"><summary>query [1]</summary>`,
		`<details class="src" open><summary>query [2] (failed)</summary><pre>T | where Nope</pre>`,
		`<summary>query (not run: an earlier cell failed)</summary><pre>print 3</pre>`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestTitleTruncatesRunes(t *testing.T) {
	tests := []struct{ src, want string }{
		{"print 1\nprint 2", "print 1"},
		{strings.Repeat("é", 70), strings.Repeat("é", 57) + "..."},
		{strings.Repeat("a", 60), strings.Repeat("a", 60)},
	}
	for _, tc := range tests {
		if got := Title(&Cell{Source: Source(tc.src)}); got != tc.want {
			t.Errorf("Title(%q) = %q, want %q", tc.src, got, tc.want)
		}
	}
}

// The bar is cut to the terminal's width (a wrapped line cannot be redrawn
// in place) and keeps ticking while a cell runs.
func TestTermProgressFitsAndTicks(t *testing.T) {
	var buf syncBuffer
	p := &TermProgress{W: &buf, Width: 40, Tick: 5 * time.Millisecond}
	c := &Cell{Source: Source(strings.Repeat("SigninLogs | where x ", 10))}
	p.Start(2)
	p.Cell(1, 2, c)
	time.Sleep(40 * time.Millisecond)
	p.Done(1, 2, c, 0, nil)
	p.Finish()
	out := buf.String()
	draws := strings.Split(out, "\r\x1b[K")
	if len(draws) < 4 { // "", first draw, ticks..., done
		t.Fatalf("%d draws, want ticks while the cell runs: %q", len(draws)-1, out)
	}
	for _, d := range draws[1:] {
		line := strings.TrimSuffix(d, "\n")
		if n := len([]rune(line)); n > 39 {
			t.Errorf("line of %d runes on a 40-column terminal: %q", n, line)
		}
	}
	if !strings.Contains(out, "1/2 cells") {
		t.Errorf("no finished count: %q", out)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A cell marked expect_rows names its message with the parameters in
// effect, and only a table with rows satisfies it.
func TestExpectRows(t *testing.T) {
	table := func(n any) []map[string]any {
		return []map[string]any{{"output_type": "execute_result", "data": map[string]any{"application/json": map[string]any{"row_count": n}}}}
	}
	rowsCases := []struct {
		name string
		outs []map[string]any
		want bool
	}{
		{"no outputs", nil, false},
		{"empty table", table(float64(0)), false},
		{"rows (decoded JSON)", table(float64(3)), true},
		{"rows (as the runner builds them)", table(2), true},
		{"text only", []map[string]any{{"output_type": "stream", "text": "3 rows"}}, false},
	}
	for _, c := range rowsCases {
		if got := hasRows(c.outs); got != c.want {
			t.Errorf("%s: hasRows = %v, want %v", c.name, got, c.want)
		}
	}
	nb := nbOf(t,
		&Cell{CellType: "code", Source: "let incident_number = 21; // which\nlet who = \"a\";", Metadata: map[string]any{"tags": []any{"parameters"}}},
		&Cell{CellType: "code", Source: "T", Metadata: map[string]any{"huntbook": map[string]any{ExpectRowsKey: "incident {incident_number} of {who} not found {nope} {"}}},
		&Cell{CellType: "code", Source: "T", Metadata: map[string]any{}},
	)
	msg, ok := expectRows(nb.Cells[1])
	if !ok {
		t.Fatal("expect_rows not read")
	}
	if _, ok := expectRows(nb.Cells[2]); ok {
		t.Error("a cell without the key expects rows")
	}
	expandCases := []struct {
		params map[string]any
		want   string
	}{
		{nil, "incident 21 of a not found {nope} {"},
		{map[string]any{"incident_number": "99", "who": "b c"}, "incident 99 of b c not found {nope} {"},
	}
	for _, c := range expandCases {
		if _, err := Prepare(nb, c.params); err != nil {
			t.Fatal(err)
		}
		if got := expand(msg, paramValues(nb)); got != c.want {
			t.Errorf("params %v: %q, want %q", c.params, got, c.want)
		}
	}
}

// The shipped incident triage stops at the incident cell when the number
// does not exist, with a message naming it.
func TestIncidentTriageExpectsItsIncident(t *testing.T) {
	b, ok := Shipped("incident-triage")
	if !ok {
		t.Fatal("incident-triage not shipped")
	}
	nb, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Prepare(nb, map[string]any{"incident_number": 99}); err != nil {
		t.Fatal(err)
	}
	for _, c := range nb.Cells {
		if msg, ok := expectRows(c); ok {
			if !strings.HasPrefix(strings.TrimSpace(string(c.Source)), "SecurityIncident") {
				t.Errorf("expect_rows on %q, not the incident cell", Title(c))
			}
			if got := expand(msg, paramValues(nb)); !strings.HasPrefix(got, "incident 99 not found") {
				t.Errorf("message %q", got)
			}
			return
		}
	}
	t.Error("no cell expects rows")
}

// A wide table keeps its cells on one line up to a width, scrolling
// sideways inside its output block instead of squeezing text columns.
func TestReportWideTables(t *testing.T) {
	row := strings.Repeat("<td>Multi-stage incident involving Initial access</td>", 12)
	outs := []map[string]any{{"output_type": "execute_result", "data": map[string]any{"text/html": "<table class=\"huntbook-table\"><tr>" + row + "</tr></table>"}}}
	nb := nbOf(t, &Cell{CellType: "code", Source: "T", Metadata: map[string]any{}, Outputs: outs})
	var buf bytes.Buffer
	if err := WriteHTML(&buf, nb, "r"); err != nil {
		t.Fatal(err)
	}
	h := buf.String()
	css := h[strings.Index(h, "<style>"):strings.Index(h, "</style>")]
	rules := map[string]string{}
	for _, r := range strings.Split(css, "\n") {
		if sel, body, ok := strings.Cut(r, "{"); ok {
			rules[sel] += strings.TrimSuffix(body, "}") + ";"
		}
	}
	tests := []struct{ selector, decl string }{
		{".output", "overflow-x:auto"},         // the block scrolls, not the page
		{".output table", "width:max-content"}, // columns as wide as their values
		{".output td", "max-width:32em"},       // up to a point
		{".output td", "overflow-wrap:anywhere"},
	}
	for _, tt := range tests {
		if !strings.Contains(rules[tt.selector], tt.decl) {
			t.Errorf("%s {%s} lacks %s", tt.selector, rules[tt.selector], tt.decl)
		}
	}
	if !strings.Contains(h, `<div class="output"><table class="huntbook-table">`) {
		t.Error("the table is not inside its scrolling output block")
	}
}

// Only a sign-in request reaches the terminal while a batch run waits.
func TestSignInNotices(t *testing.T) {
	msg := func(typ string, content map[string]any) *jupyter.Message {
		b, _ := json.Marshal(content)
		return &jupyter.Message{Header: jupyter.Header{MsgType: typ}, Content: b}
	}
	var buf bytes.Buffer
	for _, m := range []*jupyter.Message{
		msg("display_data", map[string]any{"data": map[string]any{"text/plain": "To sign in, enter the code HUNT-1234"}, "metadata": map[string]any{jupyter.SignInMetadata: true}}),
		msg("display_data", map[string]any{"data": map[string]any{"text/plain": "a chart"}, "metadata": map[string]any{}}),
		msg("stream", map[string]any{"name": "stdout", "text": "rows"}),
		msg("execute_result", map[string]any{"data": map[string]any{"text/plain": "1"}, "metadata": map[string]any{jupyter.SignInMetadata: true}}),
	} {
		notice(&buf, m)
		notice(nil, m)
	}
	if got := buf.String(); got != "To sign in, enter the code HUNT-1234\n" {
		t.Errorf("notices = %q", got)
	}
}
