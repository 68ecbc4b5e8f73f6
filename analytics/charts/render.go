package charts

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Drawing limits: beyond MaxSeries the smallest series fold into one
// "other" series; a series longer than about two points per pixel column is
// thinned (keeping each bucket's extremes) before drawing.
const (
	MaxSeries = 10
	dpi       = 96
)

// Okabe-Ito: distinguishable with the common colour-vision deficiencies.
var palette = []color.RGBA{
	{0x00, 0x72, 0xB2, 0xff}, // blue
	{0xE6, 0x9F, 0x00, 0xff}, // orange
	{0x00, 0x9E, 0x73, 0xff}, // bluish green
	{0xCC, 0x79, 0xA7, 0xff}, // reddish purple
	{0x56, 0xB4, 0xE9, 0xff}, // sky blue
	{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	{0xF0, 0xE4, 0x42, 0xff}, // yellow
	{0x00, 0x00, 0x00, 0xff}, // black
}

var (
	otherColor   = color.RGBA{0x99, 0x99, 0x99, 0xff}
	anomalyColor = color.RGBA{0xD5, 0x5E, 0x00, 0xff}
	white        = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// seriesColor is series i's colour; "other" is grey.
func seriesColor(s Series, i int) color.RGBA {
	if s.isOther() {
		return otherColor
	}
	return palette[i%len(palette)]
}

func (s Series) isOther() bool { return s.Key == nil && strings.HasPrefix(s.Name, "other (") }

// dashes varies the line pattern once the palette has been used up.
func dashes(i int) []vg.Length {
	switch (i / len(palette)) % 3 {
	case 1:
		return []vg.Length{vg.Points(6), vg.Points(3)}
	case 2:
		return []vg.Length{vg.Points(2), vg.Points(2)}
	}
	return nil
}

// Render draws c as "png" or "svg", widthPx by heightPx pixels (at 96 DPI).
func Render(c *Chart, format string, widthPx, heightPx int) ([]byte, error) {
	format = strings.ToLower(format)
	if format != "png" && format != "svg" {
		return nil, fmt.Errorf("charts: format must be png or svg, got %q", format)
	}
	if widthPx < 120 || heightPx < 90 || widthPx > 8000 || heightPx > 8000 {
		return nil, fmt.Errorf("charts: size %dx%d px is outside 120x90 .. 8000x8000", widthPx, heightPx)
	}
	if c == nil || c.IsTable() {
		return nil, fmt.Errorf("charts: a table is shown as a table, not drawn")
	}
	w := vg.Length(widthPx) * vg.Inch / dpi
	h := vg.Length(heightPx) * vg.Inch / dpi
	var canvas vg.CanvasWriterTo
	switch format {
	case "png":
		canvas = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(white))}
	default:
		canvas = vgsvg.New(w, h)
	}
	dc := draw.New(canvas)
	dc.FillPolygon(white, []vg.Point{dc.Min, {X: dc.Max.X, Y: dc.Min.Y}, dc.Max, {X: dc.Min.X, Y: dc.Max.Y}})
	if err := drawChart(dc, prepare(c, widthPx)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := canvas.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("charts: writing %s: %v", format, err)
	}
	return buf.Bytes(), nil
}

// prepare returns the chart to draw: at most MaxSeries series plus
// "other", and long series thinned to about two points per pixel.
func prepare(c *Chart, widthPx int) *Chart {
	d := *c
	d.Series = Limit(c.Series, MaxSeries)
	maxPts := max(2*widthPx, 200)
	for i := range d.Series {
		if len(d.Series[i].Points) > maxPts && d.XKind != XCategory {
			s := d.Series[i]
			s.Points = Thin(s.Points, maxPts)
			d.Series[i] = s
		}
	}
	return &d
}

// Limit keeps the n series with the largest total magnitude, in their
// original order, and folds the rest into one "other (k series)" series
// summing their values at each x.
func Limit(series []Series, n int) []Series {
	if len(series) <= n+1 {
		return series
	}
	type ranked struct {
		i   int
		sum float64
	}
	r := make([]ranked, len(series))
	for i, s := range series {
		r[i].i = i
		for _, p := range s.Points {
			if !math.IsNaN(p.Y) {
				r[i].sum += math.Abs(p.Y)
			}
		}
	}
	sort.SliceStable(r, func(a, b int) bool { return r[a].sum > r[b].sum })
	keep := map[int]bool{}
	for _, x := range r[:n] {
		keep[x.i] = true
	}
	var out []Series
	sums := map[float64]float64{}
	var xs []float64
	for i, s := range series {
		if keep[i] {
			out = append(out, s)
			continue
		}
		for _, p := range s.Points {
			if math.IsNaN(p.Y) {
				continue
			}
			if _, ok := sums[p.X]; !ok {
				xs = append(xs, p.X)
			}
			sums[p.X] += p.Y
		}
	}
	sort.Float64s(xs)
	other := Series{Name: fmt.Sprintf("other (%d series)", len(series)-n)}
	for _, x := range xs {
		other.Points = append(other.Points, Point{X: x, Y: sums[x]})
	}
	return append(out, other)
}

// Thin reduces points (sorted by X) to at most about max by keeping, in
// each of max/2 buckets, the lowest and highest point: spikes survive,
// which matters for hunting. Anomalous points are always kept.
func Thin(pts []Point, max int) []Point {
	if len(pts) <= max || max < 4 {
		return pts
	}
	buckets := max / 2
	out := make([]Point, 0, max+8)
	for b := range buckets {
		lo, hi := b*len(pts)/buckets, (b+1)*len(pts)/buckets
		mi, ma := -1, -1
		for i := lo; i < hi; i++ {
			if math.IsNaN(pts[i].Y) {
				continue
			}
			if mi < 0 || pts[i].Y < pts[mi].Y {
				mi = i
			}
			if ma < 0 || pts[i].Y > pts[ma].Y {
				ma = i
			}
		}
		for i := lo; i < hi; i++ {
			if i == mi || i == ma || pts[i].Anomaly != 0 {
				out = append(out, pts[i])
			}
		}
		if mi < 0 { // an all-null bucket stays a gap
			out = append(out, Point{X: pts[lo].X, Y: math.NaN()})
		}
	}
	return out
}

func drawChart(dc draw.Canvas, c *Chart) error {
	if c.empty() {
		drawNoData(dc, c)
		return nil
	}
	switch c.Kind {
	case "card":
		drawCard(dc, c)
		return nil
	case "piechart":
		return drawPie(dc, c)
	}
	if c.YLog {
		for _, s := range c.Series {
			for _, p := range s.Points {
				if !math.IsNaN(p.Y) && p.Y <= 0 {
					return fmt.Errorf("charts: yaxis=log needs positive values; %s has %g", s.Name, p.Y)
				}
			}
		}
	}
	if c.XLog && c.XKind != XCategory {
		for _, s := range c.Series {
			for _, p := range s.Points {
				if p.X <= 0 {
					return fmt.Errorf("charts: xaxis=log needs positive x values; %s has %g", s.Name, p.X)
				}
			}
		}
	}
	legend, legendW := buildLegend(c)
	area := dc
	if legendW > 0 {
		area = draw.Crop(dc, 0, -legendW, 0, 0)
		strip := draw.Crop(dc, dc.Max.X-dc.Min.X-legendW+vg.Points(4), 0, 0, -vg.Points(30))
		legend.Draw(strip)
	}
	if twoAxes(c) {
		return drawTwoAxes(area, c)
	}
	panels := panelGroups(c)
	n := vg.Length(len(panels))
	ph := (area.Max.Y - area.Min.Y) / n
	for i, ys := range panels {
		p := newPlot(c, i == 0, i == len(panels)-1)
		if err := addPlotters(p, c, ys); err != nil {
			return err
		}
		if len(panels) > 1 && c.YTitle == "" {
			p.Y.Label.Text = strings.Join(ys, ", ")
		}
		top := vg.Length(i) * ph
		panel := draw.Crop(area, 0, 0, area.Max.Y-area.Min.Y-top-ph, -top)
		p.Draw(panel)
	}
	return nil
}

// panelGroups lists the y columns drawn in each panel: one panel, or one
// per y column for ysplit=panels (and for ysplit=axes with more than two y
// columns: separate scales, stacked; two get a left and a right axis).
func panelGroups(c *Chart) [][]string {
	if c.YSplit == "none" || len(c.YColumns) < 2 || (c.Kind != "timechart" && c.Kind != "linechart" && c.Kind != "areachart" && c.Kind != "anomalychart" && c.Kind != "scatterchart") {
		return [][]string{nil}
	}
	var out [][]string
	for _, y := range c.YColumns {
		out = append(out, []string{y})
	}
	return out
}

func newPlot(c *Chart, first, last bool) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = color.Transparent
	if first {
		p.Title.Text = c.Title
		p.Title.TextStyle.Font.Size = vg.Points(13)
	}
	if c.Kind == "barchart" { // horizontal: the axes swap roles
		p.X.Label.Text = c.YTitle
		p.Y.Label.Text = c.XTitle
	} else {
		p.X.Label.Text = c.XTitle
		p.Y.Label.Text = c.YTitle
	}
	if !last {
		p.X.Label.Text = ""
		defer func() { p.X.Tick.Marker = blankTicks{p.X.Tick.Marker} }()
	}
	grid := color.RGBA{0xdd, 0xdd, 0xdd, 0xff}
	switch c.XKind {
	case XTime:
		p.X.Tick.Marker = timeTicker{}
		if p.X.Label.Text != "" {
			p.X.Label.Text += " (UTC)"
		} else if last {
			p.X.Label.Text = "time (UTC)"
		}
	case XNumber:
		if c.XLog {
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = plot.LogTicks{Prec: -1}
		}
	}
	if c.YLog {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	if c.Kind != "barchart" && c.Kind != "ladderchart" && c.Kind != "timepivot" {
		g := newGridY(grid)
		p.Add(g)
	}
	return p
}

// addPlotters adds the series whose y column is in ys (all when ys is nil).
func addPlotters(p *plot.Plot, c *Chart, ys []string) error {
	var idx []int
	for i, s := range c.Series {
		if ys == nil || s.YColumn == ys[0] || s.isOther() {
			idx = append(idx, i)
		}
	}
	switch c.Kind {
	case "barchart", "columnchart":
		addBars(p, c, idx)
	case "ladderchart":
		addLadder(p, c)
	case "timepivot":
		addTimepivot(p, c)
	case "scatterchart":
		for _, i := range idx {
			p.Add(&xyPlotter{pts: c.Series[i].Points, color: seriesColor(c.Series[i], i), dots: true})
		}
	default: // timechart, linechart, areachart, anomalychart
		area := c.Kind == "areachart"
		stacked := area && (c.Mode == "stacked" || c.Mode == "stacked100")
		base := map[float64]float64{}
		for _, i := range idx {
			s := c.Series[i]
			xp := &xyPlotter{pts: s.Points, color: seriesColor(s, i), dash: dashes(i), fill: area, alpha: 0.3}
			if stacked {
				xp.alpha = 0.8
				xp.base = make([]float64, len(s.Points))
				xp.pts = make([]Point, len(s.Points))
				for j, pt := range s.Points {
					xp.base[j] = base[pt.X]
					xp.pts[j] = pt
					if !math.IsNaN(pt.Y) {
						xp.pts[j].Y = base[pt.X] + pt.Y
						base[pt.X] = xp.pts[j].Y
					}
				}
			}
			p.Add(xp)
		}
		if c.Kind == "anomalychart" {
			for _, i := range idx {
				p.Add(&anomalyPlotter{pts: c.Series[i].Points})
			}
		}
	}
	if !math.IsNaN(c.YMin) {
		if c.Kind == "barchart" {
			p.X.Min = c.YMin
		} else {
			p.Y.Min = c.YMin
		}
	}
	if !math.IsNaN(c.YMax) {
		if c.Kind == "barchart" {
			p.X.Max = c.YMax
		} else {
			p.Y.Max = c.YMax
		}
	}
	if c.Mode == "stacked100" && math.IsNaN(c.YMax) {
		if c.Kind == "barchart" {
			p.X.Max = 100
		} else {
			p.Y.Max = 100
		}
	}
	// A linear value axis: round ticks; counts from zero with room on top.
	switch c.Kind {
	case "ladderchart", "timepivot":
	default:
		if c.YLog {
			break
		}
		ax := &p.Y
		if c.Kind == "barchart" {
			ax = &p.X
		}
		lo, hi := niceRange(ax.Min, ax.Max, c.Kind != "scatterchart")
		if math.IsNaN(c.YMin) {
			ax.Min = lo
		}
		if math.IsNaN(c.YMax) && c.Mode != "stacked100" {
			ax.Max = hi
		}
		ax.Tick.Marker = niceTicks{}
	}
	return nil
}

// truncate shortens long labels so axes and legends keep room for data.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func addBars(p *plot.Plot, c *Chart, idx []int) {
	horizontal := c.Kind == "barchart"
	stacked := c.Mode == "stacked" || c.Mode == "stacked100"
	ncat := len(c.Categories)
	labels := make([]string, ncat)
	for i, cat := range c.Categories {
		labels[i] = truncate(cat, 24)
	}
	var rects []rect
	pos, neg := make([]float64, ncat), make([]float64, ncat)
	for k, i := range idx {
		s := c.Series[i]
		col := seriesColor(s, i)
		for _, pt := range s.Points {
			if math.IsNaN(pt.Y) {
				continue
			}
			ci := int(pt.X)
			slot := float64(ci)
			if horizontal {
				slot = float64(ncat - 1 - ci) // first category on top
			}
			r := rect{color: col}
			if stacked {
				r.p0, r.p1 = slot-0.4, slot+0.4
				if pt.Y >= 0 {
					r.v0, r.v1 = pos[ci], pos[ci]+pt.Y
					pos[ci] += pt.Y
				} else {
					r.v0, r.v1 = neg[ci]+pt.Y, neg[ci]
					neg[ci] += pt.Y
				}
			} else {
				wdt := 0.8 / float64(len(idx))
				r.p0 = slot - 0.4 + float64(k)*wdt
				r.p1 = r.p0 + wdt
				r.v0, r.v1 = math.Min(0, pt.Y), math.Max(0, pt.Y)
			}
			r.horizontal = horizontal
			rects = append(rects, r)
		}
	}
	p.Add(&rectPlotter{rects: rects})
	if horizontal {
		rev := make([]string, ncat)
		for i, l := range labels {
			rev[ncat-1-i] = l
		}
		p.NominalY(rev...)
		g := newGridX(color.RGBA{0xdd, 0xdd, 0xdd, 0xff})
		p.Add(g)
	} else {
		p.NominalX(labels...)
		if ncat > 8 {
			p.X.Tick.Label.Rotation = math.Pi / 5
			p.X.Tick.Label.XAlign = draw.XRight
			p.X.Tick.Label.YAlign = draw.YCenter
		}
	}
}

func addLadder(p *plot.Plot, c *Chart) {
	n := len(c.Ranges)
	labels := make([]string, n)
	colorOf := map[string]int{}
	var rects []rect
	for i, r := range c.Ranges {
		slot := float64(n - 1 - i)
		labels[n-1-i] = truncate(r.Label, 24)
		ci, ok := colorOf[r.Series]
		if !ok {
			ci = len(colorOf)
			colorOf[r.Series] = ci
		}
		rects = append(rects, rect{p0: slot - 0.35, p1: slot + 0.35, v0: r.Start, v1: r.End, horizontal: true, color: palette[ci%len(palette)], minWidth: true})
	}
	p.Add(&rectPlotter{rects: rects})
	p.NominalY(labels...)
	if c.XKind == XTime {
		p.X.Tick.Marker = timeTicker{}
	}
	p.Add(newGridX(color.RGBA{0xdd, 0xdd, 0xdd, 0xff}))
}

func addTimepivot(p *plot.Plot, c *Chart) {
	n := len(c.Categories)
	labels := make([]string, n)
	for i, l := range c.Categories {
		labels[n-1-i] = truncate(l, 24)
	}
	for i, s := range c.Series {
		pts := make([]Point, len(s.Points))
		for j, pt := range s.Points {
			pts[j] = Point{X: pt.X, Y: float64(n - 1 - i)}
		}
		p.Add(&xyPlotter{pts: pts, color: seriesColor(s, i), dots: true, glyph: draw.BoxGlyph{}})
	}
	p.NominalY(labels...)
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5 // lanes off the frame
	p.Add(newGridX(color.RGBA{0xdd, 0xdd, 0xdd, 0xff}))
}

// buildLegend makes the legend drawn right of the plot (so it never covers
// data) and returns its width; 0 when there is no legend to show.
func buildLegend(c *Chart) (plot.Legend, vg.Length) {
	l := plot.NewLegend()
	l.TextStyle.Font.Size = vg.Points(9)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(14)
	l.Padding = vg.Points(2)
	var entries []string
	switch c.Kind {
	case "ladderchart":
		seen := map[string]bool{}
		k := 0
		for _, r := range c.Ranges {
			if r.Series == "" || seen[r.Series] {
				continue
			}
			seen[r.Series] = true
			entries = append(entries, truncate(r.Series, 28))
			l.Add(entries[len(entries)-1], swatch{palette[k%len(palette)]})
			k++
		}
	case "timepivot":
		return l, 0 // lanes are labelled on the axis
	default:
		if len(c.Series) < 2 && c.Kind != "anomalychart" {
			return l, 0
		}
		for i, s := range c.Series {
			name := truncate(s.Name, 28)
			entries = append(entries, name)
			switch c.Kind {
			case "barchart", "columnchart", "areachart":
				l.Add(name, swatch{seriesColor(s, i)})
			default:
				l.Add(name, lineThumb{seriesColor(s, i), dashes(i), c.Kind == "scatterchart"})
			}
		}
		if c.Kind == "anomalychart" {
			entries = append(entries, "anomaly (rise)", "anomaly (dip)")
			l.Add("anomaly (rise)", glyphThumb{draw.PyramidGlyph{}})
			l.Add("anomaly (dip)", glyphThumb{draw.BoxGlyph{}})
		}
	}
	if !c.Legend || len(entries) == 0 {
		return l, 0
	}
	width := vg.Length(0)
	for _, e := range entries {
		if wd := l.TextStyle.Rectangle(" " + e).Max.X; wd > width {
			width = wd
		}
	}
	return l, width + l.ThumbnailWidth + vg.Points(12)
}

type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(s.c, pts)
}

type lineThumb struct {
	c    color.Color
	dash []vg.Length
	dot  bool
}

func (t lineThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	if t.dot {
		c.DrawGlyph(draw.GlyphStyle{Color: t.c, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}, c.Center())
		return
	}
	c.StrokeLine2(draw.LineStyle{Color: t.c, Width: vg.Points(2), Dashes: t.dash}, c.Min.X, y, c.Max.X, y)
}

type glyphThumb struct{ shape draw.GlyphDrawer }

func (t glyphThumb) Thumbnail(c *draw.Canvas) {
	c.DrawGlyph(draw.GlyphStyle{Color: anomalyColor, Radius: vg.Points(4), Shape: t.shape}, c.Center())
}

// drawCard writes the first record's values large, names small beneath.
func drawCard(dc draw.Canvas, c *Chart) {
	p := plot.New()
	name := p.Title.TextStyle
	name.Font.Size = vg.Points(11)
	name.Color = color.RGBA{0x55, 0x55, 0x55, 0xff}
	name.XAlign = draw.XCenter
	name.YAlign = draw.YTop
	val := p.Title.TextStyle
	val.XAlign = draw.XCenter
	val.YAlign = draw.YBottom
	val.Color = palette[0]
	n := len(c.Card)
	w := (dc.Max.X - dc.Min.X) / vg.Length(n)
	val.Font.Size = min(vg.Points(64), (dc.Max.Y-dc.Min.Y)/3, w/4)
	cy := dc.Min.Y + (dc.Max.Y-dc.Min.Y)/2
	if c.Title != "" {
		t := p.Title.TextStyle
		t.XAlign = draw.XCenter
		dc.FillText(t, vg.Point{X: dc.Min.X + (dc.Max.X-dc.Min.X)/2, Y: dc.Max.Y - vg.Points(20)}, c.Title)
	}
	for i, f := range c.Card {
		x := dc.Min.X + w*vg.Length(i) + w/2
		maxRunes := max(4, int(w/(val.Font.Size*0.6)))
		dc.FillText(val, vg.Point{X: x, Y: cy}, truncate(f.Value, maxRunes))
		dc.FillText(name, vg.Point{X: x, Y: cy - vg.Points(6)}, truncate(f.Name, 40))
	}
}

// drawPie draws slices clockwise from twelve o'clock, the largest first
// beyond MaxSeries folded into "other", with a legend of shares.
func drawPie(dc draw.Canvas, c *Chart) error {
	if len(c.Series) == 0 {
		return nil
	}
	type slice struct {
		label string
		v     float64
		color color.Color
	}
	var slices []slice
	total := 0.0
	for _, pt := range c.Series[0].Points {
		if math.IsNaN(pt.Y) || pt.Y <= 0 {
			continue
		}
		slices = append(slices, slice{label: c.Categories[int(pt.X)], v: pt.Y})
		total += pt.Y
	}
	sort.SliceStable(slices, func(i, j int) bool { return slices[i].v > slices[j].v })
	if len(slices) > MaxSeries+1 {
		rest := 0.0
		for _, s := range slices[MaxSeries:] {
			rest += s.v
		}
		slices = append(slices[:MaxSeries], slice{label: fmt.Sprintf("other (%d)", len(slices)-MaxSeries), v: rest, color: otherColor})
	}
	l := plot.NewLegend()
	l.TextStyle.Font.Size = vg.Points(9)
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(14)
	width := vg.Length(0)
	for i := range slices {
		if slices[i].color == nil {
			slices[i].color = palette[i%len(palette)]
		}
		e := fmt.Sprintf("%s (%.1f%%)", truncate(slices[i].label, 28), 100*slices[i].v/total)
		if c.Legend {
			l.Add(e, swatch{slices[i].color})
		}
		if wd := l.TextStyle.Rectangle(" " + e).Max.X; wd > width {
			width = wd
		}
	}
	area := dc
	if c.Legend && len(slices) > 0 {
		lw := width + l.ThumbnailWidth + vg.Points(12)
		area = draw.Crop(dc, 0, -lw, 0, 0)
		l.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-lw+vg.Points(4), 0, 0, -vg.Points(30)))
	}
	top := area.Max.Y
	if c.Title != "" {
		p := plot.New()
		t := p.Title.TextStyle
		t.Font.Size = vg.Points(13)
		t.XAlign = draw.XCenter
		area.FillText(t, vg.Point{X: area.Min.X + (area.Max.X-area.Min.X)/2, Y: area.Max.Y - vg.Points(18)}, c.Title)
		top -= vg.Points(24)
	}
	center := vg.Point{X: area.Min.X + (area.Max.X-area.Min.X)/2, Y: area.Min.Y + (top-area.Min.Y)/2}
	r := min(area.Max.X-area.Min.X, top-area.Min.Y)/2 - vg.Points(8)
	if total <= 0 || r <= 0 {
		return nil
	}
	angle := math.Pi / 2
	for _, s := range slices {
		sweep := -2 * math.Pi * s.v / total
		var path vg.Path
		path.Move(center)
		path.Line(vg.Point{X: center.X + r*vg.Length(math.Cos(angle)), Y: center.Y + r*vg.Length(math.Sin(angle))})
		path.Arc(center, r, angle, sweep)
		path.Close()
		area.SetColor(s.color)
		area.Fill(path)
		area.SetLineStyle(draw.LineStyle{Color: white, Width: vg.Points(1)})
		area.Stroke(path)
		angle += sweep
	}
	return nil
}

// empty reports whether there is nothing to draw: a query that found no rows
// is common in hunting, and its chart says so instead of failing.
func (c *Chart) empty() bool {
	switch c.Kind {
	case "card":
		return len(c.Card) == 0
	case "ladderchart":
		return len(c.Ranges) == 0
	}
	for _, s := range c.Series {
		if len(s.Points) > 0 {
			return false
		}
	}
	return true
}

// drawNoData draws the chart's title and a "no data" note in the middle.
func drawNoData(dc draw.Canvas, c *Chart) {
	sty := plot.New().Title.TextStyle
	sty.Font.Size = vg.Points(14)
	sty.Color = color.Gray{0x66}
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	mid := vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: (dc.Min.Y + dc.Max.Y) / 2}
	if c.Title != "" {
		tsty := sty
		tsty.Color = color.Black
		dc.FillText(tsty, vg.Point{X: mid.X, Y: dc.Max.Y - vg.Points(20)}, c.Title)
	}
	dc.FillText(sty, mid, "No data: the query returned no rows to draw")
}
