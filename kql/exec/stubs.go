package exec

import (
	"path"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/table"
)

func matchWildcard(pattern, name string) (bool, error) { return path.Match(pattern, name) }

func (r *runner) mvExpand(o *ast.MvExpandOp, in *table.Table) (*table.Table, error) {
	return nil, r.unsupported(o.Pos(), "mv-expand")
}
func (r *runner) mvApply(o *ast.MvApplyOp, in *table.Table) (*table.Table, error) {
	return nil, r.unsupported(o.Pos(), "mv-apply")
}
func (r *runner) parse(o *ast.ParseOp, in *table.Table) (*table.Table, error) {
	return nil, r.unsupported(o.Pos(), "parse")
}
func (r *runner) parseKv(o *ast.ParseKvOp, in *table.Table) (*table.Table, error) {
	return nil, r.unsupported(o.Pos(), "parse-kv")
}
func (r *runner) makeSeries(o *ast.MakeSeriesOp, in *table.Table) (*table.Table, error) {
	return nil, r.unsupported(o.Pos(), "make-series")
}
func (r *runner) topNested(o *ast.TopNestedOp, in *table.Table) (*table.Table, error) {
	return nil, r.unsupported(o.Pos(), "top-nested")
}
func (r *runner) search(o *ast.SearchOp, in *table.Table) (*table.Table, error) {
	return nil, r.unsupported(o.Pos(), "search")
}
func (r *runner) find(o *ast.FindOp) (*table.Table, error) {
	return nil, r.unsupported(o.Pos(), "find")
}
func (r *runner) externalData(o *ast.ExternalDataOp) (*table.Table, error) {
	return nil, r.unsupported(o.Pos(), "externaldata")
}
func (r *runner) evaluate(o *ast.EvaluateOp, in *table.Table) (*table.Table, error) {
	return nil, r.unsupported(o.Pos(), "evaluate")
}
