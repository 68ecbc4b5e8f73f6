package msticconfig

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The plain-text secrets in testdata/full.yaml, and the values the tests put
// in the environment: none may appear in any output.
var plainSecrets = []string{"otx-plain-secret-4711", "azcli-plain-secret-0815", "splunk-pass-1234", "proxy-pass-9999"}

func TestMaskedHidesEverySecret(t *testing.T) {
	cfg := loadFull(t)
	out, err := cfg.Masked()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, s := range plainSecrets {
		if strings.Contains(text, s) {
			t.Errorf("Masked output contains secret %q", s)
		}
	}
	if strings.Contains(text, "value-of-") {
		t.Error("Masked output contains a resolved environment variable")
	}
	for _, want := range []string{
		`AuthKey: "********"`,                // TIProviders.OTX plain key
		`clientSecret: "********"`,           // AzureCLI
		`password: "********"`,               // Splunk
		"EnvironmentVar: \"HB_TEST_VT_KEY\"", // references stay, unresolved
		"KeyVault: soc-vault/xforce-key",
		"host: splunk.contoso.com", // non-secrets stay
		"https://proxyuser:xxxxx@proxy.contoso.com:8080",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Masked output lacks %q:\n%s", want, text)
		}
	}
	// The masked text is still a valid config with the same shape.
	again, err := Parse("masked.yaml", out)
	if err != nil {
		t.Fatalf("masked output does not re-parse: %v", err)
	}
	if len(again.TIProviders()) != 5 || len(again.KustoClusters()) != 3 {
		t.Errorf("masked output lost settings")
	}
}

func TestMaskedCases(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"comment dropped", "TIProviders:\n  OTX:\n    Args:\n      # old AuthKey: leaked-in-comment\n      AuthKey: k1\n", "TIProviders:\n  OTX:\n    Args:\n      AuthKey: \"********\"\n"},
		{"anchored secret", "a: &k topsecret\nTIProviders:\n  X:\n    Args:\n      ApiKey: *k\n", "a: &k \"********\"\nTIProviders:\n  X:\n    Args:\n      ApiKey: *k\n"},
		{"nested mapping under a secret key", "x:\n  ClientSecret:\n    value: s3\n", "x:\n  ClientSecret: \"********\"\n"},
		{"secret list", "x:\n  Password: [s1, s2]\n", "x:\n  Password: \"********\"\n"},
		{"empty secret left empty", "x:\n  AuthKey:\n", "x:\n  AuthKey:\n"},
		{"connection string", "x:\n  ConnectionString: Server=a;Password=p\n  connection_str: https://x?code=1\n", "x:\n  ConnectionString: \"********\"\n  connection_str: \"********\"\n"},
		{"not secret", "x:\n  KeyVault: v\n  UseKeyring: true\n  ClientId: c\n", "x:\n  KeyVault: v\n  UseKeyring: true\n  ClientId: c\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := Parse("m.yaml", []byte(tc.src))
			out, err := cfg.Masked()
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("Masked:\n%s\nwant:\n%s", out, tc.want)
			}
		})
	}
}

func TestIsSensitiveKey(t *testing.T) {
	for key, want := range map[string]bool{
		"AuthKey": true, "ApiID": true, "ClientSecret": true, "clientSecret": true, "password": true, "accesskey": true,
		"ConnectionString": true, "token": true, "ApiKey": true,
		"ClientId": false, "KeyVault": false, "UseKeyring": false, "WorkspaceId": false, "DBFolder": false, "Cluster": false,
	} {
		if got := IsSensitiveKey(key); got != want {
			t.Errorf("IsSensitiveKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestSettingResolve(t *testing.T) {
	cfg := loadFull(t)
	ti := cfg.TIProviders()

	// Env vars are read at use time, not at load.
	vt := ti["VirusTotal"].Args["AuthKey"]
	t.Setenv("HB_TEST_VT_KEY", "changed-after-load")
	if v, err := vt.Resolve(); err != nil || v != "changed-after-load" {
		t.Errorf("Resolve = %q, %v; want the current environment value", v, err)
	}
	os.Unsetenv("HB_TEST_VT_KEY")
	_, err := vt.Resolve()
	if !errors.Is(err, ErrEnvUnset) || err.Error() != "TIProviders.VirusTotal.Args.AuthKey: environment variable is not set: HB_TEST_VT_KEY" {
		t.Errorf("Resolve with the variable unset = %v", err)
	}

	otx := ti["OTX"].Args["AuthKey"]
	if v, err := otx.Resolve(); err != nil || v != "otx-plain-secret-4711" {
		t.Errorf("plain Resolve = %q, %v", v, err)
	}
	// Formatting a setting never shows the secret.
	for _, s := range []string{otx.String(), fmt.Sprint(otx), fmt.Sprintf("%v %+v %#v %s", otx, otx, otx, otx), fmt.Sprintf("%v", ti["OTX"])} {
		if strings.Contains(s, "otx-plain-secret-4711") {
			t.Errorf("formatted setting shows the secret: %s", s)
		}
	}
	if got := ti["OtherProviders"]; got.Name != "" {
		t.Errorf("unexpected provider %v", got)
	}
	if db := cfg.OtherProviders()["GeoIPLite"].Args["DBFolder"]; db.String() != "~/.msticpy" {
		t.Errorf("non-secret String = %q", db.String())
	}

	// Key Vault: offline unless a resolver is plugged in.
	opr := ti["OpenPageRank"].Args["AuthKey"]
	_, err = opr.Resolve()
	if !errors.Is(err, ErrKeyVaultOffline) || err.Error() != "TIProviders.OpenPageRank.Args.AuthKey: secret soc-default-vault/TIProviders-OpenPageRank-Args-AuthKey: Key Vault is not available offline (no Key Vault resolver configured)" {
		t.Errorf("offline Key Vault Resolve = %v", err)
	}
	fake := fakeVault{"soc-default-vault/TIProviders-OpenPageRank-Args-AuthKey": "opr-from-vault", "soc-vault/xforce-key": "xf-from-vault"}
	cfg.SetKeyVaultResolver(fake)
	if v, err := opr.Resolve(); err != nil || v != "opr-from-vault" {
		t.Errorf("Key Vault Resolve (default vault) = %q, %v", v, err)
	}
	if v, err := ti["XForce"].Args["AuthKey"].Resolve(); err != nil || v != "xf-from-vault" {
		t.Errorf("Key Vault Resolve (named vault) = %q, %v", v, err)
	}
	delete(fake, "soc-vault/xforce-key")
	if _, err := ti["XForce"].Args["AuthKey"].Resolve(); err == nil || err.Error() != "TIProviders.XForce.Args.AuthKey: Key Vault secret soc-vault/xforce-key: not found" {
		t.Errorf("missing vault secret = %v", err)
	}
}

type fakeVault map[string]string

func (f fakeVault) GetSecret(vault, name string) (string, error) {
	if v, ok := f[vault+"/"+name]; ok {
		return v, nil
	}
	return "", errors.New("not found")
}

// TestSecretsNeverInFindings: invalid secrets are reported by path only.
func TestSecretsNeverInFindings(t *testing.T) {
	t.Setenv("HB_LEAK_VAR", "env-secret-5150")
	src := "TIProviders:\n  OTX:\n    Args:\n      AuthKey: {Value: inline-secret-1}\n    Provider: OTX\n" +
		"  X:\n    Args:\n      ApiKey: [inline-secret-2]\n      AuthKey: {EnvironmentVar: HB_LEAK_VAR, Extra: inline-secret-3}\n    Provider: X\n" +
		"Azure:\n  client_secret: inline-secret-4\n" +
		"KustoClusters:\n  C:\n    Args:\n      Cluster: https://u:inline-secret-5@c.kusto.windows.net\n      ClientSecret: inline-secret-6\n"
	cfg, err := Parse("leak.yaml", []byte(src))
	if err == nil {
		t.Fatal("want validation errors")
	}
	var all strings.Builder
	all.WriteString(err.Error())
	for _, f := range cfg.Findings() {
		all.WriteString(f.String())
	}
	masked, _ := cfg.Masked()
	all.Write(masked)
	for _, s := range []string{"inline-secret-1", "inline-secret-2", "inline-secret-3", "inline-secret-4", "inline-secret-5", "inline-secret-6", "env-secret-5150"} {
		if strings.Contains(all.String(), s) {
			t.Errorf("%q leaked into findings or masked output:\n%s", s, all.String())
		}
	}
}

func TestLocateOrder(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	work := filepath.Join(dir, "work")
	for _, d := range []string{filepath.Join(home, ".msticpy"), work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, cloud string) {
		if err := os.WriteFile(p, []byte("Azure:\n  cloud: "+cloud+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("HOME", home)
	t.Setenv(ConfigEnv, "")
	t.Chdir(work)

	// Nothing anywhere.
	if _, err := Load(""); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load with no file = %v, want ErrNotFound", err)
	}
	write(filepath.Join(home, ".msticpy", FileName), "cn")
	expectCloud(t, "", "cn") // ~/.msticpy
	write(filepath.Join(work, FileName), "usgov")
	expectCloud(t, "", "usgov") // ./ beats ~/.msticpy
	envFile := filepath.Join(dir, "env.yaml")
	write(envFile, "de")
	t.Setenv(ConfigEnv, envFile)
	expectCloud(t, "", "de") // $MSTICPYCONFIG beats ./
	explicit := filepath.Join(dir, "explicit.yaml")
	write(explicit, "global")
	expectCloud(t, explicit, "global") // an explicit path beats all

	t.Setenv(ConfigEnv, filepath.Join(dir, "missing.yaml"))
	if _, err := Load(""); err == nil || !strings.Contains(err.Error(), "$MSTICPYCONFIG="+filepath.Join(dir, "missing.yaml")) {
		t.Errorf("Load with $MSTICPYCONFIG naming a missing file = %v", err)
	}
	if _, err := Load(filepath.Join(dir, "nope.yaml")); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("Load(missing explicit) = %v", err)
	}
}

func expectCloud(t *testing.T, explicit, want string) {
	t.Helper()
	cfg, err := Load(explicit)
	if cfg == nil {
		t.Fatalf("Load(%q): %v", explicit, err)
	}
	if cfg.Cloud() != want {
		t.Errorf("Load(%q) read %s (cloud %s), want cloud %s", explicit, cfg.File, cfg.Cloud(), want)
	}
}
