package workspace

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/huntbook/huntbook/kql/types"
)

func TestParquetRoundTrip(t *testing.T) {
	want := allTypes()
	// 1601 is outside Parquet's nanosecond range; that case is tested below.
	want.Column("T").Ints[2] = dt("1901-01-01T00:00:00Z").I
	var buf bytes.Buffer
	if err := WriteParquet(&buf, want); err != nil {
		t.Fatal(err)
	}
	got, rep, err := ReadParquet(bytes.NewReader(buf.Bytes()), "All", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Issues) != 0 || rep.Rows != want.Rows() || rep.Format != "parquet" {
		t.Fatalf("report %v %v", rep, rep.Issues)
	}
	sameTable(t, got, want)
}

func TestParquetOldDatesUseMicroseconds(t *testing.T) {
	want := mk("Old", types.Schema{{Name: "T", Type: types.DateTime}},
		[]types.Value{dt("1601-01-01T00:00:00.123456Z")}, []types.Value{dt("9999-12-31T23:59:59Z")})
	var buf bytes.Buffer
	if err := WriteParquet(&buf, want); err != nil {
		t.Fatal(err)
	}
	got, _, err := ReadParquet(&buf, "Old", nil)
	if err != nil {
		t.Fatal(err)
	}
	sameTable(t, got, want)
}

// A file written by another tool: no huntbook metadata, columns in Parquet
// (alphabetical) order, types from Parquet logical types.
func TestParquetLogicalTypes(t *testing.T) {
	type row struct {
		When   time.Time `parquet:"When,timestamp(millisecond)"`
		Day    int32     `parquet:"Day,date"` // days since the epoch
		Count  int32     `parquet:"Count"`
		Big    int64     `parquet:"Big"`
		Ratio  float32   `parquet:"Ratio"`
		Name   *string   `parquet:"Name,optional"`
		Props  string    `parquet:"Props,json"`
		Flag   bool      `parquet:"Flag"`
		Amount int64     `parquet:"Amount,decimal(2:18)"`
	}
	name := "alice"
	when := time.Date(2026, 11, 22, 10, 15, 30, 123e6, time.UTC)
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[row](&buf)
	if _, err := w.Write([]row{
		{When: when, Day: int32(daysFromCivil(2026, 11, 22)), Count: 3, Big: 1 << 40, Ratio: 0.5,
			Name: &name, Props: `{"k":[1]}`, Flag: true, Amount: 12345},
		{When: when.Add(time.Second), Day: int32(daysFromCivil(2026, 11, 23)), Props: `null`},
	}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _, err := ReadParquet(&buf, "Ext", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantSchema := "(When:datetime, Day:datetime, Count:int, Big:long, Ratio:real, Name:string, Props:dynamic, Flag:bool, Amount:decimal)"
	if s := got.Schema().String(); s != wantSchema {
		t.Fatalf("schema = %s, want %s", s, wantSchema)
	}
	checks := map[string]string{
		"When": "2026-11-22T10:15:30.123Z", "Day": "2026-11-22T00:00:00Z", "Count": "3", "Big": "1099511627776",
		"Ratio": "0.5", "Name": "alice", "Props": `{"k":[1]}`, "Flag": "true", "Amount": "123.45",
	}
	for col, want := range checks {
		if s := got.Column(col).Value(0).String(); s != want {
			t.Errorf("%s = %s, want %s", col, s, want)
		}
	}
	if got.Column("Name").Strs[1] != "" || !got.Column("Props").IsNull(1) {
		t.Errorf("nulls: %v", got.Row(1))
	}
}

func TestParquetDeclaredSchema(t *testing.T) {
	src := mk("S", types.Schema{{Name: "When", Type: types.String}, {Name: "N", Type: types.Long}},
		[]types.Value{types.NewString("2026-01-02T00:00:00Z"), types.NewLong(1)},
		[]types.Value{types.NewString("later"), types.NewLong(2)})
	var buf bytes.Buffer
	if err := WriteParquet(&buf, src); err != nil {
		t.Fatal(err)
	}
	schema := types.Schema{{Name: "When", Type: types.DateTime}, {Name: "Gone", Type: types.Bool}}
	got, rep, err := readParquet(context.Background(), buf.Bytes(), "S.parquet", "S", schema, readOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Schema().String(); s != "(When:datetime, Gone:bool, N:long)" {
		t.Fatalf("schema = %s", s)
	}
	var msgs []string
	for _, is := range rep.Issues {
		msgs = append(msgs, is.Error())
	}
	if want := `S.parquet: column When: row 2: cannot convert "later" to datetime`; strings.Join(msgs, "\n") != want {
		t.Fatalf("issues = %q, want %q", msgs, want)
	}
	wantWarn := "S.parquet: column N is not in the schema; appended as long\nS.parquet: schema column Gone is not in the file; it is null"
	if strings.Join(rep.Warnings, "\n") != wantWarn {
		t.Fatalf("warnings = %q", rep.Warnings)
	}
	_, _, err = readParquet(context.Background(), buf.Bytes(), "S.parquet", "S", schema, readOptions{strict: true})
	if err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Fatalf("strict error = %v", err)
	}
	if _, _, err := ReadParquet(strings.NewReader("not parquet"), "X", nil); err == nil ||
		!strings.HasPrefix(err.Error(), "X: not a readable Parquet file") {
		t.Fatalf("garbage error = %v", err)
	}
}
