package exec

import (
	"context"
	"sync"
	"testing"
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
