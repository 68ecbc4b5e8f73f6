package functions

import (
	"cmp"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/kql/types"
)

// parseIPv4Strict reads a dotted-quad IPv4 address (no leading '+', each
// octet 0-255).
func parseIPv4Strict(s string) (uint32, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return 0, false
	}
	var ip uint32
	for _, p := range parts {
		if p == "" || len(p) > 3 {
			return 0, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 || p[0] == '-' || p[0] == '+' {
			return 0, false
		}
		ip = ip<<8 | uint32(n)
	}
	return ip, true
}

// parseIPv4CIDR reads "a.b.c.d" or "a.b.c.d/n" and returns the address and
// prefix length (32 without a suffix).
func parseIPv4CIDR(s string) (uint32, int, bool) {
	s = strings.TrimSpace(s)
	addr, pfx, hasPfx := strings.Cut(s, "/")
	ip, ok := parseIPv4Strict(addr)
	if !ok {
		return 0, 0, false
	}
	bits := 32
	if hasPfx {
		n, err := strconv.Atoi(pfx)
		if err != nil || n < 0 || n > 32 {
			return 0, 0, false
		}
		bits = n
	}
	return ip, bits, true
}

func mask4(bits int) uint32 {
	if bits <= 0 {
		return 0
	}
	return ^uint32(0) << (32 - bits)
}

// ipv4Arg reads an IPv4 argument that may be a string (with optional /n) or
// a long as parse_ipv4 produces.
func ipv4Arg(v types.Value) (uint32, int, bool) {
	if v.IsNull() {
		return 0, 0, false
	}
	if v.Type == types.Int || v.Type == types.Long {
		if v.I < 0 || v.I > 0xFFFFFFFF {
			return 0, 0, false
		}
		return uint32(v.I), 32, true
	}
	return parseIPv4CIDR(str(v))
}

func formatIPv4(ip uint32) string {
	return fmt.Sprintf("%d.%d.%d.%d", ip>>24, ip>>16&255, ip>>8&255, ip&255)
}

// parseIPv6CIDR reads an IPv6 (or IPv4, mapped into IPv6) address with an
// optional /n prefix (counted in IPv6 bits; an IPv4 /n becomes /96+n).
func parseIPv6CIDR(s string) (netip.Addr, int, bool) {
	s = strings.TrimSpace(s)
	addr, pfx, hasPfx := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.Addr{}, 0, false
	}
	bits := 128
	if hasPfx {
		n, err := strconv.Atoi(pfx)
		if err != nil || n < 0 {
			return netip.Addr{}, 0, false
		}
		bits = n
	}
	if a.Is4() {
		if bits > 32 && hasPfx {
			return netip.Addr{}, 0, false
		}
		if hasPfx {
			bits += 96
		} else {
			bits = 128
		}
		a = netip.AddrFrom16(a.As16())
	}
	if bits > 128 {
		return netip.Addr{}, 0, false
	}
	return a.Unmap(), bits, true
}

func cmp128(a, b netip.Addr, bits int) int {
	x, y := a.As16(), b.As16()
	for i := 0; i < 16; i++ {
		m := byte(0xFF)
		switch {
		case bits <= i*8:
			m = 0
		case bits < (i+1)*8:
			m = ^byte(0) << (8 - (bits - i*8))
		}
		xi, yi := x[i]&m, y[i]&m
		if xi != yi {
			if xi < yi {
				return -1
			}
			return 1
		}
	}
	return 0
}

// ipv4Tokens finds the valid IPv4 addresses in text: digit-and-dot runs that
// are not glued to letters, digits or further dotted parts.
func ipv4Tokens(text string) []string {
	var out []string
	for i := 0; i < len(text); {
		c := text[i]
		if !(c >= '0' && c <= '9') || (i > 0 && (isAlnum(text[i-1]) || text[i-1] == '.')) {
			i++
			continue
		}
		j := i
		for j < len(text) && (text[j] >= '0' && text[j] <= '9' || text[j] == '.') {
			j++
		}
		tok := text[i:j]
		if strings.HasSuffix(tok, ".") && !strings.HasSuffix(tok, "..") {
			tok = tok[:len(tok)-1]
		}
		if (j >= len(text) || !isAlnum(text[j])) && strings.Count(tok, ".") == 3 {
			if _, ok := parseIPv4Strict(tok); ok {
				out = append(out, tok)
			}
		}
		i = j
	}
	return out
}

func ipv4Canon(s string) (string, bool) {
	ip, ok := parseIPv4Strict(strings.TrimSpace(s))
	if !ok {
		return "", false
	}
	return formatIPv4(ip), true
}

// listArgs flattens arguments that may each be a scalar or a dynamic array.
func listArgs(a []types.Value) []string {
	var out []string
	for _, v := range a {
		if arr, ok := asArray(v); ok {
			for _, e := range arr {
				out = append(out, DynString(e))
			}
			continue
		}
		out = append(out, str(v))
	}
	return out
}

func init() {
	def("parse_ipv4", "parse_ipv4(ip)", "An IPv4 address (optionally with /prefix, which masks it) as a long.", 1, 1, "s", fixed(types.Long),
		func(_ *Env, a []types.Value) (types.Value, error) {
			ip, bits, ok := parseIPv4CIDR(str(a[0]))
			if !ok {
				return types.NullOf(types.Long), nil
			}
			return longV(int64(ip & mask4(bits))), nil
		})
	def("parse_ipv4_mask", "parse_ipv4_mask(ip, prefix)", "An IPv4 address masked to prefix bits, as a long.", 2, 2, "si", fixed(types.Long),
		func(_ *Env, a []types.Value) (types.Value, error) {
			ip, bits, ok := parseIPv4CIDR(str(a[0]))
			p, ok2 := ToLong(a[1])
			if !ok || !ok2 || p < 0 || p > 32 {
				return types.NullOf(types.Long), nil
			}
			return longV(int64(ip & mask4(min(bits, int(p))))), nil
		})
	def("ipv4_is_private", "ipv4_is_private(ip)", "Whether an IPv4 address is in a private range (10/8, 172.16/12, 192.168/16).", 1, 1, "s", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			ip, bits, ok := parseIPv4CIDR(str(a[0]))
			if !ok {
				return types.NullOf(types.Bool), nil
			}
			in := func(net uint32, n int) bool { return bits >= n && ip&mask4(n) == net }
			return types.NewBool(in(10<<24, 8) || in(172<<24|16<<16, 12) || in(192<<24|168<<16, 16)), nil
		})
	def("ipv4_is_in_range", "ipv4_is_in_range(ip, range)", "Whether an IPv4 address is inside a CIDR range (or equals an address).", 2, 2, "ss", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			ip, _, ok := parseIPv4CIDR(str(a[0]))
			net, bits, ok2 := parseIPv4CIDR(str(a[1]))
			if !ok || !ok2 {
				return types.NullOf(types.Bool), nil
			}
			return types.NewBool(ip&mask4(bits) == net&mask4(bits)), nil
		})
	def("ipv4_is_in_any_range", "ipv4_is_in_any_range(ip, range1, range2, ...)", "Whether an IPv4 address is inside any of the ranges (arguments or a dynamic array).", 2, -1, "sa", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			ip, _, ok := parseIPv4CIDR(str(a[0]))
			if !ok {
				return types.NullOf(types.Bool), nil
			}
			for _, r := range listArgs(a[1:]) {
				net, bits, ok := parseIPv4CIDR(r)
				if !ok {
					return types.NullOf(types.Bool), nil
				}
				if ip&mask4(bits) == net&mask4(bits) {
					return types.NewBool(true), nil
				}
			}
			return types.NewBool(false), nil
		})
	cmp4 := func(a []types.Value) (int, bool) {
		x, bx, ok1 := ipv4Arg(a[0])
		y, by, ok2 := ipv4Arg(a[1])
		if !ok1 || !ok2 {
			return 0, false
		}
		bits := min(bx, by)
		if len(a) == 3 {
			p, ok := ToLong(a[2])
			if !ok || p < 0 || p > 32 {
				return 0, false
			}
			bits = min(bits, int(p))
		}
		x, y = x&mask4(bits), y&mask4(bits)
		return cmp.Compare(int64(x), int64(y)), true
	}
	// the comparisons and ipv4_netmask_suffix are longs, as Kusto.Language declares them
	def("ipv4_compare", "ipv4_compare(ip1, ip2 [, prefix])", "Compares two IPv4 addresses (after masking): -1, 0 or 1.", 2, 3, "aai", fixed(types.Long),
		func(_ *Env, a []types.Value) (types.Value, error) {
			c, ok := cmp4(a)
			if !ok {
				return types.NullOf(types.Long), nil
			}
			return types.NewLong(int64(c)), nil
		})
	def("ipv4_is_match", "ipv4_is_match(ip1, ip2 [, prefix])", "Whether two IPv4 addresses are equal after masking.", 2, 3, "aai", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			c, ok := cmp4(a)
			if !ok {
				return types.NullOf(types.Bool), nil
			}
			return types.NewBool(c == 0), nil
		})
	cmp6 := func(a []types.Value) (int, bool) {
		x, bx, ok1 := parseIPv6CIDR(str(a[0]))
		y, by, ok2 := parseIPv6CIDR(str(a[1]))
		if !ok1 || !ok2 {
			return 0, false
		}
		bits := min(bx, by)
		if len(a) == 3 {
			p, ok := ToLong(a[2])
			if !ok || p < 0 || p > 128 {
				return 0, false
			}
			bits = min(bits, int(p))
		}
		return cmp128(x, y, bits), true
	}
	def("ipv6_compare", "ipv6_compare(ip1, ip2 [, prefix])", "Compares two IPv6 (or IPv4) addresses after masking: -1, 0 or 1.", 2, 3, "ssi", fixed(types.Long),
		func(_ *Env, a []types.Value) (types.Value, error) {
			c, ok := cmp6(a)
			if !ok {
				return types.NullOf(types.Long), nil
			}
			return types.NewLong(int64(c)), nil
		})
	def("ipv6_is_match", "ipv6_is_match(ip1, ip2 [, prefix])", "Whether two IPv6 (or IPv4) addresses are equal after masking.", 2, 3, "ssi", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			c, ok := cmp6(a)
			if !ok {
				return types.NullOf(types.Bool), nil
			}
			return types.NewBool(c == 0), nil
		})
	def("ipv6_is_in_range", "ipv6_is_in_range(ip, range)", "Whether an IPv6 (or IPv4) address is inside a CIDR range.", 2, 2, "ss", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			x, _, ok1 := parseIPv6CIDR(str(a[0]))
			n, bits, ok2 := parseIPv6CIDR(str(a[1]))
			if !ok1 || !ok2 {
				return types.NullOf(types.Bool), nil
			}
			return types.NewBool(cmp128(x, n, bits) == 0), nil
		})
	def("has_ipv4", "has_ipv4(source, ip_address)", "Whether text holds the IPv4 address as a standalone address.", 2, 2, "ss", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			want, ok := ipv4Canon(str(a[1]))
			if !ok {
				return types.NewBool(false), nil
			}
			for _, t := range ipv4Tokens(str(a[0])) {
				if c, _ := ipv4Canon(t); c == want {
					return types.NewBool(true), nil
				}
			}
			return types.NewBool(false), nil
		})
	def("has_any_ipv4", "has_any_ipv4(source, ip1, ip2, ...)", "Whether text holds any of the IPv4 addresses (arguments or a dynamic array).", 2, -1, "sa", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			want := map[string]bool{}
			for _, s := range listArgs(a[1:]) {
				if c, ok := ipv4Canon(s); ok {
					want[c] = true
				}
			}
			for _, t := range ipv4Tokens(str(a[0])) {
				if c, _ := ipv4Canon(t); want[c] {
					return types.NewBool(true), nil
				}
			}
			return types.NewBool(false), nil
		})
	prefixMatch := func(prefixes []string, text string) bool {
		for _, t := range ipv4Tokens(text) {
			for _, p := range prefixes {
				p = strings.TrimSpace(p)
				if p == "" {
					continue
				}
				if strings.HasSuffix(p, ".") && strings.HasPrefix(t, p) || t == p {
					return true
				}
			}
		}
		return false
	}
	def("has_ipv4_prefix", "has_ipv4_prefix(source, ip_address_prefix)", "Whether text holds an IPv4 address starting with the prefix (which ends with a dot, or is a whole address).", 2, 2, "ss", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			return types.NewBool(prefixMatch([]string{str(a[1])}, str(a[0]))), nil
		})
	def("has_any_ipv4_prefix", "has_any_ipv4_prefix(source, prefix1, prefix2, ...)", "Whether text holds an IPv4 address starting with any of the prefixes.", 2, -1, "sa", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			return types.NewBool(prefixMatch(listArgs(a[1:]), str(a[0]))), nil
		})
	def("ipv4_netmask_suffix", "ipv4_netmask_suffix(ip)", "The /n prefix length of an IPv4 CIDR string (32 without one).", 1, 1, "s", fixed(types.Long),
		func(_ *Env, a []types.Value) (types.Value, error) {
			_, bits, ok := parseIPv4CIDR(str(a[0]))
			if !ok {
				return types.NullOf(types.Long), nil
			}
			return types.NewLong(int64(bits)), nil
		})
	formatFn := func(name, doc string, withMask bool) {
		def(name, name+"(ip [, prefix])", doc, 1, 2, "ai", fixed(types.String),
			func(_ *Env, a []types.Value) (types.Value, error) {
				ip, bits, ok := ipv4Arg(a[0])
				if !ok {
					return strV(""), nil
				}
				if len(a) == 2 {
					p, ok := ToLong(a[1])
					if !ok || p < 0 || p > 32 {
						return strV(""), nil
					}
					bits = min(bits, int(p))
				}
				s := formatIPv4(ip & mask4(bits))
				if withMask {
					s += "/" + strconv.Itoa(bits)
				}
				return strV(s), nil
			})
	}
	formatFn("format_ipv4", "Formats an IPv4 address (string or long), masked to prefix bits.", false)
	formatFn("format_ipv4_mask", "Formats an IPv4 address masked to prefix bits as a.b.c.d/n.", true)
}
