package ueba

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Picture is a gonum/plot figure rendered on demand.
type Picture struct {
	Plot          *plot.Plot
	Width, Height vg.Length
}

// PNG renders the picture as PNG.
func (p *Picture) PNG() ([]byte, error) { return p.render("png") }

// SVG renders the picture as SVG.
func (p *Picture) SVG() ([]byte, error) { return p.render("svg") }

func (p *Picture) render(format string) ([]byte, error) {
	wt, err := p.Plot.WriterTo(p.Width, p.Height, format)
	if err != nil {
		return nil, fmt.Errorf("ueba: render %s: %w", format, err)
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("ueba: render %s: %w", format, err)
	}
	return b.Bytes(), nil
}

func textStyle(size vg.Length, c color.Color) text.Style {
	return text.Style{Font: font.From(plotter.DefaultFont, size), Handler: plot.DefaultTextHandler,
		XAlign: draw.XCenter, YAlign: draw.YCenter, Color: c}
}

// drawNode and drawEdge are a laid-out graph ready to draw.
type drawNode struct {
	x, y   float64
	label  string
	fill   color.Color
	radius vg.Length
	bold   bool
}

type drawEdge struct {
	a, b  int
	label string
	width vg.Length
	color color.Color
	arrow bool
}

// graphPlotter draws a laid-out graph: edges with labels at their middle,
// then nodes as discs with their names beneath.
type graphPlotter struct {
	nodes []drawNode
	edges []drawEdge
}

func (g *graphPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	pt := func(i int) vg.Point { return vg.Point{X: trX(g.nodes[i].x), Y: trY(g.nodes[i].y)} }
	small := textStyle(6.5, color.RGBA{90, 90, 90, 255})
	for _, e := range g.edges {
		a, b := pt(e.a), pt(e.b)
		sty := draw.LineStyle{Color: e.color, Width: e.width}
		c.StrokeLine2(sty, a.X, a.Y, b.X, b.Y)
		if e.arrow {
			drawArrow(c, sty, a, b, g.nodes[e.b].radius)
		}
		if e.label != "" {
			c.FillText(small, vg.Point{X: (a.X + b.X) / 2, Y: (a.Y + b.Y) / 2}, e.label)
		}
	}
	for i, n := range g.nodes {
		p := pt(i)
		c.DrawGlyph(draw.GlyphStyle{Color: n.fill, Radius: n.radius, Shape: draw.CircleGlyph{}}, p)
		c.DrawGlyph(draw.GlyphStyle{Color: color.RGBA{60, 60, 60, 255}, Radius: n.radius, Shape: draw.RingGlyph{}}, p)
		sty := textStyle(7.5, color.Black)
		if n.bold {
			sty = textStyle(9, color.Black)
		}
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: p.X, Y: p.Y - n.radius - 1}, n.label)
	}
}

// drawArrow puts an arrow head on a->b where it meets b's disc.
func drawArrow(c draw.Canvas, sty draw.LineStyle, a, b vg.Point, r vg.Length) {
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	ux, uy := dx/l, dy/l
	tip := vg.Point{X: b.X - vg.Length(ux)*r, Y: b.Y - vg.Length(uy)*r}
	const head = 5
	for _, s := range []float64{0.45, -0.45} {
		cs, sn := math.Cos(s), math.Sin(s)
		bx, by := -(ux*cs - uy*sn), -(ux*sn + uy*cs)
		c.StrokeLine2(sty, tip.X, tip.Y, tip.X+vg.Length(bx)*head, tip.Y+vg.Length(by)*head)
	}
}

func (g *graphPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, n := range g.nodes {
		xmin, xmax = math.Min(xmin, n.x), math.Max(xmax, n.x)
		ymin, ymax = math.Min(ymin, n.y), math.Max(ymax, n.y)
	}
	if len(g.nodes) == 0 {
		return 0, 1, 0, 1
	}
	return
}

// GlyphBoxes keep the discs and labels inside the canvas.
func (g *graphPlotter) GlyphBoxes(p *plot.Plot) []plot.GlyphBox {
	out := make([]plot.GlyphBox, len(g.nodes))
	for i, n := range g.nodes {
		w := vg.Length(len(n.label)) * 2.2
		out[i] = plot.GlyphBox{X: p.X.Norm(n.x), Y: p.Y.Norm(n.y),
			Rectangle: vg.Rectangle{Min: vg.Point{X: -max(w, n.radius), Y: -n.radius - 10}, Max: vg.Point{X: max(w, n.radius), Y: n.radius}}}
	}
	return out
}

// legendGlyph is a legend entry's disc.
type legendGlyph struct{ fill color.Color }

func (l legendGlyph) Thumbnail(c *draw.Canvas) {
	p := c.Center()
	c.DrawGlyph(draw.GlyphStyle{Color: l.fill, Radius: 4, Shape: draw.CircleGlyph{}}, p)
	c.DrawGlyph(draw.GlyphStyle{Color: color.RGBA{60, 60, 60, 255}, Radius: 4, Shape: draw.RingGlyph{}}, p)
}

func graphPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.HideAxes()
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = 7
	return p
}

// kindColors colour nodes by kind; resources go from pale to deep red
// with sensitivity instead.
var kindColors = [...]color.RGBA{
	KindUser:             {66, 133, 244, 255},
	KindGroup:            {52, 168, 83, 255},
	KindServicePrincipal: {171, 71, 188, 255},
	KindManagedIdentity:  {206, 147, 216, 255},
	KindManagementGroup:  {120, 120, 120, 255},
	KindSubscription:     {160, 160, 160, 255},
	KindResourceGroup:    {200, 200, 200, 255},
	KindResource:         {255, 235, 220, 255},
}

// sensitivityColor shades a resource from pale (no sensitive data) to red.
func sensitivityColor(s, maxS float64) color.RGBA {
	f := 0.0
	if maxS > 0 {
		f = math.Min(1, s/maxS)
	}
	return color.RGBA{255, uint8(235 - 190*f), uint8(220 - 190*f), 255}
}

// palette for departments and categories.
var palette = []color.RGBA{
	{66, 133, 244, 255}, {234, 67, 53, 255}, {251, 188, 5, 255}, {52, 168, 83, 255}, {171, 71, 188, 255},
	{0, 172, 193, 255}, {255, 112, 67, 255}, {158, 157, 36, 255}, {92, 107, 192, 255}, {240, 98, 146, 255},
}
