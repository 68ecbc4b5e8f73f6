package notebooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/huntbook/huntbook/jupyter"
)

// RunOptions configure a batch run.
type RunOptions struct {
	// Kernel is the kernel command line, "{connection_file}" marking where
	// the connection file goes (the huntbook binary's "kernel -f ...").
	Kernel []string
	// Env is added to the kernel's environment (provider selection).
	Env []string
	// Params are the values to inject (from -p and -f).
	Params map[string]any
	// Output is where the executed notebook is saved after every cell; empty
	// means not saved.
	Output string
	// Timeout bounds the whole run; CellTimeout each cell (0: none).
	Timeout, CellTimeout time.Duration
	// Progress receives progress; see Progress.
	Progress Progress
	// KernelStderr receives the kernel's own log (nil: discarded).
	KernelStderr io.Writer
	// Notices receives, as they arrive, outputs a person at the terminal
	// must act on while the run waits: a provider's sign-in instructions
	// (the device code). They are in the saved notebook too.
	Notices io.Writer
}

// Progress is told about each cell as the run goes.
type Progress interface {
	Start(total int)
	Cell(index, total int, cell *Cell)
	Done(index, total int, cell *Cell, elapsed time.Duration, err error)
	Finish()
}

// CellError is the error of a run stopped by a failing cell.
type CellError struct {
	Index          int // 0-based index in the notebook
	CodeCell       int // 1-based among the code cells, as progress counts them
	ExecutionCount int
	EName, EValue  string
	TimedOut       bool
}

func (e *CellError) Error() string {
	if e.TimedOut {
		return fmt.Sprintf("%s timed out: %s", e.where(), e.EValue)
	}
	return fmt.Sprintf("%s failed: %s: %s", e.where(), e.EName, e.EValue)
}

// where names the cell as Jupyter shows it (In [3]); a cell stopped before
// the kernel numbered it is named by its place among the code cells, the
// number progress lines show.
func (e *CellError) where() string {
	if e.ExecutionCount > 0 {
		return fmt.Sprintf("cell In [%d]", e.ExecutionCount)
	}
	return fmt.Sprintf("code cell %d", e.CodeCell)
}

// ErrRunTimeout wraps a CellError (or the kernel's start) when the whole
// run's timeout ran out; errors.As still finds the CellError.
var ErrRunTimeout = errors.New("notebook run timed out")

const injectedTag = "injected-parameters"

// Prepare injects parameters into nb as papermill does: a new code cell
// tagged injected-parameters right after the cell tagged parameters (or at
// the top when there is none), replacing an earlier injected cell. It
// returns papermill-style warnings.
func Prepare(nb *Notebook, params map[string]any) ([]string, error) {
	kept := nb.Cells[:0]
	for _, c := range nb.Cells {
		if !c.HasTag(injectedTag) {
			kept = append(kept, c)
		}
	}
	nb.Cells = kept
	if len(params) == 0 {
		return nil, nil
	}
	at := -1
	var declared []Param
	for i, c := range nb.Cells {
		if c.CellType == "code" && c.HasTag("parameters") {
			ps, err := ParseParameters(string(c.Source))
			if err != nil {
				return nil, err
			}
			at, declared = i, ps
			break
		}
	}
	src, warnings, err := InjectedSource(declared, params)
	if err != nil {
		return nil, err
	}
	if at < 0 {
		warnings = append(warnings, "the notebook has no cell tagged \"parameters\": parameters are injected at the top")
	}
	cell := &Cell{ID: "injected-parameters", CellType: "code", Source: Source(src),
		Metadata: map[string]any{"tags": []any{injectedTag}}}
	nb.Cells = append(nb.Cells[:at+1], append([]*Cell{cell}, nb.Cells[at+1:]...)...)
	return warnings, nil
}

// Execute runs every code cell of nb on a fresh kernel, in order, saving
// the notebook after each cell when opts.Output is set. A failing cell
// stops the run: it keeps its error output, a markdown cell at the top says
// where it failed (as papermill does), later cells are left unrun, and the
// returned error is a *CellError. A cell whose metadata expects rows
// (ExpectRowsKey) and returned none fails the same way, as NoRows.
func Execute(ctx context.Context, nb *Notebook, opts RunOptions) error {
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	client, err := jupyter.Start(ctx, jupyter.StartOptions{Argv: opts.Kernel, Env: opts.Env, Stderr: opts.KernelStderr})
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("%w while the kernel started: %v", ErrRunTimeout, err)
		}
		return err
	}
	defer client.Shutdown()

	for _, c := range nb.Cells {
		if c.CellType == "code" {
			c.Outputs, c.ExecutionCount = nil, nil
			delete(c.Metadata, "execution")
		}
	}
	save := func() error {
		if opts.Output == "" {
			return nil
		}
		return nb.Write(opts.Output)
	}
	total := 0
	for _, c := range nb.Cells {
		if c.CellType == "code" {
			total++
		}
	}
	if opts.Progress != nil {
		opts.Progress.Start(total)
		defer opts.Progress.Finish()
	}
	n := 0
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		n++
		if opts.Progress != nil {
			opts.Progress.Cell(n, total, c)
		}
		start := time.Now()
		c.Metadata["execution"] = map[string]any{"iopub.execute_input": start.UTC().Format(time.RFC3339Nano)}
		rep, err := client.Execute(ctx, string(c.Source), opts.CellTimeout, func(m *jupyter.Message) { notice(opts.Notices, m) })
		c.Outputs = outputsOf(rep)
		if rep != nil && rep.ExecutionCount > 0 {
			ec := rep.ExecutionCount
			c.ExecutionCount = &ec
		}
		c.Metadata["execution"].(map[string]any)["shell.execute_reply"] = time.Now().UTC().Format(time.RFC3339Nano)
		var cellErr *CellError
		switch {
		case errors.Is(err, jupyter.ErrCellTimeout):
			cellErr = &CellError{Index: i, TimedOut: true, EName: "CellTimeoutError", EValue: fmt.Sprintf("the cell ran longer than %s and was interrupted", opts.CellTimeout)}
		case err != nil && ctx.Err() != nil:
			cellErr = &CellError{Index: i, TimedOut: true, EName: "RunTimeoutError", EValue: fmt.Sprintf("the run exceeded its %s timeout", opts.Timeout)}
		case err != nil:
			cellErr = &CellError{Index: i, EName: "KernelError", EValue: err.Error()}
		case rep.Status == "error":
			cellErr = &CellError{Index: i, EName: rep.EName, EValue: rep.EValue}
		case rep.Status == "aborted":
			cellErr = &CellError{Index: i, EName: "Aborted", EValue: "the kernel aborted the cell"}
		default:
			if msg, ok := expectRows(c); ok && !hasRows(c.Outputs) {
				cellErr = &CellError{Index: i, EName: "NoRows", EValue: expand(msg, paramValues(nb))}
				c.Outputs = append(c.Outputs, map[string]any{"output_type": "error", "ename": cellErr.EName, "evalue": cellErr.EValue, "traceback": []string{cellErr.EName + ": " + cellErr.EValue}})
			}
		}
		if cellErr != nil {
			cellErr.CodeCell = n
			if c.ExecutionCount != nil {
				cellErr.ExecutionCount = *c.ExecutionCount
			}
			if cellErr.TimedOut || cellErr.EName == "KernelError" {
				c.Outputs = append(c.Outputs, map[string]any{"output_type": "error", "ename": cellErr.EName, "evalue": cellErr.EValue, "traceback": []string{cellErr.EName + ": " + cellErr.EValue}})
			}
			markFailure(nb, cellErr)
		}
		if opts.Progress != nil {
			var perr error
			if cellErr != nil {
				perr = cellErr
			}
			opts.Progress.Done(n, total, c, time.Since(start), perr)
		}
		if err := save(); err != nil {
			return fmt.Errorf("saving %s: %w", opts.Output, err)
		}
		if cellErr != nil {
			if cellErr.EName == "RunTimeoutError" {
				return fmt.Errorf("%w: %w", ErrRunTimeout, cellErr)
			}
			return cellErr
		}
	}
	return nil
}

// ExpectRowsKey is the cell metadata (under "huntbook") of a cell whose
// query must return rows: its value is the message a run stops with when
// it returns none, "{name}" standing for parameter name's value. A bad
// parameter (an incident that does not exist) then fails the run at that
// cell instead of running on with empty tables.
const ExpectRowsKey = "expect_rows"

// expectRows returns the message of a cell that must return rows.
func expectRows(c *Cell) (string, bool) {
	hb, _ := c.Metadata["huntbook"].(map[string]any)
	msg, ok := hb[ExpectRowsKey].(string)
	return msg, ok && msg != ""
}

// hasRows reports whether a cell's outputs hold a table with rows (the
// kernel's application/json table has row_count).
func hasRows(outs []map[string]any) bool {
	for _, o := range outs {
		data, _ := o["data"].(map[string]any)
		t, _ := data["application/json"].(map[string]any)
		if n, ok := t["row_count"].(float64); ok && n > 0 {
			return true
		}
		if n, ok := t["row_count"].(int); ok && n > 0 {
			return true
		}
	}
	return false
}

// paramValues are the parameters in effect: the parameters cell's
// defaults, overridden by the injected cell's values.
func paramValues(nb *Notebook) map[string]string {
	out := map[string]string{}
	for _, tag := range []string{"parameters", injectedTag} {
		for _, c := range nb.Cells {
			if c.CellType != "code" || !c.HasTag(tag) {
				continue
			}
			ps, err := ParseParameters(string(c.Source))
			if err != nil {
				continue
			}
			for _, p := range ps {
				out[p.Name] = p.Default.String()
			}
		}
	}
	return out
}

// expand replaces {name} in msg by the parameter's value; unknown names
// stay as they are.
func expand(msg string, values map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '{')
		j := strings.IndexByte(msg[i+1:], '}')
		if i < 0 || j < 0 {
			b.WriteString(msg)
			return b.String()
		}
		name := msg[i+1 : i+1+j]
		b.WriteString(msg[:i])
		if v, ok := values[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(msg[i : i+2+j])
		}
		msg = msg[i+2+j:]
	}
}

// markFailure puts papermill's banner at the top of the notebook.
func markFailure(nb *Notebook, e *CellError) {
	banner := &Cell{ID: "huntbook-error", CellType: "markdown", Metadata: map[string]any{"tags": []any{"huntbook-error"}},
		Source: Source(fmt.Sprintf("**An Exception was encountered at '%s'.**\n\n`%s`: %s", strings.TrimPrefix(e.where(), "cell "), e.EName, e.EValue))}
	nb.Cells = append([]*Cell{banner}, nb.Cells...)
	e.Index++ // the banner shifted the cells
}

// notice writes a sign-in request's text to w.
func notice(w io.Writer, m *jupyter.Message) {
	if w == nil || m.Header.MsgType != "display_data" {
		return
	}
	var content struct {
		Data     map[string]any `json:"data"`
		Metadata map[string]any `json:"metadata"`
	}
	if json.Unmarshal(m.Content, &content) != nil || content.Metadata[jupyter.SignInMetadata] != true {
		return
	}
	if text, ok := content.Data["text/plain"].(string); ok {
		fmt.Fprintln(w, text)
	}
}

// outputsOf turns iopub messages into nbformat outputs, merging consecutive
// stream text of the same stream as Jupyter does.
func outputsOf(rep *jupyter.ExecuteReply) []map[string]any {
	if rep == nil {
		return nil
	}
	var outs []map[string]any
	for _, m := range rep.Outputs {
		var content map[string]any
		if json.Unmarshal(m.Content, &content) != nil {
			continue
		}
		switch m.Header.MsgType {
		case "stream":
			text, _ := content["text"].(string)
			if k := len(outs); k > 0 && outs[k-1]["output_type"] == "stream" && outs[k-1]["name"] == content["name"] {
				outs[k-1]["text"] = outs[k-1]["text"].(string) + text
				continue
			}
			outs = append(outs, map[string]any{"output_type": "stream", "name": content["name"], "text": text})
		case "display_data":
			outs = append(outs, map[string]any{"output_type": "display_data", "data": content["data"], "metadata": orEmpty(content["metadata"])})
		case "execute_result":
			outs = append(outs, map[string]any{"output_type": "execute_result", "data": content["data"], "metadata": orEmpty(content["metadata"]), "execution_count": content["execution_count"]})
		case "error":
			outs = append(outs, map[string]any{"output_type": "error", "ename": content["ename"], "evalue": content["evalue"], "traceback": content["traceback"]})
		case "clear_output":
			outs = nil
		}
	}
	return outs
}

func orEmpty(v any) any {
	if v == nil {
		return map[string]any{}
	}
	return v
}

// Title is a cell's first line, for progress displays.
func Title(c *Cell) string {
	s := strings.TrimSpace(string(c.Source))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return truncate(s, 60)
}

// truncate shortens s to at most n runes, ending in "..." when cut; it
// never splits a UTF-8 sequence.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 3 {
		return string(r[:n])
	}
	return string(r[:n-3]) + "..."
}
