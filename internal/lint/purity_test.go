package lint

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// pureRoots are the directories (relative to the module root) whose
// non-test code must be a pure function of its inputs.
var pureRoots = []string{"protocol", "tree", "internal/codec"}

// forbiddenImports maps an import path (or prefix ending in "/") to what to
// use instead.
var forbiddenImports = map[string]string{
	"os":            "inputs from the host: the core never touches the OS",
	"os/":           "inputs from the host",
	"net":           "messages in Ready: the host owns the network",
	"net/":          "messages in Ready",
	"sync":          "nothing: the core is single-threaded",
	"sync/":         "nothing: the core is single-threaded",
	"math/rand":     "a seeded *rand.Rand from math/rand/v2 passed in the config",
	"crypto/rand":   "a seeded *rand.Rand passed in the config",
	"log":           "returned errors or Ready contents",
	"log/":          "returned errors or Ready contents",
	"unsafe":        "plain Go",
	"runtime":       "nothing: behaviour must not depend on the runtime",
	"io/ioutil":     "inputs from the host",
	"path/filepath": "the tree's own path rules (filepath depends on the OS)",
	"syscall":       "inputs from the host",
}

// allowedSelectors lists the only names a pure package may use from a
// package that is otherwise off limits; time carries durations, never the
// clock, and math/rand/v2 may only build seeded generators.
var allowedSelectors = map[string]map[string]bool{
	"time":         {"Duration": true, "Nanosecond": true, "Microsecond": true, "Millisecond": true, "Second": true, "Minute": true, "Hour": true},
	"math/rand/v2": {"Rand": true, "New": true, "NewPCG": true, "NewChaCha8": true, "PCG": true, "ChaCha8": true, "Source": true},
	"fmt":          {"Sprintf": true, "Sprint": true, "Sprintln": true, "Errorf": true, "Fprintf": true, "Fprint": true, "Stringer": true, "Appendf": true, "Append": true, "Formatter": true, "State": true},
}

func moduleRoot(t *testing.T) string {
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	return root
}

// violations returns one line per impurity found in the Go source of dir.
func violations(t *testing.T, root, dir string) []string {
	var out []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "testdata" || (strings.HasPrefix(name, ".") && path != filepath.Join(root, dir)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out = append(out, fileViolations(fset, rel, f)...)
		return nil
	})
	if err != nil && !strings.Contains(err.Error(), "no such file") {
		require.NoError(t, err)
	}
	return out
}

func fileViolations(fset *token.FileSet, rel string, f *ast.File) []string {
	var out []string
	report := func(pos token.Pos, format string, args ...any) {
		p := fset.Position(pos)
		out = append(out, fmt.Sprintf("%s:%d: %s", rel, p.Line, fmt.Sprintf(format, args...)))
	}
	// local name -> import path, for the packages with restricted names.
	restricted := map[string]string{}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		for bad, instead := range forbiddenImports {
			if path == bad || (strings.HasSuffix(bad, "/") && strings.HasPrefix(path, bad)) {
				report(imp.Pos(), "imports %q; use %s", path, instead)
			}
		}
		if _, ok := allowedSelectors[path]; ok {
			name := filepath.Base(path)
			if path == "math/rand/v2" {
				name = "rand"
			}
			if imp.Name != nil {
				name = imp.Name.Name
			}
			restricted[name] = path
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			report(n.Pos(), "go statement: the core must not start goroutines")
		case *ast.SelectStmt:
			report(n.Pos(), "select statement: the core must not wait on channels")
		case *ast.ChanType:
			report(n.Pos(), "channel type: the core communicates through Ready, not channels")
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok {
				if path, ok := restricted[id.Name]; ok && !allowedSelectors[path][n.Sel.Name] {
					report(n.Pos(), "uses %s.%s; only %s are allowed from %q", id.Name, n.Sel.Name, names(allowedSelectors[path]), path)
				}
			}
		}
		return true
	})
	return out
}

func names(m map[string]bool) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func TestCoreIsPure(t *testing.T) {
	root := moduleRoot(t)
	var all []string
	for _, dir := range pureRoots {
		all = append(all, violations(t, root, dir)...)
	}
	require.Empty(t, all, "protocol/, tree/ and what they import from internal/ must stay pure:\n%s", strings.Join(all, "\n"))
}

// TestLintCatchesImpurity proves the lint itself can fail.
func TestLintCatchesImpurity(t *testing.T) {
	src := `package bad

import (
	"os"
	"sync"
	"time"
	mrand "math/rand/v2"
	"fmt"
)

var mu sync.Mutex

func f(c chan int) {
	go func() {}()
	_ = time.Now()
	_ = time.Duration(3) * time.Second
	_ = mrand.IntN(3)
	_ = mrand.New(mrand.NewPCG(1, 2))
	fmt.Println(os.Args)
	_ = fmt.Sprintf("ok")
	select {}
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "bad.go", src, 0)
	require.NoError(t, err)
	got := fileViolations(fset, "bad.go", f)
	want := []string{
		`bad.go:4: imports "os"`,
		`bad.go:5: imports "sync"`,
		`bad.go:14: go statement`,
		`bad.go:13: channel type`,
		`bad.go:15: uses time.Now`,
		`bad.go:17: uses mrand.IntN`,
		`bad.go:19: uses fmt.Println`,
		`bad.go:21: select statement`,
	}
	require.Len(t, got, len(want), "%s", strings.Join(got, "\n"))
	for _, w := range want {
		found := false
		for _, g := range got {
			if strings.HasPrefix(g, w) {
				found = true
			}
		}
		require.True(t, found, "missing %q in:\n%s", w, strings.Join(got, "\n"))
	}
}
