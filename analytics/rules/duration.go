package rules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseDuration reads a rule duration in either form Sentinel accepts: the
// short form of the content repository (5m, 1h, 14d) or ISO 8601 as the ARM
// API returns it (PT5M, PT1H, P1D, P1DT12H). Weeks, months and years are
// refused: Sentinel has no rule period that long.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if s[0] == 'P' || s[0] == 'p' {
		return parseISO(s)
	}
	unit := s[len(s)-1]
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a duration (want 5m, 1h, 1d or ISO 8601 such as PT1H, P1D)", s)
	}
	var d time.Duration
	switch unit {
	case 's':
		d = time.Second
	case 'm':
		d = time.Minute
	case 'h':
		d = time.Hour
	case 'd':
		d = 24 * time.Hour
	default:
		return 0, fmt.Errorf("%q: unknown unit %q (want s, m, h or d)", s, string(unit))
	}
	if n > int64(1<<62/int64(d)) {
		return 0, fmt.Errorf("%q is too long", s)
	}
	return time.Duration(n) * d, nil
}

// parseISO reads PnDTnHnMnS.
func parseISO(s string) (time.Duration, error) {
	bad := func() (time.Duration, error) {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration (want PT5M, PT1H, P1D, P1DT12H)", s)
	}
	rest := strings.ToUpper(s[1:])
	if rest == "" || rest == "T" {
		return bad()
	}
	var total time.Duration
	inTime := false
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return bad()
			}
			inTime = true
			rest = rest[1:]
			if rest == "" {
				return bad()
			}
			continue
		}
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 || i == len(rest) {
			return bad()
		}
		f, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return bad()
		}
		var unit time.Duration
		switch c := rest[i]; {
		case !inTime && c == 'D':
			unit = 24 * time.Hour
		case inTime && c == 'H':
			unit = time.Hour
		case inTime && c == 'M':
			unit = time.Minute
		case inTime && c == 'S':
			unit = time.Second
		case !inTime && (c == 'W' || c == 'M' || c == 'Y'):
			return 0, fmt.Errorf("%q: weeks, months and years are not rule durations (use days, at most P14D)", s)
		default:
			return bad()
		}
		total += time.Duration(f * float64(unit))
		rest = rest[i+1:]
	}
	return total, nil
}

// FormatDuration renders d in the short form (1h, 14d, 90m), the largest
// unit that divides it.
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0m"
	case d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}

// timespan renders d as Kusto does (1.00:00:00), the form Sentinel uses
// for "Query Period" in alert properties.
func timespan(d time.Duration) string {
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	s := fmt.Sprintf("%02d:%02d:%02d", d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second)
	if days > 0 {
		return strconv.FormatInt(int64(days), 10) + "." + s
	}
	return s
}
