package reports

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// allFigures writes every figure from synthetic data into dir.
func allFigures(t *testing.T, dir string) []Figure {
	t.Helper()
	latencies := syntheticLatencies(2, 1, 3, 5)
	var figs []Figure
	for _, draw := range []func() (Figure, error){
		func() (Figure, error) { return LatencyPercentiles(dir, latencies) },
		func() (Figure, error) { return LatencyCDF(dir, latencies) },
		func() (Figure, error) { return Availability(dir, syntheticAvailability(3, 5)) },
		func() (Figure, error) { return QuorumSafety(dir, syntheticSweep()) },
		func() (Figure, error) { return TimelineFigure(dir, "timeline", syntheticRun()) },
		func() (Figure, error) { return Elections(dir, syntheticElections()) },
		func() (Figure, error) {
			return Throughput(dir, []ThroughputSeries{{Label: "3 servers", Points: []ThroughputPoint{{Clients: 1, Completed: 10, Window: time.Second}}}})
		},
	} {
		fig, err := draw()
		require.NoError(t, err)
		figs = append(figs, fig)
	}
	return figs
}

func TestWriteIndex(t *testing.T) {
	dir := figureDir(t)
	idx := Index{Command: `zabsim report --out "/tmp/a&b" --seeds 20`, Notes: []string{"20 seeds per point <b>"}}
	for _, fig := range allFigures(t, dir) {
		idx.Sections = append(idx.Sections, Section{Figure: fig, Command: "zabsim report --figure " + fig.Name + " --seeds 20", Caption: "read <this>"})
	}
	path, err := WriteIndex(dir, idx)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, IndexFile), path)
	page := readPage(t, path)

	require.Contains(t, page, "<title>zabsim report</title>")
	require.Contains(t, page, `zabsim report --out &#34;/tmp/a&amp;b&#34; --seeds 20`)
	require.Contains(t, page, "20 seeds per point &lt;b&gt;")
	require.Contains(t, page, "read &lt;this&gt;")
	for _, s := range idx.Sections {
		require.Contains(t, page, `<a href="`+s.Figure.SVG+`"><img src="`+s.Figure.PNG+`"`)
		require.Contains(t, page, `<section id="`+s.Figure.Name+`">`)
		require.Contains(t, page, s.Command)
		for _, col := range s.Figure.Table.Columns {
			require.Contains(t, page, ">"+escapeText(col)+"</th>")
		}
		require.Contains(t, page, ">"+escapeText(s.Figure.Table.Rows[0][0])+"</td>")
	}
	require.Equal(t, len(idx.Sections), strings.Count(page, "<table>"))
	require.Equal(t, strings.Count(page, "<table>"), strings.Count(page, "</table>"))
	require.Contains(t, page, "<style>", "the stylesheet is inlined")
	require.NotContains(t, page, "<script")
	require.NotContains(t, page, "<link")
}

func TestWriteRunReport(t *testing.T) {
	dir := figureDir(t)
	timeline, err := TimelineFigure(dir, "timeline-split-brain-quorum2-3", syntheticRun())
	require.NoError(t, err)
	report := RunReport{
		Command: "zabsim run --scenario all --seeds 5 --report " + dir,
		Scenarios: []ScenarioResult{
			{Name: "steady", Seeds: 5, OK: 5, Expected: "ok", Met: true, Ops: 5000, SimTime: 150 * time.Second, WallTime: 2500 * time.Millisecond},
			{
				Name: "split-brain-quorum2", Seeds: 5, OK: 3, Violations: 2, Expected: "violation", Met: true, Ops: 4200,
				SimTime: 150 * time.Second, WallTime: 3 * time.Second,
				Failures: []Violation{{
					Seed:   3,
					Replay: "zabsim replay --scenario split-brain-quorum2 --seed 3 --viz viz-3.html",
					Checks: []FailedCheck{{Name: "durability of acknowledged writes", Evidence: []string{
						"client 2 create /k1 -> ok zxid 0x100000004",
						"final state: /k1 <absent>",
					}}},
					Porcupine: filepath.Join(dir, "viz", "seed-3.html"),
					Timeline:  &timeline,
					Schedule:  []string{"8s partition s1,s2 | s3,s4,s5", "16s heal"},
				}},
			},
			{
				Name: "<script>alert(1)</script>", Seeds: 1, Violations: 1, Expected: "ok", Ops: 7,
				Failures: []Violation{{Seed: 9, Replay: "zabsim replay --seed 9", Porcupine: "javascript:alert(1)"}},
			},
		},
	}
	path, err := WriteRunReport(dir, report)
	require.NoError(t, err)
	page := readPage(t, path)

	require.Contains(t, page, report.Command)
	require.Contains(t, page, "1 of 3 scenarios did not meet their expectation.")
	for _, cell := range []string{">split-brain-quorum2</td>", ">violation</td>", ">4200</td>", ">150 s</td>", ">3.00 s</td>", ">total</td>", ">9207</td>"} {
		require.Contains(t, page, cell)
	}
	require.Contains(t, page, "zabsim replay --scenario split-brain-quorum2 --seed 3 --viz viz-3.html")
	require.Contains(t, page, "<h4>durability of acknowledged writes</h4>")
	require.Contains(t, page, "final state: /k1 &lt;absent&gt;")
	require.Contains(t, page, `<a href="viz/seed-3.html">`, "an absolute Porcupine path becomes relative to the report")
	require.Contains(t, page, `<img src="timeline-split-brain-quorum2-3.png"`)
	require.Contains(t, page, `<a href="timeline-split-brain-quorum2-3.svg">`)
	require.Contains(t, page, "8s partition s1,s2 | s3,s4,s5\n16s heal")
	require.Contains(t, page, "Timeline of seed 3")

	require.NotContains(t, page, "<script>", "a scenario name is text, never markup")
	require.Contains(t, page, "&lt;script&gt;alert(1)&lt;/script&gt;")
	require.NotContains(t, page, `href="javascript:`, "html/template neutralises unsafe URLs")
}

func TestWriteRunReportAllMet(t *testing.T) {
	dir := t.TempDir()
	path, err := WriteRunReport(dir, RunReport{Scenarios: []ScenarioResult{{Name: "steady", Seeds: 1, OK: 1, Expected: "ok", Met: true}}})
	require.NoError(t, err)
	page := readPage(t, path)
	require.Contains(t, page, "Every scenario met its expectation.")
	require.NotContains(t, page, ">total</td>", "one scenario needs no total row")
}

func TestWritePageToMissingDirectory(t *testing.T) {
	_, err := WriteIndex(filepath.Join(t.TempDir(), "missing"), Index{})
	require.Error(t, err)
}

// readPage returns the page after checking that every element the
// templates use is closed as often as it is opened, which catches a
// template edit that drops a closing tag.
func readPage(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	page := string(b)
	for _, tag := range []string{"html", "head", "body", "section", "nav", "ol", "li", "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td", "pre", "code", "a", "p", "h1", "h2", "h3", "h4", "span", "b", "style", "title"} {
		opened := regexp.MustCompile(`<`+tag+`[ >]`).FindAllStringIndex(page, -1)
		require.Equal(t, len(opened), strings.Count(page, "</"+tag+">"), "<%s> opened and closed unevenly", tag)
	}
	return page
}

// escapeText is what html/template makes of text in an element.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestLinkPath(t *testing.T) {
	require.Equal(t, "viz/a.html", linkPath("/r", "viz/a.html"))
	require.Equal(t, "../other/a.html", linkPath("/r", "/other/a.html"))
	require.Equal(t, "", linkPath("/r", ""))
}

func TestColumnAligns(t *testing.T) {
	table := Table{
		Columns: []string{"name", "ops", "ok", "wall", "detail"},
		Rows: [][]string{
			{"steady", "12", "99.0%", "3.00 s", ""},
			{"total", "", "100%", "0 s", "partition s1 | s2"},
		},
	}
	require.Equal(t, []string{"text", "num", "num", "num", "text"}, columnAligns(table))
}
