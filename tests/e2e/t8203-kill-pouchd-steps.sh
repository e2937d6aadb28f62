#!/bin/sh
# pouchd stopped (a test build's fault hook) at each write, fsync, rename and database commit
# of a push in turn and killed there with kill -9, then restarted on the same port: what the
# kill left is tidied, the server holds whole packages only, each once, and a last push
# delivers every package exactly once.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
need_faults
. "$SRC_DIR/tests/e2e/t8200-kill.lib"

expect_success 'setup: the centre has 2 large (9 MB, detached) and 16 small packages for GB-MET' '
	kill_setup
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

kill_end
