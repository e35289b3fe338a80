package reports

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// drawTitle writes a figure-level title across the top of c and returns
// the canvas left below it. Multi-panel figures need it because a
// plot.Plot title would centre over one panel only.
func drawTitle(c draw.Canvas, title string) draw.Canvas {
	sty := draw.TextStyle{
		Color:   color.Black,
		Font:    font.From(sansFont, titleSize),
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
		Handler: plot.DefaultTextHandler,
	}
	pad := vg.Points(6)
	c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y - pad}, title)
	height := sty.Height(title) + 2*pad
	return draw.Crop(c, 0, 0, 0, -height)
}

// drawSideBySide draws plots in one row with equally sized data areas,
// so the same value sits at the same height in every panel.
func drawSideBySide(c draw.Canvas, plots ...*plot.Plot) {
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Points(24), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, c)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
}

// drawStacked draws plots top to bottom, each taking its weight's share
// of the height, with their data areas' left and right edges aligned so a
// shared X axis (simulated time) lines up across panels. plot.Align would
// force equal heights, which wastes room on thin role bands.
func drawStacked(c draw.Canvas, plots []*plot.Plot, weights []float64) {
	c = margins(c)
	gap := vg.Points(6)
	var total float64
	for _, w := range weights {
		total += w
	}
	height := c.Max.Y - c.Min.Y - gap*vg.Length(len(plots)-1)
	regions := make([]draw.Canvas, len(plots))
	top := c.Max.Y
	for i, w := range weights {
		h := height * vg.Length(w/total)
		regions[i] = draw.Crop(c, 0, 0, top-h-c.Min.Y, top-c.Max.Y)
		top -= h + gap
	}
	var left, right vg.Length
	for i, p := range plots {
		data := p.DataCanvas(regions[i])
		left = max(left, data.Min.X-regions[i].Min.X)
		right = max(right, regions[i].Max.X-data.Max.X)
	}
	for i, p := range plots {
		data := p.DataCanvas(regions[i])
		extraLeft := left - (data.Min.X - regions[i].Min.X)
		extraRight := right - (regions[i].Max.X - data.Max.X)
		p.Draw(draw.Crop(regions[i], extraLeft, -extraRight, 0, 0))
	}
}

// margins keeps plots off the figure's edges; the right margin holds half
// of the last tick label, which is centred on the axis' end.
func margins(c draw.Canvas) draw.Canvas {
	return draw.Crop(c, vg.Points(4), -vg.Points(14), 0, 0)
}
