#!/bin/sh
# Receipts coming back: the centre pushes with pouch push, the force pulls and answers, the
# centre's pull verifies the receipts and files them on its deliveries (pouch status shows them);
# a receipt the centre cannot verify (signed by a key it does not pin) is refused, not stored.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

rows() { sqlite3 "$1/state.db" "$2"; }

T='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

expect_success 'setup: the centre pushes two packages to GB-MET with pouch push' '
	exchange_setup && write_report report.json t && mkdir pk &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id1 &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id2 &&
	pouch --home ceop push "pk/$(cat id1).pouch" "pk/$(cat id2).pouch" >out &&
	grep -q "^delivered $(cat id1) to GB-MET" out
'

expect_success 'met pulls and answers; the centre'"'"'s pull verifies and files both receipts' '
	pouch --home met pull >out && test "$(wc -l <out)" = 2 &&
	pouch --home ceop pull >out 2>err &&
	grep -qx "receipt accepted for $(cat id1) from GB-MET" out &&
	grep -qx "receipt accepted for $(cat id2) from GB-MET" out && test ! -s err &&
	test "$(rows ceop "SELECT count(*) FROM delivery WHERE receipt_verdict = \"accepted\"")" = 2
'

expect_success 'pouch status shows the receipt accepted, with its time' '
	pouch --home ceop status "$(cat id1)" >out &&
	grep -Eqx "  GB-MET: delivered $T \(attempts 1\), receipt accepted $T" out
'

expect_success 'a second pull of the receipts stores nothing twice' '
	pouch --home ceop pull -q >out 2>err && test ! -s out && test ! -s err &&
	test "$(grep -c "\"event\":\"receipt-received\"" ceop/audit.log)" = 2
'

expect_success 'a receipt signed by a key the centre does not pin is refused and not stored' '
	pouch --home met key rotate --no-passphrase -o metnew.asc >/dev/null 2>&1 &&
	fpr=$(pouch --home met whoami --json | jget /dev/stdin fingerprint) &&
	pouch --home metgw key add --key metnew.asc --fingerprint "$fpr" >/dev/null 2>&1 &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id3 &&
	pouch --home ceop push "pk/$(cat id3).pouch" >/dev/null &&
	pouch --home met pull >out && grep -q "^good $(cat id3)" out &&
	pouch --home ceop pull >out 2>err && test ! -s out &&
	grep -q "warning: receipt for package $(cat id3) from GB-MET refused: .*$fpr" err &&
	test "$(rows ceop "SELECT count(*) FROM delivery WHERE id = \"$(cat id3)\" AND
		receipt IS NULL")" = 1 &&
	pouch --home ceop status "$(cat id3)" >out && ! grep -q "receipt accepted" out &&
	"$SYSTEM_PYTHON" -c "import json, sys
es = [json.loads(l) for l in open(\"ceop/audit.log\")]
assert any(e[\"event\"] == \"receipt-received\" and e.get(\"verdict\") == \"refused\" and
           e.get(\"id\") == sys.argv[1] for e in es)" "$(cat id3)"
'

expect_success 'a rejected receipt comes back with its reason' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id4 &&
	pouch --home ceop push "pk/$(cat id4).pouch" >/dev/null &&
	pouch --home met partner remove GB-NCA-CEOP -q >/dev/null &&
	must_fail 1 pouch --home met pull && grep -q "^quarantined $(cat id4)" out &&
	pouch --home ceop partner add-key GB-MET --key metnew.asc --fingerprint \
		"$(pouch --home met whoami --json | jget /dev/stdin fingerprint)" -q >/dev/null &&
	pouch --home ceop pull >out 2>err &&
	grep -Eqx "receipt rejected for $(cat id4) from GB-MET: .*no partner .* pins.*" \
		out &&
	pouch --home ceop status "$(cat id4)" >out &&
	grep -Eq "  GB-MET: delivered $T \(attempts 1\), receipt rejected $T: .*pins" out
'

expect_success 'the audit trails hold receipt-received and stay intact' '
	pouch --home ceop audit verify >/dev/null && pouch --home met audit verify >/dev/null &&
	grep -q "\"event\":\"receipt-received\"" ceop/audit.log
'

test_done
