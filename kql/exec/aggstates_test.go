package exec

import (
	"fmt"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// encodeAll makes buildDict and encoded accept any column for one test.
func encodeAll(t *testing.T) {
	savedMin, savedRatio := minEncodeRows, maxDictRatio
	minEncodeRows, maxDictRatio = 0, 1
	t.Cleanup(func() { minEncodeRows, maxDictRatio = savedMin, savedRatio })
}

func strCol(vals ...string) *table.Column {
	return &table.Column{Name: "x", Type: types.String, Strs: vals}
}

// TestCodedAggregatesMatchPlain feeds dcount and make_set the same rows
// with and without a dictionary encoding, also switching representation
// between updates, and requires the same answers.
func TestCodedAggregatesMatchPlain(t *testing.T) {
	encodeAll(t)
	vals := []string{"a", "b", "a", "", "c", "b", "a", "d"}
	gids := []int32{0, 0, 0, 0, 1, 1, 1, 2}
	plain := strCol(vals...)
	coded := strCol(vals...)
	coded.Dict, coded.Codes = buildDict(vals)
	if coded.Codes == nil {
		t.Fatal("buildDict gave up on a small column")
	}
	// each half with its own dictionary: the codes of one mean nothing in the other
	first, second := strCol(vals[:4]...), strCol(vals[4:]...)
	first.Dict, first.Codes = buildDict(first.Strs)
	second.Dict, second.Codes = buildDict(second.Strs)
	cases := []struct {
		name  string
		parts [2]*table.Column // first 4 rows, last 4 rows
	}{
		{"two dictionaries", [2]*table.Column{first, second}},
		{"plain", [2]*table.Column{sliceCol(plain, 0, 4), sliceCol(plain, 4, 8)}},
		{"coded", [2]*table.Column{sliceCol(coded, 0, 4), sliceCol(coded, 4, 8)}},
		{"coded then plain", [2]*table.Column{sliceCol(coded, 0, 4), sliceCol(plain, 4, 8)}},
		{"plain then coded", [2]*table.Column{sliceCol(plain, 0, 4), sliceCol(coded, 4, 8)}},
	}
	for _, tc := range cases {
		dc := &dcountState{}
		ms := &makeSetStr{max: 1 << 20}
		limited := &makeSetStr{max: 1}
		for k, part := range tc.parts {
			g := gids[k*4 : k*4+4]
			dc.update([]*table.Column{part}, g, k*4)
			ms.update([]*table.Column{part}, g, k*4)
			limited.update([]*table.Column{part}, g, k*4)
		}
		if got := printCol(dc.results(3)[0]); got != "2,3,1" {
			t.Errorf("%s: dcount = %s, want 2,3,1 (empty strings not counted)", tc.name, got)
		}
		if got := printCol(ms.results(3)[0]); got != `["a","b",""],["c","b","a"],["d"]` {
			t.Errorf("%s: make_set = %s", tc.name, got)
		}
		if got := printCol(limited.results(3)[0]); got != `["a"],["c"],["d"]` {
			t.Errorf("%s: make_set(x, 1) = %s", tc.name, got)
		}
	}
}

// TestGatherKeepsCodes checks that gathering an encoded column keeps codes
// that still decode to its strings, including null (-1) rows.
func TestGatherKeepsCodes(t *testing.T) {
	encodeAll(t)
	vals := []string{"x", "", "y", "x"}
	c := strCol(vals...)
	c.Dict, c.Codes = buildDict(vals)
	for _, idx := range [][]int{{3, 2, 0}, {0, -1, 2}} {
		g := gather(c, idx)
		if g.Codes == nil {
			t.Fatalf("gather %v dropped the codes", idx)
		}
		for j, i := range idx {
			want := ""
			if i >= 0 {
				want = vals[i]
			}
			if g.Strs[j] != want || g.Dict[g.Codes[j]] != want {
				t.Errorf("gather %v row %d: %q / code %q, want %q", idx, j, g.Strs[j], g.Dict[g.Codes[j]], want)
			}
		}
	}
	noEmpty := strCol("x", "y", "x", "y")
	noEmpty.Dict, noEmpty.Codes = buildDict(noEmpty.Strs)
	g := gather(noEmpty, []int{1, -1})
	if g.Codes != nil || g.Strs[0] != "y" || g.Strs[1] != "" {
		t.Errorf("gather with a null row and no empty string in the dictionary = %q codes %v", g.Strs, g.Codes)
	}
	setVal(g, 0, types.NewString("z"))
	c2 := gather(c, []int{0})
	setVal(c2, 0, types.NewString("z"))
	if c2.Codes != nil {
		t.Error("setVal left stale codes")
	}
}

func TestU64Set(t *testing.T) {
	var s u64set
	for i := uint64(0); i < 5000; i++ {
		if !s.add(i * 7) {
			t.Fatalf("%d reported present before being added", i*7)
		}
	}
	for i := uint64(0); i < 5000; i++ {
		if s.add(i * 7) {
			t.Fatalf("%d reported new twice", i*7)
		}
	}
	if !s.add(1) || s.add(1) {
		t.Fatal("1 not added exactly once")
	}
}

func printCol(c *table.Column) string {
	out := ""
	for i := 0; i < c.Len(); i++ {
		if i > 0 {
			out += ","
		}
		out += c.Value(i).String()
	}
	return out
}

// TestJoinTableCollisions gives different keys the same hash: lookups must
// still compare the strings, and chains list equal keys' rows in order.
func TestJoinTableCollisions(t *testing.T) {
	keys := []string{"a", "b", "a", "c", "b", "skip"}
	hs := []uint64{7, 7, 7, 7, 7, 7}
	ok := []bool{true, true, true, true, true, false}
	jt := newJoinTable(keys, hs, ok)
	rows := func(k string) []int32 {
		var out []int32
		for j := jt.find(k, 7); j >= 0; j = jt.next[j] {
			out = append(out, j)
		}
		return out
	}
	for k, want := range map[string][]int32{"a": {0, 2}, "b": {1, 4}, "c": {3}, "skip": nil, "zz": nil} {
		got := rows(k)
		if len(got) != len(want) {
			t.Errorf("rows(%q) = %v, want %v", k, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("rows(%q) = %v, want %v", k, got, want)
			}
		}
	}
}

// TestBuildDictParallelMatchesSerial: the chunked dictionary must number
// values exactly as the one-pass one does (first appearance).
func TestBuildDictParallelMatchesSerial(t *testing.T) {
	n := 270_000
	strs := make([]string, n)
	for i := range strs {
		strs[i] = fmt.Sprintf("user%d", (i*7919)%5003)
	}
	d1, c1 := buildDict(strs)
	d2, c2 := buildDictParallel(strs)
	if len(d1) != len(d2) || len(c1) != len(c2) {
		t.Fatalf("sizes differ: %d/%d values, %d/%d codes", len(d1), len(d2), len(c1), len(c2))
	}
	for i := range d1 {
		if d1[i] != d2[i] {
			t.Fatalf("value %d: %q vs %q", i, d1[i], d2[i])
		}
	}
	for i := range c1 {
		if c1[i] != c2[i] {
			t.Fatalf("code of row %d: %d vs %d", i, c1[i], c2[i])
		}
	}
	distinct := make([]string, n)
	for i := range distinct {
		distinct[i] = fmt.Sprintf("id-%d", i)
	}
	if d, c := buildDictParallel(distinct); d != nil || c != nil {
		t.Fatal("a column of distinct values was encoded")
	}
}

// BenchmarkMakeSetPlain is make_set by group over a string column without
// a dictionary (1M rows, 10k groups, 50k distinct values).
func BenchmarkMakeSetPlain(b *testing.B) {
	const n = 1 << 20
	vals := make([]string, n)
	gids := make([]int32, n)
	for i := range vals {
		vals[i] = fmt.Sprintf("10.0.%d.%d", i%50_000/256, i%50_000%256)
		gids[i] = int32(i * 7 % 10_000)
	}
	x := strCol(vals...)
	b.ResetTimer()
	for range b.N {
		s := &makeSetStr{max: 1 << 20}
		s.update([]*table.Column{x}, gids, 0)
		s.results(10_000)
	}
}
