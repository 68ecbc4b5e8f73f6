package exec

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"unsafe"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// auditJoinCatalog mirrors the bench's failures_join_audit data: n
// sign-ins with a unique CorrelationId each (about 18% failed) and n/4
// audit events, 60% of which share a sign-in's CorrelationId. Ids are
// packed into one arena per column, as the workspace loader stores them.
func auditJoinCatalog(n int) *testCatalog {
	rng := rand.New(rand.NewPCG(uint64(n), 3))
	guid := func(arena *[]byte) string {
		start := len(*arena)
		*arena = fmt.Appendf(*arena, "%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Uint32()&0xffff,
			rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff)
		return string((*arena)[start:]) // copies: fine for a benchmark
	}
	signin := table.New("SigninLogs", types.Schema{
		{Name: "ResultType", Type: types.String}, {Name: "CorrelationId", Type: types.String},
	})
	var arena []byte
	codes := []string{"0", "0", "0", "0", "50126", "50074", "0", "0", "0", "0", "0"}
	for i := 0; i < n; i++ {
		signin.Columns[0].Strs = append(signin.Columns[0].Strs, codes[rng.IntN(len(codes))])
		signin.Columns[1].Strs = append(signin.Columns[1].Strs, guid(&arena))
	}
	audit := table.New("AuditLogs", types.Schema{
		{Name: "OperationName", Type: types.String}, {Name: "Result", Type: types.String},
		{Name: "CorrelationId", Type: types.String},
	})
	ops := []string{"Add user", "Update user", "Consent to application", "Reset password", "Add member to group"}
	for i := 0; i < n/4; i++ {
		audit.Columns[0].Strs = append(audit.Columns[0].Strs, ops[rng.IntN(len(ops))])
		audit.Columns[1].Strs = append(audit.Columns[1].Strs, []string{"success", "failure"}[rng.IntN(2)])
		id := guid(&arena)
		if rng.IntN(10) < 6 {
			id = signin.Columns[1].Strs[rng.IntN(n)]
		}
		audit.Columns[2].Strs = append(audit.Columns[2].Strs, id)
	}
	return &testCatalog{tables: map[string]*table.Table{"SigninLogs": signin, "AuditLogs": audit}}
}

var (
	auditJoinOnce sync.Once
	auditJoinCat  *testCatalog
)

// BenchmarkJoinAudit is the bench question failures_join_audit at 1M
// sign-ins and 250k audit events.
func BenchmarkJoinAudit(b *testing.B) {
	auditJoinOnce.Do(func() { auditJoinCat = auditJoinCatalog(1_000_000) })
	q := `SigninLogs | where ResultType != "0"
| join kind=inner (AuditLogs | project CorrelationId, OperationName, Result) on CorrelationId
| summarize Events = count() by OperationName, Result`
	script, file, err := parserParse(q)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := NewSession(auditJoinCat, Options{Now: goldenNow}).Run(context.Background(), script, file)
		if err != nil {
			b.Fatal(err)
		}
		if len(res) != 1 || res[0].Table.Rows() == 0 {
			b.Fatalf("got %d results", len(res))
		}
	}
}

// guidKeys is n GUID-like keys packed in one arena, each repeated dup
// times in a row block (dup 1: all distinct).
func guidKeys(n, dup int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, 5))
	arena := make([]byte, 0, 36*n)
	keys := make([]string, n)
	for i := 0; i < n; i += dup {
		start := len(arena)
		arena = fmt.Appendf(arena, "%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Uint32()&0xffff,
			rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff)
		for j := i; j < min(i+dup, n); j++ {
			keys[j] = unsafe.String(&arena[start], len(arena)-start)
		}
	}
	return keys
}

// BenchmarkJoinTable builds a join table over n distinct GUID keys (the
// partitioned parallel build against the one-partition serial one) and
// probes it with as many keys, half of them present.
func BenchmarkJoinTable(b *testing.B) {
	for _, n := range []int{250_000, 2_500_000} {
		keys := guidKeys(n, 1, 1)
		// as many probes as keys, one in seven present (as failed sign-ins
		// find audit events), in probe order
		probe := guidKeys(n, 1, 2)
		for i := 0; i < n; i += 7 {
			probe[i] = keys[(i*7919)%n]
		}
		r := &runner{sess: NewSession(nil, Options{}), ctx: context.Background()}
		hs, _ := r.keyHashes(keys)
		ph, _ := r.keyHashes(probe)
		b.Run(fmt.Sprintf("build/serial/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				newJoinTable(keys, hs, nil)
			}
		})
		b.Run(fmt.Sprintf("build/parallel/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := r.buildJoinTable(keys, hs, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		jt, err := r.buildJoinTable(keys, hs, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("probe/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				found := 0
				for k, key := range probe {
					if jt.find(key, ph[k]) >= 0 {
						found++
					}
				}
				if found < n/7 {
					b.Fatalf("found %d keys, want at least %d", found, n/7)
				}
			}
		})
		b.Run(fmt.Sprintf("probeFirst/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := r.probeFirst(jt, probe, ph, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("hash/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				r.keyHashes(keys)
			}
		})
	}
}
