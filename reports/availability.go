package reports

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// AvailabilityPoint sums, over every seed of one ensemble size, the runs
// that had Crashed servers down for the whole measured window.
type AvailabilityPoint struct {
	// Crashed is the number of servers held down.
	Crashed int
	// WritesAttempted counts client write calls; WritesSucceeded those
	// answered with success (errors and timeouts are failures).
	WritesAttempted, WritesSucceeded int
	// LeaderTime is the simulated time during which some server was an
	// established leader (past synchronization), out of Observed, the
	// simulated time measured.
	LeaderTime, Observed time.Duration
}

// AvailabilityBySize is one curve of the availability figure.
type AvailabilityBySize struct {
	// Size is the number of voting servers in the ensemble.
	Size   int
	Points []AvailabilityPoint
}

// WriteShare is the share of write attempts that succeeded, in [0, 1];
// zero when nothing was attempted.
func (a AvailabilityPoint) WriteShare() float64 {
	return share(float64(a.WritesSucceeded), float64(a.WritesAttempted))
}

// LeaderShare is the share of observed time with an established leader.
func (a AvailabilityPoint) LeaderShare() float64 {
	return share(float64(a.LeaderTime), float64(a.Observed))
}

func share(part, whole float64) float64 {
	if whole <= 0 {
		return 0
	}
	return part / whole
}

// Availability draws, side by side, the share of writes that succeed and
// the share of time with an established leader against the number of
// crashed servers, one curve per ensemble size: the step where a curve
// falls to zero is where the ensemble lost its quorum. It writes
// availability.{png,svg}.
func Availability(dir string, data []AvailabilityBySize) (Figure, error) {
	data = slices.SortedStableFunc(slices.Values(data), func(a, b AvailabilityBySize) int { return cmp.Compare(a.Size, b.Size) })
	title := "Availability with crashed servers"
	writes := newPlot("Writes that succeed", "crashed servers", "successful writes (% of attempts)")
	leader := newPlot("Time with an established leader", "crashed servers", "time with a leader (% of run)")
	table := Table{Columns: []string{"servers", "crashed", "writes attempted", "writes succeeded", "writes ok (%)", "time with leader (%)"}}
	var crashed []int
	var k key
	for i, d := range data {
		points := slices.SortedStableFunc(slices.Values(d.Points), func(a, b AvailabilityPoint) int { return cmp.Compare(a.Crashed, b.Crashed) })
		var w, l plotter.XYs
		for _, pt := range points {
			crashed = append(crashed, pt.Crashed)
			x := dodge(float64(pt.Crashed), i, len(data))
			w = append(w, plotter.XY{X: x, Y: 100 * pt.WriteShare()})
			l = append(l, plotter.XY{X: x, Y: 100 * pt.LeaderShare()})
			table.Rows = append(table.Rows, []string{
				strconv.Itoa(d.Size), strconv.Itoa(pt.Crashed),
				strconv.Itoa(pt.WritesAttempted), strconv.Itoa(pt.WritesSucceeded),
				formatNumber(100 * pt.WriteShare()), formatNumber(100 * pt.LeaderShare()),
			})
		}
		thumbs, err := plotSeries(writes, w, i)
		if err := addToKey(&k, servers(d.Size), thumbs, err); err != nil {
			return Figure{}, err
		}
		if _, err := plotSeries(leader, l, i); err != nil {
			return Figure{}, err
		}
	}
	for _, p := range []*plot.Plot{writes, leader} {
		panelStyle(p)
		percentAxisY(p)
		p.Y.Max = 105 // room above 100% so a full-availability curve is not drawn on the frame
		integerAxisX(p, crashed)
	}
	paint := func(c draw.Canvas) { drawSideBySide(k.draw(drawTitle(c, title)), writes, leader) }
	return writeFigure(dir, "availability", title, figureWidth, panelPairHeight, paint, table)
}

// panelStyle shrinks a plot title to a panel heading under the figure's
// own title.
func panelStyle(p *plot.Plot) {
	p.Title.TextStyle.Font.Size = labelSize
	p.Title.Padding = vg.Points(6)
}
