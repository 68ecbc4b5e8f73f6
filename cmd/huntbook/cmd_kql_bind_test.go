package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kql check --schemas with the real binder: DIR's schemas shadow the
// built-in ones, binding errors fail the file, a broken schema file is
// reported against every file.
func TestKqlCheckSchemasBinder(t *testing.T) {
	dir := t.TempDir()
	schemaDir := filepath.Join(dir, "schemas")
	if err := os.Mkdir(schemaDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(schemaDir, "MyTable.json"),
		[]byte(`{"Name": "MyTable", "Properties": [{"Name": "Host", "Type": "string"}, {"Name": "Bytes", "Type": "long"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	good := writeKQL(t, dir, "good.kql", "MyTable | summarize sum(Bytes) by Host\n| union (SigninLogs | take 1)")
	badCol := writeKQL(t, dir, "badcol.kql", "MyTable\n| where Hots == 'x'")
	badTable := writeKQL(t, dir, "badtable.kql", "SignInLogs | take 1")
	tests := []struct {
		file, want string
		code       int
	}{
		{good, "OK " + good, 0},
		{badCol, "ERROR " + badCol + ":2:9: unknown column 'Hots' (did you mean 'Host'?)", 1},
		{badTable, "ERROR " + badTable + ":1:1: unknown table 'SignInLogs' (did you mean 'SigninLogs'?)", 1},
	}
	for _, tc := range tests {
		var o, e bytes.Buffer
		code := run([]string{"kql", "check", "--schemas", schemaDir, tc.file}, &o, &e)
		if code != tc.code || strings.TrimSpace(o.String()) != tc.want {
			t.Errorf("%s: code %d, out %q, stderr %q; want %d %q", filepath.Base(tc.file), code, o.String(), e.String(), tc.code, tc.want)
		}
	}
	// Without --schemas, binding errors do not count.
	var o, e bytes.Buffer
	if code := run([]string{"kql", "check", badCol}, &o, &e); code != 0 {
		t.Errorf("without --schemas: code %d, out %q", code, o.String())
	}
	// A broken schema file is an error naming the file.
	broken := filepath.Join(dir, "broken")
	os.Mkdir(broken, 0o755)
	os.WriteFile(filepath.Join(broken, "X.json"), []byte(`{"Name": "X", "Properties": []}`), 0o644)
	o.Reset()
	if code := run([]string{"kql", "check", "--schemas", broken, good}, &o, &e); code != 1 || !strings.Contains(o.String(), "X.json: Properties: table \"X\" has no columns") {
		t.Errorf("broken schemas: code %d, out %q", code, o.String())
	}
}

// --schemas also takes a workspace folder: its tables' columns, including
// those a file adds to a built-in table, as queries on it see them.
func TestKqlCheckSchemasWorkspace(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"workspace.json": `{"end": "2026-03-02T00:00:00Z", "clock": "end"}`,
		"SigninLogs.csv": "UserPrincipalName,MyExtra\na@contoso.com,1\n",
		"entities.json":  `{"users": []}`,
	} {
		if err := os.WriteFile(filepath.Join(ws, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := writeKQL(t, dir, "good.kql", "SigninLogs | where MyExtra > 0 | project UserPrincipalName")
	bad := writeKQL(t, dir, "bad.kql", "SigninLogs | where NoSuchCol == 1")
	var o, e bytes.Buffer
	code := run([]string{"kql", "check", "--schemas", ws, good, bad}, &o, &e)
	want := "OK " + good + "\nERROR " + bad + ":1:20: unknown column 'NoSuchCol'"
	if code != 1 || !strings.HasPrefix(strings.TrimSpace(o.String()), want) {
		t.Errorf("code %d, out %q, err %q; want 1 and %q", code, o.String(), e.String(), want)
	}
}
