package auditlog

import (
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// The synthetic exports in testdata (written by hand-made records of one
// user, Adele Vance, in a made-up tenant):
//   - purview_export.csv: the new Purview export, newest first: a label
//     removed and a label updated, a SharePoint FileDownloaded, a record
//     whose AuditData is cut short (line 5), Exchange MailItemsAccessed and
//     MailboxLogin, and an Entra ID STS UserLoggedIn;
//   - classic_export.csv: the classic columns with the portal's en-US
//     dates: an Exchange New-InboxRule, a OneDrive FileAccessed whose
//     AuditData has no CreationTime, and the MailboxLogin again.
const (
	purview = "testdata/purview_export.csv"
	classic = "testdata/classic_export.csv"
	adele   = "7e1d6a3b-2f4c-4b8e-9a51-3c2d1e0f9a88"
	org     = "4a7c8238-5799-4b16-9fc6-9ad8fce5a7d9"
	q1      = "https://contoso.sharepoint.com/sites/Finance/Shared Documents/Q1 forecast.xlsx"
)

func readBoth(t *testing.T) *Import {
	t.Helper()
	var im Import
	for _, f := range []string{purview, classic} {
		if err := im.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	return &im
}

func TestReadExports(t *testing.T) {
	im := readBoth(t)
	if len(im.Records) != 8 || im.Duplicates != 1 {
		t.Fatalf("records %d, duplicates %d; want 8 and 1 (the MailboxLogin in both files)", len(im.Records), im.Duplicates)
	}
	if len(im.Skipped) != 1 {
		t.Fatalf("skipped %v; want the one cut-short record", im.Skipped)
	}
	if got := im.Skipped[0].String(); !strings.HasPrefix(got, purview+":5: AuditData is not JSON") {
		t.Errorf("skipped = %q; want %s:5: AuditData is not JSON ...", got, purview)
	}
	byOp := map[string]Record{}
	for _, r := range im.Records {
		byOp[r.Operation] = r
	}
	tests := []struct {
		op, file   string
		line       int
		time, user string
		recordType string
	}{
		{"SensitivityLabelRemoved", purview, 2, "2026-03-02T10:31:45Z", "adele.vance@contoso.com", "SensitivityLabelAction"},
		{"FileDownloaded", purview, 4, "2026-03-02T09:15:27Z", "adele.vance@contoso.com", "SharePointFileOperation"},
		{"UserLoggedIn", purview, 8, "2026-03-02T07:58:03Z", "adele.vance@contoso.com", "AzureActiveDirectoryStsLogon"},
		{"MailboxLogin", purview, 7, "2026-03-02T08:02:11Z", "adele.vance@contoso.com", "ExchangeItem"},
		{"New-InboxRule", classic, 2, "2026-03-02T11:42:10Z", "adele.vance@contoso.com", "ExchangeAdmin"},
		// No CreationTime in AuditData: the export's en-US CreationDate.
		{"FileAccessed", classic, 3, "2026-03-02T11:50:02Z", "adele.vance@contoso.com", "SharePointFileOperation"},
	}
	for _, tc := range tests {
		r, ok := byOp[tc.op]
		if !ok {
			t.Errorf("%s: not read", tc.op)
			continue
		}
		if r.File != tc.file || r.Line != tc.line || types.FormatDateTime(r.Time) != tc.time || r.UserID != tc.user || r.RecordType != tc.recordType {
			t.Errorf("%s: %s:%d %s %s %s; want %s:%d %s %s %s", tc.op, r.File, r.Line, types.FormatDateTime(r.Time), r.UserID, r.RecordType,
				tc.file, tc.line, tc.time, tc.user, tc.recordType)
		}
	}
}

func TestReadUTF16(t *testing.T) {
	// The classic export re-saved as UTF-16 (Out-File, Excel "Unicode text") reads the same.
	b, err := os.ReadFile(classic)
	if err != nil {
		t.Fatal(err)
	}
	for _, order := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		bom := []byte{0xFF, 0xFE}
		if order == binary.BigEndian {
			bom = []byte{0xFE, 0xFF}
		}
		data := bom
		for _, u := range utf16.Encode([]rune(string(b))) {
			data = order.AppendUint16(data, u)
		}
		var im Import
		if err := im.Read(data, "utf16.csv"); err != nil {
			t.Fatalf("%v: %v", order, err)
		}
		if len(im.Records) != 3 || len(im.Skipped) != 0 || im.Records[0].Operation != "New-InboxRule" || im.Records[2].Line != 4 {
			t.Errorf("%v: %d records, skipped %v", order, len(im.Records), im.Skipped)
		}
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, data string
		err        string // "" when the file reads
		skipped    []string
		records    int
	}{
		{name: "no AuditData", data: "CreationDate,UserIds,Operations\n2026-03-02,a,b\n", err: "no AuditData column"},
		{name: "empty", data: "", err: "header"},
		{name: "type line only", data: "#TYPE Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.AuditRecord", err: "only a #TYPE line"},
		{
			// Search-UnifiedAuditLog | Export-Csv in Windows PowerShell: a
			// #TYPE line, the Identity column; a record over three lines.
			name: "powershell",
			data: "#TYPE Deserialized.Microsoft.Exchange.Management.SystemConfigurationTasks.AuditRecord\r\n" +
				"\"RunspaceId\",\"RecordType\",\"CreationDate\",\"UserIds\",\"Operations\",\"AuditData\",\"ResultIndex\",\"ResultCount\",\"Identity\"\r\n" +
				"\"r\",\"SharePointFileOperation\",\"3/2/2026 9:15:27 AM\",\"a@contoso.com\",\"FileDownloaded\",\"{\"\"CreationTime\"\":\"\"2026-03-02T09:15:27\"\",\r\n\"\"Operation\"\":\r\n\"\"FileDownloaded\"\",\"\"RecordType\"\":6}\",\"1\",\"3\",\"id-1\"\r\n" +
				"\r\n" +
				"\"r\",\"ExchangeItem\",\"3/2/2026 9:20:00 AM\",\"a@contoso.com\",\"MailboxLogin\",\"[1,2]\",\"2\",\"3\",\"id-2\"\r\n" +
				"\"r\",\"ExchangeItem\",\"\",\"a@contoso.com\",\"MailboxLogin\",\"{\"\"CreationTime\"\":\"\"yesterday\"\"}\",\"3\",\"3\",\"id-3\"\r\n" +
				"\"r\",\"ExchangeItem\",\"\",\"a@contoso.com\",\"MailboxLogin\",\"{\"\"Operation\"\":\"\"MailboxLogin\"\"}\",\"3\",\"3\",\"id-4\"\r\n",
			skipped: []string{
				"powershell:7: AuditData is not a JSON object: \"[1,2]\"",
				"powershell:8: AuditData.CreationTime \"yesterday\" is not a datetime",
				"powershell:9: no CreationTime in AuditData and no CreationDate: the record has no time",
			},
			records: 1,
		},
		{
			// A quote inside an unquoted field is text: lines stay right.
			name: "lone quote",
			data: "CreationDate,UserIds,Operations,AuditData\n" +
				`2026-03-02T09:00:00Z,a"b,op,"{""CreationTime"":""2026-03-02T09:00:00"",""Id"":""id-1""}"` + "\n\n" +
				"2026-03-02T09:00:00Z,ab,op,nope\n",
			skipped: []string{`lone quote:4: AuditData is not JSON (invalid character 'o' in literal null (expecting 'u')): "nope"`},
			records: 1,
		},
	}
	for _, tc := range tests {
		var im Import
		err := im.Read([]byte(tc.data), tc.name)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), tc.name) {
				t.Errorf("%s: error %v; want one naming the file and saying %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var got []string
		for _, s := range im.Skipped {
			got = append(got, s.String())
		}
		if strings.Join(got, "\n") != strings.Join(tc.skipped, "\n") || len(im.Records) != tc.records {
			t.Errorf("%s: %d records, skipped\n%s\nwant %d records, skipped\n%s", tc.name, len(im.Records),
				strings.Join(got, "\n"), tc.records, strings.Join(tc.skipped, "\n"))
		}
		if tc.name == "powershell" && (im.Records[0].ID != "id-1" || im.Records[0].Line != 3) {
			t.Errorf("%s: first record %q at line %d; want id-1 (the Identity column) at line 3", tc.name, im.Records[0].ID, im.Records[0].Line)
		}
	}
}

// cell is a table cell as Kusto shows it.
func cell(t *testing.T, tb *table.Table, row int, col string) string {
	t.Helper()
	c := tb.Column(col)
	if c == nil {
		t.Fatalf("%s has no column %s", tb.Name, col)
	}
	return c.Value(row).String()
}

// rowOf finds the row whose column col is val.
func rowOf(t *testing.T, tb *table.Table, col, val string) int {
	t.Helper()
	for i := range tb.Rows() {
		if cell(t, tb, i, col) == val {
			return i
		}
	}
	t.Fatalf("%s: no row with %s == %q", tb.Name, col, val)
	return -1
}

func TestOfficeActivity(t *testing.T) {
	im := readBoth(t)
	office, _, issues := im.Tables()
	if len(issues) != 0 {
		t.Errorf("issues: %v", issues)
	}
	if office.Rows() != 8 {
		t.Fatalf("%d rows; want 8", office.Rows())
	}
	if got := cell(t, office, 0, "Operation"); got != "UserLoggedIn" {
		t.Errorf("first row %s; want the oldest, UserLoggedIn", got)
	}
	tests := []struct {
		op   string
		cols map[string]string
	}{
		{"FileDownloaded", map[string]string{
			"TimeGenerated": "2026-03-02T09:15:27Z", "OfficeId": "0f3b2a71-6a4e-4c1e-9d5a-2b7f4c1e8a04",
			"SourceRecordId": "0f3b2a71-6a4e-4c1e-9d5a-2b7f4c1e8a04", "RecordType": "SharePointFileOperation",
			"OfficeWorkload": "SharePoint", "OrganizationId": org, "OfficeTenantId": org, "UserType": "Regular",
			"UserKey": "i:0h.f|membership|10032002a1b2c3d4@live.com", "UserId": "adele.vance@contoso.com",
			"ClientIP": "203.0.113.24", "OfficeObjectId": q1, "Site_Url": "https://contoso.sharepoint.com/sites/Finance/",
			"Site_": "d9c5a1e2-7b3f-4c8d-a6e5-f4b3c2d1e0a9", "SourceFileName": "Q1 forecast.xlsx", "SourceFileExtension": "xlsx",
			"SourceRelativeUrl": "Shared Documents", "ItemType": "File", "EventSource": "SharePoint",
			"UserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
			"Type":      "OfficeActivity", "TenantId": "", "ResultStatus": "", "MailboxGuid": "",
		}},
		{"MailboxLogin", map[string]string{
			"RecordType": "ExchangeItem", "OfficeWorkload": "Exchange", "ResultStatus": "Succeeded",
			"ClientIP": "2001:db8:4a::17", "Client_IPAddress": "2001:db8:4a::17", "ClientInfoString": "Client=OWA;Action=ViaProxy",
			"MailboxGuid": "0b6d3e8f-1c2a-4f5e-9d7c-8a6b5c4d3e2f", "MailboxOwnerUPN": "adele.vance@contoso.com",
			"MailboxOwnerSid": "S-1-5-21-1843151660-3234030288-1691327580-14562301",
			"LogonUserSid":    "S-1-5-21-1843151660-3234030288-1691327580-14562301", "ExternalAccess": "false",
			"Logon_Type": "0", "InternalLogonType": "0", "OriginatingServer": "AM6PR04MB5641 (15.20.7316.031)\r\n",
			"OrganizationName": "contoso.onmicrosoft.com", "UserKey": "10032002A1B2C3D4",
		}},
		{"MailItemsAccessed", map[string]string{
			"RecordType": "ExchangeItemAggregated", "ClientIP": "198.51.100.7", "Client_IPAddress": "198.51.100.7",
			"Folders":             `[{"FolderItems":[{"InternetMessageId":"<AM6PR04MB56410F1E2D3C4B5A@AM6PR04MB5641.eurprd04.prod.outlook.com>","SizeInBytes":48211}],"Id":"LgAAAADx5z3o","Path":"\\Inbox"}]`,
			"OperationProperties": `[{"Name":"MailAccessType","Value":"Bind"},{"Name":"IsThrottled","Value":"False"}]`,
			"AppId":               "00000002-0000-0ff1-ce00-000000000000", "ClientAppId": "",
		}},
		{"UserLoggedIn", map[string]string{
			"RecordType": "AzureActiveDirectoryStsLogon", "OfficeWorkload": "AzureActiveDirectory", "ResultStatus": "Success",
			"ClientIP": "203.0.113.24", "ActorIpAddress": "203.0.113.24", "AzureActiveDirectory_EventType": "1",
			"ActorContextId": org, "TargetContextId": org, "IntraSystemId": "e3d2c1b0-a9f8-4e7d-b6c5-d4e3f2a1b0c9",
			"InterSystemsId": "b7f0c1d2-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "ApplicationId": "4765445b-32c6-49b0-83e6-1d93765276ca",
			"Actor":     `[{"ID":"` + adele + `","Type":0},{"ID":"adele.vance@contoso.com","Type":5}]`,
			"AADTarget": `[{"ID":"00000003-0000-0ff1-ce00-000000000000","Type":0}]`, "ModifiedProperties": "[]",
			"UserAgent":      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
			"OfficeObjectId": "00000003-0000-0ff1-ce00-000000000000",
		}},
		{"New-InboxRule", map[string]string{
			"RecordType": "ExchangeAdmin", "UserType": "Admin", "ResultStatus": "True", "ClientIP": "198.51.100.7",
			"Parameters":     `[{"Name":"AlwaysDeleteOutlookRulesBlob","Value":"False"},{"Name":"Force","Value":"False"},{"Name":"MoveToFolder","Value":"RSS Feeds"},{"Name":"Name","Value":".."},{"Name":"SubjectOrBodyContainsWords","Value":"invoice;payment"},{"Name":"StopProcessingRules","Value":"True"}]`,
			"OfficeObjectId": `adele.vance@contoso.com\..`, "TimeGenerated": "2026-03-02T11:42:10Z",
		}},
		{"SensitivityLabelUpdated", map[string]string{
			"RecordType": "SensitivityLabelAction", "OfficeWorkload": "Microsoft Information Protection",
			"Application": "Microsoft Excel", "ItemName": "Q1 forecast.xlsx", "UserKey": adele, "OfficeObjectId": q1,
		}},
		{"FileAccessed", map[string]string{
			"OfficeWorkload": "OneDrive", "TimeGenerated": "2026-03-02T11:50:02Z", "SourceFileName": "notes.txt",
		}},
	}
	for _, tc := range tests {
		row := rowOf(t, office, "Operation", tc.op)
		for col, want := range tc.cols {
			if got := cell(t, office, row, col); got != want {
				t.Errorf("%s: %s = %q; want %q", tc.op, col, got, want)
			}
		}
	}
	// The types are the built-in schema's.
	for _, c := range []struct {
		name string
		typ  types.Type
	}{{"TimeGenerated", types.DateTime}, {"InternalLogonType", types.Int}, {"OperationProperties", types.Dynamic}, {"CrossMailboxOperations", types.Bool}} {
		if got := office.Column(c.name).Type; got != c.typ {
			t.Errorf("%s is %s; want %s", c.name, got, c.typ)
		}
	}
}

func TestCloudAppEvents(t *testing.T) {
	im := readBoth(t)
	_, cloud, _ := im.Tables()
	tests := []struct {
		op   string
		cols map[string]string
	}{
		{"SensitivityLabelUpdated", map[string]string{
			"Timestamp": "2026-03-02T10:20:00Z", "TimeGenerated": "2026-03-02T10:20:00Z", "ActionType": "SensitivityLabelUpdated",
			"Application": "Microsoft 365", "ApplicationId": "11161", "AccountObjectId": adele, "AccountId": adele,
			"AccountType": "Regular", "IPAddress": "203.0.113.24", "ObjectName": q1, "ObjectId": q1, "ObjectType": "File",
			"ReportId": "6e5d4c3b-2a1f-4e0d-9c8b-7a6f5e4d3c05", "Type": "CloudAppEvents", "AccountDisplayName": "", "City": "",
		}},
		{"SensitivityLabelRemoved", map[string]string{
			"Application": "Microsoft SharePoint Online", "ApplicationId": "20892", "IPAddress": "2001:db8:4a::17",
			"AccountObjectId": adele, "ObjectType": "File",
		}},
		{"FileDownloaded", map[string]string{
			"Application": "Microsoft SharePoint Online", "IPAddress": "203.0.113.24", "ObjectType": "File", "ObjectName": q1,
			// SharePoint's UserKey is a PUID, not an object id.
			"AccountObjectId": "", "AccountId": "adele.vance@contoso.com",
			"UserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
		}},
		{"MailItemsAccessed", map[string]string{
			"Application": "Microsoft Exchange Online", "ApplicationId": "20893", "IPAddress": "198.51.100.7", "ObjectName": "",
		}},
		{"UserLoggedIn", map[string]string{
			"Application": "Microsoft 365", "AccountObjectId": adele, "IPAddress": "203.0.113.24",
			"UserAgent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
		}},
		{"FileAccessed", map[string]string{"Application": "Microsoft OneDrive for Business", "ApplicationId": "15600"}},
		{"New-InboxRule", map[string]string{"AccountType": "Admin", "Application": "Microsoft Exchange Online"}},
	}
	for _, tc := range tests {
		row := rowOf(t, cloud, "ActionType", tc.op)
		for col, want := range tc.cols {
			if got := cell(t, cloud, row, col); got != want {
				t.Errorf("%s: %s = %q; want %q", tc.op, col, got, want)
			}
		}
	}
	// RawEventData is the whole record.
	row := rowOf(t, cloud, "ActionType", "SensitivityLabelRemoved")
	raw, ok := cloud.Column("RawEventData").Dyns[row].(*types.Bag)
	if !ok {
		t.Fatalf("RawEventData is %T", cloud.Column("RawEventData").Dyns[row])
	}
	data, _ := raw.Prop("SensitivityLabelEventData").(*types.Bag)
	if data == nil || data.Prop("JustificationText") != "Previous label no longer applies" || raw.Prop("RecordType") != int64(83) {
		t.Errorf("RawEventData = %s", types.DynamicJSON(raw))
	}
}

func TestStripPort(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.2.3.4:5678", "1.2.3.4"},
		{"1.2.3.4", "1.2.3.4"},
		{"[2001:db8::1]:443", "2001:db8::1"},
		{"[2001:db8::1]", "2001:db8::1"},
		{"2001:db8::1", "2001:db8::1"},
		{"::ffff:10.0.0.1", "::ffff:10.0.0.1"},
		{"1.2.3.4:99999", "1.2.3.4:99999"},
		{"host.example:80", "host.example:80"},
		{"[not-an-ip]:80", "[not-an-ip]:80"},
		{" 10.1.1.1:1 ", "10.1.1.1"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := StripPort(tc.in); got != tc.want {
			t.Errorf("StripPort(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestRecordTypeName(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{int64(6), "SharePointFileOperation"},
		{float64(15), "AzureActiveDirectoryStsLogon"},
		{"83", "SensitivityLabelAction"},
		{"ExchangeItem", "ExchangeItem"},
		{int64(9999), "9999"},
		{nil, ""},
	}
	for _, tc := range tests {
		if got := RecordTypeName(tc.in); got != tc.want {
			t.Errorf("RecordTypeName(%v) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestConvertIssues(t *testing.T) {
	// A value that does not fit its column is left empty and reported.
	var im Import
	data := "CreationDate,UserIds,Operations,AuditData\n" +
		`2026-03-02T09:00:00Z,a,b,"{""CreationTime"":""2026-03-02T09:00:00"",""Id"":""x"",""InternalLogonType"":""owner"",""IsManagedDevice"":true}"` + "\n"
	if err := im.Read([]byte(data), "t.csv"); err != nil {
		t.Fatal(err)
	}
	office, _, issues := im.Tables()
	if len(issues) != 1 || issues[0].String() != `t.csv:2: OfficeActivity.InternalLogonType: "owner" is not a int; left empty` {
		t.Errorf("issues = %v", issues)
	}
	if got := cell(t, office, 0, "IsManagedDevice"); got != "true" {
		t.Errorf("IsManagedDevice = %q", got)
	}
	if !office.Column("InternalLogonType").IsNull(0) {
		t.Error("InternalLogonType not null")
	}
}

// BenchmarkImport reads and maps an export of 20,000 records (the
// classic portal export's limit is 50,000): records per second is the target.
func BenchmarkImport(b *testing.B) {
	src, err := os.ReadFile(purview)
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(src), "\r\n"), "\r\n")
	var buf strings.Builder
	buf.WriteString(lines[0] + "\r\n")
	const n = 20000
	for i := 0; i < n; i++ {
		l := lines[2+i%3] // label updated, FileDownloaded, (the bad row skipped)
		if i%3 == 2 {
			l = lines[6]
		}
		// A distinct Id per record, so none is a duplicate.
		buf.WriteString(strings.Replace(l, `""Id"":""`, fmt.Sprintf(`""Id"":""%08d`, i), 1) + "\r\n")
	}
	data := []byte(buf.String())
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		var im Import
		if err := im.Read(data, "bench.csv"); err != nil {
			b.Fatal(err)
		}
		office, cloud, _ := im.Tables()
		if office.Rows() != n || cloud.Rows() != n {
			b.Fatalf("%d, %d rows", office.Rows(), cloud.Rows())
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "records/s")
}
