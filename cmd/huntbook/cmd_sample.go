package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/huntbook/huntbook/sampledata"
)

func init() {
	register(&command{name: "sample", summary: "write a synthetic Sentinel tenant with planted attacks", run: runSample})
}

func runSample(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huntbook sample", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "workspace folder to write (created if missing; required)")
	users := fs.Int("users", sampledata.DefaultUsers, "number of member accounts")
	days := fs.Int("days", sampledata.DefaultDays, "days of data, ending at --end")
	seed := fs.Uint64("seed", sampledata.DefaultSeed, "random seed; the same seed and --end give the same bytes")
	scale := fs.Float64("scale", 1, "multiplier on background event volume (about 150 gives 10M sign-ins at 300 users)")
	end := fs.String("end", "", "when the data ends, RFC 3339 (default: now, truncated to the hour)")
	name := fs.String("name", "contoso", "tenant short name (domain NAME.com)")
	noStories := fs.Bool("no-stories", false, "leave the planted attack stories out")
	force := fs.Bool("force", false, "write into a folder that holds files huntbook sample did not write")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: huntbook sample --out DIR [--users N] [--days D] [--seed S] [--scale F] [--end T] [--no-stories] [--force]")
		fmt.Fprintln(stderr, "\nWrites a workspace folder (tables as JSON lines with schemas, entities.json, ground_truth.json).")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "huntbook sample: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *out == "" {
		fmt.Fprintln(stderr, "huntbook sample: --out DIR is required")
		return 2
	}
	// 0 means "the default" to sampledata; typed on the command line it is
	// a mistake to name, not a default to take.
	var zero []string
	fs.Visit(func(f *flag.Flag) {
		if (f.Name == "users" && *users == 0) || (f.Name == "days" && *days == 0) || (f.Name == "scale" && *scale == 0) {
			zero = append(zero, "--"+f.Name)
		}
	})
	if len(zero) > 0 {
		fmt.Fprintf(stderr, "huntbook sample: %s 0: want a positive number (leave the flag out for the default)\n", strings.Join(zero, ", "))
		return 2
	}
	cfg := sampledata.Config{Name: *name, Users: *users, Days: *days, Seed: *seed, Scale: *scale, NoStories: *noStories}
	if *seed == 0 {
		fmt.Fprintln(stderr, "huntbook sample: --seed: want a positive number")
		return 2
	}
	if *end != "" {
		t, err := time.Parse(time.RFC3339, *end)
		if err != nil {
			if t, err = time.Parse("2006-01-02", *end); err != nil {
				fmt.Fprintf(stderr, "huntbook sample: --end %q: want RFC 3339 (2026-11-23T00:00:00Z) or a date (2026-11-23)\n", *end)
				return 2
			}
		}
		cfg.End = t
	}
	if !*force {
		if others := foreignFiles(*out); len(others) > 0 {
			fmt.Fprintf(stderr, "huntbook sample: %s holds data huntbook sample did not write (%s); the synthetic tenant would overwrite or mix with it. Choose an empty folder, or --force\n",
				*out, strings.Join(others, ", "))
			return 1
		}
	}
	start := time.Now()
	if err := sampledata.WriteWorkspace(*out, cfg); err != nil {
		fmt.Fprintf(stderr, "huntbook sample: %v\n", err)
		return 1
	}
	var info struct {
		End  string         `json:"end"`
		Rows map[string]int `json:"rows"`
	}
	if b, err := os.ReadFile(filepath.Join(*out, "workspace.json")); err == nil {
		json.Unmarshal(b, &info)
	}
	total := 0
	for _, n := range info.Rows {
		total += n
	}
	stories := "5 stories"
	if *noStories {
		stories = "no stories"
	}
	fmt.Fprintf(stdout, "wrote %s: %d rows in %d tables ending %s, %s (%.1fs)\n", *out, total, len(info.Rows), info.End, stories, time.Since(start).Seconds())
	return 0
}

// foreignFiles lists (up to five of) the entries of dir when it is not
// empty and not a tenant huntbook sample wrote, whose workspace.json says
// "generator": "huntbook sample": writing a synthetic tenant there would
// overwrite an analyst's exports or mix fake rows with them.
func foreignFiles(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		return nil
	}
	if data, err := os.ReadFile(filepath.Join(dir, "workspace.json")); err == nil {
		var ws struct {
			Generator string `json:"generator"`
		}
		if json.Unmarshal(data, &ws) == nil && ws.Generator == "huntbook sample" {
			return nil
		}
	}
	var names []string
	for _, e := range entries {
		if len(names) == 5 {
			names = append(names, "...")
			break
		}
		names = append(names, e.Name())
	}
	return names
}
