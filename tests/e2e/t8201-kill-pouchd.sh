#!/bin/sh
# pouchd killed with kill -9 while packages are being pushed to it, then restarted on the same
# port, after growing delays: nothing is stored twice or in part, nothing is lost from the
# outbox, pouchd leaves no temporary file, and a last push delivers every package exactly once.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
. "$SRC_DIR/tests/e2e/t8200-kill.lib"

# The packages are queued while pouchd is down, so the pushes below start with all of them
# in the outbox.
expect_success 'setup: 2 large and 16 small packages queued for GB-MET, none delivered' '
	kill_setup && port=$(pouchd_port) && stop_pouchd KILL &&
	{ pouch --home ceop push --retries 0 pk/*.pouch >/dev/null 2>&1; true; } &&
	test "$(rows "SELECT count(*) FROM outgoing")" = "$(wc -l <ids)" &&
	test "$(delivered)" = 0 && outbox_whole ceop &&
	POUCHD_LISTEN=127.0.0.1:$port start_pouchd metgw data
'

expect_success 'pouchd killed while packages arrive, then restarted: nothing stored twice' '
	port=$(pouchd_port) &&
	for d in 0.1 0.3 0.6 1 1.5; do
		pouch --home ceop push --retries 0 >/dev/null 2>&1 &
		pid=$! && sleep "$d" && stop_pouchd KILL && wait "$pid"
		outbox_whole ceop &&
		POUCHD_LISTEN=127.0.0.1:$port start_pouchd metgw data &&
		store_whole data && test -z "$(ls -A data/tmp)" || { echo "after $d s"; return 1; }
	done
'

kill_end
