package sampledata

import (
	"slices"
	"strconv"
)

// Conditional Access as SigninLogs records it: every enabled policy of the
// tenant appears in ConditionalAccessPolicies on every sign-in with its
// result, and ConditionalAccessStatus sums up the enforced ones.

// Condition flags of conditionsSatisfied / conditionsNotSatisfied (the
// Graph conditionalAccessConditions enum; Log Analytics stores the sum).
const (
	condApplication = 1
	condUsers       = 2
	condLocation    = 8
	condClientType  = 16
	condSignInRisk  = 32
	condDeviceState = 256
)

// caPolicy is one Conditional Access policy of the tenant.
type caPolicy struct {
	id, name   string
	grant      []any // enforcedGrantControls: Mfa, Block, ...
	session    []any // enforcedSessionControls: SignInFrequency, ...
	reportOnly bool
	// match says which of the policy's conditions a sign-in meets; the
	// policy applies when it meets all of them (met == all).
	match func(s *signin) (met, all int)
}

// legacyClient reports whether a client app is legacy authentication,
// which cannot do MFA and which the MFA policies therefore leave out.
func legacyClient(clientApp string) bool {
	return clientApp == "Other clients" || clientApp == "Exchange ActiveSync"
}

// azureOperator reports whether a user works in Azure (their apps include
// the portal); the others are kept out of Azure management.
func azureOperator(u *User) bool { return slices.Contains(u.apps, appPortal) }

// unmanagedDevice reports whether the sign-in came from a device that is
// not managed (a personal phone, a Linux laptop, an unknown client).
func unmanagedDevice(s *signin) bool { return s.dev == nil || !s.dev.IsManaged }

func flag(ok bool, c int) int {
	if ok {
		return c
	}
	return 0
}

// newCAPolicies builds the tenant's policies; their ids come from a stream
// of their own so no other table moves.
func newCAPolicies(seed uint64) []*caPolicy {
	r := newRnd(seed, "conditional-access")
	modern := func(s *signin) bool { return !legacyClient(s.app.clientApp) }
	ps := []*caPolicy{
		{name: "CA001: Require multifactor authentication outside trusted locations", grant: []any{"Mfa"},
			match: func(s *signin) (int, int) {
				return condApplication | condUsers | flag(modern(s), condClientType) | flag(s.named == "", condLocation),
					condApplication | condUsers | condClientType | condLocation
			}},
		{name: "CA002: Block legacy authentication", grant: []any{"Block"}, reportOnly: true,
			match: func(s *signin) (int, int) {
				return condApplication | condUsers | flag(!modern(s), condClientType), condApplication | condUsers | condClientType
			}},
		{name: "CA003: Block Azure management for users outside Engineering and IT", grant: []any{"Block"},
			match: func(s *signin) (int, int) {
				return flag(s.app.resource == appPortal.resource, condApplication) | flag(!azureOperator(s.u), condUsers),
					condApplication | condUsers
			}},
		{name: "CA004: Require multifactor authentication for risky sign-ins", grant: []any{"Mfa"},
			match: func(s *signin) (int, int) {
				return condApplication | condUsers | flag(modern(s), condClientType) | flag(s.risk == "medium" || s.risk == "high", condSignInRisk),
					condApplication | condUsers | condClientType | condSignInRisk
			}},
		{name: "CA005: Sign-in frequency of 12 hours on unmanaged devices", session: []any{"SignInFrequency"},
			match: func(s *signin) (int, int) {
				return condApplication | condUsers | flag(modern(s), condClientType) | flag(unmanagedDevice(s), condDeviceState),
					condApplication | condUsers | condClientType | condDeviceState
			}},
	}
	for _, p := range ps {
		p.id = r.guid()
	}
	return ps
}

// caResultCode is the sign-in result a Conditional Access block gives.
const caResultCode = "53003"

// conditionalAccess evaluates the policies on a sign-in: the status for
// ConditionalAccessStatus and the ConditionalAccessPolicies array.
// Policies are evaluated only once the user has authenticated: a sign-in
// that failed before (a wrong password, an MFA interrupt) lists every
// policy as not applied. A block shows as failure on a 53003 sign-in.
func (g *gen) conditionalAccess(s *signin) (string, []any) {
	evaluated := s.result == "0" || s.result == caResultCode
	status := "notApplied"
	out := make([]any, 0, len(g.ca))
	for _, p := range g.ca {
		met, all := p.match(s)
		applies := evaluated && met == all
		result := "notApplied"
		switch {
		case applies && slices.Contains(p.grant, any("Block")):
			result = "failure"
		case applies:
			result = "success"
		}
		if p.reportOnly {
			result = "reportOnly" + string(result[0]-'a'+'A') + result[1:]
		} else if result == "failure" || (result == "success" && status != "failure") {
			status = result
		}
		out = append(out, bag("id", p.id, "displayName", p.name,
			"enforcedGrantControls", p.grant, "enforcedSessionControls", nonNil(p.session),
			"result", result, "conditionsSatisfied", int64(met), "conditionsNotSatisfied", int64(all&^met)))
	}
	return status, out
}

func nonNil(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}

// caKey identifies a sign-in's situation for the policies, so sign-ins in
// the same one share the (immutable) policy array.
func (g *gen) caKey(s *signin) string {
	k := s.result
	for _, p := range g.ca {
		met, _ := p.match(s)
		k += "|" + strconv.Itoa(met)
	}
	return k
}

// caEval is a cached evaluation.
type caEval struct {
	status   string
	policies []any
}
