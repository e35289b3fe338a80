package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is one drawn picture and the numbers behind it.
type Figure struct {
	// Name is the file stem shared by the PNG and the SVG.
	Name string
	// Title is the figure's title as drawn, reused as the page heading.
	Title string
	// PNG and SVG are file names relative to the directory the figure was
	// written to, so a page in that directory can link them as they are.
	PNG, SVG string
	// Table holds the values plotted, formatted for reading.
	Table Table
}

// Table is a rectangular grid of already formatted cells: the page shows
// exactly the digits the figure was drawn from.
type Table struct {
	Columns []string
	Rows    [][]string
}

// PNGDPI is the resolution of every PNG; a figure of W×H inches decodes to
// W·PNGDPI × H·PNGDPI pixels. 96 matches a browser's CSS pixel, so the
// image shows at its natural size without resampling.
const PNGDPI = 96

// Figure sizes in inches. Wide figures suit a report column; the timeline
// is taller because it stacks the role bands under the latency plot.
var (
	figureWidth     = 10 * vg.Inch
	figureHeight    = 6 * vg.Inch
	timelineHeight  = 8 * vg.Inch
	panelPairHeight = 5.5 * vg.Inch
)

// writeFigure runs paint once per format, so PNG and SVG come from the
// same drawing code and cannot disagree.
func writeFigure(dir, name, title string, w, h vg.Length, paint func(draw.Canvas), table Table) (Figure, error) {
	stem := fileStem(name)
	fig := Figure{Name: stem, Title: title, PNG: stem + ".png", SVG: stem + ".svg", Table: table}
	canvases := []struct {
		file   string
		canvas vg.CanvasWriterTo
		fix    func([]byte) []byte
	}{
		{fig.PNG, vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(PNGDPI))}, nil},
		{fig.SVG, vgsvg.New(w, h), svgFontFallback},
	}
	for _, c := range canvases {
		dc := draw.New(c.canvas)
		// SVG starts transparent; a white ground keeps it legible on dark
		// viewers, and gaps between panels match the PNG.
		dc.SetColor(color.White)
		dc.Fill(dc.Rectangle.Path())
		paint(dc)
		var buf bytes.Buffer
		if _, err := c.canvas.WriteTo(&buf); err != nil {
			return Figure{}, fmt.Errorf("reports: figure %s: %w", stem, err)
		}
		data := buf.Bytes()
		if c.fix != nil {
			data = c.fix(data)
		}
		if err := os.WriteFile(filepath.Join(dir, c.file), data, 0o644); err != nil {
			return Figure{}, fmt.Errorf("reports: figure %s: %w", stem, err)
		}
	}
	return fig, nil
}

// svgFontFallback names fonts a browser is likely to have after the one
// the text was measured with. Liberation Sans is metric-compatible with
// Arial, so falling back to it keeps labels the width they were laid out
// at; without a fallback a browser lacking Liberation draws its default
// serif, and labels overrun. Embedding the font instead would add about
// half a megabyte to every SVG.
func svgFontFallback(svg []byte) []byte {
	return bytes.ReplaceAll(svg, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
}

// fileStem keeps names that come from scenario names (which users choose)
// from escaping the output directory or needing URL escaping in a link.
func fileStem(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "figure"
	}
	return b.String()
}
