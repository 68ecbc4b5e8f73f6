package kernel

import (
	"regexp"
	"strings"
	"sync"
)

// HistorySession is the session number this kernel reports: history lives
// only as long as the kernel process, so there is exactly one session.
const HistorySession = 1

// HistoryEntry is one executed input and, when it produced one, the
// text/plain of its execute_result.
type HistoryEntry struct {
	Session int
	Line    int // the execution count
	Input   string
	Output  string
	HasOut  bool
}

// History is the session's input history, safe for concurrent use.
type History struct {
	mu      sync.Mutex
	entries []HistoryEntry
}

// Add records an executed input under its execution count.
func (h *History) Add(line int, input string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entries = append(h.entries, HistoryEntry{Session: HistorySession, Line: line, Input: input})
}

// SetOutput attaches an execute_result's text to the entry for line.
func (h *History) SetOutput(line int, text string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := len(h.entries) - 1; i >= 0; i-- {
		if h.entries[i].Line == line {
			h.entries[i].Output, h.entries[i].HasOut = text, true
			return
		}
	}
}

// Len is the number of entries.
func (h *History) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.entries)
}

// Tail returns the last n entries (all when n <= 0).
func (h *History) Tail(n int) []HistoryEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n <= 0 || n > len(h.entries) {
		n = len(h.entries)
	}
	return append([]HistoryEntry(nil), h.entries[len(h.entries)-n:]...)
}

// Range returns entries of session with start <= line < stop, as IPython
// does; session 0 means the current one, stop <= 0 means to the end.
func (h *History) Range(session, start, stop int) []HistoryEntry {
	if session != 0 && session != HistorySession {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []HistoryEntry
	for _, e := range h.entries {
		if e.Line >= start && (stop <= 0 || e.Line < stop) {
			out = append(out, e)
		}
	}
	return out
}

// Search returns entries whose whole input matches the glob pattern (*, ?
// and [...] as in IPython's history search), the last n when n > 0, and
// only the latest of equal inputs when unique is set.
func (h *History) Search(pattern string, n int, unique bool) []HistoryEntry {
	re := globRegexp(pattern)
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []HistoryEntry
	seen := map[string]bool{}
	// Walk backwards so unique keeps the newest and n keeps the last n.
	for i := len(h.entries) - 1; i >= 0; i-- {
		e := h.entries[i]
		if !re.MatchString(e.Input) || (unique && seen[e.Input]) {
			continue
		}
		seen[e.Input] = true
		out = append(out, e)
		if n > 0 && len(out) == n {
			break
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// globRegexp turns a glob into an anchored regexp; "" matches everything.
func globRegexp(glob string) *regexp.Regexp {
	if glob == "" {
		glob = "*"
	}
	var b strings.Builder
	b.WriteString(`(?s)^`)
	rs := []rune(glob)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		case '[':
			rest := string(rs[i+1:])
			if j := strings.IndexRune(rest, ']'); j > 0 {
				class := rest[:j]
				i += len([]rune(class)) + 1
				if class[0] == '!' {
					class = "^" + class[1:]
				}
				b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			} else {
				b.WriteString(`\[`)
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`$`)
	re, err := regexp.Compile(b.String())
	if err != nil { // a malformed class: match it literally instead
		return regexp.MustCompile(`^` + regexp.QuoteMeta(glob) + `$`)
	}
	return re
}
