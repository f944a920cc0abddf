#!/bin/sh
# run.sh SECONDS TARGET... - run each libFuzzer target (build/fuzz/TARGET) for SECONDS,
# JOBS at once (default: the cores available), starting from its seed corpus
# (tests/fuzz/corpus/TARGET, never written to) and what earlier runs found
# (build/fuzz/corpus/TARGET). Crash inputs go to build/fuzz/crashes/TARGET/; keep each as a
# regression in tests/fuzz/crashes/TARGET/ once fixed. Prints one row per target.
set -u
cd "$(dirname "$0")/../.."

if [ "${1:-}" = --one ]; then
	secs=$2 t=$3
	mkdir -p "build/fuzz/corpus/$t" "build/fuzz/crashes/$t" "tests/fuzz/corpus/$t"
	dict=""
	[ -f "tests/fuzz/dict/$t.dict" ] && dict="-dict=tests/fuzz/dict/$t.dict"
	# shellcheck disable=SC2086
	"build/fuzz/$t" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="build/fuzz/crashes/$t/" $dict \
		"build/fuzz/corpus/$t" "tests/fuzz/corpus/$t" >"build/fuzz/logs/$t.log" 2>&1
	exit 0
fi

secs=$1
shift
jobs=${JOBS:-$(nproc 2>/dev/null || echo 1)}
mkdir -p build/fuzz/logs
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh "$0" --one "$secs" {}

printf '%-12s %14s %10s %8s %8s %s\n' target executions exec/s cov ft findings
found=0
for t in "$@"; do
	log="build/fuzz/logs/$t.log"
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	n=$(find "build/fuzz/crashes/$t" -type f | wc -l)
	found=$((found + n))
	what="none"
	[ "$n" -gt 0 ] && what="$n in build/fuzz/crashes/$t/ (see build/fuzz/logs/$t.log)"
	printf '%-12s %14s %10s %8s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$what"
done
[ "$found" -eq 0 ]
