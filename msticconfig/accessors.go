package msticconfig

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Workspaces returns the AzureSentinel.Workspaces entries by name.
func (c *Config) Workspaces() map[string]Workspace { return maps.Clone(c.workspaces) }

// Workspace finds a workspace as MSTICPy's WorkspaceConfig does: by entry
// name, then by WorkspaceName, then by WorkspaceId, case-insensitively. An
// exact entry name wins.
func (c *Config) Workspace(name string) (Workspace, bool) {
	if ws, ok := c.workspaces[name]; ok {
		return ws, true
	}
	names := slices.Sorted(maps.Keys(c.workspaces))
	for _, field := range []func(Workspace) string{
		func(w Workspace) string { return w.Name },
		func(w Workspace) string { return w.WorkspaceName },
		func(w Workspace) string { return w.WorkspaceID },
	} {
		for _, k := range names {
			if ws := c.workspaces[k]; field(ws) != "" && strings.EqualFold(field(ws), name) {
				return ws, true
			}
		}
	}
	return Workspace{}, false
}

// DefaultWorkspace returns the entry named Default.
func (c *Config) DefaultWorkspace() (Workspace, bool) {
	ws, ok := c.workspaces["Default"]
	return ws, ok
}

// KustoClusters returns the configured clusters by entry name, with
// KustoClusters.ClusterDefaults merged into each.
func (c *Config) KustoClusters() map[string]KustoCluster { return maps.Clone(c.kusto) }

// KustoCluster finds a cluster the ways MSTICPy's Kusto driver accepts,
// case-insensitively: entry name, cluster URL, or host name ("help" for
// https://help.kusto.windows.net).
func (c *Config) KustoCluster(id string) (KustoCluster, bool) {
	trim := func(s string) string { return strings.TrimSuffix(s, "/") }
	for _, name := range c.kustoOrder {
		kc := c.kusto[name]
		if strings.EqualFold(name, id) || strings.EqualFold(trim(kc.Cluster), trim(id)) || strings.EqualFold(kc.Host, id) {
			return kc, true
		}
	}
	return KustoCluster{}, false
}

// LocalData returns DataProviders.LocalData data_paths and query_paths,
// with a leading ~ expanded.
func (c *Config) LocalData() (dataPaths, queryPaths []string) {
	return expandAll(c.localData), expandAll(c.localQueries)
}

// QueryPaths returns QueryDefinitions.Default then QueryDefinitions.Custom,
// with a leading ~ expanded.
func (c *Config) QueryPaths() []string {
	return expandAll(append(slices.Clone(c.queryDefault), c.queryCustom...))
}

// AuthMethods returns Azure.auth_methods, or MSTICPy's default list when
// unset.
func (c *Config) AuthMethods() []string {
	if c.azure.AuthMethods != nil {
		return slices.Clone(c.azure.AuthMethods)
	}
	return slices.Clone(DefaultAuthMethods)
}

// Cloud returns the Azure cloud name (global, usgov, cn or de), with
// aliases resolved; global when unset.
func (c *Config) Cloud() string {
	if c.azure.Cloud == "" {
		return "global"
	}
	return c.azure.Cloud
}

// Azure returns the Azure section as read.
func (c *Config) Azure() AzureSettings { return c.azure }

// AzureCLI returns DataProviders.AzureCLI.Args (or the deprecated top-level
// AzureCLI section).
func (c *Config) AzureCLI() AzureCLI { return c.azureCLI }

// KeyVault returns the KeyVault section and whether it is present.
func (c *Config) KeyVault() (KeyVaultSettings, bool) { return c.keyVault, c.hasKeyVault }

// TIProviders returns the TIProviders entries by name.
func (c *Config) TIProviders() map[string]Provider { return maps.Clone(c.tiProviders) }

// OtherProviders returns the OtherProviders entries by name.
func (c *Config) OtherProviders() map[string]Provider { return maps.Clone(c.otherProvs) }

// DataProviders returns DataProviders entries other than AzureCLI,
// LocalData and Kusto (see AzureCLI, LocalData, KustoClusters).
func (c *Config) DataProviders() map[string]Provider { return maps.Clone(c.dataProviders) }

// QueryProviders returns UserDefaults.QueryProviders in file order.
func (c *Config) QueryProviders() []UserProvider { return slices.Clone(c.userProviders) }

// LoadComponents returns the UserDefaults.LoadComponents names in file order.
func (c *Config) LoadComponents() []string { return slices.Clone(c.components) }

// Lookup returns the node at a dotted key path (e.g. "msticpy.Proxies"),
// for settings this package does not model. Aliases are followed. The node
// may hold secrets: do not print it.
func (c *Config) Lookup(path string) (*yaml.Node, bool) {
	n := deref(c.Node())
	for _, key := range strings.Split(path, ".") {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil, false
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = deref(n.Content[i+1])
			}
		}
		if next == nil {
			return nil, false
		}
		n = next
	}
	return n, n != nil
}

func expandAll(ps []string) []string {
	if ps == nil {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = expandHome(p)
	}
	return out
}

// expandHome expands a leading ~ as MSTICPy does (Path.expanduser).
func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") && !strings.HasPrefix(p, `~\`) {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(home, p[1:])
}
