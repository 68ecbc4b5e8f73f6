package functions

import (
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

func TestRangeFunction(t *testing.T) {
	runScalars(t, []scase{
		{"range", A(L(1), L(8), L(3)), D(`[1,4,7]`)},
		{"range", A(L(1), L(3)), D(`[1,2,3]`)},
		{"range", A(L(5), L(1), L(-2)), D(`[5,3,1]`)},
		{"range", A(L(5), L(1)), D(`[]`)},
		{"range", A(R(1.5), L(3)), D(`[1.5,2.5]`)},
		{"range", A(L(1), L(3), L(0)), N(types.Dynamic)},
		{"range", A(N(types.Long), L(3)), N(types.Dynamic)},
		{"range", A(TS("1h"), TS("3h")), types.NewDynamic([]any{types.TimeSpanValue(types.Hour), types.TimeSpanValue(2 * types.Hour), types.TimeSpanValue(3 * types.Hour)})},
		{"range", A(DT("2024-01-01"), DT("2024-01-02"), TS("12h")), types.NewDynamic([]any{
			types.DateTimeValue(DT("2024-01-01").I), types.DateTimeValue(DT("2024-01-01 12:00").I), types.DateTimeValue(DT("2024-01-02").I)})},
		{"range", A(L(9223372036854775806), L(9223372036854775807), L(5)), D(`[9223372036854775806]`)},
	})
	// the array stops at 2^20 elements, as Kusto documents
	v, err := scalars["range"].Eval(&Env{}, A(L(1), L(1<<40)))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(v.D.([]any)); n != 1<<20 {
		t.Fatalf("range(1, 2^40) has %d elements, want %d", n, 1<<20)
	}
}
