package msticconfig

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// checker walks the YAML node tree and collects findings. Every helper takes
// the key path so findings can name it; values of sensitive keys are never
// quoted in messages.
type checker struct {
	file     string
	findings []Finding
}

func (c *checker) add(sev Severity, n *yaml.Node, path, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	c.findings = append(c.findings, Finding{File: c.file, Line: line, Severity: sev, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) errorf(n *yaml.Node, path, format string, args ...any) {
	c.add(Error, n, path, format, args...)
}

func (c *checker) warnf(n *yaml.Node, path, format string, args ...any) {
	c.add(Warning, n, path, format, args...)
}

// join appends a key to a dotted path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// deref follows YAML aliases (*anchor) to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// isNull reports an absent or null value (`Key:` with nothing after it).
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// kindName names a node's shape for type errors.
func kindName(n *yaml.Node) string {
	n = deref(n)
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.ShortTag() == "!!null":
		return "empty"
	case n.ShortTag() == "!!bool":
		return "a boolean"
	case n.ShortTag() == "!!int", n.ShortTag() == "!!float":
		return "a number"
	default:
		return "a string"
	}
}

// entry is one key/value pair of a mapping.
type entry struct {
	Key   string
	KeyN  *yaml.Node
	Value *yaml.Node // aliases already followed
}

// entries returns the pairs of a mapping node, expanding YAML merge keys
// (`<<: *anchor`) the way PyYAML does (explicit keys win) and reporting
// repeated keys, which PyYAML silently resolves to the last one.
func (c *checker) entries(n *yaml.Node, path string) []entry {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []entry
	seen := map[string]*yaml.Node{}
	var merged []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Style == 0 {
			srcs := []*yaml.Node{v}
			if v != nil && v.Kind == yaml.SequenceNode {
				srcs = v.Content
			}
			for _, s := range srcs {
				s = deref(s)
				if s == nil || s.Kind != yaml.MappingNode {
					c.errorf(k, path, "merge key << must name a mapping, not %s", kindName(s))
					continue
				}
				merged = append(merged, c.entries(s, path)...)
			}
			continue
		}
		key := k.Value
		if first, dup := seen[key]; dup {
			c.errorf(k, join(path, key), "key repeated (first at line %d); MSTICPy would silently use the last one", first.Line)
			// keep the last value, as PyYAML does
			for j := range out {
				if out[j].Key == key {
					out[j] = entry{key, k, v}
				}
			}
			continue
		}
		seen[key] = k
		out = append(out, entry{key, k, v})
	}
	for _, m := range merged {
		if _, ok := seen[m.Key]; !ok {
			seen[m.Key] = m.KeyN
			out = append(out, m)
		}
	}
	return out
}

// mapping checks that n is a mapping (null counts as an empty one when
// allowNull) and returns its entries.
func (c *checker) mapping(n *yaml.Node, path string, allowNull bool) ([]entry, bool) {
	d := deref(n)
	if isNull(d) {
		if allowNull {
			return nil, true
		}
		c.errorf(n, path, "must be a mapping, not empty")
		return nil, false
	}
	if d.Kind != yaml.MappingNode {
		c.errorf(n, path, "must be a mapping, not %s", kindName(d))
		return nil, false
	}
	return c.entries(d, path), true
}

// fields dispatches the entries of a fixed-schema mapping to handlers by
// key and warns about keys it does not know (they are kept on round trip).
func (c *checker) fields(es []entry, path string, handlers map[string]func(e entry)) {
	for _, e := range es {
		if h, ok := handlers[e.Key]; ok {
			h(e)
			continue
		}
		c.unknown(e, path, handlers)
	}
}

func (c *checker) unknown(e entry, path string, known map[string]func(e entry)) {
	for k := range known {
		if strings.EqualFold(k, e.Key) {
			c.warnf(e.KeyN, join(path, e.Key), "unknown key (kept); settings are case sensitive, did you mean %s?", k)
			return
		}
	}
	c.warnf(e.KeyN, join(path, e.Key), "unknown key (kept)")
}

// lookup returns the entry for key, if present.
func lookup(es []entry, key string) (entry, bool) {
	for _, e := range es {
		if e.Key == key {
			return e, true
		}
	}
	return entry{}, false
}

// str reads a scalar as text. Numbers and booleans are accepted as their
// text (PyYAML hands MSTICPy an int for `ClientId: 1234` and MSTICPy
// stringifies it); mappings and lists are errors. Sensitive values are
// never quoted in messages, so str itself never quotes.
func (c *checker) str(n *yaml.Node, path string) (string, bool) {
	d := deref(n)
	if d == nil || d.Kind != yaml.ScalarNode {
		c.errorf(n, path, "must be a string, not %s", kindName(d))
		return "", false
	}
	if d.ShortTag() == "!!null" {
		return "", true
	}
	return d.Value, true
}

// requiredStr is str that also rejects an empty value.
func (c *checker) requiredStr(n *yaml.Node, path string) (string, bool) {
	s, ok := c.str(n, path)
	if ok && strings.TrimSpace(s) == "" {
		c.errorf(n, path, "must not be empty")
		return "", false
	}
	return s, ok
}

// pyBools are the plain scalars PyYAML (YAML 1.1), which MSTICPy uses,
// reads as booleans.
var pyBools = map[string]bool{
	"true": true, "True": true, "TRUE": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
	"false": false, "False": false, "FALSE": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
}

// boolean reads a YAML 1.1 boolean. A quoted "false" is a non-empty string
// to PyYAML and so counts as true in MSTICPy: report it.
func (c *checker) boolean(n *yaml.Node, path string) (bool, bool) {
	d := deref(n)
	if d == nil || d.Kind != yaml.ScalarNode || d.ShortTag() == "!!null" {
		c.errorf(n, path, "must be true or false, not %s", kindName(d))
		return false, false
	}
	v, ok := pyBools[d.Value]
	if !ok || d.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		if ok {
			c.errorf(n, path, "must be true or false, not the quoted string %q (MSTICPy reads any non-empty string as true)", d.Value)
		} else {
			c.errorf(n, path, "must be true or false, not %q", d.Value)
		}
		return false, false
	}
	return v, true
}

// strList reads a list of strings; a null value is an empty list.
func (c *checker) strList(n *yaml.Node, path string) ([]string, bool) {
	d := deref(n)
	if isNull(d) {
		return nil, true
	}
	if d.Kind != yaml.SequenceNode {
		c.errorf(n, path, "must be a list of strings, not %s", kindName(d))
		return nil, false
	}
	out := make([]string, 0, len(d.Content))
	ok := true
	for i, item := range d.Content {
		s, good := c.str(item, fmt.Sprintf("%s[%d]", path, i))
		if !good {
			ok = false
			continue
		}
		out = append(out, s)
	}
	return out, ok
}

var guidRE = regexp.MustCompile(`^[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$`)

// IsGUID reports whether s has the 8-4-4-4-12 hex form MSTICPy requires of
// workspace, tenant, subscription and client IDs.
func IsGUID(s string) bool { return guidRE.MatchString(s) }

// guid reads a GUID-valued scalar; empty is allowed unless required.
func (c *checker) guid(n *yaml.Node, path string, required bool) (string, bool) {
	s, ok := c.str(n, path)
	if !ok {
		return "", false
	}
	if s == "" {
		if required {
			c.errorf(n, path, "must be a GUID, not empty")
			return "", false
		}
		return "", true
	}
	if !IsGUID(s) {
		c.errorf(n, path, "%q is not a GUID", s)
		return s, false
	}
	return s, true
}
