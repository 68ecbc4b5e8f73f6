package msticconfig

import (
	"fmt"
	"strings"
)

// Severity says whether a finding stops the config from being used.
type Severity int

const (
	// Warning: the config loads, but something is probably not what the
	// author meant (an unknown key, a retired cloud, an unset env var).
	Warning Severity = iota
	// Error: a wrong type, a missing required value or an invalid value.
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Finding is one validation result, located by file, line and key path.
type Finding struct {
	File     string
	Line     int // 1-based; 0 when the position is unknown
	Severity Severity
	Path     string // dotted key path, e.g. AzureSentinel.Workspaces.Default.WorkspaceId
	Message  string
}

// String renders the finding as FILE:LINE: severity: key.path: message.
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Line > 0 {
		fmt.Fprintf(&b, ":%d", f.Line)
	}
	b.WriteString(": ")
	b.WriteString(f.Severity.String())
	b.WriteString(": ")
	if f.Path != "" {
		b.WriteString(f.Path)
		b.WriteString(": ")
	}
	b.WriteString(f.Message)
	return b.String()
}

// InvalidError is returned by Load and Parse when the config has at least
// one error-severity finding. The Config is still returned alongside it so
// callers can report every finding.
type InvalidError struct {
	File     string
	Findings []Finding // the error-severity findings only
}

func (e *InvalidError) Error() string {
	if len(e.Findings) == 1 {
		return e.Findings[0].String()
	}
	lines := make([]string, len(e.Findings))
	for i, f := range e.Findings {
		lines[i] = f.String()
	}
	return fmt.Sprintf("%s: %d errors:\n%s", e.File, len(e.Findings), strings.Join(lines, "\n"))
}
