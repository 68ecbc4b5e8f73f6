package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/huntbook/huntbook/analytics/rules"
	"github.com/huntbook/huntbook/kernel/interp"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

func init() {
	register(&command{name: "rules validate", summary: "check Sentinel analytics rule YAML files", run: runRulesValidate})
	register(&command{name: "rules list", summary: "list the shipped analytics rules", run: runRulesList})
	register(&command{name: "rules run", summary: "replay analytics rules over a workspace, writing alerts and incidents", run: runRulesRun})
}

func runRulesValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huntbook rules validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: huntbook rules validate RULE.yaml...")
		fmt.Fprintln(stderr, "\nChecks analytics rules in the Sentinel content YAML format; prints file:line: key: problem.")
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	bad := 0
	for _, p := range fs.Args() {
		r, diags, err := rules.ParseFile(p)
		if err != nil {
			fmt.Fprintln(stderr, err)
			bad++
			continue
		}
		for _, d := range diags {
			fmt.Fprintln(stderr, d.Error())
		}
		if rules.Errors(diags) != nil {
			bad++
			continue
		}
		fmt.Fprintf(stdout, "%s: ok: %s (%s, %s, every %s over %s)\n", p, r.Name, r.Kind, r.Severity,
			rules.FormatDuration(r.QueryFrequency), rules.FormatDuration(r.QueryPeriod))
	}
	if bad > 0 {
		fmt.Fprintf(stderr, "%d of %d rule files have errors\n", bad, fs.NArg())
		return 1
	}
	return 0
}

func runRulesList(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huntbook rules list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "table", "output format: table or csv")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	rs, err := rules.Builtin()
	if err != nil {
		fmt.Fprintln(stderr, "huntbook rules list:", err)
		return 1
	}
	t := table.New("Rules", types.Schema{{Name: "File", Type: types.String}, {Name: "Name", Type: types.String},
		{Name: "Severity", Type: types.String}, {Name: "Kind", Type: types.String}, {Name: "Frequency", Type: types.String},
		{Name: "Period", Type: types.String}, {Name: "Tactics", Type: types.String}, {Name: "Id", Type: types.String}})
	for _, r := range rs {
		t.AppendRow([]types.Value{types.NewString(r.File), types.NewString(r.Name), types.NewString(r.Severity),
			types.NewString(r.Kind), types.NewString(rules.FormatDuration(r.QueryFrequency)),
			types.NewString(rules.FormatDuration(r.QueryPeriod)), types.NewString(strings.Join(r.Tactics, ", ")), types.NewString(r.ID)})
	}
	return printTable(t, *format, stdout, stderr)
}

func printTable(t *table.Table, format string, stdout, stderr io.Writer) int {
	switch format {
	case "table":
		io.WriteString(stdout, interp.TableText(interp.Result{Table: t}, 1<<30))
	case "csv":
		if err := workspace.WriteCSV(stdout, t); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	default:
		fmt.Fprintf(stderr, "huntbook rules: --format %q: want table or csv\n", format)
		return 2
	}
	return 0
}

func parseTimeFlag(name, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("--%s %q: want RFC 3339 (2026-11-23T00:00:00Z) or a date (2026-11-23)", name, s)
}

func runRulesRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huntbook rules run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("workspace", "", "workspace folder to replay over and write alerts into (required)")
	from := fs.String("from", "", "start of the replay (default: the workspace's start, workspace.json)")
	to := fs.String("to", "", "end of the replay (default: the workspace's end)")
	builtin := fs.Bool("builtin", false, "replay the shipped rules (the default when no RULE.yaml is given)")
	dry := fs.Bool("dry-run", false, "print alerts and incidents without writing SecurityAlert and SecurityIncident")
	format := fs.String("format", "table", "output format: table or csv")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: huntbook rules run --workspace DIR [--from T] [--to T] [--dry-run] [--builtin] [RULE.yaml...]")
		fmt.Fprintln(stderr, "\nRuns each rule on its schedule over the period, with now() at each run time and only the rows of")
		fmt.Fprintln(stderr, "its queryPeriod visible; appends the alerts and incidents to the workspace's SecurityAlert and")
		fmt.Fprintln(stderr, "SecurityIncident tables and prints a summary.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *dir == "" {
		fmt.Fprintln(stderr, "huntbook rules run: --workspace DIR is required")
		return 2
	}
	var opts rules.Options
	var err error
	if opts.From, err = parseTimeFlag("from", *from); err != nil {
		fmt.Fprintln(stderr, "huntbook rules run:", err)
		return 2
	}
	if opts.To, err = parseTimeFlag("to", *to); err != nil {
		fmt.Fprintln(stderr, "huntbook rules run:", err)
		return 2
	}
	var rs []*rules.Rule
	if fs.NArg() > 0 {
		var diags []rules.Diagnostic
		rs, diags, err = rules.LoadFiles(fs.Args()...)
		for _, d := range diags {
			fmt.Fprintln(stderr, d.Error())
		}
		if err != nil {
			fmt.Fprintln(stderr, "huntbook rules run: fix the rule files first")
			return 1
		}
	}
	if *builtin || fs.NArg() == 0 {
		b, err := rules.Builtin()
		if err != nil {
			fmt.Fprintln(stderr, "huntbook rules run:", err)
			return 1
		}
		rs = append(rs, b...)
	}
	w, err := workspace.Open(*dir, workspace.Options{})
	if err != nil {
		fmt.Fprintln(stderr, "huntbook rules run:", err)
		return 1
	}
	ctx := context.Background()
	start := time.Now()
	rep, err := rules.ReplayWorkspace(ctx, w, rs, opts)
	if err != nil {
		fmt.Fprintln(stderr, "huntbook rules run:", err)
		return 1
	}
	if code := printTable(rep.RuleSummary(), *format, stdout, stderr); code != 0 {
		return code
	}
	fmt.Fprintln(stdout)
	if code := printTable(rep.Summary(), *format, stdout, stderr); code != 0 {
		return code
	}
	written := "not written (--dry-run)"
	if !*dry {
		if err := rep.WriteTo(ctx, w); err != nil {
			fmt.Fprintln(stderr, "huntbook rules run:", err)
			return 1
		}
		written = "appended to SecurityAlert and SecurityIncident"
	}
	fmt.Fprintf(stderr, "%d rules from %s to %s: %d alerts, %d incidents, %s (%s)\n", len(rs),
		rep.From.Format(time.RFC3339), rep.To.Format(time.RFC3339), len(rep.Alerts), len(rep.Incidents), written,
		time.Since(start).Round(time.Millisecond))
	return 0
}
