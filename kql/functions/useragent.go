package functions

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

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
	uaParser *uaparser.Parser // built on first use: compiling the patterns takes some 40 ms
)

// uaParts caches each part of the user agents seen (logs repeat a few
// hundred agents over millions of rows), per part: ua-parser's browser
// patterns cost some 0.4 ms an agent, its device patterns 0.25 ms and its
// system patterns little, so a query asking for the browser parses only that.
type uaPart struct {
	cache sync.Map // string -> *types.Bag
	n     atomic.Int64
	parse func(ua string) *types.Bag
}

const uaCacheMax = 1 << 14

var uaParts = map[string]*uaPart{
	"browser": {parse: func(ua string) *types.Bag {
		c := uaParser.ParseUserAgent(ua)
		return uaBag("Family", c.Family, "MajorVersion", c.Major, "MinorVersion", c.Minor, "Patch", c.Patch)
	}},
	"os": {parse: func(ua string) *types.Bag {
		c := uaParser.ParseOs(ua)
		return uaBag("Family", c.Family, "MajorVersion", c.Major, "MinorVersion", c.Minor, "Patch", c.Patch, "PatchMinor", c.PatchMinor)
	}},
	"device": {parse: func(ua string) *types.Bag {
		c := uaParser.ParseDevice(ua)
		return uaBag("Family", c.Family, "Brand", c.Brand, "Model", c.Model)
	}},
}

func uaBag(kv ...string) *types.Bag {
	b := types.NewBagCap(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		b.Set(kv[i], kv[i+1])
	}
	return b
}

// get returns the part of ua, parsed once (up to uaCacheMax agents).
func (p *uaPart) get(ua string) *types.Bag {
	if b, ok := p.cache.Load(ua); ok {
		return b.(*types.Bag)
	}
	uaOnce.Do(func() { uaParser = uaparser.NewFromSaved() })
	b := p.parse(ua)
	if p.n.Add(1) <= uaCacheMax {
		p.cache.Store(ua, b)
	}
	return b
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
			ua := str(a[0])
			out := types.NewBag()
			for _, t := range targets {
				// copies: callers may change the bags they get
				out.Set(uaKeys[t], cloneBag(uaParts[t].get(ua)))
			}
			return Dyn(out), nil
		})
}

// uaKeys names each part in the result, as Kusto does.
var uaKeys = map[string]string{"browser": "Browser", "os": "OperatingSystem", "device": "Device"}

func cloneBag(b *types.Bag) *types.Bag {
	c := types.NewBag()
	for _, k := range b.Keys {
		v, _ := b.Get(k)
		c.Set(k, v)
	}
	return c
}
