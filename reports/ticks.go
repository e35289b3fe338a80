package reports

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// logTicks labels 1, 2 and 5 of each decade. gonum's LogTicks labels only
// powers of ten, which leaves a latency axis spanning 2–40 ms with a single
// labelled tick.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	first := int(math.Floor(math.Log10(lo)))
	last := int(math.Ceil(math.Log10(hi)))
	for e := first; e <= last; e++ {
		decade := math.Pow10(e)
		for m := 1; m < 10; m++ {
			v := float64(m) * decade
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
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

// useLogY switches the Y axis to a log scale over [lo, hi], widened to
// whole 1-2-5 steps so the extreme points do not sit on the frame.
func useLogY(p *plot.Plot, lo, hi float64) {
	lo, hi = logBounds(lo, hi)
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.Y.Min, p.Y.Max = lo, hi
}

func useLogX(p *plot.Plot, lo, hi float64) {
	lo, hi = logBounds(lo, hi)
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = logTicks{}
	p.X.Min, p.X.Max = lo, hi
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
