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
		"\"TimeGenerated [UTC]\",A\n\"2/25/2026, 9:19:25.391 PM\",1\n\"25/02/2026 21:00\",2\n",
		"\"TimeGenerated [Local Time]\",A\n\"16/07/2026 20:26:12.030\",1\n\"3.7.2026, 08:00\",2\n,3\n",
		"Seen [UTC],Type\n2026/7/3 8:00,SigninLogs\n",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, body string, builtin bool) { fuzzLoad(t, body, builtin, ".csv") })
}

// FuzzLoadJSON does the same for a table's JSON file: JSON lines, arrays of
// records and saved API answers. A table it loads has every column as long
// as its row count.
func FuzzLoadJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":1}` + "\n" + `{"a":"x","b":[1]}`,
		`[{"a":1},{"b":2}]`,
		`{"tables":[{"name":"PrimaryResult","columns":[{"name":"A","type":"long"}],"rows":[[1],[2,3],[]]}]}`,
		`{"Tables":[{"TableName":"Table_0","Columns":[{"ColumnName":"A","ColumnType":"string"}],"Rows":[["x"]]}]}`,
		`[{"FrameType":"DataSetHeader"},{"FrameType":"DataTable","TableKind":"PrimaryResult","Columns":[{"ColumnName":"A","ColumnType":"int"}],"Rows":[[1]]}]`,
		`{"Schema":[{"Name":"A","Type":"String"}],"Results":[{"A":"x"},{"B":1}]}`,
		`{"error":{"code":"x","message":"y"}}`, `{"tables":[{"columns":[],"rows":[[1]]}]}`, "",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, body string, builtin bool) { fuzzLoad(t, body, builtin, ".json") })
}

// fuzzLoad writes body as a table file (named after a built-in table or
// not), opens the folder, peeks its schema and loads it: no panic, and a
// loaded table has every column as long as its row count.
func fuzzLoad(t *testing.T, body string, builtin bool, ext string) {
	dir := t.TempDir()
	name := "Data"
	if builtin {
		name = "SigninLogs"
	}
	if err := os.WriteFile(filepath.Join(dir, name+ext), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Open(dir, Options{})
	if err != nil {
		return
	}
	w.Schema(name)
	tbl, _, err := w.Load(context.Background(), name)
	if err != nil {
		return
	}
	for _, c := range tbl.Columns {
		if c.Len() != tbl.Rows() {
			t.Fatalf("column %s has %d values, the table %d rows", c.Name, c.Len(), tbl.Rows())
		}
	}
}
