package binder

import (
	"strings"
	"testing"
)

// labels of the items of kind k, in order, at most n.
func labels(items []Completion, k CompletionKind, n int) []string {
	var out []string
	for _, it := range items {
		if it.Kind == k && len(out) < n {
			out = append(out, it.Label)
		}
	}
	return out
}

func TestComplete(t *testing.T) {
	tests := []struct {
		name string
		src  string // '^' marks the cursor
		kind CompletionKind
		want []string // the first items of that kind
		span string   // the replaced text
	}{
		{"table at start", "Sig^", KindTable, []string{"SigninLogs"}, "Sig"},
		{"table after semicolon", "let x = 1;\nU^", KindTable, []string{"U"}, "U"},
		{"operator after pipe", "U | su^", KindOperator, []string{"summarize"}, "su"},
		{"dashed operator", "U | project-a^", KindOperator, []string{"project-away"}, "project-a"},
		{"columns in where", "U | where ^", KindColumn, []string{"User", "Dept", "Count"}, ""},
		{"columns by prefix", "T | where Co^", KindColumn, []string{"Count"}, "Co"},
		{"columns after project", "T | project User, n = Count | where ^", KindColumn, []string{"User", "n"}, ""},
		{"columns after summarize", "T | summarize c = count() by User | extend x = c^", KindColumn, []string{"c"}, "c"},
		{"word in the middle", "U | where De^pt == 'x'", KindColumn, []string{"Dept"}, "Dept"},
		{"inside a call", "U | where strlen(Us^", KindColumn, []string{"User"}, "Us"},
		{"join right side", "T | join kind=inner (U | where ^", KindColumn, []string{"User", "Dept", "Count"}, ""},
		{"join table", "T | join (U^", KindTable, []string{"U"}, "U"},
		{"let table", "let recent = U | project Dept;\nrecent | where ^", KindColumn, []string{"Dept"}, ""},
		{"let names offered", "let recent = U;\nrec^", KindVariable, []string{"recent"}, "rec"},
		{"scalar let", "let cutoff = 5;\nT | where Count > cut^", KindVariable, []string{"cutoff"}, "cut"},
		{"aggregates in summarize", "T | summarize dco^", KindAggregate, []string{"dcount", "dcountif"}, "dco"},
		{"functions", "T | extend x = tolo^", KindFunction, []string{"tolong", "tolower"}, "tolo"},
		{"second statement sees first", "let a = T | extend z = 1;\na | project ^", KindColumn, []string{"Timestamp", "User"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cursor := strings.Index(tc.src, "^")
			src := tc.src[:cursor] + tc.src[cursor+1:]
			items, start, end := Complete(src, cursor, testCat)
			got := labels(items, tc.kind, len(tc.want))
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("first %s items = %v, want %v (all: %v)", tc.kind, got, tc.want, labels(items, tc.kind, 10))
			}
			if src[start:end] != tc.span {
				t.Errorf("span = %q, want %q", src[start:end], tc.span)
			}
		})
	}
}

func TestCompleteNoAggregatesOutsideSummarize(t *testing.T) {
	items, _, _ := Complete("T | extend x = dco", len("T | extend x = dco"), testCat)
	if got := labels(items, KindAggregate, 5); len(got) != 0 {
		t.Errorf("aggregates offered in extend: %v", got)
	}
	items, _, _ = Complete("print x = 'abc", len("print x = 'abc"), testCat)
	if len(items) != 0 {
		t.Errorf("completion inside a string: %v", items[:min(3, len(items))])
	}
}

// Where an aggregation goes, aggregates come before scalar functions of
// the same prefix: summarize dc offers dcount first, not dcount_hll.
func TestCompleteAggregatesFirstInSummarize(t *testing.T) {
	items, _, _ := Complete("T | summarize dc", len("T | summarize dc"), testCat)
	if len(items) == 0 || items[0].Kind != KindAggregate || items[0].Label != "dcount" {
		t.Fatalf("first completions: %v", items[:min(3, len(items))])
	}
}

func TestInspect(t *testing.T) {
	tests := []struct {
		name, src string // '^' marks the cursor
		want      string // a substring of the doc; "" means no doc
	}{
		{"operator", "U | summ^arize count()", "summarize operator\nsummarize [Name =] Aggregation"},
		{"dashed operator", "U | project-aw^ay User", "project-away operator"},
		{"scalar function", "U | extend n = str^len(User)", "strlen("},
		{"aggregate", "U | summarize dcou^nt(User)", "dcount("},
		{"table schema", "^U | take 1", "table U\n  User: string\n  Dept: string\n  Count: string"},
		{"column", "U | where De^pt == 'x'", "column Dept: string"},
		{"let scalar", "let cutoff = 5;\nT | where Count > cut^off", "let cutoff: long"},
		{"let function", "let f = (n:long, t:(*)) { t | take n };\nprint f^(1)", "let f(n:long, t:(*))"},
		{"nothing", "U | where Dept == 'x'^", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cursor := strings.Index(tc.src, "^")
			src := tc.src[:cursor] + tc.src[cursor+1:]
			doc, ok := Inspect(src, cursor, testCat)
			if tc.want == "" {
				if ok {
					t.Errorf("Inspect = %q, want nothing", doc)
				}
				return
			}
			if !ok || !strings.Contains(doc, tc.want) {
				t.Errorf("Inspect = %q, %v; want it to contain %q", doc, ok, tc.want)
			}
		})
	}
}

// Inputs the fuzzer found: completion and inspection run on every keystroke
// and must not panic on half-typed text.
func TestCompleteOddInputs(t *testing.T) {
	for _, src := range []string{"(|;", "(T | where x;", "{|;|", "let f = () { T | take 1; T |"} {
		for cursor := 0; cursor <= len(src); cursor++ {
			Complete(src, cursor, nil)
			Inspect(src, cursor, nil)
		}
	}
}
