package binder

import (
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/types"
)

// testCat is a small catalog: two tables with overlapping columns (for
// join suffixes and union merging) plus the built-in schemas.
var testCat = Layered(MapCatalog{
	"T": {
		{Name: "Timestamp", Type: types.DateTime}, {Name: "User", Type: types.String},
		{Name: "Count", Type: types.Long}, {Name: "Props", Type: types.Dynamic},
		{Name: "Ratio", Type: types.Real}, {Name: "Small", Type: types.Int},
	},
	"U": {
		{Name: "User", Type: types.String}, {Name: "Dept", Type: types.String},
		{Name: "Count", Type: types.String},
	},
}, Builtin())

func bind(t *testing.T, src string) *Result {
	t.Helper()
	script, file, err := parser.Parse("q", []byte(src))
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return Bind(script, file, testCat, Options{})
}

// lastSchema is the schema of the script's last tabular statement.
func lastSchema(t *testing.T, r *Result) (types.Schema, bool) {
	t.Helper()
	for i := len(r.Stmts) - 1; i >= 0; i-- {
		if r.Stmts[i].Tabular {
			return r.Stmts[i].Schema, r.Stmts[i].Open
		}
	}
	t.Fatal("no tabular statement")
	return nil, false
}

func TestSchemaInference(t *testing.T) {
	checkSchemas(t, []schemaCase{
		{"table", "U", "(User:string, Dept:string, Count:string)", false},
		{"where keeps", "U | where Dept == 'x' | take 3 | sort by User", "(User:string, Dept:string, Count:string)", false},
		{"project", "T | project User, n = Count + 1, Ratio * 2", "(User:string, n:long, Column1:real)", false},
		{"project dynamic path names", `T | project Props.a.b, Props["k"], Props[0]`, "(Props_a_b:dynamic, Props_k:dynamic, Props_0:dynamic)", false},
		{"extend replaces in place", "U | extend Count = strlen(Count), x = 1.5", "(User:string, Dept:string, Count:long, x:real)", false},
		{"extend unnamed", "U | extend strlen(User), tostring(Dept), strcat(User, Dept)", "(User:string, Dept:string, Count:string, strlen_User:long, Column1:string)", false},
		{"project-away wildcard", "T | project-away Ti*, Props", "(User:string, Count:long, Ratio:real, Small:int)", false},
		{"project-keep", "T | project-keep User, R*", "(User:string, Ratio:real)", false},
		{"project-rename", "U | project-rename Name = User", "(Name:string, Dept:string, Count:string)", false},
		{"project-reorder", "U | project-reorder Count, D*", "(Count:string, Dept:string, User:string)", false},
		{"summarize names", "T | summarize count(), sum(Count), dcount(User), make_set(User), avg(Ratio) by bin(Timestamp, 1h)",
			"(Timestamp:datetime, count_:long, sum_Count:long, dcount_User:long, set_User:dynamic, avg_Ratio:real)", false},
		{"summarize named and unnamed keys", "T | summarize n = countif(Count > 1) by User, strcat(User, 'x'), d = Props.a",
			"(User:string, Column1:string, d:dynamic, n:long)", false},
		{"summarize int sum stays", "T | summarize sum(Small), max(Timestamp), min(Ratio)", "(sum_Small:long, max_Timestamp:datetime, min_Ratio:real)", false},
		{"summarize expression over aggregates", "T | summarize round(avg(Ratio), 2), c = count() * 2", "(avg_Ratio:real, c:long)", false},
		{"summarize clashing names", "T | summarize count(), count() by User", "(User:string, count_:long, count_1:long)", false},
		{"arg_max star", "U | summarize arg_max(Count, *) by User", "(User:string, Count:string, Dept:string)", false},
		{"arg_max columns", "T | summarize arg_max(Timestamp, Count, Props) by User", "(User:string, Timestamp:datetime, Count:long, Props:dynamic)", false},
		{"arg_max named", "T | summarize (t, c) = arg_min(Timestamp, Count)", "(t:datetime, c:long)", false},
		{"take_any", "U | summarize take_any(Dept), take_any(*) by User", "(User:string, Dept:string, Count:string)", false},
		{"percentiles", "T | summarize percentiles(Ratio, 50, 95.5), percentile(Count, 90)", "(percentile_Ratio_50:real, percentile_Ratio_95_5:real, percentile_Count_90:long)", false},
		// an int's percentiles are longs, a decimal's reals, as the executor makes them
		{"percentiles of int", "T | summarize percentiles(Small, 50), percentiles(todecimal(Ratio), 90)", "(percentile_Small_50:long, percentile_Ratio_90:real)", false},
		{"count operator", "T | count", "(Count:long)", false},
		{"distinct", "T | distinct User, Props.a", "(User:string, Props_a:dynamic)", false},
		{"distinct star", "U | distinct *", "(User:string, Dept:string, Count:string)", false},
		{"top-nested", "T | top-nested 3 of User by sum(Count), top-nested 2 of Small by c = count()", "(User:string, aggregated_User:long, Small:int, c:long)", false},
		{"join suffixes", "T | project User, Count | join kind=inner (U) on User", "(User:string, Count:long, User1:string, Dept:string, Count1:string)", false},
		{"join default kind", "T | project User | join (U | project User, Dept) on $left.User == $right.User", "(User:string, User1:string, Dept:string)", false},
		{"leftsemi join", "U | join kind=leftsemi (T) on User", "(User:string, Dept:string, Count:string)", false},
		{"rightanti join", "U | join kind=rightanti (T | project User) on User", "(User:string)", false},
		{"lookup drops keys", "T | project User, Ratio | lookup (U) on User", "(User:string, Ratio:real, Dept:string, Count:string)", false},
		{"union outer type clash", "union (T | project User, Count), U", "(User:string, Count_long:long, Count_string:string, Dept:string)", false},
		{"union inner withsource", "union kind=inner withsource=Src T, U", "(Src:string, User:string)", false},
		{"union piped", "U | union (T | project User, Small)", "(User:string, Dept:string, Count:string, Small:int)", false},
		{"mv-expand", "T | mv-expand with_itemindex=i Props, x = Props.list to typeof(string) | project Props, x, i",
			"(Props:dynamic, x:string, i:long)", false},
		{"parse", `U | parse Dept with "a" Region " " Num:long *`, "(User:string, Dept:string, Count:string, Region:string, Num:long)", false},
		{"parse-kv", `U | parse-kv Dept as (a:string, b:long) with (pair_delimiter=",")`, "(User:string, Dept:string, Count:string, a:string, b:long)", false},
		{"make-series", "T | make-series n = count() default = 0, avg(Ratio) on Timestamp step 1h by User",
			"(User:string, n:dynamic, avg_Ratio:dynamic, Timestamp:dynamic)", false},
		{"getschema", "T | getschema", "(ColumnName:string, ColumnOrdinal:int, DataType:string, ColumnType:string)", false},
		{"print", "print 1, x = 'a', now()", "(print_0:long, x:string, print_2:datetime)", false},
		{"range", "range i from 1 to 10 step 1", "(i:long)", false},
		{"datatable", `datatable (a:string, b:long) ["x", 1]`, "(a:string, b:long)", false},
		{"let tabular", "let x = T | where Count > 1 | project User; x | extend n = 1", "(User:string, n:long)", false},
		{"let function", "let f = (n:long) { T | where Count > n | project User, Count }; f(3) | project Count", "(Count:long)", false},
		{"let function with tabular param", "let f = (t:(User:string)) { t | project User, ok = true }; f(U)", "(User:string, ok:bool)", false},
		{"invoke", "let f = (t:(*), n:long) { t | take n }; U | invoke f(2)", "(User:string, Dept:string, Count:string)", false},
		{"materialize", "let m = materialize(U | project Dept); m | project Dept", "(Dept:string)", false},
		{"toscalar", "let n = toscalar(T | summarize max(Count)); print x = n", "(x:long)", false},
		{"bag_unpack is open", "T | evaluate bag_unpack(Props)", "(Timestamp:datetime, User:string, Count:long, Ratio:real, Small:int)", true},
		{"unknown plugin open", "T | evaluate autocluster()", "()", true},
		{"watchlist", "_GetWatchlist('vip') | project SearchKey", "(SearchKey:string)", false},
		{"search", "search in (U) 'x' | project $table, User", "($table:string, User:string)", false},
		{"scan", "T | scan declare (s:long) with (step a: Count > 1 => s = Count;)", "(Timestamp:datetime, User:string, Count:long, Props:dynamic, Ratio:real, Small:int, s:long)", false},
		{"scan with_match_id", "T | scan with_match_id=m declare (s:long) with (step a: Count > 1 => s = Count;)", "(Timestamp:datetime, User:string, Count:long, Props:dynamic, Ratio:real, Small:int, s:long, m:long)", false},
		{"datetime arithmetic", "T | project d = now() - Timestamp, t = Timestamp + 1h, r = 1h / 1m, m = 2 * 1h", "(d:timespan, t:datetime, r:real, m:timespan)", false},
		{"numeric promotion", "T | project a = Small + Small, b = Small + Count, c = Count * Ratio", "(a:int, b:long, c:real)", false},
		{"iff and case", "T | project a = iff(Count > 1, 'x', 'y'), b = case(Count > 1, 1.0, 2.0)", "(a:string, b:real)", false},
		{"column_ifexists", "T | project a = column_ifexists('Count', 0), b = column_ifexists('Nope', '')", "(a:long, b:string)", false},
		{"declare query_parameters", "declare query_parameters(n:long = 5); T | where Count > n | project n2 = n", "(n2:long)", false},
		{"hidden time alias", "DeviceProcessEvents | project TimeGenerated", "(TimeGenerated:datetime)", false},
	})
}

func TestDiagnostics(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // "line:col-endline:endcol: message"
	}{
		{"unknown table case", "SignInLogs | take 1",
			[]string{"1:1-1:11: unknown table 'SignInLogs' (did you mean 'SigninLogs'?)"}},
		{"unknown table typo", "DeviceProcesEvents | take 1",
			[]string{"1:1-1:19: unknown table 'DeviceProcesEvents' (did you mean 'DeviceProcessEvents'?)"}},
		{"unknown column", "U | where Usr == 'a'",
			[]string{"1:11-1:14: unknown column 'Usr' (did you mean 'User'?)"}},
		{"unknown column case", "U | project dept",
			[]string{"1:13-1:17: unknown column 'dept' (did you mean 'Dept'?)"}},
		{"column gone after project", "U | project User\n| where Dept == 'x'",
			[]string{"2:9-2:13: unknown column 'Dept'"}},
		{"unknown function", "U | extend x = tolowr(User)",
			[]string{"1:16-1:22: unknown function 'tolowr' (did you mean 'tolower'?)"}},
		{"wrong argument count", "U | extend x = strlen(User, 1)",
			[]string{"1:16-1:31: strlen(): expects 1 argument, got 2"}},
		{"aggregate in extend", "T | extend c = count()",
			[]string{"1:16-1:21: aggregate function 'count' is only allowed in summarize, make-series and top-nested"}},
		{"not an aggregation", "T | summarize Count + 1",
			[]string{"1:15-1:24: summarize: 'Count + 1' is not an aggregation: use an aggregate function such as count() or take_any()"}},
		{"where not bool", "T | where Count",
			[]string{"1:11-1:16: where: the predicate must be bool, got long"}},
		{"arithmetic on string", "U | extend x = User + 1",
			[]string{"1:16-1:24: operator '+' cannot be applied to string and long"}},
		{"and on non-bool", "T | where Count > 1 and User",
			[]string{"1:25-1:29: operand of 'and' must be bool, got string"}},
		{"datetime vs number", "T | where Timestamp > 5",
			[]string{"1:11-1:24: cannot compare datetime and long (convert one side, e.g. with todatetime())"}},
		{"join key missing", "T | join (U) on Dept",
			[]string{"1:17-1:21: join: unknown column 'Dept' on the left side"}},
		{"join right column", "T | join (U) on $left.User == $right.Usr",
			[]string{"1:38-1:41: unknown column 'Usr' in $right (did you mean 'User'?)"}},
		{"join key types", "T | join (U) on Count",
			[]string{"1:17-1:22: join: key types differ: long on the left, string on the right"}},
		{"user function arity", "let f = (a:long, b:long = 1) { a + b }; print f()",
			[]string{"1:47-1:50: f(): expects 1 to 2 arguments, got 0"}},
		{"let name not a table", "let n = 5; n | take 1",
			[]string{"1:12-1:13: 'n' is a scalar, not a table"}},
		{"error inside function body", "let f = () { U | where Nope > 1 }; print 1",
			[]string{"1:24-1:28: unknown column 'Nope'"}},
		{"string property access", "U | extend x = User.name",
			[]string{"1:16-1:25: 'User' is a string, not dynamic: use parse_json(User).name to read a property"}},
		{"unknown join kind", "T | join kind=outer (U) on User",
			[]string{"1:5-1:32: join: unknown kind 'outer' (expected inner, innerunique, leftouter, rightouter, fullouter, leftsemi, leftanti, rightsemi or rightanti)"}},
		{"project-away unknown", "U | project-away Nope",
			[]string{"1:18-1:22: unknown column 'Nope'"}},
		{"library type error", "T | where Timestamp > ago('1d')",
			[]string{"1:23-1:32: ago(): argument 1 must be timespan, got string"}},
		{"aggregate nested in aggregate", "T | summarize sum(count())",
			[]string{"1:19-1:24: aggregate function 'count' cannot be used inside another aggregate"}},
		{"unknown table in join", "T | join (Uu) on User",
			[]string{"1:11-1:13: unknown table 'Uu' (did you mean 'U'?)"}},
		{"unknown let in union", "let a = U; union a, b",
			[]string{"1:21-1:22: unknown table 'b' (did you mean 'a'?)"}},
		{"left outside join", "U | where $left.User == 'a'",
			[]string{"1:11-1:16: $left is only valid in join and lookup conditions"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := bind(t, tc.src)
			var got []string
			for _, d := range r.Diagnostics {
				got = append(got, strings.TrimPrefix(
					itoa(d.Pos.Line)+":"+itoa(d.Pos.Column)+"-"+itoa(d.End.Line)+":"+itoa(d.End.Column)+": "+d.Msg, ""))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("diagnostics\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}

// Valid Kusto the binder must accept without a word.
func TestNoFalsePositives(t *testing.T) {
	for _, src := range []string{
		"SigninLogs | where ResultType == 0 | summarize count() by UserPrincipalName",
		"T | summarize tostring(make_set(User)), iff(countif(Count > 1) > 0, 1, 0) by User",
		"T | summarize count(User) by bin(Timestamp, 1d)",
		"search 'x' | where TimeGenerated > ago(1d) | distinct Type",
		"union isfuzzy=true NoSuchTable, U | project User",
		"T | evaluate bag_unpack(Props) | where anything == 1",
		"T | serialize | extend r = row_number(), p = prev(Count) | where r > 1",
		"let vips = _GetWatchlist('vip') | project SearchKey; U | where User in (vips)",
		"U | where User in (T | project User) | where Dept !in ('a', 'b')",
		"T | mv-apply p = Props on (summarize make_list(p)) | project User, list_p",
		"T | extend a = Props.x, b = Props['y'][0] | where a == 'z'",
		"let t0 = ago(1d); T | where Timestamp between (t0 .. now())",
		"DeviceProcessEvents | invoke FileProfile(SHA1, 1000) | where GlobalPrevalence < 10",
		"T | partition hint.strategy=native by User (top 1 by Count)",
		"datatable(x:long)[1,2] | as tmp | join (tmp) on x",
		"T | project User | union withsource=TableName (U | project Dept)",
		"T | extend s = split(User, '@')[1] | summarize by tostring(s)",
		"T | summarize arg_max(Timestamp, *) by User | project-away Timestamp",
		"let f = (x:string) { strlen(x) }; T | extend n = f(User) | where n > 1",
		"T | where User has_any (dynamic(['a','b'])) and Count between (1 .. 5)",
		"T | project-rename NewName = User | where NewName == ''",
		"T | extend d = todynamic(User) | extend x = d.a | where x == 1",
		"T | order by Timestamp asc nulls first | top 5 by Count desc",
		"T | summarize by User",
		"T | summarize make_list(pack('a', User)), make_bag(bag_pack('k', Count))",
		"T | extend h = hash_sha256(User) | where Timestamp > datetime(2024-01-01)",
		"T | where User matches regex 'a.*' | where User !startswith 'b'",
		"SecurityEvent | where EventID == 4625 | summarize count() by Account",
		"T | lookup kind=leftouter U on User",
		"T | join kind=inner U on User",
		"T | extend n = extract(@'(\\d+)', 1, User, typeof(long)) | where n > 5",
		"externaldata(a:string)['https://x/y.csv'] with (format='csv') | where a == 'x'",
		"T | evaluate pivot(User) | render timechart",
		"T | as hint.materialized=true X | join X on User",
		"T | mv-expand bagexpansion=array Props",
		"T | summarize count() by Props.a | project Props_a",
		"T | extend ['My Col'] = 1 | project ['My Col']",
		"print a = dynamic({'x': 1}) | extend b = a.x",
		"range x from 1 to 5 step 1 | extend y = x * 2",
		"T | make-series count() on Timestamp from ago(7d) to now() step 1d by User | extend s = series_decompose_anomalies(count_)",
		"T | where ingestion_time() > ago(1h)",
		"T | summarize c = count() by User | where c > toscalar(T | summarize avg(Count))",
		"let lookback = 7d; T | where Timestamp > ago(lookback) | extend age = now() - Timestamp | where age < 1d",
		"T | extend s = strcat(User, '-', tostring(Count)) | parse s with a '-' b:long | where b > 1",
		"T | summarize Users = dcount(User), Last = max(Timestamp) by bin(Timestamp, 1d) | sort by Last",
		"T | project Timestamp, User | union (U | project User, Timestamp = now())",
		"union T, U | summarize count() by User",
		"T | where isnotnull(Props.a) | extend k = bag_keys(Props) | mv-expand k to typeof(string) | where k startswith 'a'",
		"T | extend ip = '1.2.3.4' | where ipv4_is_private(ip) | where ipv4_is_in_range(ip, '10.0.0.0/8')",
		"T | summarize (Timestamp, Count) = arg_max(Timestamp, Count) by User",
		"T | summarize countif(Count > 1), sumif(Count, User == 'a'), dcountif(User, Count > 2) by bin(Timestamp, 1h)",
		"T | extend x = case(Count > 10, 'high', Count > 5, 'medium', 'low')",
		"T | where Timestamp between (ago(1d) .. now()) | count",
		"T | summarize percentiles(Count, 5, 50, 95) by User | project percentile_Count_95",
		"T | where User in~ ('A', 'B') or User contains_cs 'x'",
		"T | summarize count() by User | top-nested 3 of User by sum(count_)",
		"T | extend x = format_datetime(Timestamp, 'yyyy') | summarize count() by x",
		"T | summarize count() by format_datetime(Timestamp, 'yyyy') | project Timestamp",
		"T | getschema | project ColumnName",
		"let T2 = view () { T | take 1 }; T2 | project User",
		"T | where not(User has 'x')",
		"T | extend a = Small * 1.5, b = Count / 2, c = -Count, d = Ratio % 2",
		"T | serialize | extend prevUser = prev(User, 1), next = next(Count) | where prevUser != User",
		"T | summarize make_set_if(User, Count > 1), make_list_if(User, Count > 1, 10)",
		"DeviceEvents | extend p = parse_json(AdditionalFields) | extend x = p.Command",
	} {
		t.Run(src, func(t *testing.T) {
			r := bind(t, src)
			for _, d := range r.Diagnostics {
				t.Errorf("%s", d)
			}
		})
	}
}

func TestTypeOfAndSchemaAt(t *testing.T) {
	src := "T | where Count > 1 | project User, n = Count * 2.5 | where n > 3"
	script, file, err := parser.Parse("q", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := Bind(script, file, testCat, Options{})
	// SchemaAt: inside the first where, T's columns; inside the last, project's.
	first, ok := r.SchemaAt(file.Pos(strings.Index(src, "Count > 1")))
	if !ok || first.Index("Props") < 0 {
		t.Errorf("SchemaAt(first where) = %s, %v", first, ok)
	}
	last, ok := r.SchemaAt(file.Pos(strings.LastIndex(src, "n > 3")))
	if !ok || last.String() != "(User:string, n:real)" {
		t.Errorf("SchemaAt(last where) = %s, %v", last, ok)
	}
	if _, ok := r.SchemaAt(file.Pos(0)); ok {
		t.Errorf("SchemaAt(table name) should be outside any operator")
	}
	// TypeOf the project item n = Count * 2.5
	var found bool
	for x, typ := range r.types {
		if x.Pos() == file.Pos(strings.Index(src, "Count * 2.5")) && x.End() == file.Pos(strings.Index(src, " | where n")) {
			found = true
			if typ != types.Real || r.TypeOf(x) != types.Real {
				t.Errorf("TypeOf(Count * 2.5) = %s", typ)
			}
		}
	}
	if !found {
		t.Error("no type recorded for Count * 2.5")
	}
}

func TestOptions(t *testing.T) {
	script, file, _ := parser.Parse("q", []byte("Prev | where v > cutoff | extend r = _ResourceId"))
	r := Bind(script, file, testCat, Options{
		Tables:  map[string]types.Schema{"Prev": {{Name: "v", Type: types.Long}}},
		Scalars: map[string]types.Type{"cutoff": types.Long},
	})
	if len(r.Diagnostics) != 1 || !strings.Contains(r.Diagnostics[0].Msg, "unknown column '_ResourceId'") {
		t.Errorf("session table: hidden columns belong to catalog tables only; got %v", r.Diagnostics)
	}
	script, file, _ = parser.Parse("q", []byte("U | extend r = _ResourceId"))
	if r := Bind(script, file, testCat, Options{}); len(r.Diagnostics) != 0 {
		t.Errorf("hidden column on a catalog table: %v", r.Diagnostics)
	}
	if r := Bind(script, file, testCat, Options{NoHiddenColumns: true}); len(r.Diagnostics) != 1 {
		t.Errorf("NoHiddenColumns: want 1 diagnostic, got %v", r.Diagnostics)
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"SigninLogs", "SecurityEvent", "AuditLogs"}
	for _, tc := range []struct{ name, want string }{
		{"signinlogs", "SigninLogs"}, // case-insensitive first
		{"SecurityEvents", "SecurityEvent"},
		{"AudtLogs", "AuditLogs"},
		{"SecuirtyEvent", "SecurityEvent"}, // a swap costs one
		{"Nothing", ""},
	} {
		if got := closest(tc.name, cands); got != tc.want {
			t.Errorf("closest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// schemaCase is a query and the schema (and openness) its last statement
// binds to, with no diagnostics.
type schemaCase struct {
	name, src, want string
	open            bool
}

func checkSchemas(t *testing.T, tests []schemaCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := bind(t, tc.src)
			for _, d := range r.Diagnostics {
				t.Errorf("unexpected diagnostic: %s", d)
			}
			s, open := lastSchema(t, r)
			if s.String() != tc.want || open != tc.open {
				t.Errorf("schema\n got  %s open=%v\n want %s open=%v", s, open, tc.want, tc.open)
			}
		})
	}
}
