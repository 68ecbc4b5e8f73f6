package rules

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/exec"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// Options tune a Replay.
type Options struct {
	// From and To bound the replay: the first run of a rule is at
	// From+queryFrequency, the last at or before To.
	From, To time.Time
	// WorkspaceID fills TenantId and AlertType ("<workspace>_<rule id>").
	WorkspaceID string
	// FirstIncidentNumber is the number the first new incident gets; 0
	// means one more than the highest in the catalog's SecurityIncident.
	FirstIncidentNumber int
	// Parallelism is passed to the engine (0: GOMAXPROCS).
	Parallelism int
}

// Sentinel caps alerts per run of an AlertPerResult rule (the last one
// summarises the rest) and alerts per incident.
const (
	maxAlertsPerRun      = 150
	maxAlertsPerIncident = 150
	maxEntitiesPerAlert  = 150
)

// Alert is one alert a rule raised.
type Alert struct {
	ID          string // SystemAlertId
	Rule        *Rule
	RunTime     time.Time // when the run that raised it happened (TimeGenerated)
	StartTime   time.Time // earliest TimeGenerated of its rows, else the window start
	EndTime     time.Time // latest TimeGenerated of its rows, else the run time
	DisplayName string
	Description string
	Severity    string
	Tactics     []string
	Techniques  []string
	Entities    []Entity
	Custom      []CustomValue
	Properties  map[string]string // alertDynamicProperties: AlertLink, ProductName ...
	ResultCount int               // rows the run's query returned
	Rows        int               // rows this alert stands for
	Incident    *Incident
}

// CustomValue is one custom detail of an alert: the column's values.
type CustomValue struct {
	Key    string
	Values []any // dynamic payloads
}

// Incident is an incident the replay opened, with the alerts grouped in.
type Incident struct {
	Name          string // IncidentName, a GUID
	Number        int
	Title         string
	Description   string
	Severity      string
	Status        string
	Rule          *Rule
	Alerts        []*Alert
	Created       time.Time
	FirstActivity time.Time
	LastActivity  time.Time
	versions      []time.Time // one SecurityIncident row per change
}

// RuleStats summarises one rule's replay.
type RuleStats struct {
	Rule       *Rule
	Runs       int // runs evaluated
	Skipped    int // runs not evaluated: suppressed after an alert
	Triggered  int // runs whose result met the trigger
	Alerts     int
	Incidents  int
	ResultRows int // rows returned over all runs
}

// Report is what a replay produced.
type Report struct {
	From, To    time.Time
	WorkspaceID string
	Alerts      []*Alert    // in time order
	Incidents   []*Incident // in creation order
	Stats       []*RuleStats
}

// RunError is a rule failing at run time, located in the rule file.
type RunError struct {
	Rule    *Rule
	RunTime time.Time
	Line    int
	Key     string
	Err     error
}

func (e *RunError) Error() string {
	loc := e.Rule.File
	if e.Line > 0 {
		loc += fmt.Sprintf(":%d", e.Line)
	}
	key := ""
	if e.Key != "" {
		key = e.Key + ": "
	}
	return fmt.Sprintf("%s: rule %q, run at %s: %s%v", loc, e.Rule.Name, e.RunTime.UTC().Format(time.RFC3339), key, e.Err)
}

func (e *RunError) Unwrap() error { return e.Err }

// compiled is a rule ready to run.
type compiled struct {
	r      *Rule
	script *ast.Script
	file   *token.File
	stats  *RuleStats
	// emptyQuiet is true when the query returns no rows over empty tables,
	// so runs whose tables have no rows in the window can be skipped.
	emptyQuiet bool
	tables     []string
	suppressed time.Time
	incidents  []*Incident
	outcomes   []outcome
}

type run struct {
	at     time.Time
	c      *compiled
	alerts []*Alert
}

// Replay runs rules on their schedules between opts.From and opts.To over
// the catalog's data, and returns the alerts and incidents they raise.
// Runs of all rules happen in time order, so incident numbers follow time.
func Replay(ctx context.Context, rules []*Rule, cat exec.Catalog, opts Options) (*Report, error) {
	if opts.From.IsZero() || opts.To.IsZero() {
		return nil, errors.New("rules: replay needs a From and a To time")
	}
	if !opts.To.After(opts.From) {
		return nil, fmt.Errorf("rules: replay period is empty: from %s to %s", opts.From.Format(time.RFC3339), opts.To.Format(time.RFC3339))
	}
	idx := newTimeIndex(cat)
	rep := &Report{From: opts.From.UTC(), To: opts.To.UTC(), WorkspaceID: opts.WorkspaceID}
	var cs []*compiled
	for _, r := range rules {
		if r.QueryFrequency <= 0 || r.QueryPeriod <= 0 {
			return nil, fmt.Errorf("%s: rule %q has no queryFrequency/queryPeriod", r.File, r.Name)
		}
		script, file, err := parser.Parse(r.File, []byte(r.Query))
		if err != nil {
			return nil, &RunError{Rule: r, RunTime: opts.From, Line: r.QueryLine, Key: "query", Err: err}
		}
		c := &compiled{r: r, script: script, file: file, stats: &RuleStats{Rule: r}}
		if err := c.probe(ctx, idx, opts.From); err != nil {
			return nil, err
		}
		rep.Stats = append(rep.Stats, c.stats)
		cs = append(cs, c)
	}
	// Rules run independently (suppression is per rule), so their schedules
	// are evaluated in parallel; incidents are then formed in time order.
	errs := make([]error, len(cs))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, c := range cs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = c.schedule(ctx, idx, opts)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var runs []run
	for _, c := range cs {
		for _, o := range c.outcomes {
			runs = append(runs, run{at: o.at, c: c, alerts: o.alerts})
		}
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].at.Before(runs[j].at) })
	next := opts.FirstIncidentNumber
	if next <= 0 {
		next = maxIncidentNumber(ctx, cat) + 1
	}
	for _, ru := range runs {
		for _, a := range ru.alerts {
			ru.c.stats.Alerts++
			rep.Alerts = append(rep.Alerts, a)
			if inc := ru.c.group(a, &next); inc != nil {
				rep.Incidents = append(rep.Incidents, inc)
				ru.c.stats.Incidents++
			}
		}
	}
	return rep, nil
}

// outcome is a run that raised alerts.
type outcome struct {
	at     time.Time
	alerts []*Alert
}

// schedule evaluates every run of one rule between opts.From and opts.To.
func (c *compiled) schedule(ctx context.Context, idx *timeIndex, opts Options) error {
	for at := opts.From.Add(c.r.QueryFrequency); !at.After(opts.To); at = at.Add(c.r.QueryFrequency) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.r.SuppressionEnabled && at.Before(c.suppressed) {
			c.stats.Skipped++
			continue
		}
		lo, hi := types.TimeToTicks(at.Add(-c.r.QueryPeriod)), types.TimeToTicks(at)
		if c.emptyQuiet && !c.triggered(0) && c.noData(ctx, idx, lo, hi) {
			c.stats.Runs++ // empty input gives an empty result, which does not trigger
			continue
		}
		res, err := c.exec(ctx, idx, at, lo, hi)
		if err != nil {
			return err
		}
		c.stats.Runs++
		c.stats.ResultRows += res.Rows()
		if !c.triggered(res.Rows()) {
			continue
		}
		c.stats.Triggered++
		alerts, err := c.alerts(res, at, opts)
		if err != nil {
			return err
		}
		if c.r.SuppressionEnabled && len(alerts) > 0 {
			c.suppressed = at.Add(c.r.SuppressionDuration)
		}
		c.outcomes = append(c.outcomes, outcome{at: at, alerts: alerts})
	}
	return nil
}

// probe runs the query once over empty tables: if that returns nothing,
// runs whose tables hold no rows in their window need not be evaluated.
func (c *compiled) probe(ctx context.Context, idx *timeIndex, from time.Time) error {
	v := &windowView{idx: idx, lo: 0, hi: 0}
	ses := exec.NewSession(v, exec.Options{Now: time.Unix(0, 0).UTC(), MaxRows: 1 << 30})
	res, err := ses.Run(ctx, c.script, c.file)
	if err != nil {
		return c.runError(from, err)
	}
	c.emptyQuiet = len(res) == 0 || res[len(res)-1].Table.Rows() == 0
	for n := range v.used {
		c.tables = append(c.tables, n)
	}
	return nil
}

func (c *compiled) noData(ctx context.Context, idx *timeIndex, lo, hi int64) bool {
	if len(c.tables) == 0 {
		return false
	}
	for _, n := range c.tables {
		tt, err := idx.get(ctx, n)
		if err != nil || tt.count(lo, hi) > 0 {
			return false
		}
	}
	return true
}

func (c *compiled) exec(ctx context.Context, idx *timeIndex, at time.Time, lo, hi int64) (*table.Table, error) {
	v := &windowView{idx: idx, lo: lo, hi: hi}
	ses := exec.NewSession(v, exec.Options{Now: at, MaxRows: 1 << 30})
	res, err := ses.Run(ctx, c.script, c.file)
	if err != nil {
		return nil, c.runError(at, err)
	}
	if len(res) == 0 {
		return nil, &RunError{Rule: c.r, RunTime: at, Line: c.r.QueryLine, Key: "query", Err: errors.New("the query returns no table")}
	}
	return res[len(res)-1].Table, nil
}

// runError places an engine error on the rule file's line.
func (c *compiled) runError(at time.Time, err error) error {
	line := c.r.QueryLine
	var ee *exec.Error
	if errors.As(err, &ee) && ee.Pos.Line > 0 {
		line += ee.Pos.Line - 1
		err = errors.New(ee.Msg)
	}
	return &RunError{Rule: c.r, RunTime: at, Line: line, Key: "query", Err: err}
}

func (c *compiled) triggered(n int) bool {
	t := c.r.TriggerThreshold
	switch c.r.TriggerOperator {
	case "lt":
		return n < t
	case "eq":
		return n == t
	case "ne":
		return n != t
	}
	return n > t
}

// alerts turns a triggered run's result into alerts.
func (c *compiled) alerts(res *table.Table, at time.Time, opts Options) ([]*Alert, error) {
	if err := c.checkColumns(res, at); err != nil {
		return nil, err
	}
	n := res.Rows()
	var groups [][]int
	if c.r.AggregationKind == "AlertPerResult" && n > 0 {
		for i := 0; i < n; i++ {
			if len(groups) == maxAlertsPerRun-1 && n > maxAlertsPerRun {
				rest := make([]int, 0, n-i)
				for j := i; j < n; j++ {
					rest = append(rest, j)
				}
				groups = append(groups, rest)
				break
			}
			groups = append(groups, []int{i})
		}
	} else {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		groups = [][]int{all}
	}
	out := make([]*Alert, 0, len(groups))
	for gi, rows := range groups {
		out = append(out, c.alert(res, rows, at, gi, opts))
	}
	return out, nil
}

// checkColumns reports a mapping to a column the result lacks, at the
// mapping's line.
func (c *compiled) checkColumns(res *table.Table, at time.Time) error {
	missing := func(col string, line int, key string) error {
		if res.Column(col) != nil {
			return nil
		}
		return &RunError{Rule: c.r, RunTime: at, Line: line, Key: key,
			Err: fmt.Errorf("the query result has no column %q (it has %s)", col, res.Schema())}
	}
	for i, m := range c.r.EntityMappings {
		for j, f := range m.Fields {
			if err := missing(f.Column, f.Line, fmt.Sprintf("entityMappings[%d].fieldMappings[%d].columnName", i, j)); err != nil {
				return err
			}
		}
	}
	for _, d := range c.r.CustomDetails {
		if err := missing(d.Column, d.Line, "customDetails."+d.Key); err != nil {
			return err
		}
	}
	if o := c.r.AlertDetailsOverride; o != nil {
		for _, f := range []string{o.DisplayNameFormat, o.DescriptionFormat} {
			for _, p := range paramRE.FindAllStringSubmatch(f, -1) {
				if err := missing(strings.TrimSpace(p[1]), 0, "alertDetailsOverride"); err != nil {
					return err
				}
			}
		}
		for _, col := range []string{o.SeverityColumn, o.TacticsColumn} {
			if col != "" {
				if err := missing(col, 0, "alertDetailsOverride"); err != nil {
					return err
				}
			}
		}
		for _, dp := range o.DynamicProperties {
			if err := missing(dp.Column, 0, "alertDetailsOverride.alertDynamicProperties"); err != nil {
				return err
			}
		}
	}
	return nil
}

// alert builds one alert from rows of a result.
func (c *compiled) alert(res *table.Table, rows []int, at time.Time, n int, opts Options) *Alert {
	r := c.r
	a := &Alert{Rule: r, RunTime: at.UTC(), DisplayName: r.Name, Description: r.Description, Severity: r.Severity,
		Tactics: slices.Clone(r.Tactics), Techniques: slices.Clone(r.RelevantTechniques),
		ResultCount: res.Rows(), Rows: len(rows), Properties: map[string]string{}}
	a.ID = guidFrom(opts.WorkspaceID, r.ID, at.UTC().Format(time.RFC3339Nano), itoa(n))
	a.StartTime, a.EndTime = at.Add(-r.QueryPeriod).UTC(), at.UTC()
	if tg := res.Column("TimeGenerated"); tg != nil && tg.Type == types.DateTime && len(rows) > 0 {
		first, last, any := int64(0), int64(0), false
		for _, i := range rows {
			if tg.IsNull(i) {
				continue
			}
			t := tg.Ints[i]
			if !any || t < first {
				first = t
			}
			if !any || t > last {
				last = t
			}
			any = true
		}
		if any {
			a.StartTime, a.EndTime = types.TicksToTime(first), types.TicksToTime(last)
		}
	}
	value := func(row int) func(string) types.Value {
		return func(col string) types.Value { return res.Column(col).Value(row) }
	}
	for _, row := range rows {
		for _, m := range r.EntityMappings {
			if e, ok := entityFrom(m, value(row)); ok {
				a.Entities = append(a.Entities, e)
			}
		}
	}
	a.Entities = dedupEntities(a.Entities)
	if len(a.Entities) > maxEntitiesPerAlert {
		a.Entities = a.Entities[:maxEntitiesPerAlert]
	}
	for _, d := range r.CustomDetails {
		cv := CustomValue{Key: d.Key, Values: []any{}}
		seen := map[string]bool{}
		col := res.Column(d.Column)
		for _, row := range rows {
			v := col.Value(row)
			if v.IsNull() {
				continue
			}
			p := payload(v)
			k := types.DynamicJSON(p)
			if !seen[k] {
				seen[k] = true
				cv.Values = append(cv.Values, p)
			}
		}
		a.Custom = append(a.Custom, cv)
	}
	if o := r.AlertDetailsOverride; o != nil && len(rows) > 0 {
		first := value(rows[0])
		if o.DisplayNameFormat != "" {
			a.DisplayName = substitute(o.DisplayNameFormat, first)
		}
		if o.DescriptionFormat != "" {
			a.Description = substitute(o.DescriptionFormat, first)
		}
		if o.SeverityColumn != "" {
			for _, s := range severities {
				if strings.EqualFold(s, text(first(o.SeverityColumn))) {
					a.Severity = s
				}
			}
		}
		if o.TacticsColumn != "" {
			var ts []string
			for _, t := range strings.Split(text(first(o.TacticsColumn)), ",") {
				if t = strings.TrimSpace(t); slices.Contains(tactics, t) {
					ts = append(ts, t)
				}
			}
			if len(ts) > 0 {
				a.Tactics = ts
			}
		}
		for _, dp := range o.DynamicProperties {
			a.Properties[dp.Property] = text(first(dp.Column))
		}
	}
	return a
}

// payload converts a Value to a dynamic payload for JSON.
func payload(v types.Value) any {
	switch v.Type {
	case types.Dynamic:
		return v.D
	case types.Bool:
		return v.Bool()
	case types.Int, types.Long:
		return v.I
	case types.Real, types.Decimal:
		return v.F
	}
	return v.String()
}

// text renders a value for a string property: strings as they are,
// everything else as Kusto prints it.
func text(v types.Value) string {
	if v.Type == types.Dynamic {
		if s, ok := v.D.(string); ok {
			return s
		}
	}
	return v.String()
}

// substitute fills {{Column}} parameters from a row.
func substitute(format string, row func(string) types.Value) string {
	return paramRE.ReplaceAllStringFunc(format, func(m string) string {
		return text(row(strings.TrimSpace(m[2 : len(m)-2])))
	})
}

// guidFrom derives a stable GUID from parts, so replays are reproducible.
func guidFrom(parts ...string) string {
	h := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	h[6] = h[6]&0x0f | 0x50 // version 5 (name-based, SHA-1)
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// maxIncidentNumber is the highest IncidentNumber in the catalog's
// SecurityIncident table, or 0.
func maxIncidentNumber(ctx context.Context, cat exec.Catalog) int {
	if !slices.Contains(cat.TableNames(), "SecurityIncident") {
		return 0
	}
	t, err := cat.Table(ctx, "SecurityIncident")
	if err != nil {
		return 0
	}
	c := t.Column("IncidentNumber")
	if c == nil || table.Storage(c.Type) != table.StoreInts {
		return 0
	}
	max := 0
	for i := range c.Ints {
		if !c.IsNull(i) && int(c.Ints[i]) > max {
			max = int(c.Ints[i])
		}
	}
	return max
}
