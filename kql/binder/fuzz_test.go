package binder

import (
	"testing"

	"github.com/huntbook/huntbook/kql/parser"
)

// FuzzBind binds, completes and inspects arbitrary text at every cursor:
// the kernel runs these on each keystroke, so they must not panic.
func FuzzBind(f *testing.F) {
	for _, s := range []string{
		"T | where Count > 1 | summarize n = count() by User", "let f = (x:long) { T | take x }; f(2) | project User",
		"U | join kind=inner (T) on User | extend d = Props.a", "(|;", "T | evaluate basket(0.1) | where Count > 1",
		"T | scan with_match_id=m declare (s:long) with (step a: Count > 1 => s = Count;)", "let s = s | where x; s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 300 {
			return
		}
		script, file, _ := parser.Parse("q.kql", []byte(src))
		Bind(script, file, testCat, Options{})
		for cursor := 0; cursor <= len(src); cursor++ {
			Complete(src, cursor, testCat)
			Inspect(src, cursor, testCat)
		}
	})
}
