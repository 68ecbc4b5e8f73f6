package interp

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kernel"
)

// The magics every interpreter has; others register theirs in their own
// files the same way.
func init() {
	RegisterBuiltin(Magic{
		Name: "echo", Kind: LineMagic,
		Usage: "%echo [--stderr] [--] TEXT",
		Help:  "Writes TEXT and a newline to standard output, or to standard error with --stderr. Use -- before text that starts with --.",
		Run:   runEcho,
	})
	RegisterBuiltin(Magic{
		Name: "who", Kind: LineMagic,
		Usage: "%who",
		Help:  "Lists the results kept by name (a query ending in '| as Name') with their rows and columns, and the last result, _.",
		Run:   runWho,
	})
	RegisterBuiltin(Magic{
		Name: "history", Kind: LineMagic,
		Usage: "%history [-n] [-g PATTERN] [N]",
		Help: "Shows this session's inputs, oldest first: the last N when N is given, those matching the glob PATTERN " +
			"(* ? [...]) with -g, each numbered by its execution count with -n.",
		Run: runHistory,
	})
	RegisterBuiltin(Magic{
		Name: "time", Kind: LineMagic | CellMagic, Rest: true,
		Usage: "%time [CODE]  or  %%time",
		Help: "Runs CODE, or the rest of the cell after the magic (magics and queries alike), " +
			"then prints the wall-clock time it took.",
		Run: runTime,
	})
	RegisterBuiltin(Magic{
		Name: "lsmagic", Kind: LineMagic,
		Usage: "%lsmagic",
		Help:  "Lists every line and cell magic with its usage. Put ? after a magic's name for its help: %echo?",
		Run:   runLsmagic,
	})
	RegisterBuiltin(Magic{
		Name: "clear", Kind: LineMagic,
		Usage: "%clear [--wait]",
		Help:  "Clears the cell's output so far; with --wait, only once new output arrives (no flicker).",
		Run: func(ctx context.Context, c *Call) error {
			switch c.Args {
			case "":
				c.Clear(false)
			case "--wait":
				c.Clear(true)
			default:
				return c.Usagef("unknown argument %q", c.Args)
			}
			return nil
		},
	})
	RegisterBuiltin(Magic{
		Name: "html", Kind: CellMagic,
		Usage: "%%html",
		Help:  "Displays the rest of the cell as HTML (it is shown as written: it is your own markup).",
		Run: func(ctx context.Context, c *Call) error {
			c.Display(map[string]any{"text/html": c.Body, "text/plain": c.Body}, nil)
			return nil
		},
	})
	RegisterBuiltin(Magic{
		Name: "markdown", Kind: CellMagic,
		Usage: "%%markdown",
		Help:  "Displays the rest of the cell as Markdown: notes that sit with the queries they explain.",
		Run: func(ctx context.Context, c *Call) error {
			c.Display(map[string]any{"text/markdown": c.Body, "text/plain": c.Body}, nil)
			return nil
		},
	})
}

func runEcho(ctx context.Context, c *Call) error {
	text, stderr := c.Args, false
	for strings.HasPrefix(text, "--") {
		opt, rest, _ := strings.Cut(text, " ")
		switch opt {
		case "--stderr":
			stderr = true
		case "--":
			text = strings.TrimLeft(rest, " ")
			goto done
		default:
			return c.Usagef("unknown option %s", opt)
		}
		text = strings.TrimLeft(rest, " ")
	}
done:
	if stderr {
		c.Stderr(text + "\n")
	} else {
		c.Stdout(text + "\n")
	}
	return nil
}

func runWho(ctx context.Context, c *Call) error {
	if c.Args != "" {
		return c.Usagef("%%who takes no arguments, got %q", c.Args)
	}
	type row struct{ name, rows, cols string }
	var rows []row
	describe := func(name string, r Result) {
		n, cols := 0, ""
		if r.Table != nil {
			n = r.Table.Rows()
			cols = r.Table.Schema().String()
		}
		rows = append(rows, row{name, strconv.Itoa(n), cols})
	}
	for _, n := range c.In.Names() {
		r, _ := c.In.Named(n)
		describe(n, r)
	}
	if r, ok := c.In.Last(); ok {
		describe("_", r)
	}
	if len(rows) == 0 {
		c.Stdout("No results kept yet: run a query (its result is _) or name one with '| as Name'.\n")
		return nil
	}
	w0, w1 := len("Name"), len("Rows")
	for _, r := range rows {
		w0, w1 = max(w0, len(r.name)), max(w1, len(r.rows))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s  %*s  %s\n", w0, "Name", w1, "Rows", "Columns")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s  %*s  %s\n", w0, r.name, w1, r.rows, r.cols)
	}
	c.Stdout(b.String())
	return nil
}

func runHistory(ctx context.Context, c *Call) error {
	numbered, pattern, n := false, "", 0
	fields := strings.Fields(c.Args)
	for i := 0; i < len(fields); i++ {
		switch f := fields[i]; {
		case f == "-n":
			numbered = true
		case f == "-g":
			if i+1 == len(fields) {
				return c.Usagef("-g needs a PATTERN")
			}
			i++
			pattern = fields[i]
		default:
			v, err := strconv.Atoi(f)
			if err != nil || v <= 0 {
				return c.Usagef("%q is not an option or a positive count", f)
			}
			n = v
		}
	}
	h := c.Req.History
	if h == nil {
		h = &kernel.History{}
	}
	var entries []kernel.HistoryEntry
	if pattern != "" {
		entries = h.Search(pattern, 0, false)
	} else {
		entries = h.Tail(0)
	}
	// Leave out this %history cell itself.
	if k := len(entries); k > 0 && c.Req.StoreHistory && entries[k-1].Line == c.Req.ExecutionCount {
		entries = entries[:k-1]
	}
	if n > 0 && n < len(entries) {
		entries = entries[len(entries)-n:]
	}
	var b strings.Builder
	for _, e := range entries {
		if numbered {
			fmt.Fprintf(&b, "%3d: ", e.Line)
			b.WriteString(strings.ReplaceAll(e.Input, "\n", "\n     "))
		} else {
			b.WriteString(e.Input)
		}
		b.WriteByte('\n')
	}
	c.Stdout(b.String())
	return nil
}

func runTime(ctx context.Context, c *Call) error {
	code := c.Body
	if c.Args != "" {
		code = c.Args + "\n" + c.Body
	}
	start := time.Now()
	err := c.RunCell(ctx, code)
	c.x.out.note("stdout", fmt.Sprintf("Wall time: %s\n", formatElapsed(time.Since(start))))
	return err
}

func runLsmagic(ctx context.Context, c *Call) error {
	var b strings.Builder
	for _, kind := range []MagicKind{LineMagic, CellMagic} {
		if kind == LineMagic {
			b.WriteString("Line magics:\n")
		} else {
			b.WriteString("\nCell magics:\n")
		}
		for _, m := range c.In.Magics() {
			if m.Kind&kind != 0 {
				fmt.Fprintf(&b, "  %-12s %s\n", spelled(m.Name, kind), m.Usage)
			}
		}
	}
	b.WriteString("\nHelp on one: %name? (for example %echo?)")
	c.Result(map[string]any{"text/plain": b.String()}, nil)
	return nil
}
