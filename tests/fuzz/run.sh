#!/bin/sh
# make fuzz: runs each libFuzzer harness in BUILD/fuzz/lf for SECONDS, one at a time and one job
# each, from its committed corpus and regressions (read only: new inputs go to
# BUILD/corpus/NAME, crashes to BUILD/crashes/NAME). Fails when any harness finds a crash, a leak,
# a timeout or an out-of-memory. With --merge, folds BUILD/corpus/NAME into the committed
# tests/fuzz/corpus/NAME instead, minimised (-merge=1), and searches nothing.
# Usage: sh tests/fuzz/run.sh [--merge] BUILD SECONDS NAME...
set -eu

merge=
if [ "${1:-}" = --merge ]; then merge=1; shift; fi
build=$1 secs=$2
shift 2
summary=$build/summary.txt
[ -n "$merge" ] || : >"$summary"
failed=
for name in "$@"; do
	bin=$build/fuzz/lf/fuzz_$name
	corpus=tests/fuzz/corpus/$name
	regress=tests/fuzz/regressions/$name
	work=$build/corpus/$name
	crashes=$build/crashes/$name
	mkdir -p "$work" "$crashes" "$corpus"
	set -- "$corpus"
	[ -d "$regress" ] && set -- "$@" "$regress"
	if [ -n "$merge" ]; then
		"$bin" -merge=1 "$corpus" "$work" >"$build/merge-$name.log" 2>&1 || {
			echo "fuzz: merging $name failed; see $build/merge-$name.log" >&2
			failed="$failed $name"
		}
		echo "fuzz: $name: $(ls "$corpus" | wc -l) inputs, $(du -sb "$corpus" | cut -f1) bytes"
		continue
	fi
	log=$build/fuzz-$name.log
	echo "fuzz: $name for ${secs}s"
	# -rss_limit_mb bounds any one input's memory, as pouch must (issue 9 item 6).
	if "$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=512 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$crashes/" "$work" "$@" >"$log" 2>&1; then
		result=ok
	else
		result=FAILED
		failed="$failed $name"
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	printf '%-10s %-6s %ss %12s execs  cov %s\n' "$name" "$result" "$secs" "${execs:-?}" \
		"${cov:-?}" | tee -a "$summary"
	if [ "$result" != ok ]; then
		grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz:|.*runtime error)' "$log" | head -5 >&2 || :
		ls "$crashes" >&2
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz: findings in:$failed (inputs in $build/crashes; logs in $build)" >&2
	exit 1
fi
