package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/internal/azhttp"
)

// QueryFunc sends one prepared query, allowed to take timeout.
type QueryFunc func(ctx context.Context, prep Prepared, timeout time.Duration) ([]*providers.Result, error)

// Session is a remote provider's providers.Session: each query is prepared
// (declarations remembered, parameters bound) and sent with the timeout the
// options ask for, else the provider's.
type Session struct {
	// Label names the provider in errors: "kind name".
	Label string
	// Timeout is the provider's timeout; Max, when not zero, the most the
	// service allows.
	Timeout, Max time.Duration
	Query        QueryFunc
	state        State
}

// Run prepares query and sends it; a declaration-only cell is remembered
// and answered with no results.
func (s *Session) Run(ctx context.Context, query string, opts providers.QueryOptions) ([]*providers.Result, error) {
	prep, err := s.state.Prepare(query, opts.Params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Label, err)
	}
	if prep.DeclOnly {
		return nil, nil
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = s.Timeout
	}
	if s.Max > 0 {
		timeout = min(timeout, s.Max)
	}
	return s.Query(ctx, prep, timeout)
}

// Probe is the query Connect sends: it reads no table, so it works in any
// workspace, database or tenant. ProbeTimeout is how long it may take.
const (
	Probe        = "print huntbook_connect = 1"
	ProbeTimeout = 30 * time.Second
)

// Connect authenticates and runs the probe query through query.
func Connect(ctx context.Context, query QueryFunc) error {
	_, err := query(ctx, Prepared{Text: Probe}, ProbeTimeout)
	return err
}

// Errorf makes a provider's error, "label: message", with cl's secrets
// masked.
func Errorf(cl *azhttp.Client, label, format string, args ...any) error {
	// "defender defender" says one thing twice: a provider named after its
	// kind is labelled by the kind alone.
	if kind, name, ok := strings.Cut(label, " "); ok && strings.EqualFold(kind, name) {
		label = kind
	}
	return cl.Redact(fmt.Errorf("%s: "+format, append([]any{label}, args...)...))
}

// DecodeError reads a failed answer's {"error": {...}} body into an E.
// When the body is not one, it returns nil and a message naming the status
// and the start of the body ("not a <service> error").
func DecodeError[E any](resp *azhttp.Response, service string) (*E, string) {
	var body struct {
		Error *E `json:"error"`
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil || body.Error == nil {
		snippet := strings.TrimSpace(string(resp.Body))
		if len(snippet) > 200 {
			snippet = snippet[:200] + "..."
		}
		return nil, fmt.Sprintf("HTTP %d %s (body is not %s error: %q)", resp.Status, http.StatusText(resp.Status), service, snippet)
	}
	return body.Error, ""
}

// StatusMessage says what a failed answer means when the provider has
// nothing more specific to say: not authorized (401, 403), throttled past
// the retries (429), else the status; msg is the service's code and
// message.
func StatusMessage(status int, msg string) string {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Sprintf("not authorized (HTTP %d): %s", status, msg)
	case http.StatusTooManyRequests:
		return "throttled by the service (HTTP 429, retries exhausted): " + msg
	}
	return fmt.Sprintf("HTTP %d %s: %s", status, http.StatusText(status), msg)
}

// Positions Kusto writes into error messages, both with 0-based columns:
// OnLine "on line [2,7]" (syntax errors) and LinePosition
// "[line:position=2:7]".
var (
	OnLine       = regexp.MustCompile(`on line \[(\d+),(\d+)\]`)
	LinePosition = regexp.MustCompile(`\[line:position=(\d+):(\d+)\]`)
)

// MessageError makes a QueryError from a rejected query's message, with
// the position the first of spellings that matches gives (mapped back to
// the user's text).
func MessageError(msg string, prep Prepared, spellings ...*regexp.Regexp) *providers.QueryError {
	qe := &providers.QueryError{Msg: msg}
	for _, re := range spellings {
		if m := re.FindStringSubmatch(msg); m != nil {
			qe.Line, _ = strconv.Atoi(m[1])
			c, _ := strconv.Atoi(m[2])
			qe.Column = c + 1
			FixPosition(qe, prep)
			break
		}
	}
	return qe
}
