#!/bin/sh
# Expiry bounds delivery and replay, not reading: with the clock moved past a package's expiry
# (POUCH_CLOCK_SHIFT, test builds only), the package verified on arrival still opens from the
# inbox by its id, while the same package handed in as a file is refused as expired (exit 1,
# its own message and error code), never as not genuine; a file swapped into the inbox is not
# the package verified on arrival.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
need_faults
trap 'stop_pouchd KILL; cleanup' EXIT

LATER=$((40 * 86400)) # past the default expiry of 30 days

later() { POUCH_CLOCK_SHIFT=$LATER pouch "$@"; }

expect_success 'setup: GB-NCA-CEOP sends two packages to GB-MET, which pulls them' '
	exchange_setup && mkdir pk && write_report report.json t7010 &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id1 &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id2 &&
	pouch --home ceop push "pk/$(cat id1).pouch" "pk/$(cat id2).pouch" >/dev/null &&
	pouch --home met pull >/dev/null
'

expect_success 'after its expiry, a package from the inbox still opens by its id' '
	later --home met open "$(cat id1)" -o o1 >out &&
	grep -q "^opened package $(cat id1) from GB-NCA-CEOP into o1" out && test -f o1/pouch.json
'

expect_success 'the same package as a file is refused as expired, not as not genuine' '
	must_fail 1 later --home met open "pk/$(cat id2).pouch" -o o2 &&
	error_is "package .pk/$(cat id2).pouch. expired on [0-9T:-]+Z$" && test ! -e o2 &&
	must_fail 1 later --home met open "met/inbox/$(cat id2).pouch" -o o2 &&
	error_is "package .met/inbox/$(cat id2).pouch. expired on " &&
	must_fail 1 later --home met verify "pk/$(cat id2).pouch" &&
	error_is "package .pk/$(cat id2).pouch. expired on " &&
	! grep -q "not genuine" err &&
	must_fail 1 later --home met open "pk/$(cat id2).pouch" -o o2 --json &&
	test "$(tail -n 1 out | jget /dev/stdin error.code)" = expired &&
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/check-json-output.py" "$SRC_DIR/spec" open 1 out
'

expect_success 'before its expiry the file opens as ever' '
	pouch --home met open "pk/$(cat id2).pouch" -o o3 >/dev/null && test -f o3/pouch.json
'

expect_success 'the audit trail records the refusal as refused, and stays intact' '
	pouch --home met audit show --json >audit.json &&
	grep -q "\"event\":\"open\",[^}]*\"verdict\":\"refused\",\"reason\":\"package [^ ]* expired on" \
		audit.json &&
	pouch --home met audit verify >/dev/null
'

expect_success 'inbox shows the expiry as passed' '
	later --home met inbox >out &&
	grep -Eq "^$(cat id1) GB-NCA-CEOP routine [0-9T:-]+Z receipt sent, good, \
expired [0-9T:-]+Z, opened " out &&
	pouch --home met inbox >out && grep -q "^$(cat id2) .*, expires " out
'

expect_success 'a file swapped into the inbox is not the package verified on arrival' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id3 &&
	cp "pk/$(cat id3).pouch" "met/inbox/$(cat id2).pouch" &&
	must_fail 1 pouch --home met open "$(cat id2)" -o o4 &&
	error_is "package .*. is not genuine: its header is not the one verified on arrival" &&
	test ! -e o4
'

test_done
