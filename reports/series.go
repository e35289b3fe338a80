package reports

import (
	"fmt"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// plotSeries draws the series and returns its legend thumbnails, nil for
// an empty series, so callers need not special-case sizes without samples.
func plotSeries(p *plot.Plot, xys plotter.XYs, i int) ([]plot.Thumbnailer, error) {
	if len(xys) == 0 {
		return nil, nil
	}
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return nil, err
	}
	line.LineStyle = seriesLine(i)
	points.GlyphStyle = seriesGlyph(i)
	p.Add(line, points)
	return []plot.Thumbnailer{line, points}, nil
}

// dodge shifts series i of n sideways by a small fraction of an integer
// step, so series with equal values (3 and 4 servers both tolerate one
// crash) stay visible instead of hiding one another.
func dodge(x float64, i, n int) float64 {
	const spread = 0.06
	return x + spread*(float64(i)-float64(n-1)/2)
}

// plotCurve is plotSeries without point markers, for dense curves (CDFs).
func plotCurve(p *plot.Plot, xys plotter.XYs, i int) ([]plot.Thumbnailer, error) {
	if len(xys) == 0 {
		return nil, nil
	}
	line, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	line.LineStyle = seriesLine(i)
	p.Add(line)
	return []plot.Thumbnailer{line}, nil
}

// addToKey names a plotted series in the key unless it drew nothing.
func addToKey(k *key, label string, thumbs []plot.Thumbnailer, err error) error {
	if err == nil && thumbs != nil {
		k.add(label, thumbs...)
	}
	return err
}

// integerAxisX labels exactly the given values and pads half a step on
// each side, so the first and last points are not drawn on the frame.
func integerAxisX(p *plot.Plot, values []int) {
	if len(values) == 0 {
		return
	}
	vs := slices.Clone(values)
	slices.Sort(vs)
	vs = slices.Compact(vs)
	p.X.Tick.Marker = integerTicks{values: vs}
	p.X.Min = float64(vs[0]) - 0.5
	p.X.Max = float64(vs[len(vs)-1]) + 0.5
}

// percentAxisY fixes the Y axis to 0–100 with a tick every ten, the
// natural grid for shares.
func percentAxisY(p *plot.Plot) {
	p.Y.Min, p.Y.Max = 0, 100
	p.Y.Tick.Marker = integerTicks{values: []int{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}}
}

func servers(n int) string {
	if n == 1 {
		return "1 server"
	}
	return fmt.Sprintf("%d servers", n)
}
