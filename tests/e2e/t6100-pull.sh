#!/bin/sh
# pouch pull and pouch inbox against a real pouchd over TLS: good packages into the inbox with
# signed receipts the sender can list, the cursor, paging, detached payloads and their resume,
# quarantine with a rejected receipt, --from, an unreachable source, the audit trail.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

JSON='Content-Type: application/json'
OCTETS='Content-Type: application/offset+octet-stream'

# put CLIENT ID: puts pk/ID.pouch on pouchd as CLIENT, its detached payload first when it has
# one (the way pouch push does).
put() {
	if [ -e "pk/$2.pouch.pgp" ]; then
		_st=$(req "$1" PATCH "/v1/uploads/$2" -H "$OCTETS" -H "Upload-Offset: 0" \
			--data-binary "@pk/$2.pouch.pgp") && test "$_st" = 200 || return 1
	fi
	_st=$(req "$1" PUT "/v1/packages/$2" -H "$JSON" --data-binary "@pk/$2.pouch") &&
	test "$_st" = 201 || { echo "PUT $2: $_st"; cat body.out; return 1; }
}

# pack_put HOME CLIENT TO [PACK ARGS]: packs a package from HOME to TO, puts it on pouchd as
# CLIENT and appends its id to the file ids.HOME.
pack_put() {
	_h=$1 _c=$2 _to=$3
	shift 3
	_id=$(pouch --home "$_h" pack --to "$_to" --report report.json -o pk "$@") &&
	put "$_c" "$_id" && echo "$_id" >>"ids.$_h"
}

# rows HOME SQL: a query on HOME's state.db.
rows() { sqlite3 "$1/state.db" "$2"; }

# receipts_ok CLIENT WANT VERDICT: pouchd lists WANT receipts to CLIENT, all with VERDICT, and
# each one's body is GB-MET's signed statement about a package CLIENT sent (the signature checked
# with gpg against GB-MET's key as CLIENT's home holds it).
receipts_ok() {
	is_status 200 "$1" GET "/v1/receipts?limit=1000" && api_ok GET /v1/receipts 200 &&
	cp body.out receipts.json &&
	"$SYSTEM_PYTHON" - "$2" "$3" "$1" <<-\EOF
	import base64, hashlib, json, subprocess, sys
	want, verdict, home = int(sys.argv[1]), sys.argv[2], sys.argv[3]
	items = json.load(open("receipts.json"))["receipts"]
	assert len(items) == want, "%d receipts, want %d" % (len(items), want)
	for it in items:
	    assert it["from"] == "GB-MET" and it["verdict"] == verdict, it
	    body = base64.b64decode(it["receipt"]["receipt"])
	    b = json.loads(body)
	    assert b["package"] == it["package"] and b["verdict"] == verdict, b
	    assert b["recipient"]["agency"] == "GB-MET", b
	    env = json.load(open("pk/%s.pouch" % it["package"]))
	    hdr = base64.b64decode(env["header"])
	    assert b["header_sha256"] == hashlib.sha256(hdr).hexdigest(), b
	    assert (b["reason"] is None) == (verdict == "accepted"), b
	    open(".rb", "wb").write(body)
	    open(".rs", "wb").write(base64.b64decode(it["receipt"]["signature"]))
	    out = subprocess.run(["gpg", "--homedir", home + "/gnupg", "--batch", "--status-fd",
	                          "1", "--verify", ".rs", ".rb"], capture_output=True,
	                         text=True).stdout
	    assert "[GNUPG:] VALIDSIG " + b["recipient"]["fingerprint"] in out, out
	EOF
}

# downloads: how many envelope downloads pouchd has served so far.
downloads() { grep -c "GET /v1/packages/{id} status=200" pouchd.log; }

expect_success 'setup: GB-MET runs pouchd; the centre and NCMEC put packages for it there' '
	exchange_setup && write_report report.json SECRET-TITLE-6100 && mkdir pk &&
	for i in 1 2 3; do pack_put ceop ceop GB-MET || return 1; done &&
	pack_put ncmec ncmec GB-MET && pouch --home met audit show --json >audit.before
'

expect_success 'pull stores each package in the inbox (0600), one line each, exit 0' '
	pouch --home met pull >out 2>err && test "$(wc -l <out)" = 4 &&
	for id in $(cat ids.ceop); do
		grep -qx "good $id from GB-NCA-CEOP -> inbox/$id.pouch" out &&
		cmp "met/inbox/$id.pouch" "pk/$id.pouch" &&
		test "$(stat -c %a "met/inbox/$id.pouch")" = 600 || return 1
	done &&
	grep -qx "good $(cat ids.ncmec) from US-NCMEC -> inbox/$(cat ids.ncmec).pouch" out &&
	pouch --home met verify -q "met/inbox/$(cat ids.ncmec).pouch" >/dev/null &&
	test -z "$(ls -A met/incoming)" && test -z "$(ls -A met/quarantine)"
'

expect_success 'each accepted receipt reached pouchd, signed by GB-MET, listed to the sender' '
	receipts_ok ceop 3 accepted && receipts_ok ncmec 1 accepted &&
	test "$(rows met "SELECT count(*) FROM incoming WHERE receipt_sent IS NOT NULL")" = 4
'

expect_success 'the receipt pouchd holds is the one met stored, byte for byte' '
	id=$(head -n 1 ids.ceop) &&
	rows met "SELECT writefile(\"mine.json\", receipt) FROM incoming WHERE id = \"$id\"" &&
	is_status 200 ceop GET /v1/receipts && "$SYSTEM_PYTHON" -c "import json, sys
items = json.load(open(\"body.out\"))[\"receipts\"]
it = [i for i in items if i[\"package\"] == sys.argv[1]][0]
assert json.load(open(\"mine.json\")) == it[\"receipt\"]" "$id"
'

expect_success 'a second pull fetches nothing new and duplicates nothing (the cursor)' '
	n=$(downloads) && pouch --home met pull >out 2>err && test ! -s out &&
	test "$(downloads)" = "$n" &&
	test "$(rows met "SELECT count(*) FROM incoming")" = 4 &&
	test "$(rows met "SELECT value FROM cursor WHERE kind = \"packages\"")" -gt 0 &&
	logged "GET /v1/packages status=200"
'

expect_success 'inbox: one line per package with sender, priority, time, verdict, receipt' '
	pouch --home met inbox >out && test "$(wc -l <out)" = 4 &&
	for id in $(cat ids.ceop); do
		grep -Eqx "$id GB-NCA-CEOP routine [0-9T:-]+Z receipt sent, good, \
expires [0-9T:-]+Z, not opened" out || return 1
	done &&
	pouch --home met inbox --json >inbox.json &&
	"$SYSTEM_PYTHON" -c "import json
a = json.load(open(\"inbox.json\"))
assert len(a) == 4 and all(i[\"verdict\"] == \"good\" and i[\"receipt\"] == \"sent\" and
    i[\"reason\"] is None and i[\"path\"].endswith(\"/inbox/%s.pouch\" % i[\"id\"]) for i in a), a
assert {i[\"sender\"] for i in a} == {\"GB-NCA-CEOP\", \"US-NCMEC\"}, a"
'

expect_success 'an empty inbox says so on stderr and lists nothing' '
	pouch --home ncmec inbox >out 2>err && test ! -s out && grep -q "inbox is empty" err &&
	pouch --home ncmec inbox --json >out && test "$(cat out)" = "[]"
'

expect_success 'paging: --limit 2 pulls 7 new packages over 4 pages' '
	for i in 1 2 3 4 5 6 7; do pack_put ceop ceop GB-MET || return 1; done &&
	l=$(grep -c "GET /v1/packages status=200" pouchd.log) &&
	pouch --home met pull --limit 2 >out && test "$(wc -l <out)" = 7 &&
	wait_until "[ \$(grep -c \"GET /v1/packages status=200\" pouchd.log) -ge $((l + 4)) ]" &&
	for id in $(tail -n 7 ids.ceop); do test -e "met/inbox/$id.pouch" || return 1; done &&
	test "$(rows met "SELECT count(*) FROM incoming")" = 11 && receipts_ok ceop 10 accepted
'

expect_success 'a bad --limit is a usage error' '
	must_fail 2 pouch --home met pull --limit 0 &&
	must_fail 2 pouch --home met pull --limit 1001 &&
	must_fail 2 pouch --home met pull --limit 2x
'

expect_success 'a detached payload (9 MB) is downloaded beside its envelope and verified' '
	head -c 9000000 /dev/urandom >big.bin &&
	pack_put ceop ceop GB-MET --attach big.bin && id=$(tail -n 1 ids.ceop) &&
	pouch --home met pull >out && grep -qx "good $id from GB-NCA-CEOP -> inbox/$id.pouch" out &&
	cmp "met/inbox/$id.pouch.pgp" "pk/$id.pouch.pgp" &&
	test "$(stat -c %a "met/inbox/$id.pouch.pgp")" = 600 &&
	pouch --home met verify -q "met/inbox/$id.pouch" >/dev/null
'

expect_success 'an interrupted payload download resumes from what incoming/ kept (206)' '
	pack_put ceop ceop GB-MET --attach big.bin && id=$(tail -n 1 ids.ceop) &&
	size=$(stat -c %s "pk/$id.pouch.pgp") &&
	head -c 5000000 "pk/$id.pouch.pgp" >"met/incoming/$id.pouch.pgp.part" &&
	pouch --home met pull >out && grep -qx "good $id from GB-NCA-CEOP -> inbox/$id.pouch" out &&
	cmp "met/inbox/$id.pouch.pgp" "pk/$id.pouch.pgp" &&
	logged "GET /v1/packages/{id}/payload status=206 agency=GB-MET id=$id " &&
	grep "GET /v1/packages/{id}/payload status=206 agency=GB-MET id=$id " pouchd.log >log &&
	grep -q " out=$((size - 5000000)) " log && test -z "$(ls met/incoming)"
'

expect_success 'a package tampered with on the server is quarantined, with a rejected receipt' '
	pack_put ceop ceop GB-MET && id=$(tail -n 1 ids.ceop) &&
	"$SYSTEM_PYTHON" -c "import json, sys
p = \"data/packages/%s.pouch\" % sys.argv[1]
raw = open(p).read()
b64 = json.loads(raw)[\"payload\"][\"inline\"]
i = raw.index(b64) + len(b64) // 2
raw = raw[:i] + (\"A\" if raw[i] != \"A\" else \"B\") + raw[i + 1:]
open(p, \"w\").write(raw)" "$id" &&
	must_fail 1 pouch --home met pull &&
	grep -Eqx "quarantined $id from GB-NCA-CEOP: .*SHA-256.*" out &&
	test -e "met/quarantine/$id.pouch" && test ! -e "met/inbox/$id.pouch" &&
	test "$(rows met "SELECT verdict FROM incoming WHERE id = \"$id\"")" = bad &&
	is_status 200 ceop GET /v1/receipts?limit=1000 &&
	"$SYSTEM_PYTHON" -c "import base64, json, sys
it = [i for i in json.load(open(\"body.out\"))[\"receipts\"] if i[\"package\"] == sys.argv[1]]
assert len(it) == 1 and it[0][\"verdict\"] == \"rejected\", it
b = json.loads(base64.b64decode(it[0][\"receipt\"][\"receipt\"]))
assert \"SHA-256\" in b[\"reason\"] and \"/\" not in b[\"reason\"], b" "$id" &&
	pouch --home met inbox >out &&
	grep -Eqx "$id GB-NCA-CEOP routine [0-9T:-]+Z receipt sent, quarantined: .*SHA-256.*" out
'

expect_success 'a package classified above the ceiling is quarantined, with a rejected receipt' '
	cp report.json report.keep && "$SYSTEM_PYTHON" -S -c "import json
r = json.load(open(\"report.json\"))
r[\"handling\"][\"classification\"][\"tier\"] = \"SECRET\"
json.dump(r, open(\"report.json\", \"w\"))" &&
	pack_put ceop ceop GB-MET && id=$(tail -n 1 ids.ceop) && mv report.keep report.json &&
	pouch --home met ceiling OFFICIAL >/dev/null 2>&1 &&
	must_fail 1 pouch --home met pull &&
	pouch --home met ceiling none >/dev/null 2>&1 &&
	grep -Eqx "quarantined $id from GB-NCA-CEOP: .*SECRET.*ceiling.*" out &&
	test -e "met/quarantine/$id.pouch" && test ! -e "met/inbox/$id.pouch" &&
	is_status 200 ceop GET /v1/receipts?limit=1000 &&
	"$SYSTEM_PYTHON" -c "import json, sys
it = [i for i in json.load(open(\"body.out\"))[\"receipts\"] if i[\"package\"] == sys.argv[1]]
assert len(it) == 1 and it[0][\"verdict\"] == \"rejected\", it" "$id"
'

expect_success 'a package whose signer met no longer pins is quarantined and rejected' '
	pack_put ncmec ncmec GB-MET && id=$(tail -n 1 ids.ncmec) &&
	cp -r met met.saved && pouch --home met partner remove US-NCMEC -q >/dev/null &&
	must_fail 1 pouch --home met pull &&
	grep -Eqx "quarantined $id from US-NCMEC: .*no partner in the directory pins.*" out &&
	is_status 200 ncmec GET /v1/receipts &&
	test "$(jget body.out receipts.1.package)" = "$id" &&
	test "$(jget body.out receipts.1.verdict)" = rejected &&
	rm -rf met && mv met.saved met && rows met "DELETE FROM incoming WHERE id = \"$id\""
'

expect_success 'pull --from CODE pulls that partner'"'"'s endpoint only' '
	pouch --home ncmec pack --to GB-NCA-CEOP --report report.json -o pk >idc &&
	put ncmec "$(cat idc)" &&
	pouch --home ceop pull --from GB-MET >out 2>err &&
	grep -qx "good $(cat idc) from US-NCMEC -> inbox/$(cat idc).pouch" out &&
	test "$(wc -l <out)" = 1 && test ! -e "ceop/inbox/$(head -n 1 ids.ceop).pouch" &&
	is_status 200 ncmec GET /v1/receipts && grep -q "\"package\":\"$(cat idc)\"" body.out &&
	cp err err.from &&
	must_fail 2 pouch --home ceop pull --from XX-NOPE && error_is "no partner .XX-NOPE."
'

expect_success 'an unreachable source: one error line, exit 3, the other sources still pulled' '
	pouch --home ceop partner set US-NCMEC --endpoint https://127.0.0.1:1 --ca servers.ca.pem \
		-q >/dev/null &&
	pouch --home ncmec pack --to GB-NCA-CEOP --report report.json -o pk >idd &&
	put ncmec "$(cat idd)" &&
	must_fail 3 pouch --home ceop pull && error_is "cannot pull from US-NCMEC: .*127.0.0.1:1" &&
	grep -qx "good $(cat idd) from US-NCMEC -> inbox/$(cat idd).pouch" out
'

expect_success 'receipts for packages not sent with pouch push: refused once each, with a warning' '
	grep "pouch: warning: receipt for package .* refused: .*which we did not send" err.from \
		>w &&
	test "$(wc -l <w)" = "$(cat ids.ceop | wc -l)" &&
	pouch --home ceop pull -q --from GB-MET >out 2>err && test ! -s err && test ! -s out
'

expect_success 'another pull running in the same home: refused' '
	flock met/state.pull.lock sh -c ": >held; while [ -e held ]; do sleep 0.1; done" &
	wait_until "test -e held" &&
	must_fail 1 pouch --home met pull && error_is "another .pouch pull. is running" &&
	rm held && wait
'

expect_success 'the audit trail holds pull, verify and receipt-sent, no contents, intact' '
	pouch --home met audit show --json >audit.json &&
	pouch --home met audit verify >/dev/null &&
	"$SYSTEM_PYTHON" -c "import json, sys
es = [json.loads(l) for l in open(\"audit.json\")] if open(\"audit.json\").read(1) != \"[\" \
    else json.load(open(\"audit.json\"))
ids = open(\"ids.ceop\").read().split()
for ev in (\"pull\", \"verify\", \"receipt-sent\"):
    got = {e.get(\"id\") for e in es if e[\"event\"] == ev}
    assert set(ids) <= got, (ev, set(ids) - got)
assert any(e[\"event\"] == \"verify\" and e.get(\"verdict\") == \"bad\" for e in es)
assert es[-1][\"event\"] == \"checkpoint\", es[-1]" &&
	! grep -q SECRET-TITLE-6100 met/audit.log
'

expect_success 'a gateway home cannot pull (no secret key to sign receipts)' '
	must_fail 3 pouch --home metgw pull && error_is ".*gateway for GB-MET.*no secret key" &&
	test ! -e metgw/state.db
'

test_done
