package msticconfig

import (
	"os"
	"testing"
)

// BenchmarkParseFull: a realistic config should validate in well under a
// millisecond (it is read once per kernel start).
func BenchmarkParseFull(b *testing.B) {
	data, err := os.ReadFile("testdata/full.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("full.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
