package templates

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/scanner"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

func TestLiteralRoundTrip(t *testing.T) {
	ts := time.Date(2024, 3, 4, 5, 6, 7, 123456700, time.UTC)
	cases := []struct {
		v    types.Value
		want string
	}{
		{types.NewString(`a"b\c`), `"a\"b\\c"`},
		{types.NewString("line1\nline2\r\t"), `"line1\nline2\r\t"`},
		{types.NewString("nul\x00bell\x07"), `"nul\u0000bell\u0007"`},
		{types.NewString("ünï"), `"ünï"`},
		{types.NewLong(-42), "-42"},
		{types.NewInt(7), "int(7)"},
		{types.NewReal(2), "2.0"},
		{types.NewReal(1.5e300), "1.5e+300"},
		{types.NewReal(math.NaN()), "real(nan)"},
		{types.NewReal(math.Inf(-1)), "real(-inf)"},
		{types.NewBool(true), "true"},
		{types.FromTime(ts), "datetime(2024-03-04T05:06:07.1234567Z)"},
		{types.NewTimeSpan(90 * types.Minute), "timespan(01:30:00)"},
		{types.NewGUID("6F9619FF-8B86-D011-B42D-00C04FC964FF"), "guid(6f9619ff-8b86-d011-b42d-00c04fc964ff)"},
		{types.NullOf(types.Long), "long(null)"},
		{types.NullOf(types.DateTime), "datetime(null)"},
	}
	for _, c := range cases {
		got, err := Literal(c.v)
		if err != nil {
			t.Fatalf("Literal(%v): %v", c.v, err)
		}
		if got != c.want {
			t.Errorf("Literal(%#v) = %s, want %s", c.v, got, c.want)
			continue
		}
		// The engine's parser must read the literal back as the same value.
		e, err := parser.ParseExpr(got)
		if err != nil {
			t.Errorf("parse %s: %v", got, err)
			continue
		}
		if lit, ok := e.(*ast.Lit); ok {
			same := lit.Value.Type == c.v.Type && lit.Value.Valid == c.v.Valid && lit.Value.I == c.v.I && lit.Value.S == c.v.S &&
				(lit.Value.F == c.v.F || math.IsNaN(lit.Value.F) && math.IsNaN(c.v.F))
			if !same {
				t.Errorf("%s reads back as %#v, want %#v", got, lit.Value, c.v)
			}
		} else if c.v.Type != types.Long {
			t.Errorf("%s parses as %T, want a literal", got, e)
		}
	}
	if _, err := Literal(types.NewString("bad\xff")); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("non-UTF-8 string: err = %v, want a UTF-8 error", err)
	}
}

func TestLiteralStringsParseBack(t *testing.T) {
	for _, s := range hostile {
		if !strings.Contains(s, "\xff") {
			lit, err := QuoteString(s)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parser.Unquote(lit)
			if err != nil || got != s {
				t.Errorf("Unquote(QuoteString(%q)) = %q, %v", s, got, err)
			}
		}
	}
}

// hostile values try to close a literal, start a comment or a new
// statement, or smuggle bytes the lexer might treat differently.
var hostile = []string{
	`x' | drop A`,
	`x" | take 0 //`,
	`\`,
	`\'`,
	`\"`,
	"a\nb | drop A",
	"a\r\n| project-away A",
	"// comment",
	"@'",
	"```",
	"\u2028| drop A",
	"'; T | drop A; '",
	"{other}",
	"}}{{",
	"\x00",
	"bad\xff\xfe",
	"h'",
}

func mkQuery(t *testing.T, text string, params map[string]Param) *Query {
	t.Helper()
	for n, p := range params {
		p.Name = n
		params[n] = p
	}
	q := &Query{Name: "T.q", Text: text, Params: params}
	if err := q.checkPlaceholders(); err != nil {
		t.Fatal(err)
	}
	return q
}

type tok struct {
	kind token.Token
	lit  string
}

func scan(t *testing.T, src string) ([]tok, int) {
	t.Helper()
	var s scanner.Scanner
	s.Init(nil, []byte(src), nil)
	var out []tok
	for {
		_, k, lit := s.Scan()
		if k == token.EOF {
			return out, s.ErrorCount
		}
		out = append(out, tok{k, lit})
	}
}

func TestRenderHostileValues(t *testing.T) {
	str := map[string]Param{"x": {Type: "str"}}
	contexts := []struct {
		name, text string
		benign     string
		// wantLit is the string literal value the hostile value must become.
		wantLit func(v string) string
		// refuse reports values this context must reject.
		refuse func(v string) bool
	}{
		{"single-quoted", `T | where A == '{x}' | take 1`, "v", func(v string) string { return v }, nil},
		{"double-quoted", `T | where A == "{x}" | take 1`, "v", func(v string) string { return v }, nil},
		{"inside a longer string", `T | where A has 'pre{x}*' | take 1`, "v", func(v string) string { return "pre" + v + "*" }, nil},
		{"verbatim", `T | where A == @'{x}' | take 1`, "v", func(v string) string { return v },
			func(v string) bool { return strings.ContainsAny(v, "\r\n") }},
		{"obfuscated", `T | where A == h"{x}" | take 1`, "v", func(v string) string { return v }, nil},
		{"bare", `T | where {x} == 1 | take 1`, "v w", func(v string) string { return v }, nil},
	}
	for _, c := range contexts {
		q := mkQuery(t, c.text, str)
		base, err := q.Render(map[string]any{"x": c.benign}, RenderOptions{})
		if err != nil {
			t.Fatalf("%s: benign: %v", c.name, err)
		}
		want, _ := scan(t, base)
		for _, h := range hostile {
			got, err := q.Render(map[string]any{"x": h}, RenderOptions{})
			mustRefuse := strings.Contains(h, "\xff") || (c.refuse != nil && c.refuse(h))
			if mustRefuse {
				if err == nil {
					t.Errorf("%s: value %q: rendered %q, want an error", c.name, h, got)
				} else if !strings.Contains(err.Error(), "parameter x") {
					t.Errorf("%s: value %q: error %q does not name the parameter", c.name, h, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: value %q: %v", c.name, h, err)
				continue
			}
			toks, nerr := scan(t, got)
			if nerr != 0 || len(toks) != len(want) {
				t.Errorf("%s: value %q changed the query's tokens:\n%s\nvs\n%s", c.name, h, got, base)
				continue
			}
			found := false
			for i := range toks {
				if toks[i].kind != want[i].kind {
					t.Errorf("%s: value %q: token %d is %v, want %v in %s", c.name, h, i, toks[i].kind, want[i].kind, got)
				}
				if toks[i].kind == token.STRING {
					if s, err := parser.Unquote(toks[i].lit); err == nil && s == c.wantLit(h) {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("%s: value %q does not read back as a literal in %s", c.name, h, got)
			}
			if _, _, err := parser.Parse("", []byte(got)); err != nil {
				t.Errorf("%s: value %q: rendered query does not parse: %v\n%s", c.name, h, err, got)
			}
		}
	}
}

func TestRenderRefusals(t *testing.T) {
	q := mkQuery(t, "T\n| where TimeGenerated > datetime({start})\n| where N > {n} and R < {r} and B == {b}\n| where A in ({items})\n// {c}\n{add_query_items}", map[string]Param{
		"start": {Type: "datetime"}, "n": {Type: "int", Default: 1, HasDefault: true}, "r": {Type: "float", Default: 0.5, HasDefault: true},
		"b": {Type: "bool", Default: true, HasDefault: true}, "items": {Type: "list", Default: []any{"a"}, HasDefault: true},
		"c": {Type: "str", Default: "", HasDefault: true}, "add_query_items": {Type: "str", Default: "", HasDefault: true},
	})
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	good := map[string]any{"start": "2026-01-02"}
	cases := []struct {
		name string
		args map[string]any
		want string // substring of the error
	}{
		{"datetime injection", map[string]any{"start": "2024-01-01) | drop A"}, "parameter start: "},
		{"int injection", map[string]any{"start": "-1d", "n": "1 or true"}, "parameter n: "},
		{"float injection", map[string]any{"start": "-1d", "r": "1) | take 1"}, "parameter r: "},
		{"bool injection", map[string]any{"start": "-1d", "b": "true or 1==1"}, "parameter b: "},
		{"missing required", map[string]any{}, "parameter start is required"},
		{"unknown argument", map[string]any{"start": "-1d", "zzz": 1}, `unknown parameter "zzz"`},
		{"value in a comment", map[string]any{"start": "-1d", "c": "x\n| drop A"}, "comment"},
		{"fragment without pipe", map[string]any{"start": "-1d", "add_query_items": "drop A"}, "must start with |"},
		{"fragment with statement", map[string]any{"start": "-1d", "add_query_items": "| take 1; T | drop A"}, "statement separator"},
		{"fragment with open string", map[string]any{"start": "-1d", "add_query_items": "| where A == 'x"}, "not closed"},
		{"fragment with comment", map[string]any{"start": "-1d", "add_query_items": "| take 1 // rest"}, "comment"},
		{"fragment unbalanced", map[string]any{"start": "-1d", "add_query_items": "| where (A"}, "balanced"},
		{"empty list", map[string]any{"start": "-1d", "items": []string{}}, "empty"},
		{"list item not UTF-8", map[string]any{"start": "-1d", "items": []string{"\xff"}}, "item 1"},
	}
	for _, c := range cases {
		_, err := q.Render(c.args, RenderOptions{Now: now})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
	got, err := q.Render(map[string]any{"start": "-1d", "items": []string{"x' | drop", "b"}, "add_query_items": "| where A == 'a;b' | take 5"}, RenderOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	want := "T\n| where TimeGenerated > datetime(2026-01-09T00:00:00Z)\n| where N > 1 and R < 0.5 and B == true\n| where A in (\"x' | drop\", \"b\")\n// \n| where A == 'a;b' | take 5"
	if got != want {
		t.Errorf("render:\n%s\nwant:\n%s", got, want)
	}
	if _, err := q.Render(good, RenderOptions{Now: now}); err != nil {
		t.Errorf("date start: %v", err)
	}
}

const sampleYAML = `
metadata:
  version: 1
  description: test library
  data_environments: [LogAnalytics]
  data_families: [SecurityAlert, Alerts]
  tags: ['alert']
defaults:
  metadata:
    data_source: 'security_alert'
  parameters:
    table:
      description: Table name
      type: str
      default: 'SecurityAlert'
    start:
      description: Query start time
      type: datetime
    end:
      description: Query end time
      type: datetime
      default: -0
    query_project:
      description: Column projection
      type: str
      default: '| project TimeGenerated, AlertName'
    add_query_items:
      description: Additional query clauses
      type: str
      default: ''
sources:
  list_alerts:
    description: Retrieves list of alerts
    metadata:
      pivot: {short_name: alerts}
    args:
      query: '
        {table} {query_project}
        | where TimeGenerated >= datetime({start})
        | where TimeGenerated <= datetime({end})
        | extend Bag = dynamic({{"a": 1}})
        {add_query_items}'
    parameters:
      table:
        description: Table name
        type: str
        default: 'SecurityAlert2'
  alert_by_id:
    description: One alert
    args:
      query: '{table} | where SystemAlertId == "{alert_id}"'
    parameters:
      alert_id:
        description: The alert id
        type: str
`

func TestParseMSTICPyFormat(t *testing.T) {
	l := NewLibrary()
	if err := l.LoadFS(fstest.MapFS{"q/alerts.yaml": {Data: []byte(sampleYAML)}, "q/readme.txt": {Data: []byte("x")}}, "q"); err != nil {
		t.Fatal(err)
	}
	if n := len(l.All()); n != 2 {
		t.Fatalf("%d queries, want 2", n)
	}
	q, err := l.Get("list_alerts")
	if err != nil {
		t.Fatal(err)
	}
	if q.Name != "SecurityAlert.list_alerts" || q.Metadata["data_source"] != "security_alert" || q.Params["table"].Default != "SecurityAlert2" {
		t.Errorf("query = %+v", q)
	}
	if got := q.Required(); len(got) != 1 || got[0] != "start" {
		t.Errorf("Required = %v", got)
	}
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	got, err := q.Render(map[string]any{"start": time.Date(2026, 1, 9, 0, 0, 0, 0, time.UTC), "add_query_items": "| take 10"}, RenderOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	want := ` SecurityAlert2 | project TimeGenerated, AlertName | where TimeGenerated >= datetime(2026-01-09T00:00:00Z) | where TimeGenerated <= datetime(2026-01-10T12:00:00Z) | extend Bag = dynamic({"a": 1}) | take 10`
	if got != want {
		t.Errorf("render:\n%q\nwant\n%q", got, want)
	}
	if _, _, err := parser.Parse("", []byte(got)); err != nil {
		t.Errorf("rendered query does not parse: %v", err)
	}
	if !strings.Contains(q.Describe(), "start: datetime (required)") {
		t.Errorf("Describe:\n%s", q.Describe())
	}
	if got := l.List(Filter{Family: "alerts"}); len(got) != 2 {
		t.Errorf("family filter: %d", len(got))
	}
	if got := l.List(Filter{Text: "one alert"}); len(got) != 1 || got[0].Name != "SecurityAlert.alert_by_id" {
		t.Errorf("text filter: %v", got)
	}
	if got := l.List(Filter{Tag: "nope"}); len(got) != 0 {
		t.Errorf("tag filter: %v", got)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"no sources", "metadata: {data_families: [A]}\n", "no sources"},
		{"no family", "sources: {q: {args: {query: 'T'}}}\n", "data_families"},
		{"no query", "metadata: {data_families: [A]}\nsources: {q: {args: {}}}\n", "sources.q: args.query is missing"},
		{"bad type", "metadata: {data_families: [A]}\nsources: {q: {args: {query: 'T'}, parameters: {p: {type: blob}}}}\n", `sources.q: parameters.p: type "blob" is unknown`},
		{"undeclared placeholder", "metadata: {data_families: [A]}\nsources: {q: {args: {query: 'T | take {n}'}}}\n", "{n} but no such parameter"},
		{"bad yaml", "metadata: [\n", "bad.yaml"},
	}
	for _, c := range cases {
		_, err := Parse("bad.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad.yaml") {
			t.Errorf("%s: err = %v, want it to name the file and contain %q", c.name, err, c.want)
		}
	}
}

func TestLoadDirsOverrides(t *testing.T) {
	dir := t.TempDir()
	custom := strings.Replace(sampleYAML, "Retrieves list of alerts", "Custom alerts", 1)
	writeFile(t, dir+"/sub/custom.yml", custom)
	l, err := Load(dir+"/missing", dir)
	if err != nil {
		t.Fatal(err)
	}
	q, err := l.Get("SecurityAlert.list_alerts")
	if err != nil || q.Description != "Custom alerts" {
		t.Errorf("custom query did not override the built-in one: %v %v", q, err)
	}
	if len(l.All()) <= len(Builtin().All()) {
		t.Errorf("custom queries not added")
	}
	writeFile(t, dir+"/broken.yaml", "metadata: {data_families: [A]}\n")
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "broken.yaml") {
		t.Errorf("broken file: %v", err)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
