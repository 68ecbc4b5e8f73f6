// Package charts owns huntbook's rendering of KQL's render operator: Build
// turns a result table and the operator's visualization and properties into
// a Chart (series of points on axes, the data model Kusto's render
// describes: an x column, series columns whose combined values name a
// series, y columns giving one point each per record), and Render draws a
// Chart as PNG or SVG with gonum/plot.
//
// Build follows the Kusto documentation's rules and the way its user agents
// guess properties the query leaves out: timechart, linechart, areachart and
// scatterchart take the first datetime (or numeric) column as x; barchart,
// columnchart and piechart take the first string column as the category;
// every numeric column not used otherwise is a y column; remaining string
// columns split the series. make-series output (dynamic arrays) expands
// into one series per row and y column.
package charts

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// XKind is what the x axis holds.
type XKind int

const (
	XNone     XKind = iota // card, table, pie
	XTime                  // X is seconds since the Unix epoch, UTC
	XNumber                // X is the value itself
	XCategory              // X is an index into Chart.Categories
)

func (k XKind) String() string {
	return [...]string{"none", "time", "number", "category"}[k]
}

// Point is one measurement. Y is NaN for a missing value (a gap in a line).
// Anomaly is +1 or -1 where an anomalychart marks a rise or a dip.
type Point struct {
	X, Y    float64
	Anomaly int8
}

// Series is one line, set of bars or set of pie slices.
type Series struct {
	Name    string
	Key     []string // the values of the series columns, in their order
	YColumn string
	Points  []Point
}

// Range is one bar of a ladderchart: a labelled interval.
type Range struct {
	Label      string
	Series     string // the series it is coloured by ("" when none)
	Start, End float64
}

// Field is one value of a card.
type Field struct {
	Name, Value string
}

// Chart is the drawable model of a result.
type Chart struct {
	Kind  string // the visualization, lower case: timechart, barchart, ...
	Mode  string // the kind property: default, stacked, unstacked, stacked100
	Title string
	// XTitle and YTitle are the axis titles, defaulting to the column names.
	XTitle, YTitle string
	XColumn        string
	XKind          XKind
	YColumns       []string
	SeriesColumns  []string
	Categories     []string // XCategory axes and timepivot lanes
	Series         []Series
	Ranges         []Range // ladderchart
	Card           []Field // card
	YMin, YMax     float64 // NaN unless the query set them
	Legend         bool    // false for legend=hidden
	YSplit         string  // none, axes or panels
	Accumulate     bool
	XLog, YLog     bool
}

// IsTable reports whether the result is to be shown as a table, not drawn.
func (c *Chart) IsTable() bool { return c.Kind == "table" }

var supported = map[string]bool{
	"table": true, "timechart": true, "linechart": true, "areachart": true, "stackedareachart": true,
	"barchart": true, "columnchart": true, "piechart": true, "scatterchart": true, "anomalychart": true,
	"card": true, "ladderchart": true, "timepivot": true,
}

var unsupported = map[string]bool{
	"pivotchart": true, "treemap": true, "sankey": true, "3dchart": true, "plotly": true, "graph": true, "list": true,
}

// Build makes the chart of t as `render kind with (props)` asks. Props
// values are string, []string, bool, int64 or float64, as the executor
// records them.
func Build(t *table.Table, kind string, props map[string]any) (*Chart, error) {
	k := strings.ToLower(kind)
	switch {
	case unsupported[k]:
		return nil, fmt.Errorf("render %s: this visualization is not supported; use table or another chart", kind)
	case !supported[k]:
		return nil, fmt.Errorf("render %s: unknown visualization", kind)
	}
	c := &Chart{Kind: k, Mode: "default", YMin: math.NaN(), YMax: math.NaN(), Legend: true, YSplit: "none"}
	if k == "stackedareachart" {
		c.Kind, c.Mode = "areachart", "stacked"
	}
	if err := c.readProps(props); err != nil {
		return nil, fmt.Errorf("render %s: %v", kind, err)
	}
	if t == nil {
		t = &table.Table{}
	}
	b := builder{c: c, t: t, props: props}
	var err error
	switch c.Kind {
	case "table":
		return c, nil
	case "card":
		err = b.card()
	case "ladderchart":
		err = b.ladder()
	case "timepivot":
		err = b.timepivot()
	case "barchart", "columnchart", "piechart":
		err = b.categorical()
	default:
		err = b.xy()
	}
	if err != nil {
		return nil, fmt.Errorf("render %s: %v", kind, err)
	}
	if c.XTitle == "" && c.Kind != "ladderchart" { // a ladder's x is a start-to-end span, not one column
		c.XTitle = c.XColumn
	}
	if c.YTitle == "" && len(c.YColumns) == 1 {
		c.YTitle = c.YColumns[0]
	}
	if c.Accumulate {
		c.accumulate()
	}
	if c.Mode == "stacked100" {
		c.percentages()
	}
	return c, nil
}

func (c *Chart) readProps(props map[string]any) error {
	for name, v := range props {
		var err error
		switch strings.ToLower(name) {
		case "title":
			c.Title, err = propString(name, v)
		case "xtitle":
			c.XTitle, err = propString(name, v)
		case "ytitle":
			c.YTitle, err = propString(name, v)
		case "kind":
			var s string
			s, err = propString(name, v)
			s = strings.ToLower(s)
			switch s {
			case "default", "stacked", "unstacked", "stacked100":
				if c.Kind != "areachart" && c.Kind != "barchart" && c.Kind != "columnchart" && s != "default" {
					return fmt.Errorf("kind=%s applies to areachart, barchart and columnchart only", s)
				}
				c.Mode = s
			case "map":
				return fmt.Errorf("kind=map (maps) is not supported")
			default:
				return fmt.Errorf("kind must be default, stacked, unstacked or stacked100, got %q", s)
			}
		case "legend":
			var s string
			s, err = propString(name, v)
			switch strings.ToLower(s) {
			case "visible":
			case "hidden":
				c.Legend = false
			default:
				return fmt.Errorf("legend must be visible or hidden, got %q", s)
			}
		case "ysplit":
			var s string
			s, err = propString(name, v)
			s = strings.ToLower(s)
			if s != "none" && s != "axes" && s != "panels" {
				return fmt.Errorf("ysplit must be none, axes or panels, got %q", s)
			}
			c.YSplit = s
		case "accumulate":
			c.Accumulate, err = propBool(name, v)
		case "ymin":
			c.YMin, err = propNumber(name, v)
		case "ymax":
			c.YMax, err = propNumber(name, v)
		case "xaxis", "yaxis":
			var s string
			s, err = propString(name, v)
			s = strings.ToLower(s)
			if s != "linear" && s != "log" {
				return fmt.Errorf("%s must be linear or log, got %q", name, s)
			}
			if strings.ToLower(name) == "xaxis" {
				c.XLog = s == "log"
			} else {
				c.YLog = s == "log"
			}
		}
		if err != nil {
			return err
		}
	}
	if !math.IsNaN(c.YMin) && !math.IsNaN(c.YMax) && c.YMin >= c.YMax {
		return fmt.Errorf("ymin (%g) must be below ymax (%g)", c.YMin, c.YMax)
	}
	return nil
}

func propString(name string, v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case []string:
		return strings.Join(x, ","), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("%s must be a string, got %v", name, v)
}

func propBool(name string, v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("%s must be true or false, got %v", name, v)
}

func propNumber(name string, v any) (float64, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return f, nil
		}
	}
	return 0, fmt.Errorf("%s must be a number, got %v", name, v)
}

// propColumns reads a column-list property (a list, or one name, or a
// comma-separated string).
func propColumns(props map[string]any, name string) ([]string, bool, error) {
	for k, v := range props {
		if !strings.EqualFold(k, name) {
			continue
		}
		var out []string
		switch x := v.(type) {
		case []string:
			out = x
		case string:
			for _, s := range strings.Split(x, ",") {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		default:
			return nil, false, fmt.Errorf("%s must name columns, got %v", name, v)
		}
		return out, true, nil
	}
	return nil, false, nil
}

// builder holds the state of one Build.
type builder struct {
	c     *Chart
	t     *table.Table
	props map[string]any
}

func (b *builder) describe() string {
	if len(b.t.Columns) == 0 {
		return "no columns"
	}
	parts := make([]string, len(b.t.Columns))
	for i, col := range b.t.Columns {
		parts[i] = col.Name + ":" + col.Type.String()
	}
	return strings.Join(parts, ", ")
}

func (b *builder) column(prop, name string) (*table.Column, error) {
	col := b.t.Column(name)
	if col == nil {
		return nil, fmt.Errorf("%s names %q, which is not a column of the result; found: %s", prop, name, b.describe())
	}
	return col, nil
}

// columns resolves a column-list property; ok is false when it is absent.
func (b *builder) columns(prop string) ([]*table.Column, bool, error) {
	names, ok, err := propColumns(b.props, prop)
	if err != nil || !ok {
		return nil, ok, err
	}
	var cols []*table.Column
	for _, n := range names {
		col, err := b.column(prop, n)
		if err != nil {
			return nil, true, err
		}
		cols = append(cols, col)
	}
	return cols, true, nil
}

func isNumeric(t types.Type) bool { return t.IsNumeric() }
func isText(t types.Type) bool    { return t == types.String || t == types.GUID }

// isSeriesColumn tells whether a dynamic column holds arrays (make-series
// output), judging by its first non-null value.
func isSeriesColumn(col *table.Column) bool {
	if col.Type != types.Dynamic {
		return false
	}
	for _, d := range col.Dyns {
		if d != nil {
			_, ok := d.([]any)
			return ok
		}
	}
	return false
}

// isTimeArray tells whether a dynamic array column holds datetimes.
func isTimeArray(col *table.Column) bool {
	for _, d := range col.Dyns {
		arr, ok := d.([]any)
		if !ok {
			continue
		}
		for _, e := range arr {
			if e != nil {
				_, ok := e.(types.DateTimeValue)
				return ok
			}
		}
	}
	return false
}

func has(cols []*table.Column, c *table.Column) bool {
	for _, x := range cols {
		if x == c {
			return true
		}
	}
	return false
}

func names(cols []*table.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// seconds converts datetime ticks to Unix seconds.
func seconds(ticks int64) float64 { return float64(ticks) / float64(types.Second) }

// number reads row i of a numeric, datetime or timespan column; ok is false
// for nulls.
func number(col *table.Column, i int) (float64, bool) {
	if col.IsNull(i) {
		return math.NaN(), false
	}
	switch col.Type {
	case types.DateTime:
		return seconds(col.Ints[i]), true
	case types.Real, types.Decimal:
		return col.Reals[i], true
	case types.Bool, types.Int, types.Long, types.TimeSpan:
		return float64(col.Ints[i]), true
	case types.Dynamic:
		v := col.Dyns[i]
		switch x := v.(type) {
		case int64:
			return float64(x), true
		case float64:
			return x, true
		case types.DateTimeValue:
			return seconds(int64(x)), true
		}
	}
	return math.NaN(), false
}

// keyOf is the combined value of the series columns at row i.
func keyOf(cols []*table.Column, i int) []string {
	k := make([]string, len(cols))
	for j, c := range cols {
		k[j] = c.Value(i).String()
	}
	return k
}

func seriesName(key []string, ycol string, manyY bool) string {
	name := strings.Join(key, ", ")
	switch {
	case name == "":
		return ycol
	case manyY:
		return name + ":" + ycol
	}
	return name
}

// xy builds timechart, linechart, areachart, scatterchart and anomalychart.
func (b *builder) xy() error {
	c := b.c
	xcols, xset, err := b.columns("xcolumn")
	if err != nil {
		return err
	}
	ycols, yset, err := b.columns("ycolumns")
	if err != nil {
		return err
	}
	scols, sset, err := b.columns("series")
	if err != nil {
		return err
	}
	acols, _, err := b.columns("anomalycolumns")
	if err != nil {
		return err
	}
	wantTime := c.Kind == "timechart" || c.Kind == "anomalychart"
	var x *table.Column
	if xset && len(xcols) > 0 {
		x = xcols[0]
	}
	// make-series output: arrays expand into one series per row
	series := false
	for _, col := range b.t.Columns {
		if isSeriesColumn(col) && (x == nil || x == col || !has(xcols, col)) {
			series = true
			break
		}
	}
	if series {
		return b.seriesArrays(x, ycols, yset, scols, sset, acols, wantTime)
	}
	if x == nil {
		for _, col := range b.t.Columns {
			if col.Type == types.DateTime || (!wantTime && (isNumeric(col.Type) || col.Type == types.TimeSpan)) {
				x = col
				break
			}
		}
	}
	if x == nil {
		if wantTime {
			return fmt.Errorf("%s needs a datetime column for the x-axis; found: %s", c.Kind, b.describe())
		}
		return fmt.Errorf("%s needs a datetime or numeric column for the x-axis; found: %s", c.Kind, b.describe())
	}
	switch {
	case x.Type == types.DateTime:
		c.XKind = XTime
	case wantTime:
		return fmt.Errorf("%s needs a datetime column for the x-axis, but %s is %s", c.Kind, x.Name, x.Type)
	case isNumeric(x.Type) || x.Type == types.TimeSpan:
		c.XKind = XNumber
	default:
		return fmt.Errorf("%s needs a datetime or numeric x column, but %s is %s", c.Kind, x.Name, x.Type)
	}
	c.XColumn = x.Name
	if !sset {
		for _, col := range b.t.Columns {
			if col != x && isText(col.Type) && !has(ycols, col) {
				scols = append(scols, col)
			}
		}
	}
	if !yset {
		for _, col := range b.t.Columns {
			if col != x && isNumeric(col.Type) && !has(scols, col) && !has(acols, col) {
				ycols = append(ycols, col)
			}
		}
	}
	if len(ycols) == 0 {
		return fmt.Errorf("%s needs a numeric column for the y-axis; found: %s", c.Kind, b.describe())
	}
	for _, y := range ycols {
		if !isNumeric(y.Type) && y.Type != types.TimeSpan && y.Type != types.Bool {
			return fmt.Errorf("ycolumns: %s is %s, not numeric", y.Name, y.Type)
		}
	}
	c.YColumns, c.SeriesColumns = names(ycols), names(scols)
	index := map[string]int{}
	for i := 0; i < b.t.Rows(); i++ {
		xv, ok := number(x, i)
		if !ok {
			continue
		}
		key := keyOf(scols, i)
		for yi, y := range ycols {
			id := strings.Join(key, "\x00") + "\x01" + y.Name
			si, ok := index[id]
			if !ok {
				si = len(c.Series)
				index[id] = si
				c.Series = append(c.Series, Series{Name: seriesName(key, y.Name, len(ycols) > 1), Key: key, YColumn: y.Name})
			}
			yv, _ := number(y, i)
			p := Point{X: xv, Y: yv}
			if yi < len(acols) {
				p.Anomaly = anomalySign(acols[yi], i)
			}
			c.Series[si].Points = append(c.Series[si].Points, p)
		}
	}
	for i := range c.Series {
		pts := c.Series[i].Points
		sort.SliceStable(pts, func(a, b int) bool { return pts[a].X < pts[b].X })
	}
	if c.Kind == "anomalychart" && len(acols) == 0 {
		c.detectAnomalies()
	}
	return nil
}

func anomalySign(col *table.Column, i int) int8 {
	v, ok := number(col, i)
	switch {
	case !ok:
		return 0
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// seriesArrays expands make-series output.
func (b *builder) seriesArrays(x *table.Column, ycols []*table.Column, yset bool, scols []*table.Column, sset bool, acols []*table.Column, wantTime bool) error {
	c := b.c
	if x == nil {
		for _, col := range b.t.Columns {
			if isSeriesColumn(col) && isTimeArray(col) {
				x = col
				break
			}
		}
	}
	switch {
	case x == nil && wantTime:
		return fmt.Errorf("%s needs a datetime column for the x-axis (make-series ... on a datetime); found: %s", c.Kind, b.describe())
	case x == nil:
		c.XKind = XNumber // positions 0, 1, ...
		c.XColumn = ""
	case !isSeriesColumn(x):
		return fmt.Errorf("xcolumn %s must hold arrays like the y columns (make-series output), but is %s", x.Name, x.Type)
	case isTimeArray(x):
		c.XKind = XTime
		c.XColumn = x.Name
	case wantTime:
		return fmt.Errorf("%s needs a datetime x-axis, but %s holds no datetimes", c.Kind, x.Name)
	default:
		c.XKind = XNumber
		c.XColumn = x.Name
	}
	if !sset {
		for _, col := range b.t.Columns {
			if isText(col.Type) {
				scols = append(scols, col)
			}
		}
	}
	if !yset {
		for _, col := range b.t.Columns {
			if col != x && isSeriesColumn(col) && !has(acols, col) && !has(scols, col) {
				ycols = append(ycols, col)
			}
		}
	}
	if len(ycols) == 0 {
		return fmt.Errorf("%s needs an array column of numbers for the y-axis; found: %s", c.Kind, b.describe())
	}
	c.YColumns, c.SeriesColumns = names(ycols), names(scols)
	for i := 0; i < b.t.Rows(); i++ {
		var xs []any
		if x != nil {
			xs, _ = x.Dyns[i].([]any)
		}
		key := keyOf(scols, i)
		for yi, y := range ycols {
			if y.Type != types.Dynamic {
				return fmt.Errorf("ycolumns: %s is %s; with make-series output the y columns must be arrays", y.Name, y.Type)
			}
			ys, _ := functions.SeriesFloats(y.Dyns[i])
			var flags []float64
			if yi < len(acols) && acols[yi].Type == types.Dynamic {
				flags, _ = functions.SeriesFloats(acols[yi].Dyns[i])
			}
			s := Series{Name: seriesName(key, y.Name, len(ycols) > 1), Key: key, YColumn: y.Name}
			for j, yv := range ys {
				xv := float64(j)
				if x != nil {
					if j >= len(xs) {
						break
					}
					v, ok := xs[j].(types.DateTimeValue)
					switch {
					case ok:
						xv = seconds(int64(v))
					default:
						f, isNum := xs[j].(float64)
						if n, isInt := xs[j].(int64); isInt {
							f, isNum = float64(n), true
						}
						if !isNum {
							continue
						}
						xv = f
					}
				}
				p := Point{X: xv, Y: yv}
				if j < len(flags) {
					switch {
					case flags[j] > 0:
						p.Anomaly = 1
					case flags[j] < 0:
						p.Anomaly = -1
					}
				}
				s.Points = append(s.Points, p)
			}
			c.Series = append(c.Series, s)
		}
	}
	if c.Kind == "anomalychart" && len(acols) == 0 {
		c.detectAnomalies()
	}
	return nil
}

// detectAnomalies marks anomalies as series_decompose_anomalies with its
// defaults finds them, which is what an anomalychart shows when the query
// names no anomalycolumns.
func (c *Chart) detectAnomalies() {
	for i := range c.Series {
		pts := c.Series[i].Points
		ys := make([]float64, len(pts))
		for j, p := range pts {
			ys[j] = p.Y
		}
		flags, _, _, err := functions.Anomalies(ys, 1.5, -1, "avg", 0, "ctukey", 0.6)
		if err != nil {
			continue
		}
		for j := range pts {
			if !math.IsNaN(pts[j].Y) {
				pts[j].Anomaly = int8(flags[j])
			}
		}
	}
}

// categorical builds barchart, columnchart and piechart.
func (b *builder) categorical() error {
	c := b.c
	xcols, xset, err := b.columns("xcolumn")
	if err != nil {
		return err
	}
	ycols, yset, err := b.columns("ycolumns")
	if err != nil {
		return err
	}
	scols, sset, err := b.columns("series")
	if err != nil {
		return err
	}
	var x *table.Column
	switch {
	case xset && len(xcols) > 0:
		x = xcols[0]
	case len(b.t.Columns) > 0 && (isText(b.t.Columns[0].Type) || b.t.Columns[0].Type == types.DateTime || b.t.Columns[0].Type == types.Bool):
		x = b.t.Columns[0]
	default:
		for _, col := range b.t.Columns {
			if isText(col.Type) {
				x = col
				break
			}
		}
	}
	if x == nil && len(b.t.Columns) > 0 && !isSeriesColumn(b.t.Columns[0]) {
		x = b.t.Columns[0] // numbers as categories
	}
	if x == nil {
		return fmt.Errorf("%s needs a column for the categories; found: %s", c.Kind, b.describe())
	}
	c.XColumn, c.XKind = x.Name, XCategory
	if !sset {
		for _, col := range b.t.Columns {
			if col != x && isText(col.Type) && !has(ycols, col) {
				scols = append(scols, col)
			}
		}
	}
	if !yset {
		for _, col := range b.t.Columns {
			if col != x && isNumeric(col.Type) && !has(scols, col) {
				ycols = append(ycols, col)
			}
		}
	}
	if len(ycols) == 0 {
		return fmt.Errorf("%s needs a numeric column for the values; found: %s", c.Kind, b.describe())
	}
	for _, y := range ycols {
		if !isNumeric(y.Type) {
			return fmt.Errorf("ycolumns: %s is %s, not numeric", y.Name, y.Type)
		}
	}
	if c.Kind == "piechart" {
		// one value per slice: the first y column; series columns refine the slice label
		ycols = ycols[:1]
	}
	c.YColumns, c.SeriesColumns = names(ycols), names(scols)
	catIndex := map[string]int{}
	index := map[string]int{}
	type cell struct{ s, cat int }
	sums := map[cell]float64{}
	seen := map[cell]bool{}
	for i := 0; i < b.t.Rows(); i++ {
		label := categoryLabel(x, i)
		key := keyOf(scols, i)
		if c.Kind == "piechart" && len(key) > 0 {
			label = strings.Join(append([]string{label}, key...), ", ")
			key = nil
		}
		ci, ok := catIndex[label]
		if !ok {
			ci = len(c.Categories)
			catIndex[label] = ci
			c.Categories = append(c.Categories, label)
		}
		for _, y := range ycols {
			id := strings.Join(key, "\x00") + "\x01" + y.Name
			si, ok := index[id]
			if !ok {
				si = len(c.Series)
				index[id] = si
				c.Series = append(c.Series, Series{Name: seriesName(key, y.Name, len(ycols) > 1), Key: key, YColumn: y.Name})
			}
			if v, ok := number(y, i); ok {
				sums[cell{si, ci}] += v // repeated categories add up
				seen[cell{si, ci}] = true
			}
		}
	}
	for si := range c.Series {
		pts := make([]Point, len(c.Categories))
		for ci := range pts {
			pts[ci] = Point{X: float64(ci), Y: math.NaN()}
			if seen[cell{si, ci}] {
				pts[ci].Y = sums[cell{si, ci}]
			}
		}
		c.Series[si].Points = pts
	}
	if c.Kind == "piechart" && len(c.Series) > 0 {
		for _, p := range c.Series[0].Points {
			if p.Y < 0 {
				return fmt.Errorf("piechart values must not be negative; %s has %g", c.Categories[int(p.X)], p.Y)
			}
		}
	}
	return nil
}

// categoryLabel formats a category; datetimes at midnight show as dates.
func categoryLabel(col *table.Column, i int) string {
	if col.Type == types.DateTime && !col.IsNull(i) {
		t := types.TicksToTime(col.Ints[i])
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
			return t.Format("2006-01-02")
		}
		return t.Format("2006-01-02 15:04")
	}
	return col.Value(i).String()
}

// card shows the first record's values.
func (b *builder) card() error {
	if len(b.t.Columns) == 0 || b.t.Rows() == 0 {
		return fmt.Errorf("card needs a result with at least one row; found %d rows of %s", b.t.Rows(), b.describe())
	}
	for _, col := range b.t.Columns {
		b.c.Card = append(b.c.Card, Field{Name: col.Name, Value: col.Value(0).String()})
	}
	return nil
}

// ladder builds a ladderchart: the last two columns are each row's start
// and end, the others label it.
func (b *builder) ladder() error {
	c := b.c
	n := len(b.t.Columns)
	if n < 2 {
		return fmt.Errorf("ladderchart needs two columns for the start and end of each bar; found: %s", b.describe())
	}
	start, end := b.t.Columns[n-2], b.t.Columns[n-1]
	for _, col := range []*table.Column{start, end} {
		if col.Type != types.DateTime && !isNumeric(col.Type) {
			return fmt.Errorf("ladderchart needs its last two columns to be datetime or numeric (start, end); %s is %s", col.Name, col.Type)
		}
	}
	if start.Type != end.Type {
		return fmt.Errorf("ladderchart's start and end columns must have one type; %s is %s and %s is %s", start.Name, start.Type, end.Name, end.Type)
	}
	c.XKind = XNumber
	if start.Type == types.DateTime {
		c.XKind = XTime
	}
	c.XColumn = start.Name
	scols, _, err := b.columns("series")
	if err != nil {
		return err
	}
	var lcols []*table.Column
	for _, col := range b.t.Columns[:n-2] {
		if !has(scols, col) {
			lcols = append(lcols, col)
		}
	}
	c.SeriesColumns = names(scols)
	for i := 0; i < b.t.Rows(); i++ {
		s, ok1 := number(start, i)
		e, ok2 := number(end, i)
		if !ok1 || !ok2 {
			continue
		}
		label := strings.Join(keyOf(lcols, i), ", ")
		if label == "" {
			label = strconv.Itoa(i + 1)
		}
		c.Ranges = append(c.Ranges, Range{Label: label, Series: strings.Join(keyOf(scols, i), ", "), Start: s, End: e})
	}
	return nil
}

// timepivot places each record on a time line, one lane per combination of
// the string columns.
func (b *builder) timepivot() error {
	c := b.c
	var x *table.Column
	for _, col := range b.t.Columns {
		if col.Type == types.DateTime {
			x = col
			break
		}
	}
	if x == nil {
		return fmt.Errorf("timepivot needs a datetime column; found: %s", b.describe())
	}
	c.XColumn, c.XKind = x.Name, XTime
	scols, sset, err := b.columns("series")
	if err != nil {
		return err
	}
	if !sset {
		for _, col := range b.t.Columns {
			if isText(col.Type) {
				scols = append(scols, col)
			}
		}
	}
	c.SeriesColumns = names(scols)
	lanes := map[string]int{}
	for i := 0; i < b.t.Rows(); i++ {
		xv, ok := number(x, i)
		if !ok {
			continue
		}
		key := keyOf(scols, i)
		name := strings.Join(key, ", ")
		li, ok := lanes[name]
		if !ok {
			li = len(c.Categories)
			lanes[name] = li
			c.Categories = append(c.Categories, name)
			c.Series = append(c.Series, Series{Name: name, Key: key})
		}
		c.Series[li].Points = append(c.Series[li].Points, Point{X: xv, Y: float64(li)})
	}
	return nil
}

// accumulate replaces each series' values with their running sums.
func (c *Chart) accumulate() {
	for i := range c.Series {
		sum := 0.0
		for j, p := range c.Series[i].Points {
			if math.IsNaN(p.Y) {
				continue
			}
			sum += p.Y
			c.Series[i].Points[j].Y = sum
		}
	}
}

// percentages turns values into each x position's share of its total
// (kind=stacked100).
func (c *Chart) percentages() {
	totals := map[float64]float64{}
	for _, s := range c.Series {
		for _, p := range s.Points {
			if !math.IsNaN(p.Y) {
				totals[p.X] += math.Abs(p.Y)
			}
		}
	}
	for i := range c.Series {
		for j, p := range c.Series[i].Points {
			if t := totals[p.X]; !math.IsNaN(p.Y) && t > 0 {
				c.Series[i].Points[j].Y = 100 * math.Abs(p.Y) / t
			}
		}
	}
}
