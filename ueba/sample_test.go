package ueba

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/workspace"
	"github.com/huntbook/huntbook/sampledata"
)

// sampleEnd pins the generated tenant so every run sees the same data.
var sampleEnd = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

type groundTruth struct {
	Stories []struct {
		ID       string `json:"id"`
		Entities []struct {
			Kind, ID, Name, Role string
		} `json:"entities"`
		Rows []struct {
			Table  string   `json:"table"`
			Column string   `json:"column"`
			Values []string `json:"values"`
		} `json:"rows"`
	} `json:"stories"`
}

var sample struct {
	once   sync.Once
	dir    string
	ws     *workspace.Workspace
	tables *Tables
	truth  groundTruth
	err    error
}

// sampleTables generates the sample tenant (seed 1, fixed end) once per
// test binary and builds the UEBA tables from it.
func sampleTables(t testing.TB) (*Tables, *groundTruth, *workspace.Workspace) {
	t.Helper()
	sample.once.Do(func() {
		dir, err := os.MkdirTemp("", "ueba-sample-")
		if err != nil {
			sample.err = err
			return
		}
		sample.dir = dir
		if sample.err = sampledata.WriteWorkspace(dir, sampledata.Config{Seed: 1, End: sampleEnd}); sample.err != nil {
			return
		}
		data, err := os.ReadFile(filepath.Join(dir, "ground_truth.json"))
		if err != nil {
			sample.err = err
			return
		}
		if sample.err = json.Unmarshal(data, &sample.truth); sample.err != nil {
			return
		}
		if sample.ws, sample.err = workspace.Open(dir, workspace.Options{}); sample.err != nil {
			return
		}
		sample.tables, sample.err = Build(context.Background(), sample.ws, Options{Now: sampleEnd})
	})
	if sample.err != nil {
		t.Fatal(sample.err)
	}
	return sample.tables, &sample.truth, sample.ws
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sample.dir != "" {
		os.RemoveAll(sample.dir)
	}
	os.Exit(code)
}
