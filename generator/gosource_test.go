package generator

import (
	"strings"
	"testing"
)

func TestRewritePackage(t *testing.T) {
	src := "//go:build unix\n\n" +
		"// Package daemon runs a service. Use it as\n" +
		"//\n" +
		"//\tos.Exit(daemon.Main(daemon.Program{Name: \"x\"}, os.Args[1:]))\n" +
		"//\n" +
		"// The daemon.\n" +
		"package daemon\n\n" +
		"// daemon.Main is not in the doc comment, so it stays.\n" +
		"func f() {}\n"
	tests := []struct {
		pkg, want string
	}{
		{"daemon", Marker + "\n\n" + src},
		{"svcd", Marker + "\n\n//go:build unix\n\n" +
			"// Package svcd runs a service. Use it as\n" +
			"//\n" +
			"//\tos.Exit(svcd.Main(svcd.Program{Name: \"x\"}, os.Args[1:]))\n" +
			"//\n" +
			"// The daemon.\n" +
			"package svcd\n\n" +
			"// daemon.Main is not in the doc comment, so it stays.\n" +
			"func f() {}\n"},
	}
	for _, tt := range tests {
		in := []byte(src)
		got, err := RewritePackage(in, tt.pkg)
		if err != nil || string(got) != tt.want {
			t.Errorf("RewritePackage(src, %q) = %q, %v; want %q", tt.pkg, got, err, tt.want)
		}
		if string(in) != src {
			t.Errorf("RewritePackage(src, %q) changed src to %q", tt.pkg, in)
		}
	}
}

func TestRewritePackageErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"package other\n", "package other"},
		{"func f() {}\n", "expected 'package'"},
		{"package daemon\r\n", "carriage return"},
	}
	for _, tt := range tests {
		if _, err := RewritePackage([]byte(tt.src), "svcd"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("RewritePackage(%q) = %v; want an error containing %q", tt.src, err, tt.want)
		}
	}
}

// TestRewritePackageInputs covers the forms of input a template or a user's
// file may have: the marker already first, a byte order mark, the package
// already named pkg, and a block doc comment.
func TestRewritePackageInputs(t *testing.T) {
	want := Marker + "\n\npackage svcd\n"
	for _, src := range []string{
		"package daemon\n",
		Marker + "\n\npackage daemon\n",
		Marker + "\npackage daemon\n",
		"\uFEFFpackage daemon\n",
		"package svcd\n",
	} {
		if got, err := RewritePackage([]byte(src), "svcd"); err != nil || string(got) != want {
			t.Errorf("RewritePackage(%q, svcd) = %q, %v; want %q", src, got, err, want)
		}
	}
	src := "/* Package daemon runs; see daemon.Main. */\npackage daemon\n"
	want = Marker + "\n\n/* Package svcd runs; see svcd.Main. */\npackage svcd\n"
	if got, err := RewritePackage([]byte(src), "svcd"); err != nil || string(got) != want {
		t.Errorf("RewritePackage(%q, svcd) = %q, %v; want %q", src, got, err, want)
	}
}
