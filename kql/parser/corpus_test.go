package parser

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/scanner"
	"github.com/huntbook/huntbook/kql/token"
)

// corpusDir is the shared corpus of public hunting queries, beside the repository.
const corpusDir = "../../../shared/corpus/kql"

func corpusFiles(t testing.TB) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus not present at %s", corpusDir)
	}
	var files []string
	err := filepath.WalkDir(corpusDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(path) == ".kql" {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func TestCorpusParses(t *testing.T) {
	files := corpusFiles(t)
	ok := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Parse(f, src); err != nil {
			t.Errorf("%v", err)
			continue
		}
		ok++
	}
	t.Logf("parsed %d of %d corpus queries", ok, len(files))
}

// TestCorpusTruncated cuts every corpus query at a random token (seeded)
// and parses the rest: never a panic, and an error whenever the cut leaves
// an unclosed bracket or a trailing '|'.
func TestCorpusTruncated(t *testing.T) {
	files := corpusFiles(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		toks := tokens(src)
		if len(toks) < 2 {
			continue
		}
		for k := 0; k < 3; k++ {
			cut := 1 + rng.IntN(len(toks)-1) // keep toks[:cut]
			end := int(toks[cut-1].pos) - 1 + len(toks[cut-1].lit)
			part := src[:end]
			_, _, perr := Parse(f, part)
			if perr == nil && mustFail(toks[:cut]) {
				t.Errorf("%s cut after %q (offset %d): no error, want one", f, toks[cut-1].lit, end)
			}
		}
	}
}

// tokens scans src into its tokens.
func tokens(src []byte) []tokInfo {
	var s scanner.Scanner
	s.Init(nil, src, nil)
	var out []tokInfo
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		out = append(out, tokInfo{pos, tok, lit})
	}
}

// mustFail reports whether a token prefix is certainly not a whole query:
// it ends with '|' or leaves a bracket open.
func mustFail(toks []tokInfo) bool {
	if toks[len(toks)-1].tok == token.PIPE {
		return true
	}
	depth := 0
	for _, t := range toks {
		switch t.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
	}
	return depth > 0
}

func BenchmarkParseCorpus(b *testing.B) {
	files := corpusFiles(b)
	var srcs [][]byte
	total := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, src)
		total += len(src)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, src := range srcs {
			Parse("", src)
		}
	}
}

// FuzzParse checks that no input makes the parser panic or hang.
func FuzzParse(f *testing.F) {
	if _, err := os.Stat(corpusDir); err == nil {
		files := corpusFiles(f)
		for i := 0; i < len(files); i += 10 {
			src, err := os.ReadFile(files[i])
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src)
		}
	}
	for _, s := range []string{"T | where x > 1", "print dynamic({\"a\": [1, {}]})", "let f = (T:(*)) { T }; f(X)", "((((", "T | mv-apply x on (take 1)"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			Parse("", src)
			ParseExpr(string(src))
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("Parse did not finish in 5s on %q", src)
		}
	})
}

// TestExtraQueries parses the hand-written queries in testdata/extra, one per
// documented construct beyond what the corpus uses.
func TestExtraQueries(t *testing.T) {
	files, err := filepath.Glob("testdata/extra/*.kql")
	if err != nil || len(files) < 30 {
		t.Fatalf("testdata/extra: %d files, %v", len(files), err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := Parse(f, src); err != nil {
			t.Errorf("%v", err)
		}
	}
	t.Logf("parsed %d extra queries", len(files))
}
