package ast

import "github.com/huntbook/huntbook/kql/token"

// OpSpan is the extent of an operator: from its keyword to the end of its
// last part. Every operator embeds it.
type OpSpan struct {
	OpPos  token.Pos // the operator keyword
	EndPos token.Pos
}

func (s OpSpan) Pos() token.Pos { return s.OpPos }
func (s OpSpan) End() token.Pos { return s.EndPos }
func (OpSpan) opNode()          {}

// WhereOp is where Pred (also filter).
type WhereOp struct {
	OpSpan
	Pred Expr
}

// ProjectOp is project, extend or project-reorder-free column lists:
// Kind is "project", "extend", "project-rename", "project-keep",
// "project-away", "project-reorder", "project-smart". Items are *NamedExpr,
// *Ident, *WildcardIdent or (for project-reorder) *OrderExpr.
type ProjectOp struct {
	OpSpan
	Kind  string
	Items []Expr
}

// SummarizeOp is summarize [hints] Aggs [by Keys].
type SummarizeOp struct {
	OpSpan
	Hints []*NamedExpr
	Aggs  []Expr // *NamedExpr or bare calls
	By    []Expr // *NamedExpr, *Ident or expressions (bin(TimeGenerated, 1h))
}

// CountOp is count [as Name]? KQL's count operator has no arguments.
type CountOp struct {
	OpSpan
}

// TakeOp is take N / limit N.
type TakeOp struct {
	OpSpan
	Kind string // "take" or "limit"
	N    Expr
}

// TopOp is top N by Expr [asc|desc] [nulls first|last].
type TopOp struct {
	OpSpan
	N  Expr
	By []*OrderExpr
}

// TopNestedOp is top-nested N of Expr by Agg [asc|desc], ...
type TopNestedOp struct {
	OpSpan
	Clauses []*TopNestedClause
}

// TopNestedClause is one level: N of Of [with others = W] by By [asc|desc].
type TopNestedClause struct {
	N      Expr // nil for "top-nested of X by ..."
	Of     Expr
	Others Expr
	By     *OrderExpr
}

// SortOp is sort by ... / order by ...
type SortOp struct {
	OpSpan
	Kind  string // "sort" or "order"
	Hints []*NamedExpr
	By    []*OrderExpr
}

// DistinctOp is distinct a, b / distinct *.
type DistinctOp struct {
	OpSpan
	Hints []*NamedExpr
	Cols  []Expr
}

// JoinOp is join [kind=K] [hints] (Right) on Conds. Conditions are *Ident
// (same-named column) or $left.A == $right.B comparisons, combined with and.
type JoinOp struct {
	OpSpan
	Kind  string // "" means innerunique
	Hints []*NamedExpr
	Right Expr
	On    []Expr
	Where Expr // join ... on ... where (time-window joins); rare
}

// LookupOp is lookup [kind=leftouter|inner] (Right) on Conds.
type LookupOp struct {
	OpSpan
	Kind  string
	Hints []*NamedExpr
	Right Expr
	On    []Expr
}

// UnionOp is union [kind=inner|outer] [withsource=Col] [isfuzzy=true] Tables.
type UnionOp struct {
	OpSpan
	Params     []*NamedExpr // kind, isfuzzy, hints
	WithSource *Ident
	Tables     []Expr // *Ident, *WildcardIdent, *ParenExpr, calls, pipes
}

// MvExpandOp is mv-expand [bagexpansion=..] [with_itemindex=I] Items [limit N].
type MvExpandOp struct {
	OpSpan
	Params        []*NamedExpr
	WithItemIndex *Ident
	Items         []*MvExpandItem
	Limit         Expr
}

// MvExpandItem is [Name =] Expr [to typeof(T)]; Names for (a, b) = ...
type MvExpandItem struct {
	Names []*Ident
	X     Expr
	To    *TypeExpr
}

// MvApplyOp is mv-apply [with_itemindex=I] Items [limit N] [id_column=..] on (subquery).
type MvApplyOp struct {
	OpSpan
	Params        []*NamedExpr
	WithItemIndex *Ident
	Items         []*MvExpandItem
	Limit         Expr
	On            Expr // the subquery, a *Pipe whose source is the implicit row set
}

// ParseOp is parse [kind=regex|simple|relaxed [flags=F]] Source with Pattern;
// Kind "parse" or "parse-where".
type ParseOp struct {
	OpSpan
	Kind   string
	Params []*NamedExpr
	Source Expr
	// Pattern alternates string literals and captured columns, in order.
	Pattern []*ParsePart
}

// ParsePart is one piece of a parse pattern: a literal string (Lit), a
// column to capture (Column with optional Type), or '*' (Star).
type ParsePart struct {
	Lit    *Lit
	Column *Ident
	Type   *TypeExpr
	Star   bool
}

// ParseKvOp is parse-kv Source as (Cols) with (pair_delimiter=..., ...).
type ParseKvOp struct {
	OpSpan
	Source  Expr
	Columns []*TypedExpr
	With    []*NamedExpr
}

// MakeSeriesOp is make-series [kind=nonempty] Aggs on Axis [from A] [to B]
// step S [in range(A, B, S)] [by Keys].
type MakeSeriesOp struct {
	OpSpan
	Params  []*NamedExpr
	Aggs    []*MakeSeriesAgg
	On      Expr
	From    Expr
	To      Expr
	Step    Expr
	InRange *CallExpr
	By      []Expr
}

// MakeSeriesAgg is [Name =] Agg [default = D].
type MakeSeriesAgg struct {
	Name    *Ident
	Agg     Expr
	Default Expr
}

// RenderOp is render Chart [kind=...] [with (props)].
type RenderOp struct {
	OpSpan
	Chart *Ident
	With  []*NamedExpr
}

// AsOp is as [hint.materialized=true] Name.
type AsOp struct {
	OpSpan
	Params []*NamedExpr
	Alias  *Ident
}

// SerializeOp is serialize [Name = Expr, ...].
type SerializeOp struct {
	OpSpan
	Items []Expr
}

// SampleOp is sample N.
type SampleOp struct {
	OpSpan
	N Expr
}

// SampleDistinctOp is sample-distinct N of Col.
type SampleDistinctOp struct {
	OpSpan
	N  Expr
	Of Expr
}

// GetSchemaOp is getschema.
type GetSchemaOp struct {
	OpSpan
}

// SearchOp is search [kind=case_sensitive] [in (Tables)] Pred.
type SearchOp struct {
	OpSpan
	Params []*NamedExpr
	Tables []Expr
	Pred   Expr
}

// FindOp is find [withsource=C] [in (Tables)] where Pred [project Cols | project-smart].
type FindOp struct {
	OpSpan
	Params     []*NamedExpr
	WithSource *Ident
	Tables     []Expr
	Pred       Expr
	Project    []Expr
	Smart      bool
}

// EvaluateOp is evaluate [hints] plugin(args) [: (schema)].
type EvaluateOp struct {
	OpSpan
	Params []*NamedExpr
	Call   *CallExpr
	Schema *TypeExpr // the declared output schema, nil when absent
}

// InvokeOp is invoke f(args): calls a tabular function with the pipe's input.
type InvokeOp struct {
	OpSpan
	Call *CallExpr
}

// ExternalDataOp is externaldata (Schema) [URIs] [with (props)].
type ExternalDataOp struct {
	OpSpan
	Params  []*NamedExpr
	Columns []*TypedExpr
	URIs    []Expr
	With    []*NamedExpr
}

// DataTableOp is datatable (Schema) [values...].
type DataTableOp struct {
	OpSpan
	Params  []*NamedExpr
	Columns []*TypedExpr
	Values  []Expr
}

// PrintOp is print [Name =] Expr, ...
type PrintOp struct {
	OpSpan
	Items []Expr
}

// RangeOp is range Col from A to B step S.
type RangeOp struct {
	OpSpan
	Col            *Ident
	From, To, Step Expr
}

// PartitionOp is partition [hints] by Col (subquery) or { subquery }.
type PartitionOp struct {
	OpSpan
	Params []*NamedExpr
	By     Expr
	Query  Expr
}

// ScanOp is scan [with_match_id=Id] [declare (cols)] with (steps).
type ScanOp struct {
	OpSpan
	Params  []*NamedExpr
	Declare []*Param
	Steps   []*ScanStep
}

// ScanStep is step Name [output=all|last|none]: Pred => Assignments.
type ScanStep struct {
	Name    *Ident
	Output  string
	Pred    Expr
	Assigns []*NamedExpr
}

// ForkOp is fork (subquery) [as Name] ...
type ForkOp struct {
	OpSpan
	Branches []Expr
}

// FacetOp is facet by Cols [with (subquery)].
type FacetOp struct {
	OpSpan
	By   []Expr
	With Expr
}

// ReduceOp is reduce [kind=...] by Expr [with threshold=..., characters=...].
type ReduceOp struct {
	OpSpan
	Params []*NamedExpr
	By     Expr
	With   []*NamedExpr
}

// ConsumeOp is consume.
type ConsumeOp struct {
	OpSpan
	Params []*NamedExpr
}

// MakeGraphOp is make-graph Src --> Dst [with Nodes on Key].
type MakeGraphOp struct {
	OpSpan
	Src, Dst Expr
	Directed bool
	Nodes    []Expr
	On       Expr   // the key of Nodes[0] (or with_node_id=Name)
	Keys     []Expr // Keys[i] is the node id column of Nodes[i]
}

// GraphMatchOp is graph-match [cycles=..] Pattern, ... [where Pred] project Cols.
// Each pattern is a *GraphPattern.
type GraphMatchOp struct {
	OpSpan
	Params  []*NamedExpr
	Pattern []Expr
	Where   Expr
	Project []Expr
}

// TopHittersOp is top-hitters N of Expr [by Expr].
type TopHittersOp struct {
	OpSpan
	N  Expr
	Of Expr
	By Expr
}

// GraphPattern is one path of a graph-match pattern: nodes and edges
// alternating, (a)-[e]->(b)<-[f*1..3]-(c).
type GraphPattern struct {
	Elems []Expr // *GraphNode, *GraphEdge, *GraphNode, ...
}

// GraphNode is (name) in a graph pattern; Name is nil for ().
type GraphNode struct {
	Lparen token.Pos
	Name   *Ident
	Rparen token.Pos
}

// GraphEdge is -[name*min..max]-> in a graph pattern. Dir is "->", "<-" or
// "--"; Min and Max are set for variable-length edges.
type GraphEdge struct {
	Start    token.Pos
	Name     *Ident
	Min, Max Expr
	Dir      string
	EndPos   token.Pos
}

func (x *GraphPattern) Pos() token.Pos {
	if len(x.Elems) == 0 {
		return token.NoPos
	}
	return x.Elems[0].Pos()
}
func (x *GraphPattern) End() token.Pos {
	if len(x.Elems) == 0 {
		return token.NoPos
	}
	return x.Elems[len(x.Elems)-1].End()
}
func (x *GraphNode) Pos() token.Pos { return x.Lparen }
func (x *GraphNode) End() token.Pos { return x.Rparen + 1 }
func (x *GraphEdge) Pos() token.Pos { return x.Start }
func (x *GraphEdge) End() token.Pos { return x.EndPos }
func (*GraphPattern) exprNode()     {}
func (*GraphNode) exprNode()        {}
func (*GraphEdge) exprNode()        {}

// BadOp stands for an operator with syntax errors.
type BadOp struct {
	OpSpan
}

func (*WhereOp) Name() string          { return "where" }
func (o *ProjectOp) Name() string      { return o.Kind }
func (*SummarizeOp) Name() string      { return "summarize" }
func (*CountOp) Name() string          { return "count" }
func (o *TakeOp) Name() string         { return o.Kind }
func (*TopOp) Name() string            { return "top" }
func (*TopNestedOp) Name() string      { return "top-nested" }
func (o *SortOp) Name() string         { return o.Kind }
func (*DistinctOp) Name() string       { return "distinct" }
func (*JoinOp) Name() string           { return "join" }
func (*LookupOp) Name() string         { return "lookup" }
func (*UnionOp) Name() string          { return "union" }
func (*MvExpandOp) Name() string       { return "mv-expand" }
func (*MvApplyOp) Name() string        { return "mv-apply" }
func (o *ParseOp) Name() string        { return o.Kind }
func (*ParseKvOp) Name() string        { return "parse-kv" }
func (*MakeSeriesOp) Name() string     { return "make-series" }
func (*RenderOp) Name() string         { return "render" }
func (*AsOp) Name() string             { return "as" }
func (*SerializeOp) Name() string      { return "serialize" }
func (*SampleOp) Name() string         { return "sample" }
func (*SampleDistinctOp) Name() string { return "sample-distinct" }
func (*GetSchemaOp) Name() string      { return "getschema" }
func (*SearchOp) Name() string         { return "search" }
func (*FindOp) Name() string           { return "find" }
func (*EvaluateOp) Name() string       { return "evaluate" }
func (*InvokeOp) Name() string         { return "invoke" }
func (*ExternalDataOp) Name() string   { return "externaldata" }
func (*DataTableOp) Name() string      { return "datatable" }
func (*PrintOp) Name() string          { return "print" }
func (*RangeOp) Name() string          { return "range" }
func (*PartitionOp) Name() string      { return "partition" }
func (*ScanOp) Name() string           { return "scan" }
func (*ForkOp) Name() string           { return "fork" }
func (*FacetOp) Name() string          { return "facet" }
func (*ReduceOp) Name() string         { return "reduce" }
func (*ConsumeOp) Name() string        { return "consume" }
func (*MakeGraphOp) Name() string      { return "make-graph" }
func (*GraphMatchOp) Name() string     { return "graph-match" }
func (*TopHittersOp) Name() string     { return "top-hitters" }
func (*BadOp) Name() string            { return "bad operator" }
