#!/bin/sh
# pouch push killed with kill -9 at many points, and pouchd killed with kill -9 while packages
# are being pushed to it (then restarted on the same port): in the end every package is on the
# server exactly once and byte for byte, nothing is lost from the outbox, and neither side
# leaves a temporary file behind.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

N_SMALL=16
N_BIG=2

# kill_push DELAY [FILES...]: starts a push (the binary itself, so that $! is its pid) and
# kills it with SIGKILL after DELAY seconds.
kill_push() {
	_d=$1
	shift
	"$POUCH_BIN" --home ceop push --retries 0 "$@" >/dev/null 2>&1 &
	_pid=$!
	sleep "$_d"
	kill -9 "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	return 0
}

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

expect_success 'push killed after growing delays: the outbox holds only whole, queued packages' '
	for d in 0.05 0.1 0.2 0.4 0.7 1 1.5 2 3 4 6; do
		kill_push "$d" pk/*.pouch && outbox_whole ceop && store_whole data ||
			{ echo "after $d s"; return 1; }
		delivered >>counts
	done &&
	sort -nu counts && test "$(sort -nu counts | wc -l)" -ge 2
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

expect_success 'a last push delivers the rest: every package on the server exactly once' '
	pouch --home ceop push pk/*.pouch >/dev/null 2>err; pouch --home ceop push >out 2>err &&
	test "$(undelivered)" = 0 &&
	test "$(rows "SELECT count(*) FROM outgoing")" = $((N_SMALL + N_BIG)) &&
	for id in $(cat ids); do
		k=$(listed met "$id") && test "$k" = 1 || { echo "listed $k times: $id"; return 1; }
		cmp "data/packages/$id.pouch" "pk/$id.pouch" || return 1
	done &&
	outbox_whole ceop && store_whole data && ! ls -A ceop/outbox | grep -q "^\." &&
	! ls -A ceop/outbox | grep -q "tmp"
'

expect_success 'the audit trail survived the kills' '
	pouch --home ceop audit verify >/dev/null
'

test_done
