package functions

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/huntbook/huntbook/kql/types"
)

// parse_user_agent: Kusto matches user agents against the ua-parser
// patterns and reports ua-parser's family names (Chrome, Mobile Safari,
// Mac OS X, Other ...). This is a compact rule set in the same spirit,
// covering the browsers, systems and devices sign-in and web logs mostly
// hold, the tools attackers script with (python-requests, curl, PowerShell
// ...) and the documented examples. Versions are strings, "" when absent.

// uaRule is one pattern; family is literal, or "$1" for the first group.
// The version groups follow the family group (if any).
type uaRule struct {
	re     *regexp.Regexp
	family string
}

func uaRules(specs ...string) []uaRule {
	rules := make([]uaRule, 0, len(specs)/2)
	for i := 0; i < len(specs); i += 2 {
		rules = append(rules, uaRule{regexp.MustCompile(specs[i]), specs[i+1]})
	}
	return rules
}

var (
	uaOnce                          sync.Once
	uaBrowsers, uaSystems, uaDevice []uaRule
)

func uaInit() {
	uaBrowsers = uaRules(
		`(AdobeAIR)/(\d+)\.(\d+)(?:\.(\d+))?`, "$1",
		`Series60/(\d+)\.(\d+)`, "Nokia OSS Browser",
		`(?:EdgiOS|EdgA)/(\d+)\.(\d+)(?:\.(\d+))?`, "Edge Mobile",
		`Edge?/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Edge",
		`OPR/(\d+)\.(\d+)(?:\.(\d+))?`, "Opera",
		`SamsungBrowser/(\d+)\.(\d+)(?:\.(\d+))?`, "Samsung Internet",
		`FxiOS/(\d+)\.(\d+)(?:\.(\d+))?`, "Firefox iOS",
		`CriOS/(\d+)\.(\d+)\.(\d+)`, "Chrome Mobile iOS",
		`Android.*Mobile.*Firefox/(\d+)\.(\d+)(?:\.(\d+))?`, "Firefox Mobile",
		`Firefox/(\d+)\.(\d+)(?:\.(\d+))?`, "Firefox",
		`; wv\).*Chrome/(\d+)\.(\d+)\.(\d+)`, "Chrome Mobile WebView",
		`Chrome/(\d+)\.(\d+)\.(\d+)[\d.]* Mobile`, "Chrome Mobile",
		`Chrome/(\d+)\.(\d+)\.(\d+)`, "Chrome",
		`Version/(\d+)\.(\d+)(?:\.(\d+))?.* Mobile/\S+ Safari/`, "Mobile Safari",
		`Version/(\d+)\.(\d+)(?:\.(\d+))? Safari/`, "Safari",
		`(?:iPhone|iPad).* AppleWebKit/`, "Mobile Safari UI/WKWebView",
		`MSIE (\d+)\.(\d+)`, "IE",
		`Trident/7\.0;.*rv:(\d+)\.(\d+)`, "IE",
		`python-requests/(\d+)\.(\d+)(?:\.(\d+))?`, "Python Requests",
		`Python-urllib/(\d+)\.(\d+)`, "Python-urllib",
		`((?:Google|bing|Yandex|DuckDuck|Baidu|Apple|Ahrefs|Semrush)[Bb]ot|[A-Za-z]+[Ss]pider|[A-Za-z]+[Cc]rawler)(?:[/ -](\d+)(?:\.(\d+))?)?`, "$1",
		`(WindowsPowerShell|PowerShell)/(\d+)\.(\d+)(?:\.(\d+))?`, "$1",
		// a tool's own product/version token (curl/8.4.0, okhttp/4.9.3, Go-http-client/1.1)
		`^([A-Za-z][\w.-]*[A-Za-z])/(\d+)(?:\.(\d+))?(?:\.(\d+))?`, "$1",
	)
	uaSystems = uaRules(
		`Windows NT 10\.0`, "Windows 10",
		`Windows NT 6\.3`, "Windows 8.1",
		`Windows NT 6\.2`, "Windows 8",
		`Windows NT 6\.1`, "Windows 7",
		`Windows NT 6\.0`, "Windows Vista",
		`Windows NT 5\.[12]`, "Windows XP",
		`Windows Phone (?:OS )?(\d+)\.(\d+)`, "Windows Phone",
		`Windows`, "Windows",
		`(?:CPU (?:iPhone )?OS|iPhone OS) (\d+)_(\d+)(?:_(\d+))?`, "iOS",
		`Mac OS X (\d+)[_.](\d+)(?:[_.](\d+))?`, "Mac OS X",
		`Android (\d+)(?:\.(\d+))?(?:\.(\d+))?`, "Android",
		`CrOS \S+ (\d+)\.(\d+)\.(\d+)(?:\.(\d+))?`, "Chrome OS",
		`SymbianOS/(\d+)\.(\d+)`, "Symbian OS",
		`Ubuntu`, "Ubuntu",
		`Fedora`, "Fedora",
		`Linux`, "Linux",
	)
	uaDevice = uaRules(
		`iPhone`, "iPhone",
		`iPad`, "iPad",
		`Macintosh`, "Mac",
		`Nokia(\w+?)(-\w+)?[/ ;)]`, "Nokia",
		`Android [\d.]+; (?:[a-z]{2}[-_][a-zA-Z]{2}; )?(SM-[A-Z0-9]+)`, "Samsung",
		`Android [\d.]+; (Pixel[\w ]*?)(?: Build/[^;)]*)?\)`, "Google",
		`Android [\d.]+; (?:[a-z]{2}[-_][a-zA-Z]{2}; )?([^;)]+?)(?: Build/[^;)]*)?\)`, "Generic_Android",
		`(?i)bot\b|spider|crawler`, "Spider",
	)
}

// uaMatch returns the family and up to four version parts of the first
// rule that matches, or "Other".
func uaMatch(rules []uaRule, ua string) (string, [4]string) {
	var v [4]string
	for _, r := range rules {
		m := r.re.FindStringSubmatch(ua)
		if m == nil {
			continue
		}
		fam, groups := r.family, m[1:]
		if fam == "$1" {
			fam, groups = m[1], m[2:]
		}
		copy(v[:], groups)
		return fam, v
	}
	return "Other", v
}

// uaParsed is one user agent's three parts, cached: logs repeat a few
// hundred user agents over millions of rows.
type uaParsed struct {
	browser, os, device *types.Bag
}

var (
	uaCache   sync.Map // string -> *uaParsed
	uaCached  int
	uaCacheMu sync.Mutex
)

const uaCacheMax = 1 << 14

func parseUserAgent(ua string) *uaParsed {
	if p, ok := uaCache.Load(ua); ok {
		return p.(*uaParsed)
	}
	uaOnce.Do(uaInit)
	p := &uaParsed{browser: types.NewBag(), os: types.NewBag(), device: types.NewBag()}

	fam, v := uaMatch(uaBrowsers, ua)
	p.browser.Set("Family", fam)
	p.browser.Set("MajorVersion", v[0])
	p.browser.Set("MinorVersion", v[1])
	p.browser.Set("Patch", v[2])

	fam, v = uaMatch(uaSystems, ua)
	if name, ver, ok := strings.Cut(fam, " "); ok && fam != "Windows Phone" && fam != "Symbian OS" &&
		fam != "Mac OS X" && fam != "Chrome OS" {
		// "Windows 10": ua-parser reports the release as the major version
		fam = name
		v[0], v[1] = ver, ""
		if major, minor, ok := strings.Cut(ver, "."); ok {
			v[0], v[1] = major, minor
		}
	}
	p.os.Set("Family", fam)
	p.os.Set("MajorVersion", v[0])
	p.os.Set("MinorVersion", v[1])
	p.os.Set("Patch", v[2])
	p.os.Set("PatchMinor", v[3])

	fam, v = uaMatch(uaDevice, ua)
	family, brand, model := fam, "", ""
	switch fam {
	case "iPhone", "iPad", "Mac":
		brand, model = "Apple", fam
	case "Nokia":
		family, brand, model = "Nokia "+v[0], "Nokia", v[0]+v[1]
	case "Samsung":
		family, brand, model = "Samsung "+v[0], "Samsung", v[0]
	case "Google", "Generic_Android":
		family, brand, model = v[0], fam, v[0]
	case "Spider":
		brand, model = "Spider", "Desktop"
	}
	p.device.Set("Family", family)
	p.device.Set("Brand", brand)
	p.device.Set("Model", model)

	uaCacheMu.Lock()
	if uaCached < uaCacheMax {
		uaCached++
		uaCache.Store(ua, p)
	}
	uaCacheMu.Unlock()
	return p
}

// uaTargets reads look-for: "browser", "os", "device" or an array of them.
func uaTargets(v types.Value) ([]string, error) {
	var names []string
	if arr, ok := asArray(v); ok {
		for _, e := range arr {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("parse_user_agent(): look-for array holds %s, want \"browser\", \"os\" or \"device\"", types.DynamicJSON(e))
			}
			names = append(names, s)
		}
	} else {
		names = []string{str(v)}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("parse_user_agent(): look-for is empty, want \"browser\", \"os\", \"device\" or an array of them")
	}
	for i, n := range names {
		switch ln := strings.ToLower(n); ln {
		case "browser", "os", "device":
			names[i] = ln
		default:
			return nil, fmt.Errorf("parse_user_agent(): look-for %q is not \"browser\", \"os\" or \"device\"", n)
		}
	}
	return names, nil
}

func init() {
	def("parse_user_agent", "parse_user_agent(user-agent, look-for)",
		`Parses a user agent: look-for is "browser", "os", "device" or a dynamic array of them; returns a bag with Browser{Family, MajorVersion, MinorVersion, Patch}, OperatingSystem{..., PatchMinor}, Device{Family, Brand, Model}.`,
		2, 2, "sa", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			targets, err := uaTargets(a[1])
			if err != nil {
				return nullDyn, err
			}
			p := parseUserAgent(str(a[0]))
			out := types.NewBag()
			for _, t := range targets {
				// copies: callers may change the bags they get
				switch t {
				case "browser":
					out.Set("Browser", cloneBag(p.browser))
				case "os":
					out.Set("OperatingSystem", cloneBag(p.os))
				case "device":
					out.Set("Device", cloneBag(p.device))
				}
			}
			return Dyn(out), nil
		})
}

func cloneBag(b *types.Bag) *types.Bag {
	c := types.NewBag()
	for _, k := range b.Keys {
		v, _ := b.Get(k)
		c.Set(k, v)
	}
	return c
}
