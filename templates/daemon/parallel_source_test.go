//go:build !race

package daemon

import (
	"flag"
	"runtime"
	"strconv"
	"testing"
)

// The real-process tests spend most of their time waiting for daemons to
// start, stop and time out, not on a CPU. So that go test ./... stays
// within its 45 s on a 2-core machine, they run six at a time unless
// -parallel says otherwise (its default is GOMAXPROCS, 2 here). Not under
// the race detector, whose run is no part of the 45 s and whose slower
// processes leave the tests' timing less room.
func init() {
	testing.Init()
	p := flag.Lookup("test.parallel")
	if p != nil && p.Value.String() == strconv.Itoa(runtime.GOMAXPROCS(0)) {
		p.Value.Set(strconv.Itoa(max(6, runtime.GOMAXPROCS(0))))
	}
}
