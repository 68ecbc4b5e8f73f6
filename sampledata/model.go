package sampledata

import (
	"fmt"
	"slices"
	"strings"

	"github.com/huntbook/huntbook/kql/types"
)

// Model is the tenant's directory, Azure estate and data estate as they
// stand at the start of the generated window. Changes made during the
// window (by stories or noise) show up in the logs, not here. WriteWorkspace
// exports it as entities.json; see the package doc for the shape.
type Model struct {
	TenantID          string              `json:"tenantId"`
	Domain            string              `json:"domain"`
	Users             []*User             `json:"users"`
	Groups            []*Group            `json:"groups"`
	ServicePrincipals []*ServicePrincipal `json:"servicePrincipals"`
	ManagementGroups  []*ManagementGroup  `json:"managementGroups"`
	Subscriptions     []*Subscription     `json:"subscriptions"`
	ResourceGroups    []*ResourceGroup    `json:"resourceGroups"`
	Resources         []*Resource         `json:"resources"`
	RoleAssignments   []*RoleAssignment   `json:"roleAssignments"`
	Labels            []*Label            `json:"sensitivityLabels"`
	Sites             []*Site             `json:"sites"`
	Files             []*File             `json:"files"`
	Assets            []*Asset            `json:"dataAssets"`

	byID    map[string]any
	parents map[string][]string // group id -> ids of groups it is nested in
}

// User is a member account with its habits.
type User struct {
	ID          string   `json:"id"`
	UPN         string   `json:"userPrincipalName"`
	DisplayName string   `json:"displayName"`
	GivenName   string   `json:"givenName"`
	Surname     string   `json:"surname"`
	Department  string   `json:"department"`
	JobTitle    string   `json:"jobTitle"`
	ManagerID   string   `json:"managerId,omitempty"`
	EmployeeID  string   `json:"employeeId"`
	OnPremSID   string   `json:"onPremisesSid"`
	Office      *Place   `json:"office"`
	WorkStart   int      `json:"workStartHour"` // local time
	WorkEnd     int      `json:"workEndHour"`
	Devices     []Device `json:"devices"`
	HomeISP     ISP      `json:"homeIsp"`
	HomeIP      string   `json:"homeIp"`
	OfficeIP    string   `json:"officeIp"`
	OfficeISP   ISP      `json:"officeIsp"`
	EntraRoles  []string `json:"entraRoles,omitempty"`
	Created     string   `json:"createdDateTime"`
	Tags        []string `json:"tags,omitempty"`

	created  int64
	activity float64 // mean interactive sign-ins per working day
	apps     []app
	groups   []*Group // direct memberships
}

// Device is a device a user usually signs in from.
type Device struct {
	ID          string `json:"deviceId"`
	DisplayName string `json:"displayName"`
	OS          string `json:"operatingSystem"`
	Browser     string `json:"browser"`
	UserAgent   string `json:"userAgent"`
	TrustType   string `json:"trustType,omitempty"`
	IsCompliant bool   `json:"isCompliant"`
	IsManaged   bool   `json:"isManaged"`
}

// Group is a security group or distribution list. Members are direct:
// users by id in MemberUsers, nested groups by id in MemberGroups.
type Group struct {
	ID           string   `json:"id"`
	DisplayName  string   `json:"displayName"`
	Kind         string   `json:"kind"` // "Security" or "Distribution"
	Mail         string   `json:"mail,omitempty"`
	MemberUsers  []string `json:"memberUserIds"`
	MemberGroups []string `json:"memberGroupIds"`
}

// ServicePrincipal is an application's or a managed identity's principal.
type ServicePrincipal struct {
	ID          string `json:"id"`
	AppID       string `json:"appId"`
	DisplayName string `json:"displayName"`
	Kind        string `json:"kind"` // "Application" or "ManagedIdentity"
	OwnerID     string `json:"ownerUserId,omitempty"`
	ResourceID  string `json:"resourceId,omitempty"` // the resource a managed identity belongs to
}

// ManagementGroup is a node of the Azure management group tree.
type ManagementGroup struct {
	ID          string `json:"id"` // /providers/Microsoft.Management/managementGroups/<name>
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	ParentID    string `json:"parentId,omitempty"`
}

// Subscription is an Azure subscription under a management group.
type Subscription struct {
	ID                string `json:"id"` // /subscriptions/<guid>
	SubscriptionID    string `json:"subscriptionId"`
	DisplayName       string `json:"displayName"`
	ManagementGroupID string `json:"managementGroupId"`
}

// ResourceGroup is a resource group in a subscription.
type ResourceGroup struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	SubscriptionID string `json:"subscriptionId"`
	Location       string `json:"location"`
}

// Resource is an Azure resource (storage account, SQL server, key vault, VM).
type Resource struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Type            string   `json:"type"` // e.g. Microsoft.KeyVault/vaults
	ResourceGroupID string   `json:"resourceGroupId"`
	SubscriptionID  string   `json:"subscriptionId"`
	Location        string   `json:"location"`
	Classifications []string `json:"classifications,omitempty"` // union over its data assets
	Owner           string   `json:"ownerDepartment"`
}

// RoleAssignment grants a role at a scope (management group, subscription,
// resource group or resource id) to a user, group or service principal.
type RoleAssignment struct {
	ID               string `json:"id"`
	RoleName         string `json:"roleDefinitionName"`
	RoleDefinitionID string `json:"roleDefinitionId"`
	PrincipalID      string `json:"principalId"`
	PrincipalType    string `json:"principalType"` // User, Group, ServicePrincipal
	Scope            string `json:"scope"`
}

// Label is a Microsoft Purview sensitivity label. Order ranks labels from
// least (0) to most sensitive; a sublabel names its parent.
type Label struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"` // "Parent\Sub" for sublabels
	ParentID    string `json:"parentId,omitempty"`
	Order       int    `json:"order"`
}

// Site is a SharePoint Online site.
type Site struct {
	ID         string `json:"id"`
	URL        string `json:"url"`
	Title      string `json:"title"`
	Department string `json:"department"`
}

// File is a document on a site with its label and sensitive content.
type File struct {
	ID              string   `json:"id"`
	SiteID          string   `json:"siteId"`
	Name            string   `json:"name"`
	URL             string   `json:"url"`
	LabelID         string   `json:"sensitivityLabelId,omitempty"`
	Classifications []string `json:"classifications,omitempty"`
	SizeBytes       int64    `json:"sizeBytes"`
	OwnerID         string   `json:"ownerUserId"`
}

// Asset is a data asset Purview scans: a blob in a storage account or a
// table in a SQL database.
type Asset struct {
	Path            string   `json:"path"`
	Name            string   `json:"name"`
	Type            string   `json:"type"` // file or table
	ResourceID      string   `json:"resourceId"`
	SourceType      string   `json:"sourceType"` // azureblob, azuresqldatabase
	Classifications []string `json:"classifications"`
	LabelID         string   `json:"sensitivityLabelId,omitempty"`
	SizeBytes       int64    `json:"sizeBytes,omitempty"`
}

// user returns a user by id (nil if absent).
func (m *Model) user(id string) *User { u, _ := m.byID[id].(*User); return u }

// group returns a group by id (nil if absent).
func (m *Model) group(id string) *Group { g, _ := m.byID[id].(*Group); return g }

// UserGroups returns the ids of every group the user belongs to, directly
// or through nesting, in model order.
func (m *Model) UserGroups(userID string) []string {
	u := m.user(userID)
	if u == nil {
		return nil
	}
	in := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		if in[id] {
			return
		}
		in[id] = true
		for _, p := range m.parents[id] {
			visit(p)
		}
	}
	for _, g := range u.groups {
		visit(g.ID)
	}
	var out []string
	for _, g := range m.Groups {
		if in[g.ID] {
			out = append(out, g.ID)
		}
	}
	return out
}

// label returns the label with the given display name.
func (m *Model) label(display string) *Label {
	for _, l := range m.Labels {
		if l.DisplayName == display {
			return l
		}
	}
	panic("sampledata: no label " + display)
}

func (m *Model) resource(name string) *Resource {
	for _, r := range m.Resources {
		if r.Name == name {
			return r
		}
	}
	panic("sampledata: no resource " + name)
}

func (m *Model) groupNamed(name string) *Group {
	for _, g := range m.Groups {
		if g.DisplayName == name {
			return g
		}
	}
	panic("sampledata: no group " + name)
}

func (m *Model) subscription(name string) *Subscription {
	for _, s := range m.Subscriptions {
		if s.DisplayName == name {
			return s
		}
	}
	panic("sampledata: no subscription " + name)
}

func (m *Model) usersIn(dept string) []*User {
	var out []*User
	for _, u := range m.Users {
		if u.Department == dept {
			out = append(out, u)
		}
	}
	return out
}

// buildModel draws the tenant from its own random stream, so it depends only
// on the seed, the user count and the start of the window.
func buildModel(cfg Config, start int64) *Model {
	r := newRnd(cfg.Seed, "model")
	m := &Model{TenantID: r.guid(), Domain: cfg.Name + ".com", byID: map[string]any{}}
	buildLabels(m)
	buildUsers(m, r, cfg.Users, start)
	buildGroups(m, r)
	buildAzure(m, r)
	buildData(m, r)
	for _, u := range m.Users {
		m.byID[u.ID] = u
	}
	m.parents = map[string][]string{}
	for _, g := range m.Groups {
		m.byID[g.ID] = g
		for _, c := range g.MemberGroups {
			m.parents[c] = append(m.parents[c], g.ID)
		}
	}
	for _, sp := range m.ServicePrincipals {
		m.byID[sp.ID] = sp
	}
	return m
}

// Labels use their own fixed stream so their ids are the same in every
// tenant: notebooks and docs can name them.
func buildLabels(m *Model) {
	r := newRnd(0, "labels")
	add := func(name string, parent *Label) *Label {
		l := &Label{ID: r.guid(), Name: name, DisplayName: name, Order: len(m.Labels)}
		if parent != nil {
			l.ParentID = parent.ID
			l.DisplayName = parent.Name + `\` + name
		}
		m.Labels = append(m.Labels, l)
		return l
	}
	add("Personal", nil)
	add("Public", nil)
	add("General", nil)
	conf := add("Confidential", nil)
	add("Anyone (unrestricted)", conf)
	add("All Employees", conf)
	add("Trusted People", conf)
	hc := add("Highly Confidential", nil)
	add("All Employees", hc)
	add("Specified People", hc)
	add("Finance", hc)
}

func buildUsers(m *Model, r *rnd, n int, start int64) {
	var deptBag []department
	for _, d := range departments {
		for range d.weight {
			deptBag = append(deptBag, d)
		}
	}
	var officeBag []office
	for _, o := range offices {
		for range o.weight {
			officeBag = append(officeBag, o)
		}
	}
	seen := map[string]int{}
	managers := map[string]*User{}
	for i := range n {
		d := deptBag[r.IntN(len(deptBag))]
		// the first users cover every department so each has people
		if i < len(departments) {
			d = departments[i]
		}
		o := officeBag[r.IntN(len(officeBag))]
		given, sur := pick(r, givenNames), pick(r, surnames)
		base := strings.ToLower(given + "." + sur)
		seen[base]++
		if seen[base] > 1 {
			base += fmt.Sprint(seen[base])
		}
		isp := pick(r, o.place.isps)
		u := &User{
			ID: r.guid(), UPN: base + "@" + m.Domain, DisplayName: given + " " + sur,
			GivenName: given, Surname: sur, Department: d.name, JobTitle: pick(r, d.titles),
			EmployeeID: fmt.Sprintf("E%05d", 10000+i),
			OnPremSID:  fmt.Sprintf("S-1-5-21-1004336348-1177238915-682003330-%d", 1100+i),
			Office:     o.place, WorkStart: r.between(7, 10), HomeISP: isp, HomeIP: r.ipIn(isp.Prefix),
			OfficeIP: o.egress, OfficeISP: o.isp,
			created:  start - int64(r.between(60, 2000))*types.Day,
			activity: 3 + r.Float64()*7,
		}
		u.WorkEnd = u.WorkStart + r.between(8, 10)
		u.Created = types.FormatDateTime(u.created)
		// one or two usual devices: a laptop and often a phone
		laptop := deviceKinds[r.IntN(4)]
		if d.name == "Engineering" && r.chance(0.2) {
			laptop = deviceKinds[6]
		}
		u.Devices = append(u.Devices, newDevice(r, u, laptop))
		if r.chance(0.7) {
			u.Devices = append(u.Devices, newDevice(r, u, deviceKinds[4+r.IntN(2)]))
		}
		u.apps = []app{appOfficeHome, appOutlook, appTeams, appSharePoint}
		switch d.name {
		case "Engineering":
			u.apps = append(u.apps, appPortal, appAzCLI)
		case "IT":
			u.apps = append(u.apps, appPortal, appAzCLI, appAADPS)
		case "Finance", "Sales", "Executive":
			u.apps = append(u.apps, appPowerBI)
		}
		if d.name == "IT" {
			if strings.Contains(u.JobTitle, "Helpdesk") {
				u.EntraRoles = []string{"Helpdesk Administrator"}
			} else if u.JobTitle == "Security Analyst" {
				u.EntraRoles = []string{"Security Reader"}
			} else {
				u.EntraRoles = []string{"Global Administrator"}
			}
			u.Tags = []string{"Administrator"}
		}
		if d.name == "Executive" {
			u.Tags = append(u.Tags, "VIP")
		}
		if mgr := managers[d.name]; mgr != nil {
			u.ManagerID = mgr.ID
		} else {
			managers[d.name] = u
		}
		m.Users = append(m.Users, u)
	}
}

func newDevice(r *rnd, u *User, k deviceKind) Device {
	prefix := map[string]string{"Windows 10": "LT", "MacOs": "MB", "Ios": "IPH", "Android": "AND", "Linux": "LX"}[k.os]
	return Device{ID: r.guid(), DisplayName: fmt.Sprintf("%s-%s%s", prefix, strings.ToUpper(u.Surname[:min(4, len(u.Surname))]), r.hexID(4)),
		OS: k.os, Browser: k.browser, UserAgent: k.ua, TrustType: k.trust, IsCompliant: k.managed, IsManaged: k.managed}
}

func buildGroups(m *Model, r *rnd) {
	add := func(name, kind string) *Group {
		g := &Group{ID: r.guid(), DisplayName: name, Kind: kind, MemberUsers: []string{}, MemberGroups: []string{}}
		if kind == "Distribution" {
			g.Mail = strings.ToLower(name) + "@" + m.Domain
		}
		m.Groups = append(m.Groups, g)
		return g
	}
	all := add("SG-All-Staff", "Security")
	subs := map[string][]string{
		"Finance":     {"SG-Finance-Payables", "SG-Finance-Treasury"},
		"Engineering": {"SG-Eng-Platform", "SG-Eng-Data"},
		"IT":          {"SG-IT-Admins", "SG-Helpdesk", "SG-Security"},
		"Sales":       {"SG-Sales-Ops", "SG-Sales-Field"},
	}
	for _, d := range departments {
		dg := add("SG-"+d.name, "Security")
		all.MemberGroups = append(all.MemberGroups, dg.ID)
		dl := add("DL-"+d.name+"-All", "Distribution")
		dl.MemberGroups = append(dl.MemberGroups, dg.ID)
		var children []*Group
		for _, s := range subs[d.name] {
			c := add(s, "Security")
			dg.MemberGroups = append(dg.MemberGroups, c.ID)
			children = append(children, c)
		}
		for _, u := range m.Users {
			if u.Department != d.name {
				continue
			}
			target := dg
			if len(children) > 0 {
				target = children[r.IntN(len(children))]
				switch {
				case d.name == "IT" && strings.Contains(u.JobTitle, "Helpdesk"):
					target = children[1]
				case d.name == "IT" && u.JobTitle == "Security Analyst":
					target = children[2]
				case d.name == "IT":
					target = children[0]
				}
			}
			target.MemberUsers = append(target.MemberUsers, u.ID)
			u.groups = append(u.groups, target)
		}
	}
	mgrs := add("DL-Managers", "Distribution")
	for _, u := range m.Users {
		if strings.Contains(u.JobTitle, "Manager") || strings.HasPrefix(u.JobTitle, "Chief") || u.JobTitle == "Controller" {
			mgrs.MemberUsers = append(mgrs.MemberUsers, u.ID)
			u.groups = append(u.groups, mgrs)
		}
	}
}

func buildAzure(m *Model, r *rnd) {
	mg := func(name, display, parent string) *ManagementGroup {
		g := &ManagementGroup{ID: "/providers/Microsoft.Management/managementGroups/" + name, Name: name, DisplayName: display, ParentID: parent}
		m.ManagementGroups = append(m.ManagementGroups, g)
		return g
	}
	org := strings.TrimSuffix(m.Domain, ".com")
	root := mg(m.TenantID, "Tenant Root Group", "")
	top := mg(org, strings.ToUpper(org[:1])+org[1:], root.ID)
	platform := mg("platform", "Platform", top.ID)
	lz := mg("landingzones", "Landing Zones", top.ID)
	sandbox := mg("sandbox", "Sandbox", top.ID)

	sub := func(name string, parent *ManagementGroup) *Subscription {
		id := r.guid()
		s := &Subscription{ID: "/subscriptions/" + id, SubscriptionID: id, DisplayName: name, ManagementGroupID: parent.ID}
		m.Subscriptions = append(m.Subscriptions, s)
		return s
	}
	rg := func(s *Subscription, name, loc string) *ResourceGroup {
		g := &ResourceGroup{ID: s.ID + "/resourceGroups/" + name, Name: name, SubscriptionID: s.SubscriptionID, Location: loc}
		m.ResourceGroups = append(m.ResourceGroups, g)
		return g
	}
	res := func(g *ResourceGroup, typ, name, dept string) *Resource {
		x := &Resource{ID: g.ID + "/providers/" + typ + "/" + name, Name: name, Type: typ, ResourceGroupID: g.ID,
			SubscriptionID: g.SubscriptionID, Location: g.Location, Owner: dept}
		m.Resources = append(m.Resources, x)
		return x
	}
	const (
		storage = "Microsoft.Storage/storageAccounts"
		sql     = "Microsoft.Sql/servers"
		kv      = "Microsoft.KeyVault/vaults"
		vm      = "Microsoft.Compute/virtualMachines"
	)
	plat := sub("Platform-Prod", platform)
	fin := sub("Finance-Prod", lz)
	sales := sub("Sales-Prod", lz)
	eng := sub("Engineering-Dev", lz)
	sbx := sub("Sandbox", sandbox)

	mon := rg(plat, "rg-monitoring", "eastus")
	res(mon, "Microsoft.OperationalInsights/workspaces", "law-sentinel-prod", "IT")
	net := rg(plat, "rg-network", "eastus")
	jump := res(net, vm, "vm-jump-01", "IT")
	res(net, vm, "vm-syslog-01", "IT")
	res(mon, kv, "kv-platform-prod", "IT")

	fdata := rg(fin, "rg-finance-data", "eastus")
	res(fdata, storage, "stfinancedata01", "Finance")
	res(fdata, sql, "sql-finance-prod", "Finance")
	res(fdata, kv, "kv-finance-prod", "Finance")
	fapps := rg(fin, "rg-finance-apps", "eastus")
	finVM := res(fapps, vm, "vm-fin-app-01", "Finance")

	crm := rg(sales, "rg-crm", "westeurope")
	res(crm, storage, "stcrmexports", "Sales")
	res(crm, sql, "sql-crm-prod", "Sales")
	res(crm, kv, "kv-sales-prod", "Sales")

	build := rg(eng, "rg-eng-build", "westus2")
	for i := 1; i <= 3; i++ {
		res(build, vm, fmt.Sprintf("vm-build-%02d", i), "Engineering")
	}
	res(build, storage, "stengartifacts", "Engineering")
	res(build, kv, "kv-eng-dev", "Engineering")
	res(rg(sbx, "rg-sandbox", "westus2"), storage, "stsandboxscratch", "Engineering")

	// service principals: applications and managed identities
	it := m.usersIn("IT")
	sp := func(name, kind string, owner *User, resource *Resource) *ServicePrincipal {
		s := &ServicePrincipal{ID: r.guid(), AppID: r.guid(), DisplayName: name, Kind: kind}
		if owner != nil {
			s.OwnerID = owner.ID
		}
		if resource != nil {
			s.ResourceID = resource.ID
		}
		m.ServicePrincipals = append(m.ServicePrincipals, s)
		return s
	}
	owner := func(i int) *User { return it[i%len(it)] }
	payroll := sp("Contoso Payroll Connector", "Application", owner(0), nil)
	backup := sp("Backup Automation", "Application", owner(1), nil)
	gha := sp("GitHub Actions Deploy", "Application", owner(0), nil)
	tf := sp("Terraform Deploy", "Application", owner(1), nil)
	sp("ServiceNow Integration", "Application", owner(2), nil)
	pipeline := sp("Data Pipeline Sync", "Application", owner(2), nil)
	miJump := sp("vm-jump-01", "ManagedIdentity", nil, jump)
	miFin := sp("vm-fin-app-01", "ManagedIdentity", nil, finVM)

	assign := func(role, principal, ptype, scope string) {
		m.RoleAssignments = append(m.RoleAssignments, &RoleAssignment{
			ID: "/providers/Microsoft.Authorization/roleAssignments/" + r.guid(), RoleName: role,
			RoleDefinitionID: roleDefs[role], PrincipalID: principal, PrincipalType: ptype, Scope: scope})
	}
	g := m.groupNamed
	assign("Owner", g("SG-IT-Admins").ID, "Group", top.ID)
	assign("Security Reader", g("SG-Security").ID, "Group", top.ID)
	assign("Reader", g("SG-Helpdesk").ID, "Group", plat.ID)
	assign("Reader", g("SG-Finance").ID, "Group", fin.ID)
	assign("Contributor", g("SG-Finance-Treasury").ID, "Group", fapps.ID)
	assign("Key Vault Secrets User", g("SG-Finance").ID, "Group", m.resource("kv-finance-prod").ID)
	assign("Storage Blob Data Reader", g("SG-Finance").ID, "Group", m.resource("stfinancedata01").ID)
	assign("Key Vault Secrets User", payroll.ID, "ServicePrincipal", m.resource("kv-finance-prod").ID)
	assign("Contributor", backup.ID, "ServicePrincipal", fdata.ID)
	assign("Key Vault Secrets User", miFin.ID, "ServicePrincipal", m.resource("kv-finance-prod").ID)
	assign("Reader", g("SG-Sales").ID, "Group", sales.ID)
	assign("Key Vault Secrets User", g("SG-Sales-Ops").ID, "Group", m.resource("kv-sales-prod").ID)
	assign("Storage Blob Data Reader", pipeline.ID, "ServicePrincipal", m.resource("stcrmexports").ID)
	assign("Contributor", g("SG-Engineering").ID, "Group", eng.ID)
	assign("Contributor", gha.ID, "ServicePrincipal", build.ID)
	assign("Owner", tf.ID, "ServicePrincipal", eng.ID)
	assign("Key Vault Secrets User", g("SG-Eng-Platform").ID, "Group", m.resource("kv-eng-dev").ID)
	assign("Virtual Machine Contributor", miJump.ID, "ServicePrincipal", net.ID)
	assign("Owner", g("SG-Engineering").ID, "Group", sbx.ID)
	// A forgotten grant from an old project: one marketer still holds
	// Contributor on the finance data resource group. Nobody in marketing
	// uses it, until the key vault story.
	if mk := m.usersIn("Marketing"); len(mk) > 0 {
		assign("Contributor", mk[r.IntN(len(mk))].ID, "User", fdata.ID)
	}
}

// fileNames per department, for documents on its site.
var fileNames = map[string][]string{
	"Finance":     {"Q%d Budget Forecast.xlsx", "Payroll %d.xlsx", "Vendor Bank Details %d.xlsx", "Board Financials Q%d.pptx", "Expense Audit %d.docx", "Card Reconciliation %d.xlsx"},
	"Sales":       {"Pipeline Review Q%d.xlsx", "Customer List %d.xlsx", "Pricing Proposal %d.docx", "Territory Plan %d.pptx"},
	"Marketing":   {"Campaign Brief %d.docx", "Brand Guidelines v%d.pdf", "Launch Plan %d.pptx", "Event Attendees %d.xlsx"},
	"Engineering": {"Design Doc %d.docx", "Architecture Review %d.pptx", "Incident Postmortem %d.docx", "Roadmap %d.xlsx"},
	"IT":          {"Network Diagram %d.vsdx", "Asset Inventory %d.xlsx", "Runbook %d.docx"},
	"HR":          {"Employee Records %d.xlsx", "Offer Letter %d.docx", "Compensation Review %d.xlsx", "Benefits Enrollment %d.xlsx"},
	"Legal":       {"Contract %d.docx", "NDA %d.pdf", "Litigation Hold %d.docx"},
	"Executive":   {"Strategy Offsite %d.pptx", "M&A Target %d.docx", "Board Minutes %d.docx"},
}

// sensitive content per department: which classifications its files carry.
var deptClassifications = map[string][]string{
	"Finance":   {"Credit Card Number", "International Banking Account Number (IBAN)", "U.S. Bank Account Number"},
	"HR":        {"U.S. Social Security Number (SSN)", "U.S. / U.K. Passport Number", "U.S. Individual Taxpayer Identification (ITIN)"},
	"Sales":     {"Email Address"},
	"Executive": {"International Banking Account Number (IBAN)"},
}

func buildData(m *Model, r *rnd) {
	host := "https://" + strings.TrimSuffix(m.Domain, ".com") + ".sharepoint.com"
	labelFor := func(dept string, classified bool) *Label {
		switch {
		case classified && (dept == "Finance" || dept == "Executive"):
			return pick(r, []*Label{m.label(`Highly Confidential\Finance`), m.label(`Highly Confidential\Specified People`)})
		case classified:
			return pick(r, []*Label{m.label(`Highly Confidential\All Employees`), m.label(`Confidential\Trusted People`)})
		case r.chance(0.5):
			return pick(r, []*Label{m.label(`Confidential\All Employees`), m.label("General")})
		case r.chance(0.3):
			return m.label("Public")
		}
		return m.label("General")
	}
	for _, d := range departments {
		site := &Site{ID: r.guid(), URL: host + "/sites/" + d.name, Title: d.name, Department: d.name}
		m.Sites = append(m.Sites, site)
		people := m.usersIn(d.name)
		n := 20 + r.IntN(30)
		for i := range n {
			name := fmt.Sprintf(pick(r, fileNames[d.name]), 1+i)
			var cls []string
			if sens := deptClassifications[d.name]; sens != nil && r.chance(0.5) {
				cls = []string{pick(r, sens)}
			}
			f := &File{ID: r.guid(), SiteID: site.ID, Name: name, URL: site.URL + "/Shared Documents/" + name,
				Classifications: cls, SizeBytes: int64(20_000 + r.IntN(4_000_000)), OwnerID: pick(r, people).ID}
			if r.chance(0.85) || cls != nil {
				f.LabelID = labelFor(d.name, cls != nil).ID
			}
			m.Files = append(m.Files, f)
		}
	}
	// Purview-scanned data assets in storage accounts and SQL servers.
	blob := func(res, container, name string, cls []string, label string) {
		x := m.resource(res)
		a := &Asset{Path: fmt.Sprintf("https://%s.blob.core.windows.net/%s/%s", res, container, name), Name: name, Type: "file",
			ResourceID: x.ID, SourceType: "azureblob", Classifications: cls, SizeBytes: int64(100_000 + r.IntN(50_000_000))}
		if label != "" {
			a.LabelID = m.label(label).ID
		}
		m.Assets = append(m.Assets, a)
	}
	table := func(res, db, name string, cls []string, label string) {
		x := m.resource(res)
		a := &Asset{Path: fmt.Sprintf("mssql://%s.database.windows.net/%s/dbo/%s", res, db, name), Name: name, Type: "table",
			ResourceID: x.ID, SourceType: "azuresqldatabase", Classifications: cls}
		if label != "" {
			a.LabelID = m.label(label).ID
		}
		m.Assets = append(m.Assets, a)
	}
	for i := 1; i <= 6; i++ {
		blob("stfinancedata01", "settlements", fmt.Sprintf("card-settlement-2026-%02d.csv", i), []string{"Credit Card Number"}, `Highly Confidential\Finance`)
		blob("stfinancedata01", "payments", fmt.Sprintf("sepa-batch-%03d.xml", i), []string{"International Banking Account Number (IBAN)"}, `Highly Confidential\Finance`)
	}
	table("sql-finance-prod", "finance", "Employees", []string{"U.S. Social Security Number (SSN)", "U.S. Bank Account Number"}, `Highly Confidential\All Employees`)
	table("sql-finance-prod", "finance", "Vendors", []string{"International Banking Account Number (IBAN)"}, `Confidential\Trusted People`)
	table("sql-finance-prod", "finance", "GeneralLedger", nil, "General")
	table("sql-crm-prod", "crm", "Contacts", []string{"Email Address"}, `Confidential\All Employees`)
	table("sql-crm-prod", "crm", "Opportunities", nil, "General")
	for i := 1; i <= 4; i++ {
		blob("stcrmexports", "exports", fmt.Sprintf("contacts-export-%d.csv", i), []string{"Email Address"}, `Confidential\All Employees`)
		blob("stengartifacts", "builds", fmt.Sprintf("release-%d.zip", i), nil, "")
	}
	for _, a := range m.Assets {
		x := m.resource(a.ResourceID[strings.LastIndex(a.ResourceID, "/")+1:])
		for _, c := range a.Classifications {
			if !slices.Contains(x.Classifications, c) {
				x.Classifications = append(x.Classifications, c)
			}
		}
	}
}
