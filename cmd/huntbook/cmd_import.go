package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/huntbook/huntbook/auditlog"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

func init() {
	register(&command{name: "import ual", summary: "turn Purview audit log exports (CSV) into OfficeActivity and CloudAppEvents", run: runImportUAL})
}

// ualTables are the tables an import writes, as DIR/Name.jsonl.
var ualTables = []string{"OfficeActivity", "CloudAppEvents"}

// ualMaxListed bounds the skipped records and unfit values printed one a line.
const ualMaxListed = 50

func runImportUAL(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huntbook import ual", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("workspace", "", "workspace folder to write the tables to (created if missing; required)")
	force := fs.Bool("force", false, "overwrite the tables' files if the folder has them")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: huntbook import ual --workspace DIR [--force] FILE.csv...")
		fmt.Fprintln(stderr, "\nReads unified audit log exports (the Purview Audit search's Export results, or")
		fmt.Fprintln(stderr, "Search-UnifiedAuditLog | Export-Csv) and writes DIR/OfficeActivity.jsonl and")
		fmt.Fprintln(stderr, "DIR/CloudAppEvents.jsonl; records in several files are kept once (by Id).")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *dir == "" {
		fmt.Fprintln(stderr, "huntbook import ual: --workspace DIR is required")
		return 2
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "huntbook import ual: no export files given (want FILE.csv...)")
		return 2
	}
	if err := checkTargets(*dir, *force); err != nil {
		fmt.Fprintf(stderr, "huntbook import ual: %v\n", err)
		return 1
	}

	var im auditlog.Import
	for _, f := range files {
		if err := im.ReadFile(f); err != nil {
			fmt.Fprintf(stderr, "huntbook import ual: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "read %s: %s", ualPlural(len(files), "file"), ualPlural(len(im.Records), "record"))
	if im.Duplicates > 0 {
		fmt.Fprintf(stdout, " (%s left out: an earlier record had the same Id)", ualPlural(im.Duplicates, "duplicate"))
	}
	fmt.Fprintf(stdout, ", %d skipped\n", len(im.Skipped))
	for _, n := range im.Notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	printIssues(stdout, "skipped "+ualPlural(len(im.Skipped), "record")+" that could not be read:", im.Skipped)
	if len(im.Records) == 0 {
		fmt.Fprintln(stderr, "huntbook import ual: no audit records to import; nothing written")
		return 1
	}

	office, cloud, issues := im.Tables()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "huntbook import ual: %v\n", err)
		return 1
	}
	ws, err := workspace.Open(*dir, workspace.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "huntbook import ual: %v\n", err)
		return 1
	}
	for _, t := range []struct {
		name string
		rows int
		err  error
	}{
		{office.Name, office.Rows(), ws.Write(office.Name, office, "jsonl")},
		{cloud.Name, cloud.Rows(), ws.Write(cloud.Name, cloud, "jsonl")},
	} {
		if t.err != nil {
			fmt.Fprintf(stderr, "huntbook import ual: %v\n", t.err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s: %s\n", filepath.Join(*dir, t.name+".jsonl"), ualPlural(t.rows, "row"))
	}
	if first, last, ok := im.Span(); ok {
		span := time.Duration((last - first) * 100)
		fmt.Fprintf(stdout, "time span: %s to %s (%s)\n", types.FormatDateTime(first), types.FormatDateTime(last), span)
	}
	printIssues(stdout, ualPlural(len(issues), "value")+" did not fit their column's type (left empty):", issues)
	return 0
}

// checkTargets refuses to replace a table the folder already holds
// unless force, and with force still refuses a file in another format
// (the workspace would then hold the table twice).
func checkTargets(dir string, force bool) error {
	var found, other []string
	for _, name := range ualTables {
		for _, f := range []string{name + ".jsonl", name + ".schema.json", name + ".json", name + ".json.gz",
			name + ".jsonl.gz", name + ".csv", name + ".csv.gz", name + ".parquet", name} {
			path := filepath.Join(dir, f)
			if _, err := os.Stat(path); err != nil {
				continue
			}
			found = append(found, path)
			if f != name+".jsonl" && f != name+".schema.json" {
				other = append(other, path)
			}
		}
	}
	switch {
	case len(found) > 0 && !force:
		return fmt.Errorf("%s already there; use --force to overwrite", strings.Join(found, ", "))
	case len(other) > 0:
		return fmt.Errorf("%s would hold the table beside the new .jsonl; move it away first", strings.Join(other, ", "))
	}
	return nil
}

// printIssues prints a heading and the issues one a line, at most ualMaxListed.
func printIssues(w io.Writer, heading string, issues []auditlog.Issue) {
	if len(issues) == 0 {
		return
	}
	fmt.Fprintln(w, heading)
	for i, is := range issues {
		if i == ualMaxListed {
			fmt.Fprintf(w, "  ... and %d more\n", len(issues)-ualMaxListed)
			break
		}
		fmt.Fprintf(w, "  %s\n", is)
	}
}

// ualPlural is "1 file", "2 files".
func ualPlural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
