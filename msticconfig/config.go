// Package msticconfig owns reading and validating msticpyconfig.yaml, the
// settings file MSTICPy users already have: Sentinel workspaces, Kusto
// clusters, query paths, TI/other/data provider arguments, Key Vault and
// Azure authentication settings, user defaults.
//
// The file is kept as a yaml.v3 node tree so that every finding names its
// key path and line, unknown keys survive a round trip, and Masked can
// render the file with every secret replaced by ********. Secrets written as
// {EnvironmentVar: NAME} are read when used (Setting.Resolve), never at load;
// {KeyVault: ...} references need a KeyVaultResolver.
package msticconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// FileName is the name MSTICPy looks for in the current directory and in
// ~/.msticpy.
const FileName = "msticpyconfig.yaml"

// ConfigEnv names the environment variable holding the config path.
const ConfigEnv = "MSTICPYCONFIG"

// ErrNotFound is returned by Locate and Load when no config file exists in
// any of the places MSTICPy looks.
var ErrNotFound = errors.New("no msticpyconfig.yaml found")

// Config is a parsed msticpyconfig.yaml.
type Config struct {
	File string // the path it was read from, as given

	doc      *yaml.Node // the document node; nil for an empty file
	findings []Finding

	workspaces    map[string]Workspace
	kusto         map[string]KustoCluster
	kustoOrder    []string
	kustoDefaults map[string]Setting
	kustoEntries  []entry
	queryDefault  []string
	queryCustom   []string
	localData     []string
	localQueries  []string
	azure         AzureSettings
	azureCLI      AzureCLI
	keyVault      KeyVaultSettings
	hasKeyVault   bool
	tiProviders   map[string]Provider
	otherProvs    map[string]Provider
	dataProviders map[string]Provider
	userProviders []UserProvider
	components    []string

	kvResolver KeyVaultResolver
}

// Locate finds the config file the way MSTICPy does: an explicit path, else
// $MSTICPYCONFIG, else ./msticpyconfig.yaml, else ~/.msticpy/msticpyconfig.yaml.
// An explicit path or $MSTICPYCONFIG that names a missing file is an error
// (rather than a silent fall back to another file).
func Locate(explicit string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", fmt.Errorf("msticconfig: %w", err)
		}
		return explicit, nil
	}
	if p := os.Getenv(ConfigEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("msticconfig: $%s=%s: %w", ConfigEnv, p, err)
		}
		return p, nil
	}
	tried := []string{"$" + ConfigEnv + " (not set)", "./" + FileName}
	if _, err := os.Stat(FileName); err == nil {
		return FileName, nil
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, ".msticpy", FileName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	return "", fmt.Errorf("msticconfig: %w (looked at %s)", ErrNotFound, strings.Join(tried, ", "))
}

// Load locates (see Locate), reads and validates the config. On validation
// errors it returns both the Config (for its Findings) and an *InvalidError.
func Load(explicit string) (*Config, error) {
	path, err := Locate(explicit)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("msticconfig: %w", err)
		}
		return nil, fmt.Errorf("msticconfig: %w", err)
	}
	return Parse(path, data)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse validates config text; file names it in findings. A YAML syntax
// error is reported as a finding too. The returned Config is never nil; the
// error is an *InvalidError when any finding is an error.
func Parse(file string, data []byte) (*Config, error) {
	cfg := &Config{File: file}
	c := &checker{file: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := 0, err.Error()
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		} else {
			msg = strings.TrimPrefix(msg, "yaml: ")
		}
		c.findings = append(c.findings, Finding{File: file, Line: line, Severity: Error, Message: "invalid YAML: " + msg})
	} else if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 && !isNull(doc.Content[0]) {
		cfg.doc = &doc
		cfg.validate(c, doc.Content[0])
	} else {
		c.warnf(nil, "", "file is empty: no settings")
	}
	cfg.findings = c.findings
	return cfg, cfg.Err()
}

// Findings returns every finding in file order (errors and warnings).
func (c *Config) Findings() []Finding { return c.findings }

// Err returns an *InvalidError listing the error-severity findings, or nil.
func (c *Config) Err() error {
	var errs []Finding
	for _, f := range c.findings {
		if f.Severity == Error {
			errs = append(errs, f)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &InvalidError{File: c.File, Findings: errs}
}

// SetKeyVaultResolver plugs in Key Vault access for KeyVault settings.
func (c *Config) SetKeyVaultResolver(r KeyVaultResolver) { c.kvResolver = r }

// Node returns the document's root node (nil for an empty file): unknown
// keys and comments included, for round trips.
func (c *Config) Node() *yaml.Node {
	if c.doc == nil {
		return nil
	}
	return c.doc.Content[0]
}

// Bytes re-encodes the config as read, unknown keys and comments included.
// It contains secrets: use Masked for display.
func (c *Config) Bytes() ([]byte, error) {
	if c.doc == nil {
		return nil, nil
	}
	return encode(c.doc)
}

func encode(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("msticconfig: encode: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("msticconfig: encode: %w", err)
	}
	return b.Bytes(), nil
}
