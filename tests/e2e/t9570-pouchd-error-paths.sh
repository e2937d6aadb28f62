#!/bin/sh
# pouchd's error bodies name the package id, never a server path or library text: whatever a
# refused push or receipt brings, the detail goes to the server's log (escaped), and the client
# gets a fixed message with the id.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
. "$SRC_DIR/tests/e2e/lib-raw.sh"

JSON='Content-Type: application/json'

# no_path ID: body.out is an error whose message names package ID and no file of the server.
no_path() {
	_m=$(jget body.out error.message) &&
	case "$_m" in
	*"$TRASH"* | */data* | */tmp* | *req-* | *.pouch* | *gnupg*)
		echo "a server path in: $_m"; return 1 ;;
	esac &&
	case "$_m" in
	*"$1"*) ;;
	*) echo "the id is not in: $_m"; return 1 ;;
	esac
}

expect_success 'setup: GB-NCA-CEOP and US-NCMEC send GB-MET packages' '
	exchange_setup && write_report report.json t && mkdir pk &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id1 &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id2 &&
	is_status 201 ceop PUT "/v1/packages/$(cat id1)" -H "$JSON" \
		--data-binary "@pk/$(cat id1).pouch"
'

expect_success 'a tampered package: 422 naming the id, no path; the reason in the log' '
	id=$(cat id2) &&
	sed "s/\"signature\": *\"\([A-Za-z0-9+\/]\)/\"signature\":\"A\1/" "pk/$id.pouch" \
		>tampered.pouch && ! cmp -s tampered.pouch "pk/$id.pouch" &&
	is_status 422 ceop PUT "/v1/packages/$id" -H "$JSON" --data-binary @tampered.pouch &&
	error_code not_genuine && api_ok PUT /v1/packages/{id} 422 && no_path "$id" &&
	logged "^[0-9TZ:-]* pouchd: refused $id: .*data/tmp/req-.*signature"
'

expect_success 'an envelope that does not parse: an error naming the id, no path' '
	id=$(cat id2) &&
	for body in "{}" "not json" "{\"pouch\":\"envelope/1\"}" "[1,2"; do
		printf %s "$body" >bad.pouch &&
		_st=$(req ceop PUT "/v1/packages/$id" -H "$JSON" --data-binary @bad.pouch) &&
		case "$_st" in 4*) ;; *) echo "status $_st"; return 1 ;; esac &&
		no_path "$id" || return 1
	done
'

expect_success 'another sender'"'"'s package under the id: no path in the answer' '
	id=$(cat id2) &&
	pouch --home ncmec pack --to GB-MET --report report.json -o pk >idn &&
	sed "s/$(cat idn)/$id/g" "pk/$(cat idn).pouch" >swapped.pouch &&
	_st=$(req ceop PUT "/v1/packages/$id" -H "$JSON" --data-binary @swapped.pouch) &&
	case "$_st" in 4*) ;; *) echo "status $_st"; return 1 ;; esac &&
	no_path "$id"
'

expect_success 'a receipt that does not parse or verify: no path in the answer' '
	id=$(cat id1) &&
	forged="{\"pouch\":\"receipt/1\",\"receipt\":\"e30=\",\"signature\":\"AA==\"}" &&
	for body in "{}" "garbage" "$forged"; do
		printf %s "$body" >bad.json &&
		_st=$(req met PUT "/v1/packages/$id/receipt" -H "$JSON" --data-binary @bad.json) &&
		case "$_st" in 4*) ;; *) echo "status $_st"; return 1 ;; esac &&
		no_path "$id" || return 1
	done
'

expect_success 'no raw control byte reached the log' '
	log_clean
'

test_done
