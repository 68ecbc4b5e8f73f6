package workspace

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// checkCodes fails unless a coded column's dictionary is distinct, covers
// every row (Dict[Codes[i]] == Strs[i]) and is numbered in order of first
// appearance, as the executor numbers its own dictionaries.
func checkCodes(t *testing.T, c *table.Column) {
	t.Helper()
	if c.Codes == nil {
		return
	}
	if len(c.Codes) != len(c.Strs) {
		t.Fatalf("%s: %d codes for %d rows", c.Name, len(c.Codes), len(c.Strs))
	}
	next := uint32(0)
	seen := map[string]bool{}
	for _, d := range c.Dict {
		if seen[d] {
			t.Fatalf("%s: %q twice in the dictionary", c.Name, d)
		}
		seen[d] = true
	}
	for i, code := range c.Codes {
		if int(code) >= len(c.Dict) || c.Dict[code] != c.Strs[i] {
			t.Fatalf("%s row %d: code %d does not name %q", c.Name, i, code, c.Strs[i])
		}
		if code > next {
			t.Fatalf("%s row %d: code %d before code %d was used", c.Name, i, code, next)
		}
		if code == next {
			next++
		}
	}
	if int(next) != len(c.Dict) {
		t.Fatalf("%s: %d dictionary entries, %d used", c.Name, len(c.Dict), next)
	}
}

// codedCSV is a CSV of rows records: Cat repeats 23 values (the empty one,
// and some that need quoting), Id is distinct, Num is a long that is null
// only in the second half, Mixed looks like a long for the inference
// sample and turns into text later.
func codedCSV(rows int) []byte {
	var b bytes.Buffer
	b.WriteString("Cat,Id,Num,Mixed\n")
	for i := range rows {
		cat := fmt.Sprintf("cat-%d", i*7%23)
		switch i * 7 % 23 {
		case 0:
			cat = ""
		case 5:
			cat = `"with, comma"`
		case 9:
			cat = "\"two\nlines\""
		}
		num := fmt.Sprint(i)
		if i > rows/2 && i%3 == 0 {
			num = ""
		}
		mixed := fmt.Sprint(i % 5)
		if i > sampleRows+10 && i%31 == 0 { // too many to be stray values
			mixed = "text"
		}
		fmt.Fprintf(&b, "%s,id-%d,%s,%s\n", cat, i, num, mixed)
		if i%997 == 0 {
			b.WriteString("\n") // a blank line: one newline more than records
		}
	}
	return b.Bytes()
}

// stdRecords reads a CSV with encoding/csv, as a reference.
func stdRecords(t *testing.T, data []byte) [][]string {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[1:]
}

func TestCSVReaderCodes(t *testing.T) {
	data := codedCSV(6000)
	recs := stdRecords(t, data)
	for _, tc := range []struct {
		name    string
		workers int
		tiny    bool
	}{{"one worker", 1, false}, {"two workers", 2, false}, {"many chunks", 3, true}} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.tiny {
				tinyChunks(t)
			}
			got, rep, err := readCSV(context.Background(), data, "C.csv", "C", nil, readOptions{workers: tc.workers})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Rows != len(recs) || got.Rows() != len(recs) {
				t.Fatalf("rows = %d (report %d), want %d", got.Rows(), rep.Rows, len(recs))
			}
			if s := got.Schema().String(); s != "(Cat:string, Id:string, Num:long, Mixed:string)" {
				t.Fatalf("schema = %s", s)
			}
			cat, id, num, mixed := got.Columns[0], got.Columns[1], got.Columns[2], got.Columns[3]
			for i, r := range recs {
				if cat.Strs[i] != r[0] || id.Strs[i] != r[1] || mixed.Strs[i] != r[3] {
					t.Fatalf("row %d = %q %q %q, want %q", i, cat.Strs[i], id.Strs[i], mixed.Strs[i], r)
				}
				if null := r[2] == ""; num.IsNull(i) != null || !null && fmt.Sprint(num.Ints[i]) != r[2] {
					t.Fatalf("row %d Num = %v, want %q", i, num.Value(i), r[2])
				}
			}
			if cat.Codes == nil || len(cat.Dict) != 23 {
				t.Fatalf("Cat: codes %v, dictionary of %d, want 23 values", cat.Codes != nil, len(cat.Dict))
			}
			if id.Codes != nil || !id.NoDict {
				t.Errorf("Id (every value distinct): codes %v, NoDict %v; want no codes, NoDict", id.Codes != nil, id.NoDict)
			}
			if cat.NoDict {
				t.Errorf("Cat (23 values) is marked NoDict")
			}
			if mixed.Codes != nil {
				t.Errorf("Mixed (widened after the sample) has codes")
			}
			for _, c := range got.Columns {
				checkCodes(t, c)
			}
		})
	}
}

func TestCSVReaderSmallTableHasNoCodes(t *testing.T) {
	got, _, err := readCSV(context.Background(), codedCSV(100), "C.csv", "C", nil, readOptions{workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got.Columns[0].Codes != nil {
		t.Errorf("a 100-row table was encoded")
	}
}

// The reader parses chunks into the table's columns at row bounds and
// closes the gaps afterwards: records spanning lines, blank lines, short
// records and nulls in only some chunks must come out in order.
func TestCSVChunkGaps(t *testing.T) {
	in := "S,L,D\n" +
		"\"a\n\n\nb\",1,{\"x\":1}\n" +
		"\n\n" +
		"c,2\n" +
		"d,,[1]\n" +
		"\"e\"\"\",4,\n" +
		"f,5,\"{\"\"y\"\":\"\"z\"\"}\"\n"
	s := types.Schema{{Name: "S", Type: types.String}, {Name: "L", Type: types.Long}, {Name: "D", Type: types.Dynamic}}
	want := mk("T", s,
		[]types.Value{types.NewString("a\n\n\nb"), types.NewLong(1), dyn(`{"x":1}`)},
		[]types.Value{types.NewString("c"), types.NewLong(2), types.NullOf(types.Dynamic)},
		[]types.Value{types.NewString("d"), types.NullOf(types.Long), dyn(`[1]`)},
		[]types.Value{types.NewString(`e"`), types.NewLong(4), types.NullOf(types.Dynamic)},
		[]types.Value{types.NewString("f"), types.NewLong(5), dyn(`{"y":"z"}`)},
	)
	for _, workers := range []int{1, 2, 5} {
		t.Run(fmt.Sprint("workers=", workers), func(t *testing.T) {
			tinyChunks(t)
			got, rep, err := readCSV(context.Background(), []byte(in), "T.csv", "T", s, readOptions{workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			sameTable(t, got, want)
			if len(rep.Issues) != 1 || !strings.Contains(rep.Issues[0].Msg, "record has 2 fields") {
				t.Errorf("issues = %v, want the short record", rep.Issues)
			}
		})
	}
}

// A workspace maps its files; every value must be copied out of the
// mapping, which is gone once Load returns (a string still pointing into
// it would fault when read below).
func TestWorkspaceMappedFiles(t *testing.T) {
	tinyChunks(t)
	dir := t.TempDir()
	data := codedCSV(5000)
	if err := os.WriteFile(filepath.Join(dir, "C.csv"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	lines := "{\"S\":\"x\",\"D\":{\"os\":\"Windows\",\"n\":1}}\n{\"S\":\"y\",\"D\":[{\"os\":\"Linux\"}]}\n"
	if err := os.WriteFile(filepath.Join(dir, "J.jsonl"), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := Open(dir, Options{BuiltinSchema: func(string) (types.Schema, bool) { return nil, false }, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := w.Load(context.Background(), "C")
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := ReadCSV(bytes.NewReader(data), "C", nil)
	if err != nil {
		t.Fatal(err)
	}
	sameTable(t, got, want)
	for _, c := range got.Columns {
		checkCodes(t, c)
	}
	jt, _, err := w.Load(context.Background(), "J")
	if err != nil {
		t.Fatal(err)
	}
	jw, _, err := ReadJSONL(strings.NewReader(lines), "J", nil)
	if err != nil {
		t.Fatal(err)
	}
	sameTable(t, jt, jw)
}

func TestJSONParserSharing(t *testing.T) {
	p := &jsonParser{}
	cases := []string{
		`{"os":"Windows","browser":"Edge","id":"0f8fad5b-d9cb-469f-a165-70867728950e"}`,
		`{"a":1,"b":{"c":[{"d":"e","f":{"g":null}},{"h":true}],"i":2.5},"j":"k"}`,
		`{"dup":1,"other":2,"dup":3}`,
		`{"esc\"aped":"v\u00e9","":""}`,
		`[{"x":{"y":{"z":[]}}},{},[]]`,
	}
	for _, c := range cases {
		want, err := parseDynamic([]byte(c))
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.parse([]byte(c))
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if g, w := types.DynamicJSON(got), types.DynamicJSON(want); g != w {
			t.Errorf("%s: parsed as %s, want %s", c, g, w)
		}
	}
	if got, _ := p.parse([]byte(`{"dup":1,"other":2,"dup":3}`)); types.DynamicJSON(got) != `{"dup":3,"other":2}` {
		t.Errorf("repeated key: %s, want first position and last value", types.DynamicJSON(got))
	}
	// An error inside a nested object leaves scratch behind; the next
	// parse must not see it.
	if _, err := p.parse([]byte(`{"a":{"b":1,"c":`)); err == nil {
		t.Fatal("truncated object parsed")
	}
	got, err := p.parse([]byte(`{"k":"v"}`))
	if err != nil || types.DynamicJSON(got) != `{"k":"v"}` {
		t.Fatalf("after an error: %s, %v", types.DynamicJSON(got), err)
	}
	// Keys and short values are shared between rows; long ones are not.
	a, _ := p.parse([]byte(`{"os":"Windows","id":"0f8fad5b-d9cb-469f-a165-70867728950e"}`))
	b, _ := p.parse([]byte(`{"os":"Windows","id":"0f8fad5b-d9cb-469f-a165-70867728950e"}`))
	ab, bb := a.(*types.Bag), b.(*types.Bag)
	if unsafe.StringData(ab.Keys[0]) != unsafe.StringData(bb.Keys[0]) {
		t.Errorf("keys not shared")
	}
	if unsafe.StringData(ab.Prop("os").(string)) != unsafe.StringData(bb.Prop("os").(string)) {
		t.Errorf("short values not shared")
	}
	if unsafe.StringData(ab.Prop("id").(string)) == unsafe.StringData(bb.Prop("id").(string)) {
		t.Errorf("a GUID-length value was interned")
	}
}

func TestNewBagOfSizes(t *testing.T) {
	for n := 0; n <= 20; n++ {
		var ms []member
		for i := range n {
			ms = append(ms, member{fmt.Sprint("k", i), int64(i)})
		}
		b := newBagOf(ms)
		if b.Len() != n || cap(b.Keys) < n {
			t.Fatalf("%d members: %d keys, room for %d", n, b.Len(), cap(b.Keys))
		}
		// a later Set grows the keys without touching the bag itself
		b.Set("extra", "x")
		if n > 0 {
			b.Set("k0", "replaced") // an existing key keeps its place
		}
		for i, m := range ms {
			if v, _ := b.Get(m.k); b.Keys[i] != m.k || i > 0 && v != m.v {
				t.Fatalf("%d members: key %d = %q (%v), want %q", n, i, b.Keys[i], v, m.k)
			}
		}
		if v, _ := b.Get("extra"); b.Keys[len(b.Keys)-1] != "extra" || v != "x" || b.Len() != n+1 {
			t.Fatalf("%d members: Set after making: %v", n, b.Keys)
		}
	}
}

// Whether a string column gets codes is decided early, on its first rows:
// ids (every value new) do not; users do even when half of the first
// rows meet a user for the first time, as 100k users in 10M rows do. The
// verdict must not depend on how chunks fall to workers.
func TestCSVReaderCodesVerdict(t *testing.T) {
	const rows, users = 300_000, 60_000
	var b bytes.Buffer
	b.WriteString("User,Id\n")
	x := uint64(1)
	for i := range rows {
		x = x*6364136223846793005 + 1442695040888963407 // a fixed pseudo-random order
		fmt.Fprintf(&b, "u%d@contoso.com,%d-%x\n", (x>>33)%users, i, x>>40)
	}
	for _, workers := range []int{1, 2, 3} {
		got, _, err := readCSV(context.Background(), b.Bytes(), "V.csv", "V", nil, readOptions{workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		u, id := got.Columns[0], got.Columns[1]
		if u.Codes == nil || u.NoDict || len(u.Dict) > users {
			t.Errorf("%d workers: User: codes %v, NoDict %v, dictionary of %d; want codes for at most %d users", workers, u.Codes != nil, u.NoDict, len(u.Dict), users)
		}
		if id.Codes != nil || !id.NoDict {
			t.Errorf("%d workers: Id: codes %v, NoDict %v; want no codes, NoDict", workers, id.Codes != nil, id.NoDict)
		}
		checkCodes(t, u)
	}
}
