package reports

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// keyEntry is one item of a key: a name and the thumbnails of what it
// names.
type keyEntry struct {
	label  string
	thumbs []plot.Thumbnailer
}

// key is a legend laid out in rows under the panels. gonum's legend sits
// inside a data area, where it hides data in dense figures and cannot
// serve several panels at once.
type key []keyEntry

func (k *key) add(label string, thumbs ...plot.Thumbnailer) {
	*k = append(*k, keyEntry{label: label, thumbs: thumbs})
}

var keyStyle = draw.TextStyle{
	Color:   color.Black,
	Font:    font.From(sansFont, legendSize),
	YAlign:  draw.YCenter,
	Handler: plot.DefaultTextHandler,
}

const (
	keyThumbWidth = vg.Length(24)
	keyTextGap    = vg.Length(5)
	keyEntryGap   = vg.Length(18)
)

// draw lays the entries out left to right in centred rows at the bottom
// of c, wrapping when a row is full, and returns the canvas above them.
func (k key) draw(c draw.Canvas) draw.Canvas {
	if len(k) == 0 {
		return c
	}
	rows := k.rows(c.Max.X - c.Min.X)
	rowHeight := keyStyle.Height("Mg") * 1.5
	pad := vg.Points(6)
	y := c.Min.Y + pad + rowHeight*vg.Length(len(rows)) - rowHeight/2
	for _, row := range rows {
		width := -keyEntryGap
		for _, e := range row {
			width += k.entryWidth(e) + keyEntryGap
		}
		x := c.Center().X - width/2
		for _, e := range row {
			thumb := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: y - rowHeight/3},
				Max: vg.Point{X: x + keyThumbWidth, Y: y + rowHeight/3},
			}}
			for _, t := range e.thumbs {
				t.Thumbnail(&thumb)
			}
			c.FillText(keyStyle, vg.Point{X: x + keyThumbWidth + keyTextGap, Y: y}, e.label)
			x += k.entryWidth(e) + keyEntryGap
		}
		y -= rowHeight
	}
	return draw.Crop(c, 0, 0, rowHeight*vg.Length(len(rows))+2*pad, 0)
}

func (key) entryWidth(e keyEntry) vg.Length {
	return keyThumbWidth + keyTextGap + keyStyle.Width(e.label)
}

func (k key) rows(width vg.Length) [][]keyEntry {
	var rows [][]keyEntry
	var used vg.Length
	for _, e := range k {
		w := k.entryWidth(e)
		if len(rows) == 0 || used+keyEntryGap+w > width {
			rows = append(rows, nil)
			used = -keyEntryGap
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], e)
		used += keyEntryGap + w
	}
	return rows
}
