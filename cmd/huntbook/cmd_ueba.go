package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kernel/interp"
	"github.com/huntbook/huntbook/kql/workspace"
	"github.com/huntbook/huntbook/ueba"
)

func init() {
	register(&command{name: "ueba build", summary: "compute BehaviorAnalytics, UserPeerAnalytics, UserAccessAnalytics into a workspace", run: runUEBABuild})
	for _, c := range []struct{ name, summary string }{
		{"peers", "a user's ranked peers, with the peer graph"},
		{"blast-radius", "what a user or service principal can reach, with the access graph"},
		{"timeline", "a user's activities and alerts, anomalies marked"},
	} {
		name := c.name
		register(&command{name: "ueba " + name, summary: c.summary, run: func(args []string, stdout, stderr io.Writer) int {
			return runUEBAEntity(name, args, stdout, stderr)
		}})
	}
}

// parseWindow reads a baseline window: "30d", "180d" or a Go duration of
// whole days ("720h").
func parseWindow(s string) (int, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err == nil && n > 0 {
			return n, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 && d%(24*time.Hour) == 0 {
		return int(d / (24 * time.Hour)), nil
	}
	return 0, fmt.Errorf("--window %q: want a number of days such as 30d", s)
}

func uebaFlags(name string, stderr io.Writer) (*flag.FlagSet, *string, *string) {
	fs := flag.NewFlagSet("huntbook ueba "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("workspace", "", "workspace folder (required)")
	window := fs.String("window", "180d", "baseline window in days (Sentinel keeps up to 180d)")
	return fs, dir, window
}

func buildUEBA(ctx context.Context, dir, window string, incremental bool) (*ueba.Tables, *workspace.Workspace, error) {
	if dir == "" {
		return nil, nil, errors.New("--workspace DIR is required")
	}
	days, err := parseWindow(window)
	if err != nil {
		return nil, nil, err
	}
	ws, err := workspace.Open(dir, workspace.Options{})
	if err != nil {
		return nil, nil, err
	}
	t, err := ueba.Build(ctx, ws, ueba.Options{BaselineDays: days, MinBaselineDays: min(7, days), Incremental: incremental})
	return t, ws, err
}

func runUEBABuild(args []string, stdout, stderr io.Writer) int {
	fs, dir, window := uebaFlags("build", stderr)
	png := fs.String("png", "", "also write the InvestigationPriority distribution to FILE.png")
	full := fs.Bool("full", false, "recompute every day instead of folding new days into the saved baseline")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: huntbook ueba build --workspace DIR [--window 30d] [--full] [--png FILE]\n\nWrites BehaviorAnalytics, UserPeerAnalytics and UserAccessAnalytics (JSON lines and schema files) into the workspace,\nand the baseline ("+ueba.StateFile+"): the next build reads only the days after it.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "huntbook ueba build: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	t, ws, err := buildUEBA(ctx, *dir, *window, !*full)
	if err != nil {
		fmt.Fprintln(stderr, "huntbook ueba build:", err)
		return 1
	}
	if err := t.Write(ws); err != nil {
		fmt.Fprintln(stderr, "huntbook ueba build:", err)
		return 1
	}
	if *png != "" {
		b, err := t.PriorityChart().PNG()
		if err == nil {
			err = os.WriteFile(*png, b, 0o644)
		}
		if err != nil {
			fmt.Fprintln(stderr, "huntbook ueba build: --png:", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "wrote %s: BehaviorAnalytics %d rows, UserPeerAnalytics %d, UserAccessAnalytics %d (%.1fs)\n",
		*dir, t.BehaviorAnalytics.Rows(), t.UserPeerAnalytics.Rows(), t.UserAccessAnalytics.Rows(), time.Since(start).Seconds())
	switch st := t.Stats; {
	case st.Incremental:
		fmt.Fprintf(stdout, "incremental: %d new activities from %s folded into the saved baseline (%d days)\n",
			st.Activities, st.From.Format(time.RFC3339), st.BaselineDays)
	case st.Reason != "":
		fmt.Fprintf(stdout, "full build (%s): %d activities, baseline %d days\n", st.Reason, st.Activities, st.BaselineDays)
	default:
		fmt.Fprintf(stdout, "full build: %d activities, baseline %d days\n", st.Activities, st.BaselineDays)
	}
	fmt.Fprintf(stdout, "InvestigationPriority 0..10: %v\n", t.Priorities)
	return 0
}

func runUEBAEntity(name string, args []string, stdout, stderr io.Writer) int {
	fs, dir, window := uebaFlags(name, stderr)
	png := fs.String("png", "", "write the picture to FILE.png")
	svg := fs.String("svg", "", "write the picture to FILE.svg")
	format := fs.String("format", "table", "output format: table, csv or json (JSON lines)")
	what := "USER"
	if name == "blast-radius" {
		what = "USER|SERVICE_PRINCIPAL"
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: huntbook ueba %s --workspace DIR [--window 30d] [--png FILE] [--svg FILE] %s\n\nFlags:\n", name, what)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "huntbook ueba %s: want one %s (a user principal name, object id or display name)\n", name, what)
		return 2
	}
	switch *format {
	case "table", "csv", "json":
	default:
		fmt.Fprintf(stderr, "huntbook ueba %s: unknown --format %q (want table, csv or json)\n", name, *format)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	t, _, err := buildUEBA(ctx, *dir, *window, false)
	if err != nil {
		fmt.Fprintf(stderr, "huntbook ueba %s: %v\n", name, err)
		return 1
	}
	var a *ueba.Answer
	switch name {
	case "peers":
		a, err = t.Peers(fs.Arg(0))
	case "blast-radius":
		a, err = t.BlastRadius(fs.Arg(0))
	default:
		a, err = t.Timeline(fs.Arg(0))
	}
	if err != nil {
		fmt.Fprintf(stderr, "huntbook ueba %s: %v\n", name, err)
		return 1
	}
	switch *format {
	case "table":
		io.WriteString(stdout, interp.TableText(interp.Result{Table: a.Table}, 1<<30))
	case "csv":
		err = workspace.WriteCSV(stdout, a.Table)
	case "json":
		err = workspace.WriteJSONL(stdout, a.Table)
	}
	if err != nil {
		fmt.Fprintf(stderr, "huntbook ueba %s: %v\n", name, err)
		return 1
	}
	for _, out := range []struct {
		path   string
		render func() ([]byte, error)
	}{{*png, a.Picture.PNG}, {*svg, a.Picture.SVG}} {
		if out.path == "" {
			continue
		}
		b, err := out.render()
		if err == nil {
			err = os.WriteFile(out.path, b, 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "huntbook ueba %s: %v\n", name, err)
			return 1
		}
	}
	return 0
}
