package parser

import (
	"errors"
	"strings"
	"testing"
)

// TestBadQueries pins the first error of hand-made bad queries: where it
// is (line:col) and exactly what it says.
func TestBadQueries(t *testing.T) {
	tests := []struct {
		src, pos, msg string
	}{
		{"T | wher x > 1", "1:5", "unknown tabular operator 'wher' (did you mean 'where'?)"},
		{"T | where", "1:10", "expected an expression after 'where', found end of query"},
		{"T | where x ==", "1:15", "expected an expression after '==', found end of query"},
		{"T |", "1:4", "expected a tabular operator after '|', found end of query"},
		{"T | where (x > 1", "1:17", "expected ')' to close the '(' at 1:11, found end of query"},
		{"T | where x > 1)", "1:16", "unexpected ')': no matching '('"},
		{"T | project a, | take 5", "1:16", "expected an expression after ',', found '|'"},
		{"T | summarize", "1:14", "expected an aggregation or 'by' after 'summarize', found end of query"},
		{"T | take 10 20", "1:13", "unexpected '20' after the 'take' operator: expected '|', ';' or the end of the query"},
		{"T | join (T2) A", "1:15", "expected 'on' after ')', found 'A'"},
		{"let x = ; T", "1:9", "expected an expression after '=', found ';'"},
		{"let = 5; T", "1:5", "expected a name after 'let', found '='"},
		{"T | where x between (1, 2)", "1:23", "expected '..' between the low and high ends after '1', found ','"},
		{"print x = \"abc", "1:11", "string literal not terminated"},
		{"print datetime(2024-13-45)", "1:7", "invalid datetime literal datetime(2024-13-45): want ISO 8601 (2024-01-31T10:00:00Z), \"2024-01-31 10:00\" or RFC 822/850/1123"},
		{"print 1.5q", "1:7", "unknown timespan unit \"q\" after number (want d, h, m, s, ms, microsecond or tick)"},
		{"T | extend x = 1 | 42 | where y", "1:20", "expected a tabular operator after '|', found '42'"},
		{"T | sort a", "1:10", "expected 'by' after 'sort', found 'a'"},
		{"T | top 5 x", "1:11", "expected 'by' after '5', found 'x'"},
		{"print dynamic({\"a\" 1})", "1:20", "expected ':' after '\"a\"', found '1'"},
		{"T | where x > 1 ; ; T2 | where (", "1:33", "expected an expression after '(', found end of query"},
		{"T | where a = 1", "1:13", "unexpected '=' in a predicate: use '==' to compare"},
		{"T | mv-apply x on (take 1", "1:26", "expected ')' to close the '(' at 1:19, found end of query"},
		{"T | parse x \"a\" y", "1:13", "expected 'with' after 'x', found string \"a\""},
		{"T | union", "1:10", "expected a table to union after 'union', found end of query"},
		{"T | render", "1:11", "expected a name after 'render', found end of query"},
		{"print guid(xyz)", "1:7", "invalid guid literal guid(xyz): want 8-4-4-4-12 hexadecimal digits"},
		{"print time(abc)", "1:7", "invalid timespan literal time(abc): want 1d, 2.5h, 30m, 10s, 100ms, 1.02:03:04 or '15 seconds'"},
		{"let f = (a:strin) { a }; f(1)", "1:12", "unknown type 'strin' (want string, long, int, real, decimal, bool, datetime, timespan, guid or dynamic)"},
		{"T | extend x = f(1,", "1:20", "expected ')' to close the '(' at 1:17, found end of query"},
		{"print x = 1 @", "1:13", "expected ';' or the end of the query after the statement, found '@'"},
		{"T | where x !in", "1:16", "expected '(' and a list of values after '!in', found end of query"},
		{"datatable(a:string)[1, 2", "1:25", "expected ']' to close the '[' at 1:20, found end of query"},
		{"T | evaluate", "1:13", "expected a plugin call after 'evaluate', found end of query"},
		{"T | project-away", "1:17", "expected an expression after 'project-away', found end of query"},
		{"range x from 1 step 2", "1:16", "expected 'to' after '1', found 'step'"},
		{"T | make-series count() on TimeGenerated from ago(1d) to now()", "1:63", "expected 'step' after ')', found end of query"},
		{"T | where x has_any", "1:20", "expected '(' and a list of values after 'has_any', found end of query"},
		{"T\n| where x > 1\n| extend y = \n| take 5", "3:13", "expected an expression after '=', found '|'"},
		{"T | join kind=inner T2 on", "1:26", "expected an expression after 'on', found end of query"},
		{"T | extend a = b.", "1:18", "expected a property name after '.', found end of query"},
		{"let f = (a:string { a }; f(\"x\")", "1:19", "expected ')' to close the '(' at 1:9, found '{'"},
		{"let f = (a:string) a; f(\"x\")", "1:20", "expected '{' to start the function body after ')', found 'a'"},
		{"T | top-nested 3 of a", "1:22", "expected 'by' after 'a', found end of query"},
		{"print x = dynamic([1, 2)", "1:24", "expected ']' to close the '[' at 1:19, found ')'"},
		{"T | extend x = iff(a > 1, \"a\", \"b\"\n| take 1", "2:9", "expected ')' to close the '(' at 1:19, found end of query"},
		{"T | where x > 1 | project-rename a", "1:34", "expected NewName = ExistingName in project-rename"},
		{"print long(1.5)", "1:12", "invalid long literal: 1.5 is not a whole number"},
		{"declare query_parameters(a:string, b); T", "1:37", "expected ':' and the parameter's type after 'b', found ')'"},
		{"T | sample-distinct 5 x", "1:23", "expected 'of' after '5', found 'x'"},
		{"T | extend x = 1 | where y | wherex z", "1:30", "unknown tabular operator 'wherex' (did you mean 'where'?)"},
		{"T | where `x` > 1", "1:11", "unexpected character \"`\""},
		{"T | invoke f", "1:13", "expected '(' and arguments: a function call"},
		{"externaldata(a:string) \"x\"", "1:24", "expected '[' and the data URIs after ')', found string \"x\""},
		{"T | partition by x", "1:19", "expected '(' or '{' and the partition's subquery after 'x', found end of query"},
		{"T | fork", "1:9", "expected '(' and a subquery after 'fork', found end of query"},
		{"T | as", "1:7", "expected a name after 'as', found end of query"},
		{"T | where x > 1 | | take 1", "1:19", "expected a tabular operator after '|', found '|'"},
		{"T | distinct ", "1:13", "expected an expression after 'distinct', found end of query"},
		{"T | where x in (1, 2", "1:21", "expected ')' to close the '(' at 1:16, found end of query"},
		{"print 0x", "1:7", "hexadecimal literal has no digits"},
		{"print ```abc", "1:7", "multi-line string literal not terminated: expected ```"},
		{"T | where x > 1 | render timechart with (title=)", "1:48", "expected an expression after '=', found ')'"},
		{"T | search in (A, B", "1:20", "expected ')' to close the '(' at 1:15, found end of query"},
	}
	for _, tc := range tests {
		_, _, err := Parse("", []byte(tc.src))
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Errorf("Parse(%q): no error, want %s: %s", tc.src, tc.pos, tc.msg)
			continue
		}
		got := list[0]
		if pos := got.Pos.String(); pos != tc.pos || got.Msg != tc.msg {
			t.Errorf("Parse(%q):\n got %s: %s\nwant %s: %s", tc.src, pos, got.Msg, tc.pos, tc.msg)
		}
	}
}

// TestSeveralErrors checks that the parser recovers at '|' and ';' and
// reports later errors too.
func TestSeveralErrors(t *testing.T) {
	src := "T | wher x\n| take\n| project a,;\nT2 | where (x"
	_, _, err := Parse("q.kql", []byte(src))
	list, _ := err.(ErrorList)
	want := []string{
		"q.kql:1:5: unknown tabular operator 'wher' (did you mean 'where'?)",
		"q.kql:2:7: expected an expression after 'take', found '|'",
		"q.kql:3:13: expected an expression after ',', found ';'",
		"q.kql:4:14: expected ')' to close the '(' at 4:12, found end of query",
	}
	if len(list) != len(want) {
		t.Fatalf("got %d errors %v, want %d", len(list), list, len(want))
	}
	for i, w := range want {
		if list[i].Error() != w {
			t.Errorf("error %d = %q, want %q", i, list[i].Error(), w)
		}
	}
	if s := list.Error(); s != want[0]+" (and 3 more errors)" {
		t.Errorf("ErrorList.Error() = %q", s)
	}
}

func TestErrorLimit(t *testing.T) {
	src := strings.Repeat("T | wher x;\n", 50)
	_, _, err := Parse("", []byte(src))
	list := err.(ErrorList)
	if len(list) != maxErrors {
		t.Errorf("got %d errors, want the limit %d", len(list), maxErrors)
	}
}

func TestCaret(t *testing.T) {
	src := "T\n\t| wher x > 1"
	_, file, err := Parse("", []byte(src))
	list := err.(ErrorList)
	got := Caret(file, list[0])
	want := "\t| wher x > 1\n\t  ^"
	if got != want {
		t.Errorf("Caret = %q, want %q", got, want)
	}
}
