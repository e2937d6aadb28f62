#!/bin/sh
# pouch push killed with kill -9 at many points, and pouchd killed with kill -9 while packages
# are being pushed to it (then restarted on the same port), after growing delays and, in a test
# build, stopped at each write, fsync, rename and commit in turn: in the end every package is on
# the server exactly once and byte for byte, nothing is lost from the outbox, and neither side
# leaves a temporary file behind.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

N_SMALL=16
N_BIG=2

# kill_push WHEN [FILES...]: starts a push (the binary itself, so that $! is its pid) and
# kills it with SIGKILL: WHEN "+1" as soon as one more package is delivered, WHEN "first" at
# its first database commit (stopped there by a test build's fault hook: nothing delivered
# yet), else after WHEN seconds.
kill_push() {
	_d=$1 _before=$(delivered 2>/dev/null)
	shift
	[ "$_d" = first ] && export POUCH_FAULT=db.commit:1:stop
	"$POUCH_BIN" --home ceop push --retries 0 "$@" >/dev/null 2>&1 &
	_pid=$!
	unset POUCH_FAULT
	if [ "$_d" = first ]; then
		wait_stopped "$_pid"
	elif [ "$_d" = +1 ]; then
		wait_until '[ "$(delivered)" -gt "${_before:-0}" ] || ended "$_pid"'
	else
		sleep "$_d"
	fi
	kill -9 "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	return 0
}

FAULTS=
case $("$POUCH_BIN" --version) in *"fault injection"*) FAULTS=1 ;; esac

SITES="fs.write fs.fsync fs.rename db.commit audit.append"
STEPS=8

rows() { sqlite3 ceop/state.db "$1"; }
delivered() { rows "SELECT count(*) FROM delivery WHERE state = 'delivered'"; }
undelivered() { rows "SELECT count(*) FROM delivery WHERE state <> 'delivered'"; }

expect_success 'setup: the centre has 2 large (9 MB, detached) and 16 small packages for GB-MET' '
	exchange_setup && echo "{\"title\": \"t\"}" >report.json && mkdir pk &&
	head -c 9000000 /dev/urandom >big.bin &&
	i=0 && while [ $i -lt $N_BIG ]; do
		pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o pk \
			>>ids || return 1
		i=$((i + 1))
	done &&
	i=0 && while [ $i -lt $N_SMALL ]; do
		pouch --home ceop pack --to GB-MET --report report.json -o pk >>ids || return 1
		i=$((i + 1))
	done
'

# Kills after a delay land wherever the machine's speed puts them (a busy machine may let a
# push deliver everything before the first); the first kill of a test build is before any
# delivery, those after one more delivery find the push further on, however fast it runs.
expect_success 'push killed after growing delays: the outbox holds only whole, queued packages' '
	first=0.05 && if [ -n "$FAULTS" ]; then first=first; fi &&
	for d in $first 0.1 +1 0.2 0.4 +1 0.7 1 +1 1.5 2 3; do
		kill_push "$d" pk/*.pouch && outbox_whole ceop && store_whole data ||
			{ echo "after $d"; return 1; }
		delivered >>counts
	done &&
	sort -nu counts && { [ -z "$FAULTS" ] || test "$(sort -nu counts | wc -l)" -ge 2; }
'

expect_success 'pouchd killed while packages arrive, then restarted: nothing stored twice' '
	port=$(pouchd_port) &&
	for d in 0.1 0.3 0.6 1 1.5; do
		pouch --home ceop push --retries 0 >/dev/null 2>&1 &
		pid=$! && sleep "$d" && stop_pouchd KILL && wait "$pid"
		outbox_whole ceop && store_whole data || { echo "after $d s"; return 1; }
		POUCHD_LISTEN=127.0.0.1:$port start_pouchd metgw data &&
		test -z "$(ls -A data/tmp)" || return 1
	done
'

# fresh N: packs N new small packages for GB-MET; their paths go to ./fresh, their ids to ids.
fresh() {
	: >fresh && _k=0 && while [ $_k -lt "$1" ]; do
		_id=$(pouch --home ceop pack --to GB-MET --report report.json -o pk 2>/dev/null) &&
		echo "$_id" >>ids && echo "pk/$_id.pouch" >>fresh || return 1
		_k=$((_k + 1))
	done
}

# restart [FAULT]: pouchd again on its port, with POUCH_FAULT=FAULT when given.
restart() {
	stop_pouchd KILL && if [ -n "${1:-}" ]; then export POUCH_FAULT="$1"; fi &&
	POUCHD_LISTEN=127.0.0.1:$(cat port) start_pouchd metgw data; _st=$?
	unset POUCH_FAULT
	return $_st
}

if "$POUCH_BIN" --version | grep -q "fault injection"; then
expect_success 'push killed at each write, fsync, rename, commit and audit append in turn' '
	for s in $SITES; do
		fresh 2 || return 1
		n=1 && while [ $n -le $STEPS ]; do
			POUCH_FAULT=$s:$n:stop "$POUCH_BIN" --home ceop push --retries 0 \
				$(cat fresh) >/dev/null 2>&1 &
			pid=$!
			if wait_stopped $pid; then echo "$s:$n" >>stopped; fi
			kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
			outbox_whole ceop && store_whole data || { echo "after $s:$n"; return 1; }
			n=$((n + 1))
		done
	done &&
	for s in $SITES; do grep -q "^$s:" stopped || { echo "never at $s"; return 1; }; done
'

expect_success 'pouchd killed at each write, fsync, rename and commit of a push in turn' '
	pouchd_port >port && : >stopped &&
	for s in fs.write fs.fsync fs.rename db.commit; do
		n=1 && while [ $n -le 6 ]; do
			restart "$s:$n:stop" && fresh 1 || return 1
			pouch --home ceop push --retries 0 $(cat fresh) "pk/$(head -n 1 ids).pouch" \
				>/dev/null 2>&1 &
			pid=$!
			if wait_stopped "$(cat "$TRASH/.pouchd.pid")" $pid; then
				echo "$s:$n" >>stopped
			fi
			stop_pouchd KILL; wait $pid 2>/dev/null
			# What the kill left is tidied when pouchd starts again.
			restart && outbox_whole ceop && store_whole data &&
			test -z "$(ls -A data/tmp)" || { echo "after $s:$n"; return 1; }
			n=$((n + 1))
		done
	done &&
	for s in fs.write fs.fsync fs.rename db.commit; do
		grep -q "^$s:" stopped || { echo "never at $s"; return 1; }
	done
'
else
	skip_test 'push and pouchd killed at each step' 'not a test build with fault injection'
fi

expect_success 'a last push delivers the rest: every package on the server exactly once' '
	pouch --home ceop push pk/*.pouch >/dev/null 2>err; pouch --home ceop push >out 2>err &&
	test "$(undelivered)" = 0 &&
	test "$(rows "SELECT count(*) FROM outgoing")" = "$(wc -l <ids)" &&
	listing met >listing.ids &&
	for id in $(cat ids); do
		k=$(grep -cx "$id" listing.ids) && test "$k" = 1 ||
			{ echo "listed $k times: $id"; return 1; }
		cmp "data/packages/$id.pouch" "pk/$id.pouch" || return 1
	done &&
	outbox_whole ceop && store_whole data && ! ls -A ceop/outbox | grep -q "^\." &&
	! ls -A ceop/outbox | grep -q "tmp"
'

expect_success 'the audit trail survived the kills' '
	pouch --home ceop audit verify >/dev/null
'

test_done
