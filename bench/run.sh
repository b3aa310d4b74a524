#!/usr/bin/env bash
# Benchmarks of daemongen and of the daemon it generates, printed as a
# Markdown table: the median and spread of RUNS runs (default 20, at least
# 10) of each figure, and the target from issue 6. Run it from anywhere:
#
#	bash bench/run.sh            # RUNS=30 bash bench/run.sh for more runs
#
# It builds daemongen and a generated project "mysvc" in a temporary
# directory, which it removes afterwards, and stops every daemon it started.
# Timings use hyperfine when it is installed (as root the script installs
# the Debian package if it is missing) and otherwise, or with
# BENCH_NO_HYPERFINE=1, a loop of date +%s%N, which adds a fork of bash to
# each run. CPU time comes from /proc/PID/stat in clock ticks (10 ms).
# Nothing here is a test: no figure fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
	export PATH="$PATH:/usr/local/go/bin"
fi
RUNS=${RUNS:-20}
if [ "$RUNS" -lt 10 ]; then
	echo "bench/run.sh: RUNS=$RUNS; use at least 10" >&2
	exit 2
fi
CPU_SECONDS=${CPU_SECONDS:-6} # how long to watch idle daemons' CPU time
IDLE=10                       # idle daemons started for RSS and CPU

if ! command -v hyperfine >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	apt-get install -y -qq hyperfine >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq hyperfine >/dev/null 2>&1; } || true
fi
have_hyperfine=false
if command -v hyperfine >/dev/null && [ -z "${BENCH_NO_HYPERFINE:-}" ]; then
	have_hyperfine=true
fi

# On tmpfs where there is one, as issue 9 measures: disk caches would make
# cp -r, the floor, depend on the machine's disk.
tmp=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
proj=$tmp/mysvc
run=$tmp/run
mkdir -p "$run"
pidfile=$run/mysvc.pid
logfile=$run/mysvc.log

# cleanup stops the daemons started here, by their pidfiles, and removes tmp.
cleanup() {
	if [ -x "$proj/mysvc" ]; then
		for p in "$run"/*.pid; do
			[ -e "$p" ] && "$proj/mysvc" stop --pidfile "$p" >/dev/null 2>&1 || true
		done
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "building daemongen and mysvc in $tmp ..." >&2
go build -o "$tmp/daemongen" .
"$tmp/daemongen" new mysvc --module example.com/mysvc --dir "$proj" >/dev/null
cp -r "$proj" "$tmp/tree" # the output tree alone, for the cp -r floor
(cd "$proj" && go build -o mysvc . && go build -ldflags='-s -w' -o mysvc-stripped .)
svc=$proj/mysvc

# samples PREPARE CMD... prints one wall time in ms per line, RUNS of them,
# each of CMD run once after PREPARE, a command line split at spaces.
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
			"$@" >/dev/null || { echo "bench/run.sh: $* failed" >&2 && return 0; }
			t1=$(date +%s%N)
			if [ "$i" -ge 3 ]; then
				awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f\n", d / 1e6 }'
			fi
		done
	fi
}

# stats prints "median p10 p90 min max n" of the numbers on stdin.
stats() {
	sort -g | awk '{ a[NR] = $1 }
	function q(p) { i = int(p * NR + 0.999999); if (i < 1) i = 1; return a[i] }
	END {
		if (NR == 0) exit
		m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		print m, q(0.1), q(0.9), a[1], a[NR], NR
	}'
}

rows=()
# row FIGURE UNIT TARGET "median p10 p90 min max n" adds a table row; an
# empty last argument, a failed measurement.
row() {
	local figure=$1 unit=$2 target=$3
	if [ -z "$4" ]; then
		note "$figure" 'failed (see the messages above)' "$target"
		return
	fi
	read -r med p10 p90 lo hi n <<<"$4"
	rows+=("$(printf '| %s | %.1f %s | %.1f – %.1f | %.1f – %.1f | %d | %s |' \
		"$figure" "$med" "$unit" "$p10" "$p90" "$lo" "$hi" "$n" "$target")")
}
note() { rows+=("| $1 | $2 | | | | $3 |"); }

echo "timing daemongen new and cp -r ..." >&2
new_stats=$(samples "rm -rf $tmp/new" "$tmp/daemongen" new mysvc --module example.com/mysvc --dir "$tmp/new" | stats)
cp_stats=$(samples "rm -rf $tmp/copy" cp -r "$tmp/tree" "$tmp/copy" | stats)
row '`daemongen new` (whole process, fresh dir)' ms '≤ 3 × cp -r' "$new_stats"
row '`cp -r` of its output tree (floor)' ms '' "$cp_stats"
ratio=$(awk -v a="${new_stats%% *}" -v b="${cp_stats%% *}" 'BEGIN { printf "%.1f", a / b }')
note 'new ÷ cp -r (medians)' "${ratio}×" '≤ 3×'

# Where new's time goes: an empty Go program is the runtime's floor;
# daemongen version adds the initialisation of every package linked in
# (urfave/cli, sprig, x/tools and theirs: GODEBUG=inittrace=1 lists them);
# the rest is new's own work.
echo "timing the process floor ..." >&2
mkdir -p "$tmp/empty"
printf 'module empty\n\ngo 1.23\n' >"$tmp/empty/go.mod"
printf 'package main\n\nfunc main() {}\n' >"$tmp/empty/main.go"
(cd "$tmp/empty" && go build -o "$tmp/empty-go" .)
empty_stats=$(samples true "$tmp/empty-go" | stats)
version_stats=$(samples true "$tmp/daemongen" version | stats)
row 'an empty Go program (runtime floor)' ms '' "$empty_stats"
row '`daemongen version` (floor + package init)' ms '' "$version_stats"
note 'new − version (new'"'"'s own work, medians)' \
	"$(awk -v a="${new_stats%% *}" -v b="${version_stats%% *}" 'BEGIN { printf "%.1f ms", a - b }')" ''
note 'version ÷ cp -r (medians)' \
	"$(awk -v a="${version_stats%% *}" -v b="${cp_stats%% *}" 'BEGIN { printf "%.1f×", a / b }')" ''

if (cd "$proj" && "$tmp/daemongen" generate --help >/dev/null 2>&1); then
	echo "timing daemongen generate ..." >&2
	(cd "$proj" && "$tmp/daemongen" generate >/dev/null) || true # warm up; a failure shows below
	row '`daemongen generate`, nothing to change' ms '< 10 ms' \
		"$(cd "$proj" && samples true "$tmp/daemongen" generate | stats)"
else
	note '`daemongen generate`, nothing to change' 'skipped' 'this daemongen has no generate command'
fi

echo "timing mysvc start and stop ..." >&2
flags=(--pidfile "$pidfile" --log "$logfile")
row '`mysvc start`, exec to return (ready)' ms '≤ 10 ms' \
	"$(samples "$svc stop ${flags[*]}" "$svc" start "${flags[@]}" | stats)"
row '`mysvc stop`, exec to return (gone)' ms '≤ 5 ms' \
	"$(samples "$svc start ${flags[*]}" "$svc" stop "${flags[@]}" | stats)"
"$svc" stop "${flags[@]}" >/dev/null

# procstat PID prints utime+stime of PID in clock ticks.
procstat() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# idle BINARY LABEL starts IDLE daemons of BINARY, and reports their
# resident memory after a second and their CPU time over CPU_SECONDS more.
idle() {
	local bin=$1 label=$2 i pids=() rss=() cpu0=() out
	for ((i = 0; i < IDLE; i++)); do
		"$bin" start --pidfile "$run/idle$i.pid" --log "$run/idle$i.log" >/dev/null
		pids+=("$(cat "$run/idle$i.pid")")
	done
	sleep 1
	for i in "${!pids[@]}"; do
		rss+=("$(awk '/^VmRSS:/ { print $2 / 1024 }' "/proc/${pids[i]}/status")")
		cpu0+=("$(procstat "${pids[i]}")")
	done
	row "idle RSS after 1 s, $label" MiB '≤ 4 MiB' "$(printf '%s\n' "${rss[@]}" | stats)"
	if [ -n "$CPU_SECONDS" ] && [ "$CPU_SECONDS" != 0 ]; then
		sleep "$CPU_SECONDS"
		local hz
		hz=$(getconf CLK_TCK)
		out=$(for i in "${!pids[@]}"; do
			echo $((($(procstat "${pids[i]}") - cpu0[i]) * 1000 / hz))
		done | stats)
		row "idle CPU (utime+stime) over ${CPU_SECONDS} s, $label" ms '~0 (one heartbeat per 5 s)' "$out"
	fi
	for ((i = 0; i < IDLE; i++)); do
		"$bin" stop --pidfile "$run/idle$i.pid" >/dev/null
	done
}
echo "measuring $IDLE idle daemons ..." >&2
idle "$svc" 'go build'
(cd "$proj" && CGO_ENABLED=0 go build -o mysvc-nocgo .)
CPU_SECONDS=0 idle "$proj/mysvc-nocgo" 'CGO_ENABLED=0 go build'

size() { stat -c %s "$1" | awk '{ printf "%.2f MB (%d bytes)", $1 / 1e6, $1 }'; }
note 'binary size, `go build`' "$(size "$svc")" '≤ 3.6 MB'
note "binary size, \`go build -ldflags='-s -w'\`" "$(size "$proj/mysvc-stripped")" ''
nonstd=$(cd "$proj" && go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' . | grep -v '^example.com/mysvc' || true)
deps=$(go version -m "$svc" | awk '$1 == "dep"' | wc -l)
cgo=$(cd "$proj" && go list -deps -f '{{if .CgoFiles}}{{.ImportPath}}{{end}}' . | paste -sd, -)
note 'packages outside std (`go list -deps`)' "${nonstd:-none}; $deps dep lines in \`go version -m\`" 'none'
note 'packages with cgo (so `go build` links libc)' "${cgo:-none}" ''

cat <<END

$(nproc) × $(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //'), $(go version | awk '{ print $3, $4 }'), $(uname -sr)$($have_hyperfine && echo ", hyperfine $(hyperfine --version | awk '{ print $2 }')"); $RUNS runs of each timing, $IDLE idle daemons.

| figure | median | p10 – p90 | min – max | n | target |
| --- | --- | --- | --- | --- | --- |
END
printf '%s\n' "${rows[@]}"
