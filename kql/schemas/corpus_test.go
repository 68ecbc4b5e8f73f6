package schemas

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Floors for TestCorpusCoverage: the share of table references in the public
// hunting-query corpus (shared/corpus/kql) that resolve to a built-in
// schema. Raise them as tables are added; they must never drop.
const (
	minReferenceShare = 0.99 // of all table references, counted per query
	minQueryShare     = 0.99 // of queries whose every table is known
)

// findCorpus looks for shared/corpus/kql in the parents of the package
// folder: shared/ sits beside the checkout both here and in CI.
func findCorpus() string {
	if d := os.Getenv("HUNTBOOK_CORPUS"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		c := filepath.Join(dir, "shared", "corpus", "kql")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// stripKQL blanks out comments and string literals so that words inside
// them are not mistaken for table names.
func stripKQL(src string) string {
	var b strings.Builder
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "```"):
			end := strings.Index(src[i+3:], "```")
			if end < 0 {
				return b.String()
			}
			i += end + 6
			b.WriteString(`""`)
		case c == '"' || c == '\'':
			verbatim := i > 0 && (src[i-1] == '@' || src[i-1] == 'h' || src[i-1] == 'H')
			j := i + 1
			for j < len(src) && src[j] != c && src[j] != '\n' {
				if src[j] == '\\' && !verbatim {
					j++
				}
				j++
			}
			i = j + 1
			b.WriteString(`""`)
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

var (
	reLet       = regexp.MustCompile(`\blet\s+([A-Za-z_]\w*)\s*=`)
	reTabParam  = regexp.MustCompile(`[(,]\s*([A-Za-z_]\w*)\s*:\s*\(`)
	reStart     = regexp.MustCompile(`(?:\A|;|\blet\s+\w+\s*=|\{)\s*([A-Z]\w*)\s*(?:\||;|\)|\z)`)
	reSubquery  = regexp.MustCompile(`\(\s*([A-Z]\w*)\s*\|`)
	reJoinTable = regexp.MustCompile(`\b(?:join|lookup)\s+(?:(?:kind|hint\.\w+)\s*=\s*\w+\s+)*([A-Z]\w*)\s+on\b`)
	reUnion     = regexp.MustCompile(`\bunion\s+(?:(?:kind|withsource|isfuzzy)\s*=\s*\w+\s+)*([^|;]*)`)
	reUnionItem = regexp.MustCompile(`^\s*([A-Z]\w*)\s*$`)
)

// tableRefs returns the names a query uses as tabular sources: the start of a
// statement, a parenthesised subquery, a join/lookup right side and the
// members of a union; names bound with let and tabular function parameters
// are not tables.
func tableRefs(src string) map[string]bool {
	s := stripKQL(src)
	lets := map[string]bool{}
	for _, re := range []*regexp.Regexp{reLet, reTabParam} {
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			lets[m[1]] = true
		}
	}
	refs := map[string]bool{}
	add := func(n string) {
		if !lets[n] {
			refs[n] = true
		}
	}
	for _, re := range []*regexp.Regexp{reStart, reSubquery, reJoinTable} {
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			add(m[1])
		}
	}
	for _, m := range reUnion.FindAllStringSubmatch(s, -1) {
		for _, item := range strings.Split(m[1], ",") {
			if um := reUnionItem.FindStringSubmatch(item); um != nil {
				add(um[1])
			}
		}
	}
	return refs
}

func TestTableRefs(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"DeviceProcessEvents\n| where FileName == 'x'", []string{"DeviceProcessEvents"}},
		{"// SigninLogs in a comment\nAuditLogs | take 1", []string{"AuditLogs"}},
		{"let ips = dynamic(['DeviceInfo']);\nlet Feed = externaldata(x:string)[@'http://x'];\nFeed | join kind=inner (DeviceNetworkEvents | where RemoteIP in (ips)) on $left.x == $right.RemoteIP",
			[]string{"DeviceNetworkEvents"}},
		{"EmailEvents\n| join kind=leftouter EmailAttachmentInfo on NetworkMessageId\n| summarize count() by SenderFromAddress", []string{"EmailAttachmentInfo", "EmailEvents"}},
		{"union isfuzzy=true DeviceFileEvents, DeviceProcessEvents, (DeviceEvents | where 1 == 1)\n| take 5", []string{"DeviceEvents", "DeviceFileEvents", "DeviceProcessEvents"}},
		{"let x = toscalar(IdentityInfo | count);\nprint x", []string{"IdentityInfo"}},
		{"let f = (T:(RemoteIP:string), n:long) {\n T | take n };\nDeviceInfo | take 1", []string{"DeviceInfo"}},
		{"SecurityIncident\n| summarize arg_max(TimeGenerated, *) by IncidentNumber\n| extend c = tostring(Owner)", []string{"SecurityIncident"}},
	}
	for i, tc := range tests {
		var got []string
		for n := range tableRefs(tc.src) {
			got = append(got, n)
		}
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("case %d: got %v, want %v", i, got, tc.want)
		}
	}
}

// TestCorpusCoverage counts which tables the public hunting queries read and
// how many of those references the built-in schemas know.
func TestCorpusCoverage(t *testing.T) {
	dir := findCorpus()
	if dir == "" {
		t.Skip("shared/corpus/kql not found beside the checkout (set HUNTBOOK_CORPUS)")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.kql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no .kql files under %s", dir)
	}
	perTable := map[string]int{}
	refs, known, queries, fullyKnown := 0, 0, 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := tableRefs(string(b))
		if len(r) == 0 {
			continue
		}
		queries++
		all := true
		for n := range r {
			perTable[n]++
			refs++
			if _, ok := Lookup(n); ok {
				known++
			} else {
				all = false
			}
		}
		if all {
			fullyKnown++
		}
	}
	names := make([]string, 0, len(perTable))
	for n := range perTable {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if perTable[names[i]] != perTable[names[j]] {
			return perTable[names[i]] > perTable[names[j]]
		}
		return names[i] < names[j]
	})
	var unknown []string
	knownNames := 0
	for _, n := range names {
		if _, ok := Lookup(n); ok {
			knownNames++
		} else {
			unknown = append(unknown, fmt.Sprintf("%s(%d)", n, perTable[n]))
		}
	}
	refShare := float64(known) / float64(refs)
	queryShare := float64(fullyKnown) / float64(queries)
	t.Logf("corpus: %d files, %d with table references; %d distinct names, %d known", len(files), queries, len(names), knownNames)
	t.Logf("references known: %d/%d = %.1f%%; queries fully known: %d/%d = %.1f%%",
		known, refs, 100*refShare, fullyKnown, queries, 100*queryShare)
	t.Logf("unknown names (queries): %s", strings.Join(unknown, " "))
	if refShare < minReferenceShare {
		t.Errorf("reference share %.3f fell below %.3f", refShare, minReferenceShare)
	}
	if queryShare < minQueryShare {
		t.Errorf("query share %.3f fell below %.3f", queryShare, minQueryShare)
	}
}
