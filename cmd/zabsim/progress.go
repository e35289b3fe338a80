package main

import (
	"fmt"
	"io"
	"os"
)

// progress is the one status line a long command keeps up to date on a
// terminal; written anywhere else (a pipe, a CI log) it stays silent so
// output remains clean lines.
type progress struct {
	w     io.Writer
	on    bool
	dirty bool
	done  int
	total int
}

func newProgress(w io.Writer, total int) *progress {
	f, ok := w.(*os.File)
	on := false
	if ok {
		if st, err := f.Stat(); err == nil {
			on = st.Mode()&os.ModeCharDevice != 0
		}
	}
	return &progress{w: w, on: on, total: total}
}

func (p *progress) step(scenario string, seed uint64) {
	p.done++
	if !p.on {
		return
	}
	fmt.Fprintf(p.w, "\r\033[K[%d/%d] %s seed %d", p.done, p.total, scenario, seed)
	p.dirty = true
}

// clear erases the status line before other output.
func (p *progress) clear() {
	if p.dirty {
		fmt.Fprint(p.w, "\r\033[K")
		p.dirty = false
	}
}
