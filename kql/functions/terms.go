package functions

import (
	"strings"
	"unicode/utf8"
)

// Kusto's string operators (has, contains, startswith, ...) as plain
// functions over Go strings, for the executor's operators. The term rules:
// a term is a maximal run of ASCII letters and digits; has matches a needle
// whose alphanumeric ends fall on term boundaries. Case-insensitive variants
// fold case with Unicode simple folding, as the =~ family does.

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Has reports whether term occurs in hay as whole terms: where the needle
// starts (ends) with an alphanumeric character, the character before (after)
// the match must not be alphanumeric. An empty needle is found in anything.
func Has(hay, term string, caseSensitive bool) bool {
	return termMatch(hay, term, caseSensitive, true, true)
}

// HasPrefix reports whether a term of hay starts with prefix (hasprefix).
func HasPrefix(hay, prefix string, caseSensitive bool) bool {
	return termMatch(hay, prefix, caseSensitive, true, false)
}

// HasSuffix reports whether a term of hay ends with suffix (hassuffix).
func HasSuffix(hay, suffix string, caseSensitive bool) bool {
	return termMatch(hay, suffix, caseSensitive, false, true)
}

func termMatch(hay, needle string, cs, checkStart, checkEnd bool) bool {
	if needle == "" {
		return true
	}
	if len(needle) > len(hay) {
		return false
	}
	if !cs && !isASCII(needle) {
		// non-ASCII needles: fold both sides; lowering keeps boundary bytes
		// (ASCII) where they were relative to the match
		hay, needle, cs = strings.ToLower(hay), strings.ToLower(needle), true
	}
	startAl := checkStart && isAlnum(needle[0])
	endAl := checkEnd && isAlnum(needle[len(needle)-1])
	from := 0
	for from <= len(hay)-len(needle) {
		i := index(hay[from:], needle, cs)
		if i < 0 {
			return false
		}
		i += from
		j := i + len(needle)
		if (!startAl || i == 0 || !isAlnum(hay[i-1])) && (!endAl || j == len(hay) || !isAlnum(hay[j])) {
			return true
		}
		if startAl {
			// a match starting inside the current term cannot start a term: skip past it
			k := i + 1
			for k < len(hay) && isAlnum(hay[k]) {
				k++
			}
			from = k
			continue
		}
		from = i + 1
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// index finds needle in hay; when !cs, needle must be ASCII and the match is
// ASCII case-insensitive.
func index(hay, needle string, cs bool) int {
	if cs {
		return strings.Index(hay, needle)
	}
	c0 := needle[0]
	lo, up := toLowerASCII(c0), toUpperASCII(c0)
	n := len(needle)
	for i := 0; i+n <= len(hay); {
		// jump to the next byte that can start a match
		var j int
		if lo == up {
			j = strings.IndexByte(hay[i:len(hay)-n+1], lo)
		} else {
			j = indexEither(hay[i:len(hay)-n+1], lo, up)
		}
		if j < 0 {
			return -1
		}
		i += j
		if equalFoldASCII(hay[i:i+n], needle) {
			return i
		}
		i++
	}
	return -1
}

func indexEither(s string, a, b byte) int {
	i := strings.IndexByte(s, a)
	if i < 0 {
		return strings.IndexByte(s, b)
	}
	if j := strings.IndexByte(s[:i], b); j >= 0 {
		return j
	}
	return i
}

func toLowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

func toUpperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 32
	}
	return c
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if toLowerASCII(a[i]) != toLowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// Contains reports whether sub occurs in s (contains / contains_cs).
func Contains(s, sub string, caseSensitive bool) bool {
	if sub == "" {
		return true
	}
	if caseSensitive {
		return strings.Contains(s, sub)
	}
	if isASCII(sub) {
		return index(s, sub, false) >= 0
	}
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// StartsWith reports whether s starts with prefix (startswith / startswith_cs).
func StartsWith(s, prefix string, caseSensitive bool) bool {
	if caseSensitive {
		return strings.HasPrefix(s, prefix)
	}
	if len(prefix) <= len(s) && equalFold(s[:len(prefix)], prefix) {
		return true
	}
	return !isASCII(prefix) && strings.HasPrefix(strings.ToLower(s), strings.ToLower(prefix))
}

// EndsWith reports whether s ends with suffix (endswith / endswith_cs).
func EndsWith(s, suffix string, caseSensitive bool) bool {
	if caseSensitive {
		return strings.HasSuffix(s, suffix)
	}
	if len(suffix) <= len(s) && equalFold(s[len(s)-len(suffix):], suffix) {
		return true
	}
	return !isASCII(suffix) && strings.HasSuffix(strings.ToLower(s), strings.ToLower(suffix))
}

// EqualsIgnoreCase is the =~ comparison.
func EqualsIgnoreCase(a, b string) bool { return equalFold(a, b) }

func equalFold(a, b string) bool {
	if isASCII(a) && isASCII(b) {
		return len(a) == len(b) && equalFoldASCII(a, b)
	}
	return strings.ToLower(a) == strings.ToLower(b)
}
