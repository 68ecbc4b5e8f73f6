package workspace

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/huntbook/huntbook/kql/types"
)

// Issue is one problem met while reading a table: a value that did not
// convert to its column's type, or a line that could not be parsed.
type Issue struct {
	File   string // file (or stream) name
	Line   int    // 1-based line where the record starts; 0 when unknown
	Column string // column name, empty for a whole-line problem
	Msg    string
}

// Error renders the issue as file:line: column C: message.
func (i Issue) Error() string {
	var b strings.Builder
	b.WriteString(i.File)
	if i.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(i.Line))
	}
	b.WriteString(": ")
	if i.Column != "" {
		b.WriteString("column ")
		b.WriteString(i.Column)
		b.WriteString(": ")
	}
	b.WriteString(i.Msg)
	return b.String()
}

// LoadReport tells what a read did: how much it read, how fast, and every
// value or line it could not take as is. Bad values are kept as nulls and
// counted, malformed lines are counted; Issues holds the first MaxIssues
// of them in file order.
type LoadReport struct {
	File      string
	Format    string // csv, jsonl, parquet
	Rows      int    // rows in the resulting table
	Bytes     int64  // bytes read
	Duration  time.Duration
	BadValues int      // cells that did not convert (kept as null)
	BadLines  int      // records that could not be parsed (malformed JSON, wrong CSV field count)
	Issues    []Issue  // the first problems, in file order
	Warnings  []string // schema notes, e.g. columns appended that the schema lacks
}

// MBps is the read throughput in megabytes (10^6 bytes) per second.
func (r *LoadReport) MBps() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Bytes) / 1e6 / r.Duration.Seconds()
}

// String summarises the report on one line.
func (r *LoadReport) String() string {
	s := fmt.Sprintf("%s: %d rows, %d bytes in %v (%.1f MB/s)", r.File, r.Rows, r.Bytes,
		r.Duration.Round(time.Microsecond), r.MBps())
	if r.BadValues > 0 {
		s += fmt.Sprintf(", %d bad values", r.BadValues)
	}
	if r.BadLines > 0 {
		s += fmt.Sprintf(", %d bad lines", r.BadLines)
	}
	return s
}

// DefaultMaxIssues is how many issues a report keeps when Options.MaxIssues is 0.
const DefaultMaxIssues = 100

// issueKind says whether an issue counts as a bad value or a bad line.
type issueKind uint8

const (
	badValue issueKind = iota
	badLine
	noteOnly // reported but neither (e.g. an unterminated quote at EOF that still yields a row)
)

type issue struct {
	Issue
	kind issueKind
}

// quoteValue renders a cell for a message, cut short if long.
func quoteValue(b []byte) string {
	const max = 64
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}

// finishReport adds chunk issues (already in file order) to r, keeping the
// first max, and returns the first issue as an error when strict.
func finishReport(r *LoadReport, issues []issue, max int, strict bool) error {
	if max <= 0 {
		max = DefaultMaxIssues
	}
	for _, is := range issues {
		switch is.kind {
		case badValue:
			r.BadValues++
		case badLine:
			r.BadLines++
		}
		if len(r.Issues) < max {
			r.Issues = append(r.Issues, is.Issue)
		}
	}
	if strict && len(issues) > 0 {
		return issues[0].Issue
	}
	return nil
}

func extraColumnWarning(src, col string, t types.Type) string {
	return src + ": column " + col + " is not in the schema; appended as " + t.String()
}

// missingColumnsWarning is one warning for all schema columns a file
// lacks: files often carry a few of a built-in table's many columns.
func missingColumnsWarning(src string, cols []string) string {
	if len(cols) == 1 {
		return src + ": schema column " + cols[0] + " is not in the file; it is null"
	}
	return src + ": schema columns " + strings.Join(cols, ", ") + " are not in the file; they are null"
}
