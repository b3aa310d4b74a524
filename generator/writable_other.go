//go:build !unix

package generator

// checkWritable is a no-op where access(2) is not at hand: a dry run there
// does not find a directory it cannot write into.
func checkWritable(string) error { return nil }

// checkReplaceable is a no-op where access(2) is not at hand.
func checkReplaceable(string) error { return nil }
