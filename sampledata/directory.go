package sampledata

import (
	"slices"
	"strings"

	"github.com/huntbook/huntbook/kql/types"
)

// identityInfo writes a full IdentityInfo snapshot every 14 days back from
// the end of the window, as Sentinel UEBA's periodic sync does; queries take
// the latest row per account with arg_max.
func (g *gen) identityInfo() {
	var snaps []int64
	for t := g.end - types.Hour; t >= g.start; t -= 14 * types.Day {
		snaps = append(snaps, t)
	}
	slices.Reverse(snaps)
	for _, t := range snaps {
		for _, u := range g.m.Users {
			row := g.e.row("IdentityInfo")
			row.time("TimeGenerated", t)
			// The Defender XDR spellings of the same facts: Sentinel's
			// IdentityInfo carries both, and hunting queries use either.
			row.time("Timestamp", t)
			row.str("AccountObjectId", u.ID).str("AccountUPN", u.UPN).str("AccountDisplayName", u.DisplayName)
			row.str("AccountName", strings.SplitN(u.UPN, "@", 2)[0]).str("AccountDomain", g.m.Domain)
			row.str("AccountTenantId", g.m.TenantID).str("AccountSID", u.OnPremSID).str("AccountCloudSID", "S-1-12-1-"+u.ID[:8])
			row.str("SAMAccountName", strings.SplitN(u.UPN, "@", 2)[0])
			row.time("AccountCreationTime", u.created)
			row.str("GivenName", u.GivenName).str("Surname", u.Surname).str("MailAddress", u.UPN)
			row.str("AccountUpn", u.UPN).str("OnPremSid", u.OnPremSID).str("CloudSid", "S-1-12-1-"+u.ID[:8]).str("EmailAddress", u.UPN)
			row.str("Department", u.Department).str("JobTitle", u.JobTitle)
			if mgr := g.m.user(u.ManagerID); mgr != nil {
				row.str("Manager", mgr.UPN)
			}
			row.str("City", u.Office.City).str("State", u.Office.State).str("Country", u.Office.CountryCode)
			row.str("CompanyName", strings.ToUpper(g.cfg.Name[:1])+g.cfg.Name[1:]).str("EmployeeId", u.EmployeeID)
			var groups []any
			for _, id := range g.m.UserGroups(u.ID) {
				groups = append(groups, g.m.group(id).DisplayName)
			}
			row.dyn("GroupMembership", groups)
			roles := []any{}
			for _, x := range u.EntraRoles {
				roles = append(roles, x)
			}
			row.dyn("AssignedRoles", roles)
			row.str("Tags", strings.Join(u.Tags, ","))
			blast := "Low"
			if len(u.EntraRoles) > 0 || slices.Contains(u.Tags, "VIP") {
				blast = "High"
			}
			row.str("BlastRadius", blast)
			susp, ok := g.suspensions()[u.ID]
			enabled := !ok || t < susp.from || t >= susp.to
			row.boolean("IsAccountEnabled", enabled).boolean("IsMFARegistered", true).boolean("IsServiceAccount", false)
			row.str("UserState", map[bool]string{true: "Active", false: "Disabled"}[enabled]).str("UserType", "Member").str("ChangeSource", "AzureActiveDirectory")
			row.str("RiskLevel", "Low").str("RiskState", "None")
			row.long("InvestigationPriority", 0).long("InvestigationPriorityPercentile", 0)
			row.str("OnPremisesDistinguishedName", "CN="+u.DisplayName+",OU="+u.Department+",DC="+g.cfg.Name+",DC=com")
			g.e.emit(row)
		}
	}
}

// actor is who did something in a directory or Azure log.
type actor struct {
	user *User
	sp   *ServicePrincipal
	ip   string
}

func (a actor) name() string {
	if a.user != nil {
		return a.user.UPN
	}
	return a.sp.DisplayName
}

// initiatedBy is the AuditLogs InitiatedBy shape.
func (a actor) initiatedBy() *types.Bag {
	if a.user != nil {
		return bag("user", bag("id", a.user.ID, "displayName", a.user.DisplayName, "userPrincipalName", a.user.UPN, "ipAddress", a.ip))
	}
	return bag("app", bag("appId", a.sp.AppID, "displayName", a.sp.DisplayName, "servicePrincipalId", a.sp.ID, "servicePrincipalName", a.sp.DisplayName))
}

// audit is one AuditLogs record.
type audit struct {
	t        int64
	activity string
	category string
	opType   string // Add, Update, Delete, Other
	service  string
	by       actor
	targets  []any
	details  []any
	result   string
}

func (g *gen) emitAudit(r *rnd, a audit) string {
	row := g.e.row("AuditLogs")
	id := "Directory_" + r.guid()
	row.time("TimeGenerated", a.t).time("ActivityDateTime", a.t)
	row.str("Id", id).str("CorrelationId", r.guid())
	row.str("OperationName", a.activity).str("ActivityDisplayName", a.activity).str("Category", a.category)
	row.str("AADOperationType", a.opType).str("LoggedByService", a.service).str("AADTenantId", g.m.TenantID)
	row.str("OperationVersion", "1.0").str("Level", "Informational").str("Location", "")
	row.str("Resource", "Microsoft.aadiam").str("ResourceProvider", "Microsoft.aadiam").str("ResourceGroup", "Microsoft.aadiam")
	row.str("ResourceId", "/tenants/"+g.m.TenantID+"/providers/Microsoft.aadiam")
	row.str("Identity", a.by.name())
	row.dyn("InitiatedBy", a.by.initiatedBy())
	if a.targets == nil {
		a.targets = []any{}
	}
	if a.details == nil {
		a.details = []any{}
	}
	row.dyn("TargetResources", a.targets).dyn("AdditionalDetails", a.details)
	if a.result == "" {
		a.result = "success"
	}
	row.str("Result", a.result).str("ResultType", "").str("ResultDescription", "").str("ResultSignature", "None")
	row.long("DurationMs", 0)
	g.e.emit(row)
	return id
}

func userTarget(u *User, props ...any) *types.Bag {
	if props == nil {
		props = []any{}
	}
	return bag("id", u.ID, "displayName", u.DisplayName, "type", "User", "userPrincipalName", u.UPN, "modifiedProperties", props)
}

func spTarget(sp *ServicePrincipal, props ...any) *types.Bag {
	if props == nil {
		props = []any{}
	}
	return bag("id", sp.ID, "displayName", sp.DisplayName, "type", "ServicePrincipal", "modifiedProperties", props)
}

func modProp(name, old, new string) *types.Bag {
	return bag("displayName", name, "oldValue", old, "newValue", new)
}

// auditPlan draws the directory housekeeping (helpdesk password resets
// and the users' new passwords, user updates) once, so sign-ins can see
// the password changes before AuditLogs writes them.
func (g *gen) auditPlan() []audit {
	if g.audits != nil {
		return g.audits
	}
	r := newRnd(g.cfg.Seed, "audit")
	helpdesk, admins := g.directoryStaff()
	g.audits = []audit{}
	for day := g.start; day < g.end; day += types.Day {
		wd := weekday(day, 0)
		if wd == 0 || wd == 6 {
			continue
		}
		for range r.poisson(1.5 * g.cfg.Scale * float64(len(g.m.Users)) / 300) {
			hd := pick(r, helpdesk)
			target := pick(r, g.m.Users)
			t := day + int64(13+r.IntN(8))*types.Hour + r.Int64N(types.Hour)
			g.audits = append(g.audits, audit{t: t, activity: "Reset user password", category: "UserManagement", opType: "Update",
				service: "Core Directory", by: actor{user: hd, ip: hd.OfficeIP}, targets: []any{userTarget(target)}})
			// the user picks a new password soon after
			g.audits = append(g.audits, audit{t: t + int64(r.between(5, 90))*types.Minute, activity: "Change password (self-service)",
				category: "UserManagement", opType: "Update", service: "Self-service Password Management",
				by: actor{user: target, ip: target.HomeIP}, targets: []any{userTarget(target)}})
		}
		for range r.poisson(2 * g.cfg.Scale * float64(len(g.m.Users)) / 300) {
			ad := pick(r, admins)
			target := pick(r, g.m.Users)
			t := day + int64(14+r.IntN(6))*types.Hour + r.Int64N(types.Hour)
			g.audits = append(g.audits, audit{t: t, activity: "Update user", category: "UserManagement", opType: "Update",
				service: "Core Directory", by: actor{user: ad, ip: ad.OfficeIP},
				targets: []any{userTarget(target, modProp("TelephoneNumber", "[]", `["+1 425 555 0`+itoa(100+r.IntN(900))+`"]`))}})
		}
	}
	return g.audits
}

// directoryStaff returns who resets passwords and who administers users.
func (g *gen) directoryStaff() (helpdesk, admins []*User) {
	for _, u := range g.m.Users {
		switch {
		case slices.Contains(u.EntraRoles, "Helpdesk Administrator"):
			helpdesk = append(helpdesk, u)
		case slices.Contains(u.EntraRoles, "Global Administrator"):
			admins = append(admins, u)
		}
	}
	if len(helpdesk) == 0 {
		helpdesk = admins
	}
	if len(helpdesk) == 0 {
		helpdesk = g.m.Users[:1]
	}
	if len(admins) == 0 {
		admins = helpdesk
	}
	return helpdesk, admins
}

// auditLogs writes directory housekeeping: helpdesk password resets, user
// updates, self-service password changes (also those sign-ins led to: an
// expired password, a lockout) and a benign app role grant.
func (g *gen) auditLogs() {
	r := newRnd(g.cfg.Seed, "audit/records")
	_, admins := g.directoryStaff()
	for _, a := range g.auditPlan() {
		g.emitAudit(r, a)
	}
	for _, u := range g.m.Users {
		if susp, ok := g.suspensions()[u.ID]; ok {
			by := actor{user: susp.by, ip: susp.by.OfficeIP}
			g.emitAudit(r, audit{t: susp.from, activity: "Disable account", category: "UserManagement", opType: "Update",
				service: "Core Directory", by: by, targets: []any{userTarget(u, modProp("AccountEnabled", "[true]", "[false]"))}})
			g.emitAudit(r, audit{t: susp.to, activity: "Enable account", category: "UserManagement", opType: "Update",
				service: "Core Directory", by: by, targets: []any{userTarget(u, modProp("AccountEnabled", "[false]", "[true]"))}})
		}
	}
	rs := newRnd(g.cfg.Seed, "audit/signins")
	helpdesk, _ := g.directoryStaff()
	for _, c := range g.pwChanges {
		if c.reset != 0 && c.reset < g.end {
			hd := pick(rs, helpdesk)
			g.emitAudit(rs, audit{t: c.reset, activity: "Reset user password", category: "UserManagement", opType: "Update",
				service: "Core Directory", by: actor{user: hd, ip: hd.OfficeIP}, targets: []any{userTarget(c.u)}})
		}
		if c.t < g.end {
			g.emitAudit(rs, audit{t: c.t, activity: "Change password (self-service)", category: "UserManagement", opType: "Update",
				service: "Self-service Password Management", by: actor{user: c.u, ip: c.ip}, targets: []any{userTarget(c.u)}})
		}
	}
	// a routine Graph permission for the ticketing integration
	for _, sp := range g.m.ServicePrincipals {
		if sp.DisplayName == "ServiceNow Integration" {
			ad := pick(r, admins)
			g.emitAudit(r, audit{t: g.start + 2*types.Day + 15*types.Hour, activity: "Add app role assignment to service principal",
				category: "ApplicationManagement", opType: "Assign", service: "Core Directory",
				by:      actor{user: ad, ip: ad.OfficeIP},
				targets: []any{spTarget(sp, modProp("AppRole.Value", "", `"User.Read.All"`), modProp("ServicePrincipal.DisplayName", "", `"`+sp.DisplayName+`"`))}})
		}
	}
}
