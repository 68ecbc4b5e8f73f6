package charts

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// datatable builds a table like KQL's datatable: schema "A:string, B:long"
// and rows of Go values (string, int, float64, time.Time, time.Duration,
// []any for dynamic, nil for null).
func datatable(t testing.TB, schema string, rows ...[]any) *table.Table {
	t.Helper()
	var sch types.Schema
	for _, part := range strings.Split(schema, ",") {
		name, typ, ok := strings.Cut(strings.TrimSpace(part), ":")
		ty, ok2 := types.Parse(typ)
		if !ok || !ok2 {
			t.Fatalf("bad schema part %q", part)
		}
		sch = append(sch, types.Column{Name: name, Type: ty})
	}
	tb := table.New("T", sch)
	for _, r := range rows {
		vals := make([]types.Value, len(r))
		for i, v := range r {
			vals[i] = value(t, sch[i].Type, v)
		}
		if err := tb.AppendRow(vals); err != nil {
			t.Fatal(err)
		}
	}
	return tb
}

func value(t testing.TB, ty types.Type, v any) types.Value {
	if v == nil {
		return types.NullOf(ty)
	}
	switch ty {
	case types.String:
		return types.NewString(v.(string))
	case types.Long, types.Int:
		return types.NewLong(int64(v.(int)))
	case types.Real:
		switch x := v.(type) {
		case int:
			return types.NewReal(float64(x))
		case float64:
			return types.NewReal(x)
		}
	case types.DateTime:
		return types.FromTime(v.(time.Time))
	case types.TimeSpan:
		return types.NewTimeSpan(int64(v.(time.Duration) / 100))
	case types.Bool:
		return types.NewBool(v.(bool))
	case types.Dynamic:
		return types.NewDynamic(v)
	}
	t.Fatalf("cannot make %s from %T", ty, v)
	return types.Value{}
}

var t0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func hour(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

// timeArray is make-series' axis: n datetimes step apart.
func timeArray(n int, step time.Duration) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = types.DateTimeValue(types.TimeToTicks(t0.Add(time.Duration(i) * step)))
	}
	return out
}

func nums(xs ...float64) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		if math.IsNaN(x) {
			out[i] = nil
		} else {
			out[i] = x
		}
	}
	return out
}

// dump renders a chart's model as text for golden comparisons.
func dump(c *Chart) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s mode=%s x=%s(%s) y=%v series=%v", c.Kind, c.Mode, c.XColumn, c.XKind, c.YColumns, c.SeriesColumns)
	if c.Title != "" || c.XTitle != "" || c.YTitle != "" {
		fmt.Fprintf(&b, " titles=%q/%q/%q", c.Title, c.XTitle, c.YTitle)
	}
	if !c.Legend {
		b.WriteString(" legend=hidden")
	}
	if c.YSplit != "none" {
		b.WriteString(" ysplit=" + c.YSplit)
	}
	if !math.IsNaN(c.YMin) || !math.IsNaN(c.YMax) {
		fmt.Fprintf(&b, " y=[%g,%g]", c.YMin, c.YMax)
	}
	if c.XLog || c.YLog {
		fmt.Fprintf(&b, " log=%v/%v", c.XLog, c.YLog)
	}
	b.WriteString("\n")
	if len(c.Categories) > 0 {
		fmt.Fprintf(&b, "categories: %s\n", strings.Join(c.Categories, " | "))
	}
	for _, s := range c.Series {
		fmt.Fprintf(&b, "%s:", s.Name)
		for _, p := range s.Points {
			b.WriteString(" ")
			switch c.XKind {
			case XTime:
				b.WriteString(time.Unix(int64(p.X), 0).UTC().Format("02T15"))
			case XCategory:
				b.WriteString(c.Categories[int(p.X)])
			default:
				b.WriteString(fmt.Sprint(p.X))
			}
			if math.IsNaN(p.Y) {
				b.WriteString("=null")
			} else {
				fmt.Fprintf(&b, "=%g", math.Round(p.Y*1000)/1000)
			}
			switch p.Anomaly {
			case 1:
				b.WriteString("↑")
			case -1:
				b.WriteString("↓")
			}
		}
		b.WriteString("\n")
	}
	for _, r := range c.Ranges {
		fmt.Fprintf(&b, "range %s [%s] %s..%s\n", r.Label, r.Series,
			time.Unix(int64(r.Start), 0).UTC().Format("02T15"), time.Unix(int64(r.End), 0).UTC().Format("02T15"))
	}
	for _, f := range c.Card {
		fmt.Fprintf(&b, "card %s=%s\n", f.Name, f.Value)
	}
	return b.String()
}
