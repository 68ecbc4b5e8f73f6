package functions

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/huntbook/huntbook/kql/types"
)

var regexCache sync.Map // pattern -> *regexp.Regexp

// compileRegex compiles (and caches) a Kusto regex; Kusto uses RE2 syntax,
// as Go's regexp does.
func compileRegex(fn, pattern string) (*regexp.Regexp, error) {
	if r, ok := regexCache.Load(pattern); ok {
		return r.(*regexp.Regexp), nil
	}
	r, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%s(): invalid regular expression %q: %v", fn, pattern, err)
	}
	regexCache.Store(pattern, r)
	return r, nil
}

func str(v types.Value) string { return ToString(v) }

func strV(s string) types.Value { return types.NewString(s) }

func longV(i int64) types.Value { return types.NewLong(i) }

// runeSlice returns the i..j (in characters) part of s, clamped.
func runeSlice(s string, start, length int64) string {
	n := int64(utf8.RuneCountInString(s))
	if start < 0 {
		start += n
		if start < 0 {
			start = 0
		}
	}
	if start >= n {
		return ""
	}
	end := n
	if length >= 0 && length < n-start { // no start+length: it may overflow
		end = start + length
	}
	if isASCII(s) {
		return s[start:end]
	}
	r := []rune(s)
	return string(r[start:end])
}

func init() {
	def("strcat", "strcat(arg1, arg2, ...)", "Concatenates between 1 and 64 arguments as strings.", 1, 64, "a", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			var b strings.Builder
			for _, v := range a {
				b.WriteString(str(v))
			}
			return strV(b.String()), nil
		})
	def("strcat_delim", "strcat_delim(delimiter, arg1, arg2, ...)", "Concatenates 2 to 64 arguments with a delimiter.", 3, 65, "sa", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			parts := make([]string, len(a)-1)
			for i, v := range a[1:] {
				parts[i] = str(v)
			}
			return strV(strings.Join(parts, str(a[0]))), nil
		})
	def("strlen", "strlen(source)", "Length of a string in characters.", 1, 1, "s", fixed(types.Long),
		func(_ *Env, a []types.Value) (types.Value, error) {
			return longV(int64(utf8.RuneCountInString(str(a[0])))), nil
		})
	def("string_size", "string_size(source)", "Size of a string in bytes (UTF-8).", 1, 1, "s", fixed(types.Long),
		func(_ *Env, a []types.Value) (types.Value, error) { return longV(int64(len(str(a[0])))), nil })
	def("substring", "substring(source, startingIndex [, length])", "Part of a string from a zero-based character index; a negative index counts from the end.", 2, 3, "sii", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			start, ok := ToLong(a[1])
			if !ok {
				return strV(""), nil
			}
			length := int64(-1)
			if len(a) == 3 {
				l, ok := ToLong(a[2])
				if !ok {
					return strV(""), nil
				}
				if l < 0 {
					return strV(""), nil
				}
				length = l
			}
			return strV(runeSlice(str(a[0]), start, length)), nil
		})
	def("tolower", "tolower(source)", "Converts a string to lower case.", 1, 1, "s", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) { return strV(strings.ToLower(str(a[0]))), nil })
	def("toupper", "toupper(source)", "Converts a string to upper case.", 1, 1, "s", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) { return strV(strings.ToUpper(str(a[0]))), nil })
	for _, t := range []struct {
		name, doc  string
		start, end bool
	}{
		{"trim", "Removes leading and trailing matches of a regex.", true, true},
		{"trim_start", "Removes leading matches of a regex.", true, false},
		{"trim_end", "Removes trailing matches of a regex.", false, true},
	} {
		t := t
		def(t.name, t.name+"(regex, source)", t.doc, 2, 2, "ss", fixed(types.String),
			func(_ *Env, a []types.Value) (types.Value, error) {
				s := str(a[1])
				pat := str(a[0])
				if t.start {
					r, err := compileRegex(t.name, "^(?:"+pat+")+")
					if err != nil {
						return strV(""), err
					}
					if loc := r.FindStringIndex(s); loc != nil {
						s = s[loc[1]:]
					}
				}
				if t.end {
					r, err := compileRegex(t.name, "(?:"+pat+")+$")
					if err != nil {
						return strV(""), err
					}
					if loc := r.FindStringIndex(s); loc != nil {
						s = s[:loc[0]]
					}
				}
				return strV(s), nil
			})
	}
	def("split", "split(source, delimiter [, requestedIndex])", "Splits a string by a delimiter into a dynamic array; with an index, an array of that one part.", 2, 3, "ssi", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			delim := str(a[1])
			if delim == "" {
				return types.NullOf(types.Dynamic), fmt.Errorf("split(): the delimiter must not be empty")
			}
			parts := strings.Split(str(a[0]), delim)
			if len(a) == 3 {
				i, ok := ToLong(a[2])
				if !ok {
					return types.NullOf(types.Dynamic), nil
				}
				if i < 0 {
					i += int64(len(parts))
				}
				if i < 0 || i >= int64(len(parts)) {
					return Dyn([]any{}), nil
				}
				return Dyn([]any{parts[i]}), nil
			}
			arr := make([]any, len(parts))
			for i, p := range parts {
				arr[i] = p
			}
			return Dyn(arr), nil
		})
	def("replace_string", "replace_string(text, lookup, rewrite)", "Replaces every non-overlapping occurrence of a string.", 3, 3, "sss", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			lookup := str(a[1])
			if lookup == "" {
				return strV(str(a[0])), nil
			}
			return strV(strings.ReplaceAll(str(a[0]), lookup, str(a[2]))), nil
		})
	replaceRegex := func(fn string, text, pat, rewrite string) (types.Value, error) {
		r, err := compileRegex(fn, pat)
		if err != nil {
			return strV(""), err
		}
		return strV(r.ReplaceAllString(text, kustoRewrite(rewrite))), nil
	}
	def("replace_regex", "replace_regex(source, lookup_regex, rewrite_pattern)", "Replaces all regex matches; \\1..\\9 in the rewrite refer to capture groups.", 3, 3, "sss", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			return replaceRegex("replace_regex", str(a[0]), str(a[1]), str(a[2]))
		})
	def("replace", "replace(regex, rewrite, source)", "Deprecated form of replace_regex with the source last.", 3, 3, "sss", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			return replaceRegex("replace", str(a[2]), str(a[0]), str(a[1]))
		})
	defR("extract", "extract(regex, captureGroup, source [, typeLiteral])", "The given capture group of the first regex match, optionally converted to a type.", 3, 4, "sisa",
		func(args []types.Type) (types.Type, error) { return types.String, nil }, evalExtract)
	scalars["extract"].ResultConsts = func(args []types.Type, consts []types.Value) (types.Type, error) {
		if len(args) == 4 {
			return typeArg("extract", 4, consts)
		}
		return types.String, nil
	}
	def("extract_all", "extract_all(regex, [captureGroups,] source)", "All regex matches as a dynamic array (arrays of groups when several are asked for).", 2, 3, "sas", fixed(types.Dynamic), evalExtractAll)
	alias("extractall", "extract_all")
	def("indexof", "indexof(source, lookup [, start [, length [, occurrence]]])", "Zero-based character index of the n-th occurrence of a string, -1 when absent.", 2, 5, "aaiii", fixed(types.Long), evalIndexOf)
	def("countof", "countof(source, search [, kind])", "Counts occurrences of a string (overlapping) or a regex (kind \"regex\").", 2, 3, "sss", fixed(types.Long),
		func(_ *Env, a []types.Value) (types.Value, error) {
			src, search := str(a[0]), str(a[1])
			kind := "normal"
			if len(a) == 3 {
				kind = str(a[2])
			}
			switch kind {
			case "normal":
				if search == "" {
					return longV(0), nil
				}
				n := 0
				for i := 0; ; {
					j := strings.Index(src[i:], search)
					if j < 0 {
						break
					}
					n++
					_, w := utf8.DecodeRuneInString(src[i+j:])
					i += j + w
				}
				return longV(int64(n)), nil
			case "regex":
				r, err := compileRegex("countof", search)
				if err != nil {
					return longV(0), err
				}
				return longV(int64(len(r.FindAllStringIndex(src, -1)))), nil
			}
			return types.NullOf(types.Long), fmt.Errorf("countof(): kind must be \"normal\" or \"regex\", got %q", kind)
		})
	def("reverse", "reverse(value)", "Reverses the characters of a string (other values are converted to string first).", 1, 1, "a", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			r := []rune(str(a[0]))
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			return strV(string(r)), nil
		})
	def("strrep", "strrep(value, multiplier [, delimiter])", "Repeats a string (at most 1024 times), optionally with a delimiter.", 2, 3, "ais", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			n, ok := ToLong(a[1])
			if !ok || n <= 0 {
				return strV(""), nil
			}
			if n > 1024 {
				n = 1024
			}
			delim := ""
			if len(a) == 3 {
				delim = str(a[2])
			}
			parts := make([]string, n)
			for i := range parts {
				parts[i] = str(a[0])
			}
			return strV(strings.Join(parts, delim)), nil
		})
	// a long, as Kusto.Language declares it (the docs say "integer")
	def("strcmp", "strcmp(string1, string2)", "Compares two strings: -1, 0 or 1.", 2, 2, "ss", fixed(types.Long),
		func(_ *Env, a []types.Value) (types.Value, error) {
			return types.NewLong(int64(strings.Compare(str(a[0]), str(a[1])))), nil
		})
	def("translate", "translate(searchList, replacementList, source)", "Replaces each character of searchList by the one at the same position in replacementList (deleting when that is empty).", 3, 3, "sss", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			from, to := []rune(str(a[0])), []rune(str(a[1]))
			m := map[rune]int{}
			for i, c := range from {
				if _, ok := m[c]; !ok {
					m[c] = i
				}
			}
			var b strings.Builder
			for _, c := range str(a[2]) {
				i, ok := m[c]
				switch {
				case !ok:
					b.WriteRune(c)
				case len(to) == 0:
				case i < len(to):
					b.WriteRune(to[i])
				default:
					b.WriteRune(to[len(to)-1])
				}
			}
			return strV(b.String()), nil
		})
	def("url_encode", "url_encode(url)", "Percent-encodes a string for use in a URL.", 1, 1, "s", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) { return strV(urlEncode(str(a[0]))), nil })
	alias("url_encode_component", "url_encode")
	def("url_decode", "url_decode(encoded_url)", "Decodes a percent-encoded URL string; an invalid encoding gives an empty string.", 1, 1, "s", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			s, err := url.QueryUnescape(str(a[0]))
			if err != nil {
				return strV(""), nil
			}
			return strV(s), nil
		})
	def("base64_encode_tostring", "base64_encode_tostring(string)", "Encodes a string's UTF-8 bytes as base64.", 1, 1, "s", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			return strV(base64.StdEncoding.EncodeToString([]byte(str(a[0])))), nil
		})
	alias("base64_encodestring", "base64_encode_tostring")
	def("base64_decode_tostring", "base64_decode_tostring(base64_string)", "Decodes base64 to a UTF-8 string; invalid input gives an empty string.", 1, 1, "s", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			b, ok := decodeBase64(str(a[0]))
			if !ok || !utf8.Valid(b) {
				return strV(""), nil
			}
			return strV(string(b)), nil
		})
	alias("base64_decodestring", "base64_decode_tostring")
	def("base64_decode_toarray", "base64_decode_toarray(base64_string)", "Decodes base64 to a dynamic array of byte values.", 1, 1, "s", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			b, ok := decodeBase64(str(a[0]))
			if !ok {
				return types.NullOf(types.Dynamic), nil
			}
			arr := make([]any, len(b))
			for i, c := range b {
				arr[i] = int64(c)
			}
			return Dyn(arr), nil
		})
	def("base64_encode_fromarray", "base64_encode_fromarray(base64_string_decoded_as_array)", "Encodes a dynamic array of bytes as base64.", 1, 1, "y", fixed(types.String),
		strict(types.String, func(_ *Env, a []types.Value) (types.Value, error) {
			arr, ok := a[0].D.([]any)
			if !ok {
				return strV(""), nil
			}
			b := make([]byte, 0, len(arr))
			for _, e := range arr {
				i, ok := dynToLong(e)
				if !ok || i < 0 || i > 255 {
					return strV(""), nil
				}
				b = append(b, byte(i))
			}
			return strV(base64.StdEncoding.EncodeToString(b)), nil
		}))
	def("tohex", "tohex(value [, minLength])", "Hexadecimal form of an integer (two's complement for negatives), zero-padded to minLength.", 1, 2, "ii", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			if a[0].IsNull() {
				return strV(""), nil
			}
			i, ok := ToLong(a[0])
			if !ok {
				return strV(""), nil
			}
			var s string
			if a[0].Type == types.Int {
				s = strconv.FormatUint(uint64(uint32(int32(i))), 16)
			} else {
				s = strconv.FormatUint(uint64(i), 16)
			}
			if len(a) == 2 {
				// a 64-bit value never needs more than 16 digits; cap the padding well above that
				if n, ok := ToLong(a[1]); ok && int64(len(s)) < n && n <= 64 {
					s = strings.Repeat("0", int(n)-len(s)) + s
				}
			}
			return strV(s), nil
		})
	def("unicode_codepoints_from_string", "unicode_codepoints_from_string(value)", "The Unicode code points of a string as a dynamic array.", 1, 1, "s", fixed(types.Dynamic),
		func(_ *Env, a []types.Value) (types.Value, error) {
			arr := []any{}
			for _, r := range str(a[0]) {
				arr = append(arr, int64(r))
			}
			return Dyn(arr), nil
		})
	def("unicode_codepoints_to_string", "unicode_codepoints_to_string(values)", "Builds a string from a dynamic array of Unicode code points.", 1, 1, "y", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			arr, _ := a[0].D.([]any)
			var b strings.Builder
			for _, e := range arr {
				i, ok := dynToLong(e)
				if !ok {
					return strV(""), nil
				}
				b.WriteRune(rune(i))
			}
			return strV(b.String()), nil
		})
	alias("make_string", "unicode_codepoints_to_string")
	def("strcat_array", "strcat_array(array, delimiter)", "Joins the elements of a dynamic array with a delimiter.", 2, 2, "ys", fixed(types.String),
		func(_ *Env, a []types.Value) (types.Value, error) {
			arr, _ := a[0].D.([]any)
			parts := make([]string, len(arr))
			for i, e := range arr {
				parts[i] = DynString(e)
			}
			return strV(strings.Join(parts, str(a[1]))), nil
		})
	alias("array_strcat", "strcat_array")
	def("isascii", "isascii(value)", "Whether a string holds only ASCII characters.", 1, 1, "s", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) { return types.NewBool(isASCII(str(a[0]))), nil })
	def("isutf8", "isutf8(value)", "Whether a string is valid UTF-8.", 1, 1, "s", fixed(types.Bool),
		func(_ *Env, a []types.Value) (types.Value, error) {
			return types.NewBool(utf8.ValidString(str(a[0]))), nil
		})
}

// typeArg reads a type name constant (extract's typeof(long) argument, which
// the binder passes as the type's name).
func typeArg(fn string, pos int, consts []types.Value) (types.Type, error) {
	if pos-1 >= len(consts) || !consts[pos-1].Valid {
		return types.Null, fmt.Errorf("%s(): argument %d must be a constant type, such as typeof(long)", fn, pos)
	}
	name := strings.TrimSuffix(strings.TrimPrefix(ToString(consts[pos-1]), "typeof("), ")")
	t, ok := types.Parse(name)
	if !ok {
		return types.Null, fmt.Errorf("%s(): argument %d: unknown type %q", fn, pos, name)
	}
	return t, nil
}

// kustoRewrite turns Kusto's \1 group references into Go's ${1}, and
// protects literal dollars.
func kustoRewrite(s string) string {
	if !strings.ContainsAny(s, `\$`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			b.WriteString("${" + string(s[i+1]) + "}")
			i++
		case c == '$' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			b.WriteString("${" + string(s[i+1]) + "}")
			i++
		case c == '$':
			b.WriteString("$$")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func evalExtract(_ *Env, a []types.Value) (types.Value, error) {
	target := types.String
	if len(a) == 4 {
		t, ok := types.Parse(strings.TrimSuffix(strings.TrimPrefix(str(a[3]), "typeof("), ")"))
		if !ok {
			return strV(""), fmt.Errorf("extract(): argument 4: unknown type %q", str(a[3]))
		}
		target = t
	}
	r, err := compileRegex("extract", str(a[0]))
	if err != nil {
		return Null(target), err
	}
	g, ok := ToLong(a[1])
	if !ok || g < 0 || int(g) > r.NumSubexp() {
		return Null(target), fmt.Errorf("extract(): capture group %d is out of range: the regex has %d", g, r.NumSubexp())
	}
	m := r.FindStringSubmatchIndex(str(a[2]))
	if m == nil || m[2*g] < 0 {
		return Null(target), nil
	}
	s := str(a[2])[m[2*g]:m[2*g+1]]
	return Convert(strV(s), target), nil
}

func evalExtractAll(_ *Env, a []types.Value) (types.Value, error) {
	r, err := compileRegex("extract_all", str(a[0]))
	if err != nil {
		return types.NullOf(types.Dynamic), err
	}
	src := a[len(a)-1]
	var groups []int
	if len(a) == 3 {
		d := ToDyn(a[1])
		arr, ok := d.([]any)
		if !ok {
			return types.NullOf(types.Dynamic), fmt.Errorf("extract_all(): captureGroups must be a dynamic array of group numbers")
		}
		for _, e := range arr {
			g, ok := dynToLong(e)
			if !ok || g < 0 || int(g) > r.NumSubexp() {
				return types.NullOf(types.Dynamic), fmt.Errorf("extract_all(): capture group %v is out of range: the regex has %d", e, r.NumSubexp())
			}
			groups = append(groups, int(g))
		}
	} else if r.NumSubexp() > 0 {
		for g := 1; g <= r.NumSubexp(); g++ {
			groups = append(groups, g)
		}
	} else {
		groups = []int{0}
	}
	s := str(src)
	matches := r.FindAllStringSubmatchIndex(s, -1)
	if len(matches) == 0 {
		return types.NullOf(types.Dynamic), nil
	}
	out := make([]any, 0, len(matches))
	for _, m := range matches {
		get := func(g int) any {
			if m[2*g] < 0 {
				return ""
			}
			return s[m[2*g]:m[2*g+1]]
		}
		if len(groups) == 1 {
			out = append(out, get(groups[0]))
			continue
		}
		row := make([]any, len(groups))
		for i, g := range groups {
			row[i] = get(g)
		}
		out = append(out, row)
	}
	return Dyn(out), nil
}

func evalIndexOf(_ *Env, a []types.Value) (types.Value, error) {
	src, look := []rune(str(a[0])), []rune(str(a[1]))
	start, length, occ := int64(0), int64(-1), int64(1)
	var ok bool
	if len(a) > 2 {
		if start, ok = ToLong(a[2]); !ok {
			return types.NullOf(types.Long), nil
		}
	}
	if len(a) > 3 {
		if length, ok = ToLong(a[3]); !ok {
			return types.NullOf(types.Long), nil
		}
	}
	if len(a) > 4 {
		if occ, ok = ToLong(a[4]); !ok {
			return types.NullOf(types.Long), nil
		}
	}
	if length < -1 || occ < 0 {
		return types.NullOf(types.Long), nil
	}
	n := int64(len(src))
	if start < 0 {
		start += n
		if start < 0 {
			start = 0
		}
	}
	if start > n {
		return longV(-1), nil
	}
	// the examined range is start..start+length inclusive (Kusto's examples:
	// indexof("abcdefg","cde",1,2) is -1, indexof("abcdefg","cde",1,4) is 2)
	end := n
	if length >= 0 && length < n-start-1 {
		end = start + length + 1
	}
	if occ == 0 {
		occ = 1
	}
	found := int64(0)
	for i := start; i+int64(len(look)) <= end; i++ {
		if runesAt(src, look, i) {
			found++
			if found == occ {
				return longV(i), nil
			}
		}
	}
	return longV(-1), nil
}

func runesAt(s, sub []rune, i int64) bool {
	for k, c := range sub {
		if s[i+int64(k)] != c {
			return false
		}
	}
	return true
}

// urlEncode encodes as .NET's HttpUtility.UrlEncode, which Kusto uses:
// space as +, lower-case hex escapes.
func urlEncode(s string) string {
	var b strings.Builder
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '!' || c == '*' || c == '(' || c == ')':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}
