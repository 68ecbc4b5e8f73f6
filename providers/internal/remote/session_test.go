package remote

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/internal/azhttp"
)

func TestSessionTimeoutsAndDeclarations(t *testing.T) {
	cases := []struct {
		name          string
		def, max, opt time.Duration
		want          time.Duration
	}{
		{"the provider's", 3 * time.Minute, 0, 0, 3 * time.Minute},
		{"the options'", 3 * time.Minute, 0, time.Second, time.Second},
		{"capped", 3 * time.Minute, 10 * time.Minute, time.Hour, 10 * time.Minute},
		{"default under the cap", 3 * time.Minute, 10 * time.Minute, 0, 3 * time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var sent []string
			var got time.Duration
			s := &Session{Label: "kind X", Timeout: c.def, Max: c.max, Query: func(_ context.Context, p Prepared, d time.Duration) ([]*providers.Result, error) {
				sent, got = append(sent, p.Text), d
				return nil, nil
			}}
			if _, err := s.Run(context.Background(), "let a = 1;", providers.QueryOptions{Timeout: c.opt}); err != nil || len(sent) != 0 {
				t.Fatalf("declaration: err %v, sent %q", err, sent)
			}
			if _, err := s.Run(context.Background(), "T | take a", providers.QueryOptions{Timeout: c.opt}); err != nil {
				t.Fatal(err)
			}
			if got != c.want || len(sent) != 1 || sent[0] != "let a = 1;\nT | take a" {
				t.Errorf("sent %q with %s, want %s", sent, got, c.want)
			}
		})
	}
	s := &Session{Label: "kind X", Query: func(context.Context, Prepared, time.Duration) ([]*providers.Result, error) { return nil, nil }}
	_, err := s.Run(context.Background(), "T", providers.QueryOptions{Params: map[string]types.Value{"f": types.NewGUID("not-a-guid")}})
	if err == nil || !strings.HasPrefix(err.Error(), "kind X: query parameter f") {
		t.Errorf("bad parameter: %v", err)
	}
}

func TestMessageError(t *testing.T) {
	prep := Prepared{Lines: 1}
	cases := []struct {
		msg       string
		spellings int // how many of OnLine, LinePosition to try
		line, col int
	}{
		{"x on line [3,4]", 1, 2, 5},
		{"x [line:position=3:4]", 1, 0, 0},
		{"x [line:position=3:4]", 2, 2, 5},
		{"x on line [1,4]", 2, 0, 0}, // in the added line: dropped
		{"no position", 2, 0, 0},
	}
	for _, c := range cases {
		qe := MessageError(c.msg, prep, []*regexp.Regexp{OnLine, LinePosition}[:c.spellings]...)
		if qe.Msg != c.msg || qe.Line != c.line || qe.Column != c.col {
			t.Errorf("%q with %d spellings: %+v, want line %d column %d", c.msg, c.spellings, qe, c.line, c.col)
		}
	}
}

func TestErrorBodies(t *testing.T) {
	type apiErr struct{ Code string }
	cases := []struct {
		status        int
		body, want    string
		code, message string
	}{
		{503, "Service Unavailable", `HTTP 503 Service Unavailable (body is not a Test error: "Service Unavailable")`, "", ""},
		{500, `{"other":1}`, `HTTP 500 Internal Server Error (body is not a Test error: "{\"other\":1}")`, "", ""},
		{500, strings.Repeat("x", 250), `(body is not a Test error: "` + strings.Repeat("x", 200) + `...")`, "", ""},
		{403, `{"error":{"Code":"Forbidden"}}`, "", "Forbidden", "not authorized (HTTP 403): m"},
		{429, `{"error":{"Code":"Throttled"}}`, "", "Throttled", "throttled by the service (HTTP 429, retries exhausted): m"},
		{502, `{"error":{"Code":"BadGateway"}}`, "", "BadGateway", "HTTP 502 Bad Gateway: m"},
	}
	for _, c := range cases {
		e, msg := DecodeError[apiErr](&azhttp.Response{Status: c.status, Body: []byte(c.body)}, "a Test")
		if c.code == "" {
			if e != nil || !strings.HasSuffix(msg, c.want) {
				t.Errorf("%q: %v %q, want %q", c.body, e, msg, c.want)
			}
			continue
		}
		if e == nil || e.Code != c.code || msg != "" {
			t.Errorf("%q: %v %q", c.body, e, msg)
		}
		if got := StatusMessage(c.status, "m"); got != c.message {
			t.Errorf("StatusMessage(%d) = %q, want %q", c.status, got, c.message)
		}
	}
}

// An error names the provider once when it is named after its kind.
func TestErrorfLabel(t *testing.T) {
	cl, err := azhttp.New(azhttp.Options{Endpoint: "https://example.invalid", Auth: []string{"token"}, TokenEnv: "HB_NO_SUCH_VAR"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ label, want string }{
		{"defender defender", "defender: boom 1"},
		{"defender Defender", "defender: boom 1"},
		{"sentinel Prod", "sentinel Prod: boom 1"},
	} {
		if got := Errorf(cl, tc.label, "boom %d", 1).Error(); got != tc.want {
			t.Errorf("Errorf(%q) = %q, want %q", tc.label, got, tc.want)
		}
	}
}
