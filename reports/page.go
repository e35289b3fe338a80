package reports

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

//go:embed templates
var templateFiles embed.FS

// pageCSS is inlined into every page so a report directory can be copied,
// zipped or attached to a ticket and still render as it did.
var pageCSS = func() template.CSS {
	css, err := templateFiles.ReadFile("templates/style.css")
	if err != nil {
		panic(err) // embedded at build time; missing means a broken build
	}
	return template.CSS(css)
}()

var pageFuncs = template.FuncMap{
	"css":    func() template.CSS { return pageCSS },
	"aligns": columnAligns,
}

var (
	indexPage = template.Must(template.New("index.html").Funcs(pageFuncs).ParseFS(templateFiles, "templates/index.html", "templates/table.html"))
	runPage   = template.Must(template.New("run.html").Funcs(pageFuncs).ParseFS(templateFiles, "templates/run.html", "templates/table.html"))
)

// columnAligns right-aligns columns of numbers, so digits line up, and
// left-aligns every other column, header included. It returns one CSS
// class per column; a row shorter than the header leaves the rest numeric.
func columnAligns(t Table) []string {
	aligns := make([]string, len(t.Columns))
	for i := range aligns {
		aligns[i] = "num"
	}
	for _, row := range t.Rows {
		for i, cell := range row {
			if i < len(aligns) && !isNumber(cell) {
				aligns[i] = "text"
			}
		}
	}
	return aligns
}

// isNumber accepts the forms formatNumber and formatSeconds produce, a
// trailing percent sign, and an empty cell, which says nothing about its
// column.
func isNumber(cell string) bool {
	if cell == "" {
		return true
	}
	number := strings.TrimSuffix(strings.TrimSuffix(cell, "%"), " s")
	_, err := strconv.ParseFloat(number, 64)
	return err == nil
}

// writePage renders fully before creating the file, so a template error
// never leaves half a page behind.
func writePage(dir, file string, page *template.Template, data any) (string, error) {
	var buf bytes.Buffer
	if err := page.Execute(&buf, data); err != nil {
		return "", fmt.Errorf("reports: render %s: %w", file, err)
	}
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("reports: %w", err)
	}
	return path, nil
}
