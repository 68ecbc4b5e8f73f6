package defender

import (
	"context"
	"strings"

	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/providers"
)

// XDRTables are the Defender XDR advanced hunting tables huntbook has a
// built-in schema for: the tables whose kql/schemas file is sourced from the
// Defender XDR advanced hunting schema reference (learn.microsoft.com/
// defender-xdr/advanced-hunting-*-table), plus CloudAppEvents and
// IdentityInfo, which are Defender tables whose built-in columns came by
// way of Sentinel. kql/schemas keeps no machine-readable marker of a
// table's origin, so the list is kept here; a test checks every name has a
// schema and that every built-in table with Timestamp and ReportId columns
// (the mark of an XDR event table) is listed.
var XDRTables = []string{
	"AADSignInEventsBeta", "AADSpnSignInEventsBeta",
	"AlertEvidence", "AlertInfo",
	"BehaviorEntities", "BehaviorInfo",
	"CloudAppEvents", "CloudAuditEvents",
	"DeviceEvents", "DeviceFileCertificateInfo", "DeviceFileEvents", "DeviceImageLoadEvents", "DeviceInfo",
	"DeviceLogonEvents", "DeviceNetworkEvents", "DeviceNetworkInfo", "DeviceProcessEvents", "DeviceRegistryEvents",
	"DeviceTvmBrowserExtensions", "DeviceTvmBrowserExtensionsKB", "DeviceTvmInfoGathering",
	"DeviceTvmSecureConfigurationAssessment", "DeviceTvmSecureConfigurationAssessmentKB",
	"DeviceTvmSoftwareInventory", "DeviceTvmSoftwareVulnerabilities", "DeviceTvmSoftwareVulnerabilitiesKB",
	"EmailAttachmentInfo", "EmailEvents", "EmailPostDeliveryEvents", "EmailUrlInfo",
	"EntraIdSignInEvents",
	"ExposureGraphEdges", "ExposureGraphNodes",
	"GraphAPIAuditEvents",
	"IdentityDirectoryEvents", "IdentityInfo", "IdentityLogonEvents", "IdentityQueryEvents",
	"OAuthAppInfo",
	"UrlClickEvents",
}

// Tables lists the advanced hunting tables with their built-in columns (the
// APIs have no schema call). The mde API only reaches Defender for
// Endpoint's Device* tables. Tables shared with Sentinel carry the columns
// Sentinel adds too (TimeGenerated, TenantId, Type ...), as kql/schemas
// merges them. Row counts are unknown (-1).
func (p *Provider) Tables(context.Context) ([]providers.TableInfo, error) {
	var out []providers.TableInfo
	for _, name := range XDRTables {
		if p.api.name == APIMDE && !strings.HasPrefix(name, "Device") {
			continue
		}
		s, ok := schemas.Lookup(name)
		if !ok {
			continue // checked by the tests; never fail a listing over it
		}
		out = append(out, providers.TableInfo{Name: name, Schema: s, Rows: -1})
	}
	return out, nil
}
