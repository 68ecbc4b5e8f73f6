package msticconfig

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// AuthMethodNames lists the Azure credential names MSTICPy accepts
// (msticpy.auth.azure_auth_core list_auth_methods, plus "cache" from its
// configuration docs), aliases included.
var AuthMethodNames = []string{
	"cache", "cert", "certificate", "cli", "client_secret", "clientsecret", "device", "device_code",
	"devicecode", "env", "environment", "interactive", "interactive_browser", "managed_identity",
	"managedidentity", "msi", "powershell", "vscode",
}

// DefaultAuthMethods is what MSTICPy uses when Azure.auth_methods is unset.
var DefaultAuthMethods = []string{"env", "msi", "vscode", "cli", "powershell", "devicecode"}

// Clouds are MSTICPy's Azure cloud names; "de" (Azure Germany) is retired
// but still accepted with a warning.
var Clouds = []string{"global", "usgov", "cn", "de"}

// CloudAliases maps MSTICPy's cloud aliases to cloud names.
var CloudAliases = map[string]string{"public": "global", "gov": "usgov", "china": "cn"}

// Components are the UserDefaults.LoadComponents MSTICPy knows how to load.
var Components = []string{"TILookup", "GeoIpLookup", "Notebooklets", "Pivot", "AzureData", "AzureSentinelAPI"}

// Workspace is one AzureSentinel.Workspaces entry.
type Workspace struct {
	Name           string // the entry's key, e.g. Default
	WorkspaceID    string
	TenantID       string
	SubscriptionID string
	ResourceGroup  string
	WorkspaceName  string
	Args           map[string]Setting
	Line           int
}

// KustoCluster is one cluster, from KustoClusters (with ClusterDefaults
// merged in) or a legacy DataProviders.Kusto / Kusto-NAME entry.
type KustoCluster struct {
	Name           string // the entry's key (Kusto- prefix removed for legacy entries)
	Path           string // KustoClusters.NAME or DataProviders.Kusto-NAME
	Cluster        string // the cluster URL
	Host           string // first label of the URL's host, e.g. "help"
	TenantID       string
	IntegratedAuth bool
	ClientID       string
	ClientSecret   Setting
	Database       string // Database or DefaultDatabase
	ClusterGroups  []string
	Args           map[string]Setting // every argument, defaults included
	Line           int
}

// AzureSettings is the Azure section.
type AzureSettings struct {
	Cloud       string   // normalised cloud name ("global" when unset)
	AuthMethods []string // as written; nil when unset
	TenantID    string
}

// AzureCLI is DataProviders.AzureCLI.Args (or the deprecated top-level
// AzureCLI section).
type AzureCLI struct {
	AuthMethods  []string
	ClientID     string
	TenantID     string
	ClientSecret Setting
}

// KeyVaultSettings is the KeyVault section.
type KeyVaultSettings struct {
	TenantID       string
	SubscriptionID string
	ResourceGroup  string
	AzureRegion    string
	VaultName      string
	UseKeyring     bool
	Authority      string
	AuthnType      string
}

// Provider is a TIProviders, OtherProviders or DataProviders entry.
type Provider struct {
	Name     string // the entry's key
	Provider string // the Provider value (TI and other providers)
	Primary  bool
	Args     map[string]Setting
}

// UserProvider is one UserDefaults.QueryProviders entry; for AzureSentinel
// there is one per workspace.
type UserProvider struct {
	Provider  string // AzureSentinel, Splunk, LocalData, ...
	Workspace string // AzureSentinel only
	Alias     string
	Connect   bool // default true
	line      int
}

func (cfg *Config) validate(c *checker, root *yaml.Node) {
	es, ok := c.mapping(root, "(root)", false)
	if !ok {
		return
	}
	// KeyVault first: secrets elsewhere refer to it; then the sections
	// others depend on (workspaces, DataProviders.AzureCLI over the
	// deprecated top-level AzureCLI).
	noop := func(entry) {}
	sections := map[string]func(entry){
		"KeyVault":      noop,
		"AzureSentinel": noop,
		"MSSentinel":    noop,
		"DataProviders": noop,
		// MSTICPy's own settings (msticpy.http_timeout, msticpy.Proxies, ...)
		// are not huntbook's concern; they are kept and masked.
		"msticpy":          noop,
		"QueryDefinitions": func(e entry) { cfg.checkQueryDefs(c, e) },
		"KustoClusters":    func(entry) { cfg.checkKustoClusters(c) },
		"TIProviders":      func(e entry) { cfg.tiProviders = cfg.checkProviders(c, e, true) },
		"OtherProviders":   func(e entry) { cfg.otherProvs = cfg.checkProviders(c, e, false) },
		"Azure":            func(e entry) { cfg.checkAzure(c, e) },
		"UserDefaults":     func(e entry) { cfg.checkUserDefaults(c, e) },
		"AzureCLI": func(e entry) {
			c.warnf(e.KeyN, "AzureCLI", "deprecated section: move it to DataProviders.AzureCLI")
			cli := cfg.checkAzureCLI(c, e.Value, "AzureCLI")
			if _, ok := lookup(es, "DataProviders"); !ok {
				cfg.azureCLI = cli
			}
		},
	}
	if a, ok := lookup(es, "AzureSentinel"); ok {
		if m, ok := lookup(es, "MSSentinel"); ok {
			c.errorf(m.KeyN, "MSSentinel", "MSSentinel and AzureSentinel (line %d) are one section to MSTICPy; keep one", a.KeyN.Line)
		}
	}
	for _, first := range []string{"KeyVault", "AzureSentinel", "MSSentinel", "KustoClusters", "DataProviders"} {
		if e, ok := lookup(es, first); ok {
			switch first {
			case "KeyVault":
				cfg.checkKeyVault(c, e)
			case "KustoClusters":
				cfg.checkKustoDefaults(c, e)
			case "AzureSentinel", "MSSentinel":
				cfg.checkSentinel(c, e)
			case "DataProviders":
				cfg.checkDataProviders(c, e)
			}
		}
	}
	c.fields(es, "", sections)
	if _, ok := lookup(es, "UserDefaults"); ok {
		cfg.checkUserWorkspaces(c)
	}
	sort.SliceStable(c.findings, func(i, j int) bool { return c.findings[i].Line < c.findings[j].Line })
}

// checkSentinel reads AzureSentinel.Workspaces.
func (cfg *Config) checkSentinel(c *checker, sec entry) {
	cfg.workspaces = map[string]Workspace{}
	es, ok := c.mapping(sec.Value, sec.Key, false)
	if !ok {
		return
	}
	wsEntry, found := lookup(es, "Workspaces")
	c.fields(es, sec.Key, map[string]func(entry){"Workspaces": func(entry) {}})
	if !found {
		c.errorf(sec.KeyN, sec.Key, "missing required key Workspaces")
		return
	}
	wss, ok := c.mapping(wsEntry.Value, sec.Key+".Workspaces", false)
	if !ok {
		return
	}
	for _, we := range wss {
		path := sec.Key + ".Workspaces." + we.Key
		fs, ok := c.mapping(we.Value, path, false)
		if !ok {
			continue
		}
		ws := Workspace{Name: we.Key, Line: we.KeyN.Line}
		c.fields(fs, path, map[string]func(entry){
			"WorkspaceId":    func(e entry) { ws.WorkspaceID, _ = c.guid(e.Value, join(path, e.Key), true) },
			"TenantId":       func(e entry) { ws.TenantID, _ = c.guid(e.Value, join(path, e.Key), true) },
			"SubscriptionId": func(e entry) { ws.SubscriptionID, _ = c.guid(e.Value, join(path, e.Key), false) },
			"ResourceGroup":  func(e entry) { ws.ResourceGroup, _ = c.str(e.Value, join(path, e.Key)) },
			"WorkspaceName":  func(e entry) { ws.WorkspaceName, _ = c.str(e.Value, join(path, e.Key)) },
			"Args":           func(e entry) { ws.Args = cfg.args(c, e.Value, join(path, e.Key), nil) },
		})
		for _, req := range []string{"WorkspaceId", "TenantId"} {
			if _, ok := lookup(fs, req); !ok {
				c.errorf(we.KeyN, path, "missing required key %s", req)
			}
		}
		cfg.workspaces[we.Key] = ws
	}
	if _, ok := cfg.workspaces["Default"]; !ok && len(wss) > 0 {
		c.warnf(wsEntry.KeyN, sec.Key+".Workspaces", "no Default workspace: connections must name a workspace")
	}
}

func (cfg *Config) checkQueryDefs(c *checker, sec entry) {
	es, ok := c.mapping(sec.Value, "QueryDefinitions", true)
	if !ok {
		return
	}
	c.fields(es, "QueryDefinitions", map[string]func(entry){
		"Default": func(e entry) { cfg.queryDefault = c.folderList(e.Value, "QueryDefinitions.Default", "query templates") },
		"Custom":  func(e entry) { cfg.queryCustom = c.folderList(e.Value, "QueryDefinitions.Custom", "query templates") },
	})
}

// folderList reads a list of folders and warns of those that do not exist:
// MSTICPy and huntbook skip them quietly, so what they hold (what) never
// loads and nothing else says why.
func (c *checker) folderList(n *yaml.Node, path, what string) []string {
	dirs, ok := c.strList(n, path)
	if !ok {
		return dirs
	}
	for i, item := range deref(n).Content {
		dir := dirs[i]
		if st, err := os.Stat(expandHome(dir)); err == nil && st.IsDir() {
			continue
		} else if err == nil {
			c.warnf(item, fmt.Sprintf("%s[%d]", path, i), "%s is a file, not a folder, so no %s load from it", dir, what)
			continue
		}
		where := ""
		if !filepath.IsAbs(expandHome(dir)) {
			where = " (a relative path is read from the current folder)"
		}
		c.warnf(item, fmt.Sprintf("%s[%d]", path, i), "folder %s does not exist%s, so no %s load from it", dir, where, what)
	}
	return dirs
}

// checkAuthMethods validates a list of MSTICPy credential names.
func (c *checker) authMethods(n *yaml.Node, path string) []string {
	d := deref(n)
	if d != nil && d.Kind == yaml.ScalarNode && !isNull(d) {
		c.errorf(n, path, "must be a list of auth methods, e.g. [%s], not a single string", d.Value)
		return nil
	}
	ms, _ := c.strList(n, path)
	out := ms[:0:0]
	for i, m := range ms {
		if !slices.Contains(AuthMethodNames, m) {
			c.errorf(d.Content[i], fmt.Sprintf("%s[%d]", path, i), "%q is not a MSTICPy auth method (want one of %s)", m, strings.Join(AuthMethodNames, ", "))
			continue
		}
		out = append(out, m)
	}
	return out
}

// cloud validates and normalises a cloud name.
func (c *checker) cloud(n *yaml.Node, path string) string {
	s, ok := c.str(n, path)
	if !ok || s == "" {
		return ""
	}
	l := strings.ToLower(s)
	if a, ok := CloudAliases[l]; ok {
		l = a
	}
	switch {
	case l == "de":
		c.warnf(n, path, "cloud \"de\" (Azure Germany) has been retired")
	case !slices.Contains(Clouds, l):
		c.errorf(n, path, "%q is not an Azure cloud (want global, usgov, cn or de; aliases public, gov, china)", s)
		return ""
	}
	return l
}

func (cfg *Config) checkAzure(c *checker, sec entry) {
	es, ok := c.mapping(sec.Value, "Azure", true)
	if !ok {
		return
	}
	c.fields(es, "Azure", map[string]func(entry){
		"cloud":        func(e entry) { cfg.azure.Cloud = c.cloud(e.Value, "Azure.cloud") },
		"auth_methods": func(e entry) { cfg.azure.AuthMethods = c.authMethods(e.Value, "Azure.auth_methods") },
		"tenant_id":    func(e entry) { cfg.azure.TenantID, _ = c.guid(e.Value, "Azure.tenant_id", false) },
		"resource_manager_url": func(e entry) {
			if s, ok := c.str(e.Value, "Azure.resource_manager_url"); ok && s != "" {
				c.httpURL(e.Value, "Azure.resource_manager_url", s)
			}
		},
	})
}

// httpURL checks an http(s) URL with a host and no embedded credentials.
// The value is quoted only when it holds none.
func (c *checker) httpURL(n *yaml.Node, path, s string) bool {
	u, err := url.Parse(s)
	if err == nil && u.User != nil {
		c.errorf(n, path, "URL must not embed credentials; use ClientSecret or an auth method")
		return false
	}
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		c.errorf(n, path, "%q is not an http(s) URL (want e.g. https://mycluster.westeurope.kusto.windows.net)", s)
		return false
	}
	return true
}

func (cfg *Config) checkKeyVault(c *checker, sec entry) {
	es, ok := c.mapping(sec.Value, "KeyVault", false)
	if !ok {
		return
	}
	cfg.hasKeyVault = true
	kv := KeyVaultSettings{UseKeyring: true, Authority: "global"}
	p := func(k string) string { return "KeyVault." + k }
	c.fields(es, "KeyVault", map[string]func(entry){
		"TenantId":       func(e entry) { kv.TenantID, _ = c.guid(e.Value, p(e.Key), true) },
		"SubscriptionId": func(e entry) { kv.SubscriptionID, _ = c.guid(e.Value, p(e.Key), false) },
		"ResourceGroup":  func(e entry) { kv.ResourceGroup, _ = c.str(e.Value, p(e.Key)) },
		"AzureRegion":    func(e entry) { kv.AzureRegion, _ = c.str(e.Value, p(e.Key)) },
		"VaultName":      func(e entry) { kv.VaultName, _ = c.requiredStr(e.Value, p(e.Key)) },
		"UseKeyring": func(e entry) {
			if v, ok := c.boolean(e.Value, p(e.Key)); ok {
				kv.UseKeyring = v
			}
		},
		"Authority": func(e entry) {
			if cl := c.cloud(e.Value, p(e.Key)); cl != "" {
				kv.Authority = cl
			}
		},
		"AuthnType": func(e entry) { kv.AuthnType, _ = c.str(e.Value, p(e.Key)) },
	})
	for _, req := range []string{"TenantId", "VaultName"} {
		if _, ok := lookup(es, req); !ok {
			c.errorf(sec.KeyN, "KeyVault", "missing required key %s", req)
		}
	}
	cfg.keyVault = kv
}

// args reads a provider Args mapping. guidKeys lists argument names that
// must hold a GUID when written as plain text.
func (cfg *Config) args(c *checker, n *yaml.Node, path string, guidKeys []string) map[string]Setting {
	es, ok := c.mapping(n, path, true)
	if !ok {
		return nil
	}
	return cfg.argsFrom(c, es, path, guidKeys)
}

func (cfg *Config) argsFrom(c *checker, es []entry, path string, guidKeys []string) map[string]Setting {
	out := make(map[string]Setting, len(es))
	for _, e := range es {
		p := join(path, e.Key)
		s, ok := c.setting(e.Value, p, e.Key)
		if !ok {
			out[e.Key] = Setting{Path: p, Line: s.Line, Sensitive: s.Sensitive, bad: true}
			continue
		}
		out[e.Key] = cfg.own(c, s, e.Value)
		if s.Kind == Plain && slices.Contains(guidKeys, e.Key) && s.plain != "" && !IsGUID(s.plain) && !s.Sensitive {
			c.errorf(e.Value, p, "%q is not a GUID", s.plain)
		}
	}
	return out
}

// own ties a setting to this config (for Key Vault resolution) and checks
// that a Key Vault reference has a KeyVault section to resolve against.
func (cfg *Config) own(c *checker, s Setting, n *yaml.Node) Setting {
	s.cfg = cfg
	if s.Kind == KeyVault && !cfg.hasKeyVault {
		c.errorf(n, s.Path, "Key Vault reference but no KeyVault section is configured")
	}
	return s
}

// plainArg returns a non-secret argument's text ("" for references).
func plainArg(args map[string]Setting, key string) string {
	if s, ok := args[key]; ok && s.Kind == Plain {
		return s.plain
	}
	return ""
}

func (cfg *Config) checkProviders(c *checker, sec entry, ti bool) map[string]Provider {
	section := sec.Key
	es, ok := c.mapping(sec.Value, section, true)
	if !ok {
		return nil
	}
	out := map[string]Provider{}
	for _, pe := range es {
		path := join(section, pe.Key)
		fs, ok := c.mapping(pe.Value, path, false)
		if !ok {
			continue
		}
		p := Provider{Name: pe.Key}
		handlers := map[string]func(entry){
			"Provider": func(e entry) { p.Provider, _ = c.requiredStr(e.Value, join(path, e.Key)) },
			"Args": func(e entry) {
				var guids []string
				if ti && plainProvider(fs) == "AzSTI" {
					guids = []string{"WorkspaceID", "TenantID"}
				}
				p.Args = cfg.args(c, e.Value, join(path, e.Key), guids)
			},
		}
		if ti {
			handlers["Primary"] = func(e entry) { p.Primary, _ = c.boolean(e.Value, join(path, e.Key)) }
		}
		c.fields(fs, path, handlers)
		if _, ok := lookup(fs, "Provider"); !ok {
			c.errorf(pe.KeyN, path, "missing required key Provider")
		}
		cfg.requiredArgs(c, pe, path, p.Args)
		out[pe.Key] = p
	}
	return out
}

// authKeyProviders need Args.AuthKey; apiIDProviders also Args.ApiID
// (MSTICPy's validate_config).
var (
	authKeyProviders = []string{"OTX", "VirusTotal", "XForce", "OpenPageRank", "GeoIPLite", "IPStack", "RiskIQ", "IntSights"}
	apiIDProviders   = []string{"XForce", "RiskIQ"}
)

func (cfg *Config) requiredArgs(c *checker, pe entry, path string, args map[string]Setting) {
	need := func(key string) {
		if s, ok := args[key]; !s.bad && (!ok || !s.Set() || (s.Kind == Plain && s.plain == "")) {
			c.errorf(pe.KeyN, join(path, "Args"), "missing required key %s", key)
		}
	}
	if slices.Contains(authKeyProviders, pe.Key) {
		need("AuthKey")
	}
	if slices.Contains(apiIDProviders, pe.Key) {
		need("ApiID")
	}
	if pe.Key == "AzureSentinel" && strings.HasPrefix(path, "TIProviders") {
		need("WorkspaceID")
		need("TenantID")
	}
}

func plainProvider(es []entry) string {
	if e, ok := lookup(es, "Provider"); ok {
		if d := deref(e.Value); d != nil && d.Kind == yaml.ScalarNode {
			return d.Value
		}
	}
	return ""
}

func (cfg *Config) checkAzureCLI(c *checker, n *yaml.Node, path string) AzureCLI {
	var out AzureCLI
	es, ok := c.mapping(n, path, true)
	if !ok {
		return out
	}
	c.fields(es, path, map[string]func(entry){
		"Args": func(e entry) {
			ap := join(path, "Args")
			as, ok := c.mapping(e.Value, ap, true)
			if !ok {
				return
			}
			for _, a := range as {
				p := join(ap, a.Key)
				switch a.Key {
				case "auth_methods":
					out.AuthMethods = c.authMethods(a.Value, p)
				case "clientId":
					out.ClientID, _ = c.guid(a.Value, p, false)
				case "tenantId":
					out.TenantID, _ = c.guid(a.Value, p, false)
				case "clientSecret":
					if s, ok := c.setting(a.Value, p, a.Key); ok {
						out.ClientSecret = cfg.own(c, s, a.Value)
					}
				default:
					c.unknown(a, ap, map[string]func(entry){"auth_methods": nil, "clientId": nil, "tenantId": nil, "clientSecret": nil})
				}
			}
			// MSTICPy: the service principal settings go together.
			if out.ClientID != "" {
				if out.TenantID == "" {
					c.errorf(e.KeyN, ap, "clientId is set, so tenantId is required")
				}
				if !out.ClientSecret.Set() {
					c.errorf(e.KeyN, ap, "clientId is set, so clientSecret is required")
				}
			}
		},
	})
	return out
}

func (cfg *Config) checkDataProviders(c *checker, sec entry) {
	es, ok := c.mapping(sec.Value, "DataProviders", true)
	if !ok {
		return
	}
	cfg.dataProviders = map[string]Provider{}
	for _, pe := range es {
		path := "DataProviders." + pe.Key
		switch {
		case pe.Key == "AzureCLI":
			cfg.azureCLI = cfg.checkAzureCLI(c, pe.Value, path)
		case pe.Key == "LocalData":
			fs, ok := c.mapping(pe.Value, path, true)
			if !ok {
				continue
			}
			c.fields(fs, path, map[string]func(entry){
				"data_paths":  func(e entry) { cfg.localData = c.folderList(e.Value, join(path, e.Key), "tables") },
				"query_paths": func(e entry) { cfg.localQueries = c.folderList(e.Value, join(path, e.Key), "query templates") },
			})
		case pe.Key == "Kusto" || strings.HasPrefix(pe.Key, "Kusto-"):
			cfg.kustoEntry(c, pe, path, strings.TrimPrefix(pe.Key, "Kusto-"))
		default:
			fs, ok := c.mapping(pe.Value, path, true)
			if !ok {
				continue
			}
			p := Provider{Name: pe.Key}
			// A setting beside Args is one MSTICPy never reads: a credential
			// put there is silently missing at sign-in.
			for _, e := range fs {
				if e.Key != "Args" && e.Key != "Provider" {
					c.warnf(e.KeyN, join(path, e.Key), "not read: a data provider's settings go under Args (%s.Args.%s)", path, e.Key)
				}
			}
			// Other providers take free-form settings; only Args is read.
			if a, ok := lookup(fs, "Args"); ok {
				guids := []string{"TenantId", "tenantId", "TenantID"}
				if pe.Key == "MicrosoftDefender" || pe.Key == "MicrosoftGraph" || pe.Key == "M365D" {
					guids = append(guids, "ClientId")
				}
				p.Args = cfg.args(c, a.Value, join(path, "Args"), guids)
			}
			cfg.dataProviders[pe.Key] = p
		}
	}
}

// kustoArgs are the cluster arguments MSTICPy's Kusto driver reads.
var kustoArgs = []string{"Cluster", "TenantId", "IntegratedAuth", "ClientId", "ClientSecret", "Certificate", "Database", "DefaultDatabase"}

// checkKustoDefaults reads KustoClusters.ClusterDefaults; MSTICPy applies
// it to every cluster, legacy DataProviders.Kusto entries included, so it
// is read before DataProviders.
func (cfg *Config) checkKustoDefaults(c *checker, sec entry) {
	es, ok := c.mapping(sec.Value, "KustoClusters", true)
	if !ok {
		return
	}
	cfg.kustoEntries = es
	d, ok := lookup(es, "ClusterDefaults")
	if !ok {
		return
	}
	path := "KustoClusters.ClusterDefaults"
	if fs, ok := c.mapping(d.Value, path, true); ok {
		c.fields(fs, path, map[string]func(entry){
			"Args": func(e entry) { cfg.kustoDefaults = cfg.kustoArgs(c, e.Value, join(path, "Args")) },
		})
	}
}

func (cfg *Config) checkKustoClusters(c *checker) {
	for _, ke := range cfg.kustoEntries {
		if ke.Key != "ClusterDefaults" {
			cfg.kustoEntry(c, ke, "KustoClusters."+ke.Key, ke.Key)
		}
	}
}

func (cfg *Config) kustoArgs(c *checker, n *yaml.Node, path string) map[string]Setting {
	es, ok := c.mapping(n, path, true)
	if !ok {
		return nil
	}
	args := cfg.argsFrom(c, es, path, []string{"TenantId", "ClientId"})
	for _, e := range es {
		p := join(path, e.Key)
		switch e.Key {
		case "IntegratedAuth":
			if d := deref(e.Value); d != nil && d.Kind == yaml.ScalarNode && !isNull(d) {
				c.boolean(e.Value, p)
			}
		case "Cluster":
			if s := args[e.Key]; s.Kind == Plain {
				c.httpURL(e.Value, p, s.plain)
			}
		default:
			if !slices.Contains(kustoArgs, e.Key) {
				known := map[string]func(entry){}
				for _, k := range kustoArgs {
					known[k] = nil
				}
				c.unknown(e, path, known)
			}
		}
	}
	return args
}

func (cfg *Config) kustoEntry(c *checker, ke entry, path, name string) {
	fs, ok := c.mapping(ke.Value, path, false)
	if !ok {
		return
	}
	kc := KustoCluster{Name: name, Path: path, Line: ke.KeyN.Line}
	var own map[string]Setting
	c.fields(fs, path, map[string]func(entry){
		"Args":          func(e entry) { own = cfg.kustoArgs(c, e.Value, join(path, "Args")) },
		"ClusterGroups": func(e entry) { kc.ClusterGroups, _ = c.strList(e.Value, join(path, e.Key)) },
	})
	argsE, hasArgs := lookup(fs, "Args")
	if !hasArgs {
		c.errorf(ke.KeyN, path, "missing required key Args (with Args.Cluster)")
		return
	}
	kc.Args = map[string]Setting{}
	for k, v := range cfg.kustoDefaults {
		kc.Args[k] = v
	}
	for k, v := range own {
		kc.Args[k] = v
	}
	cl, ok := own["Cluster"]
	if !ok || !cl.Set() {
		c.errorf(argsE.KeyN, join(path, "Args"), "missing required key Cluster (the cluster URL)")
		return
	}
	kc.Cluster = cl.plain
	if u, err := url.Parse(kc.Cluster); err == nil {
		kc.Host, _, _ = strings.Cut(u.Hostname(), ".")
	}
	kc.TenantID = plainArg(kc.Args, "TenantId")
	kc.ClientID = plainArg(kc.Args, "ClientId")
	kc.ClientSecret = kc.Args["ClientSecret"]
	if ia, ok := kc.Args["IntegratedAuth"]; ok && ia.Kind == Plain {
		kc.IntegratedAuth = pyBools[ia.plain]
	}
	kc.Database = plainArg(kc.Args, "Database")
	if kc.Database == "" {
		kc.Database = plainArg(kc.Args, "DefaultDatabase")
	}
	if kc.ClientSecret.Set() && !kc.Args["ClientId"].Set() {
		c.errorf(argsE.KeyN, join(path, "Args"), "ClientSecret needs ClientId (clientsecret authentication uses both)")
	}
	if cfg.kusto == nil {
		cfg.kusto = map[string]KustoCluster{}
	}
	for _, other := range cfg.kustoOrder {
		if o := cfg.kusto[other]; strings.EqualFold(strings.TrimSuffix(o.Cluster, "/"), strings.TrimSuffix(kc.Cluster, "/")) {
			c.warnf(cl.node(argsE), join(path, "Args.Cluster"), "same cluster as %s (line %d); MSTICPy keeps only the last entry per cluster URL", o.Path, o.Line)
		}
	}
	if _, dup := cfg.kusto[name]; !dup {
		cfg.kustoOrder = append(cfg.kustoOrder, name)
	}
	cfg.kusto[name] = kc
}

// node returns a stand-in node carrying the setting's line for findings.
func (s Setting) node(fallback entry) *yaml.Node {
	if s.Line > 0 {
		return &yaml.Node{Line: s.Line}
	}
	return fallback.KeyN
}

func (cfg *Config) checkUserDefaults(c *checker, sec entry) {
	es, ok := c.mapping(sec.Value, "UserDefaults", true)
	if !ok {
		return
	}
	handlers := map[string]func(entry){
		"QueryProviders": func(e entry) { cfg.checkQueryProviders(c, e) },
		"LoadComponents": func(e entry) {
			path := "UserDefaults.LoadComponents"
			for _, it := range c.items(e.Value, path) {
				if !slices.Contains(Components, it.Key) {
					c.warnf(it.KeyN, join(path, it.Key), "not a component MSTICPy loads (want one of %s)", strings.Join(Components, ", "))
				}
				cfg.components = append(cfg.components, it.Key)
			}
		},
	}
	// MSTICPy reads other UserDefaults keys elsewhere; pass them silently.
	for _, e := range es {
		if h, ok := handlers[e.Key]; ok {
			h(e)
		}
	}
}

// items reads MSTICPy's two list forms for UserDefaults: a mapping of
// name -> settings, or a list of "Name" / {Name: settings} items.
func (c *checker) items(n *yaml.Node, path string) []entry {
	d := deref(n)
	switch {
	case isNull(d):
		return nil
	case d.Kind == yaml.MappingNode:
		return c.entries(d, path)
	case d.Kind == yaml.SequenceNode:
		var out []entry
		for i, it := range d.Content {
			it = deref(it)
			switch {
			case it.Kind == yaml.ScalarNode && !isNull(it):
				out = append(out, entry{it.Value, it, nil})
			case it.Kind == yaml.MappingNode:
				out = append(out, c.entries(it, path)...)
			default:
				c.errorf(it, fmt.Sprintf("%s[%d]", path, i), "must be a name or a mapping, not %s", kindName(it))
			}
		}
		return out
	}
	c.errorf(n, path, "must be a mapping or a list, not %s", kindName(d))
	return nil
}

func (cfg *Config) checkQueryProviders(c *checker, sec entry) {
	path := "UserDefaults.QueryProviders"
	for _, pe := range c.items(sec.Value, path) {
		pp := join(path, pe.Key)
		if pe.Key == "AzureSentinel" {
			for _, we := range c.items(pe.Value, pp) {
				up := cfg.userProvider(c, we, join(pp, we.Key))
				up.Provider, up.Workspace = "AzureSentinel", we.Key
				cfg.userProviders = append(cfg.userProviders, up)
			}
			continue
		}
		up := cfg.userProvider(c, pe, pp)
		up.Provider = pe.Key
		cfg.userProviders = append(cfg.userProviders, up)
	}
}

// userProvider reads `Name:`, `Name: alias` or `Name: {alias:, connect:}`.
func (cfg *Config) userProvider(c *checker, e entry, path string) UserProvider {
	up := UserProvider{Connect: true}
	d := deref(e.Value)
	switch {
	case isNull(d):
	case d.Kind == yaml.ScalarNode:
		up.Alias = d.Value
	case d.Kind == yaml.MappingNode:
		for _, f := range c.entries(d, path) {
			switch f.Key {
			case "alias":
				up.Alias, _ = c.str(f.Value, join(path, f.Key))
			case "connect":
				if v, ok := c.boolean(f.Value, join(path, f.Key)); ok {
					up.Connect = v
				}
			}
		}
	default:
		c.errorf(e.Value, path, "must be an alias or a mapping with alias/connect, not %s", kindName(d))
	}
	up.line = e.KeyN.Line
	return up
}

// checkUserWorkspaces reports AzureSentinel query providers naming a
// workspace that is not defined.
func (cfg *Config) checkUserWorkspaces(c *checker) {
	for _, up := range cfg.userProviders {
		if up.Provider != "AzureSentinel" {
			continue
		}
		if _, ok := cfg.workspaces[up.Workspace]; !ok {
			c.errorf(&yaml.Node{Line: up.line}, "UserDefaults.QueryProviders.AzureSentinel."+up.Workspace,
				"workspace %q is not defined in AzureSentinel.Workspaces", up.Workspace)
		}
	}
}
