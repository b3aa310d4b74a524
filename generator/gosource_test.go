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
		got, err := rewritePackage([]byte(src), tt.pkg)
		if err != nil || string(got) != tt.want {
			t.Errorf("rewritePackage(src, %q) = %q, %v; want %q", tt.pkg, got, err, tt.want)
		}
	}
}

func TestRewritePackageErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"package other\n", "package other"},
		{"func f() {}\n", "expected 'package'"},
		{Marker + "\n\npackage daemon\n", "daemongen adds that line"},
	}
	for _, tt := range tests {
		if _, err := rewritePackage([]byte(tt.src), "svcd"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("rewritePackage(%q) = %v; want an error containing %q", tt.src, err, tt.want)
		}
	}
}
