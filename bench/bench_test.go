package bench

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/huntbook/huntbook/bench/gendata"
	"github.com/huntbook/huntbook/bench/questions"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/local"
)

// Go benchmarks of each question on huntbook's engine, for profiling:
//
//	go test ./bench -run '^$' -bench Question/failures_join_audit -benchtime 5x -cpuprofile cpu.out
//
// They read HUNTBOOK_BENCH_DATA (a bench/gen folder, e.g.
// bench/data/1000000 after run.sh) or generate 1M rows into a temp folder.
var (
	benchOnce sync.Once
	benchProv *local.Provider
	benchErr  error
)

func benchProvider(b *testing.B) *local.Provider {
	benchOnce.Do(func() {
		dir := os.Getenv("HUNTBOOK_BENCH_DATA")
		if dir == "" {
			if dir, benchErr = os.MkdirTemp("", "huntbook-bench"); benchErr != nil {
				return
			}
			if benchErr = gendata.Write(dir, gendata.Config{Rows: 1_000_000, Seed: 1}); benchErr != nil {
				return
			}
		}
		if benchProv, benchErr = local.New("bench", []string{dir}, local.Options{}); benchErr != nil {
			return
		}
		for _, t := range []string{"SigninLogs", "AuditLogs"} {
			if benchErr = benchProv.Connect(context.Background()); benchErr == nil {
				_, _, benchErr = benchProv.Workspaces()[0].Load(context.Background(), t)
			}
			if benchErr != nil {
				return
			}
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchProv
}

func BenchmarkQuestion(b *testing.B) {
	for _, q := range questions.All() {
		b.Run(q.Name, func(b *testing.B) {
			p := benchProvider(b)
			b.ResetTimer()
			for range b.N {
				if _, err := p.NewSession().Run(context.Background(), q.KQL, providers.QueryOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLoad(b *testing.B) {
	dir := os.Getenv("HUNTBOOK_BENCH_DATA")
	if dir == "" {
		b.Skip("set HUNTBOOK_BENCH_DATA to a bench/gen folder")
	}
	for _, t := range []string{"SigninLogs", "AuditLogs"} {
		b.Run(t, func(b *testing.B) {
			for range b.N {
				p, err := local.New("bench", []string{dir}, local.Options{})
				if err == nil {
					err = p.Connect(context.Background())
				}
				if err == nil {
					_, _, err = p.Workspaces()[0].Load(context.Background(), t)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
