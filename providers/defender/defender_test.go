package defender_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/defender"
	"github.com/huntbook/huntbook/providers/defender/defendertest"
	"github.com/huntbook/huntbook/providers/internal/remotetest"
)

const tokenEnv = "HB_TEST_DEFENDER_TOKEN"

var apis = []string{defender.APIGraph, defender.APIM365D, defender.APIMDE}

func allTypes() *table.Table { return remotetest.AllTypes("quote\" back\\ nl\n ünï 🦀") }

var (
	sameTable = remotetest.SameTable
	fixed     = remotetest.Fixed
	block     = remotetest.Block
)

func open(t *testing.T, s *defendertest.Server, api string, extra map[string]string) *defender.Provider {
	t.Helper()
	return remotetest.Open(t, defender.New, "XDR", tokenEnv, s.Token, s.Settings(api, tokenEnv), extra)
}

func run(t *testing.T, p *defender.Provider, q string) ([]*providers.Result, error) {
	t.Helper()
	return p.NewSession().Run(context.Background(), q, providers.QueryOptions{})
}

func TestTypesConvertExactlyOnEveryAPI(t *testing.T) {
	want := allTypes()
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			s := defendertest.NewHandlerServer(fixed(&defendertest.Answer{Tables: []*table.Table{want}}))
			defer s.Close()
			q := "DeviceInfo | where DeviceName has 'ünï' // 🦀"
			res, err := run(t, open(t, s, api, nil), q)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 {
				t.Fatalf("%d results", len(res))
			}
			sameTable(t, res[0].Table, want)
			if got := res[0].Table.Column("L").Ints[0]; got != 1<<62+1 {
				t.Errorf("long %d lost precision", got)
			}
			if got := res[0].Table.Column("D").Ints[0]; got != want.Column("D").Ints[0] {
				t.Errorf("datetime ticks %d, want %d", got, want.Column("D").Ints[0])
			}
			bag, ok := res[0].Table.Column("Dyn").Dyns[0].(*types.Bag)
			if !ok || !reflect.DeepEqual(bag.Keys, []string{"z", "a", "big"}) {
				t.Errorf("dynamic bag = %#v", res[0].Table.Column("Dyn").Dyns[0])
			}
			if res[0].Truncated || len(res[0].Warnings) != 0 {
				t.Errorf("extras: truncated %v warnings %v", res[0].Truncated, res[0].Warnings)
			}
			reqs := s.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			wantPath := map[string]string{"graph": defendertest.GraphPath, "m365d": defendertest.M365DPath, "mde": defendertest.MDEPath}[api]
			if r.Path != wantPath || r.Authorization != "Bearer "+s.Token || !strings.HasPrefix(r.ContentType, "application/json") {
				t.Errorf("request path %q auth %q content type %q", r.Path, r.Authorization, r.ContentType)
			}
			// The body spells the documented (case-sensitive) key and is pure
			// ASCII, non-ASCII text escaped, yet reads back as the query.
			if r.Query != q || !strings.HasPrefix(r.Body, `{"Query":`) || strings.Contains(r.Body, "Timespan") {
				t.Errorf("body %q read as %q", r.Body, r.Query)
			}
			for _, c := range r.Body {
				if c > 127 {
					t.Errorf("body is not ASCII: %q", r.Body)
					break
				}
			}
		})
	}
}

// Answers written by hand in each API's shape: every .NET type name the
// schema may carry, a long above 2^53, nulls (explicit and left out), and
// a dynamic value sent as JSON text.
func TestWireAnswers(t *testing.T) {
	cols := []struct{ typ, value string }{
		{"String", `"a"`}, {"Int32", `-5`}, {"Int64", `9007199254740993`}, {"Double", `2.5`}, {"Boolean", `true`},
		{"DateTime", `"2024-03-26T09:39:50.7688641Z"`}, {"TimeSpan", `"1.02:03:04.5000000"`},
		{"Guid", `"6f9619ff-8b86-d011-b42d-00c04fc964ff"`}, {"Object", `{"b":1,"a":[1,2]}`}, {"Decimal", `"0.1"`},
		{"SByte", `1`}, {"System.String", `"sys"`}, {"Dynamic", `"{\"x\":1}"`}, {"Long", `"123"`},
	}
	wantTypes := []types.Type{types.String, types.Int, types.Long, types.Real, types.Bool, types.DateTime, types.TimeSpan,
		types.GUID, types.Dynamic, types.Decimal, types.Bool, types.String, types.Dynamic, types.Long}
	wantValues := []string{"a", "-5", "9007199254740993", "2.5", "true", "2024-03-26T09:39:50.7688641Z", "1.02:03:04.5000000",
		"6f9619ff-8b86-d011-b42d-00c04fc964ff", `{"b":1,"a":[1,2]}`, "0.1", "true", "sys", `{"x":1}`, "123"}
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			nameKey, typeKey, schemaKey, resultsKey := "Name", "Type", "Schema", "Results"
			if api == defender.APIGraph {
				nameKey, typeKey, schemaKey, resultsKey = "name", "type", "schema", "results"
			}
			var schema, full, nulls, missing []string
			for i, c := range cols {
				n := fmt.Sprintf("C%d", i)
				schema = append(schema, fmt.Sprintf(`{%q:%q,%q:%q}`, nameKey, n, typeKey, c.typ))
				full = append(full, fmt.Sprintf("%q:%s", n, c.value))
				nulls = append(nulls, fmt.Sprintf("%q:null", n))
				if i%2 == 0 {
					missing = append(missing, fmt.Sprintf("%q:%s", n, c.value))
				}
			}
			body := fmt.Sprintf(`{"Stats":{"ExecutionTime":0.5},%q:[%s],%q:[{%s},{%s},{%s}]}`, schemaKey, strings.Join(schema, ","),
				resultsKey, strings.Join(full, ","), strings.Join(nulls, ","), strings.Join(missing, ","))
			if api == defender.APIGraph {
				body = `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults",` + body[1:]
			}
			s := defendertest.NewHandlerServer(fixed(&defendertest.Answer{}))
			defer s.Close()
			s.Fail(defendertest.Fault{Status: 200, Body: body})
			res, err := run(t, open(t, s, api, nil), "T")
			if err != nil {
				t.Fatal(err)
			}
			tb := res[0].Table
			if tb.Rows() != 3 {
				t.Fatalf("%d rows", tb.Rows())
			}
			for i, c := range tb.Columns {
				if c.Type != wantTypes[i] {
					t.Errorf("column %s (%s): type %s, want %s", c.Name, cols[i].typ, c.Type, wantTypes[i])
				}
				if got := c.Value(0).String(); got != wantValues[i] {
					t.Errorf("column %s (%s): %q, want %q", c.Name, cols[i].typ, got, wantValues[i])
				}
				for _, row := range []int{1, 2} {
					if row == 2 && i%2 == 0 {
						continue // present in the third row
					}
					v := c.Value(row)
					if c.Type == types.String || c.Type == types.GUID { // string-stored columns keep a null as ""
						if v.String() != "" {
							t.Errorf("row %d column %s: %q, want an empty value", row, c.Name, v)
						}
					} else if !v.IsNull() {
						t.Errorf("row %d column %s (%s): %q, want null", row, c.Name, cols[i].typ, v)
					}
				}
			}
			if tb.Column("C2").Ints[0] != 9007199254740993 {
				t.Errorf("long above 2^53 lost precision: %d", tb.Column("C2").Ints[0])
			}
		})
	}
}

func TestMalformedResponses(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"not JSON", `<html>oops</html>`, 200, "malformed response from the"},
		{"no schema", `{"Results": []}`, 200, `no "schema"`},
		{"unknown type", `{"Schema":[{"Name":"A","Type":"Blob"}],"Results":[]}`, 200, `schema column 0 (A): unknown column type "Blob"`},
		{"bad datetime", `{"Schema":[{"Name":"D","Type":"DateTime"}],"Results":[{"D":"yesterday"}]}`, 200, `result row 0 column D: "yesterday" is not a valid datetime`},
		{"row not an object", `{"Schema":[{"Name":"A","Type":"Int64"}],"Results":[[1]]}`, 200, "result row 0 is not a JSON object"},
		{"value outside the schema", `{"Schema":[{"Name":"A","Type":"Int64"}],"Results":[{"A":1,"B":2}]}`, 200, "result row 0 has a value for B"},
		{"duplicate column", `{"Schema":[{"Name":"A","Type":"Int64"},{"Name":"A","Type":"String"}],"Results":[]}`, 200, "lists column A twice"},
		{"int overflow", `{"Schema":[{"Name":"A","Type":"Int32"}],"Results":[{"A":3000000000}]}`, 200, "out of 32-bit range"},
		{"error body not JSON", `Service Unavailable`, 503, `HTTP 503 Service Unavailable (body is not an advanced hunting error: "Service Unavailable")`},
		{"error in a 200", `{"error":{"code":"InternalError","message":"boom"}}`, 200, "query failed: InternalError: boom"},
		{"forbidden", `{"error":{"code":"Forbidden","message":"Missing application roles"}}`, 403, "needs AdvancedHunting.Read.All"},
		{"not found", `{"error":{"code":"NotFound","message":"nope"}}`, 404, "is the endpoint setting right?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := defendertest.NewHandlerServer(fixed(&defendertest.Answer{}))
			defer s.Close()
			s.Fail(defendertest.Fault{Status: c.status, Body: c.body})
			_, err := run(t, open(t, s, defender.APIM365D, map[string]string{"retries": "0"}), "T")
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "defender XDR: ") {
				t.Fatalf("err = %v, want it to start with the provider and contain %q", err, c.want)
			}
		})
	}
}

func TestQueryErrorsCarryPositions(t *testing.T) {
	tables := map[string]*table.Table{"T": allTypes()}
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			s := defendertest.NewServer(tables, time.Time{})
			defer s.Close()
			ses := open(t, s, api, nil).NewSession()
			ctx := context.Background()
			// A declaration-only cell is kept and sent before later queries;
			// positions still point into the user's own text.
			remotetest.CheckRemembered(t, ses, "let lim = 2;", s.Requests, func(r defendertest.Request) string { return r.Query })
			cases := []struct {
				query           string
				line, col       int
				msg             string
				positionInQuery bool
			}{
				{"T\n| where NoSuchColumn == 1", 2, 9, "NoSuchColumn", true},
				{"T\n| where (1 == ", 2, 0, "", true},
			}
			for _, c := range cases {
				_, err := ses.Run(ctx, c.query, providers.QueryOptions{})
				var qe *providers.QueryError
				if !errors.As(err, &qe) {
					t.Fatalf("%q: err = %v (%T), want a QueryError", c.query, err, err)
				}
				if qe.Line != c.line || (c.col > 0 && qe.Column != c.col) || qe.Column == 0 || !strings.Contains(qe.Msg, c.msg) || !strings.HasPrefix(qe.Msg, "BadRequest: ") {
					t.Errorf("%q: QueryError = %+v, want line %d column %d naming %q", c.query, qe, c.line, c.col, c.msg)
				}
			}
		})
	}
	// Kusto's other position spelling, and a message without one.
	for _, c := range []struct {
		msg       string
		line, col int
	}{
		{"Semantic error: 'where' operator: Failed to resolve scalar expression named 'x' [line:position=2:6]", 1, 7},
		{"Query could not be parsed at 'x' on line [2,6]", 1, 7},
		{"Syntax error on line [1,3]", 0, 0}, // inside the remembered lines: dropped
		{"Query execution has exceeded the allowed result size.", 0, 0},
	} {
		s := defendertest.NewHandlerServer(fixed(&defendertest.Answer{}))
		s.Fail(defendertest.Fault{Status: 400, Body: fmt.Sprintf(`{"error":{"code":"BadRequest","message":%q}}`, c.msg)})
		p := open(t, s, defender.APIGraph, nil)
		ses := p.NewSession()
		if _, err := ses.Run(context.Background(), "let a = 1;", providers.QueryOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err := ses.Run(context.Background(), "T\n| where x", providers.QueryOptions{})
		var qe *providers.QueryError
		if !errors.As(err, &qe) || qe.Line != c.line || qe.Column != c.col || qe.Msg != "BadRequest: "+c.msg {
			t.Errorf("%q: err = %#v, want line %d column %d", c.msg, err, c.line, c.col)
		}
		if len(s.Requests()) != 1 {
			t.Errorf("%q: a 400 was retried", c.msg)
		}
		s.Close()
	}
}

func TestRetries(t *testing.T) {
	ok := fixed(&defendertest.Answer{Tables: []*table.Table{allTypes()}})
	cases := []remotetest.RetryCase{
		{Name: "429 then success honours Retry-After", Faults: []defendertest.Fault{{Status: 429, RetryAfter: "1"}}, Requests: 2, MinTime: time.Second},
		{Name: "5xx then success", Faults: []defendertest.Fault{{Status: 500}, {Status: 503}, {Status: 502}}, Requests: 4},
		{Name: "throttled past the retries", Faults: []defendertest.Fault{{Status: 429}, {Status: 429}, {Status: 429}}, Settings: map[string]string{"retries": "2"}, WantErr: "throttled by the service (HTTP 429, retries exhausted): TooManyRequests: API calls quota exceeded", Requests: 3},
		{Name: "Retry-After beyond the cap is not waited for", Faults: []defendertest.Fault{{Status: 429, RetryAfter: "3600"}}, WantErr: "throttled", Requests: 1},
		{Name: "no retries", Faults: []defendertest.Fault{{Status: 503}}, Settings: map[string]string{"retries": "0"}, WantErr: "HTTP 503", Requests: 1},
		{Name: "504 is not retried", Faults: []defendertest.Fault{{Status: 504}}, WantErr: "query timed out on the server (HTTP 504): UnknownError (no message)", Requests: 1},
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			s := defendertest.NewHandlerServer(ok)
			defer s.Close()
			s.Fail(c.Faults...)
			start := time.Now()
			_, err := run(t, open(t, s, defender.APIGraph, c.Settings), "T")
			c.Check(t, err, len(s.Requests()), time.Since(start))
		})
	}
}

func TestTimeouts(t *testing.T) {
	t.Run("the service gives up", func(t *testing.T) {
		s := defendertest.NewHandlerServer(block)
		defer s.Close()
		s.QueryTimeout = 50 * time.Millisecond
		_, err := run(t, open(t, s, defender.APIGraph, nil), "T")
		if err == nil || !strings.Contains(err.Error(), "query timed out on the server (HTTP 504)") {
			t.Fatalf("err = %v", err)
		}
		if n := len(s.Requests()); n != 1 {
			t.Errorf("a server timeout was retried: %d requests", n)
		}
	})
	t.Run("huntbook stops waiting", func(t *testing.T) {
		s := defendertest.NewHandlerServer(block)
		defer s.Close()
		start := time.Now()
		_, err := open(t, s, defender.APIM365D, nil).NewSession().Run(context.Background(), "T", providers.QueryOptions{Timeout: 100 * time.Millisecond})
		if err == nil || !strings.Contains(err.Error(), "no answer within 100ms (the timeout setting)") {
			t.Fatalf("err = %v", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("timeout took %s", d)
		}
	})
	t.Run("the timeout setting", func(t *testing.T) {
		s := defendertest.NewHandlerServer(block)
		defer s.Close()
		_, err := run(t, open(t, s, defender.APIMDE, map[string]string{"timeout": "150ms"}), "T")
		if err == nil || !strings.Contains(err.Error(), "no answer within 150ms") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("cancellation", func(t *testing.T) {
		s := defendertest.NewHandlerServer(block)
		defer s.Close()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := open(t, s, defender.APIGraph, nil).NewSession().Run(ctx, "T", providers.QueryOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

func TestSecretsNeverInErrors(t *testing.T) {
	const secret = "client-secret-Zq81!"
	var s *defendertest.Server
	s = defendertest.NewHandlerServer(func(context.Context, string) (*defendertest.Answer, error) {
		return nil, fmt.Errorf("echo: token %s secret %s", s.Token, secret)
	})
	defer s.Close()
	p := open(t, s, defender.APIGraph, map[string]string{"client_secret": secret, "tenant_id": "t", "client_id": "c"})
	_, err := run(t, p, "T")
	if err == nil {
		t.Fatal("no error")
	}
	for _, leak := range []string{s.Token, secret} {
		if strings.Contains(err.Error(), leak) || strings.Contains(p.Describe(), leak) {
			t.Errorf("secret %q leaked: %v / %s", leak, err, p.Describe())
		}
	}
	if !strings.Contains(err.Error(), "token *** secret ***") {
		t.Errorf("masked error = %v", err)
	}
	// A wrong token: 401, reported without printing either token.
	for _, api := range apis {
		t.Setenv(tokenEnv, "wrong-token-value-123")
		p3, err := defender.New("XDR", s.Settings(api, tokenEnv))
		if err != nil {
			t.Fatal(err)
		}
		_, err = run(t, p3, "T")
		if err == nil || !strings.Contains(err.Error(), "not authorized (HTTP 401)") || strings.Contains(err.Error(), "wrong-token-value-123") || strings.Contains(err.Error(), s.Token) {
			t.Errorf("%s, wrong token: %v", api, err)
		}
		if err := p3.Connect(context.Background()); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
			t.Errorf("%s: Connect with a wrong token: %v", api, err)
		}
	}
	t.Setenv(tokenEnv, "")
	p4, _ := defender.New("XDR", s.Settings("graph", tokenEnv))
	_, err = run(t, p4, "T")
	if err == nil || !strings.Contains(err.Error(), "environment variable "+tokenEnv+" is not set") {
		t.Errorf("unset token: %v", err)
	}
}

func TestConnectDescribeTables(t *testing.T) {
	s := defendertest.NewServer(map[string]*table.Table{}, time.Time{})
	defer s.Close()
	for _, api := range apis {
		p := open(t, s, api, nil)
		if err := p.Connect(context.Background()); err != nil {
			t.Fatalf("%s: %v", api, err)
		}
		if q := s.Requests()[len(s.Requests())-1].Query; q != "print huntbook_connect = 1" {
			t.Errorf("connect probe %q", q)
		}
		d := p.Describe()
		if !strings.Contains(d, "auth: token") || !strings.Contains(d, strings.TrimPrefix(s.URL, "http://")) || !strings.Contains(d, "re-sent with each query") {
			t.Errorf("%s: Describe = %q", api, d)
		}
		tabs, err := p.Tables(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]types.Schema{}
		for _, ti := range tabs {
			names[ti.Name] = ti.Schema
			if ti.Rows != -1 || len(ti.Schema) == 0 {
				t.Errorf("%s: table %+v", api, ti)
			}
		}
		want, _ := schemas.Lookup("DeviceProcessEvents")
		if !reflect.DeepEqual(names["DeviceProcessEvents"], want) {
			t.Errorf("%s: DeviceProcessEvents schema differs from kql/schemas", api)
		}
		_, email := names["EmailEvents"]
		_, signin := names["SigninLogs"]
		if signin || email != (api != defender.APIMDE) {
			t.Errorf("%s: tables %v", api, tabs)
		}
	}
	// A service that rejects the probe query still proved the credentials.
	s.Fail(defendertest.Fault{Status: 400, Body: `{"error":{"code":"BadRequest","message":"'print' is not supported"}}`})
	if err := open(t, s, "graph", nil).Connect(context.Background()); err != nil {
		t.Errorf("connect with the probe rejected: %v", err)
	}
}

// Every listed table has a built-in schema, and every built-in table that
// looks like an XDR event table (Timestamp and ReportId) is listed.
func TestXDRTablesMatchSchemas(t *testing.T) {
	listed := map[string]bool{}
	for _, n := range defender.XDRTables {
		if _, ok := schemas.Lookup(n); !ok {
			t.Errorf("%s is listed but kql/schemas has no schema for it", n)
		}
		listed[n] = true
	}
	for _, n := range schemas.Names() {
		s, _ := schemas.Lookup(n)
		if s.Index("Timestamp") >= 0 && s.Index("ReportId") >= 0 && !listed[n] {
			t.Errorf("%s has Timestamp and ReportId but is not in XDRTables", n)
		}
	}
}

func TestRowLimitWarns(t *testing.T) {
	s := defendertest.NewServer(map[string]*table.Table{}, time.Time{})
	defer s.Close()
	for _, c := range []struct {
		n         int
		truncated bool
	}{{defender.MaxRows - 1, false}, {defender.MaxRows, true}} {
		res, err := run(t, open(t, s, defender.APIGraph, nil), fmt.Sprintf("range x from 1 to %d step 1", c.n))
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Table.Rows() != c.n || res[0].Truncated != c.truncated || (len(res[0].Warnings) > 0) != c.truncated {
			t.Errorf("%d rows: got %d rows, truncated %v, warnings %v", c.n, res[0].Table.Rows(), res[0].Truncated, res[0].Warnings)
		}
	}
}

func TestTimespanIsSentToGraph(t *testing.T) {
	s := defendertest.NewHandlerServer(fixed(&defendertest.Answer{Tables: []*table.Table{allTypes()}}))
	defer s.Close()
	p := open(t, s, defender.APIGraph, map[string]string{"timespan": "P90D"})
	if _, err := run(t, p, "T"); err != nil {
		t.Fatal(err)
	}
	if r := s.Requests()[0]; r.Timespan != "P90D" || r.Query != "T" {
		t.Errorf("request %+v", r)
	}
	if !strings.Contains(p.Describe(), "timespan P90D") {
		t.Errorf("Describe = %q", p.Describe())
	}
}

func TestSettings(t *testing.T) {
	errs := []struct {
		settings map[string]string
		want     string
	}{
		{map[string]string{"api": "splunk"}, `setting api: "splunk" is not graph, m365d or mde`},
		{map[string]string{"apii": "graph"}, `unknown setting "apii"`},
		{map[string]string{"cloud": "mars"}, `setting cloud: "mars" is not a Defender cloud`},
		{map[string]string{"cloud": "cn"}, "not offered in Azure China"},
		{map[string]string{"api": "mde", "timespan": "P7D"}, "only the graph API takes a timespan"},
		{map[string]string{"timespan": "last week"}, `setting timespan: "last week" is not an ISO 8601`},
		{map[string]string{"endpoint": "http://example.com/v1.0", "auth": "token", "token_env": "X"}, "plain http is only allowed for loopback"},
		{map[string]string{"timeout": "soon"}, "setting timeout"},
		{map[string]string{"auth": "kerberos"}, `auth method "kerberos" is unknown`},
		{map[string]string{"auth": "clientsecret"}, "needs tenant_id, client_id and client_secret"},
	}
	for _, c := range errs {
		_, err := providers.Open(defender.Kind, "X", c.settings)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "defender provider X") {
			t.Errorf("%v: err = %v, want %q", c.settings, err, c.want)
		}
	}
	// The cloud picks the host Describe names; the API picks the path.
	hosts := []struct {
		api, cloud, host string
	}{
		{"", "", "graph.microsoft.com"},
		{"graph", "gcc-high", "graph.microsoft.us"},
		{"graph", "dod", "dod-graph.microsoft.us"},
		{"m365d", "global", "api.security.microsoft.com"},
		{"m365d", "eu", "api-eu.security.microsoft.com"},
		{"M365D", "gcc", "api-gcc.security.microsoft.us"},
		{"mde", "", "api.securitycenter.microsoft.com"},
		{"mde", "uk", "api-uk.securitycenter.microsoft.com"},
		{"mde", "usgov", "api-gov.securitycenter.microsoft.us"},
	}
	for _, h := range hosts {
		p, err := providers.Open(defender.Kind, "X", map[string]string{"api": h.api, "cloud": h.cloud, "auth": "cli"})
		if err != nil {
			t.Errorf("%+v: %v", h, err)
			continue
		}
		if d := p.Describe(); !strings.Contains(d, " at "+h.host+", auth") {
			t.Errorf("%+v: Describe = %q", h, d)
		}
	}
}

// Rows are split without decoding them twice: pretty-printed answers,
// escaped keys and values holding JSON punctuation still land in their
// columns.
func TestAnswerLayouts(t *testing.T) {
	body := "{\n  \"schema\" : [ {\"name\": \"a\\\"b\", \"type\": \"String\"}, {\"name\": \"N\", \"type\": \"Object\"}, {\"name\": \"\\u00e9\", \"type\": \"Int64\"} ],\n" +
		"  \"results\" : [\n    { \"\\u00e9\" : 9223372036854775807 ,\n      \"N\" : { \"k\" : [ \"},]\" , { \"x\" : \"\\\\\\\"\" } ] } ,\n      \"a\\\"b\" : \"x, }] \\\" y\" } ,\n    { }\n  ]\n}"
	s := defendertest.NewHandlerServer(fixed(&defendertest.Answer{}))
	defer s.Close()
	s.Fail(defendertest.Fault{Status: 200, Body: body})
	res, err := run(t, open(t, s, defender.APIGraph, nil), "T")
	if err != nil {
		t.Fatal(err)
	}
	tb := res[0].Table
	got := []string{tb.Columns[0].Name, tb.Columns[2].Name, tb.Columns[0].Value(0).String(), tb.Columns[1].Value(0).String(), tb.Columns[2].Value(0).String()}
	want := []string{`a"b`, "é", `x, }] " y`, `{"k":["},]",{"x":"\\\""}]}`, "9223372036854775807"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if tb.Rows() != 2 || !tb.Columns[2].Value(1).IsNull() || !tb.Columns[1].Value(1).IsNull() {
		t.Errorf("the empty row: %v", tb.Row(1))
	}
}
