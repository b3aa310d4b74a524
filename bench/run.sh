#!/usr/bin/env bash
# shellcheck disable=SC2016 # backquotes in single quotes are Markdown
# Benchmarks of daemongen and of the daemon it generates, side by side with
# sevlyar/go-daemon's signal-handling sample and with cp -r, in one run.
# It prints a Markdown table (the median and spread of RUNS runs of each
# timing, default 20, at least 10; each goal of issue 18 and whether this
# run meets it) and writes it, with the date and the machine, to
# bench/results.md, which the README links. Run it from anywhere:
#
#	bash bench/run.sh            # RUNS=30 bash bench/run.sh for more runs
#	BENCH_OUT=- bash bench/run.sh  # print only, leave bench/results.md alone
#
# It builds daemongen, a generated project "mysvc" (plain and --socket), a
# bare main serving the --socket example's handler without the daemon
# package, and go-daemon's sample (from the Go module proxy, at
# GODAEMON_VERSION) in a temporary directory on tmpfs, which it removes
# afterwards, and stops every daemon it started. Timings use hyperfine
# (installed from Debian as root when missing) or, without it, a loop of
# date +%s%N. Nothing here is a test: no figure fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
	export PATH="$PATH:/usr/local/go/bin"
fi
RUNS=${RUNS:-20}
if [ "$RUNS" -lt 10 ]; then
	echo "bench/run.sh: RUNS=$RUNS; use at least 10" >&2
	exit 2
fi
IDLE=${IDLE:-5} # idle daemons of each kind whose RSS is taken
GODAEMON_VERSION=${GODAEMON_VERSION:-v0.1.6}
out=${BENCH_OUT:-$root/bench/results.md}

if ! command -v hyperfine >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	apt-get install -y -qq hyperfine >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq hyperfine >/dev/null 2>&1; } || true
fi
have_hyperfine=false
if command -v hyperfine >/dev/null && [ -z "${BENCH_NO_HYPERFINE:-}" ]; then
	have_hyperfine=true
fi

# On tmpfs where there is one: disk caches would make cp -r, the floor,
# depend on the machine's disk.
tmp=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
run=$tmp/run
mkdir -p "$run"

# cleanup stops the daemons started here and removes tmp.
cleanup() {
	for p in "$run"/*.pid; do
		if [ -e "$p" ]; then "$tmp/mysvc/mysvc" stop --pidfile "$p" >/dev/null 2>&1 || true; fi
	done
	for d in "$tmp"/gd*/; do
		if [ -e "$d/sample.pid" ]; then (cd "$d" && "$tmp/gd/gdsample" -s stop >/dev/null 2>&1) || true; fi
	done
	if [ -e "$run/bare.pid" ]; then kill "$(cat "$run/bare.pid")" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "building in $tmp ..." >&2
go build -o "$tmp/daemongen" .
CGO_ENABLED=0 go build -o "$tmp/daemongen-static" .
dg=$tmp/daemongen
"$dg" new mysvc --module example.com/mysvc --dir "$tmp/mysvc" >/dev/null
cp -r "$tmp/mysvc" "$tmp/tree" # the output tree alone, for the cp -r floor
(cd "$tmp/mysvc" && go build -o mysvc .)
svc=$tmp/mysvc/mysvc
port=$((20000 + RANDOM % 20000))
"$dg" new mysvc --module example.com/mysvc --socket "127.0.0.1:$port" --dir "$tmp/sock" >/dev/null
(cd "$tmp/sock" && go build -o mysvc .)

# The bare main: the --socket example's Service, listening with net.Listen
# and run by signal.NotifyContext, without the daemon package.
mkdir -p "$tmp/bare"
printf 'module example.com/bare\n\ngo 1.22\n' >"$tmp/bare/go.mod"
perl -0pe 's/\t"example.com\/mysvc\/internal\/daemon"\n//;
	s/f, err := daemon.Listen\("http", s.Addr\)\n\tif err != nil \{\n\t\treturn err\n\t\}\n\tln, err := net.FileListener\(f\)\n\tf.Close\(\)\n/ln, err := net.Listen("tcp", s.Addr)\n/;
	s/\n\tdaemon.SetStatus\([^\n]*//; s/daemon.StopTimeout/(10 * time.Second)/g' "$tmp/sock/httpservice.go" >"$tmp/bare/service.go"
cat >"$tmp/bare/main.go" <<'END'
package main

import (
	"context"
	"log"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	s := &Service{}
	if err := s.Init(ctx); err != nil {
		log.Fatal(err)
	}
	if err := s.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
END
bare_ok=true
(cd "$tmp/bare" && go build -o bare .) || bare_ok=false

# go-daemon's sample, gd-signal-handling: start forks and returns, "-s
# stop" signals and returns; it waits neither for readiness nor for exit.
gd_ok=true
mkdir -p "$tmp/gd"
(
	cd "$tmp/gd" && go mod init gdsample >/dev/null 2>&1 &&
		GOFLAGS=-mod=mod go get "github.com/sevlyar/go-daemon@$GODAEMON_VERSION" >/dev/null 2>&1 &&
		cp "$(go env GOMODCACHE)/github.com/sevlyar/go-daemon@$GODAEMON_VERSION/examples/cmd/gd-signal-handling/signal-handling.go" main.go &&
		chmod u+w main.go && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 && go build -o gdsample .
) || gd_ok=false
gd=$tmp/gd/gdsample
$gd_ok || echo "bench/run.sh: could not build go-daemon $GODAEMON_VERSION's sample from the module proxy; its column stays empty" >&2

# samples PREPARE CMD... prints one wall time in ms per line, RUNS of them,
# each of CMD run once after PREPARE (a shell command).
samples() {
	local prepare=$1
	shift
	if $have_hyperfine; then
		local json=$tmp/hyperfine.json
		hyperfine -N --style none --warmup 3 --runs "$RUNS" --prepare "$prepare" --export-json "$json" "$*" >/dev/null || return 0
		sed -n '/"times"/,/]/p' "$json" | grep -Eo '[0-9][0-9.e+-]*' | awk '{ printf "%.3f\n", $1 * 1000 }'
	else
		local i t0 t1
		for ((i = 0; i < RUNS + 3; i++)); do
			bash -c "$prepare" >/dev/null 2>&1 || true
			t0=$(date +%s%N)
			"$@" >/dev/null 2>&1 || { echo "bench/run.sh: $* failed" >&2 && return 0; }
			t1=$(date +%s%N)
			if [ "$i" -ge 3 ]; then
				awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f\n", d / 1e6 }'
			fi
		done
	fi
}

# median prints the median of the numbers on stdin ("" for none).
median() {
	sort -g | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}
# spread prints "p10 – p90" of the numbers on stdin.
spread() {
	sort -g | awk '{ a[NR] = $1 } function q(p) { i = int(p * NR + 0.999999); return a[i < 1 ? 1 : i] }
		END { if (NR) printf "%.1f – %.1f", q(0.1), q(0.9) }'
}

rows=()
# row FIGURE OURS THEIRS GOAL VERDICT adds a table row.
row() { rows+=("| $1 | $2 | $3 | $4 | $5 |"); }
# verdict A OP B: "met" or "not met" for A OP B (awk arithmetic).
# B may be a product, "2 * 3.1".
verdict() {
	if awk -v a="$1" "BEGIN { exit !(a $2 $3) }"; then echo met; else echo "**not met**"; fi
}
ms() { awk -v m="$1" 'BEGIN { printf "%.1f ms", m }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1e6 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# timing PREPARE CMD... prints "median|p10 – p90" in ms.
timing() {
	local t
	t=$(samples "$@")
	echo "$(median <<<"$t")|$(spread <<<"$t")"
}

echo "timing start and stop ..." >&2
flags="--pidfile $run/m.pid --log $run/m.log"
# shellcheck disable=SC2086
start_t=$(timing "$svc stop $flags" "$svc" start $flags)
# shellcheck disable=SC2086
stop_t=$(timing "$svc start $flags" "$svc" stop $flags)
# shellcheck disable=SC2086
"$svc" stop $flags >/dev/null 2>&1 || true
if $gd_ok; then
	# gd_gone waits for the sample daemon to remove its pidfile, gd_ready for
	# it to write its pid.
	# Its stop finds the pid in the file, which the daemon writes after
	# start has returned, and its handler may take a second: ask again only
	# after two.
	cat >"$tmp/gd/gone.sh" <<END
cd $tmp/gd || exit 1
while [ -e sample.pid ]; do
	if [ -s sample.pid ]; then
		./gdsample -s stop >/dev/null 2>&1
		for _ in \$(seq 200); do [ -e sample.pid ] || exit 0; sleep 0.01; done
	fi
	sleep 0.01
done
END
	cat >"$tmp/gd/ready.sh" <<END
sh $tmp/gd/gone.sh; cd $tmp/gd && ./gdsample && while [ ! -s sample.pid ]; do sleep 0.01; done
END
	gd_start_t=$(cd "$tmp/gd" && timing "sh $tmp/gd/gone.sh" ./gdsample)
	gd_stop_t=$(cd "$tmp/gd" && timing "sh $tmp/gd/ready.sh" ./gdsample -s stop)
	sh "$tmp/gd/gone.sh"
fi

# rss_kib PID prints PID's resident set in KiB.
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

echo "measuring idle daemons ..." >&2
ours_rss=()
for ((i = 0; i < IDLE; i++)); do
	"$svc" start --pidfile "$run/idle$i.pid" --log "$run/idle$i.log" >/dev/null
done
gd_rss=()
if $gd_ok; then
	for ((i = 0; i < IDLE; i++)); do
		mkdir -p "$tmp/gd$i"
		(cd "$tmp/gd$i" && "$gd" && while [ ! -s sample.pid ]; do sleep 0.01; done) ||
			echo "bench/run.sh: go-daemon's sample did not start in $tmp/gd$i" >&2
	done
fi
sleep 2
for ((i = 0; i < IDLE; i++)); do
	ours_rss+=("$(rss_kib "$(cat "$run/idle$i.pid")")")
	if $gd_ok && [ -s "$tmp/gd$i/sample.pid" ]; then gd_rss+=("$(rss_kib "$(cat "$tmp/gd$i/sample.pid")")"); fi
done
for ((i = 0; i < IDLE; i++)); do
	"$svc" stop --pidfile "$run/idle$i.pid" >/dev/null
	if $gd_ok; then (cd "$tmp/gd$i" && "$gd" -s stop >/dev/null 2>&1) || true; fi
done
ours_rss_m=$(printf '%s\n' "${ours_rss[@]}" | median)

echo "measuring the --socket example and the bare main ..." >&2
sock_rss='' bare_rss=''
"$tmp/sock/mysvc" start --pidfile "$run/sock.pid" --log "$run/sock.log" >/dev/null
curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1 || true
sleep 1
sock_rss=$(rss_kib "$(cat "$run/sock.pid")")
"$tmp/sock/mysvc" stop --pidfile "$run/sock.pid" >/dev/null
if $bare_ok; then
	"$tmp/bare/bare" 2>"$run/bare.log" &
	echo $! >"$run/bare.pid"
	for _ in $(seq 100); do
		if curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; then break; fi
		sleep 0.02
	done
	sleep 1
	bare_rss=$(rss_kib "$(cat "$run/bare.pid")")
	kill "$(cat "$run/bare.pid")" && rm "$run/bare.pid"
fi

# The load: CLIENTS goroutines, each GET / on a new connection in a loop,
# until $1.stop exists; it prints "OK FAILED" (failed: refused, reset or
# unanswered).
mkdir -p "$tmp/load"
printf 'module example.com/load\n\ngo 1.22\n' >"$tmp/load/go.mod"
cat >"$tmp/load/main.go" <<'END'
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	var ok, failed atomic.Int64
	var wg sync.WaitGroup
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 30 * time.Second}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if _, err := os.Stat(os.Args[2]); err == nil {
					return
				}
				resp, err := c.Get(os.Args[1])
				if err == nil {
					_, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				if err != nil {
					failed.Add(1)
				} else {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Println(ok.Load(), failed.Load())
}
END
(cd "$tmp/load" && go build -o load .)

# under_load CMD... runs the --socket example under the load, CMD three
# times, and prints "median ms|failed requests|answered requests".
under_load() {
	local sock="$tmp/sock/mysvc" times=() counts
	"$sock" start --pidfile "$run/up.pid" --log "$run/up.log" >/dev/null
	rm -f "$run/load.stop"
	"$tmp/load/load" "http://127.0.0.1:$port/" "$run/load.stop" >"$run/load.out" &
	local load=$!
	sleep 1
	for _ in 1 2 3; do
		cp "$sock" "$sock.new" && mv "$sock.new" "$sock" # a rebuilt binary, put in place as an operator does
		local t0 t1
		t0=$(date +%s%N)
		"$@" --pidfile "$run/up.pid" --log "$run/up.log" >/dev/null 2>&1 || echo "bench/run.sh: $* failed" >&2
		t1=$(date +%s%N)
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e6 }')")
		sleep 1
	done
	touch "$run/load.stop"
	wait "$load"
	counts=$(cat "$run/load.out")
	"$sock" stop --pidfile "$run/up.pid" >/dev/null
	echo "$(printf '%s\n' "${times[@]}" | median)|${counts#* }|${counts% *}"
}
echo "timing upgrade and restart under load ..." >&2
upgrade_l=$(under_load "$tmp/sock/mysvc" upgrade)
restart_l=$(under_load "$tmp/sock/mysvc" restart)

echo "timing daemongen new and cp -r ..." >&2
new_t=$(timing "rm -rf $tmp/new" "$dg" new mysvc --module example.com/mysvc --dir "$tmp/new")
new_static_t=$(timing "rm -rf $tmp/new" "$tmp/daemongen-static" new mysvc --module example.com/mysvc --dir "$tmp/new")
cp_t=$(timing "rm -rf $tmp/copy" cp -r "$tmp/tree" "$tmp/copy")
mkdir -p "$tmp/empty"
printf 'module empty\n\ngo 1.22\n' >"$tmp/empty/go.mod"
printf 'package main\n\nfunc main() {}\n' >"$tmp/empty/main.go"
(cd "$tmp/empty" && go build -o "$tmp/empty-go" .)
empty_t=$(timing true "$tmp/empty-go")
version_t=$(timing true "$dg" version)
generate_t=$(cd "$tmp/mysvc" && timing true "$dg" generate)

size() { stat -c %s "$1"; }
static() { if ldd "$1" >/dev/null 2>&1; then echo "dynamic (links libc)"; else echo static; fi; }

# The table.
m() { echo "${1%%|*}"; }
s() { echo "${1#*|}"; }
ours_size=$(size "$svc")
row 'binary of the plain example, `go build`' "$(mb "$ours_size"), $(static "$svc")" \
	"$($gd_ok && echo "$(mb "$(size "$gd")"), $(static "$gd")")" "≤ go-daemon's, static" \
	"$($gd_ok && verdict "$ours_size" '<=' "$(size "$gd")")"
if $gd_ok; then
	gd_rss_m=$(printf '%s\n' "${gd_rss[@]}" | median)
	row "idle RSS (median of $IDLE daemons, after 2 s)" "$(mib "$ours_rss_m")" "$(mib "$gd_rss_m")" "≤ go-daemon's" \
		"$(verdict "$ours_rss_m" '<=' "$gd_rss_m")"
	row '`start` returns (ours: daemon ready; theirs: forked)' "$(ms "$(m "$start_t")") ($(s "$start_t"))" \
		"$(ms "$(m "$gd_start_t")") ($(s "$gd_start_t"))" "≤ 2 × go-daemon's" \
		"$(ratio "$(m "$start_t")" "$(m "$gd_start_t")")×, $(verdict "$(m "$start_t")" '<=' "2 * $(m "$gd_start_t")")"
	row '`stop` returns (ours: daemon gone; theirs: signalled)' "$(ms "$(m "$stop_t")") ($(s "$stop_t"))" \
		"$(ms "$(m "$gd_stop_t")") ($(s "$gd_stop_t"))" "≤ 1.5 × go-daemon's" \
		"$(ratio "$(m "$stop_t")" "$(m "$gd_stop_t")")×, $(verdict "$(m "$stop_t")" '<=' "1.5 * $(m "$gd_stop_t")")"
else
	row "idle RSS (median of $IDLE daemons, after 2 s)" "$(mib "$ours_rss_m")" 'not built' "≤ go-daemon's" ''
	row '`start` returns, daemon ready' "$(ms "$(m "$start_t")") ($(s "$start_t"))" 'not built' "≤ 2 × go-daemon's" ''
	row '`stop` returns, daemon gone' "$(ms "$(m "$stop_t")") ($(s "$stop_t"))" 'not built' "≤ 1.5 × go-daemon's" ''
fi
if $bare_ok; then
	d=$(($(size "$tmp/sock/mysvc") - $(size "$tmp/bare/bare")))
	row '`--socket` example: binary (bare main beside it)' "$(mb "$(size "$tmp/sock/mysvc")")" "bare $(mb "$(size "$tmp/bare/bare")")" \
		'≤ bare + 0.5 MB' "+$(mb "$d"), $(verdict "$d" '<=' 500000)"
	row '`--socket` example: RSS after one request' "$(mib "$sock_rss")" "bare $(mib "$bare_rss")" \
		'≤ bare + 1 MiB' "+$(mib $((sock_rss - bare_rss))), $(verdict "$((sock_rss - bare_rss))" '<=' 1024)"
fi
fails() { IFS='|' read -r _ f n <<<"$1"; echo "$f failed of $((f + n)) requests"; }
row '`--socket` example: `upgrade` under 8 clients, 3 times' "$(ms "$(m "$upgrade_l")"), $(fails "$upgrade_l")" \
	"\`restart\`: $(ms "$(m "$restart_l")"), $(fails "$restart_l")" '0 failed (issue 20)' \
	"$(verdict "$(echo "$upgrade_l" | cut -d'|' -f2)" '==' 0)"
row '`daemongen new` (fresh dir), `go build`' "$(ms "$(m "$new_t")") ($(s "$new_t"))" \
	"cp -r $(ms "$(m "$cp_t")") ($(s "$cp_t"))" '≤ 3 × cp -r' \
	"$(ratio "$(m "$new_t")" "$(m "$cp_t")")×, $(verdict "$(m "$new_t")" '<=' "3 * $(m "$cp_t")")"
row '`daemongen new`, `CGO_ENABLED=0 go build`' "$(ms "$(m "$new_static_t")") ($(s "$new_static_t"))" \
	"cp -r $(ms "$(m "$cp_t")")" '(where the floor is)' "$(ratio "$(m "$new_static_t")" "$(m "$cp_t")")×"
row '`daemongen version` (start-up and package init)' "$(ms "$(m "$version_t")") ($(s "$version_t"))" \
	"empty Go program $(ms "$(m "$empty_t")")" '(where the floor is)' "$(ratio "$(m "$version_t")" "$(m "$cp_t")")× cp -r"
row '`daemongen generate`, nothing to change' "$(ms "$(m "$generate_t")") ($(s "$generate_t"))" '' '< 10 ms' \
	"$(verdict "$(m "$generate_t")" '<' 10)"

table=$(
	cat <<END
# Benchmarks

Written by \`bash bench/run.sh\` on $(date -u +%Y-%m-%d) at $(date -u +%H:%M) UTC: $(nproc) × $(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //'), $(go version | awk '{ print $3, $4 }'), $(uname -sr)$($have_hyperfine && echo ", hyperfine $(hyperfine --version | awk '{ print $2 }')"). Timings are medians of $RUNS runs (p10 – p90 in brackets), on tmpfs; go-daemon is sevlyar/go-daemon $GODAEMON_VERSION's gd-signal-handling sample. The goals are issue 18's and 20's.

| figure | daemongen | go-daemon / floor | goal | this run |
| --- | --- | --- | --- | --- |
$(printf '%s\n' "${rows[@]}")
END
)
echo "$table"
if [ "$out" != - ]; then
	echo "$table" >"$out"
	echo "wrote $out" >&2
fi
