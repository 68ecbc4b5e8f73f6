package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/huntbook/huntbook/msticconfig"
)

// config validate / config show: check and display msticpyconfig.yaml.

func init() {
	register(&command{
		name:    "config validate",
		summary: "check msticpyconfig.yaml; print every finding as FILE:LINE: severity: key: message",
		run:     runConfigValidate,
	})
	register(&command{
		name:    "config show",
		summary: "print msticpyconfig.yaml with every secret masked",
		run:     runConfigShow,
	})
}

// configArgs parses the optional FILE argument shared by both commands; on
// failure it returns the exit code (0 for -h).
func configArgs(name string, args []string, stderr io.Writer) (string, int, bool) {
	fs := flag.NewFlagSet("huntbook config "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: huntbook config %s [FILE]\n\n", name)
		fmt.Fprintf(stderr, "FILE defaults to $%s, then ./%s, then ~/.msticpy/%s.\n", msticconfig.ConfigEnv, msticconfig.FileName, msticconfig.FileName)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", 0, false
		}
		return "", 2, false
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "huntbook config %s: want at most one FILE, got %d arguments\n", name, fs.NArg())
		fs.Usage()
		return "", 2, false
	}
	return fs.Arg(0), 0, true
}

// loadConfig reads the config; it returns nil (after reporting why) only
// when there is nothing to validate or show.
func loadConfig(name, file string, stderr io.Writer) *msticconfig.Config {
	cfg, err := msticconfig.Load(file)
	var invalid *msticconfig.InvalidError
	if cfg == nil || (err != nil && !errors.As(err, &invalid)) {
		fmt.Fprintf(stderr, "huntbook config %s: %v\n", name, err)
		return nil
	}
	return cfg
}

func runConfigValidate(args []string, stdout, stderr io.Writer) int {
	file, code, ok := configArgs("validate", args, stderr)
	if !ok {
		return code
	}
	cfg := loadConfig("validate", file, stderr)
	if cfg == nil {
		return 1
	}
	errs, warns := 0, 0
	for _, f := range cfg.Findings() {
		fmt.Fprintln(stdout, f)
		if f.Severity == msticconfig.Error {
			errs++
		} else {
			warns++
		}
	}
	fmt.Fprintf(stderr, "%s: %s, %s\n", cfg.File, counted(errs, "error"), counted(warns, "warning"))
	if errs > 0 {
		return 1
	}
	return 0
}

func runConfigShow(args []string, stdout, stderr io.Writer) int {
	file, code, ok := configArgs("show", args, stderr)
	if !ok {
		return code
	}
	cfg := loadConfig("show", file, stderr)
	if cfg == nil {
		return 1
	}
	if cfg.Node() == nil {
		// Unparseable or empty: there is nothing to show; say why.
		for _, f := range cfg.Findings() {
			fmt.Fprintln(stderr, f)
		}
		if cfg.Err() != nil {
			return 1
		}
		return 0
	}
	out, err := cfg.Masked()
	if err != nil {
		fmt.Fprintf(stderr, "huntbook config show: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "# %s (secrets masked)\n", cfg.File)
	stdout.Write(out)
	if err := cfg.Err(); err != nil {
		var invalid *msticconfig.InvalidError
		errors.As(err, &invalid)
		fmt.Fprintf(stderr, "%s: %s; run 'huntbook config validate %s' for details\n", cfg.File, counted(len(invalid.Findings), "error"), cfg.File)
	}
	return 0
}

// counted is "1 error", "2 errors", "0 warnings".
func counted(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
