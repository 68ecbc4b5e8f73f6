package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/huntbook/huntbook/kernel/interp"
	"github.com/huntbook/huntbook/kql/geoip"
	"github.com/huntbook/huntbook/msticconfig"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/local"

	// Remote provider kinds register themselves.
	_ "github.com/huntbook/huntbook/providers/defender"
	_ "github.com/huntbook/huntbook/providers/kusto"
	_ "github.com/huntbook/huntbook/providers/sentinel"
)

// openProvider opens the provider a command or the kernel was asked for:
// the embedded engine over workspace folders (or the sample tenant) for ""
// and "local", otherwise a workspace or cluster configured in
// msticpyconfig.yaml (found as MSTICPy finds it), with overrides such as
// endpoint, auth and token_env.
func openProvider(name string, workspaces []string, overrides map[string]string) (providers.Provider, error) {
	if name == "" || strings.EqualFold(name, local.Kind) {
		if len(workspaces) > 0 || name == "" {
			return local.New(local.Kind, workspaces, local.Options{GeoIP: geoIPPath()})
		}
	}
	cfg, err := msticconfig.Load("")
	var invalid *msticconfig.InvalidError
	if err != nil && !errors.As(err, &invalid) {
		if strings.EqualFold(name, local.Kind) {
			return local.New(local.Kind, nil, local.Options{GeoIP: geoIPPath()})
		}
		if !errors.Is(err, msticconfig.ErrNotFound) {
			return nil, fmt.Errorf("provider %q needs msticpyconfig.yaml: %w", name, err)
		}
		// No file: a provider named by kind with its settings on the
		// command line (defender --token-env ...) still opens, and its
		// own errors (a bad --endpoint) are the ones to show; a name only
		// a config defines says where the file was looked for.
		p, ferr := providers.FromConfig(nil, name, overrides)
		if ferr != nil {
			if strings.Contains(ferr.Error(), "no msticpyconfig.yaml loaded") {
				return nil, fmt.Errorf("provider %q needs msticpyconfig.yaml: %w", name, err)
			}
			return nil, ferr
		}
		return p, nil
	}
	if invalid != nil {
		// An error in another workspace's or cluster's entry does not stop
		// this one: one typo would otherwise block all remote hunting.
		if blocking := findingsFor(invalid.Findings, name); len(blocking) > 0 || cfg == nil {
			return nil, fmt.Errorf("msticpyconfig.yaml has errors (run 'huntbook config validate'): %w", err)
		}
	}
	return providers.FromConfig(cfg, name, overrides)
}

// findingsFor keeps the findings that concern the provider named name:
// those in its own entry and those outside any provider's entry (Azure,
// AzureCLI: every provider's sign-in). A finding inside another entry of
// AzureSentinel.Workspaces, KustoClusters or DataProviders is left out.
func findingsFor(fs []msticconfig.Finding, name string) []msticconfig.Finding {
	var out []msticconfig.Finding
	for _, f := range fs {
		entry := ""
		for _, prefix := range []string{"AzureSentinel.Workspaces.", "KustoClusters.", "DataProviders."} {
			if rest, ok := strings.CutPrefix(f.Path, prefix); ok {
				entry, _, _ = strings.Cut(rest, ".")
			}
		}
		switch entry {
		case "", "ClusterDefaults", "AzureCLI":
			out = append(out, f)
			continue
		}
		if strings.EqualFold(entry, name) || strings.EqualFold(entry, "Kusto-"+name) || name == "" && entry == "Default" {
			out = append(out, f)
		}
	}
	return out
}

// geoIPPath is the GeoIP database (or folder) the embedded engine's
// geo_info_from_ip_address() reads: $HUNTBOOK_GEOIP, else the DBFolder of
// MSTICPy's GeoIPLite provider in msticpyconfig.yaml when it holds a
// database (where MSTICPy keeps GeoLite2-City.mmdb), else "": a workspace's
// own, if it has one.
func geoIPPath() string {
	if p := os.Getenv("HUNTBOOK_GEOIP"); p != "" {
		return p
	}
	// A config with findings still says where the database is (huntbook
	// only reads it, so GeoIPLite's AuthKey for downloads does not matter).
	cfg, _ := msticconfig.Load("")
	if cfg == nil {
		return ""
	}
	dir, err := cfg.OtherProviders()["GeoIPLite"].Args["DBFolder"].Resolve()
	if err != nil || dir == "" {
		return ""
	}
	if rest, ok := strings.CutPrefix(dir, "~"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, rest)
		}
	}
	if geoip.Find(dir) == "" {
		return "" // configured but not downloaded yet: not an error
	}
	return dir
}

// brokenEngine answers every query with the error that kept the kernel's
// provider from opening, so the user sees why in the cell, not in a log.
type brokenEngine struct{ err error }

func (b brokenEngine) Run(context.Context, string) ([]interp.Result, error) { return nil, b.err }
func (b brokenEngine) Complete(code string, cursor int) ([]string, int, int) {
	return nil, cursor, cursor
}
func (b brokenEngine) Inspect(string, int) (string, bool) { return "", false }
