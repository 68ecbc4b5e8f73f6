package functions

import (
	"strings"
	"testing"
)

func TestHas(t *testing.T) {
	for _, c := range []struct {
		hay, term string
		cs, want  bool
	}{
		{"North America", "america", false, true},
		{"North America", "America", true, true},
		{"North America", "america", true, false},
		{"North America", "amer", false, false},
		{"North America", "north america", false, true},
		{"NorthAmerica", "america", false, false},
		{"powershell.exe -enc AAA", "powershell", false, true},
		{"powershell.exe -enc AAA", "powershell.exe", false, true},
		{"c:\\windows\\system32\\cmd.exe", "cmd.exe", false, true},
		{"c:\\windows\\system32\\cmd.exe", "system32\\cmd", false, true},
		{"c:\\windows\\system32\\cmd.exe", "md.exe", false, false},
		{"user@contoso.com", "contoso.com", false, true},
		{"user@contoso.com", "@contoso.com", false, true},
		{"user@contoso.com", "ontoso.com", false, false},
		{"abc abcd", "abcd", false, true},
		{"abcd abc", "abc", false, true},
		{"abcd xabc", "abc", false, false},
		{"a1b2", "1b2", false, false},
		{"key=value", "=value", false, true},
		{"", "x", false, false},
		{"anything", "", false, true},
		{"ÄBC def", "äbc", false, true},
		{"xÄBC def", "äbc", false, true}, // non-ASCII letters are separators
		{"2021-05-04", "05", false, true},
		{"Hello", "HELLO", false, true},
		{"Hello", "HELLO", true, false},
	} {
		if got := Has(c.hay, c.term, c.cs); got != c.want {
			t.Errorf("Has(%q, %q, cs=%v) = %v, want %v", c.hay, c.term, c.cs, got, c.want)
		}
	}
}

func TestHasPrefixSuffix(t *testing.T) {
	for _, c := range []struct {
		fn        func(string, string, bool) bool
		name      string
		hay, term string
		cs, want  bool
	}{
		{HasPrefix, "hasprefix", "North America", "ame", false, true},
		{HasPrefix, "hasprefix", "North America", "mer", false, false},
		{HasPrefix, "hasprefix", "North America", "NORTH", false, true},
		{HasPrefix, "hasprefix", "North America", "NORTH", true, false},
		{HasPrefix, "hasprefix", "xNorth", "north", false, false},
		{HasSuffix, "hassuffix", "North America", "rica", false, true},
		{HasSuffix, "hassuffix", "North America", "ric", false, false},
		{HasSuffix, "hassuffix", "cmd.exe /c", "d.exe", false, true},
		{HasSuffix, "hassuffix", "North America", "RICA", true, false},
	} {
		if got := c.fn(c.hay, c.term, c.cs); got != c.want {
			t.Errorf("%s(%q, %q, cs=%v) = %v, want %v", c.name, c.hay, c.term, c.cs, got, c.want)
		}
	}
}

func TestContainsStartsEnds(t *testing.T) {
	for _, c := range []struct {
		name string
		got  bool
		want bool
	}{
		{"contains ci", Contains("North America", "ORTH", false), true},
		{"contains cs", Contains("North America", "ORTH", true), false},
		{"contains cs hit", Contains("North America", "orth", true), true},
		{"contains empty", Contains("abc", "", false), true},
		{"contains in empty", Contains("", "a", false), false},
		{"contains unicode ci", Contains("Straße ÄÖÜ", "äöü", false), true},
		{"contains longer", Contains("ab", "abc", false), false},
		{"startswith ci", StartsWith("Powershell.exe", "POWER", false), true},
		{"startswith cs", StartsWith("Powershell.exe", "power", true), false},
		{"startswith longer", StartsWith("ab", "abc", false), false},
		{"startswith unicode", StartsWith("Ärger", "ä", false), true},
		{"endswith ci", EndsWith("cmd.EXE", ".exe", false), true},
		{"endswith cs", EndsWith("cmd.EXE", ".exe", true), false},
		{"endswith empty", EndsWith("abc", "", false), true},
		{"=~", EqualsIgnoreCase("Admin", "ADMIN"), true},
		{"=~ differs", EqualsIgnoreCase("Admin", "Admins"), false},
		{"=~ unicode", EqualsIgnoreCase("ÄBC", "äbc"), true},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

var longHay = strings.Repeat("The quick brown fox jumps over the lazy dog; user=alice host=WS-0042 ", 200) + "Invoke-Mimikatz"

func BenchmarkHasCaseInsensitive(b *testing.B) {
	b.SetBytes(int64(len(longHay)))
	for i := 0; i < b.N; i++ {
		if !Has(longHay, "mimikatz", false) {
			b.Fatal("not found")
		}
	}
}

func BenchmarkHasCaseSensitive(b *testing.B) {
	b.SetBytes(int64(len(longHay)))
	for i := 0; i < b.N; i++ {
		if !Has(longHay, "Mimikatz", true) {
			b.Fatal("not found")
		}
	}
}

func BenchmarkHasMiss(b *testing.B) {
	b.SetBytes(int64(len(longHay)))
	for i := 0; i < b.N; i++ {
		if Has(longHay, "the quick brown cat", false) {
			b.Fatal("found")
		}
	}
}

func BenchmarkContainsCaseInsensitive(b *testing.B) {
	b.SetBytes(int64(len(longHay)))
	for i := 0; i < b.N; i++ {
		if !Contains(longHay, "MIKATZ", false) {
			b.Fatal("not found")
		}
	}
}

func BenchmarkContainsCaseSensitive(b *testing.B) {
	b.SetBytes(int64(len(longHay)))
	for i := 0; i < b.N; i++ {
		if !Contains(longHay, "mikatz", true) {
			b.Fatal("not found")
		}
	}
}
