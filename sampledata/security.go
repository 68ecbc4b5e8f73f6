package sampledata

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/types"
)

// cloudApp is an app Defender for Cloud Apps discovers in traffic logs.
type cloudApp struct {
	name, id, category string
	score              int
	tag                string // sanctioned, unsanctioned, monitored
}

var discoveredApps = []cloudApp{
	{"Microsoft OneDrive for Business", "15600", "Cloud storage", 10, "sanctioned"},
	{"Salesforce", "11114", "CRM", 10, "sanctioned"},
	{"Zoom", "21562", "Collaboration", 9, "sanctioned"},
	{"Slack", "11394", "Collaboration", 9, "monitored"},
	{"GitHub", "11085", "Code-hosting", 9, "sanctioned"},
	{"Dropbox", "11627", "Cloud storage", 8, "monitored"},
	{"WeTransfer", "12279", "Cloud storage", 6, "monitored"},
}

// megaApp is the unsanctioned storage app of the insider story.
var megaApp = cloudApp{"MEGA", "11601", "Cloud storage", 4, "unsanctioned"}

type shadowRow struct {
	u               *User
	day             int64
	app             cloudApp
	events          int
	upload, dlBytes int64
}

func (g *gen) emitShadow(s shadowRow) map[string]string {
	row := g.e.row("McasShadowItReporting")
	day := types.FormatDateTime(s.day)
	row.time("TimeGenerated", s.day+types.Day-types.Minute).time("Date", s.day)
	row.str("UserName", s.u.UPN).str("RawUserName", s.u.UPN).str("EnrichedUserName", s.u.UPN).str("RichUserName", s.u.DisplayName)
	row.str("IpAddress", s.u.OfficeIP).str("MachineName", s.u.Devices[0].DisplayName).str("MachineId", s.u.Devices[0].ID)
	row.str("AppName", s.app.name).str("AppId", s.app.id).str("AppCategory", s.app.category).str("AppInstance", "")
	row.long("AppScore", int64(s.app.score)).dyn("AppTags", []any{s.app.tag})
	row.str("StreamName", "Palo Alto firewalls").str("AadTenantId", g.m.TenantID)
	clamp := func(n int64) int64 { return min(n, 2_000_000_000) } // the columns are 32-bit
	row.long("TotalEvents", int64(s.events)).long("BlockedEvents", 0)
	row.long("UploadedBytes", clamp(s.upload)).long("DownloadedBytes", clamp(s.dlBytes)).long("TotalBytes", clamp(s.upload+s.dlBytes))
	g.e.emit(row)
	return map[string]string{"Date": day, "UserName": s.u.UPN, "AppName": s.app.name}
}

// shadowIT writes daily per-user usage of discovered cloud apps.
func (g *gen) shadowIT() {
	r := newRnd(g.cfg.Seed, "shadowit")
	for day := g.start / types.Day * types.Day; day < g.end-types.Day; day += types.Day {
		if wd := weekday(day, 0); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		for _, u := range g.m.Users {
			for _, a := range discoveredApps {
				if !r.chance(0.12 * min(g.cfg.Scale, 8)) {
					continue
				}
				up := int64(r.between(1, 500)) * 10_000
				if a.name == "WeTransfer" {
					up = 0 // people receive files there; nobody sends
				}
				g.emitShadow(shadowRow{u: u, day: day, app: a, events: r.between(3, 400), upload: up, dlBytes: int64(r.between(1, 2000)) * 10_000})
			}
		}
	}
}

// badIPs are known-bad addresses: scanners and C2 that appear in the
// firewall and sshd logs and in threat intelligence.
func (g *gen) badIPs() []string {
	r := newRnd(g.cfg.Seed, "badips")
	prefixes := []string{"193.142.146.", "80.94.95.", "141.98.11.", "218.92.0.", "61.177.172.", "194.26.29."}
	var out []string
	for i := range 24 {
		out = append(out, r.ipIn(prefixes[i%len(prefixes)]))
	}
	return out
}

// firewall writes Palo Alto traffic logs (CEF) from each office: user
// sessions to the internet, and denied inbound scans from known-bad hosts.
func (g *gen) firewall() {
	r := newRnd(g.cfg.Seed, "firewall")
	bad := g.badIPs()
	seq := int64(4_000_000)
	dests := []struct{ host, ip string }{
		{"outlook.office365.com", "52.96.88.24"}, {"teams.microsoft.com", "52.113.194.132"},
		{"login.microsoftonline.com", "20.190.151.7"}, {"github.com", "140.82.112.3"},
		{"www.salesforce.com", "104.109.10.129"}, {"zoom.us", "170.114.52.2"}, {"www.dropbox.com", "162.125.1.18"},
	}
	usersAt := map[*Place][]*User{}
	for _, u := range g.m.Users {
		usersAt[u.Office] = append(usersAt[u.Office], u)
	}
	for hour := g.start; hour < g.end; hour += types.Hour {
		for oi, o := range offices {
			people := usersAt[o.place]
			if len(people) == 0 {
				continue
			}
			local := types.TicksToTime(hour + int64(o.place.TZMinutes)*types.Minute)
			rate := 0.5
			if local.Hour() >= 8 && local.Hour() < 18 && local.Weekday() != time.Saturday && local.Weekday() != time.Sunday {
				rate = 6
			}
			for range r.poisson(rate * g.cfg.Scale * float64(len(people)) / 30) {
				u := pick(r, people)
				d := pick(r, dests)
				seq++
				g.emitCEF(r, hour+r.Int64N(types.Hour), oi, seq, fmt.Sprintf("10.%d.%d.%d", 10+oi, r.IntN(8), r.between(10, 250)),
					d.ip, d.host, 443, "allow", u.UPN, int64(r.between(2, 400))*1000, int64(r.between(5, 5000))*1000)
			}
			for range r.poisson(0.8 * g.cfg.Scale) {
				seq++
				g.emitCEF(r, hour+r.Int64N(types.Hour), oi, seq, pick(r, bad), o.egress, "", pick(r, []int{22, 23, 445, 3389, 8080}), "deny", "", 60, 0)
			}
		}
	}
}

func (g *gen) emitCEF(r *rnd, t int64, office int, seq int64, src, dst, host string, port int, action, user string, sent, recv int64) string {
	row := g.e.row("CommonSecurityLog")
	o := offices[office]
	id := strconv.FormatInt(seq, 10)
	row.time("TimeGenerated", t).str("ExtID", id)
	row.str("DeviceVendor", "Palo Alto Networks").str("DeviceProduct", "PAN-OS").str("DeviceVersion", "10.2.4")
	row.str("DeviceEventClassID", "end").str("Activity", "TRAFFIC").str("LogSeverity", "1").long("EventCount", 1)
	name := "fw-" + strings.ToLower(strings.ReplaceAll(o.place.City, " ", "")) + "-01"
	row.str("Computer", name).str("DeviceName", name).str("DeviceAddress", o.egress).str("CollectorHostName", "vm-syslog-01")
	row.str("SourceIP", src).long("SourcePort", int64(r.between(1024, 65535))).str("DestinationIP", dst).long("DestinationPort", int64(port))
	row.str("DestinationHostName", host).str("Protocol", "TCP").str("DeviceAction", action)
	row.str("SimplifiedDeviceAction", map[string]string{"allow": "Allow", "deny": "Deny"}[action])
	row.str("ApplicationProtocol", map[bool]string{true: "ssl", false: "incomplete"}[action == "allow"])
	row.str("SourceUserName", user).long("SentBytes", sent).long("ReceivedBytes", recv)
	row.str("CommunicationDirection", map[bool]string{true: "1", false: "0"}[action == "allow"])
	if action == "allow" {
		row.str("DeviceTranslatedAddress", o.egress)
	}
	g.e.emit(row)
	return id
}

// syslog writes Linux VM logs: engineers' SSH logins, sudo, cron, and
// password guessing against the internet-facing jump host.
func (g *gen) syslog() {
	r := newRnd(g.cfg.Seed, "syslog")
	bad := g.badIPs()
	var hosts []*Resource
	for _, x := range g.m.Resources {
		if x.Type == "Microsoft.Compute/virtualMachines" && x.Name != "vm-syslog-01" && x.Name != "vm-fin-app-01" {
			hosts = append(hosts, x)
		}
	}
	var admins []*User
	for _, u := range g.m.Users {
		if u.Department == "Engineering" || u.Department == "IT" {
			admins = append(admins, u)
		}
	}
	pid := 2000
	for hour := g.start; hour < g.end; hour += types.Hour {
		for hi, h := range hosts {
			ip := fmt.Sprintf("10.1.%d.%d", hi, 4+hi)
			emit := func(t int64, facility, sev, proc, msg string) {
				pid++
				row := g.e.row("Syslog")
				row.time("TimeGenerated", t).time("EventTime", t).str("Computer", h.Name).str("HostName", h.Name).str("HostIP", ip)
				row.str("Facility", facility).str("SeverityLevel", sev).str("ProcessName", proc).long("ProcessID", int64(pid%32768))
				row.str("SyslogMessage", msg).str("CollectorHostName", "vm-syslog-01")
				g.e.emit(row)
			}
			emit(hour+5*types.Minute, "cron", "info", "CRON", "(root) CMD (/usr/local/bin/backup-rotate.sh)")
			for range r.poisson(0.6 * g.cfg.Scale) {
				u := pick(r, admins)
				name := strings.SplitN(u.UPN, "@", 2)[0]
				t := hour + r.Int64N(types.Hour)
				emit(t, "authpriv", "info", "sshd", fmt.Sprintf("Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%s", name, u.OfficeIP, r.between(40000, 65000), r.hexID(16)))
				if r.chance(0.3) {
					emit(t+int64(r.between(30, 900))*types.Second, "authpriv", "notice", "sudo", fmt.Sprintf("%s : TTY=pts/0 ; PWD=/home/%s ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx", name, name))
				}
			}
			if h.Name == "vm-jump-01" {
				for range r.poisson(2 * g.cfg.Scale) {
					emit(hour+r.Int64N(types.Hour), "auth", "info", "sshd", fmt.Sprintf("Failed password for invalid user %s from %s port %d ssh2",
						pick(r, []string{"admin", "root", "test", "oracle", "ubuntu", "git"}), pick(r, bad), r.between(30000, 65000)))
				}
			}
		}
	}
}

// indicator is one ThreatIntelligenceIndicator row.
type indicator struct {
	t                   int64
	ip, domain, hash    string
	threat, description string
	confidence          float64
	tags                string
}

func (g *gen) emitIndicator(r *rnd, in indicator) string {
	row := g.e.row("ThreatIntelligenceIndicator")
	id := "ti-" + r.guid()
	row.time("TimeGenerated", in.t).str("IndicatorId", id).str("ExternalIndicatorId", "indicator--"+r.guid())
	row.str("SourceSystem", "Microsoft Defender Threat Intelligence").str("IndicatorProvider", "Microsoft Defender Threat Intelligence")
	row.str("ThreatType", in.threat).str("Description", in.description).real("ConfidenceScore", in.confidence)
	row.boolean("Active", true).str("Action", "alert").str("TrafficLightProtocolLevel", "amber").long("ThreatSeverity", 3)
	row.time("ExpirationDateTime", in.t+90*types.Day).str("Tags", in.tags).boolean("PassiveOnly", false)
	switch {
	case in.ip != "":
		row.str("NetworkIP", in.ip).str("NetworkSourceIP", in.ip)
	case in.domain != "":
		row.str("DomainName", in.domain).str("Url", "https://"+in.domain+"/")
	default:
		row.str("FileHashType", "SHA256").str("FileHashValue", in.hash)
	}
	g.e.emit(row)
	return id
}

// threatIntel writes the indicator feed: the known-bad addresses, some
// phishing domains and malware hashes.
func (g *gen) threatIntel() {
	r := newRnd(g.cfg.Seed, "ti")
	for i, ip := range g.badIPs() {
		g.emitIndicator(r, indicator{t: g.start + int64(i)*7*types.Hour, ip: ip, threat: "MaliciousActivity",
			description: "Host scanning and brute-forcing internet-facing services", confidence: float64(r.between(60, 95)), tags: "Scanner"})
	}
	for i := range 12 {
		g.emitIndicator(r, indicator{t: g.start + int64(i)*11*types.Hour, domain: fmt.Sprintf("login-%s-secure%d.com", r.hexID(5), i),
			threat: "Phishing", description: "Credential phishing site impersonating Microsoft 365 sign-in", confidence: 80, tags: "Phishing"})
	}
	for i := range 12 {
		g.emitIndicator(r, indicator{t: g.start + int64(i)*13*types.Hour, hash: r.hexID(64), threat: "Malware",
			description: "Commodity infostealer sample", confidence: 70, tags: "Infostealer"})
	}
}

// alert is a SecurityAlert; entities are account UPNs and IPs.
type alert struct {
	t, end                       int64
	name, severity, description  string
	product, provider, component string
	tactics, techniques          string
	accounts                     []*User
	ips                          []string
	compromised                  string
}

func (g *gen) emitAlert(r *rnd, a alert) string {
	row := g.e.row("SecurityAlert")
	id := r.guid()
	row.time("TimeGenerated", a.end+int64(r.between(2, 15))*types.Minute).time("StartTime", a.t).time("EndTime", a.end)
	row.time("ProcessingEndTime", a.end+int64(r.between(2, 15))*types.Minute)
	row.str("SystemAlertId", id).str("VendorOriginalId", r.guid()).str("AlertName", a.name).str("DisplayName", a.name)
	row.str("AlertType", strings.ReplaceAll(a.name, " ", "")).str("AlertSeverity", a.severity).str("Description", a.description)
	row.str("ProductName", a.product).str("ProviderName", a.provider).str("ProductComponentName", a.component).str("VendorName", "Microsoft")
	row.str("Status", "New").str("ConfidenceLevel", "Unknown").boolean("IsIncident", false).str("CompromisedEntity", a.compromised)
	row.str("Tactics", a.tactics).str("Techniques", a.techniques)
	var ents []string
	n := 0
	for _, u := range a.accounts {
		n++
		name, suffix, _ := strings.Cut(u.UPN, "@")
		ents = append(ents, fmt.Sprintf(`{"$id":"%d","Name":%s,"UPNSuffix":%s,"AadUserId":%s,"Type":"account"}`, n, jsonString(name), jsonString(suffix), jsonString(u.ID)))
	}
	for _, ip := range a.ips {
		n++
		ents = append(ents, fmt.Sprintf(`{"$id":"%d","Address":%s,"Type":"ip"}`, n, jsonString(ip)))
	}
	row.str("Entities", "["+strings.Join(ents, ",")+"]").str("ExtendedProperties", "{}")
	row.str("WorkspaceSubscriptionId", g.m.subscription("Platform-Prod").SubscriptionID).str("WorkspaceResourceGroup", "rg-monitoring")
	g.e.emit(row)
	if g.alertMitre == nil {
		g.alertMitre = map[string][2]string{}
	}
	g.alertMitre[id] = [2]string{a.tactics, a.techniques}
	return id
}

// incidentMitre gathers the tactics and techniques of an incident's alerts,
// in first-seen order, as Sentinel lists them in AdditionalData.
func (g *gen) incidentMitre(alertIDs []string) (tactics, techniques []any) {
	seen := map[string]bool{}
	add := func(list *[]any, v string) {
		if v = strings.TrimSpace(v); v != "" && !seen[v] {
			seen[v] = true
			*list = append(*list, v)
		}
	}
	tactics, techniques = []any{}, []any{}
	for _, id := range alertIDs {
		m := g.alertMitre[id]
		for _, t := range strings.Split(m[0], ",") {
			add(&tactics, t)
		}
		var techs []string
		json.Unmarshal([]byte(m[1]), &techs) // our own JSON array
		for _, t := range techs {
			add(&techniques, t)
		}
	}
	return tactics, techniques
}

// incidentSeq numbers incidents. Background incidents come first, so turning
// stories off leaves the background numbers as they were.
func (g *gen) emitIncident(r *rnd, number int, title, severity string, first, last int64, alertIDs []string, products []string) string {
	row := g.e.row("SecurityIncident")
	name := r.guid()
	created := last + int64(r.between(5, 30))*types.Minute
	row.time("TimeGenerated", created).time("CreatedTime", created).time("LastModifiedTime", created).time("FirstModifiedTime", created)
	row.time("FirstActivityTime", first).time("LastActivityTime", last)
	row.str("IncidentName", name).long("IncidentNumber", int64(number)).str("ProviderIncidentId", strconv.Itoa(number))
	row.str("Title", title).str("Description", "").str("Severity", severity).str("Status", "New")
	row.str("ProviderName", "Azure Sentinel").str("ModifiedBy", "Microsoft Sentinel")
	ids, prods := []any{}, []any{}
	for _, a := range alertIDs {
		ids = append(ids, a)
	}
	for _, p := range products {
		prods = append(prods, p)
	}
	row.dyn("AlertIds", ids).dyn("BookmarkIds", []any{}).dyn("Comments", []any{}).dyn("Tasks", []any{}).dyn("Labels", []any{})
	row.dyn("RelatedAnalyticRuleIds", []any{})
	row.dyn("Owner", bag("objectId", nil, "email", nil, "assignedTo", nil, "userPrincipalName", nil))
	tactics, techniques := g.incidentMitre(alertIDs)
	row.dyn("AdditionalData", bag("alertsCount", int64(len(alertIDs)), "bookmarksCount", int64(0), "commentsCount", int64(0), "alertProductNames", prods,
		"tactics", tactics, "techniques", techniques))
	sub := g.m.subscription("Platform-Prod").SubscriptionID
	row.str("IncidentUrl", "https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/"+sub+
		"/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/law-sentinel-prod/providers/Microsoft.SecurityInsights/Incidents/"+name)
	g.e.emit(row)
	return name
}

// backgroundAlerts raises the low-severity alerts a quiet tenant still has:
// atypical travel for people on trips.
func (g *gen) backgroundAlerts() {
	r := newRnd(g.cfg.Seed, "alerts")
	trips := g.trips()
	g.incidents = 0
	for _, u := range g.m.Users {
		tr, ok := trips[u.ID]
		if !ok || tr.start+types.Day >= g.end {
			continue
		}
		t := tr.start + 10*types.Hour
		id := g.emitAlert(r, alert{t: t, end: t + types.Hour, name: "Atypical travel", severity: "Low",
			description: "Sign-in from a location atypical for the user, based on their recent sign-ins.",
			product:     "Azure Active Directory Identity Protection", provider: "IPC", component: "",
			tactics: "InitialAccess", techniques: `["T1078"]`, accounts: []*User{u}, compromised: u.UPN})
		g.incidents++
		g.emitIncident(r, g.incidents, "Atypical travel involving one user", "Low", t, t+types.Hour, []string{id},
			[]string{"Azure Active Directory Identity Protection"})
	}
}
