package main

import "flag"

// parseInterspersed parses flags that may come before or after the
// positional arguments (`huntbook query 'T | take 1' --format csv`), as
// papermill and most CLIs allow; Go's flag package stops at the first
// positional. A lone "-" (stdin) is a positional; after "--" every
// argument is.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	return positional, nil
}
