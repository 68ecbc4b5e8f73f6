package signinlog

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// The synthetic downloads: the same six sign-ins of one morning at
// Contoso (a success with MFA, two 50126 bad passwords and a 50074 MFA
// prompt from one address in Lagos, a risky success from Amsterdam, a
// non-interactive token refresh) in each of the shapes responders have.
var (
	graphPage   = filepath.Join("testdata", "graph_page.json")
	portalJSON  = filepath.Join("testdata", "InteractiveSignIns_2026-03-02_2026-03-03.json")
	portalCSV   = filepath.Join("testdata", "InteractiveSignIns_2026-03-02_2026-03-03.csv")
	nonInterCSV = filepath.Join("testdata", "NonInteractiveSignIns_2026-03-02_2026-03-03.csv")
	mgJSON      = filepath.Join("testdata", "mg_signins.json")
	mgDepth2    = filepath.Join("testdata", "mg_depth2.json")
	diagnostic  = filepath.Join("testdata", "diagnostic_records.json")
	jsonlFile   = filepath.Join("testdata", "signins.jsonl")
)

const (
	idMFA     = "a1f0c6de-2b3c-4d5e-8f90-1a2b3c4d5e01"
	idBadPwd  = "b2e1d7ef-3c4d-4e5f-9a01-2b3c4d5e6f02"
	idBadPwd2 = "c3f2e8a0-4d5e-4f60-8b12-3c4d5e6f7a03"
	idMFAReq  = "d4a3f9b1-5e6f-4a71-9c23-4d5e6f7a8b04"
	idRisky   = "e5b4a0c2-6f7a-4b82-8d34-5e6f7a8b9c05"
	idRefresh = "f6c5b1d3-7a8b-4c93-9e45-6f7a8b9c0d06"
	tenantID  = "b3f6a1c2-4d5e-4f60-8a1b-2c3d4e5f6a7b"
)

func read(t *testing.T, files ...string) *Import {
	t.Helper()
	var im Import
	for _, f := range files {
		if err := im.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	return &im
}

func ids(ss []SignIn, interactive bool) []string {
	var out []string
	for _, s := range ss {
		if s.Interactive == interactive {
			out = append(out, s.ID)
		}
	}
	return out
}

func TestReadShapes(t *testing.T) {
	all := []string{idMFA, idBadPwd, idBadPwd2, idMFAReq, idRisky}
	tests := []struct {
		file           string
		interactive    []string
		nonInteractive []string
		skipped        []string // Issue.String() of each, in order
		notes          []string // substrings, each in some note
	}{
		{graphPage, all, []string{idRefresh},
			[]string{graphPage + ":493: value[6]: no createdDateTime: the sign-in has no time"},
			[]string{"@odata.nextLink"}},
		// The portal's JSON download says isInteractive, whatever the file's name.
		{portalJSON, all, []string{idRefresh},
			[]string{portalJSON + ":243: [3]: not a JSON object: \"\\\"truncated by a text editor\\\"\""}, nil},
		{portalCSV, all, nil,
			[]string{portalCSV + ":4: no sign-in time: Date (UTC) is empty or not a datetime"},
			[]string{`columns no sign-in table has, left out: "Incoming token type", "Original transfer method"`,
				"taken as interactive (SigninLogs)"}},
		{nonInterCSV, nil, []string{idRefresh}, nil,
			[]string{"taken as non-interactive (AADNonInteractiveUserSignInLogs)"}},
		{mgJSON, []string{idRisky, idBadPwd}, nil, nil, nil},
		{mgDepth2, []string{idMFA}, nil, nil, []string{"ConvertTo-Json -Depth 10"}},
		{diagnostic, nil, []string{idRefresh},
			[]string{diagnostic + ":97: records[1]: a ServicePrincipalSignInLogs record, not a user sign-in: only SignInLogs and NonInteractiveUserSignInLogs are imported"}, nil},
		{jsonlFile, []string{idMFA, idBadPwd2}, nil,
			[]string{jsonlFile + ":2: not valid JSON (the line ends inside a value): \"{\\\"id\\\": \\\"broken\\\", \\\"createdDateTime\\\": \\\"2026-03-02T12:00:00Z\\\",\""}, nil},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			im := read(t, tc.file)
			if got := ids(im.SignIns, true); !slices.Equal(got, tc.interactive) {
				t.Errorf("interactive %v, want %v", got, tc.interactive)
			}
			if got := ids(im.SignIns, false); !slices.Equal(got, tc.nonInteractive) {
				t.Errorf("non-interactive %v, want %v", got, tc.nonInteractive)
			}
			var skipped []string
			for _, s := range im.Skipped {
				skipped = append(skipped, s.String())
			}
			if !slices.Equal(skipped, tc.skipped) {
				t.Errorf("skipped\n%q\nwant\n%q", skipped, tc.skipped)
			}
			notes := strings.Join(im.Notes, "\n")
			for _, n := range tc.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("notes lack %q:\n%s", n, notes)
				}
			}
			if len(tc.notes) == 0 && len(im.Notes) > 0 {
				t.Errorf("unexpected notes:\n%s", notes)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, data string
		want       string
	}{
		{"empty.json", "  \n", "empty.json: empty file"},
		{"q.csv", "TimeGenerated,UserPrincipalName\n2026-03-02T00:00:00Z,a@b.c\n", `q.csv: no "Date (UTC)" column (header: TimeGenerated,UserPrincipalName)`},
		{"InteractiveSignIns_AuthDetails_2026-03-02.csv", "Request ID,Authentication method,Succeeded\nx,Password,true\n", "the authentication details file"},
		{"ApplicationSignIns.csv", "Date (UTC),Request ID,Service principal ID,Service principal name\n", `a "Service principal ID" column: this is a service principal`},
		{"cut.json", "[\n  {\"id\": \"x\",\n   \"createdDateTime\": \"2026-03-02T00:00:00Z\"},\n  {\"id\": \n", "cut.json:4: not valid JSON: the file ends inside a value"},
		{"text.json", "{\"value\": [1, 2,, 3]}", "text.json:1: not valid JSON"},
	}
	for _, tc := range tests {
		var im Import
		err := im.Read([]byte(tc.data), tc.name)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestDuplicates(t *testing.T) {
	// Overlapping downloads: each sign-in is kept once, from the first file.
	im := read(t, graphPage, portalJSON, portalCSV, nonInterCSV)
	if len(im.SignIns) != 6 || im.Duplicates != 12 {
		t.Fatalf("%d sign-ins, %d duplicates; want 6 and 12", len(im.SignIns), im.Duplicates)
	}
	for _, s := range im.SignIns {
		if s.File != graphPage {
			t.Errorf("%s kept from %s, want %s", s.ID, s.File, graphPage)
		}
	}
}

// row finds the row of table tb whose Id is id.
func row(t *testing.T, tb *table.Table, id string) int {
	t.Helper()
	c := tb.Column("Id")
	for i := range tb.Rows() {
		if c.Strs[i] == id {
			return i
		}
	}
	t.Fatalf("%s has no row %s", tb.Name, id)
	return -1
}

// cell renders a column's value, or a property inside a dynamic column
// ("LocationDetails.geoCoordinates.latitude") or inside JSON text.
func cell(t *testing.T, tb *table.Table, i int, path string) string {
	t.Helper()
	name, rest, _ := strings.Cut(path, ".")
	c := tb.Column(name)
	if c == nil {
		t.Fatalf("%s has no column %s", tb.Name, name)
	}
	v := c.Value(i)
	if rest == "" {
		return v.String()
	}
	d := v.D
	if v.Type == types.String {
		p, err := types.ParseJSON(v.S)
		if err != nil {
			t.Fatalf("%s: %q is not JSON", path, v.S)
		}
		d = p
	}
	for _, k := range strings.Split(rest, ".") {
		b, _ := d.(*types.Bag)
		if b == nil {
			return ""
		}
		d = b.Prop(k)
	}
	switch d := d.(type) {
	case nil:
		return "" // as tostring() gives a missing property
	case string:
		return d
	}
	return types.DynamicJSON(d)
}

func TestSigninLogsMapping(t *testing.T) {
	im := read(t, graphPage)
	in, non, issues := im.Tables()
	if len(issues) > 0 {
		t.Errorf("issues: %v", issues)
	}
	if in.Rows() != 5 || non.Rows() != 1 {
		t.Fatalf("%d interactive and %d non-interactive rows, want 5 and 1", in.Rows(), non.Rows())
	}
	// Oldest first.
	if got := cell(t, in, 0, "Id"); got != idMFA {
		t.Errorf("first row %s, want %s", got, idMFA)
	}
	tests := []struct {
		tb   *table.Table
		id   string
		want map[string]string
	}{
		{in, idRisky, map[string]string{
			"TimeGenerated":                   "2026-03-02T10:31:52.75Z",
			"CreatedDateTime":                 "2026-03-02T10:31:52.75Z",
			"Id":                              idRisky,
			"OriginalRequestId":               idRisky,
			"CorrelationId":                   "c0b4a0c2-6f7a-4b82-8d34-5e6f7a8b9c05",
			"UserPrincipalName":               "adele.vance@contoso.com",
			"UserDisplayName":                 "Adele Vance",
			"Identity":                        "Adele Vance",
			"UserId":                          "7e1d6a3b-2f4c-4b8e-9a51-3c2d1e0f9a88",
			"UserType":                        "member",
			"AppDisplayName":                  "One Outlook Web",
			"AppId":                           "9199bf20-a13f-4107-85dc-02114787ef48",
			"ResourceDisplayName":             "Office 365 Exchange Online",
			"ResourceIdentity":                "00000002-0000-0ff1-ce00-000000000000",
			"ResourceId":                      "/tenants/" + tenantID + "/providers/Microsoft.aadiam",
			"AADTenantId":                     tenantID,
			"HomeTenantId":                    tenantID,
			"IPAddress":                       "192.0.2.55",
			"AutonomousSystemNumber":          "64501",
			"Location":                        "NL",
			"LocationDetails.city":            "Amsterdam",
			"LocationDetails.state":           "Noord-Holland",
			"LocationDetails.countryOrRegion": "NL",
			"LocationDetails.geoCoordinates.latitude": "52.3676",
			"ResultType":                       "0",
			"ResultSignature":                  "SUCCESS",
			"ResultDescription":                "Other.",
			"Status.errorCode":                 "0",
			"Status.additionalDetails":         "MFA requirement satisfied by claim in the token",
			"ClientAppUsed":                    "Browser",
			"DeviceDetail.operatingSystem":     "Windows10",
			"DeviceDetail.isCompliant":         "false",
			"MfaDetail.authMethod":             "Previously satisfied",
			"ConditionalAccessStatus":          "success",
			"ConditionalAccessPolicies":        `[{"id":"1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b","displayName":"Require MFA for all users","enforcedGrantControls":["Mfa"],"enforcedSessionControls":[],"result":"success"}]`,
			"AppliedConditionalAccessPolicies": "",
			"AuthenticationRequirement":        "multiFactorAuthentication",
			"RiskLevelDuringSignIn":            "high",
			"RiskLevelAggregated":              "high",
			"RiskState":                        "atRisk",
			"RiskDetail":                       "none",
			"RiskEventTypes_V2":                `["anonymizedIPAddress","unfamiliarFeatures"]`,
			"RiskEventTypes":                   `["anonymizedIPAddress","unfamiliarFeatures"]`,
			"IsRisky":                          "true",
			"IsInteractive":                    "true",
			"FlaggedForReview":                 "false",
			"ProcessingTimeInMilliseconds":     "112",
			"AuthenticationDetails":            `[{"authenticationStepDateTime":"2026-03-02T10:31:52.7500000Z","authenticationMethod":"Password","succeeded":true}]`,
			"UserAgent":                        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
			"Category":                         "SignInLogs",
			"OperationName":                    "Sign-in activity",
			"OperationVersion":                 "1.0",
			"Level":                            "4",
			"Resource":                         "Microsoft.aadiam",
			"ResourceProvider":                 "Microsoft.aadiam",
			"DurationMs":                       "0",
			"Type":                             "SigninLogs",
			"TenantId":                         "",
		}},
		{in, idBadPwd, map[string]string{
			"ResultType":                "50126",
			"ResultSignature":           "None",
			"ResultDescription":         "Error validating credentials due to invalid username or password.",
			"Status.errorCode":          "50126",
			"IPAddress":                 "203.0.113.24",
			"Location":                  "NG",
			"ClientAppUsed":             "Mobile Apps and Desktop clients",
			"AuthenticationRequirement": "singleFactorAuthentication",
			"ConditionalAccessStatus":   "notApplied",
			"IsRisky":                   "false",
			"RiskEventTypes_V2":         "[]",
			"DeviceDetail.browser":      "Python Requests 2.31",
			"AuthenticationDetails":     `[{"authenticationStepDateTime":"2026-03-02T09:02:11.0000000Z","authenticationMethod":"Password","succeeded":false}]`,
			"MfaDetail":                 "",
			"LocationDetails.geoCoordinates.longitude": "3.3947",
		}},
		{in, idMFAReq, map[string]string{
			"ResultType":        "50074",
			"ResultDescription": "Strong Authentication is required.",
			"UserPrincipalName": "adele.vance@contoso.com",
		}},
		// The non-interactive table keeps its bags as JSON text, as Sentinel does.
		{non, idRefresh, map[string]string{
			"TimeGenerated":             "2026-03-02T11:00:03.1Z",
			"AppDisplayName":            "Microsoft Office",
			"ResultType":                "0",
			"IsInteractive":             "false",
			"Category":                  "NonInteractiveUserSignInLogs",
			"Type":                      "AADNonInteractiveUserSignInLogs",
			"LocationDetails.city":      "Seattle",
			"DeviceDetail.displayName":  "ADELE-LT",
			"Status.errorCode":          "0",
			"ProcessingTimeInMs":        "112",
			"ConditionalAccessPolicies": `[{"id":"1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b","displayName":"Require MFA for all users","enforcedGrantControls":["Mfa"],"enforcedSessionControls":[],"result":"success"}]`,
		}},
	}
	for _, tc := range tests {
		i := row(t, tc.tb, tc.id)
		for col, want := range tc.want {
			if got := cell(t, tc.tb, i, col); got != want {
				t.Errorf("%s %s %s = %q, want %q", tc.tb.Name, tc.id, col, got, want)
			}
		}
	}
}

// The same sign-ins read from the Graph page, the portal's JSON and the
// portal's CSV give the same rows in every column the CSV carries.
func TestFormatsAgree(t *testing.T) {
	cols := []string{"Id", "UserPrincipalName", "UserDisplayName", "UserId", "AppDisplayName", "AppId",
		"ResourceDisplayName", "ResourceIdentity", "ResourceTenantId", "HomeTenantId", "AADTenantId", "ResourceId",
		"IPAddress", "Location", "LocationDetails.city", "LocationDetails.state", "LocationDetails.countryOrRegion",
		"ResultType", "ResultDescription", "ResultSignature", "Status.errorCode", "Status.failureReason",
		"ClientAppUsed", "UserAgent", "CorrelationId", "ConditionalAccessStatus", "AuthenticationRequirement",
		"DeviceDetail.deviceId", "DeviceDetail.operatingSystem", "DeviceDetail.browser", "DeviceDetail.isCompliant",
		"DeviceDetail.isManaged", "DeviceDetail.trustType", "SignInIdentifier", "AutonomousSystemNumber",
		"TokenIssuerType", "UniqueTokenIdentifier", "ProcessingTimeInMilliseconds", "FlaggedForReview",
		"IsInteractive", "Category", "Type", "CrossTenantAccessType", "AuthenticationProtocol"}
	graph, _, _ := read(t, graphPage).Tables()
	portal, _, _ := read(t, portalJSON).Tables()
	fromCSV, _, issues := read(t, portalCSV).Tables()
	if len(issues) > 0 {
		t.Errorf("CSV issues: %v", issues)
	}
	if fromCSV.Rows() != 5 {
		t.Fatalf("CSV: %d rows, want 5", fromCSV.Rows())
	}
	for i := range fromCSV.Rows() {
		id := cell(t, fromCSV, i, "Id")
		g, p := row(t, graph, id), row(t, portal, id)
		for _, c := range cols {
			want := cell(t, graph, g, c)
			if got := cell(t, portal, p, c); got != want {
				t.Errorf("%s %s: portal JSON %q, Graph %q", id, c, got, want)
			}
			if got := cell(t, fromCSV, i, c); got != want {
				t.Errorf("%s %s: CSV %q, Graph %q", id, c, got, want)
			}
		}
		// The CSV has whole seconds.
		gt := graph.Column("TimeGenerated").Ints[g] / types.Second
		if ct := fromCSV.Column("TimeGenerated").Ints[i] / types.Second; ct != gt {
			t.Errorf("%s: CSV time %d s, Graph %d s", id, ct, gt)
		}
	}
}

// PowerShell's Get-MgAuditLogSignIn output (PascalCase, AdditionalProperties,
// Windows PowerShell's /Date()/) and diagnostic records map as Graph's.
func TestPowerShellAndDiagnostic(t *testing.T) {
	mg, _, _ := read(t, mgJSON).Tables()
	want := map[string]map[string]string{
		idRisky: {
			"TimeGenerated":     "2026-03-02T10:31:52.75Z",
			"IPAddress":         "192.0.2.55",
			"RiskEventTypes_V2": `["anonymizedIPAddress","unfamiliarFeatures"]`,
			"LocationDetails.geoCoordinates.latitude": "52.3676",
			"Status.errorCode":                        "0",
			"DeviceDetail.operatingSystem":            "Windows10",
			"SessionLifetimePolicies":                 `[{"expirationRequirement":"rememberMultifactorAuthenticationOnTrustedDevices","detail":"The user was required to sign in again"}]`,
			"ConditionalAccessPolicies":               `[{"id":"1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b","displayName":"Require MFA for all users","enforcedGrantControls":["Mfa"],"enforcedSessionControls":[],"result":"success"}]`,
		},
		idBadPwd: {
			"TimeGenerated": "2026-03-02T09:02:11Z",
			"ResultType":    "50126",
			"Location":      "NG",
		},
	}
	for id, cols := range want {
		i := row(t, mg, id)
		for c, w := range cols {
			if got := cell(t, mg, i, c); got != w {
				t.Errorf("mg %s %s = %q, want %q", id, c, got, w)
			}
		}
	}
	_, non, _ := read(t, diagnostic).Tables()
	i := row(t, non, idRefresh)
	for c, w := range map[string]string{"AADTenantId": "", "ResourceTenantId": tenantID, "IsInteractive": "false",
		"TimeGenerated": "2026-03-02T11:00:03.1Z", "LocationDetails.city": "Seattle"} {
		if c == "AADTenantId" {
			continue // not a column of AADNonInteractiveUserSignInLogs
		}
		if got := cell(t, non, i, c); got != w {
			t.Errorf("diagnostic %s = %q, want %q", c, got, w)
		}
	}
}

func TestValueIssues(t *testing.T) {
	var im Import
	data := `[{"id": "x1", "createdDateTime": "2026-03-02T08:00:00Z", "flaggedForReview": "perhaps", "status": {"errorCode": 0}}]`
	if err := im.Read([]byte(data), "odd.json"); err != nil {
		t.Fatal(err)
	}
	tb, _, issues := im.Tables()
	if len(issues) != 1 || issues[0].String() != `odd.json:1: [0]: SigninLogs.FlaggedForReview: "perhaps" is not a bool; left empty` {
		t.Errorf("issues %v", issues)
	}
	if got := cell(t, tb, 0, "FlaggedForReview"); got != "" {
		t.Errorf("FlaggedForReview %q, want empty", got)
	}
}

func TestCSVValues(t *testing.T) {
	// Words the portal writes, and a status given in words only.
	head := "Date (UTC),Request ID,Status,Sign-in error code,Location,Compliant,Conditional Access,Authentication requirement,Cross tenant access type,Risk state,Mystery column\n"
	tests := []struct {
		row  string
		want map[string]string
	}{
		{"3/2/2026 8:14:05 AM,r1,Success,,\"Seattle, Washington, US\",True,Not Applied,Single-factor authentication,B2B collaboration,At risk,x\n",
			map[string]string{"TimeGenerated": "2026-03-02T08:14:05Z", "ResultType": "0", "Location": "US", "LocationDetails.city": "Seattle",
				"DeviceDetail.isCompliant": "true", "ConditionalAccessStatus": "notApplied", "AuthenticationRequirement": "singleFactorAuthentication",
				"CrossTenantAccessType": "b2bCollaboration", "RiskState": "atRisk", "IsRisky": "true"}},
		{"2026-03-02 09:00:00,r2,Failure,50053,NG,No,Failure,Multifactor authentication,None,None,y\n",
			map[string]string{"TimeGenerated": "2026-03-02T09:00:00Z", "ResultType": "50053", "Location": "NG", "LocationDetails.city": "",
				"DeviceDetail.isCompliant": "false", "ConditionalAccessStatus": "failure", "AuthenticationRequirement": "multiFactorAuthentication",
				"CrossTenantAccessType": "none", "RiskState": "none", "IsRisky": "false"}},
		{"2026-03-02T10:00:00Z,r3,Interrupted,,\"Den Haag, Zuid-Holland, NL\",,Something New,,,,z\n",
			map[string]string{"ResultType": "", "ResultSignature": "", "LocationDetails.state": "Zuid-Holland", "DeviceDetail": "",
				"ConditionalAccessStatus": "Something New", "IsRisky": ""}},
	}
	for _, tc := range tests {
		var im Import
		if err := im.Read([]byte(head+tc.row), "signins.csv"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(im.Notes, "\n"), `columns not recognised, left out: "Mystery column"`) {
			t.Errorf("notes %q lack the unknown column", im.Notes)
		}
		tb, _, issues := im.Tables()
		if len(issues) > 0 || tb.Rows() != 1 {
			t.Fatalf("%q: %d rows, issues %v", tc.row, tb.Rows(), issues)
		}
		for c, w := range tc.want {
			if got := cell(t, tb, 0, c); got != w {
				t.Errorf("%q: %s = %q, want %q", tc.row, c, got, w)
			}
		}
	}
}

func TestLowerKey(t *testing.T) {
	for in, want := range map[string]string{
		"ErrorCode": "errorCode", "IPAddress": "ipAddress", "ID": "id", "Id": "id", "errorCode": "errorCode",
		"RiskEventTypesV2": "riskEventTypesV2", "riskEventTypes_v2": "riskEventTypes_v2", "": "",
	} {
		if got := lowerKey(in); got != want {
			t.Errorf("lowerKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when it does not parse
	}{
		{"2026-03-02T08:14:05.4821937Z", "2026-03-02T08:14:05.4821937Z"},
		{"2026-03-02T08:14:05+01:00", "2026-03-02T07:14:05Z"},
		{"2026-03-02T08:14:05", "2026-03-02T08:14:05Z"},
		{"/Date(1772442131000)/", "2026-03-02T09:02:11Z"},
		{"/Date(1772442131000+0100)/", "2026-03-02T09:02:11Z"},
		{"/Date(soon)/", ""},
		{"yesterday", ""},
	}
	for _, tc := range tests {
		ticks, ok := parseTime(tc.in)
		got := ""
		if ok {
			got = types.FormatDateTime(ticks)
		}
		if got != tc.want {
			t.Errorf("parseTime(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSetLocation(t *testing.T) {
	for in, want := range map[string]string{
		"Seattle, Washington, US":  `{"city":"Seattle","state":"Washington","countryOrRegion":"US"}`,
		"Lagos, , NG":              `{"city":"Lagos","countryOrRegion":"NG"}`,
		"Washington, D.C., DC, US": `{"city":"Washington, D.C.","state":"DC","countryOrRegion":"US"}`,
		"NL":                       `{"countryOrRegion":"NL"}`,
		"Amsterdam, NL":            `{"city":"Amsterdam","countryOrRegion":"NL"}`,
		", , ":                     `null`,
	} {
		b := types.NewBag()
		setLocation(b, in)
		if got := types.DynamicJSON(b.Prop("location")); got != want {
			t.Errorf("setLocation(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestParseValue(t *testing.T) {
	// Valid JSON parses as types.ParseJSON parses it.
	for _, in := range []string{
		`{"a": 1, "b": [true, false, null], "c": {"d": -2.5e3, "e": "x\"y\u00e9\\/"}, "f": []}`,
		`[]`, `{}`, `"plain"`, `12345678901234567890`, `-0`, `"\u2028 \ud83d\ude00"`,
	} {
		got, end, err := parseValue([]byte(in), 0, 0)
		if err != nil || end != len(in) {
			t.Errorf("%s: end %d, err %v", in, end, err)
			continue
		}
		want, _ := types.ParseJSON(in)
		if types.DynamicJSON(got) != types.DynamicJSON(want) {
			t.Errorf("%s: %s, want %s", in, types.DynamicJSON(got), types.DynamicJSON(want))
		}
	}
	tests := []struct {
		in  string
		off int
		msg string
		eof bool
	}{
		{`{"a" 1}`, 5, `unexpected '1', want ':' after a property name`, false},
		{`{"a": 1,}`, 8, `unexpected '}', want a property name`, false},
		{`[1 2]`, 3, `unexpected '2', want ',' or ']'`, false},
		{`[tru]`, 1, `unexpected 't', want a value`, false},
		{`[01]`, 1, `"01" is not a number`, false},
		{"[\"a\tb\"]", 3, `a control character inside a string`, false},
		{`["\x"]`, 1, `a string with a bad escape`, false},
		{`{"a": [1, 2`, 11, `the data ends inside a value (cut short?)`, true},
		{`"open`, 5, `the data ends inside a value (cut short?)`, true},
		{strings.Repeat("[", 1002), 1001, `nested too deep`, false},
	}
	for _, tc := range tests {
		_, _, err := parseValue([]byte(tc.in), 0, 0)
		se, ok := err.(*syntaxError)
		if !ok || se.off != tc.off || se.msg != tc.msg || se.eof != tc.eof {
			t.Errorf("%.20s: %#v, want offset %d %q eof %v", tc.in, err, tc.off, tc.msg, tc.eof)
		}
	}
}

func utf16LE(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, r := range s { // ASCII test text
		out = append(out, byte(r), 0)
	}
	return out
}

func TestReadInline(t *testing.T) {
	one := `{"Id": "s1", "CreatedDateTime": "2026-03-02T08:00:00Z", "IsInteractive": true, "Status": {"ErrorCode": 50126, "AdditionalProperties": {}}}`
	tests := []struct {
		name    string
		data    []byte
		ids     []string
		skipped []string
	}{
		// ConvertTo-Json of a single result writes one object, not an array.
		{"one.json", []byte(one), []string{"s1"}, nil},
		// Pretty objects one after another (>> appended exports).
		{"two.json", []byte("{\n \"id\": \"a\",\n \"createdDateTime\": \"2026-03-02T08:00:00Z\"\n}\n{\n \"id\": \"b\",\n \"createdDateTime\": \"2026-03-02T09:00:00Z\"\n}\n"), []string{"a", "b"}, nil},
		// Graph pages saved one a line.
		{"pages.jsonl", []byte(`{"value": [{"id": "p1", "createdDateTime": "2026-03-02T08:00:00Z"}, 7]}` + "\n" +
			`{"value": [{"id": "p2", "createdDateTime": "2026-03-02T09:00:00Z"}]}` + "\n"),
			[]string{"p1", "p2"}, []string{"pages.jsonl:1: value[1]: not a JSON object: \"7\""}},
		{"bad-time.json", []byte(`[{"id": "t1", "createdDateTime": "soon"}, {"id": "t2", "createdDateTime": 5}]`), nil,
			[]string{`bad-time.json:1: [0]: createdDateTime "soon" is not a datetime`, `bad-time.json:1: [1]: createdDateTime "5" is not a datetime`}},
		// Export-Csv in Windows PowerShell: UTF-16 with a #TYPE line.
		{"signins.csv", utf16LE("#TYPE System.Management.Automation.PSCustomObject\r\n\"Date (UTC)\",\"Request ID\",\"Username\"\r\n\"2026-03-02T08:00:00Z\",\"c1\",\"a@contoso.com\"\r\n\"\",\"c2\",\"b@contoso.com\"\r\n"),
			[]string{"c1"}, []string{"signins.csv:4: no sign-in time: Date (UTC) is empty or not a datetime"}},
	}
	for _, tc := range tests {
		var im Import
		if err := im.Read(tc.data, tc.name); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var got, skipped []string
		for _, s := range im.SignIns {
			got = append(got, s.ID)
		}
		for _, s := range im.Skipped {
			skipped = append(skipped, s.String())
		}
		if !slices.Equal(got, tc.ids) || !slices.Equal(skipped, tc.skipped) {
			t.Errorf("%s: sign-ins %q skipped %q; want %q and %q", tc.name, got, skipped, tc.ids, tc.skipped)
		}
	}
	// PascalCase properties reach their columns.
	var im Import
	if err := im.Read([]byte(one), "one.json"); err != nil {
		t.Fatal(err)
	}
	tb, _, _ := im.Tables()
	if got := cell(t, tb, 0, "Status"); got != `{"errorCode":50126}` {
		t.Errorf("Status %s", got)
	}
	if got := cell(t, tb, 0, "ResultType"); got != "50126" {
		t.Errorf("ResultType %s", got)
	}
}
