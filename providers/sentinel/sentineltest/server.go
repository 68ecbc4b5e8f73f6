// Package sentineltest is a fake Log Analytics query API on a local
// httptest server, answering in the documented wire format: POST
// /v1/workspaces/{id}/query with {"query": ...} and a Prefer header
// (wait=N, include-render=true) returns {"tables": [{name, columns, rows}],
// "render": ..., "error": PartialError}; failures use the {"error": {code,
// message, innererror}} body. Tests of huntbook (and the cross-provider
// acceptance tests) point the sentinel provider at it with
// settings["endpoint"] = s.Endpoint().
package sentineltest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/providers/internal/fake"
	"github.com/huntbook/huntbook/providers/internal/wire"
)

// Answer and Handler are the fake's query answers (see package fake).
type (
	Answer  = fake.Answer
	Handler = fake.Handler
	Fault   = fake.Fault
)

// Server is a running fake workspace.
type Server struct {
	*httptest.Server
	// WorkspaceID is the only workspace the server knows.
	WorkspaceID string
	// Token is the bearer token it accepts.
	Token string
	// WaitUnit is how long one second of Prefer: wait=N lasts on this
	// server (tests shrink it); default one second.
	WaitUnit time.Duration

	handler Handler
	tables  map[string]*table.Table
	faults  fake.Faults
	reqs    fake.Log[Request]
}

// Request is what the server saw of one query request.
type Request struct {
	Path, Query, Prefer, Authorization string
}

// DefaultWorkspaceID and DefaultToken are what NewServer uses.
const (
	DefaultWorkspaceID = "11111111-2222-3333-4444-555555555555"
	DefaultToken       = "fake-sentinel-token-7f3a"
)

// NewServer serves queries with the embedded engine over tables (now()
// pinned to now when not zero). Close it when done.
func NewServer(tables map[string]*table.Table, now time.Time) *Server {
	s := NewHandlerServer(fake.Engine(tables, now))
	s.tables = tables
	return s
}

// Engine is the handler NewServer uses: the embedded engine over tables,
// now() pinned to now when not zero. Tests call it to get the answer a
// query should produce.
func Engine(tables map[string]*table.Table, now time.Time) Handler { return fake.Engine(tables, now) }

// NewHandlerServer serves queries with h.
func NewHandlerServer(h Handler) *Server {
	s := &Server{WorkspaceID: DefaultWorkspaceID, Token: DefaultToken, WaitUnit: time.Second, handler: h}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Endpoint is the value for the sentinel provider's "endpoint" setting.
func (s *Server) Endpoint() string { return s.URL + "/v1" }

// Settings are provider settings pointing at this server, authenticating
// with a bearer token read from the environment variable tokenEnv (which
// the caller sets to s.Token).
func (s *Server) Settings(tokenEnv string) map[string]string {
	return map[string]string{"workspace_id": s.WorkspaceID, "endpoint": s.Endpoint(), "auth": "token", "token_env": tokenEnv,
		"retry_delay": "5ms", "max_retry_delay": "2s"}
}

// Fail queues scripted failures served, one per request, before normal
// answers.
func (s *Server) Fail(fs ...Fault) { s.faults.Push(fs...) }

// Requests returns the query requests seen so far.
func (s *Server) Requests() []Request { return s.reqs.All() }

// faultBody is the Log Analytics error body for a scripted failure.
func faultBody(status int) any {
	code := map[int]string{429: "ThrottledError", 500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout"}[status]
	return ErrorBody(code, http.StatusText(status), nil)
}

// ErrorBody is the Log Analytics error shape.
func ErrorBody(code, msg string, inner map[string]any) map[string]any {
	e := map[string]any{"code": code, "message": msg, "correlationId": "00000000-0000-0000-0000-000000000000"}
	if inner != nil {
		e["innererror"] = inner
	}
	return map[string]any{"error": e}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		fake.WriteJSON(w, http.StatusUnauthorized, ErrorBody("AuthorizationRequiredError", "Valid authentication was not provided", nil))
		return
	}
	prefix := "/v1/workspaces/" + s.WorkspaceID + "/"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		fake.WriteJSON(w, http.StatusNotFound, ErrorBody("WorkspaceNotFoundError", "The workspace could not be found", nil))
		return
	}
	switch op := strings.TrimPrefix(r.URL.Path, prefix); {
	case op == "metadata" && r.Method == http.MethodGet:
		s.metadata(w)
	case op == "query" && r.Method == http.MethodPost:
		s.query(w, r)
	default:
		fake.WriteJSON(w, http.StatusNotFound, ErrorBody("PathNotFoundError", "The requested path does not exist", nil))
	}
}

func (s *Server) metadata(w http.ResponseWriter) {
	var tables []map[string]any
	for _, name := range fake.Names(s.tables) {
		var cols []map[string]string
		for _, c := range s.tables[name].Columns {
			cols = append(cols, map[string]string{"name": c.Name, "type": c.Type.String()})
		}
		tables = append(tables, map[string]any{"id": "t/" + name, "name": name, "columns": cols})
	}
	fake.WriteJSON(w, http.StatusOK, map[string]any{"tables": tables, "tableGroups": []any{}, "workspaces": []any{}})
}

func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Query string `json:"query"`
	}
	prefer := r.Header.Get("Prefer")
	err := json.Unmarshal(body, &req)
	s.reqs.Add(Request{Path: r.URL.Path, Query: req.Query, Prefer: prefer, Authorization: r.Header.Get("Authorization")})
	if err != nil || req.Query == "" {
		fake.WriteJSON(w, http.StatusBadRequest, ErrorBody("BadArgumentError", "The request had some invalid properties",
			map[string]any{"code": "QueryValidationError", "message": "Query is required"}))
		return
	}
	if s.faults.Serve(w, r, faultBody) {
		return
	}
	wait, render := 180, false
	for _, p := range strings.Split(prefer, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch k {
		case "wait":
			if n, err := strconv.Atoi(v); err == nil {
				wait = n
			}
		case "include-render":
			render = v == "true"
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(wait)*s.WaitUnit)
	defer cancel()
	ans, err := s.handler(ctx, req.Query)
	if fake.TimedOut(ctx, err) {
		fake.WriteJSON(w, http.StatusGatewayTimeout, ErrorBody("GatewayTimeout",
			fmt.Sprintf("The query exceeded the allotted time of %d seconds", wait), nil))
		return
	}
	if err != nil {
		line, col, msg := fake.Position(err)
		inner := map[string]any{"code": "SEM0100", "message": msg}
		kind, text := "SemanticError", "A semantic error occurred."
		if line > 0 {
			inner["line"], inner["pos"] = line, col-1
		}
		if strings.Contains(err.Error(), "expected") || strings.Contains(err.Error(), "syntax") {
			kind, text = "SyntaxError", "A recognition error occurred in the query."
			inner["code"] = "SYN0002"
		}
		fake.WriteJSON(w, http.StatusBadRequest, ErrorBody("BadArgumentError", "The request had some invalid properties",
			map[string]any{"code": kind, "message": text, "innererror": inner}))
		return
	}
	fake.WriteJSON(w, http.StatusOK, Encode(ans, render))
}

// Encode builds the response body for an answer: tables with typed
// columns and rows as the service writes them (datetimes with 7
// fractional digits, dynamic values as JSON text), the render object when
// asked for, and a PartialError listing ans.Partial.
func Encode(ans *Answer, render bool) map[string]any {
	out := map[string]any{}
	tables := []any{}
	for _, t := range ans.Tables {
		cols := []map[string]string{}
		for _, c := range t.Columns {
			cols = append(cols, map[string]string{"name": c.Name, "type": c.Type.String()})
		}
		rows := make([][]json.RawMessage, t.Rows())
		for i := range rows {
			rows[i] = make([]json.RawMessage, len(t.Columns))
			for j, c := range t.Columns {
				rows[i][j] = wire.EncodeCell(c, i, wire.LogAnalytics)
			}
		}
		tables = append(tables, map[string]any{"name": t.Name, "columns": cols, "rows": rows})
	}
	out["tables"] = tables
	if render && ans.Render != nil {
		out["render"] = wire.RenderJSON(ans.Render, wire.LogAnalytics)
	}
	if len(ans.Partial) > 0 {
		var details []any
		for _, p := range ans.Partial {
			details = append(details, map[string]any{"code": "EngineError", "message": "Something went wrong processing your query on the server.",
				"innererror": map[string]any{"code": "-2133196797", "message": p, "severity": 2, "severityName": "Error"}})
		}
		out["error"] = map[string]any{"code": "PartialError", "message": "There were some errors when processing your query.", "details": details}
	}
	return out
}
