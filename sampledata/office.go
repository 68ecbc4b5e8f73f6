package sampledata

import (
	"path"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/types"
)

// fileOp is a SharePoint file operation in OfficeActivity.
func (g *gen) emitFileOp(r *rnd, u *User, t int64, op string, f *File, ip, ua string) string {
	row := g.e.row("OfficeActivity")
	id := r.guid()
	site := g.siteOf(f)
	row.time("TimeGenerated", t).str("OfficeId", id).str("SourceRecordId", id)
	row.str("RecordType", "SharePointFileOperation").str("OfficeWorkload", "SharePoint").str("Operation", op)
	row.str("OrganizationId", g.m.TenantID).str("OfficeTenantId", g.m.TenantID).str("UserType", "Regular")
	row.str("UserId", u.UPN).str("UserKey", "i:0h.f|membership|"+u.ID+"@live.com").str("ClientIP", ip).str("UserAgent", ua)
	row.str("EventSource", "SharePoint").str("ItemType", "File").str("Site_", site.ID).str("Site_Url", site.URL+"/")
	row.str("SourceRelativeUrl", "Shared Documents").str("SourceFileName", f.Name)
	row.str("SourceFileExtension", strings.TrimPrefix(path.Ext(f.Name), ".")).str("OfficeObjectId", f.URL)
	g.e.emit(row)
	return id
}

func (g *gen) siteOf(f *File) *Site {
	for _, s := range g.m.Sites {
		if s.ID == f.SiteID {
			return s
		}
	}
	panic("sampledata: file without site: " + f.Name)
}

// emitInboxRule writes an Exchange New-InboxRule/Set-InboxRule record;
// params are name, value pairs as the cmdlet received them.
func (g *gen) emitInboxRule(r *rnd, u *User, t int64, op, ip string, params ...string) string {
	row := g.e.row("OfficeActivity")
	id := r.guid()
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i+1 < len(params); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"Name":` + jsonString(params[i]) + `,"Value":` + jsonString(params[i+1]) + `}`)
	}
	b.WriteByte(']')
	row.time("TimeGenerated", t).str("OfficeId", id).str("SourceRecordId", id)
	row.str("RecordType", "ExchangeAdmin").str("OfficeWorkload", "Exchange").str("Operation", op)
	row.str("OrganizationId", g.m.TenantID).str("OfficeTenantId", g.m.TenantID).str("UserType", "Regular")
	row.str("UserId", u.UPN).str("UserKey", u.ID).str("ClientIP", ip).str("ResultStatus", "True")
	row.str("OrganizationName", g.m.Domain).str("OriginatingServer", "BN8PR12MB"+itoa(1000+r.IntN(9000))+" (15.20.8207.017)")
	row.str("ExternalAccess", "false").str("Parameters", b.String()).str("MailboxOwnerUPN", u.UPN)
	g.e.emit(row)
	return id
}

func jsonString(s string) string { return types.DynamicJSON(s) }

// officeActivity writes everyday SharePoint use (mostly the user's own
// department site) and the odd benign inbox rule.
func (g *gen) officeActivity() {
	r := newRnd(g.cfg.Seed, "office")
	bySite := g.filesBySite()
	for _, u := range g.m.Users {
		own := bySite[u.Department]
		for day := localMidnight(g.start, u.Office.TZMinutes); day < g.end; day += types.Day {
			wd := weekday(day+12*types.Hour, u.Office.TZMinutes)
			if wd == time.Saturday || wd == time.Sunday {
				continue
			}
			for range r.poisson(4 * g.cfg.Scale) {
				t := day + int64(u.WorkStart)*types.Hour + r.Int64N(int64(u.WorkEnd-u.WorkStart)*types.Hour)
				if t < g.start || t >= g.end {
					continue
				}
				files := own
				if r.chance(0.1) {
					files = bySite[pick(r, departments).name]
				}
				op := "FileAccessed"
				switch x := r.Float64(); {
				case x < 0.15:
					op = "FileModified"
				case x < 0.25:
					op = "FileDownloaded"
				case x < 0.3:
					op = "FileUploaded"
				}
				ip := u.OfficeIP
				if r.chance(0.35) {
					ip = u.HomeIP
				}
				g.emitFileOp(r, u, t, op, pick(r, files), ip, u.Devices[0].UserAgent)
			}
			if r.chance(0.004) {
				t := day + int64(u.WorkStart+1)*types.Hour + r.Int64N(types.Hour)
				if t >= g.start && t < g.end {
					g.emitInboxRule(r, u, t, "New-InboxRule", u.OfficeIP, "Name", "Newsletters", "From", "news@"+pick(r, []string{"techdigest.io", "industryweekly.com", "events.example.org"}),
						"MoveToFolder", "Newsletters", "StopProcessingRules", "False")
				}
			}
		}
	}
}

func (g *gen) filesBySite() map[string][]*File {
	out := map[string][]*File{}
	for _, s := range g.m.Sites {
		for _, f := range g.m.Files {
			if f.SiteID == s.ID {
				out[s.Department] = append(out[s.Department], f)
			}
		}
	}
	return out
}

// Microsoft Information Protection label event types (LabelEventType).
const (
	labelUpgraded   = 1
	labelDowngraded = 2
	labelRemoved    = 3
	labelSameOrder  = 4
)

// labelEvent is a sensitivity label change on a document in CloudAppEvents.
type labelEvent struct {
	u             *User
	t             int64
	action        string // SensitivityLabelApplied, SensitivityLabelUpdated, SensitivityLabelRemoved
	f             *File
	old, new      *Label
	justification string
	ip            string
}

// Application ids Defender for Cloud Apps gives Microsoft 365 services.
const (
	appIDMicrosoft365 = 11161
	appIDSharePoint   = 20892
)

func (g *gen) emitLabelEvent(r *rnd, ev labelEvent) string {
	row := g.e.row("CloudAppEvents")
	id := r.guid()
	g.cloudAppCommon(row, ev.u, ev.t, ev.ip)
	activity := map[string]string{"SensitivityLabeledFileOpened": "Read", "SensitivityLabeledFileRenamed": "Rename"}[ev.action]
	if activity == "" {
		activity = "Edit"
	}
	row.str("ReportId", id).str("ActionType", ev.action).str("ActivityType", activity)
	row.str("Application", "Microsoft 365").long("ApplicationId", appIDMicrosoft365).long("AppInstanceId", 0)
	row.str("ObjectName", ev.f.URL).str("ObjectType", "File").str("ObjectId", ev.f.ID)
	eventType := int64(0)
	switch {
	case ev.new == nil:
		eventType = labelRemoved
	case ev.old == nil: // a first label, or a labelled file opened or renamed
		eventType = 0
	case ev.new.Order > ev.old.Order:
		eventType = labelUpgraded
	case ev.new.Order < ev.old.Order:
		eventType = labelDowngraded
	default:
		eventType = labelSameOrder
	}
	data := bag("ActionSource", int64(3), "ActionSourceDetail", int64(0), "LabelEventType", eventType)
	if ev.new != nil {
		data.Set("SensitivityLabelId", ev.new.ID)
	}
	if ev.old != nil {
		data.Set("OldSensitivityLabelId", ev.old.ID)
	}
	if ev.justification != "" {
		data.Set("JustificationText", ev.justification)
	}
	data.Set("SensitivityLabelOwnerEmail", ev.u.UPN)
	ext := strings.TrimPrefix(path.Ext(ev.f.Name), ".")
	appName := map[string]string{"xlsx": "Microsoft Excel", "docx": "Microsoft Word", "pptx": "Microsoft PowerPoint"}[ext]
	if appName == "" {
		appName = "Microsoft Word"
	}
	raw := bag("CreationTime", types.FormatDateTime(ev.t), "Id", id, "Operation", ev.action, "OrganizationId", g.m.TenantID,
		"RecordType", int64(83), "UserKey", ev.u.ID, "UserType", int64(0), "Workload", "Microsoft Information Protection",
		"ObjectId", ev.f.URL, "UserId", ev.u.UPN, "ClientIP", ev.ip, "Application", appName, "Platform", int64(1),
		"ItemName", ev.f.Name, "SensitivityLabelEventData", data)
	row.dyn("RawEventData", raw)
	row.dyn("ActivityObjects", []any{bag("Type", "File", "Role", "Target object", "Name", ev.f.Name, "Id", ev.f.URL)})
	g.e.emit(row)
	return id
}

// cloudAppCommon fills the account, network and time columns.
func (g *gen) cloudAppCommon(row *row, u *User, t int64, ip string) {
	row.time("TimeGenerated", t).time("Timestamp", t)
	row.str("AccountId", u.ID).str("AccountObjectId", u.ID).str("AccountDisplayName", u.DisplayName).str("AccountType", "Regular")
	px := g.proxies[ip]
	row.str("IPAddress", ip).boolean("IsAnonymousProxy", px != nil).boolean("IsExternalUser", false)
	row.boolean("IsImpersonated", false).boolean("IsAdminOperation", false)
	row.str("DeviceType", "Desktop").str("OSPlatform", u.Devices[0].OS).str("UserAgent", u.Devices[0].UserAgent)
	place, isp := u.Office, u.OfficeISP
	switch {
	case px != nil:
		place, isp = px.place, px.isp
	case ip == u.HomeIP:
		isp = u.HomeISP
	}
	row.str("City", place.City).str("CountryCode", place.CountryCode).str("ISP", isp.Name)
	row.str("AuditSource", "Defender for Cloud Apps access control")
}

// cloudAppEvents writes everyday labelling: labelled files opened and
// renamed, new documents labelled, labels going up, and now and then one
// going down with a justification.
func (g *gen) cloudAppEvents() {
	r := newRnd(g.cfg.Seed, "cloudapp")
	// files with sensitive content are left alone: their labels come from
	// Purview policy, and the insider story needs their labels known
	bySite := map[string][]*File{}
	for dept, files := range g.filesBySite() {
		for _, f := range files {
			if f.Classifications == nil {
				bySite[dept] = append(bySite[dept], f)
			}
		}
	}
	labels := map[string]*Label{}
	for _, l := range g.m.Labels {
		labels[l.ID] = l
	}
	current := map[string]*Label{} // label per file as the window goes on
	for _, f := range g.m.Files {
		current[f.ID] = labels[f.LabelID]
	}
	justifications := []string{"Previous label no longer applies", "Previous label was incorrect", "Sharing with partner under NDA"}
	for day := g.start; day < g.end; day += types.Day {
		for _, u := range g.m.Users {
			wd := weekday(day+12*types.Hour, u.Office.TZMinutes)
			if wd == time.Saturday || wd == time.Sunday {
				continue
			}
			files := bySite[u.Department]
			if len(files) == 0 {
				continue
			}
			for range r.poisson(0.3 * g.cfg.Scale) {
				f := pick(r, files)
				t := localMidnight(day, u.Office.TZMinutes) + int64(u.WorkStart)*types.Hour + r.Int64N(int64(u.WorkEnd-u.WorkStart)*types.Hour)
				if t < g.start || t >= g.end {
					continue
				}
				old := current[f.ID]
				ev := labelEvent{u: u, t: t, f: f, old: old, ip: u.OfficeIP}
				if old != nil && r.chance(0.3) { // opening or renaming a labelled file keeps its label
					ev.action, ev.new, ev.old = "SensitivityLabeledFileOpened", old, nil
					if r.chance(0.2) {
						ev.action = "SensitivityLabeledFileRenamed"
					}
					g.emitLabelEvent(r, ev)
					continue
				}
				switch {
				case old == nil:
					ev.action, ev.new = "SensitivityLabelApplied", pick(r, g.m.Labels[1:6])
				case old.Order < len(g.m.Labels)-1 && r.chance(0.8):
					ev.action, ev.new = "SensitivityLabelUpdated", g.m.Labels[old.Order+1+r.IntN(min(2, len(g.m.Labels)-1-old.Order))]
				case old.Order > 2:
					ev.action, ev.new = "SensitivityLabelUpdated", g.m.Labels[old.Order-1]
					ev.justification = pick(r, justifications)
				default:
					continue
				}
				current[f.ID] = ev.new
				g.emitLabelEvent(r, ev)
			}
		}
	}
}
