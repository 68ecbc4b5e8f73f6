package exec

import (
	"github.com/huntbook/huntbook/kql/functions"
	"strconv"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/types"
)

// Column naming of unnamed expressions, as Kusto's binder does it: a column
// reference keeps its name, d.a.b becomes d_a_b, d["k"] d_k, conversion and
// binning functions take the name of their first argument, aggregates are
// prefix_argument (count_, sum_X, set_X for make_set), and anything else
// gets the operator's default (Column1, print_0 ...).

// firstArgNamed are scalar functions whose result is named after their
// first argument.
var firstArgNamed = map[string]bool{
	"tostring": true, "toint": true, "tolong": true, "toreal": true, "todouble": true, "tobool": true,
	"toboolean": true, "todatetime": true, "totimespan": true, "totime": true, "todecimal": true,
	"toguid": true, "todynamic": true, "toobject": true, "bin": true, "bin_at": true, "floor": true,
	"split": true, "take_anyif": true, "binary_all_or": true, "binary_all_and": true, "binary_all_xor": true,
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
	"hll": "hll", "hll_if": "hll_if", "hll_merge": "hll_merge", "tdigest": "tdigest", "any": "any",
	"anyif": "anyif", "cnt": "cnt",
}

// resultName is the name an expression gives its column, "" if none.
func resultName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return resultName(x.X)
	case *ast.Ident:
		return x.Name
	case *ast.NamedExpr:
		if len(x.Names) == 1 {
			return x.Names[0].Name
		}
		return ""
	case *ast.OrderExpr:
		return resultName(x.X)
	case *ast.SelectorExpr:
		left := resultName(x.X)
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
		left := resultName(x.X)
		if left == "" {
			return right
		}
		return left + "_" + right
	case *ast.CallExpr:
		name := callName(x)
		if p, ok := aggPrefix[name]; ok {
			arg := ""
			if len(x.Args) > 0 {
				arg = resultName(x.Args[0])
			}
			return p + "_" + arg
		}
		if firstArgNamed[name] && len(x.Args) > 0 {
			return resultName(x.Args[0])
		}
	}
	return ""
}

// nameFragment turns a constant into part of a column name (95.5 -> 95_5).
func nameFragment(v types.Value) string {
	s := functions.ToString(v)
	return strings.NewReplacer(".", "_", "-", "_", " ", "_").Replace(s)
}

// namer hands out default names (Column1, Column2 ...) that do not clash
// with names in use.
type namer struct {
	used map[string]bool
	next int
}

func newNamer(existing []string) *namer {
	n := &namer{used: map[string]bool{}, next: 1}
	for _, s := range existing {
		n.used[s] = true
	}
	return n
}

func (n *namer) column() string {
	for {
		s := "Column" + strconv.Itoa(n.next)
		n.next++
		if !n.used[s] {
			n.used[s] = true
			return s
		}
	}
}
