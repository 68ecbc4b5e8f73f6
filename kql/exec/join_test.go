package exec

import (
	"context"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// joinKey is one row's join key: a string and a long that may be null.
type joinKey struct {
	s     string
	n     int64
	nNull bool
}

// joinSide is a generated join input: table name, key per row.
type joinSide struct {
	name string
	keys []joinKey
}

// randomSide generates n rows whose keys come from a pool of distinct
// strings (so most repeat), one in emptyEvery an empty string, and one in
// ten a null long. The value column (lv or rv) is the row number.
func randomSide(rng *rand.Rand, name string, n, pool, emptyEvery int) joinSide {
	s := joinSide{name: name, keys: make([]joinKey, n)}
	for i := range s.keys {
		k := joinKey{s: fmt.Sprintf("key-%d", rng.IntN(pool)), n: rng.Int64N(3)}
		if rng.IntN(emptyEvery) == 0 {
			k.s = ""
		}
		if rng.IntN(10) == 0 {
			k.nNull = true
		}
		s.keys[i] = k
	}
	return s
}

func (s joinSide) table(valCol string) *table.Table {
	t := table.New(s.name, types.Schema{
		{Name: "k", Type: types.String}, {Name: "n", Type: types.Long}, {Name: valCol, Type: types.Long},
	})
	for i, k := range s.keys {
		n := types.NewLong(k.n)
		if k.nNull {
			n = types.NullOf(types.Long)
		}
		if err := t.AppendRow([]types.Value{types.NewString(k.s), n, types.NewLong(int64(i))}); err != nil {
			panic(err)
		}
	}
	return t
}

// pair is one output row as (left row, right row); -1 is a side without a
// row (an outer join's nulls, or a side the kind does not output).
type pair struct{ l, r int }

// refJoin is the reference: each left row against each right row, in the
// order the engine documents (left rows in order, each with its matches
// in right-row order; then the unmatched right rows of right and full
// outer joins). multi compares (k, n), where a null n never matches;
// otherwise k alone, where "" matches "".
func refJoin(kind string, left, right joinSide, multi bool, matches func(i int) []int) []pair {
	var out []pair
	lrows := make([]int, 0, len(left.keys))
	if kind == "innerunique" {
		seen := map[joinKey]bool{}
		for i, k := range left.keys {
			if multi && k.nNull {
				continue
			}
			if !multi {
				k = joinKey{s: k.s}
			}
			if !seen[k] {
				seen[k] = true
				lrows = append(lrows, i)
			}
		}
	} else {
		for i := range left.keys {
			lrows = append(lrows, i)
		}
	}
	rightMatched := make([]bool, len(right.keys))
	for _, i := range lrows {
		ms := matches(i)
		for _, j := range ms {
			rightMatched[j] = true
		}
		switch kind {
		case "leftsemi":
			if len(ms) > 0 {
				out = append(out, pair{i, -1})
			}
		case "leftanti":
			if len(ms) == 0 {
				out = append(out, pair{i, -1})
			}
		case "rightsemi", "rightanti":
		default:
			for _, j := range ms {
				out = append(out, pair{i, j})
			}
			if len(ms) == 0 && (kind == "leftouter" || kind == "fullouter") {
				out = append(out, pair{i, -1})
			}
		}
	}
	for j, m := range rightMatched {
		switch {
		case kind == "rightsemi" && m, kind == "rightanti" && !m:
			out = append(out, pair{-1, j})
		case (kind == "rightouter" || kind == "fullouter") && !m:
			out = append(out, pair{-1, j})
		}
	}
	return out
}

// keysEqual is the join's key equality.
func keysEqual(a, b joinKey, multi bool) bool {
	if !multi {
		return a.s == b.s
	}
	return !a.nNull && !b.nNull && a.s == b.s && a.n == b.n
}

// nestedMatches lists, per left row, the matching right rows by comparing
// every pair.
func nestedMatches(left, right joinSide, multi bool) func(int) []int {
	return func(i int) []int {
		var ms []int
		for j, rk := range right.keys {
			if keysEqual(left.keys[i], rk, multi) {
				ms = append(ms, j)
			}
		}
		return ms
	}
}

// indexedMatches is nestedMatches through a map, for inputs too large to
// compare every pair.
func indexedMatches(left, right joinSide, multi bool) func(int) []int {
	idx := map[joinKey][]int{}
	norm := func(k joinKey) joinKey {
		if !multi {
			return joinKey{s: k.s}
		}
		return k
	}
	for j, k := range right.keys {
		if multi && k.nNull {
			continue
		}
		idx[norm(k)] = append(idx[norm(k)], j)
	}
	return func(i int) []int {
		k := left.keys[i]
		if multi && k.nNull {
			return nil
		}
		return idx[norm(k)]
	}
}

var joinKinds = []string{"inner", "innerunique", "leftouter", "rightouter", "fullouter", "leftanti", "rightanti", "leftsemi", "rightsemi"}

// joinPairs runs L | join kind=kind R on keys and reads each output row's
// lv and rv (-1 for null or absent).
func joinPairs(t *testing.T, cat *testCatalog, kind string, multi bool) []pair {
	t.Helper()
	on := "k"
	if multi {
		on = "k, n"
	}
	q := fmt.Sprintf("L | join kind=%s (R) on %s", kind, on)
	res, err := runQuery(context.Background(), cat, Options{Now: goldenNow, Parallelism: 2}, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	tab := res[len(res)-1].Table
	read := func(name string) []int {
		out := make([]int, tab.Rows())
		c := tab.Column(name)
		for i := range out {
			out[i] = -1
			if c != nil {
				if v := c.Value(i); !v.IsNull() {
					out[i] = int(v.I)
				}
			}
		}
		return out
	}
	lv, rv := read("lv"), read("rv")
	got := make([]pair, tab.Rows())
	for i := range got {
		got[i] = pair{lv[i], rv[i]}
	}
	return got
}

// joinCountOf runs the join followed by count, which counts without
// materialising the rows.
func joinCountOf(t *testing.T, cat *testCatalog, kind string, multi bool) int64 {
	t.Helper()
	on := "k"
	if multi {
		on = "k, n"
	}
	q := fmt.Sprintf("L | join kind=%s (R) on %s | count", kind, on)
	res, err := runQuery(context.Background(), cat, Options{Now: goldenNow, Parallelism: 2}, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res[len(res)-1].Table.Columns[0].Ints[0]
}

func checkJoinKinds(t *testing.T, left, right joinSide, match func(left, right joinSide, multi bool) func(int) []int) {
	cat := &testCatalog{tables: map[string]*table.Table{"L": left.table("lv"), "R": right.table("rv")}}
	for _, multi := range []bool{false, true} {
		matches := match(left, right, multi)
		for _, kind := range joinKinds {
			name := kind
			if multi {
				name += "/two-keys"
			}
			t.Run(name, func(t *testing.T) {
				want := refJoin(kind, left, right, multi, matches)
				got := joinPairs(t, cat, kind, multi)
				if len(want) == 0 {
					t.Fatal("the reference join is empty: the data does not exercise this kind")
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%d rows, want %d; first difference at %s", len(got), len(want), firstDiff(got, want))
				}
				if n := joinCountOf(t, cat, kind, multi); n != int64(len(want)) {
					t.Fatalf("count = %d, want %d", n, len(want))
				}
			})
		}
	}
}

func firstDiff(a, b []pair) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("row %d: got %v, want %v", i, a[i], b[i])
		}
	}
	return fmt.Sprintf("row %d (one side ends)", min(len(a), len(b)))
}

// TestJoinPartitionedNestedLoop lowers the partitioning thresholds so that
// inputs of a few thousand rows build 32 partitions on two workers, and
// checks every join kind against the nested-loop reference, with
// duplicate keys, empty strings and null longs.
func TestJoinPartitionedNestedLoop(t *testing.T) {
	defer func(s, p int) { joinSerialRows, joinPartRows = s, p }(joinSerialRows, joinPartRows)
	joinSerialRows, joinPartRows = 16, 64
	rng := rand.New(rand.NewPCG(1, 2))
	left := randomSide(rng, "L", 1500, 400, 10)
	right := randomSide(rng, "R", 2000, 500, 10)
	if n := joinParts(len(right.keys), 2); n != 32 {
		t.Fatalf("joinParts = %d, want 32 partitions", n)
	}
	checkJoinKinds(t, left, right, nestedMatches)
}

// TestJoinSerialNestedLoop is the same check on the one-partition table
// small inputs get.
func TestJoinSerialNestedLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	checkJoinKinds(t, randomSide(rng, "L", 300, 80, 10), randomSide(rng, "R", 400, 100, 10), nestedMatches)
}

// TestJoinPartitionedLarge joins inputs past the default thresholds
// (several chunks a side, eight partitions) against the map-indexed
// reference.
func TestJoinPartitionedLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large join in -short mode")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	// few empty keys: each pairs with every other
	right := randomSide(rng, "R", 3*joinPartRows+joinPartRows/2, 150_000, 5000)
	left := randomSide(rng, "L", 100_000, 150_000, 5000)
	if n := joinParts(len(right.keys), 2); n < 4 {
		t.Fatalf("joinParts = %d, want several partitions", n)
	}
	checkJoinKinds(t, left, right, indexedMatches)
}

// TestJoinTableChains: the partitioned build chains each key's rows in
// ascending order, as the serial one does, whatever partition they land in.
func TestJoinTableChains(t *testing.T) {
	defer func(s, p int) { joinSerialRows, joinPartRows = s, p }(joinSerialRows, joinPartRows)
	joinSerialRows, joinPartRows = 16, 32
	rng := rand.New(rand.NewPCG(7, 8))
	keys := make([]string, 5000)
	ok := make([]bool, len(keys))
	for i := range keys {
		keys[i] = fmt.Sprintf("k%d", rng.IntN(700))
		ok[i] = rng.IntN(20) != 0
	}
	r := &runner{sess: NewSession(nil, Options{Parallelism: 2}), ctx: context.Background()}
	hs, err := r.keyHashes(keys)
	if err != nil {
		t.Fatal(err)
	}
	par, err := r.buildJoinTable(keys, hs, ok)
	if err != nil {
		t.Fatal(err)
	}
	if len(par.parts) < 2 {
		t.Fatalf("%d partitions, want several", len(par.parts))
	}
	ser := newJoinTable(keys, hs, ok)
	want := map[string][]int32{}
	for j, k := range keys {
		if ok[j] {
			want[k] = append(want[k], int32(j))
		}
	}
	want["absent"] = nil
	for k, rows := range want {
		for _, jt := range []*joinTable{par, ser} {
			var got []int32
			for j := jt.find(k, hashKey(k)); j >= 0; j = jt.next[j] {
				got = append(got, j)
			}
			if !slices.Equal(got, rows) {
				t.Fatalf("%d partitions: rows(%q) = %v, want %v", len(jt.parts), k, got, rows)
			}
		}
	}
	// chains: every kept row's head is its key's first row, and each
	// head's length is its row count
	length, head := par.chains()
	for j, k := range keys {
		if !ok[j] {
			if head[j] != -1 {
				t.Fatalf("row %d without a key has head %d", j, head[j])
			}
			continue
		}
		h := want[k][0]
		if head[j] != h || length[h] != int32(len(want[k])) {
			t.Fatalf("row %d: head %d length %d, want head %d length %d", j, head[j], length[h], h, len(want[k]))
		}
	}
}

func hashKey(k string) uint64 { return maphash.String(joinSeed, k) }
