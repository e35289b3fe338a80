package reports

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ElectionTimes holds the elections measured with one timing setting.
type ElectionTimes struct {
	// TickTime is the length of one tick, the unit of ZooKeeper's
	// timeouts.
	TickTime time.Duration
	// FinalizeWait is how long Fast Leader Election waits for a better
	// vote after a quorum agrees, before it settles.
	FinalizeWait time.Duration
	// Samples are simulated times from the moment a server first went
	// LOOKING to the moment a leader was established, one per election.
	Samples []time.Duration
}

// Elections draws one box plot of election time per timing setting, on
// a log axis, grouped and coloured by finalize wait with tickTime along
// each group, so both knobs read off one picture. It writes
// election-times.{png,svg}.
func Elections(dir string, data []ElectionTimes) (Figure, error) {
	data = slices.SortedStableFunc(slices.Values(data), func(a, b ElectionTimes) int {
		return cmp.Or(cmp.Compare(a.FinalizeWait, b.FinalizeWait), cmp.Compare(a.TickTime, b.TickTime))
	})
	var all []time.Duration
	for _, d := range data {
		all = append(all, d.Samples...)
	}
	unit := unitFor(largest(all))
	title := "Election time by tickTime and finalize wait"
	p := newPlot(title, "tickTime (grouped by finalize wait)", fmt.Sprintf("time to an established leader (%s, log scale)", unit.name))
	table := Table{Columns: []string{"tickTime", "finalize wait", "elections",
		fmt.Sprintf("p50 (%s)", unit.name), fmt.Sprintf("p90 (%s)", unit.name), fmt.Sprintf("max (%s)", unit.name)}}

	lo, hi := 0.0, 0.0
	for _, s := range all {
		lo, hi = positiveMin(lo, unit.of(s)), max(hi, unit.of(s))
	}
	toY := useLogY(p, lo, hi)
	var k key
	var ticks []plot.Tick
	group := -1
	for i, d := range data {
		if i == 0 || d.FinalizeWait != data[i-1].FinalizeWait {
			group++
			k.add("finalize wait "+d.FinalizeWait.String(), shade{fill: boxFill(group)})
		}
		// A gap of one slot between groups separates them without a rule.
		at := float64(i + group)
		ticks = append(ticks, plot.Tick{Value: at, Label: d.TickTime.String()})
		sorted := sortedCopy(d.Samples)
		table.Rows = append(table.Rows, []string{d.TickTime.String(), d.FinalizeWait.String(), strconv.Itoa(len(sorted)),
			formatNumber(unit.of(percentile(sorted, 0.5))), formatNumber(unit.of(percentile(sorted, 0.9))), formatNumber(unit.of(largest(sorted)))})
		if len(sorted) == 0 {
			continue
		}
		if err := addBox(p, at, sorted, unit, toY, group); err != nil {
			return Figure{}, err
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = -0.7, float64(len(data)+group)-0.3
	paint := func(c draw.Canvas) { p.Draw(margins(k.draw(c))) }
	return writeFigure(dir, "election-times", title, figureWidth, figureHeight, paint, table)
}

func addBox(p *plot.Plot, at float64, sorted []time.Duration, unit durationUnit, toY func(float64) float64, group int) error {
	values := make(plotter.Values, len(sorted))
	for i, s := range sorted {
		values[i] = toY(unit.of(s))
	}
	box, err := plotter.NewBoxPlot(vg.Points(26), at, values)
	if err != nil {
		return err
	}
	edge := draw.LineStyle{Color: seriesColor(group), Width: vg.Points(1.5)}
	box.FillColor = boxFill(group)
	box.BoxStyle, box.WhiskerStyle = edge, edge
	box.MedianStyle = draw.LineStyle{Color: color.Black, Width: vg.Points(2.5)}
	box.GlyphStyle = draw.GlyphStyle{Color: seriesColor(group), Radius: vg.Points(2), Shape: draw.RingGlyph{}}
	// The box's own range would widen the log axis set from all samples.
	p.Add(noRange{box})
	return nil
}

// boxFill is the group's colour, faded so the median line reads on it.
func boxFill(group int) color.Color {
	r, g, b, _ := seriesColor(group).RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x55}
}
