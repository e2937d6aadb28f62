#!/bin/sh
# pouch push with a write, fsync, rename, database commit or audit append failing at each point
# in turn (the test build's POUCH_FAULT hook): every failure is one clear line, the outbox
# holds whole, recorded packages only, and a clean push afterwards delivers every package
# exactly once. Also a payload changed while being queued. (Pull: t8301; receipts: t8302.)
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
need_faults
. "$SRC_DIR/tests/e2e/t8300-fault.lib"

expect_success 'setup: the centre has a large (detached) package and one per fault site' '
	fault_setup && cp "pk/$(cat big).pouch.pgp" payload.saved
'

expect_success 'a payload changed while it is being queued is refused; nothing is queued' '
	id=$(cat big) || return 1
	POUCH_FAULT=fs.copy:1:stop "$POUCH_BIN" --home ceop push "pk/$id.pouch" >out 2>err &
	pid=$!
	wait_stopped $pid && printf X | dd of="pk/$id.pouch.pgp" bs=1 seek=4096 conv=notrunc \
		2>/dev/null
	kill -CONT $pid; wait $pid; st=$?
	cp payload.saved "pk/$id.pouch.pgp" &&
	test $st = 1 && error_is "cannot push .*: its payload changed while being read" &&
	test -z "$(ls -A ceop/outbox)" && test "$(crow "SELECT count(*) FROM outgoing")" = 0
'

expect_success 'push failing at each write, fsync, rename, commit and audit append in turn' '
	for s in $SITES; do
		n=1 && while [ $n -le $STEPS ]; do
			FAULT=$s:$n faulty --home ceop push --retries 0 "pk/$(cat "id.$s").pouch" \
				"pk/$(cat big).pouch" &&
			outbox_whole ceop || { echo "after $s:$n"; return 1; }
			n=$((n + 1))
		done
	done &&
	for s in $SITES; do grep -q "^$s:" failed.ceop || { echo "$s never failed"; return 1; }; done
'

expect_success 'a clean push delivers the rest: every package on the server exactly once' '
	pouch --home ceop push pk/*.pouch >/dev/null 2>&1; pouch --home ceop push >out &&
	test "$(undelivered)" = 0 &&
	test "$(crow "SELECT count(*) FROM outgoing")" = "$(wc -l <ids)" &&
	for id in $(cat ids); do
		k=$(listed met "$id") && test "$k" = 1 || { echo "listed $k times: $id"; return 1; }
	done && outbox_whole ceop
'

expect_success 'the audit trail verifies after all the failures' '
	pouch --home ceop audit verify >/dev/null
'

test_done
