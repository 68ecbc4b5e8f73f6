package workspace

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

// tinyChunks makes readers cut even small inputs into many chunks, so the
// parallel paths are exercised.
func tinyChunks(t *testing.T) {
	cb, ms := chunkBytes, minSplitBytes
	chunkBytes, minSplitBytes = 16, 0
	t.Cleanup(func() { chunkBytes, minSplitBytes = cb, ms })
}

func TestCSVRoundTrip(t *testing.T) {
	want := allTypes()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, want); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			tinyChunks(t)
			got, rep, err := readCSV(context.Background(), buf.Bytes(), "All.csv", "All", want.Schema(), readOptions{workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Issues) != 0 || rep.Rows != want.Rows() || rep.Bytes != int64(buf.Len()) {
				t.Fatalf("report: %v issues=%v", rep, rep.Issues)
			}
			sameTable(t, got, want)
		})
	}
}

func TestCSVQuoting(t *testing.T) {
	in := "Name,Note\r\n" +
		"\"Smith, John\",\"said \"\"hi\"\"\r\nthen left\"\r\n" +
		"plain,\r\n" +
		"\"\",\"\"\r\n" +
		"\n" + // blank lines are skipped
		"last,no newline at end"
	got, rep, err := ReadCSV(strings.NewReader(in), "T", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := mk("T", types.Schema{{Name: "Name", Type: types.String}, {Name: "Note", Type: types.String}},
		[]types.Value{types.NewString("Smith, John"), types.NewString("said \"hi\"\r\nthen left")},
		[]types.Value{types.NewString("plain"), types.NewString("")},
		[]types.Value{types.NewString(""), types.NewString("")},
		[]types.Value{types.NewString("last"), types.NewString("no newline at end")},
	)
	sameTable(t, got, want)
	if len(rep.Issues) != 0 {
		t.Errorf("issues: %v", rep.Issues)
	}
}

func TestCSVInference(t *testing.T) {
	in := "\xEF\xBB\xBFN,R,B,T,G,S,D,TS,E,Mixed\n" +
		"1,1.5,true,2024-01-02T03:04:05Z,0f8fad5b-d9cb-469f-a165-70867728950e,x,{\"a\":1},00:00:05,,1\n" +
		"2,2,False,2024-01-03,0F8FAD5B-D9CB-469F-A165-70867728950E,y,[1],01:00:00,,a\n" +
		",,,,,,,,,\n"
	got, _, err := ReadCSV(strings.NewReader(in), "T", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "(N:long, R:real, B:bool, T:datetime, G:guid, S:string, D:dynamic, TS:timespan, E:string, Mixed:string)"
	if s := got.Schema().String(); s != want {
		t.Fatalf("schema = %s, want %s", s, want)
	}
	if g := got.Column("G").Strs[1]; g != "0f8fad5b-d9cb-469f-a165-70867728950e" {
		t.Errorf("guid not canonical: %q", g)
	}
	if !got.Column("N").IsNull(2) || got.Column("S").Strs[2] != "" || !got.Column("D").IsNull(2) {
		t.Errorf("empty fields should be null (empty string for strings): %v", got.Row(2))
	}
}

// Values past the inference sample that do not fit widen the column when
// many disagree (the type was a guess, not a declaration); a stray value in
// a column nearly all of one type is a null, reported at its line.
func TestCSVInferenceWidensPastSample(t *testing.T) {
	tinyChunks(t)
	var b strings.Builder
	b.WriteString("Id,Code,Count,TimeGenerated\n")
	for i := 0; i < sampleRows+50; i++ {
		code := strconv.Itoa(i)
		if i >= sampleRows {
			code = "E" + code // 50 of 1051: a text column after all
		}
		fmt.Fprintf(&b, "%d,%s,%d,2026-11-01T00:00:%02dZ\n", i, code, i, i%60)
	}
	b.WriteString("2.5,E42,abc,not-a-date\n")
	got, rep, err := readCSV(context.Background(), []byte(b.String()), "T.csv", "T", nil, readOptions{workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Schema().String(); s != "(Id:real, Code:string, Count:long, TimeGenerated:datetime)" {
		t.Fatalf("schema = %s", s)
	}
	last := sampleRows + 52
	want := []string{
		fmt.Sprintf(`T.csv:%d: column Count: cannot convert "abc" to long (most of the column is long)`, last),
		fmt.Sprintf(`T.csv:%d: column TimeGenerated: cannot convert "not-a-date" to datetime (most of the column is datetime)`, last),
	}
	var msgs []string
	for _, is := range rep.Issues {
		msgs = append(msgs, is.Error())
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") || rep.BadValues != 2 {
		t.Fatalf("issues (%d bad values):\n%s\nwant:\n%s", rep.BadValues, strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	n := got.Rows()
	if got.Column("Id").Reals[n-1] != 2.5 || got.Column("Code").Strs[n-1] != "E42" || got.Column("Code").Strs[7] != "7" ||
		!got.Column("Count").IsNull(n-1) || got.Column("Count").Ints[7] != 7 || !got.Column("TimeGenerated").IsNull(n-1) {
		t.Fatalf("values: %v / %v", got.Row(n-1), got.Row(7))
	}
}

// Inference from the sample takes the type nearly all values have.
func TestTallyMajority(t *testing.T) {
	tests := []struct {
		name string
		vals map[types.Type]int
		want types.Type
	}{
		{"all long", map[types.Type]int{types.Long: 5, types.Null: 3}, types.Long},
		{"only empty", map[types.Type]int{types.Null: 3}, types.String},
		{"numbers join", map[types.Type]int{types.Long: 5, types.Real: 1}, types.Real},
		{"one stray among ten", map[types.Type]int{types.Long: 9, types.String: 1}, types.Long},
		{"one stray among few", map[types.Type]int{types.Long: 5, types.String: 1}, types.String},
		{"1% stray", map[types.Type]int{types.DateTime: 990, types.String: 10}, types.DateTime},
		{"2% stray", map[types.Type]int{types.DateTime: 980, types.String: 20}, types.String},
		{"stray guid in longs", map[types.Type]int{types.Long: 200, types.GUID: 1}, types.Long},
		{"mostly text", map[types.Type]int{types.String: 200, types.Long: 1}, types.String},
	}
	for _, tc := range tests {
		var tl tally
		for ty, n := range tc.vals {
			for range n {
				tl.add(ty)
			}
		}
		if got := tl.majority(); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCSVBadRows(t *testing.T) {
	schema := types.Schema{{Name: "TimeGenerated", Type: types.DateTime}, {Name: "Count", Type: types.Long},
		{Name: "Ok", Type: types.Bool}, {Name: "Missing", Type: types.Real}}
	in := "TimeGenerated,Count,Ok,Extra\n" +
		"2024-01-02T03:04:05Z,1,true,a\n" +
		"yesterday,2,true,b\n" +
		"\"2024-01-02\nT00:00\",many,maybe,c\n" +
		"2024-01-03,4\n" +
		"2024-01-04,5,false,d,surplus\n"
	tests := []struct {
		name   string
		strict bool
	}{{"lenient", false}, {"strict", true}}
	wantIssues := []string{
		`SigninLogs.csv:3: column TimeGenerated: cannot convert "yesterday" to datetime`,
		`SigninLogs.csv:4: column TimeGenerated: cannot convert "2024-01-02\nT00:00" to datetime`,
		`SigninLogs.csv:4: column Count: cannot convert "many" to long`,
		`SigninLogs.csv:4: column Ok: cannot convert "maybe" to bool`,
		`SigninLogs.csv:6: record has 2 fields, the header has 4: kept, padded with 2 nulls`,
		`SigninLogs.csv:7: record has 5 fields, the header has 4: kept, 1 extra field cut`,
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, rep, err := readCSV(context.Background(), []byte(in), "SigninLogs.csv", "SigninLogs", schema,
				readOptions{strict: tc.strict})
			if tc.strict {
				if err == nil || err.Error() != wantIssues[0] {
					t.Fatalf("strict error = %v, want %s", err, wantIssues[0])
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, is := range rep.Issues {
				msgs = append(msgs, is.Error())
			}
			if strings.Join(msgs, "\n") != strings.Join(wantIssues, "\n") {
				t.Fatalf("issues:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(wantIssues, "\n"))
			}
			if rep.BadValues != 4 || rep.BadLines != 2 || rep.Padded != 1 || rep.Cut != 1 || rep.Rows != 5 {
				t.Errorf("counts: %+v", rep)
			}
			wantSum := "SigninLogs.csv: 4 values did not convert (kept as null); 2 records with a wrong field count kept " +
				"(1 padded with nulls, 1 cut to the header's fields): " + strings.Join(wantIssues, "; ")
			if s := rep.Summary(); s != wantSum {
				t.Errorf("summary:\n%s\nwant:\n%s", s, wantSum)
			}
			wantWarn := []string{
				"SigninLogs.csv: schema column Missing is not in the file; it is null",
				"SigninLogs.csv: column Extra is not in the schema; appended as string",
			}
			if strings.Join(rep.Warnings, "\n") != strings.Join(wantWarn, "\n") {
				t.Errorf("warnings = %q", rep.Warnings)
			}
			if s := got.Schema().String(); s != "(TimeGenerated:datetime, Count:long, Ok:bool, Missing:real, Extra:string)" {
				t.Fatalf("schema = %s", s)
			}
			// Bad cells are null, rows are kept, short rows padded.
			if !got.Column("TimeGenerated").IsNull(1) || got.Column("Count").Ints[1] != 2 ||
				!got.Column("Ok").IsNull(3) || !got.Column("Missing").IsNull(0) || got.Column("Extra").Strs[4] != "d" {
				t.Errorf("rows: %v %v %v", got.Row(1), got.Row(3), got.Row(4))
			}
		})
	}
}

func TestCSVMaxIssuesStillCounts(t *testing.T) {
	var b strings.Builder
	b.WriteString("N\n")
	for i := 0; i < 30; i++ {
		b.WriteString("x\n")
	}
	_, rep, err := readCSV(context.Background(), []byte(b.String()), "T.csv", "T",
		types.Schema{{Name: "N", Type: types.Long}}, readOptions{maxIssues: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Issues) != 5 || rep.BadValues != 30 || rep.Issues[4].Line != 6 {
		t.Fatalf("kept %d issues, counted %d, 5th at line %d", len(rep.Issues), rep.BadValues, rep.Issues[4].Line)
	}
}

func TestCSVHeaderErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "T.csv: empty file: a CSV table needs a header row"},
		{"A,,B\n1,2,3\n", "T.csv:1: header field 2 has no column name"},
		{"A,B,A\n", "T.csv:1: header: column A appears twice (fields 1 and 3)"},
	}
	for _, tc := range tests {
		_, _, err := readCSV(context.Background(), []byte(tc.in), "T.csv", "T", nil, readOptions{})
		if err == nil || err.Error() != tc.want {
			t.Errorf("readCSV(%q) error = %v, want %s", tc.in, err, tc.want)
		}
	}
}

// Chunks are cut by quote parity; a stray quote inside an unquoted field
// breaks parity, and the reader must notice and still read it right.
func TestCSVStrayQuoteFallsBackToOneChunk(t *testing.T) {
	tinyChunks(t)
	var b strings.Builder
	b.WriteString("A,B\n")
	b.WriteString("5\" disk,x\n")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "r%d,\"multi\nline %d\"\n", i, i)
	}
	got, rep, err := readCSV(context.Background(), []byte(b.String()), "T.csv", "T", nil, readOptions{workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got.Rows() != 41 || got.Column("A").Strs[0] != "5\" disk" || got.Column("B").Strs[40] != "multi\nline 39" {
		t.Fatalf("rows=%d first=%v last=%v issues=%v", got.Rows(), got.Row(0), got.Row(40), rep.Issues)
	}
}

func TestCSVMalformedQuotes(t *testing.T) {
	in := "A,B\n\"ab\"c,1\n\"open,2\n"
	got, rep, err := ReadCSV(strings.NewReader(in), "T", types.Schema{{Name: "A", Type: types.String}, {Name: "B", Type: types.String}})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, is := range rep.Issues {
		msgs = append(msgs, is.Error())
	}
	want := "T:2: column A: unexpected 'c' after closing quote\nT:3: column A: unterminated quoted field: it runs from line 3 to the end of the file (2 lines), kept as one value; an unbalanced quote?\nT:3: record has 1 field, the header has 2: kept, padded with 1 null"
	if strings.Join(msgs, "\n") != want {
		t.Fatalf("issues:\n%s", strings.Join(msgs, "\n"))
	}
	if got.Column("A").Strs[0] != "abc" || got.Column("A").Strs[1] != "open,2\n" {
		t.Fatalf("values: %q", got.Column("A").Strs)
	}
}

func TestCSVUnbalancedQuote(t *testing.T) {
	// Line 6 opens a quote that line 9 closes: lines 7-8 become part of one field.
	in := "A,B,C,D,E\n" +
		"1,a,b,c,d\n" +
		"2,a,b,c,d\n" +
		"3,a,b,c,d\n" +
		"4,a,b,c,d\n" +
		"5,\"a,b,c,d\n" +
		"6,a,b,c,d\n" +
		"7,a,b,c,d\n" +
		"8,a\",b,c,d\n" +
		"9,a,b,c,d\n"
	multi := "A,B,C,D,E\n1,\"line one\nline two\nline three\",b,c,d\n2,a,b,c,d\n"
	tests := []struct {
		name, in string
		maxLines int
		want     string
	}{
		{"swallowed records", in, 0,
			"T.csv:6: column B: quoted field spans lines 6-9, which look like records of their own, kept as one value; an unbalanced quote?"},
		{"text over the line limit", multi, 2,
			"T.csv:2: column B: quoted field runs over 3 lines (2-4), more than the limit of 2, kept as one value; an unbalanced quote?"},
		{"multi-line text within the limit", multi, 0, ""},
		{"no limit", multi, -1, ""},
		{"to the end of the file", "A,B,C\n1,\"x,y,z\n2,a,b\n", 0,
			"T.csv:2: column B: unterminated quoted field: it runs from line 2 to the end of the file (3 lines), kept as one value; an unbalanced quote?\n" +
				"T.csv:2: record has 2 fields, the header has 3: kept, padded with 1 null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, rep, err := readCSV(context.Background(), []byte(tc.in), "T.csv", "T", nil, readOptions{maxFieldLines: tc.maxLines})
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, is := range rep.Issues {
				msgs = append(msgs, is.Error())
			}
			if got := strings.Join(msgs, "\n"); got != tc.want {
				t.Fatalf("issues:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestCSVSummaryNamesEachLine(t *testing.T) {
	in := "A,B,C\n1,2,3\n1,2\n1,2,3,4\n1\n1,2,3\n"
	tests := []struct {
		maxIssues int
		want      string
	}{
		{0, "T.csv: 3 records with a wrong field count kept (2 padded with nulls, 1 cut to the header's fields): " +
			"T.csv:3: record has 2 fields, the header has 3: kept, padded with 1 null; " +
			"T.csv:4: record has 4 fields, the header has 3: kept, 1 extra field cut; " +
			"T.csv:5: record has 1 field, the header has 3: kept, padded with 2 nulls"},
		{1, "T.csv: 3 records with a wrong field count kept (2 padded with nulls, 1 cut to the header's fields): " +
			"T.csv:3: record has 2 fields, the header has 3: kept, padded with 1 null; and 2 more"},
	}
	for _, tc := range tests {
		got, rep, err := readCSV(context.Background(), []byte(in), "T.csv", "T", nil, readOptions{maxIssues: tc.maxIssues})
		if err != nil {
			t.Fatal(err)
		}
		if got.Rows() != 5 {
			t.Errorf("rows = %d, want all 5 kept", got.Rows())
		}
		if s := rep.Summary(); s != tc.want {
			t.Errorf("MaxIssues %d: summary\n%s\nwant\n%s", tc.maxIssues, s, tc.want)
		}
	}
	_, rep, _ := readCSV(context.Background(), []byte("A\n1\n"), "T.csv", "T", nil, readOptions{})
	if s := rep.Summary(); s != "" {
		t.Errorf("clean file: summary %q", s)
	}
}

// Quoted fields with doubled quotes, commas and line breaks read as
// encoding/csv reads them (the scanner unescapes while it looks for the
// closing quote).
func TestCSVQuotedFieldsMatchEncodingCSV(t *testing.T) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"A", "B", "C"})
	x := uint64(3)
	pieces := []string{`"`, `""`, ",", "\n", "x", "json", `{"k":"v"}`, " ", "ü"}
	for range 3000 {
		var rec []string
		for range 3 {
			var f strings.Builder
			f.WriteString("t") // never empty, never a number: the columns stay strings
			x = x*6364136223846793005 + 1442695040888963407
			for k := range int(x>>60) % 6 {
				f.WriteString(pieces[(x>>(k*5))%uint64(len(pieces))])
			}
			rec = append(rec, f.String())
		}
		_ = w.Write(rec)
	}
	w.Flush()
	data := buf.Bytes()
	want := stdRecords(t, data)
	for _, workers := range []int{1, 2} {
		got, rep, err := readCSV(context.Background(), data, "Q.csv", "Q", nil, readOptions{workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if got.Rows() != len(want) || rep.BadLines != 0 {
			t.Fatalf("%d workers: %d rows (%d bad lines), want %d", workers, got.Rows(), rep.BadLines, len(want))
		}
		for i, r := range want {
			for c := range r {
				if g := got.Columns[c].Strs[i]; g != r[c] {
					t.Fatalf("%d workers: row %d column %d = %q, want %q", workers, i, c, g, r[c])
				}
			}
		}
	}
}
