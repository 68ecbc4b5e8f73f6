package charts

import (
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
)

type buildCase struct {
	name  string
	t     *table.Table
	kind  string
	props map[string]any
	want  string // dump of the model
	err   string // substring of the error, when Build must fail
}

func runBuild(t *testing.T, cases []buildCase) {
	t.Helper()
	for _, c := range cases {
		got, err := Build(c.t, c.kind, c.props)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error = %v, want one containing %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if d := dump(got); strings.TrimSpace(d) != strings.TrimSpace(c.want) {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", c.name, d, c.want)
		}
	}
}

func TestBuildTimeCharts(t *testing.T) {
	signins := datatable(t, "TimeGenerated:datetime, User:string, Failures:long, Successes:long",
		[]any{hour(1), "alice", 3, 10}, []any{hour(0), "alice", 1, 12}, []any{hour(0), "bob", 7, 2}, []any{hour(1), "bob", nil, 4})
	runBuild(t, []buildCase{
		{name: "timechart splits by the string column, sorts by time", t: signins, kind: "timechart", want: `
timechart mode=default x=TimeGenerated(time) y=[Failures Successes] series=[User] titles=""/"TimeGenerated"/""
alice:Failures: 20T00=1 20T01=3
alice:Successes: 20T00=12 20T01=10
bob:Failures: 20T00=7 20T01=null
bob:Successes: 20T00=2 20T01=4`},
		{name: "ycolumns, title, legend hidden, ymin/ymax", t: signins, kind: "timechart",
			props: map[string]any{"ycolumns": []string{"Failures"}, "title": "Failed sign-ins", "ytitle": "count", "legend": "hidden", "ymin": int64(0), "ymax": 10.0}, want: `
timechart mode=default x=TimeGenerated(time) y=[Failures] series=[User] titles="Failed sign-ins"/"TimeGenerated"/"count" legend=hidden y=[0,10]
alice: 20T00=1 20T01=3
bob: 20T00=7 20T01=null`},
		{name: "series property groups by a chosen column only", t: signins, kind: "linechart",
			props: map[string]any{"series": "User", "ycolumns": "Successes", "accumulate": true}, want: `
linechart mode=default x=TimeGenerated(time) y=[Successes] series=[User] titles=""/"TimeGenerated"/"Successes"
alice: 20T00=12 20T01=22
bob: 20T00=2 20T01=6`},
		{name: "no string column: one series per y column", t: datatable(t, "T:datetime, N:real", []any{hour(2), 1.5}, []any{hour(3), 2}),
			kind: "timechart", want: `
timechart mode=default x=T(time) y=[N] series=[] titles=""/"T"/"N"
N: 20T02=1.5 20T03=2`},
		{name: "timechart without a datetime", t: datatable(t, "User:string, N:long", []any{"a", 1}), kind: "timechart",
			err: "timechart needs a datetime column for the x-axis; found: User:string, N:long"},
		{name: "timechart without numbers", t: datatable(t, "T:datetime, User:string", []any{hour(1), "a"}), kind: "timechart",
			err: "needs a numeric column for the y-axis; found: T:datetime, User:string"},
		{name: "unknown xcolumn", t: signins, kind: "timechart", props: map[string]any{"xcolumn": "Time"},
			err: `xcolumn names "Time", which is not a column of the result; found: TimeGenerated:datetime`},
		{name: "bad ysplit", t: signins, kind: "timechart", props: map[string]any{"ysplit": "rows"}, err: "ysplit must be none, axes or panels"},
		{name: "ymin above ymax", t: signins, kind: "timechart", props: map[string]any{"ymin": 5.0, "ymax": int64(1)}, err: "ymin (5) must be below ymax (1)"},
		{name: "kind on a timechart", t: signins, kind: "timechart", props: map[string]any{"kind": "stacked"}, err: "kind=stacked applies to areachart"},
		{name: "unsupported visualization", t: signins, kind: "treemap", err: "render treemap: this visualization is not supported"},
		{name: "unknown visualization", t: signins, kind: "bubblechart", err: "unknown visualization"},
	})
}

func TestBuildXYCharts(t *testing.T) {
	pts := datatable(t, "Bytes:long, Duration:real, Host:string",
		[]any{300, 2.0, "web1"}, []any{100, 1.0, "web1"}, []any{200, 4.0, "db1"})
	runBuild(t, []buildCase{
		{name: "scatterchart takes the first numeric column as x", t: pts, kind: "scatterchart", want: `
scatterchart mode=default x=Bytes(number) y=[Duration] series=[Host] titles=""/"Bytes"/"Duration"
web1: 100=1 300=2
db1: 200=4`},
		{name: "linechart with xaxis/yaxis log and ysplit", t: pts, kind: "linechart",
			props: map[string]any{"xaxis": "log", "yaxis": "log", "ysplit": "panels"}, want: `
linechart mode=default x=Bytes(number) y=[Duration] series=[Host] titles=""/"Bytes"/"Duration" ysplit=panels log=true/true
web1: 100=1 300=2
db1: 200=4`},
		{name: "stackedareachart is an areachart stacked", t: pts, kind: "stackedareachart", want: `
areachart mode=stacked x=Bytes(number) y=[Duration] series=[Host] titles=""/"Bytes"/"Duration"
web1: 100=1 300=2
db1: 200=4`},
		{name: "areachart stacked100 turns values into shares of each x", t: datatable(t, "X:long, S:string, V:long",
			[]any{1, "a", 1}, []any{1, "b", 3}, []any{2, "a", 2}, []any{2, "b", 2}), kind: "areachart", props: map[string]any{"kind": "stacked100"}, want: `
areachart mode=stacked100 x=X(number) y=[V] series=[S] titles=""/"X"/"V"
a: 1=25 2=50
b: 1=75 2=50`},
		{name: "bad xaxis", t: pts, kind: "linechart", props: map[string]any{"xaxis": "ln"}, err: "xaxis must be linear or log"},
		{name: "bad ymin", t: pts, kind: "linechart", props: map[string]any{"ymin": "low"}, err: "ymin must be a number"},
	})
}

func TestBuildMakeSeries(t *testing.T) {
	ms := datatable(t, "User:string, Count:dynamic, TimeGenerated:dynamic",
		[]any{"alice", nums(1, 2, 30), timeArray(3, time.Hour)},
		[]any{"bob", nums(0, 5, 1), timeArray(3, time.Hour)})
	withAnoms := datatable(t, "Count:dynamic, T:dynamic, flags:dynamic",
		[]any{nums(1, 2, 30, 2), timeArray(4, time.Hour), []any{int64(0), int64(0), int64(1), int64(-1)}})
	runBuild(t, []buildCase{
		{name: "make-series expands arrays into series", t: ms, kind: "timechart", want: `
timechart mode=default x=TimeGenerated(time) y=[Count] series=[User] titles=""/"TimeGenerated"/"Count"
alice: 20T00=1 20T01=2 20T02=30
bob: 20T00=0 20T01=5 20T02=1`},
		{name: "make-series without a time axis on a linechart", t: datatable(t, "y:dynamic", []any{nums(4, 5)}), kind: "linechart", want: `
linechart mode=default x=(number) y=[y] series=[] titles=""/""/"y"
y: 0=4 1=5`},
		{name: "anomalycolumns mark points", t: withAnoms, kind: "anomalychart",
			props: map[string]any{"xcolumn": "T", "ycolumns": []string{"Count"}, "anomalycolumns": []string{"flags"}}, want: `
anomalychart mode=default x=T(time) y=[Count] series=[] titles=""/"T"/"Count"
Count: 20T00=1 20T01=2 20T02=30↑ 20T03=2↓`},
		{name: "xcolumn that is not an array", t: datatable(t, "y:dynamic, T:datetime", []any{nums(1), hour(1)}), kind: "timechart",
			props: map[string]any{"xcolumn": "T"}, err: "xcolumn T must hold arrays like the y columns"},
	})
	// without anomalycolumns an anomalychart detects them itself
	y := make([]float64, 48)
	for i := range y {
		y[i] = float64(10 + i%4)
	}
	y[30] = 80
	c, err := Build(datatable(t, "T:dynamic, y:dynamic", []any{timeArray(48, time.Hour), nums(y...)}), "anomalychart", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range c.Series[0].Points {
		if (p.Anomaly == 1) != (i == 30) {
			t.Errorf("point %d anomaly = %d", i, p.Anomaly)
		}
	}
}

func TestBuildCategorical(t *testing.T) {
	byState := datatable(t, "Country:string, Result:string, Count:long",
		[]any{"US", "fail", 10}, []any{"US", "ok", 90}, []any{"DE", "fail", 5}, []any{"NL", "ok", 7}, []any{"US", "fail", 2})
	runBuild(t, []buildCase{
		{name: "columnchart: first string is the category, others split; repeats add up", t: byState, kind: "columnchart", want: `
columnchart mode=default x=Country(category) y=[Count] series=[Result] titles=""/"Country"/"Count"
categories: US | DE | NL
fail: US=12 DE=5 NL=null
ok: US=90 DE=null NL=7`},
		{name: "barchart stacked100", t: byState, kind: "barchart", props: map[string]any{"kind": "stacked100"}, want: `
barchart mode=stacked100 x=Country(category) y=[Count] series=[Result] titles=""/"Country"/"Count"
categories: US | DE | NL
fail: US=11.765 DE=100 NL=null
ok: US=88.235 DE=null NL=100`},
		{name: "piechart: one slice per category, series refine the label", t: byState, kind: "piechart", want: `
piechart mode=default x=Country(category) y=[Count] series=[Result] titles=""/"Country"/"Count"
categories: US, fail | US, ok | DE, fail | NL, ok
Count: US, fail=12 US, ok=90 DE, fail=5 NL, ok=7`},
		{name: "columnchart over days", t: datatable(t, "Day:datetime, N:long", []any{t0, 3}, []any{t0.AddDate(0, 0, 1), 4}), kind: "columnchart", want: `
columnchart mode=default x=Day(category) y=[N] series=[] titles=""/"Day"/"N"
categories: 2026-11-20 | 2026-11-21
N: 2026-11-20=3 2026-11-21=4`},
		{name: "piechart with a negative value", t: datatable(t, "K:string, V:long", []any{"a", -1}), kind: "piechart", err: "piechart values must not be negative; a has -1"},
		{name: "barchart without numbers", t: datatable(t, "K:string", []any{"a"}), kind: "barchart", err: "barchart needs a numeric column for the values; found: K:string"},
		{name: "bad kind", t: byState, kind: "columnchart", props: map[string]any{"kind": "piled"}, err: "kind must be default, stacked, unstacked or stacked100"},
	})
}

func TestBuildOtherKinds(t *testing.T) {
	runBuild(t, []buildCase{
		{name: "card shows the first record", t: datatable(t, "Alerts:long, Severity:string", []any{42, "High"}, []any{1, "Low"}), kind: "card", want: `
card mode=default x=(none) y=[] series=[]
card Alerts=42
card Severity=High`},
		{name: "card of nothing", t: datatable(t, "Alerts:long"), kind: "card", err: "card needs a result with at least one row; found 0 rows of Alerts:long"},
		{name: "ladderchart: the last two columns are start and end", t: datatable(t, "Host:string, User:string, Start:datetime, End:datetime",
			[]any{"web1", "alice", hour(1), hour(5)}, []any{"db1", "bob", hour(2), hour(3)}), kind: "ladderchart", props: map[string]any{"series": "User"}, want: `
ladderchart mode=default x=Start(time) y=[] series=[User]
range web1 [alice] 20T01..20T05
range db1 [bob] 20T02..20T03`},
		{name: "ladderchart needs times", t: datatable(t, "A:string, B:string", []any{"x", "y"}), kind: "ladderchart",
			err: "ladderchart needs its last two columns to be datetime or numeric (start, end); A is string"},
		{name: "timepivot: a lane per string value", t: datatable(t, "T:datetime, Host:string", []any{hour(1), "web1"}, []any{hour(2), "db1"}, []any{hour(3), "web1"}),
			kind: "timepivot", want: `
timepivot mode=default x=T(time) y=[] series=[Host] titles=""/"T"/""
categories: web1 | db1
web1: 20T01=0 20T03=0
db1: 20T02=1`},
		{name: "timepivot needs a datetime", t: datatable(t, "Host:string", []any{"a"}), kind: "timepivot", err: "timepivot needs a datetime column; found: Host:string"},
	})
	c, err := Build(datatable(t, "A:long", []any{1}), "table", nil)
	if err != nil || !c.IsTable() {
		t.Errorf("table: %v, %v", c, err)
	}
	if _, err := Render(c, "png", 400, 300); err == nil {
		t.Errorf("rendering a table must fail")
	}
}

func TestLimitAndThin(t *testing.T) {
	var series []Series
	for i := range 14 {
		series = append(series, Series{Name: string(rune('a' + i)), Key: []string{string(rune('a' + i))},
			Points: []Point{{X: 0, Y: float64(i)}, {X: 1, Y: 1}}})
	}
	got := Limit(series, 10)
	if len(got) != 11 || got[10].Name != "other (4 series)" || !got[10].isOther() {
		t.Fatalf("Limit: %d series, last %q", len(got), got[len(got)-1].Name)
	}
	// the four smallest (a..d: 0..3 at x=0) fold into other
	if got[0].Name != "e" || got[10].Points[0].Y != 0+1+2+3 || got[10].Points[1].Y != 4 {
		t.Errorf("Limit kept %q first, other = %+v", got[0].Name, got[10].Points)
	}
	if len(Limit(series[:11], 10)) != 11 {
		t.Errorf("one series over the limit is kept, not folded")
	}
	pts := make([]Point, 10000)
	for i := range pts {
		pts[i] = Point{X: float64(i), Y: float64(i % 7)}
	}
	pts[5001].Y = 1e6
	pts[7000].Anomaly = 1
	th := Thin(pts, 500)
	if len(th) > 520 || len(th) < 250 {
		t.Errorf("Thin to %d points", len(th))
	}
	var spike, anomaly bool
	for i, p := range th {
		spike = spike || p.Y == 1e6
		anomaly = anomaly || p.Anomaly == 1
		if i > 0 && p.X < th[i-1].X {
			t.Fatalf("Thin broke the order at %d", i)
		}
	}
	if !spike || !anomaly {
		t.Errorf("Thin lost the spike (%v) or the anomaly (%v)", spike, anomaly)
	}
}

func TestTimeTicks(t *testing.T) {
	sec := func(tm time.Time) float64 { return float64(tm.Unix()) }
	cases := []struct {
		from, to time.Time
		first    string
		maxTicks int
	}{
		{t0.Add(90 * time.Minute), t0.Add(6 * time.Hour), "02:00", 7},
		{t0, t0.Add(3 * 24 * time.Hour), "Nov 20", 7},
		{t0, t0.AddDate(0, 0, 30), "Nov 23", 7},  // weekly ticks on Mondays
		{t0, t0.AddDate(0, 8, 0), "Jan 2027", 9}, // quarters
		{t0, t0.AddDate(5, 0, 0), "2027", 7},
		{t0, t0.Add(3 * time.Minute), "00:00:00", 8},
	}
	for _, c := range cases {
		ticks := TimeTicks(sec(c.from), sec(c.to), 7)
		if len(ticks) < 2 || len(ticks) > c.maxTicks {
			t.Errorf("%v..%v: %d ticks", c.from, c.to, len(ticks))
			continue
		}
		if ticks[0].Label != c.first {
			t.Errorf("%v..%v: first label %q, want %q", c.from, c.to, ticks[0].Label, c.first)
		}
		for _, tk := range ticks {
			if tk.Value < sec(c.from) || tk.Value > sec(c.to) {
				t.Errorf("tick %v outside the range", tk)
			}
		}
	}
}
