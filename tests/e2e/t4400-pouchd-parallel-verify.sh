#!/bin/sh
# pouchd verifies pushes in parallel and never makes a read wait for a verification: while one
# push is held in the middle of its signature check (the test build's pgp.verify:N:hold=PATH
# fault), a listing, a fetch, the metrics and another push (verified and stored) all complete;
# then the held push is released and stored too. No timing: a wait that never ends is the
# failure (wait_until gives up).
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
need_faults

# put_bg ID: PUTs pk/ID.pouch as the centre in the background; its status goes to ID.st, its
# body to ID.body, its process id to ID.pid.
put_bg() {
	curl -sS --cacert servers.ca.pem --cert ceop.pem --key ceop.key -o "$1.body" \
		-w '%{http_code}' -X PUT -H "Content-Type: application/json" \
		--data-binary "@pk/$1.pouch" "https://127.0.0.1:$(pouchd_port)/v1/packages/$1" \
		>"$1.st" 2>"$1.err" &
	echo $! >"$1.pid"
}

# done_with ID STATUS: ID's background push has ended (however long that takes) with STATUS.
done_with() {
	wait_until "ended $(cat "$1.pid")" &&
	test "$(cat "$1.st")" = "$2" || { echo "push $1: $(cat "$1.st")"; cat "$1.body" "$1.err"; return 1; }
}

expect_success 'setup: GB-MET runs pouchd (verifications held); one package is stored' '
	exchange_setup && write_report report.json t && mkdir pk &&
	for i in 0 1 2; do
		pouch --home ceop pack --to GB-MET --report report.json -o pk >id$i || return 1
	done &&
	is_status 201 ceop PUT "/v1/packages/$(cat id0)" -H "Content-Type: application/json" \
		--data-binary "@pk/$(cat id0).pouch" &&
	stop_pouchd &&
	POUCH_FAULT="pgp.verify:1:hold=$TRASH/gate" start_pouchd metgw data
'

expect_success 'while a push is held in verification, reads and a second push complete' '
	p1=$(cat id1) && p2=$(cat id2) && p0=$(cat id0) &&
	put_bg "$p1" &&
	wait_until "test -e gate.held || ended $(cat "$p1.pid")" && test -e gate.held &&
	listing met >listed && echo "$p0" >want && test_cmp want listed &&
	is_status 200 met GET "/v1/packages/$p0" && cmp body.out "pk/$p0.pouch" &&
	is_status 200 ceop GET "/v1/packages/$p0?sender=GB-NCA-CEOP" &&
	is_status 200 - GET /v1/metrics &&
	put_bg "$p2" && done_with "$p2" 201 &&
	listing met >listed && printf "%s\n%s\n" "$p0" "$p2" >want && test_cmp want listed &&
	! ended "$(cat "$p1.pid")" && test "$(listed met "$p1")" = 0
'

expect_success 'released, the held push is stored; each package is stored once' '
	p1=$(cat id1) &&
	: >gate && done_with "$p1" 201 &&
	listing met >listed && sort listed >got && sort id0 id1 id2 >want && test_cmp want got &&
	store_whole data
'

test_done
