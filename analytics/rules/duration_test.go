package rules

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"5m", 5 * time.Minute, ""},
		{"1h", time.Hour, ""},
		{"14d", 14 * 24 * time.Hour, ""},
		{"30s", 30 * time.Second, ""},
		{"PT5M", 5 * time.Minute, ""},
		{"PT1H", time.Hour, ""},
		{"P1D", 24 * time.Hour, ""},
		{"P1DT12H", 36 * time.Hour, ""},
		{"PT1H30M", 90 * time.Minute, ""},
		{"pt2h", 2 * time.Hour, ""},
		{"PT0.5H", 30 * time.Minute, ""},
		{"", 0, "empty"},
		{"1w", 0, "unknown unit"},
		{"h", 0, "not a duration"},
		{"-1h", 0, "not a duration"},
		{"P", 0, "not an ISO 8601"},
		{"PT", 0, "not an ISO 8601"},
		{"P1H", 0, "not an ISO 8601"}, // hours need the T
		{"PT1D", 0, "not an ISO 8601"},
		{"P2W", 0, "weeks, months and years"},
		{"P1M", 0, "weeks, months and years"},
		{"P1DT", 0, "not an ISO 8601"},
		{"PT1HT2M", 0, "not an ISO 8601"},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseDuration(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0m"}, {5 * time.Minute, "5m"}, {90 * time.Minute, "90m"}, {time.Hour, "1h"},
		{36 * time.Hour, "36h"}, {14 * 24 * time.Hour, "14d"}, {45 * time.Second, "45s"},
	}
	for _, tt := range tests {
		if got := FormatDuration(tt.d); got != tt.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
		if tt.d > 0 {
			if back, err := ParseDuration(tt.want); err != nil || back != tt.d {
				t.Errorf("ParseDuration(FormatDuration(%v)) = %v, %v", tt.d, back, err)
			}
		}
	}
	if got := timespan(26*time.Hour + 3*time.Minute); got != "1.02:03:00" {
		t.Errorf("timespan = %q", got)
	}
	if got := timespan(time.Hour); got != "01:00:00" {
		t.Errorf("timespan = %q", got)
	}
}
