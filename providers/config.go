package providers

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/huntbook/huntbook/msticconfig"
)

// FromConfig opens the provider a notebook names, as msticpyconfig.yaml
// defines it, so a notebook moves from local exports to a workspace or a
// cluster by configuration alone. name is resolved in order:
//
//   - "local" (any case): the embedded engine over DataProviders.LocalData
//     data_paths (the sample tenant when there are none);
//   - an AzureSentinel.Workspaces entry by entry name, WorkspaceName or
//     WorkspaceId ("" means the Default entry): kind "sentinel";
//   - a KustoClusters entry by name, cluster URL or host: kind "kusto";
//   - "defender", "MicrosoftDefender", "M365D", "M365DGraph", "MDE" or
//     "MDATP" (any case; "-Instance" picks MSTICPy's MicrosoftDefender-Instance
//     entry): kind "defender", Defender XDR advanced hunting, with the
//     DataProviders.MicrosoftDefender (else M365D, else MDATPApp) Args. It
//     resolves without an entry or a config file too (Azure defaults apply).
//
// overrides (endpoint, token_env, auth, timeout, database ...) replace the
// settings taken from the file; a token_env override without an auth
// override selects the bearer-token method. The provider kinds must be
// registered (import providers/local, providers/sentinel, providers/kusto,
// providers/defender).
func FromConfig(cfg *msticconfig.Config, name string, overrides map[string]string) (Provider, error) {
	kind, entry, settings, err := resolve(cfg, name)
	if err != nil {
		return nil, err
	}
	if _, ok := overrides["token_env"]; ok {
		if _, auth := overrides["auth"]; !auth {
			settings["auth"] = "token"
		}
	}
	maps.Copy(settings, overrides)
	return Open(kind, entry, settings)
}

func resolve(cfg *msticconfig.Config, name string) (kind, entry string, settings map[string]string, err error) {
	if strings.EqualFold(name, "local") {
		s := map[string]string{}
		if cfg != nil {
			if dirs, _ := cfg.LocalData(); len(dirs) > 0 {
				s["data_paths"] = strings.Join(dirs, string(os.PathListSeparator))
			}
		}
		return "local", "local", s, nil
	}
	if cfg == nil {
		if entry, s, ok, err := resolveDefender(nil, name); ok {
			return "defender", entry, s, err
		}
		return "", "", nil, fmt.Errorf("provider %q: no msticpyconfig.yaml loaded (only \"local\" is available)", name)
	}
	if name == "" {
		ws, ok := cfg.DefaultWorkspace()
		if !ok {
			return "", "", nil, fmt.Errorf("no provider named and no AzureSentinel.Workspaces.Default entry (available: %s)", strings.Join(Available(cfg), ", "))
		}
		return "sentinel", ws.Name, workspaceSettings(cfg, ws), nil
	}
	if ws, ok := cfg.Workspace(name); ok {
		return "sentinel", ws.Name, workspaceSettings(cfg, ws), nil
	}
	if kc, ok := cfg.KustoCluster(name); ok {
		s, err := clusterSettings(cfg, kc)
		return "kusto", kc.Name, s, err
	}
	if entry, s, ok, err := resolveDefender(cfg, name); ok {
		return "defender", entry, s, err
	}
	return "", "", nil, fmt.Errorf("no provider named %q in %s (available: %s)", name, cfg.File, strings.Join(Available(cfg), ", "))
}

func workspaceSettings(cfg *msticconfig.Config, ws msticconfig.Workspace) map[string]string {
	s := map[string]string{
		"workspace_id": ws.WorkspaceID,
		"cloud":        cfg.Cloud(),
		"auth":         strings.Join(cfg.AuthMethods(), ","),
	}
	if ws.WorkspaceName != "" {
		s["workspace_name"] = ws.WorkspaceName
	} else {
		s["workspace_name"] = ws.Name
	}
	tenant := ws.TenantID
	if tenant == "" {
		tenant = cfg.Azure().TenantID
	}
	if tenant != "" {
		s["tenant_id"] = tenant
	}
	return s
}

// clusterSettings maps a KustoClusters entry: a ClientId with a
// ClientSecret means app (client secret) auth, as MSTICPy's Kusto driver
// does; otherwise the Azure auth_methods apply. The secret is resolved
// now (environment variable or Key Vault); an error names its key path,
// never its value.
func clusterSettings(cfg *msticconfig.Config, kc msticconfig.KustoCluster) (map[string]string, error) {
	s := map[string]string{"cluster": kc.Cluster, "database": kc.Database, "cloud": cfg.Cloud(), "auth": strings.Join(cfg.AuthMethods(), ",")}
	tenant := kc.TenantID
	if tenant == "" {
		tenant = cfg.Azure().TenantID
	}
	if tenant != "" {
		s["tenant_id"] = tenant
	}
	if kc.ClientID != "" {
		s["client_id"] = kc.ClientID
	}
	if kc.ClientID != "" && kc.ClientSecret.Set() {
		secret, err := kc.ClientSecret.Resolve()
		if err != nil {
			return nil, fmt.Errorf("kusto cluster %s: %w", kc.Name, err)
		}
		s["client_secret"] = secret
		s["auth"] = "clientsecret"
	}
	return s, nil
}

// Available lists the provider names FromConfig accepts, for %providers:
// "local", then the workspaces (Default first), then the clusters, each
// group in name order.
func Available(cfg *msticconfig.Config) []string {
	out := []string{"local"}
	if cfg == nil {
		return out
	}
	ws := slices.Sorted(maps.Keys(cfg.Workspaces()))
	if i := slices.Index(ws, "Default"); i > 0 {
		ws = append([]string{"Default"}, slices.Delete(ws, i, i+1)...)
	}
	out = append(out, ws...)
	out = append(out, slices.Sorted(maps.Keys(cfg.KustoClusters()))...)
	var xdr []string
	for k := range cfg.DataProviders() {
		if _, _, ok := defenderName(k); ok {
			xdr = append(xdr, k)
		}
	}
	slices.Sort(xdr)
	return append(out, xdr...)
}

// defenderAliases are the provider names that pick Defender XDR advanced
// hunting (lower case), with the API each implies ("" for the default,
// Graph). MSTICPy's M365D API is retired in favour of Graph, so "M365D"
// takes Graph too; "MDE" and "MDATP" keep the Defender for Endpoint API.
var defenderAliases = map[string]string{
	"defender": "", "microsoftdefender": "", "m365d": "", "m365dgraph": "graph", "mde": "mde", "mdatp": "mde",
}

// defenderEntries are the DataProviders keys MSTICPy's Defender driver
// reads, in its order of preference.
var defenderEntries = []string{"MicrosoftDefender", "M365D", "MDATPApp"}

// defenderName splits a name into a Defender alias's implied API and an
// instance ("MicrosoftDefender-Tenant1" is instance Tenant1).
func defenderName(name string) (api, instance string, ok bool) {
	base, instance, _ := strings.Cut(name, "-")
	api, ok = defenderAliases[strings.ToLower(base)]
	if !ok && strings.EqualFold(base, "MDATPApp") {
		ok = true
	}
	return api, instance, ok
}

// resolveDefender maps a Defender name to its settings. ok is false when
// name is not a Defender name. Args follow MSTICPy's MicrosoftDefender
// entry: TenantId, ClientId, ClientSecret (with ClientId: client secret
// auth, as MSTICPy's application auth), Cloud (global, us, eu, uk, gcc,
// gcc-high, dod); huntbook also reads Api (graph, m365d, mde) and
// Timespan. UserName (MSTICPy's delegated sign-in) needs no setting: the
// Azure auth_methods sign the user in.
func resolveDefender(cfg *msticconfig.Config, name string) (entry string, settings map[string]string, ok bool, err error) {
	api, instance, ok := defenderName(name)
	if !ok {
		return "", nil, false, nil
	}
	s := map[string]string{}
	if api != "" {
		s["api"] = api
	}
	entry = "defender"
	if instance != "" {
		entry += "-" + instance
	}
	var args map[string]msticconfig.Setting
	if cfg != nil {
		s["cloud"], s["auth"] = cfg.Cloud(), strings.Join(cfg.AuthMethods(), ",")
		if t := cfg.Azure().TenantID; t != "" {
			s["tenant_id"] = t
		}
		dps := cfg.DataProviders()
		found := false
		for _, base := range defenderEntries {
			for key, p := range dps {
				want := base
				if instance != "" {
					want += "-" + instance
				}
				if strings.EqualFold(key, want) && !found {
					entry, args, found = key, p.Args, true
				}
			}
		}
		if instance != "" && !found {
			return "", nil, true, fmt.Errorf("provider %q: no DataProviders.MicrosoftDefender-%s entry in %s (available: %s)", name, instance, cfg.File, strings.Join(Available(cfg), ", "))
		}
	} else if instance != "" {
		return "", nil, true, fmt.Errorf("provider %q: no msticpyconfig.yaml loaded, so no MicrosoftDefender-%s entry", name, instance)
	}
	arg := func(key string) (msticconfig.Setting, bool) {
		for k, v := range args {
			if strings.EqualFold(strings.ReplaceAll(k, "_", ""), key) && v.Set() {
				return v, true
			}
		}
		return msticconfig.Setting{}, false
	}
	for key, setting := range map[string]string{"tenantid": "tenant_id", "clientid": "client_id", "cloud": "cloud", "api": "api", "timespan": "timespan"} {
		v, ok := arg(key)
		if !ok || (key == "api" && api != "") { // a name that implies an API wins
			continue
		}
		val, err := v.Resolve()
		if err != nil {
			return "", nil, true, fmt.Errorf("defender provider %s: %w", entry, err)
		}
		if val != "" {
			s[setting] = val
		}
	}
	if sec, ok := arg("clientsecret"); ok && s["client_id"] != "" {
		secret, err := sec.Resolve()
		if err != nil {
			return "", nil, true, fmt.Errorf("defender provider %s: %w", entry, err)
		}
		s["client_secret"], s["auth"] = secret, "clientsecret"
	}
	return entry, s, true, nil
}
