package charts

import (
	"bytes"
	"encoding/xml"
	"flag"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/table"
)

var update = flag.Bool("update", false, "rewrite the gallery PNGs under docs/charts")

// example is one gallery chart: the query shown in docs/charts.md and the
// result table it stands for.
type example struct {
	file  string
	query string
	kind  string
	props map[string]any
	t     func(testing.TB) *table.Table
}

// hourly is a day of sign-in counts per user with a diurnal shape.
func hourly(tb testing.TB) *table.Table {
	var rows [][]any
	for h := range 48 {
		base := 20 + 15*math.Sin(2*math.Pi*float64(h-8)/24)
		rows = append(rows, []any{hour(h), "alice", int(base)}, []any{hour(h), "bob", int(base*0.6) + h%3}, []any{hour(h), "svc-backup", 5 + 40*boolInt(h%24 == 2)})
	}
	return datatable(tb, "TimeGenerated:datetime, Account:string, SignIns:long", rows...)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func madeSeries(tb testing.TB) *table.Table {
	n := 24 * 7
	y := make([]float64, n)
	for i := range y {
		y[i] = 30 + 12*math.Sin(2*math.Pi*float64(i)/24) + float64(i%5)
	}
	y[100] += 60
	y[140] -= 35
	return datatable(tb, "Computer:string, Logons:dynamic, TimeGenerated:dynamic", []any{"DC01", nums(y...), timeArray(n, time.Hour)})
}

var gallery = []example{
	{"timechart.png", "SigninLogs | summarize SignIns=count() by bin(TimeGenerated, 1h), Account | render timechart",
		"timechart", map[string]any{"title": "Sign-ins per hour"}, hourly},
	{"linechart.png", "... | project Bytes, Seconds, Host | render linechart",
		"linechart", nil, func(tb testing.TB) *table.Table {
			var rows [][]any
			for i := 1; i <= 30; i++ {
				rows = append(rows, []any{i * 1000, float64(i) * 0.4, "web01"}, []any{i * 1000, 2 + float64(i)*0.1, "web02"})
			}
			return datatable(tb, "Bytes:long, Seconds:real, Host:string", rows...)
		}},
	{"areachart.png", "... | summarize SignIns=count() by bin(TimeGenerated, 1h), Account | render areachart with (kind=stacked)",
		"areachart", map[string]any{"kind": "stacked", "title": "Stacked sign-ins"}, hourly},
	{"scatterchart.png", "DeviceNetworkEvents | project SentKB, Connections, Device | render scatterchart",
		"scatterchart", nil, func(tb testing.TB) *table.Table {
			var rows [][]any
			for i := range 40 {
				rows = append(rows, []any{float64(i*37%100) + 3 + float64(i%2)*60, i*53%47 + 1 + (i%2)*40, []string{"laptop", "server"}[i%2]})
			}
			rows = append(rows, []any{420.0, 230, "server"}) // the exfiltrating one
			return datatable(tb, "SentKB:real, Connections:long, Device:string", rows...)
		}},
	{"anomalychart.png", "SecurityEvent | make-series Logons=count() on TimeGenerated step 1h by Computer | render anomalychart",
		"anomalychart", map[string]any{"title": "Logons on DC01 (series_decompose_anomalies)"}, madeSeries},
	{"columnchart.png", "SigninLogs | summarize Count=count() by Country, ResultType | render columnchart with (kind=stacked)",
		"columnchart", map[string]any{"kind": "stacked", "ytitle": "sign-ins"}, func(tb testing.TB) *table.Table {
			return datatable(tb, "Country:string, Result:string, Count:long",
				[]any{"US", "success", 900}, []any{"US", "failure", 120}, []any{"DE", "success", 300}, []any{"DE", "failure", 40},
				[]any{"NL", "success", 120}, []any{"NL", "failure", 260}, []any{"BR", "success", 80}, []any{"BR", "failure", 15})
		}},
	{"barchart.png", "SecurityAlert | summarize Alerts=count() by AlertName | top 6 by Alerts | render barchart",
		"barchart", map[string]any{"title": "Top alerts"}, func(tb testing.TB) *table.Table {
			return datatable(tb, "AlertName:string, Alerts:long",
				[]any{"Suspicious PowerShell", 48}, []any{"Password spray", 31}, []any{"Impossible travel", 22},
				[]any{"Mass download", 9}, []any{"New admin account", 4}, []any{"Ransomware behaviour", 2})
		}},
	{"piechart.png", "DeviceProcessEvents | summarize count() by InitiatingProcessFileName | render piechart",
		"piechart", nil, func(tb testing.TB) *table.Table {
			var rows [][]any
			for i, n := range []string{"powershell.exe", "cmd.exe", "wmic.exe", "rundll32.exe", "mshta.exe", "certutil.exe", "regsvr32.exe", "bitsadmin.exe", "cscript.exe", "wscript.exe", "msiexec.exe", "schtasks.exe", "at.exe"} {
				rows = append(rows, []any{n, 200 / (i + 1)})
			}
			return datatable(tb, "Process:string, count_:long", rows...)
		}},
	{"card.png", "SecurityIncident | summarize Open=countif(Status == 'New'), High=countif(Severity == 'High') | render card",
		"card", map[string]any{"title": "Incidents"}, func(tb testing.TB) *table.Table {
			return datatable(tb, "Open:long, High:long", []any{17, 4})
		}},
	{"ladderchart.png", "SigninLogs | summarize min(TimeGenerated), max(TimeGenerated) by IPAddress, UserPrincipalName | render ladderchart with (series=UserPrincipalName)",
		"ladderchart", map[string]any{"series": "User"}, func(tb testing.TB) *table.Table {
			return datatable(tb, "IP:string, User:string, First:datetime, Last:datetime",
				[]any{"203.0.113.7", "alice", hour(1), hour(9)}, []any{"198.51.100.2", "alice", hour(7), hour(8)},
				[]any{"192.0.2.44", "bob", hour(3), hour(20)}, []any{"203.0.113.99", "carol", hour(12), hour(13)})
		}},
	{"timepivot.png", "DeviceEvents | project Timestamp, DeviceName | render timepivot",
		"timepivot", nil, func(tb testing.TB) *table.Table {
			var rows [][]any
			for i := range 30 {
				rows = append(rows, []any{hour(i * 37 % 48), []string{"web01", "db01", "laptop-7"}[i%3]})
			}
			return datatable(tb, "Timestamp:datetime, DeviceName:string", rows...)
		}},
	{"panels.png", "... | summarize Failures=countif(ResultType != 0), Successes=countif(ResultType == 0) by bin(TimeGenerated, 1h) | render timechart with (ysplit=panels)",
		"timechart", map[string]any{"ysplit": "panels"}, func(tb testing.TB) *table.Table {
			var rows [][]any
			for h := range 48 {
				rows = append(rows, []any{hour(h), 3 + h%4 + 30*boolInt(h == 30), 100 + 50*int(math.Round(math.Sin(float64(h)/4)))})
			}
			return datatable(tb, "TimeGenerated:datetime, Failures:long, Successes:long", rows...)
		}},
	{"axes.png", "... | summarize MB=sum(SentBytes)/1e6, Connections=count() by bin(TimeGenerated, 1h) | render timechart with (ysplit=axes)",
		"timechart", map[string]any{"ysplit": "axes", "title": "Egress: MB (left) and connections (right)"}, func(tb testing.TB) *table.Table {
			var rows [][]any
			for h := range 48 {
				rows = append(rows, []any{hour(h), 2 + math.Abs(math.Sin(float64(h)/5)) + 40*float64(boolInt(h == 33)), 3000 + 1500*math.Cos(float64(h)/7)})
			}
			return datatable(tb, "TimeGenerated:datetime, MB:real, Connections:real", rows...)
		}},
	{"anomalycolumns.png", "... | make-series Logons=count() on TimeGenerated step 1h | extend (anomalies, score, baseline) = series_decompose_anomalies(Logons, 2.5) | render anomalychart with (anomalycolumns=anomalies, ycolumns=Logons, baseline)",
		"anomalychart", map[string]any{"anomalycolumns": []string{"anomalies"}, "ycolumns": []string{"Logons", "baseline"}, "title": "Logons: the query's anomalies (k=2.5)"},
		func(tb testing.TB) *table.Table {
			t := madeSeries(tb)
			y, _ := functions.SeriesFloats(t.Columns[1].Dyns[0])
			flags, _, base, err := functions.Anomalies(y, 2.5, -1, "avg", 0, "ctukey", 0.6)
			if err != nil {
				tb.Fatal(err)
			}
			fl := make([]float64, len(flags))
			for i, f := range flags {
				fl[i] = float64(f)
			}
			return datatable(tb, "Computer:string, Logons:dynamic, TimeGenerated:dynamic, anomalies:dynamic, baseline:dynamic",
				[]any{"DC01", nums(y...), timeArray(len(y), time.Hour), nums(fl...), nums(base...)})
		}},
	{"many-series.png", "... | summarize count() by bin(TimeGenerated, 1h), Computer | render timechart  // 25 computers: top 10 + other",
		"timechart", nil, func(tb testing.TB) *table.Table {
			var rows [][]any
			for c := range 25 {
				for h := range 24 {
					rows = append(rows, []any{hour(h), "host-" + string(rune('a'+c)), 5 + (c*7+h*3)%20 + c})
				}
			}
			return datatable(tb, "TimeGenerated:datetime, Computer:string, count_:long", rows...)
		}},
}

// checkPNG decodes a PNG and checks its size and that it shows something:
// enough non-white pixels in several colours.
func checkPNG(t *testing.T, name string, data []byte, w, h int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: not a PNG: %v", name, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("%s: %dx%d, want %dx%d", name, b.Dx(), b.Dy(), w, h)
	}
	ink, colours := inked(img)
	if ink < 0.003 || colours < 2 { // a card is mostly white space
		t.Errorf("%s: looks blank: %.3f of pixels drawn in %d colours", name, ink, colours)
	}
}

func inked(img image.Image) (float64, int) {
	b := img.Bounds()
	n := 0
	seen := map[color.RGBA]bool{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				n++
				if len(seen) < 64 {
					seen[color.RGBA{uint8(r >> 12), uint8(g >> 12), uint8(bl >> 12), 0}] = true
				}
			}
		}
	}
	return float64(n) / float64(b.Dx()*b.Dy()), len(seen)
}

func checkSVG(t *testing.T, name string, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	elems := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: SVG is not XML: %v", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if elems == 0 && se.Name.Local != "svg" {
				t.Errorf("%s: root element %s, want svg", name, se.Name.Local)
			}
			elems++
		}
	}
	if elems < 5 {
		t.Errorf("%s: SVG has only %d elements", name, elems)
	}
}

// TestGallery renders every chart kind to PNG and SVG and checks both;
// with -update it writes the PNGs shown by docs/charts.md.
func TestGallery(t *testing.T) {
	const w, h = 640, 360
	for _, ex := range gallery {
		c, err := Build(ex.t(t), ex.kind, ex.props)
		if err != nil {
			t.Errorf("%s: %v", ex.file, err)
			continue
		}
		data, err := Render(c, "png", w, h)
		if err != nil {
			t.Errorf("%s: %v", ex.file, err)
			continue
		}
		checkPNG(t, ex.file, data, w, h)
		svg, err := Render(c, "svg", w, h)
		if err != nil {
			t.Errorf("%s svg: %v", ex.file, err)
			continue
		}
		checkSVG(t, ex.file, svg)
		if *update {
			path := filepath.Join("..", "..", "docs", "charts", ex.file)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestRenderErrors(t *testing.T) {
	c, err := Build(datatable(t, "X:long, Y:long", []any{1, 0}, []any{2, 5}), "linechart", map[string]any{"yaxis": "log"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		format string
		w, h   int
		err    string
	}{
		{"gif", 400, 300, "format must be png or svg"},
		{"png", 10, 300, "outside"},
		{"png", 400, 300, "yaxis=log needs positive values; Y has 0"},
	}
	for _, cs := range cases {
		if _, err := Render(c, cs.format, cs.w, cs.h); err == nil || !strings.Contains(err.Error(), cs.err) {
			t.Errorf("%s %dx%d: error %v, want %q", cs.format, cs.w, cs.h, err, cs.err)
		}
	}
	// an empty result still draws (empty axes), it does not fail
	empty, err := Build(datatable(t, "T:datetime, N:long"), "timechart", nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := Render(empty, "png", 300, 200)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		t.Error(err)
	}
}

func BenchmarkRenderLargeTimechart(b *testing.B) {
	var rows [][]any
	for i := range 100000 {
		rows = append(rows, []any{t0.Add(time.Duration(i) * time.Minute), []string{"a", "b", "c"}[i%3], i % 97})
	}
	tb := datatable(b, "T:datetime, K:string, N:long", rows...)
	b.ResetTimer()
	for b.Loop() {
		c, err := Build(tb, "timechart", nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Render(c, "png", 800, 400); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTwoAxes checks ysplit=axes: two y columns share one plot with the
// second column's scale on a right-hand axis; three fall back to panels.
func TestTwoAxes(t *testing.T) {
	var rows [][]any
	for h := range 24 {
		rows = append(rows, []any{hour(h), float64(h % 5), 1000 + 100*float64(h), 7.0})
	}
	tb := datatable(t, "T:datetime, Small:real, Big:real, Flat:real", rows...)
	for _, c := range []struct {
		name   string
		ycols  []string
		split  string
		axes   bool
		panels int
		texts  []string // right-axis text the SVG must hold
	}{
		{"two columns, axes", []string{"Small", "Big"}, "axes", true, 0, []string{"Big", "1000", "2000", "3000"}},
		{"three columns fall back to panels", []string{"Small", "Big", "Flat"}, "axes", false, 3, nil},
		{"panels stay panels", []string{"Small", "Big"}, "panels", false, 2, nil},
	} {
		ch, err := Build(tb, "timechart", map[string]any{"ysplit": c.split, "ycolumns": c.ycols})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := twoAxes(ch); got != c.axes {
			t.Errorf("%s: twoAxes = %v, want %v", c.name, got, c.axes)
		}
		if !c.axes && len(panelGroups(ch)) != c.panels {
			t.Errorf("%s: %d panels, want %d", c.name, len(panelGroups(ch)), c.panels)
		}
		svg, err := Render(ch, "svg", 640, 360)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, txt := range c.texts {
			if !strings.Contains(string(svg), ">"+txt+"<") {
				t.Errorf("%s: SVG has no %q label", c.name, txt)
			}
		}
	}
	// the right column is drawn in the left column's coordinates: its
	// lowest value on the left axis' lowest padded value
	ch, _ := Build(tb, "timechart", map[string]any{"ysplit": "axes", "ycolumns": []string{"Small", "Big"}})
	lo1, hi1, _ := yRange(ch, "Small")
	lo2, hi2, _ := yRange(ch, "Big")
	if lo1 >= 0 || hi1 <= 4 || lo2 >= 1000 || hi2 <= 3300 {
		t.Errorf("padded ranges %v..%v and %v..%v do not hold the data", lo1, hi1, lo2, hi2)
	}
}

// Value axes tick at round steps with no needless decimals, counts start
// at zero, and the top lands on a tick above the highest point.
func TestNiceAxis(t *testing.T) {
	label := func(min, max float64) string {
		var ls []string
		for _, tk := range (niceTicks{}).Ticks(min, max) {
			if tk.Label != "" {
				ls = append(ls, tk.Label)
			}
		}
		return strings.Join(ls, " ")
	}
	tests := []struct {
		min, max float64
		want     string
	}{
		{0, 2500, "0 500 1000 1500 2000 2500"},
		{0, 1, "0.0 0.2 0.4 0.6 0.8 1.0"}, // one number of decimals along the axis
		{-0.2, 0.55, "-0.2 0.0 0.2 0.4"},
		{0, 12500, "0 2000 4000 6000 8000 10000 12000"},
		{3, 3, "3"},
	}
	for _, tc := range tests {
		if got := label(tc.min, tc.max); got != tc.want {
			t.Errorf("ticks(%v, %v) = %q, want %q", tc.min, tc.max, got, tc.want)
		}
	}
	for _, tc := range []struct {
		lo, hi, wantLo, wantHi float64
		fromZero               bool
	}{
		{57, 2427, 0, 2500, true},
		{57, 2427, 57, 2500, false},
		{-3, 7, -3, 8, true}, // negative data keeps its low end
		{0, 100, 0, 120, true},
		{-15, 102, -15, 120, true},
	} {
		lo, hi := niceRange(tc.lo, tc.hi, tc.fromZero)
		if lo != tc.wantLo || hi != tc.wantHi {
			t.Errorf("niceRange(%v, %v, %v) = %v, %v; want %v, %v", tc.lo, tc.hi, tc.fromZero, lo, hi, tc.wantLo, tc.wantHi)
		}
	}
}
