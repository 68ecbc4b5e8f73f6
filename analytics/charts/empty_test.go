package charts

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Hunting queries often find nothing; their charts must say so, not panic.
func TestEmptyResultsDraw(t *testing.T) {
	empty := table.New("T", types.Schema{{Name: "t", Type: types.DateTime}, {Name: "x", Type: types.String}, {Name: "y", Type: types.Long}})
	for _, kind := range []string{"timechart", "linechart", "areachart", "stackedareachart", "barchart", "columnchart", "piechart", "scatterchart", "timepivot"} {
		c, err := Build(empty, kind, map[string]any{"title": "nothing"})
		if err != nil {
			t.Errorf("%s: Build: %v", kind, err)
			continue
		}
		b, err := Render(c, "png", 400, 300)
		if err != nil {
			t.Errorf("%s: Render: %v", kind, err)
			continue
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s: not a PNG: %v", kind, err)
		}
	}
}
