#!/bin/sh
# pouch pull with a write, fsync, rename, database commit or audit append failing at each point
# in turn (the test build's POUCH_FAULT hook): every failure is one clear line, the inbox holds
# whole, recorded packages only, and a clean pull afterwards files every package and sends
# every receipt exactly once.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
need_faults
. "$SRC_DIR/tests/e2e/t8300-fault.lib"

expect_success 'setup: a large (detached) package and one per fault site delivered to GB-MET' '
	fault_setup && pouch --home ceop push pk/*.pouch >/dev/null && test "$(undelivered)" = 0
'

expect_success 'pull failing at each write, fsync, rename, commit and audit append in turn' '
	for s in $SITES; do
		pack_push 2 || return 1
		n=1 && while [ $n -le $STEPS ]; do
			FAULT=$s:$n faulty --home met pull --limit 2 &&
			inbox_whole || { echo "after $s:$n"; return 1; }
			n=$((n + 1))
		done
	done &&
	for s in $SITES; do grep -q "^$s:" failed.met || { echo "$s never failed"; return 1; }; done
'

expect_success 'a clean pull files every package once and sends every receipt once' '
	clean_pull
'

expect_success 'both audit trails verify after all the failures' '
	pouch --home ceop audit verify >/dev/null && pouch --home met audit verify >/dev/null
'

test_done
