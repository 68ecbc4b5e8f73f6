package sentinel_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/internal/remotetest"
	"github.com/huntbook/huntbook/providers/sentinel"
	"github.com/huntbook/huntbook/providers/sentinel/sentineltest"
)

const tokenEnv = "HB_TEST_SENTINEL_TOKEN"

func allTypes() *table.Table { return remotetest.AllTypes("quote\" back\\ nl\n ünï") }

var (
	sameTable = remotetest.SameTable
	fixed     = remotetest.Fixed
	block     = remotetest.Block
)

func open(t *testing.T, s *sentineltest.Server, extra map[string]string) *sentinel.Provider {
	t.Helper()
	return remotetest.Open(t, sentinel.New, "Default", tokenEnv, s.Token, s.Settings(tokenEnv), extra)
}

func TestTypesConvertExactly(t *testing.T) {
	want := allTypes()
	s := sentineltest.NewHandlerServer(fixed(&sentineltest.Answer{Tables: []*table.Table{want}}))
	defer s.Close()
	res, err := open(t, s, nil).NewSession().Run(context.Background(), "T", providers.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	sameTable(t, res[0].Table, want)
	// Spot checks beyond the rendered text: exact ticks and bag order.
	if got := res[0].Table.Column("D").Ints[0]; got != want.Column("D").Ints[0] {
		t.Errorf("datetime ticks %d, want %d", got, want.Column("D").Ints[0])
	}
	if got := res[0].Table.Column("L").Ints[0]; got != 1<<62+1 {
		t.Errorf("long %d lost precision", got)
	}
	bag, ok := res[0].Table.Column("Dyn").Dyns[0].(*types.Bag)
	if !ok || !reflect.DeepEqual(bag.Keys, []string{"z", "a", "big"}) {
		t.Errorf("dynamic bag = %#v", res[0].Table.Column("Dyn").Dyns[0])
	}
	if res[0].Name != "" || res[0].Render != nil || len(res[0].Warnings) != 0 {
		t.Errorf("result extras: %+v", res[0])
	}
}

func TestEngineServerRenderAndPrefer(t *testing.T) {
	s := sentineltest.NewServer(map[string]*table.Table{"T": allTypes()}, time.Time{})
	defer s.Close()
	ses := open(t, s, nil).NewSession()
	res, err := ses.Run(context.Background(), "T | summarize n = count() by B | render barchart with (title=\"by flag\", ycolumns=n)", providers.QueryOptions{Timeout: 42 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r := res[0].Render
	if r == nil || r.Kind != "barchart" || r.Props["title"] != "by flag" || !reflect.DeepEqual(r.Props["ycolumns"], []string{"n"}) {
		t.Errorf("render = %+v", r)
	}
	if got := s.Requests()[0].Prefer; got != "wait=42,include-render=true" {
		t.Errorf("Prefer = %q", got)
	}
}

func TestPartialErrorIsAWarning(t *testing.T) {
	ans := &sentineltest.Answer{Tables: []*table.Table{allTypes()},
		Partial: []string{"Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)"}}
	s := sentineltest.NewHandlerServer(fixed(ans))
	defer s.Close()
	res, err := open(t, s, nil).NewSession().Run(context.Background(), "T", providers.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Warnings) != 1 || !strings.Contains(res[0].Warnings[0], "E_QUERY_RESULT_SET_TOO_LARGE") || !res[0].Truncated {
		t.Errorf("warnings %q truncated %v", res[0].Warnings, res[0].Truncated)
	}
}

func TestRetries(t *testing.T) {
	ok := fixed(&sentineltest.Answer{Tables: []*table.Table{allTypes()}})
	cases := []remotetest.RetryCase{
		{Name: "429 then success honours Retry-After", Faults: []sentineltest.Fault{{Status: 429, RetryAfter: "1"}}, Requests: 2, MinTime: time.Second},
		{Name: "5xx then success", Faults: []sentineltest.Fault{{Status: 500}, {Status: 503}, {Status: 502}}, Requests: 4},
		{Name: "throttled past the retries", Faults: []sentineltest.Fault{{Status: 429}, {Status: 429}, {Status: 429}}, Settings: map[string]string{"retries": "2"}, WantErr: "throttled", Requests: 3},
		{Name: "Retry-After beyond the cap is not waited for", Faults: []sentineltest.Fault{{Status: 429, RetryAfter: "3600"}}, WantErr: "throttled", Requests: 1},
		{Name: "no retries", Faults: []sentineltest.Fault{{Status: 503}}, Settings: map[string]string{"retries": "0"}, WantErr: "HTTP 503", Requests: 1},
		{Name: "400 is not retried", Faults: []sentineltest.Fault{{Status: 400, Body: `{"error":{"code":"BadArgumentError","message":"bad"}}`}}, WantErr: "BadArgumentError: bad", Requests: 1},
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			s := sentineltest.NewHandlerServer(ok)
			defer s.Close()
			s.Fail(c.Faults...)
			start := time.Now()
			_, err := open(t, s, c.Settings).NewSession().Run(context.Background(), "T", providers.QueryOptions{})
			c.Check(t, err, len(s.Requests()), time.Since(start))
		})
	}
}

func TestServerTimeout(t *testing.T) {
	s := sentineltest.NewHandlerServer(block)
	defer s.Close()
	s.WaitUnit = 20 * time.Millisecond
	_, err := open(t, s, nil).NewSession().Run(context.Background(), "T", providers.QueryOptions{Timeout: 2 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "timed out on the server after 2s") {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.Requests()); n != 1 {
		t.Errorf("a server timeout was retried: %d requests", n)
	}
}

func TestCancellation(t *testing.T) {
	s := sentineltest.NewHandlerServer(block)
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := open(t, s, nil).NewSession().Run(ctx, "T", providers.QueryOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancel took %s", d)
	}
}

func TestMalformedResponses(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"not JSON", `<html>oops</html>`, 200, "malformed response from the query API"},
		{"no tables", `{"foo": 1}`, 200, `no "tables"`},
		{"bad datetime", `{"tables":[{"name":"PrimaryResult","columns":[{"name":"D","type":"datetime"}],"rows":[["yesterday"]]}]}`, 200, `table PrimaryResult row 0 column D: "yesterday" is not a valid datetime`},
		{"short row", `{"tables":[{"name":"PrimaryResult","columns":[{"name":"A","type":"long"},{"name":"B","type":"long"}],"rows":[[1]]}]}`, 200, "row 0 has 1 values, want 2"},
		{"unknown type", `{"tables":[{"name":"PrimaryResult","columns":[{"name":"A","type":"blob"}],"rows":[]}]}`, 200, `column 0 (A): unknown column type "blob"`},
		{"int overflow", `{"tables":[{"name":"PrimaryResult","columns":[{"name":"A","type":"int"}],"rows":[[3000000000]]}]}`, 200, "out of 32-bit range"},
		{"error body not JSON", `Service Unavailable`, 503, `HTTP 503 Service Unavailable (body is not a Log Analytics error: "Service Unavailable")`},
		{"error without tables", `{"tables":[],"error":{"code":"PartialError","message":"There were some errors","details":[{"code":"EngineError","message":"x"}]}}`, 200, "query failed: PartialError: There were some errors"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := sentineltest.NewHandlerServer(fixed(&sentineltest.Answer{}))
			defer s.Close()
			s.Fail(sentineltest.Fault{Status: c.status, Body: c.body})
			_, err := open(t, s, map[string]string{"retries": "0"}).NewSession().Run(context.Background(), "T", providers.QueryOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "sentinel Default: ") {
				t.Fatalf("err = %v, want it to start with the provider and contain %q", err, c.want)
			}
		})
	}
}

func TestQueryErrorPositionsAndSessionLets(t *testing.T) {
	s := sentineltest.NewServer(map[string]*table.Table{"T": allTypes()}, time.Time{})
	defer s.Close()
	ses := open(t, s, nil).NewSession()
	ctx := context.Background()
	remotetest.CheckRemembered(t, ses, "let lim = 2;\nlet col = 'S';", s.Requests, func(r sentineltest.Request) string { return r.Query })
	_, err := ses.Run(ctx, "T\n| where NoSuchColumn == 1", providers.QueryOptions{})
	var qe *providers.QueryError
	if !errors.As(err, &qe) {
		t.Fatalf("err = %v (%T), want a QueryError", err, err)
	}
	if qe.Line != 2 || qe.Column != 9 || !strings.Contains(qe.Msg, "NoSuchColumn") {
		t.Errorf("QueryError = %+v, want line 2 column 9 naming the column", qe)
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	const secret = "client-secret-Zq81!"
	var s *sentineltest.Server
	s = sentineltest.NewHandlerServer(func(context.Context, string) (*sentineltest.Answer, error) {
		return nil, fmt.Errorf("echo: token %s secret %s", s.Token, secret)
	})
	defer s.Close()
	p := open(t, s, map[string]string{"client_secret": secret, "tenant_id": "t", "client_id": "c"})
	_, err := p.NewSession().Run(context.Background(), "T", providers.QueryOptions{})
	if err == nil {
		t.Fatal("no error")
	}
	for _, leak := range []string{s.Token, secret} {
		if strings.Contains(err.Error(), leak) || strings.Contains(p.Describe(), leak) {
			t.Errorf("secret %q leaked: %v / %s", leak, err, p.Describe())
		}
	}
	// A partial error echoing the token is masked in warnings too.
	s2 := sentineltest.NewHandlerServer(fixed(&sentineltest.Answer{Tables: []*table.Table{allTypes()}, Partial: []string{"tok " + sentineltest.DefaultToken}}))
	defer s2.Close()
	res, err := open(t, s2, nil).NewSession().Run(context.Background(), "T", providers.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(res[0].Warnings, " "); strings.Contains(w, sentineltest.DefaultToken) || !strings.Contains(w, "tok ***") {
		t.Errorf("warnings leak the token: %v", w)
	}
	// A wrong token: the error says so without printing either token.
	t.Setenv(tokenEnv, "wrong-token-value-123")
	settings := s.Settings(tokenEnv)
	p3, _ := sentinel.New("Default", settings)
	_, err = p3.NewSession().Run(context.Background(), "T", providers.QueryOptions{})
	if err == nil || !strings.Contains(err.Error(), "not authorized (HTTP 401)") || strings.Contains(err.Error(), "wrong-token-value-123") {
		t.Errorf("wrong token: %v", err)
	}
	t.Setenv(tokenEnv, "")
	_, err = p3.NewSession().Run(context.Background(), "T", providers.QueryOptions{})
	if err == nil || !strings.Contains(err.Error(), "environment variable "+tokenEnv+" is not set") {
		t.Errorf("unset token: %v", err)
	}
}

func TestTablesAndConnect(t *testing.T) {
	s := sentineltest.NewServer(map[string]*table.Table{"T": allTypes(), "A": table.New("A", types.Schema{{Name: "x", Type: types.Long}})}, time.Time{})
	defer s.Close()
	p := open(t, s, nil)
	if err := p.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	tabs, err := p.Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tabs) != 2 || tabs[0].Name != "A" || tabs[1].Name != "T" || !reflect.DeepEqual(tabs[1].Schema, allTypes().Schema()) || tabs[1].Rows != -1 {
		t.Errorf("tables = %+v", tabs)
	}
	if d := p.Describe(); !strings.Contains(d, s.WorkspaceID) || !strings.Contains(d, "auth: token") {
		t.Errorf("Describe = %q", d)
	}
	bad, _ := sentinel.New("X", map[string]string{"workspace_id": "nope", "endpoint": s.Endpoint(), "auth": "token", "token_env": tokenEnv, "retries": "0"})
	if err := bad.Connect(context.Background()); err == nil || !strings.Contains(err.Error(), "workspace nope not found") {
		t.Errorf("unknown workspace: %v", err)
	}
}

func TestSettingsErrors(t *testing.T) {
	cases := []struct {
		settings map[string]string
		want     string
	}{
		{map[string]string{}, "workspace_id is required"},
		{map[string]string{"workspace_id": "w", "wrokspace": "x"}, `unknown setting "wrokspace"`},
		{map[string]string{"workspace_id": "w", "endpoint": "http://example.com/v1", "auth": "token", "token_env": "X"}, "plain http is only allowed for loopback"},
		{map[string]string{"workspace_id": "w", "timeout": "soon"}, "setting timeout"},
		{map[string]string{"workspace_id": "w", "timeout": "900"}, "600s maximum"},
		{map[string]string{"workspace_id": "w", "auth": "kerberos"}, `auth method "kerberos" is unknown`},
		{map[string]string{"workspace_id": "w", "auth": "token"}, "needs token_env"},
		{map[string]string{"workspace_id": "w", "auth": "clientsecret"}, "needs tenant_id, client_id and client_secret"},
		{map[string]string{"workspace_id": "w", "retries": "99"}, "setting retries"},
	}
	for _, c := range cases {
		_, err := providers.Open("sentinel", "W", c.settings)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "sentinel provider W") {
			t.Errorf("%v: err = %v, want %q", c.settings, err, c.want)
		}
	}
	if _, err := providers.Open("sentinel", "W", map[string]string{"workspace_id": "w", "auth": "cli"}); err != nil {
		t.Errorf("cli auth: %v", err)
	}
	_ = http.StatusOK
}
