// Package defender is the provider for Microsoft Defender XDR advanced
// hunting (kind "defender"): KQL sent to one of the three APIs that run
// advanced hunting queries, results converted exactly to kql/table.
//
//   - api "graph" (default): Microsoft Graph security runHuntingQuery,
//     POST {graph}/v1.0/security/runHuntingQuery {"Query", "Timespan"?},
//     answer {"schema": [{"name", "type"}], "results": [{...}]}; permission
//     ThreatHunting.Read.All.
//   - api "m365d": the Defender XDR API, POST
//     https://api.security.microsoft.com/api/advancedhunting/run {"Query"},
//     answer {"Stats", "Schema": [{"Name", "Type"}], "Results": [{...}]};
//     permission AdvancedHunting.Read(.All).
//   - api "mde": the older Defender for Endpoint API, POST
//     https://api.securitycenter.microsoft.com/api/advancedqueries/run, the
//     same shapes, Device* tables only; permission AdvancedQuery.Read(.All).
//
// Requests go through providers/internal/azhttp (azidentity credentials,
// retries of 429 and 5xx honouring Retry-After, secrets masked in errors),
// as the sentinel and kusto providers do. Column types are the .NET names
// the APIs send (String, Int64, DateTime, Object ...) read by kql/types;
// each row is a JSON object whose values are decoded raw, so longs above
// 2^53 keep every digit.
//
// The APIs keep nothing between requests: a cell holding only let (or
// other) declarations is remembered and sent in front of every later query,
// query parameters become let statements (providers/internal/remote), and
// error positions are mapped back to the user's text. Named results
// (| as Name) and render hints are not returned by these APIs.
//
// There is no schema call: Tables() lists the Defender XDR advanced hunting
// tables (tables.go) with the columns kql/schemas holds for them.
package defender

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/huntbook/huntbook/kql/exec"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/internal/azhttp"
	"github.com/huntbook/huntbook/providers/internal/remote"
	"github.com/huntbook/huntbook/providers/internal/wire"
)

// Kind is the provider kind name.
const Kind = "defender"

func init() {
	providers.Register(Kind, func(name string, settings map[string]string) (providers.Provider, error) {
		return New(name, settings)
	})
}

// Settings this provider reads besides azhttp.CommonSettings.
var Settings = []string{"api", "timespan"}

// The APIs that run advanced hunting queries.
const (
	APIGraph = "graph"
	APIM365D = "m365d"
	APIMDE   = "mde"
)

// MaxRows is the documented row limit of an advanced hunting answer.
const MaxRows = 100000

// DefaultTimeout is how long a query may take: the service stops a request
// after three minutes (m365d; 200 s for mde), so waiting longer only
// waits for its error.
const DefaultTimeout = 200 * time.Second

// api describes one of the three APIs in one cloud.
type api struct {
	name       string
	label      string // for Describe and errors
	path       string // relative to the endpoint
	endpoint   string // base URL
	audience   string // token scope without /.default
	permission string // what the app or user needs, for 403 errors
}

// apiFor picks the API's endpoint and token audience in a Defender cloud.
// Clouds are MSTICPy's MicrosoftDefender Cloud values (global, us, eu, uk,
// gcc, gcc-high, dod) plus the Azure names (usgov, cn). Regional hosts of
// the public cloud take the public audience: their tokens are the same.
func apiFor(name, cloud string) (api, error) {
	var a api
	switch name {
	case APIGraph:
		a = api{name: name, label: "Microsoft Graph runHuntingQuery", path: "security/runHuntingQuery", permission: "ThreatHunting.Read.All"}
		switch cloud {
		case "global", "us", "eu", "uk", "gcc":
			a.audience = "https://graph.microsoft.com"
		case "usgov", "gcc-high":
			a.audience = "https://graph.microsoft.us"
		case "dod":
			a.audience = "https://dod-graph.microsoft.us"
		case "cn":
			return a, errors.New("Microsoft Graph runHuntingQuery is not offered in Azure China (21Vianet)")
		}
		a.endpoint = a.audience + "/v1.0"
		return a, nil
	case APIM365D, APIMDE:
		host := "security"
		a = api{name: name, label: "Defender XDR advanced hunting API", path: "api/advancedhunting/run", permission: "AdvancedHunting.Read.All (application) or AdvancedHunting.Read (delegated)"}
		if name == APIMDE {
			host = "securitycenter"
			a.label, a.path = "Defender for Endpoint advanced queries API", "api/advancedqueries/run"
			a.permission = "AdvancedQuery.Read.All (application) or AdvancedQuery.Read (delegated)"
		}
		switch cloud {
		case "global":
			a.endpoint = "https://api." + host + ".microsoft.com"
			a.audience = a.endpoint
		case "us", "eu", "uk":
			a.endpoint = "https://api-" + cloud + "." + host + ".microsoft.com"
			a.audience = "https://api." + host + ".microsoft.com"
		case "gcc":
			a.endpoint = "https://api-gcc." + host + ".microsoft.us"
			a.audience = a.endpoint
		case "usgov", "gcc-high", "dod":
			a.endpoint = "https://api-gov." + host + ".microsoft.us"
			a.audience = a.endpoint
		case "cn":
			return a, fmt.Errorf("the %s is not offered in Azure China (21Vianet)", a.label)
		}
		return a, nil
	}
	return a, fmt.Errorf("setting api: %q is not graph, m365d or mde", name)
}

// cloudName normalises a cloud setting to one of apiFor's names.
func cloudName(s string) (string, error) {
	switch c := strings.ToLower(strings.TrimSpace(s)); c {
	case "", "global", "public", "azurecloud", "commercial":
		return "global", nil
	case "gov", "usgov", "azureusgovernment":
		return "usgov", nil
	case "china", "cn", "azurechina":
		return "cn", nil
	case "us", "eu", "uk", "gcc", "dod":
		return c, nil
	case "gcc-high", "gcchigh", "gcc_high":
		return "gcc-high", nil
	}
	return "", fmt.Errorf("setting cloud: %q is not a Defender cloud (global, us, eu, uk, gcc, gcc-high, dod, usgov, cn)", s)
}

// Provider runs advanced hunting queries in one tenant.
type Provider struct {
	name     string
	tenant   string
	api      api
	timespan string
	timeout  time.Duration
	cl       *azhttp.Client
}

// New makes a provider from settings: api (graph, m365d or mde; default
// graph), timespan (graph only: the ISO 8601 window Graph searches, e.g.
// P7D; Graph's default is 30 days), endpoint (API base URL, default the
// cloud's: https://graph.microsoft.com/v1.0, https://api.security.microsoft.com,
// https://api.securitycenter.microsoft.com), cloud (global, us, eu, uk, gcc,
// gcc-high, dod, usgov), auth, token_env, tenant_id, client_id,
// client_secret, timeout (default 200s), retries, retry_delay,
// max_retry_delay.
func New(name string, settings map[string]string) (*Provider, error) {
	fail := func(err error) (*Provider, error) {
		if strings.EqualFold(name, Kind) {
			return nil, fmt.Errorf("defender provider: %w", err)
		}
		return nil, fmt.Errorf("defender provider %s: %w", name, err)
	}
	o, err := azhttp.OptionsFrom(settings, Settings...)
	if err != nil {
		return fail(err)
	}
	cloud, err := cloudName(settings["cloud"])
	if err != nil {
		return fail(err)
	}
	apiName := strings.ToLower(strings.TrimSpace(settings["api"]))
	if apiName == "" {
		apiName = APIGraph
	}
	a, err := apiFor(apiName, cloud)
	if err != nil {
		return fail(err)
	}
	ts := strings.TrimSpace(settings["timespan"])
	if ts != "" && a.name != APIGraph {
		return fail(fmt.Errorf("setting timespan: only the graph API takes a timespan; the %s always searches the last 30 days", a.label))
	}
	if ts != "" && !validTimespan(ts) {
		return fail(fmt.Errorf("setting timespan: %q is not an ISO 8601 duration or interval (P7D, PT12H, 2024-02-01T00:00:00Z/P30D ...)", ts))
	}
	timeout, err := azhttp.Timeout(settings, DefaultTimeout)
	if err != nil {
		return fail(err)
	}
	// Entra ID authority: US government clouds sign in at login.microsoftonline.us.
	o.Cloud = ""
	if cloud == "usgov" || cloud == "gcc-high" || cloud == "dod" {
		o.Cloud = "usgov"
	}
	o.Endpoint = a.endpoint
	if e := settings["endpoint"]; e != "" {
		o.Endpoint = strings.TrimSuffix(e, "/")
		a.endpoint = o.Endpoint
	}
	o.Scope = a.audience + "/.default"
	cl, err := azhttp.New(o)
	if err != nil {
		return fail(err)
	}
	return &Provider{name: name, tenant: o.TenantID, api: a, timespan: ts, timeout: timeout, cl: cl}, nil
}

var timespanRE = regexp.MustCompile(`^(P[0-9YMWDTHS.]+|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z?)(/(P[0-9YMWDTHS.]+|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z?))?$`)

func validTimespan(s string) bool { return timespanRE.MatchString(s) }

func (p *Provider) Name() string { return p.name }
func (p *Provider) Kind() string { return Kind }

// API is the API this provider sends queries to: graph, m365d or mde.
func (p *Provider) API() string { return p.api.name }

// Describe names the API, its host, the tenant and the auth methods, and
// what the provider keeps between cells.
func (p *Provider) Describe() string {
	u, _ := url.Parse(p.api.endpoint)
	window := "last 30 days"
	if p.timespan != "" {
		window = "timespan " + p.timespan
	}
	tenant := ""
	if p.tenant != "" {
		tenant = ", tenant " + p.tenant
	}
	return fmt.Sprintf("Defender XDR advanced hunting via %s at %s%s, auth: %s; %s, at most %d rows; let declarations and parameters are re-sent with each query",
		p.api.label, u.Host, tenant, strings.Join(p.cl.Methods, ", "), window, MaxRows)
}

// Connect authenticates and runs a trivial query (one that reads no table,
// so it works whichever Defender products the tenant has). A query error
// (400) still proves the credentials and the permission: the service read
// the query.
func (p *Provider) Connect(ctx context.Context) error {
	err := remote.Connect(ctx, p.query)
	var qe *providers.QueryError
	if errors.As(err, &qe) {
		return nil
	}
	return err
}

// Close releases nothing: connections are pooled by net/http.
func (p *Provider) Close() error { return nil }

// NewSession starts a session; it remembers declaration-only cells.
func (p *Provider) NewSession() providers.Session {
	return &remote.Session{Label: "defender " + p.name, Timeout: p.timeout, Query: p.query}
}

// response is either API's answer: encoding/json matches the keys without
// regard to case, so Graph's schema/results/name/type and Defender's
// Schema/Results/Name/Type both land here.
type response struct {
	Schema []struct {
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"schema"`
	Results  []json.RawMessage `json:"results"`
	Stats    json.RawMessage   `json:"stats"`
	NextLink string            `json:"@odata.nextLink"`
	Error    *apiError         `json:"error"`
}

// apiError is the error object both APIs send: code and message (Graph adds
// innerError with request ids, Defender a target tracking id).
type apiError struct {
	Code       string    `json:"code"`
	Message    string    `json:"message"`
	Target     string    `json:"target"`
	InnerError *apiError `json:"innerError"`
}

func (e *apiError) text() string {
	msg := strings.TrimSpace(e.Message)
	if msg == "" && e.InnerError != nil {
		msg = strings.TrimSpace(e.InnerError.Message)
	}
	switch {
	case e.Code != "" && msg != "":
		return e.Code + ": " + msg
	case e.Code != "":
		return e.Code + " (no message)"
	}
	return msg
}

func (p *Provider) query(ctx context.Context, prep remote.Prepared, timeout time.Duration) ([]*providers.Result, error) {
	start := time.Now()
	body := requestBody(prep.Text, p.timespan)
	hdr := http.Header{"Accept": {"application/json"}}
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := p.cl.Do(qctx, http.MethodPost, p.api.path, hdr, body)
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, p.errorf("no answer within %s (the timeout setting); the service stops a query after about 3 minutes", timeout)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, p.errorf("%w", err)
	}
	if resp.Status != http.StatusOK {
		return nil, p.statusError(resp, prep)
	}
	var r response
	if err := json.Unmarshal(resp.Body, &r); err != nil {
		return nil, p.errorf("malformed response from the %s: %v", p.api.label, err)
	}
	if r.Error != nil {
		return nil, p.errorf("query failed: %s", r.Error.text())
	}
	if r.Schema == nil {
		return nil, p.errorf("malformed response from the %s: no \"schema\"", p.api.label)
	}
	t := &table.Table{Name: "PrimaryResult"}
	for ci, c := range r.Schema {
		typ, err := wire.ParseType(c.Type)
		if err != nil {
			return nil, p.errorf("malformed response: schema column %d (%s): %v", ci, c.Name, err)
		}
		if c.Name == "" {
			return nil, p.errorf("malformed response: schema column %d has no name", ci)
		}
		if t.Column(c.Name) != nil {
			return nil, p.errorf("malformed response: schema lists column %s twice", c.Name)
		}
		t.Columns = append(t.Columns, table.NewColumn(c.Name, typ, len(r.Results)))
	}
	index := make(map[string]int, len(t.Columns))
	for i, c := range t.Columns {
		index[c.Name] = i
	}
	cells := make([][]byte, len(t.Columns))
	for ri, raw := range r.Results {
		clear(cells)
		var extra string
		ok := members(raw, func(key string, val []byte) {
			if i, known := index[key]; known {
				cells[i] = val
			} else if extra == "" {
				extra = key
			}
		})
		if !ok {
			return nil, p.errorf("malformed response: result row %d is not a JSON object", ri)
		}
		if extra != "" {
			return nil, p.errorf("malformed response: result row %d has a value for %s, which the schema does not list", ri, extra)
		}
		for i, c := range t.Columns {
			// A column missing from a row is a null: Graph leaves nulls out.
			if err := wire.AppendCell(c, cells[i], wire.LogAnalytics); err != nil {
				return nil, p.errorf("malformed response: result row %d column %s: %v", ri, c.Name, err)
			}
		}
	}
	res := &providers.Result{Table: t, Stats: exec.Stats{Elapsed: time.Since(start)}}
	if len(r.Results) >= MaxRows {
		res.Truncated = true
		res.Warnings = append(res.Warnings, fmt.Sprintf("the result has %d rows, the API's limit: rows past it were dropped; narrow the query (where, summarize, take)", len(r.Results)))
	}
	if r.NextLink != "" {
		res.Truncated = true
		res.Warnings = append(res.Warnings, "the API answered one page of several (@odata.nextLink); only the first page is shown")
	}
	return []*providers.Result{res}, nil
}

// requestBody is {"Query": text} (plus Timespan) with every non-ASCII
// character escaped, so the body means the same whatever charset a
// gateway assumes for application/json (the Graph docs warn about it).
func requestBody(query, timespan string) []byte {
	var b strings.Builder
	b.WriteString(`{"Query":`)
	writeASCIIString(&b, query)
	if timespan != "" {
		b.WriteString(`,"Timespan":`)
		writeASCIIString(&b, timespan)
	}
	b.WriteByte('}')
	return []byte(b.String())
}

func writeASCIIString(b *strings.Builder, s string) {
	js, _ := json.Marshal(s) // valid JSON; non-ASCII runes still raw
	for len(js) > 0 {
		r, n := utf8.DecodeRune(js)
		if r < utf8.RuneSelf {
			b.WriteByte(js[0])
		} else if r > 0xFFFF {
			r -= 0x10000
			fmt.Fprintf(b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		} else {
			fmt.Fprintf(b, `\u%04x`, r)
		}
		js = js[n:]
	}
}

func (p *Provider) errorf(format string, args ...any) error {
	return remote.Errorf(p.cl, "defender "+p.name, format, args...)
}

// statusError turns a failed answer into an error: a rejected query
// becomes a *providers.QueryError, the rest name the status and the
// service's code and message.
func (p *Provider) statusError(resp *azhttp.Response, prep remote.Prepared) error {
	e, notAPI := remote.DecodeError[apiError](resp, "an advanced hunting")
	if e == nil {
		return p.errorf("%s", notAPI)
	}
	switch resp.Status {
	case http.StatusBadRequest:
		if isTimeout(e) {
			return p.errorf("query timed out on the server: %s", e.text())
		}
		// Kusto writes the position into the message, in either spelling.
		return p.cl.Redact(remote.MessageError(e.text(), prep, remote.OnLine, remote.LinePosition))
	case http.StatusForbidden:
		return p.errorf("forbidden (HTTP 403; the %s needs %s): %s", p.api.label, p.api.permission, e.text())
	case http.StatusGatewayTimeout, http.StatusRequestTimeout:
		return p.errorf("query timed out on the server (HTTP %d): %s", resp.Status, e.text())
	case http.StatusNotFound:
		return p.errorf("HTTP 404 from %s/%s (is the endpoint setting right?): %s", p.api.endpoint, p.api.path, e.text())
	}
	return p.errorf("%s", remote.StatusMessage(resp.Status, e.text()))
}

func isTimeout(e *apiError) bool {
	t := strings.ToLower(e.Code + " " + e.Message)
	return strings.Contains(t, "timeout") || strings.Contains(t, "timed out") || strings.Contains(t, "execution time")
}

// members calls fn with each key and raw value of the JSON object raw,
// which encoding/json has already validated as part of the whole answer:
// splitting it here, without decoding it again into a map, is most of the
// cost of a large answer. It reports false when raw is not an object.
func members(raw []byte, fn func(key string, val []byte)) bool {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return true
	}
	for i < len(raw) {
		end := valueEnd(raw, i) // the key, a string
		key := string(raw[i+1 : end-1])
		if strings.IndexByte(key, '\\') >= 0 {
			_ = json.Unmarshal(raw[i:end], &key)
		}
		i = skipSpace(raw, end)
		i = skipSpace(raw, i+1) // past ':'
		end = valueEnd(raw, i)
		fn(key, raw[i:end])
		i = skipSpace(raw, end)
		if i >= len(raw) || raw[i] == '}' {
			break
		}
		i = skipSpace(raw, i+1) // past ','
	}
	return true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the offset just past the valid JSON value starting at i.
func valueEnd(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 {
				return i
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}
