package templates

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/local"
	"github.com/huntbook/huntbook/sampledata"
)

// Families the built-in library must cover: the sample tenant's tables.
var wantFamilies = []string{"SigninLogs", "AuditLogs", "OfficeActivity", "CloudAppEvents", "PurviewDataSensitivityLogs",
	"McasShadowItReporting", "SecurityAlert", "SecurityIncident", "IdentityInfo"}

func TestBuiltinCoverage(t *testing.T) {
	all := Builtin().All()
	if len(all) < 20 {
		t.Errorf("built-in library has %d queries, want at least 20", len(all))
	}
	for _, f := range wantFamilies {
		if len(Builtin().List(Filter{Family: f})) == 0 {
			t.Errorf("no built-in query for %s", f)
		}
	}
	for _, q := range all {
		if q.Description == "" || !strings.Contains(q.Text, "{table}") {
			t.Errorf("%s: needs a description and a {table} placeholder", q.Name)
		}
	}
}

// sampleArgs are values for the parameters that have no default.
var sampleArgs = map[string]any{
	"user":    "someone@contoso.com",
	"ip_list": []string{"203.0.113.7", "198.51.100.1"},
	"entity":  "someone",
	"label":   "Confidential",
}

// TestBuiltinRunsOnEngine renders every built-in query and runs it on the
// embedded engine over the sample tenant: the library must be valid KQL
// with the real schemas.
func TestBuiltinRunsOnEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("generates the sample tenant")
	}
	end := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	p, err := local.New("local", nil, local.Options{Sample: sampledata.Config{End: end}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := p.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	ses := p.NewSession()
	rows := map[string]int{}
	for _, q := range Builtin().All() {
		args := map[string]any{}
		for _, n := range q.Required() {
			v, ok := sampleArgs[n]
			if !ok {
				t.Fatalf("%s: no sample value for required parameter %s", q.Name, n)
			}
			args[n] = v
		}
		text, err := q.Render(args, RenderOptions{Now: end})
		if err != nil {
			t.Errorf("%s: render: %v", q.Name, err)
			continue
		}
		res, err := ses.Run(ctx, text, providers.QueryOptions{})
		if err != nil {
			t.Errorf("%s: %v\n%s", q.Name, err, text)
			continue
		}
		if len(res) != 1 {
			t.Errorf("%s: %d results, want 1", q.Name, len(res))
			continue
		}
		rows[q.Name] = res[0].Table.Rows()
	}
	// The planted stories must be found by the queries written for them.
	for _, name := range []string{"OfficeActivity.mailbox_rule_creation", "CloudAppEvents.label_downgrades", "SigninLogs.failed_signins_by_user",
		"McasShadowItReporting.shadow_it_uploads", "PurviewDataSensitivityLogs.sensitive_data_discovered"} {
		if rows[name] == 0 {
			t.Errorf("%s found nothing in the sample tenant", name)
		}
	}
	t.Logf("rows: %v", rows)
}
