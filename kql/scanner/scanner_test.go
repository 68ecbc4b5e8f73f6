package scanner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/token"
)

// scanAll returns "KIND:lit" for each token and the errors reported.
func scanAll(src string, mode Mode) (toks []string, errs []string) {
	var s Scanner
	s.Init(token.NewFile("", []byte(src)), []byte(src), func(pos token.Position, msg string) {
		errs = append(errs, fmt.Sprintf("%s: %s", pos, msg))
	})
	s.Mode = mode
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return toks, errs
		}
		toks = append(toks, tok.String()+":"+lit)
	}
}

func TestScan(t *testing.T) {
	tests := []struct{ src, want string }{
		{"T | where x == 1", "IDENT:T |:| IDENT:where IDENT:x ==:== LONG:1"},
		{"a != b <> c =~ d !~ e >= f <= g => h", "IDENT:a !=:!= IDENT:b !=:<> IDENT:c =~:=~ IDENT:d !~:!~ IDENT:e >=:>= IDENT:f <=:<= IDENT:g =>:=> IDENT:h"},
		{"x !has y !in~ (1)", "IDENT:x !:! IDENT:has IDENT:y !:! IDENT:in~ (:( LONG:1 ):)"},
		{"project-away", "IDENT:project -:- IDENT:away"},
		{"1 1.5 .5 1e3 2.5e-2 0x1f 1..10", "LONG:1 REAL:1.5 REAL:.5 REAL:1e3 REAL:2.5e-2 LONG:0x1f LONG:1 ..:.. LONG:10"},
		{"1d 30m 2.5h 10ms 100microseconds 1tick 5min 3days", "TIMESPAN:1d TIMESPAN:30m TIMESPAN:2.5h TIMESPAN:10ms TIMESPAN:100microseconds TIMESPAN:1tick TIMESPAN:5min TIMESPAN:3days"},
		{"2022Vulns", "IDENT:2022Vulns"},
		{`'a\'b' "c\"d" @"e""f" h'g' H@"i" ` + "```j\nk```", `STRING:'a\'b' STRING:"c\"d" STRING:@"e""f" STRING:h'g' STRING:H@"i" STRING:` + "```j\nk```"},
		{"datetime(2024-01-01 10:00) time (1.02:03) guid(00000000-0000-0000-0000-000000000000) todatetime(x)",
			"TYPEDLIT:datetime(2024-01-01 10:00) TYPEDLIT:time (1.02:03) TYPEDLIT:guid(00000000-0000-0000-0000-000000000000) IDENT:todatetime (:( IDENT:x ):)"},
		{"bin(time, 1h)", "IDENT:bin (:( IDENT:time ,:, TIMESPAN:1h ):)"},
		{"$left.a ['b c']", "IDENT:$left .:. IDENT:a [:[ STRING:'b c' ]:]"},
		{"a // comment\nb", "IDENT:a IDENT:b"},
		{"#connect cluster('x')\nT", "IDENT:T"},
		{"a\u200b b", "IDENT:a IDENT:b"},
		{"x:y;z?", "IDENT:x ::: IDENT:y ;:; IDENT:z ?:?"},
	}
	for _, tc := range tests {
		toks, errs := scanAll(tc.src, 0)
		if got := strings.Join(toks, " "); got != tc.want || len(errs) > 0 {
			t.Errorf("Scan(%q)\n got %s %v\nwant %s", tc.src, got, errs, tc.want)
		}
	}
}

func TestScanComments(t *testing.T) {
	toks, _ := scanAll("a // c1\r\n#dir\nb", ScanComments)
	if got := strings.Join(toks, "|"); got != "IDENT:a|COMMENT:// c1|COMMENT:#dir|IDENT:b" {
		t.Errorf("got %s", got)
	}
}

func TestScanErrors(t *testing.T) {
	tests := []struct{ src, err string }{
		{`"abc`, "1:1: string literal not terminated"},
		{"'a\nb", "1:1: string literal not terminated"},
		{"@'abc", "1:1: string literal not terminated"},
		{"```abc", "1:1: multi-line string literal not terminated: expected ```"},
		{"x 1.5q", `1:3: unknown timespan unit "q" after number (want d, h, m, s, ms, microsecond or tick)`},
		{"0x", "1:1: hexadecimal literal has no digits"},
		{"a ` b", "1:3: unexpected character \"`\""},
		{"a # b", "1:3: unexpected character \"#\""},
		{"datetime(2024-01-01", "1:9: datetime literal not terminated: expected ')'"},
	}
	for _, tc := range tests {
		_, errs := scanAll(tc.src, 0)
		if len(errs) != 1 || errs[0] != tc.err {
			t.Errorf("Scan(%q) errors %q, want %q", tc.src, errs, tc.err)
		}
	}
}

func TestPositions(t *testing.T) {
	src := "T\n| where x"
	f := token.NewFile("q", []byte(src))
	var s Scanner
	s.Init(f, []byte(src), nil)
	var got []string
	for {
		pos, tok, _ := s.Scan()
		got = append(got, f.Position(pos).String())
		if tok == token.EOF {
			break
		}
	}
	if want := "q:1:1 q:2:1 q:2:3 q:2:9 q:2:10"; strings.Join(got, " ") != want {
		t.Errorf("positions %v, want %s", got, want)
	}
}
