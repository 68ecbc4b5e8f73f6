package parser

import (
	"reflect"
	"testing"
)

func TestSplitBlocks(t *testing.T) {
	tests := []struct {
		src  string
		want []Block
	}{
		{"T | take 1", []Block{{0, "T | take 1"}}},
		{"A\n| take 1\n\nB | count\n", []Block{{0, "A\n| take 1"}, {12, "B | count"}}},
		{"A\n  \t\nB", []Block{{0, "A"}, {6, "B"}}},
		// Only comments: dropped; comments stick to the code they precede.
		{"// intro\n\n// about B\nB\n\n// trailing notes\n", []Block{{10, "// about B\nB"}}},
		// A blank line inside a multi-line string does not split.
		{"print ```a\n\nb```\n\nprint 2", []Block{{0, "print ```a\n\nb```"}, {18, "print 2"}}},
		{"\n\n  \n", nil},
	}
	for _, tc := range tests {
		if got := SplitBlocks([]byte(tc.src)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitBlocks(%q) = %+v, want %+v", tc.src, got, tc.want)
		}
	}
	blocks := SplitBlocks([]byte("A\n| take 1\n\nB | count\n"))
	if b, ok := BlockAt(blocks, 14); !ok || b.Text != "B | count" {
		t.Errorf("BlockAt(14) = %q, %v", b.Text, ok)
	}
	if _, ok := BlockAt(blocks, 11); ok {
		t.Errorf("BlockAt(11) found a block in the gap")
	}
}
