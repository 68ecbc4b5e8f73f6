// Package signinlog owns Microsoft Entra ID sign-in log downloads: the
// Entra admin center's Sign-in logs > Download (JSON or CSV, the
// interactive and non-interactive tabs), Microsoft Graph's
// GET /auditLogs/signIns pages ({"value": [...]}), Get-MgAuditLogSignIn |
// ConvertTo-Json, JSON lines and Azure Monitor diagnostic records
// ({"records": [...]} with the sign-in under properties). It reads them
// into sign-ins in the shape of Graph's signIn resource and maps those to
// rows of the Sentinel tables SigninLogs (interactive) and
// AADNonInteractiveUserSignInLogs, typed with the built-in schemas, so
// hunting queries and the guided notebooks run on a download offline.
package signinlog

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/internal/exportfile"
	"github.com/huntbook/huntbook/kql/types"
)

// SignIn is one sign-in read from a download.
type SignIn struct {
	File string // the download it came from
	Line int    // line where it starts; 0 if unknown
	// Where names it inside its file when Line alone does not: the
	// element of a JSON array ("value[3]", "[3]"); empty otherwise.
	Where string
	ID    string // the signIn id (the portal's Request ID)
	Time  int64  // createdDateTime in ticks (UTC)
	// Interactive is isInteractive, else what the file says (a diagnostic
	// record's category, a portal CSV's name), else true.
	Interactive bool
	// Data is the signIn resource with Graph's camelCase property names
	// (PowerShell's PascalCase ones are lowered): status, location,
	// deviceDetail... as nested bags.
	Data *types.Bag
	// Tenant is the directory the sign-in was logged in, when the file
	// says (a diagnostic record's tenantId).
	Tenant string
}

// Issue is a problem with one sign-in: why it was kept out, or a value
// that did not fit its column.
type Issue struct {
	File  string
	Line  int    // 0 when unknown
	Where string // a JSON array element, e.g. "value[3]"; may be empty
	Msg   string
}

func (i Issue) String() string {
	var b strings.Builder
	b.WriteString(i.File)
	if i.Line > 0 {
		b.WriteString(":" + strconv.Itoa(i.Line))
	}
	b.WriteString(": ")
	if i.Where != "" {
		b.WriteString(i.Where + ": ")
	}
	b.WriteString(i.Msg)
	return b.String()
}

// Import collects the sign-ins of one or more downloads, keeping the first
// of sign-ins that share an id (overlapping downloads, or the same
// sign-ins downloaded as JSON and as CSV).
type Import struct {
	SignIns []SignIn
	// Skipped are the sign-ins that could not be read, with why.
	Skipped []Issue
	// Duplicates counts sign-ins left out because an earlier one had their id.
	Duplicates int
	// Notes are what reading a file took on trust or left out: CSV headers
	// placed nowhere, the interactivity a CSV's name gave, values the CSV
	// reader could not convert, a Graph page with more pages after it.
	Notes []string
	ids   exportfile.IDs
}

// ReadFile reads one download; see Read.
func (im *Import) ReadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return im.Read(data, path)
}

// Read reads a download's bytes; name is the file name used in messages
// (and, for a CSV, tells interactive from non-interactive sign-ins). JSON
// (an array, a Graph page, JSON lines, diagnostic records) and the
// portal's CSV are told apart by the first character. Sign-ins that cannot
// be read go to Skipped; an error means the file as a whole is not a
// sign-in log download.
func (im *Import) Read(data []byte, name string) error {
	data = exportfile.UTF8(data)
	i := skipSpace(data, 0)
	if i == len(data) {
		return fmt.Errorf("%s: empty file: not a sign-in log download", name)
	}
	if data[i] == '[' || data[i] == '{' {
		return im.readJSON(data, name)
	}
	return im.readCSV(data, name)
}

// add keeps a sign-in unless an earlier one had its id.
func (im *Import) add(s SignIn) {
	if !im.ids.First(s.ID) {
		im.Duplicates++
		return
	}
	im.SignIns = append(im.SignIns, s)
}

func (im *Import) skip(file string, line int, where, msg string) {
	im.Skipped = append(im.Skipped, Issue{File: file, Line: line, Where: where, Msg: msg})
}

// nonInteractiveName reports whether a file's name says it holds
// non-interactive sign-ins, as the portal names its downloads
// (NonInteractiveSignIns_2026-03-01_2026-03-02.csv).
func nonInteractiveName(name string) bool {
	b := strings.ToLower(filepath.Base(name))
	b = strings.NewReplacer("-", "", "_", "", " ", "").Replace(b)
	return strings.Contains(b, "noninteractive")
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// parseTime reads a datetime from a JSON value: ISO 8601 (UTC when
// without a zone) or Windows PowerShell's ConvertTo-Json form
// "/Date(1772438400000)/" (milliseconds since the epoch).
func parseTime(v any) (int64, bool) {
	if s, ok := v.(string); ok {
		if ms, ok := strings.CutPrefix(strings.TrimSpace(s), "/Date("); ok {
			ms, _, _ = strings.Cut(ms, ")")
			// An offset after the milliseconds ("+0100") is the local zone
			// the value was shown in; the milliseconds are UTC.
			if i := strings.IndexAny(ms[min(1, len(ms)):], "+-"); i >= 0 {
				ms = ms[:i+min(1, len(ms))]
			}
			n, err := strconv.ParseInt(ms, 10, 64)
			if err != nil || n > math.MaxInt64/types.Millisecond || n < math.MinInt64/types.Millisecond {
				return 0, false
			}
			return n * types.Millisecond, true
		}
	}
	return exportfile.ParseISOTime(v)
}
