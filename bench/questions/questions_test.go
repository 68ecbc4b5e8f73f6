package questions

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/huntbook/huntbook/kql/parser"
)

// Every listed question has both texts, the KQL parses, and no query file
// is left out of the list.
func TestQuestionsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, q := range All() {
		seen[q.Name] = true
		if q.KQL == "" || q.SQL == "" || q.Title == "" {
			t.Errorf("%s: empty KQL, SQL or title", q.Name)
		}
		if _, _, err := parser.Parse(q.Name+".kql", []byte(q.KQL)); err != nil {
			t.Errorf("%s.kql: %v", q.Name, err)
		}
	}
	ents, err := fs.ReadDir(files, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		stem := strings.TrimSuffix(strings.TrimSuffix(e.Name(), ".kql"), ".sql")
		if !seen[stem] {
			t.Errorf("%s is not in the question list", e.Name())
		}
	}
	if _, err := ByName("nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("ByName(nope) = %v, want an error naming it", err)
	}
}
