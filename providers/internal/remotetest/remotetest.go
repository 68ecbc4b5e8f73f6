// Package remotetest holds the scaffolding the sentinel, kusto and defender
// provider tests share: a table of every column type, exact table
// comparison, handlers for the fake servers, opening a provider against a
// fake with a bearer token, and the retry cases' checks. Only tests import
// it.
package remotetest

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/internal/fake"
)

// AllTypesSchema has a column of every type: S, I, L, R, B, D, T, G, Dyn
// and Dec.
func AllTypesSchema() types.Schema {
	return types.Schema{
		{Name: "S", Type: types.String}, {Name: "I", Type: types.Int}, {Name: "L", Type: types.Long},
		{Name: "R", Type: types.Real}, {Name: "B", Type: types.Bool}, {Name: "D", Type: types.DateTime},
		{Name: "T", Type: types.TimeSpan}, {Name: "G", Type: types.GUID}, {Name: "Dyn", Type: types.Dynamic},
		{Name: "Dec", Type: types.Decimal},
	}
}

// AllTypes is a table with every column type, edge values (a long above
// 2^53, int's minimum, -inf, NaN, 1601-01-01, a negative timespan, a bag
// holding a long above 2^53) and nulls; text is the first row's string.
func AllTypes(text string) *table.Table {
	t := table.New("PrimaryResult", AllTypesSchema())
	bag := types.NewBag()
	bag.Set("z", int64(1))
	bag.Set("a", []any{"x", 2.5, nil, true})
	bag.Set("big", int64(1)<<60)
	ts := time.Date(2026, 11, 22, 23, 59, 58, 123456700, time.UTC)
	rows := [][]types.Value{
		{types.NewString(text), types.NewInt(-2147483648), types.NewLong(1<<62 + 1),
			types.NewReal(1.5), types.NewBool(true), types.FromTime(ts), types.NewTimeSpan(-(2*types.Day + 3*types.Hour + 7)),
			types.NewGUID("6f9619ff-8b86-d011-b42d-00c04fc964ff"), types.NewDynamic(bag), types.NewDecimal(12.25)},
		{types.NewString(""), types.NullOf(types.Int), types.NullOf(types.Long), types.NewReal(math.Inf(-1)),
			types.NullOf(types.Bool), types.NullOf(types.DateTime), types.NullOf(types.TimeSpan), types.NullOf(types.GUID),
			types.NullOf(types.Dynamic), types.NullOf(types.Decimal)},
		{types.NewString("x"), types.NewInt(7), types.NewLong(-9), types.NewReal(math.NaN()), types.NewBool(false),
			types.FromTime(time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)), types.NewTimeSpan(0), types.NewGUID("00000000-0000-0000-0000-000000000000"),
			types.NewDynamic("just a string"), types.NewDecimal(-0.5)},
	}
	for _, r := range rows {
		if err := t.AppendRow(r); err != nil {
			panic(err)
		}
	}
	return t
}

// SameTable fails t unless got has want's schema and every value: the
// same text, nullness and integer payload (NaN equal to NaN).
func SameTable(t testing.TB, got, want *table.Table) {
	t.Helper()
	if !reflect.DeepEqual(got.Schema(), want.Schema()) {
		t.Fatalf("schema %v, want %v", got.Schema(), want.Schema())
	}
	if got.Rows() != want.Rows() {
		t.Fatalf("%d rows, want %d", got.Rows(), want.Rows())
	}
	for i := 0; i < want.Rows(); i++ {
		g, w := got.Row(i), want.Row(i)
		for j := range w {
			if g[j].String() != w[j].String() || g[j].IsNull() != w[j].IsNull() || g[j].I != w[j].I {
				t.Errorf("row %d column %s: %q (null %v), want %q (null %v)", i, want.Columns[j].Name, g[j], g[j].IsNull(), w[j], w[j].IsNull())
			}
		}
	}
}

// Fixed answers every query with ans.
func Fixed(ans *fake.Answer) fake.Handler {
	return func(context.Context, string) (*fake.Answer, error) { return ans, nil }
}

// Block answers nothing until the query's time runs out or it is
// cancelled.
func Block(ctx context.Context, _ string) (*fake.Answer, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// Open makes a provider with newProvider from a fake server's settings
// plus extra, the server's token in the environment variable tokenEnv.
func Open[P any](t testing.TB, newProvider func(name string, settings map[string]string) (P, error), name, tokenEnv, token string, settings, extra map[string]string) P {
	t.Helper()
	t.Setenv(tokenEnv, token)
	for k, v := range extra {
		settings[k] = v
	}
	p, err := newProvider(name, settings)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// RetryCase is scripted failures and what a query then gives.
type RetryCase struct {
	Name     string
	Faults   []fake.Fault
	Settings map[string]string
	WantErr  string // in the error; "" for success
	Requests int    // how many requests the server sees
	MinTime  time.Duration
}

// Check fails t when a query's error, the requests the server saw or the
// time it took are not what c wants.
func (c RetryCase) Check(t testing.TB, err error, requests int, took time.Duration) {
	t.Helper()
	if c.WantErr == "" && err != nil {
		t.Fatal(err)
	}
	if c.WantErr != "" && (err == nil || !strings.Contains(err.Error(), c.WantErr)) {
		t.Fatalf("err = %v, want %q", err, c.WantErr)
	}
	if requests != c.Requests {
		t.Errorf("%d requests, want %d", requests, c.Requests)
	}
	if took < c.MinTime {
		t.Errorf("took %s, want at least %s", took, c.MinTime)
	}
}

// CheckRemembered runs decls, a declaration-only cell, then a query with a
// parameter through ses, whose server holds T = AllTypes, and fails t
// unless the declarations were not sent on their own and the query went
// out behind the parameter's let and the declarations, taking 2 rows.
// requests lists what the server has seen, query reads a request's text.
func CheckRemembered[R any](t testing.TB, ses providers.Session, decls string, requests func() []R, query func(R) string) {
	t.Helper()
	sent := func() []string {
		var q []string
		for _, r := range requests() {
			q = append(q, query(r))
		}
		return q
	}
	ctx := context.Background()
	if res, err := ses.Run(ctx, decls, providers.QueryOptions{}); err != nil || res != nil {
		t.Fatalf("declarations: %v %v", res, err)
	}
	if n := len(sent()); n != 0 {
		t.Errorf("a declaration-only cell was sent")
	}
	const q = "T | where L > minval | take lim"
	res, err := ses.Run(ctx, q, providers.QueryOptions{Params: map[string]types.Value{"minval": types.NewLong(-100)}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Table.Rows() != 2 {
		t.Errorf("%d rows, want 2", res[0].Table.Rows())
	}
	if got, want := sent()[0], "let minval = -100;\n"+decls+"\n"+q; got != want {
		t.Errorf("sent %q, want %q", got, want)
	}
}
