package interp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
	"github.com/huntbook/huntbook/msticconfig"
	"github.com/huntbook/huntbook/providers"
)

// The data magics: choosing a provider, looking at its tables, query
// parameters, export and the msticpy configuration.
func init() {
	RegisterBuiltin(Magic{
		Name: "connect", Kind: LineMagic,
		Usage: "%connect NAME [DIR ...] [--endpoint URL] [--auth METHOD] [--token-env VAR]",
		Help: "Connects later queries to a provider. 'local' is the embedded KQL engine: on the built-in sample " +
			"tenant with no DIR, or on workspace folders (%connect local /path/to/workspace). Other names come " +
			"from msticpyconfig.yaml (Sentinel workspaces, Kusto clusters); --endpoint, --auth and --token-env " +
			"override what the file says. Query parameters (%set, %timerange) are kept; let statements are not.",
		Run:      runConnect,
		Complete: completeConnect,
	})
	RegisterBuiltin(Magic{
		Name: "providers", Kind: LineMagic,
		Usage: "%providers",
		Help:  "Lists the connected provider, the provider kinds this kernel has and the names msticpyconfig.yaml defines.",
		Run:   runProviders,
	})
	RegisterBuiltin(Magic{
		Name: "tables", Kind: LineMagic,
		Usage: "%tables [PATTERN]",
		Help: "Lists the connected provider's tables (those whose name contains PATTERN, case-insensitively) " +
			"with their column counts, row counts where known, and a link to the table's reference documentation.",
		Run: runTables,
	})
	RegisterBuiltin(Magic{
		Name: "schema", Kind: LineMagic,
		Usage: "%schema TABLE",
		Help:  "Shows a table's columns and their types, as getschema would.",
		Run:   runSchema,
		Complete: func(in *Interpreter, args string, cursor int) ([]string, int, int) {
			return completeTableArg(in, args, cursor)
		},
	})
	RegisterBuiltin(Magic{
		Name: "set", Kind: LineMagic,
		Usage: "%set [NAME = VALUE | --unset NAME]",
		Help: "Sets a query parameter that every later query can use by name. VALUE is a KQL literal and gives " +
			"the type: 42, 1.5, 'text', true, datetime(2024-01-01), 7d, guid(...), dynamic(['a','b']). With no " +
			"arguments, lists the parameters; --unset removes one.",
		Run: runSet,
	})
	RegisterBuiltin(Magic{
		Name: "optional", Kind: LineMagic,
		Usage: "%optional [TABLE ...]",
		Help: "Declares tables the notebook's queries may do without. On the embedded engine, a declared table " +
			"that no workspace folder has reads as an empty table with its built-in schema, and the query's result " +
			"says so, so that a notebook's enrichment runs on a partial export. Remote providers have the tables " +
			"they have. With no arguments, lists the declared tables.",
		Run:      runOptional,
		Complete: completeOptional,
	})
	RegisterBuiltin(Magic{
		Name: "timerange", Kind: LineMagic,
		Usage: "%timerange [START END | last DURATION | --unset]",
		Help: "Sets the query parameters start and end (datetimes) for queries written as " +
			"'where TimeGenerated between (start .. end)'. START and END are datetimes (2024-01-31, " +
			"2024-01-31T08:00:00Z or datetime(...)); 'last 7d' ends now (for the sample tenant: when its data ends). " +
			"With no arguments, shows the range.",
		Run: runTimerange,
	})
	RegisterBuiltin(Magic{
		Name: "export", Kind: LineMagic,
		Usage: "%export NAME FILE.csv|FILE.jsonl|FILE.parquet",
		Help: "Writes a kept result to a file: NAME is _ for the last result or a name given with '| as Name'. " +
			"The format follows the extension; the file is replaced if it exists.",
		Run: runExport,
		Complete: func(in *Interpreter, args string, cursor int) ([]string, int, int) {
			if strings.ContainsAny(args[:cursor], " \t") {
				return nil, cursor, cursor
			}
			return filterPrefix(append([]string{"_"}, in.Names()...), args[:cursor]), 0, cursor
		},
	})
	RegisterBuiltin(Magic{
		Name: "config", Kind: LineMagic,
		Usage: "%config",
		Help: "Shows the msticpyconfig.yaml in use (found as MSTICPy finds it: $MSTICPYCONFIG, ./msticpyconfig.yaml, " +
			"~/.msticpy/msticpyconfig.yaml) with every secret masked, and its validation findings.",
		Run: runConfig,
	})
	RegisterBuiltin(Magic{
		Name: "kql", Kind: CellMagic, KQLBody: true,
		Usage: "%%kql [PROVIDER]",
		Help: "Runs the rest of the cell as KQL on PROVIDER (a name %connect accepts) without changing the " +
			"connected provider; with no PROVIDER, on the connected one. Each provider keeps its own session.",
		Run: runKQLCell,
	})
}

// providerEngine returns the interpreter's engine as a ProviderEngine.
func providerEngine(c *Call) (*ProviderEngine, error) {
	e, ok := c.In.Engine().(*ProviderEngine)
	if !ok || e == nil || e.Provider() == nil {
		return nil, errors.New("no provider connected: use %connect local (the built-in sample tenant) or %connect NAME")
	}
	return e, nil
}

// splitArgs splits magic arguments at blanks, keeping quoted parts
// ('...' or "...") together without their quotes.
func splitArgs(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote", quote)
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}

// openProvider opens a provider by name through the interpreter's hook,
// or the registry's local provider when no hook is set.
func (in *Interpreter) openProvider(name string, dirs []string, overrides map[string]string) (providers.Provider, error) {
	if in.OpenProvider != nil {
		return in.OpenProvider(name, dirs, overrides)
	}
	if name != "local" {
		return nil, fmt.Errorf("unknown provider %q: this kernel knows only 'local' (known kinds: %s)", name, strings.Join(providers.Kinds(), ", "))
	}
	settings := map[string]string{"data_paths": strings.Join(dirs, string(os.PathListSeparator))}
	return providers.Open("local", "local", settings)
}

// connectArgs parses %connect's arguments.
func connectArgs(c *Call) (name string, dirs []string, overrides map[string]string, err error) {
	fields, err := splitArgs(c.Args)
	if err != nil {
		return "", nil, nil, c.Usagef("%v", err)
	}
	overrides = map[string]string{}
	flags := map[string]string{"--endpoint": "endpoint", "--auth": "auth", "--token-env": "token_env"}
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if strings.HasPrefix(f, "--") {
			opt, val, hasVal := strings.Cut(f, "=")
			key, ok := flags[opt]
			if !ok {
				return "", nil, nil, c.Usagef("unknown option %s", opt)
			}
			if !hasVal {
				if i+1 == len(fields) {
					return "", nil, nil, c.Usagef("%s needs a value", opt)
				}
				i++
				val = fields[i]
			}
			overrides[key] = val
			continue
		}
		if name == "" {
			name = f
		} else {
			dirs = append(dirs, f)
		}
	}
	if name == "" {
		return "", nil, nil, c.Usagef("which provider? e.g. %%connect local, %%connect local /path/to/workspace, %%connect Default")
	}
	if len(dirs) > 0 && name != "local" {
		return "", nil, nil, c.Usagef("folders are for the local provider only (got %q after %s)", dirs[0], name)
	}
	if u := overrides["endpoint"]; u != "" {
		if p, err := url.Parse(u); err != nil || p.Scheme == "" || p.Host == "" {
			return "", nil, nil, c.Usagef("--endpoint %q is not an absolute URL", u)
		}
	}
	return name, dirs, overrides, nil
}

func runConnect(ctx context.Context, c *Call) error {
	name, dirs, overrides, err := connectArgs(c)
	if err != nil {
		return err
	}
	p, err := c.In.openProvider(name, dirs, overrides)
	if err != nil {
		return err
	}
	if err := p.Connect(ctx); err != nil {
		p.Close()
		return fmt.Errorf("connecting to %s: %w", name, err)
	}
	if e, ok := c.In.Engine().(*ProviderEngine); ok && e != nil {
		e.Switch(p)
	} else {
		c.In.SetEngine(NewProviderEngine(p))
	}
	c.Stdout(fmt.Sprintf("Connected to %s (%s): %s\n", p.Name(), p.Kind(), p.Describe()))
	return nil
}

// completeConnect offers provider names for %connect's first argument.
func completeConnect(in *Interpreter, args string, cursor int) ([]string, int, int) {
	before := args[:cursor]
	if strings.ContainsAny(before, " \t") {
		return nil, cursor, cursor
	}
	names := []string{"local"}
	if cfg, err := msticconfig.Load(in.ConfigPath); cfg != nil && (err == nil || errors.As(err, new(*msticconfig.InvalidError))) {
		for n := range cfg.Workspaces() {
			names = append(names, n)
		}
		for n := range cfg.KustoClusters() {
			names = append(names, n)
		}
	}
	return filterPrefix(names, before), 0, cursor
}

func runProviders(ctx context.Context, c *Call) error {
	if c.Args != "" {
		return c.Usagef("%%providers takes no arguments, got %q", c.Args)
	}
	var b strings.Builder
	if e, ok := c.In.Engine().(*ProviderEngine); ok && e != nil && e.Provider() != nil {
		p := e.Provider()
		fmt.Fprintf(&b, "Connected: %s (%s): %s\n", p.Name(), p.Kind(), p.Describe())
	} else {
		b.WriteString("Connected: none (use %connect local)\n")
	}
	for _, n := range c.In.cellProviderNames() {
		fmt.Fprintf(&b, "Also open for %%%%kql: %s\n", n)
	}
	fmt.Fprintf(&b, "Provider kinds: %s\n", strings.Join(providers.Kinds(), ", "))
	cfg, err := msticconfig.Load(c.In.ConfigPath)
	switch {
	case errors.Is(err, msticconfig.ErrNotFound):
		b.WriteString("msticpyconfig.yaml: none found (set MSTICPYCONFIG or put one in the notebook's folder or ~/.msticpy)\n")
	case cfg == nil:
		fmt.Fprintf(&b, "msticpyconfig.yaml: %v\n", err)
	default:
		fmt.Fprintf(&b, "From %s:\n", cfg.File)
		if err != nil {
			fmt.Fprintf(&b, "  (the file has errors; see %%config)\n")
		}
		ws := cfg.Workspaces()
		for _, n := range sortedKeys(ws) {
			w := ws[n]
			fmt.Fprintf(&b, "  %-20s sentinel  workspace %s\n", n, w.WorkspaceID)
		}
		kc := cfg.KustoClusters()
		for _, n := range sortedKeys(kc) {
			fmt.Fprintf(&b, "  %-20s kusto     %s %s\n", n, kc[n].Cluster, kc[n].Database)
		}
		// the rest of Available: DataProviders entries for Defender XDR
		others := 0
		for _, n := range providers.Available(cfg) {
			if _, isWS := ws[n]; isWS || n == "local" {
				continue
			}
			if _, isKC := kc[n]; isKC {
				continue
			}
			fmt.Fprintf(&b, "  %-20s defender  advanced hunting (DataProviders.%s)\n", n, n)
			others++
		}
		if len(ws)+len(kc)+others == 0 {
			b.WriteString("  (no Sentinel workspaces, Kusto clusters or Defender XDR entries)\n")
		}
	}
	c.Stdout(b.String())
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// tableDocURL links a built-in Sentinel / Log Analytics table to its
// reference page; other tables have none.
func tableDocURL(name string) string {
	if _, ok := schemas.Lookup(name); !ok {
		return ""
	}
	return "https://learn.microsoft.com/azure/azure-monitor/reference/tables/" + strings.ToLower(name)
}

func runTables(ctx context.Context, c *Call) error {
	e, err := providerEngine(c)
	if err != nil {
		return err
	}
	fields := strings.Fields(c.Args)
	if len(fields) > 1 {
		return c.Usagef("one PATTERN at most, got %d words", len(fields))
	}
	tables, err := e.Tables(ctx)
	if err != nil {
		return err
	}
	var shown []providers.TableInfo
	for _, t := range tables {
		if len(fields) == 0 || strings.Contains(strings.ToLower(t.Name), strings.ToLower(fields[0])) {
			shown = append(shown, t)
		}
	}
	if len(shown) == 0 {
		if len(fields) > 0 {
			c.Stdout(fmt.Sprintf("No table of %s matches %q (%s in all).\n", e.Provider().Name(), fields[0], plural(len(tables), "table")))
		} else {
			c.Stdout(fmt.Sprintf("%s has no tables.\n", e.Provider().Name()))
		}
		return nil
	}
	var h, t strings.Builder
	h.WriteString(`<table class="huntbook-table"><thead><tr><th style="text-align:left">Table</th><th style="text-align:right">Columns</th><th style="text-align:right">Rows</th><th style="text-align:left">Reference</th></tr></thead><tbody>`)
	w := len("Table")
	for _, ti := range shown {
		w = max(w, len(ti.Name))
	}
	fmt.Fprintf(&t, "%-*s  %7s  %9s\n", w, "Table", "Columns", "Rows")
	for _, ti := range shown {
		rows := ""
		if ti.Rows >= 0 {
			rows = groupThousands(ti.Rows)
		}
		link := ""
		if u := tableDocURL(ti.Name); u != "" {
			link = fmt.Sprintf(`<a href="%s" target="_blank">schema</a>`, html.EscapeString(u))
		}
		fmt.Fprintf(&h, `<tr><td style="text-align:left"><code>%s</code></td><td style="text-align:right">%d</td><td style="text-align:right">%s</td><td style="text-align:left">%s</td></tr>`,
			html.EscapeString(ti.Name), len(ti.Schema), rows, link)
		fmt.Fprintf(&t, "%-*s  %7d  %9s\n", w, ti.Name, len(ti.Schema), rows)
	}
	foot := fmt.Sprintf("%s in %s; %%schema TABLE shows the columns", plural(len(shown), "table"), e.Provider().Name())
	fmt.Fprintf(&h, `</tbody></table><p style="font-size:smaller;opacity:0.7">%s</p>`, html.EscapeString(foot))
	t.WriteString("(" + foot + ")")
	c.Result(map[string]any{"text/html": h.String(), "text/plain": t.String()}, nil)
	return nil
}

// findTable looks a table up by exact name, then case-insensitively.
func findTable(tables []providers.TableInfo, name string) (providers.TableInfo, bool) {
	for _, t := range tables {
		if t.Name == name {
			return t, true
		}
	}
	for _, t := range tables {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return providers.TableInfo{}, false
}

func runSchema(ctx context.Context, c *Call) error {
	e, err := providerEngine(c)
	if err != nil {
		return err
	}
	fields := strings.Fields(c.Args)
	if len(fields) != 1 {
		return c.Usagef("give one TABLE name")
	}
	tables, err := e.Tables(ctx)
	if err != nil {
		return err
	}
	ti, ok := findTable(tables, fields[0])
	if !ok {
		var names []string
		for _, t := range tables {
			names = append(names, t.Name)
		}
		msg := fmt.Sprintf("no table %q in %s", fields[0], e.Provider().Name())
		if best := nearest(fields[0], names); best != "" {
			msg += fmt.Sprintf("; did you mean %s?", best)
		}
		return errors.New(msg + " (%tables lists them)")
	}
	t := table.New(ti.Name, types.Schema{{Name: "ColumnName", Type: types.String}, {Name: "ColumnOrdinal", Type: types.Long}, {Name: "ColumnType", Type: types.String}})
	for i, col := range ti.Schema {
		if err := t.AppendRow([]types.Value{types.NewString(col.Name), types.NewLong(int64(i)), types.NewString(col.Type.String())}); err != nil {
			return err
		}
	}
	data := Bundle(Result{Table: t}, max(len(ti.Schema), 1))
	if u := tableDocURL(ti.Name); u != "" {
		data["text/html"] = fmt.Sprintf(`<p><b>%s</b> (<a href="%s" target="_blank">reference</a>)</p>`, html.EscapeString(ti.Name), html.EscapeString(u)) + data["text/html"].(string)
	}
	data["text/plain"] = describeTable(ti)
	c.Result(data, nil)
	return nil
}

// nearest returns the candidate closest to name in spelling, if close.
func nearest(name string, cands []string) string {
	best, bestD := "", max(2, len(name)/3)+1
	for _, c := range cands {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// validParamName: a KQL identifier.
func validParamName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdentByte(s[i]) {
			return false
		}
	}
	return true
}

// ParseLiteral reads a KQL literal (42, -1.5, 'text', true, datetime(...),
// 7d, guid(...), dynamic([...]), long(null)) into a typed value. Anything
// else, even a constant expression, is an error: a parameter is a value,
// not a computation.
func ParseLiteral(src string) (types.Value, error) {
	src = strings.TrimSpace(src)
	if src == "" {
		return types.Value{}, errors.New("no value")
	}
	x, err := parser.ParseExpr(src)
	if err != nil {
		return types.Value{}, fmt.Errorf("%q is not a KQL literal: %v", src, err)
	}
	neg := false
	for {
		switch y := x.(type) {
		case *ast.ParenExpr:
			x = y.X
			continue
		case *ast.UnaryExpr:
			if neg || (y.Op != token.SUB && y.Op != token.ADD) {
				break
			}
			neg = y.Op == token.SUB
			x = y.X
			continue
		}
		break
	}
	lit, ok := x.(*ast.Lit)
	if !ok {
		return types.Value{}, fmt.Errorf("%q is not a KQL literal (write a value such as 42, 'text', datetime(2024-01-01), 7d or dynamic([1,2]))", src)
	}
	v := lit.Value
	if neg {
		if !v.Valid {
			return types.Value{}, fmt.Errorf("%q: cannot negate a null", src)
		}
		switch v.Type {
		case types.Int, types.Long, types.TimeSpan:
			v.I = -v.I
		case types.Real, types.Decimal:
			v.F = -v.F
		default:
			return types.Value{}, fmt.Errorf("%q: a %s cannot be negative", src, v.Type)
		}
	}
	return v, nil
}

// completeOptional offers the tables huntbook knows the schema of (the
// ones %optional can serve), for the word at the cursor: any of them, as
// the point is naming tables the workspace may not have.
func completeOptional(in *Interpreter, args string, cursor int) ([]string, int, int) {
	start := strings.LastIndexAny(args[:cursor], " \t") + 1
	return filterPrefix(schemas.Names(), args[start:cursor]), start, cursor
}

func runOptional(ctx context.Context, c *Call) error {
	e, err := providerEngine(c)
	if err != nil {
		return err
	}
	names := strings.Fields(c.Args)
	if len(names) == 0 {
		if opt := e.Optional(); len(opt) > 0 {
			c.Stdout("Optional tables: " + strings.Join(opt, ", ") + "\n")
		} else {
			c.Stdout("No optional tables: %optional TABLE ... declares some.\n")
		}
		return nil
	}
	for _, n := range names {
		if _, ok := schemas.Lookup(n); !ok {
			return c.Usagef("%s is not a table huntbook knows the schema of, so it cannot be served empty", n)
		}
	}
	e.AddOptional(names...)
	return nil
}

func runSet(ctx context.Context, c *Call) error {
	e, err := providerEngine(c)
	if err != nil {
		return err
	}
	args := strings.TrimSpace(c.Args)
	if args == "" {
		names := e.ParamNames()
		if len(names) == 0 {
			c.Stdout("No query parameters set: %set NAME = VALUE defines one.\n")
			return nil
		}
		params := e.Params()
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, "%s: %s = %s\n", n, params[n].Type, displayValue(params[n]))
		}
		c.Stdout(b.String())
		return nil
	}
	if rest, ok := strings.CutPrefix(args, "--unset"); ok {
		name := strings.TrimSpace(rest)
		if !validParamName(name) {
			return c.Usagef("--unset needs a parameter NAME")
		}
		if !e.DeleteParam(name) {
			return fmt.Errorf("no query parameter %s is set", name)
		}
		c.Stdout(fmt.Sprintf("%s unset\n", name))
		return nil
	}
	name, value, ok := strings.Cut(args, "=")
	name = strings.TrimSpace(name)
	if !ok {
		return c.Usagef("expected NAME = VALUE, got %q", args)
	}
	if !validParamName(name) {
		return c.Usagef("%q is not a parameter name: use letters, digits and _, not starting with a digit", name)
	}
	v, err := ParseLiteral(value)
	if err != nil {
		return c.Usagef("%s: %v", name, err)
	}
	e.SetParam(name, v)
	c.Stdout(fmt.Sprintf("%s: %s = %s\n", name, v.Type, displayValue(v)))
	return nil
}

// displayValue shows a parameter value as its literal would read.
func displayValue(v types.Value) string {
	if v.Type == types.String && v.Valid {
		return types.QuoteString(v.S)
	}
	return v.String()
}

// clock is the instant "last" ranges end at: when the provider's data
// ends, if it says, else now.
func clock(p providers.Provider) time.Time {
	if ender, ok := p.(interface{ End() time.Time }); ok {
		if t := ender.End(); !t.IsZero() {
			return t.UTC()
		}
	}
	return time.Now().UTC()
}

// parseDateTimeArg reads a datetime given as datetime(...) or bare text.
func parseDateTimeArg(s string) (int64, error) {
	if strings.HasPrefix(s, "datetime(") {
		v, err := ParseLiteral(s)
		if err != nil {
			return 0, err
		}
		if v.Type != types.DateTime || !v.Valid {
			return 0, fmt.Errorf("%q is not a datetime", s)
		}
		return v.I, nil
	}
	t, ok := parser.ParseDateTime(s)
	if !ok {
		return 0, fmt.Errorf("%q is not a datetime (write e.g. 2024-01-31 or 2024-01-31T08:00:00Z)", s)
	}
	return t, nil
}

func runTimerange(ctx context.Context, c *Call) error {
	e, err := providerEngine(c)
	if err != nil {
		return err
	}
	fields, err := splitArgs(c.Args)
	if err != nil {
		return c.Usagef("%v", err)
	}
	show := func() {
		p := e.Params()
		s, okS := p["start"]
		t, okE := p["end"]
		if !okS || !okE {
			c.Stdout("No time range set: %timerange last 7d, or %timerange START END.\n")
			return
		}
		c.Stdout(fmt.Sprintf("start = %s\nend   = %s  (%s)\n", s.String(), t.String(), types.FormatTimeSpan(t.I-s.I)))
	}
	var start, end int64
	switch {
	case len(fields) == 0:
		show()
		return nil
	case len(fields) == 1 && fields[0] == "--unset":
		e.DeleteParam("start")
		e.DeleteParam("end")
		c.Stdout("start and end unset\n")
		return nil
	case len(fields) == 2 && fields[0] == "last":
		span, ok := parser.ParseTimeSpan(fields[1])
		if !ok || span <= 0 {
			return c.Usagef("%q is not a positive timespan (write e.g. 7d, 24h, 30m)", fields[1])
		}
		end = types.TimeToTicks(clock(e.Provider()))
		start = end - span
	case len(fields) == 2:
		if start, err = parseDateTimeArg(fields[0]); err != nil {
			return c.Usagef("START: %v", err)
		}
		if end, err = parseDateTimeArg(fields[1]); err != nil {
			return c.Usagef("END: %v", err)
		}
		if end <= start {
			return c.Usagef("END (%s) must be after START (%s)", types.FormatDateTime(end), types.FormatDateTime(start))
		}
	default:
		return c.Usagef("expected START END or last DURATION, got %q", c.Args)
	}
	e.SetParam("start", types.NewDateTime(start))
	e.SetParam("end", types.NewDateTime(end))
	show()
	return nil
}

// exporters write a table in a file format, by extension.
var exporters = map[string]func(io.Writer, *table.Table) error{
	".csv":     workspace.WriteCSV,
	".jsonl":   workspace.WriteJSONL,
	".parquet": workspace.WriteParquet,
}

func runExport(ctx context.Context, c *Call) error {
	fields, err := splitArgs(c.Args)
	if err != nil {
		return c.Usagef("%v", err)
	}
	if len(fields) != 2 {
		return c.Usagef("expected NAME FILE, got %d arguments", len(fields))
	}
	name, file := fields[0], fields[1]
	write, ok := exporters[strings.ToLower(filepath.Ext(file))]
	if !ok {
		return c.Usagef("%s: the extension must be .csv, .jsonl or .parquet", file)
	}
	t, ok := c.In.Table(name)
	if !ok {
		if name == "_" {
			return errors.New("no result to export yet: run a query first")
		}
		msg := fmt.Sprintf("no kept result named %s", name)
		if names := c.In.Names(); len(names) > 0 {
			msg += " (kept: _, " + strings.Join(names, ", ") + ")"
		} else {
			msg += " (name one with '| as Name', or export _, the last result)"
		}
		return errors.New(msg)
	}
	dir := filepath.Dir(file)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("export to %s: the folder %s does not exist", file, dir)
	}
	if err := writeFileAtomic(file, func(w io.Writer) error { return write(w, t) }); err != nil {
		return fmt.Errorf("export to %s: %w", file, err)
	}
	note := ""
	if strings.EqualFold(filepath.Ext(file), ".csv") {
		// CSV has no types: a schema file beside it (the workspace folder
		// format) makes huntbook read the columns back as they were, e.g.
		// ResultType stays a string instead of becoming a long.
		base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		sf := schemas.File{Name: base}
		for _, col := range t.Columns {
			sf.Properties = append(sf.Properties, schemas.Property{Name: col.Name, Type: col.Type.String()})
		}
		js, err := json.MarshalIndent(sf, "", " ")
		if err == nil {
			err = writeFileAtomic(filepath.Join(dir, base+".schema.json"), func(w io.Writer) error {
				_, err := w.Write(append(js, '\n'))
				return err
			})
		}
		if err != nil {
			return fmt.Errorf("export to %s: column types: %w", file, err)
		}
		note = fmt.Sprintf(" (column types in %s.schema.json)", base)
	}
	c.Stdout(fmt.Sprintf("Wrote %s (%d columns) to %s%s\n", plural(t.Rows(), "row"), len(t.Columns), file, note))
	return nil
}

// writeFileAtomic writes beside the target and renames, so a failed export
// leaves no half file in its place. The file is readable by others, as a
// plain create would make it (CreateTemp makes it private).
func writeFileAtomic(file string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return err
	}
	err = write(tmp)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

func runConfig(ctx context.Context, c *Call) error {
	if c.Args != "" {
		return c.Usagef("%%config takes no arguments, got %q", c.Args)
	}
	cfg, err := msticconfig.Load(c.In.ConfigPath)
	var invalid *msticconfig.InvalidError
	if err != nil && !errors.As(err, &invalid) {
		if errors.Is(err, msticconfig.ErrNotFound) {
			return errors.New("no msticpyconfig.yaml found: set MSTICPYCONFIG, or put one in the notebook's folder or in ~/.msticpy")
		}
		return err
	}
	masked, merr := cfg.Masked()
	if merr != nil {
		return fmt.Errorf("%s: %w", cfg.File, merr)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s (secrets masked)\n", cfg.File)
	b.Write(masked)
	if fs := cfg.Findings(); len(fs) > 0 {
		b.WriteString("\n# Findings:\n")
		for _, f := range fs {
			b.WriteString("#   " + f.String() + "\n")
		}
	}
	text := b.String()
	c.Result(map[string]any{
		"text/plain":    text,
		"text/markdown": "```yaml\n" + strings.ReplaceAll(text, "```", "`\u200b``") + "```\n",
	}, nil)
	return nil
}

// cellEngine returns the engine %%kql NAME runs on, opening it once.
func (in *Interpreter) cellEngine(ctx context.Context, name string) (*ProviderEngine, error) {
	if e, ok := in.Engine().(*ProviderEngine); ok && e != nil && e.Provider() != nil && e.Provider().Name() == name {
		return e, nil
	}
	in.mu.Lock()
	e := in.cellEngines[name]
	in.mu.Unlock()
	if e != nil {
		return e, nil
	}
	p, err := in.openProvider(name, nil, nil)
	if err != nil {
		return nil, err
	}
	if err := p.Connect(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connecting to %s: %w", name, err)
	}
	e = NewProviderEngine(p)
	in.mu.Lock()
	defer in.mu.Unlock()
	if old := in.cellEngines[name]; old != nil {
		p.Close()
		return old, nil
	}
	if in.cellEngines == nil {
		in.cellEngines = map[string]*ProviderEngine{}
	}
	in.cellEngines[name] = e
	return e, nil
}

func (in *Interpreter) cellProviderNames() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return sortedKeys(in.cellEngines)
}

func runKQLCell(ctx context.Context, c *Call) error {
	fields, err := splitArgs(c.Args)
	if err != nil {
		return c.Usagef("%v", err)
	}
	if len(fields) > 1 {
		return c.Usagef("one PROVIDER at most, got %q", c.Args)
	}
	if !hasCode(c.Body) {
		return c.Usagef("the cell has no query after %%%%kql")
	}
	var e Engine = c.In.Engine()
	if len(fields) == 1 {
		pe, err := c.In.cellEngine(ctx, fields[0])
		if err != nil {
			return err
		}
		// Parameters set with %set apply to every provider.
		if pe != c.In.Engine() {
			for k, v := range c.In.sharedParams() {
				pe.SetParam(k, v)
			}
		}
		e = pe
	}
	return c.x.runQueryOn(ctx, e, c.Body, c.Line+1)
}

// sharedParams are the connected engine's query parameters.
func (in *Interpreter) sharedParams() map[string]types.Value {
	if e, ok := in.Engine().(*ProviderEngine); ok && e != nil {
		return e.Params()
	}
	return nil
}
