#!/bin/sh
# pouch push killed with kill -9 after growing delays: the outbox holds only whole, queued
# packages, and in the end every package is on the server exactly once and byte for byte.
# (pouchd killed: t8201; push and pouchd stopped at each write, fsync, rename and commit in
# turn: t8202, t8203.)
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
. "$SRC_DIR/tests/e2e/t8200-kill.lib"

expect_success 'setup: the centre has 2 large (9 MB, detached) and 16 small packages for GB-MET' '
	kill_setup
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

kill_end
