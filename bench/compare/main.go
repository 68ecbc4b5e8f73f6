// Command compare checks that huntbook, pandas and DuckDB gave the same
// answers and turns the three engines' timings into the results table of
// bench/README.md.
//
//	compare check  -results DIR
//	compare report -results DIR -data DIR -readme bench/README.md -command "bench/run.sh --rows N"
//
// DIR holds answers-ENGINE.json and timings-ENGINE.json as run.sh writes them.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "check":
		fs := flag.NewFlagSet("check", flag.ExitOnError)
		dir := fs.String("results", "", "folder with answers-ENGINE.json files")
		fs.Parse(os.Args[2:])
		err = check(os.Stdout, *dir)
	case "report":
		fs := flag.NewFlagSet("report", flag.ExitOnError)
		dir := fs.String("results", "", "folder with answers-ENGINE.json and timings-ENGINE.json")
		data := fs.String("data", "", "the generated workspace (for file sizes)")
		readme := fs.String("readme", "", "README to update between result markers (default: print)")
		command := fs.String("command", "bench/run.sh", "the command that reproduces the table")
		fs.Parse(os.Args[2:])
		err = writeReport(*dir, *data, *readme, *command)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: compare check -results DIR | compare report -results DIR -data DIR [-readme FILE] [-command CMD]")
	os.Exit(2)
}
