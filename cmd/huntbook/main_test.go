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
		args []string
		code int
		out  string
	}{
		{[]string{"zz", "test", "a", "b"}, 3, "a,b"},
		{[]string{"nope"}, 2, ""},
		{nil, 0, "Usage: huntbook"},
	}
	for _, tc := range tests {
		var o, e bytes.Buffer
		if code := run(tc.args, &o, &e); code != tc.code || !strings.Contains(o.String(), tc.out) {
			t.Errorf("run(%q) = %d, %q; want %d, %q", tc.args, code, o.String(), tc.code, tc.out)
		}
	}
}
