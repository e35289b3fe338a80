package reports

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Progress reports how far a long experiment has come. On a terminal it
// redraws one bar line in place; anywhere else (a CI log, a pipe, a file)
// it prints a plain line each time another tenth of the work is done, so
// the log holds the same lines on every run and only the times differ. It
// is safe for concurrent use, since experiments run seeds in parallel.
type Progress struct {
	mu       sync.Mutex
	w        io.Writer
	label    string
	total    int
	done     int
	terminal bool
	now      func() time.Time
	start    time.Time
	drawn    time.Time // last terminal redraw
	tenths   int       // tenths of the work already reported in plain mode
	finished bool
}

// redrawEvery bounds terminal redraws: thousands of fast seeds would
// otherwise spend their time writing to the terminal.
const redrawEvery = 100 * time.Millisecond

// progressBarWidth is the bar's length in characters, short enough to leave
// room for counts and times on an 80-column terminal.
const progressBarWidth = 30

// NewProgress starts reporting on w for total steps of work named label.
func NewProgress(w io.Writer, label string, total int) *Progress {
	return newProgress(w, label, total, IsTerminal(w), time.Now)
}

func newProgress(w io.Writer, label string, total int, terminal bool, now func() time.Time) *Progress {
	p := &Progress{w: w, label: label, total: max(total, 0), terminal: terminal, now: now, start: now()}
	if terminal {
		p.draw(p.start)
	}
	return p
}

// IsTerminal reports whether w is a character device, which is how a
// terminal shows up without a terminal library. TERM=dumb (Emacs shells,
// some CI runners) opts out of redrawing in place.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	if err != nil {
		return false
	}
	return info.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}

// Add records n more steps done.
func (p *Progress) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.done = min(p.done+n, p.total)
	now := p.now()
	if p.terminal {
		if p.done == p.total || now.Sub(p.drawn) >= redrawEvery {
			p.draw(now)
		}
		return
	}
	if t := p.tenthsDone(); t > p.tenths {
		p.tenths = t
		fmt.Fprintf(p.w, "%s: %d/%d (%d%%) %s\n", p.label, p.done, p.total, p.percent(), p.elapsed(now))
	}
}

// Finish ends the report: on a terminal it leaves the bar on its own
// line; when the work was cut short it says where it stopped. Later
// calls to Add and Finish do nothing.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	now := p.now()
	if p.terminal {
		p.draw(now)
		fmt.Fprintln(p.w)
		return
	}
	if p.done < p.total {
		fmt.Fprintf(p.w, "%s: stopped at %d/%d (%d%%) %s\n", p.label, p.done, p.total, p.percent(), p.elapsed(now))
	}
}

// draw rewrites the terminal line: carriage return, then clear to the
// end of the line so a shorter line leaves no debris.
func (p *Progress) draw(now time.Time) {
	p.drawn = now
	filled := progressBarWidth
	if p.total > 0 {
		filled = progressBarWidth * p.done / p.total
	}
	bar := strings.Repeat("#", filled) + strings.Repeat("-", progressBarWidth-filled)
	fmt.Fprintf(p.w, "\r\x1b[K%s [%s] %d/%d %3d%% %s%s", p.label, bar, p.done, p.total, p.percent(), p.elapsed(now), p.remaining(now))
}

func (p *Progress) percent() int {
	if p.total == 0 {
		return 100
	}
	return 100 * p.done / p.total
}

func (p *Progress) tenthsDone() int {
	if p.total == 0 {
		return 10
	}
	return 10 * p.done / p.total
}

func (p *Progress) elapsed(now time.Time) string {
	return now.Sub(p.start).Round(100 * time.Millisecond).String()
}

// remaining extrapolates from the pace so far; seeds of one experiment
// cost about the same, which makes the linear guess a fair one.
func (p *Progress) remaining(now time.Time) string {
	if p.done == 0 || p.done == p.total {
		return ""
	}
	spent := now.Sub(p.start)
	left := time.Duration(float64(spent) * float64(p.total-p.done) / float64(p.done))
	return ", ~" + left.Round(time.Second).String() + " left"
}
