package providers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/msticconfig"
	"github.com/huntbook/huntbook/providers"
	_ "github.com/huntbook/huntbook/providers/defender"
	"github.com/huntbook/huntbook/providers/defender/defendertest"
	_ "github.com/huntbook/huntbook/providers/kusto"
	"github.com/huntbook/huntbook/providers/kusto/kustotest"
	_ "github.com/huntbook/huntbook/providers/local"
	_ "github.com/huntbook/huntbook/providers/sentinel"
	"github.com/huntbook/huntbook/providers/sentinel/sentineltest"
)

const configYAML = `
AzureSentinel:
  Workspaces:
    Default:
      WorkspaceId: "52b1ab41-869e-4138-9e40-2a4457f09bf3"
      TenantId: "72f988bf-86f1-41af-91ab-2d7cd011db49"
      WorkspaceName: SocWorkspace
    CyberSoc:
      WorkspaceId: "a927809c-8142-43e1-96b3-4ad87cfe95a3"
      TenantId: "69d28fd7-42a5-48bc-a619-af56397b9f28"
KustoClusters:
  Help:
    Args:
      Cluster: https://help.kusto.windows.net
      Database: Samples
  DataX:
    Args:
      Cluster: https://datax.westeurope.kusto.windows.net/
      Database: Security
      TenantId: "4cdf87a8-f0fc-40bb-9d85-68bcf4ac8e61"
      ClientId: "69d28fd7-42a5-48bc-a619-af56397b3333"
      ClientSecret:
        EnvironmentVar: "HB_TEST_KUSTO_SECRET"
Azure:
  cloud: public
  auth_methods: ["cli", "msi"]
`

func loadConfig(t *testing.T) *msticconfig.Config {
	t.Helper()
	cfg, err := msticconfig.Parse("msticpyconfig.yaml", []byte(configYAML))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestAvailable(t *testing.T) {
	got := providers.Available(loadConfig(t))
	want := []string{"local", "Default", "CyberSoc", "DataX", "Help"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Available = %v, want %v", got, want)
	}
	if got := providers.Available(nil); !reflect.DeepEqual(got, []string{"local"}) {
		t.Errorf("Available(nil) = %v", got)
	}
}

func TestFromConfigResolves(t *testing.T) {
	cfg := loadConfig(t)
	t.Setenv("HB_TEST_KUSTO_SECRET", "s3cret-value-xyz")
	cases := []struct {
		name, kind, entry, describe string
	}{
		{"", "sentinel", "Default", "SocWorkspace (52b1ab41-869e-4138-9e40-2a4457f09bf3)"},
		{"SocWorkspace", "sentinel", "Default", "auth: cli, msi"},
		{"a927809c-8142-43e1-96b3-4ad87cfe95a3", "sentinel", "CyberSoc", "CyberSoc (a927809c"},
		{"help", "kusto", "Help", "help.kusto.windows.net, database Samples, auth: cli, msi"},
		{"https://datax.westeurope.kusto.windows.net", "kusto", "DataX", "auth: clientsecret"},
		{"LOCAL", "local", "local", "sample tenant"},
	}
	for _, c := range cases {
		p, err := providers.FromConfig(cfg, c.name, nil)
		if err != nil {
			t.Errorf("%q: %v", c.name, err)
			continue
		}
		if p.Kind() != c.kind || p.Name() != c.entry || !strings.Contains(p.Describe(), c.describe) {
			t.Errorf("%q: %s %s %q, want %s %s containing %q", c.name, p.Kind(), p.Name(), p.Describe(), c.kind, c.entry, c.describe)
		}
		if strings.Contains(p.Describe(), "s3cret-value-xyz") {
			t.Errorf("%q: Describe shows the secret", c.name)
		}
	}
}

func TestFromConfigErrors(t *testing.T) {
	cfg := loadConfig(t)
	os.Unsetenv("HB_TEST_KUSTO_SECRET")
	cases := []struct {
		cfg       *msticconfig.Config
		name      string
		overrides map[string]string
		want      string
	}{
		{cfg, "Nowhere", nil, `no provider named "Nowhere" in msticpyconfig.yaml (available: local, Default, CyberSoc, DataX, Help)`},
		{cfg, "DataX", nil, "kusto cluster DataX: KustoClusters.DataX.Args.ClientSecret"},
		{nil, "Default", nil, "only \"local\" is available"},
		{cfg, "Default", map[string]string{"bogus": "1"}, `unknown setting "bogus"`},
	}
	for _, c := range cases {
		_, err := providers.FromConfig(c.cfg, c.name, c.overrides)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.name, err, c.want)
		}
	}
	empty, _ := msticconfig.Parse("empty.yaml", []byte("Azure:\n  cloud: public\n"))
	if _, err := providers.FromConfig(empty, "", nil); err == nil || !strings.Contains(err.Error(), "no AzureSentinel.Workspaces.Default entry") {
		t.Errorf("no default: %v", err)
	}
	dir := t.TempDir()
	withLocal, _ := msticconfig.Parse("l.yaml", []byte("DataProviders:\n  LocalData:\n    data_paths:\n      - "+filepath.Join(dir, "missing")+"\n"))
	if _, err := providers.FromConfig(withLocal, "local", nil); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("local data path: %v", err)
	}
}

// events is a table with the types hunting queries meet.
func events() *table.Table {
	t := table.New("Events", types.Schema{{Name: "S", Type: types.String}, {Name: "L", Type: types.Long}, {Name: "D", Type: types.DateTime},
		{Name: "B", Type: types.Bool}, {Name: "Dyn", Type: types.Dynamic}, {Name: "R", Type: types.Real}, {Name: "T", Type: types.TimeSpan}})
	base := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 10; i++ {
		bag := types.NewBag()
		bag.Set("a", int64(i%3))
		bag.Set("name", []any{"x", int64(i)})
		_ = t.AppendRow([]types.Value{types.NewString([]string{"alice", "bob", "carol"}[i%3]), types.NewLong(int64(i*i) - 20),
			types.FromTime(base.Add(time.Duration(i) * 97 * time.Minute)), types.NewBool(i%2 == 0), types.NewDynamic(bag),
			types.NewReal(float64(i) / 3), types.NewTimeSpan(int64(i) * types.Minute)})
	}
	return t
}

// TestSameAnswersThroughBothServices runs the same queries through the
// sentinel and kusto providers against fakes serving the same table, and
// checks both equal what the engine computes directly: the conversion
// round trip of each service is exact.
func TestSameAnswersThroughBothServices(t *testing.T) {
	tables := map[string]*table.Table{"Events": events()}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	ss := sentineltest.NewServer(tables, now)
	defer ss.Close()
	ks := kustotest.NewServer(tables, now)
	defer ks.Close()
	ks.Progressive = true
	t.Setenv("HB_TEST_S_TOKEN", ss.Token)
	t.Setenv("HB_TEST_K_TOKEN", ks.Token)
	sp, err := providers.Open("sentinel", "S", ss.Settings("HB_TEST_S_TOKEN"))
	if err != nil {
		t.Fatal(err)
	}
	kp, err := providers.Open("kusto", "K", ks.Settings("HB_TEST_K_TOKEN"))
	if err != nil {
		t.Fatal(err)
	}
	queries := []string{
		"Events",
		"Events | where L > 0 and D > ago(3d) | project S, L, D, T",
		"Events | summarize n = count(), total = sum(L), avg = avg(R), last = max(D) by S, B | order by S asc, B asc",
		"Events | extend a = toint(Dyn.a), n = Dyn.name | project S, a, n | take 4",
		"Events | summarize c = count() by bin(D, 6h) | order by D asc | render timechart with (title=\"per 6h\")",
		"print big = 9007199254740993, neg = -1.5e-7, when = datetime(2026-01-02 03:04:05.1234567), span = 1d + 2h, id = guid(6f9619ff-8b86-d011-b42d-00c04fc964ff)",
	}
	ctx := context.Background()
	for _, q := range queries {
		want, err := sentineltest.Engine(tables, now)(ctx, q)
		if err != nil {
			t.Fatalf("%s: engine: %v", q, err)
		}
		for _, p := range []providers.Provider{sp, kp} {
			res, err := p.NewSession().Run(ctx, q, providers.QueryOptions{})
			if err != nil {
				t.Errorf("%s via %s: %v", q, p.Kind(), err)
				continue
			}
			if len(res) != len(want.Tables) {
				t.Errorf("%s via %s: %d results, want %d", q, p.Kind(), len(res), len(want.Tables))
				continue
			}
			for i := range res {
				if diff := tableDiff(res[i].Table, want.Tables[i]); diff != "" {
					t.Errorf("%s via %s: %s", q, p.Kind(), diff)
				}
				if i == len(res)-1 && !reflect.DeepEqual(res[i].Render, want.Render) {
					t.Errorf("%s via %s: render %+v, want %+v", q, p.Kind(), res[i].Render, want.Render)
				}
			}
		}
	}
}

func tableDiff(got, want *table.Table) string {
	if !reflect.DeepEqual(got.Schema(), want.Schema()) {
		return "schema " + got.Schema().String() + ", want " + want.Schema().String()
	}
	if got.Rows() != want.Rows() {
		return "row count differs"
	}
	for i := 0; i < want.Rows(); i++ {
		g, w := got.Row(i), want.Row(i)
		for j := range w {
			if g[j].String() != w[j].String() || g[j].IsNull() != w[j].IsNull() {
				return fmt.Sprintf("row %d column %s: %q, want %q", i, want.Columns[j].Name, g[j], w[j])
			}
		}
	}
	return ""
}

const defenderYAML = `
Azure:
  cloud: global
  auth_methods: ["cli", "devicecode"]
  tenant_id: "11111111-86f1-41af-91ab-2d7cd011db47"
DataProviders:
  MicrosoftDefender:
    Args:
      TenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47"
      ClientId: "69d28fd7-42a5-48bc-a619-af56397b3333"
      ClientSecret:
        EnvironmentVar: "HB_TEST_DEFENDER_SECRET"
      Cloud: eu
  MicrosoftDefender-Lab:
    Args:
      ClientId: "69d28fd7-42a5-48bc-a619-af56397b4444"
      UserName: analyst@contoso.com
      Api: m365d
`

func TestFromConfigDefender(t *testing.T) {
	cfg, err := msticconfig.Parse("msticpyconfig.yaml", []byte(defenderYAML))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := providers.Available(cfg), []string{"local", "MicrosoftDefender", "MicrosoftDefender-Lab"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Available = %v, want %v", got, want)
	}
	t.Setenv("HB_TEST_DEFENDER_SECRET", "s3cret-defender-xyz")
	cases := []struct {
		cfg                *msticconfig.Config
		name, entry        string
		describe, notShown []string
	}{
		{cfg, "defender", "MicrosoftDefender", []string{"Microsoft Graph runHuntingQuery at graph.microsoft.com", "tenant 72f988bf-86f1-41af-91ab-2d7cd011db47", "auth: clientsecret"}, nil},
		{cfg, "MicrosoftDefender", "MicrosoftDefender", []string{"graph.microsoft.com"}, nil},
		{cfg, "M365D", "MicrosoftDefender", []string{"Microsoft Graph runHuntingQuery"}, nil},
		// MDE implies its own API; the entry's Cloud picks the regional host.
		{cfg, "mde", "MicrosoftDefender", []string{"Defender for Endpoint advanced queries API at api-eu.securitycenter.microsoft.com"}, nil},
		// An instance: no secret, so the Azure auth methods sign the user in;
		// the Azure tenant applies; Api picks the Defender XDR API.
		{cfg, "microsoftdefender-lab", "MicrosoftDefender-Lab", []string{"Defender XDR advanced hunting API at api.security.microsoft.com", "tenant 11111111-86f1-41af", "auth: cli, devicecode"}, nil},
		{cfg, "Defender-Lab", "MicrosoftDefender-Lab", []string{"api.security.microsoft.com"}, nil},
		// No entry and no file: the defaults.
		{nil, "DEFENDER", "defender", []string{"graph.microsoft.com, auth: ", "msi, cli, devicecode"}, []string{"tenant"}},
	}
	for _, c := range cases {
		p, err := providers.FromConfig(c.cfg, c.name, nil)
		if err != nil {
			t.Errorf("%q: %v", c.name, err)
			continue
		}
		d := p.Describe()
		if p.Kind() != "defender" || p.Name() != c.entry {
			t.Errorf("%q: kind %s entry %s, want defender %s", c.name, p.Kind(), p.Name(), c.entry)
		}
		for _, w := range c.describe {
			if !strings.Contains(d, w) {
				t.Errorf("%q: Describe = %q, want it to contain %q", c.name, d, w)
			}
		}
		for _, w := range append(c.notShown, "s3cret-defender-xyz") {
			if strings.Contains(d, w) {
				t.Errorf("%q: Describe = %q shows %q", c.name, d, w)
			}
		}
	}
	for _, c := range []struct {
		cfg  *msticconfig.Config
		name string
		want string
	}{
		{cfg, "defender-Nope", `no DataProviders.MicrosoftDefender-Nope entry in msticpyconfig.yaml (available: local, MicrosoftDefender, MicrosoftDefender-Lab)`},
		{nil, "defender-Lab", "no msticpyconfig.yaml loaded"},
		{cfg, "defenders", `no provider named "defenders"`},
	} {
		if _, err := providers.FromConfig(c.cfg, c.name, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.name, err, c.want)
		}
	}
	os.Unsetenv("HB_TEST_DEFENDER_SECRET")
	if _, err := providers.FromConfig(cfg, "defender", nil); err == nil || !strings.Contains(err.Error(), "DataProviders.MicrosoftDefender.Args.ClientSecret") {
		t.Errorf("unset secret: %v", err)
	}
}

// The configured provider, pointed at a local fake with overrides, answers.
func TestFromConfigDefenderQueries(t *testing.T) {
	cfg, err := msticconfig.Parse("msticpyconfig.yaml", []byte(defenderYAML))
	if err != nil {
		t.Fatal(err)
	}
	srv := defendertest.NewServer(map[string]*table.Table{"DeviceInfo": events()}, time.Time{})
	defer srv.Close()
	t.Setenv("HB_TEST_DEFENDER_TOKEN", srv.Token)
	t.Setenv("HB_TEST_DEFENDER_SECRET", "s3cret-defender-xyz")
	for _, name := range []string{"defender", "Defender-Lab"} {
		api := map[string]string{"defender": "graph", "Defender-Lab": "m365d"}[name]
		p, err := providers.FromConfig(cfg, name, map[string]string{"endpoint": srv.Endpoint(api), "token_env": "HB_TEST_DEFENDER_TOKEN"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.NewSession().Run(context.Background(), "DeviceInfo | summarize n = count()", providers.QueryOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := res[0].Table.Column("n").Ints[0]; got != int64(events().Rows()) {
			t.Errorf("%s: count %d, want %d", name, got, events().Rows())
		}
	}
	if paths := []string{srv.Requests()[0].Path, srv.Requests()[1].Path}; !reflect.DeepEqual(paths, []string{defendertest.GraphPath, defendertest.M365DPath}) {
		t.Errorf("paths %v", paths)
	}
}

// The Defender XDR APIs answer what the engine computes, through both
// answer shapes (render hints excepted: the APIs return none).
func TestSameAnswersThroughDefender(t *testing.T) {
	tables := map[string]*table.Table{"Events": events()}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	srv := defendertest.NewServer(tables, now)
	defer srv.Close()
	t.Setenv("HB_TEST_D_TOKEN", srv.Token)
	queries := []string{
		"Events",
		"Events | where L > 0 and D > ago(3d) | project S, L, D, T",
		"Events | summarize n = count(), total = sum(L), avg = avg(R), last = max(D) by S, B | order by S asc, B asc",
		"Events | extend a = toint(Dyn.a), n = Dyn.name | project S, a, n, Dyn | take 4",
		"print big = 9007199254740993, neg = -1.5e-7, when = datetime(2026-01-02 03:04:05.1234567), span = 1d + 2h, id = guid(6f9619ff-8b86-d011-b42d-00c04fc964ff)",
	}
	ctx := context.Background()
	for _, api := range []string{"graph", "m365d", "mde"} {
		p, err := providers.Open("defender", "D", srv.Settings(api, "HB_TEST_D_TOKEN"))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range queries {
			ans, err := sentineltest.Engine(tables, now)(ctx, q)
			if err != nil {
				t.Fatalf("%s: engine: %v", q, err)
			}
			res, err := p.NewSession().Run(ctx, q, providers.QueryOptions{})
			if err != nil {
				t.Errorf("%s via %s: %v", q, api, err)
				continue
			}
			if len(res) != 1 {
				t.Errorf("%s via %s: %d results", q, api, len(res))
				continue
			}
			if diff := tableDiff(res[0].Table, ans.Tables[0]); diff != "" {
				t.Errorf("%s via %s: %s", q, api, diff)
			}
		}
	}
}
