package generator

import (
	"bytes"
	"io/fs"
	"reflect"
	"testing"

	"github.com/daemongen/daemongen/templates"
)

// TestTableAndAbove: "new" parses install.go only down to the end of the
// table of init systems, and reads the same rows as from the whole file.
func TestTableAndAbove(t *testing.T) {
	src, err := fs.ReadFile(templates.FS, "daemon/"+initTableFile)
	if err != nil {
		t.Fatal(err)
	}
	cut := tableAndAbove(src)
	if len(cut) >= len(src)/2 || !bytes.HasPrefix(src, cut) || !bytes.Contains(cut, []byte("var "+initTable+" = ")) {
		t.Fatalf("tableAndAbove(install.go) is %d of %d bytes; want a prefix holding the table, less than half the file", len(cut), len(src))
	}
	whole, err1 := parseInits("install.go", src)
	fromCut, err2 := parseInits("install.go", cut)
	if err1 != nil || err2 != nil || len(whole) < 5 || !reflect.DeepEqual(whole, fromCut) {
		t.Errorf("rows from the cut (%v) differ from the whole file's (%v)", err2, err1)
	}
	if got := tableAndAbove([]byte("package daemon\n")); string(got) != "package daemon\n" {
		t.Errorf("tableAndAbove without a table = %q; want all of it", got)
	}
}
