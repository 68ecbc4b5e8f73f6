package signinlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/huntbook/huntbook/internal/exportfile"
	"github.com/huntbook/huntbook/kql/types"
)

// readJSON reads the JSON shapes: an array of signIn objects (the portal's
// JSON download, ConvertTo-Json), a Graph list page {"value": [...]},
// diagnostic records {"records": [...]}, one signIn object, several of
// these one after another, or JSON lines. Arrays are streamed element by
// element, so a download of a hundred thousand sign-ins is never held
// twice.
func (im *Import) readJSON(data []byte, name string) error {
	lc := &lineCounter{data: data, line: 1}
	start := skipSpace(data, 0)
	if jsonLines(data, start) {
		return im.readJSONLines(data, name)
	}
	fail := func(err error) error {
		if se, ok := err.(*syntaxError); ok {
			off := se.off
			if se.eof {
				off = len(bytes.TrimRight(data, " \t\r\n")) // the last line
			}
			msg := se.msg
			if se.eof {
				msg = "the file ends inside a value (cut short?)"
			}
			return fmt.Errorf("%s:%d: not valid JSON: %s", name, lc.at(off), msg)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	truncated := false
	for i := start; i < len(data); i = skipSpace(data, i) {
		line := lc.at(i)
		switch data[i] {
		case '[':
			next, err := im.parseList(data, i, lc, name, "", &truncated)
			if err != nil {
				return fail(err)
			}
			i = next
		case '{':
			// A Graph page's value or a diagnostic export's records are
			// read element by element; any other object is one sign-in.
			b := types.NewBagCap(8)
			list := ""
			i = skipSpace(data, i+1)
			for i < len(data) && data[i] != '}' {
				if data[i] != '"' {
					return fail(jsonErr(data, i, "a property name"))
				}
				key, next, err := parseString(data, i)
				if err != nil {
					return fail(err)
				}
				i = skipSpace(data, next)
				if i >= len(data) || data[i] != ':' {
					return fail(jsonErr(data, i, "':' after a property name"))
				}
				i = skipSpace(data, i+1)
				if (key == "value" || key == "records") && list == "" && i < len(data) && data[i] == '[' {
					list = key
					next, err = im.parseList(data, i, lc, name, key, &truncated)
				} else {
					var v any
					v, next, err = parseValue(data, i, 1)
					b.Set(key, v)
				}
				if err != nil {
					return fail(err)
				}
				i = skipSpace(data, next)
				if i < len(data) && data[i] == ',' {
					i = skipSpace(data, i+1)
				} else if i >= len(data) || data[i] != '}' {
					return fail(jsonErr(data, i, "',' or '}'"))
				}
			}
			if i >= len(data) {
				return fail(jsonErr(data, i, "'}'"))
			}
			i++
			if list == "" {
				im.signIn(b, name, line, "", &truncated)
			} else if b.Prop("@odata.nextLink") != nil {
				im.Notes = append(im.Notes, fmt.Sprintf("%s:%d: a Graph page with more after it (@odata.nextLink): "+
					"save every page (follow @odata.nextLink) and import them together", name, line))
			}
		default:
			return fmt.Errorf("%s:%d: not JSON: want an array of sign-ins, a Graph page {\"value\": [...]} or one object per line", name, line)
		}
	}
	if truncated {
		im.Notes = append(im.Notes, name+": nested objects were written as .NET type names "+
			"(Microsoft.Graph.PowerShell.Models...): ConvertTo-Json stops at depth 2 unless told; "+
			"export again with ConvertTo-Json -Depth 10 to keep status, location and deviceDetail")
	}
	return nil
}

// parseList reads the array at data[i] element by element, each as one
// sign-in named key[n], and returns the offset after it.
func (im *Import) parseList(data []byte, i int, lc *lineCounter, name, key string, truncated *bool) (int, error) {
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return i + 1, nil
	}
	for n := 0; ; n++ {
		i = skipSpace(data, i)
		v, next, err := parseValue(data, i, 1)
		if err != nil {
			return next, err
		}
		im.signIn(v, name, lc.at(i), fmt.Sprintf("%s[%d]", key, n), truncated)
		i = skipSpace(data, next)
		if i < len(data) && data[i] == ',' {
			i++
			continue
		}
		if i < len(data) && data[i] == ']' {
			return i + 1, nil
		}
		return i, jsonErr(data, i, "',' or ']'")
	}
}

// jsonLines reports whether data is JSON lines: its first value is an
// object that ends on its first line, and another object starts after it.
func jsonLines(data []byte, start int) bool {
	if start >= len(data) || data[start] != '{' {
		return false
	}
	nl := bytes.IndexByte(data[start:], '\n')
	if nl < 0 {
		return false
	}
	first := bytes.TrimSpace(data[start : start+nl])
	next := skipSpace(data, start+nl)
	return json.Valid(first) && next < len(data) && data[next] == '{'
}

// readJSONLines reads one JSON value a line; a line that is not JSON is
// skipped and reported, and the lines after it are still read.
func (im *Import) readJSONLines(data []byte, name string) error {
	truncated := false
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		v, end, err := parseValue(line, 0, 0)
		if err == nil && skipSpace(line, end) < len(line) {
			err = jsonErr(line, skipSpace(line, end), "the end of the line")
		}
		if se, ok := err.(*syntaxError); ok && se.eof {
			err = fmt.Errorf("the line ends inside a value")
		}
		if err != nil {
			im.skip(name, n+1, "", fmt.Sprintf("not valid JSON (%v): %s", err, exportfile.Clip(string(line))))
			continue
		}
		// A line may hold a whole Graph page or an array.
		switch x := v.(type) {
		case []any:
			for i, e := range x {
				im.signIn(e, name, n+1, fmt.Sprintf("[%d]", i), &truncated)
			}
			continue
		case *types.Bag:
			if list, key := pageList(x); list != nil {
				for i, e := range list {
					im.signIn(e, name, n+1, fmt.Sprintf("%s[%d]", key, i), &truncated)
				}
				continue
			}
		}
		im.signIn(v, name, n+1, "", &truncated)
	}
	if truncated {
		im.Notes = append(im.Notes, name+": nested objects were written as .NET type names: export again with ConvertTo-Json -Depth 10")
	}
	return nil
}

// pageList is a Graph page's value array or a diagnostic export's records.
func pageList(b *types.Bag) ([]any, string) {
	for _, k := range []string{"value", "records"} {
		if l, ok := b.Prop(k).([]any); ok {
			return l, k
		}
	}
	return nil, ""
}

// signIn turns one JSON value into a sign-in, or says why it cannot be one.
func (im *Import) signIn(v any, name string, line int, where string, truncated *bool) {
	b, ok := v.(*types.Bag)
	if !ok {
		im.skip(name, line, where, "not a JSON object: "+exportfile.Clip(types.DynamicJSON(v)))
		return
	}
	s := SignIn{File: name, Line: line, Where: where, Interactive: !nonInteractiveName(name)}
	var recTime any
	// An Azure Monitor diagnostic record (storage account or event hub
	// archive): the signIn is under properties.
	if p, ok := prop(b, "properties").(*types.Bag); ok && (prop(b, "category") != nil || prop(b, "operationName") != nil) {
		s.Tenant = exportfile.Text(prop(b, "tenantId"))
		switch cat := exportfile.Text(prop(b, "category")); strings.ToLower(cat) {
		case "noninteractiveusersigninlogs":
			s.Interactive = false
		case "signinlogs", "":
			s.Interactive = true
		default:
			im.skip(name, line, where, fmt.Sprintf("a %s record, not a user sign-in: only SignInLogs and NonInteractiveUserSignInLogs are imported", cat))
			return
		}
		recTime = prop(b, "time")
		b = p
	}
	data := normalize(b, truncated)
	// Service principal and managed identity sign-ins (Graph beta's
	// signInEventTypes) belong to other tables.
	if kinds, ok := data.Prop("signInEventTypes").([]any); ok {
		for _, t := range kinds {
			switch exportfile.Text(t) {
			case "servicePrincipal", "managedIdentity":
				im.skip(name, line, where, fmt.Sprintf("a %s sign-in: only user sign-ins are imported", exportfile.Text(t)))
				return
			case "nonInteractiveUser":
				s.Interactive = false
			case "interactiveUser":
				s.Interactive = true
			}
		}
	}
	ct := data.Prop("createdDateTime")
	if ct == nil {
		ct = recTime
	}
	if ct == nil {
		im.skip(name, line, where, "no createdDateTime: the sign-in has no time")
		return
	}
	ticks, ok := parseTime(ct)
	if !ok {
		im.skip(name, line, where, fmt.Sprintf("createdDateTime %s is not a datetime", exportfile.Clip(exportfile.Text(ct))))
		return
	}
	s.Time, s.Data = ticks, data
	s.ID = exportfile.Text(data.Prop("id"))
	if ia, ok := toBool(data.Prop("isInteractive")); ok {
		s.Interactive = ia
	}
	im.add(s)
}

// prop is b's property k in any case (PowerShell writes PascalCase).
func prop(b *types.Bag, k string) any {
	if v, ok := b.Get(k); ok {
		return v
	}
	for i, key := range b.Keys {
		if strings.EqualFold(key, k) {
			return b.Value(i)
		}
	}
	return nil
}

// normalize copies a signIn object with Graph's camelCase names at every
// level: PowerShell's PascalCase ones lowered (IPAddress becomes
// ipAddress), its AdditionalProperties folded into their object, and
// Graph's @odata annotations dropped. Values ConvertTo-Json wrote as a
// type name (it stops at depth 2) are dropped and flagged in truncated.
func normalize(b *types.Bag, truncated *bool) *types.Bag {
	out := types.NewBagCap(b.Len())
	var extra *types.Bag
	for i, k := range b.Keys {
		if strings.HasPrefix(k, "@odata.") {
			continue
		}
		v := normalizeValue(b.Value(i), truncated)
		key := lowerKey(k)
		if key == "additionalProperties" {
			extra, _ = v.(*types.Bag)
			continue
		}
		out.Set(key, v)
	}
	if extra != nil {
		for i, k := range extra.Keys {
			if _, ok := out.Get(k); !ok {
				out.Set(k, extra.Value(i))
			}
		}
	}
	return out
}

func normalizeValue(v any, truncated *bool) any {
	switch x := v.(type) {
	case *types.Bag:
		return normalize(x, truncated)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeValue(e, truncated)
		}
		return out
	case string:
		if strings.HasPrefix(x, "Microsoft.Graph.PowerShell.Models.") {
			*truncated = true
			return nil
		}
	}
	return v
}

// lowerKey turns a PascalCase name into camelCase: ErrorCode is
// errorCode, IPAddress ipAddress, ID id; camelCase names stay as they are.
func lowerKey(k string) string {
	n := 0
	for n < len(k) && k[n] >= 'A' && k[n] <= 'Z' {
		n++
	}
	switch {
	case n == 0:
		return k
	case n == len(k):
		return strings.ToLower(k)
	case n > 1:
		n-- // the last capital starts the next word
	}
	return strings.ToLower(k[:n]) + k[n:]
}

// lineCounter turns byte offsets into line numbers, counting forward from
// the last offset asked (offsets mostly come in order).
type lineCounter struct {
	data []byte
	pos  int
	line int
}

func (c *lineCounter) at(off int) int {
	off = min(off, len(c.data))
	if off < c.pos {
		c.pos, c.line = 0, 1
	}
	c.line += bytes.Count(c.data[c.pos:off], []byte("\n"))
	c.pos = off
	return c.line
}
