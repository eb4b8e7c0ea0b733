package content

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// module is this repository's module path.
const module = "github.com/paitor/paitor/"

// layers are the import rules that keep the path of one message readable from
// the folder names: the system of record depends on no conversation logic, the
// conversation engine does no I/O of the LINE edge, and reference data (places,
// Thai text) depends on nothing.
var layers = []struct {
	dir       string   // folder (relative to the module root), with everything under it
	forbidden []string // import path prefixes (relative to the module) it must not use
	only      []string // when set, the only project packages it may use
}{
	{dir: "content", forbidden: []string{"guidance", "bot", "cmd"}},
	{dir: "guidance", forbidden: []string{"bot", "cmd"}},
	{dir: "bot", forbidden: []string{"cmd"}},
	{dir: "content/place", only: []string{"content/thai"}},
	{dir: "content/thai", only: []string{}},
	{dir: "content/thaitime", only: []string{}},
}

func TestLayers(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		err := filepath.WalkDir(filepath.Join(root, l.dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				own, ok := strings.CutPrefix(p, module)
				if !ok {
					continue
				}
				for _, bad := range l.forbidden {
					if own == bad || strings.HasPrefix(own, bad+"/") {
						t.Errorf("%s imports %s: %s must not depend on %s", rel, own, l.dir, bad)
					}
				}
				if l.only != nil && !slices.Contains(l.only, own) {
					t.Errorf("%s imports %s: %s is reference data and may use only %v", rel, own, l.dir, l.only)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
