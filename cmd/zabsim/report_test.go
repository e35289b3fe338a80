package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReportUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no out", []string{"report"}, "--out DIR is required"},
		{"no seeds", []string{"report", "--out", "x", "--seeds", "0"}, "--seeds 0 is outside 1..10000"},
		{"first seed zero", []string{"report", "--out", "x", "--first-seed", "0"}, "--first-seed must be at least 1"},
		{"bad parallel", []string{"report", "--out", "x", "--parallel", "0"}, "--parallel 0 is outside 1..256"},
		{"unknown figure", []string{"report", "--out", "x", "--figure", "pie"}, `unknown experiment "pie"; valid experiments: latency, availability, quorum, timeline, elections, throughput`},
		{"stray argument", []string{"report", "--out", "x", "extra"}, `unexpected arguments "extra"`},
		{"bad report dir", []string{"run", "--scenario", "steady-state", "--report", "/dev/null/x"}, "--report /dev/null/x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.Equal(t, exitUsage, dispatch(tc.args, &stdout, &stderr), "stdout=%q", stdout.String())
			require.Contains(t, stderr.String(), tc.stderr)
		})
	}
}

func TestReportWritesOneFigure(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, dispatch([]string{"report", "--out", dir, "--seeds", "1", "--figure", "timeline"}, &stdout, &stderr), "stderr=%s", stderr.String())
	require.Contains(t, stdout.String(), "wrote "+filepath.Join(dir, "index.html"))
	require.Contains(t, stderr.String(), "timeline: 1/1 (100%)", "progress is plain lines off a terminal")
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	require.NoError(t, err)
	require.True(t, strings.Contains(string(page), "zabsim report --out "+dir+" --seeds 1 --figure timeline"), "the page names the command")
	for _, f := range []string{"timeline.png", "timeline.svg"} {
		info, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
		require.Positive(t, info.Size())
	}
	_, err = os.Stat(filepath.Join(dir, "latency-cdf.png"))
	require.True(t, os.IsNotExist(err), "only the figure asked for")
}

// TestRunReportLinksTheFailingSeeds is the acceptance: the run
// report of split-brain-quorum2 links, for each failing seed, its
// Porcupine page and its timeline image, both written next to it.
func TestRunReportLinksTheFailingSeeds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report")
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"run", "--scenario", "split-brain-quorum2", "--seeds", "5", "--report", dir}, &stdout, &stderr)
	require.Equal(t, exitOK, code, "stdout=%s stderr=%s", stdout.String(), stderr.String())
	require.Contains(t, stderr.String(), "report: "+filepath.Join(dir, "index.html"))
	b, err := os.ReadFile(filepath.Join(dir, "index.html"))
	require.NoError(t, err)
	page := string(b)
	require.True(t, strings.Contains(page, "zabsim run --scenario split-brain-quorum2 --seeds 5 --report "+dir), "the page names the command")

	failing := regexp.MustCompile(`expected violation split-brain-quorum2 seed (\d+)`).FindAllStringSubmatch(stdout.String(), -1)
	require.NotEmpty(t, failing)
	for _, m := range failing {
		seed := m[1]
		section := page[strings.Index(page, `-seed-`+seed+`">Seed `+seed+`<`):]
		if next := strings.Index(section[1:], "<h3 "); next >= 0 {
			section = section[:next+1]
		}
		require.True(t, strings.Contains(section, "zabsim replay --scenario split-brain-quorum2 --seed "+seed), "seed %s: replay", seed)
		for _, link := range []string{
			`href="split-brain-quorum2-seed-` + seed + `-porcupine.html"`,
			`src="split-brain-quorum2-seed-` + seed + `-timeline.png"`,
		} {
			require.True(t, strings.Contains(section, link), "seed %s: %s", seed, link)
			file := strings.TrimSuffix(link[strings.Index(link, `"`)+1:], `"`)
			info, err := os.Stat(filepath.Join(dir, file))
			require.NoError(t, err)
			require.Positive(t, info.Size())
		}
	}
}

// With --rapid the report tallies each seed: a seed whose rapid schedules
// all passed is ok. (How a shrunk schedule is shown is tested in
// scenarios/experiments, without the cost of a search.)
func TestRunRapidReport(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"run", "--scenario", "steady-state", "--seeds", "2", "--rapid", "2", "--duration", "3s", "--report", dir}, &stdout, &stderr)
	require.Equal(t, exitOK, code, "stdout=%s stderr=%s", stdout.String(), stderr.String())
	b, err := os.ReadFile(filepath.Join(dir, "index.html"))
	require.NoError(t, err)
	require.Regexp(t, `<td class="text">steady-state</td><td class="num">2</td><td class="num">2</td><td class="num">0</td>`, string(b))
}
