#!/bin/sh
# pouchd verifies pushes in parallel and never makes a read wait for a push: while one push is
# held in the middle of its signature check (the test build's pgp.verify:N:hold=PATH fault), a
# listing, a fetch, the metrics and another push (verified and stored) all complete; while a
# push is held at the commit of its index rows (db.commit:N:hold=PATH), its files in place,
# reads complete and do not see it. Each held push is then released and stored. No timing:
# every request runs in the background, and one that never ends is the failure (wait_until
# gives up).
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
need_faults

# bg NAME CLIENT METHOD PATH [CURL ARGS...]: the request as CLIENT ("-" for none) in the
# background; its status goes to NAME.st, its body to NAME.body, its process id to NAME.pid.
bg() {
	_n=$1 _c=$2 _m=$3 _p=$4
	shift 4
	rm -f "$_n.body" "$_n.st"
	[ "$_c" = - ] || set -- --cert "$_c.pem" --key "$_c.key" "$@"
	curl -sS --cacert servers.ca.pem -o "$_n.body" -w '%{http_code}' -X "$_m" "$@" \
		"https://127.0.0.1:$(pouchd_port)$_p" >"$_n.st" 2>"$_n.err" &
	echo $! >"$_n.pid"
}

# push_bg ID: ID's push by the centre, in the background (named ID).
push_bg() {
	bg "$1" ceop PUT "/v1/packages/$1" -H "Content-Type: application/json" \
		--data-binary "@pk/$1.pouch"
}

# finished NAME STATUS: NAME's request has ended (however long that takes) with STATUS.
finished() {
	wait_until "ended $(cat "$1.pid")" &&
	test "$(cat "$1.st")" = "$2" ||
		{ echo "$1: status $(cat "$1.st")"; cat "$1.body" "$1.err"; return 1; }
}

# ids NAME: the package ids of the listing in NAME.body, sorted.
ids() {
	"$SYSTEM_PYTHON" -S -c 'import json, sys
for p in json.load(open(sys.argv[1]))["packages"]:
    print(p["id"])' "$1.body" | sort
}

# reads: a listing, a fetch of the first package and the metrics, each while a push is held;
# the listing's ids go to listed.
reads() {
	bg list met GET "/v1/packages?limit=1000" && bg fetch met GET "/v1/packages/$(cat id0)" &&
	bg metrics - GET /v1/metrics &&
	finished list 200 && finished fetch 200 && finished metrics 200 &&
	cmp fetch.body "pk/$(cat id0).pouch" && ids list >listed
}

expect_success 'setup: GB-MET runs pouchd (verifications held); one package is stored' '
	exchange_setup && write_report report.json t && mkdir pk &&
	for i in 0 1 2 3; do
		pouch --home ceop pack --to GB-MET --report report.json -o pk >id$i || return 1
	done &&
	push_bg "$(cat id0)" && finished "$(cat id0)" 201 &&
	stop_pouchd &&
	POUCH_FAULT="pgp.verify:1:hold=$TRASH/gate" start_pouchd metgw data
'

expect_success 'while a push is held in verification, reads and a second push complete' '
	p1=$(cat id1) && p2=$(cat id2) &&
	push_bg "$p1" &&
	wait_until "test -e gate.held || ended $(cat "$p1.pid")" && test -e gate.held &&
	reads && test_cmp id0 listed &&
	push_bg "$p2" && finished "$p2" 201 &&
	reads && sort id0 id2 >want && test_cmp want listed &&
	! ended "$(cat "$p1.pid")"
'

expect_success 'released, the held push is stored; each package is stored once' '
	: >gate && finished "$(cat id1)" 201 &&
	reads && sort id0 id1 id2 >want && test_cmp want listed && store_whole data
'

expect_success 'while a push is held at its commit, reads complete and do not see it' '
	: >gate && stop_pouchd &&
	POUCH_FAULT="db.commit:1:hold=$TRASH/commit" start_pouchd metgw data &&
	p3=$(cat id3) && push_bg "$p3" &&
	wait_until "test -e commit.held || ended $(cat "$p3.pid")" && test -e commit.held &&
	test -e "data/packages/$p3.pouch" &&
	reads && sort id0 id1 id2 >want && test_cmp want listed &&
	bg held met GET "/v1/packages/$p3" && finished held 404 &&
	! ended "$(cat "$p3.pid")" &&
	: >commit && finished "$p3" 201 &&
	reads && sort id0 id1 id2 id3 >want && test_cmp want listed && store_whole data
'

test_done
