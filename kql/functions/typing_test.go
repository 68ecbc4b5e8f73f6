package functions

import (
	"math"
	"testing"

	"github.com/huntbook/huntbook/kql/types"
)

// Short type names keep the table below readable.
const (
	tB   = types.Bool
	tI   = types.Int
	tL   = types.Long
	tR   = types.Real
	tDec = types.Decimal
	tS   = types.String
	tDT  = types.DateTime
	tTS  = types.TimeSpan
	tG   = types.GUID
	tY   = types.Dynamic
)

// TestResultTypes pins the result type of the functions hunters use most,
// for representative argument types, to the rule Kusto.Language (Microsoft's
// KQL binder) states for each: a declared type, Parameter0, Common,
// CommonNonDynamic (iff, case), Widest with int promoted to long (bin, floor,
// bin_at), Parameter0Promoted (sum) or the percentile columns' rule (int to
// long, decimal to real). Where Kusto.Language and the Kusto docs disagree
// the comment says which one the row follows.
func TestResultTypes(t *testing.T) {
	cases := []struct {
		fn   string
		args []types.Type
		want types.Type
	}{
		// strings
		{"strlen", []types.Type{tS}, tL},
		{"string_size", []types.Type{tS}, tL},
		{"strcat", []types.Type{tS, tL, tDT}, tS},
		{"strcat_delim", []types.Type{tS, tS, tS}, tS},
		{"strcmp", []types.Type{tS, tS}, tL},
		{"strrep", []types.Type{tS, tL}, tS},
		{"toupper", []types.Type{tS}, tS},
		{"tolower", []types.Type{tS}, tS},
		{"substring", []types.Type{tS, tL, tL}, tS},
		{"indexof", []types.Type{tS, tS}, tL},
		{"reverse", []types.Type{tS}, tS},
		{"split", []types.Type{tS, tS}, tY},
		{"split", []types.Type{tS, tS, tL}, tY},
		{"extract", []types.Type{tS, tL, tS}, tS},
		{"extract_all", []types.Type{tS, tS}, tY},
		{"extract_json", []types.Type{tS, tS}, tS},
		{"replace_string", []types.Type{tS, tS, tS}, tS},
		{"replace_regex", []types.Type{tS, tS, tS}, tS},
		{"trim", []types.Type{tS, tS}, tS},
		{"trim_start", []types.Type{tS, tS}, tS},
		{"trim_end", []types.Type{tS, tS}, tS},
		{"countof", []types.Type{tS, tS}, tL},
		{"translate", []types.Type{tS, tS, tS}, tS},
		{"strcat_array", []types.Type{tY, tS}, tS},
		{"parse_command_line", []types.Type{tS, tS}, tY},
		{"url_encode", []types.Type{tS}, tS},
		{"url_decode", []types.Type{tS}, tS},
		{"base64_encode_tostring", []types.Type{tS}, tS},
		{"base64_decode_tostring", []types.Type{tS}, tS},
		{"base64_decode_toarray", []types.Type{tS}, tY},
		{"isascii", []types.Type{tS}, tB},
		{"isutf8", []types.Type{tS}, tB},
		// conversions
		{"tostring", []types.Type{tL}, tS},
		{"tostring", []types.Type{tY}, tS},
		{"tostring", []types.Type{tDT}, tS},
		{"toint", []types.Type{tS}, tI},
		{"toint", []types.Type{tR}, tI},
		{"tolong", []types.Type{tS}, tL},
		{"toreal", []types.Type{tS}, tR},
		{"todouble", []types.Type{tL}, tR},
		{"todecimal", []types.Type{tS}, tDec},
		{"tobool", []types.Type{tS}, tB},
		{"todatetime", []types.Type{tS}, tDT},
		{"totimespan", []types.Type{tS}, tTS},
		{"toguid", []types.Type{tS}, tG},
		{"todynamic", []types.Type{tS}, tY},
		{"parse_json", []types.Type{tS}, tY},
		{"gettype", []types.Type{tL}, tS},
		{"tohex", []types.Type{tL}, tS},
		{"dynamic_to_json", []types.Type{tY}, tS},
		// datetime and timespan
		{"now", nil, tDT},
		{"now", []types.Type{tTS}, tDT},
		{"ago", []types.Type{tTS}, tDT},
		{"datetime_add", []types.Type{tS, tL, tDT}, tDT},
		{"datetime_diff", []types.Type{tS, tDT, tDT}, tL},
		{"datetime_part", []types.Type{tS, tDT}, tI},
		{"dayofweek", []types.Type{tDT}, tTS},
		{"dayofmonth", []types.Type{tDT}, tI},
		{"dayofyear", []types.Type{tDT}, tI},
		{"hourofday", []types.Type{tDT}, tI},
		{"getyear", []types.Type{tDT}, tI},
		{"getmonth", []types.Type{tDT}, tI},
		{"monthofyear", []types.Type{tDT}, tI},
		{"week_of_year", []types.Type{tDT}, tI},
		{"startofday", []types.Type{tDT}, tDT},
		{"startofweek", []types.Type{tDT, tL}, tDT},
		{"startofmonth", []types.Type{tDT}, tDT},
		{"endofday", []types.Type{tDT}, tDT},
		{"endofmonth", []types.Type{tDT, tL}, tDT},
		{"format_datetime", []types.Type{tDT, tS}, tS},
		{"format_timespan", []types.Type{tTS, tS}, tS},
		{"make_datetime", []types.Type{tL, tL, tL}, tDT},
		{"make_timespan", []types.Type{tL, tL}, tTS},
		{"unixtime_seconds_todatetime", []types.Type{tL}, tDT},
		{"unixtime_milliseconds_todatetime", []types.Type{tR}, tDT},
		{"datetime_utc_to_local", []types.Type{tDT, tS}, tDT},
		{"bin", []types.Type{tDT, tTS}, tDT},
		{"bin", []types.Type{tTS, tTS}, tTS},
		{"bin_at", []types.Type{tDT, tTS, tDT}, tDT},
		// bin, floor and bin_at over numbers: Widest, an int promoted to long
		{"bin", []types.Type{tI, tI}, tL},
		{"bin", []types.Type{tI, tL}, tL},
		{"bin", []types.Type{tL, tL}, tL},
		{"bin", []types.Type{tL, tR}, tR},
		{"bin", []types.Type{tR, tL}, tR},
		{"bin", []types.Type{tDec, tL}, tDec},
		{"floor", []types.Type{tI, tI}, tL},
		{"floor", []types.Type{tI, tR}, tR},
		{"bin_at", []types.Type{tI, tI, tI}, tL},
		{"bin_at", []types.Type{tL, tL, tR}, tR},
		// math
		{"abs", []types.Type{tI}, tL},
		{"abs", []types.Type{tL}, tL},
		{"abs", []types.Type{tR}, tR},
		{"abs", []types.Type{tDec}, tDec},
		{"abs", []types.Type{tTS}, tTS},
		{"round", []types.Type{tI}, tI},
		{"round", []types.Type{tL, tL}, tL},
		{"round", []types.Type{tR, tL}, tR},
		{"round", []types.Type{tDec}, tDec},
		{"ceiling", []types.Type{tI}, tI},
		{"ceiling", []types.Type{tR}, tR},
		{"sign", []types.Type{tI}, tR},
		{"sign", []types.Type{tL}, tR},
		{"sign", []types.Type{tR}, tR},
		{"sqrt", []types.Type{tL}, tR},
		{"pow", []types.Type{tL, tL}, tR},
		{"log", []types.Type{tL}, tR},
		{"log10", []types.Type{tI}, tR},
		{"exp", []types.Type{tL}, tR},
		{"exp2", []types.Type{tL}, tR},
		{"cos", []types.Type{tL}, tR},
		{"atan2", []types.Type{tL, tL}, tR},
		{"degrees", []types.Type{tL}, tR},
		{"pi", nil, tR},
		{"rand", nil, tR},
		{"rand", []types.Type{tL}, tR}, // the docs: a real from {0.0, 1.0, ..., N-1}
		{"isnan", []types.Type{tR}, tB},
		{"isfinite", []types.Type{tR}, tB},
		{"binary_and", []types.Type{tI, tI}, tL},
		{"binary_or", []types.Type{tL, tL}, tL},
		{"binary_xor", []types.Type{tL, tL}, tL},
		{"binary_not", []types.Type{tI}, tL},
		{"binary_shift_left", []types.Type{tL, tL}, tL},
		{"bitset_count_ones", []types.Type{tL}, tL},
		{"max_of", []types.Type{tI, tL}, tL},
		{"max_of", []types.Type{tL, tR}, tR},
		{"min_of", []types.Type{tDT, tDT}, tDT},
		{"min_of", []types.Type{tS, tS}, tS},
		// conditionals
		{"iff", []types.Type{tB, tL, tL}, tL},
		{"iff", []types.Type{tB, tI, tL}, tL},
		{"iff", []types.Type{tB, tS, tY}, tS},
		{"iff", []types.Type{tB, tY, tY}, tY},
		{"iif", []types.Type{tB, tDT, tDT}, tDT},
		{"case", []types.Type{tB, tL, tB, tR, tL}, tR},
		{"coalesce", []types.Type{tS, tS}, tS},
		{"coalesce", []types.Type{tI, tL}, tL},
		{"coalesce", []types.Type{tDT, tDT, tDT}, tDT},
		{"isnull", []types.Type{tL}, tB},
		{"isnotnull", []types.Type{tY}, tB},
		{"isempty", []types.Type{tS}, tB},
		{"isnotempty", []types.Type{tS}, tB},
		{"not", []types.Type{tB}, tB},
		// dynamic, arrays and bags
		{"array_length", []types.Type{tY}, tL},
		{"array_index_of", []types.Type{tY, tL}, tL},
		{"array_concat", []types.Type{tY, tY}, tY},
		{"array_slice", []types.Type{tY, tL, tL}, tY},
		{"array_reverse", []types.Type{tY}, tY},
		{"array_sort_asc", []types.Type{tY}, tY},
		{"array_sum", []types.Type{tY}, tR},
		{"bag_keys", []types.Type{tY}, tY},
		{"bag_merge", []types.Type{tY, tY}, tY},
		{"bag_has_key", []types.Type{tY, tS}, tB},
		{"bag_remove_keys", []types.Type{tY, tY}, tY},
		{"bag_pack", []types.Type{tS, tL}, tY},
		{"pack", []types.Type{tS, tL}, tY},
		{"pack_array", []types.Type{tL, tS}, tY},
		{"set_has_element", []types.Type{tY, tL}, tB},
		{"set_union", []types.Type{tY, tY}, tY},
		{"set_intersect", []types.Type{tY, tY}, tY},
		{"set_difference", []types.Type{tY, tY}, tY},
		{"zip", []types.Type{tY, tY}, tY},
		{"treepath", []types.Type{tY}, tY},
		{"range", []types.Type{tL, tL}, tY},
		{"parse_url", []types.Type{tS}, tY},
		{"parse_urlquery", []types.Type{tS}, tY},
		{"parse_path", []types.Type{tS}, tY},
		{"parse_csv", []types.Type{tS}, tY},
		{"parse_xml", []types.Type{tS}, tY},
		{"parse_user_agent", []types.Type{tS, tS}, tY},
		// ip
		{"parse_ipv4", []types.Type{tS}, tL},
		{"parse_ipv4_mask", []types.Type{tS, tL}, tL},
		{"ipv4_is_private", []types.Type{tS}, tB},
		{"ipv4_is_in_range", []types.Type{tS, tS}, tB},
		{"ipv4_is_in_any_range", []types.Type{tS, tY}, tB},
		{"ipv4_is_match", []types.Type{tS, tS}, tB},
		{"ipv4_compare", []types.Type{tS, tS}, tL},
		{"ipv4_compare", []types.Type{tS, tS, tL}, tL},
		{"ipv6_compare", []types.Type{tS, tS}, tL},
		{"ipv6_is_match", []types.Type{tS, tS}, tB},
		{"ipv4_netmask_suffix", []types.Type{tS}, tL},
		{"format_ipv4", []types.Type{tS}, tS},
		{"format_ipv4_mask", []types.Type{tS, tL}, tS},
		{"has_ipv4", []types.Type{tS, tS}, tB},
		{"has_ipv4_prefix", []types.Type{tS, tS}, tB},
		{"has_any_ipv4", []types.Type{tS, tY}, tB},
		{"geo_info_from_ip_address", []types.Type{tS}, tY},
		{"geo_distance_2points", []types.Type{tR, tR, tR, tR}, tR},
		{"geo_point_in_circle", []types.Type{tR, tR, tR, tR, tR}, tB},
		// hashes
		{"hash", []types.Type{tS}, tL},
		{"hash", []types.Type{tL, tL}, tL},
		{"hash_xxhash64", []types.Type{tS}, tL},
		{"hash_sha256", []types.Type{tS}, tS},
		{"hash_sha1", []types.Type{tS}, tS},
		{"hash_md5", []types.Type{tS}, tS},
		{"new_guid", nil, tG},
		// series
		{"series_add", []types.Type{tY, tY}, tY},
		{"series_subtract", []types.Type{tY, tY}, tY},
		{"series_multiply", []types.Type{tY, tL}, tY},
		{"series_divide", []types.Type{tY, tR}, tY},
		{"series_greater", []types.Type{tY, tL}, tY},
		{"series_abs", []types.Type{tY}, tY},
		{"series_fir", []types.Type{tY, tY}, tY},
		{"series_iir", []types.Type{tY, tY, tY}, tY},
		{"series_fill_linear", []types.Type{tY}, tY},
		{"series_fill_forward", []types.Type{tY}, tY},
		{"series_fill_const", []types.Type{tY, tL}, tY},
		{"series_outliers", []types.Type{tY}, tY},
		{"series_seasonal", []types.Type{tY}, tY},
		{"series_stats_dynamic", []types.Type{tY}, tY},
		{"series_fit_line_dynamic", []types.Type{tY}, tY},
		{"series_pearson_correlation", []types.Type{tY, tY}, tR},
		{"series_cosine_similarity", []types.Type{tY, tY}, tR},
		{"series_dot_product", []types.Type{tY, tY}, tR},
		{"series_magnitude", []types.Type{tY}, tR},
		{"series_sum", []types.Type{tY}, tR},
		{"dcount_hll", []types.Type{tY}, tL},
		{"hll_merge", []types.Type{tY, tY}, tY},
		// aggregates
		{"count", nil, tL},
		{"countif", []types.Type{tB}, tL},
		{"dcount", []types.Type{tS}, tL},
		{"dcount", []types.Type{tL, tL}, tL},
		{"dcountif", []types.Type{tS, tB}, tL},
		{"count_distinct", []types.Type{tS}, tL},
		{"sum", []types.Type{tI}, tL},
		{"sum", []types.Type{tL}, tL},
		{"sum", []types.Type{tR}, tR},
		{"sum", []types.Type{tDec}, tDec},
		{"sum", []types.Type{tTS}, tTS},
		{"sumif", []types.Type{tI, tB}, tL},
		{"avg", []types.Type{tI}, tR},
		{"avg", []types.Type{tL}, tR},
		{"avg", []types.Type{tR}, tR},
		{"avg", []types.Type{tDec}, tDec},
		{"avg", []types.Type{tTS}, tTS},
		{"avg", []types.Type{tDT}, tDT},
		{"avgif", []types.Type{tL, tB}, tR},
		{"min", []types.Type{tI}, tI},
		{"min", []types.Type{tS}, tS},
		{"min", []types.Type{tDT}, tDT},
		{"max", []types.Type{tL}, tL},
		{"max", []types.Type{tTS}, tTS},
		{"maxif", []types.Type{tL, tB}, tL},
		{"minif", []types.Type{tR, tB}, tR},
		{"arg_max", []types.Type{tDT, tS}, tDT},
		{"arg_min", []types.Type{tL, tS}, tL},
		{"take_any", []types.Type{tS}, tS},
		{"take_any", []types.Type{tY}, tY},
		{"take_anyif", []types.Type{tL, tB}, tL},
		{"make_set", []types.Type{tS}, tY},
		{"make_set", []types.Type{tL, tL}, tY},
		{"make_set_if", []types.Type{tS, tB}, tY},
		{"make_list", []types.Type{tS}, tY},
		{"make_list_if", []types.Type{tS, tB}, tY},
		{"make_list_with_nulls", []types.Type{tL}, tY},
		{"make_bag", []types.Type{tY}, tY},
		{"make_bag_if", []types.Type{tY, tB}, tY},
		{"percentile", []types.Type{tI, tL}, tL},
		{"percentile", []types.Type{tL, tL}, tL},
		{"percentile", []types.Type{tR, tL}, tR},
		{"percentile", []types.Type{tDec, tL}, tR},
		{"percentile", []types.Type{tTS, tL}, tTS},
		{"percentile", []types.Type{tDT, tR}, tDT},
		{"percentiles", []types.Type{tI, tL, tL}, tL},
		{"percentiles_array", []types.Type{tL, tL, tL}, tY},
		{"stdev", []types.Type{tL}, tR},
		{"stdev", []types.Type{tI}, tR},
		{"stdev", []types.Type{tTS}, tR}, // Summable: a timespan in ticks
		{"stdevif", []types.Type{tL, tB}, tR},
		{"variance", []types.Type{tTS}, tR},
		{"stdevp", []types.Type{tR}, tR},
		{"variance", []types.Type{tL}, tR},
		{"varianceif", []types.Type{tR, tB}, tR},
		{"variancep", []types.Type{tL}, tR},
		{"hll", []types.Type{tS}, tY},
		{"hll_merge", []types.Type{tY}, tY},
	}
	for _, c := range cases {
		var rt types.Type
		var err error
		switch {
		case c.fn == "hll_merge" && len(c.args) == 1: // also a scalar of 2+ sketches
			a, _ := LookupAggregate(c.fn)
			rt, err = a.Result(c.args)
		default:
			if f, ok := LookupScalar(c.fn); ok {
				rt, err = f.Result(c.args)
			} else if a, ok := LookupAggregate(c.fn); ok {
				rt, err = a.Result(c.args)
			} else {
				t.Errorf("%s: not registered", c.fn)
				continue
			}
		}
		if err != nil {
			t.Errorf("%s%v: %v", c.fn, c.args, err)
			continue
		}
		if rt != c.want {
			t.Errorf("%s%v = %s, Kusto.Language says %s", c.fn, c.args, rt, c.want)
		}
	}
}

// TestTypingFixesEval checks that the functions whose result type was
// aligned with Kusto.Language produce values of that type, nulls included.
func TestTypingFixesEval(t *testing.T) {
	runScalars(t, []scase{
		{"abs", A(I(-5)), L(5)},
		{"abs", A(I(5)), L(5)},
		{"abs", A(N(types.Int)), N(types.Long)},
		{"abs", A(types.NewDecimal(-1.5)), types.NewDecimal(1.5)},
		{"sign", A(I(-3)), R(-1)},
		{"sign", A(L(0)), R(0)},
		{"sign", A(L(7)), R(1)},
		{"sign", A(N(types.Long)), N(types.Real)},
		{"strcmp", A(S("a"), S("b")), L(-1)},
		{"bin", A(I(17), I(5)), L(15)},
		{"bin", A(I(-17), I(5)), L(-20)},
		{"bin", A(N(types.Int), L(5)), N(types.Long)},
		{"bin", A(L(18), R(2.5)), R(17.5)},
		{"bin", A(R(7.5), L(2)), R(6)},
		{"bin", A(types.NewDecimal(7.5), L(2)), types.NewDecimal(6)},
		{"floor", A(I(7), I(2)), L(6)},
		{"floor", A(I(7), R(0.5)), R(7)},
		{"bin_at", A(I(17), I(5), I(1)), L(16)},
		{"bin_at", A(L(6), L(2), R(0.5)), R(4.5)},
	})
}

func TestMomentsOfTimespans(t *testing.T) {
	spans := col(TS("1s"), TS("3s"), N(types.TimeSpan))
	for _, c := range []struct {
		name string
		want float64
	}{
		{"stdev", math.Sqrt2 * 1e7},
		{"variance", 2e14},
		{"stdevp", 1e7},
		{"variancep", 1e14},
	} {
		if got := aggregate(t, c.name, []types.Type{tTS}, spans); !sameValue(got, R(c.want)) {
			t.Errorf("%s(timespan) = %s, want real(%g) ticks", c.name, show(got), c.want)
		}
	}
}

func TestPercentileTypes(t *testing.T) {
	ints := zipRows([]types.Value{I(4), I(1), I(3), I(2)}, rep(L(50), 4))
	if got := aggregate(t, "percentile", []types.Type{tI, tL}, ints); !sameValue(got, L(2)) {
		t.Errorf("percentile(int, 50) = %s, want long(2)", show(got))
	}
	decs := zipRows([]types.Value{types.NewDecimal(2.5), types.NewDecimal(1.5)}, rep(L(100), 2))
	if got := aggregate(t, "percentile", []types.Type{tDec, tL}, decs); !sameValue(got, R(2.5)) {
		t.Errorf("percentile(decimal, 100) = %s, want real(2.5)", show(got))
	}
	if got := aggregate(t, "percentile", []types.Type{tI, tL}, nil); !sameValue(got, N(types.Long)) {
		t.Errorf("percentile(int) of no rows = %s, want long(null)", show(got))
	}
	// percentiles(int, ...): every column and every value is a long
	a, _ := LookupAggregate("percentiles")
	args := []types.Type{tI, tL, tL}
	cols, err := a.Outputs(args, []string{"x", "", ""}, []types.Value{{}, L(50), L(100)})
	if err != nil {
		t.Fatal(err)
	}
	acc := a.New(args)
	for _, r := range zipRows([]types.Value{I(3), I(1), I(2)}, rep(L(50), 3), rep(L(100), 3)) {
		acc.Add(r)
	}
	res := acc.(MultiAccumulator).Results()
	want := []types.Value{L(2), L(3)}
	for i, c := range cols {
		if c.Type != tL || !sameValue(res[i], want[i]) {
			t.Errorf("percentiles(int) column %s: %s = %s, want long %s", c.Name, c.Type, show(res[i]), show(want[i]))
		}
	}
}
