package workspace

import (
	"context"
	"strings"
	"testing"
)

// A folder is a table: daily exports in SigninLogs/, and Log Analytics'
// data export container (am-<table> in lower case, JSON lines blobs deep in
// WorkspaceResourceId=/.../y=/m=/d=/h=/m= folders).
func TestFolderTables(t *testing.T) {
	dir := t.TempDir()
	blob := "am-securityevent/WorkspaceResourceId=/subscriptions/s/resourcegroups/rg/providers/microsoft.operationalinsights/workspaces/ws/y=2026/m=11/d=23/h=10/m="
	writeFiles(t, dir, map[string]string{
		"SigninLogs/2026-11-01.csv": "TimeGenerated,UserPrincipalName,Extra\n2026-11-01T10:00:00Z,alice@contoso.com,1\n",
		"SigninLogs/2026-11-02.csv": "TimeGenerated,UserPrincipalName,Extra\n2026-11-02T10:00:00Z,bob@contoso.com,x\nnot a date,carol@contoso.com,2\n",
		blob + "00/PT05M.json":      `{"TimeGenerated":"2026-11-23T10:01:00Z","EventID":4625,"Account":"CONTOSO\\alice"}` + "\n",
		blob + "05/PT05M.json":      `{"TimeGenerated":"2026-11-23T10:06:00Z","EventID":4624,"Account":"CONTOSO\\bob"}` + "\n",
		"watchlists/VIPs.csv":       "UPN\nalice@contoso.com\n",
		"notes/readme.txt":          "not a table",
	})
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(w.Tables(), ","); got != "SecurityEvent,SigninLogs" {
		t.Fatalf("tables = %s", got)
	}
	if s, ok := w.Schema("SecurityEvent"); !ok || s.Index("EventID") < 0 {
		t.Fatalf("SecurityEvent schema before loading: %v %v", s, ok)
	}

	se, rep, err := w.Load(context.Background(), "SecurityEvent")
	if err != nil {
		t.Fatal(err)
	}
	if se.Rows() != 2 || se.Column("Account").Strs[1] != `CONTOSO\bob` || rep.Summary() != "" {
		t.Fatalf("SecurityEvent: %d rows, report %q", se.Rows(), rep.Summary())
	}

	sl, rep, err := w.Load(context.Background(), "SigninLogs")
	if err != nil {
		t.Fatal(err)
	}
	if sl.Rows() != 3 || sl.Column("UserPrincipalName").Strs[2] != "carol@contoso.com" {
		t.Fatalf("SigninLogs rows = %d", sl.Rows())
	}
	// Extra is a long in one file and a string in the other: a string.
	if c := sl.Column("Extra"); c == nil || c.Type.String() != "string" || c.Strs[0] != "1" || c.Strs[1] != "x" {
		t.Errorf("Extra = %+v", c)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "SigninLogs/: column Extra is long in some files and string in others: read as string") {
		t.Errorf("notes = %q", rep.Notes)
	}
	// The bad value is kept as a null and named by its file in the folder.
	if got := rep.Summary(); !strings.Contains(got, "SigninLogs/2026-11-02.csv:3: column TimeGenerated: cannot convert") || rep.BadValues != 1 {
		t.Errorf("report = %q", got)
	}
}

func TestFolderTableConflicts(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"SigninLogs.csv":      "A\n1\n",
		"SigninLogs/day1.csv": "A\n2\n",
	})
	_, err := Open(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "table SigninLogs has a file and a folder, SigninLogs") &&
		!strings.Contains(err.Error(), "table SigninLogs is both SigninLogs.csv and the folder SigninLogs") {
		t.Fatalf("error = %v", err)
	}
}
