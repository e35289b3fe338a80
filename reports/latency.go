package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// LatencyBySize holds the commit latencies measured on one ensemble size.
type LatencyBySize struct {
	// Size is the number of voting servers in the ensemble.
	Size int
	// Samples are simulated times from a client's write call to its
	// successful reply, one per acknowledged write; failed writes are not
	// latencies and belong in availability instead.
	Samples []time.Duration
}

var latencyQuantiles = []struct {
	name string
	q    float64
}{{"p50", 0.5}, {"p99", 0.99}, {"p999", 0.999}}

// LatencyPercentiles draws p50, p99 and p999 commit latency against
// ensemble size, on a log axis because the tail is often an order of
// magnitude above the median. It writes latency-percentiles.{png,svg}.
func LatencyPercentiles(dir string, data []LatencyBySize) (Figure, error) {
	data = sortedBySize(data)
	unit := unitFor(latencyLargest(data))
	title := "Commit latency percentiles by ensemble size"
	p := newPlot(title, "ensemble size (servers)", fmt.Sprintf("commit latency (%s, log scale)", unit.name))
	table := Table{Columns: []string{"servers", "writes"}}
	for _, q := range latencyQuantiles {
		table.Columns = append(table.Columns, fmt.Sprintf("%s (%s)", q.name, unit.name))
	}
	table.Columns = append(table.Columns, fmt.Sprintf("max (%s)", unit.name))

	lo, hi := 0.0, 0.0
	sizes := make([]int, 0, len(data))
	series := make([]plotter.XYs, len(latencyQuantiles))
	for _, d := range data {
		sizes = append(sizes, d.Size)
		sorted := sortedCopy(d.Samples)
		row := []string{strconv.Itoa(d.Size), strconv.Itoa(len(sorted))}
		for i, q := range latencyQuantiles {
			v := unit.of(percentile(sorted, q.q))
			row = append(row, formatNumber(v))
			if len(sorted) == 0 {
				continue
			}
			series[i] = append(series[i], plotter.XY{X: float64(d.Size), Y: v})
			lo, hi = positiveMin(lo, v), max(hi, v)
		}
		table.Rows = append(table.Rows, append(row, formatNumber(unit.of(largest(sorted)))))
	}
	toY := useLogY(p, lo, hi)
	for _, xys := range series {
		for j := range xys {
			xys[j].Y = toY(xys[j].Y)
		}
	}
	var k key
	for i, q := range latencyQuantiles {
		thumbs, err := plotSeries(p, series[i], i)
		if err := addToKey(&k, q.name, thumbs, err); err != nil {
			return Figure{}, err
		}
	}
	integerAxisX(p, sizes)
	paint := func(c draw.Canvas) { p.Draw(margins(k.draw(c))) }
	return writeFigure(dir, "latency-percentiles", title, figureWidth, figureHeight, paint, table)
}

// cdfPointsMax bounds the points per curve: beyond a few hundred the line
// looks the same and the SVG only grows.
const cdfPointsMax = 400

// LatencyCDF draws one cumulative distribution of commit latency per
// ensemble size, latency on a log axis. It writes latency-cdf.{png,svg}.
func LatencyCDF(dir string, data []LatencyBySize) (Figure, error) {
	data = sortedBySize(data)
	unit := unitFor(latencyLargest(data))
	title := "Commit latency distribution by ensemble size"
	p := newPlot(title, fmt.Sprintf("commit latency (%s, log scale)", unit.name), "writes at or below latency (%)")
	cdfQuantiles := []float64{0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999}
	table := Table{Columns: []string{"servers", "writes"}}
	for _, q := range cdfQuantiles {
		table.Columns = append(table.Columns, fmt.Sprintf("p%s (%s)", strconv.FormatFloat(100*q, 'f', -1, 64), unit.name))
	}

	lo, hi := 0.0, 0.0
	curves := make([]plotter.XYs, len(data))
	for i, d := range data {
		sorted := sortedCopy(d.Samples)
		row := []string{strconv.Itoa(d.Size), strconv.Itoa(len(sorted))}
		for _, q := range cdfQuantiles {
			row = append(row, formatNumber(unit.of(percentile(sorted, q))))
		}
		table.Rows = append(table.Rows, row)
		curves[i] = cdfPoints(sorted, unit)
		for _, xy := range curves[i] {
			lo, hi = positiveMin(lo, xy.X), max(hi, xy.X)
		}
	}
	toX := useLogX(p, lo, hi)
	percentAxisY(p)
	var k key
	for i, d := range data {
		for j := range curves[i] {
			curves[i][j].X = toX(curves[i][j].X)
		}
		thumbs, err := plotCurve(p, curves[i], i)
		if err := addToKey(&k, servers(d.Size), thumbs, err); err != nil {
			return Figure{}, err
		}
	}
	paint := func(c draw.Canvas) { p.Draw(margins(k.draw(c))) }
	return writeFigure(dir, "latency-cdf", title, figureWidth, figureHeight, paint, table)
}

// cdfPoints samples the empirical CDF at evenly spaced ranks, always
// including the first and the last sample so the tail stays visible.
func cdfPoints(sorted []time.Duration, unit durationUnit) plotter.XYs {
	n := len(sorted)
	if n == 0 {
		return nil
	}
	steps := min(n, cdfPointsMax)
	xys := make(plotter.XYs, 0, steps+1)
	xys = append(xys, plotter.XY{X: unit.of(sorted[0]), Y: 0})
	for k := 1; k <= steps; k++ {
		rank := k * n / steps
		xys = append(xys, plotter.XY{X: unit.of(sorted[rank-1]), Y: 100 * float64(rank) / float64(n)})
	}
	return xys
}

func sortedBySize(data []LatencyBySize) []LatencyBySize {
	return slices.SortedStableFunc(slices.Values(data), func(a, b LatencyBySize) int { return cmp.Compare(a.Size, b.Size) })
}

func latencyLargest(data []LatencyBySize) time.Duration {
	var m time.Duration
	for _, d := range data {
		m = max(m, largest(d.Samples))
	}
	return m
}

// positiveMin tracks the smallest positive value; zero means none yet,
// which suits log axes where zero cannot be drawn.
func positiveMin(current, v float64) float64 {
	if v <= 0 {
		return current
	}
	if current == 0 {
		return v
	}
	return min(current, v)
}
