package parser

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// scalarType maps a type name as written in KQL (string, long, bool,
// boolean, double, date, time, uniqueid ...) to its type.
func scalarType(name string) (types.Type, bool) {
	t, ok := types.Parse(name)
	if !ok || strings.Contains(name, ".") || strings.TrimSpace(name) != name {
		return types.Null, false
	}
	return t, true
}

// parseBasicLit parses a number, timespan or typed literal token.
func (p *parser) parseBasicLit() ast.Expr {
	t := p.peek(0)
	p.next()
	lit := &ast.Lit{ValuePos: t.pos, EndPos: t.end(), Raw: t.lit}
	switch t.tok {
	case token.LONG:
		lit.Value = p.decodeLong(t)
	case token.REAL:
		f, err := strconv.ParseFloat(t.lit, 64)
		if err != nil {
			p.errorf(t.pos, "invalid real literal %s", t.lit)
		}
		lit.Value = types.NewReal(f)
	case token.TIMESPAN:
		ticks, ok := functions.ParseTimeSpan(t.lit)
		if !ok {
			p.errorf(t.pos, "invalid timespan literal %s", t.lit)
		}
		lit.Value = types.NewTimeSpan(ticks)
	case token.TYPEDLIT:
		return p.decodeTypedLit(t, lit)
	}
	return lit
}

func (p *parser) decodeLong(t tokInfo) types.Value {
	s := t.lit
	if len(s) > 2 && (s[1] == 'x' || s[1] == 'X') {
		u, err := strconv.ParseUint(s[2:], 16, 64)
		if err != nil {
			p.errorf(t.pos, "invalid hexadecimal literal %s", s)
		}
		return types.NewLong(int64(u))
	}
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// Too big for a long: Kusto makes it a real.
		f, _ := strconv.ParseFloat(s, 64)
		return types.NewReal(f)
	}
	return types.NewLong(i)
}

// decodeTypedLit decodes datetime(...), time(...), timespan(...), guid(...).
func (p *parser) decodeTypedLit(t tokInfo, lit *ast.Lit) ast.Expr {
	open := strings.IndexByte(t.lit, '(')
	word := strings.ToLower(strings.TrimSpace(t.lit[:open]))
	body := strings.TrimSuffix(t.lit[open+1:], ")")
	body = strings.TrimSpace(body)
	if len(body) >= 2 && (body[0] == '"' || body[0] == '\'') && body[len(body)-1] == body[0] {
		body = body[1 : len(body)-1]
	}
	switch word {
	case "datetime", "date":
		switch {
		case body == "":
			// datetime() is the current time: the same as now().
			id := &ast.Ident{NamePos: t.pos, Name: "now", EndPos: t.pos + token.Pos(open)}
			return &ast.CallExpr{Fun: id, Lparen: t.pos + token.Pos(open), Rparen: t.end() - 1}
		case body == "null":
			lit.Value = types.NullOf(types.DateTime)
		default:
			ticks, ok := ParseDateTime(body)
			if !ok {
				p.errorf(t.pos, "invalid datetime literal %s: want ISO 8601 (2024-01-31T10:00:00Z), \"2024-01-31 10:00\" or RFC 822/850/1123", t.lit)
			}
			lit.Value = types.NewDateTime(ticks)
		}
	case "time", "timespan":
		if body == "null" {
			lit.Value = types.NullOf(types.TimeSpan)
			break
		}
		ticks, ok := ParseTimeSpan(body)
		if !ok {
			p.errorf(t.pos, "invalid timespan literal %s: want 1d, 2.5h, 30m, 10s, 100ms, 1.02:03:04 or '15 seconds'", t.lit)
		}
		lit.Value = types.NewTimeSpan(ticks)
	case "guid":
		if body == "null" {
			lit.Value = types.NullOf(types.GUID)
			break
		}
		g, ok := canonicalGUID(body)
		if !ok {
			p.errorf(t.pos, "invalid guid literal %s: want 8-4-4-4-12 hexadecimal digits", t.lit)
		}
		lit.Value = types.NewGUID(g)
	}
	return lit
}

// ParseDateTime parses the text of a datetime(...) literal: ISO 8601 forms,
// RFC 822/850/1123 forms (as kql/functions accepts) and the US
// month/day/year form that Kusto also takes ("01/16/2022 00:00:00").
// It returns ticks since the Unix epoch.
func ParseDateTime(s string) (int64, bool) {
	if t, ok := functions.ParseDateTime(s); ok {
		return t, true
	}
	return parseUSDate(strings.TrimSpace(s))
}

// parseUSDate handles M/D/YYYY [H:MM[:SS]].
func parseUSDate(s string) (int64, bool) {
	date, clock, _ := strings.Cut(s, " ")
	parts := strings.Split(date, "/")
	if len(parts) != 3 || len(parts[2]) != 4 {
		return 0, false
	}
	iso := parts[2] + "-" + pad2(parts[0]) + "-" + pad2(parts[1])
	if clock = strings.TrimSpace(clock); clock != "" {
		h, rest, _ := strings.Cut(clock, ":")
		iso += " " + pad2(h) + ":" + rest
	}
	return functions.ParseDateTime(iso)
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

// ParseTimeSpan parses the text of a time(...)/timespan(...) literal:
// 1d, 2.5h, 1.02:03:04, "15 seconds", or a bare number of days.
func ParseTimeSpan(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXpPnN_") {
		return int64(math.Round(f * float64(types.Day))), true
	}
	return functions.ParseTimeSpan(strings.Join(strings.Fields(s), ""))
}

func canonicalGUID(s string) (string, bool) {
	hex := strings.ReplaceAll(s, "-", "")
	if len(hex) != 32 {
		return s, false
	}
	for _, c := range hex {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return s, false
		}
	}
	if len(s) == 36 && (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') {
		return s, false
	}
	if len(s) != 36 && len(s) != 32 {
		return s, false
	}
	h := strings.ToLower(hex)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], true
}

// parseStringLit parses one string literal or several adjacent ones, which
// KQL concatenates ("a" 'b' is "ab").
func (p *parser) parseStringLit() ast.Expr {
	start := p.pos
	var b strings.Builder
	end := start
	for p.tok == token.STRING {
		s, err := Unquote(p.lit)
		if err != nil {
			p.errorf(p.pos, "%v", err)
		}
		b.WriteString(s)
		end = p.peek(0).end()
		p.next()
	}
	return &ast.Lit{ValuePos: start, EndPos: end, Value: types.NewString(b.String()),
		Raw: string(p.src[p.file.Offset(start):p.file.Offset(end)])}
}

// Unquote returns the value of a KQL string literal as the scanner returns
// it: '...' or "..." with backslash escapes, @'...' verbatim (a doubled
// quote stands for one), h/H-prefixed obfuscated forms, and ```...``` or
// ~~~...~~~ multi-line strings.
func Unquote(lit string) (string, error) {
	if len(lit) > 0 && (lit[0] == 'h' || lit[0] == 'H') {
		lit = lit[1:]
	}
	if len(lit) >= 6 && (strings.HasPrefix(lit, "```") || strings.HasPrefix(lit, "~~~")) {
		fence := lit[:3]
		if !strings.HasSuffix(lit, fence) {
			return "", fmt.Errorf("multi-line string literal not terminated")
		}
		return lit[3 : len(lit)-3], nil
	}
	verbatim := false
	if len(lit) > 0 && lit[0] == '@' {
		verbatim = true
		lit = lit[1:]
	}
	if len(lit) < 2 || (lit[0] != '"' && lit[0] != '\'') || lit[len(lit)-1] != lit[0] {
		return "", fmt.Errorf("string literal not terminated")
	}
	q := lit[0]
	body := lit[1 : len(lit)-1]
	if verbatim {
		return strings.ReplaceAll(body, string([]byte{q, q}), string(q)), nil
	}
	if !strings.ContainsRune(body, '\\') {
		return body, nil
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 >= len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := body[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'u', 'U', 'x':
			n := map[byte]int{'u': 4, 'U': 8, 'x': 2}[e]
			if i+1+n <= len(body) {
				if r, err := strconv.ParseUint(body[i+1:i+1+n], 16, 32); err == nil && utf8.ValidRune(rune(r)) {
					b.WriteRune(rune(r))
					i += n
					continue
				}
			}
			return "", fmt.Errorf("invalid escape \\%c in string literal", e)
		default:
			// Kusto keeps unknown escapes as written (regexes like "\d").
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String(), nil
}

// tryTypedScalarLit parses long(null), int(-1), real(nan), real(+inf),
// bool(true), decimal(1.5) and the like; it returns nil (consuming nothing)
// when the parentheses do not hold a literal.
func (p *parser) tryTypedScalarLit() ast.Expr {
	typ, _ := scalarType(p.lit)
	n := 2 // tokens: name (
	neg := false
	if t := p.peek(n); t.tok == token.SUB || t.tok == token.ADD {
		neg = t.tok == token.SUB
		n++
	}
	arg := p.peek(n)
	if p.peek(n+1).tok != token.RPAREN {
		return nil
	}
	var v types.Value
	word := strings.ToLower(arg.lit)
	switch {
	case arg.tok == token.IDENT && word == "null" && !neg && n == 2:
		v = types.NullOf(typ)
	case arg.tok == token.IDENT && (word == "true" || word == "false") && typ == types.Bool && n == 2:
		v = types.NewBool(word == "true")
	case arg.tok == token.IDENT && (word == "nan" || word == "inf" || word == "infinity") && typ == types.Real:
		f := math.NaN()
		if word != "nan" {
			f = math.Inf(1)
			if neg {
				f = math.Inf(-1)
			}
		}
		v = types.NewReal(f)
	case (arg.tok == token.LONG || arg.tok == token.REAL) && typ != types.Bool && typ != types.String:
		f, err := strconv.ParseFloat(arg.lit, 64)
		if arg.tok == token.LONG {
			if x := p.decodeLong(arg); x.Type == types.Long {
				f = float64(x.I)
			}
		}
		if err != nil && arg.tok == token.REAL {
			return nil
		}
		if neg {
			f = -f
		}
		switch typ {
		case types.Int, types.Long:
			if arg.tok != token.LONG {
				p.errorf(arg.pos, "invalid %s literal: %s is not a whole number", typ, arg.lit)
			}
			if typ == types.Int {
				v = types.NewInt(int64(f))
			} else if x := p.decodeLong(arg); x.Type == types.Long {
				v = types.NewLong(x.I)
				if neg {
					v.I = -v.I
				}
			} else {
				v = types.NewLong(int64(f))
			}
		case types.Real:
			v = types.NewReal(f)
		case types.Decimal:
			v = types.NewDecimal(f)
		default:
			return nil
		}
	default:
		return nil
	}
	pos := p.pos
	end := p.peek(n + 1).end()
	for i := 0; i <= n+1; i++ {
		p.next()
	}
	return &ast.Lit{ValuePos: pos, EndPos: end, Value: v, Raw: string(p.src[p.file.Offset(pos):p.file.Offset(end)])}
}

// parseDynamicLit parses dynamic(...) holding JSON-like text whose scalars
// may also be KQL literals (datetime(...), 1d, guid(...)).
func (p *parser) parseDynamicLit() ast.Expr {
	pos := p.pos
	p.next() // dynamic
	lparen := p.pos
	p.next()
	var d any
	if p.tok != token.RPAREN {
		d = p.parseDynamicValue()
	}
	rparen := p.closing(token.RPAREN, lparen)
	end := rparen + 1
	return &ast.Lit{ValuePos: pos, EndPos: end, Value: types.NewDynamic(d),
		Raw: string(p.src[p.file.Offset(pos):min(p.file.Offset(end), len(p.src))])}
}

func (p *parser) parseDynamicValue() any {
	p.enter()
	defer p.leave()
	switch p.tok {
	case token.LBRACK:
		open := p.pos
		p.next()
		arr := []any{}
		p.parseCommaList(token.RBRACK, open, func() {
			arr = append(arr, p.parseDynamicValue())
		})
		return arr
	case token.LBRACE:
		open := p.pos
		p.next()
		bag := types.NewBag()
		for p.tok != token.RBRACE && p.tok != token.EOF {
			var key string
			switch p.tok {
			case token.STRING:
				key, _ = Unquote(p.lit)
			case token.IDENT:
				key = p.lit
			default:
				p.errorExpected("a property name")
				p.syncDynamic()
				return bag
			}
			p.next()
			p.expect(token.COLON)
			bag.Set(key, p.parseDynamicValue())
			if p.tok != token.COMMA {
				break
			}
			p.next()
		}
		p.closing(token.RBRACE, open)
		return bag
	case token.STRING:
		lit := p.parseStringLit().(*ast.Lit)
		return lit.Value.S
	case token.IDENT:
		switch p.lit {
		case "null":
			p.next()
			return nil
		case "true", "false":
			b := p.lit == "true"
			p.next()
			return b
		}
	case token.LONG, token.REAL, token.TIMESPAN, token.TYPEDLIT, token.SUB, token.ADD:
		x := p.parseUnary()
		if lit, ok := x.(*ast.Lit); ok {
			return dynamicOf(lit.Value)
		}
		p.errorf(x.Pos(), "expected a constant inside dynamic(...)")
		return nil
	}
	if p.tok == token.IDENT && p.peek(1).tok == token.LPAREN {
		x := p.parseUnary()
		if lit, ok := x.(*ast.Lit); ok {
			return dynamicOf(lit.Value)
		}
		p.errorf(x.Pos(), "expected a constant inside dynamic(...)")
		return nil
	}
	p.errorExpected("a JSON value")
	p.syncDynamic()
	return nil
}

// syncDynamic skips to the ')' that ends a dynamic literal.
func (p *parser) syncDynamic() {
	depth := 0
	for p.tok != token.EOF {
		switch p.tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if depth == 0 && p.tok == token.RPAREN {
				return
			}
			depth--
		case token.PIPE, token.SEMICOLON:
			if depth <= 0 {
				return
			}
		}
		p.next()
	}
}

// dynamicOf converts a scalar to its form inside a dynamic value.
func dynamicOf(v types.Value) any {
	if !v.Valid && v.Type != types.String {
		return nil
	}
	switch v.Type {
	case types.Bool:
		return v.I != 0
	case types.Int, types.Long:
		return v.I
	case types.Real, types.Decimal:
		return v.F
	case types.String, types.GUID:
		return v.S
	case types.DateTime:
		return types.DateTimeValue(v.I)
	case types.TimeSpan:
		return types.TimeSpanValue(v.I)
	case types.Dynamic:
		return v.D
	}
	return nil
}
