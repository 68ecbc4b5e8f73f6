package exportfile

import (
	"slices"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

func utf16le(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, r := range s { // test text is in the BMP
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

func TestUTF8(t *testing.T) {
	be := []byte{0xFE, 0xFF, 0x00, 'a', 0x00, 0xE9, 0x00, '\n'}
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"plain", []byte("a,b\n"), "a,b\n"},
		{"utf-8 bom", []byte("\xEF\xBB\xBFa,b\n"), "a,b\n"},
		{"utf-16le", utf16le("Id,Zoë\n"), "Id,Zoë\n"},
		{"utf-16be", be, "aé\n"},
		{"utf-16 odd byte dropped", append(utf16le("ab"), 'x'), "ab"},
		{"utf-16 then utf-8 bom", utf16le("\uFEFFab"), "ab"},
		{"empty", nil, ""},
	}
	for _, tc := range tests {
		if got := string(UTF8(tc.in)); got != tc.want {
			t.Errorf("%s: UTF8 = %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestReadHead(t *testing.T) {
	tests := []struct {
		name, in  string
		lazy      bool
		header    []string
		body      string // Body after the header record
		skipped   int
		errSubstr string
	}{
		{name: "plain", in: "A,B\n1,2\n", header: []string{"A", "B"}, body: "1,2\n"},
		{name: "type line", in: "#TYPE Deserialized.X\r\n\"A\",\"B\"\r\n1,2\r\n", header: []string{"A", "B"}, body: "1,2\r\n", skipped: 1},
		{name: "quoted newline in header", in: "\"A\nx\",B\n1,2\n", header: []string{"A\nx", "B"}, body: "1,2\n"},
		{name: "header only, no newline", in: "A,B", header: []string{"A", "B"}, body: ""},
		{name: "only a type line", in: "#TYPE X", errSubstr: "f.csv: only a #TYPE line: not an export"},
		{name: "bad quote", in: "#TYPE X\na\"b,c\n", errSubstr: "f.csv:2: header: "},
		{name: "bad quote, lazy", in: "a\"b,c\n", lazy: true, header: []string{"a\"b", "c"}},
		{name: "empty", in: "", errSubstr: "f.csv:1: header: EOF"},
	}
	for _, tc := range tests {
		h, err := ReadHead([]byte(tc.in), "f.csv", "an export", tc.lazy)
		if tc.errSubstr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errSubstr) {
				t.Errorf("%s: err %v; want %q", tc.name, err, tc.errSubstr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !slices.Equal(h.Header, tc.header) || string(h.Body[h.Len:]) != tc.body || h.Skipped != tc.skipped {
			t.Errorf("%s: header %q, body %q, skipped %d; want %q, %q, %d",
				tc.name, h.Header, h.Body[h.Len:], h.Skipped, tc.header, tc.body, tc.skipped)
		}
	}
}

func TestRecordLines(t *testing.T) {
	tests := []struct {
		name, in string
		want     []int
	}{
		{"one a line", "A,B\n1,2\n3,4\n", []int{2, 3}},
		{"crlf and blank lines", "A,B\r\n\r\n1,2\r\n\n3,4", []int{3, 5}},
		{"quoted newline", "A,B\n\"x\ny\",2\n3,4\n", []int{2, 4}},
		{"doubled quote stays open", "A,B\n\"x\"\"\n\",2\n3,4\n", []int{2, 4}},
		{"quote inside a field is text", "A,B\nx\"y,2\n3,4\n", []int{2, 3}},
		{"header only", "A,B\n", nil},
	}
	for _, tc := range tests {
		got, note := RecordLines([]byte(tc.in), len(tc.want), "f.csv")
		if !slices.Equal(got, tc.want) || note != "" {
			t.Errorf("%s: %v, %q; want %v", tc.name, got, note, tc.want)
		}
	}
	// A reader that split the records otherwise: no lines, and a note.
	got, note := RecordLines([]byte("A\n1\n2\n"), 3, "f.csv")
	if got != nil || note != "f.csv: record lines unknown: issues name the record number" {
		t.Errorf("mismatch: %v, %q", got, note)
	}
}

func TestText(t *testing.T) {
	bag := types.NewBag()
	bag.Set("b", "<a & b>")
	bag.Set("a", []any{int64(1), 2.5, true, nil, "q\"\n\u2028"})
	tests := []struct {
		in   any
		want string
	}{
		{nil, ""},
		{"x", "x"},
		{int64(-3), "-3"},
		{1.5, "1.5"},
		{false, "false"},
		{types.DateTimeValue(0), "1970-01-01T00:00:00Z"},
		// Key order kept, <, > and & unescaped, control and separator characters escaped.
		{bag, `{"b":"<a & b>","a":[1,2.5,true,null,"q\"\n\u2028"]}`},
		{[]any{}, "[]"},
	}
	for _, tc := range tests {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%#v) = %s; want %s", tc.in, got, tc.want)
		}
	}
}

func TestClipIntegerGUID(t *testing.T) {
	if got := Clip("ab\n"); got != `"ab\n"` {
		t.Errorf("Clip short = %s", got)
	}
	if got := Clip(strings.Repeat("x", 61)); got != `"`+strings.Repeat("x", 60)+`"...` {
		t.Errorf("Clip long = %s", got)
	}
	ints := []struct {
		in   any
		want int64
		ok   bool
	}{
		{int64(7), 7, true}, {3.0, 3, true}, {3.5, 0, false}, {1e300, 0, false},
		{" 42 ", 42, true}, {"4x", 0, false}, {true, 0, false},
	}
	for _, tc := range ints {
		if n, ok := Integer(tc.in); n != tc.want || ok != tc.ok {
			t.Errorf("Integer(%#v) = %d, %v; want %d, %v", tc.in, n, ok, tc.want, tc.ok)
		}
	}
	for s, want := range map[string]bool{
		"7e1d6a3b-2f4c-4b8e-9a51-3c2d1e0f9a88": true, "7E1D6A3B-2F4C-4B8E-9A51-3C2D1E0F9A88": true,
		"{7e1d6a3b-2f4c-4b8e-9a51-3c2d1e0f9a88}": false, "7e1d6a3b2f4c4b8e9a513c2d1e0f9a88": false, "": false,
	} {
		if IsGUID(s) != want {
			t.Errorf("IsGUID(%q) = %v", s, !want)
		}
	}
}

func TestParseISOTime(t *testing.T) {
	tests := []struct {
		in   any
		want string // "" for not a time
	}{
		{"2026-03-02T09:15:27", "2026-03-02T09:15:27Z"},
		{" 2026-03-02T09:15:27.5Z ", "2026-03-02T09:15:27.5Z"},
		{"2026-03-02T10:15:27+01:00", "2026-03-02T09:15:27Z"},
		{"2026-03-02 09:15:27.1234567", "2026-03-02T09:15:27.1234567Z"},
		{"2026-03-02 09:15:27-02:00", "2026-03-02T11:15:27Z"},
		{types.DateTimeValue(types.TimeToTicks(types.TicksToTime(0))), "1970-01-01T00:00:00Z"},
		{"3/2/2026 9:15:27 AM", ""},
		{int64(0), ""},
	}
	for _, tc := range tests {
		ticks, ok := ParseISOTime(tc.in)
		got := ""
		if ok {
			got = types.FormatDateTime(ticks)
		}
		if got != tc.want {
			t.Errorf("ParseISOTime(%#v) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

var testConverter = Converter{
	Time: ParseISOTime,
	Bool: func(v any) (bool, bool) {
		s, ok := v.(string)
		return s == "yes", ok && (s == "yes" || s == "no")
	},
}

func TestConvert(t *testing.T) {
	bag := types.NewBag()
	bag.Set("k", int64(1))
	tests := []struct {
		in   any
		typ  types.Type
		want string // the value's text; "null" for null
		ok   bool
	}{
		{nil, types.Long, "null", true},
		{"", types.DateTime, "null", true},
		{"", types.String, "", true},
		{bag, types.String, `{"k":1}`, true},
		{bag, types.Dynamic, `{"k":1}`, true},
		{"2026-03-02T09:15:27", types.DateTime, "2026-03-02T09:15:27Z", true},
		{"soon", types.DateTime, "null", false},
		{"yes", types.Bool, "true", true},
		{true, types.Bool, "null", false}, // the converter's Bool decides
		{"2147483648", types.Int, "null", false},
		{"2147483647", types.Int, "2147483647", true},
		{2147483648.0, types.Long, "2147483648", true},
		{int64(2), types.Real, "2", true},
		{" 2.5 ", types.Decimal, "2.5", true},
		{"x", types.Real, "null", false},
		{"7e1d6a3b-2f4c-4b8e-9a51-3c2d1e0f9a88", types.GUID, "7e1d6a3b-2f4c-4b8e-9a51-3c2d1e0f9a88", true},
		{"not-a-guid", types.GUID, "null", false},
		{int64(1), types.TimeSpan, "null", false},
	}
	for _, tc := range tests {
		v, ok := testConverter.Convert(tc.in, tc.typ)
		got := v.String()
		if !v.Valid {
			got = "null"
		}
		wantType := tc.typ
		if wantType == types.Decimal {
			wantType = types.Real // decimal columns hold reals
		}
		if got != tc.want || ok != tc.ok || v.Type != wantType {
			t.Errorf("Convert(%#v, %s) = %s %s, %v; want %s, %v", tc.in, tc.typ, v.Type, got, ok, tc.want, tc.ok)
		}
	}
	if got := NotFit("T", "C", strings.Repeat("y", 70), types.Int); got != `T.C: "`+strings.Repeat("y", 60)+`"... is not a int; left empty` {
		t.Errorf("NotFit = %s", got)
	}
}

type rec struct {
	at   int64
	id   string
	data *types.Bag
}

func TestMappingBuild(t *testing.T) {
	mk := func(at int64, kv ...any) rec {
		b := types.NewBag()
		for i := 0; i < len(kv); i += 2 {
			b.Set(kv[i].(string), kv[i+1])
		}
		return rec{at: at, id: kv[1].(string), data: b}
	}
	recs := []rec{
		mk(20, "deviceid", "d1", "name", "pc1", "lastseentime", "2026-03-02T09:00:00Z", "AdditionalFields", []any{int64(1)}),
		mk(10, "DEVICE_ID", "d2", "OSPlatform", "Windows11", "LastSeenTime", "when"),
	}
	m := Mapping[rec]{
		Table: "DeviceTvmInfoGathering",
		Data:  func(r *rec) *types.Bag { return r.data },
		Column: func(name string) (func(*rec) any, string) {
			switch name {
			case "Timestamp":
				return func(r *rec) any { return types.DateTimeValue(r.at) }, ""
			case "DeviceName":
				return nil, "Name"
			case "OSPlatform":
				return nil, "" // left empty
			}
			return nil, name
		},
		Fold:    func(k string) string { return strings.ToLower(strings.ReplaceAll(k, "_", "")) },
		Convert: testConverter,
	}
	var issues []string
	tb := m.Build(recs, func(r *rec, msg string) { issues = append(issues, r.id+": "+msg) })
	var rows []string
	for i := range tb.Rows() {
		var cells []string
		for _, c := range tb.Columns {
			cells = append(cells, c.Value(i).String())
		}
		rows = append(rows, strings.Join(cells, "|"))
	}
	want := []string{
		"1970-01-01T00:00:00.000002Z|2026-03-02T09:00:00Z|d1|pc1||[1]",
		"1970-01-01T00:00:00.000001Z||d2|||",
	}
	if tb.Name != "DeviceTvmInfoGathering" || !slices.Equal(rows, want) {
		t.Errorf("%s rows:\n%s\nwant\n%s", tb.Name, strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Equal(issues, []string{`d2: DeviceTvmInfoGathering.LastSeenTime: "when" is not a datetime; left empty`}) {
		t.Errorf("issues %q", issues)
	}

	at := func(r *rec) int64 { return r.at }
	same := append(recs, mk(10, "id", "d3"))
	var order []string
	for _, r := range OldestFirst(same, at) {
		order = append(order, r.id)
	}
	if !slices.Equal(order, []string{"d2", "d3", "d1"}) || same[0].id != "d1" {
		t.Errorf("OldestFirst: %v (input now starts %s)", order, same[0].id)
	}
	if f, l, ok := Span(same, at); f != 10 || l != 20 || !ok {
		t.Errorf("Span = %d, %d, %v", f, l, ok)
	}
	if _, _, ok := Span(nil, at); ok {
		t.Error("Span of none is ok")
	}
}

func TestHeadRead(t *testing.T) {
	schema := types.Schema{{Name: "A", Type: types.Long}, {Name: "B", Type: types.String}}
	tests := []struct {
		name, in string
		rows     int
		lines    []int
		notes    []string // each note starts so
	}{
		{"plain", "A,B\n1,x\n\n2,\"y\nz\"\n3,w\n", 3, []int{2, 4, 6}, nil},
		// Lines count the "#TYPE" line above the header.
		{"type line", "#TYPE T\nA,B\n1,x\n2,y\n", 2, []int{3, 4}, nil},
		// What the reader says is a note (the note for lines unknown is
		// RecordLines', tested there).
		{"reader note", "#TYPE T\nA,B\n1,x,extra\n2\n", 2, []int{3, 4}, []string{"f.csv: 2 records with a wrong field count kept"}},
	}
	for _, tc := range tests {
		h, err := ReadHead([]byte(tc.in), "f.csv", "an export", true)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		tb, lines, notes, err := h.Read(h.Body, "f.csv", schema)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		notesOK := len(notes) == len(tc.notes)
		for i := 0; notesOK && i < len(notes); i++ {
			notesOK = strings.HasPrefix(notes[i], tc.notes[i])
		}
		if tb.Rows() != tc.rows || !slices.Equal(lines, tc.lines) || !notesOK {
			t.Errorf("%s: %d rows, lines %v, notes %q; want %d, %v, %q", tc.name, tb.Rows(), lines, notes, tc.rows, tc.lines, tc.notes)
		}
	}
}

func TestIDs(t *testing.T) {
	var ids IDs
	var kept []bool
	for _, id := range []string{"a", "b", "a", "", "", "b", "c"} {
		kept = append(kept, ids.First(id))
	}
	if want := []bool{true, true, false, true, true, false, true}; !slices.Equal(kept, want) {
		t.Errorf("First: %v; want %v", kept, want)
	}
}
