package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/sampledata"
)

func TestUEBACommands(t *testing.T) {
	dir := t.TempDir()
	if err := sampledata.WriteWorkspace(dir, sampledata.Config{Users: 40, Days: 10, End: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	var truth struct {
		Stories []struct {
			ID       string
			Entities []struct{ Kind, ID, Name string }
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "ground_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatal(err)
	}
	var victim, sp string
	for _, s := range truth.Stories {
		for _, e := range s.Entities {
			switch {
			case s.ID == "S1-account-takeover" && e.Kind == "account":
				victim = e.Name
			case s.ID == "S3-service-principal-owner" && e.Kind == "servicePrincipal":
				sp = e.Name
			}
		}
	}
	png, svg := filepath.Join(dir, "peers.png"), filepath.Join(dir, "blast.svg")
	tests := []struct {
		args []string
		code int
		msg  string // in stdout on success, stderr otherwise
	}{
		{[]string{"ueba", "build", "--workspace", dir, "--window", "30d"}, 0, "full build (no saved baseline"},
		// nothing new: the saved baseline and the written rows are read back
		{[]string{"ueba", "build", "--workspace", dir, "--window", "30d"}, 0, "incremental: 0 new activities from 2026-11-23T00:00:00Z"},
		{[]string{"ueba", "build", "--workspace", dir, "--window", "20d"}, 0, "full build (the saved baseline was built with other options"},
		{[]string{"ueba", "build", "--workspace", dir, "--window", "30d", "--full"}, 0, "full build: "},
		{[]string{"ueba", "peers", "--workspace", dir, "--png", png, victim}, 0, "PeerUserPrincipalName"},
		{[]string{"ueba", "blast-radius", "--workspace", dir, "--svg", svg, "--format", "csv", sp}, 0, "Finance-Prod"},
		{[]string{"ueba", "timeline", "--workspace", dir, victim}, 0, "Unfamiliar sign-in properties"},
		{[]string{"ueba", "build"}, 1, "--workspace DIR is required"},
		{[]string{"ueba", "build", "--workspace", dir, "--window", "month"}, 1, `--window "month"`},
		{[]string{"ueba", "peers", "--workspace", dir}, 2, "want one USER"},
		{[]string{"ueba", "peers", "--workspace", dir, "nobody@nowhere"}, 1, `no user "nobody@nowhere"`},
		{[]string{"ueba", "timeline", "--workspace", dir, "--format", "xml", victim}, 2, `unknown --format "xml"`},
	}
	for _, tc := range tests {
		var o, e bytes.Buffer
		code := run(tc.args, &o, &e)
		got := e.String()
		if tc.code == 0 {
			got = o.String()
		}
		if code != tc.code || !strings.Contains(got, tc.msg) {
			t.Errorf("%q = %d, out %.300q, err %q; want %d with %q", tc.args, code, o.String(), e.String(), tc.code, tc.msg)
		}
	}
	for _, f := range []string{"BehaviorAnalytics.jsonl", "BehaviorAnalytics.schema.json", "UserPeerAnalytics.jsonl", "UserAccessAnalytics.jsonl", "peers.png", "blast.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	// the written tables are plain KQL tables
	var o, e bytes.Buffer
	if code := run([]string{"query", "--workspace", dir, "--format", "csv", "UserAccessAnalytics | where SourceEntityName == '" + sp + "' and TargetEntityType == 'AzureSubscription' | project AccessLevel"}, &o, &e); code != 0 || !strings.Contains(o.String(), "Owner") {
		t.Errorf("query over UserAccessAnalytics: %d %q %q", code, o.String(), e.String())
	}
}
