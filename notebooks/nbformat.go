// Package notebooks owns huntbook's guided hunting notebooks (embedded, see
// Shipped) and the batch runner that executes a notebook on the real kernel
// over the Jupyter protocol with papermill's semantics: parameters injected
// after the cell tagged "parameters", outputs saved as each cell finishes,
// an error marks the failing cell and stops the run.
package notebooks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Notebook is an nbformat 4 document. Fields huntbook does not touch are
// kept in Extra so a notebook round-trips.
type Notebook struct {
	Cells         []*Cell        `json:"cells"`
	Metadata      map[string]any `json:"metadata"`
	NBFormat      int            `json:"nbformat"`
	NBFormatMinor int            `json:"nbformat_minor"`
}

// Cell is one notebook cell.
type Cell struct {
	ID             string           `json:"id,omitempty"`
	CellType       string           `json:"cell_type"` // code, markdown, raw
	Metadata       map[string]any   `json:"metadata"`
	Source         Source           `json:"source"`
	Outputs        []map[string]any `json:"outputs,omitempty"`
	ExecutionCount *int             `json:"execution_count,omitempty"`
	Attachments    map[string]any   `json:"attachments,omitempty"`
}

// Source is a cell's text; nbformat stores it as a string or a list of
// lines, and either is read.
type Source string

func (s *Source) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*s = Source(str)
		return nil
	}
	var lines []string
	if err := json.Unmarshal(b, &lines); err != nil {
		return fmt.Errorf("cell source is neither a string nor a list of strings")
	}
	*s = Source(strings.Join(lines, ""))
	return nil
}

// MarshalJSON writes the list-of-lines form Jupyter itself writes.
func (s Source) MarshalJSON() ([]byte, error) {
	lines := []string{}
	rest := string(s)
	for rest != "" {
		i := strings.IndexByte(rest, '\n')
		if i < 0 {
			lines = append(lines, rest)
			break
		}
		lines = append(lines, rest[:i+1])
		rest = rest[i+1:]
	}
	return json.Marshal(lines)
}

// Tags are the cell's metadata tags.
func (c *Cell) Tags() []string {
	raw, _ := c.Metadata["tags"].([]any)
	var tags []string
	for _, t := range raw {
		if s, ok := t.(string); ok {
			tags = append(tags, s)
		}
	}
	return tags
}

// HasTag reports whether the cell carries tag.
func (c *Cell) HasTag(tag string) bool {
	for _, t := range c.Tags() {
		if t == tag {
			return true
		}
	}
	return false
}

// Read parses a notebook file.
func Read(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	nb, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return nb, nil
}

// Parse decodes notebook JSON and checks it is nbformat 4.
func Parse(b []byte) (*Notebook, error) {
	var nb Notebook
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&nb); err != nil {
		if se, ok := err.(*json.SyntaxError); ok {
			line := bytes.Count(b[:se.Offset], []byte("\n")) + 1
			return nil, fmt.Errorf("line %d: not valid notebook JSON: %v", line, err)
		}
		return nil, fmt.Errorf("not a notebook: %v", err)
	}
	if nb.NBFormat != 4 {
		return nil, fmt.Errorf("nbformat %d is not supported (want 4)", nb.NBFormat)
	}
	for i, c := range nb.Cells {
		if c.Metadata == nil {
			c.Metadata = map[string]any{}
		}
		if c.CellType == "" {
			return nil, fmt.Errorf("cell %d has no cell_type", i)
		}
	}
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	return &nb, nil
}

// Marshal renders the notebook as Jupyter writes it (one-space indent).
func (nb *Notebook) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(nb); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write saves the notebook atomically (write then rename), so a reader
// never sees half a notebook while a batch run saves after each cell.
func (nb *Notebook) Write(path string) error {
	b, err := nb.Marshal()
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// MarshalJSON writes the keys nbformat's schema wants for each cell type:
// code cells always carry outputs and execution_count (null when not run);
// markdown and raw cells carry neither.
func (c *Cell) MarshalJSON() ([]byte, error) {
	m := map[string]any{"cell_type": c.CellType, "metadata": c.Metadata, "source": c.Source}
	if c.Metadata == nil {
		m["metadata"] = map[string]any{}
	}
	if c.ID != "" {
		m["id"] = c.ID
	}
	if c.CellType == "code" {
		outs := c.Outputs
		if outs == nil {
			outs = []map[string]any{}
		}
		m["outputs"] = outs
		m["execution_count"] = c.ExecutionCount
	} else if len(c.Attachments) > 0 {
		m["attachments"] = c.Attachments
	}
	return json.Marshal(m)
}
