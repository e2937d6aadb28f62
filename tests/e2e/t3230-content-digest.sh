#!/bin/sh
# The header signs pouch.json by its SHA-256 (content.sha256), and pouch.json carries a fresh
# salt: pack writes both, stock tools check the digest as spec/envelope.md section 7 says, and
# open refuses a package whose pouch.json is not the one the header signs, or has no valid salt.
. "$(dirname "$0")/lib.sh"

. "$SRC_DIR/tests/e2e/lib-forge.sh"

SCHEMA=$SRC_DIR/spec/envelope.schema.json

# header_of PKG OUT: the decoded header of envelope PKG into OUT.
header_of() { b64_member "$1" header "$2"; }
# digest_of HEADER: the header's content.sha256.
digest_of() {
	"$SYSTEM_PYTHON" -S -c 'import json, sys
print(json.load(open(sys.argv[1]))["content"]["sha256"])' "$1"
}
# resigned PKG OUT PYTHON: envelope PKG with its decoded header h changed by PYTHON, signed
# again by the centre's own key over the new bytes (only the binding to pouch.json breaks).
resigned() {
	"$SYSTEM_PYTHON" -S -c "import base64, json, sys
e = json.load(open(sys.argv[1]))
h = json.loads(base64.b64decode(e['header']))
$3
open('rh.json', 'w').write(json.dumps(h, separators=(',', ':')))
open('rp.pgp', 'wb').write(base64.b64decode(e['payload']['inline']))" "$1" &&
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/forge-envelope.py" ceop/gnupg "$C" rh.json rp.pgp >"$2"
}
# refused_open PKG TEXT: the force's open of PKG exits 1 with one error line naming the
# package and holding TEXT (a fixed string), leaving nothing.
refused_open() {
	must_fail 1 pouch --home met open "$1" -o opened &&
	error_is "package '$1' does not open: " && grep -qF -- "$2" err && nothing_left
}

expect_success 'setup: the centre and the force; a report with an attachment' '
	setup_forge && write_report report.json "content digest" && echo "evidence" >ev.txt &&
	mkdir pk
'

. ./fprs 2>/dev/null || true

expect_success 'pack writes content.sha256 into the header and a fresh salt into pouch.json' '
	pouch --home ceop pack --to GB-MET --report report.json --attach ev.txt -o pk >id &&
	header_of "pk/$(cat id).pouch" h.json &&
	digest_of h.json | grep -Eqx "[0-9a-f]{64}" &&
	pouch --home met open "pk/$(cat id).pouch" -o opened >/dev/null &&
	test "$(sha256sum <opened/pouch.json | cut -c1-64)" = "$(digest_of h.json)" &&
	"$SYSTEM_PYTHON" -S -c "import json, re
m = json.load(open(\"opened/pouch.json\"))
assert re.fullmatch(\"[0-9a-f]{64}\", m[\"salt\"]), m[\"salt\"]" &&
	pyrun "$SRC_DIR/tests/e2e/check-envelope-schema.py" "$SCHEMA" header h.json &&
	pyrun "$SRC_DIR/tests/e2e/check-envelope-schema.py" "$SCHEMA" content opened/pouch.json
'

expect_success 'stock gpg, tar and sha256sum check the content digest (envelope.md section 7)' '
	b64_member "pk/$(cat id).pouch" payload.inline payload.pgp &&
	b64_member "pk/$(cat id).pouch" signature h.sig &&
	gpg --homedir met/gnupg --batch --verify h.sig h.json 2>/dev/null &&
	gpg --homedir met/gnupg --batch --decrypt payload.pgp >content.tar 2>/dev/null &&
	mkdir x && tar -xf content.tar -C x pouch.json &&
	test "$(sha256sum <x/pouch.json | cut -c1-64)" = "$(digest_of h.json)" &&
	test_cmp x/pouch.json opened/pouch.json
'

expect_success 'two packs of the same report have different salts and content digests' '
	pouch --home ceop pack --to GB-MET --report report.json --attach ev.txt -o pk >id2 &&
	header_of "pk/$(cat id2).pouch" h2.json &&
	test "$(digest_of h.json)" != "$(digest_of h2.json)" &&
	pouch --home met open "pk/$(cat id2).pouch" -o opened2 >/dev/null &&
	"$SYSTEM_PYTHON" -S -c "import json
a, b = json.load(open(\"opened/pouch.json\")), json.load(open(\"opened2/pouch.json\"))
assert a[\"report\"] == b[\"report\"] and a[\"attachments\"] == b[\"attachments\"]
assert a[\"salt\"] != b[\"salt\"], (a[\"salt\"], b[\"salt\"])" &&
	rm -rf opened opened2 met/seen
'

expect_success 'a header whose content digest was altered, signed again by the sender: refused' '
	resigned "pk/$(cat id).pouch" alt.pouch \
		"h[\"content\"][\"sha256\"] = \"%064x\" % (int(h[\"content\"][\"sha256\"], 16) ^ 1)" &&
	pouch --home met verify alt.pouch >/dev/null &&
	refused_open alt.pouch "s SHA-256 is not the one the header signs (altered)"
'

expect_success 'a header without a content digest, or a malformed one: refused on verify' '
	resigned "pk/$(cat id).pouch" none.pouch "del h[\"content\"]" &&
	must_fail 1 pouch --home met verify none.pouch &&
	grep -q "malformed header: field .content. is missing" err &&
	resigned "pk/$(cat id).pouch" upper.pouch \
		"h[\"content\"][\"sha256\"] = h[\"content\"][\"sha256\"].upper()" &&
	must_fail 1 pouch --home met verify upper.pouch &&
	grep -qF "malformed header: invalid content digest" err &&
	resigned "pk/$(cat id).pouch" extra.pouch "h[\"content\"][\"size\"] = 1" &&
	must_fail 1 pouch --home met verify extra.pouch &&
	grep -q "malformed header: content: unknown field .size." err &&
	must_fail 1 pouch --home met open none.pouch -o opened &&
	grep -q "malformed header: field .content. is missing" err && nothing_left
'

expect_success 'a pouch.json without a salt, or with a malformed one: refused on open' '
	forged nosalt.pouch salt=none && pouch --home met verify nosalt.pouch >/dev/null &&
	refused_open nosalt.pouch "pouch.json has no salt" &&
	forged short.pouch salt=abcd &&
	refused_open short.pouch "s salt is not 64 lower-case hex digits" &&
	forged upper.pouch salt="$(printf "%064d" 0 | tr 0 F)" &&
	refused_open upper.pouch "salt is not 64 lower-case hex digits" &&
	forged good.pouch && pouch --home met open good.pouch -o opened >/dev/null &&
	rm -rf opened met/seen
'

expect_success 'a pouch.json edited in the payload, the header signing the original: refused' '
	forged swapped.pouch content_sha256="$(printf "the original" | sha256sum | cut -c1-64)" &&
	refused_open swapped.pouch "SHA-256 is not the one the header signs"
'

expect_success 'the schema wants content in the header and salt in pouch.json' '
	"$SYSTEM_PYTHON" -S -c "import json
h = json.load(open(\"h.json\"))
del h[\"content\"]
json.dump(h, open(\"h-no-content.json\", \"w\"))
h = json.load(open(\"h.json\"))
h[\"content\"][\"sha256\"] = \"AB\" * 32
json.dump(h, open(\"h-upper.json\", \"w\"))
m = json.load(open(\"x/pouch.json\"))
del m[\"salt\"]
json.dump(m, open(\"m-no-salt.json\", \"w\"))
m[\"salt\"] = \"00\" * 31
json.dump(m, open(\"m-short.json\", \"w\"))" &&
	for f in h-no-content h-upper; do
		must_fail 1 pyrun "$SRC_DIR/tests/e2e/check-envelope-schema.py" "$SCHEMA" header \
			$f.json || exit 1
	done &&
	for f in m-no-salt m-short; do
		must_fail 1 pyrun "$SRC_DIR/tests/e2e/check-envelope-schema.py" "$SCHEMA" content \
			$f.json || exit 1
	done
'

test_done
