package interp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/msticconfig"
	"github.com/huntbook/huntbook/providers/templates"
)

// %query: the query template library (providers/templates), the built-in
// hunting queries plus msticpyconfig.yaml's QueryDefinitions folders.
func init() {
	RegisterBuiltin(Magic{
		Name: "query", Kind: LineMagic,
		Usage: "%query list [FILTER] | show NAME | run NAME [PARAM=VALUE ...]",
		Help: "Query templates (MSTICPy's YAML format): 'list' names them (FILTER matches name or description), " +
			"'show' describes one with its parameters and text, 'run' fills in the parameters and runs it on the " +
			"connected provider. Parameters not given take their defaults; start and end come from %timerange " +
			"when set. Values are typed by the template and always inserted as literals.",
		Run:      runQueryMagic,
		Complete: completeQueryMagic,
	})
}

// templateLibrary is loaded once per interpreter: the built-in templates
// and the config's query folders.
type templateLibrary struct {
	once sync.Once
	lib  *templates.Library
	err  error
}

func (in *Interpreter) templates() (*templates.Library, error) {
	in.mu.Lock()
	if in.tmpl == nil {
		in.tmpl = &templateLibrary{}
	}
	t := in.tmpl
	in.mu.Unlock()
	t.once.Do(func() {
		var dirs []string
		if cfg, err := msticconfig.Load(in.ConfigPath); cfg != nil && (err == nil || errors.As(err, new(*msticconfig.InvalidError))) {
			dirs = cfg.QueryPaths()
		}
		t.lib, t.err = templates.Load(dirs...)
	})
	return t.lib, t.err
}

func runQueryMagic(ctx context.Context, c *Call) error {
	fields, err := splitArgs(c.Args)
	if err != nil {
		return c.Usagef("%v", err)
	}
	if len(fields) == 0 {
		return c.Usagef("say list, show or run")
	}
	lib, err := c.In.templates()
	if err != nil {
		return fmt.Errorf("loading query templates: %w", err)
	}
	switch fields[0] {
	case "list":
		f := templates.Filter{Text: strings.Join(fields[1:], " ")}
		qs := lib.List(f)
		if len(qs) == 0 {
			c.Stdout(fmt.Sprintf("No query template matches %q (%s in all).\n", f.Text, plural(len(lib.All()), "template")))
			return nil
		}
		w := 0
		for _, q := range qs {
			w = max(w, len(q.Name))
		}
		var b strings.Builder
		for _, q := range qs {
			desc, _, _ := strings.Cut(strings.TrimSpace(q.Description), "\n")
			fmt.Fprintf(&b, "%-*s  %s\n", w, q.Name, desc)
		}
		fmt.Fprintf(&b, "(%s; %%query show NAME describes one)", plural(len(qs), "template"))
		c.Result(map[string]any{"text/plain": b.String()}, nil)
		return nil
	case "show":
		if len(fields) != 2 {
			return c.Usagef("show takes one NAME")
		}
		q, err := lib.Get(fields[1])
		if err != nil {
			return err
		}
		c.Result(map[string]any{
			"text/plain":    q.Describe() + "\nQuery:\n" + q.Text,
			"text/markdown": "```\n" + q.Describe() + "```\n\n```kql\n" + q.Text + "\n```\n",
		}, nil)
		return nil
	case "run":
		if len(fields) < 2 {
			return c.Usagef("run needs a template NAME")
		}
		q, err := lib.Get(fields[1])
		if err != nil {
			return err
		}
		args := map[string]any{}
		for _, kv := range fields[2:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return c.Usagef("%q: parameters are written NAME=VALUE", kv)
			}
			if _, dup := args[k]; dup {
				return c.Usagef("parameter %s given twice", k)
			}
			args[k] = v
		}
		opts := templates.RenderOptions{}
		if e, ok := c.In.Engine().(*ProviderEngine); ok && e != nil && e.Provider() != nil {
			opts.Now = clock(e.Provider())
			// %timerange feeds templates that take start and end.
			params := e.Params()
			for _, name := range []string{"start", "end"} {
				v, set := params[name]
				if _, declared := q.Params[name]; set && declared && v.Type == types.DateTime && v.Valid {
					if _, given := args[name]; !given {
						args[name] = types.TicksToTime(v.I)
					}
				}
			}
		}
		text, err := q.Render(args, opts)
		if err != nil {
			return err // names the query already
		}
		return c.RunQuery(ctx, text)
	}
	return c.Usagef("unknown subcommand %q: say list, show or run", fields[0])
}

// completeQueryMagic completes the subcommand, then template names.
func completeQueryMagic(in *Interpreter, args string, cursor int) ([]string, int, int) {
	before := args[:cursor]
	start := strings.LastIndexAny(before, " \t") + 1
	word := before[start:]
	fields := strings.Fields(before[:start])
	switch {
	case len(fields) == 0:
		return filterPrefix([]string{"list", "show", "run"}, word), start, cursor
	case len(fields) == 1 && (fields[0] == "show" || fields[0] == "run"):
		lib, err := in.templates()
		if err != nil {
			return nil, cursor, cursor
		}
		var names []string
		for _, q := range lib.All() {
			names = append(names, q.Name)
		}
		sort.Strings(names)
		return filterPrefix(names, word), start, cursor
	}
	return nil, cursor, cursor
}
