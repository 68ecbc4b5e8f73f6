package functions

import (
	"net/netip"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

func TestDynamicFunctions(t *testing.T) {
	runScalars(t, []scase{
		{"pack", A(S("k1"), S("v1"), S("k2"), L(2)), D(`{"k1":"v1","k2":2}`)},
		{"bag_pack", A(S("t"), DT("2020-01-01"), S("n"), N(types.Long)), D(`{"t":"2020-01-01T00:00:00Z","n":null}`)},
		{"pack_dictionary", A(), D(`{}`)},
		{"pack_array", A(L(1), S("a"), B(true), D(`[2]`)), D(`[1,"a",true,[2]]`)},
		{"bag_keys", A(D(`{"a":"b","c":123}`)), D(`["a","c"]`)},
		{"bag_keys", A(D(`[1]`)), N(types.Dynamic)},
		{"bag_has_key", A(D(`{"a":{"b":1}}`), S("a")), B(true)},
		{"bag_has_key", A(D(`{"a":{"b":1}}`), S("b")), B(false)},
		{"bag_has_key", A(D(`{"a":{"b":1}}`), S("$.a.b")), B(true)},
		{"bag_has_key", A(D(`{"a":{"b":1}}`), S("$.a.c")), B(false)},
		{"bag_has_key", A(D(`[1]`), S("a")), N(types.Bool)},
		{"bag_merge", A(D(`{"A1":12,"B1":2,"C1":3}`), D(`{"A2":81,"B2":82,"A1":1}`)), D(`{"A1":12,"B1":2,"C1":3,"A2":81,"B2":82}`)},
		{"bag_merge", A(D(`{"a":1}`), D(`[1]`)), D(`{"a":1}`)},
		{"bag_remove_keys", A(D(`{"key1":123,"key2":"abc"}`), D(`["key1"]`)), D(`{"key2":"abc"}`)},
		{"bag_remove_keys", A(D(`{"A":{"a":1,"b":2}}`), D(`["$.A.a"]`)), D(`{"A":{"b":2}}`)},
		{"bag_remove_keys", A(D(`{"a":1}`), D(`["zz"]`)), D(`{"a":1}`)},
		{"array_length", A(D(`[1,2,3]`)), L(3)},
		{"array_length", A(D(`[]`)), L(0)},
		{"array_length", A(D(`{}`)), N(types.Long)},
		{"array_length", A(N(types.Dynamic)), N(types.Long)},
		{"array_concat", A(D(`[1,2]`), D(`[3]`), D(`[]`)), D(`[1,2,3]`)},
		{"array_concat", A(D(`[1,2]`), D(`{}`)), N(types.Dynamic)},
		{"array_slice", A(D(`[1,2,3]`), L(1), L(2)), D(`[2,3]`)},
		{"array_slice", A(D(`[1,2,3,4,5]`), L(2), L(-1)), D(`[3,4,5]`)},
		{"array_slice", A(D(`[1,2,3,4,5]`), L(-3), L(-2)), D(`[3,4]`)},
		{"array_slice", A(D(`[1,2,3]`), L(2), L(1)), D(`[]`)},
		{"array_slice", A(D(`[1,2,3]`), L(5), L(9)), D(`[]`)},
		{"array_slice", A(D(`[1,2,3]`), L(-10), L(10)), D(`[1,2,3]`)},
		{"array_reverse", A(D(`[1,"b",null]`)), D(`[null,"b",1]`)},
		{"array_index_of", A(D(`[1,2,3]`), L(2)), L(1)},
		{"array_index_of", A(D(`["a","b"]`), S("c")), L(-1)},
		{"array_index_of", A(D(`[1,2.0,3]`), L(2)), L(1)},
		{"array_index_of", A(D(`["this","example","an","example","an","example"]`), S("example"), L(1), L(-1), L(2)), L(3)},
		{"array_index_of", A(D(`["a","b","a"]`), S("a"), L(-1)), L(2)},
		{"array_index_of", A(D(`{}`), S("a")), N(types.Long)},
		{"array_sort_asc", A(D(`[null,"blue","yellow","green",null]`)), D(`["blue","green","yellow",null,null]`)},
		{"array_sort_asc", A(D(`[null,"blue","yellow","green",null]`), B(false)), D(`[null,null,"blue","green","yellow"]`)},
		{"array_sort_asc", A(D(`[3,1.5,2]`)), D(`[1.5,2,3]`)},
		{"array_sort_desc", A(D(`[3,1,2]`)), D(`[3,2,1]`)},
		{"array_sort_desc", A(D(`["b",null,"a"]`)), D(`["b","a",null]`)},
		{"array_sort_asc", A(D(`"x"`)), N(types.Dynamic)},
		{"array_sum", A(D(`[2,5,3]`)), R(10)},
		{"array_sum", A(D(`[1.5,null,2]`)), R(3.5)},
		{"array_sum", A(D(`[1,"a"]`)), N(types.Real)},
		{"set_has_element", A(D(`["this","is","an","example"]`), S("example")), B(true)},
		{"set_has_element", A(D(`["this","is"]`), S("test")), B(false)},
		{"set_has_element", A(D(`[1,2,3]`), L(2)), B(true)},
		{"set_has_element", A(D(`[1,2,3]`), R(2)), B(true)},
		{"set_union", A(D(`[1,2,3]`), D(`[1,2,4]`)), D(`[1,2,3,4]`)},
		{"set_union", A(D(`[1,1]`), D(`[]`)), D(`[1]`)},
		{"set_intersect", A(D(`[1,2,3]`), D(`[1,2,4]`)), D(`[1,2]`)},
		{"set_intersect", A(D(`[1,2,3]`), D(`[2,3]`), D(`[3]`)), D(`[3]`)},
		{"set_difference", A(D(`[1,2,3,4,5]`), D(`[1,2,3]`)), D(`[4,5]`)},
		{"set_difference", A(D(`[1,2,3]`), D(`[2]`), D(`[3]`)), D(`[1]`)},
		{"set_union", A(D(`[1]`), D(`"x"`)), N(types.Dynamic)},
		{"jaccard_index", A(D(`[1,2,3]`), D(`[1,2,4]`)), R(0.5)},
		{"jaccard_index", A(D(`["a"]`), D(`["a"]`)), R(1)},
		{"zip", A(D(`[1,3,5]`), D(`[2,4,6]`)), D(`[[1,2],[3,4],[5,6]]`)},
		{"zip", A(D(`[1,2,3]`), D(`[4,5]`)), D(`[[1,4],[2,5],[3,null]]`)},
		{"treepath", A(D(`{"a":"b","c":[{"d":1}]}`)), D(`["$['a']","$['c']","$['c'][0]","$['c'][0]['d']"]`)},
		{"treepath", A(D(`5`)), D(`[]`)},
		{"extractjson", A(S("$.name"), S(`{"name":"x","n":2}`)), S("x")},
		{"extractjson", A(S("$.hosts[1].location"), S(`{"hosts":[{"location":"North_DC"},{"location":"South_DC"}]}`)), S("South_DC")},
		{"extractjson", A(S("$['a b']"), S(`{"a b":[1,2]}`)), S("[1,2]")},
		{"extractjson", A(S("$.missing"), S(`{"name":"x"}`)), S("")},
		{"extractjson", A(S("$.name"), S(`not json`)), S("")},
		{"extract_json", A(S("$.a[1]"), S(`{"a":[1,2]}`), S("long")), L(2)},
		{"extract_json", A(S("$.a[-1]"), S(`{"a":[1,2,3]}`), S("long")), L(3)},
		{"parse_url", A(S("scheme://username:password@host:1234/this/is/a/path?k1=v1&k2=v2#fragment")),
			D(`{"Scheme":"scheme","Host":"host","Port":"1234","Path":"/this/is/a/path","Username":"username","Password":"password","Query Parameters":{"k1":"v1","k2":"v2"},"Fragment":"fragment"}`)},
		{"parse_url", A(S("https://bing.com/search?q=a%20b")),
			D(`{"Scheme":"https","Host":"bing.com","Port":"","Path":"/search","Username":"","Password":"","Query Parameters":{"q":"a b"},"Fragment":""}`)},
		{"parse_url", A(S("not a url")), D(`{}`)},
		{"parse_urlquery", A(S("k1=v1&k2=v2&k3=v3")), D(`{"Query Parameters":{"k1":"v1","k2":"v2","k3":"v3"}}`)},
		{"parse_path", A(S(`C:\temp\file.txt`)), D(`{"Scheme":"","RootPath":"C:","DirectoryPath":"C:\\temp","DirectoryName":"temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""}`)},
		{"parse_path", A(S(`\\shared\users\temp\file.txt.gz`)), D(`{"Scheme":"","RootPath":"","DirectoryPath":"\\\\shared\\users\\temp","DirectoryName":"temp","Filename":"file.txt.gz","Extension":"gz","AlternateDataStreamName":""}`)},
		{"parse_path", A(S(`/usr/lib/temp/file.txt`)), D(`{"Scheme":"","RootPath":"","DirectoryPath":"/usr/lib/temp","DirectoryName":"temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""}`)},
		{"parse_path", A(S(`C:\temp\file.txt:some_stream`)), D(`{"Scheme":"","RootPath":"C:","DirectoryPath":"C:\\temp","DirectoryName":"temp","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":"some_stream"}`)},
		{"parse_path", A(S(`https://storage.azure.com/dir/file.txt`)), D(`{"Scheme":"https","RootPath":"storage.azure.com","DirectoryPath":"https://storage.azure.com/dir","DirectoryName":"dir","Filename":"file.txt","Extension":"txt","AlternateDataStreamName":""}`)},
		{"parse_csv", A(S(`aa,"b,b,b",cc,"Escaping quotes: ""Title""","line1` + "\n" + `line2"`)), D(`["aa","b,b,b","cc","Escaping quotes: \"Title\"","line1\nline2"]`)},
		{"parse_csv", A(S(`a,,c`)), D(`["a","","c"]`)},
		{"parse_command_line", A(S(`echo "hello world!" print$?`), S("Windows")), D(`["echo","hello world!","print$?"]`)},
		{"parse_command_line", A(S(`cmd.exe /c "C:\Program Files\x.exe" \"q\" a\\\\"b c"`), S("windows")), D(`["cmd.exe","/c","C:\\Program Files\\x.exe","\"q\"","a\\\\b c"]`)},
		{"parse_command_line", A(S(`  `), S("windows")), D(`[]`)},
		{"geo_info_from_ip_address", A(S("20.53.203.50")), N(types.Dynamic)},
	})
}

func TestDynIndex(t *testing.T) {
	arr := D(`[10,20,30]`).D
	bag := D(`{"a":{"b":1}}`).D
	for _, c := range []struct {
		d    any
		key  types.Value
		want string
	}{
		{arr, L(0), "10"},
		{arr, L(-1), "30"},
		{arr, L(3), "null"},
		{arr, S("0"), "null"},
		{bag, S("a"), `{"b":1}`},
		{bag, S("z"), "null"},
		{"str", L(0), "null"},
	} {
		if got := types.DynamicJSON(DynIndex(c.d, c.key)); got != c.want {
			t.Errorf("DynIndex(%s, %s) = %s, want %s", types.DynamicJSON(c.d), show(c.key), got, c.want)
		}
	}
}

func TestIPFunctions(t *testing.T) {
	runScalars(t, []scase{
		{"parse_ipv4", A(S("127.0.0.1")), L(2130706433)},
		{"parse_ipv4", A(S("192.1.168.1")), L(3221334017)},
		{"parse_ipv4", A(S("192.1.168.2/24")), L(3221334016)},
		{"parse_ipv4", A(S("256.1.1.1")), N(types.Long)},
		{"parse_ipv4", A(S("1.2.3")), N(types.Long)},
		{"parse_ipv4", A(S("")), N(types.Long)},
		{"parse_ipv4_mask", A(S("192.1.168.2"), L(24)), L(3221334016)},
		{"parse_ipv4_mask", A(S("192.1.168.2"), L(33)), N(types.Long)},
		{"ipv4_is_private", A(S("192.168.1.1/24")), B(true)},
		{"ipv4_is_private", A(S("10.1.2.3/24")), B(true)},
		{"ipv4_is_private", A(S("172.16.0.1")), B(true)},
		{"ipv4_is_private", A(S("172.32.0.1")), B(false)},
		{"ipv4_is_private", A(S("202.1.2.3")), B(false)},
		{"ipv4_is_private", A(S("127.0.0.1")), B(false)},
		{"ipv4_is_private", A(S("x")), N(types.Bool)},
		{"ipv4_is_in_range", A(S("192.168.1.1"), S("192.168.1.1")), B(true)},
		{"ipv4_is_in_range", A(S("192.168.1.1"), S("192.168.1.255/24")), B(true)},
		{"ipv4_is_in_range", A(S("192.168.1.1"), S("192.168.2.0/24")), B(false)},
		{"ipv4_is_in_range", A(S("192.168.1.1"), S("0.0.0.0/0")), B(true)},
		{"ipv4_is_in_range", A(S("bad"), S("10.0.0.0/8")), N(types.Bool)},
		{"ipv4_is_in_any_range", A(S("192.168.1.6"), S("10.0.0.0/8"), S("192.168.1.0/24")), B(true)},
		{"ipv4_is_in_any_range", A(S("192.168.1.6"), D(`["10.0.0.0/8","172.16.0.0/12"]`)), B(false)},
		{"ipv4_compare", A(S("127.0.0.1"), S("127.0.0.1")), L(0)},
		{"ipv4_compare", A(S("192.168.1.1"), S("192.168.1.255")), L(-1)},
		{"ipv4_compare", A(S("192.168.1.255"), S("192.168.1.1")), L(1)},
		{"ipv4_compare", A(S("192.168.1.1/24"), S("192.168.1.255/24")), L(0)},
		{"ipv4_compare", A(S("192.168.1.1"), S("192.168.1.255"), L(24)), L(0)},
		{"ipv4_compare", A(S("192.168.1.1"), L(3232235777)), L(0)},
		{"ipv4_compare", A(S("x"), S("1.1.1.1")), N(types.Long)},
		{"ipv4_is_match", A(S("192.168.1.1/24"), S("192.168.1.255")), B(true)},
		{"ipv4_is_match", A(S("192.168.1.1"), S("192.168.1.255")), B(false)},
		{"ipv4_is_match", A(S("192.168.1.1"), S("192.168.1.255"), L(24)), B(true)},
		{"ipv6_compare", A(S("::ffff:7f00:1"), S("127.0.0.1")), L(0)},
		{"ipv6_compare", A(S("fe80::85d:e82c:9446:7994"), S("fe80::85d:e82c:9446:7995")), L(-1)},
		{"ipv6_compare", A(S("fe80::85d:e82c:9446:7994/127"), S("fe80::85d:e82c:9446:7995/127")), L(0)},
		{"ipv6_compare", A(S("fe80::85d:e82c:9446:7994"), S("fe80::85d:e82c:9446:7995"), L(127)), L(0)},
		{"ipv6_compare", A(S("192.168.1.1/24"), S("192.168.1.255")), L(0)},
		{"ipv6_compare", A(S("nope"), S("::1")), N(types.Long)},
		{"ipv6_is_match", A(S("::ffff:7f00:1"), S("127.0.0.1")), B(true)},
		{"ipv6_is_match", A(S("fe80::85d:e82c:9446:7994"), S("fe80::85d:e82c:9446:7995")), B(false)},
		{"ipv6_is_in_range", A(S("2001:db8::1"), S("2001:db8::/32")), B(true)},
		{"has_ipv4", A(S("05:04:54 127.0.0.1 GET /favicon.ico 404"), S("127.0.0.1")), B(true)},
		{"has_ipv4", A(S("05:04:54 127.0.0.256 GET /favicon.ico 404"), S("127.0.0.256")), B(false)},
		{"has_ipv4", A(S("05:04:54127.0.0.1 GET /favicon.ico 404"), S("127.0.0.1")), B(false)},
		{"has_ipv4", A(S("from 10.0.0.1."), S("10.0.0.1")), B(true)},
		{"has_ipv4", A(S("ver 1.10.0.0.1"), S("10.0.0.1")), B(false)},
		{"has_ipv4_prefix", A(S("05:04:54 127.0.0.1 GET /favicon.ico 404"), S("127.0.")), B(true)},
		{"has_ipv4_prefix", A(S("05:04:54 127.0.0.1 GET /favicon.ico 404"), S("127.0")), B(false)},
		{"has_ipv4_prefix", A(S("05:04:54 127.0.0.1 GET /favicon.ico 404"), S("12.")), B(false)},
		{"has_any_ipv4", A(S("05:04:54 127.0.0.1 GET /favicon.ico 404"), D(`["127.0.0.1","127.0.0.256"]`)), B(true)},
		{"has_any_ipv4", A(S("05:04:54 127.0.0.1 GET"), S("10.0.0.1"), S("127.0.0.1")), B(true)},
		{"has_any_ipv4", A(S("nothing here"), S("10.0.0.1")), B(false)},
		{"has_any_ipv4_prefix", A(S("src=10.1.2.3"), D(`["192.168.","10."]`)), B(true)},
		{"ipv4_netmask_suffix", A(S("192.168.255.255/24")), L(24)},
		{"ipv4_netmask_suffix", A(S("192.168.255.255")), L(32)},
		{"ipv4_netmask_suffix", A(S("192.168.255.255/33")), N(types.Long)},
		{"format_ipv4", A(S("192.168.1.255"), L(24)), S("192.168.1.0")},
		{"format_ipv4", A(L(3232236031), L(24)), S("192.168.1.0")},
		{"format_ipv4", A(S("192.168.1.1/24"), L(32)), S("192.168.1.0")},
		{"format_ipv4", A(L(-1)), S("")},
		{"format_ipv4", A(L(3232236031)), S("192.168.1.255")},
		{"format_ipv4_mask", A(S("192.168.1.255"), L(24)), S("192.168.1.0/24")},
		{"format_ipv4_mask", A(L(3232236031), L(24)), S("192.168.1.0/24")},
		{"format_ipv4_mask", A(S("192.168.1.1")), S("192.168.1.1/32")},
	})
}

func TestHashFunctions(t *testing.T) {
	runScalars(t, []scase{
		{"hash", A(S("World")), L(1846988464401551951)},
		{"hash", A(S("World"), L(100)), L(51)},
		{"hash", A(DT("2015-01-01")), L(1380966698541616202)},
		{"hash_xxhash64", A(S("World")), L(1846988464401551951)},
		{"hash", A(N(types.Long)), N(types.Long)},
		{"hash_sha256", A(S("World")), S("78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524")},
		{"hash_md5", A(S("World")), S("f5a7924e621e84c9280a9a27e1bcb7f6")},
		{"hash_sha1", A(S("World")), S("70c07ec18ef89c5309bbb0937f3a6342411e1fdd")},
		{"hash_md5", A(N(types.Long)), S("")},
	})
	f, _ := LookupScalar("new_guid")
	a, _ := f.Eval(testEnv, nil)
	b, _ := f.Eval(testEnv, nil)
	if a.Type != types.GUID || len(a.S) != 36 || a.S[14] != '4' || a.S == b.S {
		t.Errorf("new_guid() = %q, %q: want distinct version-4 GUIDs", a.S, b.S)
	}
	if _, ok := ToGUID(S(a.S)); !ok {
		t.Errorf("new_guid() %q does not parse back", a.S)
	}
}

type fakeGeo map[netip.Addr]GeoInfo

func (f fakeGeo) Locate(ip netip.Addr) (GeoInfo, bool) { g, ok := f[ip]; return g, ok }

func TestGeoInfoFromIPAddress(t *testing.T) {
	f, _ := LookupScalar("geo_info_from_ip_address")
	env := &Env{Geo: fakeGeo{
		netip.MustParseAddr("20.53.203.50"): {Country: "Australia", State: "New South Wales", City: "Sydney", Latitude: -33.8715, Longitude: 151.2006},
	}}
	tests := []struct {
		env  *Env
		arg  types.Value
		want string
	}{
		{env, S("20.53.203.50"), `{"country":"Australia","state":"New South Wales","city":"Sydney","latitude":-33.8715,"longitude":151.2006}`},
		{env, S(" ::ffff:20.53.203.50 "), `{"country":"Australia","state":"New South Wales","city":"Sydney","latitude":-33.8715,"longitude":151.2006}`},
		{env, S("8.8.8.8"), ""},         // unknown to the database
		{env, S("not an ip"), ""},       // not an address
		{env, N(types.String), ""},      // null
		{&Env{}, S("20.53.203.50"), ""}, // no database
	}
	for _, tc := range tests {
		v, err := f.Eval(tc.env, A(tc.arg))
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if v.Valid {
			got = v.String()
		}
		if got != tc.want {
			t.Errorf("geo_info_from_ip_address(%v) = %s, want %s", tc.arg, got, tc.want)
		}
	}
}
