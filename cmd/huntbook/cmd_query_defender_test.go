package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers/defender/defendertest"
)

// huntbook query --provider defender runs advanced hunting through the API
// msticpyconfig.yaml's MicrosoftDefender entry picks, pointed at a local
// fake with --endpoint and --token-env.
func TestQueryCommandOnDefender(t *testing.T) {
	tbl := table.New("DeviceInfo", types.Schema{{Name: "DeviceName", Type: types.String}, {Name: "Id", Type: types.Long}})
	for i, n := range []string{"ws-01", "ws-02"} {
		if err := tbl.AppendRow([]types.Value{types.NewString(n), types.NewLong(1<<60 + int64(i))}); err != nil {
			t.Fatal(err)
		}
	}
	srv := defendertest.NewServer(map[string]*table.Table{"DeviceInfo": tbl}, time.Time{})
	defer srv.Close()
	dir := t.TempDir()
	conf := "DataProviders:\n  MicrosoftDefender:\n    Args:\n      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47\n  MicrosoftDefender-Old:\n    Args:\n      Api: mde\n"
	if err := os.WriteFile(filepath.Join(dir, "msticpyconfig.yaml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MSTICPYCONFIG", filepath.Join(dir, "msticpyconfig.yaml"))
	t.Setenv("HB_TOKEN", srv.Token)
	tests := []struct {
		provider, endpoint, query string
		code                      int
		out, err                  string
	}{
		{"defender", srv.Endpoint("graph"), "DeviceInfo | order by Id asc", 0, "DeviceName,Id\nws-01,1152921504606846976\nws-02,1152921504606846977\n", ""},
		{"MicrosoftDefender-Old", srv.Endpoint("mde"), "DeviceInfo | count", 0, "Count\n2\n", ""},
		{"M365D", srv.Endpoint("graph"), "DeviceInfo\n| where NoSuch == 1", 1, "", "line 2, column 9"},
		{"defender", srv.URL + "/wrong", "print 1", 1, "", "is the endpoint setting right?"},
	}
	for _, tc := range tests {
		var out, errb strings.Builder
		code := run([]string{"query", "--provider", tc.provider, "--endpoint", tc.endpoint, "--token-env", "HB_TOKEN", "--format", "csv", tc.query}, &out, &errb)
		if code != tc.code || out.String() != tc.out || !strings.Contains(errb.String(), tc.err) {
			t.Errorf("%s %q: code %d, out %q, err %q; want %d, %q, %q", tc.provider, tc.query, code, out.String(), errb.String(), tc.code, tc.out, tc.err)
		}
		if strings.Contains(errb.String(), srv.Token) {
			t.Error("token leaked to stderr")
		}
	}
	if got := srv.Requests()[1].Path; got != defendertest.MDEPath {
		t.Errorf("MicrosoftDefender-Old went to %s", got)
	}
}

// Without any msticpyconfig.yaml, a provider named by its kind opens from
// the command line's settings; a name only a config could define says the
// file is missing.
func TestQueryCommandOnDefenderWithoutConfig(t *testing.T) {
	tbl := table.New("DeviceInfo", types.Schema{{Name: "DeviceName", Type: types.String}})
	tbl.AppendRow([]types.Value{types.NewString("ws-01")})
	srv := defendertest.NewServer(map[string]*table.Table{"DeviceInfo": tbl}, time.Time{})
	defer srv.Close()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("MSTICPYCONFIG", "")
	t.Chdir(home)
	t.Setenv("HB_TOKEN", srv.Token)
	var out, errb strings.Builder
	code := run([]string{"query", "--provider", "defender", "--endpoint", srv.Endpoint("graph"), "--token-env", "HB_TOKEN", "--format", "csv", "DeviceInfo | count"}, &out, &errb)
	if code != 0 || out.String() != "Count\n1\n" {
		t.Fatalf("defender without a config: code %d, out %q, err %q", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	code = run([]string{"query", "--provider", "Prod", "print 1"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), `provider "Prod" needs msticpyconfig.yaml`) {
		t.Fatalf("Prod without a config: code %d, err %q", code, errb.String())
	}
	// A flag mistake is named, not hidden behind the missing file.
	errb.Reset()
	code = run([]string{"query", "--provider", "defender", "--endpoint", "not-a-url", "--token-env", "HB_TOKEN", "print 1"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), `defender provider: endpoint "not-a-url" is not an http(s) URL`) {
		t.Fatalf("bad endpoint without a config: code %d, err %q", code, errb.String())
	}
}

// An error in one workspace's entry blocks that workspace, not the others.
func TestConfigErrorBlocksOnlyItsEntry(t *testing.T) {
	tbl := table.New("DeviceInfo", types.Schema{{Name: "DeviceName", Type: types.String}})
	tbl.AppendRow([]types.Value{types.NewString("ws-01")})
	srv := defendertest.NewServer(map[string]*table.Table{"DeviceInfo": tbl}, time.Time{})
	defer srv.Close()
	dir := t.TempDir()
	conf := "AzureSentinel:\n  Workspaces:\n    Prod:\n      WorkspaceId: not-a-guid\n      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47\n" +
		"DataProviders:\n  MicrosoftDefender:\n    Args:\n      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47\n"
	if err := os.WriteFile(filepath.Join(dir, "msticpyconfig.yaml"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MSTICPYCONFIG", filepath.Join(dir, "msticpyconfig.yaml"))
	t.Setenv("HB_TOKEN", srv.Token)
	var out, errb strings.Builder
	if code := run([]string{"query", "--provider", "MicrosoftDefender", "--endpoint", srv.Endpoint("graph"), "--token-env", "HB_TOKEN", "--format", "csv", "DeviceInfo | count"}, &out, &errb); code != 0 || out.String() != "Count\n1\n" {
		t.Fatalf("defender beside a broken workspace: code %d, out %q, err %q", code, out.String(), errb.String())
	}
	errb.Reset()
	if code := run([]string{"query", "--provider", "Prod", "print 1"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "msticpyconfig.yaml has errors") || !strings.Contains(errb.String(), "Prod.WorkspaceId") {
		t.Fatalf("the broken workspace: code %d, err %q", code, errb.String())
	}
}
