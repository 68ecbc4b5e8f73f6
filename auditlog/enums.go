package auditlog

import (
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/internal/exportfile"
)

// recordTypes names the AuditLogRecordType values (Office 365 Management
// Activity API schema) an investigation meets most: Exchange, SharePoint
// and OneDrive, Entra ID, Teams, DLP, Defender for Office 365, Power
// Platform, sensitivity labels and Purview. Others keep their number as
// text.
var recordTypes = map[int64]string{
	1: "ExchangeAdmin", 2: "ExchangeItem", 3: "ExchangeItemGroup", 4: "SharePoint",
	6: "SharePointFileOperation", 7: "OneDrive", 8: "AzureActiveDirectory",
	9: "AzureActiveDirectoryAccountLogon", 10: "DataCenterSecurityCmdlet",
	11: "ComplianceDLPSharePoint", 13: "ComplianceDLPExchange", 14: "SharePointSharingOperation",
	15: "AzureActiveDirectoryStsLogon", 18: "SecurityComplianceCenterEOPCmdlet",
	19: "ExchangeAggregatedOperation", 20: "PowerBIAudit", 21: "CRM", 22: "Yammer",
	24: "Discovery", 25: "MicrosoftTeams", 28: "ThreatIntelligence", 29: "MailSubmission",
	30: "MicrosoftFlow", 31: "AeD", 32: "MicrosoftStream", 33: "ComplianceDLPSharePointClassification",
	35: "Project", 36: "SharePointListOperation", 37: "SharePointCommentOperation",
	38: "DataGovernance", 40: "SecurityComplianceAlerts", 41: "ThreatIntelligenceUrl",
	43: "MIPLabel", 45: "PowerAppsApp", 47: "ThreatIntelligenceAtpContent",
	48: "LabelContentExplorer", 50: "ExchangeItemAggregated", 51: "HygieneEvent",
	54: "SharePointListItemOperation", 57: "MicrosoftTeamsAdmin", 61: "InformationWorkerProtection",
	62: "Campaign", 63: "DLPEndpoint", 64: "AirInvestigation", 65: "Quarantine",
	66: "MicrosoftForms", 68: "ComplianceSupervisionExchange", 70: "OfficeNative",
	71: "MipAutoLabelSharePointItem", 72: "MipAutoLabelSharePointPolicyLocation",
	75: "MipAutoLabelExchangeItem", 78: "WDATPAlerts", 82: "SensitivityLabelPolicyMatch",
	83: "SensitivityLabelAction", 84: "SensitivityLabeledFileAction", 85: "AttackSim",
	87: "SecurityComplianceRBAC", 88: "UserTraining", 93: "AipDiscover",
	94: "AipSensitivityLabelAction", 95: "AipProtectionAction", 96: "AipFileDeleted",
	97: "AipHeartBeat", 98: "MCASAlerts", 101: "ExchangeSearch", 102: "SharePointSearch",
	106: "SecurityComplianceUserChange", 107: "ComplianceDLPExchangeClassification",
	109: "MipExactDataMatch", 113: "MS365DCustomDetection",
}

// RecordTypeName is the AuditLogRecordType name of an AuditData RecordType
// value: a number (as the API and AuditData write it) becomes its name,
// or its decimal text when the name is not known; a name is kept.
func RecordTypeName(v any) string {
	var n int64
	switch v := v.(type) {
	case int64:
		n = v
	case float64:
		if v != float64(int64(v)) {
			return exportfile.Text(v)
		}
		n = int64(v)
	case string:
		s := strings.TrimSpace(v)
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return s
		}
		n = i
	default:
		return exportfile.Text(v)
	}
	if name, ok := recordTypes[n]; ok {
		return name
	}
	return strconv.FormatInt(n, 10)
}

// userTypes names the UserType enum; OfficeActivity holds the name.
var userTypes = []string{"Regular", "Reserved", "Admin", "DcAdmin", "System",
	"Application", "ServicePrincipal", "CustomPolicy", "SystemPolicy"}

// userTypeName is the name of a UserType value, a name kept as is.
func userTypeName(v any) string {
	n, ok := v.(int64)
	if f, isF := v.(float64); isF && f == float64(int64(f)) {
		n, ok = int64(f), true
	}
	if s, isS := v.(string); isS {
		if i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			n, ok = i, true
		}
	}
	if ok && n >= 0 && n < int64(len(userTypes)) {
		return userTypes[n]
	}
	return exportfile.Text(v)
}

// app is a Defender for Cloud Apps application: its catalog name and id.
type app struct {
	name string
	id   int64
}

// microsoft365 is where Defender for Cloud Apps files Microsoft 365
// activity that has no product of its own (Entra ID, Purview, labels).
var microsoft365 = app{"Microsoft 365", 11161}

// workloadApps maps an audit record's Workload to the application
// CloudAppEvents names (lower-case keys).
var workloadApps = map[string]app{
	"sharepoint":     {"Microsoft SharePoint Online", 20892},
	"onedrive":       {"Microsoft OneDrive for Business", 15600},
	"exchange":       {"Microsoft Exchange Online", 20893},
	"microsoftteams": {"Microsoft Teams", 28375},
}

// workloadApp is the application of a workload (Microsoft 365 for others).
func workloadApp(workload string) app {
	if a, ok := workloadApps[strings.ToLower(workload)]; ok {
		return a
	}
	return microsoft365
}
