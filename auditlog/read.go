// Package auditlog owns Microsoft 365 unified audit log (UAL) exports: it
// reads the CSV files the Purview portal's Audit search exports ("Export
// results", new and classic column sets) and Search-UnifiedAuditLog |
// Export-Csv writes, and turns their records (the AuditData JSON, the Office
// 365 Management Activity API common schema) into the Sentinel table
// OfficeActivity and the Defender XDR table CloudAppEvents, typed with the
// built-in schemas, so that hunting queries and the guided notebooks run on
// an export offline.
package auditlog

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

// Record is one audit record read from an export.
type Record struct {
	File string // the export it came from
	Line int    // line of the export where its CSV record starts; 0 if unknown
	// ID is the record's Id (the export's RecordId when AuditData has none).
	ID string
	// Time is CreationTime in ticks (UTC), the export's CreationDate when
	// AuditData has none.
	Time int64
	// Operation, UserID and RecordType come from AuditData, else from the
	// export's own columns (Operation(s), UserId(s), RecordType).
	// RecordType is the AuditLogRecordType name (see RecordTypeName).
	Operation, UserID, RecordType string
	// Data is the AuditData object as the export holds it.
	Data *types.Bag
}

// Issue is a problem with one record: why it was kept out, or a value
// that did not fit its column.
type Issue struct {
	File string
	Line int // 0 when unknown
	Msg  string
}

func (i Issue) String() string {
	if i.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", i.File, i.Line, i.Msg)
	}
	return i.File + ": " + i.Msg
}

// Import collects the records of one or more exports, keeping the first
// of records that share an Id (overlapping searches export the same
// record more than once).
type Import struct {
	Records []Record
	// Skipped are the records that could not be read, with why.
	Skipped []Issue
	// Duplicates counts records left out because an earlier one had their Id.
	Duplicates int
	// Notes are what the CSV reader said about a file (records with a
	// wrong field count, values it could not convert).
	Notes []string
	ids   map[string]bool
}

// ReadFile reads one export file; see Read.
func (im *Import) ReadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return im.Read(data, path)
}

// exportColumns are the export's own columns the reader uses, by their
// lower-case names in the new Purview export, the classic one and
// Search-UnifiedAuditLog's output.
var exportColumns = map[string]string{
	"auditdata": "AuditData", "recordid": "RecordId", "identity": "RecordId",
	"creationdate": "CreationDate", "operation": "Operation", "operations": "Operation",
	"userid": "UserId", "userids": "UserId", "recordtype": "RecordType",
}

// Read reads an export's bytes; name is the file name used in messages.
// The file must have a header row with an AuditData column. Records that
// cannot be read (AuditData not a JSON object, no creation time) go to
// Skipped with their line; an error means the file as a whole is not an
// audit log export.
func (im *Import) Read(data []byte, name string) error {
	data = fromUTF16(data)
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	lineOff := 0
	// Export-Csv without -NoTypeInformation (Windows PowerShell) writes
	// "#TYPE Deserialized...." above the header.
	if bytes.HasPrefix(data, []byte("#TYPE")) {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return fmt.Errorf("%s: only a #TYPE line: not an audit log export", name)
		}
		data, lineOff = data[nl+1:], 1
	}
	header, err := csv.NewReader(bytes.NewReader(firstLine(data))).Read()
	if err != nil {
		return fmt.Errorf("%s:%d: header: %v", name, lineOff+1, err)
	}
	// The columns read by name, with the header's spelling.
	cols := map[string]string{}
	for _, h := range header {
		h = strings.TrimSpace(h)
		if c, ok := exportColumns[strings.ToLower(h)]; ok {
			if _, dup := cols[c]; !dup {
				cols[c] = h
			}
		}
	}
	if cols["AuditData"] == "" {
		return fmt.Errorf("%s: no AuditData column (header: %s): not a unified audit log export "+
			"(want the Purview Audit search's Export results, or Search-UnifiedAuditLog | Export-Csv)",
			name, strings.Join(header, ","))
	}
	// AuditData is read as dynamic; CreationDate as a datetime, in
	// whichever form the export wrote it (ISO or the portal's locale).
	schema := types.Schema{{Name: cols["AuditData"], Type: types.Dynamic}}
	if c := cols["CreationDate"]; c != "" {
		schema = append(schema, types.Column{Name: c, Type: types.DateTime})
	}
	t, rep, err := workspace.ReadCSV(bytes.NewReader(data), name, schema)
	if err != nil {
		return err
	}
	if s := rep.Summary(); s != "" {
		im.Notes = append(im.Notes, s)
	}
	lines := recordLines(data)
	if len(lines) != t.Rows() {
		lines = nil // the reader split records differently: report row numbers
		im.Notes = append(im.Notes, fmt.Sprintf("%s: record lines unknown: issues name the record number", name))
	}
	get := func(c string) *table.Column {
		if h := cols[c]; h != "" {
			return t.Column(h)
		}
		return nil
	}
	audit, created := get("AuditData"), get("CreationDate")
	recID, op, user, rtype := get("RecordId"), get("Operation"), get("UserId"), get("RecordType")
	str := func(c *table.Column, i int) string {
		if c == nil || c.IsNull(i) {
			return ""
		}
		return strings.TrimSpace(c.Value(i).String())
	}
	if im.ids == nil {
		im.ids = map[string]bool{}
	}
	for i := range t.Rows() {
		line := 0
		if lines != nil {
			line = lines[i] + lineOff
		}
		fail := func(msg string) {
			if line == 0 {
				msg = fmt.Sprintf("record %d: %s", i+1, msg)
			}
			im.Skipped = append(im.Skipped, Issue{File: name, Line: line, Msg: msg})
		}
		bag, msg := auditData(audit, i)
		if bag == nil {
			fail(msg)
			continue
		}
		r := Record{File: name, Line: line, Data: bag}
		r.ID = text(bag.Prop("Id"))
		if r.ID == "" {
			r.ID = str(recID, i)
		}
		if ct, ok := bag.Get("CreationTime"); ok && ct != nil {
			ticks, ok := parseTime(ct)
			if !ok {
				fail(fmt.Sprintf("AuditData.CreationTime %s is not a datetime", types.DynamicJSON(ct)))
				continue
			}
			r.Time = ticks
		} else if created != nil && !created.IsNull(i) {
			r.Time = created.Ints[i]
		} else {
			fail("no CreationTime in AuditData and no CreationDate: the record has no time")
			continue
		}
		r.Operation = firstNonEmpty(text(bag.Prop("Operation")), str(op, i))
		r.UserID = firstNonEmpty(text(bag.Prop("UserId")), str(user, i))
		r.RecordType = RecordTypeName(bag.Prop("RecordType"))
		if r.RecordType == "" {
			r.RecordType = str(rtype, i)
		}
		if r.ID != "" {
			if im.ids[r.ID] {
				im.Duplicates++
				continue
			}
			im.ids[r.ID] = true
		}
		im.Records = append(im.Records, r)
	}
	return nil
}

// fromUTF16 converts UTF-16 text (marked by its byte order mark, as
// Windows PowerShell's Out-File and Excel's "Unicode text" write it) to
// UTF-8; other data is returned as is.
func fromUTF16(data []byte) []byte {
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		order = binary.LittleEndian
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		order = binary.BigEndian
	default:
		return data
	}
	units := make([]uint16, 0, len(data)/2)
	for i := 2; i+1 < len(data); i += 2 {
		units = append(units, order.Uint16(data[i:]))
	}
	return []byte(string(utf16.Decode(units)))
}

// auditData returns row i's AuditData object, or why there is none.
func auditData(c *table.Column, i int) (*types.Bag, string) {
	var v any
	switch c.Type {
	case types.Dynamic:
		v = c.Dyns[i]
	default:
		v = c.Value(i).String()
	}
	switch v := v.(type) {
	case *types.Bag:
		return v, ""
	case nil:
		return nil, "AuditData is empty"
	case string:
		if strings.TrimSpace(v) == "" {
			return nil, "AuditData is empty"
		}
		// The reader keeps text that is not JSON as a string: say why.
		parsed, err := types.ParseJSON(v)
		if err != nil {
			return nil, fmt.Sprintf("AuditData is not JSON (%v): %s", err, clip(v))
		}
		if b, ok := parsed.(*types.Bag); ok {
			return b, ""
		}
		return nil, "AuditData is not a JSON object: " + clip(v)
	default:
		return nil, "AuditData is not a JSON object: " + clip(types.DynamicJSON(v))
	}
}

func clip(s string) string {
	const max = 60
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}

// firstLine is data up to the end of its first CSV record (a quoted
// header field may hold a newline).
func firstLine(data []byte) []byte {
	quoted := false
	for i, c := range data {
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\n' && !quoted:
			return data[:i+1]
		}
	}
	return data
}

// recordLines returns the line on which each record after the header
// starts, skipping blank lines as the workspace CSV reader does. A quote
// opens a quoted field only at the field's start (elsewhere it is text);
// inside one, a doubled quote is a quote and a single one closes it.
func recordLines(data []byte) []int {
	var starts []int
	line, header := 1, true
	inRecord, quoted, fieldStart := false, false, true
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !inRecord {
			if c == '\n' {
				line++
				continue
			}
			if c == '\r' && i+1 < len(data) && data[i+1] == '\n' {
				continue
			}
			inRecord, fieldStart = true, true
			if !header {
				starts = append(starts, line)
			}
		}
		switch {
		case quoted:
			if c == '"' {
				if i+1 < len(data) && data[i+1] == '"' {
					i++
				} else {
					quoted = false
				}
			} else if c == '\n' {
				line++
			}
		case c == '"' && fieldStart:
			quoted, fieldStart = true, false
		case c == ',':
			fieldStart = true
		case c == '\n':
			line++
			inRecord, header = false, false
		default:
			fieldStart = false
		}
	}
	return starts
}

// text renders a scalar AuditData value as the string a string column
// holds: strings as they are, numbers and booleans as JSON writes them,
// objects and arrays as compact JSON.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return types.FormatReal(v)
	case bool:
		return strconv.FormatBool(v)
	case types.DateTimeValue:
		return types.FormatDateTime(int64(v))
	}
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.String()
}

// writeJSON writes a dynamic value as compact JSON, keeping key order and
// leaving <, > and & as they are (the text an analyst reads and Kusto's
// tostring writes; types.DynamicJSON escapes them as Go's encoder does).
func writeJSON(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case *types.Bag:
		b.WriteByte('{')
		for i, k := range v.Keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			writeJSON(b, v.Value(i))
		}
		b.WriteByte('}')
	case string:
		writeJSONString(b, v)
	default:
		b.WriteString(types.DynamicJSON(v))
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)           // a string always encodes
	b.Truncate(b.Len() - 1) // Encode ends with a newline
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// timeLayouts are the forms audit records write datetimes in:
// CreationTime is UTC without a zone ("2026-03-02T09:15:27"); other
// properties may carry a fraction or a zone.
var timeLayouts = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// parseTime reads a datetime from a JSON value; text without a zone is UTC.
func parseTime(v any) (int64, bool) {
	switch v := v.(type) {
	case types.DateTimeValue:
		return int64(v), true
	case string:
		s := strings.TrimSpace(v)
		for _, l := range timeLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return types.TimeToTicks(t), true
			}
		}
	}
	return 0, false
}
