package exec

import (
	"context"
	"strings"
	"testing"
)

// A fuzzy union says which legs it left out, as Kusto's warnings do; a
// union that left nothing out says nothing.
func TestFuzzyUnionWarns(t *testing.T) {
	tests := []struct {
		query string
		want  []string
	}{
		{"union isfuzzy=true (datatable(A:string)['x']), NoSuchTable, AlsoMissing | count", []string{
			"union isfuzzy=true left out a leg: q.kql:1:48: unknown table 'NoSuchTable'",
			"union isfuzzy=true left out a leg: q.kql:1:61: unknown table 'AlsoMissing'",
		}},
		{"union isfuzzy=true (datatable(A:string)['x']), (datatable(A:string)['y']) | count", nil},
	}
	for _, tc := range tests {
		res, err := runQuery(context.Background(), schemaCatalog{}, Options{}, tc.query)
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		if got := strings.Join(res[0].Warnings, "\n"); got != strings.Join(tc.want, "\n") {
			t.Errorf("%s: warnings = %q, want %q", tc.query, res[0].Warnings, tc.want)
		}
	}
	// each statement starts with no warnings
	res, err := runQuery(context.Background(), schemaCatalog{}, Options{}, "union isfuzzy=true NoSuchTable, (print x = 1); print y = 2")
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || len(res[0].Warnings) != 1 || len(res[1].Warnings) != 0 {
		t.Fatalf("warnings per statement: %q / %q", res[0].Warnings, res[1].Warnings)
	}
}
