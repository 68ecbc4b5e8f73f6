package kernel

import (
	"reflect"
	"testing"
)

func TestHistory(t *testing.T) {
	h := &History{}
	for i, in := range []string{"%echo a", "T | take 1", "%echo a", "print x=1", "%echo b"} {
		h.Add(i+1, in)
	}
	h.SetOutput(4, "1")
	lines := func(es []HistoryEntry) []int {
		var out []int
		for _, e := range es {
			out = append(out, e.Line)
		}
		return out
	}
	tests := []struct {
		name string
		got  []HistoryEntry
		want []int
	}{
		{"tail 2", h.Tail(2), []int{4, 5}},
		{"tail all", h.Tail(0), []int{1, 2, 3, 4, 5}},
		{"tail more than kept", h.Tail(9), []int{1, 2, 3, 4, 5}},
		{"range", h.Range(HistorySession, 2, 4), []int{2, 3}},
		{"range current session 0 to end", h.Range(0, 4, 0), []int{4, 5}},
		{"range other session", h.Range(7, 1, 9), nil},
		{"search glob", h.Search("%echo*", 0, false), []int{1, 3, 5}},
		{"search unique keeps newest", h.Search("%echo*", 0, true), []int{3, 5}},
		{"search last n", h.Search("*", 2, false), []int{4, 5}},
		{"search ?", h.Search("%echo ?", 0, false), []int{1, 3, 5}},
		{"search class", h.Search("%echo [!a]", 0, false), []int{5}},
		{"search is anchored", h.Search("echo", 0, false), nil},
	}
	for _, tc := range tests {
		if got := lines(tc.got); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: lines %v, want %v", tc.name, got, tc.want)
		}
	}
	if e := h.Tail(2)[0]; !e.HasOut || e.Output != "1" {
		t.Errorf("output of line 4 = %+v", e)
	}
}
