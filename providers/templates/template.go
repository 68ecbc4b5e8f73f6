// Package templates loads query template libraries in MSTICPy's YAML
// format (metadata, defaults, sources with args.query and typed
// parameters), lists and describes them, and renders a query from
// parameter values. Rendering is injection-safe: every value becomes a KQL
// literal, or is escaped for the string literal the template placed it in,
// so a value can never change the query's structure. A built-in library of
// hunting queries for the sample tenant's tables is embedded.
package templates

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/types"
)

// Query is one template.
type Query struct {
	// Name is Family.source (e.g. SigninLogs.failed_signins_by_user), the
	// first data family of the file and the key under sources.
	Name         string
	Source       string // the file it came from
	Description  string
	Environments []string
	Families     []string
	Tags         []string
	Metadata     map[string]any
	Text         string // args.query
	Params       map[string]Param
}

// Param is one typed template parameter.
type Param struct {
	Name        string
	Description string
	Type        string // str, datetime, int, float, bool, list, timespan
	Default     any    // as written in YAML; nil when HasDefault is false
	HasDefault  bool
}

// Types are the parameter types templates may declare (MSTICPy's names
// and aliases).
var Types = []string{"str", "string", "datetime", "int", "long", "float", "real", "bool", "list", "timespan"}

func normType(t string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "str", "string", "":
		return "str", true
	case "datetime", "date":
		return "datetime", true
	case "int", "long":
		return "int", true
	case "float", "real", "double":
		return "float", true
	case "bool", "boolean":
		return "bool", true
	case "list":
		return "list", true
	case "timespan":
		return "timespan", true
	}
	return "", false
}

// RenderOptions tune Render.
type RenderOptions struct {
	// Now anchors relative datetimes (-1d, a number of days); zero means
	// time.Now().
	Now time.Time
}

// ParamNames lists the parameters in name order.
func (q *Query) ParamNames() []string {
	names := make([]string, 0, len(q.Params))
	for n := range q.Params {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Required lists the parameters without a default, in name order.
func (q *Query) Required() []string {
	var out []string
	for _, n := range q.ParamNames() {
		if !q.Params[n].HasDefault {
			out = append(out, n)
		}
	}
	return out
}

// Describe is a multi-line help text: name, description, parameters.
func (q *Query) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n  %s\n", q.Name, q.Description)
	if len(q.Tags) > 0 {
		fmt.Fprintf(&b, "  tags: %s\n", strings.Join(q.Tags, ", "))
	}
	b.WriteString("  parameters:\n")
	for _, n := range q.ParamNames() {
		p := q.Params[n]
		def := "(required)"
		if p.HasDefault {
			def = fmt.Sprintf("(default: %v)", p.Default)
		}
		fmt.Fprintf(&b, "    %s: %s %s %s\n", n, p.Type, def, p.Description)
	}
	return b.String()
}

// fragmentParam reports whether p holds a pipe fragment rather than a
// value: add_query_items and parameters whose default starts with |
// (MSTICPy's query_project), which MSTICPy splices into the query as KQL.
func fragmentParam(p Param) bool {
	if p.Name == "add_query_items" {
		return true
	}
	s, ok := p.Default.(string)
	return ok && strings.HasPrefix(strings.TrimSpace(s), "|")
}

// Render substitutes args into the template. Missing parameters take
// their defaults; a parameter with no default and no value is an error, as
// is an argument the template does not declare. Values are converted to
// the declared type first ("7" for an int, "2024-01-02" or "-1d" for a
// datetime, "a,b" or []string for a list).
func (q *Query) Render(args map[string]any, opts RenderOptions) (string, error) {
	for k := range args {
		if _, ok := q.Params[k]; !ok {
			return "", fmt.Errorf("query %s: unknown parameter %q (parameters: %s)", q.Name, k, strings.Join(q.ParamNames(), ", "))
		}
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	var b strings.Builder
	text := q.Text
	var lx lexState
	for i := 0; i < len(text); {
		c := text[i]
		if c == '{' && i+1 < len(text) && text[i+1] == '{' {
			b.WriteByte('{')
			lx.feed("{")
			i += 2
			continue
		}
		if c == '}' && i+1 < len(text) && text[i+1] == '}' {
			b.WriteByte('}')
			lx.feed("}")
			i += 2
			continue
		}
		if c != '{' {
			b.WriteByte(c)
			lx.feed(text[i : i+1])
			i++
			continue
		}
		end := strings.IndexByte(text[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("query %s: unclosed { at offset %d", q.Name, i)
		}
		field := text[i+1 : i+end]
		name, _, _ := strings.Cut(field, ":") // a format spec is ignored
		name = strings.TrimSpace(name)
		p, ok := q.Params[name]
		if !ok {
			return "", fmt.Errorf("query %s: placeholder {%s} has no parameter", q.Name, field)
		}
		raw, given := args[name]
		if !given {
			if !p.HasDefault {
				return "", fmt.Errorf("query %s: parameter %s is required", q.Name, name)
			}
			raw = p.Default
		}
		out, err := q.substitute(p, raw, given, &lx, b.String(), now)
		if err != nil {
			return "", fmt.Errorf("query %s: parameter %s: %w", q.Name, name, err)
		}
		b.WriteString(out)
		lx.feed(out)
		i += end + 1
	}
	return b.String(), nil
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// substitute renders one value for the lexical context it lands in.
func (q *Query) substitute(p Param, raw any, given bool, lx *lexState, before string, now time.Time) (string, error) {
	switch lx.state {
	case inComment:
		// Only a line break ends a comment: anything else is inert there.
		s := fmt.Sprint(raw)
		if strings.ContainsAny(s, "\r\n\u2028\u2029\u0085") || !validUTF8(s) {
			return "", fmt.Errorf("a value with a line break cannot go inside a // comment")
		}
		return s, nil
	case inFenced:
		s := fmt.Sprint(raw)
		if strings.Contains(s, "```") || strings.Contains(s, "~~~") || !validUTF8(s) {
			return "", fmt.Errorf("value cannot go inside a multi-line string")
		}
	}
	if p.Type == "list" {
		items, err := toList(raw)
		if err != nil {
			return "", err
		}
		if lx.state != normal {
			return "", fmt.Errorf("a list cannot go inside a string literal")
		}
		lits := make([]string, len(items))
		for i, it := range items {
			l, err := Literal(it)
			if err != nil {
				return "", fmt.Errorf("item %d: %w", i+1, err)
			}
			lits[i] = l
		}
		return strings.Join(lits, ", "), nil
	}
	if p.Type == "str" && lx.state == normal && (fragmentParam(p) || !given) {
		// A declared default in a bare position is trusted template text
		// (MSTICPy's {table}, "| project ..."); a user fragment is checked
		// to be pipe operators only.
		s := fmt.Sprint(raw)
		if given {
			if err := checkFragment(s); err != nil {
				return "", err
			}
		}
		return s, nil
	}
	v, err := convert(p, raw, now)
	if err != nil {
		return "", err
	}
	switch lx.state {
	case inQuoted:
		return escapeIn(plainText(v), lx.quote)
	case inVerbatim:
		s := plainText(v)
		if strings.ContainsAny(s, "\r\n") || !validUTF8(s) {
			return "", fmt.Errorf("value with a line break cannot go inside a verbatim string")
		}
		return strings.ReplaceAll(s, string(lx.quote), string([]byte{lx.quote, lx.quote})), nil
	case inFenced:
		return plainText(v), nil
	}
	// Bare position.
	if v.Type == types.DateTime && strings.HasSuffix(strings.TrimRight(before, " \t"), "datetime(") {
		return isoTicks(v.I), nil // MSTICPy writes datetime({start})
	}
	if v.Type == types.String {
		if identRE.MatchString(v.S) {
			return v.S, nil // a table or column name
		}
		// Anything else can only be an identifier, quoted as one.
		body, err := escapeIn(v.S, '\'')
		if err != nil {
			return "", err
		}
		return "['" + body + "']", nil
	}
	return Literal(v)
}

func plainText(v types.Value) string {
	switch v.Type {
	case types.String:
		return v.S
	case types.DateTime:
		return isoTicks(v.I)
	}
	return v.String()
}

func validUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// convert turns a raw argument into a Value of the parameter's type.
func convert(p Param, raw any, now time.Time) (types.Value, error) {
	switch p.Type {
	case "str":
		switch x := raw.(type) {
		case string:
			return types.NewString(x), nil
		case nil:
			return types.NewString(""), nil
		case fmt.Stringer:
			return types.NewString(x.String()), nil
		}
		return types.NewString(fmt.Sprint(raw)), nil
	case "int":
		switch x := raw.(type) {
		case int:
			return types.NewLong(int64(x)), nil
		case int64:
			return types.NewLong(x), nil
		case float64:
			if x != math.Trunc(x) {
				return types.Value{}, fmt.Errorf("%v is not an integer", x)
			}
			return types.NewLong(int64(x)), nil
		case string:
			i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil {
				return types.Value{}, fmt.Errorf("%q is not an integer", x)
			}
			return types.NewLong(i), nil
		}
	case "float":
		switch x := raw.(type) {
		case int:
			return types.NewReal(float64(x)), nil
		case int64:
			return types.NewReal(float64(x)), nil
		case float64:
			return types.NewReal(x), nil
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return types.Value{}, fmt.Errorf("%q is not a number", x)
			}
			return types.NewReal(f), nil
		}
	case "bool":
		switch x := raw.(type) {
		case bool:
			return types.NewBool(x), nil
		case string:
			bv, err := strconv.ParseBool(strings.TrimSpace(x))
			if err != nil {
				return types.Value{}, fmt.Errorf("%q is not true or false", x)
			}
			return types.NewBool(bv), nil
		}
	case "datetime":
		t, err := toTime(raw, now)
		if err != nil {
			return types.Value{}, err
		}
		return types.FromTime(t), nil
	case "timespan":
		switch x := raw.(type) {
		case time.Duration:
			return types.NewTimeSpan(int64(x / 100)), nil
		case string:
			d, err := parseSpan(strings.TrimSpace(x))
			if err != nil {
				return types.Value{}, err
			}
			return types.NewTimeSpan(int64(d / 100)), nil
		}
	}
	return types.Value{}, fmt.Errorf("%v (%T) is not a valid %s", raw, raw, p.Type)
}

var spanRE = regexp.MustCompile(`^(-?\d+(?:\.\d+)?)\s*(d|h|m|s|ms|day|days|hour|hours|minute|minutes|second|seconds)$`)

// parseSpan reads KQL-style spans (7d, 1.5h, 30m) as well as Go durations.
func parseSpan(s string) (time.Duration, error) {
	if m := spanRE.FindStringSubmatch(strings.ToLower(s)); m != nil {
		f, _ := strconv.ParseFloat(m[1], 64)
		unit := map[string]time.Duration{"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
			"h": time.Hour, "hour": time.Hour, "hours": time.Hour, "m": time.Minute, "minute": time.Minute,
			"minutes": time.Minute, "s": time.Second, "second": time.Second, "seconds": time.Second, "ms": time.Millisecond}[m[2]]
		return time.Duration(f * float64(unit)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a timespan (want e.g. 7d, 12h, 30m)", s)
	}
	return d, nil
}

// toTime accepts a time.Time, an ISO 8601 string or date, a relative
// offset ("-1d", "-12h", "now") or a number of days from now (MSTICPy's
// integer defaults such as -2).
func toTime(raw any, now time.Time) (time.Time, error) {
	switch x := raw.(type) {
	case time.Time:
		return x.UTC(), nil
	case int:
		return now.Add(time.Duration(x) * 24 * time.Hour), nil
	case int64:
		return now.Add(time.Duration(x) * 24 * time.Hour), nil
	case float64:
		return now.Add(time.Duration(x * float64(24*time.Hour))), nil
	case string:
		s := strings.TrimSpace(x)
		if strings.EqualFold(s, "now") {
			return now, nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
		if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
			if d, err := parseSpan(strings.TrimPrefix(s, "+")); err == nil {
				return now.Add(d), nil
			}
		}
		return time.Time{}, fmt.Errorf("%q is not a datetime (want ISO 8601, a date, or an offset such as -1d)", x)
	}
	return time.Time{}, fmt.Errorf("%v (%T) is not a datetime", raw, raw)
}

// toList accepts []string, []any, []int... or a comma-separated string;
// items keep their Go type (numbers stay numbers).
func toList(raw any) ([]types.Value, error) {
	var items []any
	switch x := raw.(type) {
	case []string:
		for _, s := range x {
			items = append(items, s)
		}
	case []any:
		items = x
	case []int:
		for _, n := range x {
			items = append(items, n)
		}
	case string:
		for _, s := range strings.Split(x, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
	case nil:
	default:
		return nil, fmt.Errorf("%v (%T) is not a list", raw, raw)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("list is empty (KQL's in () needs at least one value)")
	}
	out := make([]types.Value, len(items))
	for i, it := range items {
		switch x := it.(type) {
		case string:
			out[i] = types.NewString(x)
		case int:
			out[i] = types.NewLong(int64(x))
		case int64:
			out[i] = types.NewLong(x)
		case float64:
			out[i] = types.NewReal(x)
		case bool:
			out[i] = types.NewBool(x)
		default:
			out[i] = types.NewString(fmt.Sprint(x))
		}
	}
	return out, nil
}

// checkFragment accepts user KQL for fragment parameters only when it is
// a run of pipe operators: it starts with |, its strings and brackets are
// closed, and it has no statement separator or comment that could swallow
// or end the rest of the query.
func checkFragment(s string) error {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil
	}
	if !validUTF8(t) {
		return fmt.Errorf("value is not valid UTF-8")
	}
	if !strings.HasPrefix(t, "|") {
		return fmt.Errorf("a query fragment must start with |")
	}
	var lx lexState
	depth := 0
	for i := 0; i < len(t); i++ {
		prev := lx.state
		lx.feed(t[i : i+1])
		if prev != normal || lx.state != normal {
			if lx.state == inComment {
				return fmt.Errorf("a query fragment cannot hold a // comment")
			}
			continue
		}
		switch t[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth < 0 {
				return fmt.Errorf("unbalanced %q at offset %d", t[i], i)
			}
		case ';':
			return fmt.Errorf("a query fragment cannot hold ; (a statement separator)")
		}
	}
	if lx.state != normal {
		return fmt.Errorf("a string literal is not closed")
	}
	if depth != 0 {
		return fmt.Errorf("brackets are not balanced")
	}
	return nil
}

// lexState follows just enough KQL lexing to know whether the next byte
// is code, inside a quoted, verbatim or multi-line string, or a comment.
type lexState struct {
	state   int
	quote   byte
	escaped bool
	prev    byte // the previous byte in normal state (for @ and /)
	ticks   int  // run of ` or ~ seen in normal state
	fence   byte
	closing int
}

const (
	normal = iota
	inQuoted
	inVerbatim
	inFenced
	inComment
)

func (l *lexState) feed(s string) {
	for i := 0; i < len(s); i++ {
		l.step(s[i])
	}
}

func (l *lexState) step(c byte) {
	switch l.state {
	case inComment:
		if c == '\n' {
			l.state = normal
		}
	case inQuoted:
		switch {
		case l.escaped:
			l.escaped = false
		case c == '\\':
			l.escaped = true
		case c == l.quote || c == '\n':
			l.state = normal
		}
	case inVerbatim:
		// A doubled quote re-enters the string at once, so it needs no
		// special case.
		if c == l.quote || c == '\n' {
			l.state = normal
		}
	case inFenced:
		if c == l.fence {
			l.closing++
			if l.closing == 3 {
				l.state = normal
			}
		} else {
			l.closing = 0
		}
	default:
		switch {
		case (c == '`' || c == '~') && (l.ticks == 0 || l.fence == c):
			l.fence = c
			l.ticks++
			if l.ticks == 3 {
				l.state, l.ticks, l.closing = inFenced, 0, 0
			}
			l.prev = c
			return
		case c == '\'' || c == '"':
			if l.prev == '@' {
				l.state = inVerbatim
			} else {
				l.state = inQuoted
			}
			l.quote = c
		case c == '/' && l.prev == '/':
			l.state = inComment
		}
		l.ticks = 0
		l.prev = c
		if l.state != normal {
			l.prev = 0
		}
	}
}
