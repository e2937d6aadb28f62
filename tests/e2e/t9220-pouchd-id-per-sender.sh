#!/bin/sh
# pouchd and pouch pull: an id belongs to its sender. A partner that pushes its own package
# under an id another agency uses does not block the genuine push, nor the other way round;
# the store keeps both, fetches name the sender when the id is shared, and pull takes both in,
# each with its own receipt.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

JSON='Content-Type: application/json'
forge() { "$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/forge-package.py" "$@"; }
fpr() { pouch --home "$1" whoami --json >.w.json && json_field .w.json fingerprint; }

expect_success 'setup: GB-MET runs pouchd; the centre packs for GB-MET and NCMEC' '
	exchange_setup && write_report report.json t && mkdir pk &&
	pouch --home ceop pack --to GB-MET,US-NCMEC --report report.json -o pk >id &&
	C=$(fpr ceop) && M=$(fpr met) && N=$(fpr ncmec) && echo "C=$C M=$M N=$N" >fprs
'

. ./fprs

expect_success 'NCMEC, a co-recipient, pushes its own package under that id first: 201' '
	id=$(cat id) &&
	forge ncmec/gnupg squat.pouch signer=$N encrypt_to=$M sender=US-NCMEC:$N \
		recipients=GB-MET:$M id=$id &&
	is_status 201 ncmec PUT "/v1/packages/$id" -H "$JSON" --data-binary @squat.pouch &&
	test "$(jget body.out sender)" = US-NCMEC
'

expect_success 'the genuine push under that id is stored too (201), not refused as a conflict' '
	id=$(cat id) &&
	is_status 201 ceop PUT "/v1/packages/$id" -H "$JSON" --data-binary "@pk/$id.pouch" &&
	test "$(jget body.out sender)" = GB-NCA-CEOP && api_ok PUT /v1/packages/{id} 201
'

expect_success 'each resend is its own (200); other bytes from the same sender are a conflict' '
	id=$(cat id) &&
	is_status 200 ncmec PUT "/v1/packages/$id" -H "$JSON" --data-binary @squat.pouch &&
	test "$(jget body.out sender)" = US-NCMEC &&
	is_status 200 ceop PUT "/v1/packages/$id" -H "$JSON" --data-binary "@pk/$id.pouch" &&
	test "$(jget body.out sender)" = GB-NCA-CEOP &&
	forge ceop/gnupg other.pouch signer=$C encrypt_to=$M sender=GB-NCA-CEOP:$C \
		recipients=GB-MET:$M id=$id &&
	is_status 409 ceop PUT "/v1/packages/$id" -H "$JSON" --data-binary @other.pouch &&
	error_code id_conflict
'

expect_success 'a fetch names the sender when the caller sees the id from several' '
	id=$(cat id) &&
	is_status 400 met GET "/v1/packages/$id" && error_code bad_request &&
	is_status 200 met GET "/v1/packages/$id?sender=GB-NCA-CEOP" &&
	cmp body.out "pk/$id.pouch" &&
	is_status 200 met GET "/v1/packages/$id?sender=US-NCMEC" && cmp body.out squat.pouch &&
	is_status 400 met GET "/v1/packages/$id?sender=not%20a%20code" &&
	error_code bad_request &&
	is_status 404 met GET "/v1/packages/$id/payload?sender=GB-NCA-CEOP" &&
	is_status 404 met GET "/v1/packages/$id?sender=GB-MET" &&
	is_status 200 ceop GET "/v1/packages/$id" && cmp body.out "pk/$id.pouch" &&
	is_status 404 ceop GET "/v1/packages/$id?sender=US-NCMEC"
'

expect_success 'pull takes both in, each good with its own file and its receipt filed' '
	id=$(cat id) && pouch --home met pull >out 2>err &&
	grep -qx "good $id from US-NCMEC -> inbox/$id.pouch" out &&
	grep -qx "good $id from GB-NCA-CEOP -> inbox/GB-NCA-CEOP.$id.pouch" out &&
	cmp "met/inbox/$id.pouch" squat.pouch &&
	cmp "met/inbox/GB-NCA-CEOP.$id.pouch" "pk/$id.pouch" &&
	pouch --home met inbox --json >inbox.json &&
	"$SYSTEM_PYTHON" -c "import json; a = json.load(open(\"inbox.json\"))
s = sorted(i[\"sender\"] for i in a if i[\"id\"] == \"$id\")
assert s == [\"GB-NCA-CEOP\", \"US-NCMEC\"], a
assert all(i[\"verdict\"] == \"good\" and i[\"receipt\"] == \"sent\" for i in a), a" &&
	for who in ceop ncmec; do
		is_status 200 $who GET /v1/receipts &&
		test "$(jget body.out receipts.0.package)" = "$id" &&
		test "$(jget body.out receipts.0.verdict)" = accepted || return 1
	done
'

expect_success 'pulling again takes nothing twice' '
	pouch --home met pull >out 2>err && test ! -s out &&
	test "$(sqlite3 met/state.db "SELECT count(*) FROM incoming")" = 2
'

test_done
