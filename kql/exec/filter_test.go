package exec

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// TestStrPredSelMatchesEval checks that the selection a string predicate
// gives where directly (from dictionary codes when the column is coded)
// names exactly the rows its bool column marks true, coded or plain, over
// chunks that start past row 0.
func TestStrPredSelMatchesEval(t *testing.T) {
	n := minEncodeRows + 1000
	strs := make([]string, n)
	for i := range strs {
		strs[i] = fmt.Sprint("v", i%7)
		if i%11 == 0 {
			strs[i] = ""
		}
	}
	plain := &table.Table{Name: "T", Columns: []*table.Column{{Name: "s", Type: types.String, Strs: strs}}}
	coded := encodeTable(plain)
	if !strCoded(coded.Columns[0]) {
		t.Fatal("test column was not dictionary-encoded; the coded path is not exercised")
	}
	preds := []struct {
		name string
		f    func(string) bool
	}{
		{"!= v0", func(s string) bool { return s != "v0" }},
		{"== v3", func(s string) bool { return s == "v3" }},
		{"== empty", func(s string) bool { return s == "" }},
		{"has 5", func(s string) bool { return strings.Contains(s, "5") }},
		{"none", func(string) bool { return false }},
	}
	for _, tab := range []*table.Table{plain, coded} {
		ref := &cexpr{typ: types.String, col: 0, eval: func(in *table.Table, lo, hi int) (*table.Column, error) {
			return sliceCol(in.Columns[0], lo, hi), nil
		}}
		for _, p := range preds {
			ce := strPredExpr(ref, p.f)
			for _, r := range [][2]int{{0, n}, {1000, n - 500}, {n - 1, n}} {
				lo, hi := r[0], r[1]
				got, ok, err := ce.sel(tab, lo, hi)
				if err != nil || !ok {
					t.Fatalf("%s [%d,%d) coded=%v: sel ok=%v err=%v", p.name, lo, hi, strCoded(tab.Columns[0]), ok, err)
				}
				col, err := ce.eval(tab, lo, hi)
				if err != nil {
					t.Fatal(err)
				}
				var want []int
				for i := lo; i < hi; i++ {
					if p.f(strs[i]) != (col.Ints[i-lo] != 0) {
						t.Fatalf("%s row %d: eval disagrees with the predicate", p.name, i)
					}
					if p.f(strs[i]) {
						want = append(want, i)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s [%d,%d) coded=%v: sel gave %d rows, want %d", p.name, lo, hi, strCoded(tab.Columns[0]), len(got), len(want))
				}
			}
		}
	}
}

// TestWhereGathersOnlyNeededColumns checks that a where whose output is
// narrowed to the columns the rest of the pipe names gives the same result
// as one that keeps every column (an `as` after it makes the columns
// unknown, so nothing is narrowed or encoded there).
func TestWhereGathersOnlyNeededColumns(t *testing.T) {
	cat := bigCatalog(20_000)
	tests := []struct{ pred, rest string }{
		{`ResultType != 0`, `summarize n = count() by UserPrincipalName | top 10 by n desc, UserPrincipalName asc`},
		{`AppDisplayName != "Azure Portal"`, `count`},
		{`UserAgent has "curl"`, `summarize dcount(IPAddress)`},
		{`ResultType == 0`, `extend h = hourofday(TimeGenerated) | summarize count() by h | sort by h asc`},
		{`ResultType != 0`, `join kind=inner (SigninLogs | where ResultType == 0 | summarize by UserPrincipalName, IPAddress) on UserPrincipalName | summarize count() by IPAddress, IPAddress1 | sort by IPAddress asc, IPAddress1 asc | take 20`},
		{`ResultType != 0`, `where UserAgent startswith "python" | project UserPrincipalName, AppDisplayName | sort by UserPrincipalName asc, AppDisplayName asc | take 30`},
	}
	for _, tc := range tests {
		narrowed := "SigninLogs | where " + tc.pred + " | " + tc.rest
		whole := "SigninLogs | where " + tc.pred + " | as Whole | " + tc.rest
		a, err := runQuery(context.Background(), cat, Options{Now: goldenNow}, narrowed)
		if err != nil {
			t.Fatalf("%s: %v", narrowed, err)
		}
		b, err := runQuery(context.Background(), cat, Options{Now: goldenNow}, whole)
		if err != nil {
			t.Fatalf("%s: %v", whole, err)
		}
		if x, y := printTable(a[0].Table), printTable(b[0].Table); x != y {
			t.Errorf("%s: narrowed where differs\nnarrowed:\n%.400s\nwhole:\n%.400s", narrowed, x, y)
		}
		if a[0].Table.Rows() == 0 {
			t.Errorf("%s: empty result; the comparison proves nothing", narrowed)
		}
	}
}
