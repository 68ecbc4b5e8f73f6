package types_test

import (
	"testing"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/types"
)

// Every literal must parse back to the value it was made from: that is what
// keeps injected parameters from changing a query's structure.
func TestLiteralRoundTrip(t *testing.T) {
	values := []types.Value{
		types.NewString("a\x01b"), types.NewString("q\"'\\x\n\t\r"), types.NewString("日本 | take 1 //"),
		types.NewString("\x7f"), types.NewString(""), types.NewString(`@"verbatim"`), types.NewString("a\u2028b\u0085c"),
		types.NewLong(-42), types.NewInt(7), types.NewReal(2.5), types.NewBool(true),
		types.NewDateTime(17e15), types.NewTimeSpan(-90 * types.Minute), types.NewTimeSpan(3*types.Day + 5),
		types.NewGUID("0F8FAD5B-D9CB-469F-A165-70867728950E"), types.NullOf(types.Long), types.NullOf(types.DateTime),
	}
	for _, v := range values {
		e, err := parser.ParseExpr(v.Literal())
		if err != nil {
			t.Errorf("%s: %v", v.Literal(), err)
			continue
		}
		lit, ok := e.(*ast.Lit)
		if !ok {
			t.Errorf("%s parsed as %T", v.Literal(), e)
			continue
		}
		got := lit.Value
		if got.Type != v.Type || got.Valid != v.Valid || got.I != v.I || got.S != v.S || got.F != v.F {
			t.Errorf("%s -> %+v, want %+v", v.Literal(), got, v)
		}
	}
}
