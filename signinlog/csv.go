package signinlog

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/huntbook/huntbook/internal/exportfile"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// fieldKind is how a CSV cell becomes part of a signIn.
type fieldKind int

const (
	kText     fieldKind = iota
	kTime               // the sign-in's time
	kInt                // a number (status.errorCode)
	kBool               // Yes/No, True/False
	kEnum               // the portal's words for a Graph enum value
	kLocation           // "City, State, CC"
	kStatus             // Success, Failure, Interrupted
	kNone               // known, but no column of the tables holds it
)

// csvField is where a header's cells go: a path in the signIn resource
// ("status.errorCode").
type csvField struct {
	path string
	kind fieldKind
}

// csvFields are the headers of the Entra admin center's sign-in CSV
// download (interactive and non-interactive tabs), by their normalised
// name (lower case, spaces collapsed), and a few other spellings of the
// same (the Graph property names tools write as headers).
var csvFields = map[string]csvField{
	"date (utc)":                             {"createdDateTime", kTime},
	"date":                                   {"createdDateTime", kTime},
	"createddatetime":                        {"createdDateTime", kTime},
	"request id":                             {"id", kText},
	"user agent":                             {"userAgent", kText},
	"correlation id":                         {"correlationId", kText},
	"user id":                                {"userId", kText},
	"user":                                   {"userDisplayName", kText},
	"userdisplayname":                        {"userDisplayName", kText},
	"username":                               {"userPrincipalName", kText},
	"userprincipalname":                      {"userPrincipalName", kText},
	"user type":                              {"userType", kText},
	"cross tenant access type":               {"crossTenantAccessType", kEnum},
	"authentication protocol":                {"authenticationProtocol", kEnum},
	"unique token identifier":                {"uniqueTokenIdentifier", kText},
	"application":                            {"appDisplayName", kText},
	"appdisplayname":                         {"appDisplayName", kText},
	"application id":                         {"appId", kText},
	"resource":                               {"resourceDisplayName", kText},
	"resource id":                            {"resourceId", kText},
	"resource tenant id":                     {"resourceTenantId", kText},
	"home tenant id":                         {"homeTenantId", kText},
	"ip address":                             {"ipAddress", kText},
	"ipaddress":                              {"ipAddress", kText},
	"location":                               {"location", kLocation},
	"city":                                   {"location.city", kText},
	"state":                                  {"location.state", kText},
	"country":                                {"location.countryOrRegion", kText},
	"country or region":                      {"location.countryOrRegion", kText},
	"status":                                 {"status", kStatus},
	"sign-in error code":                     {"status.errorCode", kInt},
	"failure reason":                         {"status.failureReason", kText},
	"multifactor authentication result":      {"status.additionalDetails", kText},
	"client app":                             {"clientAppUsed", kText},
	"device id":                              {"deviceDetail.deviceId", kText},
	"browser":                                {"deviceDetail.browser", kText},
	"operating system":                       {"deviceDetail.operatingSystem", kText},
	"os":                                     {"deviceDetail.operatingSystem", kText},
	"compliant":                              {"deviceDetail.isCompliant", kBool},
	"managed":                                {"deviceDetail.isManaged", kBool},
	"join type":                              {"deviceDetail.trustType", kText},
	"multifactor authentication auth method": {"mfaDetail.authMethod", kText},
	"multifactor authentication auth detail": {"mfaDetail.authDetail", kText},
	"authentication requirement":             {"authenticationRequirement", kEnum},
	"sign-in identifier":                     {"signInIdentifier", kText},
	"ip address (seen by resource)":          {"ipAddressFromResourceProvider", kText},
	"autonomous system number":               {"autonomousSystemNumber", kText},
	"flagged for review":                     {"flaggedForReview", kBool},
	"token issuer type":                      {"tokenIssuerType", kText},
	"token issuer name":                      {"tokenIssuerName", kText},
	"latency":                                {"processingTimeInMilliseconds", kText},
	"conditional access":                     {"conditionalAccessStatus", kEnum},
	"conditionalaccessstatus":                {"conditionalAccessStatus", kEnum},
	"interactive":                            {"isInteractive", kBool},
	"is interactive":                         {"isInteractive", kBool},
	"risk state":                             {"riskState", kEnum},
	"riskstate":                              {"riskState", kEnum},
	"risk detail":                            {"riskDetail", kEnum},
	"risk level (aggregate)":                 {"riskLevelAggregated", kEnum},
	"risklevelaggregated":                    {"riskLevelAggregated", kEnum},
	"risk level (sign-in)":                   {"riskLevelDuringSignIn", kEnum},
	"risk level during sign-in":              {"riskLevelDuringSignIn", kEnum},
	"risklevelduringsignin":                  {"riskLevelDuringSignIn", kEnum},
	// Shown by the portal, but no column of SigninLogs or
	// AADNonInteractiveUserSignInLogs holds them.
	"incoming token type":                           {"", kNone},
	"original transfer method":                      {"", kNone},
	"client credential type":                        {"", kNone},
	"token protection - sign in session":            {"", kNone},
	"token protection - sign in session statuscode": {"", kNone},
	"app owner tenant id":                           {"", kNone},
	"resource owner tenant id":                      {"", kNone},
	"home tenant name":                              {"", kNone},
	"session id":                                    {"", kNone},
	"through global secure access":                  {"", kNone},
	"global secure access ip address":               {"", kNone},
	"managed identity type":                         {"", kNone},
	"associated resource id":                        {"", kNone},
	"federated token id":                            {"", kNone},
	"federated token issuer":                        {"", kNone},
}

// servicePrincipalHeaders mark the portal's service principal and managed
// identity downloads, whose sign-ins belong to other tables.
var servicePrincipalHeaders = []string{"service principal id", "service principal name", "credential key id", "credential thumbprint"}

// enumWords are Graph enum values by the portal's words for them, lower
// case without spaces or hyphens ("Not Applied", "Single-factor
// authentication", "At risk").
var enumWords = map[string]string{}

func init() {
	for _, v := range []string{
		"success", "failure", "notApplied", "unknownFutureValue", // conditionalAccessStatus
		"singleFactorAuthentication", "multiFactorAuthentication", // authenticationRequirement
		"none", "b2bCollaboration", "b2bDirectConnect", "microsoftSupport", "serviceProvider", "unknownFutureValue", "passthrough", // crossTenantAccessType
		"oAuth2", "ropc", "wsFederation", "saml20", "deviceCode", // authenticationProtocol
		"low", "medium", "high", "hidden", // riskLevel
		"confirmedSafe", "remediated", "dismissed", "atRisk", "confirmedCompromised", // riskState
		"adminGeneratedTemporaryPassword", "userPerformedSecuredPasswordChange", "userPerformedSecuredPasswordReset",
		"adminConfirmedSigninSafe", "aiConfirmedSigninSafe", "userPassedMFADrivenByRiskBasedPolicy",
		"adminDismissedAllRiskForUser", "adminConfirmedSigninCompromised", // riskDetail
	} {
		enumWords[enumKey(v)] = v
	}
}

func enumKey(s string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.TrimSpace(s)))
}

// enumValue is the Graph value the portal's words stand for; words it does
// not know are kept as written.
func enumValue(s string) string {
	if v, ok := enumWords[enumKey(s)]; ok {
		return v
	}
	return s
}

// normHeader is a header as csvFields spells it: trimmed, lower case,
// runs of spaces as one ("Application ID " and "Autonomous system  number"
// are written so).
func normHeader(h string) string {
	return strings.ToLower(strings.Join(strings.Fields(h), " "))
}

// readCSV reads the portal's CSV download: every header it knows places
// its cells in the signIn resource; the others are listed in a note.
func (im *Import) readCSV(data []byte, name string) error {
	hd, err := exportfile.ReadHead(data, name, "a sign-in log download", true)
	if err != nil {
		return err
	}
	header := hd.Header
	fields := make([]csvField, len(header))
	names := make([]string, len(header)) // unique names for the CSV reader
	seen := map[string]int{}
	var noColumn, unknown []string
	timeCol := -1
	for j, h := range header {
		h = strings.TrimSpace(h)
		n := normHeader(h)
		for _, sp := range servicePrincipalHeaders {
			if n == sp {
				return fmt.Errorf("%s: a %q column: this is a service principal or managed identity sign-in download "+
					"(AADServicePrincipalSignInLogs, AADManagedIdentitySignInLogs); only user sign-ins are imported", name, h)
			}
		}
		// The portal writes "Incoming token type" twice.
		seen[n]++
		names[j] = h
		if seen[n] > 1 {
			names[j] = fmt.Sprintf("%s (%d)", h, seen[n])
		}
		if h == "" {
			names[j] = fmt.Sprintf("field %d", j+1)
		}
		f, ok := csvFields[n]
		switch {
		case !ok:
			fields[j] = csvField{kind: kNone}
			if seen[n] == 1 {
				unknown = append(unknown, fmt.Sprintf("%q", h))
			}
		case f.kind == kNone:
			fields[j] = f
			if seen[n] == 1 {
				noColumn = append(noColumn, fmt.Sprintf("%q", h))
			}
		case f.kind == kTime:
			if timeCol < 0 {
				timeCol = j
			}
			fields[j] = csvField{kind: kNone}
		default:
			fields[j] = f
		}
	}
	if timeCol < 0 {
		msg := fmt.Sprintf("%s: no \"Date (UTC)\" column (header: %s): not an Entra ID sign-in log download", name, strings.Join(header, ","))
		if strings.Contains(strings.ToLower(name), "authdetails") {
			msg += " (this is the authentication details file the portal saves beside the sign-ins: import the sign-ins file)"
		}
		return fmt.Errorf("%s", msg)
	}
	if len(unknown) > 0 {
		im.Notes = append(im.Notes, fmt.Sprintf("%s: columns not recognised, left out: %s", name, strings.Join(unknown, ", ")))
	}
	if len(noColumn) > 0 {
		im.Notes = append(im.Notes, fmt.Sprintf("%s: columns no sign-in table has, left out: %s", name, strings.Join(noColumn, ", ")))
	}

	// The header again with unique names; the cells as text, the time as a
	// datetime in whichever form the file wrote it (ISO or a locale's).
	var hb bytes.Buffer
	w := csv.NewWriter(&hb)
	w.Write(names)
	w.Flush()
	body := append(hb.Bytes(), hd.Body[hd.Len:]...)
	schema := make(types.Schema, len(names))
	for j, n := range names {
		schema[j] = types.Column{Name: n, Type: types.String}
	}
	schema[timeCol].Type = types.DateTime
	t, lines, notes, err := hd.Read(body, name, schema)
	if err != nil {
		return err
	}
	im.Notes = append(im.Notes, notes...)
	interactive := !nonInteractiveName(name)
	hasInteractive := false
	for _, f := range fields {
		hasInteractive = hasInteractive || f.path == "isInteractive"
	}
	if !hasInteractive {
		kind, table := "interactive", "SigninLogs"
		if !interactive {
			kind, table = "non-interactive", "AADNonInteractiveUserSignInLogs"
		}
		im.Notes = append(im.Notes, fmt.Sprintf("%s: sign-ins taken as %s (%s), as the file's name says; "+
			"the portal's download does not say (name the non-interactive tab's download NonInteractiveSignIns*.csv)", name, kind, table))
	}
	cols := make([]*table.Column, len(names))
	for j, n := range names {
		cols[j] = t.Column(n)
	}
	when := cols[timeCol]
	for i := range t.Rows() {
		line, where := 0, ""
		if lines != nil {
			line = lines[i]
		} else {
			where = fmt.Sprintf("record %d", i+1)
		}
		if when.IsNull(i) {
			im.skip(name, line, where, fmt.Sprintf("no sign-in time: %s is empty or not a datetime", header[timeCol]))
			continue
		}
		b := types.NewBagCap(24)
		word := ""
		for j, f := range fields {
			c := cols[j]
			if f.kind == kNone || c == nil || c.IsNull(i) {
				continue
			}
			v := strings.TrimSpace(c.Strs[i])
			if v == "" {
				continue
			}
			switch f.kind {
			case kText:
				setPath(b, f.path, v)
			case kInt:
				if n, ok := exportfile.Integer(v); ok {
					setPath(b, f.path, n)
				} else {
					setPath(b, f.path, v)
				}
			case kBool:
				if x, ok := toBool(v); ok {
					setPath(b, f.path, x)
				} else {
					setPath(b, f.path, v)
				}
			case kEnum:
				setPath(b, f.path, enumValue(v))
			case kLocation:
				setLocation(b, v)
			case kStatus:
				word = strings.ToLower(v)
			}
		}
		// A success the file gives in words only has error code 0.
		if word == "success" {
			if st, _ := b.Prop("status").(*types.Bag); st == nil || st.Prop("errorCode") == nil {
				setPath(b, "status.errorCode", int64(0))
			}
		}
		b.Set("createdDateTime", types.DateTimeValue(when.Ints[i]))
		s := SignIn{File: name, Line: line, Where: where, Time: when.Ints[i], Interactive: interactive, Data: b}
		s.ID = exportfile.Text(b.Prop("id"))
		if ia, ok := toBool(b.Prop("isInteractive")); ok {
			s.Interactive = ia
		}
		im.add(s)
	}
	return nil
}

// setPath sets a value at a dotted path, making the objects on the way.
func setPath(b *types.Bag, path string, v any) {
	for {
		k, rest, nested := strings.Cut(path, ".")
		if !nested {
			b.Set(k, v)
			return
		}
		next, ok := b.Prop(k).(*types.Bag)
		if !ok {
			next = types.NewBagCap(4)
			b.Set(k, next)
		}
		b, path = next, rest
	}
}

// setLocation places the portal's "City, State, CC" (parts may be empty;
// the country is the last, two letters) as Graph's location object.
func setLocation(b *types.Bag, v string) {
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	var city, state, country string
	switch n := len(parts); {
	case n == 1:
		if len(parts[0]) == 2 {
			country = parts[0]
		} else {
			city = parts[0]
		}
	case n == 2:
		city, country = parts[0], parts[1]
	default:
		city, state, country = strings.Join(parts[:n-2], ", "), parts[n-2], parts[n-1]
	}
	loc := types.NewBagCap(3)
	for _, kv := range [][2]string{{"city", city}, {"state", state}, {"countryOrRegion", country}} {
		if kv[1] != "" {
			loc.Set(kv[0], kv[1])
		}
	}
	if loc.Len() > 0 {
		b.Set("location", loc)
	}
}
