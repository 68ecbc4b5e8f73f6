package exec

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// scanRun runs q and prints its only result as the golden files do.
func scanRun(t testing.TB, cat Catalog, q string) string {
	t.Helper()
	res, err := runQuery(context.Background(), cat, Options{Now: goldenNow}, q)
	if err != nil {
		t.Fatalf("%s\n: %v", q, err)
	}
	if len(res) != 1 {
		t.Fatalf("%d results, want 1", len(res))
	}
	return printTable(res[0].Table)
}

func lines(s ...string) string { return strings.Join(s, "\n") }

const scanEvents = `let Events = datatable (Ts: timespan, Event: string) [%s];
Events
`

// TestScanMatchingRules covers the parts of the documented matching logic
// the doc's examples do not: a row matching the first step while its
// sequence is active, a row matching two steps, output=last, and steps
// that start no sequence on their own.
func TestScanMatchingRules(t *testing.T) {
	cases := []struct {
		name, rows, scan, want string
	}{
		{
			// check 2 at the first step: the active sequence takes the
			// new row as its s1 record and keeps its match id
			name: "first step again while active updates the sequence",
			rows: `0m, "Start", 1m, "Start", 2m, "Stop", 3m, "Start", 20m, "Stop"`,
			scan: `scan with_match_id=m declare (Took: timespan) with (
    step s1: Event == "Start";
    step s2: Event == "Stop" and Ts - s1.Ts <= 5m => Took = Ts - s1.Ts;
)`,
			want: lines("Ts:timespan | Event:string | Took:timespan | m:long",
				"00:00:00 | Start | null | 0",
				"00:01:00 | Start | null | 0",
				"00:02:00 | Stop | 00:01:00 | 0",
				"00:03:00 | Start | null | 1"),
		},
		{
			// a row advances the sequence to s2 (check 1) and, s1 being
			// empty again, starts a new one at s1: two output rows
			name: "a row matching two steps is output once per match",
			rows: `0m, "a", 1m, "b", 2m, "c"`,
			scan: `scan with_match_id=m declare (Step: string) with (
    step s1: true => Step = "s1";
    step s2: true => Step = "s2";
)`,
			want: lines("Ts:timespan | Event:string | Step:string | m:long",
				"00:00:00 | a | s1 | 0",
				"00:01:00 | b | s2 | 0",
				"00:01:00 | b | s1 | 1",
				"00:02:00 | c | s2 | 1",
				"00:02:00 | c | s1 | 2"),
		},
		{
			// s1's series A A A ends when B moves it to s2; the last A of
			// the second series is output at the end of the input
			name: "output=last keeps the last match of each series",
			rows: `0m, "A", 1m, "A", 2m, "A", 3m, "B", 4m, "A", 5m, "A"`,
			scan: `scan with_match_id=m with (
    step s1 output=last: Event == "A";
    step s2: Event == "B";
)`,
			want: lines("Ts:timespan | Event:string | m:long",
				"00:02:00 | A | 0",
				"00:03:00 | B | 0",
				"00:05:00 | A | 1"),
		},
		{
			name: "output=none hides a step's rows but not its state",
			rows: `0m, "A", 1m, "B", 2m, "B", 3m, "C"`,
			scan: `scan declare (First: timespan) with (
    step s1 output=none: Event == "A" => First = Ts;
    step s2 output=none: Event == "B";
    step s3: Event == "C" => First = s1.First;
)`,
			want: lines("Ts:timespan | Event:string | First:timespan",
				"00:03:00 | C | 00:00:00"),
		},
		{
			// s2's repeated matches (check 2) read s2's own last record
			name: "a later step's state holds its last record",
			rows: `0m, "S", 1m, "x", 2m, "x", 4m, "x"`,
			scan: `scan declare (Gap: timespan) with (
    step s1: Event == "S";
    step s2: Event == "x" => Gap = Ts - iff(isnull(s2.Ts), s1.Ts, s2.Ts);
)`,
			want: lines("Ts:timespan | Event:string | Gap:timespan",
				"00:00:00 | S | null",
				"00:01:00 | x | 00:01:00",
				"00:02:00 | x | 00:01:00",
				"00:04:00 | x | 00:02:00"),
		},
		{
			name: "no row starts a sequence",
			rows: `0m, "x", 1m, "y"`,
			scan: `scan with_match_id=m declare (n: long = 7) with (step s1: Event == "z" => n = 1;)`,
			want: "Ts:timespan | Event:string | n:long | m:long",
		},
		{
			// scan takes the rows in the order they come
			name: "unsorted input is scanned as it comes",
			rows: `5m, "a", 1m, "b", 3m, "c"`,
			scan: `scan declare (Prev: timespan) with (step s1: true => Prev = s1.Ts;)`,
			want: lines("Ts:timespan | Event:string | Prev:timespan",
				"00:05:00 | a | null",
				"00:01:00 | b | 00:05:00",
				"00:03:00 | c | 00:01:00"),
		},
		{
			name: "an assignment converts to the declared type",
			rows: `0m, "a", 1m, "b"`,
			scan: `scan declare (Total: real = 0.5, Label: dynamic) with (
    step s1: true => Total = s1.Total + 1, Label = pack("e", Event);
)`,
			want: lines("Ts:timespan | Event:string | Total:real | Label:dynamic",
				`00:00:00 | a | 1.5 | {"e":"a"}`,
				`00:01:00 | b | 2.5 | {"e":"b"}`),
		},
		{
			// all assignments of a step read the row before it is
			// extended: n is still its default while m is computed
			name: "assignments of one step see the unextended row",
			rows: `0m, "a"`,
			scan: `scan declare (n: long = 1, m: long) with (step s1: true => n = 5, m = n + 1;)`,
			want: lines("Ts:timespan | Event:string | n:long | m:long",
				"00:00:00 | a | 5 | 2"),
		},
	}
	cat := newTestCatalog()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, perRow := range []bool{false, true} {
				scanPerRowOnly = perRow
				got := scanRun(t, cat, fmt.Sprintf(scanEvents, tc.rows)+"| "+tc.scan)
				scanPerRowOnly = false
				if got != tc.want {
					t.Errorf("per row only %v: got\n%s\nwant\n%s", perRow, got, tc.want)
				}
			}
		})
	}
}

// TestScanSequenceDetection finds failed sign-ins followed by a success of
// the same account within 5 minutes, a hunting use of scan.
func TestScanSequenceDetection(t *testing.T) {
	q := `datatable(T: datetime, Account: string, EventID: long) [
    datetime(2024-05-01 07:00), "bob", 4625,
    datetime(2024-05-01 07:01), "bob", 4625,
    datetime(2024-05-01 07:02), "bob", 4624,
    datetime(2024-05-01 07:00), "eve", 4625,
    datetime(2024-05-01 07:09), "eve", 4624,
    datetime(2024-05-01 07:03), "amy", 4624
]
| sort by Account asc, T asc
| scan with_match_id=Id declare (Failures: long = 0, FirstFailure: datetime) with (
    step fail output=last: EventID == 4625 => Failures = fail.Failures + 1, FirstFailure = iff(isnull(fail.FirstFailure), T, fail.FirstFailure);
    step success: EventID == 4624 and Account == fail.Account and T - fail.FirstFailure <= 5m
        => Failures = fail.Failures, FirstFailure = fail.FirstFailure;
)
| where EventID == 4624`
	want := lines("T:datetime | Account:string | EventID:long | Failures:long | FirstFailure:datetime | Id:long",
		"2024-05-01T07:02:00Z | bob | 4624 | 2 | 2024-05-01T07:00:00Z | 0")
	if got := scanRun(t, newTestCatalog(), q); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestScanErrors(t *testing.T) {
	pre := "datatable(Ts: timespan, Event: string) [0m, \"a\"]\n"
	cases := []struct{ name, q, want string }{
		{"unknown step", pre + "| scan with (step s1: Ts > s9.Ts;)",
			"q.kql:2:28: scan: unknown step or column 's9' (steps: s1)"},
		{"unknown column of a step", pre + "| scan with (step s1: true; step s2: s1.Nope > 1;)",
			"q.kql:2:41: scan: step 's1' has no column 'Nope'"},
		{"assignment to an undeclared column", pre + "| scan declare (n: long) with (step s1: true => m = 1;)",
			"q.kql:2:49: scan step 's1' assigns 'm', which is not a declared column"},
		{"assignment to an input column", pre + "| scan with (step s1: true => Event = \"x\";)",
			"q.kql:2:31: scan step 's1' assigns 'Event', which is not a declared column"},
		{"duplicate step", pre + "| scan with (step s1: true; step s1: true;)",
			"q.kql:2:34: scan: step name 's1' is used twice"},
		{"condition not bool", pre + "| scan with (step s1: Event;)",
			"q.kql:2:23: scan step 's1': the condition must be a bool, not a string"},
		{"assignment of the wrong type", pre + "| scan declare (n: long) with (step s1: true => n = Event;)",
			"q.kql:2:53: scan step 's1': cannot assign a string to 'n', declared long"},
		{"declared column clashes with the input", pre + "| scan declare (Event: string) with (step s1: true;)",
			"q.kql:2:17: scan: declared column 'Event' is already a column of the input"},
		{"default reads a column", pre + "| scan declare (n: timespan = Ts) with (step s1: true;)",
			"q.kql:2:31: unknown column or variable 'Ts'"},
		{"match id clashes with the input", pre + "| scan with_match_id=Event with (step s1: true;)",
			"q.kql:2:22: scan: with_match_id column 'Event' is already a column of the input"},
		{"bad output kind", pre + "| scan with (step s1 output=some: true;)",
			"q.kql:2:19: scan step 's1': output must be all, last or none, not 'some'"},
		{"window function in a step", pre + "| serialize\n| scan with (step s1: prev(Ts) > 0m;)",
			"q.kql:3:23: not supported yet: window functions"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runQuery(context.Background(), newTestCatalog(), Options{Now: goldenNow}, tc.q)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestScanEmptyInput(t *testing.T) {
	q := `datatable(Ts: timespan, Event: string) []
| scan with_match_id=m declare (n: long = 0) with (step s1: true => n = s1.n + 1; step s2: Event == "x";)`
	if got, want := scanRun(t, newTestCatalog(), q), "Ts:timespan | Event:string | n:long | m:long"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// scanRandomEvents is n events over a few accounts and kinds, in time order.
func scanRandomEvents(n int, seed uint64) *table.Table {
	rng := rand.New(rand.NewPCG(seed, 3))
	t := table.New("Ev", types.Schema{
		{Name: "Ts", Type: types.DateTime}, {Name: "Account", Type: types.String},
		{Name: "Kind", Type: types.String}, {Name: "Bytes", Type: types.Long},
	})
	kinds := []string{"Start", "Stop", "Read", "Write", ""}
	ts := types.TimeToTicks(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC))
	for range n {
		ts += rng.Int64N(3 * types.Minute)
		t.Columns[0].Ints = append(t.Columns[0].Ints, ts)
		t.Columns[1].Strs = append(t.Columns[1].Strs, fmt.Sprintf("u%d", rng.IntN(3)))
		t.Columns[2].Strs = append(t.Columns[2].Strs, kinds[rng.IntN(len(kinds))])
		t.Columns[3].Ints = append(t.Columns[3].Ints, rng.Int64N(1000))
	}
	return t
}

// TestScanColumnarMatchesPerRow checks that deciding the state-free parts
// of conditions and assignments for all rows at once gives what
// evaluating everything per row gives, on random inputs.
func TestScanColumnarMatchesPerRow(t *testing.T) {
	queries := []string{
		`Ev | scan with_match_id=m declare (Total: long = 0, Who: string) with (
    step s1 output=last: Kind == "Start" => Who = Account;
    step s2: Kind in ("Read", "Write") and Account == s1.Account and Ts - s1.Ts < 10m => Total = s2.Total + Bytes, Who = s1.Who;
    step s3: Kind == "Stop" and Account == s1.Account => Total = s2.Total;
)`,
		`Ev | scan declare (Run: long = 0) with (
    step s1: isnotempty(Kind) => Run = iff(Kind == s1.Kind, s1.Run + 1, 1);
    step s2 output=none: Run > 3 and Bytes > 500;
)`,
	}
	for seed := uint64(1); seed <= 5; seed++ {
		cat := &testCatalog{tables: map[string]*table.Table{"Ev": scanRandomEvents(400, seed)}}
		for _, q := range queries {
			scanPerRowOnly = true
			want := scanRun(t, cat, q)
			scanPerRowOnly = false
			got := scanRun(t, cat, q)
			if got != want {
				t.Fatalf("seed %d: columnar and per-row results differ for\n%s\ncolumnar:\n%s\nper row:\n%s", seed, q, got, want)
			}
			if strings.Count(got, "\n") < 10 {
				t.Fatalf("seed %d: only %d rows matched; the query tests too little", seed, strings.Count(got, "\n"))
			}
		}
	}
}

// TestScanCorpusQuery runs the public hunting query that uses scan (Sliver
// C2 beacon: connection, named pipe, image load of one process) over empty
// tables of its real schemas.
func TestScanCorpusQuery(t *testing.T) {
	src, err := os.ReadFile("/work/shared/corpus/kql/bertjanp/0301.kql")
	if err != nil {
		t.Skip("corpus not present")
	}
	res, err := runQuery(context.Background(), schemaCatalog{}, Options{}, string(src))
	if err != nil {
		t.Fatal(err)
	}
	sch := res[0].Table.Schema()
	for _, c := range []types.Column{{Name: "Step", Type: types.String}, {Name: "Delta", Type: types.TimeSpan}, {Name: "Id", Type: types.Long}} {
		if i := sch.Index(c.Name); i < 0 || sch[i].Type != c.Type {
			t.Errorf("result schema %v lacks %s:%s", sch, c.Name, c.Type)
		}
	}
}

// BenchmarkScanSequence is a three-step sequence over 100k rows: the
// state-free conjuncts are decided columnar, the rest per row.
func BenchmarkScanSequence(b *testing.B) {
	cat := &testCatalog{tables: map[string]*table.Table{"Ev": scanRandomEvents(100_000, 1)}}
	q := `Ev | scan with_match_id=m declare (Total: long = 0) with (
    step s1: Kind == "Start";
    step s2: Kind in ("Read", "Write") and Account == s1.Account and Ts - s1.Ts < 10m => Total = s2.Total + Bytes;
    step s3: Kind == "Stop" and Account == s1.Account => Total = s2.Total;
) | count`
	for b.Loop() {
		scanRun(b, cat, q)
	}
}

// BenchmarkScanCumulativeSum reads the state on every row of 100k.
func BenchmarkScanCumulativeSum(b *testing.B) {
	cat := &testCatalog{tables: map[string]*table.Table{"Ev": scanRandomEvents(100_000, 1)}}
	q := `Ev | scan declare (Sum: long = 0) with (step s1: true => Sum = Bytes + s1.Sum;) | count`
	for b.Loop() {
		scanRun(b, cat, q)
	}
}
