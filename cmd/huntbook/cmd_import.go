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
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
	"github.com/huntbook/huntbook/signinlog"
)

func init() {
	register(&command{name: "import ual", summary: "turn Purview audit log exports (CSV) into OfficeActivity and CloudAppEvents", run: runImportUAL})
	register(&command{name: "import signins", summary: "turn Entra ID sign-in log downloads (JSON, CSV) into SigninLogs and AADNonInteractiveUserSignInLogs", run: runImportSignins})
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
	if err := checkTargets(*dir, ualTables, *force); err != nil {
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
		if err := recordEnd(stdout, *dir, last); err != nil {
			fmt.Fprintf(stderr, "huntbook import ual: %v\n", err)
			return 1
		}
	}
	printIssues(stdout, ualPlural(len(issues), "value")+" did not fit their column's type (left empty):", issues)
	return 0
}

// recordEnd notes in the folder's workspace.json where the imported data
// ends, so notebooks and hunts written with ago() find it whenever they
// run (workspace.RecordEnd keeps a later end and the user's own clock).
func recordEnd(stdout io.Writer, dir string, last int64) error {
	if err := workspace.RecordEnd(dir, types.TicksToTime(last)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "noted in %s: the data ends at %s (queries take it as now() unless its \"clock\" is \"real\")\n",
		filepath.Join(dir, "workspace.json"), types.FormatDateTime(last))
	return nil
}

// checkTargets refuses to replace a table the folder already holds
// unless force, and with force still refuses a file in another format
// (the workspace would then hold the table twice).
func checkTargets(dir string, tables []string, force bool) error {
	var found, other []string
	for _, name := range tables {
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
func printIssues[I fmt.Stringer](w io.Writer, heading string, issues []I) {
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

// signinTables are the tables a sign-in import writes, as DIR/Name.jsonl.
var signinTables = []string{signinlog.Interactive, signinlog.NonInteractive}

func runImportSignins(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huntbook import signins", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("workspace", "", "workspace folder to write the tables to (created if missing; required)")
	force := fs.Bool("force", false, "overwrite the tables' files if the folder has them")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: huntbook import signins --workspace DIR [--force] FILE...")
		fmt.Fprintln(stderr, "\nReads Entra ID sign-in log downloads: the admin center's Sign-in logs > Download")
		fmt.Fprintln(stderr, "(JSON or CSV; a CSV named NonInteractiveSignIns*.csv holds non-interactive sign-ins),")
		fmt.Fprintln(stderr, "Graph /auditLogs/signIns pages, Get-MgAuditLogSignIn | ConvertTo-Json -Depth 10, JSON lines")
		fmt.Fprintln(stderr, "or Azure Monitor diagnostic records, and writes DIR/SigninLogs.jsonl (interactive) and")
		fmt.Fprintln(stderr, "DIR/AADNonInteractiveUserSignInLogs.jsonl; sign-ins in several files are kept once (by id).")
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
		fmt.Fprintln(stderr, "huntbook import signins: --workspace DIR is required")
		return 2
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "huntbook import signins: no download files given (want FILE.json or FILE.csv...)")
		return 2
	}
	if err := checkTargets(*dir, signinTables, *force); err != nil {
		fmt.Fprintf(stderr, "huntbook import signins: %v\n", err)
		return 1
	}

	var im signinlog.Import
	for _, f := range files {
		if err := im.ReadFile(f); err != nil {
			fmt.Fprintf(stderr, "huntbook import signins: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "read %s: %s", ualPlural(len(files), "file"), ualPlural(len(im.SignIns), "sign-in"))
	if im.Duplicates > 0 {
		fmt.Fprintf(stdout, " (%s left out: an earlier sign-in had the same id)", ualPlural(im.Duplicates, "duplicate"))
	}
	fmt.Fprintf(stdout, ", %d skipped\n", len(im.Skipped))
	for _, n := range im.Notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	printIssues(stdout, "skipped "+ualPlural(len(im.Skipped), "sign-in")+" that could not be read:", im.Skipped)
	if len(im.SignIns) == 0 {
		fmt.Fprintln(stderr, "huntbook import signins: no sign-ins to import; nothing written")
		return 1
	}

	interactive, nonInteractive, issues := im.Tables()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "huntbook import signins: %v\n", err)
		return 1
	}
	ws, err := workspace.Open(*dir, workspace.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "huntbook import signins: %v\n", err)
		return 1
	}
	for _, t := range []*table.Table{interactive, nonInteractive} {
		path := filepath.Join(*dir, t.Name+".jsonl")
		if t.Rows() == 0 {
			// A table the downloads have nothing for is not written (an
			// empty one would say there were no such sign-ins); with
			// --force, the one a former import left goes, so the folder
			// does not pair old sign-ins with new ones.
			for _, f := range []string{path, filepath.Join(*dir, t.Name+".schema.json")} {
				if err := os.Remove(f); err == nil {
					fmt.Fprintf(stdout, "removed %s: the downloads have no %s rows\n", f, t.Name)
				} else if !os.IsNotExist(err) {
					fmt.Fprintf(stderr, "huntbook import signins: %v\n", err)
					return 1
				}
			}
			continue
		}
		if err := ws.Write(t.Name, t, "jsonl"); err != nil {
			fmt.Fprintf(stderr, "huntbook import signins: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s: %s\n", path, ualPlural(t.Rows(), "row"))
	}
	if first, last, ok := im.Span(); ok {
		span := time.Duration((last - first) * 100)
		fmt.Fprintf(stdout, "time span: %s to %s (%s)\n", types.FormatDateTime(first), types.FormatDateTime(last), span)
		if err := recordEnd(stdout, *dir, last); err != nil {
			fmt.Fprintf(stderr, "huntbook import signins: %v\n", err)
			return 1
		}
	}
	printIssues(stdout, ualPlural(len(issues), "value")+" did not fit their column's type (left empty):", issues)
	return 0
}
