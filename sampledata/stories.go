package sampledata

import (
	"slices"

	"github.com/huntbook/huntbook/kql/types"
)

// storyRows collects the rows a story writes, per table in first-use order.
type storyRows struct {
	refs        []RowRef
	first, last int64
}

func (s *storyRows) ref(table string) *RowRef {
	for i := range s.refs {
		if s.refs[i].Table == table {
			return &s.refs[i]
		}
	}
	s.refs = append(s.refs, RowRef{Table: table, Column: tableByName[table].idColumn})
	return &s.refs[len(s.refs)-1]
}

func (s *storyRows) at(t int64) {
	if s.first == 0 || t < s.first {
		s.first = t
	}
	if t > s.last {
		s.last = t
	}
}

func (s *storyRows) id(table string, t int64, ids ...string) {
	r := s.ref(table)
	r.Values = append(r.Values, ids...)
	s.at(t)
}

// context adds rows that belong to the story but not to its time window:
// a threat intelligence indicator known before the attack, or a daily
// aggregate stamped at midnight.
func (s *storyRows) context(table string, ids ...string) {
	r := s.ref(table)
	r.Values = append(r.Values, ids...)
}

func (s *storyRows) match(table string, m map[string]string) {
	r := s.ref(table)
	r.Match = append(r.Match, m)
}

func (s *storyRows) story(id, title, desc string, ents ...Entity) Story {
	return Story{ID: id, Title: title, Description: desc, Entities: ents, Rows: s.refs,
		Start: types.FormatDateTime(s.first), End: types.FormatDateTime(s.last), start: s.first, end: s.last}
}

func userEntity(u *User, role string) Entity {
	return Entity{Kind: "account", ID: u.ID, Name: u.UPN, Role: role}
}

func ipEntity(ip, role string) Entity { return Entity{Kind: "ip", ID: ip, Role: role} }

// stories plants the five attacks in the last week of the window. They
// draw from their own stream, so the background is the same without them.
func (g *gen) stories() []Story {
	r := newRnd(g.cfg.Seed, "stories")
	c := newSigninCache()
	trips := g.trips()
	settled := func(dept string) []*User {
		var out []*User
		for _, u := range g.m.usersIn(dept) {
			if _, away := trips[u.ID]; !away {
				out = append(out, u)
			}
		}
		if len(out) == 0 {
			out = g.m.usersIn(dept)
		}
		return out
	}
	victim := pick(r, settled("Sales"))
	insider := pick(r, settled("Finance"))
	return []Story{
		g.storyTakeover(r, c, victim),
		g.storyInsider(r, c, insider),
		g.storyPrivilegedSP(r),
		g.storySpray(r, c),
		g.storyKeyVault(r),
	}
}

// dayAt returns the UTC ticks of local hour h (may be fractional via
// minutes) on the local day daysBack days before the end.
func (g *gen) dayAt(u *User, daysBack int, hour, minute int) int64 {
	return localMidnight(g.end-int64(daysBack)*types.Day, u.Office.TZMinutes) + int64(hour)*types.Hour + int64(minute)*types.Minute
}

// S1: a Sales user's password and session are phished; the attacker signs
// in from Lagos at night, hides mail with inbox rules and takes files.
func (g *gen) storyTakeover(r *rnd, c *signinCache, v *User) Story {
	var s storyRows
	ip := r.ipIn(lagos.isps[0].Prefix)
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36"
	t := g.dayAt(v, 3, 2, 13) // 02:13 at the victim's home: they are asleep
	ti := g.emitIndicator(r, indicator{t: g.start + 20*types.Hour, ip: ip, threat: "MaliciousActivity",
		description: "Adversary-in-the-middle phishing infrastructure", confidence: 85, tags: "AiTM,Phishing"})
	s.context("ThreatIntelligenceIndicator", ti)
	base := signin{u: v, ip: ip, isp: lagos.isps[0], place: lagos, ua: ua, os: "Windows10", browser: "Chrome 119.0.0"}
	first := base
	first.t, first.app, first.result, first.mfa = t, appOfficeHome, "0", true
	first.risk, first.riskEvents = "high", []string{"unfamiliarFeatures", "unlikelyTravel"}
	s.id("SigninLogs", t, g.emitSignin(r, c, first))
	for i, a := range []app{appOutlook, appSharePoint} {
		x := base
		x.t, x.app, x.result, x.mfa, x.risk = t+int64(2+i*3)*types.Minute, a, "0", true, "medium"
		s.id("SigninLogs", x.t, g.emitSignin(r, c, x))
	}
	t1 := t + 8*types.Minute
	s.id("OfficeActivity", t1, g.emitInboxRule(r, v, t1, "New-InboxRule", ip, "Name", ".", "SubjectOrBodyContainsWords",
		"invoice;payment;wire;bank", "MoveToFolder", "RSS Subscriptions", "MarkAsRead", "True", "StopProcessingRules", "True"))
	t2 := t + 12*types.Minute
	s.id("OfficeActivity", t2, g.emitInboxRule(r, v, t2, "Set-InboxRule", ip, "Identity", ".", "ForwardTo",
		"ap.remittance.desk@proton.me", "DeleteMessage", "True"))
	var files []*File
	for _, f := range g.m.Files {
		if site := g.siteOf(f); site.Department == v.Department || site.Department == "Finance" {
			files = append(files, f)
		}
	}
	n := min(len(files), 60)
	for i, f := range files[:n] {
		tf := t + 20*types.Minute + int64(i)*int64(r.between(15, 45))*types.Second
		s.id("OfficeActivity", tf, g.emitFileOp(r, v, tf, "FileDownloaded", f, ip, ua))
	}
	a1 := g.emitAlert(r, alert{t: t, end: t + types.Minute, name: "Unfamiliar sign-in properties", severity: "Medium",
		description: "Sign-in with properties not seen recently for the user.", product: "Azure Active Directory Identity Protection",
		provider: "IPC", tactics: "InitialAccess", techniques: `["T1078"]`, accounts: []*User{v}, ips: []string{ip}, compromised: v.UPN})
	s.id("SecurityAlert", t+types.Minute, a1)
	a2 := g.emitAlert(r, alert{t: t1, end: t2, name: "Suspicious inbox manipulation rule", severity: "Medium",
		description: "A user created or changed an inbox rule that moves, deletes or forwards mail, a sign of a compromised mailbox.",
		product:     "Microsoft Cloud App Security", provider: "MCAS", tactics: "DefenseEvasion,Collection", techniques: `["T1564.008","T1114.003"]`,
		accounts: []*User{v}, ips: []string{ip}, compromised: v.UPN})
	s.id("SecurityAlert", t2, a2)
	g.incidents++
	inc := g.emitIncident(r, g.incidents, "Multi-stage incident involving Initial access & Collection involving one user", "High",
		t, t2, []string{a1, a2}, []string{"Azure Active Directory Identity Protection", "Microsoft Cloud App Security"})
	s.id("SecurityIncident", t2, inc)
	return s.story("S1-account-takeover", "Account takeover with mailbox rules and mass download",
		"A high-risk sign-in from a country the user never used, inbox rules that hide and forward payment mail, then mass file downloads.",
		userEntity(v, "victim"), ipEntity(ip, "attacker"), Entity{Kind: "application", ID: appOfficeHome.id, Name: appOfficeHome.name, Role: "target"})
}

// S2: a finance employee connects through a commercial VPN one evening
// (Identity Protection rates the anonymized sign-in medium risk), strips
// labels from confidential files and uploads them to an unsanctioned
// storage app.
func (g *gen) storyInsider(r *rnd, c *signinCache, u *User) Story {
	var s storyRows
	var targets []*File
	for _, f := range g.m.Files {
		if f.Classifications != nil && f.LabelID != "" && g.siteOf(f).Department == "Finance" {
			targets = append(targets, f)
		}
	}
	targets = targets[:min(len(targets), 25)]
	labels := map[string]*Label{}
	for _, l := range g.m.Labels {
		labels[l.ID] = l
	}
	t := g.dayAt(u, 5, 19, 5)
	// The sign-in draws from a stream of its own so that the shared story
	// stream, and every story after this one, is what it was before S2
	// had a sign-in.
	rs := newRnd(g.cfg.Seed, "stories/S2-signin")
	vpn := zurich
	ip := rs.ipIn(vpn.isps[0].Prefix) // a prefix nobody else uses: an address new to the insider
	if g.proxies == nil {
		g.proxies = map[string]*proxy{}
	}
	g.proxies[ip] = &proxy{place: vpn, isp: vpn.isps[0]}
	// 15-35 minutes before the first label change, on the insider's own laptop
	si := signin{u: u, t: t - int64(rs.between(15, 35))*types.Minute - rs.Int64N(types.Minute), app: appSharePoint,
		ip: ip, isp: vpn.isps[0], place: vpn, dev: &u.Devices[0], result: "0", mfa: true,
		risk: "medium", riskEvents: []string{"anonymizedIPAddress", "unfamiliarFeatures"}}
	s.id("SigninLogs", si.t, g.emitSignin(rs, c, si))
	for i, f := range targets {
		ti := t + int64(i)*int64(r.between(40, 100))*types.Second
		ev := labelEvent{u: u, t: ti, f: f, old: labels[f.LabelID], ip: ip}
		if i%4 == 3 {
			ev.action = "SensitivityLabelRemoved"
			ev.justification = "Label no longer needed"
		} else {
			ev.action, ev.new = "SensitivityLabelUpdated", pick(r, []*Label{g.m.label("General"), g.m.label("Public")})
			ev.justification = "Previous label no longer applies"
		}
		s.id("CloudAppEvents", ti, g.emitLabelEvent(r, ev))
	}
	t2 := t + int64(len(targets)+5)*100*types.Second
	for i, f := range targets {
		td := t2 + int64(i)*int64(r.between(5, 20))*types.Second
		s.id("OfficeActivity", td, g.emitFileOp(r, u, td, "FileDownloaded", f, ip, u.Devices[0].UserAgent))
	}
	t3 := t2 + 20*types.Minute
	var total int64
	for i, f := range targets {
		tu := t3 + int64(i)*int64(r.between(10, 40))*types.Second
		row := g.e.row("CloudAppEvents")
		id := r.guid()
		g.cloudAppCommon(row, u, tu, ip)
		row.str("ReportId", id).str("ActionType", "FileUploaded").str("ActivityType", "Upload")
		row.str("Application", megaApp.name).long("ApplicationId", 11601).long("AppInstanceId", 0)
		row.str("ObjectName", f.Name).str("ObjectType", "File").str("ObjectId", r.hexID(12))
		row.dyn("RawEventData", bag("FileName", f.Name, "FileSize", f.SizeBytes, "Destination", "https://mega.nz/"))
		row.dyn("ActivityObjects", []any{bag("Type", "File", "Role", "Target object", "Name", f.Name)})
		g.e.emit(row)
		s.id("CloudAppEvents", tu, id)
		total += f.SizeBytes
	}
	day := t3 / types.Day * types.Day
	s.match("McasShadowItReporting", g.emitShadow(shadowRow{u: u, day: day, app: megaApp, events: len(targets) * 3, upload: total, dlBytes: 40_000}))
	return s.story("S2-insider-label-downgrade", "Insider downgrades labels and uploads to an unsanctioned app",
		"One evening a finance employee signs in through an anonymizing VPN (a medium-risk sign-in from an address they never used); within the hour many confidential finance files have their sensitivity labels downgraded or removed, then they are downloaded and uploaded to MEGA.",
		userEntity(u, "actor"), ipEntity(ip, "actor"), Entity{Kind: "application", ID: megaApp.id, Name: megaApp.name, Role: "target"})
}

// S3: an administrator (or someone at their keyboard) gives an integration's
// service principal Owner over the subscription holding card and bank data;
// the principal lists the storage keys from new infrastructure.
func (g *gen) storyPrivilegedSP(r *rnd) Story {
	var s storyRows
	var sp *ServicePrincipal
	for _, x := range g.m.ServicePrincipals {
		if x.DisplayName == "Data Pipeline Sync" {
			sp = x
		}
	}
	var admin *User
	for _, u := range g.m.Users {
		if slices.Contains(u.EntraRoles, "Global Administrator") {
			admin = u
			break
		}
	}
	if admin == nil {
		admin = g.m.Users[0]
	}
	sub := g.m.subscription("Finance-Prod")
	t := g.dayAt(admin, 2, 22, 40)
	by := actor{user: admin, ip: admin.HomeIP}
	id := g.emitAudit(r, audit{t: t, activity: "Add service principal credentials", category: "ApplicationManagement", opType: "Update",
		service: "Core Directory", by: by, targets: []any{spTarget(sp, modProp("KeyDescription", "[]", `["[KeyIdentifier=`+r.guid()+`,KeyType=Password,KeyUsage=Verify,DisplayName=sync-2]"]`))}})
	s.id("AuditLogs", t, id)
	t1 := t + 3*types.Minute
	id = g.emitAudit(r, audit{t: t1, activity: "Add app role assignment to service principal", category: "ApplicationManagement", opType: "Assign",
		service: "Core Directory", by: by, targets: []any{spTarget(sp, modProp("AppRole.Value", "", `"RoleManagement.ReadWrite.Directory"`),
			modProp("ServicePrincipal.DisplayName", "", `"`+sp.DisplayName+`"`))}})
	s.id("AuditLogs", t1, id)
	t2 := t + 6*types.Minute
	raID := r.guid()
	req := `{"Id":"` + raID + `","Properties":{"PrincipalId":"` + sp.ID + `","PrincipalType":"ServicePrincipal","RoleDefinitionId":"/subscriptions/` +
		sub.SubscriptionID + `/providers/Microsoft.Authorization/roleDefinitions/` + roleDefs["Owner"] + `","Scope":"` + sub.ID + `"}}`
	ids := g.emitARM(r, armOp{t: t2, by: by, op: "Microsoft.Authorization/roleAssignments/write", name: "Create role assignment",
		resource: sub.ID + "/providers/Microsoft.Authorization/roleAssignments/" + raID, method: "PUT", status: "Success", role: "Owner",
		props: bag("requestbody", req)})
	s.id("AzureActivity", t2, ids...)
	spIP := r.ipIn(bucharest.isps[0].Prefix)
	t3 := t + 41*types.Minute
	ids = g.emitARM(r, armOp{t: t3, by: actor{sp: sp, ip: spIP}, op: "Microsoft.Storage/storageAccounts/listKeys/action",
		name: "List Storage Account Keys", resource: g.m.resource("stfinancedata01").ID, method: "POST", status: "Success", role: "Owner"})
	s.id("AzureActivity", t3, ids...)
	return s.story("S3-service-principal-owner", "Service principal granted Owner on the subscription holding classified data",
		"New credentials and a directory role permission for an integration's service principal, then Owner on Finance-Prod (card and IBAN data per Purview); the principal lists storage keys from a new address.",
		userEntity(admin, "actor"), Entity{Kind: "servicePrincipal", ID: sp.ID, Name: sp.DisplayName, Role: "target"},
		Entity{Kind: "resource", ID: sub.ID, Name: sub.DisplayName, Role: "target"}, ipEntity(spIP, "attacker"))
}

// S4: a password spray from three hosting addresses tries one or two
// common passwords on most accounts over two hours; one account falls.
func (g *gen) storySpray(r *rnd, c *signinCache) Story {
	var s storyRows
	srcs := []*Place{amsterdam, bucharest, moscow}
	var ips []string
	for _, p := range srcs {
		ips = append(ips, r.ipIn(p.isps[0].Prefix))
	}
	start := (g.end-4*types.Day)/types.Day*types.Day + 1*types.Hour
	users := slices.Clone(g.m.Users)
	r.Shuffle(len(users), func(i, j int) { users[i], users[j] = users[j], users[i] })
	users = users[:len(users)*7/10]
	sprayApp := appAADPS
	sprayApp.clientApp = "Other clients"
	span := 2*types.Hour + 30*types.Minute
	var fallen *User
	var fallenAt int64
	for i, u := range users {
		k := r.IntN(len(srcs))
		base := signin{u: u, app: sprayApp, ip: ips[k], isp: srcs[k].isps[0], place: srcs[k], ua: "python-requests/2.31.0", os: "", browser: "Python Requests 2.31"}
		attempts := 1 + r.IntN(2)
		for a := range attempts {
			x := base
			x.t = start + span*int64(i)/int64(len(users)) + int64(a)*40*types.Minute + r.Int64N(30*types.Second)
			x.result = "50126"
			if i == len(users)/2 && a == attempts-1 { // the one weak password
				x.result, x.risk, x.riskEvents = "0", "medium", []string{"passwordSpray"}
				fallen, fallenAt = u, x.t
			}
			s.id("SigninLogs", x.t, g.emitSignin(r, c, x))
		}
	}
	if fallen != nil {
		id := g.emitAlert(r, alert{t: start, end: fallenAt, name: "Password spray", severity: "High",
			description: "Multiple usernames were attacked with common passwords in a coordinated brute-force attack.",
			product:     "Azure Active Directory Identity Protection", provider: "IPC", tactics: "CredentialAccess",
			techniques: `["T1110.003"]`, accounts: []*User{fallen}, ips: ips, compromised: fallen.UPN})
		s.id("SecurityAlert", fallenAt, id)
		g.incidents++
		inc := g.emitIncident(r, g.incidents, "Password spray involving one user", "High", start, fallenAt, []string{id},
			[]string{"Azure Active Directory Identity Protection"})
		s.id("SecurityIncident", fallenAt, inc)
	}
	ents := []Entity{}
	for _, ip := range ips {
		ents = append(ents, ipEntity(ip, "attacker"))
	}
	if fallen != nil {
		ents = append(ents, userEntity(fallen, "victim"))
	}
	return s.story("S4-password-spray", "Password spray from three hosting addresses",
		"Failed sign-ins (50126) for most accounts from three addresses in hosting networks within two and a half hours; one attempt succeeds.",
		ents...)
}

// S5: a marketer with a forgotten Contributor grant on the finance data
// resource group opens the finance key vault to themselves and the internet.
func (g *gen) storyKeyVault(r *rnd) Story {
	var s storyRows
	kv := g.m.resource("kv-finance-prod")
	var u *User
	for _, ra := range g.m.RoleAssignments {
		if x := g.m.user(ra.PrincipalID); x != nil && x.Department == "Marketing" {
			u = x
		}
	}
	t := g.dayAt(u, 1, 21, 17)
	by := actor{user: u, ip: u.HomeIP}
	ids := g.emitARM(r, armOp{t: t, by: by, op: "Microsoft.KeyVault/vaults/accessPolicies/write", name: "Update Key Vault access policy",
		resource: kv.ID + "/accessPolicies/add", method: "PUT", status: "Success", role: "Contributor",
		props: bag("requestbody", `{"properties":{"accessPolicies":[{"tenantId":"`+g.m.TenantID+`","objectId":"`+u.ID+`","permissions":{"secrets":["get","list"]}}]}}`)})
	s.id("AzureActivity", t, ids...)
	t2 := t + 4*types.Minute
	ids = g.emitARM(r, armOp{t: t2, by: by, op: "Microsoft.KeyVault/vaults/write", name: "Update Key Vault",
		resource: kv.ID, method: "PUT", status: "Success", role: "Contributor",
		props: bag("requestbody", `{"properties":{"networkAcls":{"defaultAction":"Allow","bypass":"AzureServices"}}}`)})
	s.id("AzureActivity", t2, ids...)
	return s.story("S5-peer-anomaly-key-vault", "User touches the finance key vault that none of their peers use",
		"A marketing user, through a stale Contributor grant, gives themselves secret access to kv-finance-prod and opens its firewall; nobody in their groups ever touched it.",
		userEntity(u, "actor"), Entity{Kind: "resource", ID: kv.ID, Name: kv.Name, Role: "target"})
}
