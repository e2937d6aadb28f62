#!/bin/sh
# pouch push stopped (a test build's fault hook) at each write, fsync, rename, database commit
# and audit append in turn and killed there with kill -9: the outbox holds only whole, queued
# packages, the server only whole ones, and a last push delivers every package exactly once.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
need_faults
. "$SRC_DIR/tests/e2e/t8200-kill.lib"

expect_success 'setup: the centre has 2 large (9 MB, detached) and 16 small packages for GB-MET' '
	kill_setup
'

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

kill_end
