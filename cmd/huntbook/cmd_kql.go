package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/huntbook/huntbook/kql/ast"
	"github.com/huntbook/huntbook/kql/parser"
	"github.com/huntbook/huntbook/kql/token"
)

func init() {
	register(&command{name: "kql check", summary: "check KQL files for syntax errors (OK FILE / ERROR FILE:LINE:COL: message)", run: runKqlCheck})
}

// kqlBind is the hook for --schemas: it checks a parsed script against the
// table schemas in dir (names, columns, types) and returns what it finds.
// It is nil until the binder is wired in; --schemas then only warns.
var kqlBind func(script *ast.Script, file *token.File, schemasDir string) []*parser.Error

// kqlCheckResult is one file's outcome, as --json prints it.
type kqlCheckResult struct {
	File   string         `json:"file"`
	OK     bool           `json:"ok"`
	Errors []kqlCheckItem `json:"errors,omitempty"`
}

type kqlCheckItem struct {
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

func runKqlCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("huntbook kql check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	schemas := fs.String("schemas", "", "also check tables and columns against the table schemas in `DIR`")
	asJSON := fs.Bool("json", false, "print one JSON object per file instead of a line")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: huntbook kql check [--schemas DIR] [--json] FILE...\n\nParses each KQL file ('-' reads standard input) and prints OK FILE or\nERROR FILE:LINE:COL: message. Exits 0 only when every file is OK.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if *schemas != "" {
		if st, err := os.Stat(*schemas); err != nil || !st.IsDir() {
			fmt.Fprintf(stderr, "huntbook kql check: --schemas %s: not a directory\n", *schemas)
			return 2
		}
		if kqlBind == nil {
			fmt.Fprintln(stderr, "huntbook kql check: --schemas: the binder is not wired in yet; checking syntax only")
		}
	}
	enc := json.NewEncoder(stdout)
	code := 0
	for _, name := range fs.Args() {
		res := checkKQLFile(name, *schemas)
		if !res.OK {
			code = 1
		}
		if *asJSON {
			enc.Encode(res)
			continue
		}
		if res.OK {
			fmt.Fprintf(stdout, "OK %s\n", name)
			continue
		}
		e := res.Errors[0]
		more := ""
		if n := len(res.Errors) - 1; n > 0 {
			more = fmt.Sprintf(" (and %d more errors)", n)
		}
		if e.Line > 0 {
			fmt.Fprintf(stdout, "ERROR %s:%d:%d: %s%s\n", name, e.Line, e.Column, e.Message, more)
		} else {
			fmt.Fprintf(stdout, "ERROR %s: %s%s\n", name, e.Message, more)
		}
	}
	return code
}

func checkKQLFile(name, schemasDir string) kqlCheckResult {
	res := kqlCheckResult{File: name}
	var src []byte
	var err error
	if name == "-" {
		src, err = io.ReadAll(os.Stdin)
	} else {
		src, err = os.ReadFile(name)
	}
	if err != nil {
		res.Errors = []kqlCheckItem{{Message: err.Error()}}
		return res
	}
	script, file, err := parser.Parse(name, src)
	var list parser.ErrorList
	if err != nil && !errors.As(err, &list) {
		res.Errors = []kqlCheckItem{{Message: err.Error()}}
		return res
	}
	if len(list) == 0 && schemasDir != "" && kqlBind != nil {
		list = kqlBind(script, file, schemasDir)
	}
	for _, e := range list {
		res.Errors = append(res.Errors, kqlCheckItem{Line: e.Pos.Line, Column: e.Pos.Column, Message: e.Msg})
	}
	res.OK = len(res.Errors) == 0
	return res
}
