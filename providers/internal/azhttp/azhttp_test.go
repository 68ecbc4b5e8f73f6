package azhttp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huntbook/huntbook/providers"
)

// fakeEntra is an Entra ID tenant answering the device code flow: the
// OpenID configuration, the device code request, then a token poll that is
// pending once before the user has "entered the code".
type fakeEntra struct {
	srv      *httptest.Server
	mu       sync.Mutex
	polls    int
	grants   []string
	scopes   []string
	userCode string
}

func newFakeEntra(t *testing.T) *fakeEntra {
	f := &fakeEntra{userCode: "HUNT-1234"}
	mux := http.NewServeMux()
	mux.HandleFunc("/contoso/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		base := f.srv.URL + "/contoso"
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                        base + "/v2.0",
			"authorization_endpoint":        base + "/oauth2/v2.0/authorize",
			"token_endpoint":                base + "/oauth2/v2.0/token",
			"device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
		})
	})
	mux.HandleFunc("/contoso/oauth2/v2.0/devicecode", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.scopes = append(f.scopes, r.Form.Get("scope"))
		f.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{
			"user_code": f.userCode, "device_code": "dev-code-1", "verification_uri": "https://microsoft.com/devicelogin",
			"expires_in": 900, "interval": 1,
			"message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code " + f.userCode + " to authenticate.",
		})
	})
	mux.HandleFunc("/contoso/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.polls++
		f.grants = append(f.grants, r.Form.Get("grant_type"))
		pending := f.polls == 1
		f.mu.Unlock()
		if r.Form.Get("device_code") != "dev-code-1" {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]any{"error": "invalid_grant"})
			return
		}
		if pending {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]any{"error": "authorization_pending"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"token_type": "Bearer", "access_token": "tok-device-1", "expires_in": 3600, "scope": r.Form.Get("scope"),
		})
	})
	f.srv = httptest.NewTLSServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// The device code sign-in end to end against a fake tenant: the
// instructions reach whoever the context names (a notebook cell), the
// token poll waits through "authorization_pending", and the service is
// called with the token.
func TestDeviceCodeSignIn(t *testing.T) {
	entra := newFakeEntra(t)
	var gotAuth []string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = append(gotAuth, r.Header.Get("Authorization"))
		w.Write([]byte(`{"ok":true}`))
	}))
	defer api.Close()

	c, err := New(Options{
		Endpoint: api.URL, Scope: "https://api.loganalytics.io/.default",
		Auth: []string{"devicecode"}, TenantID: "contoso", ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
		AuthorityHost: entra.srv.URL, Transport: entra.srv.Client(), Retries: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	var prompts []string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ctx = providers.WithPrompt(ctx, func(msg string) { prompts = append(prompts, msg) })
	resp, err := c.Do(ctx, http.MethodGet, "/v1/workspaces/x/metadata", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || len(gotAuth) != 1 || gotAuth[0] != "Bearer tok-device-1" {
		t.Fatalf("status %d, Authorization %q", resp.Status, gotAuth)
	}
	if len(prompts) != 1 || !strings.Contains(prompts[0], "enter the code HUNT-1234") {
		t.Fatalf("prompts = %q", prompts)
	}
	entra.mu.Lock()
	defer entra.mu.Unlock()
	if entra.polls != 2 || entra.grants[1] != "device_code" {
		t.Errorf("token polls = %d, grants %q", entra.polls, entra.grants)
	}
	if len(entra.scopes) != 1 || !strings.Contains(entra.scopes[0], "https://api.loganalytics.io/.default") {
		t.Errorf("scopes asked = %q", entra.scopes)
	}

	// The token is cached: a second request signs in no more.
	if _, err := c.Do(ctx, http.MethodGet, "/v1/x", nil, nil); err != nil || len(prompts) != 1 || gotAuth[1] != "Bearer tok-device-1" {
		t.Errorf("second call: err %v, prompts %d, auth %q", err, len(prompts), gotAuth)
	}
}

func TestAuthorityHostMustBeHTTPS(t *testing.T) {
	_, err := New(Options{Endpoint: "https://api.loganalytics.io", Auth: []string{"devicecode"}, AuthorityHost: "http://login.example"})
	if err == nil || err.Error() != `authority_host "http://login.example" is not an https URL` {
		t.Fatalf("error = %v", err)
	}
	o, err := OptionsFrom(map[string]string{"authority_host": "https://login.azurestack.example/"})
	if err != nil || o.AuthorityHost != "https://login.azurestack.example/" {
		t.Fatalf("OptionsFrom = %+v, %v", o, err)
	}
	if _, err := url.Parse(o.AuthorityHost); err != nil {
		t.Fatal(err)
	}
}
