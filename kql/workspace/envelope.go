package workspace

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/kql/types"
)

// Query answers saved as they came from an API, which is how scripts take
// logs offline (az rest, Invoke-RestMethod, a notebook's requests.post):
//
//   - Log Analytics query API: {"tables": [{"name": "PrimaryResult",
//     "columns": [{"name", "type"}], "rows": [[...], ...]}]}
//   - Azure Data Explorer v1: {"Tables": [{"TableName", "Columns":
//     [{"ColumnName", "ColumnType"}], "Rows": [...]}, ...]} (the first table)
//   - Azure Data Explorer v2: [{"FrameType": "DataSetHeader"}, ...,
//     {"FrameType": "DataTable", "TableKind": "PrimaryResult", ...}, ...]
//   - Defender XDR advanced hunting (Defender for Endpoint API, Graph
//     runHuntingQuery): {"Schema": [{"Name", "Type"}], "Results": [{...}]}
//   - any Microsoft Graph list (sign-ins, audit logs, alerts):
//     {"@odata.context": ..., "value": [{...}]}, one page of it
//
// An envelope's rows are read as JSON records of its columns, with the
// types it declares for the columns no schema fixes.

// envelope is where an answer's rows are in the file.
type envelope struct {
	kind   string
	notes  []string
	cols   types.Schema
	rows   []span // each row: a JSON array in column order, or an object
	arrays bool
}

type span struct{ start, end int }

// member is one key of a JSON object and its value's span.
type jsonMember struct {
	key        string
	start, end int
}

// objectMembers lists the members of the object at b[i].
func objectMembers(b []byte, i int) ([]jsonMember, int, error) {
	if i >= len(b) || b[i] != '{' {
		return nil, i, jerr(b, i, "looking for the beginning of an object")
	}
	var ms []jsonMember
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil, i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, i, jerr(b, i, "looking for beginning of object key string")
		}
		ks, ke, next, esc, err := scanString(b, i)
		if err != nil {
			return nil, i, err
		}
		key := string(b[ks:ke])
		if esc {
			k, _ := unescapeJSON(nil, b[ks:ke])
			key = string(k)
		}
		i = skipWS(b, next)
		if i >= len(b) || b[i] != ':' {
			return nil, i, jerr(b, i, "after object key")
		}
		i = skipWS(b, i+1)
		end, err := skipValue(b, i, 0)
		if err != nil {
			return nil, i, err
		}
		ms = append(ms, jsonMember{key, i, end})
		i = skipWS(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return ms, i + 1, nil
		}
		return nil, i, jerr(b, i, "after object key:value pair")
	}
}

// arrayElements lists the element spans of the array at b[i].
func arrayElements(b []byte, i int) ([]span, error) {
	if i >= len(b) || b[i] != '[' {
		return nil, jerr(b, i, "looking for the beginning of an array")
	}
	var es []span
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return nil, nil
	}
	for {
		end, err := skipValue(b, i, 0)
		if err != nil {
			return nil, err
		}
		es = append(es, span{i, end})
		i = skipWS(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			return es, nil
		}
		return nil, jerr(b, i, "after array element")
	}
}

// get is the member named one of keys (an API's spellings of one field).
func get(ms []jsonMember, keys ...string) (jsonMember, bool) {
	for _, k := range keys {
		for _, m := range ms {
			if m.key == k {
				return m, true
			}
		}
	}
	return jsonMember{}, false
}

// text is a member's value as a string ("" unless it is a JSON string).
func text(b []byte, m jsonMember) string {
	if m.end-m.start < 2 || b[m.start] != '"' {
		return ""
	}
	s, _ := unescapeJSON(nil, b[m.start+1:m.end-1])
	return string(s)
}

// findEnvelope recognises an API answer in a whole JSON document whose
// first value starts at body[first]; nil when the document is JSON lines
// or a plain array of records.
func findEnvelope(body []byte, first int, src string) (*envelope, error) {
	switch {
	case first >= len(body):
		return nil, nil
	case body[first] == '[':
		return findFrames(body, first, src)
	case body[first] != '{':
		return nil, nil
	}
	end, err := skipValue(body, first, 0)
	if err != nil || skipWS(body, end) != len(body) {
		return nil, nil // several values: JSON lines (reported line by line)
	}
	ms, _, err := objectMembers(body, first)
	if err != nil {
		return nil, nil
	}
	if e, ok := get(ms, "error"); ok && len(ms) <= 2 {
		var code, msg string
		if ems, _, err := objectMembers(body, e.start); err == nil {
			if c, ok := get(ems, "code"); ok {
				code = text(body, c)
			}
			if m, ok := get(ems, "message"); ok {
				msg = text(body, m)
			}
		}
		return nil, fmt.Errorf("%s: the file holds an API error, not a table: %s", src, strings.TrimPrefix(code+": "+msg, ": "))
	}
	if tm, ok := get(ms, "tables", "Tables"); ok {
		tables, err := arrayElements(body, tm.start)
		if err != nil || len(tables) == 0 {
			return nil, fmt.Errorf("%s:%d: the query answer's %s list holds no table", src, lineAt(body, tm.start), tm.key)
		}
		pick := tables[0]
		for _, t := range tables {
			if tms, _, err := objectMembers(body, t.start); err == nil {
				if n, ok := get(tms, "name", "TableName"); ok && text(body, n) == "PrimaryResult" {
					pick = t
					break
				}
			}
		}
		kind := "Log Analytics query API answer"
		if tm.key == "Tables" {
			kind = "Azure Data Explorer v1 answer"
		}
		return tableEnvelope(body, pick.start, src, kind)
	}
	sm, ok1 := get(ms, "Schema", "schema")
	rm, ok2 := get(ms, "Results", "results")
	if ok1 && ok2 {
		cols, err := envelopeColumns(body, sm, src)
		if err != nil {
			return nil, err
		}
		rows, err := arrayElements(body, rm.start)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %v", src, lineAt(body, rm.start), rm.key, err)
		}
		return &envelope{kind: "advanced hunting answer", cols: cols, rows: rows}, nil
	}
	vm, okV := get(ms, "value")
	_, okC := get(ms, "@odata.context")
	if okV && okC && body[vm.start] == '[' {
		rows, err := arrayElements(body, vm.start)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: value: %v", src, lineAt(body, vm.start), err)
		}
		e := &envelope{kind: "Microsoft Graph list", rows: rows}
		if _, more := get(ms, "@odata.nextLink"); more {
			e.notes = append(e.notes, src+": a Microsoft Graph answer with more pages (@odata.nextLink): the file holds one page of it")
		}
		return e, nil
	}
	return nil, nil
}

// findFrames recognises Azure Data Explorer's v2 answer: an array of frames.
func findFrames(body []byte, first int, src string) (*envelope, error) {
	ms, _, err := objectMembers(body, skipWS(body, first+1))
	if err != nil {
		return nil, nil
	}
	if _, ok := get(ms, "FrameType"); !ok {
		return nil, nil // an array of records
	}
	els, err := arrayElements(body, first)
	if err != nil {
		return nil, fmt.Errorf("%s: an Azure Data Explorer v2 answer: %v", src, err)
	}
	for _, el := range els {
		fms, _, err := objectMembers(body, el.start)
		if err != nil {
			continue
		}
		ft, _ := get(fms, "FrameType")
		tk, _ := get(fms, "TableKind")
		if text(body, ft) == "DataTable" && text(body, tk) == "PrimaryResult" {
			return tableEnvelope(body, el.start, src, "Azure Data Explorer v2 answer")
		}
	}
	return nil, fmt.Errorf("%s: an Azure Data Explorer v2 answer without a PrimaryResult table", src)
}

// tableEnvelope reads one table object: its columns and its rows.
func tableEnvelope(body []byte, at int, src, kind string) (*envelope, error) {
	ms, _, err := objectMembers(body, at)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %s: %v", src, lineAt(body, at), kind, err)
	}
	cm, ok := get(ms, "columns", "Columns")
	if !ok {
		return nil, fmt.Errorf("%s:%d: %s: the table has no columns list", src, lineAt(body, at), kind)
	}
	cols, err := envelopeColumns(body, cm, src)
	if err != nil {
		return nil, err
	}
	rm, ok := get(ms, "rows", "Rows")
	if !ok {
		return nil, fmt.Errorf("%s:%d: %s: the table has no rows list", src, lineAt(body, at), kind)
	}
	rows, err := arrayElements(body, rm.start)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %s: rows: %v", src, lineAt(body, rm.start), kind, err)
	}
	return &envelope{kind: kind, cols: cols, rows: rows, arrays: true}, nil
}

// envelopeColumns reads a columns list: names with Kusto, .NET or Defender
// type names (string, System.String, String, Int64, Object ...).
func envelopeColumns(body []byte, m jsonMember, src string) (types.Schema, error) {
	els, err := arrayElements(body, m.start)
	if err != nil {
		return nil, fmt.Errorf("%s:%d: %s: %v", src, lineAt(body, m.start), m.key, err)
	}
	var cols types.Schema
	for k, el := range els {
		ms, _, err := objectMembers(body, el.start)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s[%d]: %v", src, lineAt(body, el.start), m.key, k, err)
		}
		n, ok := get(ms, "name", "Name", "ColumnName")
		name := text(body, n)
		if !ok || name == "" {
			return nil, fmt.Errorf("%s:%d: %s[%d] has no column name", src, lineAt(body, el.start), m.key, k)
		}
		typ := types.String
		if tm, ok := get(ms, "type", "Type", "ColumnType", "DataType"); ok {
			t, ok := types.Parse(text(body, tm))
			if !ok {
				return nil, fmt.Errorf("%s:%d: column %s: unknown type %s", src, lineAt(body, tm.start), name, body[tm.start:tm.end])
			}
			typ = t
		}
		if cols.Index(name) >= 0 {
			return nil, fmt.Errorf("%s:%d: column %s appears twice", src, lineAt(body, el.start), name)
		}
		cols = append(cols, types.Column{Name: name, Type: typ})
	}
	return cols, nil
}

func lineAt(b []byte, off int) int { return 1 + bytes.Count(b[:min(off, len(b))], []byte{'\n'}) }

// read feeds the envelope's rows to a chunk as records. A row of arrays
// with the wrong number of values is kept (padded with nulls or cut) and
// reported, as a CSV record is.
func (e *envelope) read(body []byte, ch *jsonChunk, src string) {
	var rec []byte
	line, lineOff := 1, 0
	for _, r := range e.rows {
		line += bytes.Count(body[lineOff:r.start], []byte{'\n'})
		lineOff = r.start
		if !e.arrays {
			ch.record(body[r.start:r.end], src, line)
			continue
		}
		vals, err := arrayElements(body, r.start)
		if err != nil {
			ch.issues = append(ch.issues, issue{Issue{src, line, "", "a row that is not an array of values: " + quoteValue(body[r.start:r.end])}, badLine})
			continue
		}
		rec = append(rec[:0], '{')
		for k, v := range vals {
			if k == len(e.cols) {
				break
			}
			if k > 0 {
				rec = append(rec, ',')
			}
			rec = appendJSONString(rec, e.cols[k].Name)
			rec = append(rec, ':')
			rec = append(rec, body[v.start:v.end]...)
		}
		rec = append(rec, '}')
		ch.record(rec, src, line)
		switch n := len(vals); {
		case n < len(e.cols):
			ch.issues = append(ch.issues, issue{Issue{src, line, "", "row has " + strconv.Itoa(n) + " values, the table " + strconv.Itoa(len(e.cols)) + " columns: kept, padded with nulls"}, paddedLine})
		case n > len(e.cols):
			ch.issues = append(ch.issues, issue{Issue{src, line, "", "row has " + strconv.Itoa(n) + " values, the table " + strconv.Itoa(len(e.cols)) + " columns: kept, the extra values cut"}, cutLine})
		}
	}
}
