package workspace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// schemaKey is the Parquet key-value metadata entry in which WriteParquet
// records the KQL column order and types; Parquet groups sort columns by
// name and have no timespan or guid type, so this makes files round-trip.
const schemaKey = "huntbook.kql.schema"

// pqColumn describes one top-level Parquet column.
type pqColumn struct {
	name   string
	leaf   int // leaf column index
	typ    types.Type
	toCell func(parquet.Value) cell
}

// ReadParquet reads a Parquet file of flat columns. Logical types map to
// KQL: timestamps and dates to datetime, strings and enums to string, JSON
// to dynamic, UUID to guid, 32-bit integers to int, 64-bit to long,
// decimals to decimal, floats to real. schema fixes column types.
func ReadParquet(r io.Reader, name string, schema types.Schema) (*table.Table, *LoadReport, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return readParquet(context.Background(), data, name, name, schema, readOptions{})
}

func openParquet(r io.ReaderAt, size int64, src string) (*parquet.File, []pqColumn, error) {
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: not a readable Parquet file: %w", src, err)
	}
	cols, err := parquetColumns(f, src)
	if err != nil {
		return nil, nil, err
	}
	return f, cols, nil
}

func parquetColumns(f *parquet.File, src string) ([]pqColumn, error) {
	var recorded types.Schema
	if js, ok := f.Lookup(schemaKey); ok {
		var props []struct{ Name, Type string }
		if err := json.Unmarshal([]byte(js), &props); err != nil {
			return nil, fmt.Errorf("%s: metadata %s: %v", src, schemaKey, err)
		}
		for _, p := range props {
			t, ok := types.Parse(p.Type)
			if !ok {
				return nil, fmt.Errorf("%s: metadata %s: column %s has unknown type %q", src, schemaKey, p.Name, p.Type)
			}
			recorded = append(recorded, types.Column{Name: p.Name, Type: t})
		}
	}
	var cols []pqColumn
	leaf := 0
	for _, field := range f.Schema().Fields() {
		if !field.Leaf() {
			return nil, fmt.Errorf("%s: column %s: nested Parquet groups are not supported", src, field.Name())
		}
		if field.Repeated() {
			return nil, fmt.Errorf("%s: column %s: repeated Parquet columns are not supported", src, field.Name())
		}
		t, conv := parquetType(field.Type())
		cols = append(cols, pqColumn{name: field.Name(), leaf: leaf, typ: t, toCell: conv})
		leaf++
	}
	if recorded != nil {
		byName := map[string]pqColumn{}
		for _, c := range cols {
			byName[c.name] = c
		}
		ordered := make([]pqColumn, 0, len(cols))
		for _, rc := range recorded {
			c, ok := byName[rc.Name]
			if !ok {
				return nil, fmt.Errorf("%s: metadata %s names column %s, which the file lacks", src, schemaKey, rc.Name)
			}
			c.typ = rc.Type
			ordered = append(ordered, c)
			delete(byName, rc.Name)
		}
		for _, c := range cols {
			if _, left := byName[c.name]; left {
				ordered = append(ordered, c)
			}
		}
		cols = ordered
	}
	return cols, nil
}

var pow10 = func() (p [39]float64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return
}()

// parquetType maps a leaf type to a KQL type and a value converter.
func parquetType(t parquet.Type) (types.Type, func(parquet.Value) cell) {
	null := func(v parquet.Value) (cell, bool) {
		if v.IsNull() {
			return cell{kind: cNull}, true
		}
		return cell{}, false
	}
	var lt any
	if l := t.LogicalType(); l != nil {
		lt = l.Value
	}
	ct := t.ConvertedType()
	unitTicks := func(u format.TimeUnit) (mul, div int64) {
		switch u.Value.(type) {
		case *format.MilliSeconds:
			return types.Millisecond, 1
		case *format.MicroSeconds:
			return types.Microsecond, 1
		}
		return 1, 100
	}
	switch t.Kind() {
	case parquet.Boolean:
		return types.Bool, func(v parquet.Value) cell {
			if c, ok := null(v); ok {
				return c
			}
			return cell{kind: cBool, i: b2i(v.Boolean())}
		}
	case parquet.Int32, parquet.Int64:
		get := func(v parquet.Value) int64 {
			if v.Kind() == parquet.Int32 {
				return int64(v.Int32())
			}
			return v.Int64()
		}
		switch l := lt.(type) {
		case *format.TimestampType:
			mul, div := unitTicks(l.Unit)
			return types.DateTime, func(v parquet.Value) cell {
				if c, ok := null(v); ok {
					return c
				}
				return cell{kind: cTime, i: get(v) * mul / div}
			}
		case *format.TimeType:
			mul, div := unitTicks(l.Unit)
			return types.TimeSpan, func(v parquet.Value) cell {
				if c, ok := null(v); ok {
					return c
				}
				return cell{kind: cSpan, i: get(v) * mul / div}
			}
		case *format.DateType:
			return types.DateTime, func(v parquet.Value) cell {
				if c, ok := null(v); ok {
					return c
				}
				return cell{kind: cTime, i: get(v) * types.Day}
			}
		case *format.DecimalType:
			scale := pow10[min(max(l.Scale, 0), 38)]
			return types.Decimal, func(v parquet.Value) cell {
				if c, ok := null(v); ok {
					return c
				}
				return cell{kind: cFloat, f: float64(get(v)) / scale}
			}
		}
		if ct != nil {
			switch *ct {
			case deprecated.TimestampMillis, deprecated.TimestampMicros:
				mul := types.Millisecond
				if *ct == deprecated.TimestampMicros {
					mul = types.Microsecond
				}
				return types.DateTime, func(v parquet.Value) cell {
					if c, ok := null(v); ok {
						return c
					}
					return cell{kind: cTime, i: get(v) * mul}
				}
			case deprecated.Date:
				return types.DateTime, func(v parquet.Value) cell {
					if c, ok := null(v); ok {
						return c
					}
					return cell{kind: cTime, i: get(v) * types.Day}
				}
			}
		}
		kt := types.Long
		if l, ok := lt.(*format.IntType); t.Kind() == parquet.Int32 && !(ok && !l.IsSigned) {
			kt = types.Int
		}
		return kt, func(v parquet.Value) cell {
			if c, ok := null(v); ok {
				return c
			}
			return cell{kind: cInt, i: get(v)}
		}
	case parquet.Int96:
		// Legacy Impala/Spark timestamps: nanoseconds of the day, then the Julian day.
		return types.DateTime, func(v parquet.Value) cell {
			if c, ok := null(v); ok {
				return c
			}
			i := v.Int96()
			nanos := int64(uint64(i[1])<<32 | uint64(i[0]))
			days := int64(i[2]) - 2440588
			return cell{kind: cTime, i: days*types.Day + nanos/100}
		}
	case parquet.Float, parquet.Double:
		return types.Real, func(v parquet.Value) cell {
			if c, ok := null(v); ok {
				return c
			}
			if v.Kind() == parquet.Float {
				return cell{kind: cFloat, f: float64(v.Float())}
			}
			return cell{kind: cFloat, f: v.Double()}
		}
	case parquet.ByteArray, parquet.FixedLenByteArray:
		switch l := lt.(type) {
		case *format.JsonType:
			return types.Dynamic, func(v parquet.Value) cell {
				if c, ok := null(v); ok {
					return c
				}
				return cell{kind: cJSON, b: v.ByteArray()}
			}
		case *format.UUIDType:
			return types.GUID, func(v parquet.Value) cell {
				if c, ok := null(v); ok {
					return c
				}
				b := v.ByteArray()
				if len(b) != 16 {
					return cell{kind: cStr, b: b}
				}
				return cell{kind: cStr, b: formatUUID(b)}
			}
		case *format.DecimalType:
			scale := l.Scale
			return types.Decimal, func(v parquet.Value) cell {
				if c, ok := null(v); ok {
					return c
				}
				n := new(big.Int).SetBytes(v.ByteArray())
				if b := v.ByteArray(); len(b) > 0 && b[0]&0x80 != 0 { // two's complement
					n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b)*8)))
				}
				f, _ := new(big.Float).Quo(new(big.Float).SetInt(n), big.NewFloat(pow10[min(max(scale, 0), 38)])).Float64()
				return cell{kind: cFloat, f: f}
			}
		}
		if ct != nil && *ct == deprecated.Json {
			return types.Dynamic, func(v parquet.Value) cell {
				if c, ok := null(v); ok {
					return c
				}
				return cell{kind: cJSON, b: v.ByteArray()}
			}
		}
		return types.String, func(v parquet.Value) cell {
			if c, ok := null(v); ok {
				return c
			}
			return cell{kind: cStr, b: v.ByteArray()}
		}
	}
	return types.String, func(v parquet.Value) cell {
		if v.IsNull() {
			return cell{kind: cNull}
		}
		return cell{kind: cStr, b: []byte(v.String())}
	}
}

func formatUUID(b []byte) []byte {
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexd[c>>4], hexd[c&0xf])
	}
	return out
}

func readParquet(ctx context.Context, data []byte, src, name string, schema types.Schema, o readOptions) (*table.Table, *LoadReport, error) {
	begin := time.Now()
	rep := &LoadReport{File: src, Format: "parquet", Bytes: int64(len(data))}
	f, cols, err := openParquet(bytes.NewReader(data), int64(len(data)), src)
	if err != nil {
		return nil, nil, err
	}
	rows := int(f.NumRows())

	// Table columns: the schema's, then file columns it lacks.
	type plan struct {
		col      types.Column
		file     *pqColumn
		declared bool
	}
	var plans []plan
	byName := map[string]int{}
	for _, c := range schema {
		byName[c.Name] = len(plans)
		plans = append(plans, plan{col: c, declared: true})
	}
	for i := range cols {
		c := &cols[i]
		if k, ok := byName[c.name]; ok {
			plans[k].file = c
			continue
		}
		plans = append(plans, plan{col: types.Column{Name: c.name, Type: c.typ}, file: c})
		if schema != nil {
			rep.Warnings = append(rep.Warnings, extraColumnWarning(src, c.name, c.typ))
		}
	}
	out := make([]*table.Column, len(plans))
	issues := make([][]issue, len(plans))
	var mu sync.Mutex
	var firstErr error
	err = parallel(ctx, len(plans), o.nworkers(), func(k int) {
		p := plans[k]
		b := newBuilder(p.col.Name, p.col.Type, rows)
		if p.file == nil {
			for r := 0; r < rows; r++ {
				b.appendNull()
			}
			out[k] = b.col
			return
		}
		row := 0
		buf := make([]parquet.Value, 4096)
		for _, rg := range f.RowGroups() {
			pages := rg.ColumnChunks()[p.file.leaf].Pages()
			for {
				page, err := pages.ReadPage()
				if err == io.EOF {
					break
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("%s: column %s: %w", src, p.col.Name, err)
					}
					mu.Unlock()
					pages.Close()
					return
				}
				vr := page.Values()
				for {
					n, err := vr.ReadValues(buf)
					for _, v := range buf[:n] {
						c := p.file.toCell(v)
						if !b.appendCell(c) {
							issues[k] = append(issues[k], issue{Issue{src, 0, p.col.Name,
								"row " + strconv.Itoa(row+1) + ": " + convertMessage(c.text(), p.col.Type)}, badValue})
						}
						row++
					}
					if err != nil {
						break
					}
				}
				parquet.Release(page)
			}
			pages.Close()
		}
		out[k] = b.col
	})
	if err != nil {
		return nil, nil, err
	}
	if firstErr != nil {
		return nil, nil, firstErr
	}
	t := &table.Table{Name: name, Columns: out}
	var missing []string
	for _, p := range plans {
		if p.declared && p.file == nil {
			missing = append(missing, p.col.Name)
		}
	}
	if len(missing) > 0 {
		rep.Warnings = append(rep.Warnings, missingColumnsWarning(src, missing))
	}
	for _, c := range out {
		if c.Len() != rows {
			return nil, nil, fmt.Errorf("%s: column %s has %d values, the file has %d rows", src, c.Name, c.Len(), rows)
		}
	}
	// Column by column the issues are not in row order; sort them by row.
	var all []issue
	for _, is := range issues {
		all = append(all, is...)
	}
	sortIssuesByRow(all)
	rep.Rows = rows
	err = finishReport(rep, all, o.maxIssues, o.strict)
	rep.Duration = time.Since(begin)
	if err != nil {
		return nil, rep, err
	}
	return t, rep, nil
}

func sortIssuesByRow(is []issue) {
	rowOf := func(s string) int {
		n := 0
		for _, c := range []byte(s[len("row "):]) {
			if !isDigit(c) {
				break
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	// Insertion sort is fine: issue lists are short or already ordered per column.
	for i := 1; i < len(is); i++ {
		for j := i; j > 0 && rowOf(is[j].Msg) < rowOf(is[j-1].Msg); j-- {
			is[j], is[j-1] = is[j-1], is[j]
		}
	}
}

// parquetFileSchema reads only a file's footer to answer Schema.
func parquetFileSchema(path string, decl types.Schema) (types.Schema, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	_, cols, err := openParquet(fh, st.Size(), path)
	if err != nil {
		return nil, err
	}
	s := append(types.Schema(nil), decl...)
	for _, c := range cols {
		if s.Index(c.name) < 0 {
			s = append(s, types.Column{Name: c.name, Type: c.typ})
		}
	}
	return s, nil
}

// WriteParquet writes t as a Snappy-compressed Parquet file with optional
// (nullable) columns: bool, int32, int64, double, UTF-8 strings, JSON for
// dynamic, nanosecond UTC timestamps for datetime (microseconds if a value
// is outside the nanosecond range) and int64 ticks for timespan. The KQL
// column order and types are kept in the file's metadata.
func WriteParquet(w io.Writer, t *table.Table) error {
	if len(t.Columns) == 0 {
		return errors.New("write parquet: a Parquet file needs at least one column")
	}
	group := parquet.Group{}
	var props []map[string]string
	micros := make([]bool, len(t.Columns))
	for j, c := range t.Columns {
		if _, dup := group[c.Name]; dup {
			return fmt.Errorf("write parquet: column %s appears twice", c.Name)
		}
		var n parquet.Node
		switch c.Type {
		case types.Bool:
			n = parquet.Leaf(parquet.BooleanType)
		case types.Int:
			n = parquet.Int(32)
		case types.Long, types.TimeSpan:
			n = parquet.Int(64)
		case types.Real, types.Decimal:
			n = parquet.Leaf(parquet.DoubleType)
		case types.String, types.GUID:
			n = parquet.String()
		case types.DateTime:
			for i, v := range c.Ints {
				if !c.IsNull(i) && (v > math.MaxInt64/100 || v < math.MinInt64/100) {
					micros[j] = true
					break
				}
			}
			if micros[j] {
				n = parquet.Timestamp(parquet.Microsecond)
			} else {
				n = parquet.Timestamp(parquet.Nanosecond)
			}
		case types.Dynamic:
			n = parquet.JSON()
		default:
			return fmt.Errorf("write parquet: column %s has type %s, which has no Parquet form", c.Name, c.Type)
		}
		group[c.Name] = parquet.Optional(n)
		props = append(props, map[string]string{"Name": c.Name, "Type": c.Type.String()})
	}
	name := t.Name
	if name == "" {
		name = "table"
	}
	schema := parquet.NewSchema(name, group)
	meta, _ := json.Marshal(props)
	leafOf := make([]int, len(t.Columns))
	for j, c := range t.Columns {
		leaf, ok := schema.Lookup(c.Name)
		if !ok {
			return fmt.Errorf("write parquet: column %s is missing from the Parquet schema", c.Name)
		}
		leafOf[j] = leaf.ColumnIndex
	}
	pw := parquet.NewWriter(w, schema, parquet.KeyValueMetadata(schemaKey, string(meta)),
		parquet.Compression(&parquet.Snappy))
	const batch = 1024
	rows := t.Rows()
	ncol := len(t.Columns)
	buf := make([]parquet.Row, 0, batch)
	vals := make([]parquet.Value, batch*ncol)
	var strs [][]byte // dynamic JSON text kept alive until the batch is written
	for i := 0; i < rows; i++ {
		row := parquet.Row(vals[len(buf)*ncol : (len(buf)+1)*ncol])
		for j, c := range t.Columns {
			li := leafOf[j]
			if c.IsNull(i) {
				row[li] = parquet.NullValue().Level(0, 0, li)
				continue
			}
			var v parquet.Value
			switch c.Type {
			case types.Bool:
				v = parquet.BooleanValue(c.Ints[i] != 0)
			case types.Int:
				v = parquet.Int32Value(int32(c.Ints[i]))
			case types.Long, types.TimeSpan:
				v = parquet.Int64Value(c.Ints[i])
			case types.DateTime:
				if micros[j] {
					v = parquet.Int64Value(c.Ints[i] / types.Microsecond)
				} else {
					v = parquet.Int64Value(c.Ints[i] * 100)
				}
			case types.Real, types.Decimal:
				v = parquet.DoubleValue(c.Reals[i])
			case types.String, types.GUID:
				v = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(c.Strs[i]), len(c.Strs[i])))
			case types.Dynamic:
				js := []byte(types.DynamicJSON(c.Dyns[i]))
				strs = append(strs, js)
				v = parquet.ByteArrayValue(js)
			}
			row[li] = v.Level(0, 1, li)
		}
		buf = append(buf, row)
		if len(buf) == batch || i == rows-1 {
			if _, err := pw.WriteRows(buf); err != nil {
				return fmt.Errorf("write parquet: %w", err)
			}
			buf, strs = buf[:0], strs[:0]
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("write parquet: %w", err)
	}
	return nil
}
