package exec

import (
	"fmt"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// encoded gives repeating string columns a dictionary once, and leaves
// alone columns the loader already found not worth one (NoDict).
func TestEncodedHonoursNoDict(t *testing.T) {
	col := func(noDict bool) *table.Column {
		c := table.NewColumn("C", types.String, minEncodeRows*2)
		for i := range minEncodeRows * 2 {
			c.Strs = append(c.Strs, fmt.Sprint("v", i%7))
		}
		c.NoDict = noDict
		return c
	}
	for _, tc := range []struct {
		noDict    bool
		wantCodes bool
	}{{false, true}, {true, false}} {
		c := col(tc.noDict)
		e := encoded(c)
		if got := e.Codes != nil; got != tc.wantCodes {
			t.Errorf("NoDict=%v: codes %v, want %v", tc.noDict, got, tc.wantCodes)
		}
		if tc.wantCodes && len(e.Dict) != 7 {
			t.Errorf("dictionary of %d values, want 7", len(e.Dict))
		}
	}
}

// The parallel dynamic dictionary is the serial one: same entries in the
// same (first appearance) order, same codes, and the same verdict on a
// column of distinct values.
func TestBuildDynDictParallelMatchesSerial(t *testing.T) {
	const n = 3<<17 + 12345
	shapes := make([]any, 40)
	for i := range shapes {
		b := types.NewBag()
		b.Set("os", fmt.Sprint("os", i%9))
		shapes[i] = b
	}
	repeated := make([]any, n)
	distinct := make([]any, n)
	for i := range repeated {
		switch i % 5 {
		case 0:
			repeated[i] = int64(i % 13)
		case 1:
			repeated[i] = fmt.Sprint("s", i%17)
		case 2:
			repeated[i] = nil
		default:
			repeated[i] = shapes[(i*7+i/1000)%len(shapes)]
		}
		b := types.NewBag()
		b.Set("id", int64(i))
		distinct[i] = b
	}
	wantD, wantC := buildDynDict(repeated)
	gotD, gotC := buildDynDictParallel(repeated)
	if wantD == nil || len(gotD) != len(wantD) || len(gotC) != len(wantC) {
		t.Fatalf("dictionary of %d (codes %d), want %d (codes %d)", len(gotD), len(gotC), len(wantD), len(wantC))
	}
	for i := range wantD {
		if ki, _ := identityOf(gotD[i]); ki != func() dynIdentity { k, _ := identityOf(wantD[i]); return k }() {
			t.Fatalf("entry %d = %v, want %v", i, gotD[i], wantD[i])
		}
	}
	for i := range wantC {
		if gotC[i] != wantC[i] {
			t.Fatalf("code %d = %d, want %d", i, gotC[i], wantC[i])
		}
	}
	if d, c := buildDynDictParallel(distinct); d != nil || c != nil {
		t.Fatalf("a column of distinct bags was encoded (%d entries)", len(d))
	}
}

// The early verdict keeps a column of many users (half of the first rows
// new) and drops ids, serially and in parallel chunks.
func TestDictEarlyVerdict(t *testing.T) {
	const n, users = 400_000, 60_000
	many, ids := make([]string, n), make([]string, n)
	x := uint64(7)
	for i := range many {
		x = x*6364136223846793005 + 1442695040888963407
		many[i] = fmt.Sprint("u", (x>>33)%users)
		ids[i] = fmt.Sprintf("%d-%x", i, x>>40)
	}
	for _, tc := range []struct {
		name  string
		build func([]string) ([]string, []uint32)
	}{{"serial", buildDict}, {"parallel", buildDictParallel}} {
		if d, c := tc.build(many); d == nil || len(d) > users || len(c) != n {
			t.Errorf("%s: users: dictionary of %d, want at most %d", tc.name, len(d), users)
		} else {
			for i := range many {
				if d[c[i]] != many[i] {
					t.Fatalf("%s: row %d decodes to %q, want %q", tc.name, i, d[c[i]], many[i])
				}
			}
		}
		if d, _ := tc.build(ids); d != nil {
			t.Errorf("%s: ids were encoded (%d values)", tc.name, len(d))
		}
	}
}
