package ast

// Inspect walks the tree rooted at n depth-first, calling f for each node
// it reaches; when f returns false, the node's children are skipped. It
// visits expressions inside operators and statements, which is what the
// binder, completion and "which tables does this query read" need.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	ex := func(xs ...Expr) {
		for _, x := range xs {
			if x != nil {
				Inspect(x, f)
			}
		}
	}
	named := func(xs []*NamedExpr) {
		for _, x := range xs {
			if x != nil {
				Inspect(x, f)
			}
		}
	}
	switch n := n.(type) {
	case *Script:
		for _, s := range n.Stmts {
			Inspect(s, f)
		}
	case *LetStmt:
		ex(n.Name, n.Value)
	case *SetStmt:
		ex(n.Name, n.Value)
	case *DeclareStmt:
		for _, p := range n.Params {
			Inspect(p, f)
		}
	case *AliasStmt:
		ex(n.Name, n.Value)
	case *ExprStmt:
		ex(n.X)
	case *ParenExpr:
		ex(n.X)
	case *UnaryExpr:
		ex(n.X)
	case *BinaryExpr:
		ex(n.X, n.Y)
	case *InExpr:
		ex(n.X)
		ex(n.List...)
	case *BetweenExpr:
		ex(n.X, n.Lo, n.Hi)
	case *CallExpr:
		ex(n.Fun)
		ex(n.Args...)
	case *SelectorExpr:
		ex(n.X)
	case *IndexExpr:
		ex(n.X, n.Index)
	case *NamedExpr:
		for _, id := range n.Names {
			Inspect(id, f)
		}
		ex(n.Value)
	case *OrderExpr:
		ex(n.X)
	case *ListExpr:
		ex(n.Elems...)
	case *FuncLit:
		for _, p := range n.Params {
			Inspect(p, f)
		}
		Inspect(n.Body, f)
	case *ViewLit:
		Inspect(n.Func, f)
	case *Param:
		if n.Default != nil {
			Inspect(n.Default, f)
		}
	case *Block:
		for _, s := range n.Stmts {
			Inspect(s, f)
		}
	case *Pipe:
		ex(n.Source)
		for _, op := range n.Ops {
			Inspect(op, f)
		}
	case *OpExpr:
		Inspect(n.Op, f)
	case *PatternStmt:
		ex(n.Name)
		for _, p := range n.Params {
			Inspect(p, f)
		}
		for _, c := range n.Body {
			ex(c.Args...)
			ex(c.Path, c.Value)
		}
	case *TypedExpr:
		ex(n.Name)
	case *TopHittersOp:
		ex(n.N, n.Of, n.By)
	case *GraphPattern:
		ex(n.Elems...)
	case *GraphNode:
		if n.Name != nil {
			Inspect(n.Name, f)
		}
	case *GraphEdge:
		if n.Name != nil {
			Inspect(n.Name, f)
		}
		ex(n.Min, n.Max)
	case *AsOp:
		named(n.Params)
		Inspect(n.Alias, f)
	case *ConsumeOp:
		named(n.Params)
	case *WhereOp:
		ex(n.Pred)
	case *ProjectOp:
		ex(n.Items...)
	case *SummarizeOp:
		named(n.Hints)
		ex(n.Aggs...)
		ex(n.By...)
	case *TakeOp:
		ex(n.N)
	case *TopOp:
		ex(n.N)
		for _, o := range n.By {
			Inspect(o, f)
		}
	case *TopNestedOp:
		for _, c := range n.Clauses {
			ex(c.N, c.Of, c.Others)
			if c.By != nil {
				Inspect(c.By, f)
			}
		}
	case *SortOp:
		for _, o := range n.By {
			Inspect(o, f)
		}
	case *DistinctOp:
		ex(n.Cols...)
	case *JoinOp:
		named(n.Hints)
		ex(n.Right)
		ex(n.On...)
		ex(n.Where)
	case *LookupOp:
		ex(n.Right)
		ex(n.On...)
	case *UnionOp:
		named(n.Params)
		ex(n.Tables...)
	case *MvExpandOp:
		for _, it := range n.Items {
			ex(it.X)
		}
		ex(n.Limit)
	case *MvApplyOp:
		for _, it := range n.Items {
			ex(it.X)
		}
		ex(n.Limit, n.On)
	case *ParseOp:
		ex(n.Source)
	case *ParseKvOp:
		ex(n.Source)
	case *MakeSeriesOp:
		for _, a := range n.Aggs {
			ex(a.Agg, a.Default)
		}
		ex(n.On, n.From, n.To, n.Step)
		if n.InRange != nil {
			Inspect(n.InRange, f)
		}
		ex(n.By...)
	case *RenderOp:
		named(n.With)
	case *SerializeOp:
		ex(n.Items...)
	case *SampleOp:
		ex(n.N)
	case *SampleDistinctOp:
		ex(n.N, n.Of)
	case *SearchOp:
		ex(n.Tables...)
		ex(n.Pred)
	case *FindOp:
		ex(n.Tables...)
		ex(n.Pred)
		ex(n.Project...)
	case *EvaluateOp:
		if n.Call != nil {
			Inspect(n.Call, f)
		}
	case *InvokeOp:
		if n.Call != nil {
			Inspect(n.Call, f)
		}
	case *ExternalDataOp:
		ex(n.URIs...)
	case *DataTableOp:
		ex(n.Values...)
	case *PrintOp:
		ex(n.Items...)
	case *RangeOp:
		ex(n.From, n.To, n.Step)
	case *PartitionOp:
		ex(n.By, n.Query)
	case *ScanOp:
		for _, s := range n.Steps {
			ex(s.Pred)
			named(s.Assigns)
		}
	case *ForkOp:
		ex(n.Branches...)
	case *FacetOp:
		ex(n.By...)
		ex(n.With)
	case *ReduceOp:
		ex(n.By)
	case *MakeGraphOp:
		ex(n.Src, n.Dst)
		ex(n.Nodes...)
		if len(n.Keys) == 0 {
			ex(n.On)
		}
		ex(n.Keys...)
	case *GraphMatchOp:
		named(n.Params)
		ex(n.Pattern...)
		ex(n.Where)
		ex(n.Project...)
	}
}
