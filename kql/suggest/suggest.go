// Package suggest owns "did you mean": the closest known name to a
// misspelt one (a table, column, function or operator), shared by the
// parser and the binder so every message suggests the same way.
package suggest

import (
	"fmt"
	"strings"
)

// DidYouMean returns " (did you mean 'X'?)" for the closest candidate to
// name, or "" when none is close.
func DidYouMean(name string, candidates []string) string {
	if s := Closest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean '%s'?)", s)
	}
	return ""
}

// Closest is the candidate an exact case-insensitive match, else the one
// at the smallest edit distance within a third of the name's length, or "".
func Closest(name string, candidates []string) string {
	lower := strings.ToLower(name)
	for _, c := range candidates {
		if strings.ToLower(c) == lower {
			return c
		}
	}
	best, bestD := "", 0
	limit := max(1, len(name)/3)
	for _, c := range candidates {
		d := editDistance(lower, strings.ToLower(c))
		if d <= limit && (best == "" || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours (Hots for
// Host) each cost one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// Timespan is a hint for a name that looks like a timespan with a unit
// KQL lacks (1x, 5min): KQL names may start with digits, so the scanner
// reads one as a name and the error is an unknown name. "" otherwise.
func Timespan(name string) string {
	i := 0
	for i < len(name) && (name[i] >= '0' && name[i] <= '9' || name[i] == '.') {
		i++
	}
	if i == 0 || i == len(name) {
		return ""
	}
	for _, r := range name[i:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return ""
		}
	}
	return fmt.Sprintf(" (if it is meant as a timespan, %q is not a unit: use d, h, m, s, ms, microsecond or tick)", name[i:])
}
