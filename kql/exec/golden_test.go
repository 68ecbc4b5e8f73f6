package exec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// Golden tests live in testdata/golden/*.txt:
//
//	=== name of the case
//	query text (any number of lines)
//	---
//	Col1:type | Col2:type
//	value | value
//	---
//	(a second result of the same batch, if any)
//
// or, for a query that must fail, "--- error" followed by a line that the
// error message must contain. Cells print as Kusto shows them (Value.String),
// with null for a null and "" for an empty string.

type goldenCase struct {
	file, name string
	line       int
	query      string
	want       []string // one printed table per result
	wantErr    string
}

func loadGolden(t *testing.T) []goldenCase {
	files, err := filepath.Glob("testdata/golden/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cur *goldenCase
		var section *strings.Builder
		var inQuery, inErr bool
		flush := func() {
			if cur == nil {
				return
			}
			if section != nil {
				cur.want = append(cur.want, strings.TrimSpace(section.String()))
				section = nil
			}
			cur.query = strings.TrimSpace(cur.query)
			cases = append(cases, *cur)
			cur = nil
		}
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimRight(line, "\r")
			switch {
			case strings.HasPrefix(line, "=== "):
				flush()
				cur = &goldenCase{file: filepath.Base(f), name: strings.TrimSpace(line[4:]), line: i + 1}
				inQuery, inErr = true, false
			case cur == nil:
				continue
			case line == "--- error":
				inQuery, inErr = false, true
			case line == "---":
				if section != nil {
					cur.want = append(cur.want, strings.TrimSpace(section.String()))
				}
				section = &strings.Builder{}
				inQuery = false
			case inQuery:
				cur.query += line + "\n"
			case inErr:
				if strings.TrimSpace(line) != "" && cur.wantErr == "" {
					cur.wantErr = strings.TrimSpace(line)
				}
			case section != nil:
				if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "#") {
					section.WriteString(normRow(line) + "\n")
				}
			}
		}
		flush()
	}
	return cases
}

// normRow trims the cells of a printed row so that alignment does not matter.
func normRow(line string) string {
	cells := strings.Split(line, "|")
	for i, c := range cells {
		cells[i] = strings.TrimSpace(c)
	}
	return strings.Join(cells, " | ")
}

// printTable renders a result as the golden files write it.
func printTable(t *table.Table) string {
	var b strings.Builder
	var head []string
	for _, c := range t.Columns {
		head = append(head, c.Name+":"+c.Type.String())
	}
	b.WriteString(strings.Join(head, " | "))
	b.WriteByte('\n')
	for i := 0; i < t.Rows(); i++ {
		var cells []string
		for _, c := range t.Columns {
			cells = append(cells, cell(c.Value(i)))
		}
		b.WriteString(normRow(strings.Join(cells, " | ")))
		b.WriteByte('\n')
	}
	return strings.TrimSpace(b.String())
}

func cell(v types.Value) string {
	if v.IsNull() {
		return "null"
	}
	s := v.String()
	if s == "" {
		return `""`
	}
	return s
}

// testCatalog is the fixed catalog golden queries may read.
type testCatalog struct {
	tables     map[string]*table.Table
	watchlists map[string]*table.Table
}

func (c *testCatalog) Table(_ context.Context, name string) (*table.Table, error) {
	if t, ok := c.tables[name]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("unknown table '%s'", name)
}

func (c *testCatalog) TableNames() []string {
	var out []string
	for n := range c.tables {
		out = append(out, n)
	}
	sortStrings(out)
	return out
}

func (c *testCatalog) Watchlist(_ context.Context, alias string) (*table.Table, error) {
	if t, ok := c.watchlists[alias]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("unknown watchlist '%s'", alias)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// mustTable builds a table from a schema and rows of values.
func mustTable(name string, sch types.Schema, rows ...[]types.Value) *table.Table {
	t := table.New(name, sch)
	for _, r := range rows {
		if err := t.AppendRow(r); err != nil {
			panic(err)
		}
	}
	return t
}

var goldenNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func newTestCatalog() *testCatalog {
	dt := func(s string) types.Value {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return types.FromTime(tm)
	}
	str := types.NewString
	long := types.NewLong
	signin := mustTable("SigninLogs", types.Schema{
		{Name: "TimeGenerated", Type: types.DateTime}, {Name: "UserPrincipalName", Type: types.String},
		{Name: "IPAddress", Type: types.String}, {Name: "ResultType", Type: types.String},
		{Name: "AppDisplayName", Type: types.String},
	},
		[]types.Value{dt("2024-05-01T08:00:00Z"), str("alice@contoso.com"), str("10.0.0.1"), str("0"), str("Azure Portal")},
		[]types.Value{dt("2024-05-01T09:30:00Z"), str("bob@contoso.com"), str("203.0.113.5"), str("50126"), str("Office 365")},
		[]types.Value{dt("2024-05-01T10:15:00Z"), str("bob@contoso.com"), str("203.0.113.5"), str("50126"), str("Office 365")},
		[]types.Value{dt("2024-05-01T11:45:00Z"), str("carol@contoso.com"), str("198.51.100.7"), str("0"), str("Azure Portal")},
	)
	proc := mustTable("DeviceProcessEvents", types.Schema{
		{Name: "Timestamp", Type: types.DateTime}, {Name: "DeviceName", Type: types.String},
		{Name: "FileName", Type: types.String}, {Name: "ProcessCommandLine", Type: types.String},
		{Name: "AccountName", Type: types.String},
	},
		[]types.Value{dt("2024-05-01T08:05:00Z"), str("ws01"), str("powershell.exe"), str("powershell -enc SQBFAFgA"), str("alice")},
		[]types.Value{dt("2024-05-01T09:00:00Z"), str("ws02"), str("cmd.exe"), str("cmd /c whoami"), str("bob")},
		[]types.Value{dt("2024-05-01T09:10:00Z"), str("ws02"), str("rundll32.exe"), str("rundll32.exe comsvcs.dll, MiniDump"), str("bob")},
	)
	events := mustTable("SecurityEvent", types.Schema{
		{Name: "TimeGenerated", Type: types.DateTime}, {Name: "EventID", Type: types.Long},
		{Name: "Computer", Type: types.String}, {Name: "Account", Type: types.String},
	},
		[]types.Value{dt("2024-05-01T07:00:00Z"), long(4625), str("dc01"), str("CONTOSO\\bob")},
		[]types.Value{dt("2024-05-01T07:01:00Z"), long(4625), str("dc01"), str("CONTOSO\\bob")},
		[]types.Value{dt("2024-05-01T07:02:00Z"), long(4624), str("dc01"), str("CONTOSO\\bob")},
	)
	wl := mustTable("HighValueAssets", types.Schema{
		{Name: "SearchKey", Type: types.String}, {Name: "Owner", Type: types.String},
	},
		[]types.Value{str("ws01"), str("alice")},
		[]types.Value{str("dc01"), str("it")},
	)
	return &testCatalog{
		tables:     map[string]*table.Table{"SigninLogs": signin, "DeviceProcessEvents": proc, "SecurityEvent": events},
		watchlists: map[string]*table.Table{"HighValueAssets": wl},
	}
}

// runQuery parses and runs a query in a fresh session.
func runQuery(ctx context.Context, cat Catalog, opts Options, q string) ([]*Result, error) {
	script, file, err := parser.Parse("q.kql", []byte(q))
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	return NewSession(cat, opts).Run(ctx, script, file)
}

func TestGolden(t *testing.T) { runGolden(t) }

// TestGoldenEncoded runs the golden cases again with every string column
// the pipes read dictionary-encoded, so that the code paths for encoded
// columns (grouping, dcount, make_set, predicates, joins) give the same
// answers.
func TestGoldenEncoded(t *testing.T) {
	encodeAll(t)
	runGolden(t)
}

func runGolden(t *testing.T) {
	cases := loadGolden(t)
	if len(cases) == 0 {
		t.Fatal("no golden cases found")
	}
	cat := newTestCatalog()
	for _, tc := range cases {
		t.Run(tc.file+"/"+tc.name, func(t *testing.T) {
			res, err := runQuery(context.Background(), cat, Options{Now: goldenNow, Parallelism: 2}, tc.query)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("%s:%d: want error containing %q, got %d results:\n%s", tc.file, tc.line, tc.wantErr, len(res), printResults(res))
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("%s:%d: error %q does not contain %q", tc.file, tc.line, err.Error(), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s:%d: %v", tc.file, tc.line, err)
			}
			got := make([]string, len(res))
			for i, r := range res {
				got[i] = printTable(r.Table)
			}
			if strings.Join(got, "\n---\n") != strings.Join(tc.want, "\n---\n") {
				t.Fatalf("%s:%d: query\n%s\ngot:\n%s\nwant:\n%s", tc.file, tc.line, tc.query,
					strings.Join(got, "\n---\n"), strings.Join(tc.want, "\n---\n"))
			}
		})
	}
}

func printResults(res []*Result) string {
	var parts []string
	for _, r := range res {
		parts = append(parts, printTable(r.Table))
	}
	return strings.Join(parts, "\n---\n")
}

func parserParse(q string) (*ast.Script, *token.File, error) {
	return parser.Parse("q.kql", []byte(q))
}
