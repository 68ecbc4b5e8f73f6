package exec

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// storms is a small StormEvents-shaped input (the doc's example projects
// State, EventType, Damage, DamageCrops): Damage NO always has DamageCrops
// 0, so {Damage=NO} is only reported as {Damage=NO, DamageCrops=0}.
const storms = `let T = datatable(State:string, EventType:string, Damage:string, DamageCrops:int)[
"TX","Hail","NO",0, "TX","Hail","NO",0, "KS","Hail","NO",0, "KS","Hail","YES",0, "OK","Hail","YES",5,
"TX","Wind","NO",0, "KS","Wind","YES",3, "OK","Wind","YES",0, "TX","Flood","NO",0, "OK","Flood","YES",2];
`

func TestBasket(t *testing.T) {
	cases := []struct{ name, q, want string }{
		{
			// counted by hand over the 10 rows; closed patterns only, by Count
			name: "doc shape, threshold 0.3",
			q:    storms + "T | evaluate basket(0.3)",
			want: lines("SegmentId:long | Count:long | Percent:real | State:string | EventType:string | Damage:string | DamageCrops:int",
				`0 | 7 | 70 | "" | "" | "" | 0`,
				`1 | 5 | 50 | "" | Hail | "" | null`,
				`2 | 5 | 50 | "" | "" | YES | null`,
				`3 | 5 | 50 | "" | "" | NO | 0`,
				`4 | 4 | 40 | "" | Hail | "" | 0`,
				`5 | 4 | 40 | TX | "" | NO | 0`,
				`6 | 3 | 30 | KS | "" | "" | null`,
				`7 | 3 | 30 | "" | Wind | "" | null`,
				`8 | 3 | 30 | OK | "" | YES | null`,
				`9 | 3 | 30 | "" | Hail | NO | 0`),
		},
		{
			name: "custom wildcards by type",
			q:    storms + "T | evaluate basket(0.4, '~', '~', '*', int(-1))",
			want: lines("SegmentId:long | Count:long | Percent:real | State:string | EventType:string | Damage:string | DamageCrops:int",
				`0 | 7 | 70 | * | * | * | 0`,
				`1 | 5 | 50 | * | Hail | * | -1`,
				`2 | 5 | 50 | * | * | YES | -1`,
				`3 | 5 | 50 | * | * | NO | 0`,
				`4 | 4 | 40 | * | Hail | * | 0`,
				`5 | 4 | 40 | TX | * | NO | 0`),
		},
		{
			// one generator value per pattern; the implied DamageCrops=0 does not count
			name: "MaxDimensions bounds uncorrelated values",
			q:    storms + "T | evaluate basket(0.4, '~', 1)",
			want: lines("SegmentId:long | Count:long | Percent:real | State:string | EventType:string | Damage:string | DamageCrops:int",
				`0 | 7 | 70 | "" | "" | "" | 0`,
				`1 | 5 | 50 | "" | Hail | "" | null`,
				`2 | 5 | 50 | "" | "" | YES | null`,
				`3 | 5 | 50 | "" | "" | NO | 0`,
				`4 | 4 | 40 | TX | "" | NO | 0`),
		},
		{
			// weights count rows several times; the weight column is no dimension
			name: "weight column",
			q: `datatable(User:string, Host:string, N:long)["a","h1",6, "a","h2",1, "b","h1",3]
| evaluate basket(0.5, N)`,
			want: lines("SegmentId:long | Count:long | Percent:real | User:string | Host:string",
				`0 | 9 | 90 | "" | h1`,
				`1 | 7 | 70 | a | ""`,
				`2 | 6 | 60 | a | h1`),
		},
		{
			name: "a constant column is in every pattern",
			q:    `datatable(K:string, V:bool)["x",true, "x",true, "x",false, "x",true] | evaluate basket(0.5)`,
			want: lines("SegmentId:long | Count:long | Percent:real | K:string | V:bool",
				`0 | 4 | 100 | x | null`,
				`1 | 3 | 75 | x | true`),
		},
		{
			name: "nulls and empty strings make no pattern",
			q:    `datatable(S:string, N:long)["",long(null), "",long(null), "a",1] | evaluate basket(0.3)`,
			want: lines("SegmentId:long | Count:long | Percent:real | S:string | N:long",
				`0 | 1 | 33.333333333333336 | a | 1`),
		},
		{
			name: "empty input",
			q:    `datatable(S:string)[] | evaluate basket()`,
			want: "SegmentId:long | Count:long | Percent:real | S:string",
		},
		{
			name: "an input column Count is renamed",
			q:    `datatable(Count:long)[1, 1] | evaluate basket()`,
			want: lines("SegmentId:long | Count:long | Percent:real | Count1:long", `0 | 2 | 100 | 1`),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := scanRun(t, nil, c.q); got != normTable(c.want) {
				t.Errorf("got\n%s\nwant\n%s", got, normTable(c.want))
			}
		})
	}
}

// normTable trims cells as printTable does, so that alignment does not matter.
func normTable(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		out = append(out, normRow(l))
	}
	return strings.Join(out, "\n")
}

func TestDiffpatterns(t *testing.T) {
	cases := []struct{ name, q, want string }{
		{
			// A = NO rows (1,2,3,6,9), B = YES rows. {0} (100% vs 40%) is a
			// subset of the better {TX,0}, {Hail} (60/40) of {Hail,0} (60/20)
			name: "doc shape",
			q:    storms + `T | evaluate diffpatterns(Damage, "NO", "YES")`,
			want: lines("SegmentId:long | CountA:long | CountB:long | PercentA:real | PercentB:real | PercentDiffAB:real | State:string | EventType:string | DamageCrops:int",
				`0 | 4 | 0 | 80 | 0 | 80 | TX | "" | 0`,
				`1 | 0 | 3 | 0 | 60 | 60 | OK | "" | null`,
				`2 | 3 | 1 | 60 | 20 | 40 | "" | Hail | 0`,
				`3 | 0 | 1 | 0 | 20 | 20 | KS | Wind | 3`),
		},
		{
			name: "threshold and custom wildcards",
			q:    storms + `T | evaluate diffpatterns(Damage, "NO", "YES", "~", 0.5, "~", "*", int(-1))`,
			want: lines("SegmentId:long | CountA:long | CountB:long | PercentA:real | PercentB:real | PercentDiffAB:real | State:string | EventType:string | DamageCrops:int",
				`0 | 4 | 0 | 80 | 0 | 80 | TX | * | 0`,
				`1 | 0 | 3 | 0 | 60 | 60 | OK | * | -1`),
		},
		{
			// the split value is compared as tostring(), as the doc says
			name: "numeric split column, rounded percentages",
			q: `datatable(Fail:long, App:string)[1,"x", 1,"x", 0,"x", 0,"y", 0,"y", 0,"z", 1,"z"]
| evaluate diffpatterns(Fail, "1", "0", "~", 0.3)`,
			want: lines("SegmentId:long | CountA:long | CountB:long | PercentA:real | PercentB:real | PercentDiffAB:real | App:string",
				`0 | 0 | 2 | 0 | 50 | 50 | y`,
				`1 | 2 | 1 | 66.67 | 25 | 41.67 | x`),
		},
		{
			name: "weights",
			q: `datatable(Set:string, App:string, W:real)["a","x",3, "a","y",1, "b","x",1, "b","y",3]
| evaluate diffpatterns(Set, "a", "b", W)`,
			want: lines("SegmentId:long | CountA:real | CountB:real | PercentA:real | PercentB:real | PercentDiffAB:real | App:string",
				`0 | 3 | 1 | 75 | 25 | 50 | x`,
				`1 | 1 | 3 | 25 | 75 | 50 | y`),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := scanRun(t, nil, c.q); got != normTable(c.want) {
				t.Errorf("got\n%s\nwant\n%s", got, normTable(c.want))
			}
		})
	}
}

func TestRollingPercentile(t *testing.T) {
	docT := `let T = range idx from 0 to 24*10-1 step 1
| project Timestamp = datetime(2018-01-01) + 1h*idx, val=idx+1
| extend EvenOrOdd = iff(val % 2 == 0, "Even", "Odd");
`
	var docRows, docDims []string
	for d, v := range []int{12, 24, 36, 60, 84, 108, 132, 156, 180, 204} {
		docRows = append(docRows, fmt.Sprintf("2018-01-%02dT00:00:00Z | %d", d+1, v))
	}
	for _, dim := range []string{"Even", "Odd"} {
		for d, v := range []int{12, 24, 36, 60, 84, 108, 132, 156, 180, 204} {
			if dim == "Odd" {
				v--
			}
			docDims = append(docDims, fmt.Sprintf("2018-01-%02dT00:00:00Z | %s | %d", d+1, dim, v))
		}
	}
	cases := []struct{ name, q, want string }{
		{"doc: 3-day median", docT + "T | evaluate rolling_percentile(val, 50, Timestamp, 1d, 3)",
			lines(append([]string{"Timestamp:datetime | rolling_3_percentile_val_50:long"}, docRows...)...)},
		{"doc: by dimension", docT + "T | evaluate rolling_percentile(val, 50, Timestamp, 1d, 3, EvenOrOdd)",
			lines(append([]string{"Timestamp:datetime | EvenOrOdd:string | rolling_3_percentile_val_50:long"}, docDims...)...)},
		{
			// bins 0,10,(20 empty),30,(40 empty),(50 empty),60; window 2:
			// bin 40 sees bin 30 only, bin 50 nothing
			name: "numeric index with gaps",
			q:    `datatable(i:long, v:real)[1,5.0, 3,1.0, 12,9.0, 35,2.0, 61,4.0] | evaluate rolling_percentile(v, 100, i, 10, 2)`,
			want: lines("i:long | rolling_2_percentile_v_100:real",
				"0 | 5", "10 | 9", "20 | 9", "30 | 2", "40 | 2", "50 | null", "60 | 4"),
		},
		{
			name: "percentile 0 is the minimum, nulls are skipped",
			q:    `datatable(i:long, v:long)[0,5, 0,long(null), 1,3, 2,7] | evaluate rolling_percentile(v, 0, i, 1, 2)`,
			want: lines("i:long | rolling_2_percentile_v_0:long", "0 | 5", "1 | 3", "2 | 3"),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := scanRun(t, nil, c.q); got != normTable(c.want) {
				t.Errorf("got\n%s\nwant\n%s", got, normTable(c.want))
			}
		})
	}
}

func TestPatternPluginErrors(t *testing.T) {
	const d = "datatable(a:string, n:long, t:datetime)[\"x\",1,datetime(2024-01-01)]\n"
	cases := []struct{ q, want string }{
		{d + "| evaluate basket(1.5)", "2:19: basket(): Threshold must be between 0.015 and 1, got 1.5"},
		{d + "| evaluate basket(0)", "2:19: basket(): Threshold must be between 0.015 and 1, got 0"},
		{d + "| evaluate basket('high')", "2:19: basket(): Threshold must be a number, got string high"},
		{d + "| evaluate basket(0.1, a)", "2:24: basket(): WeightColumn 'a' must be numeric (int, long, real), not string"},
		{d + "| evaluate basket(0.1, nope)", "2:24: basket(): WeightColumn: unknown column 'nope'"},
		{d + "| evaluate basket(0.1, '~', 0)", "2:29: basket(): MaxDimensions must be a positive integer, got 0"},
		{d + "| evaluate basket(0.1, '~', '~', '*', 'x')", "2:39: basket(): a CustomWildcard of type string is already given"},
		{d + "| evaluate diffpatterns(a, 'x')", "2:12: diffpatterns() expects SplitColumn, SplitValueA, SplitValueB"},
		{d + "| evaluate diffpatterns(b, 'x', 'y')", "2:25: diffpatterns(): SplitColumn: unknown column 'b'"},
		{d + "| evaluate diffpatterns(a, 'x', 'x')", "2:33: diffpatterns(): SplitValueA and SplitValueB are both 'x'"},
		{d + "| evaluate diffpatterns(a, 'x', 'y', '~', 2)", "2:43: diffpatterns(): Threshold must be between 0.015 and 1, got 2"},
		{d + "| evaluate rolling_percentile(n, 50, t, 1d)", "2:12: rolling_percentile() expects ValueColumn, Percentile, IndexColumn, BinSize, BinsPerWindow"},
		{d + "| evaluate rolling_percentile(a, 50, t, 1d, 3)", "2:31: rolling_percentile(): ValueColumn 'a' must be numeric, datetime or timespan, not string"},
		{d + "| evaluate rolling_percentile(n, 150, t, 1d, 3)", "2:34: rolling_percentile(): Percentile must be a number between 0 and 100, got 150"},
		{d + "| evaluate rolling_percentile(n, 50, t, 5, 3)", "2:41: rolling_percentile(): BinSize must be a positive timespan for datetime index 't', got 5"},
		{d + "| evaluate rolling_percentile(n, 50, a, 1d, 3)", "2:38: rolling_percentile(): IndexColumn 'a' must be datetime, timespan or numeric, not string"},
		{d + "| evaluate rolling_percentile(n, 50, t, 1d, 0)", "2:45: rolling_percentile(): BinsPerWindow must be a positive integer, got 0"},
		{d + "| evaluate rolling_percentile(n, 50, n, 0.000001, 3) | count", ""},
	}
	for _, c := range cases {
		_, err := runQuery(context.Background(), nil, Options{Now: goldenNow}, c.q)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.q, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: error %v, want it to contain %q", c.q, err, c.want)
		}
	}
}

// An empty set is nothing to compare: no patterns and a warning naming
// the empty side, so a hunt over data where nothing happened still answers.
func TestDiffpatternsEmptySet(t *testing.T) {
	d := "datatable(a:string, n:long)[\"x\",1,\"x\",2]\n"
	for _, tc := range []struct{ q, warn string }{
		{d + "| evaluate diffpatterns(a, 'x', 'y')", "q.kql:2:33: diffpatterns(): no row has a == 'y' (set B is empty): no patterns"},
		{d + "| evaluate diffpatterns(a, 'y', 'x')", "q.kql:2:28: diffpatterns(): no row has a == 'y' (set A is empty): no patterns"},
	} {
		res, err := runQuery(context.Background(), nil, Options{Now: goldenNow}, tc.q)
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		if got := res[0].Table; got.Rows() != 0 || got.Column("SegmentId") == nil || got.Column("PercentDiffAB") == nil {
			t.Errorf("%q: result %d rows, schema %s", tc.q, got.Rows(), got.Schema())
		}
		if len(res[0].Warnings) != 1 || res[0].Warnings[0] != tc.warn {
			t.Errorf("%q: warnings %q, want %q", tc.q, res[0].Warnings, tc.warn)
		}
	}
}

// randomDims is a table of n rows over cols string columns with skewed
// values (v0 common, v3 rare), so that patterns of several sizes are frequent.
func randomDims(n, cols int, seed uint64) *table.Table {
	rng := rand.New(rand.NewPCG(seed, 1))
	var sch types.Schema
	for c := 0; c < cols; c++ {
		sch = append(sch, types.Column{Name: fmt.Sprintf("C%d", c), Type: types.String})
	}
	sch = append(sch, types.Column{Name: "Split", Type: types.Long})
	t := table.New("R", sch)
	for i := 0; i < n; i++ {
		row := make([]types.Value, 0, cols+1)
		split := rng.IntN(2)
		for c := 0; c < cols; c++ {
			x := rng.Float64()
			if c == 0 && split == 1 {
				x *= x // column 0 leans to v0 in set 1
			}
			v := int(x * x * 4)
			if c == cols-1 && rng.IntN(10) == 0 {
				row = append(row, types.NewString("")) // some missing values
				continue
			}
			row = append(row, types.NewString(fmt.Sprintf("v%d", v)))
		}
		row = append(row, types.NewLong(int64(split)))
		if err := t.AppendRow(row); err != nil {
			panic(err)
		}
	}
	return t
}

// matching counts the rows of in (restricted to keep) that hold every
// non-empty value of the pattern.
func matching(in *table.Table, pat map[string]string, keep func(i int) bool) int {
	n := 0
	for i := 0; i < in.Rows(); i++ {
		if !keep(i) {
			continue
		}
		ok := true
		for col, v := range pat {
			if in.Column(col).Strs[i] != v {
				ok = false
				break
			}
		}
		if ok {
			n++
		}
	}
	return n
}

// frequentClosed enumerates by brute force every pattern over cols that
// matches at least minCount rows and that no added value keeps on the
// same rows, as a sorted list of "C0=v1,C2=v0" keys.
func frequentClosed(in *table.Table, cols []string, ok func(p map[string]string) bool) []string {
	var out []string
	var rec func(k int, p map[string]string)
	rec = func(k int, p map[string]string) {
		if k == len(cols) {
			if len(p) == 0 || !ok(p) {
				return
			}
			out = append(out, patKey(p))
			return
		}
		rec(k+1, p)
		for _, v := range []string{"v0", "v1", "v2", "v3"} {
			p[cols[k]] = v
			rec(k+1, p)
			delete(p, cols[k])
		}
	}
	rec(0, map[string]string{})
	return out
}

func patKey(p map[string]string) string {
	var parts []string
	for k, v := range p {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// closed tells whether no value added to p keeps the same matching rows.
func closed(in *table.Table, cols []string, p map[string]string, count func(map[string]string) int) bool {
	c := count(p)
	for _, col := range cols {
		if _, ok := p[col]; ok {
			continue
		}
		for _, v := range []string{"v0", "v1", "v2", "v3"} {
			p[col] = v
			same := count(p) == c
			delete(p, col)
			if same {
				return false
			}
		}
	}
	return true
}

// TestBasketInvariants checks basket on random inputs against brute force:
// every pattern's Count is the number of rows matching it, Percent is
// Count/total*100, Count reaches the threshold, patterns are closed and
// ordered by Count descending, and every closed frequent pattern is there.
func TestBasketInvariants(t *testing.T) {
	const cols = 4
	names := []string{"C0", "C1", "C2", "C3"}
	for seed := uint64(1); seed <= 4; seed++ {
		in := randomDims(300, cols, seed)
		in.Columns = in.Columns[:cols] // no split column
		const threshold = 0.05
		res, err := runQuery(context.Background(), &testCatalog{tables: map[string]*table.Table{"R": in}}, Options{}, "R | evaluate basket(0.05)")
		if err != nil {
			t.Fatal(err)
		}
		out := res[0].Table
		all := func(int) bool { return true }
		count := func(p map[string]string) int { return matching(in, p, all) }
		var got []string
		prev := math.MaxInt
		for i := 0; i < out.Rows(); i++ {
			p := map[string]string{}
			for _, c := range names {
				if v := out.Column(c).Strs[i]; v != "" {
					p[c] = v
				}
			}
			n := int(out.Column("Count").Ints[i])
			if want := count(p); n != want {
				t.Errorf("seed %d: %v Count %d, want %d", seed, p, n, want)
			}
			if pc := out.Column("Percent").Reals[i]; math.Abs(pc-100*float64(n)/300) > 1e-9 {
				t.Errorf("seed %d: %v Percent %v for Count %d", seed, p, pc, n)
			}
			if float64(n) < threshold*300 || n > prev {
				t.Errorf("seed %d: %v Count %d below threshold or out of order (after %d)", seed, p, n, prev)
			}
			prev = n
			if !closed(in, names, p, count) {
				t.Errorf("seed %d: %v is not closed", seed, p)
			}
			got = append(got, patKey(p))
		}
		want := frequentClosed(in, names, func(p map[string]string) bool {
			return float64(count(p)) >= threshold*300 && closed(in, names, p, count)
		})
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("seed %d: patterns\n got  %v\n want %v", seed, got, want)
		}
	}
}

// TestDiffpatternsInvariants: counts match brute force per set, every
// difference reaches the threshold, results are ordered by difference and
// no pattern contains another.
func TestDiffpatternsInvariants(t *testing.T) {
	names := []string{"C0", "C1", "C2", "C3"}
	for seed := uint64(1); seed <= 4; seed++ {
		in := randomDims(300, 4, seed)
		res, err := runQuery(context.Background(), &testCatalog{tables: map[string]*table.Table{"R": in}}, Options{}, "R | evaluate diffpatterns(Split, '1', '0', '~', 0.04)")
		if err != nil {
			t.Fatal(err)
		}
		out := res[0].Table
		split := in.Column("Split").Ints
		inA := func(i int) bool { return split[i] == 1 }
		inB := func(i int) bool { return split[i] == 0 }
		totA, totB := matching(in, nil, inA), matching(in, nil, inB)
		if out.Rows() == 0 {
			t.Fatalf("seed %d: no pattern; the data plants one on C0", seed)
		}
		var pats []map[string]string
		prev := math.Inf(1)
		for i := 0; i < out.Rows(); i++ {
			p := map[string]string{}
			for _, c := range names {
				if v := out.Column(c).Strs[i]; v != "" {
					p[c] = v
				}
			}
			ca, cb := int(out.Column("CountA").Ints[i]), int(out.Column("CountB").Ints[i])
			if wa, wb := matching(in, p, inA), matching(in, p, inB); ca != wa || cb != wb {
				t.Errorf("seed %d: %v counts %d/%d, want %d/%d", seed, p, ca, cb, wa, wb)
			}
			pa, pb, df := out.Column("PercentA").Reals[i], out.Column("PercentB").Reals[i], out.Column("PercentDiffAB").Reals[i]
			if math.Abs(pa-100*float64(ca)/float64(totA)) > 0.005 || math.Abs(pb-100*float64(cb)/float64(totB)) > 0.005 {
				t.Errorf("seed %d: %v percentages %v/%v", seed, p, pa, pb)
			}
			if df < 4-0.01 || df > prev || math.Abs(df-math.Abs(pa-pb)) > 1e-9 {
				t.Errorf("seed %d: %v difference %v (previous %v)", seed, p, df, prev)
			}
			prev = df
			for _, q := range pats {
				if contains(p, q) || contains(q, p) {
					t.Errorf("seed %d: %v and %v overlap as patterns", seed, p, q)
				}
			}
			pats = append(pats, p)
		}
	}
}

// contains tells whether pattern p includes every value of q.
func contains(p, q map[string]string) bool {
	for k, v := range q {
		if p[k] != v {
			return false
		}
	}
	return true
}

func BenchmarkBasket100k(b *testing.B) {
	in := randomDims(100000, 6, 7)
	cat := &testCatalog{tables: map[string]*table.Table{"R": in}}
	for _, q := range []string{"R | evaluate basket(0.02)", "R | evaluate diffpatterns(Split, '1', '0')"} {
		b.Run(strings.Fields(q)[3], func(b *testing.B) {
			for b.Loop() {
				if _, err := runQuery(context.Background(), cat, Options{}, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRollingPercentile100k(b *testing.B) {
	q := `range i from 1 to 100000 step 1
| extend Ts = datetime(2024-01-01) + i * 1m, v = i % 97, Host = strcat("h", i % 10)
| evaluate rolling_percentile(v, 95, Ts, 1h, 24, Host)`
	for b.Loop() {
		if _, err := runQuery(context.Background(), nil, Options{}, q); err != nil {
			b.Fatal(err)
		}
	}
}
