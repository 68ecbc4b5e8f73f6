package notebooks

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/types"
)

// A parameters cell in a KQL notebook is a list of let statements with
// literal defaults, one per line:
//
//	let user = "alice@contoso.com";   // who to look at
//	let lookback = 14d;
//
// The defaults' types decide how values given on the command line are read.

var letLine = regexp.MustCompile(`^\s*let\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*;\s*(//.*)?$`)

// Param is one declared parameter.
type Param struct {
	Name    string
	Default types.Value
	Comment string
}

// ParseParameters reads the let statements of a parameters cell.
func ParseParameters(src string) ([]Param, error) {
	var ps []Param
	for i, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "//") {
			continue
		}
		m := letLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("parameters cell line %d: want `let name = literal;`, got %q", i+1, t)
		}
		e, err := parser.ParseExpr(m[2])
		if err != nil {
			return nil, fmt.Errorf("parameters cell line %d: %s: %v", i+1, m[1], err)
		}
		lit, ok := e.(*ast.Lit)
		if !ok {
			return nil, fmt.Errorf("parameters cell line %d: %s: default must be a literal, got %q", i+1, m[1], m[2])
		}
		ps = append(ps, Param{Name: m[1], Default: lit.Value, Comment: strings.TrimSpace(strings.TrimPrefix(m[3], "//"))})
	}
	return ps, nil
}

// Convert reads a user-given value (text from -p, or a YAML scalar) as the
// type of the parameter's default. Text for a string parameter is taken
// as is; for other types it may also be a KQL literal (datetime(...), 7d).
func Convert(p Param, raw any) (types.Value, error) {
	t := p.Default.Type
	if t == types.Dynamic {
		if _, isText := raw.(string); !isText {
			// A YAML list or mapping (or number) is the dynamic value itself.
			b, err := json.Marshal(jsonable(raw))
			if err != nil {
				return types.Value{}, fmt.Errorf("parameter %s: %v", p.Name, err)
			}
			raw = string(b)
		}
	}
	s, err := scalarText(raw)
	if err != nil {
		return types.Value{}, fmt.Errorf("parameter %s: %v, not a %s (the default is %s)", p.Name, err, t, p.Default.Literal())
	}
	bad := func() (types.Value, error) {
		return types.Value{}, fmt.Errorf("parameter %s: %q is not a %s (the default is %s)", p.Name, s, t, p.Default.Literal())
	}
	switch t {
	case types.String:
		return types.NewString(s), nil
	case types.Bool:
		switch strings.ToLower(s) {
		case "true", "1", "yes":
			return types.NewBool(true), nil
		case "false", "0", "no":
			return types.NewBool(false), nil
		}
		return bad()
	case types.Int, types.Long:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return bad()
		}
		if t == types.Int {
			return types.NewInt(n), nil
		}
		return types.NewLong(n), nil
	case types.Real, types.Decimal:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return bad()
		}
		return types.Value{Type: t, Valid: true, F: f}, nil
	case types.DateTime:
		if v, ok := litOf(s, t); ok {
			return v, nil
		}
		if ticks, ok := parser.ParseDateTime(strings.TrimSpace(s)); ok {
			return types.NewDateTime(ticks), nil
		}
		return bad()
	case types.TimeSpan:
		if v, ok := litOf(s, t); ok {
			return v, nil
		}
		if ticks, ok := parser.ParseTimeSpan(strings.TrimSpace(s)); ok {
			return types.NewTimeSpan(ticks), nil
		}
		return bad()
	case types.GUID:
		if v, ok := litOf("guid("+s+")", t); ok {
			return v, nil
		}
		return bad()
	case types.Dynamic:
		d, err := types.ParseJSON(s)
		if err != nil {
			return bad()
		}
		return types.NewDynamic(d), nil
	}
	return bad()
}

// scalarText is the text of a value from -p or a YAML parameters file.
// YAML reads 2024-01-31 as a timestamp, written back in KQL's form; lists,
// mappings and null are no scalar (fmt would print "map[...]" or "<nil>").
func scalarText(raw any) (string, error) {
	switch v := raw.(type) {
	case nil:
		return "", fmt.Errorf("the value is null")
	case string:
		return v, nil
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano), nil
	case []any:
		return "", fmt.Errorf("the value is a list")
	case map[string]any, map[any]any:
		return "", fmt.Errorf("the value is a mapping")
	}
	return fmt.Sprint(raw), nil
}

// jsonable turns YAML's decoded values into what encoding/json writes.
func jsonable(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonable(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	}
	return v
}

// litOf parses s as a KQL literal of type t.
func litOf(s string, t types.Type) (types.Value, bool) {
	e, err := parser.ParseExpr(s)
	if err != nil {
		return types.Value{}, false
	}
	lit, ok := e.(*ast.Lit)
	if !ok || lit.Value.Type != t {
		return types.Value{}, false
	}
	return lit.Value, true
}

// infer types a value for a parameter the notebook does not declare, as
// papermill does for -p: numbers, booleans, then strings.
func infer(name string, raw any) Param {
	switch v := raw.(type) {
	case bool:
		return Param{Name: name, Default: types.NewBool(v)}
	case int:
		return Param{Name: name, Default: types.NewLong(int64(v))}
	case int64:
		return Param{Name: name, Default: types.NewLong(v)}
	case float64:
		return Param{Name: name, Default: types.NewReal(v)}
	case time.Time:
		return Param{Name: name, Default: types.NewDateTime(0)}
	case []any, map[string]any, map[any]any:
		return Param{Name: name, Default: types.NewDynamic(nil)}
	}
	s := fmt.Sprint(raw)
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Param{Name: name, Default: types.NewLong(0)}
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return Param{Name: name, Default: types.NewReal(0)}
	}
	if s == "true" || s == "false" {
		return Param{Name: name, Default: types.NewBool(false)}
	}
	return Param{Name: name, Default: types.NewString("")}
}

// InjectedSource builds the injected-parameters cell: one let per value, in
// name order, each a literal of the declared type. Unknown names are
// returned as warnings, as papermill warns.
func InjectedSource(declared []Param, values map[string]any) (string, []string, error) {
	byName := map[string]Param{}
	for _, p := range declared {
		byName[p.Name] = p
	}
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	var warnings []string
	b.WriteString("// Parameters\n")
	for _, n := range names {
		if !regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`).MatchString(n) {
			return "", nil, fmt.Errorf("parameter name %q is not a KQL identifier", n)
		}
		p, ok := byName[n]
		if !ok {
			warnings = append(warnings, fmt.Sprintf("parameter %s is not declared in the notebook's parameters cell", n))
			p = infer(n, values[n])
		}
		v, err := Convert(p, values[n])
		if err != nil {
			return "", nil, err
		}
		fmt.Fprintf(&b, "let %s = %s;\n", n, v.Literal())
	}
	return strings.TrimSuffix(b.String(), "\n"), warnings, nil
}
