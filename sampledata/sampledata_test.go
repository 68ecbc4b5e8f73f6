package sampledata

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

var testEnd = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// small is a quick tenant for tests that write to disk.
var small = Config{Users: 40, Days: 10, End: testEnd}

var (
	defaultOnce   sync.Once
	defaultTenant *Tenant
	defaultErr    error
)

// tenant returns the default tenant (300 users, 30 days), built once.
func tenant(t *testing.T) *Tenant {
	t.Helper()
	defaultOnce.Do(func() { defaultTenant, defaultErr = Generate(Config{End: testEnd}) })
	if defaultErr != nil {
		t.Fatal(defaultErr)
	}
	return defaultTenant
}

func strs(t *testing.T, tb *table.Table, col string) []string {
	t.Helper()
	c := tb.Column(col)
	if c == nil {
		t.Fatalf("%s has no column %s", tb.Name, col)
	}
	return c.Strs
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWorkspaceDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, w := range []struct {
		dir string
		cfg Config
	}{{a, small}, {b, small}, {c, Config{Users: 40, Days: 10, End: testEnd, Seed: 2}}} {
		if err := WriteWorkspace(w.dir, w.cfg); err != nil {
			t.Fatal(err)
		}
	}
	ta, tb, tc := readTree(t, a), readTree(t, b), readTree(t, c)
	want := []string{"workspace.json", "entities.json", "ground_truth.json", "watchlists/SensitivityLabels.csv", "watchlists/SensitivityLabels.meta.json"}
	for _, n := range TableNames() {
		want = append(want, n+".jsonl", n+".schema.json")
	}
	for _, n := range want {
		if _, ok := ta[n]; !ok {
			t.Errorf("workspace lacks %s", n)
		}
	}
	if len(ta) != len(tb) {
		t.Fatalf("runs wrote %d and %d files", len(ta), len(tb))
	}
	for n, x := range ta {
		if !bytes.Equal(x, tb[n]) {
			t.Errorf("%s differs between two runs with the same seed", n)
		}
	}
	if bytes.Equal(ta["SigninLogs.jsonl"], tc["SigninLogs.jsonl"]) {
		t.Error("seed 2 wrote the same SigninLogs as seed 1")
	}
	// every line is a JSON object whose keys are columns of the table
	for _, n := range TableNames() {
		s, _ := Schema(n)
		lines := bytes.Split(bytes.TrimSpace(ta[n+".jsonl"]), []byte("\n"))
		for i, l := range lines[:min(len(lines), 200)] {
			if len(l) == 0 {
				continue
			}
			var obj map[string]any
			if err := json.Unmarshal(l, &obj); err != nil {
				t.Fatalf("%s.jsonl line %d: %v", n, i+1, err)
			}
			for k := range obj {
				if s.Index(k) < 0 {
					t.Fatalf("%s.jsonl line %d: %s is not a column", n, i+1, k)
				}
			}
		}
	}
	var info workspaceInfo
	if err := json.Unmarshal(ta["workspace.json"], &info); err != nil || info.End != "2026-11-23T00:00:00Z" {
		t.Errorf("workspace.json end = %q (%v)", info.End, err)
	}
}

func TestInMemoryMatchesWorkspaceCounts(t *testing.T) {
	dir := t.TempDir()
	if err := WriteWorkspace(dir, small); err != nil {
		t.Fatal(err)
	}
	ten, err := Generate(small)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range TableNames() {
		b, err := os.ReadFile(filepath.Join(dir, n+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		if lines := bytes.Count(b, []byte("\n")); lines != ten.Tables[n].Rows() {
			t.Errorf("%s: %d lines on disk, %d rows in memory", n, lines, ten.Tables[n].Rows())
		}
	}
}

// TestSchemasMatchBuiltin checks every generated table against the built-in
// schema in kql/schemas/data (hidden _ columns aside) and the workspace's
// own Name.schema.json.
func TestSchemasMatchBuiltin(t *testing.T) {
	ten := tenant(t)
	for _, n := range TableNames() {
		got := ten.Tables[n].Schema()
		gen, _ := Schema(n)
		if !slices.Equal(got, gen) {
			t.Errorf("%s: table schema %v differs from Schema()", n, got)
		}
		b, err := os.ReadFile(filepath.Join("..", "kql", "schemas", "data", n+".json"))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var f struct{ Properties []struct{ Name, Type string } }
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("%s.json: %v", n, err)
		}
		want := map[string]types.Type{}
		for _, p := range f.Properties {
			if strings.HasPrefix(p.Name, "_") {
				continue
			}
			typ, ok := types.Parse(p.Type)
			if !ok {
				t.Fatalf("%s.json: column %s has unknown type %s", n, p.Name, p.Type)
			}
			want[p.Name] = typ
		}
		have := map[string]types.Type{}
		for _, c := range got {
			have[c.Name] = c.Type
		}
		for name, typ := range want {
			if h, ok := have[name]; !ok {
				t.Errorf("%s: missing column %s:%s", n, name, typ)
			} else if h != typ {
				t.Errorf("%s.%s: generated %s, built-in %s", n, name, h, typ)
			}
		}
		for name := range have {
			if _, ok := want[name]; !ok {
				t.Errorf("%s: column %s is not in the built-in schema", n, name)
			}
		}
	}
}

func TestEveryTableHasRows(t *testing.T) {
	ten := tenant(t)
	for _, n := range TableNames() {
		if ten.Tables[n].Rows() == 0 {
			t.Errorf("%s is empty", n)
		}
	}
	if ten.Tables["SigninLogs"].Rows() < 20_000 {
		t.Errorf("only %d sign-ins for 300 users over 30 days", ten.Tables["SigninLogs"].Rows())
	}
	end := types.TimeToTicks(testEnd)
	start := end - 30*types.Day
	for _, n := range TableNames() {
		for i, x := range ten.Tables[n].Column("TimeGenerated").Ints {
			if x < start || x >= end {
				t.Fatalf("%s row %d: TimeGenerated %s outside the window", n, i, types.FormatDateTime(x))
			}
		}
	}
}

func TestReferentialIntegrity(t *testing.T) {
	ten := tenant(t)
	ii := ten.Tables["IdentityInfo"]
	upns, ids := map[string]bool{}, map[string]bool{}
	for i, u := range strs(t, ii, "AccountUPN") {
		upns[u] = true
		ids[strs(t, ii, "AccountObjectId")[i]] = true
	}
	sps := map[string]bool{}
	for _, sp := range ten.Model.ServicePrincipals {
		sps[sp.ID] = true
	}
	checks := []struct {
		table, col string
		known      map[string]bool
		alsoSP     bool
	}{
		{"SigninLogs", "UserPrincipalName", upns, false},
		{"SigninLogs", "UserId", ids, false},
		{"OfficeActivity", "UserId", upns, false},
		{"CloudAppEvents", "AccountObjectId", ids, false},
		{"McasShadowItReporting", "UserName", upns, false},
		{"AzureActivity", "Caller", upns, true},
	}
	for _, c := range checks {
		for i, v := range strs(t, ten.Tables[c.table], c.col) {
			if !c.known[v] && !(c.alsoSP && sps[v]) {
				t.Fatalf("%s row %d: %s %q is not in IdentityInfo", c.table, i, c.col, v)
			}
		}
	}
	for _, tb := range []string{"SecurityAlert"} {
		for i, e := range strs(t, ten.Tables[tb], "CompromisedEntity") {
			if e != "" && !upns[e] {
				t.Errorf("%s row %d: CompromisedEntity %q unknown", tb, i, e)
			}
		}
	}
	// label ids in events and scans exist in the watchlist
	labels := map[string]bool{}
	for _, id := range strs(t, ten.Watchlists["SensitivityLabels"], "LabelId") {
		labels[id] = true
	}
	ca := ten.Tables["CloudAppEvents"]
	seen := 0
	for i, raw := range ca.Column("RawEventData").Dyns {
		b, _ := raw.(*types.Bag)
		if b == nil {
			continue
		}
		d, ok := b.Get("SensitivityLabelEventData")
		if !ok {
			continue
		}
		for _, k := range []string{"SensitivityLabelId", "OldSensitivityLabelId"} {
			if id, ok := d.(*types.Bag).Get(k); ok {
				seen++
				if !labels[id.(string)] {
					t.Fatalf("CloudAppEvents row %d: %s %v not in the watchlist", i, k, id)
				}
			}
		}
	}
	if seen == 0 {
		t.Error("no label events in CloudAppEvents")
	}
	for i, d := range ten.Tables["PurviewDataSensitivityLogs"].Column("SensitivityLabelDetails").Dyns {
		for _, x := range asList(d) {
			if id, _ := x.(*types.Bag).Get("Id"); !labels[id.(string)] {
				t.Fatalf("PurviewDataSensitivityLogs row %d: label %v not in the watchlist", i, id)
			}
		}
	}
	// row ids are unique
	for _, n := range TableNames() {
		col := tableByName[n].idColumn
		if col == "" {
			continue
		}
		seen := map[string]int{}
		for i, v := range strs(t, ten.Tables[n], col) {
			if v == "" {
				t.Fatalf("%s row %d: empty %s", n, i, col)
			}
			if j, dup := seen[v]; dup {
				t.Fatalf("%s rows %d and %d share %s %s", n, j, i, col, v)
			}
			seen[v] = i
		}
	}
}

func asList(d any) []any { l, _ := d.([]any); return l }

// rowsOf returns the indexes of the rows a RowRef names, failing if any is
// missing.
func rowsOf(t *testing.T, ten *Tenant, ref RowRef) []int {
	t.Helper()
	tb := ten.Tables[ref.Table]
	var out []int
	if ref.Column != "" {
		at := map[string]int{}
		for i, v := range strs(t, tb, ref.Column) {
			at[v] = i
		}
		for _, v := range ref.Values {
			i, ok := at[v]
			if !ok {
				t.Fatalf("%s has no row with %s %s", ref.Table, ref.Column, v)
			}
			out = append(out, i)
		}
		return out
	}
	for _, m := range ref.Match {
		found := -1
		for i := range tb.Rows() {
			ok := true
			for k, v := range m {
				if tb.Column(k).Value(i).String() != v {
					ok = false
					break
				}
			}
			if ok {
				found = i
			}
		}
		if found < 0 {
			t.Fatalf("%s has no row matching %v", ref.Table, m)
		}
		out = append(out, found)
	}
	return out
}

func story(t *testing.T, ten *Tenant, id string) Story {
	t.Helper()
	for _, s := range ten.Stories {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no story %s", id)
	return Story{}
}

// storyRows returns the story's rows of one table as maps column -> string.
func storyRowsOf(t *testing.T, ten *Tenant, s Story, tableName string) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, ref := range s.Rows {
		if ref.Table != tableName {
			continue
		}
		tb := ten.Tables[tableName]
		for _, i := range rowsOf(t, ten, ref) {
			m := map[string]string{}
			for _, c := range tb.Columns {
				m[c.Name] = c.Value(i).String()
			}
			out = append(out, m)
		}
	}
	return out
}

func TestStoriesGroundTruth(t *testing.T) {
	ten := tenant(t)
	if len(ten.Stories) != 5 {
		t.Fatalf("%d stories, want 5", len(ten.Stories))
	}
	for _, s := range ten.Stories {
		if len(s.Entities) == 0 || len(s.Rows) == 0 || s.start >= s.end {
			t.Errorf("%s: entities %d, rows %d, window %s..%s", s.ID, len(s.Entities), len(s.Rows), s.Start, s.End)
		}
		for _, ref := range s.Rows {
			for _, i := range rowsOf(t, ten, ref) {
				if ref.Table == "ThreatIntelligenceIndicator" || ref.Table == "McasShadowItReporting" {
					continue // context rows, outside the window by design
				}
				tg := ten.Tables[ref.Table].Column("TimeGenerated").Ints[i]
				// alerts and incidents are raised a little after the activity
				if tg < s.start || tg > s.end+time.Hour.Nanoseconds()/100 {
					t.Errorf("%s: %s row at %s outside %s..%s", s.ID, ref.Table, types.FormatDateTime(tg), s.Start, s.End)
				}
			}
		}
	}
	m := ten.Model

	t.Run("S1", func(t *testing.T) {
		s := story(t, ten, "S1-account-takeover")
		victim := s.Entities[0].Name
		signins := storyRowsOf(t, ten, s, "SigninLogs")
		if len(signins) == 0 || signins[0]["RiskLevelDuringSignIn"] != "high" || signins[0]["ResultType"] != "0" {
			t.Fatalf("first sign-in %v is not a successful high-risk one", signins[0])
		}
		country := signins[0]["Location"]
		// the victim never used that country before
		sl := ten.Tables["SigninLogs"]
		for i, u := range strs(t, sl, "UserPrincipalName") {
			if u == victim && strs(t, sl, "Location")[i] == country && sl.Column("TimeGenerated").Ints[i] < s.start {
				t.Fatalf("victim signed in from %s before the takeover", country)
			}
		}
		ops := map[string]int{}
		for _, r := range storyRowsOf(t, ten, s, "OfficeActivity") {
			ops[r["Operation"]]++
			if r["UserId"] != victim || r["ClientIP"] != signins[0]["IPAddress"] {
				t.Errorf("office row by %s from %s", r["UserId"], r["ClientIP"])
			}
		}
		if ops["New-InboxRule"] != 1 || ops["Set-InboxRule"] != 1 || ops["FileDownloaded"] < 40 {
			t.Errorf("office operations %v", ops)
		}
	})

	t.Run("S2", func(t *testing.T) {
		s := story(t, ten, "S2-insider-label-downgrade")
		insider := s.Entities[0].Name
		var ip string
		for _, e := range s.Entities {
			if e.Kind == "ip" {
				ip = e.ID
			}
		}
		// one successful risky sign-in through an anonymizer
		signins := storyRowsOf(t, ten, s, "SigninLogs")
		if len(signins) != 1 {
			t.Fatalf("%d story sign-ins, want 1", len(signins))
		}
		si := signins[0]
		if si["UserPrincipalName"] != insider || si["IPAddress"] != ip || si["ResultType"] != "0" ||
			(si["RiskLevelDuringSignIn"] != "medium" && si["RiskLevelDuringSignIn"] != "high") || si["RiskState"] != "atRisk" ||
			!strings.Contains(si["RiskEventTypes_V2"], "anonymizedIPAddress") {
			t.Errorf("sign-in is not the insider's successful risky one from %s: %v", ip, si)
		}
		var signedIn int64
		for _, ref := range s.Rows {
			if ref.Table == "SigninLogs" {
				signedIn = ten.Tables["SigninLogs"].Column("TimeGenerated").Ints[rowsOf(t, ten, ref)[0]]
			}
		}
		// from an address the tenant never saw outside the story
		storyIDs := map[string]bool{}
		for _, ref := range s.Rows {
			for _, v := range ref.Values {
				storyIDs[v] = true
			}
		}
		for tbl, cols := range map[string][2]string{"SigninLogs": {"IPAddress", "Id"}, "CloudAppEvents": {"IPAddress", "ReportId"},
			"OfficeActivity": {"ClientIP", "OfficeId"}} {
			ids := strs(t, ten.Tables[tbl], cols[1])
			for i, a := range strs(t, ten.Tables[tbl], cols[0]) {
				if a == ip && !storyIDs[ids[i]] {
					t.Errorf("%s row %s outside the story uses the insider's VPN address %s", tbl, ids[i], ip)
				}
			}
		}
		down, removed, uploads := 0, 0, 0
		firstChange := int64(0)
		cae := ten.Tables["CloudAppEvents"]
		for _, ref := range s.Rows {
			if ref.Table != "CloudAppEvents" {
				continue
			}
			for _, i := range rowsOf(t, ten, ref) {
				raw := cae.Column("RawEventData").Value(i).String()
				switch cae.Column("ActionType").Strs[i] {
				case "SensitivityLabelUpdated":
					if strings.Contains(raw, `"LabelEventType":2`) {
						down++
					}
				case "SensitivityLabelRemoved":
					removed++
				case "FileUploaded":
					if cae.Column("Application").Strs[i] == "MEGA" {
						uploads++
					}
				}
				if at := cae.Column("TimeGenerated").Ints[i]; (strings.Contains(raw, `"LabelEventType":2`) || strings.Contains(raw, `"LabelEventType":3`)) &&
					(firstChange == 0 || at < firstChange) {
					firstChange = at
				}
				// the session stays on the VPN, which Defender for Cloud Apps knows
				if cae.Column("IPAddress").Strs[i] != ip || !cae.Column("IsAnonymousProxy").Value(i).Bool() || cae.Column("CountryCode").Strs[i] != si["Location"] {
					t.Errorf("CloudAppEvents row %d from %s (anonymous proxy %v, %s), want %s in %s", i, cae.Column("IPAddress").Strs[i],
						cae.Column("IsAnonymousProxy").Value(i), cae.Column("CountryCode").Strs[i], ip, si["Location"])
				}
			}
		}
		if down < 10 || removed < 3 || uploads < 10 {
			t.Errorf("downgrades %d, removals %d, MEGA uploads %d", down, removed, uploads)
		}
		if lead := time.Duration(firstChange-signedIn) * 100; lead < 10*time.Minute || lead > 40*time.Minute {
			t.Errorf("first label downgrade or removal %v after the risky sign-in, want 10-40 minutes", lead)
		}
		for _, r := range storyRowsOf(t, ten, s, "OfficeActivity") {
			if r["UserId"] != insider || r["ClientIP"] != ip {
				t.Errorf("office row by %s from %s", r["UserId"], r["ClientIP"])
			}
		}
		mcas := storyRowsOf(t, ten, s, "McasShadowItReporting")
		if len(mcas) != 1 || !strings.Contains(mcas[0]["AppTags"], "unsanctioned") {
			t.Errorf("shadow IT rows %v", mcas)
		}
		// no background row uses MEGA
		for i, a := range strs(t, cae, "Application") {
			if a == "MEGA" && !storyIDs[strs(t, cae, "ReportId")[i]] {
				t.Errorf("background CloudAppEvents row %d uses MEGA", i)
			}
		}
	})

	t.Run("S3", func(t *testing.T) {
		s := story(t, ten, "S3-service-principal-owner")
		var grant map[string]string
		for _, r := range storyRowsOf(t, ten, s, "AzureActivity") {
			if r["OperationNameValue"] == "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE" && r["ActivityStatusValue"] == "Success" {
				grant = r
			}
		}
		if grant == nil || !strings.Contains(grant["Properties_d"], roleDefs["Owner"]) {
			t.Fatalf("no Owner role assignment write in %v", grant)
		}
		classified := false
		for _, x := range m.Resources {
			if strings.Contains(grant["ResourceId"], "/subscriptions/"+x.SubscriptionID+"/") && len(x.Classifications) > 0 {
				classified = true
			}
		}
		if !classified {
			t.Error("the subscription holds no classified resource")
		}
		audits := storyRowsOf(t, ten, s, "AuditLogs")
		if len(audits) == 0 || !slices.ContainsFunc(audits, func(r map[string]string) bool {
			return strings.HasPrefix(r["OperationName"], "Add app role assignment")
		}) {
			t.Errorf("audit rows %v", audits)
		}
	})

	t.Run("S4", func(t *testing.T) {
		s := story(t, ten, "S4-password-spray")
		users, ips, fails := map[string]bool{}, map[string]bool{}, 0
		for _, r := range storyRowsOf(t, ten, s, "SigninLogs") {
			users[r["UserPrincipalName"]] = true
			ips[r["IPAddress"]] = true
			if r["ResultType"] == "50126" {
				fails++
			}
		}
		if len(users) < len(m.Users)/2 || len(ips) > 3 || fails < len(users) {
			t.Errorf("%d users, %d IPs, %d failures", len(users), len(ips), fails)
		}
	})

	t.Run("S5", func(t *testing.T) {
		s := story(t, ten, "S5-peer-anomaly-key-vault")
		actor := s.Entities[0].Name
		kv := m.resource("kv-finance-prod")
		var peers []string
		var me *User
		for _, u := range m.Users {
			if u.UPN == actor {
				me = u
			}
		}
		mine := m.UserGroups(me.ID)
		for _, u := range m.Users {
			if u == me {
				continue
			}
			for _, g := range m.UserGroups(u.ID) {
				if slices.Contains(mine, g) && m.group(g).DisplayName != "SG-All-Staff" {
					peers = append(peers, u.UPN)
					break
				}
			}
		}
		if len(peers) == 0 {
			t.Fatal("actor has no peers")
		}
		aa := ten.Tables["AzureActivity"]
		storyIDs := s.Rows[0].Values
		touched := false
		for i, rid := range strs(t, aa, "ResourceId") {
			if !strings.HasPrefix(rid, kv.ID) {
				continue
			}
			caller := strs(t, aa, "Caller")[i]
			if slices.Contains(peers, caller) {
				t.Fatalf("peer %s touched the vault", caller)
			}
			if caller == actor {
				if !slices.Contains(storyIDs, strs(t, aa, "EventDataId")[i]) {
					t.Fatal("actor touched the vault outside the story")
				}
				touched = true
			}
		}
		if !touched {
			t.Error("actor never touched the vault")
		}
	})
}

// TestNoStories: without stories the tenant is exactly the storied tenant
// less the ground-truth rows.
func TestNoStories(t *testing.T) {
	with := tenant(t)
	cfg := with.Config
	cfg.NoStories = true
	without, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(without.Stories) != 0 {
		t.Fatalf("%d stories with NoStories", len(without.Stories))
	}
	drop := map[string]map[int]bool{}
	for _, s := range with.Stories {
		for _, ref := range s.Rows {
			if drop[ref.Table] == nil {
				drop[ref.Table] = map[int]bool{}
			}
			for _, i := range rowsOf(t, with, ref) {
				drop[ref.Table][i] = true
			}
		}
	}
	for _, n := range TableNames() {
		a, b := with.Tables[n], without.Tables[n]
		j := 0
		for i := range a.Rows() {
			if drop[n][i] {
				continue
			}
			if j >= b.Rows() {
				t.Fatalf("%s: storied tenant has extra background rows", n)
			}
			for c := range a.Columns {
				if x, y := a.Columns[c].Value(i).String(), b.Columns[c].Value(j).String(); x != y {
					t.Fatalf("%s row %d/%d column %s: %q vs %q", n, i, j, a.Columns[c].Name, x, y)
				}
			}
			j++
		}
		if j != b.Rows() {
			t.Errorf("%s: %d background rows with stories, %d without", n, j, b.Rows())
		}
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Users: 5}, "users 5"},
		{Config{Days: 3}, "days 3"},
		{Config{Scale: -1}, "scale -1"},
		{Config{Name: "Bad Name"}, `name "Bad Name"`},
		{Config{End: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}, "end 1990"},
	}
	for _, tc := range tests {
		_, err := Generate(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Generate(%+v) error = %v, want %q", tc.cfg, err, tc.want)
		}
		if err := WriteWorkspace(t.TempDir(), tc.cfg); err == nil {
			t.Errorf("WriteWorkspace(%+v) succeeded", tc.cfg)
		}
	}
}

func TestModelGraph(t *testing.T) {
	m := tenant(t).Model
	// nesting: every user reaches SG-All-Staff through their department group
	all := m.groupNamed("SG-All-Staff").ID
	for _, u := range m.Users {
		if !slices.Contains(m.UserGroups(u.ID), all) {
			t.Fatalf("%s is not in SG-All-Staff through nesting", u.UPN)
		}
	}
	scopes := map[string]bool{}
	for _, x := range m.ManagementGroups {
		scopes[x.ID] = true
	}
	for _, x := range m.Subscriptions {
		scopes[x.ID] = true
	}
	for _, x := range m.ResourceGroups {
		scopes[x.ID] = true
	}
	for _, x := range m.Resources {
		scopes[x.ID] = true
	}
	for _, ra := range m.RoleAssignments {
		if !scopes[ra.Scope] {
			t.Errorf("role assignment %s has unknown scope %s", ra.ID, ra.Scope)
		}
		if m.byID[ra.PrincipalID] == nil {
			t.Errorf("role assignment %s has unknown principal %s", ra.ID, ra.PrincipalID)
		}
	}
	classified := map[string]bool{}
	for _, a := range m.Assets {
		for _, c := range a.Classifications {
			classified[c] = true
		}
	}
	for _, c := range []string{"Credit Card Number", "U.S. Social Security Number (SSN)", "International Banking Account Number (IBAN)"} {
		if !classified[c] {
			t.Errorf("no asset classified %s", c)
		}
	}
}

// BenchmarkWorkspace streams tenants of two scales to disk; rows/s should
// stay about the same, showing generation is linear in volume.
func BenchmarkWorkspace(b *testing.B) {
	for _, scale := range []float64{1, 4} {
		b.Run("scale="+strings.TrimRight(strings.TrimRight(types.FormatReal(scale), "0"), "."), func(b *testing.B) {
			cfg := Config{End: testEnd, Scale: scale}
			rows := 0
			for b.Loop() {
				dir := b.TempDir()
				if err := WriteWorkspace(dir, cfg); err != nil {
					b.Fatal(err)
				}
				var info workspaceInfo
				raw, _ := os.ReadFile(filepath.Join(dir, "workspace.json"))
				json.Unmarshal(raw, &info)
				rows = 0
				for _, n := range info.Rows {
					rows += n
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

func BenchmarkGenerateDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Config{End: testEnd}); err != nil {
			b.Fatal(err)
		}
	}
}
