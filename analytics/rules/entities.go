package rules

import (
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/types"
)

// entityType is one Sentinel entity type: the name rules map to, the Type
// the SecurityAlert Entities JSON gives it, and its identifiers.
type entityType struct {
	jsonType    string
	identifiers []string
}

// entityTypes lists the entity types and identifiers analytics rules can
// map (Sentinel's entity types reference).
var entityTypes = map[string]entityType{
	"Account": {"account", []string{"Name", "FullName", "NTDomain", "DnsDomain", "UPNSuffix", "Sid", "AadTenantId",
		"AadUserId", "PUID", "IsDomainJoined", "DisplayName", "ObjectGuid"}},
	"Host": {"host", []string{"DnsDomain", "NTDomain", "HostName", "FullName", "NetBiosName", "AzureID", "OMSAgentID",
		"OSFamily", "OSVersion", "IsDomainJoined"}},
	"IP":               {"ip", []string{"Address", "AddressScope"}},
	"URL":              {"url", []string{"Url"}},
	"AzureResource":    {"azure-resource", []string{"ResourceId"}},
	"CloudApplication": {"cloud-application", []string{"AppId", "Name", "InstanceName"}},
	"DNS":              {"dns", []string{"DomainName"}},
	"File":             {"file", []string{"Directory", "Name"}},
	"FileHash":         {"filehash", []string{"Algorithm", "Value"}},
	"Malware":          {"malware", []string{"Name", "Category"}},
	"Process":          {"process", []string{"ProcessId", "CommandLine", "ElevationToken", "CreationTimeUtc"}},
	"RegistryKey":      {"registry-key", []string{"Hive", "Key"}},
	"RegistryValue":    {"registry-value", []string{"Name", "Value", "ValueType"}},
	"SecurityGroup":    {"security-group", []string{"DistinguishedName", "SID", "ObjectGuid"}},
	"Mailbox": {"mailbox", []string{"MailboxPrimaryAddress", "DisplayName", "Upn", "ExternalDirectoryObjectId",
		"RecipientType"}},
	"MailCluster": {"mail-cluster", []string{"NetworkMessageIds", "CountByDeliveryStatus", "CountByThreatType",
		"CountByProtectionStatus", "Threats", "Query", "QueryTime", "MailCount", "IsVolumeAnomaly", "Source",
		"ClusterSourceIdentifier", "ClusterSourceType", "ClusterQueryStartTime", "ClusterQueryEndTime", "ClusterGroup"}},
	"MailMessage": {"mail-message", []string{"Recipient", "Urls", "Threats", "Sender", "P1Sender", "P1SenderDisplayName",
		"P1SenderDomain", "SenderIP", "P2Sender", "P2SenderDisplayName", "P2SenderDomain", "ReceivedDate",
		"NetworkMessageId", "InternetMessageId", "Subject", "BodyFingerprintBin1", "BodyFingerprintBin2",
		"BodyFingerprintBin3", "BodyFingerprintBin4", "BodyFingerprintBin5", "AntispamDirection", "DeliveryAction",
		"DeliveryLocation", "Language", "ThreatDetectionMethods"}},
	"SubmissionMail": {"SubmissionMail", []string{"SubmissionId", "SubmissionDate", "Submitter", "NetworkMessageId",
		"Timestamp", "Recipient", "Sender", "SenderIp", "Subject", "ReportType"}},
	"IoTDevice": {"iotdevice", []string{"IoTHub", "DeviceId", "DeviceName", "IoTSecurityAgentId", "DeviceType", "Source",
		"SourceRef", "Manufacturer", "Model", "OperatingSystem", "IpAddress", "MacAddress", "Protocols", "SerialNumber"}},
}

func entityTypeNames() []string {
	out := make([]string, 0, len(entityTypes))
	for k := range entityTypes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Entity is one mapped entity of an alert: its type (Account, IP...) and
// identifier values, in mapping order.
type Entity struct {
	Type   string
	Fields [][2]string // identifier, value
}

// Get returns an identifier's value.
func (e Entity) Get(id string) string {
	for _, f := range e.Fields {
		if f[0] == id {
			return f[1]
		}
	}
	return ""
}

// key identifies an entity for deduplication and incident grouping.
func (e Entity) key() string {
	var b strings.Builder
	b.WriteString(e.Type)
	fs := append([][2]string(nil), e.Fields...)
	sort.Slice(fs, func(i, j int) bool { return fs[i][0] < fs[j][0] })
	for _, f := range fs {
		b.WriteString("|" + f[0] + "=" + strings.ToLower(f[1]))
	}
	return b.String()
}

// entityFrom builds an entity from one result row; ok is false when every
// mapped column is empty (Sentinel drops such an entity).
func entityFrom(m EntityMapping, row func(col string) types.Value) (Entity, bool) {
	e := Entity{Type: m.Type}
	for _, f := range m.Fields {
		v := row(f.Column)
		s := ""
		if v.Type == types.Dynamic {
			if str, isStr := v.D.(string); isStr {
				s = str
			} else if v.Valid {
				s = v.String()
			}
		} else {
			s = v.String()
		}
		if s == "" {
			continue
		}
		e.Fields = append(e.Fields, splitFullName(m.Type, f.Identifier, s)...)
	}
	return e, len(e.Fields) > 0
}

// splitFullName expands FullName as Sentinel does: an account's
// user@suffix into Name and UPNSuffix, DOMAIN\user into NTDomain and Name;
// a host's host.domain into HostName and DnsDomain.
func splitFullName(typ, id, v string) [][2]string {
	if id != "FullName" {
		return [][2]string{{id, v}}
	}
	switch typ {
	case "Account":
		if name, suffix, ok := strings.Cut(v, "@"); ok && name != "" && suffix != "" {
			return [][2]string{{"Name", name}, {"UPNSuffix", suffix}}
		}
		if dom, name, ok := strings.Cut(v, `\`); ok && name != "" && dom != "" {
			return [][2]string{{"NTDomain", dom}, {"Name", name}}
		}
		return [][2]string{{"Name", v}}
	case "Host":
		if host, dom, ok := strings.Cut(v, "."); ok && host != "" && dom != "" {
			return [][2]string{{"HostName", host}, {"DnsDomain", dom}}
		}
		return [][2]string{{"HostName", v}}
	}
	return [][2]string{{id, v}}
}

// entitiesJSON renders entities as the SecurityAlert Entities column does:
// a JSON array of objects with "$id", the identifiers and "Type".
func entitiesJSON(ents []Entity) string {
	arr := make([]any, 0, len(ents))
	for i, e := range ents {
		b := types.NewBag()
		b.Set("$id", itoa(i+1))
		for _, f := range e.Fields {
			b.Set(f[0], f[1])
		}
		b.Set("Type", entityTypes[e.Type].jsonType)
		arr = append(arr, b)
	}
	return types.DynamicJSON(arr)
}

// dedupEntities keeps the first of equal entities, in order.
func dedupEntities(ents []Entity) []Entity {
	seen := map[string]bool{}
	var out []Entity
	for _, e := range ents {
		k := e.key()
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}
