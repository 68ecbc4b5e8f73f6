package rules

import (
	"embed"
	"errors"
	"io/fs"
	"path"
	"sort"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtin returns the shipped rules (builtin/*.yaml), sorted by file name.
// They are validated by the package tests, so an error here means a broken
// build.
func Builtin() ([]*Rule, error) {
	names, err := fs.Glob(builtinFS, "builtin/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*Rule
	var errs []error
	for _, n := range names {
		data, err := builtinFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		r, diags := Parse(path.Join("builtin", path.Base(n)), data)
		if err := Errors(diags); err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}
