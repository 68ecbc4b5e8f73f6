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
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/huntbook/huntbook/notebooks"
)

func init() {
	register(&command{name: "run", summary: "run a notebook in batch on the real kernel (papermill semantics), with an HTML report", run: runNotebook})
}

// Exit codes of huntbook run.
const (
	runOK       = 0
	runFailed   = 1 // a cell raised an error
	runUsage    = 2 // bad flags, parameters or notebook
	runTimedOut = 3 // --timeout or --cell-timeout ran out
)

func runNotebook(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "where to save the executed notebook (default NOTEBOOK.out.ipynb)")
	var params multiFlag
	fs.Var(&params, "p", "parameter NAME=VALUE (repeatable)")
	paramFile := fs.String("f", "", "YAML file of parameters (name: value)")
	htmlOut := fs.String("html", "", "also write an HTML report here")
	provider := fs.String("provider", "", "provider the kernel connects to (default: local sample tenant)")
	var workspaces multiFlag
	fs.Var(&workspaces, "workspace", "workspace folder for the local provider (repeatable)")
	timeout := fs.Duration("timeout", 0, "timeout for the whole run (e.g. 10m)")
	cellTimeout := fs.Duration("cell-timeout", 0, "timeout for each cell (e.g. 2m)")
	progress := fs.String("progress", "auto", "progress display: auto, bar, lines or none")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: huntbook run NOTEBOOK [flags]

Runs every code cell of NOTEBOOK on the huntbook kernel, as papermill does:
parameters go into a new cell after the cell tagged "parameters", the output
notebook is saved after each cell, and a failing cell stops the run.
Exit codes: 0 ok, 1 a cell failed, 2 bad usage or parameters, 3 timed out.

Flags:`)
		fs.PrintDefaults()
	}
	// Flags may come after the notebook, as in papermill's usage.
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return runOK
		}
		return runUsage
	}
	if len(positional) != 1 {
		fs.Usage()
		return runUsage
	}
	input := positional[0]
	nb, err := notebooks.Read(input)
	if err != nil {
		if os.IsNotExist(err) {
			if data, ok := notebooks.Shipped(input); ok {
				nb, err = notebooks.Parse(data)
			} else {
				err = fmt.Errorf("%s: no such notebook file, nor a shipped notebook of that name (shipped: %s)",
					input, strings.Join(notebooks.ShippedNames(), ", "))
			}
		}
		if err != nil {
			fmt.Fprintln(stderr, "huntbook run:", err)
			return runUsage
		}
	}
	values := map[string]any{}
	if *paramFile != "" {
		b, err := os.ReadFile(*paramFile)
		if err == nil {
			err = yaml.Unmarshal(b, &values)
		}
		if err != nil {
			fmt.Fprintf(stderr, "huntbook run: parameters file %s: %v\n", *paramFile, err)
			return runUsage
		}
	}
	for _, p := range params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			fmt.Fprintf(stderr, "huntbook run: -p %q: want NAME=VALUE\n", p)
			return runUsage
		}
		values[strings.TrimSpace(k)] = v
	}
	warnings, err := notebooks.Prepare(nb, values)
	if err != nil {
		fmt.Fprintln(stderr, "huntbook run:", err)
		return runUsage
	}
	for _, w := range warnings {
		fmt.Fprintln(stderr, "warning:", w)
	}
	if *out == "" {
		*out = strings.TrimSuffix(filepath.Base(input), ".ipynb") + ".out.ipynb"
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "huntbook run:", err)
		return runUsage
	}
	env := []string{}
	if *provider != "" {
		env = append(env, envProvider+"="+*provider)
	}
	if len(workspaces) > 0 {
		env = append(env, envWorkspace+"="+strings.Join(workspaces, string(os.PathListSeparator)))
	}
	opts := notebooks.RunOptions{
		Kernel: []string{self, "kernel", "-f", "{connection_file}"}, Env: env,
		Output: *out, Timeout: *timeout, CellTimeout: *cellTimeout, Notices: stderr,
	}
	switch *progress {
	case "bar":
		opts.Progress = &notebooks.TermProgress{W: stderr, Width: columns(stderr)}
	case "lines":
		opts.Progress = &notebooks.LineProgress{W: stderr}
	case "none":
	case "auto":
		if isTerminal(stderr) {
			opts.Progress = &notebooks.TermProgress{W: stderr, Width: columns(stderr)}
		} else {
			opts.Progress = &notebooks.LineProgress{W: stderr}
		}
	default:
		fmt.Fprintf(stderr, "huntbook run: unknown --progress %q\n", *progress)
		return runUsage
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	runErr := notebooks.Execute(ctx, nb, opts)
	if *htmlOut != "" {
		f, err := os.Create(*htmlOut)
		if err == nil {
			err = notebooks.WriteHTML(f, nb, strings.TrimSuffix(filepath.Base(input), ".ipynb"))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintln(stderr, "huntbook run: HTML report:", err)
			return runFailed
		}
	}
	var cellErr *notebooks.CellError
	switch {
	case runErr == nil:
		fmt.Fprintf(stderr, "huntbook run: %s done in %s; output %s\n", input, time.Since(start).Round(time.Millisecond), *out)
		return runOK
	case errors.As(runErr, &cellErr):
		fmt.Fprintf(stderr, "huntbook run: %v; output notebook written to %s\n", runErr, *out)
		if cellErr.TimedOut {
			return runTimedOut
		}
		return runFailed
	case errors.Is(runErr, notebooks.ErrRunTimeout):
		fmt.Fprintln(stderr, "huntbook run:", runErr)
		return runTimedOut
	default:
		fmt.Fprintln(stderr, "huntbook run:", runErr)
		return runFailed
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// columns is the width of the terminal w writes to: the terminal's own
// size, else $COLUMNS, else 0 (the progress bar's default).
func columns(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if n := termWidth(f); n > 0 {
			return n
		}
	}
	n, _ := strconv.Atoi(os.Getenv("COLUMNS"))
	return n
}
