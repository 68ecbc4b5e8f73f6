// Package kusto is the provider for Azure Data Explorer clusters (kind
// "kusto"): KQL sent to the documented REST API (POST {cluster}/v2/rest/query
// with {db, csl, properties}), v2 frames (DataSetHeader, DataTable,
// TableHeader/TableFragment/TableCompletion, DataSetCompletion) decoded
// frame by frame, PrimaryResult tables converted exactly to kql/table,
// QueryCompletionInformation and OneApiErrors reported as warnings or
// errors, and the @ExtendedProperties Visualization mapped to the render.
//
// It is a small direct client rather than azure-kusto-go/azkustodata:
// azkustodata does not retry throttling or server errors, insists on HTTPS
// and a cloud-metadata round trip before any authenticated request (so no
// plain local test server), and hides the frames' completion details and
// extended properties behind its own value types. Requests go through the
// same azcore pipeline and azidentity credentials as the sentinel provider
// (providers/internal/azhttp), so auth, retries and Retry-After behave the
// same for both.
//
// Tables() runs `.show database schema as json` on the management endpoint
// (POST /v1/rest/mgmt); row counts are not fetched (-1).
package kusto

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/huntbook/huntbook/kql/exec"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/internal/azhttp"
	"github.com/huntbook/huntbook/providers/internal/remote"
	"github.com/huntbook/huntbook/providers/internal/wire"
)

// Kind is the provider kind name.
const Kind = "kusto"

func init() {
	providers.Register(Kind, func(name string, settings map[string]string) (providers.Provider, error) {
		return New(name, settings)
	})
}

// Settings this provider reads besides azhttp.CommonSettings.
var Settings = []string{"cluster", "database"}

// Provider queries one database of one cluster.
type Provider struct {
	name, cluster, database, endpoint string
	timeout                           time.Duration
	cl                                *azhttp.Client
}

// New makes a provider from settings: cluster (URL, e.g.
// https://help.kusto.windows.net), database (required), endpoint (where
// requests go instead of the cluster URL), auth, token_env, tenant_id,
// client_id, client_secret, timeout (server timeout, default 4 minutes as
// Kusto's), retries, retry_delay, max_retry_delay.
func New(name string, settings map[string]string) (*Provider, error) {
	fail := func(err error) (*Provider, error) { return nil, fmt.Errorf("kusto provider %s: %w", name, err) }
	o, err := azhttp.OptionsFrom(settings, Settings...)
	if err != nil {
		return fail(err)
	}
	cluster := strings.TrimSuffix(strings.TrimSpace(settings["cluster"]), "/")
	endpoint := strings.TrimSuffix(settings["endpoint"], "/")
	if cluster == "" && endpoint == "" {
		return fail(errors.New("cluster is required"))
	}
	if cluster == "" {
		cluster = endpoint
	}
	if endpoint == "" {
		endpoint = cluster
	}
	db := strings.TrimSpace(settings["database"])
	if db == "" {
		return fail(errors.New("database is required"))
	}
	timeout, err := azhttp.Timeout(settings, 4*time.Minute)
	if err != nil {
		return fail(err)
	}
	if timeout > time.Hour {
		return fail(fmt.Errorf("setting timeout: %s is above Kusto's 1 hour maximum", timeout))
	}
	o.Endpoint = endpoint
	o.Scope = cluster + "/.default"
	cl, err := azhttp.New(o)
	if err != nil {
		return fail(err)
	}
	return &Provider{name: name, cluster: cluster, database: db, endpoint: endpoint, timeout: timeout, cl: cl}, nil
}

func (p *Provider) Name() string { return p.name }
func (p *Provider) Kind() string { return Kind }

// Describe names the cluster, database and auth methods.
func (p *Provider) Describe() string {
	u, _ := url.Parse(p.cluster)
	return fmt.Sprintf("Azure Data Explorer %s, database %s, auth: %s", u.Host, p.database, strings.Join(p.cl.Methods, ", "))
}

// Connect authenticates and runs a trivial query.
func (p *Provider) Connect(ctx context.Context) error { return remote.Connect(ctx, p.query) }

// Close releases nothing: connections are pooled by net/http.
func (p *Provider) Close() error { return nil }

// NewSession starts a session; it remembers declaration-only cells. A
// query may take at most Kusto's 1 hour.
func (p *Provider) NewSession() providers.Session {
	return &remote.Session{Label: "kusto " + p.name, Timeout: p.timeout, Max: time.Hour, Query: p.query}
}

func (p *Provider) errorf(format string, args ...any) error {
	return remote.Errorf(p.cl, "kusto "+p.name, format, args...)
}

// oneAPIError is Kusto's error object (OneApiErrors entries and HTTP error
// bodies): code and message, with the specific text in @message.
type oneAPIError struct {
	Code       string       `json:"code"`
	Message    string       `json:"message"`
	Type       string       `json:"@type"`
	AtMessage  string       `json:"@message"`
	Permanent  bool         `json:"@permanent"`
	InnerError *oneAPIError `json:"innererror"`
}

func (e *oneAPIError) text() string {
	msg := e.AtMessage
	if msg == "" {
		msg = e.Message
	}
	if e.Code != "" {
		return e.Code + ": " + msg
	}
	return msg
}

func (p *Provider) query(ctx context.Context, prep remote.Prepared, timeout time.Duration) ([]*providers.Result, error) {
	start := time.Now()
	body, _ := json.Marshal(map[string]any{
		"db": p.database, "csl": prep.Text,
		"properties": map[string]any{"Options": map[string]any{"servertimeout": types.FormatTimeSpan(int64(timeout / 100))}},
	})
	hdr := http.Header{
		"Accept":                 {"application/json"},
		"x-ms-app":               {"huntbook"},
		"x-ms-client-request-id": {"huntbook;" + uuid.NewString()},
	}
	ctx, cancel := context.WithTimeout(ctx, timeout+30*time.Second)
	defer cancel()
	resp, err := p.cl.Do(ctx, http.MethodPost, "v2/rest/query", hdr, body)
	if err != nil {
		return nil, p.errorf("%w", err)
	}
	if resp.Status != http.StatusOK {
		return nil, p.statusError(resp, prep, timeout)
	}
	out, err := p.readFrames(resp.Body, prep, timeout)
	if err != nil {
		return nil, err
	}
	for _, r := range out {
		r.Stats = exec.Stats{Elapsed: time.Since(start)}
	}
	return out, nil
}

func (p *Provider) statusError(resp *azhttp.Response, prep remote.Prepared, timeout time.Duration) error {
	e, notAPI := remote.DecodeError[oneAPIError](resp, "a Kusto")
	if e == nil {
		return p.errorf("%s", notAPI)
	}
	switch {
	case resp.Status == http.StatusGatewayTimeout || strings.Contains(e.Type, "Timeout"):
		return p.errorf("query timed out on the server after %s: %s", timeout, e.text())
	case resp.Status == http.StatusBadRequest:
		// Kusto writes the position into syntax errors' messages.
		return p.cl.Redact(remote.MessageError(e.text(), prep, remote.OnLine))
	}
	return p.errorf("%s", remote.StatusMessage(resp.Status, e.text()))
}

// frame is any v2 frame; fields unused by a frame type stay zero.
type frame struct {
	FrameType         string            `json:"FrameType"`
	TableID           int               `json:"TableId"`
	TableKind         string            `json:"TableKind"`
	TableName         string            `json:"TableName"`
	Columns           []column          `json:"Columns"`
	Rows              []json.RawMessage `json:"Rows"`
	TableFragmentType string            `json:"TableFragmentType"`
	HasErrors         bool              `json:"HasErrors"`
	Cancelled         bool              `json:"Cancelled"`
	OneAPIErrors      []struct {
		Error *oneAPIError `json:"error"`
	} `json:"OneApiErrors"`
}

type column struct {
	ColumnName string `json:"ColumnName"`
	ColumnType string `json:"ColumnType"`
}

// pending is a table being assembled from frames.
type pending struct {
	id       int
	kind     string
	t        *table.Table
	warnings []string
}

// readFrames decodes the frame array one frame at a time (fragments of
// progressive answers append to or replace their table).
func (p *Provider) readFrames(body []byte, prep remote.Prepared, timeout time.Duration) ([]*providers.Result, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, p.errorf("malformed v2 response: not a JSON array of frames")
	}
	var (
		primaries  []*pending
		open       = map[int]*pending{}
		warnings   []string
		render     = map[int]*exec.Render{}
		sawHeader  bool
		completion *frame
		truncated  bool
	)
	noteErrors := func(f *frame, into *[]string) {
		for _, e := range f.OneAPIErrors {
			if e.Error == nil {
				continue
			}
			if strings.Contains(e.Error.Code, "LimitsExceeded") || strings.Contains(e.Error.text(), "E_QUERY_RESULT_SET_TOO_LARGE") {
				truncated = true
			}
			*into = append(*into, e.Error.text())
		}
	}
	for i := 0; dec.More(); i++ {
		var f frame
		if err := dec.Decode(&f); err != nil {
			return nil, p.errorf("malformed v2 response: frame %d: %v", i, err)
		}
		if i == 0 && f.FrameType != "DataSetHeader" {
			return nil, p.errorf("malformed v2 response: frame 0 is %q, want DataSetHeader", f.FrameType)
		}
		switch f.FrameType {
		case "DataSetHeader":
			sawHeader = true
		case "DataTable", "TableHeader":
			pt, err := p.newTable(&f)
			if err != nil {
				return nil, err
			}
			if f.FrameType == "TableHeader" {
				open[f.TableID] = pt
			}
			if err := p.appendRows(pt, f.Rows, &pt.warnings); err != nil {
				return nil, err
			}
			switch f.TableKind {
			case "PrimaryResult":
				primaries = append(primaries, pt)
			case "QueryProperties":
				readProperties(pt.t, render)
			case "QueryCompletionInformation":
				warnings = append(warnings, completionWarnings(pt.t)...)
			}
		case "TableFragment":
			pt, ok := open[f.TableID]
			if !ok {
				return nil, p.errorf("malformed v2 response: frame %d: TableFragment for table %d without a TableHeader", i, f.TableID)
			}
			if f.TableFragmentType == "DataReplace" {
				for j, c := range pt.t.Columns {
					pt.t.Columns[j] = table.NewColumn(c.Name, c.Type, 0)
				}
			}
			if err := p.appendRows(pt, f.Rows, &pt.warnings); err != nil {
				return nil, err
			}
		case "TableCompletion":
			pt, ok := open[f.TableID]
			if !ok {
				return nil, p.errorf("malformed v2 response: frame %d: TableCompletion for table %d without a TableHeader", i, f.TableID)
			}
			noteErrors(&f, &pt.warnings)
			delete(open, f.TableID)
		case "DataSetCompletion":
			fc := f
			completion = &fc
		case "TableProgress":
		default:
			return nil, p.errorf("malformed v2 response: frame %d has unknown FrameType %q", i, f.FrameType)
		}
	}
	if !sawHeader {
		return nil, p.errorf("malformed v2 response: no frames")
	}
	if completion == nil {
		return nil, p.errorf("malformed v2 response: the answer ended before DataSetCompletion (connection cut?)")
	}
	if len(open) > 0 {
		return nil, p.errorf("malformed v2 response: a table has no TableCompletion")
	}
	var failures []string
	noteErrors(completion, &failures)
	if completion.Cancelled {
		return nil, p.errorf("the query was cancelled on the server")
	}
	if completion.HasErrors && len(primaries) == 0 {
		msg := strings.Join(failures, "; ")
		if msg == "" {
			msg = "the query failed (HasErrors with no details)"
		}
		if strings.Contains(msg, "Timeout") || strings.Contains(msg, "timeout") {
			return nil, p.errorf("query timed out on the server after %s: %s", timeout, msg)
		}
		return nil, p.cl.Redact(remote.MessageError(msg, prep, remote.OnLine))
	}
	for _, f := range failures {
		warnings = append(warnings, "partial result: "+f)
	}
	out := make([]*providers.Result, len(primaries))
	for i, pt := range primaries {
		r := &providers.Result{Table: pt.t, Truncated: truncated, Render: render[pt.id]}
		if pt.t.Name != "PrimaryResult" && !strings.HasPrefix(pt.t.Name, "Table_") {
			r.Name = pt.t.Name
		}
		for _, w := range pt.warnings {
			r.Warnings = append(r.Warnings, p.cl.Redact(errors.New(w)).Error())
		}
		out[i] = r
	}
	if len(out) > 0 {
		for _, w := range warnings {
			out[0].Warnings = append(out[0].Warnings, p.cl.Redact(errors.New(w)).Error())
		}
		// A visualization with no table id belongs to the last result.
		if r, ok := render[-1]; ok && out[len(out)-1].Render == nil {
			out[len(out)-1].Render = r
		}
	}
	return out, nil
}

func (p *Provider) newTable(f *frame) (*pending, error) {
	t := &table.Table{Name: f.TableName}
	for ci, c := range f.Columns {
		typ, err := wire.ParseType(c.ColumnType)
		if err != nil {
			return nil, p.errorf("malformed v2 response: table %s column %d (%s): %v", f.TableName, ci, c.ColumnName, err)
		}
		t.Columns = append(t.Columns, table.NewColumn(c.ColumnName, typ, len(f.Rows)))
	}
	return &pending{id: f.TableID, kind: f.TableKind, t: t}, nil
}

// appendRows decodes rows; an object in place of a row is an in-data
// error report ({"OneApiErrors": [...]}), kept as a warning.
func (p *Provider) appendRows(pt *pending, rows []json.RawMessage, warnings *[]string) error {
	for _, raw := range rows {
		raw = bytes.TrimSpace(raw)
		if len(raw) > 0 && raw[0] == '{' {
			var f frame
			if err := json.Unmarshal(raw, &f); err != nil {
				return p.errorf("malformed v2 response: table %s: bad in-data error: %v", pt.t.Name, err)
			}
			for _, e := range f.OneAPIErrors {
				if e.Error != nil {
					*warnings = append(*warnings, e.Error.text())
				}
			}
			continue
		}
		var cells []json.RawMessage
		if err := json.Unmarshal(raw, &cells); err != nil {
			return p.errorf("malformed v2 response: table %s row %d: %v", pt.t.Name, pt.t.Rows(), err)
		}
		if len(cells) != len(pt.t.Columns) {
			return p.errorf("malformed v2 response: table %s row %d has %d values, want %d", pt.t.Name, pt.t.Rows(), len(cells), len(pt.t.Columns))
		}
		for ci, cell := range cells {
			if err := wire.AppendCell(pt.t.Columns[ci], cell, wire.Kusto); err != nil {
				return p.errorf("malformed v2 response: table %s row %d column %s: %v", pt.t.Name, pt.t.Rows(), pt.t.Columns[ci].Name, err)
			}
		}
	}
	return nil
}

// readProperties takes the Visualization rows of @ExtendedProperties
// (TableId, Key, Value); a Value holding JSON text is parsed.
func readProperties(t *table.Table, into map[int]*exec.Render) {
	key, val, id := t.Column("Key"), t.Column("Value"), t.Column("TableId")
	if key == nil || val == nil {
		return
	}
	for i := 0; i < t.Rows(); i++ {
		if key.Value(i).String() != "Visualization" {
			continue
		}
		r := wire.Render(val.Value(i).D)
		if r == nil {
			continue
		}
		tid := -1
		if id != nil && !id.IsNull(i) {
			tid = int(id.Value(i).I)
		}
		into[tid] = r
	}
}

// completionWarnings returns the QueryCompletionInformation events of
// level Warning or worse (Critical 1, Error 2, Warning 3), with the text
// of their payload.
func completionWarnings(t *table.Table) []string {
	level, name, payload := t.Column("Level"), t.Column("LevelName"), t.Column("Payload")
	if level == nil {
		return nil
	}
	var out []string
	for i := 0; i < t.Rows(); i++ {
		if level.IsNull(i) || level.Value(i).I > 3 {
			continue
		}
		text := ""
		if payload != nil {
			text = payload.Value(i).String()
			if v, err := types.ParseJSON(text); err == nil {
				if b, ok := v.(*types.Bag); ok {
					if tx, ok := b.Get("Text"); ok {
						text = fmt.Sprint(tx)
					}
				}
			}
		}
		ln := "Warning"
		if name != nil && name.Value(i).String() != "" {
			ln = name.Value(i).String()
		}
		out = append(out, ln+": "+text)
	}
	return out
}

// Tables lists the database's tables from `.show database schema as json`.
func (p *Provider) Tables(ctx context.Context) ([]providers.TableInfo, error) {
	body, _ := json.Marshal(map[string]any{"db": p.database, "csl": ".show database schema as json"})
	resp, err := p.cl.Do(ctx, http.MethodPost, "v1/rest/mgmt", http.Header{"Accept": {"application/json"}, "x-ms-app": {"huntbook"}}, body)
	if err != nil {
		return nil, p.errorf("%w", err)
	}
	if resp.Status != http.StatusOK {
		return nil, p.statusError(resp, remote.Prepared{}, 0)
	}
	var v1 struct {
		Tables []struct {
			Rows [][]json.RawMessage `json:"Rows"`
		} `json:"Tables"`
	}
	if err := json.Unmarshal(resp.Body, &v1); err != nil || len(v1.Tables) == 0 || len(v1.Tables[0].Rows) == 0 || len(v1.Tables[0].Rows[0]) == 0 {
		return nil, p.errorf("malformed .show database schema answer")
	}
	var schemaText string
	if err := json.Unmarshal(v1.Tables[0].Rows[0][0], &schemaText); err != nil {
		return nil, p.errorf("malformed .show database schema answer: the schema cell is not a string")
	}
	var schema struct {
		Databases map[string]struct {
			Tables map[string]struct {
				Name           string `json:"Name"`
				OrderedColumns []struct {
					Name    string `json:"Name"`
					CslType string `json:"CslType"`
				} `json:"OrderedColumns"`
			} `json:"Tables"`
		} `json:"Databases"`
	}
	if err := json.Unmarshal([]byte(schemaText), &schema); err != nil {
		return nil, p.errorf("malformed database schema JSON: %v", err)
	}
	var out []providers.TableInfo
	for _, db := range schema.Databases {
		for _, t := range db.Tables {
			ti := providers.TableInfo{Name: t.Name, Rows: -1}
			for _, c := range t.OrderedColumns {
				typ, err := wire.ParseType(c.CslType)
				if err != nil {
					return nil, p.errorf("database schema: table %s column %s: %v", t.Name, c.Name, err)
				}
				ti.Schema = append(ti.Schema, types.Column{Name: c.Name, Type: typ})
			}
			out = append(out, ti)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
