package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigCommands(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("HB_CMD_SECRET", "env-secret-value-77")
	good := write("good.yaml", "AzureSentinel:\n  Workspaces:\n    Default:\n      WorkspaceId: 52b1ab41-869e-4138-9e40-2a4457f09bf3\n      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db49\n"+
		"TIProviders:\n  OTX:\n    Args:\n      AuthKey: plain-secret-42\n    Provider: OTX\n  VirusTotal:\n    Args:\n      AuthKey: {EnvironmentVar: HB_CMD_SECRET}\n    Provider: VirusTotal\n")
	warn := write("warn.yaml", "Azure:\n  cloud: de\n")
	bad := write("bad.yaml", "Azure:\n  cloud: mars\n  auth_methods: [cli, magic]\nTIProviders:\n  OTX:\n    Args:\n      AuthKey: plain-secret-43\n    Provider: OTX\n")
	broken := write("broken.yaml", "a: b\nc: d: e\n")

	tests := []struct {
		name    string
		args    []string
		code    int
		stdout  []string // each must appear
		stderr  []string
		without []string // must appear in neither
	}{
		{"validate good", []string{"config", "validate", good}, 0, nil, []string{"0 errors, 0 warnings"}, nil},
		{"validate warnings only", []string{"config", "validate", warn}, 0,
			[]string{warn + `:2: warning: Azure.cloud: cloud "de" (Azure Germany) has been retired`}, []string{"0 errors, 1 warning\n"}, nil},
		{"validate errors", []string{"config", "validate", bad}, 1,
			[]string{bad + `:2: error: Azure.cloud: "mars" is not an Azure cloud`, bad + `:3: error: Azure.auth_methods[1]: "magic" is not a MSTICPy auth method`},
			[]string{"2 errors, 0 warnings"}, []string{"plain-secret-43"}},
		{"validate syntax error", []string{"config", "validate", broken}, 1,
			[]string{broken + ":2: error: invalid YAML: mapping values are not allowed in this context"}, []string{"1 error, 0 warnings"}, nil},
		{"validate missing file", []string{"config", "validate", filepath.Join(dir, "nope.yaml")}, 1, nil, []string{"nope.yaml: no such file"}, nil},
		{"validate two files", []string{"config", "validate", good, bad}, 2, nil, []string{"want at most one FILE"}, nil},
		{"show masks", []string{"config", "show", good}, 0,
			[]string{`AuthKey: "********"`, "EnvironmentVar: HB_CMD_SECRET", "WorkspaceId: 52b1ab41-869e-4138-9e40-2a4457f09bf3"}, nil,
			[]string{"plain-secret-42", "env-secret-value-77"}},
		{"show invalid still shows", []string{"config", "show", bad}, 0, []string{"cloud: mars", `AuthKey: "********"`}, []string{"2 errors"}, []string{"plain-secret-43"}},
		{"validate help", []string{"config", "validate", "-h"}, 0, nil, []string{"Usage: huntbook config validate [FILE]"}, nil},
		{"show syntax error", []string{"config", "show", broken}, 1, nil, []string{"invalid YAML"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o, e bytes.Buffer
			code := run(tc.args, &o, &e)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, o.String(), e.String())
			}
			for _, s := range tc.stdout {
				if !strings.Contains(o.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, o.String())
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(e.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, e.String())
				}
			}
			for _, s := range tc.without {
				if strings.Contains(o.String()+e.String(), s) {
					t.Errorf("output contains %q", s)
				}
			}
		})
	}

	// With no FILE the command finds the config as MSTICPy does.
	t.Setenv("MSTICPYCONFIG", warn)
	var o, e bytes.Buffer
	if code := run([]string{"config", "validate"}, &o, &e); code != 0 || !strings.Contains(o.String(), warn+":2: warning:") {
		t.Errorf("validate via $MSTICPYCONFIG: exit %d\n%s%s", code, o.String(), e.String())
	}
}
