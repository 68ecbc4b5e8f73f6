// Package questions owns the benchmark's fixed hunting questions. Each is
// written three ways with the same answer: KQL (NAME.kql, run by huntbook),
// DuckDB SQL (NAME.sql, run by ../duckdb_bench.mjs) and pandas (a function
// of the same name in ../pandas_bench.py).
package questions

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed *.kql *.sql
var files embed.FS

// Question is one hunting question.
type Question struct {
	Name    string // file stem, and the key every engine's answers use
	Title   string // what a hunter asks
	Ordered bool   // the answer's row order is part of it (top N)
	KQL     string
	SQL     string
}

var list = []struct {
	name, title string
	ordered     bool
}{
	{"top_failing_users", "top 10 users by failed sign-ins", true},
	{"distinct_ips_per_user", "distinct IPs (dcount) and make_set of IPs per user", false},
	{"hourly_password_has", `hourly counts of sign-ins whose description has "password"`, false},
	{"device_os_counts", "sign-ins per DeviceDetail.operatingSystem (dynamic property)", false},
	{"failures_join_audit", "failed sign-ins joined with audit events on CorrelationId", false},
	{"last_signin_per_user", "arg_max(TimeGenerated, ...) per user", false},
}

// All returns the questions in report order.
func All() []Question {
	out := make([]Question, 0, len(list))
	for _, q := range list {
		out = append(out, Question{Name: q.name, Title: q.title, Ordered: q.ordered,
			KQL: mustRead(q.name + ".kql"), SQL: mustRead(q.name + ".sql")})
	}
	return out
}

// ByName returns the named question.
func ByName(name string) (Question, error) {
	for _, q := range All() {
		if q.Name == name {
			return q, nil
		}
	}
	return Question{}, fmt.Errorf("questions: no question named %q", name)
}

func mustRead(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("questions: missing embedded file " + name) // a build-time mistake, caught by the tests
	}
	return strings.TrimSpace(string(b))
}
