#!/bin/sh
# pouchd: a PATCH that would take a staged upload past the maximum package size appends
# nothing: refused before any write when Upload-Offset plus Content-Length passes it, and
# undone back to the staged size before it when a body without a length passes it.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

CHUNKED='Transfer-Encoding: chunked'

expect_success 'setup: pouchd takes packages of at most 1 MiB' '
	exchange_setup && stop_pouchd && start_pouchd metgw data --max-package 1M &&
	head -c 600000 /dev/urandom >a.bin && head -c 600000 /dev/urandom >b.bin &&
	head -c 2000000 /dev/urandom >big.bin && head -c 448576 /dev/urandom >rest.bin &&
	cat /proc/sys/kernel/random/uuid >id && cat /proc/sys/kernel/random/uuid >id2 &&
	test "$(stage ceop "$(cat id)" a.bin)" = 200 && test "$(jget body.out offset)" = 600000
'
ID=$(cat id 2>/dev/null) ID2=$(cat id2 2>/dev/null)

# curl waits for pouchd's answer before it sends the body (Expect: 100-continue): a refusal
# that comes first is never lost to a broken pipe, however the two are scheduled.
expect_success 'offset plus Content-Length over the maximum: 413 before any write' '
	test "$(stage ceop "$ID" b.bin 600000 -H "Expect: 100-continue" \
		--expect100-timeout 600)" = 413 && error_code too_large &&
	api_ok PATCH /v1/uploads/{id} 413 &&
	test "$(staged ceop "$ID")" = 600000 && cmp a.bin "data/uploads/GB-NCA-CEOP.$ID"
'

expect_success 'a body without a length stops at the maximum and appends nothing' '
	test "$(stage ceop "$ID" b.bin 600000 -H "$CHUNKED")" = 413 && error_code too_large &&
	test "$(staged ceop "$ID")" = 600000 && cmp a.bin "data/uploads/GB-NCA-CEOP.$ID"
'

# A chunked body goes on after pouchd's refusal: pouchd reads and drops the rest until curl,
# having read the 413, closes (a close with unread bytes would reset the connection and could
# destroy the answer before curl reads it: a broken pipe instead of the 413).
expect_success 'a new upload over the maximum leaves no file behind' '
	test "$(stage ceop "$ID2" big.bin 0 -H "$CHUNKED")" = 413 && error_code too_large &&
	logged "^[0-9TZ:-]* pouchd: PATCH /v1/uploads/{id} status=413 .*agency=GB-NCA-CEOP id=$ID2 " &&
	test "$(staged ceop "$ID2")" = 0 && test ! -e "data/uploads/GB-NCA-CEOP.$ID2" &&
	test "$(stage ncmec "$ID2" big.bin 0 -H "Expect: 100-continue" --expect100-timeout 600)" = 413 &&
	test "$(staged ncmec "$ID2")" = 0 && test ! -e "data/uploads/US-NCMEC.$ID2"
'

# A client that sends its whole body before it reads: pouchd's 413 must still reach it.
expect_success 'a client that reads only after its whole body still gets the 413' '
	id=$(cat /proc/sys/kernel/random/uuid) &&
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/deaf-body.py" "$(pouchd_port)" servers.ca.pem ceop \
		PATCH "/v1/uploads/$id" 8388608 "Upload-Offset: 0" \
		"Content-Type: application/offset+octet-stream" >ans.out &&
	test "$(sed -n 1p ans.out)" = 413 && sed -n 2p ans.out >body.out && error_code too_large &&
	test ! -e "data/uploads/GB-NCA-CEOP.$id"
'

expect_success 'up to the maximum exactly is taken, one byte more is not' '
	test "$(stage ceop "$ID" rest.bin 600000 -H "$CHUNKED")" = 200 &&
	test "$(jget body.out offset)" = 1048576 &&
	echo >one.bin && test "$(stage ceop "$ID" one.bin 1048576)" = 413 &&
	test "$(stage ceop "$ID" one.bin 1048576 -H "$CHUNKED")" = 413 &&
	test "$(staged ceop "$ID")" = 1048576 &&
	cat a.bin rest.bin | cmp - "data/uploads/GB-NCA-CEOP.$ID"
'

test_done
