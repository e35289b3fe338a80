package reports

// Index is the page `zabsim report` writes next to its figures.
type Index struct {
	Title string
	// Command is the command line that wrote the whole report.
	Command string
	// Notes are short paragraphs under the title: seeds, code version,
	// anything a reader needs to trust the numbers.
	Notes    []string
	Sections []Section
}

// Section is one figure on the index page.
type Section struct {
	// Figure must have been written to the directory the index goes to,
	// since its file names are relative to it.
	Figure Figure
	// Command reproduces exactly this figure.
	Command string
	// Caption says what to read from the figure.
	Caption string
}

// IndexFile is the name of the page WriteIndex and WriteRunReport write.
const IndexFile = "index.html"

// WriteIndex writes dir/index.html: each figure as its PNG linking to its
// SVG, its caption, the command that reproduces it and the table of numbers
// behind it. It returns the page's path.
func WriteIndex(dir string, idx Index) (string, error) {
	if idx.Title == "" {
		idx.Title = "zabsim report"
	}
	return writePage(dir, IndexFile, indexPage, idx)
}
