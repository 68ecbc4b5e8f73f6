package exec

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestCorpusXMLAndPivotHint runs the corpus queries that need parse_xml and
// a plugin output-schema hint, as shipped, over empty tables of the real
// schemas: both must run, and the hinted columns must be there.
func TestCorpusXMLAndPivotHint(t *testing.T) {
	for _, c := range []struct {
		file string
		want string // how the result schema ends
	}{
		{"bertjanp/0564.kql", "AllData:string, DelegatedTo:dynamic)"},
		{"bertjanp/0694.kql", "(DeviceName:string, Critical:long, High:long, Medium:long, Low:long)"},
	} {
		src, err := os.ReadFile("/work/shared/corpus/kql/" + c.file)
		if err != nil {
			t.Skip("corpus not present")
		}
		res, err := runQuery(context.Background(), schemaCatalog{}, Options{}, string(src))
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if got := res[len(res)-1].Table.Schema().String(); !strings.HasSuffix(got, c.want) {
			t.Errorf("%s: schema %s, want one ending %s", c.file, got, c.want)
		}
	}
}
