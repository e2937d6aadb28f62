#!/bin/sh
# pouchd: mutual TLS on every partner route, verification on arrival before anything is stored,
# idempotent pushes, conflicts, limits, listing with cursors, fetching, and JSON error bodies
# that match spec/openapi.yaml. Requests are made with curl against a real pouchd.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

JSON='Content-Type: application/json'

# push CLIENT FILE [ID]: PUT the envelope FILE as package ID (default: its header's id).
push() {
	_id=${3:-$(basename "$2" .pouch)}
	req "$1" PUT "/v1/packages/$_id" -H "$JSON" --data-binary "@$2"
}

stored_files() { find data/packages -type f | wc -l; }

# receipt HOME SIGNER-HOME PACKAGE VERDICT REASON OUT: the receipt HOME's agency gives for the
# package file, signed with gpg by SIGNER-HOME's current key, as a partner's own code would.
receipt() {
	_code=$(pouch --home "$1" whoami --json | jget /dev/stdin agency) &&
	_fpr=$(pouch --home "$1" whoami --json | jget /dev/stdin fingerprint) &&
	_signer=$(pouch --home "$2" whoami --json | jget /dev/stdin fingerprint) &&
	b64_member "$3" header .hdr &&
	"$SYSTEM_PYTHON" -c 'import hashlib, json, sys, time
h = json.load(open(".hdr"))
reason = sys.argv[4] or None
body = {"format": "pouch-receipt/1", "package": h["id"],
        "header_sha256": hashlib.sha256(open(".hdr", "rb").read()).hexdigest(),
        "sender": h["sender"]["agency"],
        "recipient": {"agency": sys.argv[1], "fingerprint": sys.argv[2]},
        "verdict": sys.argv[3], "reason": reason,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
open(".body", "w").write(json.dumps(body, separators=(",", ":")))' \
		"$_code" "$_fpr" "$4" "$5" &&
	gpg --homedir "$2/gnupg" --batch --yes --local-user "$_signer!" --detach-sign \
		-o .sig .body 2>/dev/null &&
	"$SYSTEM_PYTHON" -c 'import base64, json, sys
b64 = lambda f: base64.b64encode(open(f, "rb").read()).decode()
json.dump({"pouch": "receipt/1", "receipt": b64(".body"), "signature": b64(".sig")},
          open(sys.argv[1], "w"))' "$6"
}

expect_success 'setup: the force GB-MET runs pouchd; the centre and NCMEC are its partners' '
	init_agency met GB-MET && init_agency ceop GB-NCA-CEOP && init_agency ncmec US-NCMEC &&
	init_agency other XX-OTHER &&
	partners met ceop && partners met ncmec && partners ceop other && partners ceop ncmec &&
	make_ca servers && make_ca clients && make_ca rogue &&
	make_cert servers srv 127.0.0.1 server &&
	make_cert clients ceop GB-NCA-CEOP client && make_cert clients met GB-MET client &&
	make_cert clients ncmec US-NCMEC client && make_cert clients stranger XX-STRANGER client &&
	make_cert rogue rogueceop GB-NCA-CEOP client &&
	write_report report.json t && mkdir pk &&
	for i in 1 2 3; do
		pouch --home ceop pack --to GB-MET --report report.json -o pk >id$i || return 1
	done &&
	pouch --home ncmec pack --to GB-MET --report report.json -o pk >idn &&
	pouch --home ceop pack --to GB-MET,XX-OTHER --report report.json -o pk >idx &&
	start_pouchd met data
'

expect_success 'health needs no client certificate and matches the spec' '
	is_status 200 - GET /v1/health && api_ok GET /v1/health 200 &&
	test "$(jget body.out status)" = ok
'

expect_success 'a partner route without a client certificate: 401 no_client_certificate' '
	is_status 401 - GET /v1/packages && error_code no_client_certificate &&
	api_ok GET /v1/packages 401
'

expect_success 'a client certificate from another CA: 403 untrusted_client_certificate' '
	is_status 403 rogueceop PUT "/v1/packages/$(cat id1)" -H "$JSON" \
		--data-binary "@pk/$(cat id1).pouch" &&
	error_code untrusted_client_certificate && test "$(stored_files)" = 0
'

expect_success 'a certificate naming an agency the endpoint does not know: 403 unknown_agency' '
	is_status 403 stranger GET /v1/packages && error_code unknown_agency
'

expect_success 'a genuine push is stored: 201 with the package record' '
	push ceop "pk/$(cat id1).pouch" >st && test "$(cat st)" = 201 &&
	api_ok PUT /v1/packages/{id} 201 && cp body.out first.json &&
	test "$(jget first.json id)" = "$(cat id1)" &&
	test "$(jget first.json sender)" = GB-NCA-CEOP &&
	test "$(jget first.json recipients.0)" = GB-MET &&
	test "$(jget first.json digest)" = "$(sha256sum <"pk/$(cat id1).pouch" | cut -c1-64)" &&
	test "$(jget first.json payload)" = null && test "$(stored_files)" = 1
'

expect_success 'the same push again: 200 with the original record, no second copy' '
	is_status 200 ceop PUT "/v1/packages/$(cat id1)" -H "$JSON" \
		--data-binary "@pk/$(cat id1).pouch" &&
	test_cmp first.json body.out && test "$(stored_files)" = 1
'

expect_success 'the same id with other bytes: 409 id_conflict, the original kept' '
	"$SYSTEM_PYTHON" -c "import json,sys; json.dump(json.load(open(sys.argv[1])), \
		open(sys.argv[2], \"w\"), indent=2)" "pk/$(cat id1).pouch" respaced.pouch &&
	pouch --home met verify -q respaced.pouch >/dev/null &&
	is_status 409 ceop PUT "/v1/packages/$(cat id1)" -H "$JSON" \
		--data-binary @respaced.pouch &&
	error_code id_conflict && api_ok PUT /v1/packages/{id} 409 && test "$(stored_files)" = 1
'

expect_success 'a package signed by another agency than the certificate: 403 sender_mismatch' '
	is_status 403 ceop PUT "/v1/packages/$(cat idn)" -H "$JSON" \
		--data-binary "@pk/$(cat idn).pouch" &&
	error_code sender_mismatch && test "$(stored_files)" = 1
'

expect_success 'a tampered package: 422 not_genuine, nothing stored' '
	sed "s/\"signature\": *\"\([A-Za-z0-9+\/]\)/\"signature\":\"A\1/" "pk/$(cat id2).pouch" \
		>tampered.pouch && ! cmp -s tampered.pouch "pk/$(cat id2).pouch" &&
	is_status 422 ceop PUT "/v1/packages/$(cat id2)" -H "$JSON" \
		--data-binary @tampered.pouch &&
	error_code not_genuine && api_ok PUT /v1/packages/{id} 422 &&
	test "$(stored_files)" = 1 && test -z "$(ls data/tmp)"
'

expect_success 'a recipient the endpoint does not serve: 422 unknown_recipient' '
	is_status 422 ceop PUT "/v1/packages/$(cat idx)" -H "$JSON" \
		--data-binary "@pk/$(cat idx).pouch" && error_code unknown_recipient
'

expect_success 'a path id that is not the header id: 400 id_mismatch' '
	is_status 400 ceop PUT "/v1/packages/$(cat id3)" -H "$JSON" \
		--data-binary "@pk/$(cat id2).pouch" && error_code id_mismatch
'

expect_success 'a body that is not JSON: 415 unsupported_media_type' '
	is_status 415 ceop PUT "/v1/packages/$(cat id2)" -H "Content-Type: text/plain" \
		--data-binary "@pk/$(cat id2).pouch" && error_code unsupported_media_type
'

expect_success 'a route that does not exist: 404; a method not allowed: 405' '
	is_status 404 ceop GET /v1/nothing && error_code not_found &&
	is_status 405 ceop DELETE "/v1/packages/$(cat id1)" -D hdr.out &&
	error_code method_not_allowed && grep -qi "^Allow: GET, PUT" hdr.out
'

expect_success 'listing pages through what is addressed to the caller with cursors' '
	push ceop "pk/$(cat id2).pouch" >/dev/null && push ceop "pk/$(cat id3).pouch" >/dev/null &&
	is_status 200 met GET "/v1/packages?limit=2" && api_ok GET /v1/packages 200 &&
	test "$(jget body.out has_more)" = true && test "$(jget body.out packages.0.id)" = "$(cat id1)" &&
	test "$(jget body.out packages.1.id)" = "$(cat id2)" &&
	next=$(jget body.out next) && test "$next" = "$(jget body.out packages.1.cursor)" &&
	is_status 200 met GET "/v1/packages?limit=2&after=$next" &&
	test "$(jget body.out has_more)" = false && test "$(jget body.out packages.0.id)" = "$(cat id3)" &&
	last=$(jget body.out next) &&
	is_status 200 met GET "/v1/packages?after=$last" && test "$(jget body.out packages)" = "[]" &&
	test "$(jget body.out next)" = "$last" && test "$(jget body.out has_more)" = false
'

expect_success 'the sender is not a recipient: its list is empty' '
	is_status 200 ceop GET /v1/packages && test "$(jget body.out packages)" = "[]" &&
	test "$(jget body.out next)" = null
'

expect_success 'a bad cursor or limit: 400' '
	is_status 400 met GET "/v1/packages?after=x1" && error_code bad_request &&
	is_status 400 met GET "/v1/packages?limit=0" && is_status 400 met GET "/v1/packages?limit=1001"
'

expect_success 'a recipient fetches the exact envelope; a stranger to it gets 404' '
	is_status 200 met GET "/v1/packages/$(cat id1)" && cmp body.out "pk/$(cat id1).pouch" &&
	is_status 404 ncmec GET "/v1/packages/$(cat id1)" && error_code not_found
'

expect_success 'a package larger than the maximum: 413 too_large, nothing stored' '
	stop_pouchd && start_pouchd met data --max-package 1K &&
	is_status 413 ceop PUT "/v1/packages/$(cat idn)" -H "$JSON" \
		--data-binary "@pk/$(cat idn).pouch" && error_code too_large &&
	test "$(stored_files)" = 3
'

expect_success 'metrics in Prometheus text format count requests by route and status' '
	is_status 200 - GET /v1/metrics &&
	grep -q "^pouchd_requests_total{method=\"PUT\",route=\"/v1/packages/{id}\",status=\"413\"} 1$" body.out &&
	grep -q "^pouchd_packages 3$" body.out
'

expect_success 'one log line per request, without contents' '
	logged "^[0-9TZ:-]* pouchd: PUT /v1/packages/{id} status=413 agency=GB-NCA-CEOP id=$(cat idn) in=" &&
	! grep -q title pouchd.log
'

expect_success 'SIGTERM stops pouchd cleanly; the store survives a restart' '
	stop_pouchd TERM && grep -q "^[0-9TZ:-]* pouchd: stopped$" pouchd.log &&
	start_pouchd met data && is_status 200 met GET /v1/packages &&
	test "$(jget body.out packages.2.id)" = "$(cat id3)"
'

expect_success 'a second pouchd on the same store cannot start: exit 3, the first unharmed' '
	must_fail 3 "$POUCHD_BIN" --home met --data data --listen 127.0.0.1:0 --cert srv.pem \
		--key srv.key --client-ca clients.ca.pem &&
	grep -q "pouchd: cannot lock the store .*in use by another pouchd" err &&
	is_status 200 met GET /v1/packages
'

expect_success 'a client gone mid-push leaves nothing behind' '
	head -c 6000000 /dev/urandom >mid.bin && head -c 9000000 /dev/urandom >big.bin &&
	pouch --home ncmec pack --to GB-MET --report report.json --attach mid.bin -o pk >idm &&
	pouch --home ncmec pack --to GB-MET --report report.json --attach big.bin -o pk >idb &&
	stop_pouchd && start_pouchd met data &&
	partial ncmec PUT "/v1/packages/$(cat idm)" "pk/$(cat idm).pouch" 1000000 "$JSON" &&
	wait_until "arrived \"data/tmp/*/$(cat idm).pouch\" 1000000" &&
	kill "$PARTIAL_PID" && wait_until "aborted PUT $(cat idm)" &&
	test "$(stored_files)" = 3 && test -z "$(ls data/tmp)" &&
	is_status 404 met GET "/v1/packages/$(cat idm)"
'

expect_success 'a client gone mid-upload of a payload keeps what arrived, to resume from' '
	partial ncmec PATCH "/v1/uploads/$(cat idb)" "pk/$(cat idb).pouch.pgp" 1000000 \
		"Content-Type: application/offset+octet-stream" "Upload-Offset: 0" &&
	wait_until "arrived data/uploads/US-NCMEC.$(cat idb) 1000000" &&
	kill "$PARTIAL_PID" && wait_until "aborted PATCH $(cat idb)" &&
	is_status 200 ncmec GET "/v1/uploads/$(cat idb)" && api_ok GET /v1/uploads/{id} 200 &&
	test "$(jget body.out offset)" = 1000000 && test -z "$(ls data/tmp)"
'

expect_success 'a detached payload resumes from its offset, then the push verifies it' '
	off=$(jget body.out offset) &&
	is_status 409 ncmec PATCH "/v1/uploads/$(cat idb)" -H "Upload-Offset: 0" \
		-H "Content-Type: application/offset+octet-stream" --data-binary @report.json &&
	error_code offset_mismatch && test "$(jget body.out offset)" = "$off" &&
	is_status 422 ncmec PUT "/v1/packages/$(cat idb)" -H "$JSON" \
		--data-binary "@pk/$(cat idb).pouch" && error_code payload_missing &&
	is_status 200 ncmec GET "/v1/uploads/$(cat idb)" && test "$(jget body.out offset)" = "$off" &&
	tail -c +$((off + 1)) "pk/$(cat idb).pouch.pgp" >rest.bin &&
	is_status 200 ncmec PATCH "/v1/uploads/$(cat idb)" -H "Upload-Offset: $off" \
		-H "Content-Type: application/offset+octet-stream" --data-binary @rest.bin &&
	test "$(jget body.out offset)" = "$(stat -c %s "pk/$(cat idb).pouch.pgp")" &&
	is_status 201 ncmec PUT "/v1/packages/$(cat idb)" -H "$JSON" \
		--data-binary "@pk/$(cat idb).pouch" &&
	test "$(jget body.out payload.size)" = "$(stat -c %s "pk/$(cat idb).pouch.pgp")"
'

expect_success 'a push whose detached payload was never uploaded: 422 payload_missing' '
	pouch --home ncmec pack --to GB-MET --report report.json --attach big.bin -o pk >idc 2>/dev/null &&
	is_status 422 ncmec PUT "/v1/packages/$(cat idc)" -H "$JSON" \
		--data-binary "@pk/$(cat idc).pouch" && error_code payload_missing
'

expect_success 'the payload downloads whole, or from an offset with 206' '
	is_status 200 met GET "/v1/packages/$(cat idb)/payload" && cmp body.out "pk/$(cat idb).pouch.pgp" &&
	is_status 206 met GET "/v1/packages/$(cat idb)/payload" -H "Range: bytes=1000-" &&
	tail -c +1001 "pk/$(cat idb).pouch.pgp" | cmp - body.out &&
	is_status 404 met GET "/v1/packages/$(cat id1)/payload"
'

expect_success 'pouchd killed mid-push: nothing half-stored after the restart' '
	partial ncmec PUT "/v1/packages/$(cat idm)" "pk/$(cat idm).pouch" 1000000 "$JSON" &&
	wait_until "arrived \"data/tmp/*/$(cat idm).pouch\" 1000000" &&
	stop_pouchd KILL && wait "$PARTIAL_PID"; start_pouchd met data &&
	test -z "$(ls data/tmp)" && test "$(stored_files)" = 5 &&
	is_status 404 met GET "/v1/packages/$(cat idm)"
'

expect_success 'a recipient files its signed receipt; the same again is 200, another 409' '
	receipt met met "pk/$(cat id1).pouch" accepted "" r1.json &&
	is_status 201 met PUT "/v1/packages/$(cat id1)/receipt" -H "$JSON" --data-binary @r1.json &&
	api_ok PUT /v1/packages/{id}/receipt 201 && test "$(jget body.out verdict)" = accepted &&
	is_status 200 met PUT "/v1/packages/$(cat id1)/receipt" -H "$JSON" --data-binary @r1.json &&
	receipt met met "pk/$(cat id1).pouch" rejected "changed our mind" r2.json &&
	is_status 409 met PUT "/v1/packages/$(cat id1)/receipt" -H "$JSON" --data-binary @r2.json &&
	error_code receipt_conflict
'

expect_success 'a forged receipt is refused: 422 not_genuine, nothing filed' '
	receipt met ncmec "pk/$(cat id2).pouch" accepted "" forged.json &&
	is_status 422 met PUT "/v1/packages/$(cat id2)/receipt" -H "$JSON" \
		--data-binary @forged.json && error_code not_genuine &&
	receipt met met "pk/$(cat id2).pouch" accepted "" r3.json &&
	is_status 403 ncmec PUT "/v1/packages/$(cat id2)/receipt" -H "$JSON" \
		--data-binary @r3.json && error_code sender_mismatch &&
	is_status 400 met PUT "/v1/packages/$(cat id3)/receipt" -H "$JSON" \
		--data-binary @r3.json && error_code id_mismatch
'

expect_success 'the sender lists the receipts for what it sent, with their signed bytes' '
	is_status 200 ceop GET /v1/receipts && api_ok GET /v1/receipts 200 &&
	test "$(jget body.out receipts.0.package)" = "$(cat id1)" &&
	test "$(jget body.out receipts.0.from)" = GB-MET &&
	"$SYSTEM_PYTHON" -c "import json; assert len(json.load(open(\"body.out\"))[\"receipts\"]) == 1" &&
	test "$(jget body.out has_more)" = false &&
	is_status 200 met GET /v1/receipts && test "$(jget body.out receipts)" = "[]"
'

expect_success 'a partner whose certificates carry another name (client_cn) is known by it' '
	make_cert clients ncmecgw ncmec-gateway client &&
	is_status 403 ncmecgw GET /v1/packages && error_code unknown_agency &&
	pouch --home met partner set US-NCMEC --client-cn ncmec-gateway -q &&
	is_status 200 ncmecgw GET /v1/packages &&
	is_status 403 ncmec GET /v1/packages && error_code unknown_agency
'

test_done
