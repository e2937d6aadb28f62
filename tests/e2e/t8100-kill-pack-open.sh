#!/bin/sh
# pouch pack and pouch open killed with kill -9 at many points: a killed pack leaves no
# temporary file (its work files are unnamed), a killed open leaves its work directory only
# until the next open sweeps it, and neither leaves a partial package or output directory.
. "$(dirname "$0")/lib.sh"

# kill_after DELAY CMD...: runs CMD (a binary, so that $! is its pid) and kills it with SIGKILL
# after DELAY seconds.
kill_after() {
	_d=$1
	shift
	"$@" >/dev/null 2>&1 &
	_pid=$!
	sleep "$_d"
	kill -9 "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	return 0
}

# whole DIR: every package in DIR verifies, and DIR holds nothing else (no hidden file).
whole() {
	for f in "$1"/* "$1"/.[!.]*; do
		[ -e "$f" ] || continue
		case $f in
		*.pouch) pouch --home met verify "$f" >/dev/null 2>&1 ||
			{ echo "does not verify: $f"; return 1; } ;;
		*.pouch.pgp) ;;
		*) echo "left behind: $f"; return 1 ;;
		esac
	done
}

expect_success 'setup: two agencies and a 24 MB attachment' '
	init_agency met GB-MET && init_agency ceop GB-NCA-CEOP && partners met ceop &&
	write_report report.json t && head -c 24000000 /dev/urandom >big.bin &&
	mkdir out
'

expect_success 'pack killed after growing delays leaves no temporary file behind' '
	for d in 0.05 0.1 0.2 0.3 0.5 0.7 1 1.5 2 3; do
		kill_after "$d" "$POUCH_BIN" --home ceop pack --to GB-MET --report report.json \
			--attach big.bin -o out &&
		whole out || { echo "after $d s"; ls -la out; return 1; }
	done
'

expect_success 'a pack that is not killed still writes its package' '
	pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o out >id &&
	test -s "out/$(cat id).pouch" && test -s "out/$(cat id).pouch.pgp" && whole out
'

expect_success 'open killed after growing delays: never a partial output directory' '
	id=$(cat id) &&
	for d in 0.05 0.1 0.2 0.3 0.5 0.7 1 1.5 2; do
		rm -rf case &&
		kill_after "$d" "$POUCH_BIN" --home met open "out/$id.pouch" -o case &&
		if [ -e case ]; then cmp case/attachments/big.bin big.bin || return 1; fi
	done
'

expect_success 'a stale work directory is locked while in use and swept by the next open' '
	mkdir -m 700 .pouch-open-AbCdEf && echo plain >.pouch-open-AbCdEf/report.json &&
	mkdir -m 700 .pouch-open-KeptXy && mkdir keep.part-AbCdEf &&
	(flock -x 9 && rm -rf case && pouch --home met open "out/$(cat id).pouch" -o case &&
		test -d .pouch-open-KeptXy) 9<.pouch-open-KeptXy &&
	test ! -e .pouch-open-AbCdEf && test -d keep.part-AbCdEf &&
	ls -a | grep "^\.pouch-open-" >left; test "$(cat left)" = .pouch-open-KeptXy &&
	cmp case/attachments/big.bin big.bin
'

expect_success 'after a last open, nothing of the killed ones is left' '
	rm -rf case .pouch-open-KeptXy && pouch --home met open "out/$(cat id).pouch" -o case &&
	! ls -a | grep -q "^\.pouch-open-"
'

test_done
