package sampledata

import (
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Tenant is a generated tenant held in memory.
type Tenant struct {
	Config      Config                  // with defaults filled in
	WorkspaceID string                  // the Log Analytics workspace id (TenantId column)
	Start, End  time.Time               // the window the data covers
	Model       *Model                  // directory, Azure and data estate
	Tables      map[string]*table.Table // every table in TableNames, possibly empty
	Watchlists  map[string]*table.Table // SensitivityLabels
	Stories     []Story                 // the planted attacks (none with NoStories)
}

// Story is one planted attack and the rows that make it up.
type Story struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Entities    []Entity `json:"entities"`
	Start       string   `json:"start"` // first row's time, RFC 3339
	End         string   `json:"end"`   // last row's time
	Rows        []RowRef `json:"rows"`

	start, end int64
}

// Entity is an account, address, application or resource a story involves.
type Entity struct {
	Kind string `json:"kind"` // account, ip, servicePrincipal, resource, application, file
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	Role string `json:"role"` // victim, attacker, actor, target
}

// RowRef points at story rows of one table. Tables with an id column list
// the ids (Column, Values); the rest give the column values that pick each
// row out (Match, one entry per row).
type RowRef struct {
	Table  string              `json:"table"`
	Column string              `json:"column,omitempty"`
	Values []string            `json:"values,omitempty"`
	Match  []map[string]string `json:"match,omitempty"`
}

// gen carries what every table generator needs.
type gen struct {
	cfg        Config
	m          *Model
	e          *emitter
	start, end int64 // ticks
	days       int
	incidents  int // incident numbers handed out so far
	// alertMitre holds each alert's tactics and techniques by
	// SystemAlertId, for the incidents that group them
	alertMitre map[string][2]string
	// anonymizing exits stories route a user through, by address, so
	// Defender for Cloud Apps rows from them say where they really are
	proxies map[string]*proxy
	// ca is the tenant's Conditional Access policies
	ca []*caPolicy
	// pwChanges are the password changes sign-ins led to (an expired
	// password, a lockout the helpdesk reset), for AuditLogs
	pwChanges []pwChange
	// audits is the directory housekeeping, drawn once (auditPlan)
	audits []audit
	// suspended accounts by user id (suspensions)
	suspended map[string]suspension
}

// proxy is a VPN or anonymizer exit address.
type proxy struct {
	place *Place
	isp   ISP
}

func newGen(cfg Config, s sink) (*gen, string) {
	end := types.TimeToTicks(cfg.End)
	start := end - int64(cfg.Days)*types.Day
	ws := newRnd(cfg.Seed, "workspace").guid()
	return &gen{cfg: cfg, m: buildModel(cfg, start), e: newEmitter(s, ws), start: start, end: end, days: cfg.Days,
		ca: newCAPolicies(cfg.Seed)}, ws
}

// run writes the background tables, then the stories. Background streams
// never read the story stream, so NoStories removes exactly the story rows.
func (g *gen) run() ([]Story, error) {
	g.identityInfo()
	g.signins()
	g.auditLogs()
	g.officeActivity()
	g.cloudAppEvents()
	g.azureActivity()
	g.purview()
	g.shadowIT()
	g.firewall()
	g.syslog()
	g.threatIntel()
	g.backgroundAlerts()
	var stories []Story
	if !g.cfg.NoStories {
		stories = g.stories()
	}
	return stories, g.e.err
}

// Generate builds a tenant in memory. Use WriteWorkspace for large scales:
// it streams rows to disk instead of holding them.
func Generate(cfg Config) (*Tenant, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	mem := newMemSink()
	g, ws := newGen(cfg, mem)
	stories, err := g.run()
	if err != nil {
		return nil, err
	}
	return &Tenant{
		Config: cfg, WorkspaceID: ws, Start: types.TicksToTime(g.start), End: cfg.End, Model: g.m,
		Tables: mem.tables, Watchlists: map[string]*table.Table{"SensitivityLabels": labelWatchlist(g.m)},
		Stories: stories,
	}, nil
}

// labelWatchlist is the SensitivityLabels watchlist: label id -> name.
func labelWatchlist(m *Model) *table.Table {
	t := table.New("SensitivityLabels", types.Schema{
		{Name: "LabelId", Type: types.String}, {Name: "LabelName", Type: types.String},
		{Name: "DisplayName", Type: types.String}, {Name: "ParentLabelName", Type: types.String},
		{Name: "Order", Type: types.Long},
	})
	for _, l := range m.Labels {
		parent := ""
		for _, p := range m.Labels {
			if p.ID == l.ParentID {
				parent = p.Name
			}
		}
		t.AppendRow([]types.Value{types.NewString(l.ID), types.NewString(l.Name), types.NewString(l.DisplayName),
			types.NewString(parent), types.NewLong(int64(l.Order))})
	}
	return t
}
