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

// importMaxListed bounds the skipped records and unfit values printed one a line.
const importMaxListed = 50

// ualImport is the import ual subcommand: Purview audit log exports.
var ualImport = importKind{
	name: "ual",
	usage: `Usage: huntbook import ual --workspace DIR [--force] FILE.csv...

Reads unified audit log exports (the Purview Audit search's Export results, or
Search-UnifiedAuditLog | Export-Csv) and writes DIR/OfficeActivity.jsonl and
DIR/CloudAppEvents.jsonl; records in several files are kept once (by Id).`,
	noFiles: "no export files given (want FILE.csv...)",
	tables:  []string{"OfficeActivity", "CloudAppEvents"},
	noun:    "record",
	sameID:  "an earlier record had the same Id",
	nothing: "no audit records to import",
	open:    func() importer { return &ualImporter{} },
}

// signinsImport is the import signins subcommand: Entra ID sign-in log downloads.
var signinsImport = importKind{
	name: "signins",
	usage: `Usage: huntbook import signins --workspace DIR [--force] FILE...

Reads Entra ID sign-in log downloads: the admin center's Sign-in logs > Download
(JSON or CSV; a CSV named NonInteractiveSignIns*.csv holds non-interactive sign-ins),
Graph /auditLogs/signIns pages, Get-MgAuditLogSignIn | ConvertTo-Json -Depth 10, JSON lines
or Azure Monitor diagnostic records, and writes DIR/SigninLogs.jsonl (interactive) and
DIR/AADNonInteractiveUserSignInLogs.jsonl; sign-ins in several files are kept once (by id).`,
	noFiles: "no download files given (want FILE.json or FILE.csv...)",
	tables:  []string{signinlog.Interactive, signinlog.NonInteractive},
	noun:    "sign-in",
	sameID:  "an earlier sign-in had the same id",
	nothing: "no sign-ins to import",
	open:    func() importer { return &signinsImporter{} },
}

func runImportUAL(args []string, stdout, stderr io.Writer) int {
	return runImport(ualImport, args, stdout, stderr)
}

func runImportSignins(args []string, stdout, stderr io.Writer) int {
	return runImport(signinsImport, args, stdout, stderr)
}

// importKind is what one import subcommand has of its own; runImport does
// the rest the same way for every kind.
type importKind struct {
	name    string   // the subcommand: huntbook import NAME
	usage   string   // the usage text above the flags
	noFiles string   // the error for no files given
	tables  []string // the tables written, as DIR/Name.jsonl
	noun    string   // what the files hold, one of them ("record")
	sameID  string   // why a duplicate was left out
	nothing string   // the error when no record could be read
	open    func() importer
}

// importer is one import's reader and mapper, as runImport needs it.
type importer interface {
	ReadFile(path string) error
	// read is what reading the files gave.
	read() (n, duplicates int, notes []string, skipped []fmt.Stringer)
	// tables are the kind's tables, in importKind.tables order, with the
	// values that did not fit their columns.
	tables() ([]*table.Table, []fmt.Stringer)
	Span() (first, last int64, ok bool)
}

type ualImporter struct{ auditlog.Import }

func (u *ualImporter) read() (int, int, []string, []fmt.Stringer) {
	return len(u.Records), u.Duplicates, u.Notes, stringers(u.Skipped)
}

func (u *ualImporter) tables() ([]*table.Table, []fmt.Stringer) {
	office, cloud, issues := u.Tables()
	return []*table.Table{office, cloud}, stringers(issues)
}

type signinsImporter struct{ signinlog.Import }

func (s *signinsImporter) read() (int, int, []string, []fmt.Stringer) {
	return len(s.SignIns), s.Duplicates, s.Notes, stringers(s.Skipped)
}

func (s *signinsImporter) tables() ([]*table.Table, []fmt.Stringer) {
	interactive, nonInteractive, issues := s.Tables()
	return []*table.Table{interactive, nonInteractive}, stringers(issues)
}

func stringers[S fmt.Stringer](s []S) []fmt.Stringer {
	out := make([]fmt.Stringer, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// runImport runs "huntbook import KIND --workspace DIR [--force] FILES":
// exit code 2 for a usage error, 1 for files it could not read or write.
func runImport(k importKind, args []string, stdout, stderr io.Writer) int {
	cmd := "huntbook import " + k.name
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("workspace", "", "workspace folder to write the tables to (created if missing; required)")
	force := fs.Bool("force", false, "overwrite the tables' files if the folder has them")
	fs.Usage = func() {
		fmt.Fprintln(stderr, k.usage)
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
		fmt.Fprintf(stderr, "%s: --workspace DIR is required\n", cmd)
		return 2
	}
	if len(files) == 0 {
		fmt.Fprintf(stderr, "%s: %s\n", cmd, k.noFiles)
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return 1
	}
	if err := checkTargets(*dir, k.tables, *force); err != nil {
		return fail(err)
	}

	im := k.open()
	for _, f := range files {
		if err := im.ReadFile(f); err != nil {
			return fail(err)
		}
	}
	n, dups, notes, skipped := im.read()
	fmt.Fprintf(stdout, "read %s: %s", plural(len(files), "file"), plural(n, k.noun))
	if dups > 0 {
		fmt.Fprintf(stdout, " (%s left out: %s)", plural(dups, "duplicate"), k.sameID)
	}
	fmt.Fprintf(stdout, ", %d skipped\n", len(skipped))
	for _, n := range notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	printIssues(stdout, "skipped "+plural(len(skipped), k.noun)+" that could not be read:", skipped)
	if n == 0 {
		fmt.Fprintf(stderr, "%s: %s; nothing written\n", cmd, k.nothing)
		return 1
	}

	tables, issues := im.tables()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return fail(err)
	}
	ws, err := workspace.Open(*dir, workspace.Options{})
	if err != nil {
		return fail(err)
	}
	for _, t := range tables {
		path := filepath.Join(*dir, t.Name+".jsonl")
		if t.Rows() == 0 {
			// A table the files have nothing for is not written (an empty
			// one would say there were no such records); with --force, the
			// one a former import left goes, so the folder does not pair
			// old records with new ones. (An audit log import fills both
			// its tables from every record: never empty.)
			for _, f := range []string{path, filepath.Join(*dir, t.Name+".schema.json")} {
				if err := os.Remove(f); err == nil {
					fmt.Fprintf(stdout, "removed %s: the downloads have no %s rows\n", f, t.Name)
				} else if !os.IsNotExist(err) {
					return fail(err)
				}
			}
			continue
		}
		if err := ws.Write(t.Name, t, "jsonl"); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "wrote %s: %s\n", path, plural(t.Rows(), "row"))
	}
	if first, last, ok := im.Span(); ok {
		span := time.Duration((last - first) * 100)
		fmt.Fprintf(stdout, "time span: %s to %s (%s)\n", types.FormatDateTime(first), types.FormatDateTime(last), span)
		if err := recordEnd(stdout, *dir, last); err != nil {
			return fail(err)
		}
	}
	printIssues(stdout, plural(len(issues), "value")+" did not fit their column's type (left empty):", issues)
	return 0
}

// recordEnd notes in the folder's workspace.json where the imported data
// ends, so notebooks and hunts written with ago() find it whenever they
// run (workspace.RecordEnd keeps a later end and the user's own clock).
func recordEnd(stdout io.Writer, dir string, last int64) error {
	end, err := workspace.RecordEnd(dir, types.TicksToTime(last))
	if err != nil {
		return err
	}
	kept := ""
	if end.After(types.TicksToTime(last)) {
		kept = " (a later import's end, kept)"
	}
	fmt.Fprintf(stdout, "noted in %s: the data ends at %s%s (queries take it as now() unless its \"clock\" is \"real\")\n",
		filepath.Join(dir, "workspace.json"), types.FormatDateTime(types.TimeToTicks(end)), kept)
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

// printIssues prints a heading and the issues one a line, at most importMaxListed.
func printIssues(w io.Writer, heading string, issues []fmt.Stringer) {
	if len(issues) == 0 {
		return
	}
	fmt.Fprintln(w, heading)
	for i, is := range issues {
		if i == importMaxListed {
			fmt.Fprintf(w, "  ... and %d more\n", len(issues)-importMaxListed)
			break
		}
		fmt.Fprintf(w, "  %s\n", is)
	}
}

// plural is "1 file", "2 files".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
