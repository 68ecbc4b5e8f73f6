package exec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/table"
)

// schemaCatalog serves every built-in Sentinel schema as an empty table.
type schemaCatalog struct{}

func (schemaCatalog) Table(_ context.Context, name string) (*table.Table, error) {
	if s, ok := schemas.Lookup(name); ok {
		return table.New(name, s), nil
	}
	return nil, fmt.Errorf("unknown table '%s'", name)
}

func (schemaCatalog) TableNames() []string { return schemas.Names() }

func (schemaCatalog) Watchlist(_ context.Context, alias string) (*table.Table, error) {
	return nil, fmt.Errorf("unknown watchlist '%s'", alias)
}

// TestCorpusRunsOnEmptyTables runs every public hunting query of the shared
// corpus over empty tables of the real schemas: none may panic or hang, and
// failures must be ordinary positioned errors (unknown columns of another
// schema version, http externaldata, plugins not supported yet).
func TestCorpusRunsOnEmptyTables(t *testing.T) {
	root := "/work/shared/corpus/kql"
	if _, err := os.Stat(root); err != nil {
		t.Skip("corpus not present")
	}
	var files []string
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".kql") {
			files = append(files, p)
		}
		return nil
	})
	ok := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s: panic: %v", f, p)
				}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := runQuery(ctx, schemaCatalog{}, Options{}, string(src))
			switch {
			case err == nil:
				ok++
			case ctx.Err() != nil:
				t.Errorf("%s: did not finish on empty tables", f)
			case strings.HasPrefix(err.Error(), "parse:"):
				t.Errorf("%s: %v", f, err)
			}
		}()
	}
	// a floor, so that a regression in a common operator shows up here
	if min := len(files) * 80 / 100; ok < min {
		t.Errorf("only %d of %d corpus queries ran, want at least %d", ok, len(files), min)
	}
	t.Logf("%d of %d corpus queries ran on empty tables", ok, len(files))
}
