package generator

// stdFirstElems are the names of the directories of $GOROOT/src that hold
// Go packages, in Go 1.23 to 1.26 (a later release only adds to them): the
// first elements of the standard library's import paths. They include what
// "go list std" leaves out, such as builtin, arena (GOEXPERIMENT=arenas)
// and simd. The go command takes a path whose first element has no dot for
// the standard library's, so a module there clashes with it ("ambiguous
// import") as soon as the standard library has the same package, now or in a
// later Go. TestStdFirstElems checks the list against the Go running the tests.
var stdFirstElems = []string{
	"archive", "arena", "bufio", "builtin", "bytes", "cmd", "cmp", "compress",
	"container", "context", "crypto", "database", "debug", "embed", "encoding",
	"errors", "expvar", "flag", "fmt", "go", "hash", "html", "image", "index",
	"internal", "io", "iter", "log", "maps", "math", "mime", "net", "os", "path",
	"plugin", "reflect", "regexp", "runtime", "simd", "slices", "sort", "strconv",
	"strings", "structs", "sync", "syscall", "testing", "text", "time", "unicode",
	"unique", "unsafe", "vendor", "weak",
}
