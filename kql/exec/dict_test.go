package exec

import (
	"fmt"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// encoded gives repeating string columns a dictionary once, and leaves
// alone columns the loader already found not worth one (NoDict).
func TestEncodedHonoursNoDict(t *testing.T) {
	col := func(noDict bool) *table.Column {
		c := table.NewColumn("C", types.String, minEncodeRows*2)
		for i := range minEncodeRows * 2 {
			c.Strs = append(c.Strs, fmt.Sprint("v", i%7))
		}
		c.NoDict = noDict
		return c
	}
	for _, tc := range []struct {
		noDict    bool
		wantCodes bool
	}{{false, true}, {true, false}} {
		c := col(tc.noDict)
		e := encoded(c)
		if got := e.Codes != nil; got != tc.wantCodes {
			t.Errorf("NoDict=%v: codes %v, want %v", tc.noDict, got, tc.wantCodes)
		}
		if tc.wantCodes && len(e.Dict) != 7 {
			t.Errorf("dictionary of %d values, want 7", len(e.Dict))
		}
	}
}
