package reports

import (
	"bytes"
	"html"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// requireFigure checks both files of fig exist in dir, the PNG decodes at
// the size asked for, and the SVG carries every given text (title, axis
// labels), as SVG escapes it.
func requireFigure(t *testing.T, dir string, fig Figure, widthInches, heightInches float64, texts ...string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, fig.PNG))
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	require.Equal(t, int(widthInches*PNGDPI), img.Bounds().Dx())
	require.Equal(t, int(heightInches*PNGDPI), img.Bounds().Dy())

	svg, err := os.ReadFile(filepath.Join(dir, fig.SVG))
	require.NoError(t, err)
	require.Contains(t, string(svg), "<svg")
	require.Contains(t, string(svg), "'Liberation Sans',Arial,", "browsers without Liberation fall back to a metric twin")
	for _, text := range append([]string{fig.Title}, texts...) {
		// Not require.Contains: printing a whole SVG buries the message.
		require.True(t, strings.Contains(string(svg), html.EscapeString(text)), "%s lacks %q", fig.SVG, text)
	}
	require.NotEmpty(t, fig.Table.Columns)
	for _, row := range fig.Table.Rows {
		require.Len(t, row, len(fig.Table.Columns))
	}
}

// figureDir writes to ZABSIM_REPORTS_KEEP when it is set, for looking at
// the figures by eye; the checks are the same either way.
func figureDir(t *testing.T) string {
	if dir := os.Getenv("ZABSIM_REPORTS_KEEP"); dir != "" {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		return dir
	}
	return t.TempDir()
}

// syntheticLatencies draws a log-normal-ish latency per write whose median
// grows with ensemble size, with a rare slow tail, as commits behave.
func syntheticLatencies(seed uint64, sizes ...int) []LatencyBySize {
	r := rand.New(rand.NewPCG(seed, 1))
	var out []LatencyBySize
	for _, n := range sizes {
		d := LatencyBySize{Size: n}
		for range 2000 {
			base := time.Duration(float64(time.Millisecond) * (1 + 0.2*float64(n)) * (0.6 + r.ExpFloat64()*0.4))
			if r.IntN(200) == 0 {
				base *= 20
			}
			d.Samples = append(d.Samples, base)
		}
		out = append(out, d)
	}
	return out
}

func TestLatencyFigures(t *testing.T) {
	dir := figureDir(t)
	data := syntheticLatencies(1, 9, 1, 3, 5, 7)

	fig, err := LatencyPercentiles(dir, data)
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 6, "ensemble size (servers)", "commit latency (ms, log scale)", "p999")
	require.Equal(t, "1", fig.Table.Rows[0][0], "rows follow ensemble size, not input order")

	fig, err = LatencyCDF(dir, data)
	require.NoError(t, err)
	requireFigure(t, dir, fig, 10, 6, "commit latency (ms, log scale)", "writes at or below latency (%)", "9 servers")
}

func TestLatencyFiguresWithoutSamples(t *testing.T) {
	dir := t.TempDir()
	data := []LatencyBySize{{Size: 3}, {Size: 5, Samples: []time.Duration{0, 0}}}
	for _, draw := range []func(string, []LatencyBySize) (Figure, error){LatencyPercentiles, LatencyCDF} {
		fig, err := draw(dir, data)
		require.NoError(t, err)
		requireFigure(t, dir, fig, 10, 6)
	}
}

// Reports of the same numbers must be byte-identical, so a report can be
// diffed across commits and cached by content.
func TestFiguresAreDeterministic(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir()}
	for _, dir := range dirs {
		_, err := TimelineFigure(dir, "timeline", syntheticRun())
		require.NoError(t, err)
		_, err = Availability(dir, syntheticAvailability(3, 4, 5))
		require.NoError(t, err)
	}
	for _, file := range []string{"timeline.png", "timeline.svg", "availability.png", "availability.svg"} {
		a, err := os.ReadFile(filepath.Join(dirs[0], file))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(dirs[1], file))
		require.NoError(t, err)
		require.True(t, bytes.Equal(a, b), "%s differs between two renders", file)
	}
}

// An experiment cut short can leave a figure with nothing to draw; the
// page must still get a figure with labelled, empty axes.
func TestFiguresAcceptNoData(t *testing.T) {
	dir := t.TempDir()
	for name, draw := range map[string]func() (Figure, error){
		"percentiles":  func() (Figure, error) { return LatencyPercentiles(dir, nil) },
		"cdf":          func() (Figure, error) { return LatencyCDF(dir, nil) },
		"availability": func() (Figure, error) { return Availability(dir, nil) },
		"quorum":       func() (Figure, error) { return QuorumSafety(dir, QuorumSweep{}) },
		"elections":    func() (Figure, error) { return Elections(dir, nil) },
		"throughput":   func() (Figure, error) { return Throughput(dir, nil) },
	} {
		fig, err := draw()
		require.NoError(t, err, name)
		require.Empty(t, fig.Table.Rows, name)
		height := 6.0
		if name == "availability" || name == "quorum" {
			height = 5.5
		}
		requireFigure(t, dir, fig, 10, height)
	}
}
