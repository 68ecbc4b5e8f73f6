// Package defendertest is a fake Defender XDR advanced hunting service on a
// local httptest server, speaking the three APIs' documented wire formats:
//
//   - POST /v1.0/security/runHuntingQuery (Microsoft Graph) with
//     {"Query", "Timespan"?}: {"@odata.context", "schema": [{"name",
//     "type"}], "results": [{column: value}]}; errors {"error": {"code",
//     "message", "innerError": {"date", "request-id", "client-request-id"}}}.
//   - POST /api/advancedhunting/run (Defender XDR) and
//     /api/advancedqueries/run (Defender for Endpoint) with {"Query"} (the
//     key is case-sensitive, as the service documents): {"Stats", "Schema":
//     [{"Name", "Type"}], "Results": [...]}; errors {"error": {"code",
//     "message", "target"}}.
//
// Column types are written with the .NET names the services use (String,
// Int64, DateTime, Object ...). Rejected queries answer 400 with Kusto's
// "on line [L,C]" position (0-based column) when the engine gives one.
// Tests point the defender provider at it with Settings.
package defendertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers/internal/fake"
	"github.com/huntbook/huntbook/providers/internal/wire"
)

// Answer, Handler and Fault are the fake's query answers and scripted
// failures (see package fake).
type (
	Answer  = fake.Answer
	Handler = fake.Handler
	Fault   = fake.Fault
)

// DefaultToken is the bearer token a new server accepts.
const DefaultToken = "fake-defender-token-91c2"

// The APIs' paths on the server.
const (
	GraphPath = "/v1.0/security/runHuntingQuery"
	M365DPath = "/api/advancedhunting/run"
	MDEPath   = "/api/advancedqueries/run"
)

// Server is a running fake tenant.
type Server struct {
	*httptest.Server
	// Token is the bearer token it accepts.
	Token string
	// QueryTimeout is how long a query may run before the service gives up
	// (504); default three minutes, as the service documents.
	QueryTimeout time.Duration

	handler Handler
	faults  fake.Faults
	reqs    fake.Log[Request]
}

// Request is what the server saw of one query request.
type Request struct {
	Path, Authorization, ContentType string
	// Body is the request body as sent; Query and Timespan are read from it.
	Body            string
	Query, Timespan string
}

// NewServer answers queries with the embedded engine over tables (now()
// pinned to now when not zero). Close it when done.
func NewServer(tables map[string]*table.Table, now time.Time) *Server {
	return NewHandlerServer(fake.Engine(tables, now))
}

// NewHandlerServer answers queries with h.
func NewHandlerServer(h Handler) *Server {
	s := &Server{Token: DefaultToken, QueryTimeout: 3 * time.Minute, handler: h}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Endpoint is the value for the defender provider's "endpoint" setting for
// api graph, m365d or mde.
func (s *Server) Endpoint(api string) string {
	if api == "" || api == "graph" {
		return s.URL + "/v1.0"
	}
	return s.URL
}

// Settings are provider settings for api pointing at this server,
// authenticating with a bearer token read from the environment variable
// tokenEnv (which the caller sets to s.Token).
func (s *Server) Settings(api, tokenEnv string) map[string]string {
	return map[string]string{"api": api, "endpoint": s.Endpoint(api), "auth": "token", "token_env": tokenEnv,
		"retry_delay": "5ms", "max_retry_delay": "2s"}
}

// Fail queues scripted failures served, one per request, before normal
// answers. An empty Body gets the API's usual error body for the status.
func (s *Server) Fail(fs ...Fault) { s.faults.Push(fs...) }

// Requests returns the query requests seen so far.
func (s *Server) Requests() []Request { return s.reqs.All() }

// faultBody is the API's error body for a scripted failure.
func faultBody(path string, status int) any {
	code, msg := "InternalServerError", http.StatusText(status)
	switch status {
	case http.StatusTooManyRequests:
		code, msg = "TooManyRequests", "API calls quota exceeded! Maximum allowed 45 per 1 minute. Next legal call is in 1 seconds."
	case http.StatusGatewayTimeout:
		code, msg = "UnknownError", ""
	case http.StatusServiceUnavailable:
		code = "ServiceUnavailable"
	}
	return ErrorBody(path, code, msg)
}

func isGraph(path string) bool { return path == GraphPath }

// ErrorBody is the API's error shape for path.
func ErrorBody(path, code, msg string) map[string]any {
	e := map[string]any{"code": code, "message": msg}
	if isGraph(path) {
		e["innerError"] = map[string]any{"date": "2026-11-23T00:00:00", "request-id": "b354c428-504f-4544-8c90-49180d42a882",
			"client-request-id": "b354c428-504f-4544-8c90-49180d42a882"}
	} else {
		e["target"] = "|cd9f5106-4aa2341c0de87fd0.1.2."
	}
	return map[string]any{"error": e}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if path != GraphPath && path != M365DPath && path != MDEPath {
		fake.WriteJSON(w, http.StatusNotFound, ErrorBody(path, "NotFound", "Resource not found for the segment '"+strings.TrimPrefix(path, "/")+"'."))
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		code, msg := "Unauthorized", "Unauthorized"
		if isGraph(path) {
			code, msg = "InvalidAuthenticationToken", "Access token validation failure. Invalid audience."
		}
		fake.WriteJSON(w, http.StatusUnauthorized, ErrorBody(path, code, msg))
		return
	}
	if r.Method != http.MethodPost {
		fake.WriteJSON(w, http.StatusMethodNotAllowed, ErrorBody(path, "BadRequest", "The HTTP method '"+r.Method+"' is not allowed"))
		return
	}
	body, _ := io.ReadAll(r.Body)
	req := Request{Path: path, Authorization: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: string(body)}
	var q map[string]json.RawMessage
	_ = json.Unmarshal(body, &q)
	_ = json.Unmarshal(q["Query"], &req.Query)
	_ = json.Unmarshal(q["Timespan"], &req.Timespan)
	if req.Query == "" && isGraph(path) { // Graph reads OData parameters without regard to case
		_ = json.Unmarshal(q["query"], &req.Query)
	}
	s.reqs.Add(req)
	if s.faults.Serve(w, r, func(status int) any { return faultBody(path, status) }) {
		return
	}
	if req.Query == "" {
		code, msg := "InvalidRequestBody", "Missing query."
		if isGraph(path) {
			code, msg = "BadRequest", "Query is required."
		}
		fake.WriteJSON(w, http.StatusBadRequest, ErrorBody(path, code, msg))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.QueryTimeout)
	defer cancel()
	ans, err := s.handler(ctx, req.Query)
	if fake.TimedOut(ctx, err) {
		fake.WriteJSON(w, http.StatusGatewayTimeout, ErrorBody(path, "UnknownError", ""))
		return
	}
	if r.Context().Err() != nil {
		return
	}
	if err != nil {
		fake.WriteJSON(w, http.StatusBadRequest, ErrorBody(path, "BadRequest", fake.KustoMessage(err)))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(Encode(path, ans))
}

// TypeName is the .NET type name the services write in a schema.
func TypeName(t types.Type) string {
	switch t {
	case types.Bool:
		return "Boolean"
	case types.Int:
		return "Int32"
	case types.Long:
		return "Int64"
	case types.Real:
		return "Double"
	case types.Decimal:
		return "Decimal"
	case types.DateTime:
		return "DateTime"
	case types.TimeSpan:
		return "TimeSpan"
	case types.GUID:
		return "Guid"
	case types.Dynamic:
		return "Object"
	}
	return "String"
}

// Encode builds the answer body for the API at path: the first table of
// ans (the APIs return one result) as a schema and one JSON object per
// row, keys in column order; dynamic values as JSON.
func Encode(path string, ans *Answer) []byte {
	var t *table.Table
	if len(ans.Tables) > 0 {
		t = ans.Tables[0]
	} else {
		t = table.New("PrimaryResult", nil)
	}
	graph := isGraph(path)
	var b bytes.Buffer
	key := func(graphKey, defenderKey string) string {
		if graph {
			return graphKey
		}
		return defenderKey
	}
	b.WriteString("{")
	if graph {
		b.WriteString(`"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults",`)
	} else {
		fmt.Fprintf(&b, `"Stats":{"ExecutionTime":0.01,"resource_usage":{"cache":{"memory":{"hits":1,"misses":0,"total":1}}},"dataset_statistics":[{"table_row_count":%d,"table_size":0}]},`, t.Rows())
	}
	fmt.Fprintf(&b, `"%s":[`, key("schema", "Schema"))
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(c.Name)
		fmt.Fprintf(&b, `{"%s":%s,"%s":"%s"}`, key("name", "Name"), name, key("type", "Type"), TypeName(c.Type))
	}
	fmt.Fprintf(&b, `],"%s":[`, key("results", "Results"))
	for r := 0; r < t.Rows(); r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for i, c := range t.Columns {
			if i > 0 {
				b.WriteByte(',')
			}
			name, _ := json.Marshal(c.Name)
			b.Write(name)
			b.WriteByte(':')
			b.Write(wire.EncodeCell(c, r, wire.Kusto))
		}
		b.WriteByte('}')
	}
	b.WriteString("]}")
	return b.Bytes()
}
