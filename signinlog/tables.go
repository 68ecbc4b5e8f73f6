package signinlog

import (
	"strings"

	"github.com/huntbook/huntbook/internal/exportfile"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// The tables sign-ins map to, by their isInteractive.
const (
	Interactive    = "SigninLogs"
	NonInteractive = "AADNonInteractiveUserSignInLogs"
)

// A filler computes one column's value for a sign-in.
type filler func(s *SignIn) any

// renames are columns filled from a signIn property of another name.
// ResourceIdentity is the resource's application id (Graph's resourceId);
// Sentinel's ResourceId is the Azure resource the log came from.
var renames = map[string]string{
	"ResourceIdentity":          "resourceId",
	"ConditionalAccessPolicies": "appliedConditionalAccessPolicies",
	"LocationDetails":           "location",
	"ProcessingTimeInMs":        "processingTimeInMilliseconds",
}

// fillers are the columns computed rather than copied: Azure Monitor's
// own record fields (as its diagnostic settings write every sign-in) and
// the status taken apart.
var fillers = map[string]filler{
	"TimeGenerated":     func(s *SignIn) any { return types.DateTimeValue(s.Time) },
	"CreatedDateTime":   func(s *SignIn) any { return types.DateTimeValue(s.Time) },
	"ResultType":        func(s *SignIn) any { return exportfile.Text(status(s, "errorCode")) },
	"ResultDescription": func(s *SignIn) any { return exportfile.Text(status(s, "failureReason")) },
	"ResultSignature": func(s *SignIn) any {
		switch code := exportfile.Text(status(s, "errorCode")); code {
		case "":
			return ""
		case "0":
			return "SUCCESS"
		}
		return "None"
	},
	"Location": func(s *SignIn) any {
		if loc, ok := s.Data.Prop("location").(*types.Bag); ok {
			return exportfile.Text(loc.Prop("countryOrRegion"))
		}
		return ""
	},
	"Identity": func(s *SignIn) any { return exportfile.Text(s.Data.Prop("userDisplayName")) },
	"OriginalRequestId": func(s *SignIn) any {
		if v := exportfile.Text(s.Data.Prop("originalRequestId")); v != "" {
			return v
		}
		return s.ID
	},
	"AADTenantId": func(s *SignIn) any { return tenant(s) },
	"ResourceId": func(s *SignIn) any {
		if t := tenant(s); t != "" {
			return "/tenants/" + t + "/providers/Microsoft.aadiam"
		}
		return ""
	},
	"Resource":         func(*SignIn) any { return "Microsoft.aadiam" },
	"ResourceProvider": func(*SignIn) any { return "Microsoft.aadiam" },
	"ResourceGroup":    func(*SignIn) any { return "Microsoft.aadiam" },
	"OperationName":    func(*SignIn) any { return "Sign-in activity" },
	"OperationVersion": func(*SignIn) any { return "1.0" },
	"Level":            func(*SignIn) any { return "4" },
	"DurationMs":       func(*SignIn) any { return int64(0) },
	"Category": func(s *SignIn) any {
		if s.Interactive {
			return "SignInLogs"
		}
		return "NonInteractiveUserSignInLogs"
	},
	"IsInteractive": func(s *SignIn) any { return s.Interactive },
	"IsRisky":       isRisky,
	// The legacy string column; the policies are in ConditionalAccessPolicies.
	"AppliedConditionalAccessPolicies": func(*SignIn) any { return nil },
	// The Log Analytics workspace's own columns: nothing in a download.
	"TenantId":     func(*SignIn) any { return nil },
	"SourceSystem": func(*SignIn) any { return nil },
}

func status(s *SignIn, k string) any {
	if st, ok := s.Data.Prop("status").(*types.Bag); ok {
		return st.Prop(k)
	}
	return nil
}

// tenant is the directory that logged the sign-in: the diagnostic
// record's tenantId, else the resource's tenant, else the user's home.
func tenant(s *SignIn) string {
	for _, t := range []string{s.Tenant, exportfile.Text(s.Data.Prop("resourceTenantId")), exportfile.Text(s.Data.Prop("homeTenantId"))} {
		if t != "" {
			return t
		}
	}
	return ""
}

// isRisky is the sign-in's isRisky, else whether Identity Protection gave
// it a risk level or holds it at risk; unknown (null) when the download
// has no risk at all (the portal's CSV).
func isRisky(s *SignIn) any {
	if v := s.Data.Prop("isRisky"); v != nil {
		return v
	}
	known := false
	for _, k := range []string{"riskLevelDuringSignIn", "riskLevelAggregated", "riskState"} {
		switch exportfile.Text(s.Data.Prop(k)) {
		case "low", "medium", "high", "atRisk", "confirmedCompromised":
			return true
		case "":
		default:
			known = true
		}
	}
	if known {
		return false
	}
	return nil
}

// colKey is how a column finds its signIn property: case and underscores
// aside (RiskEventTypes_V2 is riskEventTypes_v2, PowerShell's RiskEventTypesV2).
func colKey(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", ""))
}

// Table maps sign-ins to table name (Interactive or NonInteractive), one
// row each, in the built-in schema's columns and types: a column takes the
// signIn property of its name (ipAddress is IPAddress, status is Status,
// riskEventTypes_v2 is RiskEventTypes_V2) unless renamed or computed;
// objects and arrays in string columns are compact JSON, as Sentinel keeps
// them. Values that do not fit their column's type are left null and
// returned as issues.
func Table(name string, signIns []SignIn) (*table.Table, []Issue) {
	m := exportfile.Mapping[SignIn]{
		Table: name,
		Data:  func(s *SignIn) *types.Bag { return s.Data },
		Column: func(col string) (func(*SignIn) any, string) {
			switch {
			case col == "Type":
				return func(*SignIn) any { return name }, ""
			case fillers[col] != nil:
				return fillers[col], ""
			case renames[col] != "":
				return nil, renames[col]
			}
			return nil, col
		},
		Fold:    colKey,
		Convert: converter,
	}
	var issues []Issue
	t := m.Build(signIns, func(s *SignIn, msg string) {
		issues = append(issues, Issue{File: s.File, Line: s.Line, Where: s.Where, Msg: msg})
	})
	return t, issues
}

// Tables maps the imported sign-ins, oldest first, to SigninLogs
// (interactive) and AADNonInteractiveUserSignInLogs, with the values that
// did not fit their columns.
func (im *Import) Tables() (interactive, nonInteractive *table.Table, issues []Issue) {
	var in, non []SignIn
	for _, s := range exportfile.OldestFirst(im.SignIns, signInTime) {
		if s.Interactive {
			in = append(in, s)
		} else {
			non = append(non, s)
		}
	}
	interactive, ii := Table(Interactive, in)
	nonInteractive, ni := Table(NonInteractive, non)
	return interactive, nonInteractive, append(ii, ni...)
}

// Span is the first and last sign-in time in ticks; ok is false with none.
func (im *Import) Span() (first, last int64, ok bool) {
	return exportfile.Span(im.SignIns, signInTime)
}

func signInTime(s *SignIn) int64 { return s.Time }
