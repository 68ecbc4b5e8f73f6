package workspace

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// jsonCol is one column of one chunk while reading JSON. A declared column
// has a fixed type; an inferred one starts untyped, takes the type of its
// first value and widens (long to real, datetime to string, mixes to
// dynamic) when a later value does not fit.
type jsonCol struct {
	name     string
	declared bool
	b        *builder // nil while an inferred column has seen only nulls
	pending  int      // leading nulls before b exists
	raw      []string // original text of values whose type was read from a string, for exact widening
	keepRaw  bool
	rawPool  strPool
	stamp    int  // 1 + the row that last set this column
	seen     bool // some record had this key
}

func (jc *jsonCol) rows() int {
	if jc.b == nil {
		return jc.pending
	}
	return jc.b.col.Len()
}

func (jc *jsonCol) appendNull() {
	if jc.b == nil {
		jc.pending++
		return
	}
	jc.b.appendNull()
	if jc.keepRaw {
		jc.raw = append(jc.raw, "")
	}
}

func (jc *jsonCol) truncate(n int) {
	if jc.b == nil {
		jc.pending = min(jc.pending, n)
		return
	}
	jc.b.truncate(n)
	if jc.keepRaw {
		jc.raw = jc.raw[:n]
	}
}

// appendInferred adds a value to an inferred column.
func (jc *jsonCol) appendInferred(c cell) {
	t := classifyCell(c)
	if t == types.Null {
		jc.appendNull()
		return
	}
	if jc.b == nil {
		jc.b = newBuilder(jc.name, t, jc.pending+64)
		jc.keepRaw = fromString(t) && t != types.String
		for i := 0; i < jc.pending; i++ {
			jc.appendNull()
		}
		jc.pending = 0
	}
	// Widen by type, not by whether the value converts: a string column
	// would take a JSON array as text, but the column is then dynamic.
	if w := joinCell(jc.b.typ(), t); w != jc.b.typ() {
		jc.widen(w)
	}
	if !jc.b.appendCell(c) {
		jc.b.truncate(jc.b.col.Len() - 1)
		jc.widen(types.Dynamic)
		jc.b.appendCell(c)
	}
	if jc.keepRaw {
		jc.raw = append(jc.raw, jc.rawPool.get(c.b))
	}
}

// widen converts the column's values to t.
func (jc *jsonCol) widen(t types.Type) {
	if jc.b == nil {
		jc.b = newBuilder(jc.name, t, jc.pending)
		for i := 0; i < jc.pending; i++ {
			jc.b.appendNull()
		}
		jc.pending = 0
		return
	}
	old := jc.b.col
	if old.Type == t {
		return
	}
	nb := newBuilder(jc.name, t, old.Len())
	for i := 0; i < old.Len(); i++ {
		if old.IsNull(i) {
			nb.appendNull()
			continue
		}
		if jc.raw != nil {
			nb.appendCell(cell{kind: cStr, b: []byte(jc.raw[i])})
			continue
		}
		nb.appendCell(valueCell(old, i))
	}
	jc.b = nb
	jc.raw, jc.keepRaw = nil, false
}

// valueCell turns row i of a column back into a cell.
func valueCell(c *table.Column, i int) cell {
	if c.IsNull(i) {
		return cell{kind: cNull}
	}
	switch c.Type {
	case types.Bool:
		return cell{kind: cBool, i: c.Ints[i]}
	case types.Int, types.Long:
		return cell{kind: cInt, i: c.Ints[i]}
	case types.Real, types.Decimal:
		return cell{kind: cFloat, f: c.Reals[i]}
	case types.DateTime:
		return cell{kind: cTime, i: c.Ints[i]}
	case types.TimeSpan:
		return cell{kind: cSpan, i: c.Ints[i]}
	case types.String, types.GUID:
		return cell{kind: cStr, b: []byte(c.Strs[i])}
	case types.Dynamic:
		switch v := c.Dyns[i].(type) {
		case string:
			return cell{kind: cStr, b: []byte(v)}
		case bool:
			return cell{kind: cBool, i: b2i(v)}
		case int64:
			return cell{kind: cInt, i: v}
		case float64:
			return cell{kind: cFloat, f: v}
		default:
			return cell{kind: cJSON, b: []byte(types.DynamicJSON(v))}
		}
	}
	return cell{kind: cNull}
}

type jsonChunk struct {
	start, end int
	line       int
	cols       []*jsonCol
	index      map[string]int
	issues     []issue
	rows       int
	keybuf     []byte
	valbuf     []byte
}

// ReadJSONL reads JSON lines in the Log Analytics export shape: one object
// per line, column name -> value. Dynamic columns may hold nested JSON or
// JSON text in a string; datetimes are ISO 8601 strings. A file that is one
// JSON array of such objects is read too. schema fixes column types; keys
// it lacks are appended with inferred types.
func ReadJSONL(r io.Reader, name string, schema types.Schema) (*table.Table, *LoadReport, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return readJSONL(context.Background(), data, name, name, schema, readOptions{})
}

func readJSONL(ctx context.Context, data []byte, src, name string, schema types.Schema, o readOptions) (*table.Table, *LoadReport, error) {
	begin := time.Now()
	rep := &LoadReport{File: src, Format: "jsonl", Bytes: int64(len(data))}
	body := data
	if bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		body = body[3:]
	}
	var chunks []*jsonChunk
	first := skipWS(body, 0)
	env, err := findEnvelope(body, first, src)
	if err != nil {
		return nil, nil, err
	}
	if env != nil {
		// The answer's columns, typed as it says, after the schema's.
		rep.Format = "json (" + env.kind + ")"
		rep.Notes = append(rep.Notes, env.notes...)
		full := append(types.Schema(nil), schema...)
		for _, c := range env.cols {
			if full.Index(c.Name) < 0 {
				full = append(full, c)
				if schema != nil {
					rep.Warnings = append(rep.Warnings, extraColumnWarning(src, c.Name, c.Type))
				}
			}
		}
		schema = full
		ch := &jsonChunk{}
		ch.init(schema, nil)
		env.read(body, ch, src)
		chunks = []*jsonChunk{ch}
	} else if first < len(body) && body[first] == '[' {
		ch, err := parseJSONArray(body, first, src, schema)
		if err != nil {
			return nil, nil, err
		}
		chunks = []*jsonChunk{ch}
	} else {
		chunks = splitLines(body, o.nworkers())
		perWorker := make([][]caches, o.nworkers())
		for w := range perWorker {
			perWorker[w] = make([]caches, len(schema))
		}
		ev := o.ev.skip(len(data) - len(body))
		err := parallelW(ctx, len(chunks), o.nworkers(), func(w, i int) {
			ch := chunks[i]
			defer ev.evict(ch.start, ch.end) // values are copied out: the pages can go
			ch.init(schema, perWorker[w])
			line := ch.line
			for pos := ch.start; pos < ch.end; line++ {
				e := bytes.IndexByte(body[pos:ch.end], '\n')
				if e < 0 {
					e = ch.end
				} else {
					e += pos
				}
				ch.record(body[pos:e], src, line)
				pos = e + 1
			}
		})
		if err != nil {
			return nil, nil, err
		}
	}

	// Merge: declared columns in schema order, then inferred ones in the
	// order they first appear.
	var order []string
	known := map[string]bool{}
	for _, ch := range chunks {
		for _, jc := range ch.cols {
			if !known[jc.name] {
				known[jc.name] = true
				order = append(order, jc.name)
			}
		}
	}
	rows := 0
	for _, ch := range chunks {
		rows += ch.rows
	}
	t := &table.Table{Name: name}
	var missing []string
	for ci, colName := range order {
		typ := types.Null
		declared := ci < len(schema)
		if declared {
			typ = schema[ci].Type
		} else {
			for _, ch := range chunks {
				if k, ok := ch.index[colName]; ok && ch.cols[k].b != nil {
					typ = joinCell(typ, ch.cols[k].b.typ())
				}
			}
			typ = finalType(typ)
			if schema != nil {
				rep.Warnings = append(rep.Warnings, extraColumnWarning(src, colName, typ))
			}
		}
		parts := make([]*table.Column, 0, len(chunks))
		present := false
		for _, ch := range chunks {
			k, ok := ch.index[colName]
			if !ok {
				b := newBuilder(colName, typ, ch.rows)
				for r := 0; r < ch.rows; r++ {
					b.appendNull()
				}
				parts = append(parts, b.col)
				continue
			}
			jc := ch.cols[k]
			present = present || jc.seen
			jc.widen(typ)
			parts = append(parts, jc.b.col)
		}
		if declared && !present {
			missing = append(missing, colName)
		}
		t.Columns = append(t.Columns, concatColumns(colName, typ, parts))
	}
	if len(missing) > 0 {
		rep.Warnings = append(rep.Warnings, missingColumnsWarning(src, missing))
	}
	var issues []issue
	for _, ch := range chunks {
		issues = append(issues, ch.issues...)
	}
	rep.Rows = rows
	err = finishReport(rep, issues, o.maxIssues, o.strict)
	rep.Duration = time.Since(begin)
	if err != nil {
		return nil, rep, err
	}
	return t, rep, nil
}

// splitLines cuts body into chunks at line ends.
func splitLines(body []byte, workers int) []*jsonChunk {
	n := len(body) / chunkBytes
	if n < workers*4 && len(body) > minSplitBytes {
		n = workers * 4
	}
	n = max(min(n, maxChunkCnt), 1)
	var chunks []*jsonChunk
	pos, line := 0, 1
	for k := 1; k < n; k++ {
		t := int(int64(len(body)) * int64(k) / int64(n))
		if t < pos {
			continue
		}
		e := bytes.IndexByte(body[t:], '\n')
		if e < 0 {
			break
		}
		e += t + 1
		chunks = append(chunks, &jsonChunk{start: pos, end: e, line: line})
		line += bytes.Count(body[pos:e], []byte{'\n'})
		pos = e
	}
	return append(chunks, &jsonChunk{start: pos, end: len(body), line: line})
}

// init makes the declared columns, with per-worker caches when given.
func (ch *jsonChunk) init(schema types.Schema, cs []caches) {
	ch.index = make(map[string]int, len(schema)+8)
	for i, c := range schema {
		ch.index[c.Name] = len(ch.cols)
		b := newBuilder(c.Name, c.Type, 1024)
		if cs != nil {
			b = newBuilderWith(c.Name, c.Type, 1024, &cs[i])
		}
		ch.cols = append(ch.cols, &jsonCol{name: c.Name, declared: true, b: b})
	}
}

// parseJSONArray reads a file holding one JSON array of objects.
func parseJSONArray(body []byte, i int, src string, schema types.Schema) (*jsonChunk, error) {
	ch := &jsonChunk{}
	ch.init(schema, nil)
	line := 1 + bytes.Count(body[:i], []byte{'\n'})
	lineAt := i
	i = skipWS(body, i+1)
	if i < len(body) && body[i] == ']' {
		return ch, nil
	}
	for {
		line += bytes.Count(body[lineAt:i], []byte{'\n'})
		lineAt = i
		end, err := skipValue(body, i, 0)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: malformed JSON array: %v", src, line+bytes.Count(body[i:min(jsonErrOffset(err), len(body))], []byte{'\n'}), err)
		}
		ch.record(body[i:end], src, line)
		i = skipWS(body, end)
		if i < len(body) && body[i] == ',' {
			i = skipWS(body, i+1)
			continue
		}
		if i < len(body) && body[i] == ']' {
			if j := skipWS(body, i+1); j != len(body) {
				return nil, fmt.Errorf("%s: text after the JSON array", src)
			}
			return ch, nil
		}
		return nil, fmt.Errorf("%s:%d: malformed JSON array: expected , or ] after element", src, line)
	}
}

func jsonErrOffset(err error) int {
	var je *jsonError
	if errors.As(err, &je) {
		return je.off
	}
	return 0
}

// record reads one JSON object (one line) into the chunk's columns. A
// malformed line is reported and leaves no partial row behind.
func (ch *jsonChunk) record(rec []byte, src string, line int) {
	i := skipWS(rec, 0)
	if i == len(rec) {
		return // blank line
	}
	row := ch.rows
	ncols := len(ch.cols)
	fail := func(err error) {
		for _, jc := range ch.cols[:ncols] {
			jc.truncate(row)
			if jc.stamp == row+1 {
				jc.stamp = 0
			}
		}
		for _, jc := range ch.cols[ncols:] {
			delete(ch.index, jc.name)
		}
		ch.cols = ch.cols[:ncols]
		msg := "malformed JSON: " + err.Error()
		if je, ok := err.(*jsonError); ok {
			msg = "malformed JSON: " + je.msg + " at column " + strconv.Itoa(je.off+1)
		}
		ch.issues = append(ch.issues, issue{Issue{src, line, "", msg}, badLine})
	}
	if rec[i] != '{' {
		fail(jerr(rec, i, "looking for the beginning of an object"))
		return
	}
	i = skipWS(rec, i+1)
	if i < len(rec) && rec[i] == '}' {
		i++
	} else {
		for {
			if i >= len(rec) || rec[i] != '"' {
				fail(jerr(rec, i, "looking for beginning of object key string"))
				return
			}
			ks, ke, next, esc, err := scanString(rec, i)
			if err != nil {
				fail(err)
				return
			}
			key := rec[ks:ke]
			if esc {
				ch.keybuf, _ = unescapeJSON(ch.keybuf[:0], key)
				key = ch.keybuf
			}
			i = skipWS(rec, next)
			if i >= len(rec) || rec[i] != ':' {
				fail(jerr(rec, i, "after object key"))
				return
			}
			i = skipWS(rec, i+1)
			var c cell
			if i >= len(rec) {
				fail(jerr(rec, i, "looking for beginning of value"))
				return
			}
			switch v := rec[i]; {
			case v == '"':
				s, e, nx, esc, err := scanString(rec, i)
				if err != nil {
					fail(err)
					return
				}
				c = cell{kind: cStr, b: rec[s:e]}
				if esc {
					var ok bool
					if ch.valbuf, ok = unescapeJSON(ch.valbuf[:0], rec[s:e]); !ok {
						fail(&jsonError{s, "invalid escape in string literal"})
						return
					}
					c.b = ch.valbuf
				}
				next = nx
			case v == '{' || v == '[':
				e, err := skipValue(rec, i, 0)
				if err != nil {
					fail(err)
					return
				}
				c, next = cell{kind: cJSON, b: rec[i:e]}, e
			case v == '-' || isDigit(v):
				e, _, err := scanNumber(rec, i)
				if err != nil {
					fail(err)
					return
				}
				c, next = cell{kind: cNum, b: rec[i:e]}, e
			case v == 't' || v == 'f':
				lit := "true"
				if v == 'f' {
					lit = "false"
				}
				e, err := scanLiteral(rec, i, lit)
				if err != nil {
					fail(err)
					return
				}
				c, next = cell{kind: cBool, i: b2i(v == 't')}, e
			case v == 'n':
				e, err := scanLiteral(rec, i, "null")
				if err != nil {
					fail(err)
					return
				}
				c, next = cell{kind: cNull}, e
			default:
				fail(jerr(rec, i, "looking for beginning of value"))
				return
			}
			k, ok := ch.index[string(key)]
			if !ok {
				k = len(ch.cols)
				ch.index[string(key)] = k
				jc := &jsonCol{name: string(key), pending: row}
				ch.cols = append(ch.cols, jc)
			}
			jc := ch.cols[k]
			jc.seen = true
			if jc.stamp == row+1 {
				ch.issues = append(ch.issues, issue{Issue{src, line, jc.name, "duplicate key; the first value is kept"}, noteOnly})
			} else {
				jc.stamp = row + 1
				if jc.declared {
					if !jc.b.appendCell(c) {
						ch.issues = append(ch.issues, issue{Issue{src, line, jc.name, convertMessage(c.text(), jc.b.typ())}, badValue})
					}
				} else {
					jc.appendInferred(c)
				}
			}
			i = skipWS(rec, next)
			if i < len(rec) && rec[i] == ',' {
				i = skipWS(rec, i+1)
				continue
			}
			if i < len(rec) && rec[i] == '}' {
				i++
				break
			}
			fail(jerr(rec, i, "after object key:value pair"))
			return
		}
	}
	if j := skipWS(rec, i); j != len(rec) {
		fail(jerr(rec, j, "after the object"))
		return
	}
	for _, jc := range ch.cols {
		if jc.stamp != row+1 {
			jc.appendNull()
		}
	}
	ch.rows++
}

// WriteJSONL writes t as JSON lines in the Log Analytics export shape:
// datetimes and timespans as strings, dynamic values as nested JSON, nulls
// as null.
func WriteJSONL(w io.Writer, t *table.Table) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	keys := make([][]byte, len(t.Columns))
	for j, c := range t.Columns {
		if j > 0 {
			keys[j] = append(keys[j], ',')
		}
		keys[j] = append(appendJSONString(keys[j], c.Name), ':')
	}
	var buf []byte
	rows := t.Rows()
	for i := 0; i < rows; i++ {
		buf = append(buf, '{')
		for j, c := range t.Columns {
			buf = append(buf, keys[j]...)
			if c.IsNull(i) {
				buf = append(buf, "null"...)
				continue
			}
			switch c.Type {
			case types.Bool:
				buf = strconv.AppendBool(buf, c.Ints[i] != 0)
			case types.Int, types.Long:
				buf = strconv.AppendInt(buf, c.Ints[i], 10)
			case types.Real, types.Decimal:
				buf = appendJSONReal(buf, c.Reals[i])
			case types.DateTime:
				buf = append(appendDateTime(append(buf, '"'), c.Ints[i]), '"')
			case types.TimeSpan:
				buf = append(append(append(buf, '"'), types.FormatTimeSpan(c.Ints[i])...), '"')
			case types.String, types.GUID:
				buf = appendJSONString(buf, c.Strs[i])
			case types.Dynamic:
				buf = append(buf, types.DynamicJSON(c.Dyns[i])...)
			}
		}
		buf = append(buf, '}', '\n')
		if len(buf) > 128<<10 {
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}
