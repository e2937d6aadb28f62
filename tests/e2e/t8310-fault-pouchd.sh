#!/bin/sh
# pouchd's store failing mid-push: a write, fsync, rename or database commit fails at each point
# in turn (the test build's POUCH_FAULT hook). Each failed push is answered with a JSON error,
# nothing half-stored stays, pouchd keeps serving, and the client's later push stores every
# package exactly once.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
need_faults

SITES="fs.write fs.fsync fs.rename db.commit"
STEPS=8

crow() { sqlite3 ceop/state.db "$1" 2>/dev/null; }
undelivered() { crow "SELECT count(*) FROM delivery WHERE state <> 'delivered'"; }

# restart [FAULT]: pouchd again on the same port, with POUCH_FAULT=FAULT when given.
restart() {
	stop_pouchd && if [ -n "${1:-}" ]; then export POUCH_FAULT="$1"; fi &&
	POUCHD_LISTEN=127.0.0.1:$(cat port) start_pouchd metgw data 2>/dev/null; _st=$?
	unset POUCH_FAULT
	return $_st
}

expect_success 'setup: GB-MET runs pouchd; the centre has a large (detached) package' '
	exchange_setup && write_report report.json t && mkdir pk &&
	head -c 9000000 /dev/urandom >big.bin &&
	pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o pk >ids &&
	pouchd_port >port
'

expect_success 'every failing step of a push is a JSON error and leaves nothing half-stored' '
	for s in $SITES; do
		n=1 && while [ $n -le $STEPS ]; do
			restart "$s:$n" || return 1
			id=$(pouch --home ceop pack --to GB-MET --report report.json -o pk 2>/dev/null) &&
			echo "$id" >>ids &&
			pouch --home ceop push --retries 0 "pk/$(head -n 1 ids).pouch" "pk/$id.pouch" \
				>out 2>err
			st=$? && [ $st -le 3 ] || { echo "push exited $st at $s:$n"; return 1; }
			kill -0 "$(cat "$TRASH/.pouchd.pid")" || { echo "pouchd died at $s:$n"; return 1; }
			store_whole data || { echo "after $s:$n"; return 1; }
			if [ $st -ne 0 ]; then echo "$s:$n" >>failed; fi
			n=$((n + 1))
		done
	done &&
	for s in $SITES; do grep -q "^$s:" failed || { echo "$s never failed"; return 1; }; done
'

expect_success 'a store failure answers a JSON error naming no server path' '
	restart db.commit:1 &&
	id=$(pouch --home ceop pack --to GB-MET --report report.json -o pk 2>/dev/null) &&
	echo "$id" >>ids &&
	is_status 500 ceop PUT "/v1/packages/$id" -H "Content-Type: application/json" \
		--data-binary "@pk/$id.pouch" &&
	jget body.out error.code >code && test -s code && ! grep -q "$TRASH" body.out
'

expect_success 'after a clean restart every package is delivered and stored exactly once' '
	restart && test -z "$(ls -A data/tmp)" && pouch --home ceop push pk/*.pouch >/dev/null 2>&1;
	pouch --home ceop push >out && test "$(undelivered)" = 0 &&
	for id in $(cat ids); do
		k=$(listed met "$id") && test "$k" = 1 || { echo "listed $k times: $id"; return 1; }
		cmp "data/packages/$id.pouch" "pk/$id.pouch" || return 1
	done && store_whole data
'

test_done
