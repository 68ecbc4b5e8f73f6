// Command huntbook is the one binary of the huntbook toolkit: the Jupyter
// kernel, its installer, the query runner, the notebook batch runner and the
// sample tenant generator. Each subcommand lives in its own cmd_*.go file and
// registers itself in init.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one subcommand. Run gets the arguments after the command's
// name (and after the group word for grouped commands such as "kql check")
// and returns the process exit code.
type command struct {
	name    string // "query", or "kql check" for a grouped command
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("huntbook: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	setMemoryLimit()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	if len(args) >= 2 {
		if c, ok := commands[args[0]+" "+args[1]]; ok {
			return c.run(args[2:], stdout, stderr)
		}
	}
	if c, ok := commands[args[0]]; ok {
		return c.run(args[1:], stdout, stderr)
	}
	// A group named alone, or with a subcommand it lacks: list its own.
	if subs := group(args[0]); len(subs) > 0 {
		if len(args) == 1 {
			fmt.Fprintf(stderr, "huntbook %s: which? one of:\n", args[0])
		} else {
			fmt.Fprintf(stderr, "huntbook %s: unknown subcommand %q; one of:\n", args[0], args[1])
		}
		for _, n := range subs {
			fmt.Fprintf(stderr, "  %-18s %s\n", n, commands[n].summary)
		}
		return 2
	}
	fmt.Fprintf(stderr, "huntbook: unknown command %q\n\n", strings.Join(args[:min(2, len(args))], " "))
	usage(stderr)
	return 2
}

// group lists the commands "name SUB", sorted.
func group(name string) []string {
	var subs []string
	for n := range commands {
		if strings.HasPrefix(n, name+" ") {
			subs = append(subs, n)
		}
	}
	sort.Strings(subs)
	return subs
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "huntbook: KQL threat hunting in notebooks\n\nUsage: huntbook COMMAND [ARGS]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-18s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'huntbook COMMAND -h' for a command's options.")
}
