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
	"fmt"
	"os"
	"strings"

	"github.com/huntbook/huntbook/internal/exportfile"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
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
	ids   exportfile.IDs
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
	data = exportfile.UTF8(data)
	head, err := exportfile.ReadHead(data, name, "an audit log export", false)
	if err != nil {
		return err
	}
	header := head.Header
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
	t, lines, notes, err := head.Read(head.Body, name, schema)
	if err != nil {
		return err
	}
	im.Notes = append(im.Notes, notes...)
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
	for i := range t.Rows() {
		line := 0
		if lines != nil {
			line = lines[i]
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
		r.ID = exportfile.Text(bag.Prop("Id"))
		if r.ID == "" {
			r.ID = str(recID, i)
		}
		if ct, ok := bag.Get("CreationTime"); ok && ct != nil {
			ticks, ok := exportfile.ParseISOTime(ct)
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
		r.Operation = firstNonEmpty(exportfile.Text(bag.Prop("Operation")), str(op, i))
		r.UserID = firstNonEmpty(exportfile.Text(bag.Prop("UserId")), str(user, i))
		r.RecordType = RecordTypeName(bag.Prop("RecordType"))
		if r.RecordType == "" {
			r.RecordType = str(rtype, i)
		}
		if !im.ids.First(r.ID) {
			im.Duplicates++
			continue
		}
		im.Records = append(im.Records, r)
	}
	return nil
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
			return nil, fmt.Sprintf("AuditData is not JSON (%v): %s", err, exportfile.Clip(v))
		}
		if b, ok := parsed.(*types.Bag); ok {
			return b, ""
		}
		return nil, "AuditData is not a JSON object: " + exportfile.Clip(v)
	default:
		return nil, "AuditData is not a JSON object: " + exportfile.Clip(types.DynamicJSON(v))
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
