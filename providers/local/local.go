// Package local is the embedded provider: huntbook's own KQL engine
// (kql/exec) over workspace folders of exported logs, or over the built-in
// sample tenant when no folder is given. It needs no network and no account.
package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/binder"
	"github.com/huntbook/huntbook/kql/exec"
	"github.com/huntbook/huntbook/kql/geoip"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/schemas"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/sampledata"
)

// Kind is the provider kind name.
const Kind = "local"

func init() {
	providers.Register(Kind, func(name string, settings map[string]string) (providers.Provider, error) {
		var dirs []string
		for _, d := range strings.Split(settings["data_paths"], string(os.PathListSeparator)) {
			if d = strings.TrimSpace(d); d != "" {
				dirs = append(dirs, d)
			}
		}
		return New(name, dirs, Options{GeoIP: settings["geoip"]})
	})
}

// Options tune the local provider.
type Options struct {
	// Sample configures the sample tenant used when no folder is given.
	Sample sampledata.Config
	// Exec tunes the engine sessions.
	Exec exec.Options
	// GeoIP is the geolocation database geo_info_from_ip_address() reads:
	// a file (GeoLite2-City.mmdb, a DB-IP CSV ...) or a folder holding one
	// (MSTICPy's GeoIPLite DBFolder). Empty: the first workspace folder
	// that holds one (kql/geoip.Find), else none.
	GeoIP string
}

// Provider runs KQL on local workspace folders.
type Provider struct {
	name   string
	dirs   []string
	opts   Options
	once   sync.Once
	err    error
	spaces []*workspace.Workspace
	sample bool
	geo    atomic.Pointer[geoip.DB] // set by Connect; Describe may read it meanwhile
}

// New makes a local provider over dirs (searched in order: a table found in
// an earlier folder hides one of the same name in a later folder). With no
// dirs it serves the built-in sample tenant.
func New(name string, dirs []string, opts Options) (*Provider, error) {
	if name == "" {
		name = Kind
	}
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("local provider %s: data path %s: %w", name, d, err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("local provider %s: data path %s is not a folder", name, d)
		}
	}
	return &Provider{name: name, dirs: dirs, opts: opts, sample: len(dirs) == 0}, nil
}

func (p *Provider) Name() string { return p.name }
func (p *Provider) Kind() string { return Kind }

func (p *Provider) Describe() string {
	d := "embedded KQL engine on " + strings.Join(p.dirs, ", ")
	if p.sample {
		d = "embedded KQL engine on the built-in sample tenant"
	}
	// a stopped clock changes every ago(): say so
	if p.generated() && !p.sample {
		d += "; now() is " + types.FormatDateTime(types.TimeToTicks(p.End())) + ", where the data ends (workspace.json clock)"
	}
	// which database answers geo_info_from_ip_address(), once connected
	if g := p.GeoIP(); g != "" {
		d += "; GeoIP " + g
	}
	return d
}

// Connect opens the folders (or generates the sample tenant).
func (p *Provider) Connect(ctx context.Context) error {
	p.once.Do(func() { p.err = p.open() })
	return p.err
}

func (p *Provider) open() error {
	dirs := p.dirs
	if p.sample {
		dir, err := SampleDir(p.opts.Sample)
		if err != nil {
			return err
		}
		dirs = []string{dir}
	}
	for _, d := range dirs {
		w, err := workspace.Open(d, workspace.Options{})
		if err != nil {
			return err
		}
		p.spaces = append(p.spaces, w)
	}
	return p.openGeo()
}

// openGeo opens the GeoIP database Options.GeoIP names, or the first a
// workspace holds. One that is named but cannot be read is an error: the
// user asked for it, and every location would silently be null.
func (p *Provider) openGeo() error {
	path := p.opts.GeoIP
	if path != "" {
		if st, err := os.Stat(path); err != nil {
			return fmt.Errorf("local provider %s: GeoIP database: %w", p.name, err)
		} else if st.IsDir() {
			if path = geoip.Find(path); path == "" {
				return fmt.Errorf("local provider %s: GeoIP folder %s holds no database (want one of %s)", p.name, p.opts.GeoIP, strings.Join(geoip.Names, ", "))
			}
		}
	} else {
		for _, w := range p.spaces {
			if path = geoip.Find(w.Dir); path != "" {
				break
			}
		}
	}
	if path == "" {
		return nil
	}
	db, err := geoip.Open(path)
	if err != nil {
		return fmt.Errorf("local provider %s: %w", p.name, err)
	}
	p.geo.Store(db)
	return nil
}

// GeoIP is the path of the geolocation database queries use, or "".
func (p *Provider) GeoIP() string {
	g := p.geo.Load()
	if g == nil {
		return ""
	}
	return g.Path
}

// SampleDir returns a folder holding the sample tenant for cfg, generating
// it once into the user's cache (generation is deterministic, so a folder
// for the same seed and end is reused).
func SampleDir(cfg sampledata.Config) (string, error) {
	if cfg.End.IsZero() {
		cfg.End = time.Now().UTC().Truncate(time.Hour)
	}
	base, err := os.UserCacheDir()
	if err != nil || base == "" {
		base = os.TempDir()
	}
	prefix := fmt.Sprintf("sample-%s-u%d-d%d-s%d-x%g-", cfg.Name, cfg.Users, cfg.Days, cfg.Seed, cfg.Scale)
	suffix := ""
	if cfg.NoStories {
		suffix = "-nostories"
	}
	key := prefix + cfg.End.UTC().Format("20060102T15") + suffix
	dir := filepath.Join(base, "huntbook", key)
	v := sampledata.WrittenVersion(dir)
	if v == sampledata.Version {
		return dir, nil
	}
	// Write to a fresh folder and rename, so a concurrent or interrupted
	// writer never leaves a half tenant behind.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("sample tenant: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), key+".tmp")
	if err != nil {
		return "", fmt.Errorf("sample tenant: %w", err)
	}
	if err := sampledata.WriteWorkspace(tmp, cfg); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("sample tenant: %w", err)
	}
	if v >= 0 {
		// written by an older huntbook: set it aside for the new one
		old := fmt.Sprintf("%s.old%d", dir, time.Now().UnixNano())
		if err := os.Rename(dir, old); err == nil {
			defer os.RemoveAll(old)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if sampledata.WrittenVersion(dir) == sampledata.Version {
			return dir, nil // another process won the race
		}
		return "", fmt.Errorf("sample tenant: %w", err)
	}
	pruneSamples(filepath.Dir(dir), prefix, suffix, keepSamples)
	return dir, nil
}

// keepSamples is how many tenants of one configuration stay cached. The
// default tenant ends at the current hour, so a new one (about 170 MB) is
// generated every hour it is used; without pruning the cache grows without
// bound. The previous one is kept for a kernel still reading it.
const keepSamples = 2

// pruneAge is how long a tenant folder is left alone after it was written,
// whatever its END: another process (a kernel, a test pinned to a fixed end)
// may have just made it and be about to read it.
const pruneAge = time.Hour

// pruneSamples removes all but the newest keep tenant folders named
// prefix + END + suffix in dir (END sorts by time as written), sparing any
// folder written within pruneAge.
func pruneSamples(dir, prefix, suffix string, keep int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	var same []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() || !strings.HasPrefix(n, prefix) || !strings.HasSuffix(n, suffix) {
			continue
		}
		end := strings.TrimSuffix(strings.TrimPrefix(n, prefix), suffix)
		if _, err := time.Parse("20060102T15", end); err != nil {
			continue // another configuration, or a folder being written
		}
		same = append(same, n)
	}
	sort.Strings(same)
	for len(same) > keep {
		p := filepath.Join(dir, same[0])
		if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > pruneAge {
			os.RemoveAll(p)
		}
		same = same[1:]
	}
}

// Workspaces returns the opened workspaces (after Connect).
func (p *Provider) Workspaces() []*workspace.Workspace { return p.spaces }

// End is the instant the first workspace's data ends at, if it records one:
// sessions pin now() to it so that ago() windows find the data.
func (p *Provider) End() time.Time {
	if len(p.spaces) > 0 {
		return p.spaces[0].End
	}
	return time.Time{}
}

// generated reports whether the data's clock stops where it ends: a
// generated tenant (the built-in sample, or a folder written by huntbook
// sample) or a folder whose workspace.json says clock "end" (huntbook
// import writes it), so queries written with ago() find the data whenever
// they run. Other exports keep the real clock.
func (p *Provider) generated() bool {
	if p.sample {
		return true
	}
	if len(p.spaces) == 0 || p.spaces[0].End.IsZero() {
		return false
	}
	// workspace.json "clock" says; by default a generated tenant's stops
	switch p.spaces[0].Clock {
	case "end":
		return true
	case "real":
		return false
	}
	return p.spaces[0].Generator != ""
}

// Tables lists every table with its schema.
func (p *Provider) Tables(ctx context.Context) ([]providers.TableInfo, error) {
	if err := p.Connect(ctx); err != nil {
		return nil, err
	}
	cat := &catalog{p: p}
	recorded := map[*workspace.Workspace]map[string]int{}
	var out []providers.TableInfo
	for _, name := range cat.TableNames() {
		w := cat.owner(name)
		s, _ := w.Schema(name)
		rows := -1
		if rep := w.Report(name); rep != nil {
			rows = rep.Rows
		} else {
			if _, ok := recorded[w]; !ok {
				recorded[w] = recordedRows(w.Dir)
			}
			if n, ok := recorded[w][name]; ok {
				rows = n
			}
		}
		out = append(out, providers.TableInfo{Name: name, Schema: s, Rows: rows})
	}
	return out, nil
}

// recordedRows reads the row counts a generated tenant's workspace.json
// records ("rows": {"SigninLogs": 44703, ...}), so that listing tables
// need not load them; nil when there are none.
func recordedRows(dir string) map[string]int {
	if dir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, "workspace.json"))
	if err != nil {
		return nil
	}
	var settings struct {
		Rows map[string]int `json:"rows"`
	}
	if json.Unmarshal(b, &settings) != nil {
		return nil
	}
	return settings.Rows
}

func (p *Provider) Close() error {
	if g := p.geo.Load(); g != nil {
		return g.Close()
	}
	return nil
}

// NewSession starts an engine session. For a generated tenant, now() is
// pinned to the instant the data ends (see generated).
func (p *Provider) NewSession() providers.Session {
	return &Session{p: p}
}

// Session is one engine session (a notebook's worth of let bindings).
type Session struct {
	p   *Provider
	mu  sync.Mutex
	ses *exec.Session
	cat *catalog
}

// Catalog exposes the session's tables to callers that add their own (the
// kernel's named results, UEBA output).
func (s *Session) Add(t *table.Table) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cat == nil {
		s.cat = &catalog{p: s.p}
	}
	s.cat.add(t)
}

// Run parses and executes query.
func (s *Session) Run(ctx context.Context, query string, opts providers.QueryOptions) ([]*providers.Result, error) {
	if err := s.p.Connect(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cat == nil {
		s.cat = &catalog{p: s.p}
	}
	s.cat.setOptional(opts.Optional)
	if s.ses == nil {
		eo := s.p.opts.Exec
		if eo.Now.IsZero() && s.p.generated() {
			eo.Now = s.p.End()
		}
		if g := s.p.geo.Load(); eo.Geo == nil && g != nil {
			eo.Geo = g
		}
		s.ses = exec.NewSession(s.cat, eo)
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	if len(opts.Params) > 0 {
		if err := s.bindParams(ctx, opts.Params); err != nil {
			return nil, err
		}
	}
	script, file, err := parser.Parse("", []byte(query))
	if err != nil {
		return nil, toQueryError(err)
	}
	res, err := s.ses.Run(ctx, script, file)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && opts.Timeout > 0 {
			return nil, fmt.Errorf("query timed out after %s", opts.Timeout)
		}
		return nil, s.withSuggestion(toQueryError(err), script, file)
	}
	out := make([]*providers.Result, len(res))
	warnings := s.cat.takeWarnings()
	for i, r := range res {
		out[i] = &providers.Result{Table: r.Table, Name: r.Name, Render: r.Render, Truncated: r.Truncated, Stats: r.Stats}
		if i == 0 {
			out[i].Warnings = warnings
		}
		out[i].Warnings = append(out[i].Warnings, r.Warnings...)
		if r.Name != "" {
			t := *r.Table
			t.Name = r.Name
			s.cat.add(&t)
		}
	}
	return out, nil
}

// withSuggestion adds the binder's "did you mean" to an engine error about
// an unknown name: the engine says what failed, the binder knows the
// columns and tables in scope. Only a binder diagnostic at the very same
// place is used, so a binder that knows less than the session (names from
// earlier cells) cannot add a wrong hint.
func (s *Session) withSuggestion(err error, script *ast.Script, file *token.File) error {
	var qe *providers.QueryError
	if !errors.As(err, &qe) || qe.Line == 0 || !strings.Contains(qe.Msg, "unknown") || strings.Contains(qe.Msg, "did you mean") {
		return err
	}
	res := binder.Bind(script, file, bindCatalog{s.cat}, binder.Options{})
	for _, d := range res.Diagnostics {
		if d.Pos.Line != qe.Line || d.Pos.Column != qe.Column {
			continue
		}
		if i := strings.Index(d.Msg, "did you mean"); i >= 0 {
			qe.Msg = strings.TrimRight(qe.Msg, ".") + "; " + strings.TrimRight(d.Msg[i:], ")")
		}
		break
	}
	return err
}

// bindCatalog shows the binder the session's tables.
type bindCatalog struct{ c *catalog }

func (b bindCatalog) Table(name string) (types.Schema, bool) {
	b.c.mu.Lock()
	t, ok := b.c.added[name]
	b.c.mu.Unlock()
	if ok {
		return t.Schema(), true
	}
	if w := b.c.owner(name); w != nil {
		return w.Schema(name)
	}
	return b.c.optionalSchema(name)
}

func (b bindCatalog) Tables() []string { return b.c.TableNames() }

// bindParams binds query parameters as let statements in the session, with
// values rendered as KQL literals so no value can change a query's shape.
func (s *Session) bindParams(ctx context.Context, params map[string]types.Value) error {
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "let %s = %s;\n", quoteName(n), params[n].Literal())
	}
	script, file, err := parser.Parse("parameters", []byte(b.String()))
	if err != nil {
		return fmt.Errorf("query parameters: %w", err)
	}
	_, err = s.ses.Run(ctx, script, file)
	return err
}

func quoteName(n string) string {
	for i, r := range n {
		ok := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9'
		if !ok {
			return "['" + strings.ReplaceAll(strings.ReplaceAll(n, `\`, `\\`), `'`, `\'`) + "']"
		}
	}
	return n
}

// toQueryError turns parser and executor errors into providers.QueryError
// values that carry line and column.
func toQueryError(err error) error {
	var pl parser.ErrorList
	if errors.As(err, &pl) && len(pl) > 0 {
		errs := make([]error, 0, len(pl))
		for _, e := range pl {
			errs = append(errs, &providers.QueryError{Line: e.Pos.Line, Column: e.Pos.Column, Msg: e.Msg})
		}
		return errors.Join(errs...)
	}
	var ee *exec.Error
	if errors.As(err, &ee) {
		return &providers.QueryError{Line: ee.Pos.Line, Column: ee.Pos.Column, Msg: ee.Msg}
	}
	return err
}

// catalog serves tables from the provider's workspaces plus tables a
// session added (named results).
type catalog struct {
	p        *Provider
	mu       sync.Mutex
	added    map[string]*table.Table
	warnings []string // load problems met since the last takeWarnings
	warned   map[string]bool
	optional map[string]bool // tables served empty when missing (%optional)
}

func (c *catalog) setOptional(names []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.optional = map[string]bool{}
	for _, n := range names {
		c.optional[n] = true
	}
}

// optionalSchema is the built-in schema of a table the session may do
// without and no workspace has.
func (c *catalog) optionalSchema(name string) (types.Schema, bool) {
	c.mu.Lock()
	opt := c.optional[name]
	c.mu.Unlock()
	if !opt {
		return nil, false
	}
	return schemas.Lookup(name)
}

// warn records a load warning once per session: a bad row is reported, not
// silently dropped, but not repeated on every query either.
func (c *catalog) warn(w string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.warned == nil {
		c.warned = map[string]bool{}
	}
	if !c.warned[w] {
		c.warned[w] = true
		c.warnings = append(c.warnings, w)
	}
}

func (c *catalog) takeWarnings() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.warnings
	c.warnings = nil
	return w
}

// loadWarning summarises a table's load problems, naming each bad line by
// file and line (up to the loader's limit).
func loadWarning(r *workspace.LoadReport) string { return r.Summary() }

func (c *catalog) add(t *table.Table) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.added == nil {
		c.added = map[string]*table.Table{}
	}
	c.added[t.Name] = t
}

func (c *catalog) owner(name string) *workspace.Workspace {
	for _, w := range c.p.spaces {
		for _, n := range w.Tables() {
			if n == name {
				return w
			}
		}
	}
	return nil
}

func (c *catalog) Table(ctx context.Context, name string) (*table.Table, error) {
	c.mu.Lock()
	t, ok := c.added[name]
	c.mu.Unlock()
	if ok {
		return t, nil
	}
	w := c.owner(name)
	if w == nil {
		if s, ok := c.optionalSchema(name); ok {
			c.warn(fmt.Sprintf("%s is not in %s: read as an empty table (%%optional)", name, strings.Join(c.dirs(), ", ")))
			return table.New(name, s), nil
		}
		return nil, c.noTable(name)
	}
	return c.load(ctx, w, name)
}

// noTable says why a table is not there. A table Sentinel or Defender XDR
// knows is one the export left out, which a hunter fixes by exporting it;
// any other name is unknown.
func (c *catalog) noTable(name string) error {
	if _, ok := schemas.Lookup(name); !ok || len(c.p.spaces) == 0 {
		return fmt.Errorf("unknown table %q", name)
	}
	return fmt.Errorf("unknown table %q: no file for it in %s (%s.csv, .jsonl, .json or .parquet); export it there, or go on without it (%%optional TABLE in a notebook, union isfuzzy=true in a query)",
		name, strings.Join(c.dirs(), ", "), name)
}

// dirs are the workspace folders, for messages.
func (c *catalog) dirs() []string {
	var dirs []string
	for _, w := range c.p.spaces {
		dirs = append(dirs, w.Dir)
	}
	return dirs
}

// load reads a workspace's table, keeping its load problems as a warning.
func (c *catalog) load(ctx context.Context, w *workspace.Workspace, name string) (*table.Table, error) {
	t, rep, err := w.Load(ctx, name)
	if err != nil {
		return nil, err
	}
	if rep != nil && (rep.BadValues > 0 || rep.BadLines > 0) {
		c.warn(loadWarning(rep))
	}
	if rep != nil {
		for _, n := range rep.Notes {
			c.warn(n)
		}
	}
	return t, nil
}

// WorkspaceTable serves workspace("name").T, a cross-workspace reference:
// name is a workspace's name (workspace.json "name", else its folder's),
// matched without regard to case as Log Analytics matches names.
func (c *catalog) WorkspaceTable(ctx context.Context, ws, name string) (*table.Table, error) {
	var open []string
	for _, w := range c.p.spaces {
		if !strings.EqualFold(w.Name, ws) && !strings.EqualFold(filepath.Base(w.Dir), ws) {
			open = append(open, w.Name)
			continue
		}
		if !slices.Contains(w.Tables(), name) {
			return nil, fmt.Errorf("workspace %q has no table %q", w.Name, name)
		}
		return c.load(ctx, w, name)
	}
	return nil, fmt.Errorf("no workspace named %q is open (open: %s)", ws, strings.Join(open, ", "))
}

func (c *catalog) TableNames() []string {
	seen := map[string]bool{}
	var names []string
	for _, w := range c.p.spaces {
		for _, n := range w.Tables() {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	c.mu.Lock()
	for n := range c.added {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	c.mu.Unlock()
	sort.Strings(names)
	return names
}

func (c *catalog) Watchlist(ctx context.Context, alias string) (*table.Table, error) {
	var firstErr error
	for _, w := range c.p.spaces {
		t, err := w.Watchlist(alias)
		if err == nil {
			return t, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("unknown watchlist %q", alias)
	}
	return nil, firstErr
}
