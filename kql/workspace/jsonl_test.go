package workspace

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

func TestJSONLRoundTrip(t *testing.T) {
	want := allTypes()
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, want); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			tinyChunks(t)
			got, rep, err := readJSONL(context.Background(), buf.Bytes(), "All.jsonl", "All", want.Schema(), readOptions{workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Issues) != 0 || len(rep.Warnings) != 0 {
				t.Fatalf("issues=%v warnings=%v", rep.Issues, rep.Warnings)
			}
			sameTable(t, got, want)
		})
	}
}

func TestJSONLLogAnalyticsShape(t *testing.T) {
	// Dynamic columns exported as JSON text in strings, 7-digit datetimes,
	// escapes, key order differing per line, missing and null values.
	in := `{"TimeGenerated":"2026-11-22T10:15:30.1234567Z","UserPrincipalName":"alice@contoso.com","LocationDetails":"{\"city\":\"Zürich\",\"geo\":{\"lat\":47.3}}","ResultType":0}
{"ResultType":50126,"UserPrincipalName":"bob\u0040contoso.com","TimeGenerated":"2026-11-22T10:16:00Z","LocationDetails":{"city":"Oslo"}}
{"TimeGenerated":"2026-11-22T10:17:00Z","LocationDetails":null,"UserPrincipalName":"\"quoted\"\ttab"}
`
	schema := types.Schema{{Name: "TimeGenerated", Type: types.DateTime}, {Name: "UserPrincipalName", Type: types.String},
		{Name: "LocationDetails", Type: types.Dynamic}, {Name: "ResultType", Type: types.String}}
	got, rep, err := ReadJSONL(strings.NewReader(in), "SigninLogs", schema)
	if err != nil {
		t.Fatal(err)
	}
	want := mk("SigninLogs", schema,
		[]types.Value{dt("2026-11-22T10:15:30.1234567Z"), types.NewString("alice@contoso.com"), dyn(`{"city":"Zürich","geo":{"lat":47.3}}`), types.NewString("0")},
		[]types.Value{dt("2026-11-22T10:16:00Z"), types.NewString("bob@contoso.com"), dyn(`{"city":"Oslo"}`), types.NewString("50126")},
		[]types.Value{dt("2026-11-22T10:17:00Z"), types.NewString("\"quoted\"\ttab"), types.NullOf(types.Dynamic), types.NewString("")},
	)
	sameTable(t, got, want)
	if len(rep.Issues) != 0 || rep.Rows != 3 {
		t.Fatalf("report %v %v", rep, rep.Issues)
	}
}

func TestJSONLInference(t *testing.T) {
	tinyChunks(t)
	in := `{"A":1,"B":"2024-01-02T00:00:00Z","C":"0f8fad5b-d9cb-469f-a165-70867728950e","D":{"x":1},"E":true,"F":"00:00:05"}
{"A":2.5,"B":"not a date","C":"0F8FAD5B-D9CB-469F-A165-70867728950F","D":"[1,2]","E":false,"F":"00:01:00","G":null}
{"A":3,"B":"2024-01-03T00:00:00Z","D":[3],"E":null,"H":"late"}
{"A":"four","H":5}
`
	got, rep, err := readJSONL(context.Background(), []byte(in), "T.jsonl", "T", nil, readOptions{workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	// A widens long -> real -> dynamic (mixed with a string); B was datetime
	// until a non-date string: it becomes string with the original text.
	wantSchema := "(A:dynamic, B:string, C:guid, D:dynamic, E:bool, F:timespan, G:string, H:dynamic)"
	if s := got.Schema().String(); s != wantSchema {
		t.Fatalf("schema = %s, want %s", s, wantSchema)
	}
	if len(rep.Issues) != 0 || len(rep.Warnings) != 0 {
		t.Fatalf("issues=%v warnings=%v", rep.Issues, rep.Warnings)
	}
	checks := []struct {
		col  string
		row  int
		want string
	}{
		{"A", 0, "1"}, {"A", 1, "2.5"}, {"A", 3, `"four"`},
		{"B", 0, "2024-01-02T00:00:00Z"}, {"B", 1, "not a date"},
		{"C", 1, "0f8fad5b-d9cb-469f-a165-70867728950f"}, {"C", 2, ""},
		{"D", 1, "[1,2]"}, {"D", 2, "[3]"}, {"F", 1, "00:01:00"}, {"H", 2, `"late"`}, {"H", 3, "5"},
	}
	for _, c := range checks {
		if s := got.Column(c.col).Value(c.row).String(); s != c.want {
			t.Errorf("%s[%d] = %s, want %s", c.col, c.row, s, c.want)
		}
	}
}

func TestJSONLBadLines(t *testing.T) {
	schema := types.Schema{{Name: "TimeGenerated", Type: types.DateTime}, {Name: "Count", Type: types.Long}}
	in := `{"TimeGenerated":"2024-01-02T03:04:05Z","Count":1}
{"TimeGenerated":"soon","Count":2}
{"TimeGenerated":"2024-01-02T03:04:05Z","Count":
not json at all

{"Count":"7","Count":8,"Extra":[1]}
{"Count":1.5}
{"Count":3} trailing
`
	got, rep, err := ReadJSONL(strings.NewReader(in), "Events.jsonl", schema)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`Events.jsonl:2: column TimeGenerated: cannot convert "soon" to datetime`,
		`Events.jsonl:3: malformed JSON: unexpected end of input looking for beginning of value at column 49`,
		`Events.jsonl:4: malformed JSON: invalid character 'n' looking for the beginning of an object at column 1`,
		`Events.jsonl:6: column Count: duplicate key; the first value is kept`,
		`Events.jsonl:7: column Count: cannot convert "1.5" to long`,
		`Events.jsonl:8: malformed JSON: invalid character 't' after the object at column 13`,
	}
	var msgs []string
	for _, is := range rep.Issues {
		msgs = append(msgs, is.Error())
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("issues:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	if rep.BadLines != 3 || rep.BadValues != 2 || got.Rows() != 4 {
		t.Fatalf("bad lines %d, bad values %d, rows %d", rep.BadLines, rep.BadValues, got.Rows())
	}
	if s := got.Schema().String(); s != "(TimeGenerated:datetime, Count:long, Extra:dynamic)" {
		t.Fatalf("schema = %s", s)
	}
	if got.Column("Count").Ints[2] != 7 || !got.Column("Count").IsNull(3) || !got.Column("Extra").IsNull(0) {
		t.Fatalf("rows: %v %v", got.Row(2), got.Row(3))
	}
	if len(rep.Warnings) != 1 || rep.Warnings[0] != "Events.jsonl: column Extra is not in the schema; appended as dynamic" {
		t.Fatalf("warnings = %q", rep.Warnings)
	}
}

func TestJSONArrayFile(t *testing.T) {
	in := "[\n {\"A\": 1, \"B\": \"x\"},\n {\"A\": 2}\n]\n"
	got, _, err := ReadJSONL(strings.NewReader(in), "T", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := mk("T", types.Schema{{Name: "A", Type: types.Long}, {Name: "B", Type: types.String}},
		[]types.Value{types.NewLong(1), types.NewString("x")},
		[]types.Value{types.NewLong(2), types.NewString("")})
	sameTable(t, got, want)
	_, _, err = ReadJSONL(strings.NewReader("[{\"A\":1},\n{\"A\":}]"), "T", nil)
	if err == nil || !strings.HasPrefix(err.Error(), "T:2: malformed JSON array") {
		t.Fatalf("error = %v", err)
	}
}

func TestDynamicJSONParser(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"b":1,"a":[true,null,-1.5e2,"\u00e9\ud83d\ude00"]}`, `{"b":1,"a":[true,null,-150,"é😀"]}`},
		{` 9223372036854775808 `, `9.223372036854776e+18`},
		{`"x\"y\\z"`, `"x\"y\\z"`},
		{`{}`, `{}`},
	}
	for _, tc := range tests {
		v, err := parseDynamic([]byte(tc.in))
		if err != nil {
			t.Fatalf("parseDynamic(%s): %v", tc.in, err)
		}
		if got := types.DynamicJSON(v); got != tc.want {
			t.Errorf("parseDynamic(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{`{"a":}`, `[1,]`, `{"a" 1}`, `tru`, `01`, `"\x"`, `{"a":1}}`, ``} {
		if _, err := parseDynamic([]byte(bad)); err == nil {
			t.Errorf("parseDynamic(%q) succeeded", bad)
		}
	}
}
