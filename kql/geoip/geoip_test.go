package geoip

import (
	"compress/gzip"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/huntbook/huntbook/kql/functions"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type lookup struct {
	ip   string
	want functions.GeoInfo
	ok   bool
}

func check(t *testing.T, db *DB, tests []lookup) {
	t.Helper()
	for _, tc := range tests {
		got, ok := db.Locate(netip.MustParseAddr(tc.ip))
		if ok != tc.ok || got != tc.want {
			t.Errorf("%s: Locate(%s) = %+v, %v; want %+v, %v", filepath.Base(db.Path), tc.ip, got, ok, tc.want, tc.ok)
		}
	}
}

var (
	seattle = functions.GeoInfo{Country: "United States", State: "Washington", City: "Seattle", Latitude: 47.61, Longitude: -122.33}
	london  = functions.GeoInfo{Country: "United Kingdom", State: "England", City: "London", Latitude: 51.51, Longitude: -0.13}
	sydney  = functions.GeoInfo{Country: "Australia", State: "New South Wales", City: "Sydney", Latitude: -33.87, Longitude: 151.21}
)

func TestNetworkCSV(t *testing.T) {
	p := write(t, t.TempDir(), "geoip.csv", `network,country,state,city,latitude,longitude
73.53.0.0/16,United States,Washington,Seattle,47.61,-122.33
81.151.0.0-81.151.255.255,United Kingdom,England,London,51.51,-0.13
2a03:2880::/32,Australia,New South Wales,Sydney,-33.87,151.21
`)
	db, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	check(t, db, []lookup{
		{"73.53.0.0", seattle, true},
		{"73.53.200.7", seattle, true},
		{"73.53.255.255", seattle, true},
		{"73.54.0.0", functions.GeoInfo{}, false},
		{"73.52.255.255", functions.GeoInfo{}, false},
		{"81.151.3.4", london, true},
		{"::ffff:81.151.3.4", london, true}, // IPv4-mapped
		{"2a03:2880:f12c:83:face:b00c::25de", sydney, true},
		{"2a03:2881::1", functions.GeoInfo{}, false},
		{"1.1.1.1", functions.GeoInfo{}, false},
	})
}

// DB-IP's city lite CSV as downloaded: no header, country codes.
func TestDBIPLiteCSV(t *testing.T) {
	body := "1.0.0.0,1.0.0.255,OC,AU,\"New South Wales\",Sydney,-33.87,151.21\n" +
		"73.53.0.0,73.53.255.255,NA,US,Washington,Seattle,47.61,-122.33\n" +
		"2a03:2880::,2a03:2880:ffff:ffff:ffff:ffff:ffff:ffff,OC,AU,\"New South Wales\",Sydney,-33.87,151.21\n"
	dir := t.TempDir()
	var gz strings.Builder
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(body))
	zw.Close()
	for _, p := range []string{write(t, dir, "dbip-city-lite-2026-11.csv", body), write(t, dir, "dbip-city-lite-2026-10.csv.gz", gz.String())} {
		db, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		check(t, db, []lookup{
			{"1.0.0.7", sydney, true},
			{"73.53.1.1", seattle, true},
			{"2a03:2880::1", sydney, true},
			{"1.0.1.0", functions.GeoInfo{}, false},
		})
	}
}

func TestBadCSVNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, body, want string }{
		{"no-network.csv", "net,country,state,city,latitude,longitude\n", `no-network.csv:1: the header has no "network" column`},
		{"bad-prefix.csv", "network,country,state,city,latitude,longitude\n10.0.0.0/8,A,B,C,1,2\n10.300.0.0/16,A,B,C,1,2\n", `bad-prefix.csv:3: network "10.300.0.0/16" is neither`},
		{"bad-lat.csv", "network,country,state,city,latitude,longitude\n10.0.0.0/8,A,B,C,north,2\n", `bad-lat.csv:2: latitude "north" is not a number`},
		{"overlap.csv", "network,country,state,city,latitude,longitude\n10.0.0.0/8,A,B,C,1,2\n10.1.0.0/16,A,B,C,1,2\n", `overlap.csv:3: range 10.1.0.0-10.1.255.255 overlaps line 2's 10.0.0.0-10.255.255.255`},
		{"short-dbip.csv", "1.0.0.0,1.0.0.255,OC,AU\n", `short-dbip.csv:1: 4 fields, want 8`},
		{"reversed.csv", "1.0.0.255,1.0.0.0,OC,AU,S,C,1,2\n", `reversed.csv:1: range 1.0.0.255-1.0.0.0 is not an address range`},
		{"mixed.csv", "1.0.0.0,::1,OC,AU,S,C,1,2\n", `mixed.csv:1: range 1.0.0.0-::1 is not an address range`},
	}
	for _, tc := range tests {
		_, err := Open(write(t, dir, tc.name, tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := Open(filepath.Join(dir, "missing.mmdb")); err == nil || !strings.Contains(err.Error(), "missing.mmdb") {
		t.Errorf("missing mmdb: %v", err)
	}
}

// writeMMDB writes a GeoLite2-City shaped database with MaxMind's writer.
func writeMMDB(t *testing.T, path string) {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-City", RecordSize: 28, IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	names := func(en string) mmdbtype.Map {
		return mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(en), "de": mmdbtype.String(en + " (de)")}}
	}
	rec := func(g functions.GeoInfo) mmdbtype.Map {
		return mmdbtype.Map{
			"city":         names(g.City),
			"country":      names(g.Country),
			"subdivisions": mmdbtype.Slice{names(g.State)},
			"location":     mmdbtype.Map{"latitude": mmdbtype.Float64(g.Latitude), "longitude": mmdbtype.Float64(g.Longitude)},
		}
	}
	for cidr, g := range map[string]functions.GeoInfo{"73.53.0.0/16": seattle, "2a03:2880::/32": sydney} {
		_, n, _ := net.ParseCIDR(cidr)
		if err := tree.Insert(n, rec(g)); err != nil {
			t.Fatal(err)
		}
	}
	// a country-only record, as GeoLite2 has for some networks
	_, n, _ := net.ParseCIDR("81.151.0.0/16")
	if err := tree.Insert(n, mmdbtype.Map{"country": names("United Kingdom")}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
}

func TestMaxMindDB(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "GeoLite2-City.mmdb")
	writeMMDB(t, p)
	db, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check(t, db, []lookup{
		{"73.53.9.9", seattle, true},
		{"2a03:2880:f12c:83:face:b00c::25de", sydney, true},
		{"81.151.1.1", functions.GeoInfo{Country: "United Kingdom"}, true},
		{"8.8.8.8", functions.GeoInfo{}, false},
	})
}

func TestFind(t *testing.T) {
	tests := []struct {
		files []string
		want  string
	}{
		{nil, ""},
		{[]string{"SigninLogs.csv", "notes.csv"}, ""},
		{[]string{"geoip.csv"}, "geoip.csv"},
		{[]string{"geoip.csv", "GeoLite2-City.mmdb"}, "GeoLite2-City.mmdb"}, // Kusto's data first
		{[]string{"geoip/dbip-city-lite-2026-10.csv.gz", "geoip/dbip-city-lite-2026-11.csv.gz"}, "geoip/dbip-city-lite-2026-11.csv.gz"},
	}
	for _, tc := range tests {
		dir := t.TempDir()
		for _, f := range tc.files {
			write(t, dir, f, "x")
		}
		got := Find(dir)
		if tc.want == "" && got != "" || tc.want != "" && got != filepath.Join(dir, tc.want) {
			t.Errorf("Find(%v) = %q, want %q", tc.files, got, tc.want)
		}
	}
}

// bigCSV writes n adjacent /24 ranges in DB-IP's layout, about what a city
// database holds per million lines.
func bigCSV(b *testing.B, n int) string {
	b.Helper()
	var sb strings.Builder
	for i := 0; i < n; i++ {
		a, z := uint32(0x01000000)+uint32(i)<<8, uint32(0x01000000)+uint32(i)<<8|0xff
		fmt.Fprintf(&sb, "%d.%d.%d.%d,%d.%d.%d.%d,EU,DE,State%d,City%d,%d.5,%d.25\n",
			a>>24, a>>16&0xff, a>>8&0xff, a&0xff, z>>24, z>>16&0xff, z>>8&0xff, z&0xff, i%50, i%5000, i%90, i%180)
	}
	return write(&testing.T{}, b.TempDir(), "dbip-city-lite.csv", sb.String())
}

func BenchmarkOpenCSV(b *testing.B) {
	p := bigCSV(b, 200000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Open(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLocateCSV(b *testing.B) {
	db, err := Open(bigCSV(b, 200000))
	if err != nil {
		b.Fatal(err)
	}
	ips := make([]netip.Addr, 1024)
	for i := range ips {
		ips[i] = netip.AddrFrom4([4]byte{1 + byte(i%3), byte(i * 7), byte(i * 13), byte(i)})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db.Locate(ips[i%len(ips)])
	}
}
