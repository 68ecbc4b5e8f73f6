package sampledata

import (
	"cmp"
	"encoding/base64"
	"slices"
	"strconv"
	"time"

	"github.com/huntbook/huntbook/kql/types"
)

// bag builds a property bag from key, value pairs (values must already be
// dynamic payloads: int64, float64, string, bool, []any, *types.Bag).
func bag(kv ...any) *types.Bag {
	b := types.NewBag()
	for i := 0; i+1 < len(kv); i += 2 {
		b.Set(kv[i].(string), kv[i+1])
	}
	return b
}

// Sign-in result codes and their descriptions (Microsoft Entra error
// codes, as SigninLogs.ResultDescription gives them).
var resultText = map[string]string{
	"0":      "",
	"16000":  "Either multiple user identities are available for the current request or selected account is not supported for the scenario.",
	"16001":  "Account selection is invalid: the selected session was rejected.",
	"50053":  "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
	"50055":  "The password is expired.",
	"50057":  "User account is disabled. The account has been disabled by an administrator.",
	"50074":  "Strong Authentication is required.",
	"50076":  "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access.",
	"50079":  "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access.",
	"50089":  "Flow token expired - Authentication Failed. Have the user try signing-in again with username -password.",
	"50126":  "Error validating credentials due to invalid username or password.",
	"50133":  "Session is invalid due to expiration or recent password change.",
	"50140":  "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.",
	"500121": "Authentication failed during strong authentication request.",
	"53003":  "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
	"65001":  "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.",
	"70044":  "The session has expired or is invalid due to sign-in frequency checks by conditional access.",
}

// passwordRejected lists the results whose password step failed.
var passwordRejected = map[string]bool{"50126": true, "50053": true, "50055": true, "50057": true, "50133": true}

// signin is one interactive sign-in to emit.
type signin struct {
	u          *User
	t          int64
	app        app
	ip         string
	isp        ISP
	place      *Place
	dev        *Device // nil: an unregistered device, ua says what it was
	ua         string
	os         string
	browser    string
	result     string
	mfa        bool
	risk       string // none, low, medium, high
	riskEvents []string
	named      string // named network name, if from an office
}

// signinCache shares the immutable dynamic values many rows repeat.
type signinCache struct {
	status   map[string]*types.Bag
	location map[*Place]*types.Bag
	device   map[string]*types.Bag
	ca       map[string]caEval
}

func newSigninCache() *signinCache {
	return &signinCache{status: map[string]*types.Bag{}, location: map[*Place]*types.Bag{}, device: map[string]*types.Bag{}, ca: map[string]caEval{}}
}

func (g *gen) emitSignin(r *rnd, c *signinCache, s signin) string {
	row := g.e.row("SigninLogs")
	id := r.guid()
	row.time("TimeGenerated", s.t).time("CreatedDateTime", s.t)
	row.str("Id", id).str("OriginalRequestId", id).str("CorrelationId", r.guid())
	row.str("UniqueTokenIdentifier", base64.RawURLEncoding.EncodeToString([]byte(r.hexID(16))))
	row.str("AADTenantId", g.m.TenantID).str("HomeTenantId", g.m.TenantID).str("ResourceTenantId", g.m.TenantID)
	row.str("Category", "SignInLogs").str("OperationName", "Sign-in activity").str("OperationVersion", "1.0").str("Level", "4")
	row.str("Resource", "Microsoft.aadiam").str("ResourceProvider", "Microsoft.aadiam").str("ResourceGroup", "Microsoft.aadiam")
	row.str("ResourceId", "/tenants/"+g.m.TenantID+"/providers/Microsoft.aadiam")
	row.str("AppDisplayName", s.app.name).str("AppId", s.app.id)
	row.str("ResourceDisplayName", s.app.resource).str("ResourceIdentity", s.app.resID)
	row.str("ClientAppUsed", s.app.clientApp).boolean("IsInteractive", true)
	row.str("UserPrincipalName", s.u.UPN).str("UserDisplayName", s.u.DisplayName).str("UserId", s.u.ID)
	row.str("Identity", s.u.DisplayName).str("AlternateSignInName", s.u.UPN).str("UserType", "Member")
	row.str("IPAddress", s.ip).str("AutonomousSystemNumber", strconv.Itoa(s.isp.ASN))
	row.str("Location", s.place.CountryCode)
	loc, ok := c.location[s.place]
	if !ok {
		loc = bag("city", s.place.City, "state", s.place.State, "countryOrRegion", s.place.CountryCode,
			"geoCoordinates", bag("latitude", s.place.Lat, "longitude", s.place.Lon))
		c.location[s.place] = loc
	}
	row.dyn("LocationDetails", loc)
	devKey := s.ua
	if s.dev != nil {
		devKey = s.dev.ID
	}
	dev, ok := c.device[devKey]
	if !ok {
		if s.dev != nil {
			dev = bag("deviceId", s.dev.ID, "displayName", s.dev.DisplayName, "operatingSystem", s.dev.OS,
				"browser", s.dev.Browser, "isCompliant", s.dev.IsCompliant, "isManaged", s.dev.IsManaged, "trustType", s.dev.TrustType)
		} else {
			dev = bag("deviceId", "", "operatingSystem", s.os, "browser", s.browser)
		}
		c.device[devKey] = dev
	}
	row.dyn("DeviceDetail", dev)
	ua := s.ua
	if s.dev != nil {
		ua = s.dev.UserAgent
	}
	row.str("UserAgent", ua)
	status, ok := c.status[s.result]
	if !ok {
		code, _ := strconv.ParseInt(s.result, 10, 64)
		status = bag("errorCode", code)
		if s.result != "0" {
			status.Set("failureReason", resultText[s.result])
		}
		c.status[s.result] = status
	}
	row.dyn("Status", status)
	row.str("ResultType", s.result).str("ResultDescription", resultText[s.result])
	if s.result == "0" {
		row.str("ResultSignature", "SUCCESS")
	} else {
		row.str("ResultSignature", "None")
	}
	req := "singleFactorAuthentication"
	if s.mfa {
		req = "multiFactorAuthentication"
	}
	row.str("AuthenticationRequirement", req)
	method := `[{"authenticationStepDateTime":"` + types.FormatDateTime(s.t) + `","authenticationMethod":"Password","succeeded":` + strconv.FormatBool(!passwordRejected[s.result]) + `}]`
	switch {
	case s.mfa && (s.result == "0" || s.result == caResultCode):
		method = `[{"authenticationStepDateTime":"` + types.FormatDateTime(s.t) + `","authenticationMethod":"Password","succeeded":true},{"authenticationMethod":"Mobile app notification","succeeded":true}]`
	case s.result == "500121":
		method = `[{"authenticationStepDateTime":"` + types.FormatDateTime(s.t) + `","authenticationMethod":"Password","succeeded":true},{"authenticationMethod":"Mobile app notification","succeeded":false}]`
	}
	row.str("AuthenticationDetails", method)
	row.str("AuthenticationProtocol", "none").str("CrossTenantAccessType", "none").str("TokenIssuerType", "AzureAD")
	key := g.caKey(&s)
	ca, ok := c.ca[key]
	if !ok {
		ca.status, ca.policies = g.conditionalAccess(&s)
		c.ca[key] = ca
	}
	row.str("ConditionalAccessStatus", ca.status).dyn("ConditionalAccessPolicies", ca.policies)
	row.long("DurationMs", 0).str("ProcessingTimeInMilliseconds", strconv.Itoa(40+r.IntN(300))).boolean("FlaggedForReview", false)
	if s.named != "" {
		row.str("NetworkLocationDetails", `[{"networkType":"namedNetwork","networkNames":["`+s.named+`"]}]`)
	} else {
		row.str("NetworkLocationDetails", "[]")
	}
	risk := s.risk
	if risk == "" {
		risk = "none"
	}
	row.str("RiskLevelDuringSignIn", risk).str("RiskLevelAggregated", risk).str("RiskDetail", "none")
	row.boolean("IsRisky", risk != "none")
	state := "none"
	if risk != "none" {
		state = "atRisk"
	}
	row.str("RiskState", state)
	ev := "["
	for i, x := range s.riskEvents {
		if i > 0 {
			ev += ","
		}
		ev += `"` + x + `"`
	}
	row.str("RiskEventTypes", ev+"]").str("RiskEventTypes_V2", ev+"]")
	g.e.emit(row)
	return id
}

// localMidnight returns the UTC ticks at which the local day containing
// the UTC instant t begins, for a fixed UTC offset in minutes.
func localMidnight(t int64, tzMinutes int) int64 {
	off := int64(tzMinutes) * types.Minute
	return (t+off)/types.Day*types.Day - off
}

func weekday(t int64, tzMinutes int) time.Weekday {
	return types.TicksToTime(t + int64(tzMinutes)*types.Minute).Weekday()
}

// trip is a user's journey away from the office.
type trip struct {
	place      *Place
	start, end int64
}

// trips picks who travels and when, from its own stream so every table that
// needs to know where a user was agrees.
func (g *gen) trips() map[string]trip {
	r := newRnd(g.cfg.Seed, "travel")
	out := map[string]trip{}
	for _, u := range g.m.Users {
		if !r.chance(0.08) {
			continue
		}
		p := pick(r, travelPlaces)
		if p == u.Office {
			continue
		}
		s := g.start + int64(r.IntN(g.days-3))*types.Day
		out[u.ID] = trip{p, s, s + int64(r.between(2, 5))*types.Day}
	}
	return out
}

// pwChange is a password change: the user's other devices must sign in
// again (50133) afterwards.
type pwChange struct {
	u     *User
	t     int64 // the user's self-service change
	reset int64 // the helpdesk reset before it, 0 if none
	ip    string
}

// pwState follows one user's password through the window.
type pwState struct {
	changes []int64          // self-service changes AuditLogs has, in time order
	stale   map[string]int64 // devices whose session a change ended, and when
	expires int64            // when the password expires (-1: not in the window)
	enroll  string           // a new phone that must register for MFA first
}

// changed ends, at t, the sessions of every device but the one the
// change was made on.
func (st *pwState) changed(t int64, devices []Device, on string) {
	for _, d := range devices {
		if d.ID != on {
			st.stale[d.ID] = t
		}
	}
}

// hiccup is an ordinary failed sign-in before the one that works: it
// happens to a share of sign-ins (lo <= x < hi of one draw) when the
// sign-in allows it, and the user retries after wait seconds.
type hiccup struct {
	result   string
	lo, hi   float64
	when     func(s *signin) bool
	min, max int
	mfa      bool // the retry completes MFA
}

func offNetwork(s *signin) bool { return s.named == "" && !legacyClient(s.app.clientApp) }
func inBrowser(s *signin) bool  { return s.app.clientApp == "Browser" }
func anywhere(*signin) bool     { return true }

// hiccups is the background mix of interactive failures, roughly as an
// Entra tenant sees them: wrong passwords, MFA prompts outside the office
// (CA001), KMSI and account picker interrupts in browsers, expired flow
// tokens, and sign-in frequency checks on unmanaged devices (CA005).
var hiccups = []hiccup{
	{"50126", 0, 0.025, anywhere, 20, 180, false},
	{"50074", 0.025, 0.06, offNetwork, 10, 60, true},
	{"50076", 0.06, 0.066, offNetwork, 15, 90, true},
	{"50140", 0.066, 0.086, inBrowser, 2, 15, false},
	{"16000", 0.086, 0.092, inBrowser, 2, 10, false},
	{"16001", 0.092, 0.093, inBrowser, 5, 30, false},
	{"50089", 0.093, 0.096, anywhere, 60, 300, false},
	{"70044", 0.096, 0.131, func(s *signin) bool { return unmanagedDevice(s) && !legacyClient(s.app.clientApp) }, 10, 60, false},
}

// consentApps are third-party apps users try to connect to their account;
// the tenant requires admin consent, so they fail with 65001.
var consentApps = []app{
	{"Calendly", "5a1c0f3e-2b7d-4c9e-8f61-3d2e9b7a4c10", "Microsoft Graph", "00000003-0000-0000-c000-000000000000", "Browser", 1},
	{"Miro", "8e4b2d71-6c3a-4f05-9a2e-1b7c5d3f8e62", "Microsoft Graph", "00000003-0000-0000-c000-000000000000", "Browser", 1},
	{"Grammarly", "2c9f7a14-8d3e-4b61-a5c0-6e1f4b9d2a37", "Microsoft Graph", "00000003-0000-0000-c000-000000000000", "Browser", 1},
}

// suspension is a night a user's account was disabled: they reported a
// lost phone in the evening, the helpdesk disabled the account and enabled
// it again next morning. Sign-ins in between fail with 50057.
type suspension struct {
	from, to int64
	by       *User
}

// suspensions picks them from a stream of their own, before the last
// week (where the stories are), so IdentityInfo, SigninLogs and AuditLogs
// agree and nothing else moves.
func (g *gen) suspensions() map[string]suspension {
	if g.suspended != nil {
		return g.suspended
	}
	r := newRnd(g.cfg.Seed, "suspensions")
	helpdesk, _ := g.directoryStaff()
	g.suspended = map[string]suspension{}
	if g.days < 10 {
		return g.suspended
	}
	// about one account in 150 over the window, at least one
	for _, i := range r.Perm(len(g.m.Users))[:max(1, len(g.m.Users)/150)] {
		u := g.m.Users[i]
		day := localMidnight(g.start+int64(r.IntN(g.days-8))*types.Day, u.Office.TZMinutes)
		for wd := weekday(day+36*types.Hour, u.Office.TZMinutes); wd == time.Saturday || wd == time.Sunday; wd = weekday(day+36*types.Hour, u.Office.TZMinutes) {
			day += types.Day // the next morning is a working one
		}
		// enabled once they are in the office and have called
		g.suspended[u.ID] = suspension{
			from: day + int64(r.between(17*60, 19*60))*types.Minute,
			to:   day + types.Day + int64(u.WorkStart)*types.Hour + int64(r.between(30, 90))*types.Minute,
			by:   pick(r, helpdesk),
		}
	}
	return g.suspended
}

// signins writes the users' everyday sign-ins: working hours in their own
// time zone, fewer at weekends, from the office or home, now and then from
// a trip or a new phone; before some of them an ordinary failure (see
// hiccups), now and then a lockout the helpdesk resets, an expired
// password, a session a password change ended (50133), a new phone that
// registers for MFA (50079), a user outside Engineering and IT opening the
// Azure portal (53003, CA003) or a third-party app without consent (65001).
func (g *gen) signins() {
	r := newRnd(g.cfg.Seed, "signins")
	c := newSigninCache()
	trips := g.trips()
	changes := map[string][]int64{}
	for _, a := range g.auditPlan() {
		if a.activity == "Change password (self-service)" {
			changes[a.by.user.ID] = append(changes[a.by.user.ID], a.t)
		}
	}
	for _, u := range g.m.Users {
		devices := append([]Device(nil), u.Devices...)
		newDeviceAt := int64(-1)
		if r.chance(0.06) {
			newDeviceAt = g.start + int64(r.IntN(g.days))*types.Day
		}
		st := &pwState{changes: changes[u.ID], stale: map[string]int64{}, expires: -1}
		slices.Sort(st.changes)
		if r.chance(0.04) { // on-premises password policy: this user's expires in the window
			st.expires = g.start + r.Int64N(int64(g.days)*types.Day)
		}
		tr, travels := trips[u.ID]
		susp, suspended := g.suspensions()[u.ID]
		var today []signin
		for day := localMidnight(g.start, u.Office.TZMinutes); day < g.end; day += types.Day {
			if newDeviceAt >= 0 && day >= newDeviceAt {
				d := newDevice(r, u, deviceKinds[r.IntN(len(deviceKinds))])
				devices = append(devices, d)
				st.enroll = d.ID
				newDeviceAt = -1
			}
			wd := weekday(day+12*types.Hour, u.Office.TZMinutes)
			mean := u.activity * g.cfg.Scale
			if wd == time.Saturday || wd == time.Sunday {
				mean *= 0.08
			}
			n := r.poisson(mean)
			today = today[:0]
			for range n {
				span := int64(u.WorkEnd-u.WorkStart) * types.Hour
				t := day + int64(u.WorkStart)*types.Hour + r.Int64N(span) + int64(r.NormFloat64()*float64(20*types.Minute))
				if t < g.start || t >= g.end {
					continue
				}
				s := signin{u: u, t: t, app: pick(r, u.apps), result: "0"}
				dev := &devices[0]
				if len(devices) > 1 && r.chance(0.3) {
					dev = &devices[1+r.IntN(len(devices)-1)]
				}
				s.dev = dev
				switch {
				case travels && t >= tr.start && t < tr.end:
					s.place, s.isp = tr.place, tr.place.isps[0]
					s.ip = r.ipIn(s.isp.Prefix)
					s.mfa = true
					if r.chance(0.15) {
						s.risk, s.riskEvents = "low", []string{"unfamiliarFeatures"}
					}
				case wd != time.Saturday && wd != time.Sunday && r.chance(0.65):
					s.place, s.isp, s.ip, s.named = u.Office, u.OfficeISP, u.OfficeIP, "Corporate "+u.Office.City
				default:
					s.place, s.isp, s.ip, s.mfa = u.Office, u.HomeISP, u.HomeIP, true
					if r.chance(0.1) { // a new lease from the home ISP
						s.ip = r.ipIn(u.HomeISP.Prefix)
					}
				}
				today = append(today, s)
			}
			if suspended && susp.to > day && susp.to <= day+types.Day {
				// at the office in the morning, trying before calling the helpdesk
				for range r.between(2, 4) {
					today = append(today, signin{u: u, t: susp.to - int64(r.between(3, 25))*types.Minute - r.Int64N(types.Minute),
						app: appOfficeHome, result: "0", dev: &devices[0],
						place: u.Office, isp: u.OfficeISP, ip: u.OfficeIP, named: "Corporate " + u.Office.City})
				}
			}
			// in time order, so "the first sign-in after" means what it says
			slices.SortStableFunc(today, func(a, b signin) int { return cmp.Compare(a.t, b.t) })
			for _, s := range today {
				if suspended && s.t >= susp.from && s.t < susp.to {
					s.result = "50057"
					g.emitSignin(r, c, s)
					continue
				}
				g.signinAttempts(r, c, st, devices, s)
			}
		}
	}
}

// signinAttempts writes one sign-in with whatever failed before it and the
// blocked or unconsented attempts that may follow it.
func (g *gen) signinAttempts(r *rnd, c *signinCache, st *pwState, devices []Device, s signin) {
	emit := func(f signin) {
		if f.t < g.end {
			g.emitSignin(r, c, f)
		}
	}
	fail := func(result string, minS, maxS int) {
		f := s
		f.result = result
		emit(f)
		s.t += int64(r.between(minS, maxS)) * types.Second
	}
	for len(st.changes) > 0 && st.changes[0] <= s.t {
		st.changed(st.changes[0], devices, devices[0].ID) // changed at home on the laptop
		st.changes = st.changes[1:]
	}
	switch {
	case st.expires >= 0 && s.t >= st.expires:
		// the first sign-in after the password expired: the user picks a
		// new one on the spot
		st.expires = -1
		fail("50055", 60, 240)
		g.pwChanges = append(g.pwChanges, pwChange{u: s.u, t: s.t - 20*types.Second, ip: s.ip})
		st.changed(s.t, devices, s.dev.ID)
	case st.stale[s.dev.ID] != 0 && st.stale[s.dev.ID] < s.t:
		delete(st.stale, s.dev.ID)
		fail("50133", 15, 90)
	case s.dev.ID == st.enroll:
		st.enroll = ""
		fail("50079", 120, 420)
		s.mfa = true
	}
	x := r.Float64()
	for _, h := range hiccups {
		if x >= h.lo && x < h.hi && h.when(&s) {
			fail(h.result, h.min, h.max)
			s.mfa = s.mfa || h.mfa
			switch {
			case h.result == "50074" && r.chance(0.1):
				// the prompt went unanswered; the user tries again
				fail("500121", 60, 180)
			case h.result == "50126" && r.chance(0.02):
				// more wrong guesses until smart lockout, then a call to
				// the helpdesk, a reset and a new password
				for range r.between(3, 6) {
					fail("50126", 8, 40)
				}
				fail("50053", 600, 2400)
				reset := s.t
				s.t += int64(r.between(5, 20)) * types.Minute
				// the forced change comes just before the sign-in completes
				g.pwChanges = append(g.pwChanges, pwChange{u: s.u, t: s.t - int64(r.between(10, 40))*types.Second, reset: reset, ip: s.ip})
				st.changed(s.t, devices, s.dev.ID)
			}
			break
		}
	}
	emit(s)
	if !azureOperator(s.u) && r.chance(0.004) {
		// a link to the Azure portal, blocked by CA003; some try twice
		f := s
		f.app, f.result = appPortal, caResultCode
		f.t += int64(r.between(60, 2400)) * types.Second
		emit(f)
		if r.chance(0.3) {
			f.t += int64(r.between(30, 180)) * types.Second
			emit(f)
		}
	}
	if r.chance(0.0015) {
		f := s
		f.app, f.result = pick(r, consentApps), "65001"
		f.t += int64(r.between(120, 3600)) * types.Second
		emit(f)
	}
}
