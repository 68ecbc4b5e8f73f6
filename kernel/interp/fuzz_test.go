package interp

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/huntbook/huntbook/kernel"
	"github.com/huntbook/huntbook/providers"
)

// FuzzInterpreter sends arbitrary cells, completions and inspections to the
// interpreter over an empty workspace: each may fail, none may panic, hang
// or recurse without end (a stack overflow would end the kernel process).
// Magics with effects outside the process (files, network, UEBA builds) are
// left out.
func FuzzInterpreter(f *testing.F) {
	for _, s := range []string{
		"print x = 1", "%echo hello", "%set n = 3\nprint n", "%timerange 7d", "%who", "%tables", "%schema SigninLogs",
		"let s = datatable(a:long)[1]; s | as T", "T | where a > 0", "%lsmagic", "%time print 1", "%history",
		"print geo_info_from_ip_address('1.2.3.4')", "datatable(a:string)['x'] | render barchart", "%echo? ", "%%time\nprint 2",
	} {
		f.Add(s, len(s)/2)
	}
	p, err := providers.Open("local", "local", map[string]string{"data_paths": f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	in := New(NewProviderEngine(p))
	f.Fuzz(func(t *testing.T, code string, cursor int) {
		for _, m := range []string{"%export", "%connect", "%ueba", "%rules", "%%kql", "%config", "%query", "%run", "%load"} {
			if strings.Contains(code, m) {
				return
			}
		}
		if cursor < 0 || cursor > len(code) {
			cursor = len(code)
		}
		done := make(chan any, 1)
		go func() {
			defer func() { done <- recover() }()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			in.Execute(ctx, kernel.ExecuteRequest{Code: code, ExecutionCount: 1}, &recorder{})
			in.Complete(code, cursor)
			in.Inspect(code, cursor, 0)
			in.IsComplete(code)
		}()
		select {
		case p := <-done:
			if p != nil {
				t.Fatalf("panic on %q (cursor %d): %v", code, cursor, p)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("no answer in 15s on %q", code)
		}
	})
}
