package sampledata

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// places is every place of the sample world.
var places = []*Place{seattle, newYork, london, berlin, bengaluru, paris, tokyo, singapore, toronto,
	lagos, bucharest, amsterdam, moscow, zurich}

// geoNetwork is one network of the sample world and the place it is in.
type geoNetwork struct {
	cidr  string
	place *Place
}

// geoNetworks lists the networks the world's ISPs and offices use, each
// with its place, so geo_info_from_ip_address() on the sample tenant agrees
// with SigninLogs' LocationDetails. Addresses outside them (scanners, cloud
// services) stay unknown, as a real database may leave them.
func geoNetworks() []geoNetwork {
	var out []geoNetwork
	seen := map[string]bool{}
	add := func(prefix string, p *Place) {
		c := prefixCIDR(prefix)
		if !seen[c] {
			seen[c] = true
			out = append(out, geoNetwork{c, p})
		}
	}
	for _, p := range places {
		for _, isp := range p.isps {
			add(isp.Prefix, p)
		}
	}
	for _, o := range offices {
		add(o.isp.Prefix, o.place)
	}
	return out
}

// prefixCIDR turns an ipIn prefix ("73.53." or "185.156.73.") into CIDR.
func prefixCIDR(prefix string) string {
	octets := strings.Split(strings.TrimSuffix(prefix, "."), ".")
	bits := 8 * len(octets)
	for len(octets) < 4 {
		octets = append(octets, "0")
	}
	return strings.Join(octets, ".") + "/" + strconv.Itoa(bits)
}

// writeGeoIP writes geoip/geoip.csv, the GeoIP database of the sample
// tenant (kql/geoip reads its header layout; in its own folder it is not
// taken for a table).
func writeGeoIP(dir string) error {
	dir = filepath.Join(dir, "geoip")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("sampledata: %w", err)
	}
	var b strings.Builder
	b.WriteString("network,country,state,city,latitude,longitude\n")
	for _, n := range geoNetworks() {
		p := n.place
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s\n", n.cidr, csvField(p.Country), csvField(p.State), csvField(p.City),
			strconv.FormatFloat(p.Lat, 'f', -1, 64), strconv.FormatFloat(p.Lon, 'f', -1, 64))
	}
	if err := os.WriteFile(filepath.Join(dir, "geoip.csv"), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("sampledata: %w", err)
	}
	return nil
}
