package charts

// ysplit=axes with two y columns: one plot, the first column on the left
// axis and the second on a right-hand axis with its own scale. gonum/plot
// draws a single y axis, so the second column's points are mapped into the
// first column's range and a plotter draws the right axis (line, ticks,
// labels and title) in a margin kept free beside the data area.

import (
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// twoAxes reports whether c is drawn with a left and a right y axis.
func twoAxes(c *Chart) bool {
	if c.YSplit != "axes" || len(c.YColumns) != 2 || c.YLog {
		return false
	}
	switch c.Kind {
	case "timechart", "linechart", "areachart", "anomalychart", "scatterchart":
		return true
	}
	return false
}

// yRange is the padded range of the finite y values of the series drawn
// against column col; ok is false when there are none.
func yRange(c *Chart, col string) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		if s.YColumn != col {
			continue
		}
		for _, p := range s.Points {
			if !math.IsNaN(p.Y) && !math.IsInf(p.Y, 0) {
				lo, hi = math.Min(lo, p.Y), math.Max(hi, p.Y)
			}
		}
	}
	if lo > hi {
		return 0, 1, false
	}
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	pad := (hi - lo) * 0.05
	return lo - pad, hi + pad, true
}

func drawTwoAxes(area draw.Canvas, c *Chart) error {
	left, right := c.YColumns[0], c.YColumns[1]
	lo1, hi1, _ := yRange(c, left)
	if !math.IsNaN(c.YMin) {
		lo1 = c.YMin
	}
	if !math.IsNaN(c.YMax) {
		hi1 = c.YMax
	}
	lo2, hi2, _ := yRange(c, right)
	// the second column's values in the first column's coordinates
	toLeft := func(y float64) float64 { return lo1 + (y-lo2)*(hi1-lo1)/(hi2-lo2) }
	mapped := *c
	mapped.Series = make([]Series, len(c.Series))
	for i, s := range c.Series {
		mapped.Series[i] = s
		if s.YColumn != right {
			continue
		}
		pts := make([]Point, len(s.Points))
		for j, p := range s.Points {
			pts[j] = p
			pts[j].Y = toLeft(p.Y)
		}
		mapped.Series[i].Points = pts
	}
	mapped.YMin, mapped.YMax = lo1, hi1
	p := newPlot(&mapped, true, true)
	if err := addPlotters(p, &mapped, nil); err != nil {
		return err
	}
	if c.YTitle == "" {
		p.Y.Label.Text = left
	}
	p.Y.Min, p.Y.Max = lo1, hi1
	ra := &rightAxis{lo: lo2, hi: hi2, toLeft: toLeft, title: right}
	for i, s := range c.Series {
		if s.YColumn == right {
			ra.color = seriesColor(s, i)
			break
		}
	}
	p.Add(ra)
	p.Draw(draw.Crop(area, 0, -ra.width(), 0, 0))
	return nil
}

// rightAxis draws the second y axis along the right edge of the data area.
type rightAxis struct {
	lo, hi float64
	toLeft func(float64) float64
	title  string
	color  color.Color // of the right column's (first) series, so the axis says whose it is
}

var axisFont = func() draw.TextStyle {
	p := plot.New()
	return p.Y.Tick.Label
}()

// width is the margin the axis needs right of the data area.
func (a *rightAxis) width() vg.Length {
	w := vg.Length(0)
	for _, t := range (plot.DefaultTicks{}).Ticks(a.lo, a.hi) {
		if t.Label != "" {
			w = max(w, axisFont.Width(t.Label))
		}
	}
	return w + axisFont.Height(a.title) + vg.Points(14)
}

func (a *rightAxis) Plot(c draw.Canvas, plt *plot.Plot) {
	x := c.Max.X
	line := draw.LineStyle{Color: plt.Y.LineStyle.Color, Width: plt.Y.LineStyle.Width}
	c.StrokeLine2(line, x, c.Min.Y, x, c.Max.Y)
	ty := func(v float64) vg.Length { return c.Min.Y + vg.Length(plt.Y.Norm(a.toLeft(v)))*(c.Max.Y-c.Min.Y) }
	lab := axisFont
	lab.XAlign, lab.YAlign = draw.XLeft, draw.YCenter
	for _, t := range (plot.DefaultTicks{}).Ticks(a.lo, a.hi) {
		y := ty(t.Value)
		if y < c.Min.Y-0.5 || y > c.Max.Y+0.5 {
			continue
		}
		size := vg.Points(2)
		if t.Label != "" {
			size = vg.Points(5)
			c.FillText(lab, vg.Point{X: x + vg.Points(7), Y: y}, t.Label)
		}
		c.StrokeLine2(line, x, y, x+size, y)
	}
	title := plt.Y.Label.TextStyle
	title.Rotation = -math.Pi / 2
	title.XAlign, title.YAlign = draw.XCenter, draw.YBottom // turned clockwise: the text's bottom faces the axis
	w := vg.Length(0)
	for _, t := range (plot.DefaultTicks{}).Ticks(a.lo, a.hi) {
		if t.Label != "" {
			w = max(w, lab.Width(t.Label))
		}
	}
	if a.color != nil {
		title.Color = a.color
	}
	c.FillText(title, vg.Point{X: x + w + vg.Points(10), Y: (c.Min.Y + c.Max.Y) / 2}, a.title)
}

// niceTicks marks a linear value axis at round steps (1, 2, 2.5 or 5
// times a power of ten) labelled with no more decimals than the step has:
// counts read 0, 500, 1000, where gonum's default wrote 250.00, 1250.00.
type niceTicks struct{}

func (niceTicks) Ticks(min, max float64) []plot.Tick {
	switch {
	case math.IsNaN(max-min) || math.IsInf(max-min, 0):
		return nil
	case !(max > min): // one value: one tick (gonum's own ticks panic here)
		return []plot.Tick{{Value: min, Label: strconv.FormatFloat(min, 'g', -1, 64)}}
	}
	step := niceStep((max - min) / maxIntervals)
	decimals := 0
	for s := step; math.Abs(s-math.Round(s)) > 1e-9*s && decimals < 10; s *= 10 {
		decimals++
	}
	// every half step: the whole steps labelled, the halves as minor ticks
	half := step / 2
	var ticks []plot.Tick
	for k := math.Ceil(min/half - 1e-9); k*half <= max*(1+1e-12)+1e-12; k++ {
		v := k * half
		if math.Mod(k, 2) == 0 {
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v+0, 'f', decimals, 64)})
		} else {
			ticks = append(ticks, plot.Tick{Value: v})
		}
	}
	return ticks
}

// niceStep is the smallest step of 1, 2, 2.5 or 5 times a power of ten
// not below raw.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// niceRange widens [lo, hi] so a value axis starts at zero for data that
// is never negative (counts, bytes) and ends on a round tick with a little
// room above the highest point.
func niceRange(lo, hi float64, fromZero bool) (float64, float64) {
	if fromZero && lo > 0 {
		lo = 0
	}
	if !(hi > lo) {
		return lo, hi
	}
	step := niceStep((hi - lo) / maxIntervals)
	top := math.Ceil((hi+(hi-lo)*0.02)/step) * step
	// the ticks are drawn at the step of the widened range: end on one
	if s := niceStep((top - lo) / maxIntervals); s != step {
		top = math.Ceil(top/s) * s
	}
	return lo, top
}

// maxIntervals is the most steps between labelled ticks on a value axis.
const maxIntervals = 7
