package interp

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/huntbook/huntbook/analytics/rules"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// %rules: Sentinel analytics rules (analytics/rules) replayed over the
// connected local workspace.
func init() {
	RegisterBuiltin(Magic{
		Name: "rules", Kind: LineMagic,
		Usage: "%rules list [RULE.yaml ...] | run [--from T] [--to T] [--write] [RULE.yaml ... | --builtin]",
		Help: "Microsoft Sentinel analytics rules (the YAML format of Sentinel's content repository).\n\n" +
			"  list  the shipped rules, or the given rule files, with severity, schedule and tactics.\n" +
			"  run   replays the rules over the connected local workspace on their schedules (now() at each run, " +
			"only the rows of the rule's queryPeriod visible), applies trigger, suppression and incident grouping, " +
			"and shows one row per rule and one per alert. With no RULE.yaml the shipped rules run; --builtin adds " +
			"them to the files given. --from and --to bound the replay (2026-11-20, 2026-11-20T08:00:00Z or " +
			"datetime(...)); by default it covers the workspace's data. The SecurityAlert and SecurityIncident rows " +
			"are kept as the tables Alerts and Incidents for later queries (and %export); --write also appends them " +
			"to the workspace folder's SecurityAlert and SecurityIncident.\n\n" +
			"UEBA tables from %ueba build are visible to the rules. On Microsoft Sentinel the rules run in the " +
			"service: query SecurityAlert and SecurityIncident instead.",
		Run:      runRulesMagic,
		Complete: completeRulesMagic,
	})
}

const rulesElsewhere = "Microsoft Sentinel runs analytics rules in the service, so query SecurityAlert and SecurityIncident"

func runRulesMagic(ctx context.Context, c *Call) error {
	fields, err := splitArgs(c.Args)
	if err != nil {
		return c.Usagef("%v", err)
	}
	if len(fields) == 0 {
		return c.Usagef("say list or run")
	}
	switch fields[0] {
	case "list":
		return runRulesList(c, fields[1:])
	case "run":
		return runRulesRun(ctx, c, fields[1:])
	}
	return c.Usagef("unknown subcommand %q: say list or run", fields[0])
}

// loadRules reads rule files, failing with every diagnostic (file, line,
// key) when any has errors.
func loadRules(files []string) ([]*rules.Rule, error) {
	rs, diags, err := rules.LoadFiles(files...)
	if err != nil {
		var msgs []string
		for _, d := range diags {
			msgs = append(msgs, d.Error())
		}
		if len(msgs) == 0 {
			return nil, err
		}
		return nil, fmt.Errorf("the rule files have errors:\n%s", strings.Join(msgs, "\n"))
	}
	return rs, nil
}

func runRulesList(c *Call, files []string) error {
	for _, f := range files {
		if strings.HasPrefix(f, "--") {
			return c.Usagef("list: unknown option %s", f)
		}
	}
	var rs []*rules.Rule
	var err error
	if len(files) > 0 {
		rs, err = loadRules(files)
	} else {
		rs, err = rules.Builtin()
	}
	if err != nil {
		return err
	}
	t := table.New("Rules", types.Schema{{Name: "Name", Type: types.String}, {Name: "Severity", Type: types.String},
		{Name: "Kind", Type: types.String}, {Name: "Frequency", Type: types.String}, {Name: "Period", Type: types.String},
		{Name: "Tactics", Type: types.String}, {Name: "File", Type: types.String}, {Name: "Id", Type: types.String}})
	for _, r := range rs {
		if err := t.AppendRow([]types.Value{types.NewString(r.Name), types.NewString(r.Severity), types.NewString(r.Kind),
			types.NewString(rules.FormatDuration(r.QueryFrequency)), types.NewString(rules.FormatDuration(r.QueryPeriod)),
			types.NewString(strings.Join(r.Tactics, ", ")), types.NewString(r.File), types.NewString(r.ID)}); err != nil {
			return err
		}
	}
	c.Show(Result{Table: t})
	return nil
}

// timeFlag reads --from/--to values.
func timeFlag(c *Call, name, val string) (time.Time, error) {
	ticks, err := parseDateTimeArg(val)
	if err != nil {
		return time.Time{}, c.Usagef("--%s: %v", name, err)
	}
	return types.TicksToTime(ticks).UTC(), nil
}

func runRulesRun(ctx context.Context, c *Call, args []string) error {
	var opts rules.Options
	var files []string
	builtin, write := false, false
	for i := 0; i < len(args); i++ {
		opt, val, hasVal := strings.Cut(args[i], "=")
		switch opt {
		case "--from", "--to":
			if !hasVal {
				if i+1 == len(args) {
					return c.Usagef("%s needs a time, e.g. %s 2026-11-20", opt, opt)
				}
				i++
				val = args[i]
			}
			t, err := timeFlag(c, opt[2:], val)
			if err != nil {
				return err
			}
			if opt == "--from" {
				opts.From = t
			} else {
				opts.To = t
			}
		case "--builtin", "--write":
			if hasVal {
				return c.Usagef("%s takes no value", opt)
			}
			if opt == "--builtin" {
				builtin = true
			} else {
				write = true
			}
		default:
			if strings.HasPrefix(args[i], "--") {
				return c.Usagef("run: unknown option %s (options: --from, --to, --builtin, --write)", opt)
			}
			files = append(files, args[i])
		}
	}
	if !opts.From.IsZero() && !opts.To.IsZero() && !opts.To.After(opts.From) {
		return c.Usagef("--to (%s) must be after --from (%s)", opts.To.Format(time.RFC3339), opts.From.Format(time.RFC3339))
	}
	var rs []*rules.Rule
	if len(files) > 0 {
		var err error
		if rs, err = loadRules(files); err != nil {
			return err
		}
	}
	if builtin || len(files) == 0 {
		b, err := rules.Builtin()
		if err != nil {
			return err
		}
		rs = append(rs, b...)
	}
	ws, _, err := localWorkspace(ctx, c, "%rules run", rulesElsewhere)
	if err != nil {
		return err
	}
	start := time.Now()
	rep, err := rules.ReplayWorkspace(ctx, ws, rs, opts)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("replaying over %s: %w", ws.Dir, err)
	}
	alerts, incidents := rep.Tables()
	kept := []*table.Table{renamed(alerts, "Alerts"), renamed(incidents, "Incidents")}
	for _, t := range kept {
		if err := addSessionTable(ctx, c, t); err != nil {
			return err
		}
		c.In.keepNamed(Result{Table: t, Name: t.Name})
	}
	written := ""
	if write {
		if err := rep.WriteTo(ctx, ws); err != nil {
			return fmt.Errorf("appending alerts and incidents to %s: %w", ws.Dir, err)
		}
		written = "; appended to SecurityAlert and SecurityIncident in " + ws.Dir
	}
	c.Stdout(fmt.Sprintf("%s from %s to %s: %s, %s (%s); kept as Alerts and Incidents%s.\n",
		plural(len(rs), "rule"), rep.From.Format(time.RFC3339), rep.To.Format(time.RFC3339),
		plural(len(rep.Alerts), "alert"), plural(len(rep.Incidents), "incident"),
		time.Since(start).Round(time.Millisecond), written))
	c.Display(Bundle(Result{Table: rep.RuleSummary()}, c.In.maxRows()), nil)
	c.Show(Result{Table: rep.Summary(), Elapsed: time.Since(start)})
	return nil
}

// renamed is t under another name (the columns are shared).
func renamed(t *table.Table, name string) *table.Table {
	c := *t
	c.Name = name
	return &c
}

// keepNamed keeps a result by name without making it the last one (_).
func (in *Interpreter) keepNamed(r Result) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.named[r.Name] = r
}

// completeRulesMagic completes the subcommand, run's options and rule
// file paths.
func completeRulesMagic(in *Interpreter, args string, cursor int) ([]string, int, int) {
	before := args[:cursor]
	start := strings.LastIndexAny(before, " \t") + 1
	word := before[start:]
	fields := strings.Fields(before[:start])
	switch {
	case len(fields) == 0:
		return filterPrefix([]string{"list", "run"}, word), start, cursor
	case fields[len(fields)-1] == "--from" || fields[len(fields)-1] == "--to":
		return nil, cursor, cursor
	case fields[0] == "run" && strings.HasPrefix(word, "-"):
		return filterPrefix([]string{"--from", "--to", "--builtin", "--write"}, word), start, cursor
	case fields[0] == "run" || fields[0] == "list":
		return ruleFiles(word), start, cursor
	}
	return nil, cursor, cursor
}

// ruleFiles lists folders and .yaml/.yml files starting with prefix.
func ruleFiles(prefix string) []string {
	matches, _ := filepath.Glob(globEscape(prefix) + "*")
	var out []string
	for _, m := range matches {
		fi, err := os.Stat(m)
		switch {
		case err != nil:
		case fi.IsDir():
			out = append(out, m+string(filepath.Separator))
		case strings.HasSuffix(m, ".yaml") || strings.HasSuffix(m, ".yml"):
			out = append(out, m)
		}
		if len(out) == maxNameCompletions {
			break
		}
	}
	return out
}

// globEscape quotes glob metacharacters in a literal prefix.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
