package defender_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
	"github.com/huntbook/huntbook/providers"
	"github.com/huntbook/huntbook/providers/defender/defendertest"
)

// BenchmarkDecode measures one 20,000-row answer of 20 mixed columns, as
// an advanced hunting query over DeviceProcessEvents returns, through the
// Graph shape (the fake's encoding is paid once, outside the loop).
func BenchmarkDecode(b *testing.B) {
	var schema types.Schema
	kinds := []types.Type{types.DateTime, types.String, types.Long, types.String, types.Dynamic}
	for i := 0; i < 20; i++ {
		schema = append(schema, types.Column{Name: fmt.Sprintf("C%d", i), Type: kinds[i%len(kinds)]})
	}
	t := table.New("PrimaryResult", schema)
	bag := types.NewBag()
	bag.Set("Command", "powershell.exe -enc AAAA")
	for r := 0; r < 20000; r++ {
		row := make([]types.Value, len(schema))
		for i, c := range schema {
			switch c.Type {
			case types.DateTime:
				row[i] = types.NewDateTime(int64(r) * types.Second)
			case types.Long:
				row[i] = types.NewLong(int64(r) << 40)
			case types.Dynamic:
				row[i] = types.NewDynamic(bag)
			default:
				row[i] = types.NewString(fmt.Sprintf("C:\\Windows\\System32\\proc%d.exe", r%500))
			}
		}
		if err := t.AppendRow(row); err != nil {
			b.Fatal(err)
		}
	}
	body := string(defendertest.Encode(defendertest.GraphPath, &defendertest.Answer{Tables: []*table.Table{t}}))
	s := defendertest.NewHandlerServer(fixed(&defendertest.Answer{}))
	defer s.Close()
	b.Setenv(tokenEnv, s.Token)
	p, err := providersOpen(s)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		s.Fail(defendertest.Fault{Status: 200, Body: body})
		res, err := p.NewSession().Run(context.Background(), "T", providers.QueryOptions{})
		if err != nil || res[0].Table.Rows() != 20000 {
			b.Fatal(err)
		}
	}
}

func providersOpen(s *defendertest.Server) (providers.Provider, error) {
	return providers.Open("defender", "B", s.Settings("graph", tokenEnv))
}
