package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/huntbook/huntbook/kql/workspace"
)

// LoadFiles parses rule files, returning the valid rules and every
// diagnostic; err joins the files' errors (a rule with errors is left out).
func LoadFiles(paths ...string) (rules []*Rule, diags []Diagnostic, err error) {
	var errs []error
	for _, p := range paths {
		r, ds, rerr := ParseFile(p)
		if rerr != nil {
			errs = append(errs, rerr)
			continue
		}
		diags = append(diags, ds...)
		if e := Errors(ds); e != nil {
			errs = append(errs, e)
			continue
		}
		rules = append(rules, r)
	}
	return rules, diags, errors.Join(errs...)
}

// ReplayWorkspace replays rules over a workspace folder. A zero opts.To is
// the workspace's end (workspace.json "end"); a zero opts.From is its
// start ("start", else 14 days before the end); an empty WorkspaceID is
// workspace.json's "workspaceId".
func ReplayWorkspace(ctx context.Context, w *workspace.Workspace, rules []*Rule, opts Options) (*Report, error) {
	var info struct {
		Start       string `json:"start"`
		WorkspaceID string `json:"workspaceId"`
	}
	data, err := os.ReadFile(filepath.Join(w.Dir, "workspace.json"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err == nil {
		if err := json.Unmarshal(data, &info); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(w.Dir, "workspace.json"), err)
		}
	}
	if opts.To.IsZero() {
		if w.End.IsZero() {
			return nil, fmt.Errorf("workspace %s records no end (workspace.json \"end\"): give the replay's end time", w.Name)
		}
		opts.To = w.End
	}
	if opts.From.IsZero() {
		opts.From = opts.To.Add(-14 * 24 * time.Hour)
		if info.Start != "" {
			if t, err := time.Parse(time.RFC3339Nano, info.Start); err == nil {
				opts.From = t
			}
		}
	}
	if opts.WorkspaceID == "" {
		opts.WorkspaceID = info.WorkspaceID
	}
	return Replay(ctx, rules, WorkspaceCatalog(w), opts)
}
