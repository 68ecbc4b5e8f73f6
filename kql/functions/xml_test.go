package functions

import (
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

func TestParseXML(t *testing.T) {
	x := func(s string) []types.Value { return A(S(s)) }
	const metrics = `<?xml version="1.0" encoding="UTF-8"?>
<duration>
    <value>118.0</value>
    <count>5.0</count>
    <min>100.0</min>
</duration>`
	const eventData = `<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event">` +
		`<Data Name="SubjectUserSid">S-1-5-18</Data><Data Name="Empty"/><Data Name="AllowedToDelegateTo">cifs/dc01</Data></EventData>`
	runScalars(t, []scase{
		// the documented mapping table
		{"parse_xml", x(`<e/>`), D(`{"e":null}`)},
		{"parse_xml", x(`<e>text</e>`), D(`{"e":"text"}`)},
		{"parse_xml", x(`<e name="value" />`), D(`{"e":{"@name":"value"}}`)},
		{"parse_xml", x(`<e name="value">text</e>`), D(`{"e":{"@name":"value","#text":"text"}}`)},
		{"parse_xml", x(`<e> <a>text</a> <b>text</b> </e>`), D(`{"e":{"a":"text","b":"text"}}`)},
		{"parse_xml", x(`<e> <a>text</a> <a>text</a> </e>`), D(`{"e":{"a":["text","text"]}}`)},
		{"parse_xml", x(`<e>text<a>text</a></e>`), D(`{"e":{"#text":"text","a":"text"}}`)},
		// the documented example: declaration skipped, leaves are strings
		{"parse_xml", x(metrics), D(`{"duration":{"value":"118.0","count":"5.0","min":"100.0"}}`)},
		// empty elements: <e></e> is an empty string, <e/> null
		{"parse_xml", x(`<e></e>`), D(`{"e":""}`)},
		{"parse_xml", x(`<r><a/><b></b></r>`), D(`{"r":{"a":null,"b":""}}`)},
		// repeated elements group at the first one's place, even when not adjacent
		{"parse_xml", x(`<r><a>1</a><b>2</b><a>3</a></r>`), D(`{"r":{"a":["1","3"],"b":"2"}}`)},
		{"parse_xml", x(`<r><i k="1"/><i k="2">x</i></r>`), D(`{"r":{"i":[{"@k":"1"},{"@k":"2","#text":"x"}]}}`)},
		// mixed content: several text runs become an array
		{"parse_xml", x(`<e>a<b/>c</e>`), D(`{"e":{"#text":["a","c"],"b":null}}`)},
		// namespaces keep their prefixes; xmlns declarations are attributes
		{"parse_xml", x(`<s:Envelope xmlns:s="urn:x"><s:Body>b</s:Body></s:Envelope>`),
			D(`{"s:Envelope":{"@xmlns:s":"urn:x","s:Body":"b"}}`)},
		{"parse_xml", x(eventData), D(`{"EventData":{"@xmlns":"http://schemas.microsoft.com/win/2004/08/events/event","Data":[` +
			`{"@Name":"SubjectUserSid","#text":"S-1-5-18"},{"@Name":"Empty"},{"@Name":"AllowedToDelegateTo","#text":"cifs/dc01"}]}}`)},
		// CDATA is text, merged with the text beside it; entities decode
		{"parse_xml", x(`<e><![CDATA[<not a tag>]]></e>`), D(`{"e":"<not a tag>"}`)},
		{"parse_xml", x(`<e>a<![CDATA[&b]]>c</e>`), D(`{"e":"a&bc"}`)},
		{"parse_xml", x(`<e a="&lt;1&gt;">&amp;&#65;</e>`), D(`{"e":{"@a":"<1>","#text":"&A"}}`)},
		// comments and processing instructions are skipped
		{"parse_xml", x(`<!-- c --><e><?pi x?><!-- c -->t</e>`), D(`{"e":"t"}`)},
		// invalid XML is null, not an error
		{"parse_xml", x(``), N(types.Dynamic)},
		{"parse_xml", x(`not xml`), N(types.Dynamic)},
		{"parse_xml", x(`<a><b></a></b>`), N(types.Dynamic)},
		{"parse_xml", x(`<a>`), N(types.Dynamic)},
		{"parse_xml", x(`<a/><b/>`), N(types.Dynamic)},
		{"parse_xml", x(`<a/>trailing`), N(types.Dynamic)},
		{"parse_xml", x(`<a x="1" x="2"/>`), N(types.Dynamic)},
		{"parse_xml", x(`<a>&nbsp;</a>`), N(types.Dynamic)},
		{"parse_xml", x(`<a x=1/>`), N(types.Dynamic)},
		{"parse_xml", A(N(types.Dynamic)), N(types.Dynamic)},
		// over the 1 MB limit
		{"parse_xml", x(`<a>` + strings.Repeat("x", maxXMLInput) + `</a>`), N(types.Dynamic)},
	})
}

func TestParseXMLResultType(t *testing.T) {
	f, ok := LookupScalar("parse_xml")
	if !ok {
		t.Fatal("parse_xml not registered")
	}
	for _, c := range []struct {
		args    []types.Type
		wantErr string
	}{
		{[]types.Type{types.String}, ""},
		{[]types.Type{types.Dynamic}, ""},
		{[]types.Type{types.Long}, "argument 1 must be string"},
		{nil, "expects 1 argument"},
		{[]types.Type{types.String, types.String}, "expects 1 argument"},
	} {
		rt, err := f.Result(c.args)
		switch {
		case c.wantErr == "" && (err != nil || rt != types.Dynamic):
			t.Errorf("parse_xml%v: got %v, %v; want dynamic", c.args, rt, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("parse_xml%v: error %v, want one containing %q", c.args, err, c.wantErr)
		}
	}
}

func BenchmarkParseXML(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<EventData xmlns="http://schemas.microsoft.com/win/2004/08/events/event">`)
	for i := 0; i < 24; i++ {
		sb.WriteString(`<Data Name="Field">value</Data>`)
	}
	sb.WriteString(`</EventData>`)
	s := sb.String()
	for b.Loop() {
		if _, ok := ParseXML(s); !ok {
			b.Fatal("not parsed")
		}
	}
}
