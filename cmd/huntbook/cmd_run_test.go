package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/sampledata"
)

// buildBinary builds huntbook once for tests that drive it as a user would
// (huntbook run starts the real kernel as a child process).
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "huntbook")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func writeNotebook(t *testing.T, dir string, cells ...map[string]any) string {
	t.Helper()
	nb := map[string]any{"nbformat": 4, "nbformat_minor": 5, "cells": cells,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "huntbook", "display_name": "KQL (huntbook)", "language": "kql"}}}
	b, _ := json.Marshal(nb)
	p := filepath.Join(dir, "t.ipynb")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func codeCell(src string, tags ...string) map[string]any {
	c := map[string]any{"cell_type": "code", "source": src, "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil}
	if len(tags) > 0 {
		c["metadata"] = map[string]any{"tags": tags}
	}
	return c
}

type runOutcome struct {
	code   int
	stderr string
	nb     map[string]any
	html   string
}

func runBatch(t *testing.T, bin, ws string, nbPath string, args ...string) runOutcome {
	t.Helper()
	dir := filepath.Dir(nbPath)
	out := filepath.Join(dir, "out.ipynb")
	html := filepath.Join(dir, "out.html")
	os.Remove(out)
	cmd := exec.Command(bin, append([]string{"run", nbPath, "-o", out, "--html", html, "--workspace", ws}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	o := runOutcome{code: code, stderr: stderr.String()}
	if b, err := os.ReadFile(out); err == nil {
		json.Unmarshal(b, &o.nb)
	}
	if b, err := os.ReadFile(html); err == nil {
		o.html = string(b)
	}
	return o
}

func cellOutputs(nb map[string]any) [][]string {
	var all [][]string
	cells, _ := nb["cells"].([]any)
	for _, c := range cells {
		cm := c.(map[string]any)
		var types []string
		outs, _ := cm["outputs"].([]any)
		for _, o := range outs {
			types = append(types, o.(map[string]any)["output_type"].(string))
		}
		all = append(all, types)
	}
	return all
}

func TestRunNotebookEndToEnd(t *testing.T) {
	bin := buildBinary(t)
	ws := filepath.Join(t.TempDir(), "ws")
	if err := sampledata.WriteWorkspace(ws, sampledata.Config{Users: 30, Days: 7, End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	params := codeCell("let top = 5;\nlet who = \"nobody\";", "parameters")

	t.Run("ok with parameters", func(t *testing.T) {
		nb := writeNotebook(t, dir, params,
			codeCell("SigninLogs | summarize n=count() by UserPrincipalName | top top by n"),
			codeCell("print who"))
		o := runBatch(t, bin, ws, nb, "-p", "top=2", "-p", `who=o"brien`)
		if o.code != 0 {
			t.Fatalf("exit %d: %s", o.code, o.stderr)
		}
		outs := cellOutputs(o.nb)
		if len(outs) != 4 || len(outs[2]) != 1 || outs[2][0] != "execute_result" {
			t.Fatalf("outputs = %v", outs)
		}
		if !strings.Contains(o.html, "<table") || !strings.Contains(o.html, `o&#34;brien`) && !strings.Contains(o.html, "o&quot;brien") && !strings.Contains(o.html, `o"brien`) {
			t.Errorf("report lacks the table or the parameter value")
		}
	})

	t.Run("failing cell", func(t *testing.T) {
		nb := writeNotebook(t, dir, params, codeCell("SigninLogs | where NoSuchColumn == 1"), codeCell("print 1"))
		o := runBatch(t, bin, ws, nb)
		if o.code != runFailed || !strings.Contains(o.stderr, "NoSuchColumn") {
			t.Fatalf("exit %d: %s", o.code, o.stderr)
		}
		outs := cellOutputs(o.nb)
		// banner, parameters, failing cell with its error, unrun cell
		if len(outs) != 4 || len(outs[2]) != 1 || outs[2][0] != "error" || len(outs[3]) != 0 {
			t.Fatalf("outputs = %v", outs)
		}
		if !strings.Contains(o.html, "An Exception was encountered") {
			t.Error("report lacks the failure banner")
		}
	})

	t.Run("bad parameter", func(t *testing.T) {
		nb := writeNotebook(t, dir, params, codeCell("print top"))
		o := runBatch(t, bin, ws, nb, "-p", "top=many")
		if o.code != runUsage || !strings.Contains(o.stderr, `parameter top: "many" is not a long`) {
			t.Fatalf("exit %d: %s", o.code, o.stderr)
		}
	})

	t.Run("cell timeout", func(t *testing.T) {
		nb := writeNotebook(t, dir, params, codeCell(`range x from 1 to 20000000 step 1 | where hash_sha256(hash_sha256(hash_sha256(tostring(x)))) == "" | count`), codeCell("print 1"))
		start := time.Now()
		o := runBatch(t, bin, ws, nb, "--cell-timeout", "1s")
		if o.code != runTimedOut || !strings.Contains(o.stderr, "timed out") {
			t.Fatalf("exit %d: %s", o.code, o.stderr)
		}
		if time.Since(start) > 30*time.Second {
			t.Errorf("timeout took %s", time.Since(start))
		}
		outs := cellOutputs(o.nb)
		if len(outs) < 3 || len(outs[2]) == 0 || outs[2][len(outs[2])-1] != "error" {
			t.Fatalf("outputs = %v", outs)
		}
	})

	// The whole run's --timeout exits 3 as documented, names the cell as
	// progress counts it and says where the notebook went.
	t.Run("run timeout", func(t *testing.T) {
		slow := `range i from 1 to 90000000 step 1 | where hash_sha256(tostring(i)) startswith "zzzz" | count`
		nb := writeNotebook(t, dir, params, codeCell("print 1"), codeCell(slow), codeCell("print 3"))
		o := runBatch(t, bin, ws, nb, "--timeout", "2s")
		if o.code != runTimedOut {
			t.Fatalf("exit %d, want %d: %s", o.code, runTimedOut, o.stderr)
		}
		for _, want := range []string{"notebook run timed out", "the run exceeded its 2s timeout", "output notebook written to"} {
			if !strings.Contains(o.stderr, want) {
				t.Errorf("stderr lacks %q: %s", want, o.stderr)
			}
		}
		if strings.Contains(o.stderr, "cell 5") {
			t.Errorf("cell named by its notebook index, not as progress counts it: %s", o.stderr)
		}
	})

	t.Run("no such notebook", func(t *testing.T) {
		o := runBatch(t, bin, ws, filepath.Join(dir, "nope.ipynb"))
		if o.code != runUsage || !strings.Contains(o.stderr, "no such notebook file, nor a shipped notebook") || !strings.Contains(o.stderr, "incident-triage") {
			t.Fatalf("exit %d: %s", o.code, o.stderr)
		}
	})

	t.Run("parameters file with a mapping", func(t *testing.T) {
		nb := writeNotebook(t, dir, params, codeCell("print who"))
		f := filepath.Join(dir, "p.yaml")
		os.WriteFile(f, []byte("who:\n  name: x\n"), 0o644)
		o := runBatch(t, bin, ws, nb, "-f", f)
		if o.code != runUsage || !strings.Contains(o.stderr, "parameter who: the value is a mapping, not a string") {
			t.Fatalf("exit %d: %s", o.code, o.stderr)
		}
	})
}

func TestNotebooksListAndCopy(t *testing.T) {
	var out, errb strings.Builder
	if code := run([]string{"notebooks", "list"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "information-protection-label-activity") {
		t.Fatalf("list: %d %q %q", code, out.String(), errb.String())
	}
	dir := t.TempDir()
	out.Reset()
	if code := run([]string{"notebooks", "copy", "information-protection-label-activity", dir}, &out, &errb); code != 0 {
		t.Fatalf("copy: %d %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "information-protection-label-activity.ipynb")); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run([]string{"notebooks", "copy", "information-protection-label-activity", dir}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "not overwriting") {
		t.Fatalf("second copy: %d %s", code, errb.String())
	}
	if code := run([]string{"notebooks", "copy", "nope", dir}, &out, &errb); code != 1 {
		t.Fatalf("unknown notebook: %d", code)
	}
}

// The shipped sign-in notebooks run to the end on an export that has only
// SigninLogs: their enrichment tables are %optional, read as empty with a
// warning in the cell, and the findings still come from the sign-ins.
func TestShippedNotebooksOnPartialExport(t *testing.T) {
	bin := buildBinary(t)
	ws := filepath.Join(t.TempDir(), "ws")
	if err := sampledata.WriteWorkspace(ws, sampledata.Config{Users: 30, Days: 7, End: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(ws)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); !strings.HasPrefix(n, "SigninLogs.") && n != "workspace.json" && n != "geoip" {
			if err := os.RemoveAll(filepath.Join(ws, n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, name := range []string{"impossible-travel", "password-spray"} {
		dir := t.TempDir()
		src, err := os.ReadFile(filepath.Join("..", "..", "notebooks", "guided", name+".ipynb"))
		if err != nil {
			t.Fatal(err)
		}
		nb := filepath.Join(dir, name+".ipynb")
		if err := os.WriteFile(nb, src, 0o644); err != nil {
			t.Fatal(err)
		}
		o := runBatch(t, bin, ws, nb)
		if o.code != 0 {
			t.Fatalf("%s: exit %d: %s", name, o.code, o.stderr)
		}
		if !strings.Contains(o.html, "OfficeActivity is not in "+ws+": read as an empty table (%optional)") {
			t.Errorf("%s: the report does not say OfficeActivity was missing", name)
		}
	}
}
