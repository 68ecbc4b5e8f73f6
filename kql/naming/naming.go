// Package naming owns Kusto's rules for naming result columns, which the
// binder (result schemas) and the executor (result tables) must agree on:
// a column reference keeps its name, d.a.b becomes d_a_b and d["k"] d_k,
// conversion and binning functions take the name of their first argument,
// aggregates are prefix_argument (count_, sum_X, set_X for make_set), some
// functions have fixed names, and anything else gets the operator's default
// name (Column1, print_0 ...), made unique with a number suffix.
package naming

import (
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/types"
)

// firstArgNamed are scalar functions whose result is named after their
// first argument (Kusto's ResultNameKind.FirstArgument).
var firstArgNamed = map[string]bool{
	"tostring": true, "toint": true, "tolong": true, "toreal": true, "todouble": true, "tobool": true,
	"toboolean": true, "todatetime": true, "totimespan": true, "totime": true, "todecimal": true,
	"toguid": true, "todynamic": true, "toobject": true, "tohex": true, "bin": true, "bin_at": true,
	"bin_auto": true, "floor": true, "split": true, "parse_json": true, "parsejson": true, "parse_csv": true,
	"parse_xml": true, "format_datetime": true, "format_timespan": true, "format_bytes": true,
	"startofday": true, "round": true, "ceiling": true, "pow": true, "sqrt": true, "log": true, "log2": true,
	"log10": true, "exp": true, "exp2": true, "exp10": true, "cos": true, "sin": true, "tan": true,
	"acos": true, "asin": true, "atan": true, "atan2": true, "abs": true, "rand": true, "gamma": true,
	"loggamma": true, "binary_and": true, "binary_or": true, "binary_xor": true, "binary_not": true,
	"binary_shift_left": true, "binary_shift_right": true, "bitset_count_ones": true, "series_fir": true,
	"series_iir": true, "series_outliers": true, "series_fill_backward": true, "series_fill_forward": true,
	"series_fill_const": true, "series_fill_linear": true, "take_anyif": true,
}

// scalarPrefix are scalar functions named prefix_FirstArgument (strlen_X,
// type_X for gettype ...).
var scalarPrefix = map[string]string{
	"strlen": "strlen", "string_size": "string_size", "dcount_hll": "dcount_hll",
	"percentile_tdigest": "percentile_tdigest", "gettype": "type", "treepath": "tree", "repeat": "repeat",
}

// fixedNamed are functions whose result has a fixed name.
var fixedNamed = map[string]string{
	"hll_merge": "hll_merged_result", "tdigest_merge": "tdigests_merge_result",
	"merge_tdigests": "tdigests_merge_result", "ingestion_time": "$IngestionTime",
}

// aggPrefix is the name prefix of each aggregate (prefix_FirstArgument).
var aggPrefix = map[string]string{
	"count": "count", "countif": "countif", "dcount": "dcount", "dcountif": "dcountif",
	"sum": "sum", "sumif": "sumif", "min": "min", "max": "max", "minif": "minif", "maxif": "maxif",
	"avg": "avg", "avgif": "avgif", "make_list": "list", "make_list_if": "list", "make_list_with_nulls": "list",
	"makelist": "list", "make_set": "set", "make_set_if": "set", "makeset": "set", "make_bag": "bag",
	"make_bag_if": "bag", "make_dictionary": "dictionary", "buildschema": "schema", "stdev": "stdev",
	"stdevif": "stdevif", "stdevp": "stdevp", "variance": "variance", "varianceif": "varianceif",
	"variancep": "variancep", "count_distinct": "count_distinct", "count_distinctif": "count_distinctif",
	"hll": "hll", "hll_if": "hll_if", "hll_merge": "hll_merge", "tdigest": "tdigest", "tdigest_merge": "tdigest_merge",
	"any": "any", "anyif": "anyif", "binary_all_and": "binary_all_and",
	"binary_all_or": "binary_all_or", "binary_all_xor": "binary_all_xor", "percentiles_array": "percentiles",
}

// ExprName is the name an expression gives its column, "" if none.
func ExprName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return ExprName(x.X)
	case *ast.Ident:
		return x.Name
	case *ast.NamedExpr:
		if len(x.Names) == 1 {
			return x.Names[0].Name
		}
		return ""
	case *ast.OrderExpr:
		return ExprName(x.X)
	case *ast.SelectorExpr:
		left := ExprName(x.X)
		if strings.HasPrefix(left, "$") {
			return x.Sel.Name // $left.A names A
		}
		if left == "" {
			return x.Sel.Name
		}
		return left + "_" + x.Sel.Name
	case *ast.IndexExpr:
		lit, ok := x.Index.(*ast.Lit)
		if !ok {
			return ""
		}
		var right string
		switch lit.Value.Type {
		case types.String:
			right = lit.Value.S
		case types.Long, types.Int:
			right = strconv.FormatInt(lit.Value.I, 10)
		default:
			return ""
		}
		left := ExprName(x.X)
		if left == "" {
			return right
		}
		return left + "_" + right
	case *ast.CallExpr:
		name := CallName(x)
		if (name == "percentile" || name == "percentilew") && len(x.Args) >= 2 {
			// percentile(x, 95) is percentile_x_95
			if lit, ok := x.Args[len(x.Args)-1].(*ast.Lit); ok {
				return "percentile_" + ExprName(x.Args[0]) + "_" + Fragment(lit.Value)
			}
		}
		if p, ok := aggPrefix[name]; ok {
			arg := ""
			if len(x.Args) > 0 {
				arg = ExprName(x.Args[0])
			}
			return p + "_" + arg
		}
		if p, ok := scalarPrefix[name]; ok && len(x.Args) > 0 {
			return p + "_" + ExprName(x.Args[0])
		}
		if n, ok := fixedNamed[name]; ok {
			return n
		}
		if firstArgNamed[name] && len(x.Args) > 0 {
			return ExprName(x.Args[0])
		}
		if (name == "make_datetime" || name == "make_timespan") && len(x.Args) == 1 {
			return ExprName(x.Args[0])
		}
	}
	return ""
}

// CallName is the function name of a call, "" for calls through selectors.
func CallName(c *ast.CallExpr) string {
	if id, ok := c.Fun.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// Fragment turns a constant into part of a column name (95.5 -> 95_5).
func Fragment(v types.Value) string { return fragmentReplacer.Replace(v.String()) }

var fragmentReplacer = strings.NewReplacer(".", "_", "-", "_", " ", "_")

// Namer hands out names that do not clash with names in use.
type Namer struct {
	Used map[string]bool // names in use; callers mark names they take themselves
	next int
}

// NewNamer returns a Namer that avoids existing.
func NewNamer(existing []string) *Namer {
	n := &Namer{Used: map[string]bool{}, next: 1}
	for _, s := range existing {
		n.Used[s] = true
	}
	return n
}

// Column returns the next free ColumnN name.
func (n *Namer) Column() string {
	for {
		s := "Column" + strconv.Itoa(n.next)
		n.next++
		if !n.Used[s] {
			n.Used[s] = true
			return s
		}
	}
}

// Unique returns name, or name1, name2 ... whichever is not in use, and
// marks it used (Kusto's rule for clashing result columns).
func (n *Namer) Unique(name string) string {
	if !n.Used[name] {
		n.Used[name] = true
		return name
	}
	for i := 1; ; i++ {
		s := name + strconv.Itoa(i)
		if !n.Used[s] {
			n.Used[s] = true
			return s
		}
	}
}
