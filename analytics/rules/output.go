package rules

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

// rowBuilder fills a row of a schema by column name.
type rowBuilder struct {
	s    types.Schema
	vals []types.Value
}

func newRow(s types.Schema) *rowBuilder {
	b := &rowBuilder{s: s, vals: make([]types.Value, len(s))}
	for i, c := range s {
		b.vals[i] = types.NullOf(c.Type)
	}
	return b
}

func (b *rowBuilder) set(col string, v types.Value) *rowBuilder {
	i := b.s.Index(col)
	if i < 0 {
		return b
	}
	want := b.s[i].Type
	if v.IsNull() {
		b.vals[i] = types.NullOf(want)
		return b
	}
	switch {
	case v.Type == want:
	case want == types.String || want == types.GUID:
		v = types.Value{Type: want, Valid: true, S: v.String()}
	case want == types.Dynamic:
		v = types.NewDynamic(payload(v))
	case table.Storage(want) == table.Storage(v.Type):
		v.Type = want
	default:
		return b
	}
	b.vals[i] = v
	return b
}

func (b *rowBuilder) str(col, s string) *rowBuilder { return b.set(col, types.NewString(s)) }
func (b *rowBuilder) time(col string, t time.Time) *rowBuilder {
	return b.set(col, types.FromTime(t))
}

func schemaOf(name string) types.Schema {
	s, ok := schemas.Lookup(name)
	if !ok {
		panic("rules: no built-in schema for " + name)
	}
	return s
}

// Tables returns the report's SecurityAlert and SecurityIncident rows with
// the columns of the built-in schemas. An incident has one row per
// version: created, then once for every alert grouped into it.
func (rep *Report) Tables() (alerts, incidents *table.Table) {
	as := schemaOf("SecurityAlert")
	alerts = table.New("SecurityAlert", as)
	for _, a := range rep.Alerts {
		alerts.AppendRow(rep.alertRow(as, a))
	}
	is := schemaOf("SecurityIncident")
	incidents = table.New("SecurityIncident", is)
	type version struct {
		inc *Incident
		n   int
	}
	var vs []version
	for _, inc := range rep.Incidents {
		for n := range inc.versions {
			vs = append(vs, version{inc, n})
		}
	}
	slices.SortStableFunc(vs, func(a, b version) int { return a.inc.versions[a.n].Compare(b.inc.versions[b.n]) })
	for _, v := range vs {
		incidents.AppendRow(rep.incidentRow(is, v.inc, v.n))
	}
	return alerts, incidents
}

var triggerNames = map[string]string{"gt": "GreaterThan", "lt": "LessThan", "eq": "Equal", "ne": "NotEqual"}

func (rep *Report) alertRow(s types.Schema, a *Alert) []types.Value {
	r := a.Rule
	b := newRow(s)
	provider, component := "ASI Scheduled Alerts", "Scheduled Alerts"
	if r.Kind == "NRT" {
		provider, component = "ASI NRT Alerts", "NRT Alerts"
	}
	b.time("TimeGenerated", a.RunTime).time("StartTime", a.StartTime).time("EndTime", a.EndTime).time("ProcessingEndTime", a.RunTime)
	b.str("SystemAlertId", a.ID).str("DisplayName", a.DisplayName).str("AlertName", a.DisplayName)
	b.str("AlertSeverity", a.Severity).str("Description", a.Description)
	b.str("ProviderName", provider).str("ProductName", "Azure Sentinel").str("ProductComponentName", component).str("VendorName", "Microsoft")
	b.str("AlertType", rep.WorkspaceID+"_"+r.ID).str("Status", "New").set("IsIncident", types.NewBool(false))
	b.str("ConfidenceLevel", "Unknown")
	b.str("Tactics", strings.Join(a.Tactics, ", "))
	techs := make([]any, 0, len(a.Techniques))
	for _, t := range a.Techniques {
		techs = append(techs, t)
	}
	b.str("Techniques", types.DynamicJSON(techs))
	b.str("Entities", entitiesJSON(a.Entities))
	for _, e := range a.Entities {
		if e.Type == "Account" {
			name := e.Get("Name")
			if sfx := e.Get("UPNSuffix"); sfx != "" && name != "" {
				name += "@" + sfx
			}
			if name == "" {
				name = e.Get("AadUserId")
			}
			b.str("CompromisedEntity", name)
			break
		}
	}
	b.str("TenantId", rep.WorkspaceID).str("Type", "SecurityAlert")
	b.str("ExtendedProperties", extendedProperties(a))
	for p, v := range a.Properties {
		switch p {
		case "ConfidenceScore":
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				b.set("ConfidenceScore", types.NewReal(f))
			}
		case "AlertLink", "ConfidenceLevel", "ExtendedLinks", "ProductComponentName", "ProductName", "ProviderName",
			"RemediationSteps", "Techniques", "SubTechniques":
			b.str(p, v)
		}
	}
	return b.vals
}

// extendedProperties is the ExtendedProperties JSON Sentinel writes for a
// scheduled alert: the query and its window, the trigger, the rule and the
// custom details (each a list of values).
func extendedProperties(a *Alert) string {
	r := a.Rule
	p := types.NewBag()
	p.Set("Query", r.Query)
	p.Set("Query Period", timespan(r.QueryPeriod))
	p.Set("Trigger Operator", triggerNames[r.TriggerOperator])
	p.Set("Trigger Threshold", strconv.Itoa(r.TriggerThreshold))
	p.Set("Search Query Results Overall Count", strconv.Itoa(a.ResultCount))
	var dts []any
	for _, dc := range r.RequiredDataConnectors {
		for _, t := range dc.DataTypes {
			dts = append(dts, t)
		}
	}
	if dts != nil {
		p.Set("Data Sources", types.DynamicJSON(dts))
	}
	p.Set("Query Start Time UTC", a.RunTime.Add(-r.QueryPeriod).Format("2006-01-02 15:04:05Z"))
	p.Set("Query End Time UTC", a.RunTime.Format("2006-01-02 15:04:05Z"))
	p.Set("Analytic Rule Ids", types.DynamicJSON([]any{r.ID}))
	p.Set("Analytic Rule Name", r.Name)
	p.Set("Event Grouping", r.AggregationKind)
	p.Set("Alert generation status", "Full alert created")
	p.Set("ProcessedBySentinel", "True")
	if len(a.Custom) > 0 {
		cd := types.NewBag()
		for _, cv := range a.Custom {
			cd.Set(cv.Key, cv.Values)
		}
		p.Set("Custom Details", types.DynamicJSON(cd))
	}
	return types.DynamicJSON(p)
}

func (rep *Report) incidentRow(s types.Schema, inc *Incident, version int) []types.Value {
	b := newRow(s)
	at := inc.versions[version]
	alerts := inc.Alerts[:version+1]
	ids, tacs, techs := []any{}, []any{}, []any{}
	sev := ""
	first, last := alerts[0].StartTime, alerts[0].EndTime
	for _, a := range alerts {
		ids = append(ids, a.ID)
		for _, t := range a.Tactics {
			if !slices.Contains(tacs, any(t)) {
				tacs = append(tacs, t)
			}
		}
		for _, t := range a.Techniques {
			if !slices.Contains(techs, any(t)) {
				techs = append(techs, t)
			}
		}
		if sev == "" || severityRank[a.Severity] > severityRank[sev] {
			sev = a.Severity
		}
		if a.StartTime.Before(first) {
			first = a.StartTime
		}
		if a.EndTime.After(last) {
			last = a.EndTime
		}
	}
	b.time("TimeGenerated", at).time("CreatedTime", inc.Created).time("FirstModifiedTime", inc.Created).time("LastModifiedTime", at)
	b.time("FirstActivityTime", first).time("LastActivityTime", last)
	b.str("IncidentName", inc.Name).set("IncidentNumber", types.NewInt(int64(inc.Number)))
	b.str("ProviderIncidentId", strconv.Itoa(inc.Number)).str("ProviderName", "Azure Sentinel")
	b.str("Title", inc.Title).str("Description", inc.Description).str("Severity", sev).str("Status", "New")
	if version > 0 && inc.Status == "Active" {
		b.str("Status", "Active")
	}
	b.str("ModifiedBy", "Microsoft Sentinel").str("SourceSystem", "Azure").str("TenantId", rep.WorkspaceID).str("Type", "SecurityIncident")
	b.set("AlertIds", types.NewDynamic(ids)).set("BookmarkIds", types.NewDynamic([]any{})).set("Comments", types.NewDynamic([]any{}))
	b.set("Tasks", types.NewDynamic([]any{})).set("Labels", types.NewDynamic([]any{}))
	b.set("RelatedAnalyticRuleIds", types.NewDynamic([]any{inc.Rule.ID}))
	owner := types.NewBag()
	for _, k := range []string{"objectId", "email", "assignedTo", "userPrincipalName"} {
		owner.Set(k, nil)
	}
	b.set("Owner", types.NewDynamic(owner))
	add := types.NewBag()
	add.Set("alertsCount", int64(len(alerts)))
	add.Set("bookmarksCount", int64(0))
	add.Set("commentsCount", int64(0))
	add.Set("alertProductNames", []any{"Azure Sentinel"})
	add.Set("tactics", tacs)
	add.Set("techniques", techs)
	b.set("AdditionalData", types.NewDynamic(add))
	return b.vals
}

// Summary is one row per alert: when, which rule, what it found and the
// incident it went to.
func (rep *Report) Summary() *table.Table {
	t := table.New("RuleAlerts", types.Schema{
		{Name: "TimeGenerated", Type: types.DateTime}, {Name: "Rule", Type: types.String},
		{Name: "AlertName", Type: types.String}, {Name: "Severity", Type: types.String},
		{Name: "StartTime", Type: types.DateTime}, {Name: "EndTime", Type: types.DateTime},
		{Name: "Rows", Type: types.Long}, {Name: "Entities", Type: types.String},
		{Name: "IncidentNumber", Type: types.Long}, {Name: "SystemAlertId", Type: types.String},
	})
	for _, a := range rep.Alerts {
		inc := types.NullOf(types.Long)
		if a.Incident != nil {
			inc = types.NewLong(int64(a.Incident.Number))
		}
		t.AppendRow([]types.Value{types.FromTime(a.RunTime), types.NewString(a.Rule.Name), types.NewString(a.DisplayName),
			types.NewString(a.Severity), types.FromTime(a.StartTime), types.FromTime(a.EndTime), types.NewLong(int64(a.Rows)),
			types.NewString(describeEntities(a.Entities)), inc, types.NewString(a.ID)})
	}
	return t
}

// RuleSummary is one row per rule: runs, triggers, alerts and incidents.
func (rep *Report) RuleSummary() *table.Table {
	t := table.New("RuleRuns", types.Schema{
		{Name: "Rule", Type: types.String}, {Name: "Kind", Type: types.String}, {Name: "Runs", Type: types.Long},
		{Name: "Suppressed", Type: types.Long}, {Name: "Triggered", Type: types.Long}, {Name: "Alerts", Type: types.Long},
		{Name: "Incidents", Type: types.Long}, {Name: "ResultRows", Type: types.Long},
	})
	for _, s := range rep.Stats {
		t.AppendRow([]types.Value{types.NewString(s.Rule.Name), types.NewString(s.Rule.Kind), types.NewLong(int64(s.Runs)),
			types.NewLong(int64(s.Skipped)), types.NewLong(int64(s.Triggered)), types.NewLong(int64(s.Alerts)),
			types.NewLong(int64(s.Incidents)), types.NewLong(int64(s.ResultRows))})
	}
	return t
}

// describeEntities is a short form for people: account:a@b.com, ip:1.2.3.4.
func describeEntities(ents []Entity) string {
	var parts []string
	for _, e := range ents {
		v := ""
		switch e.Type {
		case "Account":
			v = e.Get("Name")
			if s := e.Get("UPNSuffix"); s != "" && v != "" {
				v += "@" + s
			}
		case "Host":
			v = e.Get("HostName")
		}
		if v == "" && len(e.Fields) > 0 {
			v = e.Fields[0][1]
		}
		parts = append(parts, entityTypes[e.Type].jsonType+":"+v)
	}
	return strings.Join(parts, ", ")
}

// WriteTo appends the report's SecurityAlert and SecurityIncident rows to
// the workspace's tables of those names (creating them if absent), in the
// format the table is already stored in.
func (rep *Report) WriteTo(ctx context.Context, w *workspace.Workspace) error {
	alerts, incidents := rep.Tables()
	for _, t := range []*table.Table{alerts, incidents} {
		if err := appendTable(ctx, w, t); err != nil {
			return err
		}
	}
	return nil
}

func appendTable(ctx context.Context, w *workspace.Workspace, add *table.Table) error {
	format := "jsonl"
	merged := add
	if slices.Contains(w.Tables(), add.Name) {
		old, rep, err := w.Load(ctx, add.Name)
		if err != nil {
			return fmt.Errorf("rules: appending to %s: %w", add.Name, err)
		}
		if rep != nil && rep.Format != "memory" && rep.Format != "" {
			format = rep.Format
		}
		merged = concat(old, add)
	}
	if err := w.Write(add.Name, merged, format); err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	return nil
}

// concat is old's rows then add's, with old's columns first and any of
// add's columns old lacks after them; missing values are null.
func concat(old, add *table.Table) *table.Table {
	s := old.Schema()
	for _, c := range add.Schema() {
		if s.Index(c.Name) < 0 {
			s = append(s, c)
		}
	}
	out := table.New(add.Name, s)
	for _, src := range []*table.Table{old, add} {
		for i := 0; i < src.Rows(); i++ {
			b := newRow(s)
			for _, c := range src.Columns {
				b.set(c.Name, c.Value(i))
			}
			out.AppendRow(b.vals)
		}
	}
	return out
}
