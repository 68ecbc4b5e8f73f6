package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSampleCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	tests := []struct {
		args []string
		code int
		msg  string // in stdout on success, stderr otherwise
	}{
		{[]string{"sample", "--out", dir, "--users", "25", "--days", "8", "--end", "2026-11-23T00:00:00Z"}, 0, "5 stories"},
		{[]string{"sample", "--users", "25"}, 2, "--out DIR is required"},
		{[]string{"sample", "--out", dir, "--end", "tomorrow"}, 2, `--end "tomorrow"`},
		{[]string{"sample", "--out", dir, "--users", "3"}, 1, "users 3"},
		{[]string{"sample", "--out", dir, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"sample", "--out", dir, "--users", "0"}, 2, "--users 0: want a positive number"},
	}
	for _, tc := range tests {
		var o, e bytes.Buffer
		code := run(tc.args, &o, &e)
		got := e.String()
		if tc.code == 0 {
			got = o.String()
		}
		if code != tc.code || !strings.Contains(got, tc.msg) {
			t.Errorf("%q = %d, out %q, err %q; want %d with %q", tc.args, code, o.String(), e.String(), tc.code, tc.msg)
		}
	}
	var info struct {
		End     string `json:"end"`
		Users   int    `json:"users"`
		Stories bool   `json:"stories"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "workspace.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &info); err != nil || info.End != "2026-11-23T00:00:00Z" || info.Users != 25 || !info.Stories {
		t.Errorf("workspace.json = %s (%v)", b, err)
	}
}

// A folder holding an analyst's data is not overwritten with a synthetic
// tenant unless --force says so; a tenant huntbook sample wrote is.
func TestSampleKeepsForeignData(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "SigninLogs.jsonl"), []byte(`{"UserPrincipalName":"real@contoso.com"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"sample", "--out", dir, "--users", "20", "--days", "7", "--end", "2026-11-23T00:00:00Z"}
	var o, e bytes.Buffer
	if code := run(args, &o, &e); code != 1 || !strings.Contains(e.String(), "holds data huntbook sample did not write (SigninLogs.jsonl)") {
		t.Fatalf("over real data: code %d, err %q", code, e.String())
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "SigninLogs.jsonl")); !strings.Contains(string(b), "real@contoso.com") {
		t.Fatal("the real data was touched")
	}
	if code := run(append(args, "--force"), &o, &e); code != 0 {
		t.Fatalf("--force: code %d, err %q", code, e.String())
	}
	// Now it is a tenant huntbook sample wrote: writing it again is fine.
	e.Reset()
	if code := run(args, &o, &e); code != 0 {
		t.Fatalf("rewriting a sample tenant: code %d, err %q", code, e.String())
	}
}
