package msticconfig

import "testing"

// FuzzParse validates arbitrary text as msticpyconfig.yaml: findings or
// errors, never a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"AzureSentinel:\n  Workspaces:\n    Default:\n      WorkspaceId: 52b1ab41-869e-4138-9e40-2a4457f09bf0\n      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db49\n",
		"OtherProviders:\n  GeoIPLite:\n    Args:\n      AuthKey: {EnvironmentVar: K}\n      DBFolder: ~/.msticpy\n    Provider: GeoLiteLookup\n",
		"TIProviders: [1, 2]\n", "a: b: c\n", "- x\n", "", "KustoClusters:\n  C1:\n    Args: {Cluster: https://c.kusto.windows.net}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, _ := Parse("c.yaml", data)
		if cfg == nil {
			t.Fatal("Parse returned no Config")
		}
	})
}
