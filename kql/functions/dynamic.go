package functions

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/kql/types"
)

// DynEqual compares two dynamic payloads as Kusto's set functions and
// array_index_of do: numbers by value across long and real, strings
// ordinally, arrays and bags element by element.
func DynEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case float64:
			return float64(x) == y
		}
		return false
	case float64:
		switch y := b.(type) {
		case int64:
			return x == float64(y)
		case float64:
			return x == y || math.IsNaN(x) && math.IsNaN(y)
		}
		return false
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !DynEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case *types.Bag:
		y, ok := b.(*types.Bag)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i, k := range x.Keys {
			v, ok := y.Get(k)
			if !ok || !DynEqual(x.Value(i), v) {
				return false
			}
		}
		return true
	}
	return a == b
}

// dynKey is a map key for set membership; numbers that are equal share a key.
func dynKey(d any) string {
	switch x := d.(type) {
	case int64:
		return "n" + strconv.FormatFloat(float64(x), 'g', -1, 64)
	case float64:
		return "n" + strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return "s" + x
	case bool:
		return "b" + strconv.FormatBool(x)
	case types.DateTimeValue:
		return "d" + strconv.FormatInt(int64(x), 10)
	case types.TimeSpanValue:
		return "t" + strconv.FormatInt(int64(x), 10)
	}
	return "j" + types.DynamicJSON(d)
}

func asArray(v types.Value) ([]any, bool) {
	if v.Type != types.Dynamic {
		return nil, false
	}
	a, ok := v.D.([]any)
	return a, ok
}

func asBag(v types.Value) (*types.Bag, bool) {
	if v.Type != types.Dynamic {
		return nil, false
	}
	b, ok := v.D.(*types.Bag)
	return b, ok
}

var nullDyn = types.NullOf(types.Dynamic)

// distinct appends the elements of arrs not seen before, in order.
func distinct(arrs ...[]any) []any {
	seen := map[string]bool{}
	out := []any{}
	for _, a := range arrs {
		for _, e := range a {
			k := dynKey(e)
			if !seen[k] {
				seen[k] = true
				out = append(out, e)
			}
		}
	}
	return out
}

// dynOrder sorts dynamic elements: numbers, then datetimes, timespans,
// strings, bools, then anything else by its JSON; nulls are handled by the
// caller.
func dynOrder(a, b any) int {
	rank := func(d any) int {
		switch d.(type) {
		case int64, float64:
			return 0
		case types.DateTimeValue:
			return 1
		case types.TimeSpanValue:
			return 2
		case string:
			return 3
		case bool:
			return 4
		}
		return 5
	}
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return cmp.Compare(int64(ra), int64(rb))
	}
	if ra == 5 {
		return strings.Compare(types.DynamicJSON(a), types.DynamicJSON(b))
	}
	return Compare(FromDyn(a), FromDyn(b))
}

func init() {
	packFn := func(name string) {
		defR(name, name+"(key1, value1, key2, value2, ...)", "Builds a property bag from key/value pairs.", 0, -1, "sa",
			func(args []types.Type) (types.Type, error) {
				if len(args)%2 != 0 {
					return types.Null, fmt.Errorf("%s(): expects key/value pairs, got %d arguments", name, len(args))
				}
				for i := 0; i < len(args); i += 2 {
					if !kindOK('s', args[i]) {
						return types.Null, fmt.Errorf("%s(): argument %d (a key) must be string, got %s", name, i+1, args[i])
					}
				}
				return types.Dynamic, nil
			},
			func(_ *Env, a []types.Value) (types.Value, error) {
				bag := types.NewBag()
				for i := 0; i+1 < len(a); i += 2 {
					bag.Set(str(a[i]), ToDyn(a[i+1]))
				}
				return Dyn(bag), nil
			})
	}
	packFn("pack")
	packFn("bag_pack")
	packFn("pack_dictionary")
	def("pack_array", "pack_array(value1, [value2, ...])", "Builds a dynamic array of the values.", 1, -1, "a", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			arr := make([]any, len(a))
			for i, v := range a {
				arr[i] = ToDyn(v)
			}
			return Dyn(arr), nil
		})
	def("bag_keys", "bag_keys(object)", "The keys of a property bag as a dynamic array.", 1, 1, "y", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			b, ok := asBag(a[0])
			if !ok {
				return nullDyn, nil
			}
			out := make([]any, len(b.Keys))
			for i, k := range b.Keys {
				out[i] = k
			}
			return Dyn(out), nil
		})
	def("bag_has_key", "bag_has_key(bag, key)", "Whether a bag has a key (or a $.a.b JSONPath).", 2, 2, "ys", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			if _, ok := asBag(a[0]); !ok {
				return types.NullOf(types.Bool), nil
			}
			key := str(a[1])
			if strings.HasPrefix(key, "$") {
				_, found, err := jsonPath(a[0].D, key)
				if err != nil {
					return types.NullOf(types.Bool), fmt.Errorf("bag_has_key(): %v", err)
				}
				return types.NewBool(found), nil
			}
			_, found := a[0].D.(*types.Bag).Get(key)
			return types.NewBool(found), nil
		})
	def("bag_merge", "bag_merge(bag1, bag2, [bag3, ...])", "Merges bags; the first bag holding a key wins.", 2, 64, "y", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			out := types.NewBag()
			for _, v := range a {
				b, ok := asBag(v)
				if !ok {
					continue
				}
				for i, k := range b.Keys {
					if _, dup := out.Get(k); !dup {
						out.Set(k, b.Value(i))
					}
				}
			}
			return Dyn(out), nil
		})
	def("bag_remove_keys", "bag_remove_keys(bag, keys)", "A copy of a bag without the given keys (plain keys or $.a.b paths).", 2, 2, "yy", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			b, ok := asBag(a[0])
			keys, ok2 := asArray(a[1])
			if !ok || !ok2 {
				return nullDyn, nil
			}
			out := deepCopy(b).(*types.Bag)
			for _, k := range keys {
				ks, _ := k.(string)
				removePath(out, ks)
			}
			return Dyn(out), nil
		})
	def("array_length", "array_length(array)", "Number of elements of a dynamic array; null when not an array.", 1, 1, "y", fixed(types.Long),
		func(_ *Env, a []types.Value) (types.Value, error) {
			arr, ok := asArray(a[0])
			if !ok {
				return types.NullOf(types.Long), nil
			}
			return longV(int64(len(arr))), nil
		})
	def("array_concat", "array_concat(array1, array2, ...)", "Concatenates dynamic arrays; null when any is not an array.", 1, 64, "y", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			out := []any{}
			for _, v := range a {
				arr, ok := asArray(v)
				if !ok {
					return nullDyn, nil
				}
				out = append(out, arr...)
			}
			return Dyn(out), nil
		})
	def("array_slice", "array_slice(array, start, end)", "Elements start..end inclusive; negative indexes count from the end.", 3, 3, "yii", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			arr, ok := asArray(a[0])
			s, ok1 := ToLong(a[1])
			e, ok2 := ToLong(a[2])
			if !ok || !ok1 || !ok2 {
				return nullDyn, nil
			}
			n := int64(len(arr))
			if s < 0 {
				s += n
			}
			if e < 0 {
				e += n
			}
			if s < 0 {
				s = 0
			}
			if e >= n {
				e = n - 1
			}
			if s > e || s >= n {
				return Dyn([]any{}), nil
			}
			return Dyn(append([]any{}, arr[s:e+1]...)), nil
		})
	def("array_reverse", "array_reverse(array)", "The array in reverse order.", 1, 1, "y", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			arr, ok := asArray(a[0])
			if !ok {
				return nullDyn, nil
			}
			out := make([]any, len(arr))
			for i, e := range arr {
				out[len(arr)-1-i] = e
			}
			return Dyn(out), nil
		})
	def("array_index_of", "array_index_of(array, value [, start [, length [, occurrence]]])", "Zero-based index of a value in an array, -1 when absent.", 2, 5, "yaiii", fixed(types.Long),
		func(_ *Env, a []types.Value) (types.Value, error) {
			arr, ok := asArray(a[0])
			if !ok {
				return types.NullOf(types.Long), nil
			}
			want := ToDyn(a[1])
			if a[1].Type == types.Dynamic {
				want = a[1].D
			}
			n := int64(len(arr))
			start, length, occ := int64(0), int64(-1), int64(1)
			if len(a) > 2 {
				start, _ = ToLong(a[2])
			}
			if len(a) > 3 {
				length, _ = ToLong(a[3])
			}
			if len(a) > 4 {
				occ, _ = ToLong(a[4])
			}
			if length < -1 || occ < 0 {
				return types.NullOf(types.Long), nil
			}
			if start < 0 {
				start += n
				if start < 0 {
					start = 0
				}
			}
			end := n
			if length >= 0 && length < n-start {
				end = start + length
			}
			if occ == 0 {
				occ = 1
			}
			for i := start; i < end; i++ {
				if DynEqual(arr[i], want) {
					occ--
					if occ == 0 {
						return longV(i), nil
					}
				}
			}
			return longV(-1), nil
		})
	sortFn := func(name string, desc bool) {
		def(name, name+"(array [, nulls_last])", "Sorts a dynamic array ("+map[bool]string{false: "ascending", true: "descending"}[desc]+"); nulls last unless nulls_last is false.", 1, 2, "yb", fixed(types.Dynamic),
			func(_ *Env, a []types.Value) (types.Value, error) {
				arr, ok := asArray(a[0])
				if !ok {
					return nullDyn, nil
				}
				nullsLast := true
				if len(a) == 2 && !a[1].IsNull() {
					nullsLast, _ = ToBool(a[1])
				}
				var vals, nulls []any
				for _, e := range arr {
					if e == nil {
						nulls = append(nulls, e)
					} else {
						vals = append(vals, e)
					}
				}
				sort.SliceStable(vals, func(i, j int) bool {
					c := dynOrder(vals[i], vals[j])
					if desc {
						return c > 0
					}
					return c < 0
				})
				out := make([]any, 0, len(arr))
				if !nullsLast {
					out = append(out, nulls...)
				}
				out = append(out, vals...)
				if nullsLast {
					out = append(out, nulls...)
				}
				return Dyn(out), nil
			})
	}
	sortFn("array_sort_asc", false)
	sortFn("array_sort_desc", true)
	def("array_sum", "array_sum(array)", "Sum of the numeric elements of an array, as real.", 1, 1, "y", fixed(types.Real),
		func(_ *Env, a []types.Value) (types.Value, error) {
			arr, ok := asArray(a[0])
			if !ok {
				return types.NullOf(types.Real), nil
			}
			s := 0.0
			for _, e := range arr {
				switch x := e.(type) {
				case int64:
					s += float64(x)
				case float64:
					s += x
				case nil:
				default:
					return types.NullOf(types.Real), nil
				}
			}
			return types.NewReal(s), nil
		})
	def("set_has_element", "set_has_element(set, value)", "Whether a dynamic array holds a value.", 2, 2, "ya", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			arr, ok := asArray(a[0])
			if !ok {
				return types.NullOf(types.Bool), nil
			}
			want := ToDyn(a[1])
			for _, e := range arr {
				if DynEqual(e, want) {
					return types.NewBool(true), nil
				}
			}
			return types.NewBool(false), nil
		})
	setFn := func(name, doc string, op func(arrs [][]any) []any) {
		def(name, name+"(set1, set2 [, set3, ...])", doc, 2, 64, "y", fixed(types.Dynamic),
			func(_ *Env, a []types.Value) (types.Value, error) {
				arrs := make([][]any, len(a))
				for i, v := range a {
					arr, ok := asArray(v)
					if !ok {
						return nullDyn, nil
					}
					arrs[i] = arr
				}
				return Dyn(op(arrs)), nil
			})
	}
	setFn("set_union", "The distinct values of all the arrays.", func(arrs [][]any) []any { return distinct(arrs...) })
	setFn("set_intersect", "The distinct values present in every array.", func(arrs [][]any) []any {
		out := []any{}
		for _, e := range distinct(arrs[0]) {
			in := true
			for _, other := range arrs[1:] {
				if !containsDyn(other, e) {
					in = false
					break
				}
			}
			if in {
				out = append(out, e)
			}
		}
		return out
	})
	setFn("set_difference", "The distinct values of the first array that are in none of the others.", func(arrs [][]any) []any {
		out := []any{}
		for _, e := range distinct(arrs[0]) {
			in := false
			for _, other := range arrs[1:] {
				if containsDyn(other, e) {
					in = true
					break
				}
			}
			if !in {
				out = append(out, e)
			}
		}
		return out
	})
	def("jaccard_index", "jaccard_index(set1, set2)", "|intersection| / |union| of the distinct values of two arrays.", 2, 2, "yy", fixed(types.Real),
		func(_ *Env, a []types.Value) (types.Value, error) {
			x, ok1 := asArray(a[0])
			y, ok2 := asArray(a[1])
			if !ok1 || !ok2 {
				return types.NullOf(types.Real), nil
			}
			u := distinct(x, y)
			if len(u) == 0 {
				return types.NewReal(math.NaN()), nil
			}
			inter := 0
			for _, e := range distinct(x) {
				if containsDyn(y, e) {
					inter++
				}
			}
			return types.NewReal(float64(inter) / float64(len(u))), nil
		})
	def("zip", "zip(array1, array2, ...)", "Pairs up the elements of arrays by position; shorter arrays are padded with null.", 2, 16, "y", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			arrs := make([][]any, len(a))
			longest := 0
			for i, v := range a {
				arr, ok := asArray(v)
				if !ok {
					return nullDyn, nil
				}
				arrs[i] = arr
				longest = max(longest, len(arr))
			}
			out := make([]any, longest)
			for i := range out {
				row := make([]any, len(arrs))
				for j, arr := range arrs {
					if i < len(arr) {
						row[j] = arr[i]
					}
				}
				out[i] = row
			}
			return Dyn(out), nil
		})
	def("treepath", "treepath(dynamic_object)", "Every JSONPath that names a node inside a dynamic object.", 1, 1, "y", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return nullDyn, nil
			}
			out := []any{}
			var walk func(d any, p string)
			walk = func(d any, p string) {
				switch x := d.(type) {
				case *types.Bag:
					for i, k := range x.Keys {
						q := p + "['" + k + "']"
						out = append(out, q)
						walk(x.Value(i), q)
					}
				case []any:
					if len(x) > 0 {
						q := p + "[0]"
						out = append(out, q)
						for _, e := range x { // element shapes may differ: take the union of their paths
							walk(e, q)
						}
					}
				}
			}
			walk(a[0].D, "$")
			return Dyn(distinct(out)), nil
		})
	extractJSON := func(name string) {
		defR(name, name+"(jsonPath, dataSource [, type])", "The element a JSONPath ($.a.b, $['a'][0]) selects in JSON text, as string (or the given type).", 2, 3, "ssa",
			func(args []types.Type) (types.Type, error) { return types.String, nil },
			func(_ *Env, a []types.Value) (types.Value, error) {
				target := types.String
				if len(a) == 3 {
					t, ok := types.Parse(strings.TrimSuffix(strings.TrimPrefix(str(a[2]), "typeof("), ")"))
					if !ok {
						return strV(""), fmt.Errorf("%s(): argument 3: unknown type %q", name, str(a[2]))
					}
					target = t
				}
				var doc any
				if a[1].Type == types.Dynamic {
					doc = a[1].D
				} else {
					d, err := types.ParseJSON(str(a[1]))
					if err != nil {
						return Null(target), nil
					}
					doc = d
				}
				v, found, err := jsonPath(doc, str(a[0]))
				if err != nil {
					return Null(target), fmt.Errorf("%s(): %v", name, err)
				}
				if !found {
					return Null(target), nil
				}
				return Convert(types.NewString(DynString(v)), target), nil
			})
		scalars[name].ResultConsts = func(args []types.Type, consts []types.Value) (types.Type, error) {
			if len(args) == 3 {
				return typeArg(name, 3, consts)
			}
			return types.String, nil
		}
	}
	extractJSON("extractjson")
	extractJSON("extract_json")
	def("parse_url", "parse_url(url)", "Splits a URL into Scheme, Host, Port, Path, Username, Password, Query Parameters and Fragment.", 1, 1, "s", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) { return parseURL(str(a[0])), nil })
	def("parse_urlquery", "parse_urlquery(query)", "Splits a URL query string into a bag of Query Parameters.", 1, 1, "s", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			out := types.NewBag()
			out.Set("Query Parameters", queryBag(strings.TrimPrefix(str(a[0]), "?")))
			return Dyn(out), nil
		})
	def("parse_path", "parse_path(path)", "Splits a file path into Scheme, RootPath, DirectoryPath, DirectoryName, Filename, Extension and AlternateDataStreamName.", 1, 1, "s", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) { return parsePath(str(a[0])), nil })
	def("parse_csv", "parse_csv(csv_text)", "The fields of one CSV record as a dynamic array of strings.", 1, 1, "s", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			r := csv.NewReader(strings.NewReader(str(a[0])))
			r.LazyQuotes = true
			r.FieldsPerRecord = -1
			rec, err := r.Read()
			if err != nil {
				return Dyn([]any{""}), nil
			}
			out := make([]any, len(rec))
			for i, f := range rec {
				out[i] = f
			}
			return Dyn(out), nil
		})
	def("parse_command_line", "parse_command_line(command_line, parser_type)", "Splits a command line into arguments with Windows (CommandLineToArgvW) rules.", 2, 2, "ss", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			if t := strings.ToLower(str(a[1])); t != "windows" {
				return nullDyn, fmt.Errorf("parse_command_line(): parser_type must be \"windows\", got %q", str(a[1]))
			}
			args := splitWindowsArgs(str(a[0]))
			out := make([]any, len(args))
			for i, s := range args {
				out[i] = s
			}
			return Dyn(out), nil
		})
	def("geo_info_from_ip_address", "geo_info_from_ip_address(ip_address)", "Country, state, city, latitude and longitude of an IPv4 or IPv6 address, from the GeoIP database the workspace or configuration names; null when there is none or it does not know the address.", 1, 1, "s", fixed(types.Dynamic),
		func(env *Env, a []types.Value) (types.Value, error) {
			if env == nil || env.Geo == nil || !a[0].Valid {
				return nullDyn, nil
			}
			ip, err := netip.ParseAddr(strings.TrimSpace(str(a[0])))
			if err != nil {
				return nullDyn, nil
			}
			g, ok := env.Geo.Locate(ip.Unmap())
			if !ok {
				return nullDyn, nil
			}
			// Kusto's fields, in its order
			b := types.NewBagCap(5)
			b.Set("country", g.Country)
			b.Set("state", g.State)
			b.Set("city", g.City)
			b.Set("latitude", g.Latitude)
			b.Set("longitude", g.Longitude)
			return Dyn(b), nil
		})
}

func containsDyn(arr []any, e any) bool {
	for _, x := range arr {
		if DynEqual(x, e) {
			return true
		}
	}
	return false
}

func deepCopy(d any) any {
	switch x := d.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	case *types.Bag:
		out := types.NewBagCap(x.Len())
		for i, k := range x.Keys {
			out.Set(k, deepCopy(x.Value(i)))
		}
		return out
	}
	return d
}

func removePath(b *types.Bag, key string) {
	steps := []string{key}
	if strings.HasPrefix(key, "$") {
		toks, err := parseJSONPath(key)
		if err != nil {
			return
		}
		steps = steps[:0]
		for _, t := range toks {
			if t.key == nil {
				return
			}
			steps = append(steps, *t.key)
		}
		if len(steps) == 0 {
			return
		}
	}
	cur := b
	for _, s := range steps[:len(steps)-1] {
		v, _ := cur.Get(s)
		next, ok := v.(*types.Bag)
		if !ok {
			return
		}
		cur = next
	}
	cur.Delete(steps[len(steps)-1])
}

type pathStep struct {
	key   *string
	index int
}

// parseJSONPath reads the JSONPath subset Kusto accepts: $ followed by
// .name, ['name'], ["name"] and [index] steps.
func parseJSONPath(p string) ([]pathStep, error) {
	p = strings.TrimSpace(p)
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("JSONPath %q must start with $", p)
	}
	var out []pathStep
	i := 1
	for i < len(p) {
		switch p[i] {
		case '.':
			j := i + 1
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			if j == i+1 {
				return nil, fmt.Errorf("JSONPath %q: empty name at position %d", p, i+1)
			}
			k := p[i+1 : j]
			out = append(out, pathStep{key: &k})
			i = j
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("JSONPath %q: unclosed [ at position %d", p, i+1)
			}
			inner := strings.TrimSpace(p[i+1 : i+end])
			if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0] {
				k := inner[1 : len(inner)-1]
				out = append(out, pathStep{key: &k})
			} else {
				n, err := strconv.Atoi(inner)
				if err != nil {
					return nil, fmt.Errorf("JSONPath %q: bad index %q at position %d", p, inner, i+2)
				}
				out = append(out, pathStep{index: n})
			}
			i += end + 1
		default:
			return nil, fmt.Errorf("JSONPath %q: unexpected %q at position %d", p, p[i], i+1)
		}
	}
	return out, nil
}

func jsonPath(doc any, p string) (any, bool, error) {
	steps, err := parseJSONPath(p)
	if err != nil {
		return nil, false, err
	}
	cur := doc
	for _, s := range steps {
		if s.key != nil {
			b, ok := cur.(*types.Bag)
			if !ok {
				return nil, false, nil
			}
			v, ok := b.Get(*s.key)
			if !ok {
				return nil, false, nil
			}
			cur = v
			continue
		}
		arr, ok := cur.([]any)
		if !ok {
			return nil, false, nil
		}
		i := s.index
		if i < 0 {
			i += len(arr)
		}
		if i < 0 || i >= len(arr) {
			return nil, false, nil
		}
		cur = arr[i]
	}
	return cur, true, nil
}

// DynIndex returns element key of a dynamic value, as x.name, x['name'] and
// x[0] do in KQL (negative indexes count from the end); nil when absent.
func DynIndex(d any, key types.Value) any {
	switch x := d.(type) {
	case *types.Bag:
		v, _ := x.Get(ToString(key))
		return v
	case []any:
		i, ok := ToLong(key)
		if !ok || key.Type == types.String {
			return nil
		}
		if i < 0 {
			i += int64(len(x))
		}
		if i < 0 || i >= int64(len(x)) {
			return nil
		}
		return x[i]
	}
	return nil
}

func queryBag(q string) *types.Bag {
	bag := types.NewBag()
	if q == "" {
		return bag
	}
	for _, kv := range strings.Split(q, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		bag.Set(k, v)
	}
	return bag
}

func parseURL(s string) types.Value {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return Dyn(types.NewBag())
	}
	bag := types.NewBag()
	bag.Set("Scheme", u.Scheme)
	bag.Set("Host", u.Hostname())
	bag.Set("Port", u.Port())
	path := u.EscapedPath()
	bag.Set("Path", path)
	user, pass := "", ""
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	bag.Set("Username", user)
	bag.Set("Password", pass)
	bag.Set("Query Parameters", queryBag(u.RawQuery))
	bag.Set("Fragment", u.Fragment)
	return Dyn(bag)
}

func parsePath(s string) types.Value {
	bag := types.NewBag()
	scheme, root := "", ""
	rest := s
	if i := strings.Index(rest, "://"); i > 0 {
		scheme = rest[:i]
		rest = rest[i+3:]
		if j := strings.IndexAny(rest, `/\`); j >= 0 {
			root = rest[:j]
		} else {
			root = rest
		}
	} else if len(rest) >= 2 && rest[1] == ':' && isAlnum(rest[0]) {
		root = rest[:2]
	}
	sep := strings.LastIndexAny(s, `/\`)
	dir, file := "", s
	if sep >= 0 {
		dir, file = s[:sep], s[sep+1:]
	}
	ads := ""
	if i := strings.IndexByte(file, ':'); i >= 0 && sep >= 0 {
		file, ads = file[:i], file[i+1:]
	}
	dirName := dir
	if i := strings.LastIndexAny(dir, `/\`); i >= 0 {
		dirName = dir[i+1:]
	}
	if dirName == root {
		dirName = ""
	}
	ext := ""
	if i := strings.LastIndexByte(file, '.'); i >= 0 {
		ext = file[i+1:]
	}
	bag.Set("Scheme", scheme)
	bag.Set("RootPath", root)
	bag.Set("DirectoryPath", dir)
	bag.Set("DirectoryName", dirName)
	bag.Set("Filename", file)
	bag.Set("Extension", ext)
	bag.Set("AlternateDataStreamName", ads)
	return Dyn(bag)
}

// splitWindowsArgs applies CommandLineToArgvW's rules: whitespace separates
// arguments, double quotes group, 2n backslashes before a quote give n
// backslashes and a quote toggle, 2n+1 give n and a literal quote.
func splitWindowsArgs(s string) []string {
	var args []string
	var cur strings.Builder
	inQuote, have := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					inQuote = !inQuote
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			have = true
		case c == '"':
			if inQuote && i+1 < len(s) && s[i+1] == '"' { // "" inside quotes is a literal quote
				cur.WriteByte('"')
				i++
			} else {
				inQuote = !inQuote
			}
			have = true
		case (c == ' ' || c == '\t') && !inQuote:
			if have {
				args = append(args, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if have {
		args = append(args, cur.String())
	}
	return args
}
