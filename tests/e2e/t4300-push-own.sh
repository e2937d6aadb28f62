#!/bin/sh
# pouch push takes a package this home packed without verifying it again: pack and pack
# --batch record the SHA-256 of each envelope they write, and push starts no GnuPG for a file
# with exactly those bytes (shown with the keyring out of reach, where any verification fails).
# A package without a record is verified; one changed after pack (the same id) is verified and
# refused.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

# no_keyring CMD...: CMD with ceop's keyring out of reach (a file where its directory was).
no_keyring() {
	mv ceop/gnupg ceop/gnupg.away && : >ceop/gnupg || return 1
	"$@"
	_st=$?
	rm -f ceop/gnupg && mv ceop/gnupg.away ceop/gnupg && return $_st
}

url() { echo "https://127.0.0.1:$(pouchd_port)"; }
packed_rows() { sqlite3 ceop/state.db "SELECT count(*) FROM packed WHERE $1"; }
queued_ids() { sqlite3 ceop/state.db "SELECT id FROM outgoing ORDER BY id"; }
sha() { sha256sum "$1" | cut -d" " -f1; }

expect_success 'setup: the centre packs for GB-MET, singly and in a batch' '
	exchange_setup && write_report report.json "own package" && mkdir pk bk &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id1 &&
	printf "{\"to\": \"GB-MET\", \"report\": \"%s\"}\n" "$TRASH/report.json" \
		"$TRASH/report.json" >b.jsonl &&
	pouch --home ceop pack --batch b.jsonl -o bk -j 2 >lines &&
	test "$(wc -l <lines)" = 2
'

expect_success 'pack records the digest of the bytes it wrote, as the audit trail has it' '
	d=$(sha "pk/$(cat id1).pouch") &&
	test "$(packed_rows "digest = '\''$d'\'' AND id = '\''$(cat id1)'\''")" = 1 &&
	pouch --home ceop audit show --json >a.json &&
	"$SYSTEM_PYTHON" -S -c "import json, sys
e = [e for e in json.load(open(\"a.json\")) if e[\"event\"] == \"pack\" and e.get(\"id\") == sys.argv[1]]
assert len(e) == 1 and e[0][\"digest\"] == sys.argv[2], e" "$(cat id1)" "$d"
'

expect_success 'push takes a package packed here without GnuPG: delivered once' '
	no_keyring pouch --home ceop push "pk/$(cat id1).pouch" >out 2>err &&
	echo "delivered $(cat id1) to GB-MET ($(url))" >want && test_cmp want out &&
	test "$(listed met "$(cat id1)")" = 1 &&
	cmp "pk/$(cat id1).pouch" "ceop/outbox/$(cat id1).pouch"
'

expect_success 'packages of pack --batch are taken the same way' '
	no_keyring pouch --home ceop push bk/*.pouch >out 2>err &&
	test "$(grep -c "^delivered .* to GB-MET " out)" = 2 &&
	for id in $(cut -d" " -f2 lines); do
		test "$(listed met "$id")" = 1 || return 1
	done
'

expect_success 'without its record a package is verified: GnuPG is needed, then it goes' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id2 &&
	sqlite3 ceop/state.db "DELETE FROM packed WHERE id = '\''$(cat id2)'\''" &&
	queued_ids >before &&
	no_keyring pouch --home ceop push "pk/$(cat id2).pouch" >out 2>err; st=$?
	test $st -ge 1 && test $st -le 3 && queued_ids >after && test_cmp before after &&
	pouch --home ceop push "pk/$(cat id2).pouch" >out &&
	grep -q "^delivered $(cat id2) to GB-MET" out && test "$(listed met "$(cat id2)")" = 1
'

expect_success 'a package changed after pack, with the same id, is verified and refused' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id3 &&
	f="pk/$(cat id3).pouch" &&
	"$SYSTEM_PYTHON" -S -c "import base64, json, sys
e = json.load(open(sys.argv[1]))
p = bytearray(base64.b64decode(e[\"payload\"][\"inline\"]))
p[len(p) // 2] ^= 1
e[\"payload\"][\"inline\"] = base64.b64encode(bytes(p)).decode()
json.dump(e, open(sys.argv[1], \"w\"))" "$f" &&
	test "$(packed_rows "id = '\''$(cat id3)'\''")" = 1 &&
	queued_ids >before &&
	must_fail 1 pouch --home ceop push "$f" &&
	error_is "package .$f. is not genuine: " &&
	queued_ids >after && test_cmp before after && test "$(listed met "$(cat id3)")" = 0
'

expect_success 'the same changed file with the keyring out of reach is not taken either' '
	no_keyring pouch --home ceop push "pk/$(cat id3).pouch" >out 2>err; st=$?
	test $st -ge 1 && test $st -le 3 && test ! -s out && test "$(listed met "$(cat id3)")" = 0
'

expect_success 'the audit trail verifies' '
	pouch --home ceop audit verify >/dev/null
'

test_done
