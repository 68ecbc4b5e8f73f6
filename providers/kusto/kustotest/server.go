// Package kustotest is a fake Azure Data Explorer cluster on a local
// httptest server answering the documented REST API: POST /v2/rest/query
// with {db, csl, properties} returns v2 frames (DataSetHeader, the
// @ExtendedProperties table with the Visualization, the PrimaryResult
// tables as DataTable frames or, with Progressive set, as
// TableHeader/TableFragment/TableCompletion, QueryCompletionInformation,
// DataSetCompletion); POST /v1/rest/mgmt answers `.show database schema as
// json`. Errors use Kusto's {"error": {code, message, @type, @message}}
// body. Point the kusto provider at it with settings["endpoint"].
package kustotest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/table"
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

// DefaultDatabase and DefaultToken are what the servers use.
const (
	DefaultDatabase = "Security"
	DefaultToken    = "fake-kusto-token-91c2"
)

// Server is a running fake cluster with one database.
type Server struct {
	*httptest.Server
	Database string
	Token    string
	// Progressive sends primary results as TableHeader, FragmentRows-sized
	// TableFragments and TableCompletion instead of one DataTable.
	Progressive  bool
	FragmentRows int
	// Warnings are QueryCompletionInformation events added to every answer.
	Warnings []string

	handler Handler
	tables  map[string]*table.Table
	faults  fake.Faults
	reqs    fake.Log[Request]
}

// Request is what the server saw of one request.
type Request struct {
	Path, DB, CSL string
	Properties    map[string]any
}

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
	s := &Server{Database: DefaultDatabase, Token: DefaultToken, handler: h, FragmentRows: 2}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Settings are provider settings pointing at this server, with the bearer
// token read from the environment variable tokenEnv (set it to s.Token).
func (s *Server) Settings(tokenEnv string) map[string]string {
	return map[string]string{"cluster": s.URL, "database": s.Database, "auth": "token", "token_env": tokenEnv,
		"retry_delay": "5ms", "max_retry_delay": "2s"}
}

// Fail queues scripted failures served before normal answers.
func (s *Server) Fail(fs ...Fault) { s.faults.Push(fs...) }

// Requests returns the requests seen so far.
func (s *Server) Requests() []Request { return s.reqs.All() }

// ErrorBody is Kusto's error body.
func ErrorBody(code, typ, msg string, permanent bool) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "message": "Request is invalid and cannot be executed.",
		"@type": typ, "@message": msg, "@context": map[string]any{"clientRequestId": "huntbook;test"}, "@permanent": permanent}}
}

// faultBody is Kusto's error body for a scripted failure.
func faultBody(status int) any {
	return ErrorBody(http.StatusText(status), "Kusto.Data.Exceptions.KustoServiceException", http.StatusText(status), false)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		fake.WriteJSON(w, http.StatusUnauthorized, ErrorBody("Unauthorized", "Kusto.Common.Svc.Exceptions.UnauthorizedOperationException", "Unauthorized: the token is not valid", true))
		return
	}
	var req struct {
		DB         string         `json:"db"`
		CSL        string         `json:"csl"`
		Properties map[string]any `json:"properties"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil || r.Method != http.MethodPost {
		fake.WriteJSON(w, http.StatusBadRequest, ErrorBody("BadRequest_InvalidBody", "Kusto.Data.Exceptions.KustoBadRequestException", "The request body is not valid JSON", true))
		return
	}
	s.reqs.Add(Request{Path: r.URL.Path, DB: req.DB, CSL: req.CSL, Properties: req.Properties})
	if req.DB != s.Database {
		fake.WriteJSON(w, http.StatusBadRequest, ErrorBody("BadRequest_EntityNotFound", "Kusto.Data.Exceptions.EntityNotFoundException",
			fmt.Sprintf("Entity ID '%s' of kind 'Database' was not found.", req.DB), true))
		return
	}
	if s.faults.Serve(w, r, faultBody) {
		return
	}
	switch r.URL.Path {
	case "/v1/rest/mgmt":
		s.mgmt(w, req.CSL)
	case "/v2/rest/query":
		s.query(w, r, req.CSL, req.Properties)
	default:
		fake.WriteJSON(w, http.StatusNotFound, ErrorBody("NotFound", "Kusto.Data.Exceptions.KustoBadRequestException", "no such endpoint", true))
	}
}

func (s *Server) mgmt(w http.ResponseWriter, csl string) {
	if strings.TrimSpace(csl) != ".show database schema as json" {
		fake.WriteJSON(w, http.StatusBadRequest, ErrorBody("General_BadRequest", "Kusto.Data.Exceptions.SyntaxException", "the fake knows only .show database schema as json", true))
		return
	}
	tables := map[string]any{}
	for name, t := range s.tables {
		var cols []map[string]string
		for _, c := range t.Columns {
			cols = append(cols, map[string]string{"Name": c.Name, "Type": "System." + c.Type.String(), "CslType": c.Type.String()})
		}
		tables[name] = map[string]any{"Name": name, "OrderedColumns": cols, "DocString": ""}
	}
	schema, _ := json.Marshal(map[string]any{"Plugins": []any{}, "Databases": map[string]any{s.Database: map[string]any{"Name": s.Database, "Tables": tables}}})
	fake.WriteJSON(w, http.StatusOK, map[string]any{"Tables": []any{map[string]any{
		"TableName": "Table_0",
		"Columns":   []any{map[string]string{"ColumnName": "DatabaseSchema", "DataType": "String", "ColumnType": "string"}},
		"Rows":      [][]any{{string(schema)}},
	}}})
}

func (s *Server) query(w http.ResponseWriter, r *http.Request, csl string, props map[string]any) {
	timeout := 4 * time.Minute
	if opts, ok := props["Options"].(map[string]any); ok {
		if st, ok := opts["servertimeout"].(string); ok {
			if ticks, err := wire.ParseTimeSpan(st); err == nil {
				timeout = time.Duration(ticks * 100)
			}
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	ans, err := s.handler(ctx, csl)
	if fake.TimedOut(ctx, err) {
		fake.WriteJSON(w, http.StatusGatewayTimeout, ErrorBody("Request execution timeout", "Kusto.Data.Exceptions.KustoRequestExecutionTimeoutException",
			"Query execution has exceeded the allowed limits (80DA0001): The Kusto query has timed out", false))
		return
	}
	if err != nil {
		fake.WriteJSON(w, http.StatusBadRequest, ErrorBody("General_BadRequest", "Kusto.Data.Exceptions.SemanticException", "Semantic error: "+fake.KustoMessage(err), true))
		return
	}
	fake.WriteJSON(w, http.StatusOK, s.Frames(ans))
}

func columns(t *table.Table) []map[string]string {
	cols := []map[string]string{}
	for _, c := range t.Columns {
		cols = append(cols, map[string]string{"ColumnName": c.Name, "ColumnType": c.Type.String()})
	}
	return cols
}

func rows(t *table.Table, from, to int) [][]json.RawMessage {
	out := [][]json.RawMessage{}
	for i := from; i < to; i++ {
		row := make([]json.RawMessage, len(t.Columns))
		for j, c := range t.Columns {
			row[j] = wire.EncodeCell(c, i, wire.Kusto)
		}
		out = append(out, row)
	}
	return out
}

// Frames builds the v2 frame list for an answer.
func (s *Server) Frames(ans *Answer) []any {
	frames := []any{map[string]any{"FrameType": "DataSetHeader", "IsProgressive": s.Progressive, "Version": "v2.0",
		"IsFragmented": s.Progressive, "ErrorReportingPlacement": "EndOfTable"}}
	var props [][]any
	if ans.Render != nil {
		viz, _ := json.Marshal(wire.RenderJSON(ans.Render, wire.Kusto))
		props = append(props, []any{len(ans.Tables), "Visualization", string(viz)})
	}
	frames = append(frames, map[string]any{"FrameType": "DataTable", "TableId": 0, "TableKind": "QueryProperties", "TableName": "@ExtendedProperties",
		"Columns": []map[string]string{{"ColumnName": "TableId", "ColumnType": "int"}, {"ColumnName": "Key", "ColumnType": "string"}, {"ColumnName": "Value", "ColumnType": "dynamic"}},
		"Rows":    nonNil(props)})
	for i, t := range ans.Tables {
		id := i + 1
		if !s.Progressive {
			frames = append(frames, map[string]any{"FrameType": "DataTable", "TableId": id, "TableKind": "PrimaryResult", "TableName": t.Name,
				"Columns": columns(t), "Rows": rows(t, 0, t.Rows())})
			continue
		}
		frames = append(frames, map[string]any{"FrameType": "TableHeader", "TableId": id, "TableKind": "PrimaryResult", "TableName": t.Name, "Columns": columns(t)})
		n := max(s.FragmentRows, 1)
		for from := 0; from < t.Rows(); from += n {
			frames = append(frames, map[string]any{"FrameType": "TableFragment", "TableFragmentType": "DataAppend", "TableId": id, "Rows": rows(t, from, min(from+n, t.Rows()))})
		}
		frames = append(frames, map[string]any{"FrameType": "TableCompletion", "TableId": id, "RowCount": t.Rows()})
	}
	info := [][]any{{time.Now().UTC().Format(time.RFC3339Nano), "huntbook;test", "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002",
		"00000000-0000-0000-0000-000000000003", 4, "Info", 0, "S_OK (0)", 4, "QueryInfo", `{"Count":1,"Text":"Query completed successfully"}`}}
	for _, w := range s.Warnings {
		payload, _ := json.Marshal(map[string]any{"Count": 1, "Text": w})
		info = append(info, []any{time.Now().UTC().Format(time.RFC3339Nano), "huntbook;test", "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002",
			"00000000-0000-0000-0000-000000000003", 3, "Warning", -2133196797, "LimitsExceeded", 5, "WorkloadGroupWarning", string(payload)})
	}
	frames = append(frames, map[string]any{"FrameType": "DataTable", "TableId": len(ans.Tables) + 1, "TableKind": "QueryCompletionInformation", "TableName": "QueryCompletionInformation",
		"Columns": []map[string]string{{"ColumnName": "Timestamp", "ColumnType": "datetime"}, {"ColumnName": "ClientRequestId", "ColumnType": "string"},
			{"ColumnName": "ActivityId", "ColumnType": "guid"}, {"ColumnName": "SubActivityId", "ColumnType": "guid"}, {"ColumnName": "ParentActivityId", "ColumnType": "guid"},
			{"ColumnName": "Level", "ColumnType": "int"}, {"ColumnName": "LevelName", "ColumnType": "string"}, {"ColumnName": "StatusCode", "ColumnType": "int"},
			{"ColumnName": "StatusCodeName", "ColumnType": "string"}, {"ColumnName": "EventType", "ColumnType": "int"}, {"ColumnName": "EventTypeName", "ColumnType": "string"},
			{"ColumnName": "Payload", "ColumnType": "string"}},
		"Rows": info})
	completion := map[string]any{"FrameType": "DataSetCompletion", "HasErrors": len(ans.Partial) > 0, "Cancelled": false}
	if len(ans.Partial) > 0 {
		var errs []any
		for _, p := range ans.Partial {
			errs = append(errs, ErrorBody("LimitsExceeded", "Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException", p, false))
		}
		completion["OneApiErrors"] = errs
	}
	return append(frames, completion)
}

func nonNil(r [][]any) [][]any {
	if r == nil {
		return [][]any{}
	}
	return r
}

// TableNames lists the served tables (for tests).
func (s *Server) TableNames() []string { return fake.Names(s.tables) }
