package sampledata

import (
	"encoding/base64"
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

// Sign-in result codes and their descriptions (Microsoft Entra error codes).
var resultText = map[string]string{
	"0":      "",
	"50126":  "Error validating credentials due to invalid username or password.",
	"50074":  "Strong Authentication is required.",
	"50140":  "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.",
	"50053":  "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
	"500121": "Authentication failed during strong authentication request.",
}

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
	method := `[{"authenticationStepDateTime":"` + types.FormatDateTime(s.t) + `","authenticationMethod":"Password","succeeded":` + strconv.FormatBool(s.result != "50126") + `}]`
	if s.mfa && s.result == "0" {
		method = `[{"authenticationStepDateTime":"` + types.FormatDateTime(s.t) + `","authenticationMethod":"Password","succeeded":true},{"authenticationMethod":"Mobile app notification","succeeded":true}]`
	}
	row.str("AuthenticationDetails", method)
	row.str("AuthenticationProtocol", "none").str("CrossTenantAccessType", "none").str("TokenIssuerType", "AzureAD")
	row.str("ConditionalAccessStatus", map[bool]string{true: "success", false: "notApplied"}[s.mfa])
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

// signins writes the users' everyday sign-ins: working hours in their own
// time zone, fewer at weekends, from the office or home, now and then from
// a trip, a new phone, or with a mistyped password or an MFA prompt.
func (g *gen) signins() {
	r := newRnd(g.cfg.Seed, "signins")
	c := &signinCache{status: map[string]*types.Bag{}, location: map[*Place]*types.Bag{}, device: map[string]*types.Bag{}}
	trips := g.trips()
	for _, u := range g.m.Users {
		devices := append([]Device(nil), u.Devices...)
		newDeviceAt := int64(-1)
		if r.chance(0.06) {
			newDeviceAt = g.start + int64(r.IntN(g.days))*types.Day
		}
		tr, travels := trips[u.ID]
		for day := localMidnight(g.start, u.Office.TZMinutes); day < g.end; day += types.Day {
			if newDeviceAt >= 0 && day >= newDeviceAt {
				devices = append(devices, newDevice(r, u, deviceKinds[r.IntN(len(deviceKinds))]))
				newDeviceAt = -1
			}
			wd := weekday(day+12*types.Hour, u.Office.TZMinutes)
			mean := u.activity * g.cfg.Scale
			if wd == time.Saturday || wd == time.Sunday {
				mean *= 0.08
			}
			n := r.poisson(mean)
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
				// an ordinary hiccup first: a typo, an MFA prompt, a KMSI interrupt
				switch x := r.Float64(); {
				case x < 0.025:
					f := s
					f.result = "50126"
					g.emitSignin(r, c, f)
					s.t += int64(r.between(20, 180)) * types.Second
				case x < 0.06:
					f := s
					f.result = "50074"
					g.emitSignin(r, c, f)
					s.t += int64(r.between(10, 60)) * types.Second
					s.mfa = true
				case x < 0.07:
					f := s
					f.result = "50140"
					g.emitSignin(r, c, f)
					s.t += int64(r.between(2, 15)) * types.Second
				}
				if s.t < g.end {
					g.emitSignin(r, c, s)
				}
			}
		}
	}
}
