package auditlog

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/internal/exportfile"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// A filler computes one column's value for a record.
type filler func(r *Record) any

// officeRenames are OfficeActivity columns named differently from the
// AuditData property that fills them.
var officeRenames = map[string]string{
	"OfficeWorkload":                 "Workload",
	"OfficeObjectId":                 "ObjectId",
	"OfficeTenantId":                 "OrganizationId",
	"Site_Url":                       "SiteUrl",
	"Site_":                          "Site",
	"Source_Name":                    "SourceName",
	"Logon_Type":                     "LogonType",
	"Event_Data":                     "EventData",
	"AzureActiveDirectory_EventType": "AzureActiveDirectoryEventType",
	"Start_Time":                     "StartTime",
	"AADTarget":                      "Target",
}

// officeFillers are the OfficeActivity columns computed rather than copied.
var officeFillers = map[string]filler{
	"TimeGenerated":    func(r *Record) any { return types.DateTimeValue(r.Time) },
	"OfficeId":         func(r *Record) any { return r.ID },
	"SourceRecordId":   func(r *Record) any { return r.ID },
	"RecordType":       func(r *Record) any { return r.RecordType },
	"Operation":        func(r *Record) any { return r.Operation },
	"UserId":           func(r *Record) any { return r.UserID },
	"UserType":         func(r *Record) any { return userTypeName(r.Data.Prop("UserType")) },
	"ClientIP":         clientIP,
	"Client_IPAddress": func(r *Record) any { return StripPort(exportfile.Text(r.Data.Prop("ClientIPAddress"))) },
	"ActorIpAddress":   func(r *Record) any { return StripPort(exportfile.Text(r.Data.Prop("ActorIpAddress"))) },
	"UserAgent":        userAgent,
	"Type":             func(*Record) any { return "OfficeActivity" },
	// The Log Analytics workspace's own columns: nothing in the record.
	"TenantId":     func(*Record) any { return nil },
	"SourceSystem": func(*Record) any { return nil },
}

// cloudFillers fill CloudAppEvents; its other columns have no source in
// an audit record (Defender for Cloud Apps adds them: geolocation, ISP,
// device) and stay empty.
var cloudFillers = map[string]filler{
	"Timestamp":          func(r *Record) any { return types.DateTimeValue(r.Time) },
	"TimeGenerated":      func(r *Record) any { return types.DateTimeValue(r.Time) },
	"ActionType":         func(r *Record) any { return r.Operation },
	"Application":        func(r *Record) any { return workloadApp(exportfile.Text(r.Data.Prop("Workload"))).name },
	"ApplicationId":      func(r *Record) any { return workloadApp(exportfile.Text(r.Data.Prop("Workload"))).id },
	"AccountObjectId":    func(r *Record) any { return accountObjectID(r) },
	"AccountId":          func(r *Record) any { return firstNonEmpty(accountObjectID(r), r.UserID) },
	"AccountType":        func(r *Record) any { return userTypeName(r.Data.Prop("UserType")) },
	"IPAddress":          clientIP,
	"UserAgent":          userAgent,
	"ObjectId":           func(r *Record) any { return exportfile.Text(r.Data.Prop("ObjectId")) },
	"ObjectName":         objectName,
	"ObjectType":         objectType,
	"RawEventData":       func(r *Record) any { return r.Data },
	"ReportId":           func(r *Record) any { return r.ID },
	"Type":               func(*Record) any { return "CloudAppEvents" },
	"AccountDisplayName": func(*Record) any { return nil }, // not in audit records
}

// OfficeActivity maps records to the OfficeActivity table, one row each,
// in the built-in schema's columns and types: a column takes the
// AuditData property of its name unless renamed (officeRenames) or
// computed (officeFillers). Values that do not fit their column's type
// are left null and returned as issues.
func OfficeActivity(recs []Record) (*table.Table, []Issue) {
	return build("OfficeActivity", recs, officeFillers, officeRenames, true)
}

// CloudAppEvents maps records to the Defender XDR CloudAppEvents table,
// one row each, RawEventData holding the whole record.
func CloudAppEvents(recs []Record) (*table.Table, []Issue) {
	return build("CloudAppEvents", recs, cloudFillers, nil, false)
}

// build makes table name from recs: columns in fillers are computed; with
// copy, every other column takes the AuditData property of its name (or
// its renames entry).
func build(name string, recs []Record, fillers map[string]filler, renames map[string]string, copy bool) (*table.Table, []Issue) {
	m := exportfile.Mapping[Record]{
		Table: name,
		Data:  func(r *Record) *types.Bag { return r.Data },
		Column: func(col string) (func(*Record) any, string) {
			if f, ok := fillers[col]; ok {
				return f, ""
			}
			if !copy {
				return nil, ""
			}
			if k, ok := renames[col]; ok {
				return nil, k
			}
			return nil, col
		},
		Convert: converter,
	}
	var issues []Issue
	t := m.Build(recs, func(r *Record, msg string) {
		issues = append(issues, Issue{File: r.File, Line: r.Line, Msg: msg})
	})
	return t, issues
}

// converter reads datetimes as audit records write them (ISO 8601, UTC
// without a zone) and booleans as Go's strconv does.
var converter = exportfile.Converter{
	Time: exportfile.ParseISOTime,
	Bool: func(v any) (bool, bool) {
		switch v := v.(type) {
		case bool:
			return v, true
		case int64:
			if v == 0 || v == 1 {
				return v == 1, true
			}
		case string:
			if b, err := strconv.ParseBool(strings.TrimSpace(v)); err == nil {
				return b, true
			}
		}
		return false, false
	},
}

// StripPort returns the address of "1.2.3.4:5678" or "[2001:db8::1]:443"
// (and "[2001:db8::1]"), keeping its text; anything else, a bare IPv6
// address included, is returned unchanged. Exchange writes client
// addresses with the port; address columns hold the address alone.
func StripPort(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		if end := strings.IndexByte(s, ']'); end > 0 {
			host, rest := s[1:end], s[end+1:]
			if _, err := netip.ParseAddr(host); err == nil && (rest == "" || isPort(rest)) {
				return host
			}
		}
		return s
	}
	if i := strings.LastIndexByte(s, ':'); i > 0 && strings.IndexByte(s, ':') == i && isPort(s[i:]) {
		if a, err := netip.ParseAddr(s[:i]); err == nil && a.Is4() {
			return s[:i]
		}
	}
	return s
}

// isPort reports whether s is ":" and a port number.
func isPort(s string) bool {
	if len(s) < 2 || s[0] != ':' {
		return false
	}
	n, err := strconv.ParseUint(s[1:], 10, 16)
	return err == nil && n <= 65535
}

// clientIP is the address the record was made from: ClientIP, else
// Exchange's ClientIPAddress, else Entra ID's ActorIpAddress.
func clientIP(r *Record) any {
	for _, k := range []string{"ClientIP", "ClientIPAddress", "ActorIpAddress"} {
		if s := StripPort(exportfile.Text(r.Data.Prop(k))); s != "" {
			return s
		}
	}
	return ""
}

// userAgent is UserAgent (SharePoint, OneDrive), else the UserAgent entry
// of Entra ID's ExtendedProperties name/value list.
func userAgent(r *Record) any {
	if s := exportfile.Text(r.Data.Prop("UserAgent")); s != "" {
		return s
	}
	if props, ok := r.Data.Prop("ExtendedProperties").([]any); ok {
		for _, p := range props {
			if b, ok := p.(*types.Bag); ok && exportfile.Text(b.Prop("Name")) == "UserAgent" {
				return exportfile.Text(b.Prop("Value"))
			}
		}
	}
	return ""
}

// accountObjectID is the Entra ID object id of the account, where the
// record holds one: a GUID in Entra ID's Actor list (bare or "User_"
// prefixed), else a UserKey that is a GUID (sensitivity label and other
// Purview records; SharePoint's claim form "i:0h.f|membership|ID@live.com"
// is unwrapped). Exchange and SharePoint UserKeys are PUIDs, not object
// ids: those records leave it empty, as nothing in them names the object.
func accountObjectID(r *Record) string {
	org := exportfile.Text(r.Data.Prop("OrganizationId"))
	if actors, ok := r.Data.Prop("Actor").([]any); ok {
		for _, a := range actors {
			b, ok := a.(*types.Bag)
			if !ok {
				continue
			}
			id := strings.TrimPrefix(exportfile.Text(b.Prop("ID")), "User_")
			if exportfile.IsGUID(id) && !strings.EqualFold(id, org) {
				return strings.ToLower(id)
			}
		}
	}
	key := exportfile.Text(r.Data.Prop("UserKey"))
	if i := strings.LastIndexByte(key, '|'); i >= 0 {
		key = key[i+1:]
	}
	key, _, _ = strings.Cut(key, "@")
	if exportfile.IsGUID(key) {
		return strings.ToLower(key)
	}
	return ""
}

// objectName names the object acted on: ObjectId (a file's URL, a
// mailbox, a cmdlet's target), else the item's or file's name.
func objectName(r *Record) any {
	for _, k := range []string{"ObjectId", "ItemName", "SourceFileName"} {
		if s := exportfile.Text(r.Data.Prop(k)); s != "" {
			return s
		}
	}
	return ""
}

// objectType is SharePoint's ItemType (File, Folder, Web, ...), or File
// for sensitivity label events on documents.
func objectType(r *Record) any {
	if s := exportfile.Text(r.Data.Prop("ItemType")); s != "" {
		return s
	}
	if r.Data.Prop("SensitivityLabelEventData") != nil && r.Data.Prop("ItemName") != nil {
		return "File"
	}
	return ""
}

// Tables maps the imported records, oldest first, to OfficeActivity and
// CloudAppEvents, with the values that did not fit their columns.
func (im *Import) Tables() (office, cloud *table.Table, issues []Issue) {
	recs := exportfile.OldestFirst(im.Records, recordTime)
	office, oi := OfficeActivity(recs)
	cloud, ci := CloudAppEvents(recs)
	return office, cloud, append(oi, ci...)
}

// Span is the first and last record time in ticks; ok is false with no records.
func (im *Import) Span() (first, last int64, ok bool) {
	return exportfile.Span(im.Records, recordTime)
}

func recordTime(r *Record) int64 { return r.Time }
