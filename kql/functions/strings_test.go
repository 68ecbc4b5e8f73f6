package functions

import (
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

func TestStringFunctions(t *testing.T) {
	runScalars(t, []scase{
		{"strcat", A(S("hello"), S(" "), S("world")), S("hello world")},
		{"strcat", A(S("a"), L(1), B(true), N(types.Long)), S("a1true")},
		{"strcat", A(S("t="), DT("2024-01-02")), S("t=2024-01-02T00:00:00Z")},
		{"strcat", A(D(`{"a":1}`), D(`"x"`)), S(`{"a":1}x`)},
		{"strcat_delim", A(S("-"), S("a"), S("b"), L(3)), S("a-b-3")},
		{"strcat_delim", A(S(""), S("a"), S("b")), S("ab")},
		{"strlen", A(S("hello")), L(5)},
		{"strlen", A(S("")), L(0)},
		{"strlen", A(S("⒦⒰⒮⒯⒪")), L(5)},
		{"strlen", A(S("héllo")), L(5)},
		{"string_size", A(S("héllo")), L(6)},
		{"string_size", A(S("")), L(0)},
		{"substring", A(S("123456"), L(1)), S("23456")},
		{"substring", A(S("123456"), L(2), L(2)), S("34")},
		{"substring", A(S("ABCD"), L(0), L(2)), S("AB")},
		{"substring", A(S("123456"), L(-2), L(2)), S("56")},
		{"substring", A(S("123456"), L(10)), S("")},
		{"substring", A(S("123456"), L(-10), L(3)), S("123")},
		{"substring", A(S("123456"), L(4), L(100)), S("56")},
		{"substring", A(S("héllo"), L(1), L(3)), S("éll")},
		{"substring", A(S("abc"), N(types.Long)), S("")},
		{"substring", A(S("abc"), L(1), L(-1)), S("")},
		{"tolower", A(S("HeLLo ÄÖ")), S("hello äö")},
		{"toupper", A(S("hello")), S("HELLO")},
		{"tolower", A(S("")), S("")},
		{"trim", A(S("--"), S("--https://bing.com--")), S("https://bing.com")},
		{"trim", A(S(`[^\w]+`), S("  abc!! ")), S("abc")},
		{"trim_start", A(S("[^a-z]+"), S("123abc456")), S("abc456")},
		{"trim_end", A(S("[^a-z]+"), S("123abc456")), S("123abc")},
		{"trim", A(S(" "), S("   ")), S("")},
		{"split", A(S("aa_bb"), S("_")), D(`["aa","bb"]`)},
		{"split", A(S("aaa_bbb_ccc"), S("_"), L(1)), D(`["bbb"]`)},
		{"split", A(S(""), S("_")), D(`[""]`)},
		{"split", A(S("a__b"), S("_")), D(`["a","","b"]`)},
		{"split", A(S("aabbcc"), S("bb")), D(`["aa","cc"]`)},
		{"split", A(S("a_b"), S("_"), L(5)), D(`[]`)},
		{"split", A(S("a_b_c"), S("_"), L(-1)), D(`["c"]`)},
		{"replace_string", A(S("A magic trick can turn a cat into a dog"), S("cat"), S("hamster")), S("A magic trick can turn a hamster into a dog")},
		{"replace_string", A(S("aaa"), S("aa"), S("b")), S("ba")},
		{"replace_string", A(S("abc"), S(""), S("x")), S("abc")},
		{"replace_regex", A(S("Number is 5"), S(`is (\d+)`), S(`was: \1`)), S("Number was: 5")},
		{"replace_regex", A(S("a1b22c333"), S(`\d+`), S("#")), S("a#b#c#")},
		{"replace_regex", A(S("cost $5"), S(`cost`), S("price $")), S("price $ $5")},
		{"replace", A(S(`is (\d+)`), S(`was: \1`), S("Number is 7")), S("Number was: 7")},
		{"extract", A(S(`x=([0-9.]+)`), L(1), S("hello x=45.6|wo")), S("45.6")},
		{"extract", A(S(`x=([0-9.]+)`), L(0), S("hello x=45.6|wo")), S("x=45.6")},
		{"extract", A(S(`x=([0-9.]+)`), L(1), S("no match")), S("")},
		{"extract", A(S(`x=([0-9.]+)`), L(1), S("x=45.6"), S("real")), R(45.6)},
		{"extract", A(S(`x=([0-9.]+)`), L(1), S("y=1"), S("real")), N(types.Real)},
		{"extract", A(S(`(\d+)`), L(1), S("port 8080 open"), S("long")), L(8080)},
		{"extract", A(S(`User: (\w+)`), L(1), S("User: Ünïcode")), S("")},
		{"extract_all", A(S(`(\d+)`), S("a1b22c333")), D(`["1","22","333"]`)},
		{"extract_all", A(S(`(\w)(\d+)`), S("a1b22")), D(`[["a","1"],["b","22"]]`)},
		{"extract_all", A(S(`(\w)(\d+)`), D(`[2]`), S("a1b22")), D(`["1","22"]`)},
		{"extract_all", A(S(`(\d+)`), S("none")), N(types.Dynamic)},
		{"extract_all", A(S(`\d`), S("a1b2")), D(`["1","2"]`)},
		{"indexof", A(S("abcdefg"), S("cde")), L(2)},
		{"indexof", A(S("abcdefg"), S("cde"), L(1), L(4)), L(2)},
		{"indexof", A(S("abcdefg"), S("cde"), L(1), L(2)), L(-1)},
		{"indexof", A(S("abcdefg"), S("cde"), L(3), L(4)), L(-1)},
		{"indexof", A(S("abcdefg"), S("cde"), L(-5)), L(2)},
		{"indexof", A(L(1234567), L(5), L(1), L(4)), L(4)},
		{"indexof", A(S("abcdefg"), S("cde"), L(2), L(-1)), L(2)},
		{"indexof", A(S("abcdefgabcdefg"), S("cde"), L(1), L(10), L(2)), L(9)},
		{"indexof", A(S("abcdefgabcdefg"), S("cde"), L(1), L(-1), L(3)), L(-1)},
		{"indexof", A(S("abc"), S("b"), L(0), L(-2)), N(types.Long)},
		{"indexof", A(S("héllo"), S("llo")), L(2)},
		{"indexof", A(S("abc"), S("")), L(0)},
		{"countof", A(S("aaa"), S("a")), L(3)},
		{"countof", A(S("aaaa"), S("aa")), L(3)},
		{"countof", A(S("ababa"), S("ab"), S("normal")), L(2)},
		{"countof", A(S("ababa"), S("aba")), L(2)},
		{"countof", A(S("ababa"), S("aba"), S("regex")), L(1)},
		{"countof", A(S("abcabc"), S("a.c"), S("regex")), L(2)},
		{"countof", A(S("abc"), S("")), L(0)},
		{"reverse", A(S("ABCDEF")), S("FEDCBA")},
		{"reverse", A(S("héllo")), S("olléh")},
		{"reverse", A(L(123)), S("321")},
		{"reverse", A(S("")), S("")},
		{"strrep", A(S("ABC"), L(2)), S("ABCABC")},
		{"strrep", A(S("ABC"), L(2), S(" , ")), S("ABC , ABC")},
		{"strrep", A(L(123), L(3)), S("123123123")},
		{"strrep", A(S("x"), L(0)), S("")},
		{"strcmp", A(S("ABC"), S("ABC")), L(0)},
		{"strcmp", A(S("abc"), S("ABC")), L(1)},
		{"strcmp", A(S("ABC"), S("abc")), L(-1)},
		{"strcmp", A(S("abcde"), S("abc")), L(1)},
		{"translate", A(S("abc"), S("x"), S("abc")), S("xxx")},
		{"translate", A(S("abc"), S(""), S("ab")), S("")},
		{"translate", A(S("krasp"), S("otsku"), S("spark")), S("kusto")},
		{"url_encode", A(S("https://www.bing.com/")), S("https%3a%2f%2fwww.bing.com%2f")},
		{"url_encode", A(S("a b&c")), S("a+b%26c")},
		{"url_decode", A(S("https%3a%2f%2fwww.bing.com%2f")), S("https://www.bing.com/")},
		{"url_decode", A(S("a+b%26c")), S("a b&c")},
		{"url_decode", A(S("%zz")), S("")},
		{"base64_encode_tostring", A(S("Kusto")), S("S3VzdG8=")},
		{"base64_encode_tostring", A(S("")), S("")},
		{"base64_decode_tostring", A(S("S3VzdG8=")), S("Kusto")},
		{"base64_decode_tostring", A(S("S3VzdG8")), S("Kusto")},
		{"base64_decode_tostring", A(S("U3RyaW5n0KHRgtGA0L7Rh9C60LA=")), S("StringСтрочка")},
		{"base64_decode_tostring", A(S("!!!")), S("")},
		{"base64_decode_tostring", A(S("/w==")), S("")}, // byte 0xff is not UTF-8
		{"base64_decodestring", A(S("S3VzdG8=")), S("Kusto")},
		{"base64_decode_toarray", A(S("S3VzdG8=")), D(`[75,117,115,116,111]`)},
		{"base64_encode_fromarray", A(D(`[75,117,115,116,111]`)), S("S3VzdG8=")},
		{"tohex", A(L(256)), S("100")},
		{"tohex", A(L(-546)), S("fffffffffffffdde")},
		{"tohex", A(I(-546)), S("fffffdde")},
		{"tohex", A(L(546), L(8)), S("00000222")},
		{"tohex", A(N(types.Long)), S("")},
		{"unicode_codepoints_from_string", A(S("⒦⒰⒮⒯⒪")), D(`[9382,9392,9390,9391,9386]`)},
		{"unicode_codepoints_to_string", A(D(`[75,117,115,116,111]`)), S("Kusto")},
		{"make_string", A(D(`[75,117]`)), S("Ku")},
		{"strcat_array", A(D(`[1,"b",true]`), S("-")), S("1-b-true")},
		{"strcat_array", A(D(`[]`), S("-")), S("")},
		{"isascii", A(S("abc")), B(true)},
		{"isascii", A(S("ab©")), B(false)},
	})
}

func TestStringErrors(t *testing.T) {
	for _, c := range []struct {
		fn   string
		args []types.Value
		want string
	}{
		{"replace_regex", A(S("x"), S("("), S("")), "invalid regular expression"},
		{"extract", A(S("(a)"), L(3), S("a")), "capture group 3 is out of range"},
		{"countof", A(S("a"), S("a"), S("fuzzy")), `kind must be "normal" or "regex"`},
		{"split", A(S("a"), S("")), "delimiter must not be empty"},
		{"trim", A(S("[z-a]"), S("a")), "invalid regular expression"},
	} {
		f, _ := LookupScalar(c.fn)
		_, err := f.Eval(testEnv, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), c.fn+"()") {
			t.Errorf("%s: error %v, want one naming the function and containing %q", c.fn, err, c.want)
		}
	}
}

func TestResultTypeErrors(t *testing.T) {
	for _, c := range []struct {
		fn   string
		args []types.Type
		want string
	}{
		{"strlen", []types.Type{types.Long}, "strlen(): argument 1 must be string, got long"},
		{"strlen", []types.Type{}, "strlen(): expects 1 argument, got 0"},
		{"substring", []types.Type{types.String}, "substring(): expects at least 2 arguments, got 1"},
		{"substring", []types.Type{types.String, types.String}, "substring(): argument 2 must be int or long, got string"},
		{"iff", []types.Type{types.String, types.Long, types.Long}, "iff(): argument 1 (the condition) must be bool, got string"},
		{"iff", []types.Type{types.Bool, types.Long, types.String}, "iff(): argument types must agree, got long and string"},
		{"case", []types.Type{types.Bool, types.Long}, "case(): expects at least 3 arguments, got 2"},
		{"case", []types.Type{types.Bool, types.Long, types.Bool, types.Long}, "case(): expects an odd number of arguments"},
		{"ago", []types.Type{types.String}, "ago(): argument 1 must be timespan, got string"},
		{"bin", []types.Type{types.DateTime, types.Long}, "bin(): the bin size of a datetime must be a timespan, got long"},
		{"bin", []types.Type{types.String, types.Long}, "bin(): argument 1 must be numeric, datetime or timespan, got string"},
		{"pack", []types.Type{types.String}, "pack(): expects key/value pairs, got 1 arguments"},
		{"pi", []types.Type{types.Long}, "pi(): expects 0 arguments, got 1"},
		{"strcat", make([]types.Type, 65), "strcat(): expects at most 64 arguments, got 65"},
		{"array_length", []types.Type{types.String}, "array_length(): argument 1 must be dynamic, got string"},
	} {
		f, ok := LookupScalar(c.fn)
		if !ok {
			t.Fatalf("%s missing", c.fn)
		}
		_, err := f.Result(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s%v: error %v, want %q", c.fn, c.args, err, c.want)
		}
	}
	// untyped nulls are accepted anywhere
	f, _ := LookupScalar("strlen")
	if rt, err := f.Result([]types.Type{types.Null}); err != nil || rt != types.Long {
		t.Errorf("strlen(null): %v %v", rt, err)
	}
}

func TestExtractResultConsts(t *testing.T) {
	f, _ := LookupScalar("extract")
	rt, err := f.ResultConsts([]types.Type{types.String, types.Long, types.String, types.String},
		[]types.Value{S("x"), L(1), {}, S("real")})
	if err != nil || rt != types.Real {
		t.Errorf("extract(..., typeof(real)) = %v, %v", rt, err)
	}
	if _, err := f.ResultConsts([]types.Type{types.String, types.Long, types.String, types.String},
		[]types.Value{S("x"), L(1), {}, S("nosuch")}); err == nil || !strings.Contains(err.Error(), `unknown type "nosuch"`) {
		t.Errorf("bad type literal: %v", err)
	}
	rt, err = f.ResultConsts([]types.Type{types.String, types.Long, types.String}, []types.Value{{}, {}, {}})
	if err != nil || rt != types.String {
		t.Errorf("extract 3 args = %v, %v", rt, err)
	}
}
