#!/bin/sh
# make demo: pouch's main job end to end, narrated, on throwaway keys in a scratch directory.
# Today that is the foundation: two agencies make their identities and pin each other's keys.
# Packing, pushing, pulling and receipts join this script as they land.
set -eu

SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
POUCH_BIN=${POUCH_BIN:-$SRC_DIR/build/pouch}
# Short path: gpg-agent's socket lives in the GnuPG home and its path has a length limit.
DEMO=$(mktemp -d /tmp/pouch-demo.XXXXXX)
export LC_ALL=C

stop() {
	for h in "$DEMO/ceop" "$DEMO/met"; do
		[ -d "$h/gnupg" ] && gpgconf --homedir "$h/gnupg" --kill all 2>/dev/null
	done
	rm -rf "$DEMO"
}
trap stop EXIT

step() { printf '\n== %s\n' "$*"; }
run() {
	printf '$ pouch %s\n' "$*"
	"$POUCH_BIN" "$@"
}

step "A national centre and a local force each create their identity (throwaway keys, no passphrase)"
run --home "$DEMO/ceop" init --agency GB-NCA-CEOP --name "National Crime Agency CEOP" \
	--no-passphrase
run --home "$DEMO/met" init --agency GB-MET --name "Metropolitan Police Service" \
	--no-passphrase

step "Each exports its public key for the other"
run --home "$DEMO/ceop" key export -o "$DEMO/ceop.asc"
run --home "$DEMO/met" key export -o "$DEMO/met.asc"
CEOP_FPR=$("$POUCH_BIN" --home "$DEMO/ceop" whoami | sed -n 's/^fingerprint: *//p')
MET_FPR=$("$POUCH_BIN" --home "$DEMO/met" whoami | sed -n 's/^fingerprint: *//p')
echo "The fingerprints are read to each other over the phone: $CEOP_FPR and $MET_FPR"

step "Each pins the other's key, checking the fingerprint it was told"
run --home "$DEMO/ceop" partner add GB-MET --key "$DEMO/met.asc" --fingerprint "$MET_FPR" \
	--name "Metropolitan Police Service" --endpoint https://127.0.0.1:8443
run --home "$DEMO/met" partner add GB-NCA-CEOP --key "$DEMO/ceop.asc" \
	--fingerprint "$CEOP_FPR" --name "National Crime Agency CEOP"

step "A key offered with the wrong fingerprint is refused, and nothing changes"
if run --home "$DEMO/met" partner add GB-FAKE --key "$DEMO/ceop.asc" --fingerprint "$MET_FPR"
then
	echo "demo: a wrong fingerprint was accepted" >&2
	exit 1
fi

step "The national centre rotates its key; the force pins the new one beside the old"
run --home "$DEMO/ceop" key rotate --no-passphrase --overlap 14d -o "$DEMO/ceop-new.asc"
NEW_FPR=$("$POUCH_BIN" --home "$DEMO/ceop" whoami | sed -n 's/^fingerprint: *//p')
run --home "$DEMO/met" partner add-key GB-NCA-CEOP --key "$DEMO/ceop-new.asc" \
	--fingerprint "$NEW_FPR" --overlap 14d

step "Each agency's partner directory"
run --home "$DEMO/ceop" partner list
run --home "$DEMO/met" partner list

step "Done: the scratch directory and its gpg-agents are cleaned up"
echo "(Sealed packages, pouchd, push, pull, receipts and the audit trail arrive in later"
echo " versions of this demo.)"
