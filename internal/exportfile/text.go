// Package exportfile owns what the export importers (auditlog, signinlog)
// share in reading a file someone downloaded from a Microsoft portal or
// wrote with PowerShell: decoding its text (UTF-16 with a byte order mark,
// a UTF-8 BOM), reading a CSV export's header after Export-Csv's "#TYPE"
// line and mapping its records to the lines they start on, rendering and
// converting decoded JSON values to kql column types (saying which values
// did not fit), keeping the first of records that share an id, ordering
// them by time, and building a table in a built-in schema from records.
package exportfile

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"unicode/utf16"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

// UTF8 returns an export's text as UTF-8: UTF-16 marked by its byte order
// mark (as Windows PowerShell's Out-File and Excel's "Unicode text" write
// it) is converted, and a UTF-8 byte order mark dropped; other data is
// returned as is.
func UTF8(data []byte) []byte {
	return bytes.TrimPrefix(fromUTF16(data), []byte("\xEF\xBB\xBF"))
}

// fromUTF16 converts UTF-16 text marked by its byte order mark to UTF-8;
// other data is returned as is.
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

// Head is the start of a CSV export: its header record and where its
// records begin.
type Head struct {
	// Body is the CSV from the header record on ("#TYPE" line dropped).
	Body []byte
	// Len is how many bytes of Body the header record takes.
	Len int
	// Header is the header record's fields, as written.
	Header []string
	// Skipped is how many lines came before Body: 1 after a "#TYPE" line.
	Skipped int
}

// ReadHead reads a CSV export's header record. Export-Csv without
// -NoTypeInformation (Windows PowerShell) writes "#TYPE Deserialized...."
// above it; that line is skipped. name is the file in messages; notWhat
// ends the message for a file that is only that line ("an audit log
// export"). lazyQuotes is as encoding/csv's Reader.LazyQuotes.
func ReadHead(data []byte, name, notWhat string, lazyQuotes bool) (Head, error) {
	var h Head
	if bytes.HasPrefix(data, []byte("#TYPE")) {
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return h, fmt.Errorf("%s: only a #TYPE line: not %s", name, notWhat)
		}
		data, h.Skipped = data[nl+1:], 1
	}
	h.Body = data
	head := firstRecord(data)
	h.Len = len(head)
	r := csv.NewReader(bytes.NewReader(head))
	r.LazyQuotes = lazyQuotes
	header, err := r.Read()
	if err != nil {
		return h, fmt.Errorf("%s:%d: header: %v", name, h.Skipped+1, err)
	}
	h.Header = header
	return h, nil
}

// Read reads the records of csvText (the head's Body, or its records
// under a header rewritten) with the workspace CSV reader, typed by schema.
// lines holds the line of the file each record starts on ("#TYPE" line
// counted), or is nil when the reader split records otherwise; notes are
// what the reader said and, with lines nil, that issues name record numbers.
func (h Head) Read(csvText []byte, name string, schema types.Schema) (t *table.Table, lines []int, notes []string, err error) {
	t, rep, err := workspace.ReadCSV(bytes.NewReader(csvText), name, schema)
	if err != nil {
		return nil, nil, nil, err
	}
	if s := rep.Summary(); s != "" {
		notes = append(notes, s)
	}
	lines, note := RecordLines(h.Body, t.Rows(), name)
	if note != "" {
		notes = append(notes, note)
	}
	for i := range lines {
		lines[i] += h.Skipped
	}
	return t, lines, notes, nil
}

// firstRecord is data up to the end of its first CSV record (a quoted
// header field may hold a newline).
func firstRecord(data []byte) []byte {
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

// RecordLines returns the line of body (counting from 1) on which each of
// its rows records after the header starts, when it finds that many; else
// nil and a note for the file name that issues name record numbers (the
// CSV reader split records differently).
func RecordLines(body []byte, rows int, name string) ([]int, string) {
	lines := recordStarts(body)
	if len(lines) != rows {
		return nil, fmt.Sprintf("%s: record lines unknown: issues name the record number", name)
	}
	return lines, ""
}

// recordStarts returns the line on which each record after the header
// starts, skipping blank lines as the workspace CSV reader does. A quote
// opens a quoted field only at the field's start (elsewhere it is text);
// inside one, a doubled quote is a quote and a single one closes it.
func recordStarts(data []byte) []int {
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
