package notebooks

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// TermProgress draws a one-line progress bar, redrawn in place; for a
// terminal.
type TermProgress struct {
	W     io.Writer
	start time.Time
	fails int
}

func (p *TermProgress) Start(total int) { p.start = time.Now() }

func (p *TermProgress) Cell(i, total int, c *Cell) { p.draw(i-1, total, Title(c)) }

func (p *TermProgress) Done(i, total int, c *Cell, d time.Duration, err error) {
	if err != nil {
		p.fails++
	}
	p.draw(i, total, Title(c))
}

func (p *TermProgress) Finish() { fmt.Fprintln(p.W) }

func (p *TermProgress) draw(done, total int, title string) {
	const width = 30
	fill := 0
	if total > 0 {
		fill = done * width / total
	}
	el := time.Since(p.start).Round(time.Second)
	fmt.Fprintf(p.W, "\r\x1b[K[%s%s] %d/%d cells %s  %s", strings.Repeat("#", fill), strings.Repeat(".", width-fill), done, total, el, title)
}

// LineProgress prints one plain line per finished cell; for logs and CI.
type LineProgress struct{ W io.Writer }

func (p *LineProgress) Start(total int)            { fmt.Fprintf(p.W, "running %d code cells\n", total) }
func (p *LineProgress) Cell(i, total int, c *Cell) {}
func (p *LineProgress) Done(i, total int, c *Cell, d time.Duration, err error) {
	status := "ok"
	if err != nil {
		status = "FAILED: " + err.Error()
	}
	fmt.Fprintf(p.W, "cell %d/%d %s (%s) %s\n", i, total, status, d.Round(time.Millisecond), Title(c))
}
func (p *LineProgress) Finish() {}
