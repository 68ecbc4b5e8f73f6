package functions

import (
	"fmt"
	"strings"
	"sync"

	"github.com/ua-parser/uap-go/uaparser"

	"github.com/huntbook/huntbook/kql/types"
)

// parse_user_agent: Kusto matches user agents against the ua-parser
// project's patterns (uap-core's regexes.yaml) and reports its family names
// (Chrome, Mobile Safari, Mac OS X, Other ...). uap-go carries the same
// patterns, so the answers are ua-parser's own. Versions are strings, ""
// when absent.

var (
	uaOnce   sync.Once
	uaParser *uaparser.Parser
)

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
	uaOnce.Do(func() { uaParser = uaparser.NewFromSaved() })
	c := uaParser.Parse(ua)
	p := &uaParsed{browser: types.NewBag(), os: types.NewBag(), device: types.NewBag()}
	p.browser.Set("Family", c.UserAgent.Family)
	p.browser.Set("MajorVersion", c.UserAgent.Major)
	p.browser.Set("MinorVersion", c.UserAgent.Minor)
	p.browser.Set("Patch", c.UserAgent.Patch)
	p.os.Set("Family", c.Os.Family)
	p.os.Set("MajorVersion", c.Os.Major)
	p.os.Set("MinorVersion", c.Os.Minor)
	p.os.Set("Patch", c.Os.Patch)
	p.os.Set("PatchMinor", c.Os.PatchMinor)
	p.device.Set("Family", c.Device.Family)
	p.device.Set("Brand", c.Device.Brand)
	p.device.Set("Model", c.Device.Model)

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
