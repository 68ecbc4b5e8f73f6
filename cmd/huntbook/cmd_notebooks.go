package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/huntbook/huntbook/notebooks"
)

func init() {
	register(&command{name: "notebooks list", summary: "list the guided hunting notebooks huntbook ships", run: runNotebooksList})
	register(&command{name: "notebooks copy", summary: "copy a shipped notebook into a folder to start from", run: runNotebooksCopy})
}

func runNotebooksList(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "Usage: huntbook notebooks list")
		return 2
	}
	for _, name := range notebooks.ShippedNames() {
		data, _ := notebooks.Shipped(name)
		fmt.Fprintf(stdout, "%-42s %s\n", name, notebookTitle(data))
	}
	return 0
}

// notebookTitle is the first markdown heading of a notebook.
func notebookTitle(data []byte) string {
	nb, err := notebooks.Parse(data)
	if err != nil {
		return ""
	}
	for _, c := range nb.Cells {
		if c.CellType != "markdown" {
			continue
		}
		for _, line := range strings.Split(string(c.Source), "\n") {
			if strings.HasPrefix(line, "# ") {
				return strings.TrimPrefix(line, "# ")
			}
		}
	}
	return ""
}

func runNotebooksCopy(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		fmt.Fprintln(stderr, "Usage: huntbook notebooks copy NAME DIR")
		return 2
	}
	data, ok := notebooks.Shipped(args[0])
	if !ok {
		fmt.Fprintf(stderr, "huntbook notebooks copy: no shipped notebook %q (see 'huntbook notebooks list')\n", args[0])
		return 1
	}
	if err := os.MkdirAll(args[1], 0o755); err != nil {
		fmt.Fprintln(stderr, "huntbook notebooks copy:", err)
		return 1
	}
	dst := filepath.Join(args[1], strings.TrimSuffix(filepath.Base(args[0]), ".ipynb")+".ipynb")
	if _, err := os.Stat(dst); err == nil {
		fmt.Fprintf(stderr, "huntbook notebooks copy: %s exists; not overwriting it\n", dst)
		return 1
	}
	if !json.Valid(data) {
		fmt.Fprintln(stderr, "huntbook notebooks copy: shipped notebook is not valid JSON")
		return 1
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		fmt.Fprintln(stderr, "huntbook notebooks copy:", err)
		return 1
	}
	fmt.Fprintln(stdout, dst)
	return 0
}
