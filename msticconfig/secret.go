package msticconfig

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Mask replaces every secret value in output.
const Mask = "********"

// SettingKind says where a setting's value comes from.
type SettingKind int

const (
	// Unset: the key is absent or empty.
	Unset SettingKind = iota
	// Plain: the value is written in the file.
	Plain
	// EnvVar: {EnvironmentVar: NAME}, read from the environment at use time.
	EnvVar
	// KeyVault: {KeyVault: [vault/]secret}, read through a KeyVaultResolver.
	KeyVault
)

// KeyVaultResolver fetches a secret from Azure Key Vault. None is built in:
// huntbook works offline, so KeyVault settings fail with ErrKeyVaultOffline
// unless a resolver is plugged in with Config.SetKeyVaultResolver.
type KeyVaultResolver interface {
	GetSecret(vault, name string) (string, error)
}

// ErrKeyVaultOffline is wrapped by Resolve for KeyVault settings when no
// resolver is configured.
var ErrKeyVaultOffline = errors.New("Key Vault is not available offline (no Key Vault resolver configured)")

// ErrEnvUnset is wrapped by Resolve when the named environment variable is
// not set.
var ErrEnvUnset = errors.New("environment variable is not set")

// Setting is one provider argument as MSTICPy allows it: a plain value, an
// environment variable reference or a Key Vault reference. Its String and
// GoString never show a sensitive plain value, and Resolve is the only way
// to read one.
type Setting struct {
	Kind SettingKind
	Path string // key path, e.g. TIProviders.OTX.Args.AuthKey
	Line int
	// Sensitive is set for keys MSTICPy treats as secrets (AuthKey,
	// ClientSecret, password, ...): see IsSensitiveKey.
	Sensitive bool
	// EnvVar is the variable name for Kind EnvVar.
	EnvVar string
	// Vault and Secret name the Key Vault secret for Kind KeyVault. Vault is
	// empty when the KeyVault section's VaultName applies.
	Vault, Secret string

	plain string
	cfg   *Config
	bad   bool // present but invalid (already reported)
}

// Set reports whether the setting has a value or a reference.
func (s Setting) Set() bool { return s.Kind != Unset }

// String renders the setting without revealing a secret: sensitive plain
// values are masked, references show what they refer to (never the value).
func (s Setting) String() string {
	switch s.Kind {
	case Plain:
		if s.Sensitive {
			return Mask
		}
		return s.plain
	case EnvVar:
		return "{EnvironmentVar: " + s.EnvVar + "}"
	case KeyVault:
		if s.Vault != "" {
			return "{KeyVault: " + s.Vault + "/" + s.Secret + "}"
		}
		return "{KeyVault: " + s.Secret + "}"
	}
	return ""
}

// GoString keeps %#v from printing the unexported plain value.
func (s Setting) GoString() string {
	return fmt.Sprintf("msticconfig.Setting{%s: %s}", s.Path, s.String())
}

// Resolve returns the value: the plain text, the environment variable's
// current value (read now, not at load) or the Key Vault secret. Errors name
// the key path and never contain a secret.
func (s Setting) Resolve() (string, error) {
	switch s.Kind {
	case Unset:
		return "", nil
	case Plain:
		return s.plain, nil
	case EnvVar:
		v, ok := os.LookupEnv(s.EnvVar)
		if !ok {
			return "", fmt.Errorf("%s: %w: %s", s.Path, ErrEnvUnset, s.EnvVar)
		}
		return v, nil
	case KeyVault:
		var r KeyVaultResolver
		vault := s.Vault
		if s.cfg != nil {
			r = s.cfg.kvResolver
			if vault == "" {
				vault = s.cfg.keyVault.VaultName
			}
		}
		if r == nil {
			return "", fmt.Errorf("%s: secret %s/%s: %w", s.Path, vault, s.Secret, ErrKeyVaultOffline)
		}
		v, err := r.GetSecret(vault, s.Secret)
		if err != nil {
			// The resolver's error is its own; wrap it with where it came from.
			return "", fmt.Errorf("%s: Key Vault secret %s/%s: %w", s.Path, vault, s.Secret, err)
		}
		return v, nil
	}
	return "", fmt.Errorf("%s: unknown setting kind %d", s.Path, s.Kind)
}

// sensitiveSuffixes are the (lower-case) key name endings MSTICPy treats as
// secrets: its cred_key settings (AuthKey, ApiID, ClientSecret, password,
// accesskey) and the usual credential names.
var sensitiveSuffixes = []string{
	"key", "secret", "password", "passwd", "pwd", "token", "cookie",
	"connectionstring", "connection_str", "connstr", "apiid", "credential", "credentials", "sas",
}

// IsSensitiveKey reports whether a setting with this key name holds a secret
// and must be masked.
func IsSensitiveKey(name string) bool {
	l := strings.ToLower(name)
	for _, s := range sensitiveSuffixes {
		if strings.HasSuffix(l, s) {
			return true
		}
	}
	return false
}

// setting reads a provider argument: a scalar, or a mapping with exactly one
// of EnvironmentVar / KeyVault. For non-sensitive keys other shapes are
// passed through as MSTICPy does (ok, but Kind Unset); for sensitive keys
// they are errors.
func (c *checker) setting(n *yaml.Node, path, key string) (Setting, bool) {
	s := Setting{Path: path, Sensitive: IsSensitiveKey(key)}
	d := deref(n)
	if d != nil {
		s.Line = d.Line
	}
	switch {
	case isNull(d):
		return s, true
	case d.Kind == yaml.ScalarNode:
		s.Kind, s.plain = Plain, d.Value
		return s, true
	case d.Kind == yaml.MappingNode:
		es := c.entries(d, path)
		_, hasEnv := lookup(es, "EnvironmentVar")
		_, hasKV := lookup(es, "KeyVault")
		if !hasEnv && !hasKV {
			if s.Sensitive {
				c.errorf(n, path, "a secret must be a string or a mapping with EnvironmentVar or KeyVault")
				return s, false
			}
			return s, true
		}
		if hasEnv && hasKV {
			c.errorf(n, path, "give either EnvironmentVar or KeyVault, not both")
			return s, false
		}
		ok := true
		for _, e := range es {
			p := join(path, e.Key)
			switch e.Key {
			case "EnvironmentVar":
				name, good := c.str(e.Value, p)
				if !good {
					ok = false
					continue
				}
				if strings.TrimSpace(name) == "" {
					c.errorf(e.KeyN, p, "must name an environment variable")
					ok = false
					continue
				}
				s.Kind, s.EnvVar = EnvVar, name
				if v, set := os.LookupEnv(name); !set {
					c.warnf(e.Value, p, "environment variable %s is not set", name)
				} else if v == "" {
					c.warnf(e.Value, p, "environment variable %s is empty", name)
				}
			case "KeyVault":
				ref, good := c.str(e.Value, p)
				if !good {
					ok = false
					continue
				}
				s.Kind = KeyVault
				s.Vault, s.Secret = splitVaultRef(ref, path)
				if s.Vault == "" && s.Secret == "" {
					c.errorf(e.Value, p, "%q is not a Key Vault reference (want secret or vault/secret)", ref)
					ok = false
				}
			default:
				c.errorf(e.KeyN, p, "unknown key in a secret reference (want EnvironmentVar or KeyVault)")
				ok = false
			}
		}
		return s, ok
	default:
		if s.Sensitive {
			c.errorf(n, path, "a secret must be a string or a mapping with EnvironmentVar or KeyVault, not %s", kindName(d))
			return s, false
		}
		return s, true
	}
}

// splitVaultRef reads MSTICPy's KeyVault reference forms: empty (secret
// named from the key path with "." replaced by "-", vault from the KeyVault
// section), "secret", or "vault/secret". A malformed reference returns two
// empty strings.
func splitVaultRef(ref, path string) (vault, secret string) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return "", strings.ReplaceAll(path, ".", "-")
	}
	v, s, found := strings.Cut(ref, "/")
	if !found {
		return "", ref
	}
	if v == "" || s == "" || strings.Contains(s, "/") {
		return "", ""
	}
	return v, s
}
