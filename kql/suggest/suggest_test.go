package suggest

import "testing"

func TestDidYouMean(t *testing.T) {
	ops := []string{"where", "summarize", "extend", "project"}
	tests := []struct{ name, want string }{
		{"wher", " (did you mean 'where'?)"},
		{"WHERE", " (did you mean 'where'?)"},
		{"sumarize", " (did you mean 'summarize'?)"},
		{"extned", " (did you mean 'extend'?)"}, // neighbours swapped
		{"zzzzzz", ""},
		{"pr", ""}, // too short to guess from
	}
	for _, tc := range tests {
		if got := DidYouMean(tc.name, ops); got != tc.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
