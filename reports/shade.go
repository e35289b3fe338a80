package reports

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// shade fills the full height of a data area between two X values and
// writes its label at the top, in one of several label rows so labels of
// neighbouring bands do not print over one another. It spans the data area
// rather than a Y range so the Y axis stays fitted to the data.
type shade struct {
	from, to float64
	fill     color.Color
	label    string
	row      int
}

func (s shade) Plot(c draw.Canvas, p *plot.Plot) {
	x, _ := p.Transforms(&c)
	left, right := max(x(s.from), c.Min.X), min(x(s.to), c.Max.X)
	if right <= left {
		return
	}
	c.SetColor(s.fill)
	c.Fill(vg.Rectangle{Min: vg.Point{X: left, Y: c.Min.Y}, Max: vg.Point{X: right, Y: c.Max.Y}}.Path())
	drawRowLabel(c, left+vg.Points(3), s.row, s.label, color.Black)
}

// Thumbnail lets a shade stand in a key.
func (s shade) Thumbnail(c *draw.Canvas) {
	c.SetColor(s.fill)
	c.Fill(c.Rectangle.Path())
}

// marker is a vertical line across the data area at one X value, labelled
// at the top like a shade.
type marker struct {
	at    float64
	line  draw.LineStyle
	label string
	row   int
}

func (m marker) Plot(c draw.Canvas, p *plot.Plot) {
	x, _ := p.Transforms(&c)
	at := x(m.at)
	if !c.ContainsX(at) {
		return
	}
	c.StrokeLine2(m.line, at, c.Min.Y, at, c.Max.Y)
	drawRowLabel(c, at+vg.Points(2), m.row, m.label, m.line.Color)
}

func (m marker) Thumbnail(c *draw.Canvas) {
	x := c.Center().X
	c.StrokeLine2(m.line, x, c.Min.Y, x, c.Max.Y)
}

// labelGround sits behind labels in a data area so lines crossing them
// (a leader change inside a fault window) do not strike them through.
var labelGround = color.NRGBA{R: 0xFF, G: 0xFF, B: 0xFF, A: 0xC8}

// drawRowLabel writes text left-aligned at x, in label row row counted
// down from the top of the data area.
func drawRowLabel(c draw.Canvas, x vg.Length, row int, text string, clr color.Color) {
	if text == "" {
		return
	}
	sty := noteStyle(clr)
	sty.YAlign = draw.YTop
	lineHeight := sty.Height("Mg") * 1.2
	y := c.Max.Y - vg.Points(2) - lineHeight*vg.Length(row)
	c.SetColor(labelGround)
	c.Fill(vg.Rectangle{
		Min: vg.Point{X: x - 1, Y: y - lineHeight + 1},
		Max: vg.Point{X: x + sty.Width(text) + 1, Y: y},
	}.Path())
	c.FillText(sty, vg.Point{X: x, Y: y}, text)
}
