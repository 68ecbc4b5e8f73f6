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
//   - a KustoClusters entry by name, cluster URL or host: kind "kusto".
//
// overrides (endpoint, token_env, auth, timeout, database ...) replace the
// settings taken from the file; a token_env override without an auth
// override selects the bearer-token method. The provider kinds must be
// registered (import providers/local, providers/sentinel, providers/kusto).
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
	return append(out, slices.Sorted(maps.Keys(cfg.KustoClusters()))...)
}
