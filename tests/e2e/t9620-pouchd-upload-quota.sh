#!/bin/sh
# pouchd: each partner has a quota of staged bytes and of staged uploads (--upload-quota,
# --max-uploads); an append past it is 507 quota_exceeded and appends nothing. The quota is
# each partner's own, counted again at start, and freed by a refused push or an expiry.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

QUOTA='--upload-quota 1M --max-uploads 2'
# A refusal that comes before the body reaches a client that waits for it; one that sends its
# body regardless may see the connection reset first (pouchd does not read a refused body).
EXPECT='Expect: 100-continue'

expect_success 'setup: pouchd with 1 MiB and 2 staged uploads per partner' '
	exchange_setup && stop_pouchd && start_pouchd metgw data $QUOTA &&
	head -c 600000 /dev/urandom >a.bin && head -c 100000 /dev/urandom >b.bin &&
	echo >one.bin &&
	for i in a b c d; do cat /proc/sys/kernel/random/uuid >id$i || return 1; done &&
	test "$(stage ceop "$(cat ida)" a.bin)" = 200
'
A=$(cat ida 2>/dev/null) B=$(cat idb 2>/dev/null) C=$(cat idc 2>/dev/null) D=$(cat idd 2>/dev/null)

expect_success 'past its staged bytes: 507 quota_exceeded, nothing appended' '
	test "$(stage ceop "$B" a.bin 0 -H "$EXPECT")" = 507 && error_code quota_exceeded &&
	api_ok PATCH /v1/uploads/{id} 507 &&
	test "$(staged ceop "$B")" = 0 && test ! -e "data/uploads/GB-NCA-CEOP.$B" &&
	test "$(stage ceop "$B" a.bin 0 -H "Transfer-Encoding: chunked")" = 507 &&
	error_code quota_exceeded && test ! -e "data/uploads/GB-NCA-CEOP.$B" &&
	test "$(stage ceop "$A" a.bin 600000 -H "$EXPECT")" = 507 && test "$(staged ceop "$A")" = 600000
'

expect_success 'within the quota the partner goes on' '
	test "$(stage ceop "$B" b.bin)" = 200 && test "$(staged ceop "$B")" = 100000
'

expect_success 'past its number of staged uploads: 507 quota_exceeded, no file' '
	test "$(stage ceop "$C" one.bin 0 -H "$EXPECT")" = 507 && error_code quota_exceeded &&
	test ! -e "data/uploads/GB-NCA-CEOP.$C"
'

expect_success 'the quota is each partner'"'"'s own' '
	test "$(stage ncmec "$A" a.bin)" = 200 && test "$(stage ncmec "$C" b.bin)" = 200
'

expect_success 'the quota is counted again when pouchd starts' '
	stop_pouchd && start_pouchd metgw data $QUOTA &&
	test "$(stage ceop "$C" one.bin 0 -H "$EXPECT")" = 507 &&
	test "$(stage ceop "$B" a.bin 100000 -H "$EXPECT")" = 507 &&
	test "$(staged ceop "$B")" = 100000
'

expect_success 'a refused push frees the quota of its staged upload' '
	echo "{}" >bad.pouch &&
	st=$(req ceop PUT "/v1/packages/$A" -H "Content-Type: application/json" \
		--data-binary @bad.pouch) && case $st in 4??) ;; *) false ;; esac &&
	test "$(staged ceop "$A")" = 0 &&
	test "$(stage ceop "$C" a.bin)" = 200 && test "$(staged ceop "$C")" = 600000
'

expect_success 'an upload that expires frees the quota' '
	touch -d "2 days ago" "data/uploads/GB-NCA-CEOP.$C" &&
	stop_pouchd && start_pouchd metgw data $QUOTA &&
	test "$(staged ceop "$C")" = 0 && test "$(stage ceop "$D" a.bin)" = 200
'

test_done
