#!/bin/sh
# pouch push, outbox and status against a real pouchd over TLS on 127.0.0.1: the durable outbox,
# delivery exactly once, refusals before anything is queued, a conflicting id, the server down
# and a later flush, TLS trust failures, detached payloads with a resumed upload, one PUT per
# endpoint for several recipients, receipts shown and checked again, and the audit trail.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

JSON='Content-Type: application/json'
forge() { "$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/forge-package.py" "$@"; }
py() {
	_s=$1
	shift
	"$SYSTEM_PYTHON" -c "$_s" "$@"
}

# put_count N ID: pouchd logged exactly N PUT requests for package ID since it started (waiting
# for the log lines of requests already answered: see logged_count).
put_count() { logged_count "$1" "^[0-9TZ:-]* pouchd: PUT /v1/packages/{id} .* id=$2 "; }

# outbox_ids HOME [ARGS]: the ids `pouch outbox --json` lists, space separated.
outbox_ids() {
	_h=$1
	shift
	pouch --home "$_h" outbox --json "$@" >.ob.json &&
	py 'import json; print(" ".join(p["id"] for p in json.load(open(".ob.json"))))'
}

# delivery HOME ID FIELD: a field of the first delivery of `pouch status ID --json`.
delivery() {
	pouch --home "$1" status "$2" --json >.st.json && jget .st.json "deliveries.0.$3"
}

url() { echo "https://127.0.0.1:$(pouchd_port)"; }

expect_success 'setup: GB-MET runs pouchd; the centre and NCMEC reach it' '
	exchange_setup && write_report report.json MARKER-CONTENT-7d1f && mkdir pk &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id1 &&
	pouch --home ncmec pack --to GB-MET --report report.json -o pk >idn &&
	make_ca rogue
'

expect_success 'push delivers a package exactly once' '
	pouch --home ceop push "pk/$(cat id1).pouch" >out &&
	echo "delivered $(cat id1) to GB-MET ($(url))" >want && test_cmp want out &&
	test "$(listed met "$(cat id1)")" = 1 && api_ok GET /v1/packages 200 &&
	put_count 1 "$(cat id1)" &&
	cmp "pk/$(cat id1).pouch" "ceop/outbox/$(cat id1).pouch" &&
	test "$(stat -c %a "ceop/outbox/$(cat id1).pouch")" = 600 &&
	test -z "$(outbox_ids ceop)" && test "$(outbox_ids ceop --all)" = "$(cat id1)"
'

expect_success 'pushing the same file again makes no second copy, in the outbox or the server' '
	pouch --home ceop push "pk/$(cat id1).pouch" >out 2>err &&
	test ! -s out && grep -q "$(cat id1) is already in the outbox" err &&
	test "$(outbox_ids ceop --all)" = "$(cat id1)" &&
	test "$(delivery ceop "$(cat id1)" attempts)" = 1 &&
	test "$(listed met "$(cat id1)")" = 1 && put_count 1 "$(cat id1)"
'

expect_success 'a package the server already holds (a resend: 200) counts as delivered' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id2 &&
	is_status 201 ceop PUT "/v1/packages/$(cat id2)" -H "$JSON" --data-binary "@pk/$(cat id2).pouch" &&
	pouch --home ceop push "pk/$(cat id2).pouch" >out &&
	grep -q "^delivered $(cat id2) to GB-MET" out &&
	test "$(listed met "$(cat id2)")" = 1 && put_count 2 "$(cat id2)"
'

expect_success 'a package not sent by us is refused, nothing queued' '
	home_state ceop >before &&
	must_fail 1 pouch --home ceop push "pk/$(cat idn).pouch" &&
	error_is "cannot push .*pk/$(cat idn).pouch.: package $(cat idn) was sent by US-NCMEC, not by us \(GB-NCA-CEOP\)" &&
	test ! -e "ceop/outbox/$(cat idn).pouch" && home_state ceop >after && test_cmp before after &&
	test "$(outbox_ids ceop --all)" = "$(cat id1) $(cat id2)" &&
	test "$(listed met "$(cat idn)")" = 0
'

expect_success 'a missing or garbage file: one error line naming it, nothing queued' '
	must_fail 2 pouch --home ceop push nope.pouch && error_is "cannot open .nope.pouch." &&
	echo garbage >junk.pouch &&
	must_fail 1 pouch --home ceop push junk.pouch && error_is ".*junk.pouch" &&
	must_fail 1 pouch --home ceop push "pk/$(cat id1).pouch" junk.pouch &&
	error_is ".*junk.pouch" &&
	test "$(outbox_ids ceop --all)" = "$(cat id1) $(cat id2)"
'

expect_success 'usage errors: --retries out of range, --endpoint without a file' '
	must_fail 2 pouch --home ceop push --retries 99 && grep -q "retries must be" err &&
	must_fail 2 pouch --home ceop push --retries x && grep -q "retries must be" err &&
	must_fail 2 pouch --home ceop push --endpoint "$(url)" &&
	grep -q "endpoint needs" err
'

expect_success 'a conflicting id at the server (409): failed with its reason, exit 1' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id3 &&
	C=$(pouch --home ceop whoami --json | jget /dev/stdin fingerprint) &&
	M=$(pouch --home met whoami --json | jget /dev/stdin fingerprint) &&
	mkdir forged &&
	forge ceop/gnupg "forged/$(cat id3).pouch" signer=$C encrypt_to=$M \
		sender=GB-NCA-CEOP:$C recipients=GB-MET:$M id=$(cat id3) &&
	is_status 201 ceop PUT "/v1/packages/$(cat id3)" -H "$JSON" \
		--data-binary "@forged/$(cat id3).pouch" &&
	must_fail 1 pouch --home ceop push --retries 3 "pk/$(cat id3).pouch" &&
	grep -q "^failed $(cat id3) for GB-MET: id_conflict: " out &&
	test "$(delivery ceop "$(cat id3)" state)" = failed &&
	test "$(delivery ceop "$(cat id3)" attempts)" = 1 &&
	delivery ceop "$(cat id3)" reason | grep -q "^id_conflict: " &&
	test "$(outbox_ids ceop)" = "$(cat id3)"
'

expect_success 'another package with an id already in the outbox is refused locally' '
	home_state ceop >before &&
	must_fail 1 pouch --home ceop push "forged/$(cat id3).pouch" &&
	error_is "cannot push .forged/$(cat id3).pouch.: another package with id $(cat id3) is already in the outbox" &&
	home_state ceop >after && test_cmp before after
'

expect_success 'the server down: the package stays queued with its reason, exit 3' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id4 &&
	stop_pouchd &&
	must_fail 3 pouch --home ceop push --retries 1 "pk/$(cat id4).pouch" &&
	grep -q "^queued $(cat id4) for GB-MET: cannot reach" out &&
	grep -q "retrying $(cat id4) for GB-MET in" err &&
	test "$(delivery ceop "$(cat id4)" state)" = queued &&
	test "$(delivery ceop "$(cat id4)" attempts)" = 2 &&
	pouch --home ceop outbox >ob && grep -q "^package $(cat id4) (priority routine), queued " ob &&
	grep -q "^  GB-MET: queued (attempts 2): cannot reach" ob &&
	must_fail 3 pouch --home ceop push --retries 0 &&
	test "$(delivery ceop "$(cat id4)" attempts)" = 3
'

expect_success 'pouchd back on the same port: push with no file flushes it, exactly once' '
	POUCHD_LISTEN=127.0.0.1:$(pouchd_port) start_pouchd metgw data &&
	pouch --home ceop push >out &&
	echo "delivered $(cat id4) to GB-MET ($(url))" >want && test_cmp want out &&
	test "$(listed met "$(cat id4)")" = 1 && put_count 1 "$(cat id4)" &&
	test "$(delivery ceop "$(cat id4)" state)" = delivered &&
	test "$(delivery ceop "$(cat id4)" attempts)" = 4 &&
	test "$(delivery ceop "$(cat id4)" reason)" = null &&
	pouch --home ceop push >out && test ! -s out &&
	put_count 1 "$(cat id4)"
'

expect_success 'a server certificate we do not trust: stays queued, no retry, nothing delivered' '
	pouch --home ncmec partner set GB-MET --endpoint "$(url)" --ca rogue.ca.pem \
		--client-cert ncmec.pem --client-key ncmec.key -q &&
	must_fail 3 pouch --home ncmec push "pk/$(cat idn).pouch" &&
	grep -q "^queued $(cat idn) for GB-MET: .*certificate" out && ! grep -q retrying err &&
	test "$(delivery ncmec "$(cat idn)" attempts)" = 1 &&
	test "$(listed met "$(cat idn)")" = 0
'

expect_success 'a pin mismatch: stays queued with the reason, nothing delivered' '
	openssl x509 -in rogue.ca.pem -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64 >rogue.pin &&
	pouch --home ncmec partner set GB-MET --ca servers.ca.pem --pin "sha256//$(cat rogue.pin)" -q &&
	must_fail 3 pouch --home ncmec push &&
	grep -q "^queued $(cat idn) for GB-MET: .*pin" out &&
	pouch --home ncmec outbox >ob && grep -q "^  GB-MET: queued (attempts 2): .*pin" ob &&
	test "$(listed met "$(cat idn)")" = 0 &&
	pouch --home ncmec partner set GB-MET --ca servers.ca.pem -q &&
	pouch --home ncmec push >out && grep -q "^delivered $(cat idn) to GB-MET" out &&
	test "$(listed met "$(cat idn)")" = 1
'

expect_success 'a detached payload is uploaded, then the package delivered' '
	head -c 9000000 /dev/urandom >big.bin &&
	pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o pk >idb &&
	test -f "pk/$(cat idb).pouch.pgp" &&
	pouch --home ceop push "pk/$(cat idb).pouch" >out &&
	grep -q "^delivered $(cat idb) to GB-MET" out &&
	cmp "pk/$(cat idb).pouch.pgp" "ceop/outbox/$(cat idb).pouch.pgp" &&
	is_status 200 met GET "/v1/packages/$(cat idb)/payload" &&
	cmp body.out "pk/$(cat idb).pouch.pgp" &&
	size=$(stat -c %s "pk/$(cat idb).pouch.pgp") &&
	logged "^[0-9TZ:-]* pouchd: PATCH /v1/uploads/{id} status=200 .* id=$(cat idb) in=$size "
'

expect_success 'an interrupted upload resumes from the server offset, not from the start' '
	pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o pk >idr &&
	partial ceop PATCH "/v1/uploads/$(cat idr)" "pk/$(cat idr).pouch.pgp" 2000000 \
		"Content-Type: application/offset+octet-stream" "Upload-Offset: 0" &&
	wait_until "arrived data/uploads/GB-NCA-CEOP.$(cat idr) 2000000" &&
	kill "$PARTIAL_PID" && wait_until "aborted PATCH $(cat idr)" &&
	total=$(stat -c %s "pk/$(cat idr).pouch.pgp") &&
	is_status 200 ceop GET "/v1/uploads/$(cat idr)" && off=$(jget body.out offset) &&
	echo "staged $off of $total bytes" && test "$off" = 2000000 &&
	test "$off" -gt 0 && test "$off" -lt "$total" &&
	pouch --home ceop push "pk/$(cat idr).pouch" >out &&
	grep -q "^delivered $(cat idr) to GB-MET" out &&
	logged "^[0-9TZ:-]* pouchd: PATCH /v1/uploads/{id} status=200 .* id=$(cat idr) " &&
	grep "^[0-9TZ:-]* pouchd: PATCH /v1/uploads/{id} status=200 .* id=$(cat idr) " pouchd.log >patches &&
	test "$(wc -l <patches)" = 1 &&
	! grep -q "^[0-9TZ:-]* pouchd: PATCH /v1/uploads/{id} status=409 .* id=$(cat idr) " pouchd.log &&
	{ grep -q " in=$((total - off)) " patches || { cat patches; false; }; } &&
	is_status 200 met GET "/v1/packages/$(cat idr)/payload" &&
	cmp body.out "pk/$(cat idr).pouch.pgp"
'

expect_success 'two recipients at the same endpoint: one PUT serves both' '
	pouch --home ceop partner set US-NCMEC --endpoint "$(url)/" --ca servers.ca.pem \
		--client-cert ceop.pem --client-key ceop.key -q &&
	pouch --home ceop pack --to GB-MET,US-NCMEC --report report.json -o pk >id2r &&
	pouch --home ceop push "pk/$(cat id2r).pouch" >out &&
	grep -q "^delivered $(cat id2r) to GB-MET ($(url))$" out &&
	grep -q "^delivered $(cat id2r) to US-NCMEC ($(url))$" out &&
	put_count 1 "$(cat id2r)" &&
	test "$(listed met "$(cat id2r)")" = 1 && test "$(listed ncmec "$(cat id2r)")" = 1
'

expect_success 'push --json: one line per delivery, with types, then the summary' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id5 &&
	pouch --home ceop push --json "pk/$(cat id5).pouch" >out.json &&
	py "import json, sys
r = [json.loads(l) for l in open(\"out.json\")]
assert len(r) == 2 and r[1] == {\"type\": \"summary\", \"delivered\": 1, \"queued\": 0,
    \"failed\": 0}, r
d = r[0]
assert set(d) == {\"type\", \"id\", \"recipient\", \"endpoint\", \"state\", \"reason\",
    \"attempts\"}, d
assert d[\"type\"] == \"delivery\" and d[\"state\"] == \"delivered\"
assert d[\"id\"] == sys.argv[1] and d[\"recipient\"] == \"GB-MET\"
assert d[\"endpoint\"] == sys.argv[2] and d[\"reason\"] is None and d[\"attempts\"] == 1" \
		"$(cat id5)" "$(url)"
'

expect_success 'status: text per recipient, an unknown id is exit 1' '
	pouch --home ceop status "$(cat id2r)" >st &&
	grep -q "^package $(cat id2r) (priority routine), queued [0-9-]*T[0-9:]*Z$" st &&
	grep -q "^  GB-MET: delivered [0-9-]*T[0-9:]*Z (attempts 1), no receipt yet$" st &&
	grep -q "^  US-NCMEC: delivered [0-9-]*T[0-9:]*Z (attempts 1), no receipt yet$" st &&
	test "$(wc -l <st)" = 3 &&
	pouch --home ceop status "$(cat id3)" >st &&
	grep -q "^  GB-MET: failed (attempts 1): id_conflict: " st &&
	must_fail 1 pouch --home ceop status 00000000-0000-4000-8000-000000000000 &&
	error_is "no package .00000000-0000-4000-8000-000000000000. in the outbox"
'

check_status_json='import json, re, sys
o = json.load(open(sys.argv[1]))
T = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
def time_or_null(v): assert v is None or (isinstance(v, str) and T.match(v)), v
assert set(o) == {"id", "priority", "queued", "deliveries"}, o
assert isinstance(o["id"], str) and isinstance(o["priority"], str) and T.match(o["queued"])
assert isinstance(o["deliveries"], list) and o["deliveries"]
for d in o["deliveries"]:
    assert set(d) == {"recipient", "endpoint", "state", "attempts", "last_attempt",
                      "delivered", "reason", "receipt"}, d
    assert isinstance(d["recipient"], str) and d["state"] in ("queued", "delivered", "failed")
    assert d["endpoint"] is None or isinstance(d["endpoint"], str)
    assert isinstance(d["attempts"], int) and not isinstance(d["attempts"], bool)
    time_or_null(d["last_attempt"]); time_or_null(d["delivered"])
    assert (d["state"] == "delivered") == (d["delivered"] is not None)
    assert d["reason"] is None or isinstance(d["reason"], str)
    r = d["receipt"]
    if r is not None:
        assert set(r) == {"verdict", "reason", "time", "received", "verified", "problem"}, r
        assert r["verdict"] in ("accepted", "rejected") and isinstance(r["verified"], bool)
        time_or_null(r["time"]); time_or_null(r["received"])
        assert r["problem"] is None or isinstance(r["problem"], str)
'

expect_success 'status --json and outbox --json: members and types' '
	for i in id1 id3 id4 id2r idb; do
		pouch --home ceop status --json "$(cat $i)" >s.json && py "$check_status_json" s.json ||
			return 1
	done &&
	test "$(jget s.json deliveries.0.attempts)" = 1 &&
	pouch --home ceop outbox --all --json >all.json &&
	py "import json, subprocess, sys
a = json.load(open(\"all.json\"))
assert isinstance(a, list) and len(a) == 8, len(a)
for o in a:
    json.dump(o, open(\"one.json\", \"w\"))
    subprocess.run([sys.executable, \"-c\", sys.argv[1], \"one.json\"], check=True)" \
		"$check_status_json" &&
	test "$(outbox_ids ceop)" = "$(cat id3)" &&
	pouch --home ceop outbox >ob && test "$(wc -l <ob)" = 2 &&
	grep -q "^  GB-MET: failed (attempts 1): id_conflict: " ob
'

# receipt_row HOME ID AGENCY FILE VERDICT REASON: stores FILE as the receipt of the delivery,
# as pouch pull does once a receipt verified.
receipt_row() {
	py 'import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1] + "/state.db")
reason = sys.argv[6] or None
db.execute("UPDATE delivery SET receipt = ?, receipt_verdict = ?, receipt_reason = ?, "
           "receipt_time = ?, receipt_received = ? WHERE id = ? AND recipient = ?",
           (open(sys.argv[4], "rb").read(), sys.argv[5], reason, int(time.time()),
            int(time.time()), sys.argv[2], sys.argv[3]))
db.commit()' "$@"
}

# make_receipt SIGNER-HOME PACKAGE-FILE VERDICT REASON OUT: SIGNER-HOME agency's receipt for the
# package, made with gpg as a partner's own code would.
make_receipt() {
	_code=$(pouch --home "$1" whoami --json | jget /dev/stdin agency) &&
	_fpr=$(pouch --home "$1" whoami --json | jget /dev/stdin fingerprint) &&
	b64_member "$2" header .hdr &&
	py 'import hashlib, json, sys, time
h = json.load(open(".hdr"))
body = {"format": "pouch-receipt/1", "package": h["id"],
        "header_sha256": hashlib.sha256(open(".hdr", "rb").read()).hexdigest(),
        "sender": h["sender"]["agency"],
        "recipient": {"agency": sys.argv[1], "fingerprint": sys.argv[2]},
        "verdict": sys.argv[3], "reason": sys.argv[4] or None,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
open(".body", "w").write(json.dumps(body, separators=(",", ":")))' "$_code" "$_fpr" "$3" "$4" &&
	gpg --homedir "$1/gnupg" --batch --yes --local-user "$_fpr!" --detach-sign -o .sig .body \
		2>/dev/null &&
	py 'import base64, json, sys
b64 = lambda f: base64.b64encode(open(f, "rb").read()).decode()
json.dump({"pouch": "receipt/1", "receipt": b64(".body"), "signature": b64(".sig")},
          open(sys.argv[1], "w"))' "$5"
}

expect_success 'status shows receipts, verified again: accepted, rejected, one that does not verify' '
	make_receipt met "pk/$(cat id2r).pouch" accepted "" r1.json &&
	make_receipt ncmec "pk/$(cat id2r).pouch" rejected "not ours to handle" r2.json &&
	receipt_row ceop "$(cat id2r)" GB-MET r1.json accepted "" &&
	receipt_row ceop "$(cat id2r)" US-NCMEC r2.json rejected "not ours to handle" &&
	pouch --home ceop status "$(cat id2r)" >st &&
	grep -q "^  GB-MET: delivered [0-9TZ:-]* (attempts 1), receipt accepted [0-9-]*T[0-9:]*Z$" st &&
	grep -q "^  US-NCMEC: delivered [0-9TZ:-]* (attempts 1), receipt rejected [0-9-]*T[0-9:]*Z: not ours to handle$" st &&
	pouch --home ceop status --json "$(cat id2r)" >s.json && py "$check_status_json" s.json &&
	test "$(jget s.json deliveries.0.receipt.verified)" = true &&
	test "$(jget s.json deliveries.1.receipt.reason)" = "not ours to handle" &&
	make_receipt met "pk/$(cat id1).pouch" accepted "" r3.json &&
	receipt_row ceop "$(cat id2r)" US-NCMEC r3.json accepted "" &&
	pouch --home ceop status "$(cat id2r)" >st &&
	grep -q "^  US-NCMEC: delivered [0-9TZ:-]* (attempts 1), receipt does not verify: " st &&
	pouch --home ceop status --json "$(cat id2r)" >s.json && py "$check_status_json" s.json &&
	test "$(jget s.json deliveries.1.receipt.verified)" = false &&
	test "$(jget s.json deliveries.1.receipt.problem)" != null &&
	py "import json
d = json.load(open(\"r1.json\")); d[\"signature\"] = d[\"signature\"][:-8] + \"AAAAAAA=\"
json.dump(d, open(\"r4.json\", \"w\"))" &&
	receipt_row ceop "$(cat id2r)" GB-MET r4.json accepted "" &&
	pouch --home ceop status "$(cat id2r)" >st &&
	grep -q "^  GB-MET: delivered [0-9TZ:-]* (attempts 1), receipt does not verify: " st
'

expect_success 'the audit trail has push and push-attempt entries, intact, without contents' '
	pouch --home ceop audit show --json >a.json &&
	py "import json, sys
a = json.load(open(\"a.json\"))
ids = dict(id1=sys.argv[1], id4=sys.argv[2], id3=sys.argv[3])
push = [e for e in a if e[\"event\"] == \"push\" and e.get(\"id\") == ids[\"id4\"]]
assert len(push) == 1 and push[0][\"verdict\"] == \"queued\" and len(push[0][\"digest\"]) == 64
att = [e for e in a if e[\"event\"] == \"push-attempt\" and e.get(\"id\") == ids[\"id4\"]]
assert [e[\"verdict\"] for e in att] == [\"queued\"] * 3 + [\"delivered\"], att
assert all(e[\"agency\"] == \"GB-MET\" and e[\"endpoint\"].startswith(\"https://\") for e in att)
assert \"reason\" in att[0] and att[0][\"reason\"].startswith(\"cannot reach\"), att[0]
f = [e for e in a if e[\"event\"] == \"push-attempt\" and e.get(\"id\") == ids[\"id3\"]]
assert [e[\"verdict\"] for e in f] == [\"failed\"], f" "$(cat id1)" "$(cat id4)" "$(cat id3)" &&
	pouch --home ceop audit verify >/dev/null &&
	! grep -q MARKER-CONTENT ceop/audit.log && ! grep -q "pk/" ceop/audit.log
'

expect_success 'a second push while one runs is refused' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id6 &&
	flock ceop/state.push.lock sh -c "! \"$POUCH_BIN\" --home ceop push pk/$(cat id6).pouch 2>err2" &&
	grep -q "another .pouch push. is running" err2 &&
	test "$(outbox_ids ceop --all | wc -w)" = 8
'

test_done
