package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/huntbook/huntbook/bench/answers"
	"github.com/huntbook/huntbook/bench/questions"
)

// Engines in report order; huntbook's answers are the reference the others
// are compared with.
var engines = []string{"huntbook", "pandas", "duckdb"}

// check compares every engine's answers with huntbook's, question by
// question, and fails naming each question and engine that differs.
func check(w io.Writer, dir string) error {
	if dir == "" {
		return fmt.Errorf("check: -results is required")
	}
	files := map[string]*answers.File{}
	for _, e := range engines {
		f, err := answers.Read(filepath.Join(dir, "answers-"+e+".json"))
		if err != nil {
			return err
		}
		files[e] = f
	}
	bad := 0
	for _, q := range questions.All() {
		ref, ok := files["huntbook"].Answers[q.Name]
		if !ok {
			return fmt.Errorf("check: huntbook did not answer %s", q.Name)
		}
		for _, e := range engines[1:] {
			got, ok := files[e].Answers[q.Name]
			if !ok {
				fmt.Fprintf(w, "FAIL %-22s %s did not answer\n", q.Name, e)
				bad++
				continue
			}
			if err := answers.Compare(ref, got, q.Ordered); err != nil {
				fmt.Fprintf(w, "FAIL %-22s %s: %v\n", q.Name, e, err)
				bad++
				continue
			}
			fmt.Fprintf(w, "ok   %-22s %s agrees with huntbook (%d rows)\n", q.Name, e, len(ref.Rows))
		}
	}
	if bad > 0 {
		return fmt.Errorf("check: %d answers differ from huntbook's", bad)
	}
	return nil
}
