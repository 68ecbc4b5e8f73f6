package parser

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
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
