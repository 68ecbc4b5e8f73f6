package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/huntbook/huntbook/analytics/charts"
	"github.com/huntbook/huntbook/kernel/interp"
	"github.com/huntbook/huntbook/kql/workspace"
	"github.com/huntbook/huntbook/msticconfig"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/templates"
)

func init() {
	register(&command{name: "query", summary: "run KQL and print the results", run: runQuery})
}

// queryProvider opens the provider a query asked for; tests replace it.
var queryProvider = openProvider

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func runQuery(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var workspaces multiFlag
	fs.Var(&workspaces, "workspace", "workspace folder (repeatable); default: the built-in sample tenant")
	format := fs.String("format", "table", "output format: table, csv or json (JSON lines)")
	stats := fs.Bool("stats", false, "print rows scanned, memory and time per statement on stderr")
	provider := fs.String("provider", "", "provider name (default: local)")
	endpoint := fs.String("endpoint", "", "override the provider's endpoint URL")
	auth := fs.String("auth", "", "authentication method for a remote provider")
	tokenEnv := fs.String("token-env", "", "environment variable holding a bearer token")
	timeout := fs.Duration("timeout", 0, "query timeout (e.g. 2m); 0 means none")
	plot := fs.String("plot", "", "write the chart of a rendered query to FILE.png or FILE.svg")
	template := fs.String("template", "", "run a query template (built-in or from msticpyconfig QueryDefinitions) instead of QUERY")
	var tparams multiFlag
	fs.Var(&tparams, "p", "template parameter NAME=VALUE (repeatable, with --template)")
	maxRows := fs.Int("max-rows", 1<<30, "rows to print per result in table format")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: huntbook query [flags] QUERY|-\n       huntbook query [flags] --template NAME [-p NAME=VALUE]...\n\nRuns KQL (a script of ';'-separated statements prints each result in turn).\n\nFlags:")
		fs.PrintDefaults()
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch {
	case len(positional) > 1:
		fmt.Fprintf(stderr, "huntbook query: one QUERY, got %d arguments (quote the query, or use ';' between statements)\n", len(positional))
		return 2
	case *template != "" && len(positional) == 1:
		fmt.Fprintln(stderr, "huntbook query: give --template NAME or a QUERY, not both")
		return 2
	case *template == "" && len(positional) == 0:
		fs.Usage()
		return 2
	}
	if len(tparams) > 0 && *template == "" {
		fmt.Fprintln(stderr, "huntbook query: -p goes with --template")
		return 2
	}
	var query string
	if len(positional) == 1 {
		query = positional[0]
	}
	if query == "-" {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			fmt.Fprintln(stderr, "huntbook query: reading stdin:", err)
			return 1
		}
		query = string(b)
	}
	switch *format {
	case "table", "csv", "json":
	default:
		fmt.Fprintf(stderr, "huntbook query: unknown --format %q (want table, csv or json)\n", *format)
		return 2
	}
	overrides := map[string]string{}
	for k, v := range map[string]string{"endpoint": *endpoint, "auth": *auth, "token_env": *tokenEnv} {
		if v != "" {
			overrides[k] = v
		}
	}
	if len(workspaces) > 0 && *provider != "" && !strings.EqualFold(*provider, "local") {
		fmt.Fprintf(stderr, "huntbook query: --workspace is for the embedded engine; provider %q has its own data (give one or the other)\n", *provider)
		return 2
	}
	p, err := queryProvider(*provider, workspaces, overrides)
	if err != nil {
		fmt.Fprintln(stderr, "huntbook query:", err)
		return 1
	}
	defer p.Close()
	if *template != "" {
		if query, err = renderTemplate(*template, tparams, p); err != nil {
			fmt.Fprintln(stderr, "huntbook query:", err)
			return 2
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	results, err := p.NewSession().Run(ctx, query, providers.QueryOptions{Timeout: *timeout})
	if err != nil {
		printQueryError(stderr, query, err)
		return 1
	}
	plotted := false
	for i, r := range results {
		for _, w := range r.Warnings {
			fmt.Fprintln(stderr, "warning:", w)
		}
		if r.Truncated {
			fmt.Fprintf(stderr, "warning: result %d was truncated at %d rows (set truncationmaxrecords or notruncation to change)\n", i+1, r.Table.Rows())
		}
		if i > 0 && *format == "table" {
			fmt.Fprintln(stdout)
		}
		switch *format {
		case "table":
			// TableText is a display bundle's text (no final newline); a
			// terminal wants the prompt on a line of its own.
			io.WriteString(stdout, interp.TableText(interp.Result{Table: r.Table, Elapsed: r.Stats.Elapsed}, *maxRows)+"\n")
		case "csv":
			err = workspace.WriteCSV(stdout, r.Table)
		case "json":
			err = workspace.WriteJSONL(stdout, r.Table)
		}
		if err != nil {
			fmt.Fprintln(stderr, "huntbook query:", err)
			return 1
		}
		if *plot != "" && r.Render != nil {
			if err := writePlot(*plot, r); err != nil {
				fmt.Fprintln(stderr, "huntbook query: --plot:", err)
				return 1
			}
			plotted = true
		}
		if *stats {
			s := r.Stats
			fmt.Fprintf(stderr, "statement %d: %d rows out, %d rows scanned, %.1f MB read, peak %.1f MB, %s\n",
				i+1, r.Table.Rows(), s.RowsScanned, float64(s.BytesRead)/1e6, float64(s.PeakMemory)/1e6, s.Elapsed.Round(time.Microsecond))
		}
	}
	if *plot != "" && !plotted {
		fmt.Fprintln(stderr, "huntbook query: --plot: the query has no render operator, so there is no chart to write")
		return 1
	}
	if *stats {
		fmt.Fprintf(stderr, "total: %d results in %s\n", len(results), time.Since(start).Round(time.Millisecond))
	}
	return 0
}

// renderTemplate renders a query template with its parameters. Relative
// times in templates count back from the provider's clock (the end of a
// generated tenant's data).
func renderTemplate(name string, params []string, p providers.Provider) (string, error) {
	var dirs []string
	if cfg, err := msticconfig.Load(""); cfg != nil && (err == nil || errors.As(err, new(*msticconfig.InvalidError))) {
		dirs = cfg.QueryPaths()
	}
	lib, err := templates.Load(dirs...)
	if err != nil {
		return "", err
	}
	q, err := lib.Get(name)
	if err != nil {
		return "", err
	}
	args := map[string]any{}
	for _, kv := range params {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return "", fmt.Errorf("-p %q: want NAME=VALUE", kv)
		}
		args[strings.TrimSpace(k)] = v
	}
	opts := templates.RenderOptions{}
	if err := p.Connect(context.Background()); err == nil {
		if ender, ok := p.(interface{ End() time.Time }); ok {
			opts.Now = ender.End()
		}
	}
	text, err := q.Render(args, opts)
	if err != nil {
		return "", err // names the query already
	}
	return text, nil
}

// writePlot renders a result's chart as PNG or SVG, chosen by the file's
// extension.
func writePlot(path string, r *providers.Result) error {
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return fmt.Errorf("%s: want a .png or .svg file", path)
	}
	c, err := charts.Build(r.Table, r.Render.Kind, r.Render.Props)
	if err != nil {
		return err
	}
	if c.IsTable() {
		return fmt.Errorf("render %s draws no chart", r.Render.Kind)
	}
	b, err := charts.Render(c, format, 960, 540)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// printQueryError prints each error with the query line and a caret under
// the column, as the kernel does.
func printQueryError(w io.Writer, query string, err error) {
	lines := strings.Split(query, "\n")
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		var qe *providers.QueryError
		if errors.As(e, &qe) && qe.Line > 0 && qe.Line <= len(lines) {
			fmt.Fprintf(w, "error: line %d, column %d: %s\n", qe.Line, qe.Column, qe.Msg)
			line := lines[qe.Line-1]
			fmt.Fprintf(w, "  %s\n  %s^\n", line, caretPad(line, qe.Column))
			continue
		}
		fmt.Fprintln(w, "error:", e)
	}
}

// caretPad is the white space that puts a caret under byte column col,
// keeping tabs so the caret lines up in a terminal.
func caretPad(line string, col int) string {
	var b strings.Builder
	for i := 0; i < col-1 && i < len(line); i++ {
		if line[i] == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}
