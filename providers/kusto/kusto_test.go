package kusto_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/internal/remotetest"
	"github.com/huntbook/huntbook/providers/kusto"
	"github.com/huntbook/huntbook/providers/kusto/kustotest"
)

const tokenEnv = "HB_TEST_KUSTO_TOKEN"

func allTypes() *table.Table {
	t := table.New("PrimaryResult", remotetest.AllTypesSchema())
	bag := types.NewBag()
	bag.Set("z", int64(1))
	bag.Set("a", []any{"x", 2.5, nil, true})
	rows := [][]types.Value{
		{types.NewString("q\" b\\ \n ü"), types.NewInt(2147483647), types.NewLong(-(1 << 62) - 3), types.NewReal(-0.25),
			types.NewBool(true), types.FromTime(time.Date(2026, 1, 2, 3, 4, 5, 999999900, time.UTC)), types.NewTimeSpan(3*types.Day + 1),
			types.NewGUID("6f9619ff-8b86-d011-b42d-00c04fc964ff"), types.NewDynamic(bag), types.NewDecimal(1e-3)},
		{types.NewString(""), types.NullOf(types.Int), types.NullOf(types.Long), types.NewReal(math.Inf(1)), types.NullOf(types.Bool),
			types.NullOf(types.DateTime), types.NullOf(types.TimeSpan), types.NullOf(types.GUID), types.NullOf(types.Dynamic), types.NullOf(types.Decimal)},
		{types.NewString("123"), types.NewInt(0), types.NewLong(0), types.NewReal(math.NaN()), types.NewBool(false),
			types.NewDateTime(0), types.NewTimeSpan(-types.Second), types.NewGUID("00000000-0000-0000-0000-000000000000"),
			types.NewDynamic("123"), types.NewDecimal(0)},
	}
	for _, r := range rows {
		if err := t.AppendRow(r); err != nil {
			panic(err)
		}
	}
	return t
}

var (
	sameTable = remotetest.SameTable
	fixed     = remotetest.Fixed
)

func open(t *testing.T, s *kustotest.Server, extra map[string]string) *kusto.Provider {
	t.Helper()
	return remotetest.Open(t, kusto.New, "Help", tokenEnv, s.Token, s.Settings(tokenEnv), extra)
}

func TestFramesConvertExactly(t *testing.T) {
	for _, progressive := range []bool{false, true} {
		t.Run(fmt.Sprint("progressive=", progressive), func(t *testing.T) {
			want := allTypes()
			named := allTypes()
			named.Name = "Second"
			s := kustotest.NewHandlerServer(fixed(&kustotest.Answer{Tables: []*table.Table{want, named}}))
			defer s.Close()
			s.Progressive = progressive
			res, err := open(t, s, nil).NewSession().Run(context.Background(), "T; T | as Second", providers.QueryOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 2 {
				t.Fatalf("%d results, want 2", len(res))
			}
			sameTable(t, res[0].Table, want)
			sameTable(t, res[1].Table, named)
			if res[0].Name != "" || res[1].Name != "Second" {
				t.Errorf("names %q %q", res[0].Name, res[1].Name)
			}
			if d, ok := res[0].Table.Column("Dyn").Dyns[2].(string); !ok || d != "123" {
				t.Errorf("a dynamic string stayed a string: %#v", res[0].Table.Column("Dyn").Dyns[2])
			}
			req := s.Requests()[0]
			if req.DB != kustotest.DefaultDatabase || req.Properties["Options"].(map[string]any)["servertimeout"] != "00:04:00" {
				t.Errorf("request = %+v", req)
			}
		})
	}
}

func TestRenderWarningsAndPartial(t *testing.T) {
	s := kustotest.NewServer(map[string]*table.Table{"T": allTypes()}, time.Time{})
	defer s.Close()
	s.Warnings = []string{"Query is approaching the memory limit"}
	res, err := open(t, s, nil).NewSession().Run(context.Background(), "T | summarize n = count() by B | render piechart with (title=\"flags\")", providers.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0].Render; r == nil || r.Kind != "piechart" || r.Props["title"] != "flags" || len(r.Props) != 1 {
		t.Errorf("render = %+v", r)
	}
	if w := res[0].Warnings; len(w) != 1 || w[0] != "Warning: Query is approaching the memory limit" {
		t.Errorf("warnings = %q", w)
	}

	partial := kustotest.NewHandlerServer(fixed(&kustotest.Answer{Tables: []*table.Table{allTypes()}, Partial: []string{"Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE)"}}))
	defer partial.Close()
	res, err = open(t, partial, nil).NewSession().Run(context.Background(), "T", providers.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res[0].Truncated || len(res[0].Warnings) != 1 || !strings.HasPrefix(res[0].Warnings[0], "partial result: LimitsExceeded: Query result set") {
		t.Errorf("partial: truncated %v warnings %q", res[0].Truncated, res[0].Warnings)
	}

	failed := kustotest.NewHandlerServer(fixed(&kustotest.Answer{Partial: []string{"Semantic error: boom on line [1,4]"}}))
	defer failed.Close()
	_, err = open(t, failed, nil).NewSession().Run(context.Background(), "T", providers.QueryOptions{})
	var qe *providers.QueryError
	if !errors.As(err, &qe) || qe.Line != 1 || qe.Column != 5 || !strings.Contains(qe.Msg, "boom") {
		t.Errorf("HasErrors without tables: %v", err)
	}
}

func TestRetriesAndTimeouts(t *testing.T) {
	ok := fixed(&kustotest.Answer{Tables: []*table.Table{allTypes()}})
	cases := []remotetest.RetryCase{
		{Name: "429 then success", Faults: []kustotest.Fault{{Status: 429, RetryAfter: "0"}}, Requests: 2},
		{Name: "5xx then success", Faults: []kustotest.Fault{{Status: 500}, {Status: 503}}, Requests: 3},
		{Name: "throttled past the retries", Faults: []kustotest.Fault{{Status: 429}, {Status: 429}}, Settings: map[string]string{"retries": "1"}, WantErr: "throttled by the service", Requests: 2},
		{Name: "error body not JSON", Faults: []kustotest.Fault{{Status: 502, Body: "<html>bad gateway</html>"}}, Settings: map[string]string{"retries": "0"}, WantErr: `HTTP 502 Bad Gateway (body is not a Kusto error: "<html>bad gateway</html>")`, Requests: 1},
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			s := kustotest.NewHandlerServer(ok)
			defer s.Close()
			s.Fail(c.Faults...)
			_, err := open(t, s, c.Settings).NewSession().Run(context.Background(), "T", providers.QueryOptions{})
			c.Check(t, err, len(s.Requests()), 0)
		})
	}
	s := kustotest.NewHandlerServer(remotetest.Block)
	defer s.Close()
	_, err := open(t, s, nil).NewSession().Run(context.Background(), "T", providers.QueryOptions{Timeout: 100 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "timed out on the server after 100ms") {
		t.Errorf("server timeout: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := open(t, s, nil).NewSession().Run(ctx, "T", providers.QueryOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: %v", err)
	}
}

func TestMalformedFrames(t *testing.T) {
	hdr := `{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"}`
	done := `{"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}`
	cases := []struct{ name, body, want string }{
		{"not an array", `{"Tables":[]}`, "not a JSON array of frames"},
		{"empty", `[]`, "no frames"},
		{"no header", `[` + done + `]`, `frame 0 is "DataSetCompletion", want DataSetHeader`},
		{"cut off", `[` + hdr + `,{"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[],"Rows":[]}]`, "ended before DataSetCompletion"},
		{"truncated JSON", `[` + hdr + `,{"FrameType":"Data`, "frame 1"},
		{"fragment without header", `[` + hdr + `,{"FrameType":"TableFragment","TableId":3,"Rows":[]},` + done + `]`, "TableFragment for table 3 without a TableHeader"},
		{"unknown frame", `[` + hdr + `,{"FrameType":"Mystery"},` + done + `]`, `unknown FrameType "Mystery"`},
		{"bad cell", `[` + hdr + `,{"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"T","ColumnType":"timespan"}],"Rows":[["soon"]]},` + done + `]`, `table PrimaryResult row 0 column T: "soon" is not a valid timespan`},
		{"short row", `[` + hdr + `,{"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"A","ColumnType":"long"}],"Rows":[[1,2]]},` + done + `]`, "row 0 has 2 values, want 1"},
		{"unclosed table", `[` + hdr + `,{"FrameType":"TableHeader","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[]},` + done + `]`, "has no TableCompletion"},
		{"cancelled", `[` + hdr + `,{"FrameType":"DataSetCompletion","HasErrors":true,"Cancelled":true}]`, "cancelled on the server"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := kustotest.NewHandlerServer(fixed(&kustotest.Answer{}))
			defer s.Close()
			s.Fail(kustotest.Fault{Status: 200, Body: c.body})
			_, err := open(t, s, nil).NewSession().Run(context.Background(), "T", providers.QueryOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "kusto Help: ") {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	// DataReplace discards the rows appended so far.
	s := kustotest.NewHandlerServer(fixed(&kustotest.Answer{}))
	defer s.Close()
	s.Fail(kustotest.Fault{Status: 200, Body: `[` + hdr + `,{"FrameType":"TableHeader","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"A","ColumnType":"long"}]},` +
		`{"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":1,"Rows":[[1],[2]]},{"FrameType":"TableFragment","TableFragmentType":"DataReplace","TableId":1,"Rows":[[7]]},` +
		`{"FrameType":"TableCompletion","TableId":1,"RowCount":1,"OneApiErrors":[{"error":{"code":"LimitsExceeded","message":"m","@message":"partial"}}]},` + done + `]`})
	res, err := open(t, s, nil).NewSession().Run(context.Background(), "T", providers.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c := res[0].Table.Column("A"); len(c.Ints) != 1 || c.Ints[0] != 7 || !res[0].Truncated || len(res[0].Warnings) != 1 {
		t.Errorf("DataReplace: %v truncated %v warnings %q", c.Ints, res[0].Truncated, res[0].Warnings)
	}
}

func TestQueryErrorsAndSecrets(t *testing.T) {
	s := kustotest.NewServer(map[string]*table.Table{"T": allTypes()}, time.Time{})
	defer s.Close()
	ses := open(t, s, nil).NewSession()
	if _, err := ses.Run(context.Background(), "let n = 1;", providers.QueryOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := ses.Run(context.Background(), "T\n| take n\n| where Missing > 1", providers.QueryOptions{})
	var qe *providers.QueryError
	if !errors.As(err, &qe) || qe.Line != 3 || qe.Column != 9 || !strings.Contains(qe.Msg, "Missing") {
		t.Errorf("err = %v, want a QueryError at 3:9", err)
	}

	const secret = "kusto-client-secret-Xy7"
	var echo *kustotest.Server
	echo = kustotest.NewHandlerServer(func(context.Context, string) (*kustotest.Answer, error) {
		return nil, fmt.Errorf("leak %s and %s", echo.Token, secret)
	})
	defer echo.Close()
	p := open(t, echo, map[string]string{"client_secret": secret})
	_, err = p.NewSession().Run(context.Background(), "T", providers.QueryOptions{})
	if err == nil || strings.Contains(err.Error(), echo.Token) || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "leak *** and ***") {
		t.Errorf("secrets in error: %v", err)
	}
	t.Setenv(tokenEnv, "not-the-token-555")
	p2, _ := kusto.New("Help", echo.Settings(tokenEnv))
	if err := p2.Connect(context.Background()); err == nil || !strings.Contains(err.Error(), "not authorized (HTTP 401)") || strings.Contains(err.Error(), "not-the-token-555") {
		t.Errorf("wrong token: %v", err)
	}
}

func TestTablesAndSettings(t *testing.T) {
	s := kustotest.NewServer(map[string]*table.Table{"T": allTypes(), "A": table.New("A", types.Schema{{Name: "x", Type: types.Long}})}, time.Time{})
	defer s.Close()
	p := open(t, s, nil)
	tabs, err := p.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tabs) != 2 || tabs[0].Name != "A" || !reflect.DeepEqual(tabs[1].Schema, allTypes().Schema()) {
		t.Errorf("tables = %+v", tabs)
	}
	if d := p.Describe(); !strings.Contains(d, "database Security") || !strings.Contains(d, "auth: token") {
		t.Errorf("Describe = %q", d)
	}
	bad, _ := kusto.New("Help", map[string]string{"cluster": s.URL, "database": "Nope", "auth": "token", "token_env": tokenEnv})
	if err := bad.Connect(context.Background()); err == nil || !strings.Contains(err.Error(), "'Nope' of kind 'Database' was not found") {
		t.Errorf("unknown database: %v", err)
	}
	for _, c := range []struct {
		settings map[string]string
		want     string
	}{
		{map[string]string{"database": "d"}, "cluster is required"},
		{map[string]string{"cluster": "https://help.kusto.windows.net"}, "database is required"},
		{map[string]string{"cluster": "https://c", "database": "d", "databse": "x"}, `unknown setting "databse"`},
		{map[string]string{"cluster": "ftp://c", "database": "d", "auth": "cli"}, "not an http(s) URL"},
		{map[string]string{"cluster": "https://c", "database": "d", "timeout": "2h"}, "1 hour maximum"},
	} {
		if _, err := providers.Open("kusto", "K", c.settings); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.settings, err, c.want)
		}
	}
}
