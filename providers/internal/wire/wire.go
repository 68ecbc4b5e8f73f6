// Package wire converts between the JSON cells of the Log Analytics query
// API and the Kusto v2 REST API and kql/table columns, exactly: longs keep
// all 64 bits, datetimes and timespans become ticks, dynamic values keep
// their key order. The fake servers of sentineltest and kustotest use the
// encoding direction, so both sides agree on one definition.
package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/exec"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Dialect tells the services' encodings apart where they differ.
type Dialect int

const (
	// LogAnalytics sends dynamic values as strings holding JSON.
	LogAnalytics Dialect = iota
	// Kusto sends dynamic values as JSON.
	Kusto
)

// ParseType maps a wire column type name (string, int, long, real, bool,
// datetime, timespan, guid, dynamic, decimal and their .NET spellings) to
// a Type.
func ParseType(name string) (types.Type, error) {
	t, ok := types.Parse(name)
	if !ok {
		return types.Null, fmt.Errorf("unknown column type %q", name)
	}
	return t, nil
}

// AppendCell decodes one JSON cell into column c.
func AppendCell(c *table.Column, raw json.RawMessage, d Dialect) error {
	v, err := Cell(c.Type, raw, d)
	if err != nil {
		return err
	}
	c.Append(v)
	return nil
}

// Cell decodes one JSON cell of type t.
func Cell(t types.Type, raw json.RawMessage, d Dialect) (types.Value, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		if t == types.String {
			return types.NewString(""), nil
		}
		return types.NullOf(t), nil
	}
	var s string
	isStr := raw[0] == '"'
	if isStr {
		if err := json.Unmarshal(raw, &s); err != nil {
			return types.Value{}, fmt.Errorf("bad JSON string %s", clip(raw))
		}
	}
	bad := func(what string) (types.Value, error) {
		return types.Value{}, fmt.Errorf("%s is not a valid %s", clip(raw), what)
	}
	switch t {
	case types.String:
		if isStr {
			return types.NewString(s), nil
		}
		return types.NewString(string(raw)), nil
	case types.Bool:
		switch {
		case string(raw) == "true" || (isStr && strings.EqualFold(s, "true")) || string(raw) == "1":
			return types.NewBool(true), nil
		case string(raw) == "false" || (isStr && strings.EqualFold(s, "false")) || string(raw) == "0":
			return types.NewBool(false), nil
		}
		return bad("bool")
	case types.Int, types.Long:
		txt := string(raw)
		if isStr {
			txt = s
		}
		i, err := strconv.ParseInt(txt, 10, 64)
		if err != nil {
			// 1.0 or 1e3 from a serializer that writes integers as floats.
			f, ferr := strconv.ParseFloat(txt, 64)
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<63 {
				return bad(t.String())
			}
			i = int64(f)
		}
		if t == types.Int {
			if i < math.MinInt32 || i > math.MaxInt32 {
				return bad("int (out of 32-bit range)")
			}
			return types.NewInt(i), nil
		}
		return types.NewLong(i), nil
	case types.Real, types.Decimal:
		txt := string(raw)
		if isStr {
			txt = s
		}
		f, err := parseReal(txt)
		if err != nil {
			return bad(t.String())
		}
		if t == types.Decimal {
			return types.NewDecimal(f), nil
		}
		return types.NewReal(f), nil
	case types.DateTime:
		if !isStr {
			return bad("datetime")
		}
		ticks, err := ParseDateTime(s)
		if err != nil {
			return bad("datetime")
		}
		return types.NewDateTime(ticks), nil
	case types.TimeSpan:
		if !isStr {
			return bad("timespan")
		}
		ticks, err := ParseTimeSpan(s)
		if err != nil {
			return bad("timespan")
		}
		return types.NewTimeSpan(ticks), nil
	case types.GUID:
		if isStr && s == "" {
			return types.NullOf(types.GUID), nil // an empty guid is a null one
		}
		if !isStr || !isGUID(s) {
			return bad("guid")
		}
		return types.NewGUID(s), nil
	case types.Dynamic:
		if isStr && d == LogAnalytics {
			// Log Analytics sends dynamic cells as JSON text; a string
			// that is not JSON is a dynamic string.
			if v, err := types.ParseJSON(s); err == nil && s != "" {
				return types.NewDynamic(v), nil
			}
			return types.NewDynamic(s), nil
		}
		v, err := types.ParseJSON(string(raw))
		if err != nil {
			return bad("dynamic (JSON)")
		}
		return types.NewDynamic(v), nil
	}
	return types.Value{}, fmt.Errorf("unsupported column type %s", t)
}

func parseReal(s string) (float64, error) {
	switch s {
	case "NaN":
		return math.NaN(), nil
	case "Infinity", "+Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	return strconv.ParseFloat(s, 64)
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

func clip(raw []byte) string {
	if len(raw) > 60 {
		return string(raw[:57]) + "..."
	}
	return string(raw)
}

// ParseDateTime parses an ISO 8601 instant as the services send it
// (2024-01-02T03:04:05.1234567Z, fraction optional, offset allowed) into
// ticks since the Unix epoch, keeping all 7 fractional digits.
func ParseDateTime(s string) (int64, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// Some serializers omit the zone: the services mean UTC.
		var err2 error
		t, err2 = time.Parse("2006-01-02T15:04:05.999999999", s)
		if err2 != nil {
			return 0, err
		}
	}
	return types.TimeToTicks(t), nil
}

// ParseTimeSpan parses the .NET constant timespan format the services
// send: [-][d.]hh:mm:ss[.fffffff].
func ParseTimeSpan(s string) (int64, error) {
	orig := s
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days int64
	hms := s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		if j := strings.IndexByte(s[:i], '.'); j >= 0 {
			d, err := strconv.ParseInt(s[:j], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("bad timespan %q", orig)
			}
			days, hms = d, s[j+1:]
		}
	} else {
		return 0, fmt.Errorf("bad timespan %q", orig)
	}
	parts := strings.Split(hms, ":")
	if len(parts) != 3 {
		return 0, fmt.Errorf("bad timespan %q", orig)
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	secPart, frac, _ := strings.Cut(parts[2], ".")
	sec, err3 := strconv.ParseInt(secPart, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || m > 59 || sec > 59 || len(frac) > 7 {
		return 0, fmt.Errorf("bad timespan %q", orig)
	}
	var f int64
	if frac != "" {
		fv, err := strconv.ParseInt(frac+strings.Repeat("0", 7-len(frac)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("bad timespan %q", orig)
		}
		f = fv
	}
	ticks := days*types.Day + h*types.Hour + m*types.Minute + sec*types.Second + f
	if neg {
		ticks = -ticks
	}
	return ticks, nil
}

// EncodeCell renders row i of column c as the service sends it.
func EncodeCell(c *table.Column, i int, d Dialect) json.RawMessage {
	v := c.Value(i)
	if v.IsNull() {
		return json.RawMessage("null")
	}
	q := func(s string) json.RawMessage { b, _ := json.Marshal(s); return b }
	switch c.Type {
	case types.Bool:
		if v.Bool() {
			return json.RawMessage("true")
		}
		return json.RawMessage("false")
	case types.Int, types.Long:
		return json.RawMessage(strconv.FormatInt(v.I, 10))
	case types.Real:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			return q(types.FormatReal(v.F))
		}
		return json.RawMessage(strconv.FormatFloat(v.F, 'g', -1, 64))
	case types.Decimal:
		return q(types.FormatReal(v.F))
	case types.String, types.GUID:
		return q(v.S)
	case types.DateTime:
		return q(formatDateTime7(v.I))
	case types.TimeSpan:
		return q(types.FormatTimeSpan(v.I))
	case types.Dynamic:
		js := types.DynamicJSON(v.D)
		if d == LogAnalytics {
			return q(js)
		}
		return json.RawMessage(js)
	}
	return json.RawMessage("null")
}

// formatDateTime7 writes the 7 fractional digits the services always send.
func formatDateTime7(ticks int64) string {
	frac := ticks % types.Second
	if frac < 0 {
		frac += types.Second
	}
	return types.TicksToTime(ticks).Format("2006-01-02T15:04:05") + "." + strconv.FormatInt(frac+types.Second, 10)[1:] + "Z"
}

// Render maps a service's visualization object (Log Analytics "render",
// Kusto @ExtendedProperties Visualization) to the executor's Render. Keys
// are matched case-insensitively; unset and default properties (null,
// false, NaN, empty) are left out so a remote render equals the one the
// embedded engine builds from the same query text. Nil when there is no
// visualization or it is "table" with no properties.
func Render(v any) *exec.Render {
	bag, ok := v.(*types.Bag)
	if !ok {
		if s, isStr := v.(string); isStr {
			parsed, err := types.ParseJSON(s)
			if err != nil {
				return nil
			}
			bag, ok = parsed.(*types.Bag)
		}
		if !ok {
			return nil
		}
	}
	r := &exec.Render{Props: map[string]any{}}
	for i, k := range bag.Keys {
		val := bag.Value(i)
		key := strings.ToLower(k)
		if key == "visualization" {
			r.Kind, _ = val.(string)
			continue
		}
		switch x := val.(type) {
		case nil:
			continue
		case bool:
			if !x {
				continue
			}
		case float64:
			if math.IsNaN(x) {
				continue
			}
		case string:
			if x == "" || x == "NaN" {
				continue
			}
			switch key {
			case "ycolumns", "series", "anomalycolumns":
				val = splitNames(x)
			}
		case []any:
			var names []string
			for _, e := range x {
				if s, ok := e.(string); ok {
					names = append(names, s)
				}
			}
			val = names
		}
		r.Props[key] = val
	}
	if r.Kind == "" {
		return nil
	}
	return r
}

func splitNames(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// RenderJSON is the inverse of Render for the fake servers: the
// visualization object a service sends for r, with Kusto's key spelling
// (Visualization, Title, XColumn, YColumns ...) when d is Kusto and Log
// Analytics' camel case otherwise.
func RenderJSON(r *exec.Render, d Dialect) map[string]any {
	if r == nil {
		return nil
	}
	names := map[string]string{
		"title": "Title", "xcolumn": "XColumn", "ycolumns": "YColumns", "series": "Series",
		"xtitle": "XTitle", "ytitle": "YTitle", "xaxis": "XAxis", "yaxis": "YAxis", "legend": "Legend",
		"ysplit": "YSplit", "accumulate": "Accumulate", "kind": "Kind", "ymin": "Ymin", "ymax": "Ymax",
		"xmin": "Xmin", "xmax": "Xmax", "anomalycolumns": "AnomalyColumns",
	}
	out := map[string]any{}
	key := func(k string) string {
		n, ok := names[k]
		if !ok {
			n = k
		}
		if d == LogAnalytics {
			return strings.ToLower(n[:1]) + n[1:]
		}
		return n
	}
	if d == Kusto {
		out["Visualization"] = r.Kind
	} else {
		out["visualization"] = r.Kind
	}
	for _, k := range []string{"title", "xcolumn", "ycolumns", "series", "xtitle", "ytitle", "xaxis", "yaxis", "legend", "ysplit", "accumulate", "kind", "ymin", "ymax", "xmin", "xmax", "anomalycolumns"} {
		out[key(k)] = nil
	}
	out[key("accumulate")] = false
	for k, v := range r.Props {
		if names, ok := v.([]string); ok {
			v = strings.Join(names, ",")
		}
		out[key(strings.ToLower(k))] = v
	}
	return out
}
