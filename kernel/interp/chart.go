package interp

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/huntbook/huntbook/analytics/charts"
)

// Chart images are drawn at this size in pixels.
const (
	ChartWidth  = 900
	ChartHeight = 450
)

// errTableChart says a render asked for a table, which Bundle shows as is.
var errTableChart = errors.New("render table: shown as a table")

// RenderChart draws a result's chart (| render ...) with analytics/charts as
// image/png and image/svg+xml, with the table as text/plain for consoles and
// the table's JSON. There is no text/html: front-ends prefer HTML to
// images, and the chart is what the query asked for.
func RenderChart(r Result, maxRows int) (map[string]any, error) {
	if r.Chart == nil || r.Table == nil {
		return nil, errors.New("no chart requested")
	}
	c, err := charts.Build(r.Table, r.Chart.Kind, r.Chart.Props)
	if err != nil {
		return nil, err
	}
	if c.IsTable() {
		return nil, errTableChart
	}
	png, err := charts.Render(c, "png", ChartWidth, ChartHeight)
	if err != nil {
		return nil, fmt.Errorf("drawing the %s as PNG: %w", c.Kind, err)
	}
	svg, err := charts.Render(c, "svg", ChartWidth, ChartHeight)
	if err != nil {
		return nil, fmt.Errorf("drawing the %s as SVG: %w", c.Kind, err)
	}
	plain := r
	plain.Chart = nil // the footer's "no chart renderer" note does not apply
	return map[string]any{
		"image/png":        base64.StdEncoding.EncodeToString(png),
		"image/svg+xml":    string(svg),
		"text/plain":       TableText(plain, maxRows),
		"application/json": TableJSON(r.Table, maxRows),
	}, nil
}
