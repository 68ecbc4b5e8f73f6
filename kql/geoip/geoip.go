// Package geoip owns the IP geolocation databases behind
// geo_info_from_ip_address(): MaxMind DB files (GeoLite2-City.mmdb, the data
// Kusto's own function uses, or DB-IP's city .mmdb) and CSV range files
// (DB-IP's "IP to City Lite" CSV as downloaded, or a CSV of networks with a
// header, which the sample tenant writes). It finds them in a workspace
// folder and looks addresses up in them.
package geoip

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/huntbook/huntbook/kql/functions"
)

// Names are the file names Find looks for, in order of preference: the
// database Kusto uses first.
var Names = []string{
	"GeoLite2-City.mmdb", "GeoIP2-City.mmdb", "dbip-city-lite.mmdb", "dbip-city.mmdb",
	"geoip.csv", "geoip.csv.gz", "dbip-city-lite.csv", "dbip-city-lite.csv.gz",
}

// Find returns the first geolocation database in dir (directly or in its
// geoip/ subfolder), or "" when it has none. Dated downloads such as
// dbip-city-lite-2026-11.csv.gz count too.
func Find(dir string) string {
	for _, d := range []string{dir, filepath.Join(dir, "geoip")} {
		for _, n := range Names {
			if p := filepath.Join(d, n); isFile(p) {
				return p
			}
		}
		for _, pat := range []string{"dbip-city*.mmdb", "dbip-city-lite-*.csv", "dbip-city-lite-*.csv.gz"} {
			if m, _ := filepath.Glob(filepath.Join(d, pat)); len(m) > 0 {
				slices.Sort(m)
				return m[len(m)-1] // the newest month
			}
		}
	}
	return ""
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// DB is one opened geolocation database. It is safe for concurrent use.
type DB struct {
	Path string
	mmdb *maxminddb.Reader
	csv  *ranges
}

// span is one CSV row's range, as parsed.
type span struct{ from, to netip.Addr }

// ranges is a CSV database kept small: DB-IP's city lite file has some 4.5
// million ranges, which as netip.Addr pairs and pointers would take about
// 300 MB. IPv4 and IPv6 ranges are apart, sorted by start, not overlapping;
// places are stored once.
type ranges struct {
	v4    []v4range
	v6    []v6range
	infos []functions.GeoInfo
}

type v4range struct {
	from, to   uint32
	info, line int32
}

type v6range struct {
	from, to   [2]uint64
	info, line int32
}

func v4key(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func v6key(a netip.Addr) [2]uint64 {
	b := a.As16()
	return [2]uint64{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

func cmp6(a, b [2]uint64) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}

func (r *ranges) locate(ip netip.Addr) (functions.GeoInfo, bool) {
	if ip.Is4() {
		k := v4key(ip)
		i, found := slices.BinarySearchFunc(r.v4, k, func(s v4range, k uint32) int { return cmp.Compare(s.from, k) })
		if !found {
			i-- // the last range starting before ip
		}
		if i < 0 || k > r.v4[i].to {
			return functions.GeoInfo{}, false
		}
		return r.infos[r.v4[i].info], true
	}
	k := v6key(ip)
	i, found := slices.BinarySearchFunc(r.v6, k, func(s v6range, k [2]uint64) int { return cmp6(s.from, k) })
	if !found {
		i--
	}
	if i < 0 || cmp6(k, r.v6[i].to) > 0 {
		return functions.GeoInfo{}, false
	}
	return r.infos[r.v6[i].info], true
}

// check sorts the ranges by start if they are not, and fails on the first
// two that overlap, naming both lines.
func (r *ranges) check() error {
	if !slices.IsSortedFunc(r.v4, func(a, b v4range) int { return cmp.Compare(a.from, b.from) }) {
		slices.SortFunc(r.v4, func(a, b v4range) int { return cmp.Compare(a.from, b.from) })
	}
	if !slices.IsSortedFunc(r.v6, func(a, b v6range) int { return cmp6(a.from, b.from) }) {
		slices.SortFunc(r.v6, func(a, b v6range) int { return cmp6(a.from, b.from) })
	}
	overlap := func(a, b string, la, lb int32) error {
		if la > lb {
			a, b, la, lb = b, a, lb, la
		}
		return fmt.Errorf("%d: range %s overlaps line %d's %s", lb, b, la, a)
	}
	for i := 1; i < len(r.v4); i++ {
		if a, b := r.v4[i-1], r.v4[i]; b.from <= a.to {
			return overlap(v4text(a), v4text(b), a.line, b.line)
		}
	}
	for i := 1; i < len(r.v6); i++ {
		if a, b := r.v6[i-1], r.v6[i]; cmp6(b.from, a.to) <= 0 {
			return overlap(v6text(a), v6text(b), a.line, b.line)
		}
	}
	return nil
}

func v4text(r v4range) string {
	var a, b [4]byte
	binary.BigEndian.PutUint32(a[:], r.from)
	binary.BigEndian.PutUint32(b[:], r.to)
	return netip.AddrFrom4(a).String() + "-" + netip.AddrFrom4(b).String()
}

func v6text(r v6range) string {
	addr := func(k [2]uint64) netip.Addr {
		var b [16]byte
		binary.BigEndian.PutUint64(b[:8], k[0])
		binary.BigEndian.PutUint64(b[8:], k[1])
		return netip.AddrFrom16(b)
	}
	return addr(r.from).String() + "-" + addr(r.to).String()
}

// Open reads a database: .mmdb as a MaxMind DB, .csv (or .csv.gz) as a
// range file. A CSV's bad line fails the open with the file and line named:
// a half-read database would answer wrongly without saying so.
func Open(path string) (*DB, error) {
	if strings.HasSuffix(strings.ToLower(path), ".mmdb") {
		r, err := maxminddb.Open(path)
		if err != nil {
			return nil, fmt.Errorf("geoip: %s: %w", path, err)
		}
		return &DB{Path: path, mmdb: r}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geoip: %w", err)
	}
	defer f.Close()
	var in io.Reader = bufio.NewReaderSize(f, 1<<20)
	if strings.HasSuffix(strings.ToLower(path), ".gz") {
		gz, err := gzip.NewReader(in)
		if err != nil {
			return nil, fmt.Errorf("geoip: %s: %w", path, err)
		}
		defer gz.Close()
		in = gz
	}
	rs, err := readCSV(in)
	if err != nil {
		return nil, fmt.Errorf("geoip: %s:%w", path, err)
	}
	return &DB{Path: path, csv: rs}, nil
}

// Close releases a MaxMind database's mapping.
func (d *DB) Close() error {
	if d.mmdb != nil {
		return d.mmdb.Close()
	}
	return nil
}

// Locate implements functions.GeoLocator.
func (d *DB) Locate(ip netip.Addr) (functions.GeoInfo, bool) {
	ip = ip.Unmap()
	if d.mmdb != nil {
		return d.lookupMMDB(ip)
	}
	return d.csv.locate(ip)
}

// mmdbCity is the part of a GeoIP2/GeoLite2 City record the function
// returns; DB-IP's .mmdb files use the same layout.
type mmdbCity struct {
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Country struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"country"`
	Subdivisions []struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
}

func (d *DB) lookupMMDB(ip netip.Addr) (functions.GeoInfo, bool) {
	res := d.mmdb.Lookup(ip)
	if !res.Found() {
		return functions.GeoInfo{}, false
	}
	var rec mmdbCity
	if err := res.Decode(&rec); err != nil {
		return functions.GeoInfo{}, false
	}
	g := functions.GeoInfo{Country: rec.Country.Names["en"], City: rec.City.Names["en"]}
	if len(rec.Subdivisions) > 0 {
		g.State = rec.Subdivisions[0].Names["en"]
	}
	if rec.Location.Latitude == nil || rec.Location.Longitude == nil {
		return g, g.Country != ""
	}
	g.Latitude, g.Longitude = *rec.Location.Latitude, *rec.Location.Longitude
	return g, true
}

// readCSV reads either shape of range file:
//
//   - with a header naming network, country, state, city, latitude and
//     longitude (any order; network is a CIDR prefix or "first-last");
//   - DB-IP's city lite CSV, no header: first IP, last IP, continent,
//     country code, state, city, latitude, longitude. Country codes become
//     English names, as Kusto's function returns.
//
// The error it returns starts with the line number, for Open to prefix
// with the file.
func readCSV(in io.Reader) (*ranges, error) {
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	var (
		out    ranges
		col    map[string]int
		intern = map[functions.GeoInfo]int32{}
	)
	for line := 1; ; {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%d: %v", pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("%d: %v", line, err)
		}
		line, _ = r.FieldPos(0) // a quoted field may span lines
		if line == 1 && !looksLikeIP(rec[0]) {
			col, err = header(rec)
			if err != nil {
				return nil, fmt.Errorf("1: %v", err)
			}
			continue
		}
		s, g, err := parseRow(rec, col)
		if err != nil {
			return nil, fmt.Errorf("%d: %v", line, err)
		}
		info, ok := intern[g]
		if !ok {
			info = int32(len(out.infos))
			out.infos = append(out.infos, g)
			intern[g] = info
		}
		if s.from.Is4() {
			out.v4 = append(out.v4, v4range{v4key(s.from), v4key(s.to), info, int32(line)})
		} else {
			out.v6 = append(out.v6, v6range{v6key(s.from), v6key(s.to), info, int32(line)})
		}
	}
	if err := out.check(); err != nil {
		return nil, err
	}
	return &out, nil
}

var headerCols = []string{"network", "country", "state", "city", "latitude", "longitude"}

func header(rec []string) (map[string]int, error) {
	col := map[string]int{}
	for i, h := range rec {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, h := range headerCols {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("the header has no %q column (want %s, or no header in DB-IP's layout)", h, strings.Join(headerCols, ", "))
		}
	}
	return col, nil
}

func looksLikeIP(s string) bool {
	s, _, _ = strings.Cut(s, "/")
	s, _, _ = strings.Cut(s, "-")
	_, err := netip.ParseAddr(strings.TrimSpace(s))
	return err == nil
}

func parseRow(rec []string, col map[string]int) (span, functions.GeoInfo, error) {
	var s span
	var g functions.GeoInfo
	var err error
	var lat, lon string
	if col == nil { // DB-IP
		if len(rec) < 8 {
			return s, g, fmt.Errorf("%d fields, want 8 (first IP, last IP, continent, country code, state, city, latitude, longitude)", len(rec))
		}
		if s.from, err = netip.ParseAddr(rec[0]); err == nil {
			s.to, err = netip.ParseAddr(rec[1])
		}
		if err != nil {
			return s, g, err
		}
		g = functions.GeoInfo{Country: countryName(rec[3]), State: rec[4], City: rec[5]}
		lat, lon = rec[6], rec[7]
	} else {
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if s.from, s.to, err = parseNetwork(get("network")); err != nil {
			return s, g, err
		}
		g = functions.GeoInfo{Country: get("country"), State: get("state"), City: get("city")}
		lat, lon = get("latitude"), get("longitude")
	}
	if s.from.Is4() != s.to.Is4() || s.to.Less(s.from) {
		return s, g, fmt.Errorf("range %s-%s is not an address range", s.from, s.to)
	}
	if g.Latitude, err = strconv.ParseFloat(lat, 64); err != nil {
		return s, g, fmt.Errorf("latitude %q is not a number", lat)
	}
	if g.Longitude, err = strconv.ParseFloat(lon, 64); err != nil {
		return s, g, fmt.Errorf("longitude %q is not a number", lon)
	}
	return s, g, nil
}

// parseNetwork reads "10.1.0.0/16" or "10.1.0.0-10.1.255.255".
func parseNetwork(n string) (from, to netip.Addr, err error) {
	if a, b, ok := strings.Cut(n, "-"); ok {
		if from, err = netip.ParseAddr(strings.TrimSpace(a)); err == nil {
			to, err = netip.ParseAddr(strings.TrimSpace(b))
		}
		return from.Unmap(), to.Unmap(), err
	}
	p, err := netip.ParsePrefix(n)
	if err != nil {
		return from, to, fmt.Errorf("network %q is neither a prefix (10.1.0.0/16) nor a range (first-last)", n)
	}
	p = p.Masked()
	return p.Addr(), lastAddr(p), nil
}

// lastAddr is a prefix's highest address.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// countryName is a country code's English name ("AU" -> "Australia");
// an unknown code stays as it is.
func countryName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.English.Regions().Name(r); n != "" {
		return n
	}
	return code
}
