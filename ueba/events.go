package ueba

import (
	"context"
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/workspace"
)

// Source is a log table BehaviorAnalytics draws activities from.
type Source uint8

const (
	SourceSignin Source = iota
	SourceAudit
	SourceOffice
	SourceCloudApp
	SourceAzure
	nSources
)

var sourceTables = [nSources]string{"SigninLogs", "AuditLogs", "OfficeActivity", "CloudAppEvents", "AzureActivity"}

// sourceInfo gives the EventSource and EventVendor Sentinel writes.
var sourceEvent = [nSources]string{"Azure AD", "Azure AD", "Office 365", "Defender for Cloud Apps", "Azure"}

func (s Source) String() string { return sourceTables[s] }

// Activity is one activity of an account, normalised from any source
// table. Empty strings are unknown values.
type Activity struct {
	Time     int64 // ticks
	Source   Source
	RecordID string // the source row's id column
	TenantID string

	Account     string // object id, or lower-case UPN when the id is unknown
	UPN         string
	DisplayName string
	Target      string // target user or object name
	TargetUPN   string

	ActionType, ActivityType string
	Failed                   bool

	IP, Country, City, ISP string
	Device, OS, Browser    string
	UserAgent              string
	App, Resource          string
}

// ipInfo is where an address is, as sign-ins located it.
type ipInfo struct{ country, city, isp string }

// accountResolver maps what logs call an account to the directory's
// object id, UPN and display name.
type accountResolver struct {
	byID, byUPN map[string]*accountRef
}

type accountRef struct{ id, upn, name string }

func newResolver(d *Directory) *accountResolver {
	r := &accountResolver{byID: map[string]*accountRef{}, byUPN: map[string]*accountRef{}}
	for _, u := range d.Users {
		a := &accountRef{id: u.ID, upn: u.UPN, name: u.DisplayName}
		r.byID[strings.ToLower(u.ID)] = a
		if u.UPN != "" {
			r.byUPN[strings.ToLower(u.UPN)] = a
		}
	}
	for _, sp := range d.ServicePrincipals {
		r.byID[strings.ToLower(sp.ID)] = &accountRef{id: sp.ID, name: sp.DisplayName}
	}
	return r
}

// resolve fills Account, UPN and DisplayName from whatever is known.
func (r *accountResolver) resolve(a *Activity, id, upn, name string) {
	var ref *accountRef
	if id != "" {
		ref = r.byID[strings.ToLower(id)]
	}
	if ref == nil && upn != "" {
		ref = r.byUPN[strings.ToLower(upn)]
	}
	if ref != nil {
		a.Account, a.UPN, a.DisplayName = ref.id, ref.upn, ref.name
		if a.UPN == "" {
			a.UPN = upn
		}
		return
	}
	a.Account, a.UPN, a.DisplayName = id, upn, name
	if a.Account == "" {
		a.Account = strings.ToLower(upn)
	}
}

// readActivities turns the workspace's sign-in, audit, Office, cloud app
// and Azure activity logs from since (ticks) on into activities sorted by
// time; before counts each source's activities earlier than since.
func readActivities(ctx context.Context, ws *workspace.Workspace, dir *Directory, since int64) (out []Activity, before [nSources]int, err error) {
	res := newResolver(dir)
	for s := range nSources {
		t, err := loadOptional(ctx, ws, sourceTables[s])
		if err != nil {
			return nil, before, err
		}
		if t == nil {
			continue
		}
		switch s {
		case SourceSignin:
			out, before[s] = appendSignins(out, t, res, since)
		case SourceAudit:
			out, before[s] = appendAudits(out, t, res, since)
		case SourceOffice:
			out, before[s] = appendOffice(out, t, res, since)
		case SourceCloudApp:
			out, before[s] = appendCloudApp(out, t, res, since)
		case SourceAzure:
			out, before[s] = appendAzure(out, t, res, since)
		}
		if err := ctx.Err(); err != nil {
			return nil, before, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time < out[j].Time })
	return out, before, nil
}

// borrowLocations gives activities without a location (audit and Office
// logs) the country, city and ISP of the latest sign-in from their
// address, as of the activity (sign-ins of the same instant first): what
// a streaming build knows then, so building day by day and at once agree.
func borrowLocations(acts []Activity, ips map[string]ipInfo) {
	for i := range acts {
		a := &acts[i]
		if a.IP == "" {
			continue
		}
		if a.Source == SourceSignin && a.Country != "" {
			ips[a.IP] = ipInfo{a.Country, a.City, a.ISP}
		} else if a.Country == "" {
			if l, ok := ips[a.IP]; ok {
				a.Country, a.City = l.country, l.city
				if a.ISP == "" {
					a.ISP = l.isp
				}
			}
		}
	}
}

func appendSignins(out []Activity, t *table.Table, res *accountResolver, since int64) ([]Activity, int) {
	c := columnsOf(t)
	at, id, tenant := c.ticks("TimeGenerated"), c.str("Id"), c.str("TenantId")
	uid, upn, name := c.str("UserId"), c.str("UserPrincipalName"), c.str("UserDisplayName")
	ip, loc, locd, asn := c.str("IPAddress"), c.str("Location"), c.dyn("LocationDetails"), c.str("AutonomousSystemNumber")
	dev, ua, app, resource, result := c.dyn("DeviceDetail"), c.str("UserAgent"), c.str("AppDisplayName"), c.str("ResourceDisplayName"), c.str("ResultType")
	before := 0
	for i := range t.Rows() {
		if at(i) < since {
			before++
			continue
		}
		a := Activity{Time: at(i), Source: SourceSignin, RecordID: id(i), TenantID: tenant(i),
			ActionType: "Sign-in", ActivityType: "LogOn", IP: ip(i), Country: loc(i), UserAgent: ua(i),
			App: app(i), Resource: resource(i)}
		res.resolve(&a, uid(i), upn(i), name(i))
		l := locd(i)
		if a.Country == "" {
			a.Country = dstr(l, "countryOrRegion")
		}
		a.City = dstr(l, "city")
		if n := asn(i); n != "" && n != "0" {
			a.ISP = "AS" + n
		}
		d := dev(i)
		a.OS, a.Browser = dstr(d, "operatingSystem"), browserFamily(dstr(d, "browser"))
		a.Device = dstr(d, "displayName")
		if a.Device == "" {
			a.Device = dstr(d, "deviceId")
		}
		if a.Device == "" {
			a.Device = "unregistered " + a.OS
		}
		if a.Browser == "" {
			a.Browser = uaBrowser(a.UserAgent)
		}
		r := result(i)
		a.Failed = r != "" && r != "0"
		out = append(out, a)
	}
	return out, before
}

func appendAudits(out []Activity, t *table.Table, res *accountResolver, since int64) ([]Activity, int) {
	c := columnsOf(t)
	at, id, tenant, op, cat := c.ticks("TimeGenerated"), c.str("Id"), c.str("TenantId"), c.str("OperationName"), c.str("Category")
	by, targets, result, service := c.dyn("InitiatedBy"), c.dyn("TargetResources"), c.str("Result"), c.str("LoggedByService")
	before := 0
	for i := range t.Rows() {
		if at(i) < since {
			before++
			continue
		}
		a := Activity{Time: at(i), Source: SourceAudit, RecordID: id(i), TenantID: tenant(i), ActionType: op(i),
			ActivityType: cat(i), App: service(i)}
		b := by(i)
		if u := dget(b, "user"); u != nil {
			res.resolve(&a, dstr(u, "id"), dstr(u, "userPrincipalName"), dstr(u, "displayName"))
			a.IP = dstr(u, "ipAddress")
		} else if app := dget(b, "app"); app != nil {
			res.resolve(&a, dstr(app, "servicePrincipalId"), "", dstr(app, "displayName"))
		}
		if tl, _ := targets(i).([]any); len(tl) > 0 {
			a.Target, a.TargetUPN = dstr(tl[0], "displayName"), dstr(tl[0], "userPrincipalName")
			a.Resource = dstr(tl[0], "type")
		}
		a.Failed = result(i) != "" && result(i) != "success"
		out = append(out, a)
	}
	return out, before
}

func appendOffice(out []Activity, t *table.Table, res *accountResolver, since int64) ([]Activity, int) {
	c := columnsOf(t)
	at, id, tenant, op, rec := c.ticks("TimeGenerated"), c.str("OfficeId"), c.str("TenantId"), c.str("Operation"), c.str("RecordType")
	user, ip, ua, workload, site, file, status := c.str("UserId"), c.str("ClientIP"), c.str("UserAgent"), c.str("OfficeWorkload"), c.str("Site_Url"), c.str("SourceFileName"), c.str("ResultStatus")
	before := 0
	for i := range t.Rows() {
		if at(i) < since {
			before++
			continue
		}
		a := Activity{Time: at(i), Source: SourceOffice, RecordID: id(i), TenantID: tenant(i), ActionType: op(i),
			ActivityType: rec(i), IP: ip(i), UserAgent: ua(i), App: workload(i), Resource: strings.TrimSuffix(site(i), "/"), Target: file(i)}
		res.resolve(&a, "", user(i), "")
		a.Browser = uaBrowser(a.UserAgent)
		a.Failed = strings.EqualFold(status(i), "false") || strings.EqualFold(status(i), "failed")
		out = append(out, a)
	}
	return out, before
}

func appendCloudApp(out []Activity, t *table.Table, res *accountResolver, since int64) ([]Activity, int) {
	c := columnsOf(t)
	at, id, tenant, action, kind := c.ticks("TimeGenerated"), c.str("ReportId"), c.str("TenantId"), c.str("ActionType"), c.str("ActivityType")
	oid, name, raw, ip, country, city, isp := c.str("AccountObjectId"), c.str("AccountDisplayName"), c.dyn("RawEventData"), c.str("IPAddress"), c.str("CountryCode"), c.str("City"), c.str("ISP")
	ua, os, app, obj := c.str("UserAgent"), c.str("OSPlatform"), c.str("Application"), c.str("ObjectName")
	before := 0
	for i := range t.Rows() {
		if at(i) < since {
			before++
			continue
		}
		a := Activity{Time: at(i), Source: SourceCloudApp, RecordID: id(i), TenantID: tenant(i), ActionType: action(i),
			ActivityType: kind(i), IP: ip(i), Country: country(i), City: city(i), ISP: isp(i), UserAgent: ua(i), OS: os(i),
			App: app(i), Target: obj(i)}
		res.resolve(&a, oid(i), dstr(raw(i), "UserId"), name(i))
		a.Browser = uaBrowser(a.UserAgent)
		a.Resource = siteOf(a.Target)
		out = append(out, a)
	}
	return out, before
}

func appendAzure(out []Activity, t *table.Table, res *accountResolver, since int64) ([]Activity, int) {
	c := columnsOf(t)
	at, id, tenant, op, cat, status := c.ticks("TimeGenerated"), c.str("EventDataId"), c.str("TenantId"), c.str("OperationNameValue"), c.str("CategoryValue"), c.str("ActivityStatusValue")
	caller, ip, resource, provider, claims := c.str("Caller"), c.str("CallerIpAddress"), c.str("ResourceId"), c.str("ResourceProviderValue"), c.dyn("Claims_d")
	before := 0
	for i := range t.Rows() {
		st := status(i)
		if st == "Start" || st == "Started" || st == "Accept" || st == "Accepted" {
			continue // each operation counts once, by its outcome
		}
		if at(i) < since {
			before++
			continue
		}
		a := Activity{Time: at(i), Source: SourceAzure, RecordID: id(i), TenantID: tenant(i), ActionType: strings.ToUpper(op(i)),
			ActivityType: cat(i), IP: ip(i), App: strings.ToUpper(provider(i)), Resource: armResource(resource(i)), Target: resource(i)}
		who := caller(i)
		if strings.Contains(who, "@") {
			res.resolve(&a, dstr(claims(i), "http://schemas.microsoft.com/identity/claims/objectidentifier"), who, dstr(claims(i), "name"))
		} else {
			res.resolve(&a, who, "", "")
		}
		a.Failed = st == "Failure" || st == "Failed"
		out = append(out, a)
	}
	return out, before
}

// armResource cuts an ARM id to the top-level resource it names: sub
// resources (secrets, access policies, role assignments) count as their
// parent resource, the way access is granted.
func armResource(id string) string {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "providers") && i+3 < len(parts) && !strings.EqualFold(parts[i+1], "Microsoft.Authorization") {
			// providers/Namespace/type/name
			return strings.ToLower(strings.Join(parts[:i+4], "/"))
		}
		if strings.EqualFold(parts[i], "providers") {
			return strings.ToLower(strings.Join(parts[:i], "/"))
		}
	}
	return strings.ToLower(id)
}

// siteOf cuts a SharePoint document URL to its site.
func siteOf(u string) string {
	if i := strings.Index(u, "/sites/"); i >= 0 {
		rest := u[i+7:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return u[:i+7+j]
		}
		return u
	}
	return ""
}

// browserFamily cuts "Chrome 119.0.0" to "Chrome 119".
func browserFamily(b string) string {
	sp := strings.LastIndexByte(b, ' ')
	if sp < 0 {
		return b
	}
	v := b[sp+1:]
	if dot := strings.IndexByte(v, '.'); dot >= 0 {
		v = v[:dot]
	}
	return b[:sp] + " " + v
}

// uaBrowser names the browser family and major version of a user agent.
func uaBrowser(ua string) string {
	if ua == "" {
		return ""
	}
	ver := func(tok string) string {
		i := strings.Index(ua, tok)
		if i < 0 {
			return ""
		}
		v := ua[i+len(tok):]
		end := strings.IndexAny(v, ". ;)")
		if end >= 0 {
			v = v[:end]
		}
		return v
	}
	switch {
	case strings.Contains(ua, "Edg/"):
		return "Edge " + ver("Edg/")
	case strings.Contains(ua, "Firefox/"):
		return "Firefox " + ver("Firefox/")
	case strings.Contains(ua, "Chrome/") && strings.Contains(ua, "Mobile"):
		return "Chrome Mobile " + ver("Chrome/")
	case strings.Contains(ua, "Chrome/"):
		return "Chrome " + ver("Chrome/")
	case strings.Contains(ua, "Safari/") && strings.Contains(ua, "Mobile"):
		return "Mobile Safari " + ver("Version/")
	case strings.Contains(ua, "Safari/"):
		return "Safari " + ver("Version/")
	}
	name := ua
	if i := strings.IndexAny(name, "/ "); i > 0 {
		name = name[:i]
	}
	return name
}
