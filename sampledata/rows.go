package sampledata

import (
	"fmt"
	"strings"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// tableDef is one generated table: its schema and the column that
// identifies a row uniquely (empty when the real table has none).
type tableDef struct {
	name     string
	schema   types.Schema
	index    map[string]int
	idColumn string
}

// idColumns names, per table, the column whose value is unique per row and
// which ground_truth.json uses to point at rows.
var idColumns = map[string]string{
	"SigninLogs":                  "Id",
	"AuditLogs":                   "Id",
	"OfficeActivity":              "OfficeId",
	"CloudAppEvents":              "ReportId",
	"AzureActivity":               "EventDataId",
	"SecurityAlert":               "SystemAlertId",
	"SecurityIncident":            "IncidentName",
	"ThreatIntelligenceIndicator": "IndicatorId",
	"PurviewDataSensitivityLogs":  "", // scan records: identified by SourceScanId+AssetPath
	"McasShadowItReporting":       "", // daily aggregates: identified by Date+UserName+AppName
	"IdentityInfo":                "", // snapshots: TimeGenerated+AccountObjectId
	"CommonSecurityLog":           "ExtID",
	"Syslog":                      "", // plain messages
}

var (
	tableDefs   []*tableDef // in a fixed order, so output never depends on map order
	tableByName = map[string]*tableDef{}
)

func init() {
	for _, tc := range tableColumns {
		d := &tableDef{name: tc.name, index: map[string]int{}, idColumn: idColumns[tc.name]}
		for _, f := range strings.Fields(tc.cols) {
			name, typ, _ := strings.Cut(f, ":")
			t, ok := types.Parse(typ)
			if !ok {
				panic("sampledata: bad column type in " + tc.name + ": " + f)
			}
			d.index[name] = len(d.schema)
			d.schema = append(d.schema, types.Column{Name: name, Type: t})
		}
		tableDefs = append(tableDefs, d)
		tableByName[d.name] = d
	}
}

// TableNames lists the tables a tenant has, sorted by name.
func TableNames() []string {
	out := make([]string, len(tableDefs))
	for i, d := range tableDefs {
		out[i] = d.name
	}
	return out
}

// Schema returns the schema the generator writes for a table.
func Schema(name string) (types.Schema, bool) {
	d, ok := tableByName[name]
	if !ok {
		return nil, false
	}
	return append(types.Schema(nil), d.schema...), true
}

// row is one row under construction, reused between rows of a table.
// Setting a column the table lacks, or with the wrong type, is a bug in the
// generator and panics (the tests drive every generator).
type row struct {
	def *tableDef
	v   []types.Value
}

func newRow(d *tableDef) *row {
	r := &row{def: d, v: make([]types.Value, len(d.schema))}
	r.reset()
	return r
}

func (r *row) reset() {
	for i, c := range r.def.schema {
		r.v[i] = types.NullOf(c.Type)
	}
}

func (r *row) col(name string, kinds ...types.Type) int {
	i, ok := r.def.index[name]
	if !ok {
		panic(fmt.Sprintf("sampledata: table %s has no column %s", r.def.name, name))
	}
	t := r.def.schema[i].Type
	for _, k := range kinds {
		if k == t {
			return i
		}
	}
	panic(fmt.Sprintf("sampledata: %s.%s is %s, not %v", r.def.name, name, t, kinds))
}

func (r *row) str(name, s string) *row {
	i := r.col(name, types.String, types.GUID)
	r.v[i] = types.Value{Type: r.def.schema[i].Type, Valid: true, S: s}
	return r
}

func (r *row) time(name string, ticks int64) *row {
	r.v[r.col(name, types.DateTime)] = types.NewDateTime(ticks)
	return r
}

func (r *row) long(name string, n int64) *row {
	i := r.col(name, types.Int, types.Long)
	if r.def.schema[i].Type == types.Int {
		r.v[i] = types.NewInt(n)
	} else {
		r.v[i] = types.NewLong(n)
	}
	return r
}

func (r *row) real(name string, f float64) *row {
	r.v[r.col(name, types.Real)] = types.NewReal(f)
	return r
}

func (r *row) boolean(name string, b bool) *row {
	r.v[r.col(name, types.Bool)] = types.NewBool(b)
	return r
}

func (r *row) dyn(name string, d any) *row {
	r.v[r.col(name, types.Dynamic)] = types.NewDynamic(d)
	return r
}

// get returns the string value of a column (for ids the stories record).
func (r *row) get(name string) string { return r.v[r.col(name, types.String, types.GUID)].S }

// sink receives finished rows.
type sink interface {
	write(d *tableDef, vals []types.Value) error
}

// memSink builds kql/table Tables.
type memSink struct{ tables map[string]*table.Table }

func newMemSink() *memSink {
	m := &memSink{tables: map[string]*table.Table{}}
	for _, d := range tableDefs {
		m.tables[d.name] = table.New(d.name, d.schema)
	}
	return m
}

func (m *memSink) write(d *tableDef, vals []types.Value) error {
	return m.tables[d.name].AppendRow(vals)
}

// emitter hands out reusable rows and counts what was written.
type emitter struct {
	sink   sink
	tenant string // the Log Analytics workspace id in TenantId
	rows   map[string]*row
	counts map[string]int
	err    error
}

func newEmitter(s sink, workspaceID string) *emitter {
	return &emitter{sink: s, tenant: workspaceID, rows: map[string]*row{}, counts: map[string]int{}}
}

// row returns a cleared row of the table with the columns every Log
// Analytics table has (Type, TenantId, SourceSystem) filled in.
func (e *emitter) row(tableName string) *row {
	r, ok := e.rows[tableName]
	if !ok {
		d, ok := tableByName[tableName]
		if !ok {
			panic("sampledata: unknown table " + tableName)
		}
		r = newRow(d)
		e.rows[tableName] = r
	}
	r.reset()
	r.str("Type", tableName)
	if _, ok := r.def.index["TenantId"]; ok {
		r.str("TenantId", e.tenant)
	}
	if _, ok := r.def.index["SourceSystem"]; ok {
		r.str("SourceSystem", "Azure")
	}
	return r
}

// emit writes r. The first sink error sticks and later rows are dropped, so
// generators need not check every call; Generate reports it at the end.
func (e *emitter) emit(r *row) {
	if e.err != nil {
		return
	}
	if err := e.sink.write(r.def, r.v); err != nil {
		e.err = err
		return
	}
	e.counts[r.def.name]++
}
