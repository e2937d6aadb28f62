#!/bin/sh
# pouchd stops reading at the limit (issue 9, item 11; spec 5.2): a chunked body that passes the
# limit and never ends gets its 413 as soon as the limit is passed, and the connection is
# closed; a body on a route that takes none, or without the client certificate the route needs,
# is answered before any of it is read. Nothing of it is kept.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

GIVE_UP=33554432 # bytes sent without an answer before the client gives up: 32 MiB

# endless CLIENT METHOD PATH [HEADER...]: a request with a chunked body that never ends; the
# answer's status, body and the bytes sent before it in ans.out.
endless() {
	_c=$1 _m=$2 _p=$3
	shift 3
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/endless-body.py" "$(pouchd_port)" servers.ca.pem \
		"$_c" "$_m" "$_p" "$GIVE_UP" "$@" >ans.out
}

# answered STATUS CODE MAX-IN: ans.out is STATUS with error CODE, after which the server closed
# the connection, and pouchd's last log line is that request, complete (not aborted), having
# taken at most MAX-IN body bytes.
answered() {
	sed -n 2p ans.out >body.out &&
	{ [ "$(sed -n 1p ans.out)" = "$1" ] || { echo "want $1:"; cat ans.out; return 1; }; } &&
	{ [ "$(sed -n 4p ans.out)" = closed ] || { echo "left open:"; cat ans.out; return 1; }; } &&
	error_code "$2" &&
	tail -n 1 pouchd.log >last.log &&
	grep -q " status=$1 agency=" last.log &&
	_in=$(sed -n "s/.* in=\([0-9]*\) .*/\1/p" last.log) &&
	{ [ "$_in" -le "$3" ] || { echo "read $_in bytes:"; cat last.log; return 1; }; }
}

uuid() { "$SYSTEM_PYTHON" -c 'import uuid; print(uuid.uuid4())'; }

expect_success 'setup: pouchd with a maximum package of 1 MiB; the centre is a partner' '
	init_agency met GB-MET && init_agency ceop GB-NCA-CEOP && partners met ceop &&
	make_ca servers && make_ca clients &&
	make_cert servers srv 127.0.0.1 server &&
	make_cert clients ceop GB-NCA-CEOP client &&
	start_pouchd met data --max-package 1M
'

expect_success 'an endless chunked push: 413 once past the limit, and the connection closed' '
	endless ceop PUT "/v1/packages/$(uuid)" &&
	answered 413 too_large 2097152 &&
	test -z "$(find data/packages -type f)"
'

expect_success 'an endless chunked receipt: 413 once past 64 KiB' '
	endless ceop PUT "/v1/packages/$(uuid)/receipt" &&
	answered 413 too_large 1048576
'

expect_success 'an endless chunked upload: 413 once past the maximum package size' '
	endless ceop PATCH "/v1/uploads/$(uuid)" "Content-Type: application/offset+octet-stream" \
		"Upload-Offset: 0" &&
	answered 413 too_large 2097152
'

expect_success 'a body on a route that takes none: 413 before any of it is read' '
	endless ceop GET /v1/packages && answered 413 too_large 0 &&
	endless - GET /v1/health && answered 413 too_large 0 &&
	endless - GET /v1/metrics && answered 413 too_large 0
'

expect_success 'no client certificate: the answer comes before the body is read' '
	endless - PUT "/v1/packages/$(uuid)" && answered 401 no_client_certificate 0 &&
	endless - PATCH "/v1/uploads/$(uuid)" "Content-Type: application/offset+octet-stream" \
		"Upload-Offset: 0" &&
	answered 401 no_client_certificate 0
'

expect_success 'the server goes on serving, and counts what it cut short' '
	is_status 200 ceop GET /v1/packages &&
	is_status 200 - GET /v1/metrics &&
	_n=$(awk "\$1 == \"pouchd_connections_closed_total{reason=\\\"answered_during_body\\\"}\" \
		{ print \$2 }" body.out) &&
	test "$_n" -ge 3
'

test_done
