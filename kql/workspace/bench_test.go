package workspace

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"sync"
	"testing"

	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// signinCSV generates a SigninLogs-like CSV: repeated UPNs, apps, IPs and
// result codes, unique ids, ISO datetimes and JSON in quoted fields, about
// 480 bytes a row, as Log Analytics exports it.
func signinCSV(rows int) []byte {
	rng := rand.New(rand.NewSource(int64(rows)))
	apps := []string{"Office 365 Exchange Online", "Microsoft Teams", "Azure Portal", "SharePoint Online",
		"Microsoft Graph", "OneDrive", "Azure CLI", "Visual Studio Code", "Power BI", "Outlook Mobile"}
	results := []string{"0", "0", "0", "0", "50126", "50074", "53003", "500121", "50140"}
	countries := []string{"US", "GB", "DE", "NL", "IN", "BR", "JP", "AU"}
	guid := func() string {
		return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Intn(1<<16), rng.Intn(1<<16), rng.Intn(1<<16), rng.Int63n(1<<48))
	}
	var b bytes.Buffer
	b.WriteString("TimeGenerated,TenantId,UserPrincipalName,UserDisplayName,AppDisplayName,IPAddress,ResultType," +
		"ResultDescription,ClientAppUsed,ConditionalAccessStatus,Location,LocationDetails,DeviceDetail," +
		"IsInteractive,RiskLevelDuringSignIn,CorrelationId,Id,DurationMs,UserAgent\n")
	base := int64(1795305600) * types.Second // 2026-11-22
	tenant := guid()
	for i := 0; i < rows; i++ {
		u := rng.Intn(500)
		ts := base + rng.Int63n(14*types.Day)
		country := countries[rng.Intn(len(countries))]
		b.Write(appendDateTime(nil, ts))
		fmt.Fprintf(&b, ",%s,user%d@contoso.com,User %d,%s,10.%d.%d.%d,%s,%s,%s,%s,%s,", tenant, u, u,
			apps[rng.Intn(len(apps))], u%8, u%200, rng.Intn(8), results[rng.Intn(len(results))],
			"Sign-in result text", "Browser", "notApplied", country)
		// Locations come from IP geolocation: the same user's are the same text.
		fmt.Fprintf(&b, `"{""city"":""City%d"",""countryOrRegion"":""%s"",""geoCoordinates"":{""latitude"":%.4f}}",`,
			u%40, countries[u%len(countries)], float64(u%40)*2.25)
		fmt.Fprintf(&b, `"{""operatingSystem"":""Windows 10"",""browser"":""Edge %d""}",`, 100+u%20)
		fmt.Fprintf(&b, "%t,none,%s,%s,%d,Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/%d\n",
			rng.Intn(3) > 0, guid(), guid(), rng.Intn(5000), 100+u%20)
	}
	return b.Bytes()
}

var signinSchemaFull = types.Schema{
	{Name: "TimeGenerated", Type: types.DateTime}, {Name: "TenantId", Type: types.String},
	{Name: "UserPrincipalName", Type: types.String}, {Name: "UserDisplayName", Type: types.String},
	{Name: "AppDisplayName", Type: types.String}, {Name: "IPAddress", Type: types.String},
	{Name: "ResultType", Type: types.String}, {Name: "ResultDescription", Type: types.String},
	{Name: "ClientAppUsed", Type: types.String}, {Name: "ConditionalAccessStatus", Type: types.String},
	{Name: "Location", Type: types.String}, {Name: "LocationDetails", Type: types.Dynamic},
	{Name: "DeviceDetail", Type: types.Dynamic}, {Name: "IsInteractive", Type: types.Bool},
	{Name: "RiskLevelDuringSignIn", Type: types.String}, {Name: "CorrelationId", Type: types.String},
	{Name: "Id", Type: types.String}, {Name: "DurationMs", Type: types.Long}, {Name: "UserAgent", Type: types.String},
}

var benchData = map[int][]byte{}
var benchMu sync.Mutex

func benchCSV(rows int) []byte {
	benchMu.Lock()
	defer benchMu.Unlock()
	if d, ok := benchData[rows]; ok {
		return d
	}
	d := signinCSV(rows)
	benchData[rows] = d
	return d
}

func TestSigninBenchDataReads(t *testing.T) {
	data := signinCSV(2000)
	for _, schema := range []types.Schema{signinSchemaFull, nil} {
		tb, rep, err := readCSV(context.Background(), data, "SigninLogs.csv", "SigninLogs", schema, readOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Issues) != 0 || tb.Rows() != 2000 {
			t.Fatalf("report %v %v", rep, rep.Issues)
		}
		if s := tb.Schema().String(); s != signinSchemaFull.String() && schema != nil {
			t.Fatalf("schema %s", s)
		}
		if schema == nil && tb.Column("LocationDetails").Type != types.Dynamic {
			t.Fatalf("inferred schema %s", tb.Schema())
		}
	}
}

func benchRead(b *testing.B, rows int, schema types.Schema, workers int) {
	data := benchCSV(rows)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := readCSV(context.Background(), data, "SigninLogs.csv", "SigninLogs", schema, readOptions{workers: workers}); err != nil {
			b.Fatal(err)
		}
	}
}

// go test -bench ReadCSV ./kql/workspace reports MB/s; the 1M-row case is
// the one compared with pandas.read_csv and DuckDB.
func BenchmarkReadCSV_100k_Schema(b *testing.B)   { benchRead(b, 100_000, signinSchemaFull, 0) }
func BenchmarkReadCSV_100k_Inferred(b *testing.B) { benchRead(b, 100_000, nil, 0) }
func BenchmarkReadCSV_100k_1Worker(b *testing.B)  { benchRead(b, 100_000, signinSchemaFull, 1) }
func BenchmarkReadCSV_1M_Schema(b *testing.B)     { benchRead(b, 1_000_000, signinSchemaFull, 0) }

func benchTable(b *testing.B, rows int) (*table.Table, int) {
	data := benchCSV(rows)
	t, _, err := readCSV(context.Background(), data, "SigninLogs.csv", "SigninLogs", signinSchemaFull, readOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return t, len(data)
}

func BenchmarkReadJSONL_100k(b *testing.B) {
	t, _ := benchTable(b, 100_000)
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, t); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := readJSONL(context.Background(), buf.Bytes(), "S.jsonl", "S", signinSchemaFull, readOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadParquet_100k(b *testing.B) {
	t, csvBytes := benchTable(b, 100_000)
	var buf bytes.Buffer
	if err := WriteParquet(&buf, t); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(csvBytes)) // MB/s of the equivalent CSV, to compare formats
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := readParquet(context.Background(), buf.Bytes(), "S.parquet", "S", nil, readOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteCSV_100k(b *testing.B) {
	t, n := benchTable(b, 100_000)
	b.SetBytes(int64(n))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, t); err != nil {
			b.Fatal(err)
		}
	}
}
