package msticconfig

import (
	"reflect"
	"strings"
	"testing"
)

// ws is a valid Default workspace, for cases that need one.
const ws = `AzureSentinel:
  Workspaces:
    Default:
      WorkspaceId: 52b1ab41-869e-4138-9e40-2a4457f09bf3
      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db49
`

const kv = `KeyVault:
  TenantId: 4cdf87a8-f0fc-40bb-9d85-68bcf4ac8e61
  VaultName: soc-vault
`

// TestBrokenConfigs: each config must produce exactly these findings.
func TestBrokenConfigs(t *testing.T) {
	t.Setenv("HB_SET_VAR", "x")
	t.Setenv("HB_EMPTY_VAR", "")
	tests := []struct {
		name string
		src  string
		want []string // FILE:LINE: severity: path: message
	}{
		{"yaml syntax", "Azure:\n  cloud: global\n  auth: a: b\n",
			[]string{"c.yaml:3: error: invalid YAML: mapping values are not allowed in this context"}},
		{"root is a list", "- AzureSentinel\n",
			[]string{"c.yaml:1: error: (root): must be a mapping, not a list"}},
		{"empty file", "# nothing yet\n",
			[]string{"c.yaml: warning: file is empty: no settings"}},
		{"workspace id not a GUID", strings.Replace(ws, "52b1ab41-869e-4138-9e40-2a4457f09bf3", `"abc"`, 1),
			[]string{`c.yaml:4: error: AzureSentinel.Workspaces.Default.WorkspaceId: "abc" is not a GUID`}},
		{"tenant id missing", "AzureSentinel:\n  Workspaces:\n    Default:\n      WorkspaceId: 52b1ab41-869e-4138-9e40-2a4457f09bf3\n",
			[]string{"c.yaml:3: error: AzureSentinel.Workspaces.Default: missing required key TenantId"}},
		{"subscription id not a GUID", ws + "      SubscriptionId: my-sub\n",
			[]string{`c.yaml:6: error: AzureSentinel.Workspaces.Default.SubscriptionId: "my-sub" is not a GUID`}},
		{"workspace id is a list", "AzureSentinel:\n  Workspaces:\n    Default:\n      WorkspaceId: [a]\n      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db49\n",
			[]string{"c.yaml:4: error: AzureSentinel.Workspaces.Default.WorkspaceId: must be a string, not a list"}},
		{"workspace entry not a mapping", "AzureSentinel:\n  Workspaces:\n    Default: 52b1ab41-869e-4138-9e40-2a4457f09bf3\n",
			[]string{"c.yaml:2: warning: AzureSentinel.Workspaces: no Default workspace: connections must name a workspace", "c.yaml:3: error: AzureSentinel.Workspaces.Default: must be a mapping, not a string"}},
		{"workspaces missing", "AzureSentinel:\n  Workspace: {}\n",
			[]string{"c.yaml:1: error: AzureSentinel: missing required key Workspaces", "c.yaml:2: warning: AzureSentinel.Workspace: unknown key (kept)"}},
		{"wrong case key", ws + "      resourcegroup: rg\n",
			[]string{"c.yaml:6: warning: AzureSentinel.Workspaces.Default.resourcegroup: unknown key (kept); settings are case sensitive, did you mean ResourceGroup?"}},
		{"no default workspace", "AzureSentinel:\n  Workspaces:\n    Soc:\n      WorkspaceId: 52b1ab41-869e-4138-9e40-2a4457f09bf3\n      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db49\n",
			[]string{"c.yaml:2: warning: AzureSentinel.Workspaces: no Default workspace: connections must name a workspace"}},
		{"repeated key", ws + "    Default:\n      WorkspaceId: 52b1ab41-869e-4138-9e40-2a4457f09bf3\n      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db49\n",
			[]string{"c.yaml:6: error: AzureSentinel.Workspaces.Default: key repeated (first at line 3); MSTICPy would silently use the last one"}},
		{"both sentinel section names", ws + "MSSentinel:\n  Workspaces: {}\n",
			[]string{"c.yaml:6: error: MSSentinel: MSSentinel and AzureSentinel (line 1) are one section to MSTICPy; keep one"}},
		{"query paths not a list", "QueryDefinitions:\n  Custom: ./queries\n",
			[]string{"c.yaml:2: error: QueryDefinitions.Custom: must be a list of strings, not a string"}},
		{"query path item a mapping", "QueryDefinitions:\n  Custom:\n    - ./q\n    - path: ./r\n",
			[]string{"c.yaml:4: error: QueryDefinitions.Custom[1]: must be a string, not a mapping"}},
		{"unknown cloud", "Azure:\n  cloud: mars\n",
			[]string{`c.yaml:2: error: Azure.cloud: "mars" is not an Azure cloud (want global, usgov, cn or de; aliases public, gov, china)`}},
		{"retired cloud", "Azure:\n  cloud: de\n",
			[]string{`c.yaml:2: warning: Azure.cloud: cloud "de" (Azure Germany) has been retired`}},
		{"unknown auth method", "Azure:\n  auth_methods:\n    - cli\n    - token\n",
			[]string{`c.yaml:4: error: Azure.auth_methods[1]: "token" is not a MSTICPy auth method (want one of ` + strings.Join(AuthMethodNames, ", ") + ")"}},
		{"auth methods a string", "Azure:\n  auth_methods: cli\n",
			[]string{"c.yaml:2: error: Azure.auth_methods: must be a list of auth methods, e.g. [cli], not a single string"}},
		{"azure cli client id", "DataProviders:\n  AzureCLI:\n    Args:\n      clientId: app-1\n      tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db49\n      clientSecret: s\n",
			[]string{`c.yaml:4: error: DataProviders.AzureCLI.Args.clientId: "app-1" is not a GUID`}},
		{"azure cli partial service principal", "DataProviders:\n  AzureCLI:\n    Args:\n      clientId: 69d28fd7-42a5-48bc-a619-af56397b1111\n",
			[]string{"c.yaml:3: error: DataProviders.AzureCLI.Args: clientId is set, so tenantId is required", "c.yaml:3: error: DataProviders.AzureCLI.Args: clientId is set, so clientSecret is required"}},
		{"azure cli bad auth method", "DataProviders:\n  AzureCLI:\n    Args:\n      auth_methods: [cli, browser]\n",
			[]string{`c.yaml:4: error: DataProviders.AzureCLI.Args.auth_methods[1]: "browser" is not a MSTICPy auth method (want one of ` + strings.Join(AuthMethodNames, ", ") + ")"}},
		{"deprecated AzureCLI section", "AzureCLI:\n  Args:\n    auth_methods: [cli]\n",
			[]string{"c.yaml:1: warning: AzureCLI: deprecated section: move it to DataProviders.AzureCLI"}},
		{"local data paths not a list", "DataProviders:\n  LocalData:\n    data_paths: {a: b}\n",
			[]string{"c.yaml:3: error: DataProviders.LocalData.data_paths: must be a list of strings, not a mapping"}},
		{"kusto cluster missing", "KustoClusters:\n  C1:\n    Args:\n      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db49\n",
			[]string{"c.yaml:3: error: KustoClusters.C1.Args: missing required key Cluster (the cluster URL)"}},
		{"kusto args missing", "KustoClusters:\n  C1:\n    ClusterGroups: [g]\n",
			[]string{"c.yaml:2: error: KustoClusters.C1: missing required key Args (with Args.Cluster)"}},
		{"kusto cluster not a URL", "KustoClusters:\n  C1:\n    Args:\n      Cluster: help.kusto.windows.net\n",
			[]string{`c.yaml:4: error: KustoClusters.C1.Args.Cluster: "help.kusto.windows.net" is not an http(s) URL (want e.g. https://mycluster.westeurope.kusto.windows.net)`}},
		{"kusto cluster URL with credentials", "KustoClusters:\n  C1:\n    Args:\n      Cluster: https://me:hunter2@help.kusto.windows.net\n",
			[]string{"c.yaml:4: error: KustoClusters.C1.Args.Cluster: URL must not embed credentials; use ClientSecret or an auth method"}},
		{"kusto integrated auth not a bool", "KustoClusters:\n  C1:\n    Args:\n      Cluster: https://help.kusto.windows.net\n      IntegratedAuth: sometimes\n",
			[]string{`c.yaml:5: error: KustoClusters.C1.Args.IntegratedAuth: must be true or false, not "sometimes"`}},
		{"kusto quoted false", "KustoClusters:\n  C1:\n    Args:\n      Cluster: https://help.kusto.windows.net\n      IntegratedAuth: \"false\"\n",
			[]string{`c.yaml:5: error: KustoClusters.C1.Args.IntegratedAuth: must be true or false, not the quoted string "false" (MSTICPy reads any non-empty string as true)`}},
		{"kusto tenant not a GUID", "KustoClusters:\n  ClusterDefaults:\n    Args:\n      TenantId: contoso.com\n",
			[]string{`c.yaml:4: error: KustoClusters.ClusterDefaults.Args.TenantId: "contoso.com" is not a GUID`}},
		{"kusto secret without client id", "KustoClusters:\n  C1:\n    Args:\n      Cluster: https://help.kusto.windows.net\n      ClientSecret: {EnvironmentVar: HB_SET_VAR}\n",
			[]string{"c.yaml:3: error: KustoClusters.C1.Args: ClientSecret needs ClientId (clientsecret authentication uses both)"}},
		{"kusto unknown arg", "KustoClusters:\n  C1:\n    Args:\n      Cluster: https://help.kusto.windows.net\n      Tenantid: 72f988bf-86f1-41af-91ab-2d7cd011db49\n",
			[]string{"c.yaml:5: warning: KustoClusters.C1.Args.Tenantid: unknown key (kept); settings are case sensitive, did you mean TenantId?"}},
		{"kusto cluster groups not a list", "KustoClusters:\n  C1:\n    Args:\n      Cluster: https://help.kusto.windows.net\n    ClusterGroups: g1\n",
			[]string{"c.yaml:5: error: KustoClusters.C1.ClusterGroups: must be a list of strings, not a string"}},
		{"kusto same cluster twice", "KustoClusters:\n  A:\n    Args:\n      Cluster: https://help.kusto.windows.net\n  B:\n    Args:\n      Cluster: https://HELP.kusto.windows.net/\n",
			[]string{"c.yaml:7: warning: KustoClusters.B.Args.Cluster: same cluster as KustoClusters.A (line 2); MSTICPy keeps only the last entry per cluster URL"}},
		{"ti provider missing Provider", "TIProviders:\n  OTX:\n    Args:\n      AuthKey: k\n    Primary: true\n",
			[]string{"c.yaml:2: error: TIProviders.OTX: missing required key Provider"}},
		{"ti provider missing AuthKey", "TIProviders:\n  VirusTotal:\n    Args: {}\n    Provider: VirusTotal\n",
			[]string{"c.yaml:2: error: TIProviders.VirusTotal.Args: missing required key AuthKey"}},
		{"ti primary not a bool", "TIProviders:\n  Tor:\n    Primary: maybe\n    Provider: Tor\n",
			[]string{`c.yaml:3: error: TIProviders.Tor.Primary: must be true or false, not "maybe"`}},
		{"ti args a list", "TIProviders:\n  GreyNoise:\n    Args: [k]\n    Provider: GreyNoise\n",
			[]string{"c.yaml:3: error: TIProviders.GreyNoise.Args: must be a mapping, not a list"}},
		{"sentinel TI workspace", "TIProviders:\n  AzureSentinel:\n    Args:\n      WorkspaceID: ws1\n      TenantID: 72f988bf-86f1-41af-91ab-2d7cd011db49\n    Provider: AzSTI\n",
			[]string{`c.yaml:4: error: TIProviders.AzureSentinel.Args.WorkspaceID: "ws1" is not a GUID`}},
		{"secret is a list", "OtherProviders:\n  IPStack:\n    Args:\n      AuthKey: [a, b]\n    Provider: IPStackLookup\n",
			[]string{"c.yaml:4: error: OtherProviders.IPStack.Args.AuthKey: a secret must be a string or a mapping with EnvironmentVar or KeyVault, not a list"}},
		{"secret mapping with other key", "OtherProviders:\n  IPStack:\n    Args:\n      AuthKey: {Value: abc}\n    Provider: IPStackLookup\n",
			[]string{"c.yaml:4: error: OtherProviders.IPStack.Args.AuthKey: a secret must be a string or a mapping with EnvironmentVar or KeyVault"}},
		{"secret with both references", "TIProviders:\n  OTX:\n    Args:\n      AuthKey: {EnvironmentVar: HB_SET_VAR, KeyVault: x}\n    Provider: OTX\n",
			[]string{"c.yaml:4: error: TIProviders.OTX.Args.AuthKey: give either EnvironmentVar or KeyVault, not both"}},
		{"empty env var name", "TIProviders:\n  OTX:\n    Args:\n      AuthKey:\n        EnvironmentVar: \"\"\n    Provider: OTX\n",
			[]string{"c.yaml:5: error: TIProviders.OTX.Args.AuthKey.EnvironmentVar: must name an environment variable"}},
		{"env var unset and empty", "TIProviders:\n  OTX:\n    Args:\n      AuthKey:\n        EnvironmentVar: HB_UNSET_VAR_XYZ\n    Provider: OTX\n  XForce:\n    Args:\n      ApiID: {EnvironmentVar: HB_EMPTY_VAR}\n      AuthKey: {EnvironmentVar: HB_SET_VAR}\n    Provider: XForce\n",
			[]string{"c.yaml:5: warning: TIProviders.OTX.Args.AuthKey.EnvironmentVar: environment variable HB_UNSET_VAR_XYZ is not set",
				"c.yaml:9: warning: TIProviders.XForce.Args.ApiID.EnvironmentVar: environment variable HB_EMPTY_VAR is empty"}},
		{"key vault reference without section", "TIProviders:\n  OpenPageRank:\n    Args:\n      AuthKey:\n        KeyVault:\n    Provider: OPR\n",
			[]string{"c.yaml:5: error: TIProviders.OpenPageRank.Args.AuthKey: Key Vault reference but no KeyVault section is configured"}},
		{"bad key vault reference", kv + "TIProviders:\n  OTX:\n    Args:\n      AuthKey: {KeyVault: a/b/c}\n    Provider: OTX\n",
			[]string{`c.yaml:7: error: TIProviders.OTX.Args.AuthKey.KeyVault: "a/b/c" is not a Key Vault reference (want secret or vault/secret)`}},
		{"key vault section incomplete", "KeyVault:\n  TenantId: 4cdf87a8-f0fc-40bb-9d85-68bcf4ac8e61\n  UseKeyring: sure\n  Authority: moon\n",
			[]string{"c.yaml:1: error: KeyVault: missing required key VaultName",
				`c.yaml:3: error: KeyVault.UseKeyring: must be true or false, not "sure"`,
				`c.yaml:4: error: KeyVault.Authority: "moon" is not an Azure cloud (want global, usgov, cn or de; aliases public, gov, china)`}},
		{"key vault tenant", "KeyVault:\n  TenantId: 1234\n  VaultName: v\n",
			[]string{`c.yaml:2: error: KeyVault.TenantId: "1234" is not a GUID`}},
		{"user default unknown workspace", ws + "UserDefaults:\n  QueryProviders:\n    AzureSentinel:\n      Default:\n      Missing:\n        alias: m\n",
			[]string{`c.yaml:10: error: UserDefaults.QueryProviders.AzureSentinel.Missing: workspace "Missing" is not defined in AzureSentinel.Workspaces`}},
		{"user default list form", ws + "UserDefaults:\n  QueryProviders:\n    - AzureSentinel:\n      - Default: asi\n      - Nope\n    - LocalData: local\n  LoadComponents:\n    - TILookup\n    - Magic\n",
			[]string{`c.yaml:10: error: UserDefaults.QueryProviders.AzureSentinel.Nope: workspace "Nope" is not defined in AzureSentinel.Workspaces`,
				"c.yaml:14: warning: UserDefaults.LoadComponents.Magic: not a component MSTICPy loads (want one of TILookup, GeoIpLookup, Notebooklets, Pivot, AzureData, AzureSentinelAPI)"}},
		{"user default connect not a bool", ws + "UserDefaults:\n  QueryProviders:\n    LocalData:\n      connect: nope\n",
			[]string{`c.yaml:9: error: UserDefaults.QueryProviders.LocalData.connect: must be true or false, not "nope"`}},
		{"merge key not a mapping", "Azure:\n  <<: [1]\n",
			[]string{"c.yaml:2: error: Azure: merge key << must name a mapping, not a number"}},
		{"section is a string", "TIProviders: none\n",
			[]string{"c.yaml:1: error: TIProviders: must be a mapping, not a string"}},
		{"unknown section", "Sentinel:\n  Workspaces: {}\n",
			[]string{"c.yaml:1: warning: Sentinel: unknown key (kept)"}},
	}
	if len(tests) < 25 {
		t.Fatalf("only %d broken configs", len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("c.yaml", []byte(tc.src))
			var got []string
			hasErr := false
			for _, f := range cfg.Findings() {
				got = append(got, f.String())
				hasErr = hasErr || f.Severity == Error
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			if hasErr != (err != nil) {
				t.Errorf("Parse error = %v, but error findings: %v", err, hasErr)
			}
		})
	}
}
