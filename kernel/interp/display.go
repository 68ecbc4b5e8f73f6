package interp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// Text cells longer than this are cut in the plain-text table.
const maxTextCell = 60

// Dynamic values longer than this fold into a <details> in HTML.
const foldDynamic = 80

// Output bounds, so that one huge value or a wide result cannot flood the
// front-end: a cell's text in HTML and JSON is cut at maxCellRunes, and
// rows stop being added once a rendering passes MaxOutputBytes (the footer
// then says how many rows are shown).
const maxCellRunes = 4096

// MaxOutputBytes bounds each rendering (HTML, text, JSON) of a result.
var MaxOutputBytes = 2 << 20

// Bundle renders a result as a MIME bundle: text/html, text/plain and
// application/json, showing at most maxRows rows (the rest are counted,
// not shown). A 1x1 result's text/plain is its bare value.
func Bundle(r Result, maxRows int) map[string]any {
	t := r.Table
	if t == nil {
		t = &table.Table{}
	}
	data := map[string]any{
		"text/html":        TableHTML(r, maxRows),
		"text/plain":       TableText(r, maxRows),
		"application/json": TableJSON(t, maxRows),
	}
	// A bare value, unless the footer has something to say about a chart;
	// warnings (data left out) follow it.
	if t.Rows() == 1 && len(t.Columns) == 1 && r.Chart == nil && r.ChartError == "" {
		text := t.Columns[0].Value(0).String()
		for _, w := range r.Warnings {
			text += "\nwarning: " + w
		}
		data["text/plain"] = text
	}
	return data
}

// footer says how many rows, how long, and what was left out.
func footer(r Result, maxRows int) string {
	t := r.Table
	n := 0
	if t != nil {
		n = t.Rows()
	}
	var parts []string
	if r.Name != "" {
		parts = append(parts, r.Name)
	}
	parts = append(parts, plural(n, "row"))
	if r.Elapsed > 0 {
		parts = append(parts, formatElapsed(r.Elapsed))
	}
	s := strings.Join(parts, ", ")
	if n > maxRows {
		s += fmt.Sprintf("; showing the first %d (the full result is kept in _", maxRows)
		if r.Name != "" {
			s += " and " + r.Name
		}
		s += ")"
	}
	if r.Truncated {
		s += "; the query result was truncated at the row limit (set truncationmaxrecords or notruncation)"
	}
	if r.Chart != nil {
		s += fmt.Sprintf("; render %s: no chart renderer connected, showing the table", r.Chart.Kind)
	}
	if r.ChartError != "" {
		s += "; chart failed: " + r.ChartError + "; showing the table"
	}
	for _, w := range r.Warnings {
		s += "\nwarning: " + w
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return groupThousands(n) + " " + word + "s"
}

func groupThousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func formatElapsed(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func rightAligned(t types.Type) bool {
	return t.IsNumeric() || t == types.TimeSpan
}

// TableHTML renders a result as an HTML table: a header with column names
// and types, numbers right-aligned, dynamic values as JSON (long ones
// folded), nulls empty, and a footer with counts and time. Everything is
// escaped.
func TableHTML(r Result, maxRows int) string {
	t := r.Table
	if t == nil {
		t = &table.Table{}
	}
	var b strings.Builder
	b.WriteString(`<div class="huntbook-result"><table class="huntbook-table"><thead><tr>`)
	for _, c := range t.Columns {
		align := "left"
		if rightAligned(c.Type) {
			align = "right"
		}
		fmt.Fprintf(&b, `<th style="text-align:%s" title="%s">%s<br><span style="font-weight:normal;opacity:0.6">%s</span></th>`,
			align, html.EscapeString(c.Name+": "+c.Type.String()), html.EscapeString(c.Name), html.EscapeString(c.Type.String()))
	}
	b.WriteString("</tr></thead><tbody>")
	rows := min(t.Rows(), maxRows)
	shown := rows
	for i := 0; i < rows; i++ {
		if b.Len() > MaxOutputBytes {
			shown = i
			break
		}
		b.WriteString("<tr>")
		for _, c := range t.Columns {
			v := c.Value(i)
			if rightAligned(c.Type) {
				b.WriteString(`<td style="text-align:right">`)
			} else {
				b.WriteString(`<td style="text-align:left">`)
			}
			b.WriteString(htmlCell(v))
			b.WriteString("</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	fmt.Fprintf(&b, `<p style="font-size:smaller;opacity:0.7">%s</p></div>`, html.EscapeString(footer(r, shown)))
	return b.String()
}

func htmlCell(v types.Value) string {
	if v.IsNull() {
		return ""
	}
	if v.Type != types.Dynamic {
		s := html.EscapeString(cut(v.String(), maxCellRunes))
		if v.Type == types.String && strings.Contains(s, "\n") {
			return `<span style="white-space:pre-wrap">` + s + "</span>"
		}
		return s
	}
	compact := readableJSON(v.String())
	if utf8.RuneCountInString(compact) <= foldDynamic {
		return "<code>" + html.EscapeString(compact) + "</code>"
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, []byte(compact), "", "  ") != nil {
		pretty.Reset()
		pretty.WriteString(compact)
	}
	return "<details><summary><code>" + html.EscapeString(cut(compact, foldDynamic)) + "</code></summary><pre>" +
		html.EscapeString(cut(pretty.String(), maxCellRunes)) + "</pre></details>"
}

// readableJSON undoes encoding/json's \u003c, \u003e and \u0026 escapes,
// valid JSON either way but harder to read (HTML escaping comes after).
// It walks escape pairs so an escaped backslash is never misread.
func readableJSON(s string) string {
	if !strings.Contains(s, `\u00`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch seq := s[i+1 : min(i+6, len(s))]; seq {
		case "u003c", "u003e", "u0026":
			b.WriteString(map[string]string{"u003c": "<", "u003e": ">", "u0026": "&"}[seq])
			i += 5
		default:
			b.WriteString(s[i : i+2])
			i++
		}
	}
	return b.String()
}

// cut shortens s to n runes, marking the cut with an ellipsis. It reads
// no further than it needs to, so huge values cost little.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	count, at := 0, 0
	for i := range s {
		if count == n-1 {
			at = i
		}
		if count == n {
			return s[:at] + "…"
		}
		count++
	}
	return s
}

// controlEscaper keeps a text cell on one line. Building a Replacer is
// far dearer than using one, so it is built once, not per cell.
var controlEscaper = strings.NewReplacer("\r", `\r`, "\n", `\n`, "\t", `\t`)

// TableText renders a result as an aligned plain-text table.
func TableText(r Result, maxRows int) string {
	t := r.Table
	if t == nil {
		t = &table.Table{}
	}
	rows := min(t.Rows(), maxRows)
	// Cells are cut to maxTextCell, so a row's width bounds the size.
	rowBytes := 1
	for range t.Columns {
		rowBytes += (maxTextCell + 2) * 3
	}
	rows = min(rows, max(1, MaxOutputBytes/rowBytes))
	cells := make([][]string, len(t.Columns))
	width := make([]int, len(t.Columns))
	for j, c := range t.Columns {
		cells[j] = make([]string, rows)
		width[j] = utf8.RuneCountInString(c.Name)
		for i := 0; i < rows; i++ {
			// A generous first cut keeps the escaping below cheap.
			s := cut(c.Value(i).String(), 8*maxTextCell)
			if c.Type == types.Dynamic {
				s = readableJSON(s)
			}
			s = controlEscaper.Replace(s)
			s = cut(s, maxTextCell)
			cells[j][i] = s
			width[j] = max(width[j], utf8.RuneCountInString(s))
		}
	}
	var b strings.Builder
	line := func(get func(j int) string, right func(j int) bool) {
		var l strings.Builder
		for j := range t.Columns {
			if j > 0 {
				l.WriteString("  ")
			}
			s := get(j)
			padding := strings.Repeat(" ", width[j]-utf8.RuneCountInString(s))
			if right(j) {
				l.WriteString(padding + s)
			} else {
				l.WriteString(s + padding)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	numeric := func(j int) bool { return rightAligned(t.Columns[j].Type) }
	if len(t.Columns) > 0 {
		line(func(j int) string { return t.Columns[j].Name }, numeric)
		line(func(j int) string { return strings.Repeat("-", width[j]) }, numeric)
		for i := 0; i < rows; i++ {
			line(func(j int) string { return cells[j][i] }, numeric)
		}
	}
	b.WriteString("(" + footer(r, rows) + ")")
	return b.String()
}

// TableJSON renders a table as {"name", "columns": [{"name","type"}],
// "rows": [[...]], "row_count", "truncated"}, with at most maxRows rows.
// Datetimes and timespans are Kusto's strings; dynamics are their JSON.
func TableJSON(t *table.Table, maxRows int) map[string]any {
	cols := make([]any, len(t.Columns))
	for j, c := range t.Columns {
		cols[j] = map[string]any{"name": c.Name, "type": c.Type.String()}
	}
	rows := min(t.Rows(), maxRows)
	out := make([]any, 0, rows)
	size := 0
	for i := 0; i < rows && size <= MaxOutputBytes; i++ {
		row := make([]any, len(t.Columns))
		for j, c := range t.Columns {
			row[j] = jsonValue(c.Value(i))
			size += jsonSize(row[j])
		}
		out = append(out, row)
	}
	rows = len(out)
	return map[string]any{"name": t.Name, "columns": cols, "rows": out, "row_count": t.Rows(), "truncated": t.Rows() > rows}
}

// jsonSize estimates the encoded size of a jsonValue.
func jsonSize(v any) int {
	switch x := v.(type) {
	case string:
		return len(x) + 3
	case json.RawMessage:
		return len(x) + 1
	}
	return 8
}

func jsonValue(v types.Value) any {
	if v.IsNull() {
		return nil
	}
	if v.Type == types.String {
		return cut(v.S, maxCellRunes)
	}
	switch v.Type {
	case types.Bool:
		return v.I != 0
	case types.Int, types.Long:
		return v.I
	case types.Real, types.Decimal:
		if math.IsNaN(v.F) || math.IsInf(v.F, 0) {
			return types.FormatReal(v.F) // JSON has no NaN
		}
		return v.F
	case types.Dynamic:
		js := v.String()
		if len(js) > maxCellRunes*4 {
			// Too big to pass whole: the cut JSON goes as a string.
			return cut(js, maxCellRunes)
		}
		return json.RawMessage(js)
	}
	return v.String()
}
