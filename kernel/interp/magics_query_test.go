package interp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testTemplates = `metadata:
  version: 1
  description: Test queries over the Events table
  data_environments: [MSSentinel]
  data_families: [Events]
  tags: [test]
defaults:
  parameters:
    table:
      description: Table name
      type: str
      default: Events
    start:
      description: Query start time
      type: datetime
      default: -30
    end:
      description: Query end time
      type: datetime
      default: 0
sources:
  failures_by_account:
    description: Failed logons per account
    args:
      query: '
        {table}
        | where TimeGenerated between (datetime({start}) .. datetime({end}))
        | where EventID == {event_id}
        | summarize Failures = count() by Account
        | order by Account asc'
    parameters:
      event_id:
        description: Event ID to count
        type: int
        default: 4625
  by_account:
    description: Events of one account
    args:
      query: '
        {table}
        | where Account == "{account}"
        | count'
    parameters:
      account:
        description: Account name
        type: str
`

// templateInterp is connected to the test workspace, with a config whose
// QueryDefinitions folder holds testTemplates.
func templateInterp(t *testing.T) *Interpreter {
	t.Helper()
	in, _ := connected(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "events.yaml"), []byte(testTemplates), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
	if err := os.WriteFile(cfg, []byte("QueryDefinitions:\n  Custom:\n    - "+dir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in.ConfigPath = cfg
	return in
}

func TestQueryTemplates(t *testing.T) {
	in := templateInterp(t)
	list := resultText(t, mustRun(t, in, "%query list logons per"))
	if !strings.Contains(list, "Events.failures_by_account  Failed logons per account") || !strings.Contains(list, "(1 template;") {
		t.Errorf("%%query list account:\n%s", list)
	}
	// The built-in library is there too.
	if all := resultText(t, mustRun(t, in, "%query list")); !strings.Contains(all, "SigninLogs.password_spray") {
		t.Errorf("built-in templates missing:\n%s", all)
	}
	show := resultText(t, mustRun(t, in, "%query show failures_by_account"))
	for _, want := range []string{"event_id: int (default: 4625) Event ID to count", "| where EventID == {event_id}"} {
		if !strings.Contains(show, want) {
			t.Errorf("%%query show lacks %q:\n%s", want, show)
		}
	}
	// Defaults: the last 30 days before the workspace's end (2024-03-10).
	rec := mustRun(t, in, "%query run failures_by_account")
	if got := resultText(t, rec); !strings.Contains(got, "alice           1") || !strings.Contains(got, "bob             1") {
		t.Errorf("run with defaults:\n%s", got)
	}
	// %timerange feeds start and end: only 9 March on.
	mustRun(t, in, "%timerange 2024-03-09 2024-03-10")
	if got := resultText(t, mustRun(t, in, "%query run failures_by_account")); strings.Contains(got, "bob") || !strings.Contains(got, "alice") {
		t.Errorf("run within %%timerange:\n%s", got)
	}
	// Arguments are typed and inserted as literals: a quote cannot escape.
	if got := resultText(t, mustRun(t, in, "%query run by_account account=alice")); got != "2" {
		t.Errorf("by_account alice = %q", got)
	}
	if got := resultText(t, mustRun(t, in, `%query run by_account 'account=x" or Account != "'`)); got != "0" {
		t.Errorf("injection attempt matched rows: %q", got)
	}
	if got := resultText(t, mustRun(t, in, "%query run failures_by_account event_id=4624 start=2024-03-01")); !strings.Contains(got, "carol") {
		t.Errorf("event_id=4624:\n%s", got)
	}
	bad := []struct{ code, want string }{
		{"%query", "say list, show or run"},
		{"%query frob", `unknown subcommand "frob"`},
		{"%query run", "run needs a template NAME"},
		{"%query run nosuch", "nosuch"},
		{"%query run by_account", "%query: query Events.by_account: parameter account is required"},
		{"%query run by_account account", "parameters are written NAME=VALUE"},
		{"%query run by_account account=a account=b", "parameter account given twice"},
		{"%query run failures_by_account event_id=many", "many"},
		{"%query run failures_by_account colour=red", "colour"},
	}
	for _, b := range bad {
		_, reply := run(t, in, b.code)
		if reply.Err == nil || !strings.Contains(reply.Err.Value, b.want) {
			t.Errorf("%s: %+v, want %q", b.code, reply.Err, b.want)
		}
		// The template's name is said once, not once per layer.
		if reply.Err != nil && strings.Count(reply.Err.Value, "by_account") > 1 {
			t.Errorf("%s: name repeated in %q", b.code, reply.Err.Value)
		}
	}
	if r := in.Complete("%query run Events.f", 19); strings.Join(r.Matches, ",") != "Events.failures_by_account" || r.CursorStart != 11 {
		t.Errorf("template name completion = %v at %d", r.Matches, r.CursorStart)
	}
	if r := in.Complete("%query s", 8); strings.Join(r.Matches, ",") != "show" {
		t.Errorf("subcommand completion = %v", r.Matches)
	}
}
