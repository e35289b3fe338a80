package reports

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// logTicks labels 1, 2 and 5 of each decade on an axis whose values are
// already log10 of the data. gonum's LogTicks labels only powers of ten,
// which leaves a latency axis spanning 2–40 ms with a single labelled tick;
// past four decades the 2s and 5s crowd, and powers of ten suffice.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	crowded := hi-lo > 4
	var ticks []plot.Tick
	for e := int(math.Floor(lo)); e <= int(math.Ceil(hi)); e++ {
		decade := math.Pow10(e)
		for m := 1; m < 10; m++ {
			v := float64(m) * decade
			at := math.Log10(v)
			if at < lo-1e-9 || at > hi+1e-9 {
				continue
			}
			t := plot.Tick{Value: at}
			if m == 1 || (!crowded && (m == 2 || m == 5)) {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// integerTicks labels whole numbers only: ensemble sizes, crashed servers,
// quorum sizes and client counts have no meaningful fractions.
type integerTicks struct{ values []int }

func (t integerTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for _, v := range t.values {
		if f := float64(v); f >= lo && f <= hi {
			ticks = append(ticks, plot.Tick{Value: f, Label: strconv.Itoa(v)})
		}
	}
	return ticks
}

// useLogY makes the Y axis logarithmic over [lo, hi], widened to whole
// 1-2-5 steps so extreme points do not sit on the frame, and returns the
// mapping every Y value must go through. The axis stays linear over log10
// of the data: gonum's LogScale places a centred axis label by the linear
// midpoint of the range, which on a log axis pushes the label's box far
// above the plot and leaves a wide empty band under the title. Values below
// lo are lifted onto it (a simulation can measure a zero latency), so they
// stay visible instead of vanishing.
func useLogY(p *plot.Plot, lo, hi float64) func(float64) float64 {
	lo, hi = logBounds(lo, hi)
	p.Y.Tick.Marker = logTicks{}
	p.Y.Min, p.Y.Max = math.Log10(lo), math.Log10(hi)
	return func(v float64) float64 { return math.Log10(max(v, lo)) }
}

// useLogX is useLogY for the X axis.
func useLogX(p *plot.Plot, lo, hi float64) func(float64) float64 {
	lo, hi = logBounds(lo, hi)
	p.X.Tick.Marker = logTicks{}
	p.X.Min, p.X.Max = math.Log10(lo), math.Log10(hi)
	return func(v float64) float64 { return math.Log10(max(v, lo)) }
}

// logBounds rounds outwards to 1, 2 or 5 times a power of ten and keeps at
// least one full step between them, since a log axis needs a positive,
// non-empty range.
func logBounds(lo, hi float64) (float64, float64) {
	if lo <= 0 {
		lo = hi / 1000
	}
	if hi <= 0 {
		lo, hi = 0.1, 1
	}
	down := func(v float64) float64 {
		d := math.Pow10(int(math.Floor(math.Log10(v))))
		for _, m := range []float64{5, 2, 1} {
			if m*d <= v*(1+1e-9) {
				return m * d
			}
		}
		return d
	}
	up := func(v float64) float64 {
		d := math.Pow10(int(math.Floor(math.Log10(v))))
		for _, m := range []float64{1, 2, 5, 10} {
			if m*d >= v*(1-1e-9) {
				return m * d
			}
		}
		return 10 * d
	}
	lo, hi = down(lo), up(hi)
	if hi <= lo {
		hi = up(lo * 1.5)
	}
	return lo, hi
}

// linearTicks labels round steps (1, 2 or 5 times a power of ten) chosen
// for about six labels; gonum's default often labels only three, which is
// too coarse to read a value off the grid.
type linearTicks struct{}

func (linearTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', -1, 64)}}
	}
	raw := (hi - lo) / 6
	decade := math.Pow10(int(math.Floor(math.Log10(raw))))
	step := 10 * decade
	for _, m := range []float64{1, 2, 5} {
		if m*decade >= raw {
			step = m * decade
			break
		}
	}
	// Printing no more decimals than the step has keeps float noise
	// (0.7000000000000001) out of the labels.
	decimals := max(0, -int(math.Floor(math.Log10(step))))
	var ticks []plot.Tick
	for i := math.Ceil(lo / step); i*step <= hi+step*1e-9; i++ {
		v := i * step
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
		if half := v + step/2; half <= hi {
			ticks = append(ticks, plot.Tick{Value: half})
		}
	}
	return ticks
}
