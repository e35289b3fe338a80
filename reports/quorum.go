package reports

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// QuorumPoint sums every seed run with one quorum size.
type QuorumPoint struct {
	// Quorum is the number of votes that commits a proposal and elects a
	// leader.
	Quorum int
	// Seeds is the number of seeds run; the anomaly counts are scaled by
	// it to a rate per 100 seeds.
	Seeds int
	// LostAckedWrites counts acknowledged writes missing from the final
	// agreed state, as the checkers reported them.
	LostAckedWrites int
	// SplitBrainEpochs counts epochs in which more than one server was an
	// established leader.
	SplitBrainEpochs int
	// WritesAttempted counts client write calls; WritesSucceeded those
	// answered with success.
	WritesAttempted, WritesSucceeded int
}

// QuorumSweep is the quorum size experiment on one ensemble under
// partitions.
type QuorumSweep struct {
	// Servers is the number of voting servers in the ensemble.
	Servers int
	Points  []QuorumPoint
}

func per100Seeds(count, seeds int) float64 {
	return share(100*float64(count), float64(seeds))
}

var (
	unsafeFill    = color.RGBA{R: 0xF4, G: 0xD4, B: 0xD0, A: 0xFF}
	lostColor     = palette[1]
	splitColor    = palette[3]
	barWidth      = vg.Points(22)
	barLabelColor = color.Gray{Y: 0x30}
)

// QuorumSafety draws the price of safety: on the left, acknowledged writes
// lost and split-brain epochs per 100 seeds for each quorum size; on the
// right, the share of writes that succeed. Quorum sizes whose quorums need
// not intersect (2q ≤ servers) are shaded in both panels, so the eye reads
// across from "unsafe" to "available". It writes quorum-sweep.{png,svg}.
func QuorumSafety(dir string, sweep QuorumSweep) (Figure, error) {
	points := slices.SortedStableFunc(slices.Values(sweep.Points), func(a, b QuorumPoint) int { return cmp.Compare(a.Quorum, b.Quorum) })
	title := fmt.Sprintf("The price of safety: quorum size on %s under partitions", servers(sweep.Servers))
	safety := newPlot("Safety violations", "quorum size (votes)", "violations per 100 seeds")
	avail := newPlot("Availability", "quorum size (votes)", "successful writes (% of attempts)")
	// The shade goes in first so bars and lines are drawn over it.
	unsafe := shade{from: 0, to: float64(sweep.Servers/2) + 0.5, fill: unsafeFill}
	safety.Add(unsafe)
	avail.Add(unsafe)
	table := Table{Columns: []string{"quorum", "seeds", "lost acked writes", "split-brain epochs", "lost per 100 seeds", "split-brain per 100 seeds", "writes ok (%)"}}

	var quorums []int
	var writes plotter.XYs
	highest := 0.0
	var k key
	for i, pt := range points {
		quorums = append(quorums, pt.Quorum)
		lost, split := per100Seeds(pt.LostAckedWrites, pt.Seeds), per100Seeds(pt.SplitBrainEpochs, pt.Seeds)
		highest = max(highest, lost, split)
		for _, bar := range []struct {
			value  float64
			fill   color.Color
			offset vg.Length
			name   string
		}{
			{lost, lostColor, -barWidth / 2, "acknowledged writes lost"},
			{split, splitColor, barWidth / 2, "split-brain epochs"},
		} {
			b, err := quorumBar(safety, pt.Quorum, bar.value, bar.fill, bar.offset)
			if err != nil {
				return Figure{}, err
			}
			if i == 0 {
				k.add(bar.name, b)
			}
		}
		writes = append(writes, plotter.XY{X: float64(pt.Quorum), Y: 100 * pt.WriteShare()})
		table.Rows = append(table.Rows, []string{
			strconv.Itoa(pt.Quorum), strconv.Itoa(pt.Seeds),
			strconv.Itoa(pt.LostAckedWrites), strconv.Itoa(pt.SplitBrainEpochs),
			formatNumber(lost), formatNumber(split), formatNumber(100 * pt.WriteShare()),
		})
	}
	thumbs, err := plotSeries(avail, writes, 0)
	if err := addToKey(&k, "successful writes", thumbs, err); err != nil {
		return Figure{}, err
	}
	k.add("quorums need not intersect (2q ≤ servers)", unsafe)
	// Every possible quorum size gets a tick, measured or not, so a sweep
	// cut short still shows where the unsafe sizes end.
	for q := 1; q <= sweep.Servers; q++ {
		quorums = append(quorums, q)
	}
	for _, p := range []*plot.Plot{safety, avail} {
		panelStyle(p)
		integerAxisX(p, quorums)
		p.Y.Min = 0
	}
	safety.Y.Max = max(1, highest) * 1.2 // headroom for the value labels
	percentAxisY(avail)
	avail.Y.Max = 105
	paint := func(c draw.Canvas) { drawSideBySide(k.draw(drawTitle(c, title)), safety, avail) }
	return writeFigure(dir, "quorum-sweep", title, figureWidth, panelPairHeight, paint, table)
}

// WriteShare is the share of write attempts that succeeded, in [0, 1].
func (q QuorumPoint) WriteShare() float64 {
	return share(float64(q.WritesSucceeded), float64(q.WritesAttempted))
}

// quorumBar draws one bar with its value printed above it, so a zero is
// read as "none observed" rather than as a missing bar.
func quorumBar(p *plot.Plot, quorum int, value float64, fill color.Color, offset vg.Length) (*plotter.BarChart, error) {
	b, err := plotter.NewBarChart(plotter.Values{value}, barWidth)
	if err != nil {
		return nil, err
	}
	b.XMin = float64(quorum)
	b.Offset = offset
	b.Color = fill
	b.LineStyle.Width = 0
	labels, err := plotter.NewLabels(plotter.XYLabels{
		XYs:    plotter.XYs{{X: float64(quorum), Y: value}},
		Labels: []string{formatNumber(value)},
	})
	if err != nil {
		return nil, err
	}
	labels.TextStyle[0] = noteStyle(barLabelColor)
	labels.TextStyle[0].XAlign = draw.XCenter
	labels.Offset = vg.Point{X: offset, Y: vg.Points(3)}
	p.Add(b, labels)
	return b, nil
}
