package interp

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/huntbook/huntbook/kernel"
)

// MagicKind says how a magic may be invoked.
type MagicKind uint8

const (
	// LineMagic: "%name args" on a line of its own; the rest of the cell
	// runs as usual (unless the magic sets Rest).
	LineMagic MagicKind = 1 << iota
	// CellMagic: "%%name args" as the cell's first line; the magic gets the
	// rest of the cell as Body.
	CellMagic
)

// Magic is one % command. To add one, fill in a Magic and pass it to
// RegisterBuiltin from an init function in this package (every new
// Interpreter gets it) or to Interpreter.Register (one interpreter only):
//
//	func init() {
//		RegisterBuiltin(Magic{
//			Name: "tables", Kind: LineMagic,
//			Usage: "%tables [PATTERN]",
//			Help:  "Lists the tables of the connected workspace.",
//			Run: func(ctx context.Context, c *Call) error {
//				c.Stdout("...")
//				return nil
//			},
//		})
//	}
//
// Errors returned by Run become the cell's error (ename "MagicError",
// or "UsageError" for a *UsageError).
type Magic struct {
	Name  string // without the % signs: letters, digits and _
	Kind  MagicKind
	Usage string // one line, e.g. "%echo [--stderr] TEXT"
	Help  string // what it does, shown by %name?
	// Rest: as a line magic it also takes the rest of the cell as Body
	// (%time does, to time it).
	Rest bool
	// KQLBody: the body (cell form) is a query, so completion, inspection
	// and is_complete treat it as KQL.
	KQLBody bool
	Run     func(ctx context.Context, c *Call) error
	// Complete, when set, completes the magic's arguments: args is the
	// text after the name on the line, cursor a byte offset into it, and
	// the matches replace args[start:end].
	Complete func(in *Interpreter, args string, cursor int) (matches []string, start, end int)
}

// UsageError reports a magic called with bad arguments; the message
// should say what was wrong, and the usage line is added to it.
type UsageError struct {
	Magic string
	Msg   string
}

func (e *UsageError) Error() string { return e.Msg }

// Call is one invocation of a magic.
type Call struct {
	In   *Interpreter
	Name string
	Cell bool   // invoked as %%name
	Args string // the text after the name on its line, trimmed
	Body string // the lines after it (cell magics and Rest magics)
	// Line is the 1-based line of the magic in the cell; Body starts on
	// the next line.
	Line int
	Req  kernel.ExecuteRequest

	magic *Magic
	x     *execution
}

// Stdout writes text to the cell's standard output.
func (c *Call) Stdout(text string) { c.x.out.Stream("stdout", text) }

// Stderr writes text to the cell's standard error.
func (c *Call) Stderr(text string) { c.x.out.Stream("stderr", text) }

// Display shows a MIME bundle.
func (c *Call) Display(data, metadata map[string]any) { c.x.out.Display(data, metadata) }

// Result sets a MIME bundle as the cell's value (its execute_result, unless
// more output follows).
func (c *Call) Result(data, metadata map[string]any) { c.x.out.setResult(data, metadata) }

// Clear clears the cell's output.
func (c *Call) Clear(wait bool) { c.x.out.Clear(wait) }

// Page shows text in the front-end's pager (IPython's "?" help).
func (c *Call) Page(text string) {
	c.x.payload = append(c.x.payload, map[string]any{"source": "page", "data": map[string]any{"text/plain": text}, "start": 0})
}

// Show displays a query result as the interpreter does and records it as
// _ (and by name).
func (c *Call) Show(r Result) { c.x.show(r) }

// RunCell runs code as cell content (magics and queries), its line numbers
// counted from the line after this magic.
func (c *Call) RunCell(ctx context.Context, code string) error {
	return c.x.runCell(ctx, code, c.Line)
}

// RunQuery runs one query through the engine and shows its results.
func (c *Call) RunQuery(ctx context.Context, query string) error {
	return c.x.runQuery(ctx, query, c.Line+1)
}

// Usagef returns a UsageError for this magic.
func (c *Call) Usagef(format string, args ...any) error {
	return &UsageError{Magic: c.Name, Msg: fmt.Sprintf(format, args...)}
}

var (
	builtinMu sync.Mutex
	builtins  []Magic
)

// RegisterBuiltin adds a magic that every Interpreter made afterwards has.
// It panics on an invalid or duplicate magic, as a programming error.
func RegisterBuiltin(m Magic) {
	if err := m.check(); err != nil {
		panic(err)
	}
	builtinMu.Lock()
	defer builtinMu.Unlock()
	for _, b := range builtins {
		if b.Name == m.Name {
			panic("interp: magic registered twice: " + m.Name)
		}
	}
	builtins = append(builtins, m)
}

// Register adds (or replaces) a magic on this interpreter.
func (in *Interpreter) Register(m Magic) error {
	if err := m.check(); err != nil {
		return err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.magics[m.Name] = &m
	return nil
}

func (m *Magic) check() error {
	switch {
	case !validMagicName(m.Name):
		return fmt.Errorf("interp: bad magic name %q: use letters, digits and _", m.Name)
	case m.Kind == 0:
		return fmt.Errorf("interp: magic %s has no Kind", m.Name)
	case m.Run == nil:
		return fmt.Errorf("interp: magic %s has no Run", m.Name)
	}
	return nil
}

func validMagicName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// magic looks up a magic by name.
func (in *Interpreter) magic(name string) *Magic {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.magics[name]
}

// Magics lists the interpreter's magics sorted by name.
func (in *Interpreter) Magics() []*Magic {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]*Magic, 0, len(in.magics))
	for _, m := range in.magics {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// spelled returns how a magic is written for a kind: "%name" or "%%name".
func spelled(name string, k MagicKind) string {
	if k == CellMagic {
		return "%%" + name
	}
	return "%" + name
}

// knownMagics lists every invocation form, for error messages.
func (in *Interpreter) knownMagics(kind MagicKind) []string {
	var out []string
	for _, m := range in.Magics() {
		if m.Kind&kind != 0 {
			out = append(out, spelled(m.Name, kind))
		}
	}
	return out
}

// unknownMagic builds the error for a magic that does not exist (or not
// in that form), naming the known ones and the nearest spelling.
func (in *Interpreter) unknownMagic(name string, kind MagicKind) error {
	var b strings.Builder
	fmt.Fprintf(&b, "unknown magic %s", spelled(name, kind))
	if m := in.magic(name); m != nil {
		other := CellMagic
		if kind == CellMagic {
			other = LineMagic
		}
		fmt.Fprintf(&b, " (%s exists: %s)", spelled(name, other), m.Usage)
		return &magicError{name: name, unknown: true, err: fmt.Errorf("%s", b.String())}
	}
	var best string
	bestD := 3
	for _, m := range in.Magics() {
		if d := editDistance(strings.ToLower(name), strings.ToLower(m.Name)); d < bestD {
			best, bestD = m.Name, d
		}
	}
	if best != "" {
		k := kind
		if in.magic(best).Kind&kind == 0 {
			k = in.magic(best).Kind
		}
		fmt.Fprintf(&b, "; did you mean %s?", spelled(best, k))
	}
	fmt.Fprintf(&b, "\nline magics: %s", strings.Join(in.knownMagics(LineMagic), " "))
	fmt.Fprintf(&b, "\ncell magics: %s", strings.Join(in.knownMagics(CellMagic), " "))
	return &magicError{name: name, unknown: true, err: fmt.Errorf("%s", b.String())}
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// helpText is what %name? shows.
func (m *Magic) helpText() string {
	var forms []string
	if m.Kind&LineMagic != 0 {
		forms = append(forms, "%"+m.Name)
	}
	if m.Kind&CellMagic != 0 {
		forms = append(forms, "%%"+m.Name)
	}
	return fmt.Sprintf("%s\n\nUsage: %s\n\n%s\n", strings.Join(forms, ", "), m.Usage, strings.TrimSpace(m.Help))
}

// magicError wraps an error from (or about) a magic.
type magicError struct {
	name    string
	unknown bool
	err     error
}

func (e *magicError) Error() string { return e.err.Error() }
func (e *magicError) Unwrap() error { return e.err }
