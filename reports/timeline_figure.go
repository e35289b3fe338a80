package reports

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var (
	faultFill   = color.NRGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0x40}
	leaderLine  = draw.LineStyle{Color: color.Gray{Y: 0x20}, Width: vg.Points(1.2), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
	outcomeLook = map[Outcome]draw.GlyphStyle{
		OutcomeOK:      {Color: palette[0], Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}},
		OutcomeError:   {Color: palette[1], Radius: vg.Points(3), Shape: draw.CrossGlyph{}},
		OutcomeTimeout: {Color: palette[3], Radius: vg.Points(3.2), Shape: draw.TriangleGlyph{}},
	}
	roleFill = map[Role]color.Color{
		RoleLooking:   palette[4],
		RoleFollowing: palette[5],
		RoleLeading:   palette[2],
		RoleObserving: palette[3],
		RoleDown:      color.Gray{Y: 0x55},
	}
)

// faultLabelRows is how many rows fault labels cycle through; leader labels
// use the rows below them, so the two never share a row.
const faultLabelRows = 2

// TimelineFigure draws one run over simulated time: client latency per
// operation (ok, error and timeout told apart), fault windows shaded and
// labelled, leader changes as dashed lines labelled with server and epoch,
// and under it one band per server coloured by role. It writes
// name.{png,svg}, name made safe as a file name.
func TimelineFigure(dir, name string, tl Timeline) (Figure, error) {
	end := tl.span()
	unit := clockUnitFor(end)
	title := tl.Title
	if title == "" {
		title = "Timeline"
	}
	main := newPlot(title, "", fmt.Sprintf("client latency (%s, log scale)", latencyUnit(tl).name))
	bands := newPlot("", fmt.Sprintf("simulated time (%s)", unit.name), "")
	var k key
	for _, p := range []*plot.Plot{main, bands} {
		p.X.Min, p.X.Max = 0, unit.of(end)
	}
	addFaults(main, &k, tl.Faults, end, unit)
	if err := addOps(main, &k, tl.Ops, unit, latencyUnit(tl)); err != nil {
		return Figure{}, err
	}
	addLeaders(main, &k, tl.Leaders, unit)
	servers := tl.servers()
	addRoleBands(bands, &k, tl.Roles, servers, end, unit)

	bandWeight := min(max(0.3*float64(len(servers)), 0.6), 1.6)
	paint := func(c draw.Canvas) {
		drawStacked(k.draw(c), []*plot.Plot{main, bands}, []float64{3, bandWeight})
	}
	return writeFigure(dir, name, title, figureWidth, timelineHeight, paint, timelineTable(tl, end, unit))
}

// clockUnitFor picks the unit of the time axis. Seconds from one second
// up: a 5 s run labelled 0–5000 ms reads worse than 0–5 s, unlike a latency.
func clockUnitFor(end time.Duration) durationUnit {
	if end >= time.Second {
		return durationUnit{name: "s", size: time.Second}
	}
	return unitFor(end)
}

// latencyUnit is chosen from the slowest operation, separately from the
// time axis: a 60 s run with 3 ms commits wants seconds and milliseconds.
func latencyUnit(tl Timeline) durationUnit {
	var slowest time.Duration
	for _, op := range tl.Ops {
		slowest = max(slowest, op.Latency)
	}
	return unitFor(slowest)
}

func addFaults(p *plot.Plot, k *key, faults []Window, end time.Duration, unit durationUnit) {
	sorted := slices.SortedStableFunc(slices.Values(faults), func(a, b Window) int { return cmp.Compare(a.Start, b.Start) })
	for i, w := range sorted {
		s := shade{from: unit.of(w.Start), to: unit.of(until(w.Start, w.End, end)), fill: faultFill, label: w.Label, row: i % faultLabelRows}
		p.Add(s)
		if i == 0 {
			k.add("fault window", shade{fill: faultFill})
		}
	}
}

func addOps(p *plot.Plot, k *key, ops []OpPoint, unit, latency durationUnit) error {
	if len(ops) == 0 {
		useLogY(p, 0, 0)
		p.Add(centerNote("no client operations"))
		return nil
	}
	lo, hi := 0.0, 0.0
	for _, op := range ops {
		lo, hi = positiveMin(lo, latency.of(op.Latency)), max(hi, latency.of(op.Latency))
	}
	// Headroom above the slowest operation, a quarter of the axis and at
	// least a decade, keeps the fault and leader labels clear of the points.
	room := 1.0
	if lo > 0 {
		room = math.Max(1, math.Log10(hi/lo)/3)
	}
	toY := useLogY(p, lo, hi*math.Pow(10, room))
	for _, outcome := range []Outcome{OutcomeOK, OutcomeError, OutcomeTimeout} {
		var xys plotter.XYs
		for _, op := range ops {
			if op.Outcome == outcome {
				xys = append(xys, plotter.XY{X: unit.of(op.At), Y: toY(latency.of(op.Latency))})
			}
		}
		if len(xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		s.GlyphStyle = outcomeLook[outcome]
		// The scatter's own range would widen the axes set above.
		p.Add(noRange{s})
		k.add(outcome.String(), s)
	}
	return nil
}

func addLeaders(p *plot.Plot, k *key, leaders []LeaderChange, unit durationUnit) {
	for i, l := range leaders {
		label := fmt.Sprintf("%s e%d", l.Server, l.Epoch)
		p.Add(marker{at: unit.of(l.At), line: leaderLine, label: label, row: faultLabelRows + i%2})
		if i == 0 {
			k.add("leader change (server, epoch)", marker{line: leaderLine})
		}
	}
}

func addRoleBands(p *plot.Plot, k *key, spans []RoleSpan, servers []string, end time.Duration, unit durationUnit) {
	ticks := make([]plot.Tick, len(servers))
	for i, s := range servers {
		ticks[i] = plot.Tick{Value: float64(i), Label: s}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Length = 0
	p.Y.Width = 0
	// Servers read top to bottom in declared order.
	p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}}
	p.Y.Min, p.Y.Max = -0.5, max(float64(len(servers))-0.5, 0.5)
	if len(servers) == 0 {
		p.Add(centerNote("no server roles recorded"))
		return
	}
	p.Add(roleBands{spans: spans, servers: servers, end: end, unit: unit})
	for _, r := range []Role{RoleLeading, RoleFollowing, RoleObserving, RoleLooking, RoleDown} {
		k.add(r.String(), shade{fill: roleFill[r]})
	}
}

// roleBands draws each RoleSpan as a filled bar on its server's row.
type roleBands struct {
	spans   []RoleSpan
	servers []string
	end     time.Duration
	unit    durationUnit
}

func (b roleBands) Plot(c draw.Canvas, p *plot.Plot) {
	x, y := p.Transforms(&c)
	for _, s := range b.spans {
		row := slices.Index(b.servers, s.Server)
		left := max(x(b.unit.of(s.Start)), c.Min.X)
		right := min(x(b.unit.of(until(s.Start, s.End, b.end))), c.Max.X)
		if row < 0 || right <= left {
			continue
		}
		top, bottom := y(float64(row)-0.38), y(float64(row)+0.38)
		c.SetColor(roleFill[s.Role])
		c.Fill(vg.Rectangle{Min: vg.Point{X: left, Y: min(top, bottom)}, Max: vg.Point{X: right, Y: max(top, bottom)}}.Path())
	}
}

// noRange hides a plotter's DataRange from plot.Add, for axes already set
// deliberately.
type noRange struct{ plot.Plotter }

// centerNote writes a short message in the middle of a data area that
// has nothing else to show, so an empty panel reads as empty on purpose.
type centerNote string

func (n centerNote) Plot(c draw.Canvas, _ *plot.Plot) {
	sty := noteStyle(color.Gray{Y: 0x60})
	sty.Font.Size = labelSize
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	c.FillText(sty, c.Center(), string(n))
}

// timelineTable lists faults and leader changes in time order, then one
// summary row per outcome, since listing every operation would drown the
// page.
func timelineTable(tl Timeline, end time.Duration, unit durationUnit) Table {
	latency := latencyUnit(tl)
	t := Table{Columns: []string{"event", fmt.Sprintf("from (%s)", unit.name), fmt.Sprintf("to (%s)", unit.name), "detail"}}
	type event struct {
		at  time.Duration
		row []string
	}
	var events []event
	for _, w := range tl.Faults {
		events = append(events, event{w.Start, []string{"fault", formatNumber(unit.of(w.Start)), formatNumber(unit.of(until(w.Start, w.End, end))), w.Label}})
	}
	for _, l := range tl.Leaders {
		events = append(events, event{l.At, []string{"leader", formatNumber(unit.of(l.At)), "", fmt.Sprintf("%s leads epoch %d", l.Server, l.Epoch)}})
	}
	slices.SortStableFunc(events, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	for _, e := range events {
		t.Rows = append(t.Rows, e.row)
	}
	for _, outcome := range []Outcome{OutcomeOK, OutcomeError, OutcomeTimeout} {
		var latencies []time.Duration
		first, last := end, time.Duration(0)
		for _, op := range tl.Ops {
			if op.Outcome == outcome {
				latencies = append(latencies, op.Latency)
				first, last = min(first, op.At), max(last, op.At)
			}
		}
		if len(latencies) == 0 {
			continue
		}
		sorted := sortedCopy(latencies)
		detail := fmt.Sprintf("%s ops, p50 %s %s, max %s %s", strconv.Itoa(len(sorted)),
			formatNumber(latency.of(percentile(sorted, 0.5))), latency.name,
			formatNumber(latency.of(sorted[len(sorted)-1])), latency.name)
		t.Rows = append(t.Rows, []string{"ops " + outcome.String(), formatNumber(unit.of(first)), formatNumber(unit.of(last)), detail})
	}
	return t
}
