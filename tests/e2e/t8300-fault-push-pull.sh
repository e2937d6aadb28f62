#!/bin/sh
# pouch push and pull with a write, fsync, rename, database commit or audit append failing at
# each point in turn (the test build's POUCH_FAULT hook): every failure is one clear line, the
# outbox and inbox hold whole, recorded packages only, and a clean run afterwards delivers and
# files every package and receipt exactly once. Also a payload changed while being queued.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
need_faults

SITES="fs.write fs.fsync fs.rename db.commit audit.append"
STEPS=10

crow() { sqlite3 ceop/state.db "$1" 2>/dev/null; }
mrow() { sqlite3 met/state.db "$1" 2>/dev/null; }
undelivered() { crow "SELECT count(*) FROM delivery WHERE state <> 'delivered'"; }
accepted() { crow "SELECT count(*) FROM delivery WHERE receipt_verdict = 'accepted'"; }

# faulty ARGS...: pouch with POUCH_FAULT=$FAULT; it may fail, but never crash, and says why
# in lines of its own.
faulty() {
	POUCH_FAULT=$FAULT "$POUCH_BIN" "$@" >out 2>err
	_st=$?
	[ $_st -le 3 ] || { echo "status $_st with $FAULT: $*"; cat err; return 1; }
	[ $_st -eq 0 ] || echo "$FAULT" >>"$TRASH/failed.$2"
	pouch_lines err || { echo "with $FAULT"; return 1; }
}

# inbox_whole: the inbox holds whole packages only, each recorded, and each recorded package
# has its files there.
inbox_whole() {
	for f in met/inbox/* met/inbox/.[!.]* met/quarantine/*; do
		[ -e "$f" ] || continue
		cmp -s "$f" "pk/$(basename "$f")" || { echo "partial or stray: $f"; return 1; }
		id=$(basename "$f" | sed 's/\.pouch.*//')
		test "$(mrow "SELECT count(*) FROM incoming WHERE id = '$id'")" = 1 ||
			{ echo "in the inbox without its row: $f"; return 1; }
	done &&
	for id in $(mrow "SELECT id FROM incoming"); do
		test -e "met/inbox/$id.pouch" || { echo "recorded but missing: $id"; return 1; }
	done
}

expect_success 'setup: the centre has a large (detached) package and one per fault site' '
	exchange_setup && echo "{\"title\": \"t\"}" >report.json && mkdir pk &&
	head -c 9000000 /dev/urandom >big.bin &&
	pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o pk >big &&
	for s in $SITES; do
		pouch --home ceop pack --to GB-MET --report report.json -o pk >"id.$s" || return 1
	done &&
	cat big id.* >ids && cp "pk/$(cat big).pouch.pgp" payload.saved
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

expect_success 'pull failing at each write, fsync, rename, commit and audit append in turn' '
	for s in $SITES; do
		for k in 1 2; do
			id=$(pouch --home ceop pack --to GB-MET --report report.json -o pk 2>/dev/null) &&
			echo "$id" >>ids && pouch --home ceop push "pk/$id.pouch" >/dev/null || return 1
		done
		n=1 && while [ $n -le $STEPS ]; do
			FAULT=$s:$n faulty --home met pull --limit 2 &&
			inbox_whole || { echo "after $s:$n"; return 1; }
			n=$((n + 1))
		done
	done &&
	for s in $SITES; do grep -q "^$s:" failed.met || { echo "$s never failed"; return 1; }; done
'

expect_success 'a clean pull files every package once and sends every receipt once' '
	pouch --home met pull >out 2>err &&
	test "$(mrow "SELECT count(*) FROM incoming WHERE verdict = '\''good'\''")" = \
		"$(wc -l <ids)" &&
	test "$(mrow "SELECT count(*) FROM incoming WHERE receipt_sent IS NULL")" = 0 &&
	for id in $(cat ids); do cmp "met/inbox/$id.pouch" "pk/$id.pouch" || return 1; done &&
	test -z "$(ls -A met/incoming)" && inbox_whole &&
	test "$(grep -c "PUT /v1/packages/{id}/receipt status=201" pouchd.log)" = "$(wc -l <ids)"
'

expect_success 'receipts that cannot be filed at each step are filed by a later pull' '
	for s in $SITES; do
		n=1 && while [ $n -le $STEPS ]; do
			FAULT=$s:$n faulty --home ceop pull || { echo "after $s:$n"; return 1; }
			n=$((n + 1))
		done
	done &&
	pouch --home ceop pull >out 2>err && test "$(accepted)" = "$(wc -l <ids)"
'

expect_success 'both audit trails verify after all the failures' '
	pouch --home ceop audit verify >/dev/null && pouch --home met audit verify >/dev/null
'

test_done
