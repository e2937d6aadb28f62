#!/bin/sh
# Receipts that pouch pull cannot file, with a write, fsync, rename, database commit or audit
# append failing at each point in turn (the test build's POUCH_FAULT hook): every failure is
# one clear line, and a later clean pull files every receipt. Each fault site has receipts of
# its own waiting (two more packages pulled by GB-MET before its turn).
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
need_faults
. "$SRC_DIR/tests/e2e/t8300-fault.lib"

expect_success 'setup: 6 packages delivered to GB-MET, pulled, and a receipt sent for each' '
	fault_setup && pouch --home ceop push pk/*.pouch >/dev/null &&
	test "$(undelivered)" = 0 && clean_pull && test "$(accepted)" = 0
'

expect_success 'receipts that cannot be filed at each step are filed by a later pull' '
	for s in $SITES; do
		pack_push 2 && pouch --home met pull >/dev/null 2>&1 || return 1
		n=1 && while [ $n -le $STEPS ]; do
			FAULT=$s:$n faulty --home ceop pull || { echo "after $s:$n"; return 1; }
			n=$((n + 1))
		done
	done &&
	grep -q "^fs.write:" failed.ceop && grep -q "^audit.append:" failed.ceop &&
	pouch --home ceop pull >out 2>err && test "$(accepted)" = "$(wc -l <ids)"
'

expect_success 'both audit trails verify after all the failures' '
	pouch --home ceop audit verify >/dev/null && pouch --home met audit verify >/dev/null
'

test_done
