package interp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
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
	if plain := data["text/plain"].(string); !strings.Contains(plain, "; chart failed: render timechart: ") || !strings.HasSuffix(plain, "; showing the table)") || strings.Contains(plain, "no chart renderer") {
		t.Errorf("fallback footer:\n%s", plain)
	}
	// An unknown visualization is reported even on a one-value result,
	// which otherwise shows as its bare value.
	data = lastResult(t, mustRun(t, in, "print x = 1 | render foochart"))
	if plain := data["text/plain"].(string); !strings.Contains(plain, "chart failed: render foochart: unknown visualization") {
		t.Errorf("unknown visualization on a 1x1 result:\n%s", plain)
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

func TestHugeResultsAreBounded(t *testing.T) {
	defer func(old int) { MaxOutputBytes = old }(MaxOutputBytes)
	MaxOutputBytes = 256 << 10
	big := strings.Repeat("x", 256<<10)
	tb := table.New("Huge", types.Schema{{Name: "Blob", Type: types.String}, {Name: "Bag", Type: types.Dynamic}, {Name: "N", Type: types.Long}})
	bag := types.NewBag()
	bag.Set("k", big)
	for i := 0; i < 5_000; i++ {
		tb.AppendRow([]types.Value{types.NewString(big), types.NewDynamic(bag), types.NewLong(int64(i))})
	}
	data := Bundle(Result{Table: tb}, 1000)
	limit := MaxOutputBytes + 2*maxCellRunes*8
	for _, mime := range []string{"text/html", "text/plain"} {
		s := data[mime].(string)
		if len(s) > limit {
			t.Errorf("%s is %d bytes, over %d", mime, len(s), limit)
		}
		if !strings.Contains(s, "5,000 rows; showing the first ") {
			t.Errorf("%s footer does not say the output was cut: %q", mime, s[max(0, len(s)-200):])
		}
	}
	js, err := json.Marshal(data["application/json"])
	if err != nil {
		t.Fatal(err)
	}
	if len(js) > limit {
		t.Errorf("application/json is %d bytes, over %d", len(js), limit)
	}
	if j := data["application/json"].(map[string]any); j["truncated"] != true || j["row_count"] != 5_000 {
		t.Errorf("json truncated=%v row_count=%v", j["truncated"], j["row_count"])
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"héllo", 5, "héllo"},
		{"héllo", 4, "hél…"},
		{"ééé", 2, "é…"},
		{"", 1, ""},
	}
	for _, tc := range tests {
		if got := cut(tc.s, tc.n); got != tc.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
