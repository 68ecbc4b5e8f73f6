package workspace

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

// Query answers saved from the APIs read as the table they hold, typed as
// the answer declares.
func TestAPIAnswers(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		schema string // the table's schema as read, no built-in schema
		rows   []string
		report string // substring of the summary ("" for a clean read)
	}{
		{
			name: "Log Analytics query API",
			file: `{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"User","type":"string"},` +
				`{"name":"N","type":"long"},{"name":"Bag","type":"dynamic"}],` + "\n" +
				`"rows":[["2026-02-25T09:19:25.391Z","alice",5,"{\"city\":\"Paris\"}"],` + "\n" +
				`["2026-02-25T10:00:00Z","bob",null,null]]}]}`,
			schema: "(TimeGenerated:datetime, User:string, N:long, Bag:dynamic)",
			rows:   []string{`2026-02-25T09:19:25.391Z|alice|5|{"city":"Paris"}`, `2026-02-25T10:00:00Z|bob|<null>|<null>`},
		},
		{
			name: "Azure Data Explorer v1: the first table, not its status tables",
			file: `{"Tables":[{"TableName":"Table_0","Columns":[{"ColumnName":"Host","DataType":"String","ColumnType":"string"},{"ColumnName":"Up","DataType":"Boolean","ColumnType":"bool"}],` +
				`"Rows":[["web01",true],["db01",false]]},{"TableName":"Table_1","Columns":[{"ColumnName":"Value","ColumnType":"string"}],"Rows":[["{}"]]}]}`,
			schema: "(Host:string, Up:bool)",
			rows:   []string{"web01|true", "db01|false"},
		},
		{
			name: "Azure Data Explorer v2 frames",
			file: `[{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"},` + "\n" +
				`{"FrameType":"DataTable","TableId":0,"TableKind":"QueryProperties","TableName":"@ExtendedProperties","Columns":[{"ColumnName":"Value","ColumnType":"dynamic"}],"Rows":[[{}]]},` + "\n" +
				`{"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"Ip","ColumnType":"string"},{"ColumnName":"Seen","ColumnType":"timespan"}],` + "\n" +
				`"Rows":[["10.0.0.1","01:00:00"]]},` + "\n" +
				`{"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}]`,
			schema: "(Ip:string, Seen:timespan)",
			rows:   []string{"10.0.0.1|01:00:00"},
		},
		{
			name: "Defender XDR advanced hunting API",
			file: `{"Schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"DeviceName","Type":"String"},{"Name":"RemotePort","Type":"Int32"},{"Name":"AdditionalFields","Type":"Object"}],` +
				`"Results":[{"Timestamp":"2026-02-25T09:19:25Z","DeviceName":"pc1","RemotePort":443,"AdditionalFields":{"a":1}}]}`,
			schema: "(Timestamp:datetime, DeviceName:string, RemotePort:int, AdditionalFields:dynamic)",
			rows:   []string{`2026-02-25T09:19:25Z|pc1|443|{"a":1}`},
		},
		{
			name: "Graph runHuntingQuery",
			file: `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults",` +
				`"schema":[{"name":"DeviceId","type":"String"},{"name":"Count","type":"Int64"}],"results":[{"DeviceId":"d1","Count":3}]}`,
			schema: "(DeviceId:string, Count:long)",
			rows:   []string{"d1|3"},
		},
		{
			name: "a Microsoft Graph list",
			file: `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns","value":[` +
				`{"createdDateTime":"2026-02-25T09:19:25Z","userPrincipalName":"alice@contoso.com","status":{"errorCode":0}}]}`,
			schema: "(createdDateTime:datetime, userPrincipalName:string, status:dynamic)",
			rows:   []string{`2026-02-25T09:19:25Z|alice@contoso.com|{"errorCode":0}`},
		},
		{
			name: "rows of the wrong length are kept and reported",
			file: "{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"A\",\"type\":\"string\"},{\"name\":\"B\",\"type\":\"long\"}],\"rows\":[\n" +
				"[\"x\"],\n[\"y\",2,3],\n\"z\"]}]}",
			schema: "(A:string, B:long)",
			rows:   []string{"x|<null>", "y|2"},
			report: `2 records with a wrong field count kept (1 padded with nulls, 1 cut to the header's fields); 1 malformed line skipped: T.json:2: row has 1 values, the table 2 columns: kept, padded with nulls; T.json:3: row has 3 values, the table 2 columns: kept, the extra values cut; T.json:4: a row that is not an array of values: "\"z\""`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tbl, rep, err := ReadJSONL(strings.NewReader(tc.file), "T.json", nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := tbl.Schema().String(); got != tc.schema {
				t.Errorf("schema = %s, want %s", got, tc.schema)
			}
			var rows []string
			for i := 0; i < tbl.Rows(); i++ {
				var vs []string
				for _, v := range tbl.Row(i) {
					vs = append(vs, formatCell(v))
				}
				rows = append(rows, strings.Join(vs, "|"))
			}
			if fmt.Sprint(rows) != fmt.Sprint(tc.rows) {
				t.Errorf("rows = %q, want %q", rows, tc.rows)
			}
			if got := rep.Summary(); !strings.Contains(got, tc.report) || (tc.report == "") != (got == "") {
				t.Errorf("report = %q, want %q", got, tc.report)
			}
		})
	}
}

func formatCell(v types.Value) string {
	if v.IsNull() {
		return "<null>"
	}
	switch v.Type {
	case types.DateTime:
		return types.FormatDateTime(v.I)
	case types.Dynamic:
		return types.DynamicJSON(v.D)
	}
	return v.String()
}

func TestGraphPageNote(t *testing.T) {
	_, rep, err := ReadJSONL(strings.NewReader(`{"@odata.context":"x","@odata.nextLink":"https://graph.microsoft.com/v1.0/auditLogs/signIns?$skiptoken=y","value":[{"id":"1"}]}`), "S.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "S.json: a Microsoft Graph answer with more pages (@odata.nextLink)") {
		t.Fatalf("notes = %q", rep.Notes)
	}
}

func TestAPIAnswerErrors(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"an error answer", `{"error":{"code":"PathNotFoundError","message":"The requested path does not exist"}}`,
			"T.json: the file holds an API error, not a table: PathNotFoundError: The requested path does not exist"},
		{"no table", `{"tables":[]}`, "T.json:1: the query answer's tables list holds no table"},
		{"unknown type", `{"tables":[{"name":"PrimaryResult","columns":[{"name":"A","type":"blob"}],"rows":[]}]}`,
			`T.json:1: column A: unknown type "blob"`},
		{"v2 without a result", `[{"FrameType":"DataSetHeader"},{"FrameType":"DataSetCompletion"}]`,
			"T.json: an Azure Data Explorer v2 answer without a PrimaryResult table"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadJSONL(strings.NewReader(tc.file), "T.json", nil)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error = %v, want %s", err, tc.want)
			}
		})
	}
}

// A workspace table saved as an API answer: the built-in schema first,
// the answer's other columns after it, and a schema known before loading
// even when the answer is larger than the peek.
func TestAPIAnswerInWorkspace(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"UserPrincipalName","type":"string"},{"name":"Mine","type":"long"}],"rows":[`)
	const n = 30000 // over a MB
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `["2026-02-25T09:19:25Z","user%05d@contoso.com",%d]`, i, i)
	}
	b.WriteString("]}]}")
	if b.Len() <= peekBytes {
		t.Fatalf("test file of %d bytes does not exceed the peek", b.Len())
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"SigninLogs.json": b.String()})
	w, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, ok := w.Schema("SigninLogs")
	if !ok || s.Index("Mine") < 0 || s[s.Index("Mine")].Type != types.Long || s.Index("TimeGenerated") < 0 || s.Index("Mine") != len(s)-1 {
		t.Fatalf("schema before loading = %v, %v", s, ok)
	}
	tbl, rep, err := w.Load(context.Background(), "SigninLogs")
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Rows() != n || rep.Summary() != "" || tbl.Column("Mine").Ints[n-1] != n-1 {
		t.Fatalf("rows = %d, report %q", tbl.Rows(), rep.Summary())
	}
	if !strings.Contains(strings.Join(rep.Warnings, "\n"), "column Mine is not in the schema; appended as long") {
		t.Errorf("warnings = %q", rep.Warnings)
	}
}
