package reports

import (
	"math"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// ThroughputPoint is one load level of a throughput experiment.
type ThroughputPoint struct {
	// Clients is the number of concurrent clients, each with one request
	// outstanding at a time.
	Clients int
	// Completed counts operations that completed successfully within
	// Window, the simulated time measured.
	Completed int
	Window    time.Duration
}

// PerSecond is completed operations per second of simulated time.
func (t ThroughputPoint) PerSecond() float64 {
	return share(float64(t.Completed), t.Window.Seconds())
}

// ThroughputSeries is one curve, e.g. one ensemble size or op mix.
type ThroughputSeries struct {
	Label  string
	Points []ThroughputPoint
}

// Throughput draws completed operations per simulated second against the
// client count, one curve per series. Client counts usually double from
// step to step, so the X axis is logarithmic (base 2) and labelled with the
// counts themselves. It writes throughput.{png,svg}.
func Throughput(dir string, series []ThroughputSeries) (Figure, error) {
	title := "Throughput by client count"
	p := newPlot(title, "concurrent clients (log scale)", "completed operations per second (simulated)")
	table := Table{Columns: []string{"series", "clients", "completed", "window (s)", "ops/s"}}
	var k key
	var counts []int
	highest := 0.0
	for i, s := range series {
		points := slices.SortedStableFunc(slices.Values(s.Points), func(a, b ThroughputPoint) int { return a.Clients - b.Clients })
		var xys plotter.XYs
		for _, pt := range points {
			counts = append(counts, pt.Clients)
			highest = max(highest, pt.PerSecond())
			xys = append(xys, plotter.XY{X: math.Log2(float64(max(pt.Clients, 1))), Y: pt.PerSecond()})
			table.Rows = append(table.Rows, []string{s.Label, strconv.Itoa(pt.Clients), strconv.Itoa(pt.Completed),
				formatNumber(pt.Window.Seconds()), formatNumber(pt.PerSecond())})
		}
		thumbs, err := plotSeries(p, xys, i)
		if err := addToKey(&k, s.Label, thumbs, err); err != nil {
			return Figure{}, err
		}
	}
	clientAxis(p, counts)
	p.Y.Min, p.Y.Max = 0, max(1, highest*1.1)
	paint := func(c draw.Canvas) { p.Draw(margins(k.draw(c))) }
	return writeFigure(dir, "throughput", title, figureWidth, figureHeight, paint, table)
}

// clientAxis labels each measured client count at its log2 position.
func clientAxis(p *plot.Plot, counts []int) {
	slices.Sort(counts)
	counts = slices.Compact(counts)
	if len(counts) == 0 {
		return
	}
	ticks := make([]plot.Tick, len(counts))
	for i, c := range counts {
		ticks[i] = plot.Tick{Value: math.Log2(float64(max(c, 1))), Label: strconv.Itoa(c)}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = ticks[0].Value-0.3, ticks[len(ticks)-1].Value+0.3
}
