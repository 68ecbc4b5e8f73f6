// Package azhttp is the HTTP plumbing the remote providers (sentinel,
// kusto, defender) share: Azure credentials picked the way msticpyconfig.yaml's
// auth_methods say, an Azure SDK (azcore) pipeline with bounded retries of
// throttling and server errors that honour Retry-After, and errors that never
// carry a secret.
package azhttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/huntbook/huntbook/providers"
)

// Options configure a Client.
type Options struct {
	// Endpoint is the service base URL requests are made relative to. http
	// is accepted only for loopback hosts (test servers, local proxies).
	Endpoint string
	// Scope is the token scope, e.g. https://api.loganalytics.io/.default.
	Scope string
	// Cloud selects the Entra ID authority: global, usgov, cn.
	Cloud string
	// AuthorityHost overrides the cloud's Entra ID host (an https URL), for
	// private and sovereign clouds such as Azure Stack Hub. Instance
	// discovery, which only knows Microsoft's hosts, is then skipped.
	AuthorityHost string
	// Transport sends the requests, the sign-in's included (nil: azcore's
	// default); tests and proxies set it.
	Transport policy.Transporter
	// Auth lists credential methods tried in order (MSTICPy names: env,
	// cli, msi, clientsecret, devicecode, interactive, powershell, ...,
	// plus token for a bearer token read from TokenEnv).
	Auth []string
	// TokenEnv names the environment variable holding a bearer token.
	TokenEnv string
	// TenantID, ClientID and ClientSecret feed the credentials needing them.
	TenantID, ClientID, ClientSecret string
	// Retries bounds the retries of 408/429/5xx answers and connection
	// failures (default 3; -1 for none). RetryDelay is the first backoff
	// (default 800ms), doubled each try up to MaxRetryDelay (default 30s).
	// A Retry-After longer than MaxRetryDelay is not waited for: the
	// throttling answer is returned.
	Retries                   int
	RetryDelay, MaxRetryDelay time.Duration
}

// Client sends authenticated requests to one service.
type Client struct {
	base         *url.URL
	pl           runtime.Pipeline
	clientSecret string
	tokenEnv     string
	// Methods are the credential methods in effect, for Describe.
	Methods []string
}

// Credential-method aliases MSTICPy accepts, mapped to one name each.
var methodAliases = map[string]string{
	"env": "env", "environment": "env",
	"cli": "cli",
	"msi": "msi", "managed_identity": "msi", "managedidentity": "msi",
	"clientsecret": "clientsecret", "client_secret": "clientsecret",
	"devicecode": "devicecode", "device_code": "devicecode", "device": "devicecode",
	"interactive": "interactive", "interactive_browser": "interactive",
	"powershell": "powershell",
	"token":      "token",
	// No Go credential exists for these: skipped with a note (MSTICPy
	// also skips methods unavailable on the platform).
	"vscode": "", "cache": "", "cert": "", "certificate": "",
}

// ParseMethods splits a comma- or space-separated auth list and
// normalises the names. Unknown names are an error naming them.
func ParseMethods(s string) ([]string, error) {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		m, ok := methodAliases[strings.ToLower(f)]
		if !ok {
			return nil, fmt.Errorf("auth method %q is unknown (want env, cli, msi, clientsecret, devicecode, interactive, powershell or token)", f)
		}
		if m != "" {
			out = append(out, m)
		}
	}
	return out, nil
}

// New builds a client. It does not contact the service.
func New(o Options) (*Client, error) {
	base, err := url.Parse(o.Endpoint)
	if err != nil || base.Host == "" || (base.Scheme != "https" && base.Scheme != "http") {
		return nil, fmt.Errorf("endpoint %q is not an http(s) URL", o.Endpoint)
	}
	loopback := isLoopback(base.Hostname())
	if base.Scheme == "http" && !loopback {
		return nil, fmt.Errorf("endpoint %q: plain http is only allowed for loopback addresses (the token would travel in clear text); use https", o.Endpoint)
	}
	methods := o.Auth
	if len(methods) == 0 {
		if o.TokenEnv != "" {
			methods = []string{"token"}
		} else {
			methods = []string{"env", "msi", "cli", "devicecode"}
		}
	}
	cc := cloudConfig(o.Cloud)
	if o.AuthorityHost != "" {
		u, err := url.Parse(o.AuthorityHost)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("authority_host %q is not an https URL", o.AuthorityHost)
		}
		cc.ActiveDirectoryAuthorityHost = strings.TrimSuffix(o.AuthorityHost, "/") + "/"
	}
	cred, used, err := credential(methods, o, cc)
	if err != nil {
		return nil, err
	}
	retry := policy.RetryOptions{
		MaxRetries:    3,
		RetryDelay:    800 * time.Millisecond,
		MaxRetryDelay: 30 * time.Second,
		// 504 is a query that ran out of server time: it would again.
		StatusCodes: []int{http.StatusRequestTimeout, http.StatusTooManyRequests, 500, 502, 503},
	}
	if o.Retries != 0 {
		retry.MaxRetries = int32(o.Retries)
	}
	if o.RetryDelay > 0 {
		retry.RetryDelay = o.RetryDelay
	}
	if o.MaxRetryDelay > 0 {
		retry.MaxRetryDelay = o.MaxRetryDelay
	}
	auth := runtime.NewBearerTokenPolicy(cred, []string{o.Scope}, &policy.BearerTokenOptions{InsecureAllowCredentialWithHTTP: loopback})
	pl := runtime.NewPipeline("huntbook", "v0", runtime.PipelineOptions{PerRetry: []policy.Policy{auth}},
		&policy.ClientOptions{Cloud: cc, Retry: retry, Telemetry: policy.TelemetryOptions{ApplicationID: "huntbook"}, Transport: o.Transport})
	return &Client{base: base, pl: pl, Methods: used, clientSecret: o.ClientSecret, tokenEnv: o.TokenEnv}, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func cloudConfig(name string) cloud.Configuration {
	switch strings.ToLower(name) {
	case "usgov", "gov":
		return cloud.AzureGovernment
	case "cn", "china":
		return cloud.AzureChina
	}
	return cloud.AzurePublic
}

func credential(methods []string, o Options, cc cloud.Configuration) (azcore.TokenCredential, []string, error) {
	copts := azcore.ClientOptions{Cloud: cc, Transport: o.Transport}
	noDiscovery := o.AuthorityHost != ""
	var creds []azcore.TokenCredential
	var used []string
	for _, m := range methods {
		var c azcore.TokenCredential
		var err error
		switch m {
		case "token":
			if o.TokenEnv == "" {
				return nil, nil, errors.New("auth method token needs token_env (the environment variable holding the bearer token)")
			}
			c = envToken{name: o.TokenEnv}
		case "env":
			c, err = azidentity.NewEnvironmentCredential(&azidentity.EnvironmentCredentialOptions{ClientOptions: copts})
			if err != nil {
				continue // no AZURE_* variables: unavailable, as in MSTICPy's chain
			}
		case "cli":
			c, err = azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: o.TenantID})
		case "powershell":
			c, err = azidentity.NewAzurePowerShellCredential(&azidentity.AzurePowerShellCredentialOptions{TenantID: o.TenantID})
		case "msi":
			mo := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: copts}
			if o.ClientID != "" {
				mo.ID = azidentity.ClientID(o.ClientID)
			}
			c, err = azidentity.NewManagedIdentityCredential(mo)
		case "clientsecret":
			if o.TenantID == "" || o.ClientID == "" || o.ClientSecret == "" {
				return nil, nil, errors.New("auth method clientsecret needs tenant_id, client_id and client_secret")
			}
			c, err = azidentity.NewClientSecretCredential(o.TenantID, o.ClientID, o.ClientSecret, &azidentity.ClientSecretCredentialOptions{ClientOptions: copts, DisableInstanceDiscovery: noDiscovery})
		case "devicecode":
			c, err = azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
				ClientOptions: copts, TenantID: o.TenantID, ClientID: o.ClientID, DisableInstanceDiscovery: noDiscovery,
				UserPrompt: func(ctx context.Context, m azidentity.DeviceCodeMessage) error {
					if show := providers.PromptFrom(ctx); show != nil {
						show(m.Message)
					} else {
						fmt.Fprintln(os.Stderr, m.Message)
					}
					return nil
				},
			})
		case "interactive":
			c, err = azidentity.NewInteractiveBrowserCredential(&azidentity.InteractiveBrowserCredentialOptions{ClientOptions: copts, TenantID: o.TenantID, ClientID: o.ClientID, DisableInstanceDiscovery: noDiscovery})
		default:
			return nil, nil, fmt.Errorf("auth method %q is unknown", m)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("auth method %s: %v", m, err)
		}
		creds = append(creds, c)
		used = append(used, m)
	}
	if len(creds) == 0 {
		return nil, nil, fmt.Errorf("no usable auth method among %s", strings.Join(methods, ", "))
	}
	if len(creds) == 1 {
		return creds[0], used, nil
	}
	chain, err := azidentity.NewChainedTokenCredential(creds, nil)
	return chain, used, err
}

// envToken is a bearer token taken as is from an environment variable (for
// users who run `az account get-access-token`). It is read at each use so
// a refreshed variable is picked up.
type envToken struct{ name string }

func (e envToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	t := strings.TrimSpace(os.Getenv(e.name))
	if t == "" {
		return azcore.AccessToken{}, fmt.Errorf("bearer token: environment variable %s is not set", e.name)
	}
	t = strings.TrimPrefix(t, "Bearer ")
	// The expiry is unknown: ask again soon so a refreshed variable wins.
	return azcore.AccessToken{Token: t, ExpiresOn: time.Now().Add(5 * time.Minute)}, nil
}

// Response is a service answer, body fully read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends one request to path (relative to the endpoint) with a JSON body
// (nil for GET), retrying as configured. It returns the last answer
// whatever its status; err is for transport failures and cancellation.
func (c *Client) Do(ctx context.Context, method, path string, header http.Header, body []byte) (*Response, error) {
	u := c.base.JoinPath(path)
	req, err := runtime.NewRequest(ctx, method, u.String())
	if err != nil {
		return nil, c.Redact(err)
	}
	for k, vs := range header {
		req.Raw().Header[k] = vs
	}
	if body != nil {
		if err := req.SetBody(streaming.NopCloser(bytes.NewReader(body)), "application/json"); err != nil {
			return nil, c.Redact(err)
		}
	}
	resp, err := c.pl.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, c.Redact(fmt.Errorf("%s %s: %w", method, u.Redacted(), err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, c.Redact(fmt.Errorf("%s %s: reading the answer: %w", method, u.Redacted(), err))
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// Redact replaces any secret this client holds (client secret, bearer
// token) in err's text. Callers pass every error they return through it.
func (c *Client) Redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	secrets := []string{c.clientSecret}
	if c.tokenEnv != "" { // read now: the variable may have changed since New
		t := strings.TrimSpace(os.Getenv(c.tokenEnv))
		secrets = append(secrets, t, strings.TrimPrefix(t, "Bearer "))
	}
	red := RedactString(msg, secrets)
	if red == msg {
		return err
	}
	return &redacted{msg: red, err: err}
}

// RedactString masks each secret in s.
func RedactString(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// redacted keeps errors.Is/As working on the original while its text is
// the masked one.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }

// CommonSettings are the settings every remote provider reads (see
// OptionsFrom); providers add their own.
var CommonSettings = []string{"endpoint", "cloud", "authority_host", "auth", "token_env", "tenant_id", "client_id", "client_secret",
	"retries", "retry_delay", "max_retry_delay", "timeout"}

// OptionsFrom reads the common settings. Unknown keys (not common and not
// in extra) are an error naming them, so a typo does not silently fall
// back to a default. Endpoint and Scope are left for the caller.
func OptionsFrom(settings map[string]string, extra ...string) (Options, error) {
	var o Options
	for k := range settings {
		if !slices.Contains(CommonSettings, k) && !slices.Contains(extra, k) {
			known := append(slices.Clone(CommonSettings), extra...)
			slices.Sort(known)
			return o, fmt.Errorf("unknown setting %q (known: %s)", k, strings.Join(known, ", "))
		}
	}
	var err error
	if o.Auth, err = ParseMethods(settings["auth"]); err != nil {
		return o, err
	}
	o.Cloud, o.TokenEnv, o.AuthorityHost = settings["cloud"], settings["token_env"], settings["authority_host"]
	o.TenantID, o.ClientID, o.ClientSecret = settings["tenant_id"], settings["client_id"], settings["client_secret"]
	if v := settings["retries"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 10 {
			return o, fmt.Errorf("setting retries: %q is not a number from 0 to 10", v)
		}
		o.Retries = n
		if n == 0 {
			o.Retries = -1 // azcore: negative means none
		}
	}
	for key, dst := range map[string]*time.Duration{"retry_delay": &o.RetryDelay, "max_retry_delay": &o.MaxRetryDelay} {
		if v := settings[key]; v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return o, fmt.Errorf("setting %s: %q is not a positive duration (e.g. 800ms, 30s)", key, v)
			}
			*dst = d
		}
	}
	return o, nil
}

// Timeout reads the "timeout" setting: seconds or a Go duration; def when
// unset.
func Timeout(settings map[string]string, def time.Duration) (time.Duration, error) {
	v := settings["timeout"]
	if v == "" {
		return def, nil
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("setting timeout: %q is not a number of seconds or a duration", v)
	}
	return d, nil
}
