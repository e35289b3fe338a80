package reports

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Sans serif reads better than gonum's serif default at the small sizes of
// tick labels in a browser-scaled PNG.
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

const (
	titleSize  = 16
	labelSize  = 13
	tickSize   = 11
	legendSize = 11
	noteSize   = 10
)

// palette is Okabe and Ito's colour-blind-safe set, so ensemble sizes stay
// distinguishable for every reader; glyph shapes differ too, for print.
var palette = []color.Color{
	color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}, // blue
	color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, // vermillion
	color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}, // bluish green
	color.RGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, // reddish purple
	color.RGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
	color.RGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
	color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}, // black
	color.RGBA{R: 0xF0, G: 0xE4, B: 0x42, A: 0xFF}, // yellow
}

var gridColor = color.Gray{Y: 0xD8}

// seriesColor cycles the palette so a ninth series still gets a colour;
// its dashes tell it apart from the first.
func seriesColor(i int) color.Color { return palette[i%len(palette)] }

// seriesDashes varies from the second lap of the palette on.
func seriesDashes(i int) []vg.Length {
	if (i/len(palette))%2 == 1 {
		return []vg.Length{vg.Points(6), vg.Points(3)}
	}
	return nil
}

var glyphShapes = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{},
	draw.RingGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{},
}

func seriesGlyph(i int) draw.GlyphStyle {
	return draw.GlyphStyle{Color: seriesColor(i), Radius: vg.Points(3.5), Shape: glyphShapes[i%len(glyphShapes)]}
}

func seriesLine(i int) draw.LineStyle {
	return draw.LineStyle{Color: seriesColor(i), Width: vg.Points(2), Dashes: seriesDashes(i)}
}

// newPlot applies the house style: large title, labelled axes, a faint
// grid to read values against. Figures name their series in a key under
// the plot rather than in gonum's legend, which sits on the data.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sansFont, titleSize)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, labelSize)
		a.Tick.Label.Font = font.From(sansFont, tickSize)
		a.Label.Padding = vg.Points(4)
		a.Tick.Marker = linearTicks{}
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	grid := plotter.NewGrid()
	grid.Vertical.Color = gridColor
	grid.Horizontal.Color = gridColor
	p.Add(grid)
	return p
}

// noteStyle is for text drawn inside a data area (fault and leader labels).
func noteStyle(c color.Color) draw.TextStyle {
	return draw.TextStyle{
		Color:   c,
		Font:    font.From(sansFont, noteSize),
		Handler: plot.DefaultTextHandler,
	}
}
