package binder

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/token"
)

// corpusFloor is the share of corpus queries (those that parse) that must
// bind with no errors against the built-in schemas. Binder errors on real
// hunting queries are false positives unless the query really is wrong
// (a table the built-in schemas lack, a typo in the original): raise the
// floor as the binder improves.
const corpusFloor = 0.975

func corpusFiles(t testing.TB) []string {
	files, err := filepath.Glob("../../../shared/corpus/kql/*/*.kql")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../../../shared/corpus/kql/*.kql")
	files = append(files, more...)
	if len(files) == 0 {
		t.Skip("corpus not found at ../../../shared/corpus/kql")
	}
	sort.Strings(files)
	return files
}

func TestCorpusBinds(t *testing.T) {
	files := corpusFiles(t)
	parsed, clean := 0, 0
	byMsg := map[string]int{}
	var examples []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		script, file, err := parser.Parse(filepath.Base(f), src)
		if err != nil {
			continue
		}
		parsed++
		r := Bind(script, file, Builtin(), Options{})
		if !r.HasErrors() {
			clean++
			continue
		}
		for _, d := range r.Diagnostics {
			if d.Severity != Error {
				continue
			}
			key := d.Msg
			if i := strings.IndexAny(key, "'("); i > 0 {
				key = key[:i]
			}
			byMsg[key]++
			examples = append(examples, filepath.Base(filepath.Dir(f))+"/"+d.String())
		}
	}
	rate := float64(clean) / float64(parsed)
	t.Logf("%d files, %d parse, %d bind with no errors (%.1f%%)", len(files), parsed, clean, 100*rate)
	if os.Getenv("BINDER_CORPUS_VERBOSE") != "" {
		for k, n := range byMsg {
			t.Logf("%5d %s", n, k)
		}
		for _, e := range examples {
			t.Log(e)
		}
	}
	if rate < corpusFloor {
		t.Errorf("corpus bind rate %.3f is below the floor %.3f", rate, corpusFloor)
	}
}

// BenchmarkBindCorpus binds every corpus query (parsed once up front).
// Target: the whole corpus (about 1000 real queries) in well under 100 ms,
// so binding on every keystroke of a notebook cell stays invisible.
func BenchmarkBindCorpus(b *testing.B) {
	type parsed struct {
		script *ast.Script
		file   *token.File
	}
	var all []parsed
	for _, f := range corpusFiles(b) {
		src, _ := os.ReadFile(f)
		script, file, err := parser.Parse(f, src)
		if err == nil {
			all = append(all, parsed{script, file})
		}
	}
	cat := Builtin()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range all {
			Bind(p.script, p.file, cat, Options{})
		}
	}
}

// BenchmarkComplete completes a column at the end of a long query.
// Target: under 1 ms per request.
func BenchmarkComplete(b *testing.B) {
	src := "let cutoff = ago(1d);\nSigninLogs\n| where TimeGenerated > cutoff\n| extend City = tostring(LocationDetails.city)\n| summarize n = count() by UserPrincipalName, City\n| where "
	cat := Builtin()
	for i := 0; i < b.N; i++ {
		Complete(src, len(src), cat)
	}
}
