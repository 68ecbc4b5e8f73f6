// Package bench holds the engine benchmark's quick check and Go benchmarks:
// every question runs through huntbook's engine on generated rows and its
// answer is compared with a straightforward Go computation over the same
// CSV. The full three-engine comparison is run.sh (too slow for CI).
package bench

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/huntbook/huntbook/bench/answers"
	"github.com/huntbook/huntbook/bench/gendata"
	"github.com/huntbook/huntbook/bench/questions"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/local"
)

// readCSV returns the rows of a generated table as column name -> value.
func readCSV(t testing.TB, path string) []map[string]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, r := range recs[1:] {
		m := make(map[string]string, len(r))
		for i, v := range r {
			m[recs[0][i]] = v
		}
		out = append(out, m)
	}
	return out
}

func ts(t testing.TB, s string) time.Time {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return v
}

// hasTerm is Kusto's has for an alphanumeric term: some maximal run of
// letters and digits equals it, ignoring case.
func hasTerm(s, term string) bool {
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if strings.EqualFold(tok, term) {
			return true
		}
	}
	return false
}

func isoHour(t time.Time) string { return t.UTC().Truncate(time.Hour).Format(time.RFC3339) }

// expected computes every question's answer directly from the CSV rows.
func expected(t testing.TB, signins, audit []map[string]string) map[string]answers.Answer {
	out := map[string]answers.Answer{}

	fails := map[string]int{}
	for _, s := range signins {
		if s["ResultType"] != "0" {
			fails[s["UserPrincipalName"]]++
		}
	}
	users := make([]string, 0, len(fails))
	for u := range fails {
		users = append(users, u)
	}
	sort.Slice(users, func(i, j int) bool {
		if fails[users[i]] != fails[users[j]] {
			return fails[users[i]] > fails[users[j]]
		}
		return users[i] < users[j]
	})
	top := answers.Answer{Columns: []string{"UserPrincipalName", "Failures"}}
	for _, u := range users[:min(10, len(users))] {
		top.Rows = append(top.Rows, []any{u, fails[u]})
	}
	out["top_failing_users"] = top

	ips := map[string]map[string]bool{}
	for _, s := range signins {
		u := s["UserPrincipalName"]
		if ips[u] == nil {
			ips[u] = map[string]bool{}
		}
		ips[u][s["IPAddress"]] = true
	}
	dist := answers.Answer{Columns: []string{"UserPrincipalName", "DistinctIPs", "IPs"}}
	for u, set := range ips {
		var l []any
		for ip := range set {
			l = append(l, ip)
		}
		dist.Rows = append(dist.Rows, []any{u, len(set), l})
	}
	out["distinct_ips_per_user"] = dist

	hours := map[string]int{}
	for _, s := range signins {
		if hasTerm(s["ResultDescription"], "password") {
			hours[isoHour(ts(t, s["TimeGenerated"]))]++
		}
	}
	hourly := answers.Answer{Columns: []string{"TimeGenerated", "Count"}}
	for h, n := range hours {
		hourly.Rows = append(hourly.Rows, []any{h, n})
	}
	out["hourly_password_has"] = hourly

	oses := map[string]int{}
	for _, s := range signins {
		var d struct{ OperatingSystem string }
		if err := json.Unmarshal([]byte(s["DeviceDetail"]), &d); err != nil {
			t.Fatalf("DeviceDetail %q: %v", s["DeviceDetail"], err)
		}
		oses[d.OperatingSystem]++
	}
	osAns := answers.Answer{Columns: []string{"OperatingSystem", "Count"}}
	for o, n := range oses {
		osAns.Rows = append(osAns.Rows, []any{o, n})
	}
	out["device_os_counts"] = osAns

	failCorr := map[string]int{}
	for _, s := range signins {
		if s["ResultType"] != "0" {
			failCorr[s["CorrelationId"]]++
		}
	}
	type opResult struct{ op, result string }
	events := map[opResult]int{}
	for _, a := range audit {
		if n := failCorr[a["CorrelationId"]]; n > 0 {
			events[opResult{a["OperationName"], a["Result"]}] += n
		}
	}
	join := answers.Answer{Columns: []string{"OperationName", "Result", "Events"}}
	for k, n := range events {
		join.Rows = append(join.Rows, []any{k.op, k.result, n})
	}
	out["failures_join_audit"] = join

	last := map[string]map[string]string{}
	for _, s := range signins {
		u := s["UserPrincipalName"]
		if p, ok := last[u]; !ok || ts(t, s["TimeGenerated"]).After(ts(t, p["TimeGenerated"])) {
			last[u] = s
		}
	}
	lastAns := answers.Answer{Columns: []string{"UserPrincipalName", "TimeGenerated", "IPAddress", "AppDisplayName", "ResultType"}}
	for u, s := range last {
		lastAns.Rows = append(lastAns.Rows, []any{u, s["TimeGenerated"], s["IPAddress"], s["AppDisplayName"], s["ResultType"]})
	}
	out["last_signin_per_user"] = lastAns
	return out
}

func runKQL(t testing.TB, p *local.Provider, q questions.Question) answers.Answer {
	res, err := p.NewSession().Run(context.Background(), q.KQL, providers.QueryOptions{})
	if err != nil {
		t.Fatalf("%s: %v", q.Name, err)
	}
	if len(res) != 1 {
		t.Fatalf("%s: %d results", q.Name, len(res))
	}
	return answers.FromTable(res[0].Table)
}

// TestQuestionsMatchGo runs each question on 10k generated rows through
// the engine (as hbrun does) and checks it against the direct computation.
func TestQuestionsMatchGo(t *testing.T) {
	dir := t.TempDir()
	if err := gendata.Write(dir, gendata.Config{Rows: 10_000, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	want := expected(t, readCSV(t, filepath.Join(dir, "SigninLogs.csv")), readCSV(t, filepath.Join(dir, "AuditLogs.csv")))
	p, err := local.New("bench", []string{dir}, local.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range questions.All() {
		t.Run(q.Name, func(t *testing.T) {
			w := want[q.Name]
			// Guard against vacuous agreement on empty answers.
			if len(w.Rows) < 5 {
				t.Fatalf("the generated data gives only %d rows for %s", len(w.Rows), q.Name)
			}
			if err := answers.Compare(w, runKQL(t, p, q), q.Ordered); err != nil {
				t.Error(err)
			}
		})
	}
}

// The term rule the expected answers use, pinned on the cases the data
// plants ("Passwordless" must not match).
func TestHasTerm(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"invalid username or password.", true},
		{"recent Password change", true},
		{"Passwordless phone sign-in", false},
		{"", false},
	} {
		if got := hasTerm(c.s, "password"); got != c.want {
			t.Errorf("hasTerm(%q) = %v", c.s, got)
		}
	}
}
