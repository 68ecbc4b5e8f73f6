package notebooks

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// TermProgress draws a one-line progress bar, redrawn in place; for a
// terminal. While a cell runs the line is redrawn every second so the
// elapsed time moves.
type TermProgress struct {
	W io.Writer
	// Width is the terminal's width in columns; the line is cut to fit,
	// since a wrapped line cannot be redrawn in place. 0 means 80.
	Width int
	// Tick is how often a running cell's line is redrawn (0: every second).
	Tick time.Duration

	mu    sync.Mutex
	start time.Time
	fails int
	stop  chan struct{}
	done  chan struct{}
}

func (p *TermProgress) Start(total int) { p.start = time.Now() }

func (p *TermProgress) Cell(i, total int, c *Cell) {
	title := Title(c)
	p.mu.Lock()
	p.draw(i-1, total, title)
	p.mu.Unlock()
	tick := p.Tick
	if tick <= 0 {
		tick = time.Second
	}
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go func(stop, done chan struct{}) {
		defer close(done)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw(i-1, total, title)
				p.mu.Unlock()
			}
		}
	}(p.stop, p.done)
}

func (p *TermProgress) Done(i, total int, c *Cell, d time.Duration, err error) {
	p.stopTicker()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.fails++
	}
	p.draw(i, total, Title(c))
}

func (p *TermProgress) Finish() {
	p.stopTicker()
	fmt.Fprintln(p.W)
}

func (p *TermProgress) stopTicker() {
	if p.stop != nil {
		close(p.stop)
		<-p.done
		p.stop, p.done = nil, nil
	}
}

func (p *TermProgress) draw(done, total int, title string) {
	cols := p.Width
	if cols <= 0 {
		cols = 80
	}
	// The counts come first so that a narrow terminal still shows them.
	width := min(max(cols/4, 10), 30)
	fill := 0
	if total > 0 {
		fill = done * width / total
	}
	el := time.Since(p.start).Round(time.Second)
	line := fmt.Sprintf("%d/%d cells %s [%s%s] %s", done, total, el, strings.Repeat("#", fill), strings.Repeat(".", width-fill), title)
	// One column short of the edge: some terminals wrap on the last one.
	fmt.Fprintf(p.W, "\r\x1b[K%s", truncate(line, cols-1))
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
