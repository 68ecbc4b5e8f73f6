// Package sentinel is the provider for Microsoft Sentinel / Log Analytics
// workspaces (kind "sentinel"): KQL sent to the Azure Monitor Logs query
// API, results converted exactly to kql/table.
//
// Requests go through the Azure SDK for Go's azcore pipeline with azidentity
// credentials (see providers/internal/azhttp): the same bearer-token,
// retry and Retry-After handling the SDK's azlogs client uses, whose cloud
// endpoints this package takes. azlogs.Client itself is not used because
// its bearer policy refuses http endpoints (no local test servers without
// TLS) and its Row type decodes every number through float64, which loses
// long values above 2^53.
//
// Tables() uses the workspace metadata API (GET .../metadata), which lists
// every table with its columns in one call; row counts are not known
// (-1).
package sentinel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs"

	"github.com/huntbook/huntbook/kql/exec"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/internal/azhttp"
	"github.com/huntbook/huntbook/providers/internal/remote"
	"github.com/huntbook/huntbook/providers/internal/wire"
)

// Kind is the provider kind name.
const Kind = "sentinel"

func init() {
	providers.Register(Kind, func(name string, settings map[string]string) (providers.Provider, error) {
		return New(name, settings)
	})
}

// Settings this provider reads besides azhttp.CommonSettings.
var Settings = []string{"workspace_id", "workspace_name"}

// Provider queries one Log Analytics workspace.
type Provider struct {
	name, workspaceID, workspaceName, endpoint string
	timeout                                    time.Duration
	cl                                         *azhttp.Client
}

// New makes a provider from settings: workspace_id (required),
// workspace_name, endpoint (API base URL, default the cloud's
// https://api.loganalytics.io/v1), cloud, auth (methods, comma-separated),
// token_env, tenant_id, client_id, client_secret, timeout (server wait,
// default 180s, at most 600s), retries, retry_delay, max_retry_delay.
func New(name string, settings map[string]string) (*Provider, error) {
	fail := func(err error) (*Provider, error) { return nil, fmt.Errorf("sentinel provider %s: %w", name, err) }
	o, err := azhttp.OptionsFrom(settings, Settings...)
	if err != nil {
		return fail(err)
	}
	id := strings.TrimSpace(settings["workspace_id"])
	if id == "" {
		return fail(errors.New("workspace_id is required"))
	}
	timeout, err := azhttp.Timeout(settings, 180*time.Second)
	if err != nil {
		return fail(err)
	}
	if timeout > 600*time.Second {
		return fail(fmt.Errorf("setting timeout: %s is above the service's 600s maximum", timeout))
	}
	svc := cloudConfig(o.Cloud).Services[azlogs.ServiceName]
	o.Endpoint = svc.Endpoint
	if e := settings["endpoint"]; e != "" {
		o.Endpoint = strings.TrimSuffix(e, "/")
	}
	o.Scope = svc.Audience + "/.default"
	cl, err := azhttp.New(o)
	if err != nil {
		return fail(err)
	}
	return &Provider{name: name, workspaceID: id, workspaceName: settings["workspace_name"], endpoint: o.Endpoint, timeout: timeout, cl: cl}, nil
}

func cloudConfig(name string) cloud.Configuration {
	switch name {
	case "usgov":
		return cloud.AzureGovernment
	case "cn":
		return cloud.AzureChina
	}
	return cloud.AzurePublic
}

func (p *Provider) Name() string { return p.name }
func (p *Provider) Kind() string { return Kind }

// Describe names the workspace, the endpoint and the auth methods.
func (p *Provider) Describe() string {
	ws := p.workspaceID
	if p.workspaceName != "" {
		ws = p.workspaceName + " (" + p.workspaceID + ")"
	}
	u, _ := url.Parse(p.endpoint)
	return fmt.Sprintf("Log Analytics workspace %s at %s, auth: %s", ws, u.Host, strings.Join(p.cl.Methods, ", "))
}

// Connect authenticates and runs a trivial query.
func (p *Provider) Connect(ctx context.Context) error { return remote.Connect(ctx, p.query) }

// Close releases nothing: connections are pooled by net/http.
func (p *Provider) Close() error { return nil }

// NewSession starts a session; it remembers declaration-only cells. A
// query may wait at most the service's 600 seconds.
func (p *Provider) NewSession() providers.Session {
	return &remote.Session{Label: "sentinel " + p.name, Timeout: p.timeout, Max: 600 * time.Second, Query: p.query}
}

// response is the query API's answer body.
type response struct {
	Tables []struct {
		Name    string `json:"name"`
		Columns []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"columns"`
		Rows [][]json.RawMessage `json:"rows"`
	} `json:"tables"`
	Error  *apiError       `json:"error"`
	Render json.RawMessage `json:"render"`
}

// apiError is the documented error object: code, message, details,
// nested innererror (with line and pos on syntax errors).
type apiError struct {
	Code         string      `json:"code"`
	Message      string      `json:"message"`
	Details      []*apiError `json:"details"`
	InnerError   *apiError   `json:"innererror"`
	Line         int         `json:"line"`
	Pos          *int        `json:"pos"`
	SeverityName string      `json:"severityName"`
}

// innermost follows innererror to the most specific error.
func (e *apiError) innermost() *apiError {
	for e.InnerError != nil {
		e = e.InnerError
	}
	return e
}

// text is the chain of codes and the most specific message.
func (e *apiError) text() string {
	var codes []string
	for x := e; x != nil; x = x.InnerError {
		if x.Code != "" {
			codes = append(codes, x.Code)
		}
	}
	msg := e.innermost().Message
	if msg == "" {
		msg = e.Message
	}
	if len(codes) > 0 {
		return strings.Join(codes, "/") + ": " + msg
	}
	return msg
}

func (p *Provider) query(ctx context.Context, prep remote.Prepared, timeout time.Duration) ([]*providers.Result, error) {
	start := time.Now()
	body, _ := json.Marshal(map[string]string{"query": prep.Text})
	wait := int(math.Ceil(timeout.Seconds()))
	hdr := http.Header{"Prefer": {fmt.Sprintf("wait=%d,include-render=true", wait)}, "Accept": {"application/json"}}
	// The server stops at wait seconds; give the answer time to arrive.
	ctx, cancel := context.WithTimeout(ctx, timeout+30*time.Second)
	defer cancel()
	resp, err := p.cl.Do(ctx, http.MethodPost, "workspaces/"+url.PathEscape(p.workspaceID)+"/query", hdr, body)
	if err != nil {
		return nil, p.errorf("%w", err)
	}
	if resp.Status != http.StatusOK {
		return nil, p.statusError(resp, prep, wait)
	}
	var r response
	if err := json.Unmarshal(resp.Body, &r); err != nil {
		return nil, p.errorf("malformed response from the query API: %v", err)
	}
	if r.Tables == nil && r.Error == nil {
		return nil, p.errorf("malformed response from the query API: no \"tables\"")
	}
	var warnings []string
	truncated := false
	if r.Error != nil {
		if len(r.Tables) == 0 {
			return nil, p.errorf("query failed: %s", r.Error.text())
		}
		parts := r.Error.Details
		if len(parts) == 0 {
			parts = []*apiError{r.Error}
		}
		for _, d := range parts {
			msg := d.innermost().Message
			if msg == "" {
				msg = d.Message
			}
			if strings.Contains(msg, "E_QUERY_RESULT_SET_TOO_LARGE") || strings.Contains(msg, "exceeded the internal record count limit") {
				truncated = true
			}
			warnings = append(warnings, "partial result: "+p.cl.Redact(errors.New(msg)).Error())
		}
	}
	elapsed := time.Since(start)
	out := make([]*providers.Result, 0, len(r.Tables))
	for ti, rt := range r.Tables {
		t := &table.Table{Name: rt.Name}
		for ci, c := range rt.Columns {
			typ, err := wire.ParseType(c.Type)
			if err != nil {
				return nil, p.errorf("malformed response: table %d column %d (%s): %v", ti, ci, c.Name, err)
			}
			t.Columns = append(t.Columns, table.NewColumn(c.Name, typ, len(rt.Rows)))
		}
		for ri, row := range rt.Rows {
			if len(row) != len(t.Columns) {
				return nil, p.errorf("malformed response: table %s row %d has %d values, want %d", rt.Name, ri, len(row), len(t.Columns))
			}
			for ci, cell := range row {
				if err := wire.AppendCell(t.Columns[ci], cell, wire.LogAnalytics); err != nil {
					return nil, p.errorf("malformed response: table %s row %d column %s: %v", rt.Name, ri, t.Columns[ci].Name, err)
				}
			}
		}
		res := &providers.Result{Table: t, Truncated: truncated, Stats: exec.Stats{Elapsed: elapsed}}
		if !isDefaultName(rt.Name) {
			res.Name = rt.Name
		}
		out = append(out, res)
	}
	if len(out) > 0 {
		out[0].Warnings = warnings
		if len(r.Render) > 0 && string(r.Render) != "null" {
			v, err := types.ParseJSON(string(r.Render))
			if err != nil {
				return nil, p.errorf("malformed response: render: %v", err)
			}
			out[len(out)-1].Render = wire.Render(v)
		}
	}
	return out, nil
}

// isDefaultName reports the service's own result names (PrimaryResult,
// Table_0 ...), which are not user names from | as.
func isDefaultName(n string) bool {
	return n == "" || n == "PrimaryResult" || strings.HasPrefix(n, "Table_")
}

func (p *Provider) errorf(format string, args ...any) error {
	return remote.Errorf(p.cl, "sentinel "+p.name, format, args...)
}

// statusError turns a failed answer into an error: query errors with a
// position become *providers.QueryError (positions mapped to the user's
// text), the rest name the status and the service's code and message.
func (p *Provider) statusError(resp *azhttp.Response, prep remote.Prepared, wait int) error {
	e, notAPI := remote.DecodeError[apiError](resp, "a Log Analytics")
	if e == nil {
		return p.errorf("%s", notAPI)
	}
	switch resp.Status {
	case http.StatusBadRequest:
		in := e.innermost()
		qe := &providers.QueryError{Msg: e.text()}
		if in.Line > 0 && in.Pos != nil {
			qe.Line, qe.Column = in.Line, *in.Pos+1
			remote.FixPosition(qe, prep)
		}
		return p.cl.Redact(qe)
	case http.StatusGatewayTimeout:
		return p.errorf("query timed out on the server after %ds: %s", wait, e.text())
	case http.StatusNotFound:
		return p.errorf("workspace %s not found: %s", p.workspaceID, e.text())
	}
	return p.errorf("%s", remote.StatusMessage(resp.Status, e.text()))
}

// Tables lists the workspace's tables from the metadata API.
func (p *Provider) Tables(ctx context.Context) ([]providers.TableInfo, error) {
	resp, err := p.cl.Do(ctx, http.MethodGet, "workspaces/"+url.PathEscape(p.workspaceID)+"/metadata", http.Header{"Accept": {"application/json"}}, nil)
	if err != nil {
		return nil, p.errorf("%w", err)
	}
	if resp.Status != http.StatusOK {
		return nil, p.statusError(resp, remote.Prepared{}, 0)
	}
	var md struct {
		Tables []struct {
			Name    string `json:"name"`
			Columns []struct {
				Name string `json:"name"`
				Type string `json:"type"`
			} `json:"columns"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(resp.Body, &md); err != nil {
		return nil, p.errorf("malformed metadata response: %v", err)
	}
	out := make([]providers.TableInfo, 0, len(md.Tables))
	for _, t := range md.Tables {
		ti := providers.TableInfo{Name: t.Name, Rows: -1}
		for _, c := range t.Columns {
			typ, err := wire.ParseType(c.Type)
			if err != nil {
				return nil, p.errorf("malformed metadata response: table %s column %s: %v", t.Name, c.Name, err)
			}
			ti.Schema = append(ti.Schema, types.Column{Name: c.Name, Type: typ})
		}
		out = append(out, ti)
	}
	return out, nil
}
