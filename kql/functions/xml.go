package functions

// parse_xml(xml): XML text as a dynamic value, mapped as Kusto documents it
// (the Json.NET XML-to-JSON convention):
//
//	<e/>                        {"e": null}
//	<e></e>                     {"e": ""}
//	<e>text</e>                 {"e": "text"}
//	<e name="v"/>               {"e": {"@name": "v"}}
//	<e name="v">text</e>        {"e": {"@name": "v", "#text": "text"}}
//	<e><a>1</a><a>2</a></e>     {"e": {"a": ["1", "2"]}}
//
// Only elements, attributes and text become values: the XML declaration,
// processing instructions, comments and DOCTYPE are skipped. Names keep their
// namespace prefix as written (soap:Envelope, @xmlns:soap). Text that is only
// whitespace is dropped (as an XML DOM that does not preserve whitespace
// does); other text is kept verbatim. CDATA sections count as text. Invalid
// XML, or input over Kusto's 1 MB limit, gives null.

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/huntbook/huntbook/kql/types"
)

// maxXMLInput is Kusto's limit on parse_xml's input; longer strings give null.
const maxXMLInput = 1 << 20

// xmlElem is one parsed element: its attributes in document order and its
// content, each item either a *xmlElem or a text string.
type xmlElem struct {
	name        string
	attrs       []xml.Attr
	kids        []any
	selfClosing bool // written <e/>, which maps to null where <e></e> maps to ""
}

var errBadXML = errors.New("invalid XML")

// ParseXML converts XML text to a dynamic value as parse_xml does; ok is
// false when the text is not well-formed XML (one root element).
func ParseXML(s string) (d any, ok bool) {
	if len(s) > maxXMLInput {
		return nil, false
	}
	root, err := readXML(s)
	if err != nil {
		return nil, false
	}
	bag := types.NewBagCap(1)
	bag.Set(root.name, root.value())
	return bag, true
}

// readXML parses s into its root element. It reads raw tokens to keep the
// namespace prefixes as written, so it checks element nesting itself.
func readXML(s string) (*xmlElem, error) {
	dec := xml.NewDecoder(strings.NewReader(s))
	dec.Strict = true
	var (
		stack []*xmlElem
		root  *xmlElem
		text  strings.Builder // adjacent character data (text and CDATA) merged
		inTxt bool
	)
	flush := func() error {
		if !inTxt {
			return nil
		}
		t := text.String()
		text.Reset()
		inTxt = false
		if strings.TrimSpace(t) == "" {
			return nil
		}
		if len(stack) == 0 {
			return errBadXML // text outside the root element
		}
		top := stack[len(stack)-1]
		top.kids = append(top.kids, t)
		return nil
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if cd, ok := tok.(xml.CharData); ok {
			text.Write(cd)
			inTxt = true
			continue
		}
		if err := flush(); err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, errBadXML // a second root element
			}
			e := &xmlElem{name: qname(t.Name), attrs: t.Attr}
			seen := make(map[string]bool, len(t.Attr))
			for _, a := range t.Attr {
				n := qname(a.Name)
				if seen[n] {
					return nil, errBadXML // duplicate attribute
				}
				seen[n] = true
			}
			end := dec.InputOffset()
			e.selfClosing = end-start >= 2 && s[end-2:end] == "/>"
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, e)
			} else {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].name != qname(t.Name) {
				return nil, errBadXML // mismatched end tag
			}
			stack = stack[:len(stack)-1]
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if root == nil || len(stack) > 0 {
		return nil, errBadXML // no root, or unclosed elements
	}
	return root, nil
}

// qname is a name with its prefix as written: "soap:Envelope".
func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// value maps an element's content to its dynamic value.
func (e *xmlElem) value() any {
	if len(e.attrs) == 0 {
		switch {
		case len(e.kids) == 0 && e.selfClosing:
			return nil
		case len(e.kids) == 0:
			return ""
		case len(e.kids) == 1:
			if t, ok := e.kids[0].(string); ok {
				return t
			}
		}
	}
	bag := types.NewBagCap(len(e.attrs) + len(e.kids))
	for _, a := range e.attrs {
		bag.Set("@"+qname(a.Name), a.Value)
	}
	// Children of one name (texts under "#text") group into one property at
	// the place of the first, an array when there are several.
	var order []string
	groups := map[string][]any{}
	for _, k := range e.kids {
		name, v := "#text", any(nil)
		switch k := k.(type) {
		case string:
			v = k
		case *xmlElem:
			name, v = k.name, k.value()
		}
		if _, ok := groups[name]; !ok {
			order = append(order, name)
		}
		groups[name] = append(groups[name], v)
	}
	for _, name := range order {
		vs := groups[name]
		if len(vs) == 1 {
			bag.Set(name, vs[0])
		} else {
			bag.Set(name, vs)
		}
	}
	return bag
}

func init() {
	def("parse_xml", "parse_xml(xml)", "Converts XML text to a dynamic value (attributes as @name, text beside them as #text); null for invalid XML.",
		1, 1, "s", fixed(types.Dynamic),
		strict(types.Dynamic, func(_ *Env, a []types.Value) (types.Value, error) {
			d, ok := ParseXML(str(a[0]))
			if !ok {
				return types.NullOf(types.Dynamic), nil
			}
			return types.NewDynamic(d), nil
		}))
}
