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

func TestTimespanHint(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"1x", ` (if it is meant as a timespan, "x" is not a unit: use d, h, m, s, ms, microsecond or tick)`},
		{"5min", ` (if it is meant as a timespan, "min" is not a unit: use d, h, m, s, ms, microsecond or tick)`},
		{"Account", ""},
		{"42", ""},
		{"2022_x", ""},
	} {
		if got := Timespan(tc.name); got != tc.want {
			t.Errorf("Timespan(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
