package binder

import (
	"fmt"
	"sort"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/functions"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/scanner"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// CompletionKind says what a completion item names.
type CompletionKind int

const (
	KindTable CompletionKind = iota
	KindColumn
	KindOperator
	KindFunction
	KindAggregate
	KindVariable
)

var kindNames = [...]string{"table", "column", "operator", "function", "aggregate", "variable"}

func (k CompletionKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Completion is one suggestion: Label is the text to insert, Detail a
// short description (a column's type, a function's signature).
type Completion struct {
	Label  string
	Kind   CompletionKind
	Detail string
}

// operatorDocs are the tabular operators offered after '|', with one line each.
var operatorDocs = map[string]string{
	"where":           "where Predicate: keeps the rows for which Predicate is true",
	"project":         "project Col, Name = Expr, ...: selects, renames and computes columns",
	"project-away":    "project-away Col, Pattern*, ...: drops columns",
	"project-keep":    "project-keep Col, Pattern*, ...: keeps only these columns, in input order",
	"project-rename":  "project-rename New = Old, ...: renames columns",
	"project-reorder": "project-reorder Col, ...: moves columns to the front",
	"extend":          "extend Name = Expr, ...: adds computed columns",
	"summarize":       "summarize [Name =] Aggregation, ... [by Key, ...]: groups and aggregates",
	"count":           "count: the number of rows, as a Count column",
	"take":            "take N: any N rows",
	"limit":           "limit N: any N rows (same as take)",
	"top":             "top N by Expr [asc|desc]: the first N rows by Expr",
	"top-nested":      "top-nested N of Col by Aggregation, ...: hierarchical top results",
	"sort":            "sort by Expr [asc|desc], ...: orders the rows (descending by default)",
	"order":           "order by Expr [asc|desc], ...: same as sort",
	"distinct":        "distinct Col, ... | *: the distinct combinations",
	"join":            "join [kind=K] (Right) on Key | $left.A == $right.B: merges rows of two tables",
	"lookup":          "lookup [kind=leftouter|inner] (Right) on Key: extends with columns of a dimension table",
	"union":           "union [kind=inner|outer] [withsource=Col] T, ...: rows of several tables",
	"mv-expand":       "mv-expand [with_itemindex=I] Col [to typeof(T)], ...: one row per array element",
	"mv-apply":        "mv-apply Col [to typeof(T)] on (Subquery): applies a subquery to each row's array",
	"parse":           "parse [kind=regex|simple|relaxed] Expr with Pattern: extracts columns from a string",
	"parse-where":     "parse-where Expr with Pattern: parse, keeping only rows that match",
	"parse-kv":        "parse-kv Expr as (Col:type, ...) with (pair_delimiter=..., kv_delimiter=...): key/value pairs to columns",
	"make-series":     "make-series Aggregation on Axis [from A] [to B] step S [by Key]: aggregated series",
	"render":          "render Chart [with (Property = Value, ...)]: how to chart the result",
	"as":              "as Name: names the result for later use in the query",
	"serialize":       "serialize [Name = Expr, ...]: marks the rows ordered, for window functions",
	"sample":          "sample N: N random rows",
	"sample-distinct": "sample-distinct N of Col: N distinct values of Col",
	"getschema":       "getschema: the input's schema as a table",
	"search":          "search [in (T, ...)] Predicate: rows matching free text or predicates",
	"evaluate":        "evaluate Plugin(...): runs a plugin (bag_unpack, autocluster, pivot ...)",
	"invoke":          "invoke Function(...): calls a tabular function with the input as its first argument",
	"partition":       "partition by Col (Subquery): runs a subquery per partition",
	"scan":            "scan [declare (...)] with (step ...): sequence matching over ordered rows",
	"facet":           "facet by Col, ...: several small aggregations",
	"fork":            "fork (Subquery) ...: several results from one input",
	"reduce":          "reduce by Expr: groups similar strings into patterns",
	"consume":         "consume: reads the input and returns nothing",
	"make-graph":      "make-graph Src --> Dst with Nodes on Key: builds a graph",
	"graph-match":     "graph-match Pattern where Pred project Cols: matches graph patterns",
	"filter":          "filter Predicate: same as where",
}

// sourceOperators start a query.
var sourceOperators = map[string]string{
	"print":        "print [Name =] Expr, ...: one row of computed values",
	"range":        "range Col from A to B step S: a table of a series of values",
	"datatable":    "datatable (Col:type, ...) [values]: an inline table",
	"union":        "union T, ...: rows of several tables",
	"search":       "search [in (T, ...)] Predicate: rows of any table matching",
	"find":         "find [in (T, ...)] where Predicate: rows of any table matching",
	"externaldata": "externaldata (Col:type, ...) [URI]: reads a table from storage",
	"let":          "let Name = Expr;: binds a name for the rest of the query",
	"evaluate":     "evaluate Plugin(...): runs a plugin",
}

// Complete suggests what may be typed at cursor (a byte offset into src,
// the cell being edited): table names at the start of a statement,
// operators after '|', and inside an operator the columns of the table
// flowing into it, functions and let names. start and end delimit the
// partial word the items would replace. src may be incomplete.
func Complete(src string, cursor int, cat Catalog) (items []Completion, start, end int) {
	if cat == nil {
		cat = MapCatalog{}
	}
	cursor = max(0, min(cursor, len(src)))
	start, end = wordAround(src, cursor, true)
	prefix := src[start:cursor]
	toks := scanTokens(src[:start])
	ctxKind := completionContext(toks)
	if ctxKind != ctxOperator && strings.Contains(prefix, "-") {
		// '-' only belongs to operator names: elsewhere it is a minus
		start, end = wordAround(src, cursor, false)
		prefix = src[start:cursor]
	}
	lets, tab := scopeBefore(src, start, toks, cat)
	add := func(c Completion) {
		if strings.HasPrefix(strings.ToLower(c.Label), strings.ToLower(prefix)) {
			items = append(items, c)
		}
	}
	switch ctxKind {
	case ctxNone:
		return nil, start, end
	case ctxOperator:
		for name, doc := range operatorDocs {
			if doc != "" {
				add(Completion{Label: name, Kind: KindOperator, Detail: doc})
			}
		}
	case ctxTable:
		for _, s := range lets {
			if s.kind == symTable || s.kind == symFunc && s.fnTab != nil {
				add(Completion{Label: s.name, Kind: KindVariable, Detail: symbolDetail(s)})
			}
		}
		for _, name := range cat.Tables() {
			add(Completion{Label: name, Kind: KindTable})
		}
		if isStatementStart(toks) {
			for name, doc := range sourceOperators {
				add(Completion{Label: name, Kind: KindOperator, Detail: doc})
			}
		}
	case ctxScalar:
		if tab != nil {
			for _, c := range tab.cols {
				add(Completion{Label: quoteName(c.Name), Kind: KindColumn, Detail: c.Type.String()})
			}
		}
		for _, s := range lets {
			if s.kind == symScalar || s.kind == symFunc && s.fnTab == nil {
				add(Completion{Label: s.name, Kind: KindVariable, Detail: symbolDetail(s)})
			}
		}
		if inAggregation(toks) {
			for _, name := range functions.AggregateNames() {
				a, _ := functions.LookupAggregate(name)
				add(Completion{Label: name, Kind: KindAggregate, Detail: a.Signature})
			}
			for name, k := range extraAggregates {
				add(Completion{Label: name, Kind: KindAggregate, Detail: k.doc})
			}
		}
		for _, name := range functions.ScalarNames() {
			s, _ := functions.LookupScalar(name)
			add(Completion{Label: name, Kind: KindFunction, Detail: s.Signature})
		}
		for name, k := range extraScalars {
			add(Completion{Label: name, Kind: KindFunction, Detail: k.doc})
		}
	}
	sortCompletions(items, prefix)
	return items, start, end
}

// sortCompletions orders exact-case prefix matches first, then by kind
// (columns before functions), then columns in schema order and the rest by
// name.
func sortCompletions(items []Completion, prefix string) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		ap, bp := strings.HasPrefix(a.Label, prefix), strings.HasPrefix(b.Label, prefix)
		if ap != bp {
			return ap
		}
		if a.Kind != b.Kind {
			return kindRank(a.Kind) < kindRank(b.Kind)
		}
		if a.Kind == KindColumn {
			return false // columns keep the schema's order
		}
		return a.Label < b.Label
	})
}

// kindRank orders kinds for completion: aggregates, offered only where an
// aggregation goes, before scalar functions there (dc: dcount before
// dcount_hll).
func kindRank(k CompletionKind) int {
	switch k {
	case KindAggregate:
		return int(KindFunction)
	case KindFunction:
		return int(KindAggregate)
	}
	return int(k)
}

// quoteName brackets a column name that is not a plain identifier.
func quoteName(name string) string {
	for i, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return "['" + name + "']"
		}
	}
	return name
}

func symbolDetail(s *symbol) string {
	switch s.kind {
	case symScalar:
		return "let " + s.name + ": " + s.typ.String()
	case symTable:
		return "let " + s.name + " " + s.tab.cols.String()
	case symFunc:
		return "let " + s.name + funcParams(s.fn)
	}
	return "let " + s.name
}

func funcParams(fn *ast.FuncLit) string {
	var parts []string
	for _, p := range fn.Params {
		if p == nil || p.Name == nil {
			continue
		}
		s := p.Name.Name
		if p.Type != nil {
			if p.Type.Tabular {
				s += ":(*)"
			} else {
				s += ":" + p.Type.Type.String()
			}
		}
		if p.Default != nil {
			s += " = ..."
		}
		parts = append(parts, s)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// wordAround finds the identifier around cursor; withDash includes '-'
// (operator names such as project-away).
func wordAround(src string, cursor int, withDash bool) (start, end int) {
	isWord := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || withDash && c == '-' || c == '$'
	}
	start = cursor
	for start > 0 && isWord(src[start-1]) {
		start--
	}
	end = cursor
	for end < len(src) && isWord(src[end]) {
		end++
	}
	return start, end
}

type tok struct {
	pos int // byte offset
	tok token.Token
	lit string
}

// scanTokens lexes src (comments and strings handled by the real scanner).
func scanTokens(src string) []tok {
	var s scanner.Scanner
	s.Init(nil, []byte(src), nil)
	var out []tok
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			return out
		}
		if t == token.ILLEGAL {
			continue
		}
		out = append(out, tok{int(pos) - 1, t, lit})
	}
}

type completionCtx int

const (
	ctxScalar completionCtx = iota
	ctxOperator
	ctxTable
	ctxNone
)

// completionContext decides what the next word is from the tokens before it.
func completionContext(toks []tok) completionCtx {
	if len(toks) == 0 {
		return ctxTable
	}
	last := toks[len(toks)-1]
	switch last.tok {
	case token.PIPE:
		return ctxOperator
	case token.SEMICOLON:
		return ctxTable
	case token.STRING, token.LONG, token.REAL, token.TIMESPAN, token.TYPEDLIT:
		return ctxNone
	case token.PERIOD:
		return ctxNone // a dynamic property: unknown
	case token.LPAREN, token.COMMA:
		// (T ... inside join/lookup/union/materialize takes a table
		if w := wordBeforeParen(toks); w == "join" || w == "lookup" || w == "union" || w == "materialize" || w == "toscalar" {
			return ctxTable
		}
	case token.ASSIGN:
		if len(toks) >= 3 && toks[len(toks)-3].lit == "let" {
			return ctxTable
		}
	case token.IDENT:
		if last.lit == "union" || last.lit == "in" && len(toks) >= 2 && toks[len(toks)-2].lit == "search" {
			return ctxTable
		}
		if last.lit == "let" {
			return ctxNone // a new name
		}
	}
	return ctxScalar
}

// wordBeforeParen finds the keyword owning the innermost open '(' (join
// kind=inner ( -> join).
func wordBeforeParen(toks []tok) string {
	depth := 0
	for i := len(toks) - 1; i >= 0; i-- {
		switch toks[i].tok {
		case token.RPAREN:
			depth++
		case token.LPAREN:
			if depth == 0 {
				for j := i - 1; j >= 0 && j >= i-6; j-- {
					switch toks[j].lit {
					case "join", "lookup", "union", "materialize", "toscalar":
						return toks[j].lit
					}
					if toks[j].tok == token.PIPE {
						break
					}
				}
				return ""
			}
			depth--
		}
	}
	return ""
}

func isStatementStart(toks []tok) bool {
	return len(toks) == 0 || toks[len(toks)-1].tok == token.SEMICOLON
}

// inAggregation reports whether the cursor is inside a summarize (or
// make-series, top-nested) operator: aggregates are offered there.
func inAggregation(toks []tok) bool {
	depth := 0
	for i := len(toks) - 1; i >= 0; i-- {
		switch toks[i].tok {
		case token.RPAREN:
			depth++
		case token.LPAREN:
			depth--
		case token.PIPE, token.SEMICOLON:
			if depth <= 0 {
				return false
			}
		case token.IDENT:
			if depth <= 0 {
				switch toks[i].lit {
				case "summarize", "top-nested", "series", "nested":
					return true
				}
			}
		}
	}
	return false
}

// scopeBefore binds the text before the cursor to find the let names in
// scope and the table flowing into the operator being typed: the pipeline
// up to the last '|' at the cursor's nesting level (or an enclosing one).
func scopeBefore(src string, start int, toks []tok, cat Catalog) ([]*symbol, *tabular) {
	// statement boundaries and the open brackets around the cursor
	stmtStart := 0
	var opens []int // token indexes of unmatched ( and {
	for i, t := range toks {
		switch t.tok {
		case token.LPAREN, token.LBRACE:
			opens = append(opens, i)
		case token.RPAREN, token.RBRACE:
			if len(opens) > 0 {
				opens = opens[:len(opens)-1]
			}
		case token.SEMICOLON:
			if len(opens) == 0 {
				stmtStart = t.pos + 1
			}
		}
	}
	// innermost level that has a '|' before the cursor
	pipeEnd, levelStart := -1, stmtStart
	for lvl := len(opens); lvl >= 0 && pipeEnd < 0; lvl-- {
		from := 0
		levelStart = stmtStart
		if lvl > 0 {
			from = opens[lvl-1] + 1
			levelStart = toks[opens[lvl-1]].pos + 1
		}
		depth := 0
		for i := from; i < len(toks); i++ {
			t := toks[i]
			if t.pos < levelStart {
				continue
			}
			switch t.tok {
			case token.LPAREN, token.LBRACE:
				depth++
			case token.RPAREN, token.RBRACE:
				depth--
			case token.PIPE:
				if depth == 0 {
					pipeEnd = t.pos
				}
			case token.SEMICOLON:
				if depth == 0 && lvl > 0 {
					levelStart = t.pos + 1 // a statement inside a function body
					pipeEnd = -1           // a '|' before it was the previous statement's
				}
			}
		}
	}
	// The statements before this one give the let names. (Inside a
	// function body the parameters are not modelled: their pipelines bind
	// as open tables.)
	prelude := src[:stmtStart]
	var pipeText string
	if pipeEnd >= 0 {
		pipeText = stripLetHead(src[levelStart:pipeEnd])
	}
	text := prelude
	if !strings.HasSuffix(strings.TrimSpace(text), ";") && strings.TrimSpace(text) != "" {
		text += ";"
	}
	text += "\n" + pipeText
	script, file, _ := parser.Parse("", []byte(text))
	b := newBinder(file, cat, Options{})
	b.quiet++
	var tab *tabular
	for i, st := range script.Stmts {
		info := b.stmt(st, b.global)
		if i == len(script.Stmts)-1 && pipeText != "" && info.Tabular {
			tab = &tabular{cols: info.Schema, open: info.Open}
		}
	}
	return b.global.all(), tab
}

// stripLetHead removes "let name =" from the start of a pipeline's text.
func stripLetHead(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "let ") {
		return s
	}
	if i := strings.Index(t, "="); i > 0 {
		return t[i+1:]
	}
	return s
}

// Inspect documents what is under cursor: an operator, a function (its
// signature and description), a table (its schema), a let name or a column
// of the table in scope.
func Inspect(src string, cursor int, cat Catalog) (doc string, ok bool) {
	if cat == nil {
		cat = MapCatalog{}
	}
	cursor = max(0, min(cursor, len(src)))
	start, end := wordAround(src, cursor, true)
	word := src[start:end]
	toks := scanTokens(src[:start])
	if word == "" {
		return "", false
	}
	if completionContext(toks) == ctxOperator || isStatementStart(toks) {
		if d, ok := operatorDocs[word]; ok && d != "" && !isStatementStart(toks) {
			return word + " operator\n" + d, true
		}
		if d, ok := sourceOperators[word]; ok && isStatementStart(toks) {
			return word + " operator\n" + d, true
		}
	}
	// without the dash, a word is a name
	start, end = wordAround(src, cursor, false)
	word = src[start:end]
	if word == "" {
		return "", false
	}
	rest := strings.TrimLeft(src[end:], " \t")
	isCall := strings.HasPrefix(rest, "(")
	lets, tab := scopeBefore(src, start, toks, cat)
	for _, s := range lets {
		if s.name == word {
			return symbolDetail(s), true
		}
	}
	if isCall {
		if d, ok := functionDoc(word); ok {
			return d, true
		}
	}
	if s, ok := cat.Table(word); ok {
		return "table " + word + "\n" + schemaDoc(s), true
	}
	if tab != nil {
		if i := tab.cols.Index(word); i >= 0 {
			return "column " + word + ": " + tab.cols[i].Type.String(), true
		}
	}
	if d, ok := functionDoc(word); ok {
		return d, true
	}
	return "", false
}

// functionDoc is the signature and description of a built-in function.
func functionDoc(name string) (string, bool) {
	if a, ok := functions.LookupAggregate(name); ok {
		return fmt.Sprintf("%s (aggregate)\n%s", a.Signature, a.Doc), true
	}
	if s, ok := functions.LookupScalar(name); ok {
		return fmt.Sprintf("%s\n%s", s.Signature, s.Doc), true
	}
	if k, ok := extraAggregates[name]; ok {
		return k.doc + " (aggregate)", true
	}
	if k, ok := extraScalars[name]; ok {
		return k.doc, true
	}
	return "", false
}

// schemaDoc lists a schema one column a line.
func schemaDoc(s types.Schema) string {
	var b strings.Builder
	for _, c := range s {
		fmt.Fprintf(&b, "  %s: %s\n", c.Name, c.Type)
	}
	return strings.TrimRight(b.String(), "\n")
}
