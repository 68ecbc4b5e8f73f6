// Package ast declares the syntax tree of KQL queries, in the manner of
// go/ast: every node knows where it starts and ends in the source, so the
// binder, the executor and the kernel can point at the exact text.
//
// A query text is a Script: statements separated by semicolons. Tabular
// expressions are pipelines (a source followed by "| operator" steps);
// scalar expressions are the usual operator trees. Operators that start a
// pipeline on their own (print, range, datatable, union, ...) appear as the
// Source of a Pipe through an OpExpr.
package ast

import (
	"github.com/huntbook/huntbook/kql/token"
	"github.com/huntbook/huntbook/kql/types"
)

// Node is any syntax tree node.
type Node interface {
	Pos() token.Pos // first character of the node
	End() token.Pos // first character after the node
}

// Expr is a scalar or tabular expression.
type Expr interface {
	Node
	exprNode()
}

// Stmt is a query statement.
type Stmt interface {
	Node
	stmtNode()
}

// Operator is a tabular operator: a step of a pipeline, or a source
// operator that starts one.
type Operator interface {
	Node
	opNode()
	// Name is the operator's keyword as written in KQL: "where", "project-away", "mv-expand".
	Name() string
}

// ---------------------------------------------------------------------------
// Script and statements

// Script is a whole query text: statements separated by ';'.
type Script struct {
	Stmts []Stmt
}

func (s *Script) Pos() token.Pos {
	if len(s.Stmts) == 0 {
		return token.NoPos
	}
	return s.Stmts[0].Pos()
}

func (s *Script) End() token.Pos {
	if len(s.Stmts) == 0 {
		return token.NoPos
	}
	return s.Stmts[len(s.Stmts)-1].End()
}

// LetStmt binds a name: let Name = Value. Value is a scalar expression, a
// tabular expression, a *FuncLit (user function or lambda) or a *ViewLit.
type LetStmt struct {
	Let   token.Pos
	Name  *Ident
	Value Expr
}

// SetStmt sets a request option: set Name [= Value]. Name may be dotted.
type SetStmt struct {
	Set   token.Pos
	Name  *Ident
	Value Expr // nil when absent (set notruncation)
}

// DeclareStmt is declare query_parameters(name:type [= default], ...).
type DeclareStmt struct {
	Declare token.Pos
	Params  []*Param
	Rparen  token.Pos
}

// AliasStmt is alias database Name = cluster(...).database(...).
type AliasStmt struct {
	Alias token.Pos
	Name  *Ident
	Value Expr
}

// PatternStmt declares a query pattern: declare pattern Name [= (params) [[path params]] [: type] { ... }].
type PatternStmt struct {
	Declare    token.Pos
	Name       *Ident
	Params     []*Param
	PathParams []*Param
	Body       []*PatternCase // nil when only declared
	Rbrace     token.Pos
}

// PatternCase is one ('arg', ...).path = { expr } case of a pattern.
type PatternCase struct {
	Args  []Expr
	Path  Expr // may be nil
	Value Expr
}

// ExprStmt is a query: an expression whose result the script returns.
type ExprStmt struct {
	X Expr
}

func (s *LetStmt) Pos() token.Pos     { return s.Let }
func (s *LetStmt) End() token.Pos     { return s.Value.End() }
func (s *SetStmt) Pos() token.Pos     { return s.Set }
func (s *SetStmt) End() token.Pos     { return endOr(s.Value, s.Name.End()) }
func (s *DeclareStmt) Pos() token.Pos { return s.Declare }
func (s *DeclareStmt) End() token.Pos { return s.Rparen + 1 }
func (s *AliasStmt) Pos() token.Pos   { return s.Alias }
func (s *AliasStmt) End() token.Pos   { return s.Value.End() }
func (s *PatternStmt) Pos() token.Pos { return s.Declare }
func (s *PatternStmt) End() token.Pos {
	if s.Rbrace.IsValid() {
		return s.Rbrace + 1
	}
	return s.Name.End()
}
func (s *ExprStmt) Pos() token.Pos { return s.X.Pos() }
func (s *ExprStmt) End() token.Pos { return s.X.End() }

func (*LetStmt) stmtNode()     {}
func (*SetStmt) stmtNode()     {}
func (*DeclareStmt) stmtNode() {}
func (*AliasStmt) stmtNode()   {}
func (*PatternStmt) stmtNode() {}
func (*ExprStmt) stmtNode()    {}

// ---------------------------------------------------------------------------
// Scalar expressions

// Ident is a name: a table, column, variable or function. Bracketed names
// (['my col'], ["x"]) have Quoted set; $left/$right keep their '$'.
type Ident struct {
	NamePos token.Pos
	Name    string
	EndPos  token.Pos
	Quoted  bool
}

// WildcardIdent is a name pattern with '*', as in project-away Prop* or
// union Device*.
type WildcardIdent struct {
	NamePos token.Pos
	Pattern string
	EndPos  token.Pos
}

// Lit is a literal of any scalar type: 42, 1.5, "s", datetime(2024-01-01),
// 1d, guid(...), dynamic([1,2]), true, bool(null), long(null). Value holds
// the parsed value; Raw the source text.
type Lit struct {
	ValuePos token.Pos
	EndPos   token.Pos
	Value    types.Value
	Raw      string
}

// ParenExpr is (X).
type ParenExpr struct {
	Lparen token.Pos
	X      Expr
	Rparen token.Pos
}

// UnaryExpr is -X or +X.
type UnaryExpr struct {
	OpPos token.Pos
	Op    token.Token
	X     Expr
}

// BinaryExpr is X Op Y for arithmetic, comparison, logic and the string
// operators. For token operators Op is set and Word is empty; for word
// operators (and, or, has, !contains, matches regex, startswith_cs ...) Op
// is token.IDENT and Word holds the operator as written in lower case,
// e.g. "has", "!has_cs", "matches regex".
type BinaryExpr struct {
	X     Expr
	OpPos token.Pos
	Op    token.Token
	Word  string
	Y     Expr
}

// InExpr is X in (a, b), X !in~ (T | project c), X has_any (...),
// X has_all (...). Op is "in", "!in", "in~", "!in~", "has_any", "has_all".
// A single tabular or dynamic operand is the only element of List.
type InExpr struct {
	X      Expr
	OpPos  token.Pos
	Op     string
	Lparen token.Pos
	List   []Expr
	Rparen token.Pos
}

// BetweenExpr is X between (Lo .. Hi) or X !between (Lo .. Hi).
type BetweenExpr struct {
	X      Expr
	OpPos  token.Pos
	Not    bool
	Lo, Hi Expr
	Rparen token.Pos
}

// CallExpr is Fun(Args). Fun is usually an *Ident; it can be a
// *SelectorExpr for database("x").f() forms. Args may contain *NamedExpr
// (name = value) and *StarExpr.
type CallExpr struct {
	Fun    Expr
	Lparen token.Pos
	Args   []Expr
	Rparen token.Pos
}

// SelectorExpr is X.Sel: a dynamic property, a $left.Col, a table's
// column T.Col or database("d").T.
type SelectorExpr struct {
	X   Expr
	Sel *Ident
}

// IndexExpr is X[Index]: d["key"], d[0], d[-1].
type IndexExpr struct {
	X      Expr
	Lbrack token.Pos
	Index  Expr
	Rbrack token.Pos
}

// StarExpr is a lone '*': arg_max(T, *), count(*) style, union *, project *.
type StarExpr struct {
	Star token.Pos
}

// NamedExpr is Name = Value in project, extend, summarize, make-series,
// render with (...), hints and named arguments. Names holds more than one
// name for (a, b) = f(x) forms.
type NamedExpr struct {
	Names []*Ident
	Value Expr
}

// TypedExpr is a Name:type pair where KQL declares one: datatable and
// externaldata schemas, mv-expand to typeof(...), parse's Name:type.
type TypedExpr struct {
	Name *Ident
	Type *TypeExpr
}

// TypeExpr names a scalar type (string, long, dynamic...) or, for tabular
// function parameters, a schema: (*) or (a:string, b:long).
type TypeExpr struct {
	TypePos token.Pos
	EndPos  token.Pos
	Type    types.Type
	Tabular bool
	Columns []*TypedExpr // tabular schema; empty with Star for (*)
	Star    bool
}

// OrderExpr is an expression with a sort direction and nulls placement:
// X [asc|desc] [nulls first|last]. Dir and Nulls are empty when absent.
type OrderExpr struct {
	X      Expr
	Dir    string // "", "asc", "desc"
	Nulls  string // "", "first", "last"
	EndPos token.Pos
}

// ListExpr is a parenthesized list (a, b, c), used where KQL expects a
// tuple such as summarize's (a, b) = ... targets or mv-apply's list.
type ListExpr struct {
	Lparen token.Pos
	Elems  []Expr
	Rparen token.Pos
}

// FuncLit is a user function or lambda: (a:string, b:long = 5) { body }.
type FuncLit struct {
	Lparen token.Pos
	Params []*Param
	Body   *Block
}

// ViewLit is view (params) { body }.
type ViewLit struct {
	View token.Pos
	Func *FuncLit
}

// Param is a parameter of a function, view, pattern or query_parameters.
type Param struct {
	Name    *Ident
	Type    *TypeExpr
	Default Expr // nil when none
}

// Block is { statements; expression } of a function body, toscalar/materialize
// free. Its last statement is the result.
type Block struct {
	Lbrace token.Pos
	Stmts  []Stmt
	Rbrace token.Pos
}

// Pipe is a tabular pipeline: Source | Ops[0] | Ops[1] ... Source is a
// table reference (*Ident, *WildcardIdent), a call (materialize(x),
// table("T"), a tabular function), a *ParenExpr, or an *OpExpr for source
// operators. Source is nil for subqueries over an implicit input (mv-apply's
// on (...), fork, facet's with, partition's (...)): then Ops is non-empty.
type Pipe struct {
	Source Expr
	Ops    []Operator
}

// OpExpr wraps a source operator (print, range, datatable, union,
// externaldata, find, search, evaluate ...) so it can stand where an
// expression stands.
type OpExpr struct {
	Op Operator
}

// BadExpr stands for an expression with syntax errors, so that the parser
// can go on and report more.
type BadExpr struct {
	From, To token.Pos
}

func (x *Ident) Pos() token.Pos         { return x.NamePos }
func (x *Ident) End() token.Pos         { return x.EndPos }
func (x *WildcardIdent) Pos() token.Pos { return x.NamePos }
func (x *WildcardIdent) End() token.Pos { return x.EndPos }
func (x *Lit) Pos() token.Pos           { return x.ValuePos }
func (x *Lit) End() token.Pos           { return x.EndPos }
func (x *ParenExpr) Pos() token.Pos     { return x.Lparen }
func (x *ParenExpr) End() token.Pos     { return x.Rparen + 1 }
func (x *UnaryExpr) Pos() token.Pos     { return x.OpPos }
func (x *UnaryExpr) End() token.Pos     { return x.X.End() }
func (x *BinaryExpr) Pos() token.Pos    { return x.X.Pos() }
func (x *BinaryExpr) End() token.Pos    { return x.Y.End() }
func (x *InExpr) Pos() token.Pos        { return x.X.Pos() }
func (x *InExpr) End() token.Pos        { return x.Rparen + 1 }
func (x *BetweenExpr) Pos() token.Pos   { return x.X.Pos() }
func (x *BetweenExpr) End() token.Pos   { return x.Rparen + 1 }
func (x *CallExpr) Pos() token.Pos      { return x.Fun.Pos() }
func (x *CallExpr) End() token.Pos      { return x.Rparen + 1 }
func (x *SelectorExpr) Pos() token.Pos  { return x.X.Pos() }
func (x *SelectorExpr) End() token.Pos  { return x.Sel.End() }
func (x *IndexExpr) Pos() token.Pos     { return x.X.Pos() }
func (x *IndexExpr) End() token.Pos     { return x.Rbrack + 1 }
func (x *StarExpr) Pos() token.Pos      { return x.Star }
func (x *StarExpr) End() token.Pos      { return x.Star + 1 }
func (x *NamedExpr) Pos() token.Pos {
	if len(x.Names) > 0 {
		return x.Names[0].Pos()
	}
	return x.Value.Pos()
}
func (x *NamedExpr) End() token.Pos { return x.Value.End() }
func (x *TypedExpr) Pos() token.Pos { return x.Name.Pos() }
func (x *TypedExpr) End() token.Pos { return x.Type.End() }
func (x *TypeExpr) Pos() token.Pos  { return x.TypePos }
func (x *TypeExpr) End() token.Pos  { return x.EndPos }
func (x *OrderExpr) Pos() token.Pos { return x.X.Pos() }
func (x *OrderExpr) End() token.Pos { return x.EndPos }
func (x *ListExpr) Pos() token.Pos  { return x.Lparen }
func (x *ListExpr) End() token.Pos  { return x.Rparen + 1 }
func (x *FuncLit) Pos() token.Pos   { return x.Lparen }
func (x *FuncLit) End() token.Pos   { return x.Body.End() }
func (x *ViewLit) Pos() token.Pos   { return x.View }
func (x *ViewLit) End() token.Pos   { return x.Func.End() }
func (x *Param) Pos() token.Pos     { return x.Name.Pos() }
func (x *Param) End() token.Pos {
	if x.Default != nil {
		return x.Default.End()
	}
	if x.Type != nil {
		return x.Type.End()
	}
	return x.Name.End()
}
func (x *Block) Pos() token.Pos { return x.Lbrace }
func (x *Block) End() token.Pos { return x.Rbrace + 1 }
func (x *Pipe) Pos() token.Pos {
	if x.Source == nil && len(x.Ops) > 0 {
		return x.Ops[0].Pos()
	}
	return x.Source.Pos()
}
func (x *Pipe) End() token.Pos {
	if len(x.Ops) > 0 {
		return x.Ops[len(x.Ops)-1].End()
	}
	return x.Source.End()
}
func (x *OpExpr) Pos() token.Pos  { return x.Op.Pos() }
func (x *OpExpr) End() token.Pos  { return x.Op.End() }
func (x *BadExpr) Pos() token.Pos { return x.From }
func (x *BadExpr) End() token.Pos { return x.To }

func (*Ident) exprNode()         {}
func (*WildcardIdent) exprNode() {}
func (*Lit) exprNode()           {}
func (*ParenExpr) exprNode()     {}
func (*UnaryExpr) exprNode()     {}
func (*BinaryExpr) exprNode()    {}
func (*InExpr) exprNode()        {}
func (*BetweenExpr) exprNode()   {}
func (*CallExpr) exprNode()      {}
func (*SelectorExpr) exprNode()  {}
func (*IndexExpr) exprNode()     {}
func (*StarExpr) exprNode()      {}
func (*NamedExpr) exprNode()     {}
func (*TypedExpr) exprNode()     {}
func (*TypeExpr) exprNode()      {}
func (*OrderExpr) exprNode()     {}
func (*ListExpr) exprNode()      {}
func (*FuncLit) exprNode()       {}
func (*ViewLit) exprNode()       {}
func (*Block) exprNode()         {}
func (*Pipe) exprNode()          {}
func (*OpExpr) exprNode()        {}
func (*BadExpr) exprNode()       {}

func endOr(x Expr, p token.Pos) token.Pos {
	if x != nil {
		return x.End()
	}
	return p
}
