package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	register(&command{name: "zz test", summary: "t", run: func(args []string, o, e io.Writer) int {
		io.WriteString(o, strings.Join(args, ","))
		return 3
	}})
	defer delete(commands, "zz test")
	tests := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"zz", "test", "a", "b"}, 3, "a,b", ""},
		{[]string{"nope"}, 2, "", `huntbook: unknown command "nope"`},
		{nil, 0, "Usage: huntbook", ""},
		// a group alone or with a subcommand it lacks lists its own
		{[]string{"zz"}, 2, "", "huntbook zz: which? one of:\n  zz test            t\n"},
		{[]string{"zz", "tset"}, 2, "", "huntbook zz: unknown subcommand \"tset\"; one of:\n  zz test            t\n"},
	}
	for _, tc := range tests {
		var o, e bytes.Buffer
		if code := run(tc.args, &o, &e); code != tc.code || !strings.Contains(o.String(), tc.out) || !strings.Contains(e.String(), tc.err) {
			t.Errorf("run(%q) = %d, %q, %q; want %d, %q, %q", tc.args, code, o.String(), e.String(), tc.code, tc.out, tc.err)
		}
	}
}
