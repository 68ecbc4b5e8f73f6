package workspace

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadCSV loads arbitrary text as a table's CSV file (with and without
// the built-in schema of its name): a bad file is an error or a report of
// its bad lines, never a panic.
func FuzzLoadCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,x\n2,y\n", "TimeGenerated,UserPrincipalName,ResultType\n2024-01-01T00:00:00Z,a@b.c,0\n",
		"a,b\n\"unterminated,1\n2,3\n", "a\n\n\n", "a,a\n1,2\n", "\"x\"\"y\",b\n1,2,3\n4\n", "",
		"LocationDetails\n\"{\"\"city\"\":\"\"x\"\"}\"\n", "a;b\n1;2\n",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, body string, builtin bool) {
		dir := t.TempDir()
		name := "Data"
		if builtin {
			name = "SigninLogs"
		}
		if err := os.WriteFile(filepath.Join(dir, name+".csv"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		w, err := Open(dir, Options{})
		if err != nil {
			return
		}
		w.Load(context.Background(), name)
	})
}
