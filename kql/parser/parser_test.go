package parser

import (
	"math"
	"testing"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// TestStructure checks the tree shape of representative constructs.
func TestStructure(t *testing.T) {
	tests := []struct{ src, want string }{
		// precedence: or < and < comparison < additive < multiplicative < unary
		{`T | where a == 1 or b < 2 and c has "x"`, `(pipe T (where (or (== a 1) (and (< b 2) (has c "x")))))`},
		{`T | where a + b * c - -d > 1`, `(pipe T (where (> (- (+ a (* b c)) (- d)) 1)))`},
		{`T | where x in ("a", "b") and y !in~ (T2 | project z) and s !has "q" and k between (1 .. 10)`,
			`(pipe T (where (and (and (and (in x ["a" "b"]) (!in~ y [(pipe T2 (project z))])) (!has s "q")) (between k 1 10))))`},
		{`T | where s matches regex "a.*" and s !startswith_cs "b" | where x =~ "A" or y !~ "b"`,
			`(pipe T (where (and (matches regex s "a.*") (!startswith_cs s "b"))) (where (or (=~ x "A") (!~ y "b"))))`},
		{`T | where x !between (1 .. 5) and y in~ ("a") and z has_all ("a", "b") and w !contains_cs "q"`,
			`(pipe T (where (and (and (and (!between x 1 5) (in~ y ["a"])) (has_all z ["a" "b"])) (!contains_cs w "q"))))`},
		{`T | where x % 2 == 0 and not(y)`, `(pipe T (where (and (== (% x 2) 0) (call not y))))`},
		// contextual keywords as names
		{`T | summarize count(), dc = dcount(x) by bin(TimeGenerated, 1h), type, kind`,
			`(pipe T (summarize (call count) (= dc (call dcount x)) by (call bin TimeGenerated timespan(01:00:00)) type kind))`},
		{`T | project count, on, by = 1, kind`, `(pipe T (project count on (= by 1) kind))`},
		{`T | project-away Prop*, x | project-rename a = b | project-reorder c asc, d*`,
			`(pipe T (project-away Prop* x) (project-rename (= a b)) (project-reorder c asc d*))`},
		{`T | join kind=leftouter hint.strategy=broadcast (T2 | where x > 1) on $left.A == $right.B, C`,
			`(pipe T (join kind=leftouter (paren (pipe T2 (where (> x 1)))) on (== (. $left A) (. $right B)) C))`},
		{`T | join T2 on X | lookup kind=inner T3 on Y`, `(pipe T (join kind= T2 on X) (lookup kind=inner T3 on Y))`},
		{`union withsource=SourceTable isfuzzy=true Device*, (T | take 1), database("x").T`,
			`(union withsource=SourceTable (= isfuzzy bool(true)) Device* (paren (pipe T (take 1))) (. (call database "x") T))`},
		{`T | mv-expand with_itemindex=i bagexpansion=array x = d.a to typeof(string), y limit 10`,
			`(pipe T (mv-expand x(. d a) to string y limit 10))`},
		{`T | parse kind=regex flags=Ui Msg with * "user=" User:string " id=" Id:long`,
			`(pipe T (parse Msg (= kind regex) (= flags Ui) * "user=" User:string " id=" Id:long))`},
		{`T | extend a = d.a.b, b = d["k"], c = d[0], e = d.['k w'], f = parse_json(x).[0].y, g = ['my col']`,
			`(pipe T (extend (= a (. (. d a) b)) (= b (index d "k")) (= c (index d 0)) (= e (. d [k w])) (= f (. (index (call parse_json x) 0) y)) (= g [my col])))`},
		{`cluster("c").database("d").T | take 10`, `(pipe (. (call (. (call cluster "c") database) "d") T) (take 10))`},
		{`table("T") | count`, `(pipe (call table "T") *ast.CountOp)`},
		{`_GetWatchlist('x') | project SearchKey`, `(pipe (call _GetWatchlist "x") (project SearchKey))`},
		{`let f = (T:(*), n:long = 5) { T | take n }; let v = view () { print 1 }; f(T)`,
			`(let f (func (T:(*) n:long=5) {(pipe T (take n))})) (let v (view (func () {(print 1)}))) (call f T)`},
		{`let g = (T:(a:string, b:long)) { T }; g(X)`, `(let g (func (T:(a:string b:long)) {T})) (call g X)`},
		{`let m = materialize(T | where x > 1); m | take 1`, `(let m (call materialize (pipe T (where (> x 1))))) (pipe m (take 1))`},
		{`T | where x in ((T2 | project y)) | extend s = toscalar(T3 | count)`,
			`(pipe T (where (in x [(paren (pipe T2 (project y)))])) (extend (= s (call toscalar (pipe T3 *ast.CountOp)))))`},
		{`range x from 1 to 10 step 1 | render timechart with (title="x", ycolumns=a, b)`,
			`(pipe (range x 1 10 1) (render timechart (= title "x") (= ycolumns (list a b))))`},
		{`datatable(a:string, b:long)["x", 1, "y", -2] | evaluate bag_unpack(d) | invoke f(1)`,
			`(pipe (datatable (a:string b:long) "x" 1 "y" -2) (evaluate (call bag_unpack d)) (invoke (call f 1)))`},
		{`T | top 10 by count_ desc nulls last | sort by a asc, b | order by c`,
			`(pipe T (top 10 by count_ desc nulls-last) (sort by a asc b) (order by c))`},
		{`set query_now = datetime(2024-01-01); declare query_parameters(a:string = "x"); T`,
			`(set query_now datetime(2024-01-01T00:00:00Z)) (declare a:string="x") T`},
		{`alias database db = cluster("c").database("d"); T`, `(alias db (call (. (call cluster "c") database) "d")) T`},
		{`T | summarize (a, b) = arg_max(x, *) by c`, `(pipe T (summarize (= a b (call arg_max x *)) by c))`},
		{`print 1 + 2; print 3`, `(print (+ 1 2)) (print 3)`},
		{`T | where * has "x"`, `(pipe T (where (has * "x")))`},
		{`search in (A, B*) "err" and Level:"x"`, `*ast.SearchOp`},
		{`2022Vulns | take 1`, `(pipe 2022Vulns (take 1))`},
		{"T // comment | where\n| take 1", `(pipe T (take 1))`},
	}
	for _, tc := range tests {
		s, _, err := Parse("", []byte(tc.src))
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.src, err)
			continue
		}
		if got := show(s); got != tc.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tc.src, got, tc.want)
		}
	}
}

// TestOperators checks that every tabular operator parses into its node.
func TestOperators(t *testing.T) {
	tests := []struct{ src, name string }{
		{"T | where x", "where"}, {"T | filter x", "where"}, {"T | project x", "project"},
		{"T | project-keep x*", "project-keep"}, {"T | extend y = 1", "extend"},
		{"T | summarize hint.strategy=shuffle count() by x", "summarize"}, {"T | count", "count"},
		{"T | take 1", "take"}, {"T | limit 1", "limit"}, {"T | top 1 by x", "top"},
		{"T | top-nested 3 of a by count(), top-nested of b with others = 0 by sum(c) desc", "top-nested"},
		{"T | top-nested 3 of a by count(), top-nested 2 of b by count()", "top-nested"},
		{"T | top-hitters 5 of x by y", "top-hitters"}, {"T | sort by x", "sort"}, {"T | order by x", "order"},
		{"T | distinct *", "distinct"}, {"T | join kind=inner (U) on x", "join"}, {"T | lookup U on x", "lookup"},
		{"T | union U", "union"}, {"T | mv-expand x", "mv-expand"}, {"T | mvexpand x", "mv-expand"},
		{"T | mv-apply x to typeof(long) on (top 1 by x | where x > 0)", "mv-apply"},
		{"T | parse-where x with 'a' y", "parse-where"},
		{"T | parse-kv x as (a:string, b:long) with (pair_delimiter=',', kv_delimiter='=')", "parse-kv"},
		{"T | make-series kind=nonempty n = count() default = 0 on t in range(ago(1d), now(), 1h) by x", "make-series"},
		{"T | make-series avg(x) on t from ago(1d) to now() step 1h", "make-series"},
		{"T | render piechart", "render"}, {"T | as hint.materialized=true X", "as"},
		{"T | serialize n = row_number()", "serialize"}, {"T | serialize", "serialize"},
		{"T | sample 10", "sample"}, {"T | sample-distinct 5 of x", "sample-distinct"},
		{"T | getschema", "getschema"}, {"T | search kind=case_sensitive 'x'", "search"},
		{"find withsource=S in (A, B) where x == 1 project a, b:string", "find"},
		{"find where x == 1 project-smart", "find"},
		{"T | evaluate hint.distribution=per_node autocluster()", "evaluate"},
		{"T | evaluate pivot(k): (a:string, b:long)", "evaluate"},
		{"T | invoke f()", "invoke"},
		{"externaldata (a:string) [h@'https://x/y.csv'] with (format='csv', ignoreFirstRecord=true)", "externaldata"},
		{"datatable (a:long) [1, 2, 3]", "datatable"}, {"print x = 1", "print"},
		{"range i from 1 to 3 step 1", "range"},
		{"T | partition hint.strategy=native by x (top 1 by y)", "partition"},
		{"T | partition by x { T | take 1 }", "partition"},
		{"T | scan declare (s:long = 0) with (step a output=last: x > 1 => s = 1; step b: x < 1;)", "scan"},
		{"T | fork (where x > 1 | take 1) (summarize count()) n = (take 2)", "fork"},
		{"T | facet by a, b with (take 3)", "facet"},
		{"T | reduce by x with threshold=0.1, characters='.'", "reduce"},
		{"T | consume decodeblocks=true", "consume"},
		{"E | make-graph src --> dst with N on id", "make-graph"},
		{"G | graph-match (a)-[e*1..3]->(b)<-[f]-(c) where a.x == 1 project a.name, b.name", "graph-match"},
	}
	for _, tc := range tests {
		s, _, err := Parse("", []byte(tc.src))
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.src, err)
			continue
		}
		x := s.Stmts[0].(*ast.ExprStmt).X
		var op ast.Operator
		switch x := x.(type) {
		case *ast.Pipe:
			op = x.Ops[len(x.Ops)-1]
		case *ast.OpExpr:
			op = x.Op
		}
		if op == nil || op.Name() != tc.name {
			t.Errorf("Parse(%q): got %s, want the %s operator", tc.src, show(x), tc.name)
		}
	}
}

// TestLiterals checks the values literals parse to.
func TestLiterals(t *testing.T) {
	day := types.Day
	dt := func(s string) types.Value {
		ticks, ok := ParseDateTime(s)
		if !ok {
			t.Fatalf("bad test datetime %s", s)
		}
		return types.NewDateTime(ticks)
	}
	tests := []struct {
		src  string
		want types.Value
	}{
		{"42", types.NewLong(42)},
		{"-42", types.NewLong(-42)},
		{"0x1F", types.NewLong(31)},
		{"1.5", types.NewReal(1.5)},
		{"1e3", types.NewReal(1000)},
		{"true", types.NewBool(true)},
		{"bool(null)", types.NullOf(types.Bool)},
		{"long(null)", types.NullOf(types.Long)},
		{"null", types.NullOf(types.Null)},
		{"int(-7)", types.NewInt(-7)},
		{"real(nan)", types.NewReal(math.NaN())},
		{"real(-inf)", types.NewReal(math.Inf(-1))},
		{"decimal(1.25)", types.NewDecimal(1.25)},
		{"1d", types.NewTimeSpan(day)},
		{"30m", types.NewTimeSpan(30 * types.Minute)},
		{"2.5h", types.NewTimeSpan(5 * types.Hour / 2)},
		{"10ms", types.NewTimeSpan(10 * types.Millisecond)},
		{"100microseconds", types.NewTimeSpan(100 * types.Microsecond)},
		{"1tick", types.NewTimeSpan(1)},
		{"5min", types.NewTimeSpan(5 * types.Minute)},
		{"-1h", types.NewTimeSpan(-types.Hour)},
		{"time(1.02:03:04)", types.NewTimeSpan(day + 2*types.Hour + 3*types.Minute + 4*types.Second)},
		{"time(2 days)", types.NewTimeSpan(2 * day)},
		{"timespan(15 seconds)", types.NewTimeSpan(15 * types.Second)},
		{"timespan(2)", types.NewTimeSpan(2 * day)},
		{"time(null)", types.NullOf(types.TimeSpan)},
		{"datetime(2024-01-02)", types.NewDateTime(19724 * day)},
		{"datetime(2024-01-02T03:04:05.5Z)", types.NewDateTime(19724*day + 3*types.Hour + 4*types.Minute + 55*types.Second/10)},
		{"datetime(2024-01-02 10:00)", types.NewDateTime(19724*day + 10*types.Hour)},
		{"datetime(Tue, 2 Jan 2024 10:00:00 GMT)", types.NewDateTime(19724*day + 10*types.Hour)},
		{"datetime(Tuesday, 02-Jan-24 10:00:00 GMT)", types.NewDateTime(19724*day + 10*types.Hour)},
		{`datetime("01/02/2024 10:00:00")`, types.NewDateTime(19724*day + 10*types.Hour)},
		{"datetime(null)", types.NullOf(types.DateTime)},
		{"date(2024-01-02)", dt("2024-01-02")},
		{"guid(74BE27DE-1E4E-49D9-B579-FE0B331D3642)", types.NewGUID("74be27de-1e4e-49d9-b579-fe0b331d3642")},
		{"guid(null)", types.NullOf(types.GUID)},
		{`"a\tb\u0041\\"`, types.NewString("a\tbA\\")},
		{`'it\'s'`, types.NewString("it's")},
		{`@"C:\dir\""x"`, types.NewString(`C:\dir\"x`)},
		{`h"secret"`, types.NewString("secret")},
		{`h@'a''b'`, types.NewString("a'b")},
		{"```a\nb```", types.NewString("a\nb")},
		{`"a" 'b' @"c"`, types.NewString("abc")},
		{`"\d+"`, types.NewString(`\d+`)},
	}
	for _, tc := range tests {
		x, err := ParseExpr(tc.src)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", tc.src, err)
			continue
		}
		lit, ok := x.(*ast.Lit)
		if !ok {
			t.Errorf("ParseExpr(%q) = %s, want a literal", tc.src, show(x))
			continue
		}
		got, want := lit.Value, tc.want
		same := got.Type == want.Type && got.Valid == want.Valid && got.I == want.I && got.S == want.S &&
			(got.F == want.F || math.IsNaN(got.F) && math.IsNaN(want.F))
		if !same {
			t.Errorf("ParseExpr(%q) = %s %#v, want %#v", tc.src, show(x), got, want)
		}
		if lit.Raw != tc.src {
			t.Errorf("ParseExpr(%q).Raw = %q", tc.src, lit.Raw)
		}
	}
}

func TestDynamicLiteral(t *testing.T) {
	x, err := ParseExpr(`dynamic({"a": [1, 2.5, "x", null, true], "b": datetime(2024-01-01), 'c': 1d, "d": {"e": -1}})`)
	if err != nil {
		t.Fatal(err)
	}
	lit := x.(*ast.Lit)
	want := `{"a":[1,2.5,"x",null,true],"b":"2024-01-01T00:00:00Z","c":"1.00:00:00","d":{"e":-1}}`
	if got := lit.Value.String(); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	bag := lit.Value.D.(*types.Bag)
	if _, ok := bag.Prop("b").(types.DateTimeValue); !ok {
		t.Errorf("datetime inside dynamic is %T, want types.DateTimeValue", bag.Prop("b"))
	}
	for src, want := range map[string]string{"dynamic(null)": "", "dynamic([])": "[]", "dynamic('s')": `"s"`} {
		x, err := ParseExpr(src)
		if err != nil {
			t.Fatal(err)
		}
		if got := x.(*ast.Lit).Value.String(); got != want {
			t.Errorf("%s = %q, want %q", src, got, want)
		}
	}
}

// TestPositions checks node positions against the source text.
func TestPositions(t *testing.T) {
	src := "let n = 5;\nStormEvents\n| where State has \"TEXAS\" and Damage > n\n| project-away ['a b'], X*\n| take n"
	s, file, err := Parse("f.kql", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	text := func(n ast.Node) string {
		return src[file.Offset(n.Pos()):file.Offset(n.End())]
	}
	let := s.Stmts[0].(*ast.LetStmt)
	pipe := s.Stmts[1].(*ast.ExprStmt).X.(*ast.Pipe)
	where := pipe.Ops[0].(*ast.WhereOp)
	and := where.Pred.(*ast.BinaryExpr)
	away := pipe.Ops[1].(*ast.ProjectOp)
	checks := []struct {
		n    ast.Node
		want string
		pos  string
	}{
		{let, "let n = 5", "f.kql:1:1"},
		{let.Value, "5", "f.kql:1:9"},
		{pipe, "StormEvents\n| where State has \"TEXAS\" and Damage > n\n| project-away ['a b'], X*\n| take n", "f.kql:2:1"},
		{where, "where State has \"TEXAS\" and Damage > n", "f.kql:3:3"},
		{and.X, "State has \"TEXAS\"", "f.kql:3:9"},
		{and.Y, "Damage > n", "f.kql:3:31"},
		{away, "project-away ['a b'], X*", "f.kql:4:3"},
		{away.Items[0], "['a b']", "f.kql:4:16"},
		{away.Items[1], "X*", "f.kql:4:25"},
		{pipe.Ops[2], "take n", "f.kql:5:3"},
	}
	for _, c := range checks {
		if got := text(c.n); got != c.want {
			t.Errorf("%T text = %q, want %q", c.n, got, c.want)
		}
		if got := file.Position(c.n.Pos()).String(); got != c.pos {
			t.Errorf("%T at %s, want %s", c.n, got, c.pos)
		}
	}
	// Every node's span lies inside its parent's.
	var stack []ast.Node
	ast.Inspect(s, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		for len(stack) > 0 && !(stack[len(stack)-1].Pos() <= n.Pos() && n.End() <= stack[len(stack)-1].End()) {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 && n != ast.Node(s) {
			t.Errorf("%T %q is outside its parent", n, text(n))
		}
		stack = append(stack, n)
		return true
	})
}

func TestParseExprTrailing(t *testing.T) {
	if _, err := ParseExpr("a + b c"); err == nil || err.Error() != "1:7: unexpected 'c' after the expression" {
		t.Errorf("err = %v", err)
	}
	x, err := ParseExpr("T | where a > 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := x.(*ast.Pipe); !ok {
		t.Errorf("got %T, want *ast.Pipe", x)
	}
}

func TestDatetimeNow(t *testing.T) {
	x, err := ParseExpr("datetime()")
	if err != nil {
		t.Fatal(err)
	}
	if got := show(x); got != "(call now)" {
		t.Errorf("datetime() = %s, want (call now)", got)
	}
	if x.Pos() != token.Pos(1) || x.End() != token.Pos(11) {
		t.Errorf("datetime() spans %d..%d", x.Pos(), x.End())
	}
}

func TestTopNestedLevels(t *testing.T) {
	x, err := ParseExpr("T | top-nested 3 of a by count(), top-nested 2 of b with others = 0 by sum(c) desc")
	if err != nil {
		t.Fatal(err)
	}
	op := x.(*ast.Pipe).Ops[0].(*ast.TopNestedOp)
	if len(op.Clauses) != 2 {
		t.Fatalf("got %d levels, want 2", len(op.Clauses))
	}
	c := op.Clauses[1]
	if got := show(c.N) + " " + show(c.Of) + " " + show(c.Others) + " " + show(c.By); got != "2 b 0 (call sum c) desc" {
		t.Errorf("second level = %s", got)
	}
}
