package sampledata

import (
	"slices"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

// signinRow is what the sign-in checks read of one SigninLogs row.
type signinRow struct {
	i                      int
	t                      int64
	user, ip, app, result  string
	desc, caStatus, authRq string
	policies               []any
}

func signinRows(t *testing.T, ten *Tenant) []signinRow {
	t.Helper()
	tb := ten.Tables["SigninLogs"]
	times := tb.Column("TimeGenerated").Ints
	users, ips, apps := strs(t, tb, "UserPrincipalName"), strs(t, tb, "IPAddress"), strs(t, tb, "AppDisplayName")
	results, descs := strs(t, tb, "ResultType"), strs(t, tb, "ResultDescription")
	status, req := strs(t, tb, "ConditionalAccessStatus"), strs(t, tb, "AuthenticationRequirement")
	pols := tb.Column("ConditionalAccessPolicies").Dyns
	out := make([]signinRow, tb.Rows())
	for i := range out {
		out[i] = signinRow{i: i, t: times[i], user: users[i], ip: ips[i], app: apps[i], result: results[i], desc: descs[i],
			caStatus: status[i], authRq: req[i], policies: asList(pols[i])}
	}
	return out
}

// TestSigninResultMix: the background has the usual Entra failures at
// plausible rates, each with its description.
func TestSigninResultMix(t *testing.T) {
	rows := signinRows(t, tenant(t))
	count := map[string]int{}
	for _, r := range rows {
		count[r.result]++
		want, known := resultText[r.result]
		if !known || r.desc != want {
			t.Fatalf("row %d: ResultType %s has description %q", r.i, r.result, r.desc)
		}
	}
	n := float64(len(rows))
	cases := []struct {
		result   string
		min, max float64 // share of all sign-ins
	}{
		{"0", 0.85, 0.97},
		{"50126", 0.01, 0.05},
		{"50074", 0.005, 0.03},
		{"50076", 0.0005, 0.01},
		{"50079", 0.00005, 0.002},
		{"500121", 0.0002, 0.005},
		{"50140", 0.002, 0.02},
		{"53003", 0.001, 0.01},
		{"50053", 0.0001, 0.002},
		{"50055", 0.00005, 0.002},
		{"50057", 0.00002, 0.001},
		{"50089", 0.0005, 0.01},
		{"50133", 0.0002, 0.005},
		{"65001", 0.0002, 0.005},
		{"70044", 0.002, 0.03},
		{"16000", 0.0005, 0.01},
		{"16001", 0.00005, 0.002},
	}
	for _, c := range cases {
		if share := float64(count[c.result]) / n; share < c.min || share > c.max {
			t.Errorf("ResultType %s: %d rows, %.4f of sign-ins, want %.4f..%.4f", c.result, count[c.result], share, c.min, c.max)
		}
	}
}

// TestConditionalAccessShape: every sign-in lists every policy in
// Sentinel's shape, and ConditionalAccessStatus agrees with the enforced
// policies' results.
func TestConditionalAccessShape(t *testing.T) {
	ten := tenant(t)
	policies := newCAPolicies(ten.Config.Seed)
	keys := []string{"id", "displayName", "enforcedGrantControls", "enforcedSessionControls", "result", "conditionsSatisfied", "conditionsNotSatisfied"}
	seen := map[string]map[string]bool{} // policy name -> results seen
	for _, r := range signinRows(t, ten) {
		if len(r.policies) != len(policies) {
			t.Fatalf("row %d: %d policies, want %d", r.i, len(r.policies), len(policies))
		}
		failed, succeeded, mfaDone := false, false, false
		for k, p := range r.policies {
			b, ok := p.(*types.Bag)
			if !ok || !slices.Equal(b.Keys, keys) {
				t.Fatalf("row %d policy %d: %v, want a bag with keys %v", r.i, k, p, keys)
			}
			name, _ := b.Get("displayName")
			id, _ := b.Get("id")
			if name != policies[k].name || id != policies[k].id {
				t.Fatalf("row %d policy %d: %v %v, want %s %s", r.i, k, id, name, policies[k].id, policies[k].name)
			}
			res, _ := b.Get("result")
			result := res.(string)
			if seen[policies[k].name] == nil {
				seen[policies[k].name] = map[string]bool{}
			}
			seen[policies[k].name][result] = true
			if policies[k].reportOnly != strings.HasPrefix(result, "reportOnly") {
				t.Fatalf("row %d: %s result %q", r.i, policies[k].name, result)
			}
			if r.result != "0" && r.result != caResultCode && result != "notApplied" && result != "reportOnlyNotApplied" {
				t.Fatalf("row %d: ResultType %s (failed before Conditional Access) but %s is %q", r.i, r.result, policies[k].name, result)
			}
			failed = failed || result == "failure"
			succeeded = succeeded || result == "success"
			grant, _ := b.Get("enforcedGrantControls")
			mfaDone = mfaDone || (result == "success" && slices.Contains(asList(grant), any("Mfa")))
		}
		want := "notApplied"
		switch {
		case failed:
			want = "failure"
		case succeeded:
			want = "success"
		}
		if r.caStatus != want {
			t.Fatalf("row %d: ConditionalAccessStatus %q, policies say %q", r.i, r.caStatus, want)
		}
		if failed != (r.result == caResultCode) {
			t.Fatalf("row %d: ResultType %s with a blocking policy %v", r.i, r.result, failed)
		}
		if mfaDone && r.authRq != "multiFactorAuthentication" {
			t.Fatalf("row %d: an MFA policy succeeded but AuthenticationRequirement is %q", r.i, r.authRq)
		}
	}
	// each enforced policy both applies and does not somewhere
	for _, p := range policies {
		want := []string{"success", "notApplied"}
		switch {
		case p.reportOnly:
			want = []string{"reportOnlyFailure", "reportOnlyNotApplied"}
		case slices.Contains(p.grant, any("Block")):
			want = []string{"failure", "notApplied"}
		}
		for _, w := range want {
			if !seen[p.name][w] {
				t.Errorf("%s: no sign-in with result %s (saw %v)", p.name, w, seen[p.name])
			}
		}
	}
}

// TestSigninFailureStories: the failures that come with a story of their
// own line up with AuditLogs and IdentityInfo: a lockout follows wrong
// passwords and leads to a helpdesk reset, a session ended by a password
// change follows one, a disabled account is disabled in the directory.
func TestSigninFailureStories(t *testing.T) {
	ten := tenant(t)
	rows := signinRows(t, ten)
	au := ten.Tables["AuditLogs"]
	type rec struct {
		t        int64
		op, upn  string
		disabled bool
	}
	byUser := map[string][]rec{}
	ops, times, targets := strs(t, au, "OperationName"), au.Column("TimeGenerated").Ints, au.Column("TargetResources").Dyns
	for i, op := range ops {
		b := asList(targets[i])[0].(*types.Bag)
		upn, _ := b.Get("userPrincipalName")
		if s, ok := upn.(string); ok {
			byUser[s] = append(byUser[s], rec{t: times[i], op: op})
		}
	}
	last := func(user, op string, before int64) int64 {
		at := int64(-1)
		for _, r := range byUser[user] {
			if r.op == op && r.t <= before && r.t > at {
				at = r.t
			}
		}
		return at
	}
	next := func(user, op string, after int64) int64 {
		at := int64(-1)
		for _, r := range byUser[user] {
			if r.op == op && r.t >= after && (at < 0 || r.t < at) {
				at = r.t
			}
		}
		return at
	}
	failures := map[string][]int64{} // user -> 50126 times
	for _, r := range rows {
		if r.result == "50126" {
			failures[r.user] = append(failures[r.user], r.t)
		}
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.result]++
		switch r.result {
		case "50053":
			wrong := 0
			for _, ft := range failures[r.user] {
				if ft < r.t && ft > r.t-types.Hour {
					wrong++
				}
			}
			if wrong < 4 {
				t.Errorf("row %d: %s locked out after %d wrong passwords in the hour before", r.i, r.user, wrong)
			}
			if at := next(r.user, "Reset user password", r.t); at < 0 || at > r.t+types.Hour {
				t.Errorf("row %d: %s locked out and no helpdesk reset within the hour", r.i, r.user)
			}
		case "50133":
			if last(r.user, "Change password (self-service)", r.t) < 0 {
				t.Errorf("row %d: %s session invalid after a password change, but there was none", r.i, r.user)
			}
		case "50055":
			if at := next(r.user, "Change password (self-service)", r.t); at < 0 || at > r.t+10*types.Minute {
				t.Errorf("row %d: %s password expired and not changed", r.i, r.user)
			}
		case "50057":
			dis, en := last(r.user, "Disable account", r.t), next(r.user, "Enable account", r.t)
			if dis < 0 || en < 0 || last(r.user, "Enable account", r.t) > dis {
				t.Errorf("row %d: %s signs in to a disabled account outside a Disable/Enable account pair", r.i, r.user)
			}
		}
	}
	for _, c := range []string{"50053", "50133", "50055", "50057"} {
		if counts[c] == 0 {
			t.Errorf("no %s sign-ins", c)
		}
	}
	// the disabled accounts show so in an IdentityInfo snapshot only while disabled
	ii := ten.Tables["IdentityInfo"]
	enabled := ii.Column("IsAccountEnabled").Ints
	for i, upn := range strs(t, ii, "AccountUPN") {
		at := ii.Column("TimeGenerated").Ints[i]
		dis := last(upn, "Disable account", at)
		off := dis >= 0 && last(upn, "Enable account", at) < dis
		if (enabled[i] == 1) == off {
			t.Errorf("IdentityInfo row %d: %s IsAccountEnabled %v at %s", i, upn, enabled[i], types.FormatDateTime(at))
		}
	}
}
