package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeClock advances by step on every reading, so elapsed times are
// known exactly.
func fakeClock(step time.Duration) func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

func TestProgressPlainPrintsEachTenth(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, "quorum sweep", 20, false, fakeClock(time.Second))
	for range 20 {
		p.Add(1)
	}
	p.Finish()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 10)
	require.Equal(t, "quorum sweep: 2/20 (10%) 2s", lines[0])
	require.Equal(t, "quorum sweep: 20/20 (100%) 20s", lines[9])
	require.NotContains(t, out.String(), "\r", "no terminal control in a log")
}

func TestProgressPlainCutShort(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, "latency", 7, false, fakeClock(time.Second))
	p.Add(3)
	p.Finish()
	p.Add(4)
	p.Finish()
	require.Equal(t, "latency: 3/7 (42%) 1s\nlatency: stopped at 3/7 (42%) 2s\n", out.String())
}

func TestProgressTerminalRedrawsOneLine(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, "seeds", 4, true, fakeClock(time.Second))
	p.Add(1)
	p.Add(3)
	p.Finish()
	s := out.String()
	require.Equal(t, 4, strings.Count(s, "\r\x1b[K"), "start, two steps, finish")
	require.True(t, strings.HasSuffix(s, "\n"))
	require.Equal(t, 1, strings.Count(s, "\n"), "the bar stays on one line")
	require.Contains(t, s, "seeds [------------------------------] 0/4   0% 0s\r")
	require.Contains(t, s, "seeds [#######-----------------------] 1/4  25% 1s, ~3s left\r")
	require.Contains(t, s, "seeds [##############################] 4/4 100% 3s\n")
}

func TestProgressTerminalThrottles(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, "seeds", 1000, true, fakeClock(time.Millisecond))
	for range 1000 {
		p.Add(1)
	}
	redraws := strings.Count(out.String(), "\r")
	require.Less(t, redraws, 30, "one redraw per 100 ms of 1 ms steps, plus the last")
	require.Contains(t, out.String(), "1000/1000 100%")
}

func TestProgressConcurrentAdds(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, "seeds", 100, false, fakeClock(time.Millisecond))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 25 {
				p.Add(1)
			}
		})
	}
	wg.Wait()
	require.Equal(t, 10, strings.Count(out.String(), "\n"))
	require.Contains(t, out.String(), "100/100 (100%)")
}

func TestIsTerminal(t *testing.T) {
	require.False(t, IsTerminal(&bytes.Buffer{}))
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	require.NoError(t, err)
	defer f.Close()
	require.False(t, IsTerminal(f), "a regular file is not a terminal")
}
