package msticconfig

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func loadFull(t *testing.T) *Config {
	t.Helper()
	for _, v := range []string{"HB_TEST_VT_KEY", "HB_TEST_XFORCE_ID", "HB_TEST_MAXMIND", "HB_TEST_KUSTO_SECRET"} {
		t.Setenv(v, "value-of-"+v)
	}
	cfg, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatalf("Load(full.yaml): %v", err)
	}
	return cfg
}

func TestFullConfigHasNoFindings(t *testing.T) {
	cfg := loadFull(t)
	for _, f := range cfg.Findings() {
		// The example's folders are not on this machine; TestMissingFolders
		// covers that check.
		if strings.Contains(f.String(), "load from it") {
			continue
		}
		t.Errorf("unexpected finding: %s", f)
	}
}

// Query and data folders that do not exist are skipped quietly by MSTICPy
// and huntbook alike, so validation says so, at the item's line.
func TestMissingFolders(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir("queries", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("afile", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "gone")
	src := "QueryDefinitions:\n  Custom:\n    - ./queries\n    - " + missing + "\n    - afile\n" +
		"DataProviders:\n  LocalData:\n    data_paths: [./exports]\n"
	cfg, err := Parse("c.yaml", []byte(src))
	if err != nil && !errors.As(err, new(*InvalidError)) {
		t.Fatal(err)
	}
	var got []string
	for _, f := range cfg.Findings() {
		got = append(got, f.String())
	}
	want := []string{
		"c.yaml:4: warning: QueryDefinitions.Custom[1]: folder " + missing + " does not exist, so no query templates load from it",
		"c.yaml:5: warning: QueryDefinitions.Custom[2]: afile is a file, not a folder, so no query templates load from it",
		"c.yaml:8: warning: DataProviders.LocalData.data_paths[0]: folder ./exports does not exist (a relative path is read from the current folder), so no tables load from it",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFullConfigTypedValues(t *testing.T) {
	cfg := loadFull(t)
	home, _ := os.UserHomeDir()

	def, ok := cfg.DefaultWorkspace()
	if !ok {
		t.Fatal("DefaultWorkspace: not found")
	}
	want := Workspace{Name: "Default", WorkspaceID: "52b1ab41-869e-4138-9e40-2a4457f09bf3", TenantID: "72f988bf-86f1-41af-91ab-2d7cd011db49",
		SubscriptionID: "cd928da3-dcde-42a3-aad7-d2a1268c2f48", ResourceGroup: "soc-rg", WorkspaceName: "SocWorkspace", Line: 4}
	if !reflect.DeepEqual(def, want) {
		t.Errorf("DefaultWorkspace = %+v\nwant %+v", def, want)
	}
	if ws := cfg.Workspaces(); len(ws) != 2 || ws["CyberSoc"].WorkspaceID != "a927809c-8142-43e1-96b3-4ad87cfe95a3" {
		t.Errorf("Workspaces = %+v", ws)
	}
	for id, want := range map[string]string{
		"cybersoc": "CyberSoc", "Default": "Default", "socworkspace": "Default",
		"A927809C-8142-43e1-96b3-4ad87cfe95a3": "CyberSoc", "nope": "",
	} {
		ws, ok := cfg.Workspace(id)
		if ws.Name != want || ok != (want != "") {
			t.Errorf("Workspace(%q) = %q, %v; want %q", id, ws.Name, ok, want)
		}
	}
	if n, ok := cfg.Lookup("msticpy.Timeout"); !ok || n.Value != "30" {
		t.Errorf("Lookup(msticpy.Timeout) = %v, %v", n, ok)
	}
	for _, p := range []string{"msticpy.Nope", "Azure.cloud.x", "Nope"} {
		if _, ok := cfg.Lookup(p); ok {
			t.Errorf("Lookup(%q) found a node", p)
		}
	}

	if got, want := cfg.QueryPaths(), []string{"/opt/huntbook/queries", filepath.Join(home, "queries"), "./working"}; !reflect.DeepEqual(got, want) {
		t.Errorf("QueryPaths = %q, want %q", got, want)
	}
	dp, qp := cfg.LocalData()
	if want := []string{"./data", filepath.Join(home, "tenants/contoso")}; !reflect.DeepEqual(dp, want) {
		t.Errorf("LocalData data paths = %q, want %q", dp, want)
	}
	if want := []string{"./queries/local"}; !reflect.DeepEqual(qp, want) {
		t.Errorf("LocalData query paths = %q, want %q", qp, want)
	}
	if got, want := cfg.AuthMethods(), []string{"cli", "msi", "interactive"}; !reflect.DeepEqual(got, want) {
		t.Errorf("AuthMethods = %q, want %q", got, want)
	}
	if got := cfg.Cloud(); got != "global" { // "public" is MSTICPy's alias for global
		t.Errorf("Cloud = %q, want global", got)
	}

	kcs := cfg.KustoClusters()
	if len(kcs) != 3 {
		t.Fatalf("KustoClusters: %d clusters, want 3: %v", len(kcs), kcs)
	}
	help := kcs["Help"]
	if help.Cluster != "https://help.kusto.windows.net" || help.Host != "help" || help.Database != "Samples" ||
		help.TenantID != "4cdf87a8-f0fc-40bb-9d85-68bcf4ac8e61" || !reflect.DeepEqual(help.ClusterGroups, []string{"Public"}) {
		t.Errorf("Help cluster = %+v (TenantId should come from ClusterDefaults)", help)
	}
	datax := kcs["DataX"]
	if datax.ClientID != "69d28fd7-42a5-48bc-a619-af56397b3333" || datax.IntegratedAuth || datax.ClientSecret.Kind != EnvVar {
		t.Errorf("DataX cluster = %+v", datax)
	}
	if v, err := datax.ClientSecret.Resolve(); err != nil || v != "value-of-HB_TEST_KUSTO_SECRET" {
		t.Errorf("DataX ClientSecret.Resolve = %q, %v", v, err)
	}
	legacy := kcs["Legacy"]
	if legacy.Path != "DataProviders.Kusto-Legacy" || !legacy.IntegratedAuth || legacy.Host != "legacy" ||
		legacy.TenantID != "4cdf87a8-f0fc-40bb-9d85-68bcf4ac8e61" { // ClusterDefaults apply to legacy entries too

		t.Errorf("legacy cluster = %+v", legacy)
	}
	for _, id := range []string{"datax", "https://DATAX.westeurope.kusto.windows.net", "DataX", "datax"} {
		if kc, ok := cfg.KustoCluster(id); !ok || kc.Name != "DataX" {
			t.Errorf("KustoCluster(%q) = %v, %v; want DataX", id, kc.Name, ok)
		}
	}
	if _, ok := cfg.KustoCluster("nope"); ok {
		t.Error("KustoCluster(nope) found a cluster")
	}

	ti := cfg.TIProviders()
	if len(ti) != 5 || ti["OTX"].Provider != "OTX" || !ti["OTX"].Primary || ti["VirusTotal"].Primary || !ti["XForce"].Primary {
		t.Errorf("TIProviders = %v", ti)
	}
	xf := ti["XForce"].Args["AuthKey"]
	if xf.Kind != KeyVault || xf.Vault != "soc-vault" || xf.Secret != "xforce-key" {
		t.Errorf("XForce AuthKey = %#v", xf)
	}
	opr := ti["OpenPageRank"].Args["AuthKey"]
	if opr.Kind != KeyVault || opr.Vault != "" || opr.Secret != "TIProviders-OpenPageRank-Args-AuthKey" {
		t.Errorf("OpenPageRank AuthKey = %#v (an empty KeyVault names the secret after its path)", opr)
	}
	cli := cfg.AzureCLI()
	if !reflect.DeepEqual(cli.AuthMethods, []string{"cli", "msi", "devicecode"}) || cli.TenantID != "69d28fd7-42a5-48bc-a619-af56397b2222" || cli.ClientSecret.Kind != Plain {
		t.Errorf("AzureCLI = %+v", cli)
	}
	kv, ok := cfg.KeyVault()
	if !ok || kv.VaultName != "soc-default-vault" || kv.UseKeyring || kv.Authority != "global" {
		t.Errorf("KeyVault = %+v, %v", kv, ok)
	}
	wantUP := []UserProvider{
		{Provider: "AzureSentinel", Workspace: "Default", Alias: "azs", Connect: true, line: 112},
		{Provider: "AzureSentinel", Workspace: "CyberSoc", Alias: "soc", Connect: false, line: 114},
		{Provider: "LocalData", Alias: "local", Connect: true, line: 117},
	}
	if got := cfg.QueryProviders(); !reflect.DeepEqual(got, wantUP) {
		t.Errorf("QueryProviders = %+v\nwant %+v", got, wantUP)
	}
	if got, want := cfg.LoadComponents(), []string{"TILookup", "GeoIpLookup", "Pivot"}; !reflect.DeepEqual(got, want) {
		t.Errorf("LoadComponents = %q, want %q", got, want)
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Parse("min.yaml", []byte("AzureSentinel:\n  Workspaces:\n    Default:\n      WorkspaceId: 52b1ab41-869e-4138-9e40-2a4457f09bf3\n      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db49\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Cloud(); got != "global" {
		t.Errorf("Cloud = %q, want global", got)
	}
	if got := cfg.AuthMethods(); !reflect.DeepEqual(got, DefaultAuthMethods) {
		t.Errorf("AuthMethods = %q, want MSTICPy's default %q", got, DefaultAuthMethods)
	}
	if cfg.QueryPaths() != nil || len(cfg.KustoClusters()) != 0 {
		t.Errorf("QueryPaths = %q, KustoClusters = %v; want none", cfg.QueryPaths(), cfg.KustoClusters())
	}
}

func TestRoundTripKeepsUnknownKeys(t *testing.T) {
	src := "# my settings\nAzure:\n  cloud: usgov\n  FutureSetting: 42 # kept\nFutureSection:\n  x: [1, 2]\n"
	cfg, err := Parse("rt.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != src {
		t.Errorf("round trip changed the file:\n%s\nwant\n%s", out, src)
	}
	var got []string
	for _, f := range cfg.Findings() {
		got = append(got, f.String())
	}
	want := []string{
		"rt.yaml:4: warning: Azure.FutureSetting: unknown key (kept)",
		"rt.yaml:5: warning: FutureSection: unknown key (kept)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings = %q\nwant %q", got, want)
	}
	if cfg.Cloud() != "usgov" {
		t.Errorf("Cloud = %q", cfg.Cloud())
	}
}

func TestInvalidErrorIsReturnedWithConfig(t *testing.T) {
	cfg, err := Parse("bad.yaml", []byte("Azure:\n  cloud: mars\n"))
	var inv *InvalidError
	if !errors.As(err, &inv) || len(inv.Findings) != 1 || cfg == nil {
		t.Fatalf("Parse = %v, %v; want the config and one InvalidError finding", cfg, err)
	}
	if !strings.HasPrefix(err.Error(), "bad.yaml:2: error: Azure.cloud: ") {
		t.Errorf("error = %q", err)
	}
}

// A data provider's credential beside Args instead of under it is never
// read by MSTICPy: a warning says where it goes.
func TestDataProviderSettingsOutsideArgs(t *testing.T) {
	src := "DataProviders:\n  MicrosoftDefender:\n    ClientId: \"6d6fb0d5-5a0c-4b37-9a67-7e1d1c3e9c5d\"\n    Args:\n      TenantId: \"72f988bf-86f1-41af-91ab-2d7cd011db47\"\n"
	cfg, err := Parse("d.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range cfg.Findings() {
		got = append(got, f.String())
	}
	want := []string{"d.yaml:3: warning: DataProviders.MicrosoftDefender.ClientId: not read: a data provider's settings go under Args (DataProviders.MicrosoftDefender.Args.ClientId)"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings = %q, want %q", got, want)
	}
}
