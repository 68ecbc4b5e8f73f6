package exec

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Benchmarks over a generated 1M-row SigninLogs-like table:
//
//	go test ./kql/exec -run '^$' -bench . -benchtime 5x
var (
	benchOnce sync.Once
	benchCat  *testCatalog
)

func benchRun(b *testing.B, q string) {
	benchOnce.Do(func() { benchCat = bigCatalog(1_000_000) })
	script, file, err := parserParse(q)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := NewSession(benchCat, Options{Now: goldenNow}).Run(context.Background(), script, file)
		if err != nil {
			b.Fatal(err)
		}
		if len(res) != 1 {
			b.Fatalf("got %d results", len(res))
		}
	}
	b.ReportMetric(float64(1_000_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkFilterCompare(b *testing.B) {
	benchRun(b, `SigninLogs | where ResultType != 0 and TimeGenerated > datetime(2024-05-03) | count`)
}

func BenchmarkFilterHas(b *testing.B) {
	benchRun(b, `SigninLogs | where UserAgent has "python" | count`)
}

func BenchmarkFilterContains(b *testing.B) {
	benchRun(b, `SigninLogs | where AppDisplayName contains "exchange" | count`)
}

func BenchmarkGroupByCount(b *testing.B) {
	benchRun(b, `SigninLogs | summarize count() by UserPrincipalName`)
}

func BenchmarkGroupByBinTime(b *testing.B) {
	benchRun(b, `SigninLogs | summarize count() by bin(TimeGenerated, 1h), AppDisplayName`)
}

func BenchmarkDcount(b *testing.B) {
	benchRun(b, `SigninLogs | summarize dcount(IPAddress) by UserPrincipalName`)
}

func BenchmarkArgMax(b *testing.B) {
	benchRun(b, `SigninLogs | summarize arg_max(TimeGenerated, *) by UserPrincipalName`)
}

func BenchmarkJoin(b *testing.B) {
	benchRun(b, `SigninLogs | where ResultType != 0 | join kind=inner (SigninLogs | summarize n = count() by UserPrincipalName) on UserPrincipalName | count`)
}

func BenchmarkSort(b *testing.B) {
	benchRun(b, `SigninLogs | top 100 by TimeGenerated`)
}

// BenchmarkSortStrings sorts every row by two string columns, which the
// engine encodes: rows compare by the codes' ranks.
func BenchmarkSortStrings(b *testing.B) {
	benchRun(b, `SigninLogs | sort by UserPrincipalName asc, AppDisplayName desc | project UserPrincipalName`)
}

func BenchmarkDcountMakeSet(b *testing.B) {
	benchRun(b, `SigninLogs | summarize dcount(IPAddress), make_set(IPAddress) by UserPrincipalName`)
}

func BenchmarkJoinStringKey(b *testing.B) {
	benchRun(b, `SigninLogs | where ResultType != 0 | join kind=inner (SigninLogs | where ResultType == 0 | distinct UserPrincipalName, AppDisplayName) on UserPrincipalName | count`)
}

func BenchmarkFilterThenGroup(b *testing.B) {
	benchRun(b, `SigninLogs | where UserAgent has "python" | summarize count() by UserPrincipalName | top 10 by count_ desc`)
}

// BenchmarkDynamicProperty groups by a property of a dynamic column whose
// rows share parsed bags, as the workspace loader produces them.
func BenchmarkDynamicProperty(b *testing.B) {
	benchOnce.Do(func() { benchCat = bigCatalog(1_000_000) })
	t := benchCat.tables["SigninLogs"]
	if t.Column("DeviceDetail") == nil {
		bags := make([]any, 64)
		for i := range bags {
			bag := types.NewBag()
			bag.Set("deviceId", fmt.Sprintf("dev%d", i))
			bag.Set("operatingSystem", []string{"Windows 10", "MacOs", "Linux", "iOS"}[i%4])
			bags[i] = bag
		}
		col := table.NewColumn("DeviceDetail", types.Dynamic, t.Rows())
		for i := 0; i < t.Rows(); i++ {
			col.Dyns = append(col.Dyns, bags[(i*7)%len(bags)])
		}
		t.Columns = append(t.Columns, col)
	}
	benchRun(b, `SigninLogs | summarize count() by OS = tostring(DeviceDetail.operatingSystem)`)
}
