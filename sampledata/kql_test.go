package sampledata_test

// KQL checks of the sample tenant: each planted story is found by a plain
// hunting query on the embedded engine over a generated workspace folder,
// and what the query finds is what ground_truth.json says; the example
// queries of the Purview and Information Protection documentation run and
// return rows.

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/exec"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/local"
	"github.com/huntbook/huntbook/sampledata"
)

var kqlEnd = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

type groundTruth struct {
	Stories []sampledata.Story `json:"stories"`
}

var (
	kqlOnce sync.Once
	kqlDir  string
	kqlGT   groundTruth
	kqlErr  error
)

// kqlTenant writes a tenant (100 users keep it quick; the stories do not
// depend on the size) once and reads its ground truth.
func kqlTenant(t *testing.T) (string, groundTruth) {
	t.Helper()
	kqlOnce.Do(func() {
		kqlDir, kqlErr = os.MkdirTemp("", "huntbook-kql-test")
		if kqlErr != nil {
			return
		}
		if kqlErr = sampledata.WriteWorkspace(kqlDir, sampledata.Config{Seed: 1, Users: 100, End: kqlEnd}); kqlErr != nil {
			return
		}
		var data []byte
		if data, kqlErr = os.ReadFile(filepath.Join(kqlDir, "ground_truth.json")); kqlErr == nil {
			kqlErr = json.Unmarshal(data, &kqlGT)
		}
	})
	if kqlErr != nil {
		t.Fatal(kqlErr)
	}
	return kqlDir, kqlGT
}

func TestMain(m *testing.M) {
	code := m.Run()
	if kqlDir != "" {
		os.RemoveAll(kqlDir)
	}
	os.Exit(code)
}

// query runs KQL on the local provider with now() at the tenant's end.
func query(t *testing.T, dir, q string) *table.Table {
	t.Helper()
	p, err := local.New("", []string{dir}, local.Options{Exec: exec.Options{Now: kqlEnd}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.NewSession().Run(context.Background(), q, providers.QueryOptions{})
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	if len(res) == 0 {
		t.Fatalf("no result from\n%s", q)
	}
	return res[len(res)-1].Table
}

// column returns a column's values as sorted, distinct strings.
func column(t *testing.T, tb *table.Table, name string) []string {
	t.Helper()
	c := tb.Column(name)
	if c == nil {
		t.Fatalf("result has no column %s: %s", name, tb.Schema())
	}
	var out []string
	for i := range tb.Rows() {
		out = append(out, c.Value(i).String())
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func story(t *testing.T, gt groundTruth, id string) sampledata.Story {
	t.Helper()
	for _, s := range gt.Stories {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("ground truth has no story %s", id)
	return sampledata.Story{}
}

// entity returns the story's entities of a kind and role (Name for
// accounts, ID otherwise), sorted.
func entity(s sampledata.Story, kind, role string) []string {
	var out []string
	for _, e := range s.Entities {
		if e.Kind == kind && e.Role == role {
			if kind == "account" {
				out = append(out, e.Name)
			} else {
				out = append(out, e.ID)
			}
		}
	}
	sort.Strings(out)
	return out
}

// rowIDs returns the ids ground truth lists for a story's rows of a table.
func rowIDs(s sampledata.Story, tbl string) []string {
	var out []string
	for _, r := range s.Rows {
		if r.Table == tbl {
			out = append(out, r.Values...)
		}
	}
	sort.Strings(out)
	return out
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(want) == 0 {
		t.Errorf("%s: ground truth lists nothing to compare with", what)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

func TestKQLFindsStories(t *testing.T) {
	dir, gt := kqlTenant(t)
	t.Run("S1-account-takeover", func(t *testing.T) {
		s := story(t, gt, "S1-account-takeover")
		// a high-risk sign-in, then inbox rules from the same address within the hour
		found := query(t, dir, `
SigninLogs
| where ResultType == "0" and RiskLevelDuringSignIn == "high"
| project SigninTime = TimeGenerated, UserPrincipalName, IPAddress, Location
| join kind=inner (
    OfficeActivity
    | where Operation in ("New-InboxRule", "Set-InboxRule")
    | project RuleTime = TimeGenerated, UserPrincipalName = UserId, ClientIP, Parameters
  ) on UserPrincipalName
| where RuleTime between (SigninTime .. 1h) and ClientIP == IPAddress
| distinct UserPrincipalName, IPAddress, Location`)
		same(t, "victim", column(t, found, "UserPrincipalName"), entity(s, "account", "victim"))
		same(t, "attacker address", column(t, found, "IPAddress"), entity(s, "ip", "attacker"))
		ip := entity(s, "ip", "attacker")[0]
		// everything the attacker did in SharePoint and Exchange, and the sign-ins
		office := query(t, dir, `OfficeActivity | where ClientIP == "`+ip+`" | project OfficeId`)
		same(t, "OfficeActivity rows", column(t, office, "OfficeId"), rowIDs(s, "OfficeActivity"))
		signins := query(t, dir, `SigninLogs | where IPAddress == "`+ip+`" | project Id`)
		same(t, "SigninLogs rows", column(t, signins, "Id"), rowIDs(s, "SigninLogs"))
		ti := query(t, dir, `ThreatIntelligenceIndicator | where NetworkIP == "`+ip+`" | project IndicatorId`)
		same(t, "indicator", column(t, ti, "IndicatorId"), rowIDs(s, "ThreatIntelligenceIndicator"))
	})
	t.Run("S2-insider-label-downgrade", func(t *testing.T) {
		s := story(t, gt, "S2-insider-label-downgrade")
		found := query(t, dir, `
CloudAppEvents
| extend LabelEventType = toint(RawEventData.SensitivityLabelEventData.LabelEventType)
| where LabelEventType in (2, 3)
| summarize Changes = count() by Account = tostring(RawEventData.UserId), bin(TimeGenerated, 1d)
| where Changes >= 5
| distinct Account`)
		same(t, "insider", column(t, found, "Account"), entity(s, "account", "actor"))
		actor := entity(s, "account", "actor")[0]
		// the label changes and the uploads to MEGA that evening
		events := query(t, dir, `
let changes = CloudAppEvents
| where RawEventData.UserId == "`+actor+`" and isnotnull(RawEventData.SensitivityLabelEventData.OldSensitivityLabelId)
| where toint(RawEventData.SensitivityLabelEventData.LabelEventType) != 1;
let evening = toscalar(changes | summarize min(TimeGenerated));
changes
| union (CloudAppEvents | where Application == "MEGA" and ActionType == "FileUploaded")
| where TimeGenerated between (evening .. 3h)
| project ReportId`)
		same(t, "CloudAppEvents rows", column(t, events, "ReportId"), rowIDs(s, "CloudAppEvents"))
		shadow := query(t, dir, `McasShadowItReporting | where AppName == "MEGA" | distinct UserName`)
		same(t, "shadow IT user", column(t, shadow, "UserName"), entity(s, "account", "actor"))
		// a risky sign-in, then label downgrades or removals by the same account within the hour
		risky := query(t, dir, `
SigninLogs
| where ResultType == "0" and RiskLevelDuringSignIn in ("medium", "high")
| project SigninTime = TimeGenerated, UserId, UserPrincipalName, IPAddress
| join kind=inner (
    CloudAppEvents
    | where toint(RawEventData.SensitivityLabelEventData.LabelEventType) in (2, 3)
    | project LabelTime = TimeGenerated, UserId = AccountObjectId
  ) on UserId
| where LabelTime between (SigninTime .. 1h)
| distinct UserPrincipalName, IPAddress`)
		same(t, "risky sign-in then label change: account", column(t, risky, "UserPrincipalName"), entity(s, "account", "actor"))
		same(t, "risky sign-in then label change: address", column(t, risky, "IPAddress"), entity(s, "ip", "actor"))
		// the insider's whole evening went through that address
		ip := entity(s, "ip", "actor")[0]
		signins := query(t, dir, `SigninLogs | where IPAddress == "`+ip+`" | project Id`)
		same(t, "SigninLogs rows", column(t, signins, "Id"), rowIDs(s, "SigninLogs"))
		office := query(t, dir, `OfficeActivity | where ClientIP == "`+ip+`" | project OfficeId`)
		same(t, "OfficeActivity rows", column(t, office, "OfficeId"), rowIDs(s, "OfficeActivity"))
		cae := query(t, dir, `CloudAppEvents | where IPAddress == "`+ip+`" and IsAnonymousProxy | project ReportId`)
		same(t, "CloudAppEvents rows from the VPN", column(t, cae, "ReportId"), rowIDs(s, "CloudAppEvents"))
	})
	t.Run("S3-service-principal-owner", func(t *testing.T) {
		s := story(t, gt, "S3-service-principal-owner")
		found := query(t, dir, `
AzureActivity
| where OperationNameValue =~ "Microsoft.Authorization/roleAssignments/write" and ActivityStatusValue == "Success"
| extend Request = parse_json(tostring(Properties_d.requestbody))
| where Request.Properties.PrincipalType == "ServicePrincipal"
    and tostring(Request.Properties.RoleDefinitionId) endswith "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
| project Caller, PrincipalId = tostring(Request.Properties.PrincipalId), Scope = tostring(Request.Properties.Scope), CorrelationId`)
		same(t, "granting admin", column(t, found, "Caller"), entity(s, "account", "actor"))
		sp := column(t, found, "PrincipalId")
		var targets []string
		for _, e := range s.Entities {
			if e.Kind == "servicePrincipal" {
				targets = append(targets, e.ID)
			}
		}
		same(t, "service principal", sp, targets)
		// the grant and what the principal did with it
		rows := query(t, dir, `
let grant = AzureActivity
| where OperationNameValue =~ "Microsoft.Authorization/roleAssignments/write" and Properties_d.requestbody has "`+sp[0]+`"
| distinct CorrelationId;
AzureActivity
| where CorrelationId in (grant) or (Caller == "`+sp[0]+`" and CallerIpAddress in ("`+strings.Join(entity(s, "ip", "attacker"), `","`)+`"))
| project EventDataId`)
		same(t, "AzureActivity rows", column(t, rows, "EventDataId"), rowIDs(s, "AzureActivity"))
		audit := query(t, dir, `AuditLogs | where TargetResources has "`+sp[0]+`" and InitiatedBy has "`+entity(s, "account", "actor")[0]+`" | project Id`)
		same(t, "AuditLogs rows", column(t, audit, "Id"), rowIDs(s, "AuditLogs"))
	})
	t.Run("S4-password-spray", func(t *testing.T) {
		s := story(t, gt, "S4-password-spray")
		sprayers := query(t, dir, `
SigninLogs
| summarize Accounts = dcountif(UserPrincipalName, ResultType == "50126"), Failures = countif(ResultType == "50126"), SignIns = count()
    by IPAddress
| where Accounts >= 10 and Failures * 2 > SignIns`)
		same(t, "spraying addresses", column(t, sprayers, "IPAddress"), entity(s, "ip", "attacker"))
		ips := `"` + strings.Join(entity(s, "ip", "attacker"), `","`) + `"`
		fallen := query(t, dir, `SigninLogs | where IPAddress in (`+ips+`) and ResultType == "0" | distinct UserPrincipalName`)
		same(t, "the account that fell", column(t, fallen, "UserPrincipalName"), entity(s, "account", "victim"))
		rows := query(t, dir, `SigninLogs | where IPAddress in (`+ips+`) | project Id`)
		same(t, "SigninLogs rows", column(t, rows, "Id"), rowIDs(s, "SigninLogs"))
	})
	t.Run("S5-peer-anomaly-key-vault", func(t *testing.T) {
		s := story(t, gt, "S5-peer-anomaly-key-vault")
		// key vault operations by people none of whose department ever touched that vault
		found := query(t, dir, `
let people = IdentityInfo | summarize arg_max(TimeGenerated, Department) by AccountUPN;
let ops = AzureActivity
| where ResourceProviderValue == "MICROSOFT.KEYVAULT" and ActivityStatusValue == "Success"
| extend Vault = extract(@"(?i)(.*/vaults/[^/]+)", 1, ResourceId)
| join kind=inner people on $left.Caller == $right.AccountUPN;
ops
| summarize Callers = make_set(Caller) by Vault, Department
| where array_length(Callers) == 1
| mv-expand Caller = Callers to typeof(string)
| join kind=inner ops on Vault, Department, Caller
| distinct Caller, Vault, Department`)
		same(t, "user", column(t, found, "Caller"), entity(s, "account", "actor"))
		same(t, "vault", column(t, found, "Vault"), entity(s, "resource", "target"))
		rows := query(t, dir, `AzureActivity | where Caller == "`+entity(s, "account", "actor")[0]+`" and ResourceProviderValue == "MICROSOFT.KEYVAULT" | project EventDataId`)
		same(t, "AzureActivity rows", column(t, rows, "EventDataId"), rowIDs(s, "AzureActivity"))
	})
}

// TestDocumentedQueries runs example queries in the style of the Microsoft
// Purview (Sentinel solution) and Information Protection documentation.
func TestDocumentedQueries(t *testing.T) {
	dir, gt := kqlTenant(t)
	insider := entity(story(t, gt, "S2-insider-label-downgrade"), "account", "actor")
	tests := []struct {
		name  string
		query string
		check func(t *testing.T, tb *table.Table)
	}{
		{"Purview: Social Security Numbers found in the last day", `
PurviewDataSensitivityLogs
| where Classification contains "Social Security Number"
| where TimeGenerated > ago(24h)`, func(t *testing.T, tb *table.Table) {
			for _, c := range column(t, tb, "Classification") {
				if !strings.Contains(c, "Social Security Number") {
					t.Errorf("row classified %s", c)
				}
			}
		}},
		{"Purview: any classification found in the last day", `
PurviewDataSensitivityLogs
| where Classification != "[]"
| where TimeGenerated > ago(24h)`, nil},
		{"Purview: classified assets by source and classification", `
PurviewDataSensitivityLogs
| where ActivityType == "Classification"
| mv-expand Classification to typeof(string)
| summarize Assets = dcount(AssetPath) by SourceType, Classification
| sort by Assets desc`, nil},
		{"Purview: assets labelled by a scan", `
PurviewDataSensitivityLogs
| where ActivityType == "Labeling"
| extend Label = tostring(SensitivityLabel[0])
| summarize Assets = dcount(AssetPath) by Label, SourceRegion`, nil},
		{"Information Protection: label downgrades", `
CloudAppEvents
| where ActionType == "SensitivityLabelUpdated"
| extend LabelEventType = toint(RawEventData.SensitivityLabelEventData.LabelEventType)
| where LabelEventType == 2
| extend OldLabel = tostring(RawEventData.SensitivityLabelEventData.OldSensitivityLabelId),
    NewLabel = tostring(RawEventData.SensitivityLabelEventData.SensitivityLabelId),
    Justification = tostring(RawEventData.SensitivityLabelEventData.JustificationText)
| project TimeGenerated, AccountDisplayName, ObjectName, OldLabel, NewLabel, Justification`, func(t *testing.T, tb *table.Table) {
			for _, j := range column(t, tb, "Justification") {
				if j == "" {
					t.Error("a downgrade without justification")
				}
			}
		}},
		{"Information Protection: labels removed, by user", `
CloudAppEvents
| where ActionType == "SensitivityLabelRemoved"
| summarize Removed = count() by User = tostring(RawEventData.UserId)`, func(t *testing.T, tb *table.Table) {
			same(t, "who removed labels", column(t, tb, "User"), insider)
		}},
		{"Information Protection: downgrades with label names from the watchlist", `
let labels = _GetWatchlist('SensitivityLabels') | project LabelId, LabelName, Order;
CloudAppEvents
| extend d = RawEventData.SensitivityLabelEventData
| where toint(d.LabelEventType) == 2
| project TimeGenerated, User = tostring(RawEventData.UserId), Old = tostring(d.OldSensitivityLabelId), New = tostring(d.SensitivityLabelId)
| join kind=inner (labels | project Old = LabelId, OldName = LabelName, OldOrder = Order) on Old
| join kind=inner (labels | project New = LabelId, NewName = LabelName, NewOrder = Order) on New
| where NewOrder < OldOrder
| summarize Downgrades = count() by User, OldName, NewName`, nil},
		// Sentinel's AdditionalData lists the incident's tactics and
		// techniques; hunters count them (MostTriggeredMitreTechniques).
		{"Sentinel: MITRE techniques of incidents", `
SecurityIncident
| summarize arg_max(TimeGenerated, *) by IncidentNumber
| mv-expand AlertId = AlertIds to typeof(string)
| join kind=inner (SecurityAlert
    | mv-expand AlertTechnique = todynamic(Techniques) to typeof(string)
    | summarize AlertTechniques = make_set(AlertTechnique) by SystemAlertId) on $left.AlertId == $right.SystemAlertId
| extend Missing = set_difference(AlertTechniques, AdditionalData.techniques)
| project IncidentNumber, Covered = array_length(AdditionalData.tactics) > 0 and array_length(Missing) == 0`, func(t *testing.T, tb *table.Table) {
			same(t, "incidents whose AdditionalData holds their alerts' tactics and techniques", column(t, tb, "Covered"), []string{"true"})
		}},
		// bertjanp's Conditional Access failure hunts (by application, by user)
		{"Entra ID: Conditional Access failures by application", `
SigninLogs
| where ResultType != 0
| where ResultDescription has "Conditional Access"
| summarize Total = count(), ResultTypes = make_set(ResultType), ResultDescriptions = make_set(ResultDescription) by AppDisplayName
| sort by Total`, func(t *testing.T, tb *table.Table) {
			if apps := column(t, tb, "AppDisplayName"); !slices.Contains(apps, "Azure Portal") {
				t.Errorf("Conditional Access failures in %v, not the Azure portal CA003 blocks", apps)
			}
		}},
		{"Entra ID: sign-ins blocked by Conditional Access, with the policy", `
SigninLogs
| where ResultType == "53003"
| mv-expand Policy = ConditionalAccessPolicies
| where Policy.result == "failure"
| summarize Blocked = count() by Policy = tostring(Policy.displayName), ConditionalAccessStatus, Grant = tostring(Policy.enforcedGrantControls)`, func(t *testing.T, tb *table.Table) {
			same(t, "blocking policy", column(t, tb, "Policy"), []string{"CA003: Block Azure management for users outside Engineering and IT"})
			same(t, "status", column(t, tb, "ConditionalAccessStatus"), []string{"failure"})
			same(t, "grant", column(t, tb, "Grant"), []string{`["Block"]`})
		}},
		{"Entra ID: legacy authentication the report-only policy would block", `
SigninLogs
| mv-expand Policy = ConditionalAccessPolicies
| where Policy.result == "reportOnlyFailure"
| summarize SignIns = count() by ClientAppUsed, UserPrincipalName`, func(t *testing.T, tb *table.Table) {
			// policies are evaluated once the password is right: of the
			// spray (the only legacy client) that is the account that fell
			same(t, "accounts", column(t, tb, "UserPrincipalName"), entity(story(t, gt, "S4-password-spray"), "account", "victim"))
			same(t, "client", column(t, tb, "ClientAppUsed"), []string{"Other clients"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := query(t, dir, tt.query)
			if tb.Rows() == 0 {
				t.Fatalf("no rows from\n%s", tt.query)
			}
			if tt.check != nil {
				tt.check(t, tb)
			}
		})
	}
}

// The sample tenant's GeoIP database agrees with SigninLogs: every sign-in
// address whose LocationDetails names a city geolocates to that city.
func TestGeoIPAgreesWithSignIns(t *testing.T) {
	dir, _ := kqlTenant(t)
	tb := query(t, dir, `SigninLogs
| extend City = tostring(LocationDetails.city), Geo = geo_info_from_ip_address(IPAddress)
| where isnotempty(City)
| summarize Rows = count(), Located = countif(tostring(Geo.city) == City),
    Wrong = take_anyif(strcat(IPAddress, " is ", tostring(Geo.city), " not ", City), tostring(Geo.city) != City)`)
	rows, located := tb.Column("Rows").Ints[0], tb.Column("Located").Ints[0]
	if rows < 1000 || located != rows {
		t.Errorf("%d of %d sign-ins geolocate to their LocationDetails city; e.g. %s", located, rows, tb.Column("Wrong").Strs[0])
	}
}
