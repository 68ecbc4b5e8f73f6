package binder

import (
	"strings"
	"testing"
)

func TestPatternPluginSchemas(t *testing.T) {
	checkSchemas(t, []schemaCase{
		{"basket", "U | evaluate basket(0.2)",
			"(SegmentId:long, Count:long, Percent:real, User:string, Dept:string, Count1:string)", false},
		{"basket weight column is no dimension", "T | project User, Small, Ratio | evaluate basket('~', Ratio)",
			"(SegmentId:long, Count:real, Percent:real, User:string, Small:int)", false},
		{"basket long weight counts long", "T | project User, Count | evaluate basket(0.1, Count, 3, '*')",
			"(SegmentId:long, Count:long, Percent:real, User:string)", false},
		{"diffpatterns drops the split column", "T | project User, Small, Ratio | evaluate diffpatterns(Small, '0', '1')",
			"(SegmentId:long, CountA:long, CountB:long, PercentA:real, PercentB:real, PercentDiffAB:real, User:string, Ratio:real)", false},
		{"diffpatterns with weight", "T | project User, Small, Ratio | evaluate diffpatterns(User, 'a', 'b', Ratio, 0.1)",
			"(SegmentId:long, CountA:real, CountB:real, PercentA:real, PercentB:real, PercentDiffAB:real, Small:int)", false},
		{"rolling_percentile", "T | evaluate rolling_percentile(Count, 50, Timestamp, 1d, 3, User)",
			"(Timestamp:datetime, User:string, rolling_3_percentile_Count_50:long)", false},
		{"rolling_percentile fraction", "T | evaluate rolling_percentile(Ratio, 99.5, Timestamp, 1h, 7)",
			"(Timestamp:datetime, rolling_7_percentile_Ratio_99_5:real)", false},
		{"basket over an open input stays open", "T | evaluate bag_unpack(Props) | evaluate basket()",
			"(SegmentId:long, Count:long, Percent:real, Timestamp:datetime, User:string, Count1:long, Ratio:real, Small:int)", true},
	})
}

// TestPatternPluginColumnsBind: the plugins' columns bind downstream and a
// misspelt one is reported, which an open schema would have hidden.
func TestPatternPluginColumnsBind(t *testing.T) {
	tests := []struct {
		name, src, wantDiag string
	}{
		{"basket Count", "U | evaluate basket(0.2) | where Percent > 10 | project SegmentId, Dept", ""},
		{"diffpatterns", "U | evaluate diffpatterns(Dept, 'a', 'b') | where PercentDiffAB > 5 | project CountA, CountB, User", ""},
		{"misspelt", "U | evaluate basket() | where Percnt > 1", "unknown column 'Percnt' (did you mean 'Percent'?)"},
		{"split column gone", "U | evaluate diffpatterns(Dept, 'a', 'b') | project Dept", "unknown column 'Dept'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := bind(t, tc.src)
			var got []string
			for _, d := range r.Diagnostics {
				got = append(got, d.String())
			}
			all := strings.Join(got, "\n")
			if tc.wantDiag == "" && all != "" || !strings.Contains(all, tc.wantDiag) {
				t.Errorf("diagnostics %q, want %q", all, tc.wantDiag)
			}
		})
	}
}
