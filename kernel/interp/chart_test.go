package interp

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"strings"
	"testing"
)

func TestRenderCharts(t *testing.T) {
	in, _ := connected(t)
	for _, q := range []string{
		"Events | summarize Logons = count() by bin(TimeGenerated, 1d) | render timechart",
		"Events | summarize Logons = count() by Account | render piechart with (title='Logons')",
		"Events | summarize Logons = count() by Account | render barchart",
	} {
		rec := mustRun(t, in, q)
		var data map[string]any
		for _, e := range rec.events {
			if e.kind == "result" {
				data = e.data
			}
		}
		if data == nil {
			t.Fatalf("%s: no result (%s)", q, rec.kinds())
		}
		if _, ok := data["text/html"]; ok {
			t.Errorf("%s: a chart bundle must not carry text/html (front-ends would show it instead)", q)
		}
		raw, err := base64.StdEncoding.DecodeString(data["image/png"].(string))
		if err != nil {
			t.Fatalf("%s: image/png is not base64: %v", q, err)
		}
		img, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: image/png does not decode: %v", q, err)
		}
		if b := img.Bounds(); b.Dx() != ChartWidth || b.Dy() != ChartHeight {
			t.Errorf("%s: PNG is %dx%d", q, b.Dx(), b.Dy())
		}
		if svg := data["image/svg+xml"].(string); !strings.Contains(svg, "<svg") {
			t.Errorf("%s: image/svg+xml is not SVG: %.80s", q, svg)
		}
		plain := data["text/plain"].(string)
		if !strings.Contains(plain, "Logons") || strings.Contains(plain, "no chart renderer") {
			t.Errorf("%s: text/plain:\n%s", q, plain)
		}
	}
	// render table is just the table.
	data := lastResult(t, mustRun(t, in, "Events | take 1 | render table"))
	if _, ok := data["image/png"]; ok || !strings.Contains(data["text/html"].(string), "huntbook-table") || strings.Contains(data["text/plain"].(string), "render") {
		t.Errorf("render table bundle: %v", data["text/plain"])
	}
}

func TestChartFallbacks(t *testing.T) {
	in, _ := connected(t)
	// No numeric column: the chart cannot be built, so the table shows
	// with the reason.
	data := lastResult(t, mustRun(t, in, "Events | project Account | render timechart"))
	if _, ok := data["image/png"]; ok {
		t.Fatal("a chart was drawn from a table without numbers")
	}
	if plain := data["text/plain"].(string); !strings.Contains(plain, "render timechart (chart failed: ") {
		t.Errorf("fallback footer:\n%s", plain)
	}
	// Without a renderer, the table says so.
	in.RenderChart = nil
	data = lastResult(t, mustRun(t, in, "Events | summarize count() by Account | render barchart"))
	if plain := data["text/plain"].(string); !strings.Contains(plain, "render barchart: no chart renderer connected") {
		t.Errorf("no-renderer footer:\n%s", plain)
	}
}

func lastResult(t *testing.T, rec *recorder) map[string]any {
	t.Helper()
	for i := len(rec.events) - 1; i >= 0; i-- {
		if rec.events[i].kind == "result" {
			return rec.events[i].data
		}
	}
	t.Fatalf("no result in %s", rec.kinds())
	return nil
}
