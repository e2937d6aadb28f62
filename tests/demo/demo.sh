#!/bin/sh
# make demo: pouch's main job end to end, narrated, on throwaway keys and certificates in a
# scratch directory. A national centre disseminates a package to a local force over HTTPS: the
# force's pouchd verifies it on arrival, the force pulls, verifies and opens it and returns a
# signed receipt, and the centre sees the receipt accepted. Then three realistic reports
# (tests/demo/reports/: a dissemination, an NCMEC referral disseminated on, an immediate-danger
# report), each written from `pouch report new`'s template, go the same way: validated (an
# invalid edit refused), packed, pushed, pulled and opened. Both audit trails are checked.
set -eu

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
POUCH_BIN=${POUCH_BIN:-$SRC_DIR/build/pouch}
POUCHD_BIN=${POUCHD_BIN:-$(dirname "$POUCH_BIN")/pouchd}
# Short path: gpg-agent's socket lives in the GnuPG home and its path has a length limit.
DEMO=$(mktemp -d "${TMPDIR:-/tmp}/pouch-demo.XXXXXX")
PD_PID=
export LC_ALL=C

stop() {
	if [ -n "$PD_PID" ] && kill "$PD_PID" 2>/dev/null; then
		wait "$PD_PID" 2>/dev/null || true
	fi
	for h in "$DEMO/ceop" "$DEMO/met" "$DEMO/metgw" "$DEMO/surrey"; do
		[ -d "$h/gnupg" ] && gpgconf --homedir "$h/gnupg" --kill all 2>/dev/null
	done
	rm -rf "$DEMO"
}
trap stop EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }
say() { echo "$*"; }
run() {
	printf '$ pouch %s\n' "$*"
	"$POUCH_BIN" "$@"
}
fail() {
	echo "demo: $*" >&2
	exit 1
}
# pack_report NAME [FILE...]: the centre packs NAME.json for the force, with FILE... attached;
# the package's id is in the variable ID_NAME.
pack_report() {
	_name=$1
	shift
	_att=
	for _f in "$@"; do _att="$_att --attach $_f"; done
	printf '$ pouch --home ceop pack --to GB-MET --report %s.json%s -o sent\n' "$_name" "$_att"
	_id=$(cd "$DEMO" && "$POUCH_BIN" --home ceop pack --to GB-MET --report "$_name.json" \
		$_att -o sent) || fail "pack refused $_name.json"
	say "$_id"
	eval "ID_$_name=\$_id"
}
fpr_of() { "$POUCH_BIN" --home "$1" whoami | sed -n 's/^fingerprint: *//p'; }

# cert NAME CN server|client: NAME.pem and NAME.key, issued by the demo CA.
cert() {
	if [ "$3" = server ]; then
		printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
	else
		printf 'extendedKeyUsage=clientAuth\n'
	fi >"$DEMO/$1.ext"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$DEMO/$1.key" \
		-out "$DEMO/$1.csr" -subj "/CN=$2" 2>/dev/null
	openssl x509 -req -in "$DEMO/$1.csr" -CA "$DEMO/ca.pem" -CAkey "$DEMO/ca.key" \
		-CAcreateserial -out "$DEMO/$1.pem" -days 1 -extfile "$DEMO/$1.ext" 2>/dev/null
	chmod 600 "$DEMO/$1.key"
	rm -f "$DEMO/$1.csr" "$DEMO/$1.ext"
}

step "A national centre and a local force each create their identity (throwaway keys)"
run --home "$DEMO/ceop" init --agency GB-NCA-CEOP --name "National Crime Agency CEOP" \
	--no-passphrase
run --home "$DEMO/met" init --agency GB-MET --name "Metropolitan Police Service" \
	--no-passphrase

step "Each exports its public key for the other"
run --home "$DEMO/ceop" key export -o "$DEMO/ceop.asc"
run --home "$DEMO/met" key export -o "$DEMO/met.asc"
CEOP_FPR=$(fpr_of "$DEMO/ceop")
MET_FPR=$(fpr_of "$DEMO/met")
say "The fingerprints are read to each other over the phone: $CEOP_FPR and $MET_FPR"

step "Each pins the other's key, checking the fingerprint it was told"
run --home "$DEMO/ceop" partner add GB-MET --key "$DEMO/met.asc" --fingerprint "$MET_FPR" \
	--name "Metropolitan Police Service"
run --home "$DEMO/met" partner add GB-NCA-CEOP --key "$DEMO/ceop.asc" \
	--fingerprint "$CEOP_FPR" --name "National Crime Agency CEOP"

step "A neighbouring force, Surrey Police, and the Met pin each other's keys the same way"
say "(so that the Met can pass intelligence on where its handling allows)"
run --home "$DEMO/surrey" init --agency GB-SURREY --name "Surrey Police" --no-passphrase
run --home "$DEMO/surrey" key export -o "$DEMO/surrey.asc"
SURREY_FPR=$(fpr_of "$DEMO/surrey")
run --home "$DEMO/met" partner add GB-SURREY --key "$DEMO/surrey.asc" \
	--fingerprint "$SURREY_FPR" --name "Surrey Police"
run --home "$DEMO/surrey" partner add GB-MET --key "$DEMO/met.asc" --fingerprint "$MET_FPR" \
	--name "Metropolitan Police Service"
run --home "$DEMO/surrey" partner add GB-NCA-CEOP --key "$DEMO/ceop.asc" \
	--fingerprint "$CEOP_FPR" --name "National Crime Agency, CEOP"

step "A key offered with the wrong fingerprint is refused, and nothing changes"
if run --home "$DEMO/met" partner add GB-FAKE --key "$DEMO/ceop.asc" --fingerprint "$MET_FPR"
then
	fail "a wrong fingerprint was accepted"
fi

step "A local CA issues the force's server certificate and both agencies' client certificates"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$DEMO/ca.key" \
	-out "$DEMO/ca.pem" -days 1 -subj "/CN=pouch demo CA" \
	-addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
cert server 127.0.0.1 server
cert ceop-client GB-NCA-CEOP client
cert met-client GB-MET client
say "A client certificate's common name is the agency code: it tells pouchd who is calling."

step "The force's endpoint gets a gateway home: the force's public key only, and its partners"
run --home "$DEMO/metgw" init --gateway --code GB-MET --name "Metropolitan Police Service" \
	--key "$DEMO/met.asc" --fingerprint "$MET_FPR"
run --home "$DEMO/metgw" partner add GB-NCA-CEOP --key "$DEMO/ceop.asc" \
	--fingerprint "$CEOP_FPR" --name "National Crime Agency CEOP"

step "The force starts pouchd on 127.0.0.1 (mutual TLS on every partner route)"
printf '$ pouchd --home metgw --data met-data --listen 127.0.0.1:0 --cert server.pem ...\n'
"$POUCHD_BIN" --home "$DEMO/metgw" --data "$DEMO/met-data" --listen 127.0.0.1:0 \
	--cert "$DEMO/server.pem" --key "$DEMO/server.key" --client-ca "$DEMO/ca.pem" \
	2>"$DEMO/pouchd.log" &
PD_PID=$!
# Waits for pouchd's "listening" line for up to two minutes: a busy machine is slow, not broken.
PORT=
until_s=$(($(date +%s) + 120))
while [ -z "$PORT" ] && [ "$(date +%s)" -lt "$until_s" ]; do
	kill -0 "$PD_PID" 2>/dev/null || { cat "$DEMO/pouchd.log" >&2; fail "pouchd stopped"; }
	PORT=$(sed -n 's/^[0-9TZ:-]* pouchd: listening on .* port \([0-9]*\) .*/\1/p' \
		"$DEMO/pouchd.log" 2>/dev/null)
	[ -n "$PORT" ] || sleep 0.1
done
[ -n "$PORT" ] || fail "pouchd did not start"
URL="https://127.0.0.1:$PORT"
sed -n 1p "$DEMO/pouchd.log"

step "Each agency records the endpoint, the CA it trusts for it and its own client certificate"
run --home "$DEMO/ceop" partner set GB-MET --endpoint "$URL" --ca "$DEMO/ca.pem" \
	--client-cert "$DEMO/ceop-client.pem" --client-key "$DEMO/ceop-client.key"
run --home "$DEMO/met" endpoint set --endpoint "$URL" --ca "$DEMO/ca.pem" \
	--client-cert "$DEMO/met-client.pem" --client-key "$DEMO/met-client.key"

step "The centre packs a dissemination for the force, with an attachment (all fictional)"
cat >"$DEMO/report.json" <<'EOF'
{
  "format": "pouch-report/1",
  "header": {
    "reference": "DEMO-0001",
    "title": "Dissemination DEMO-0001 (fictional, for the pouch demo)",
    "created": "2026-11-23T10:21:00Z",
    "originator": {"agency": "GB-NCA-CEOP", "unit": "CEOP demo desk",
                   "officer": "CEOP-DEMO-17", "contact_24x7": "+441632960000"},
    "referral_source": "industry",
    "external_references": [{"scheme": "force", "value": "DEMO-REF-0001"}]
  },
  "handling": {
    "classification": {"tier": "OFFICIAL", "sensitive": true, "caveats": []},
    "tlp": "TLP:AMBER", "scheme": "uk-3x5x2", "codes": ["P"],
    "purpose": "safeguarding a child (fictional)",
    "legal_basis": "fictional: common law policing purposes"
  },
  "priority": {"level": "routine"},
  "offences": [{"type": "online-enticement", "annotations": ["fictional"]}],
  "items": [
    {"n": 1, "grade": {"source": "1", "intelligence": "B"},
     "text": "A fictional online account is linked to an address in the force area."},
    {"n": 2, "kind": "provenance", "grade": {"source": "1", "intelligence": "A"},
     "text": "Fictional subscriber records from a service provider."}
  ],
  "persons": [{"role": "suspect", "country": "GB",
               "accounts": [{"service": "example-chat (fictional)", "user_id": "0000"}]}],
  "actions": [{"action": "subscriber-check", "due": "2026-12-01T17:00:00Z"}]
}
EOF
printf '$ pouch report validate report.json\n'
"$POUCH_BIN" report validate "$DEMO/report.json" || fail "the demo report is not valid"
printf 'Fictional attachment for the pouch demo: subscriber records, no real data.\n' \
	>"$DEMO/subscriber-records.txt"
mkdir -m 700 "$DEMO/sent"
printf '$ pouch pack --to GB-MET --report report.json --attach subscriber-records.txt -o sent\n'
ID=$("$POUCH_BIN" --home "$DEMO/ceop" pack --to GB-MET --report "$DEMO/report.json" \
	--attach "$DEMO/subscriber-records.txt" -o "$DEMO/sent")
say "$ID"

step "The centre pushes it: into its durable outbox, then to the force's endpoint"
run --home "$DEMO/ceop" push "$DEMO/sent/$ID.pouch"
run --home "$DEMO/ceop" status "$ID"

step "The force pulls what is addressed to it: verified, stored, and a signed receipt sent"
run --home "$DEMO/met" pull
run --home "$DEMO/met" inbox

step "The force checks the package again and opens it into case-0001"
run --home "$DEMO/met" verify "$DEMO/met/inbox/$ID.pouch"
run --home "$DEMO/met" open "$DEMO/met/inbox/$ID.pouch" -o "$DEMO/case-0001"
cmp -s "$DEMO/subscriber-records.txt" "$DEMO/case-0001/attachments/subscriber-records.txt" ||
	fail "the opened attachment differs from what was packed"
say "The attachment arrived intact."

step "The centre collects the force's receipt and sees it accepted"
run --home "$DEMO/ceop" pull
run --home "$DEMO/ceop" status "$ID"
"$POUCH_BIN" --home "$DEMO/ceop" status "$ID" |
	grep -q "GB-MET: delivered .*, receipt accepted" ||
	fail "the sender's status does not show the receipt accepted"

step "Three reports as an officer writes them, each from one of pouch's templates"
say "pouch report new prints a skeleton: every member there, each placeholder saying what it"
say "needs. Here the immediate-danger template, as far as its priority:"
run report new --template immediate -o "$DEMO/skeleton.json"
sed -n '1,/^  "offences"/p' "$DEMO/skeleton.json" | sed '$d'
say "..."
say "Until every placeholder is filled in, the skeleton is refused, each one named:"
printf '$ pouch report validate skeleton.json\n'
if "$POUCH_BIN" report validate "$DEMO/skeleton.json" 2>"$DEMO/err"; then
	fail "an unfilled skeleton was accepted"
fi
head -n 2 "$DEMO/err"
say "..."
tail -n 1 "$DEMO/err"
cp "$SRC_DIR/tests/demo/reports/dissemination.json" "$SRC_DIR/tests/demo/reports/referral.json" \
	"$SRC_DIR/tests/demo/reports/immediate.json" "$DEMO/"
say "Filled in from the templates (tests/demo/reports/, all fictional):"
say "  dissemination.json  the centre to the force: a man grooming a 13-year-old, a meeting"
say "                      planned; urgent; OFFICIAL-SENSITIVE, UK EYES ONLY, TLP:AMBER,"
say "                      3x5x2 handling code C with the conditions the force must keep"
say "  referral.json       an NCMEC CyberTipline report passed on to the force: accounts,"
say "                      IP events and media metadata (hashes, categories, a file nobody"
say "                      viewed); routine, NCMEC's own priority kept; handling code P"
say "  immediate.json      a child believed in immediate danger tonight: reason, respond-by"
say "                      time, 24/7 contact, the victim's safeguarding; handling code P"

step "An invalid edit is refused: the dissemination's conditions deleted, its code still C"
sed '/"conditions":/d' "$DEMO/dissemination.json" >"$DEMO/edited.json"
printf '$ pouch report validate edited.json\n'
if "$POUCH_BIN" report validate "$DEMO/edited.json"; then
	fail "a report with code C and no conditions was accepted"
fi
say "pack refuses it with the same message, and writes nothing:"
mkdir -m 700 "$DEMO/refused"
if run --home "$DEMO/ceop" pack --to GB-MET --report "$DEMO/edited.json" -o "$DEMO/refused"
then
	fail "pack accepted a report with code C and no conditions"
fi
[ -z "$(ls "$DEMO/refused")" ] || fail "a refused pack left files behind"

step "The three reports as written are valid"
for r in dissemination referral immediate; do
	run report validate "$DEMO/$r.json"
done

step "The centre packs each for the force (an immediate one: pouch says to phone as well)"
printf 'Fictional extract of the chat logs for the pouch demo: no real data.\n' \
	>"$DEMO/chat-extract.txt"
pack_report dissemination chat-extract.txt
pack_report referral
pack_report immediate

step "The centre pushes all three to the force's endpoint"
run --home "$DEMO/ceop" push "$DEMO/sent/$ID_dissemination.pouch" \
	"$DEMO/sent/$ID_referral.pouch" "$DEMO/sent/$ID_immediate.pouch"

step "The force pulls them: each verified, filed in its inbox, a receipt sent for each"
run --home "$DEMO/met" pull
run --home "$DEMO/met" inbox

step "The force opens each package: the report inside is the one the centre wrote"
for r in dissemination referral immediate; do
	eval "id=\$ID_$r"
	run --home "$DEMO/met" open "$id" -o "$DEMO/case-$r"
	python3 -c 'import json, sys
got = json.load(open(sys.argv[1]))["report"]
got.pop("attachments", None)
sys.exit(got != json.load(open(sys.argv[2])))' "$DEMO/case-$r/pouch.json" "$DEMO/$r.json" ||
		fail "the opened $r report differs from what was packed"
	"$POUCH_BIN" --home "$DEMO/met" show "$DEMO/case-$r" >"$DEMO/show-$r.txt" ||
		fail "the $r package cannot be shown"
done
cmp -s "$DEMO/chat-extract.txt" "$DEMO/case-dissemination/attachments/chat-extract.txt" ||
	fail "the opened attachment differs from what was packed"
say "Each report arrived as written, the attachment intact."

step "What the officer reads: the markings and conditions first, immediate impossible to miss"
run --home "$DEMO/met" show "$DEMO/case-immediate"

step "The force passes the referral on to Surrey Police (handling code P allows it)"
mkdir -m 700 "$DEMO/fwd"
printf '$ pouch --home met forward case-referral --to GB-SURREY -o fwd\n'
FWD=$("$POUCH_BIN" --home "$DEMO/met" forward "$DEMO/case-referral" --to GB-SURREY \
	-o "$DEMO/fwd") || fail "the referral could not be forwarded"
echo "$FWD"
say "Surrey receives it (here as a file) and opens it; its provenance is the centre's own,"
say "checked against the centre's key Surrey pins:"
run --home "$DEMO/surrey" open "$DEMO/fwd/$FWD.pouch" -o "$DEMO/surrey-referral"
grep -q '"provenance"' "$DEMO/surrey-referral/pouch.json" || fail "no provenance in the forward"

step "The dissemination (handling code C) cannot go on without the centre's permission"
if run --home "$DEMO/met" forward "$DEMO/case-dissemination" --to GB-SURREY -o "$DEMO/fwd"; then
	fail "a code C report was forwarded without permission"
fi
say "The centre grants it, signed with its key; the force forwards with it:"
run --home "$DEMO/ceop" permit "$ID_dissemination" --to GB-SURREY --expires 2d \
	-o "$DEMO/permission.json"
run --home "$DEMO/met" forward "$DEMO/case-dissemination" --to GB-SURREY \
	--permission "$DEMO/permission.json" -o "$DEMO/fwd" || fail "the permitted forward failed"

step "The centre collects the force's receipts"
run --home "$DEMO/ceop" pull
for r in dissemination referral immediate; do
	eval "id=\$ID_$r"
	"$POUCH_BIN" --home "$DEMO/ceop" status "$id" |
		grep -q "GB-MET: delivered .*, receipt accepted" ||
		fail "the $r package's receipt is not accepted"
done
run --home "$DEMO/ceop" status "$ID_immediate"

step "Both audit trails: every step recorded, hash-chained and signed"
run --home "$DEMO/ceop" audit show
run --home "$DEMO/ceop" audit verify
run --home "$DEMO/met" audit verify

step "The force stops pouchd"
kill "$PD_PID"
wait "$PD_PID" 2>/dev/null || true
PD_PID=
tail -n 1 "$DEMO/pouchd.log"
say "Its log has one line per request, without contents:"
grep -c ' status=' "$DEMO/pouchd.log" | sed 's/$/ requests logged/'

step "Done: the scratch directory and its gpg-agents are cleaned up"
