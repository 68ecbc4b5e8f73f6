package exec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzRunQuery runs arbitrary scripts over empty tables of the built-in
// schemas, or over the golden tests' small tables with rows: the engine may refuse a query with an
// error, never panic or hang. Seeds: every 20th corpus query and a few
// constructs the corpus lacks.
func FuzzRunQuery(f *testing.F) {
	var files []string
	filepath.Walk("/work/shared/corpus/kql", func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".kql") {
			files = append(files, p)
		}
		return nil
	})
	for i := 0; i < len(files); i += 20 {
		if src, err := os.ReadFile(files[i]); err == nil {
			f.Add(string(src), false)
		}
	}
	for _, s := range []string{
		"datatable(a:long, b:string)[1, 'x', 2, 'y'] | summarize count() by b | order by b",
		"range x from 1 to 10 step 1 | extend y = x * 2 | top 3 by y",
		"print d = dynamic({\"a\": [1, 2, {\"b\": null}]}) | mv-expand d.a",
		"datatable(x:long)[1,2,3] | scan declare (t:long=0) with (step s: true => t = s.t + x;)",
		"datatable(a:string, n:long)['x', 1, 'y', 2, 'x', 3] | evaluate basket(0.2)",
		"print geo_distance_2points(1, 2, 3, 4), parse_xml('<a b=\"1\">t</a>')",
		"let T = datatable(k:string, v:long)['a', 1]; T | join kind=leftouter (T) on k",
		"datatable(t:datetime, v:long)[datetime(2024-01-01), 1] | make-series s = sum(v) on t step 1h",
		"SigninLogs | summarize n = count() by UserPrincipalName, bin(TimeGenerated, 1h) | top 3 by n",
		"SigninLogs | join kind=inner (SigninLogs | take 2) on UserPrincipalName | mv-expand Props",
	} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, src string, data bool) {
		var cat Catalog = schemaCatalog{}
		if data {
			cat = newTestCatalog() // the golden tests' tables, with rows
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		done := make(chan any, 1)
		go func() {
			defer func() { done <- recover() }()
			runQuery(ctx, cat, Options{MaxRows: 1000, MemoryBudget: 64 << 20}, src)
		}()
		select {
		case p := <-done:
			if p != nil {
				t.Fatalf("panic on %q: %v", src, p)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no answer in 10s (3s deadline) on %q", src)
		}
	})
}
