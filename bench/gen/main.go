// Command gen writes the benchmark's SigninLogs-like and AuditLogs-like
// workspace (CSV files, schema files, workspace.json):
//
//	go run ./bench/gen -rows 1000000 -out bench/data/1m
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/huntbook/huntbook/bench/gendata"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "SigninLogs rows")
	audit := flag.Int("audit-rows", 0, "AuditLogs rows (0: rows/4)")
	users := flag.Int("users", 0, "distinct users (0: rows/100, at least 50)")
	seed := flag.Uint64("seed", 1, "random seed; the same seed gives identical files")
	out := flag.String("out", "", "output folder (required)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -rows N -out DIR [-audit-rows N] [-users N] [-seed N]")
		os.Exit(2)
	}
	start := time.Now()
	cfg := gendata.Config{Rows: *rows, AuditRows: *audit, Users: *users, Seed: *seed}
	if err := gendata.Write(*out, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen: %d sign-ins into %s in %s\n", *rows, *out, time.Since(start).Round(time.Millisecond))
}
