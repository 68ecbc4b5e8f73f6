package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallKernelspec(t *testing.T) {
	dir := t.TempDir()
	var o, e bytes.Buffer
	if code := run([]string{"install", "--prefix", dir, "--name", "hb-test"}, &o, &e); code != 0 {
		t.Fatalf("install: %d %s", code, e.String())
	}
	spec := filepath.Join(dir, "share", "jupyter", "kernels", "hb-test")
	b, err := os.ReadFile(filepath.Join(spec, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Argv          []string `json:"argv"`
		DisplayName   string   `json:"display_name"`
		Language      string   `json:"language"`
		InterruptMode string   `json:"interrupt_mode"`
	}
	if err := json.Unmarshal(b, &k); err != nil {
		t.Fatal(err)
	}
	if len(k.Argv) != 4 || !filepath.IsAbs(k.Argv[0]) || strings.Join(k.Argv[1:], " ") != "kernel -f {connection_file}" ||
		k.DisplayName != "KQL (huntbook)" || k.Language != "kql" || k.InterruptMode != "message" {
		t.Errorf("kernel.json = %s", b)
	}
	for _, size := range []int{32, 64} {
		f, err := os.Open(filepath.Join(spec, fmt.Sprintf("logo-%dx%d.png", size, size)))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() != size || img.Bounds().Dy() != size {
			t.Errorf("logo %d: %v %v", size, err, img.Bounds())
		}
	}
	if !strings.Contains(o.String(), spec) {
		t.Errorf("install should say where: %q", o.String())
	}
}

func TestInstallAndKernelArgs(t *testing.T) {
	t.Setenv("JUPYTER_DATA_DIR", t.TempDir())
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"install", "--user", "--prefix", "x"}, 2, "choose one of"},
		{[]string{"install", "--name", "bad name"}, 2, "bad --name"},
		{[]string{"install", "extra"}, 2, "unexpected argument"},
		{[]string{"install", "--user"}, 0, ""},
		{[]string{"kernel"}, 2, "Usage: huntbook kernel -f"},
		{[]string{"kernel", "-f", filepath.Join(t.TempDir(), "missing.json")}, 1, "reading connection file"},
	}
	for _, tc := range tests {
		var o, e bytes.Buffer
		if code := run(tc.args, &o, &e); code != tc.code || !strings.Contains(e.String(), tc.msg) {
			t.Errorf("%q: %d %q, want %d %q", tc.args, code, e.String(), tc.code, tc.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("JUPYTER_DATA_DIR"), "kernels", "huntbook", "kernel.json")); err != nil {
		t.Errorf("--user did not use JUPYTER_DATA_DIR: %v", err)
	}
}
