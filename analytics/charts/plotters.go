package charts

import (
	"image/color"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The plotters below work on Points directly so that nulls stay gaps
// (gonum's own plotters reject NaN) and bars are sized in data units.

func newGridY(c color.Color) *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	g.Horizontal.Color = c
	return g
}

func newGridX(c color.Color) *plotter.Grid {
	g := plotter.NewGrid()
	g.Horizontal.Color = nil
	g.Vertical.Color = c
	return g
}

// xyPlotter draws a series as a line broken at nulls, optionally filled
// down to base (areas; base nil means zero), or as dots.
type xyPlotter struct {
	pts   []Point
	base  []float64
	color color.RGBA
	dash  []vg.Length
	fill  bool
	alpha float64
	dots  bool
	glyph draw.GlyphDrawer
}

func (x *xyPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	tx, ty := plt.Transforms(&c)
	if x.dots {
		shape := x.glyph
		if shape == nil {
			shape = draw.CircleGlyph{}
		}
		sty := draw.GlyphStyle{Color: x.color, Radius: vg.Points(2.5), Shape: shape}
		for _, p := range x.pts {
			if math.IsNaN(p.Y) {
				continue
			}
			pt := vg.Point{X: tx(p.X), Y: ty(p.Y)}
			if c.Contains(pt) {
				c.DrawGlyph(sty, pt)
			}
		}
		return
	}
	var seg []int
	flush := func() {
		if len(seg) == 0 {
			return
		}
		line := make([]vg.Point, len(seg))
		for k, i := range seg {
			line[k] = vg.Point{X: tx(x.pts[i].X), Y: ty(x.pts[i].Y)}
		}
		if x.fill {
			poly := append([]vg.Point(nil), line...)
			for k := len(seg) - 1; k >= 0; k-- {
				b := 0.0
				if x.base != nil {
					b = x.base[seg[k]]
				}
				poly = append(poly, vg.Point{X: tx(x.pts[seg[k]].X), Y: ty(clampBase(b, plt))})
			}
			fc := x.color
			fc.A = uint8(255 * x.alpha)
			c.FillPolygon(premultiply(fc), c.ClipPolygonXY(poly))
		}
		if len(line) == 1 { // an isolated value shows as a dot
			if c.Contains(line[0]) {
				c.DrawGlyph(draw.GlyphStyle{Color: x.color, Radius: vg.Points(1.5), Shape: draw.CircleGlyph{}}, line[0])
			}
		} else {
			sty := draw.LineStyle{Color: x.color, Width: vg.Points(1.5), Dashes: x.dash}
			// short paths: the rasteriser slows down sharply on one long
			// jagged path (thinned series are jagged by design)
			for _, l := range c.ClipLinesXY(line) {
				for len(l) > 1 {
					n := min(len(l), 64)
					c.StrokeLines(sty, l[:n])
					l = l[n-1:]
				}
			}
		}
		seg = seg[:0]
	}
	for i, p := range x.pts {
		if math.IsNaN(p.Y) {
			flush()
			continue
		}
		seg = append(seg, i)
	}
	flush()
}

// GlyphBoxes makes the plot leave room for whole dots at its edges.
func (x *xyPlotter) GlyphBoxes(plt *plot.Plot) []plot.GlyphBox {
	if !x.dots {
		return nil
	}
	r := vg.Points(3)
	var boxes []plot.GlyphBox
	for _, p := range x.pts {
		if math.IsNaN(p.Y) {
			continue
		}
		boxes = append(boxes, plot.GlyphBox{X: plt.X.Norm(p.X), Y: plt.Y.Norm(p.Y),
			Rectangle: vg.Rectangle{Min: vg.Point{X: -r, Y: -r}, Max: vg.Point{X: r, Y: r}}})
	}
	return boxes
}

// clampBase keeps an area's floor inside the y range (a log axis has no 0).
func clampBase(b float64, plt *plot.Plot) float64 {
	if b < plt.Y.Min {
		return plt.Y.Min
	}
	return b
}

// premultiply makes a translucent colour for image/color's RGBA.
func premultiply(c color.RGBA) color.RGBA {
	a := uint32(c.A)
	return color.RGBA{uint8(uint32(c.R) * a / 255), uint8(uint32(c.G) * a / 255), uint8(uint32(c.B) * a / 255), c.A}
}

func (x *xyPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i, p := range x.pts {
		xmin, xmax = math.Min(xmin, p.X), math.Max(xmax, p.X)
		if !math.IsNaN(p.Y) {
			ymin, ymax = math.Min(ymin, p.Y), math.Max(ymax, p.Y)
		}
		if x.fill {
			b := 0.0
			if x.base != nil {
				b = x.base[i]
			}
			ymin = math.Min(ymin, b)
		}
	}
	return finiteRange(xmin, xmax, ymin, ymax)
}

// finiteRange gives empty data a unit range so axes still draw.
func finiteRange(xmin, xmax, ymin, ymax float64) (float64, float64, float64, float64) {
	if math.IsInf(xmin, 0) {
		xmin, xmax = 0, 1
	}
	if math.IsInf(ymin, 0) {
		ymin, ymax = 0, 1
	}
	return xmin, xmax, ymin, ymax
}

// anomalyPlotter marks the anomalous points of a series.
type anomalyPlotter struct{ pts []Point }

func (a *anomalyPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	tx, ty := plt.Transforms(&c)
	for _, p := range a.pts {
		if p.Anomaly == 0 || math.IsNaN(p.Y) {
			continue
		}
		var shape draw.GlyphDrawer = draw.PyramidGlyph{}
		if p.Anomaly < 0 {
			shape = draw.BoxGlyph{}
		}
		pt := vg.Point{X: tx(p.X), Y: ty(p.Y)}
		if c.Contains(pt) {
			c.DrawGlyph(draw.GlyphStyle{Color: anomalyColor, Radius: vg.Points(4.5), Shape: shape}, pt)
		}
	}
}

// rect is a bar: p0..p1 across the category slot, v0..v1 along the value
// axis; horizontal bars put the value on x.
type rect struct {
	p0, p1, v0, v1 float64
	horizontal     bool
	minWidth       bool // ladder bars of zero length still show
	color          color.Color
}

type rectPlotter struct{ rects []rect }

func (r *rectPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	tx, ty := plt.Transforms(&c)
	for _, b := range r.rects {
		var x0, x1, y0, y1 vg.Length
		if b.horizontal {
			x0, x1, y0, y1 = tx(b.v0), tx(b.v1), ty(b.p0), ty(b.p1)
		} else {
			x0, x1, y0, y1 = tx(b.p0), tx(b.p1), ty(b.v0), ty(b.v1)
		}
		if b.minWidth && x1-x0 < vg.Points(2) {
			x1 = x0 + vg.Points(2)
		}
		poly := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
		c.FillPolygon(b.color, c.ClipPolygonXY(poly))
	}
}

func (r *rectPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	pmin, pmax, vmin, vmax := math.Inf(1), math.Inf(-1), 0.0, 0.0
	if len(r.rects) > 0 && r.rects[0].minWidth {
		vmin, vmax = math.Inf(1), math.Inf(-1) // ladders do not start at zero
	}
	for _, b := range r.rects {
		pmin, pmax = math.Min(pmin, b.p0), math.Max(pmax, b.p1)
		vmin, vmax = math.Min(vmin, math.Min(b.v0, b.v1)), math.Max(vmax, math.Max(b.v0, b.v1))
	}
	pmin, pmax = pmin-0.15, pmax+0.15 // keep the outer bars off the frame
	if len(r.rects) > 0 && !r.rects[0].minWidth {
		pad := 0.05 * (vmax - vmin) // headroom past the longest bar
		if vmax > 0 {
			vmax += pad
		}
		if vmin < 0 {
			vmin -= pad
		}
	}
	if len(r.rects) > 0 && r.rects[0].horizontal {
		return finiteRange(vmin, vmax, pmin, pmax)
	}
	return finiteRange(pmin, pmax, vmin, vmax)
}

// timeTicker places ticks on whole UTC units (minutes, hours, days,
// months, years) chosen from the span so about six labels fit, and labels
// them with only as much of the date as the span needs.
type timeTicker struct{}

var tickSteps = []time.Duration{
	time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 2 * 24 * time.Hour, 7 * 24 * time.Hour,
}

func (timeTicker) Ticks(min, max float64) []plot.Tick {
	return TimeTicks(min, max, 6)
}

// TimeTicks returns ticks for a time axis from min to max (Unix seconds),
// at most about n labelled ones.
func TimeTicks(min, max float64, n int) []plot.Tick {
	if !(max > min) || n < 2 {
		return []plot.Tick{{Value: min, Label: formatTick(min, time.Hour, 0)}}
	}
	span := time.Duration((max - min) * float64(time.Second))
	lo := time.Unix(int64(math.Floor(min)), 0).UTC()
	var ticks []plot.Tick
	for _, step := range tickSteps {
		if span/step > time.Duration(n) {
			continue
		}
		t := lo.Truncate(step)
		for ; !t.After(unixTime(max)); t = t.Add(step) {
			v := float64(t.Unix())
			if v >= min {
				ticks = append(ticks, plot.Tick{Value: v, Label: formatTick(v, step, span)})
			}
		}
		return ticks
	}
	// months, quarters or years
	months := 1
	for _, m := range []int{1, 3, 6, 12, 24, 60, 120} {
		months = m
		if float64(span)/float64(time.Duration(m)*30*24*time.Hour) <= float64(n) {
			break
		}
	}
	// quarters and half-years start in January, April, July, October
	t := time.Date(lo.Year(), lo.Month()-time.Month((int(lo.Month())-1)%months), 1, 0, 0, 0, 0, time.UTC)
	if months >= 12 {
		t = time.Date(lo.Year()-lo.Year()%(months/12), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	for ; !t.After(unixTime(max)); t = t.AddDate(0, months, 0) {
		v := float64(t.Unix())
		if v >= min {
			label := t.Format("Jan 2006")
			if months >= 12 {
				label = t.Format("2006")
			}
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
		}
	}
	return ticks
}

func unixTime(s float64) time.Time { return time.Unix(int64(math.Ceil(s)), 0).UTC() }

func formatTick(v float64, step, span time.Duration) string {
	t := time.Unix(int64(v), 0).UTC()
	switch {
	case step < time.Minute:
		return t.Format("15:04:05")
	case step >= 24*time.Hour:
		return t.Format("Jan 2")
	case t.Hour() == 0 && t.Minute() == 0:
		return t.Format("Jan 2") // the date shows where a day starts
	}
	return t.Format("15:04")
}

// blankTicks keeps another ticker's ticks (and so the grid) but drops the
// labels: stacked panels share the bottom panel's labels.
type blankTicks struct{ plot.Ticker }

func (b blankTicks) Ticks(min, max float64) []plot.Tick {
	ticks := b.Ticker.Ticks(min, max)
	for i := range ticks {
		ticks[i].Label = ""
	}
	return ticks
}
