package exec

// The scan operator: sequence matching over rows in input order, as
// Kusto's "scan operator" documentation specifies it.
//
// The state holds, for each step s_k, the records of s_1..s_k of one
// sequence (a record is an input row and the declared columns as its step
// assigned them) and the sequence's match id. Each row is tried against the
// steps from last to first; at s_k:
//
//   - Check 1: when s_k-1 has an active sequence and the row meets s_k's
//     condition (StepName.Col read from s_k-1's state), s_k's old sequence
//     ends, s_k-1's sequence moves to s_k extended with the row, and the
//     row goes to the output; check 2 is skipped.
//   - Check 2: when s_k has an active sequence, or s_k is the first step,
//     and the row meets the condition (read from s_k's own state), the row
//     replaces s_k's record in that state and goes to the output when the
//     step says output=all. At the first step with no active sequence this
//     starts a new sequence with the next match id; a row that matches the
//     first step while its sequence is active only updates that sequence.
//
// output=last keeps only the last match of a step's series (a series ends
// when its sequence moves on, is replaced, or the input ends); output=none
// keeps none. Output rows come out in input order, a row matching several
// steps once per match, last step first.
//
// Execution: the conjuncts of a condition and the assignments that read
// no state are evaluated once over the whole input, columnar; what reads
// the state runs per row over a one-row frame whose columns are views of
// the input row, the declared columns' defaults and one column per
// StepName.Col reference, each pointing at the record it names.

import (
	"slices"
	"strings"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/table"
	"github.com/huntbook/huntbook/kql/types"
)

// scanPerRowOnly turns off the columnar evaluation of state-free parts,
// for tests that compare it with evaluating everything per row.
var scanPerRowOnly = false

type scanOutput int8

const (
	scanAll scanOutput = iota
	scanLast
	scanNone
)

// scanDecl is a column of the declare clause.
type scanDecl struct {
	name string
	typ  types.Type
	def  *table.Column // one row: the default (null unless given)
}

// scanRef is one StepName.Col reference, read through frame column slot.
type scanRef struct {
	step  int
	col   int           // input column, or -1 for a declared one
	decl  int           // declared column when col < 0
	slot  int           // frame column
	empty *table.Column // its value when the state has no record of step
}

type scanAssign struct {
	decl int
	ce   *cexpr
	pre  *table.Column // all rows' values when the assignment reads no state
}

type scanStepPlan struct {
	name    string
	out     scanOutput
	pass    []bool   // rows meeting the state-free conjuncts; nil means all
	conds   []*cexpr // conjuncts that read the state or declared columns
	assigns []scanAssign
	refs    []int // indexes into scanPlan.refs that conds and assigns read
	perRow  bool  // conds or assigns need the frame
}

type scanPlan struct {
	in      *table.Table
	decls   []scanDecl
	refs    []scanRef
	steps   []*scanStepPlan
	matchID string // with_match_id column, "" when none
	usedIn  []int  // input columns the per-row expressions read
	frameSz int    // input columns + declared + refs
	frameCs types.Schema
}

// scanRec is one step's record in a state: the input row and the declared
// columns as that step's assignments left them (one-row columns).
type scanRec struct {
	row  int
	decl []*table.Column
	// views of the row's input columns that references read, made on
	// first use and shared by the copies of the record in later states
	views []*table.Column
}

type scanState struct {
	active bool
	id     int64
	recs   []scanRec // recs[j] is step j's record, j <= this step
}

type scanEntry struct {
	row  int
	decl []*table.Column
	id   int64
}

func (r *runner) scan(o *ast.ScanOp, in *table.Table) (*table.Table, error) {
	p, err := r.planScan(o, in)
	if err != nil {
		return nil, err
	}
	return p.run(r)
}

// planScan checks the operator against the input schema and compiles its
// conditions and assignments.
func (r *runner) planScan(o *ast.ScanOp, in *table.Table) (*scanPlan, error) {
	p := &scanPlan{in: in}
	inSch := in.Schema()
	for _, prm := range o.Params {
		if len(prm.Names) != 1 || prm.Names[0].Name != "with_match_id" {
			return nil, r.errorf(o.Pos(), "scan: unknown parameter")
		}
		switch v := prm.Value.(type) {
		case *ast.Ident:
			p.matchID = v.Name
		case *ast.Lit:
			if v.Value.Type == types.String && v.Value.S != "" {
				p.matchID = v.Value.S
			}
		}
		if p.matchID == "" {
			return nil, r.errorf(prm.Value.Pos(), "scan: with_match_id needs a column name")
		}
		if inSch.Index(p.matchID) >= 0 {
			return nil, r.errorf(prm.Value.Pos(), "scan: with_match_id column '%s' is already a column of the input", p.matchID)
		}
	}

	declIdx := map[string]int{}
	for _, d := range o.Declare {
		if d == nil || d.Name == nil {
			return nil, r.errorf(o.Pos(), "scan: a declared column has no name")
		}
		name := d.Name.Name
		if d.Type == nil || d.Type.Tabular {
			return nil, r.errorf(d.Name.Pos(), "scan: declared column '%s' needs a scalar type (%s:long)", name, name)
		}
		if _, dup := declIdx[name]; dup {
			return nil, r.errorf(d.Name.Pos(), "scan: column '%s' is declared twice", name)
		}
		if inSch.Index(name) >= 0 {
			return nil, r.errorf(d.Name.Pos(), "scan: declared column '%s' is already a column of the input", name)
		}
		if name == p.matchID {
			return nil, r.errorf(d.Name.Pos(), "scan: declared column '%s' is also the with_match_id column", name)
		}
		t := d.Type.Type
		def := types.NullOf(t)
		if d.Default != nil {
			ce, err := r.compiler(nil).compile(d.Default)
			if err != nil {
				return nil, err
			}
			if !ce.isConst {
				return nil, r.errorf(d.Default.Pos(), "scan: the default of '%s' must be a constant", name)
			}
			if !scanAssignable(ce.typ, t) {
				return nil, r.errorf(d.Default.Pos(), "scan: the default of '%s' is a %s, not a %s", name, ce.typ, t)
			}
			def = ce.val
		}
		declIdx[name] = len(p.decls)
		p.decls = append(p.decls, scanDecl{name: name, typ: t, def: constVec(name, def, t, 1)})
	}

	stepIdx := map[string]int{}
	for k, st := range o.Steps {
		if st == nil || st.Name == nil {
			return nil, r.errorf(o.Pos(), "scan: a step has no name")
		}
		if _, dup := stepIdx[st.Name.Name]; dup {
			return nil, r.errorf(st.Name.Pos(), "scan: step name '%s' is used twice", st.Name.Name)
		}
		stepIdx[st.Name.Name] = k
	}
	if len(o.Steps) == 0 {
		return nil, r.errorf(o.Pos(), "scan needs at least one step")
	}

	// the frame: input columns, declared columns, then one per reference
	p.frameCs = slices.Clone(inSch)
	for _, d := range p.decls {
		p.frameCs = append(p.frameCs, types.Column{Name: d.name, Type: d.typ})
	}
	sp := &scanSubst{r: r, p: p, inSch: inSch, steps: stepIdx, decls: declIdx, refIdx: map[string]int{}}
	usedIn := map[int]bool{}
	allIn := false
	for _, st := range o.Steps {
		sp.used = map[int]bool{}
		plan := &scanStepPlan{name: st.Name.Name}
		switch strings.ToLower(st.Output) {
		case "", "all":
			plan.out = scanAll
		case "last":
			plan.out = scanLast
		case "none":
			plan.out = scanNone
		default:
			return nil, r.errorf(st.Name.Pos(), "scan step '%s': output must be all, last or none, not '%s'", st.Name.Name, st.Output)
		}
		if st.Pred == nil {
			return nil, r.errorf(st.Name.Pos(), "scan step '%s' has no condition", st.Name.Name)
		}
		var free []*cexpr
		for _, cj := range conjuncts(st.Pred) {
			x, stateful, err := sp.expr(cj)
			if err != nil {
				return nil, err
			}
			ce, err := sp.compile(x)
			if err != nil {
				return nil, err
			}
			if ce.typ != types.Bool && ce.typ != types.Null {
				return nil, r.errorf(cj.Pos(), "scan step '%s': the condition must be a bool, not a %s", st.Name.Name, ce.typ)
			}
			if stateful || scanPerRowOnly {
				plan.conds = append(plan.conds, ce)
				allIn = allIn || sp.readsAll(x, usedIn)
			} else {
				free = append(free, ce)
			}
		}
		assigned := map[int]bool{}
		for _, a := range st.Assigns {
			if len(a.Names) != 1 {
				return nil, r.errorf(a.Value.Pos(), "scan step '%s': assign one column at a time (Column = value)", st.Name.Name)
			}
			name := a.Names[0]
			d, ok := declIdx[name.Name]
			if !ok {
				return nil, r.errorf(name.Pos(), "scan step '%s' assigns '%s', which is not a declared column; declare it with scan declare (%s:type)", st.Name.Name, name.Name, name.Name)
			}
			if assigned[d] {
				return nil, r.errorf(name.Pos(), "scan step '%s' assigns '%s' twice", st.Name.Name, name.Name)
			}
			assigned[d] = true
			x, stateful, err := sp.expr(a.Value)
			if err != nil {
				return nil, err
			}
			ce, err := sp.compile(x)
			if err != nil {
				return nil, err
			}
			if !scanAssignable(ce.typ, p.decls[d].typ) {
				return nil, r.errorf(a.Value.Pos(), "scan step '%s': cannot assign a %s to '%s', declared %s", st.Name.Name, ce.typ, name.Name, p.decls[d].typ)
			}
			sa := scanAssign{decl: d, ce: ce}
			stateful = stateful || scanPerRowOnly
			if stateful {
				allIn = allIn || sp.readsAll(x, usedIn)
			} else if sa.pre, err = r.scanWhole(p, ce, p.decls[d]); err != nil {
				return nil, err
			}
			plan.assigns = append(plan.assigns, sa)
			plan.perRow = plan.perRow || stateful
		}
		plan.perRow = plan.perRow || len(plan.conds) > 0
		for i := range sp.used {
			plan.refs = append(plan.refs, i)
		}
		slices.Sort(plan.refs)
		if len(free) > 0 {
			pass, err := r.scanPass(p, free)
			if err != nil {
				return nil, err
			}
			plan.pass = pass
		}
		p.steps = append(p.steps, plan)
	}
	for i := range inSch {
		if allIn || usedIn[i] {
			p.usedIn = append(p.usedIn, i)
		}
	}
	p.frameSz = len(p.frameCs)
	return p, nil
}

// scanAssignable tells whether a value of type from may be stored in a
// declared column of type to.
func scanAssignable(from, to types.Type) bool {
	switch {
	case from == to, from == types.Null, from == types.Dynamic, to == types.Dynamic:
		return true
	case from.IsNumeric() && to.IsNumeric():
		return true
	}
	return false
}

// conjuncts splits a condition at its top-level ands: a row meets it when
// every part is true, so the parts that read no state can be decided for
// all rows at once.
func conjuncts(e ast.Expr) []ast.Expr {
	switch x := e.(type) {
	case *ast.BinaryExpr:
		if x.Word == "and" {
			return append(conjuncts(x.X), conjuncts(x.Y)...)
		}
	case *ast.ParenExpr:
		if b, ok := x.X.(*ast.BinaryExpr); ok && b.Word == "and" {
			return conjuncts(b)
		}
	}
	return []ast.Expr{e}
}

// scanFull is the frame over all input rows, for the expressions that read
// no state: the input's columns and (unread) placeholders for the rest.
func scanFull(p *scanPlan) *table.Table {
	full := &table.Table{Name: p.in.Name, Columns: slices.Clone(p.in.Columns)}
	for _, c := range p.frameCs[len(p.in.Columns):] {
		full.Columns = append(full.Columns, newVec(c.Name, c.Type, 0))
	}
	return full
}

// scanPass evaluates the state-free conjuncts of a condition over all rows.
func (r *runner) scanPass(p *scanPlan, free []*cexpr) ([]bool, error) {
	n := p.in.Rows()
	pass := make([]bool, n)
	full := scanFull(p)
	err := r.forChunks(n, false, func(_, lo, hi int) error {
		for j := lo; j < hi; j++ {
			pass[j] = true
		}
		for _, ce := range free {
			col, err := ce.vec(full, lo, hi)
			if err != nil {
				return err
			}
			for j := range hi - lo {
				if pass[lo+j] && !isTrue(col, j) {
					pass[lo+j] = false
				}
			}
		}
		return nil
	})
	return pass, err
}

// scanWhole evaluates a state-free assignment over all rows, as the
// declared column's type.
func (r *runner) scanWhole(p *scanPlan, ce *cexpr, d scanDecl) (*table.Column, error) {
	n := p.in.Rows()
	col, err := ce.vec(scanFull(p), 0, n)
	if err != nil {
		return nil, err
	}
	return asType(col, d.typ), nil
}

// asType converts a column to type t where it is another.
func asType(col *table.Column, t types.Type) *table.Column {
	if col.Type == t {
		return col
	}
	n := col.Len()
	out := newVec(col.Name, t, n)
	for i := range n {
		setVal(out, i, col.Value(i))
	}
	return out
}

func isTrue(c *table.Column, i int) bool {
	return c.Type == types.Bool && !c.IsNull(i) && c.Ints[i] != 0
}

// scanSubst rewrites StepName.Col references into frame column names and
// tells which expressions read the state.
type scanSubst struct {
	r      *runner
	p      *scanPlan
	inSch  types.Schema
	steps  map[string]int
	decls  map[string]int
	refIdx map[string]int
	used   map[int]bool // references read by the current step
}

// refName names a reference's frame column; the NUL keeps it apart from
// any name a query can write.
func refName(step, col string) string { return "\x00" + step + "." + col }

func (s *scanSubst) compile(x ast.Expr) (*cexpr, error) {
	ce, err := s.r.compiler(s.p.frameCs).compile(x)
	if err != nil {
		return nil, err
	}
	if ce.serial {
		return nil, s.r.unsupported(x.Pos(), "window functions (prev, next, row_number, row_cumsum ...) inside scan steps")
	}
	return ce, nil
}

// expr returns e with its step references replaced, and whether it reads
// the state (a reference or a declared column of the current row).
func (s *scanSubst) expr(e ast.Expr) (ast.Expr, bool, error) {
	x, err := s.subst(e)
	if err != nil {
		return nil, false, err
	}
	stateful := false
	ast.Inspect(x, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			if _, ok := s.decls[id.Name]; ok {
				stateful = true
			} else if strings.HasPrefix(id.Name, "\x00") {
				stateful = true
			}
		}
		return !stateful
	})
	return x, stateful, nil
}

// readsAll notes the input columns a per-row expression names in used and
// reports whether it may read columns it does not name (pack_all, user
// functions), which then all go into the frame.
func (s *scanSubst) readsAll(x ast.Expr, used map[int]bool) bool {
	all := false
	ast.Inspect(x, func(n ast.Node) bool {
		switch v := n.(type) {
		case *ast.Ident:
			if i := s.inSch.Index(v.Name); i >= 0 {
				used[i] = true
			}
		case *ast.CallExpr:
			if id, ok := v.Fun.(*ast.Ident); ok {
				switch strings.ToLower(id.Name) {
				case "pack_all", "bag_pack_columns", "column_ifexists":
					all = true
				}
				if b := s.r.sc().lookup(id.Name); b != nil && b.kind == bFunc {
					all = true
				}
			} else {
				all = true
			}
		case *ast.Pipe, *ast.OpExpr, *ast.StarExpr:
			all = true
		}
		return true
	})
	return all
}

func (s *scanSubst) subst(e ast.Expr) (ast.Expr, error) {
	var err error
	list := func(xs []ast.Expr) []ast.Expr {
		var out []ast.Expr
		for i, x := range xs {
			y, e2 := s.subst(x)
			if e2 != nil && err == nil {
				err = e2
			}
			if y != x && out == nil {
				out = slices.Clone(xs)
			}
			if out != nil {
				out[i] = y
			}
		}
		if out == nil {
			return xs
		}
		return out
	}
	one := func(x ast.Expr) ast.Expr {
		if x == nil {
			return nil
		}
		y, e2 := s.subst(x)
		if e2 != nil && err == nil {
			err = e2
		}
		return y
	}
	switch x := e.(type) {
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok {
			if ref, ok, e2 := s.stepRef(id, x.Sel); ok || e2 != nil {
				return ref, e2
			}
		}
		if y := one(x.X); y != x.X {
			return &ast.SelectorExpr{X: y, Sel: x.Sel}, err
		}
	case *ast.ParenExpr:
		if y := one(x.X); y != x.X {
			return &ast.ParenExpr{Lparen: x.Lparen, X: y, Rparen: x.Rparen}, err
		}
	case *ast.UnaryExpr:
		if y := one(x.X); y != x.X {
			return &ast.UnaryExpr{OpPos: x.OpPos, Op: x.Op, X: y}, err
		}
	case *ast.BinaryExpr:
		a, b := one(x.X), one(x.Y)
		if a != x.X || b != x.Y {
			c := *x
			c.X, c.Y = a, b
			return &c, err
		}
	case *ast.InExpr:
		a, l := one(x.X), list(x.List)
		if a != x.X || !sameExprs(l, x.List) {
			c := *x
			c.X, c.List = a, l
			return &c, err
		}
	case *ast.BetweenExpr:
		a, lo, hi := one(x.X), one(x.Lo), one(x.Hi)
		if a != x.X || lo != x.Lo || hi != x.Hi {
			c := *x
			c.X, c.Lo, c.Hi = a, lo, hi
			return &c, err
		}
	case *ast.CallExpr:
		if l := list(x.Args); !sameExprs(l, x.Args) {
			c := *x
			c.Args = l
			return &c, err
		}
	case *ast.IndexExpr:
		a, i := one(x.X), one(x.Index)
		if a != x.X || i != x.Index {
			c := *x
			c.X, c.Index = a, i
			return &c, err
		}
	case *ast.NamedExpr:
		if y := one(x.Value); y != x.Value {
			return &ast.NamedExpr{Names: x.Names, Value: y}, err
		}
	case *ast.ListExpr:
		if l := list(x.Elems); !sameExprs(l, x.Elems) {
			c := *x
			c.Elems = l
			return &c, err
		}
	}
	// tabular subqueries and lambdas keep their own names
	return e, err
}

func sameExprs(a, b []ast.Expr) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// stepRef resolves Step.Col to its frame column. ok is false when id is
// not a step (a dynamic column or variable with a property); an error when
// id names nothing or the step has no such column.
func (s *scanSubst) stepRef(id, sel *ast.Ident) (ast.Expr, bool, error) {
	k, isStep := s.steps[id.Name]
	if !isStep {
		if s.inSch.Index(id.Name) >= 0 || hasKey(s.decls, id.Name) || s.r.sc().lookup(id.Name) != nil {
			return nil, false, nil
		}
		return nil, false, s.r.errorf(id.Pos(), "scan: unknown step or column '%s' (steps: %s)", id.Name, strings.Join(s.stepNames(), ", "))
	}
	col, decl := s.inSch.Index(sel.Name), -1
	t := types.Null
	if col >= 0 {
		t = s.inSch[col].Type
	} else if d, ok := s.decls[sel.Name]; ok {
		decl, t = d, s.p.decls[d].typ
	} else {
		return nil, false, s.r.errorf(sel.Pos(), "scan: step '%s' has no column '%s'; a step's state holds the input's columns and the declared ones", id.Name, sel.Name)
	}
	name := refName(id.Name, sel.Name)
	i, ok := s.refIdx[name]
	if !ok {
		i = len(s.p.refs)
		ref := scanRef{step: k, col: col, decl: decl, slot: len(s.p.frameCs)}
		if col >= 0 {
			ref.empty = constVec(sel.Name, types.NullOf(t), t, 1)
		} else {
			ref.empty = s.p.decls[decl].def
		}
		s.p.refs = append(s.p.refs, ref)
		s.p.frameCs = append(s.p.frameCs, types.Column{Name: name, Type: t})
		s.refIdx[name] = i
	}
	s.used[i] = true
	return &ast.Ident{NamePos: id.NamePos, Name: name, EndPos: sel.End()}, true, nil
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func (s *scanSubst) stepNames() []string {
	names := make([]string, len(s.steps))
	for n, k := range s.steps {
		names[k] = n
	}
	return names
}

// run goes over the input rows in order, as the matching logic says.
func (p *scanPlan) run(r *runner) (*table.Table, error) {
	in := p.in
	n := in.Rows()
	ns := len(p.steps)
	state := make([]scanState, ns)
	pending := make([]scanEntry, ns) // output=last: the series' last match
	hasPending := make([]bool, ns)
	var out []scanEntry
	var nextID int64
	anyLast := false
	for _, st := range p.steps {
		anyLast = anyLast || st.out == scanLast
	}

	frame := &table.Table{Name: in.Name, Columns: make([]*table.Column, p.frameSz)}
	for i, c := range in.Columns {
		frame.Columns[i] = constVec(c.Name, types.NullOf(c.Type), c.Type, 1)
	}
	for d, dc := range p.decls {
		frame.Columns[len(in.Columns)+d] = dc.def
	}
	for _, ref := range p.refs {
		frame.Columns[ref.slot] = ref.empty
	}
	frameRow := -1
	// setFrame points the frame at row i and at the records of st.
	setFrame := func(i int, plan *scanStepPlan, st *scanState) {
		if frameRow != i {
			for _, c := range p.usedIn {
				frame.Columns[c] = sliceCol(in.Columns[c], i, i+1)
			}
			frameRow = i
		}
		for _, ri := range plan.refs {
			ref := &p.refs[ri]
			if ref.step >= len(st.recs) || !st.active {
				frame.Columns[ref.slot] = ref.empty
				continue
			}
			rec := st.recs[ref.step]
			if ref.col >= 0 {
				v := rec.views[ri]
				if v == nil {
					v = sliceCol(in.Columns[ref.col], rec.row, rec.row+1)
					rec.views[ri] = v
				}
				frame.Columns[ref.slot] = v
			} else {
				frame.Columns[ref.slot] = rec.decl[ref.decl]
			}
		}
	}
	// match evaluates plan's state-reading conjuncts on the frame.
	match := func(plan *scanStepPlan) (bool, error) {
		for _, ce := range plan.conds {
			col, err := ce.vec(frame, 0, 1)
			if err != nil {
				return false, err
			}
			if !isTrue(col, 0) {
				return false, nil
			}
		}
		return true, nil
	}
	// extend computes row i's declared columns after plan's assignments.
	extend := func(i int, plan *scanStepPlan) (scanRec, error) {
		rec := scanRec{row: i}
		if len(p.refs) > 0 {
			rec.views = make([]*table.Column, len(p.refs))
		}
		if len(p.decls) == 0 {
			return rec, nil
		}
		rec.decl = make([]*table.Column, len(p.decls))
		for d := range p.decls {
			rec.decl[d] = p.decls[d].def
		}
		for _, a := range plan.assigns {
			if a.pre != nil {
				rec.decl[a.decl] = sliceCol(a.pre, i, i+1)
				continue
			}
			col, err := a.ce.vec(frame, 0, 1)
			if err != nil {
				return rec, err
			}
			rec.decl[a.decl] = asType(col, p.decls[a.decl].typ)
		}
		return rec, nil
	}
	flush := func(k int) {
		if hasPending[k] {
			out = append(out, pending[k])
			hasPending[k] = false
		}
	}
	emit := func(k int, rec scanRec, id int64) {
		switch p.steps[k].out {
		case scanAll:
			out = append(out, scanEntry{row: rec.row, decl: rec.decl, id: id})
		case scanLast:
			pending[k], hasPending[k] = scanEntry{row: rec.row, decl: rec.decl, id: id}, true
		}
	}

	for i := 0; i < n; i++ {
		if i&4095 == 0 {
			if err := r.ctx.Err(); err != nil {
				return nil, err
			}
		}
		for k := ns - 1; k >= 0; k-- {
			plan := p.steps[k]
			if plan.pass != nil && !plan.pass[i] {
				continue // neither check can match
			}
			// Check 1: the previous step's sequence advances to this one.
			if k > 0 && state[k-1].active {
				prev := &state[k-1]
				if plan.perRow {
					setFrame(i, plan, prev)
				}
				ok, err := match(plan)
				if err != nil {
					return nil, err
				}
				if ok {
					rec, err := extend(i, plan)
					if err != nil {
						return nil, err
					}
					flush(k) // this step's old series ends
					s := &state[k]
					s.recs = append(append(s.recs[:0], prev.recs...), rec)
					s.id, s.active = prev.id, true
					prev.active, prev.recs = false, prev.recs[:0]
					flush(k - 1)
					emit(k, rec, s.id)
					continue
				}
			}
			// Check 2: this step's own sequence (or a new one at the first).
			s := &state[k]
			if !s.active && k > 0 {
				continue
			}
			if plan.perRow {
				setFrame(i, plan, s)
			}
			ok, err := match(plan)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			rec, err := extend(i, plan)
			if err != nil {
				return nil, err
			}
			if !s.active {
				s.active, s.id = true, nextID
				nextID++
				s.recs = append(s.recs[:0], rec)
			} else {
				s.recs[k] = rec
			}
			emit(k, rec, s.id)
		}
	}
	for k := range pending {
		flush(k)
	}
	if anyLast {
		slices.SortStableFunc(out, func(a, b scanEntry) int { return a.row - b.row })
	}
	return p.output(out), nil
}

// output builds the result: the input's columns of the matched rows, the
// declared columns, then the match id.
func (p *scanPlan) output(out []scanEntry) *table.Table {
	rows := make([]int, len(out))
	for j, e := range out {
		rows[j] = e.row
	}
	t := gatherTable(p.in, rows)
	for d, dc := range p.decls {
		col := newVec(dc.name, dc.typ, len(out))
		for j, e := range out {
			setVal(col, j, e.decl[d].Value(0))
		}
		t.Columns = append(t.Columns, col)
	}
	if p.matchID != "" {
		col := newVec(p.matchID, types.Long, len(out))
		for j, e := range out {
			col.Ints[j] = e.id
		}
		t.Columns = append(t.Columns, col)
	}
	return t
}
