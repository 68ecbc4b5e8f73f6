package ueba

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/kql/workspace"
)

var day0 = types.TimeToTicks(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))

func at(days int) int64 { return day0 + int64(days)*types.Day }

// memberRecord is an AuditLogs group membership record as Entra ID writes
// it: the member is the target, the group in its modified properties.
func memberRecord(t *testing.T, add bool, member, groupID, groupName string) any {
	t.Helper()
	field := "oldValue"
	if add {
		field = "newValue"
	}
	js := `[{"id":"` + member + `","type":"User","modifiedProperties":[` +
		`{"displayName":"Group.ObjectID","` + field + `":"\"` + groupID + `\""},` +
		`{"displayName":"Group.DisplayName","` + field + `":"\"` + groupName + `\""}]}]`
	v, err := types.ParseJSON(js)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMemberChangesFromAuditLogs(t *testing.T) {
	dir := t.TempDir()
	d := tenant()
	d.Users = []User{{ID: "u1", UPN: "ann@x.com"}}
	d.Groups = []Group{{ID: "g1", DisplayName: "team", MemberUsers: []string{"u1"}}, {ID: "g2", DisplayName: "admins"}}
	js, _ := json.Marshal(d)
	if err := os.WriteFile(filepath.Join(dir, "entities.json"), js, 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.Open(dir, workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	logs := newTable("AuditLogs")
	for _, r := range []struct {
		op, result string
		when       int64
		targets    any
	}{
		{"Remove member from group", "success", at(3), memberRecord(t, false, "u1", "g1", "team")},
		{"Add member to group", "success", at(1), memberRecord(t, true, "u1", "unknown-object-id", "admins")}, // found by name
		{"Add member to group", "failure", at(2), memberRecord(t, true, "u1", "g1", "team")},                  // failed: no change
		{"Add member to group", "success", at(4), memberRecord(t, true, "u2", "g9", "nowhere")},               // unknown group kept
	} {
		logs.AppendRow(rowOf(logs, map[string]types.Value{"OperationName": types.NewString(r.op), "Result": types.NewString(r.result),
			"TimeGenerated": types.NewDateTime(r.when), "TargetResources": types.NewDynamic(r.targets)}))
	}
	ws.Add(logs)
	got, err := LoadDirectory(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	want := []MemberChange{
		{GroupID: "g2", MemberID: "u1", Added: true, At: at(1)},
		{GroupID: "g1", MemberID: "u1", Added: false, At: at(3)},
		{GroupID: "g9", MemberID: "u2", Added: true, At: at(4)},
	}
	if len(got.MemberChanges) != len(want) {
		t.Fatalf("changes %+v, want %+v", got.MemberChanges, want)
	}
	for i := range want {
		if got.MemberChanges[i] != want[i] {
			t.Errorf("change %d: %+v, want %+v", i, got.MemberChanges[i], want[i])
		}
	}
	// membership over time
	for _, c := range []struct {
		asOf int64
		want []string
	}{
		{at(0), []string{"g1"}}, {at(1), []string{"g1", "g2"}}, {at(3), []string{"g2"}}, {0, []string{"g2"}},
	} {
		r := reachOf(NewAccessGraph(got, c.asOf), "ann@x.com")
		var groups []string
		for _, g := range []string{"team", "admins"} {
			if _, ok := r[g+"|Member"]; ok {
				groups = append(groups, map[string]string{"team": "g1", "admins": "g2"}[g])
			}
		}
		if len(groups) != len(c.want) || (len(groups) > 0 && groups[0] != c.want[0]) || (len(groups) > 1 && groups[1] != c.want[1]) {
			t.Errorf("as of day %d: Ann is in %v, want %v", (c.asOf-day0)/types.Day, groups, c.want)
		}
	}
}

func TestUserAccessAnalyticsEndedGrants(t *testing.T) {
	d := tenant()
	d.Users = []User{{ID: "u1", UPN: "ann@x.com", DisplayName: "Ann"}, {ID: "u2", UPN: "bob@x.com", DisplayName: "Bob"}}
	d.Groups = []Group{
		{ID: "g1", DisplayName: "team", MemberUsers: []string{"u1", "u2"}},
		{ID: "g2", DisplayName: "ops"},
	}
	d.RoleAssignments = []RoleAssignment{
		{ID: "ra1", RoleName: "Contributor", PrincipalID: "u1", Scope: "/subscriptions/s1/resourceGroups/rg1", End: at(2)},
		{ID: "ra2", RoleName: "Reader", PrincipalID: "g1", Scope: "/subscriptions/s1"},
		{ID: "ra3", RoleName: "Reader", PrincipalID: "g2", Scope: "/subscriptions/s1"},
		{ID: "ra4", RoleName: "Key Vault Administrator", PrincipalID: "g1", Scope: "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/kv1", Start: at(1), End: at(5)},
	}
	d.MemberChanges = []MemberChange{
		{GroupID: "g2", MemberID: "u1", Added: true, At: at(3)},
		{GroupID: "g1", MemberID: "u1", Added: false, At: at(4)},
	}
	d.resolveLabels()
	asOf := at(6)
	tb := &Tables{Directory: d, asOf: asOf, Graph: NewAccessGraph(d, asOf), tenant: "t"}
	tb.buildAccess()
	type row struct {
		src, target, level, typ, reason string
		start, end                      int64
	}
	rows := map[[3]string]row{}
	c := columnsOf(tb.UserAccessAnalytics)
	src, tgt, lvl, typ, reason, start, end := c.str("SourceEntityName"), c.str("TargetEntityName"), c.str("AccessLevel"),
		c.str("AccessType"), c.str("AccessEndReason"), c.ticks("AccessStartTime"), c.ticks("AccessEndTime")
	for i := range tb.UserAccessAnalytics.Rows() {
		k := [3]string{src(i), tgt(i), lvl(i)}
		if _, dup := rows[k]; dup {
			t.Errorf("two rows for %v", k)
		}
		rows[k] = row{src(i), tgt(i), lvl(i), typ(i), reason(i), start(i), end(i)}
	}
	want := []row{
		// Ann: direct Contributor deleted on day 2
		{"ann@x.com", "rg1", "Contributor", "Direct", EndRoleDeleted, 0, at(2)},
		{"ann@x.com", "kv1", "Contributor", "Inherited", EndRoleDeleted, 0, at(2)},
		// removed from team on day 4: its membership and Key Vault role end then
		{"ann@x.com", "team", "Member", "Direct", EndRemovedFromGroup, 0, at(4)},
		{"ann@x.com", "kv1", "Key Vault Administrator", "Group", EndRemovedFromGroup, at(1), at(4)},
		// Reader on Prod goes on through ops, joined on day 3 (the path the row describes)
		{"ann@x.com", "Prod", "Reader", "Group", "", at(3), 0},
		{"ann@x.com", "ops", "Member", "Direct", "", at(3), 0},
		// Bob stays in team; its Key Vault role assignment was deleted on day 5
		{"bob@x.com", "kv1", "Key Vault Administrator", "Group", EndRoleDeleted, at(1), at(5)},
		{"bob@x.com", "team", "Member", "Direct", "", 0, 0},
	}
	for _, w := range want {
		g, ok := rows[[3]string{w.src, w.target, w.level}]
		if !ok {
			t.Errorf("no row %s -> %s %s", w.src, w.target, w.level)
			continue
		}
		if g.typ != w.typ || g.reason != w.reason || g.end != w.end || g.start != w.start {
			t.Errorf("%s -> %s %s: %s, ended %q at day %d (start %d); want %s, %q at day %d (start %d)", w.src, w.target, w.level,
				g.typ, g.reason, (g.end-day0)/types.Day, g.start, w.typ, w.reason, (w.end-day0)/types.Day, w.start)
		}
	}
	// an ended access never also appears as current
	for k, r := range rows {
		if r.end != 0 && r.end > asOf {
			t.Errorf("%v ends after the build's instant", k)
		}
	}
}
