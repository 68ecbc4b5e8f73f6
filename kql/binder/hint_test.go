package binder

import (
	"os"
	"strings"
	"testing"
)

func TestEvaluateSchemaHint(t *testing.T) {
	checkSchemas(t, []schemaCase{
		{"pivot hint", "U | project User, Dept | evaluate pivot(Dept) : (User:string, Sales:long, IT:long) | sort by IT",
			"(User:string, Sales:long, IT:long)", false},
		{"bag_unpack hint", "T | evaluate bag_unpack(Props) : (User:string, a:long, b:dynamic) | where a > 1",
			"(User:string, a:long, b:dynamic)", false},
		{"star keeps passed-through input", "T | project User, Props | evaluate bag_unpack(Props) : (*, a:long)",
			"(User:string, a:long)", false},
		{"star over an unmodelled plugin", "U | evaluate autocluster() : (*, Count:long)",
			"(User:string, Dept:string, Count:long)", false},
		{"hint on a source plugin", "evaluate sql_request('x', 'select 1') : (n:long)", "(n:long)", false},
		{"corpus bertjanp/0694", "DeviceTvmSoftwareVulnerabilities | project DeviceName, VulnerabilitySeverityLevel\n" +
			"| evaluate pivot(VulnerabilitySeverityLevel): (DeviceName: string,Critical: long, High: long, Medium: long, Low: long)\n" +
			"| sort by Critical, High, Medium, Low",
			"(DeviceName:string, Critical:long, High:long, Medium:long, Low:long)", false},
	})
}

func TestEvaluateSchemaHintDiagnostics(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"column not in hint", "U | evaluate pivot(Dept) : (User:string, IT:long) | project Dept",
			[]string{"q:1:61: error: unknown column 'Dept'"}},
		{"duplicate hinted column", "U | evaluate pivot(Dept) : (User:string, User:long)",
			[]string{"q:1:42: error: evaluate: column 'User' appears twice in the output schema"}},
		{"scalar type is no schema", "U | evaluate pivot(Dept) : string",
			[]string{"q:1:28: error: evaluate: the output schema must be a column list, as in : (Name:string, Count:long)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := bind(t, tc.src)
			var got []string
			for _, d := range r.Diagnostics {
				got = append(got, d.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("diagnostics\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}

// TestCorpusPivotHint binds the corpus query itself, as shipped.
func TestCorpusPivotHint(t *testing.T) {
	src, err := os.ReadFile("/work/shared/corpus/kql/bertjanp/0694.kql")
	if err != nil {
		t.Skip("corpus not present")
	}
	r := bind(t, string(src))
	for _, d := range r.Diagnostics {
		t.Errorf("unexpected diagnostic: %s", d)
	}
	if s, _ := lastSchema(t, r); s.Index("Critical") != 1 {
		t.Errorf("schema %s: want Critical second", s)
	}
}
