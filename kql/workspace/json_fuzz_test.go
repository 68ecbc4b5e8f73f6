package workspace

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/huntbook/huntbook/kql/types"
)

// sameDynamic reports whether a and b are the same dynamic payload, types
// included (int64 1 is not float64 1) and key order kept.
func sameDynamic(a, b any) bool {
	switch x := a.(type) {
	case *types.Bag:
		y, ok := b.(*types.Bag)
		if !ok || len(x.Keys) != len(y.Keys) || x.Len() != y.Len() {
			return false
		}
		for i, k := range x.Keys {
			if y.Keys[i] != k || !sameDynamic(x.Prop(k), y.Prop(k)) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameDynamic(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return fmt.Sprintf("%T", a) == fmt.Sprintf("%T", b) && a == b
}

var jsonSeeds = []string{
	`{"b":1,"a":[true,null,-1.5e2,"\u00e9\ud83d\ude00"]}`,
	` 9223372036854775808 `, `9223372036854775807`, `-9223372036854775808`, `-9223372036854775809`,
	`-0`, `0.0`, `1e2`, `1E-2`, `12.50`, `"x\"y\\z\/\b\f\n\r\t"`, `"\ud800"`, `"\udc00\u0041"`,
	`{}`, `[]`, `[[],{}]`, `{"a":{"b":{"c":[1,2,{"d":"e"}]}}}`, `{"dup":1,"other":2,"dup":3}`,
	`{"user":{"userPrincipalName":"miriam.sink1@contoso.com","ipAddress":"23.173.171.82"}}`,
	`[{"id":"b5446c80-a840-db14-d3b6-bbb49ab3802d","type":"Application","modifiedProperties":[]}]`,
	`{"esc\"aped":"v\u00e9","":""}`, `"` + strings.Repeat("long value ", 600) + `"`,
	// invalid
	`{"a":}`, `[1,]`, `{"a" 1}`, `tru`, `01`, `"\x"`, `{"a":1}}`, ``, `  `, `{"a":1,}`, `[1 2]`,
	`"\u12"`, "\"a\x01\"", `-`, `1.`, `1e`, `{1:2}`, `nul`, `[`, `{"a"`, `1 2`,
}

// checkAgainstParseJSON parses in with a shared parser (interning and
// boxing on) and checks it against encoding/json's verdict and
// types.ParseJSON's value.
func checkAgainstParseJSON(t *testing.T, p *jsonParser, in string) {
	t.Helper()
	got, err := p.parse([]byte(in))
	if valid := json.Valid([]byte(in)); valid != (err == nil) {
		t.Fatalf("parse(%q): error %v, but json.Valid = %v", in, err, valid)
	}
	if err != nil || !utf8.ValidString(in) { // encoding/json rewrites bad UTF-8; the loader keeps the bytes
		return
	}
	want, werr := types.ParseJSON(in)
	if werr != nil && strings.Contains(werr.Error(), "out of range") {
		return // ParseJSON rejects 1e700; the loader has always kept it as +Inf
	}
	if werr != nil {
		t.Fatalf("ParseJSON(%q): %v", in, werr)
	}
	if !sameDynamic(got, want) {
		t.Fatalf("parse(%q) = %s (%T), ParseJSON = %s (%T)", in, types.DynamicJSON(got), got, types.DynamicJSON(want), want)
	}
}

func TestJSONParserMatchesParseJSON(t *testing.T) {
	p := &jsonParser{}
	// Enough rows to cross arena and box blocks and the interning probe,
	// with values both repeated and distinct.
	for i := range 3 * internProbe {
		in := fmt.Sprintf(`{"user":{"upn":"u%d@contoso.com","ip":"10.0.%d.%d","n":%d,"r":%d.5},"t":[{"id":"%08d-a840-db14-d3b6-bbb49ab3802d","type":"App","p":[]}]}`,
			i%50, i%7, i, i, i, i)
		checkAgainstParseJSON(t, p, in)
	}
	for _, in := range jsonSeeds {
		checkAgainstParseJSON(t, p, in)
		checkAgainstParseJSON(t, &jsonParser{}, in)
	}
	// Values handed out earlier are not overwritten by later parses.
	a, _ := p.parse([]byte(`["first value kept intact in the arena"]`))
	for i := range 2000 {
		p.parse([]byte(fmt.Sprintf(`["filler value number %d, long enough"]`, i)))
	}
	if s := a.([]any)[0].(string); s != "first value kept intact in the arena" {
		t.Fatalf("arena value changed to %q", s)
	}
}

func FuzzJSONParser(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(s)
	}
	p := &jsonParser{}
	f.Fuzz(func(t *testing.T, in string) {
		checkAgainstParseJSON(t, p, in)
	})
}

func TestJSONSharingPerKey(t *testing.T) {
	p := &jsonParser{}
	var first, last *types.Bag
	for i := range internProbe + 10 {
		v, err := p.parse([]byte(fmt.Sprintf(`{"type":"User","ip":"10.1.%d.%d","tags":["a",{"x":"%d"},"b"]}`, i/256, i%256, i)))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = v.(*types.Bag)
		}
		last = v.(*types.Bag)
	}
	if ki := p.keys["ip"]; ki == nil || !ki.off {
		t.Errorf("distinct ip values still interned: %+v", ki)
	}
	if ki := p.keys["type"]; ki == nil || ki.off {
		t.Errorf("repeated type values no longer interned: %+v", ki)
	}
	// Array elements keep their member's statistics even after a nested
	// object's members were parsed.
	if ki := p.keys["tags"]; ki == nil || ki.off || ki.lookups != internProbe {
		t.Errorf("tags elements: %+v", ki)
	}
	if unsafe.StringData(first.Prop("type").(string)) != unsafe.StringData(last.Prop("type").(string)) {
		t.Errorf("type value not shared between rows")
	}
	if got := types.DynamicJSON(last); got != fmt.Sprintf(`{"type":"User","ip":"10.1.16.9","tags":["a",{"x":"%d"},"b"]}`, internProbe+9) {
		t.Errorf("last row = %s", got)
	}
}

func TestJSONEmptyArrayShared(t *testing.T) {
	p := &jsonParser{}
	a, _ := p.parse([]byte(`{"p":[]}`))
	b, _ := p.parse([]byte(`[ ]`))
	x, y := a.(*types.Bag).Prop("p").([]any), b.([]any)
	if x == nil || len(x) != 0 || cap(x) != 0 || y == nil || len(y) != 0 {
		t.Fatalf("empty arrays: %#v %#v", x, y)
	}
	// With no room, an append cannot write into what other rows share.
	if z := append(x, "v"); len(y) != 0 || len(z) != 1 {
		t.Fatalf("append changed the shared empty array")
	}
}
