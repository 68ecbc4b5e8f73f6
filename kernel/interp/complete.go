package interp

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/huntbook/huntbook/kernel"
	"github.com/huntbook/huntbook/kql/binder"
)

// lineAt returns the bounds of the line holding byte offset pos.
func lineAt(code string, pos int) (start, end int) {
	start = strings.LastIndexByte(code[:pos], '\n') + 1
	end = strings.IndexByte(code[pos:], '\n')
	if end < 0 {
		return start, len(code)
	}
	return start, pos + end
}

// cellMagicLine returns the index of the cell's %%magic line (the first
// non-blank one) and its name, or -1.
func cellMagicLine(lines []string) (int, string) {
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "%%") {
			name, _, _ := strings.Cut(t[2:], " ")
			return i, strings.TrimSuffix(name, "?")
		}
		return -1, ""
	}
	return -1, ""
}

// kqlRegion returns the byte range of the query text around pos: the
// lines between magic lines, or a KQL cell magic's body. ok is false when
// pos is on a magic line or inside a non-KQL cell magic.
func (in *Interpreter) kqlRegion(code string, pos int) (start, end int, ok bool) {
	lines := strings.Split(code, "\n")
	offs := make([]int, len(lines)+1)
	for i, l := range lines {
		offs[i+1] = offs[i] + len(l) + 1
	}
	lineOf := func(p int) int {
		i := sort.Search(len(lines), func(i int) bool { return offs[i+1] > p })
		return min(i, len(lines)-1)
	}
	at := lineOf(pos)
	if ci, name := cellMagicLine(lines); ci >= 0 {
		m := in.magic(name)
		if at <= ci || m == nil || !m.KQLBody {
			return 0, 0, false
		}
		return offs[ci+1], len(code), true
	}
	isMagic := func(i int) bool { return strings.HasPrefix(strings.TrimSpace(lines[i]), "%") }
	if isMagic(at) {
		return 0, 0, false
	}
	first, last := at, at
	for first > 0 && !isMagic(first-1) {
		first--
	}
	for last < len(lines)-1 && !isMagic(last+1) {
		last++
	}
	return offs[first], min(offs[last+1]-1, len(code)), true
}

// Complete offers magic names after % and asks the engine for the rest.
func (in *Interpreter) Complete(code string, cursor int) kernel.CompleteReply {
	cursor = max(0, min(cursor, len(code)))
	ls, _ := lineAt(code, cursor)
	before := strings.TrimLeft(code[ls:cursor], " \t")
	if strings.HasPrefix(before, "%") && !strings.ContainsAny(before, " \t") {
		// "%x" offers line and cell magics named x...; "%%x" cell ones only.
		cellOnly := strings.HasPrefix(before, "%%")
		prefix := strings.TrimLeft(before, "%")
		var matches []string
		for _, m := range in.Magics() {
			if !strings.HasPrefix(m.Name, prefix) {
				continue
			}
			if m.Kind&LineMagic != 0 && !cellOnly {
				matches = append(matches, spelled(m.Name, LineMagic))
			}
			if m.Kind&CellMagic != 0 {
				matches = append(matches, spelled(m.Name, CellMagic))
			}
		}
		sort.Strings(matches)
		return kernel.CompleteReply{Matches: matches, CursorStart: cursor - len(before), CursorEnd: cursor}
	}
	if strings.HasPrefix(before, "%") {
		return in.completeArgs(code, ls, cursor)
	}
	e := in.Engine()
	start, end, ok := in.kqlRegion(code, cursor)
	if e == nil || !ok {
		return kernel.CompleteReply{CursorStart: cursor, CursorEnd: cursor}
	}
	if tc, ok := e.(typedCompleter); ok {
		return typedReply(code, start, tc, code[start:end], cursor-start)
	}
	matches, s, t := e.Complete(code[start:end], cursor-start)
	return kernel.CompleteReply{Matches: matches, CursorStart: start + s, CursorEnd: start + t}
}

// typedCompleter is an engine that knows what each completion is.
type typedCompleter interface {
	CompleteTyped(code string, cursor int) ([]binder.Completion, int, int)
}

// typedReply completes through a typedCompleter, adding JupyterLab's
// _jupyter_types_experimental metadata (kind and signature of each match;
// offsets in code points, as the protocol counts).
func typedReply(cell string, base int, tc typedCompleter, code string, cursor int) kernel.CompleteReply {
	items, s, t := tc.CompleteTyped(code, cursor)
	start, end := base+s, base+t
	rs, re := utf8.RuneCountInString(cell[:start]), utf8.RuneCountInString(cell[:end])
	matches := make([]string, 0, len(items))
	types := make([]any, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.Label] {
			continue
		}
		seen[it.Label] = true
		matches = append(matches, it.Label)
		types = append(types, map[string]any{"start": rs, "end": re, "text": it.Label, "type": it.Kind.String(), "signature": it.Detail})
	}
	return kernel.CompleteReply{Matches: matches, CursorStart: start, CursorEnd: end,
		Metadata: map[string]any{"_jupyter_types_experimental": types}}
}

// completeArgs asks a magic to complete its own arguments; the cursor is
// past the name on the magic line starting at ls.
func (in *Interpreter) completeArgs(code string, ls, cursor int) kernel.CompleteReply {
	none := kernel.CompleteReply{CursorStart: cursor, CursorEnd: cursor}
	_, le := lineAt(code, cursor)
	line := code[ls:le]
	indent := len(line) - len(strings.TrimLeft(line, " \t"))
	rest := line[indent:]
	name, _, _ := strings.Cut(strings.TrimLeft(rest, "%"), " ")
	m := in.magic(name)
	if m == nil || m.Complete == nil {
		return none
	}
	argsAt := ls + indent + strings.Index(rest, name) + len(name) + 1 // after the space
	if argsAt > cursor || argsAt > le {
		return none
	}
	matches, s, t := m.Complete(in, code[argsAt:le], cursor-argsAt)
	return kernel.CompleteReply{Matches: matches, CursorStart: argsAt + s, CursorEnd: argsAt + t}
}

// Inspect shows a magic's help when the cursor is on a magic line, and
// asks the engine otherwise.
func (in *Interpreter) Inspect(code string, cursor, detailLevel int) kernel.InspectReply {
	cursor = max(0, min(cursor, len(code)))
	ls, le := lineAt(code, cursor)
	line := strings.TrimSpace(code[ls:le])
	if strings.HasPrefix(line, "%") {
		name, _, _ := strings.Cut(strings.TrimLeft(line, "%"), " ")
		if m := in.magic(strings.TrimSuffix(name, "?")); m != nil {
			return kernel.InspectReply{Found: true, Data: map[string]any{"text/plain": m.helpText()}}
		}
		return kernel.InspectReply{}
	}
	e := in.Engine()
	start, end, ok := in.kqlRegion(code, cursor)
	if e == nil || !ok {
		return kernel.InspectReply{}
	}
	doc, found := e.Inspect(code[start:end], cursor-start)
	if !found {
		return kernel.InspectReply{}
	}
	return kernel.InspectReply{Found: true, Data: map[string]any{"text/plain": doc}}
}

// IsComplete tells a console whether Enter should run the cell: queries
// ending in a pipe or operator, with open brackets or strings, or made only
// of let statements are "incomplete"; a stray closing bracket or a bad
// magic name can never become valid, so it is "invalid".
func (in *Interpreter) IsComplete(code string) kernel.IsCompleteReply {
	lines := strings.Split(code, "\n")
	if ci, name := cellMagicLine(lines); ci >= 0 {
		if !validMagicName(name) {
			return kernel.IsCompleteReply{Status: "invalid"}
		}
		if m := in.magic(name); m != nil && m.KQLBody {
			body := strings.Join(lines[ci+1:], "\n")
			if !hasCode(body) {
				return kernel.IsCompleteReply{Status: "incomplete"}
			}
			return kernel.IsCompleteReply{Status: kqlStatus(body)}
		}
		return kernel.IsCompleteReply{Status: "complete"}
	}
	var chunk []string
	status := "complete"
	check := func() {
		q := strings.Join(chunk, "\n")
		chunk = nil
		if !hasCode(q) {
			return
		}
		status = kqlStatus(q)
	}
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "%") {
			chunk = append(chunk, l)
			continue
		}
		check()
		if status != "complete" {
			return kernel.IsCompleteReply{Status: "invalid"} // a magic line cannot finish a query before it
		}
		name, _, _ := strings.Cut(t[1:], " ")
		if !validMagicName(strings.TrimSuffix(name, "?")) {
			return kernel.IsCompleteReply{Status: "invalid"}
		}
	}
	check()
	return kernel.IsCompleteReply{Status: status}
}

// letLike statements must be followed by a query.
var letLike = map[string]bool{"let": true, "set": true, "declare": true, "alias": true, "pattern": true, "restrict": true}

// continuing tokens cannot end a query.
var continuing = map[string]bool{
	"|": true, ",": true, "=": true, "==": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true,
	"+": true, "-": true, "/": true, "=~": true, "!~": true, "=>": true, ".": true, ":": true,
	"and": true, "or": true, "by": true, "on": true,
}

// kqlStatus scans query text for strings, comments and brackets (it does
// not parse): "invalid" for a closing bracket that matches nothing,
// "incomplete" for open brackets or strings, a continuing last token, or
// only let-like statements; "complete" otherwise.
func kqlStatus(src string) string {
	var stack []byte
	var last string      // last significant token
	var stmtFirst string // first word of the current top-level statement
	var lastStmt string  // first word of the last non-empty statement
	closer := map[byte]byte{')': '(', ']': '[', '}': '{'}
	note := func(tok string) {
		last = tok
		if stmtFirst == "" {
			stmtFirst = tok
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case strings.HasPrefix(src[i:], "```"):
			j := strings.Index(src[i+3:], "```")
			if j < 0 {
				return "incomplete"
			}
			i += 3 + j + 3
			note("string")
		case c == '@' && i+1 < len(src) && (src[i+1] == '\'' || src[i+1] == '"'):
			j := strings.IndexByte(src[i+2:], src[i+1])
			if j < 0 {
				return "incomplete"
			}
			i += 2 + j + 1
			note("string")
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				return "incomplete"
			}
			i = j + 1
			note("string")
		case c == '(' || c == '[' || c == '{':
			stack = append(stack, c)
			note(string(c))
			i++
		case c == ')' || c == ']' || c == '}':
			if len(stack) == 0 || stack[len(stack)-1] != closer[c] {
				return "invalid"
			}
			stack = stack[:len(stack)-1]
			note(string(c))
			i++
		case c == ';' && len(stack) == 0:
			if stmtFirst != "" {
				lastStmt = stmtFirst
			}
			stmtFirst = ""
			last = ";"
			i++
		case isWordByte(c):
			j := i
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			note(src[i:j]) // KQL keywords are case-sensitive
			i = j
		default:
			j := i + 1
			if j < len(src) && strings.IndexByte("=~>", src[j]) >= 0 && strings.IndexByte("=!<>", c) >= 0 {
				j++
			}
			note(src[i:j])
			i = j
		}
	}
	if stmtFirst != "" {
		lastStmt = stmtFirst
	}
	switch {
	case len(stack) > 0, continuing[last], letLike[lastStmt]:
		return "incomplete"
	}
	return "complete"
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
