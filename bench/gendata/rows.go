package gendata

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Streams keep the sign-in and audit row generators independent.
const (
	signinStream = 0x5167_6e69_6e00_0001
	auditStream  = 0x4175_6469_7400_0002
	auditPick    = 0x4175_6469_7400_0003
	sprayShare   = 0.05 // password-spray sign-ins from the attacker pool
)

var (
	firstNames = []string{"adele", "alex", "allan", "bianca", "brian", "christie", "debra", "diego", "emily", "enrico",
		"grady", "henrietta", "irvin", "isaiah", "johanna", "joni", "lee", "lidia", "lynne", "megan", "miriam",
		"nestor", "patti", "pradeep", "raul", "sanjay", "sofia", "tomas", "wen", "yuki"}
	lastNames = []string{"vance", "wilber", "king", "pala", "johnson", "cline", "berger", "siciliani", "braun",
		"vitale", "archie", "mueller", "sink", "marshall", "lauren", "sherman", "holloway", "mazurek", "robbins",
		"bowen", "gonzalez", "patel", "tanaka", "garcia", "nakamura", "rossi", "novak", "okafor", "larsen", "chen"}
	apps = []string{"Office 365 Exchange Online", "Microsoft Teams", "Azure Portal", "Office 365 SharePoint Online",
		"Microsoft Graph", "OneDrive SyncEngine", "Microsoft Azure CLI", "Visual Studio Code", "Power BI", "Outlook Mobile",
		"My Apps", "Microsoft Authentication Broker"}
	// Real Entra ID codes with their documented messages; two mention
	// "Passwordless" so that `has "password"` and `contains "password"` differ.
	results = []struct {
		code, desc string
		weight     int // per mille of ordinary sign-ins
	}{
		{"0", "", 860},
		{"50126", "Error validating credentials due to invalid username or password.", 30},
		{"50074", "Strong Authentication is required.", 30},
		{"50140", "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.", 25},
		{"53003", "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", 12},
		{"50053", "Account is locked because user tried to sign in too many times with an incorrect user ID or password.", 8},
		{"500121", "Authentication failed during strong authentication request.", 10},
		{"50055", "The password is expired.", 5},
		{"50133", "Session is invalid due to expiration or recent Password change.", 5},
		{"50089", "Flow token expired - Authentication Failed. Passwordless phone sign-in must be restarted.", 10},
		{"50097", "Device authentication is required.", 5},
	}
	countries = []struct{ code, city, state string }{
		{"US", "Seattle", "Washington"}, {"US", "New York", "New York"}, {"GB", "London", "England"},
		{"DE", "Berlin", "Berlin"}, {"NL", "Amsterdam", "Noord-Holland"}, {"IN", "Bengaluru", "Karnataka"},
		{"BR", "Sao Paulo", "Sao Paulo"}, {"JP", "Tokyo", "Tokyo"}, {"AU", "Sydney", "New South Wales"},
		{"FR", "Paris", "Ile-de-France"},
	}
	devices = []struct{ os, browser, agent, client string }{
		{"Windows10", "Edge 120.0.2210", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", "Browser"},
		{"Windows10", "Chrome 121.0.0", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36", "Browser"},
		{"Windows10", "Rich Client 5.2.6", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17126; Pro)", "Mobile Apps and Desktop clients"},
		{"MacOs", "Safari 17.2", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15", "Browser"},
		{"Ios", "Mobile Safari 17.2", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1", "Mobile Apps and Desktop clients"},
		{"Android", "Chrome Mobile 120.0.6099", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36", "Mobile Apps and Desktop clients"},
		{"Linux", "Firefox 121.0", "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Browser"},
	}
	// Spray tooling: legacy protocols often report no operating system.
	sprayDevices = []struct{ os, browser, agent, client string }{
		{"", "", "BAV2ROPC", "IMAP4"},
		{"", "", "BAV2ROPC", "Authenticated SMTP"},
		{"Linux", "Python Requests 2.31", "python-requests/2.31.0", "Other clients"},
		{"Windows10", "IE 7.0", "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 10.0)", "Exchange ActiveSync"},
	}
	operations = []struct{ name, category string }{
		{"Update user", "UserManagement"}, {"Reset user password", "UserManagement"},
		{"Change user password", "UserManagement"}, {"Add member to group", "GroupManagement"},
		{"Add service principal", "ApplicationManagement"}, {"Consent to application", "ApplicationManagement"},
		{"Update application - Certificates and secrets management", "ApplicationManagement"},
		{"Add app role assignment to service principal", "ApplicationManagement"},
		{"User registered security info", "UserManagement"}, {"Delete user", "UserManagement"},
		{"Add owner to application", "ApplicationManagement"}, {"Update conditional access policy", "Policy"},
	}
	services = []string{"Core Directory", "Authentication Methods", "Self-service Password Management", "Conditional Access"}
	risk     = []string{"none", "none", "none", "none", "none", "none", "low", "medium", "high"}
)

type gen struct {
	cfg     Config
	startMs int64
	spanMs  int64
}

func newGen(cfg Config) *gen {
	span := int64(cfg.Days) * 86_400_000
	return &gen{cfg: cfg, startMs: cfg.End.UnixMilli() - span, spanMs: span}
}

// mix is splitmix64: per-user attributes come from it, not from a stream.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

type user struct {
	upn, display string
	country      int
	device       int
	homeIPs      [3]string
}

func (g *gen) user(u int) user {
	f, l := u%len(firstNames), (u/len(firstNames))%len(lastNames)
	n := u / (len(firstNames) * len(lastNames))
	upn := firstNames[f] + "." + lastNames[l]
	display := strings.ToUpper(firstNames[f][:1]) + firstNames[f][1:] + " " + strings.ToUpper(lastNames[l][:1]) + lastNames[l][1:]
	if n > 0 {
		upn += strconv.Itoa(n)
		display += " " + strconv.Itoa(n)
	}
	h := mix(g.cfg.Seed ^ uint64(u)<<1)
	us := user{upn: upn + "@contoso.com", display: display, country: int(h % uint64(len(countries))), device: int((h >> 8) % uint64(len(devices)))}
	for k := range us.homeIPs {
		hk := mix(h + uint64(k))
		us.homeIPs[k] = ipv4(byte(20+hk%180), byte(hk>>8), byte(hk>>16), byte(1+(hk>>24)%254))
	}
	return us
}

func ipv4(a, b, c, d byte) string {
	buf := make([]byte, 0, 15)
	for i, o := range [4]byte{a, b, c, d} {
		if i > 0 {
			buf = append(buf, '.')
		}
		buf = strconv.AppendUint(buf, uint64(o), 10)
	}
	return string(buf)
}

type signinRow struct {
	timeMs                 int64
	user                   user
	ip, country            string
	city, state            string
	app, client            string
	code, desc             string
	os, browser, agent     string
	deviceID               string
	interactive            bool
	caStatus, authReq, rsk string
	corr                   string
}

// signin is sign-in row i; it reseeds pcg, so callers reseed after it.
func (g *gen) signin(i int, r *rand.Rand, pcg *rand.PCG) signinRow {
	pcg.Seed(g.cfg.Seed^signinStream, uint64(i))
	rows := int64(g.cfg.Rows)
	lo, hi := int64(i)*g.spanMs/rows, int64(i+1)*g.spanMs/rows
	s := signinRow{timeMs: g.startMs + lo + r.Int64N(max(1, hi-lo))}
	s.corr = guid(r)
	c := 0
	if r.Float64() < sprayShare {
		// Password spray: any user, an attacker address, legacy clients.
		s.user = g.user(r.IntN(g.cfg.Users))
		s.ip = ipv4(185, 220, byte(100+r.IntN(4)), byte(1+r.IntN(60)))
		c = int(r.Uint64() % uint64(len(countries)))
		d := sprayDevices[r.IntN(len(sprayDevices))]
		s.os, s.browser, s.agent, s.client = d.os, d.browser, d.agent, d.client
		s.app = apps[r.IntN(2)]
		s.code, s.desc = results[1].code, results[1].desc
		if r.IntN(50) == 0 {
			s.code, s.desc = results[0].code, results[0].desc // a spray that worked
		}
		s.interactive = false
	} else {
		// Ordinary use: active users sign in far more often.
		x := r.Float64()
		s.user = g.user(int(x * x * float64(g.cfg.Users)))
		c = s.user.country
		if r.IntN(10) == 0 {
			s.ip = ipv4(byte(20+r.IntN(180)), byte(r.IntN(256)), byte(r.IntN(256)), byte(1+r.IntN(254)))
			c = r.IntN(len(countries))
		} else {
			s.ip = s.user.homeIPs[r.IntN(len(s.user.homeIPs))]
		}
		dv := s.user.device
		if r.IntN(4) == 0 {
			dv = r.IntN(len(devices))
		}
		d := devices[dv]
		s.os, s.browser, s.agent, s.client = d.os, d.browser, d.agent, d.client
		s.app = apps[r.IntN(len(apps))]
		p := r.IntN(1000)
		for _, res := range results {
			if p < res.weight {
				s.code, s.desc = res.code, res.desc
				break
			}
			p -= res.weight
		}
		if s.code == "" {
			s.code, s.desc = results[0].code, results[0].desc
		}
		s.interactive = r.IntN(3) > 0
		if r.IntN(2) == 0 {
			s.deviceID = guid(r)
		}
	}
	s.country, s.city, s.state = countries[c].code, countries[c].city, countries[c].state
	s.caStatus = [...]string{"success", "notApplied", "notApplied", "failure"}[r.IntN(4)]
	s.authReq = [...]string{"singleFactorAuthentication", "multiFactorAuthentication"}[r.IntN(2)]
	s.rsk = risk[r.IntN(len(risk))]
	return s
}

func (s *signinRow) appendCSV(b []byte) []byte {
	b = appendTime(b, s.timeMs)
	b = appendField(b, s.user.upn)
	b = appendField(b, s.user.display)
	b = appendField(b, s.ip)
	b = appendField(b, s.country)
	var j []byte
	j = append(j, `{"city":`...)
	j = strconv.AppendQuote(j, s.city)
	j = append(j, `,"state":`...)
	j = strconv.AppendQuote(j, s.state)
	j = append(j, `,"countryOrRegion":`...)
	j = strconv.AppendQuote(j, s.country)
	j = append(j, '}')
	b = appendField(b, string(j))
	b = appendField(b, s.app)
	b = appendField(b, s.client)
	b = appendField(b, s.code)
	b = appendField(b, s.desc)
	j = append(j[:0], `{"deviceId":`...)
	j = strconv.AppendQuote(j, s.deviceID)
	if s.os != "" {
		j = append(j, `,"operatingSystem":`...)
		j = strconv.AppendQuote(j, s.os)
	}
	j = append(j, `,"browser":`...)
	j = strconv.AppendQuote(j, s.browser)
	j = append(j, `,"isCompliant":`...)
	j = strconv.AppendBool(j, s.deviceID != "")
	j = append(j, '}')
	b = appendField(b, string(j))
	b = appendField(b, s.agent)
	b = append(b, ',')
	b = strconv.AppendBool(b, s.interactive)
	b = appendField(b, s.caStatus)
	b = appendField(b, s.authReq)
	b = appendField(b, s.rsk)
	b = appendField(b, s.corr)
	return append(b, '\n')
}

type auditRow struct {
	timeMs                int64
	op, category, result  string
	service               string
	actorUPN, actorIP     string
	app                   string // an app actor when actorUPN is empty
	targetUPN, targetType string
	targetID              string
	corr                  string
}

// audit is audit event k. Most events follow a sign-in (the same user,
// seconds later); 60% of those share its CorrelationId, which the join
// question relies on.
func (g *gen) audit(k int, r *rand.Rand, pcg *rand.PCG) auditRow {
	pcg.Seed(g.cfg.Seed^auditPick, uint64(k))
	rows, n := int64(g.cfg.Rows), int64(g.cfg.AuditRows)
	lo, hi := int64(k)*rows/n, int64(k+1)*rows/n
	j := int(lo + r.Int64N(max(1, hi-lo)))
	s := g.signin(j, r, pcg)
	pcg.Seed(g.cfg.Seed^auditStream, uint64(k))
	a := auditRow{timeMs: s.timeMs + 1000 + r.Int64N(600_000)}
	op := operations[r.IntN(len(operations))]
	a.op, a.category = op.name, op.category
	a.result = "success"
	if r.IntN(10) == 0 {
		a.result = "failure"
	}
	a.service = services[r.IntN(len(services))]
	if r.IntN(8) == 0 {
		a.app = apps[r.IntN(len(apps))]
	} else {
		a.actorUPN, a.actorIP = s.user.upn, s.ip
	}
	if r.IntN(10) < 6 {
		a.corr = s.corr
	} else {
		a.corr = guid(r)
	}
	if op.category == "ApplicationManagement" {
		a.targetType = "Application"
	} else {
		a.targetType = "User"
		a.targetUPN = g.user(r.IntN(g.cfg.Users)).upn
	}
	a.targetID = guid(r)
	return a
}

func (a *auditRow) appendCSV(b []byte) []byte {
	b = appendTime(b, a.timeMs)
	b = appendField(b, a.op)
	b = appendField(b, a.category)
	b = appendField(b, a.result)
	b = appendField(b, a.service)
	var j []byte
	if a.actorUPN != "" {
		j = append(j, `{"user":{"userPrincipalName":`...)
		j = strconv.AppendQuote(j, a.actorUPN)
		j = append(j, `,"ipAddress":`...)
		j = strconv.AppendQuote(j, a.actorIP)
		j = append(j, `}}`...)
	} else {
		j = append(j, `{"app":{"displayName":`...)
		j = strconv.AppendQuote(j, a.app)
		j = append(j, `,"servicePrincipalId":null}}`...)
	}
	b = appendField(b, string(j))
	j = append(j[:0], `[{"id":`...)
	j = strconv.AppendQuote(j, a.targetID)
	j = append(j, `,"type":`...)
	j = strconv.AppendQuote(j, a.targetType)
	if a.targetUPN != "" {
		j = append(j, `,"userPrincipalName":`...)
		j = strconv.AppendQuote(j, a.targetUPN)
	}
	j = append(j, `,"modifiedProperties":[]}]`...)
	b = appendField(b, string(j))
	b = appendField(b, a.corr)
	return append(b, '\n')
}

// appendTime writes an ISO 8601 UTC datetime with milliseconds, as Log
// Analytics exports it.
func appendTime(b []byte, ms int64) []byte {
	return time.UnixMilli(ms).UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
}

// appendField writes ",v", quoting v as RFC 4180 when it needs it.
func appendField(b []byte, v string) []byte {
	b = append(b, ',')
	if !strings.ContainsAny(v, ",\"\n\r") {
		return append(b, v...)
	}
	b = append(b, '"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, v[i])
	}
	return append(b, '"')
}

func guid(r *rand.Rand) string {
	const hex = "0123456789abcdef"
	var b [36]byte
	hi, lo := r.Uint64(), r.Uint64()
	n := 0
	for i := range b {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			b[i] = '-'
			continue
		}
		var nib uint64
		if n < 16 {
			nib = hi >> (60 - 4*n) & 15
		} else {
			nib = lo >> (60 - 4*(n-16)) & 15
		}
		b[i] = hex[nib]
		n++
	}
	return string(b[:])
}
