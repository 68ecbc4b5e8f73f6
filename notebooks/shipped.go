package notebooks

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// guided holds the notebooks huntbook ships.
//
//go:embed guided/*.ipynb
var guided embed.FS

// ShippedNames lists the shipped notebooks by name (file name without .ipynb).
func ShippedNames() []string {
	entries, _ := fs.ReadDir(guided, "guided")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".ipynb"))
	}
	sort.Strings(names)
	return names
}

// Shipped returns a shipped notebook's bytes by name (with or without .ipynb).
func Shipped(name string) ([]byte, bool) {
	name = strings.TrimSuffix(path.Base(name), ".ipynb")
	b, err := guided.ReadFile("guided/" + name + ".ipynb")
	return b, err == nil
}
