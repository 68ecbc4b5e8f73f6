package exec

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// deviceTable has a DeviceDetail column like real sign-ins: every row its
// own bag (a device id each), operating systems repeating, the short values
// boxed once and shared between bags as the workspace loader shares them,
// some rows without the property and some not bags at all.
func deviceTable(n int) (*table.Table, []string) {
	oses := []any{"Windows10", "MacOs", "Ios", "Android", "Linux"}
	col := table.NewColumn("DeviceDetail", types.Dynamic, n)
	want := make([]string, n) // tostring(DeviceDetail.operatingSystem) per row
	for i := 0; i < n; i++ {
		switch {
		case i%97 == 0:
			col.Dyns = append(col.Dyns, nil)
		case i%89 == 0:
			col.Dyns = append(col.Dyns, "not a bag")
		default:
			b := types.NewBag()
			b.Set("deviceId", fmt.Sprintf("dev-%d", i))
			if i%13 != 0 {
				os := oses[(i*7+i/3)%len(oses)]
				if i%7 == 0 {
					os = strings.Clone(os.(string)) // the same text, not shared
				}
				b.Set("operatingSystem", os)
				want[i] = os.(string)
			}
			b.Set("isCompliant", i%2 == 0)
			col.Dyns = append(col.Dyns, b)
		}
	}
	return &table.Table{Name: "Devices", Columns: []*table.Column{col}}, want
}

func TestPropertyProjection(t *testing.T) {
	tbl, want := deviceTable(20000)
	cat := &testCatalog{tables: map[string]*table.Table{"Devices": tbl}}
	counts := map[string]int{}
	for _, s := range want {
		counts[s]++
	}
	var lines []string
	for s, n := range counts {
		lines = append(lines, fmt.Sprintf("%s=%d", s, n))
	}
	sort.Strings(lines)
	wantCounts := strings.Join(lines, " ")

	run := func(q string) *table.Table {
		t.Helper()
		res, err := runQuery(context.Background(), cat, Options{Now: goldenNow}, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return res[len(res)-1].Table
	}
	// Twice: the first run codes the property, the second reads the codes.
	for round := 0; round < 2; round++ {
		got := run(`Devices | summarize n = count() by os = tostring(DeviceDetail.operatingSystem)`)
		var gl []string
		for i := 0; i < got.Rows(); i++ {
			gl = append(gl, fmt.Sprintf("%s=%d", got.Columns[0].Strs[i], got.Columns[1].Ints[i]))
		}
		sort.Strings(gl)
		if g := strings.Join(gl, " "); g != wantCounts {
			t.Fatalf("round %d: counts %s, want %s", round, g, wantCounts)
		}
		ext := run(`Devices | extend os = DeviceDetail.operatingSystem, c = DeviceDetail.isCompliant, id = DeviceDetail.deviceId`)
		for i, w := range want {
			os, c, id := ext.Columns[1].Dyns[i], ext.Columns[2].Dyns[i], ext.Columns[3].Dyns[i]
			if w == "" && os != nil || w != "" && os != w {
				t.Fatalf("round %d row %d: os = %#v, want %q", round, i, os, w)
			}
			b, isBag := tbl.Columns[0].Dyns[i].(*types.Bag)
			if !isBag {
				if c != nil || id != nil {
					t.Fatalf("row %d: properties of a non-bag: %#v %#v", i, c, id)
				}
				continue
			}
			if wc, _ := b.Get("isCompliant"); c != wc {
				t.Fatalf("row %d: isCompliant = %#v, want %#v", i, c, wc)
			}
			if wid, _ := b.Get("deviceId"); id != wid {
				t.Fatalf("row %d: deviceId = %#v, want %#v", i, id, wid)
			}
		}
		n := run(`Devices | where DeviceDetail.operatingSystem == "MacOs" | count`)
		if got := n.Columns[0].Ints[0]; got != int64(counts["MacOs"]) {
			t.Fatalf("round %d: %d MacOs rows, want %d", round, got, counts["MacOs"])
		}
	}
	col := tbl.Columns[0]
	if pe := projection(col, "operatingSystem"); pe == nil || len(pe.codes) != col.Len() {
		t.Fatalf("operatingSystem was not coded")
	} else if len(pe.dict) != 6 { // five systems and the missing property
		t.Errorf("operatingSystem dictionary has %d values, want 6: %v", len(pe.dict), pe.dict)
	}
	if pe := projection(col, "deviceId"); pe != nil {
		t.Errorf("deviceId (distinct per row) was coded")
	}
}

// BenchmarkDynamicPropertyDistinctBags groups by a property of a column
// whose rows are all distinct bags (a device id each), the case the
// column's own dictionary gives up on.
func BenchmarkDynamicPropertyDistinctBags(b *testing.B) {
	tbl, _ := deviceTable(1_000_000)
	cat := &testCatalog{tables: map[string]*table.Table{"Devices": tbl}}
	script, file, err := parserParse(`Devices | summarize count() by OS = tostring(DeviceDetail.operatingSystem)`)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := NewSession(cat, Options{Now: goldenNow}).Run(context.Background(), script, file); err != nil {
			b.Fatal(err)
		}
	}
}

// The early checks give up on a column that is mostly distinct by then,
// whether or not the checkpoint row itself is new; these columns would fit
// the final limit, since everything after the checkpoint repeats one value.
func TestDictEarlyCheck(t *testing.T) {
	n := earlyCheck * 5
	strs := make([]string, n)
	dyns := make([]any, n)
	for i := range n {
		if i < earlyCheck {
			strs[i] = fmt.Sprint("v", i)
			b := types.NewBag()
			b.Set("id", int64(i))
			dyns[i] = b
			continue
		}
		strs[i], dyns[i] = strs[0], dyns[0] // repeats from the checkpoint on
	}
	shared := types.NewBag()
	if d, _ := buildDict(strs); d != nil {
		t.Errorf("buildDict encoded a column distinct up to the early check (%d values)", len(d))
	}
	if d, _ := buildDictParallel(strs); d != nil {
		t.Errorf("buildDictParallel encoded a column distinct up to the early check (%d values)", len(d))
	}
	if d, _ := buildDynDict(dyns); d != nil {
		t.Errorf("buildDynDict encoded a column distinct up to the early check (%d values)", len(d))
	}
	// a few shapes repeated are encoded
	for i := range dyns {
		dyns[i] = []any{shared, nil, "x", int64(1)}[i%4]
	}
	if d, codes := buildDynDict(dyns); len(d) != 4 || len(codes) != n {
		t.Errorf("four repeated values: dictionary of %d, %d codes", len(d), len(codes))
	}
}

// evalCols hands bare column references back as the input's own column;
// the operators that rename what it returns must leave the catalog's
// column as it was.
func TestBareColumnsStayUnchanged(t *testing.T) {
	tbl := signinTable(chunkRows*3, 5)
	cat := &testCatalog{tables: map[string]*table.Table{"SigninLogs": tbl}}
	before := printTable(tbl)
	for _, q := range []string{
		`SigninLogs | extend U = UserPrincipalName, T = TimeGenerated | project U, T`,
		`SigninLogs | summarize n = count(), d = dcount(IPAddress) by Who = UserPrincipalName`,
		`SigninLogs | sort by UserPrincipalName asc, TimeGenerated desc`,
		`SigninLogs | top-nested 3 of UserPrincipalName by count()`,
		`SigninLogs | join kind=inner (SigninLogs | take 10) on IPAddress | count`,
	} {
		if _, err := runQuery(context.Background(), cat, Options{Now: goldenNow}, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if after := printTable(tbl); after != before {
		t.Fatalf("a query changed the catalog table")
	}
	for i, want := range []string{"TimeGenerated", "UserPrincipalName", "IPAddress", "ResultType", "AppDisplayName", "UserAgent"} {
		if tbl.Columns[i].Name != want {
			t.Errorf("column %d renamed to %s", i, tbl.Columns[i].Name)
		}
	}
}
