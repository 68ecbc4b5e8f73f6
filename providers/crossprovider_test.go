package providers_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/exec"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/kusto/kustotest"
	"github.com/huntbook/huntbook/providers/local"
	"github.com/huntbook/huntbook/providers/sentinel/sentineltest"
	"github.com/huntbook/huntbook/sampledata"
)

// The same notebook cells, run on the embedded engine over a workspace
// folder, on the Log Analytics query API and on Azure Data Explorer (both
// local fakes speaking the documented wire formats), give equal tables: a
// notebook moves between them by configuration alone.
func TestSameCellsAcrossProviders(t *testing.T) {
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	cfg := sampledata.Config{Users: 40, Days: 7, Seed: 3, End: end}
	tenant, err := sampledata.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "ws")
	if err := sampledata.WriteWorkspace(dir, cfg); err != nil {
		t.Fatal(err)
	}
	loc, err := local.New("local", []string{dir}, local.Options{Exec: exec.Options{Now: end}})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HUNTBOOK_TEST_TOKEN", "test-token-not-a-secret")
	la := sentineltest.NewServer(tenant.Tables, end)
	defer la.Close()
	la.Token = "test-token-not-a-secret"
	adx := kustotest.NewServer(tenant.Tables, end)
	defer adx.Close()
	adx.Token = "test-token-not-a-secret"
	sen, err := providers.Open("sentinel", "workspace", la.Settings("HUNTBOOK_TEST_TOKEN"))
	if err != nil {
		t.Fatal(err)
	}
	kus, err := providers.Open("kusto", "cluster", adx.Settings("HUNTBOOK_TEST_TOKEN"))
	if err != nil {
		t.Fatal(err)
	}

	cells := []string{
		"SigninLogs | where ResultType == '50126' | summarize Failures = count(), IPs = dcount(IPAddress) by UserPrincipalName | top 5 by Failures desc, UserPrincipalName asc",
		"let risky = SigninLogs | where RiskLevelDuringSignIn in ('high', 'medium') | project UserId, SigninTime = TimeGenerated, Location;\nrisky | join kind=inner (OfficeActivity | where Operation in ('New-InboxRule', 'Set-InboxRule') | project UserId = UserKey, Operation, RuleTime = TimeGenerated) on UserId | project-away UserId1 | order by SigninTime asc, RuleTime asc",
		"CloudAppEvents | where ActionType startswith 'SensitivityLabel' | summarize n = count() by ActionType, Day = bin(TimeGenerated, 1d) | order by Day asc, ActionType asc",
		"AzureActivity | where OperationNameValue has 'roleAssignments/write' | project TimeGenerated, Caller, Props = Properties_d | take 3 | order by TimeGenerated asc",
		"print now = now(), span = 1d + 2h, d = dynamic({'a': [1, 2.5, 'x']}), g = guid(0f8fad5b-d9cb-469f-a165-70867728950e), n = long(null)",
	}
	ctx := context.Background()
	for i, q := range cells {
		var got []*table.Table
		for _, p := range []providers.Provider{loc, sen, kus} {
			res, err := p.NewSession().Run(ctx, q, providers.QueryOptions{})
			if err != nil {
				t.Fatalf("cell %d on %s: %v", i, p.Kind(), err)
			}
			if len(res) != 1 {
				t.Fatalf("cell %d on %s: %d results", i, p.Kind(), len(res))
			}
			got = append(got, res[0].Table)
		}
		if got[0].Rows() == 0 && i < 3 {
			t.Errorf("cell %d found nothing on the sample tenant", i)
		}
		for k, name := range []string{"sentinel", "kusto"} {
			if d := diff(got[0], got[k+1]); d != "" {
				t.Errorf("cell %d: local and %s differ: %s", i, name, d)
			}
		}
	}
}

// diff describes the first difference between two tables, or "".
func diff(a, b *table.Table) string {
	if a.Schema().String() != b.Schema().String() {
		return fmt.Sprintf("schema %s vs %s", a.Schema(), b.Schema())
	}
	if a.Rows() != b.Rows() {
		return fmt.Sprintf("%d rows vs %d", a.Rows(), b.Rows())
	}
	for i := 0; i < a.Rows(); i++ {
		for j := range a.Columns {
			va, vb := a.Columns[j].Value(i), b.Columns[j].Value(i)
			if va.String() != vb.String() || va.Valid != vb.Valid {
				return fmt.Sprintf("row %d column %s: %q vs %q", i, a.Columns[j].Name, va.String(), vb.String())
			}
		}
	}
	return ""
}
