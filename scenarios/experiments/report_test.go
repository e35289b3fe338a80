package experiments

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zabsim/zabsim/nemesis"
	"github.com/zabsim/zabsim/reports"
	"github.com/zabsim/zabsim/scenarios"
)

// meter records what experiments report as they go.
type meter struct {
	mu     sync.Mutex
	totals map[string]int
	done   map[string]int
}

func (m *meter) start(label string, total int) Meter {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.totals[label] = total
	return meterOf{m, label}
}

type meterOf struct {
	m     *meter
	label string
}

func (o meterOf) Add(n int) {
	o.m.mu.Lock()
	defer o.m.mu.Unlock()
	o.m.done[o.label] += n
}

func (meterOf) Finish() {}

// requireHas checks that a page holds text, without printing the whole
// page when it does not.
func requireHas(t *testing.T, page, text string, why ...string) {
	t.Helper()
	require.True(t, strings.Contains(page, text), "the page lacks %q %s", text, strings.Join(why, " "))
}

func TestReportWritesEveryFigure(t *testing.T) {
	dir := t.TempDir()
	m := &meter{totals: map[string]int{}, done: map[string]int{}}
	path, err := Report(dir, ReportOptions{Config: Config{Seeds: 1, Meter: m.start}, Command: "zabsim report --out " + dir + " --seeds 1"})
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, reports.IndexFile), path)
	page, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, name := range []string{"latency-percentiles", "latency-cdf", "availability", "quorum-sweep", "timeline", "election-times", "throughput"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, name+".png"))
			require.NoError(t, err)
			img, err := png.Decode(bytes.NewReader(b))
			require.NoError(t, err)
			require.Greater(t, img.Bounds().Dx(), 500)
			svg, err := os.ReadFile(filepath.Join(dir, name+".svg"))
			require.NoError(t, err)
			require.Contains(t, string(svg), "<svg")
			requireHas(t, string(page), `src="`+name+`.png"`)
			requireHas(t, string(page), `href="`+name+`.svg"`)
		})
	}
	for _, e := range Names() {
		requireHas(t, string(page), "zabsim report --out "+dir+" --seeds 1 --figure "+e, "(each figure names the command that reproduces it)")
	}
	requireHas(t, string(page), "the checkers judged all")
	require.Equal(t, m.totals, m.done, "every experiment reports every run")
	require.Equal(t, len(LatencySizes), m.totals["latency"])
}

func TestSelect(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  []string
		err   string
	}{
		{nil, Names(), ""},
		{[]string{"throughput", "latency"}, []string{"latency", "throughput"}, ""},
		{[]string{"nope"}, nil, `unknown experiment "nope"; valid experiments: latency, availability`},
	} {
		got, err := Select(tc.names)
		if tc.err != "" {
			require.ErrorIs(t, err, ErrUnknown)
			require.ErrorContains(t, err, tc.err)
			continue
		}
		require.NoError(t, err)
		var names []string
		for _, e := range got {
			names = append(names, e.Name)
		}
		require.Equal(t, tc.want, names)
	}
}

func TestRunReportOfAFailingSeed(t *testing.T) {
	sc, err := scenarios.Lookup("split-brain-quorum2")
	require.NoError(t, err)
	ok, err := scenarios.Run(sc, 1, scenarios.Options{Overrides: scenarios.Overrides{Quorum: 3}})
	require.NoError(t, err)
	require.True(t, ok.Verdict.OK())
	bad, err := scenarios.Run(sc, 1, scenarios.Options{})
	require.NoError(t, err)
	require.False(t, bad.Verdict.OK())
	sched, err := sc.Schedule(2)
	require.NoError(t, err)
	shrunk, err := scenarios.Run(sc, 2, scenarios.Options{Schedule: sched[:4]})
	require.NoError(t, err)
	require.False(t, shrunk.Verdict.OK(), "the first partitions already break a quorum of 2")

	dir := filepath.Join(t.TempDir(), "report")
	r, err := NewRunReport(dir)
	require.NoError(t, err)
	require.NoError(t, r.Add(ok, ok.ReplayCommand()))
	require.NoError(t, r.Add(bad, bad.ReplayCommand()))
	require.NoError(t, r.AddShrunk(shrunk))
	var tally scenarios.Tally
	for _, o := range []scenarios.Outcome{ok, bad, shrunk} {
		tally.Add(o)
	}
	path, err := r.Write("zabsim run --scenario split-brain-quorum2", []scenarios.Tally{tally})
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	page := string(b)

	for _, file := range []string{"split-brain-quorum2-seed-1-porcupine.html", "split-brain-quorum2-seed-1-timeline.png",
		"split-brain-quorum2-seed-1-timeline.svg", "split-brain-quorum2-seed-2-timeline.png", "split-brain-quorum2-seed-2.schedule"} {
		info, err := os.Stat(filepath.Join(dir, file))
		require.NoError(t, err, file)
		require.Positive(t, info.Size(), file)
	}
	requireHas(t, page, `href="split-brain-quorum2-seed-1-porcupine.html"`)
	requireHas(t, page, `src="split-brain-quorum2-seed-1-timeline.png"`)
	requireHas(t, page, "zabsim replay --scenario split-brain-quorum2 --seed 1")
	for _, c := range bad.Verdict.Failed() {
		requireHas(t, page, "<h4>"+string(c)+"</h4>", "(each failed check has its section)")
	}
	require.Equal(t, 1, strings.Count(page, "Seed 1<"), "the ok run (quorum 3, seed 1) has no section")

	requireHas(t, page, "Shrunk nemesis schedule")
	for _, st := range sched[:4] {
		requireHas(t, page, st.Fault.String())
	}
	written, err := os.ReadFile(filepath.Join(dir, "split-brain-quorum2-seed-2.schedule"))
	require.NoError(t, err)
	parsed, err := nemesis.Parse(string(written))
	require.NoError(t, err)
	require.Equal(t, sched[:4], parsed, "the schedule file replays with --schedule")
	requireHas(t, page, "--schedule "+filepath.Join(dir, "split-brain-quorum2-seed-2.schedule"))
}

func TestRunReportBoundsWhatItKeeps(t *testing.T) {
	sc, err := scenarios.Lookup("split-brain-quorum2")
	require.NoError(t, err)
	bad, err := scenarios.Run(sc, 1, scenarios.Options{})
	require.NoError(t, err)
	r, err := NewRunReport(t.TempDir())
	require.NoError(t, err)
	for i := range listedMax + 5 {
		o := bad
		o.Seed = uint64(1000 + i) // a different seed would not replay: only the first drawnMax are drawn
		if i < drawnMax {
			o = bad
		}
		require.NoError(t, r.add(o, "replay", false))
	}
	require.Len(t, r.failures[sc.Name], listedMax)
	require.Equal(t, drawnMax, r.drawn[sc.Name])
	drawn := 0
	for _, v := range r.failures[sc.Name] {
		if v.Timeline != nil {
			drawn++
		}
	}
	require.Equal(t, drawnMax, drawn)
}
