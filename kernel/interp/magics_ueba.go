package interp

import (
	"context"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/ueba"
)

// %ueba: behaviour analytics (package ueba) over the connected local
// workspace, as Sentinel's UEBA tables plus per-entity answers.
func init() {
	RegisterBuiltin(Magic{
		Name: "ueba", Kind: LineMagic,
		Usage: "%ueba build [--window 30d] [--write] | peers USER | blast-radius PRINCIPAL | timeline USER  [--as NAME]",
		Help: "User and entity behaviour analytics on the connected local workspace (the built-in sample tenant " +
			"by default).\n\n" +
			"  build         computes BehaviorAnalytics, UserPeerAnalytics and UserAccessAnalytics from the logs and the " +
			"directory and makes them plain tables for later queries (in memory; --write also stores them in the " +
			"workspace folder). --window is the baseline in days (default 180d, the most Sentinel keeps). Shows the " +
			"tables' sizes and the distribution of InvestigationPriority.\n" +
			"  peers         a user's ranked peers (UserPeerAnalytics) and the peer graph.\n" +
			"  blast-radius  everything a user or service principal can reach, most sensitive first, and the access graph.\n" +
			"  timeline      a user's activities and the alerts naming them, anomalies marked, and the priority over time.\n\n" +
			"USER is a user principal name, object id or display name (quote names with blanks), or {NAME} for the " +
			"value of a let statement or parameter NAME (a notebook's parameters cell). peers, blast-radius " +
			"and timeline build first if no build ran on this connection. The answer's table is kept as _ (and, " +
			"with --as NAME, by name, as a table later queries can read).\n\n" +
			"On Microsoft Sentinel, UEBA writes these tables itself once enabled: query them directly.",
		Run:      runUEBAMagic,
		Complete: completeUEBAMagic,
	})
}

// uebaState is the last %ueba build of an interpreter.
type uebaState struct {
	ws     *workspace.Workspace // the workspace it was built from (and added to)
	days   int
	tables *ueba.Tables
}

// dayTicks is one day in ticks.
const dayTicks = 24 * 60 * 60 * 10_000_000

// parseDays reads a whole number of days: 30d, 30 (days, as KQL reads a
// bare number) or 720h.
func parseDays(s string) (int, error) {
	ticks, ok := parser.ParseTimeSpan(s)
	if !ok || ticks <= 0 || ticks%dayTicks != 0 {
		return 0, fmt.Errorf("%q is not a whole number of days (write e.g. 30d)", s)
	}
	return int(ticks / dayTicks), nil
}

// workspacesProvider is what the local provider offers beyond the
// Provider interface: the workspace folders it runs on.
type workspacesProvider interface {
	Workspaces() []*workspace.Workspace
}

// localWorkspace returns the first workspace of the connected local
// provider (connecting if needed) and the session. what names the magic
// for the error on any other provider, and elsewhere says what to do there.
func localWorkspace(ctx context.Context, c *Call, what, elsewhere string) (*workspace.Workspace, providers.Session, error) {
	e, err := providerEngine(c)
	if err != nil {
		return nil, nil, err
	}
	s, err := e.Session(ctx)
	if err != nil {
		return nil, nil, err
	}
	p := e.Provider()
	wp, ok := p.(workspacesProvider)
	if !ok {
		return nil, nil, fmt.Errorf("%s runs on the local provider (the embedded engine over a workspace folder), "+
			"but %s is a %s provider: %s; or %%connect local to use the sample tenant", what, p.Name(), p.Kind(), elsewhere)
	}
	spaces := wp.Workspaces()
	if len(spaces) == 0 {
		return nil, nil, fmt.Errorf("%s: the local provider %s has no workspace open", what, p.Name())
	}
	if len(spaces) > 1 {
		// Tables of the first folder hide those of later ones, so the
		// first is the one whose logs queries see first.
		c.Stderr(fmt.Sprintf("%s uses the first of %d workspace folders: %s\n", what, len(spaces), spaces[0].Dir))
	}
	return spaces[0], s, nil
}

const uebaElsewhere = "Microsoft Sentinel computes BehaviorAnalytics, UserPeerAnalytics and UserAccessAnalytics itself once " +
	"UEBA is enabled, so query those tables directly"

func runUEBAMagic(ctx context.Context, c *Call) error {
	fields, err := splitArgs(c.Args)
	if err != nil {
		return c.Usagef("%v", err)
	}
	if len(fields) == 0 {
		return c.Usagef("say build, peers, blast-radius or timeline")
	}
	sub, rest := fields[0], fields[1:]
	switch sub {
	case "build":
		return runUEBABuild(ctx, c, rest)
	case "peers", "blast-radius", "timeline":
		return runUEBAEntity(ctx, c, sub, rest)
	}
	return c.Usagef("unknown subcommand %q: say build, peers, blast-radius or timeline", sub)
}

func runUEBABuild(ctx context.Context, c *Call, args []string) error {
	days, write := 0, false
	for i := 0; i < len(args); i++ {
		opt, val, hasVal := strings.Cut(args[i], "=")
		switch opt {
		case "--window":
			if !hasVal {
				if i+1 == len(args) {
					return c.Usagef("--window needs a number of days, e.g. --window 30d")
				}
				i++
				val = args[i]
			}
			d, err := parseDays(val)
			if err != nil {
				return c.Usagef("--window: %v", err)
			}
			days = d
		case "--write":
			if hasVal {
				return c.Usagef("--write takes no value")
			}
			write = true
		default:
			return c.Usagef("build: unexpected %q (options: --window DAYS, --write)", args[i])
		}
	}
	start := time.Now()
	st, err := buildUEBA(ctx, c, days)
	if err != nil {
		return err
	}
	t := st.tables
	where := "in memory for this connection"
	if write {
		if err := t.Write(st.ws); err != nil {
			return fmt.Errorf("writing the UEBA tables into %s: %w", st.ws.Dir, err)
		}
		where = "and written to " + st.ws.Dir
	}
	c.Stdout(fmt.Sprintf("UEBA over %s with a %dd baseline (%.1fs): BehaviorAnalytics, UserPeerAnalytics and UserAccessAnalytics are tables, %s.\n",
		st.ws.Name, st.days, time.Since(start).Seconds(), where))
	if err := showPicture(c, t.PriorityChart(), "InvestigationPriority of BehaviorAnalytics rows"); err != nil {
		return err
	}
	sum := table.New("UEBA", types.Schema{{Name: "Table", Type: types.String}, {Name: "Rows", Type: types.Long}, {Name: "Holds", Type: types.String}})
	for _, r := range []struct {
		t    *table.Table
		what string
	}{
		{t.BehaviorAnalytics, fmt.Sprintf("one row per activity; %s with InvestigationPriority >= %d", activities(anomalous(t.Priorities)), ueba.AnomalousPriority)},
		{t.UserPeerAnalytics, "each user's closest peers by group membership (Rank 1 closest)"},
		{t.UserAccessAnalytics, "what each user and service principal can reach, and how"},
	} {
		if err := sum.AppendRow([]types.Value{types.NewString(r.t.Name), types.NewLong(int64(r.t.Rows())), types.NewString(r.what)}); err != nil {
			return err
		}
	}
	c.Show(Result{Table: sum, Elapsed: time.Since(start)})
	return nil
}

// anomalous counts the activities at or above AnomalousPriority.
func anomalous(p [11]int) int {
	n := 0
	for i := ueba.AnomalousPriority; i < len(p); i++ {
		n += p[i]
	}
	return n
}

// activities counts activities in words.
func activities(n int) string {
	if n == 1 {
		return "1 activity"
	}
	return groupThousands(n) + " activities"
}

// buildUEBA computes the UEBA tables for the connected local workspace and
// adds them to it (in memory), so every later query sees them as tables.
// days 0 is the default window.
func buildUEBA(ctx context.Context, c *Call, days int) (*uebaState, error) {
	ws, _, err := localWorkspace(ctx, c, "%ueba build", uebaElsewhere)
	if err != nil {
		return nil, err
	}
	opts := ueba.Options{BaselineDays: days}
	if days > 0 {
		// A short window still gets scores once it holds a week (or all of
		// itself, when shorter).
		opts.MinBaselineDays = min(7, days)
	} else {
		days = 180
	}
	t, err := ueba.Build(ctx, ws, opts)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("building UEBA over %s: %w", ws.Dir, err)
	}
	// The workspace, not the session: the provider's table list, other
	// sessions and %rules run (which reads the workspace) see them too.
	for _, tb := range []*table.Table{t.BehaviorAnalytics, t.UserPeerAnalytics, t.UserAccessAnalytics} {
		ws.Add(tb)
	}
	// %tables, %schema and completion list the new tables too.
	if e, ok := c.In.Engine().(*ProviderEngine); ok && e != nil {
		e.forgetTables()
	}
	st := &uebaState{ws: ws, days: days, tables: t}
	c.In.mu.Lock()
	c.In.ueba = st
	c.In.mu.Unlock()
	return st, nil
}

// forgetTables drops the cached table list, after tables were added.
func (e *ProviderEngine) forgetTables() {
	e.tablesMu.Lock()
	defer e.tablesMu.Unlock()
	e.tables, e.tablesFor = nil, nil
}

// currentUEBA returns the build for the connected workspace, building it
// first (default window) if there is none.
func currentUEBA(ctx context.Context, c *Call) (*uebaState, error) {
	ws, _, err := localWorkspace(ctx, c, "%ueba", uebaElsewhere)
	if err != nil {
		return nil, err
	}
	c.In.mu.Lock()
	st := c.In.ueba
	c.In.mu.Unlock()
	if st != nil && st.ws == ws {
		return st, nil
	}
	c.Stdout("No %ueba build on this connection yet: building with the default window first.\n")
	return buildUEBA(ctx, c, 0)
}

func runUEBAEntity(ctx context.Context, c *Call, sub string, args []string) error {
	var who, as string
	for i := 0; i < len(args); i++ {
		switch {
		case args[i] == "--as":
			if i+1 == len(args) {
				return c.Usagef("--as needs a NAME")
			}
			i++
			as = args[i]
		case strings.HasPrefix(args[i], "--as="):
			as = strings.TrimPrefix(args[i], "--as=")
		case strings.HasPrefix(args[i], "--"):
			return c.Usagef("%s: unknown option %s (only --as NAME)", sub, args[i])
		case who != "":
			return c.Usagef("%s takes one USER, got %q and %q (quote a name with blanks)", sub, who, args[i])
		default:
			who = args[i]
		}
	}
	if who == "" {
		what := "USER (a user principal name, object id or display name)"
		if sub == "blast-radius" {
			what = "USER or service principal (a user principal name, object id or display name)"
		}
		return c.Usagef("%s needs a %s", sub, what)
	}
	who, err := expandRef(ctx, c, who)
	if err != nil {
		return err
	}
	if as != "" && !validParamName(as) {
		return c.Usagef("--as %q is not a name: use letters, digits and _, not starting with a digit", as)
	}
	st, err := currentUEBA(ctx, c)
	if err != nil {
		return err
	}
	var a *ueba.Answer
	switch sub {
	case "peers":
		a, err = st.tables.Peers(who)
	case "blast-radius":
		a, err = st.tables.BlastRadius(who)
	default:
		a, err = st.tables.Timeline(who)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", sub, who, err)
	}
	if a.Picture != nil {
		if err := showPicture(c, a.Picture, fmt.Sprintf("%s of %s", sub, who)); err != nil {
			return err
		}
	}
	r := Result{Table: a.Table}
	if as != "" {
		named := *a.Table
		named.Name = as
		r = Result{Table: &named, Name: as}
		if err := addSessionTable(ctx, c, &named); err != nil {
			return err
		}
	}
	c.Show(r)
	return nil
}

// expandRef reads an argument written {name}, IPython's spelling for a
// variable in a magic line, as the string value of the KQL name: a let of
// an earlier cell (a notebook's parameters), or a %set parameter. Other
// arguments are returned as they are.
func expandRef(ctx context.Context, c *Call, arg string) (string, error) {
	inner, ok := strings.CutPrefix(arg, "{")
	if !ok {
		return arg, nil
	}
	name, ok := strings.CutSuffix(inner, "}")
	name = strings.TrimSpace(name)
	if !ok || !validParamName(name) {
		return "", c.Usagef("%q: write {NAME} for the value of a let statement or parameter NAME", arg)
	}
	e := c.In.Engine()
	if e == nil {
		return "", ErrNoEngine
	}
	res, err := e.Run(ctx, "print Value = tostring("+name+")")
	if err != nil {
		return "", fmt.Errorf("{%s}: %v (define it with let %s = \"...\"; in an earlier cell, or %%set %s = '...')", name, err, name, name)
	}
	if len(res) != 1 || res[0].Table == nil || res[0].Table.Rows() != 1 || len(res[0].Table.Columns) != 1 {
		return "", fmt.Errorf("{%s}: not a single value", name)
	}
	v := res[0].Table.Columns[0].Value(0)
	if v.S == "" {
		return "", fmt.Errorf("{%s} is empty", name)
	}
	return v.S, nil
}

// addSessionTable makes a table readable by name in later queries of the
// connected session.
func addSessionTable(ctx context.Context, c *Call, t *table.Table) error {
	e, err := providerEngine(c)
	if err != nil {
		return err
	}
	s, err := e.Session(ctx)
	if err != nil {
		return err
	}
	adder, ok := s.(interface{ Add(*table.Table) })
	if !ok {
		return fmt.Errorf("the %s provider cannot hold in-memory tables, so %s cannot be kept for queries", e.Provider().Kind(), t.Name)
	}
	adder.Add(t)
	return nil
}

// showPicture displays a gonum/plot picture as PNG and SVG.
func showPicture(c *Call, p *ueba.Picture, alt string) error {
	png, err := p.PNG()
	if err != nil {
		return fmt.Errorf("drawing %s as PNG: %w", alt, err)
	}
	svg, err := p.SVG()
	if err != nil {
		return fmt.Errorf("drawing %s as SVG: %w", alt, err)
	}
	c.Display(map[string]any{
		"image/png":     base64.StdEncoding.EncodeToString(png),
		"image/svg+xml": string(svg),
		"text/plain":    "<" + alt + ">",
	}, nil)
	return nil
}

// completeUEBAMagic completes the subcommand, build's options, and user
// (or, for blast-radius, service principal) names.
func completeUEBAMagic(in *Interpreter, args string, cursor int) ([]string, int, int) {
	before := args[:cursor]
	start := strings.LastIndexAny(before, " \t") + 1
	word := before[start:]
	fields := strings.Fields(before[:start])
	switch {
	case len(fields) == 0:
		return filterPrefix([]string{"build", "peers", "blast-radius", "timeline"}, word), start, cursor
	case fields[0] == "build":
		return filterPrefix([]string{"--window", "--write"}, word), start, cursor
	case len(fields) == 1 && (fields[0] == "peers" || fields[0] == "timeline" || fields[0] == "blast-radius"):
		// A quoted display name in progress completes from its quote.
		if q := strings.LastIndexAny(before, `"'`); q >= start-1 && q >= 0 && strings.Count(before, before[q:q+1])%2 == 1 {
			start, word = q, before[q:]
		}
		names := in.uebaNames(fields[0] == "blast-radius")
		var out []string
		for _, n := range names {
			cand := n
			if strings.ContainsAny(n, " \t'\"") {
				cand = `"` + n + `"`
			}
			if strings.HasPrefix(strings.ToLower(cand), strings.ToLower(word)) ||
				(!strings.HasPrefix(word, `"`) && strings.HasPrefix(strings.ToLower(n), strings.ToLower(word))) {
				out = append(out, cand)
			}
		}
		return out, start, cursor
	}
	return nil, cursor, cursor
}

// maxNameCompletions bounds the names offered at once.
const maxNameCompletions = 500

// uebaNames lists user principal names (and service principal names) for
// completion: from the last build's directory, else from IdentityInfo of
// the connected local workspace. It never connects or builds.
func (in *Interpreter) uebaNames(principals bool) []string {
	in.mu.Lock()
	st := in.ueba
	in.mu.Unlock()
	var ws *workspace.Workspace
	if e, ok := in.Engine().(*ProviderEngine); ok && e != nil {
		if wp, ok := e.Provider().(workspacesProvider); ok {
			if spaces := wp.Workspaces(); len(spaces) > 0 {
				ws = spaces[0]
			}
		}
	}
	var names []string
	if st != nil && st.ws == ws && st.tables.Directory != nil {
		for _, u := range st.tables.Directory.Users {
			if u.UPN != "" {
				names = append(names, u.UPN)
			}
		}
		if principals {
			for _, sp := range st.tables.Directory.ServicePrincipals {
				if sp.DisplayName != "" {
					names = append(names, sp.DisplayName)
				}
			}
		}
	} else if ws != nil {
		names = identityUPNs(ws)
	}
	sort.Strings(names)
	names = dedupe(names)
	if len(names) > maxNameCompletions {
		names = names[:maxNameCompletions]
	}
	return names
}

// identityUPNs reads the distinct AccountUPN values of IdentityInfo.
func identityUPNs(ws *workspace.Workspace) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	t, _, err := ws.Load(ctx, "IdentityInfo")
	if err != nil || t == nil {
		return nil
	}
	col := t.Column("AccountUPN")
	if col == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for i := 0; i < t.Rows(); i++ {
		v := col.Value(i)
		if v.Type == types.String && v.S != "" && !seen[v.S] {
			seen[v.S] = true
			out = append(out, v.S)
		}
	}
	return out
}

// dedupe drops repeats from a sorted list.
func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
