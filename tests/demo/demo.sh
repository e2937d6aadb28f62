#!/bin/sh
# make demo: pouch's main job end to end, narrated, on throwaway keys and certificates in a
# scratch directory. A national centre disseminates a package to a local force over HTTPS: the
# force's pouchd verifies it on arrival, the force pulls, verifies and opens it and returns a
# signed receipt, and the centre sees the receipt accepted. Both audit trails are checked.
set -eu

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
POUCH_BIN=${POUCH_BIN:-$SRC_DIR/build/pouch}
POUCHD_BIN=${POUCHD_BIN:-$(dirname "$POUCH_BIN")/pouchd}
# Short path: gpg-agent's socket lives in the GnuPG home and its path has a length limit.
DEMO=$(mktemp -d /tmp/pouch-demo.XXXXXX)
PD_PID=
export LC_ALL=C

stop() {
	if [ -n "$PD_PID" ] && kill "$PD_PID" 2>/dev/null; then
		wait "$PD_PID" 2>/dev/null || true
	fi
	for h in "$DEMO/ceop" "$DEMO/met" "$DEMO/metgw"; do
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
PORT=
i=0
while [ -z "$PORT" ] && [ $i -lt 100 ]; do
	kill -0 "$PD_PID" 2>/dev/null || { cat "$DEMO/pouchd.log" >&2; fail "pouchd stopped"; }
	PORT=$(sed -n 's/^[0-9TZ:-]* pouchd: listening on .* port \([0-9]*\) .*/\1/p' "$DEMO/pouchd.log")
	[ -n "$PORT" ] || sleep 0.1
	i=$((i + 1))
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
