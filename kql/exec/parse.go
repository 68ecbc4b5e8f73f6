package exec

import (
	"github.com/huntbook/huntbook/kql/functions"
	"regexp"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// typeRegex is the capture pattern of a typed column in simple mode.
func typeRegex(t types.Type, last bool) string {
	switch t {
	case types.Int, types.Long:
		return `(-?\d+)`
	case types.Real, types.Decimal:
		return `(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)`
	case types.Bool:
		return `((?i:true|false))`
	}
	if last {
		return `(.*)`
	}
	return `(.*?)`
}

// parse is parse / parse-where: the pattern becomes one regular expression
// anchored at the start; typed columns use strict sub-patterns except in
// relaxed mode; a row that does not match gets nulls (parse) or is dropped
// (parse-where).
func (r *runner) parse(o *ast.ParseOp, in *table.Table) (*table.Table, error) {
	kind, flags := "simple", ""
	for _, p := range o.Params {
		if len(p.Names) != 1 {
			continue
		}
		switch strings.ToLower(p.Names[0].Name) {
		case "kind":
			if id, ok := p.Value.(*ast.Ident); ok {
				kind = strings.ToLower(id.Name)
			}
		case "flags":
			if id, ok := p.Value.(*ast.Ident); ok {
				flags = id.Name
			} else if l, ok := p.Value.(*ast.Lit); ok {
				flags = l.Value.S
			}
		}
	}
	if kind != "simple" && kind != "regex" && kind != "relaxed" {
		return nil, r.errorf(o.Pos(), "parse kind must be simple, regex or relaxed, got '%s'", kind)
	}
	var re strings.Builder
	if flags != "" {
		re.WriteString("(?" + flags + ")")
	}
	re.WriteString("^")
	type capCol struct {
		name string
		t    types.Type
	}
	var cols []capCol
	for i, part := range o.Pattern {
		last := i == len(o.Pattern)-1
		switch {
		case part.Star:
			if last {
				re.WriteString(".*")
			} else {
				re.WriteString(".*?")
			}
		case part.Lit != nil:
			s := functions.ToString(part.Lit.Value)
			if kind == "regex" {
				re.WriteString(s)
			} else {
				re.WriteString(regexp.QuoteMeta(s))
			}
		case part.Column != nil:
			t := types.String
			if part.Type != nil {
				t = storeType(part.Type.Type)
			}
			if kind == "relaxed" || kind == "regex" && t != types.String {
				if last {
					re.WriteString("(.*)")
				} else {
					re.WriteString("(.*?)")
				}
			} else {
				re.WriteString(typeRegex(t, last))
			}
			cols = append(cols, capCol{part.Column.Name, t})
		}
	}
	rx, err := regexp.Compile(re.String())
	if err != nil {
		return nil, r.errorf(o.Pos(), "invalid parse pattern %q: %v", re.String(), err)
	}
	src, err := r.compiler(in.Schema()).compile(o.Source)
	if err != nil {
		return nil, err
	}
	srcCols, err := r.evalCols(in, []*cexpr{src})
	if err != nil {
		return nil, err
	}
	sc := srcCols[0]
	n := in.Rows()
	outs := make([]*table.Column, len(cols))
	for j, c := range cols {
		outs[j] = newVec(c.name, c.t, n)
	}
	keep := make([]int, 0, n)
	for i := 0; i < n; i++ {
		if i%chunkRows == 0 {
			if err := r.ctx.Err(); err != nil {
				return nil, err
			}
		}
		m := rx.FindStringSubmatch(functions.ToString(sc.Value(i)))
		ok := m != nil && len(m) == len(cols)+1
		if ok && kind != "relaxed" {
			for j, c := range cols {
				if c.t != types.String && parseScalar(m[j+1], c.t).IsNull() {
					ok = false
				}
			}
		}
		if !ok {
			for j := range cols {
				setNull(outs[j], i)
			}
			continue
		}
		keep = append(keep, i)
		for j, c := range cols {
			setVal(outs[j], i, parseScalar(m[j+1], c.t))
		}
	}
	out := &table.Table{Name: in.Name, Columns: append([]*table.Column(nil), in.Columns...)}
	for _, c := range outs {
		if j := tableIndex(out, c.Name); j >= 0 {
			out.Columns[j] = c
		} else {
			out.Columns = append(out.Columns, c)
		}
	}
	if o.Kind == "parse-where" && len(keep) != n {
		return r.gatherPar(out, keep)
	}
	return out, nil
}

// parseKv extracts typed key/value pairs from a string column.
func (r *runner) parseKv(o *ast.ParseKvOp, in *table.Table) (*table.Table, error) {
	pairDelim, kvDelim, quote := " ", "=", `"`
	greedy := false
	var rx *regexp.Regexp
	for _, w := range o.With {
		if len(w.Names) != 1 {
			continue
		}
		ce, err := r.compiler(nil).compile(w.Value)
		if err != nil {
			return nil, err
		}
		if !ce.isConst {
			return nil, r.errorf(w.Value.Pos(), "parse-kv option %s needs a constant", w.Names[0].Name)
		}
		v := functions.ToString(ce.val)
		switch strings.ToLower(w.Names[0].Name) {
		case "pair_delimiter":
			pairDelim = v
		case "kv_delimiter":
			kvDelim = v
		case "quote":
			quote = v
		case "greedy":
			greedy = ce.val.Bool()
		case "regex":
			re, err := regexp.Compile(v)
			if err != nil {
				return nil, r.errorf(w.Value.Pos(), "invalid regular expression %q: %v", v, err)
			}
			rx = re
		case "escape":
		default:
			return nil, r.unsupported(w.Pos(), "parse-kv option "+w.Names[0].Name)
		}
	}
	_ = greedy
	src, err := r.compiler(in.Schema()).compile(o.Source)
	if err != nil {
		return nil, err
	}
	srcCols, err := r.evalCols(in, []*cexpr{src})
	if err != nil {
		return nil, err
	}
	n := in.Rows()
	outs := make([]*table.Column, len(o.Columns))
	for j, c := range o.Columns {
		outs[j] = newVec(c.Name.Name, storeType(c.Type.Type), n)
	}
	for i := 0; i < n; i++ {
		s := functions.ToString(srcCols[0].Value(i))
		kv := map[string]string{}
		if rx != nil {
			for _, m := range rx.FindAllStringSubmatch(s, -1) {
				if len(m) >= 3 {
					kv[m[1]] = m[2]
				}
			}
		} else {
			for _, pair := range splitQuoted(s, pairDelim, quote) {
				k, v, ok := strings.Cut(pair, kvDelim)
				if !ok {
					continue
				}
				k = strings.TrimSpace(trimQuotes(strings.TrimSpace(k), quote))
				v = trimQuotes(strings.TrimSpace(v), quote)
				if _, dup := kv[k]; !dup {
					kv[k] = v
				}
			}
		}
		for j, c := range o.Columns {
			v, ok := kv[c.Name.Name]
			if !ok {
				setNull(outs[j], i)
				continue
			}
			setVal(outs[j], i, parseScalar(v, outs[j].Type))
		}
	}
	out := &table.Table{Name: in.Name, Columns: append([]*table.Column(nil), in.Columns...)}
	for _, c := range outs {
		if j := tableIndex(out, c.Name); j >= 0 {
			out.Columns[j] = c
		} else {
			out.Columns = append(out.Columns, c)
		}
	}
	return out, nil
}

// splitQuoted splits s on delim outside quotes.
func splitQuoted(s, delim, quote string) []string {
	if delim == "" {
		return []string{s}
	}
	var out []string
	inQ := false
	start := 0
	for i := 0; i < len(s); {
		if quote != "" && strings.HasPrefix(s[i:], quote) {
			inQ = !inQ
			i += len(quote)
			continue
		}
		if !inQ && strings.HasPrefix(s[i:], delim) {
			out = append(out, s[start:i])
			i += len(delim)
			start = i
			continue
		}
		i++
	}
	return append(out, s[start:])
}

func trimQuotes(s, quote string) string {
	if quote != "" && len(s) >= 2*len(quote) && strings.HasPrefix(s, quote) && strings.HasSuffix(s, quote) {
		return s[len(quote) : len(s)-len(quote)]
	}
	return s
}
