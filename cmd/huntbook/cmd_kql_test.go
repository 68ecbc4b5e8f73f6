package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/token"
)

func writeKQL(t *testing.T, dir, name, src string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKqlCheck(t *testing.T) {
	dir := t.TempDir()
	good := writeKQL(t, dir, "good.kql", "SigninLogs\n| where ResultType != 0\n| summarize count() by UserPrincipalName\n")
	bad := writeKQL(t, dir, "bad.kql", "SigninLogs\n| wher x > 1\n| take\n")
	missing := filepath.Join(dir, "missing.kql")

	tests := []struct {
		args []string
		code int
		out  []string
	}{
		{[]string{good}, 0, []string{"OK " + good}},
		{[]string{good, bad}, 1, []string{"OK " + good, "ERROR " + bad + ":2:3: unknown tabular operator 'wher' (did you mean 'where'?) (and 1 more errors)"}},
		{[]string{missing}, 1, []string{"ERROR " + missing + ": open " + missing + ": no such file or directory"}},
	}
	for _, tc := range tests {
		var o, e bytes.Buffer
		code := run(append([]string{"kql", "check"}, tc.args...), &o, &e)
		lines := strings.Split(strings.TrimSpace(o.String()), "\n")
		if code != tc.code || strings.Join(lines, "\n") != strings.Join(tc.out, "\n") {
			t.Errorf("kql check %v = %d\n%s\nwant %d\n%s\nstderr: %s", tc.args, code, o.String(), tc.code, strings.Join(tc.out, "\n"), e.String())
		}
	}
}

func TestKqlCheckJSON(t *testing.T) {
	dir := t.TempDir()
	good := writeKQL(t, dir, "good.kql", "print 1")
	bad := writeKQL(t, dir, "bad.kql", "T | where (x")
	var o, e bytes.Buffer
	if code := run([]string{"kql", "check", "--json", good, bad}, &o, &e); code != 1 {
		t.Fatalf("code = %d, stderr %s", code, e.String())
	}
	dec := json.NewDecoder(&o)
	var r1, r2 kqlCheckResult
	if err := dec.Decode(&r1); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&r2); err != nil {
		t.Fatal(err)
	}
	if !r1.OK || r1.File != good || len(r1.Errors) != 0 {
		t.Errorf("good: %+v", r1)
	}
	want := kqlCheckItem{Line: 1, Column: 13, Message: "expected ')' to close the '(' at 1:11, found end of query"}
	if r2.OK || len(r2.Errors) != 1 || r2.Errors[0] != want {
		t.Errorf("bad: %+v, want error %+v", r2, want)
	}
}

func TestKqlCheckUsageAndSchemasHook(t *testing.T) {
	var o, e bytes.Buffer
	if code := run([]string{"kql", "check"}, &o, &e); code != 2 || !strings.Contains(e.String(), "Usage: huntbook kql check") {
		t.Errorf("no files: code %d, stderr %q", code, e.String())
	}
	dir := t.TempDir()
	q := writeKQL(t, dir, "q.kql", "Unknown | take 1")
	// Without a binder, --schemas warns and checks syntax only.
	saved := kqlBind
	defer func() { kqlBind = saved }()
	kqlBind = nil
	o.Reset()
	e.Reset()
	if code := run([]string{"kql", "check", "--schemas", dir, q}, &o, &e); code != 0 || !strings.Contains(e.String(), "binder is not wired in") {
		t.Errorf("--schemas without binder: code %d, out %q, stderr %q", code, o.String(), e.String())
	}
	// With a binder, its errors count.
	kqlBind = func(s *ast.Script, f *token.File, d string) []*parser.Error {
		id := s.Stmts[0].(*ast.ExprStmt).X.(*ast.Pipe).Source.(*ast.Ident)
		return []*parser.Error{{Pos: f.Position(id.Pos()), Msg: "unknown table '" + id.Name + "'"}}
	}
	o.Reset()
	if code := run([]string{"kql", "check", "--schemas", dir, q}, &o, &e); code != 1 || strings.TrimSpace(o.String()) != "ERROR "+q+":1:1: unknown table 'Unknown'" {
		t.Errorf("--schemas with binder: code %d, out %q", code, o.String())
	}
	if code := run([]string{"kql", "check", "--schemas", filepath.Join(dir, "nope"), q}, &o, &e); code != 2 {
		t.Errorf("bad --schemas dir: code %d", code)
	}
}
