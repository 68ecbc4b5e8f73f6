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
	BadValues int // cells that did not convert (kept as null)
	// BadLines counts records not read as is: malformed JSON lines are
	// skipped, while CSV records with a wrong field count are kept, Padded
	// with nulls (too few fields) or Cut (extra fields dropped).
	BadLines    int
	Padded, Cut int
	Issues      []Issue  // the first problems, in file order
	Warnings    []string // schema notes, e.g. columns appended that the schema lacks
	// Notes are readings the file does not state, which whoever queries
	// it should see: the day/month order taken for slashed dates, the zone
	// taken for "[Local Time]" columns.
	Notes []string
	total int // all issues, kept or not
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
		s += ", " + plural(r.BadLines, "bad line")
	}
	return s
}

// Summary says what a read did with bad input, then names every kept
// issue (file:line), e.g. "T.csv: 2 records with a wrong field count kept
// (1 padded with nulls, 1 cut): T.csv:7: ...; T.csv:8: ...". Empty when
// there were no issues.
func (r *LoadReport) Summary() string {
	if r.total == 0 && len(r.Issues) == 0 {
		return ""
	}
	var parts []string
	if r.BadValues > 0 {
		parts = append(parts, plural(r.BadValues, "value")+" did not convert (kept as null)")
	}
	if kept := r.Padded + r.Cut; kept > 0 {
		var how []string
		if r.Padded > 0 {
			how = append(how, fmt.Sprintf("%d padded with nulls", r.Padded))
		}
		if r.Cut > 0 {
			how = append(how, fmt.Sprintf("%d cut to the header's fields", r.Cut))
		}
		parts = append(parts, plural(kept, "record")+" with a wrong field count kept ("+strings.Join(how, ", ")+")")
	}
	if skipped := r.BadLines - r.Padded - r.Cut; skipped > 0 {
		parts = append(parts, plural(skipped, "malformed line")+" skipped")
	}
	if notes := r.total - r.BadValues - r.BadLines; notes > 0 {
		parts = append(parts, plural(notes, "other problem"))
	}
	var b strings.Builder
	b.WriteString(r.File + ": " + strings.Join(parts, "; ") + ": ")
	for i, is := range r.Issues {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(is.Error())
	}
	if more := r.total - len(r.Issues); more > 0 {
		fmt.Fprintf(&b, "; and %d more", more)
	}
	return b.String()
}

// plural is "1 line", "2 lines".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// DefaultMaxIssues is how many issues a report keeps when Options.MaxIssues is 0.
const DefaultMaxIssues = 100

// issueKind says whether an issue counts as a bad value or a bad line.
type issueKind uint8

const (
	badValue issueKind = iota
	badLine
	paddedLine // a CSV record with too few fields, kept (counts as a bad line)
	cutLine    // a CSV record with too many fields, kept (counts as a bad line)
	noteOnly   // reported but neither (e.g. an unterminated quote at EOF that still yields a row)
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
		case paddedLine:
			r.BadLines++
			r.Padded++
		case cutLine:
			r.BadLines++
			r.Cut++
		}
		r.total++
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
