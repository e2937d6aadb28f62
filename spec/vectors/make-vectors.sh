#!/bin/sh
# Test material only: the exact commands that made spec/vectors/ (throwaway keys, valid and
# invalid packages, their expected verdicts). Run by hand, never by the tests, from the
# repository root after 'make':   sh spec/vectors/make-vectors.sh
# It replaces keys/, valid/ and invalid/ with new keys and packages: commit them together
# and check them with tests/e2e/t2300-vectors.sh. README.md says what each case is.
set -eu

ROOT=$(pwd)
POUCH=${POUCH:-$ROOT/build/pouch}
V=$ROOT/spec/vectors
PY=/usr/bin/python3
FORGE_PKG=$ROOT/tests/e2e/forge-package.py
FORGE_ENV=$ROOT/tests/e2e/forge-envelope.py
# The forged packages are created when they are made (the payload's signature must be dated
# within 60 s of the header's created) and valid until the end of 2099.
EXPIRES=2099-12-31T00:00:00Z
NOTE="pouch test vector key: test material only, never use for real packages"

[ -x "$POUCH" ] && [ -f "$V/make-vectors.sh" ] || {
	echo "make-vectors.sh: run from the repository root after 'make'" >&2
	exit 2
}

# Short scratch path: gpg-agent's socket path has a length limit. Every GnuPG home made here
# has its agent stopped at the end.
W=$(mktemp -d /tmp/ph.XXXXXX)
cleanup() {
	for h in "$W/s/gnupg" "$W/r/gnupg" "$W/x/gnupg" "$W/f"; do
		if [ -d "$h" ]; then gpgconf --homedir "$h" --kill all 2>/dev/null || :; fi
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export HOME="$W/home" LC_ALL=C TZ=UTC
mkdir -m 700 "$HOME"
unset GNUPGHOME POUCH_HOME XDG_DATA_HOME

pouch() { "$POUCH" "$@"; }
gpgq() { gpg --batch --quiet --no-tty --pinentry-mode loopback --passphrase '' "$@"; }
fpr_of() { pouch --home "$1" whoami --json | "$PY" -c 'import json,sys
print(json.load(sys.stdin)["fingerprint"])'; }
# expect CASE-DIR LINE...: the expected verdicts, one a line.
expect() {
	_d=$1
	shift
	printf '%s\n' "$@" >"$_d/expected"
}
# forge OUT key=value...: a package made with real gpg by tests/e2e/forge-package.py, signed
# by the keys in the forging home $W/f; created now and expiring with 2099 unless given.
forge() {
	_out=$1
	shift
	"$PY" "$FORGE_PKG" "$W/f" "$_out" expires="$EXPIRES" "$@"
}
# edit IN OUT PYTHON: rewrites envelope IN to OUT with the decoded JSON e changed by PYTHON;
# b64d/b64e decode and encode base64 to and from bytes.
edit() {
	"$PY" -c "import base64, json, sys
b64d = base64.b64decode
b64e = lambda b: base64.b64encode(b).decode()
e = json.load(open(sys.argv[1]))
$3
open(sys.argv[2], 'w').write(json.dumps(e, separators=(',', ':')))" "$1" "$2"
}
# raw IN OUT PYTHON: rewrites envelope IN to OUT with its bytes b changed by PYTHON.
raw() {
	"$PY" -c "import sys
b = open(sys.argv[1], 'rb').read()
$3
open(sys.argv[2], 'wb').write(b)" "$1" "$2"
}
# detach IN DIR [NAME]: writes envelope IN as DIR/package.pouch with its payload moved into
# DIR/NAME (default ID.pouch.pgp); the signed header is unchanged.
detach() {
	"$PY" -c "import base64, json, sys
e = json.load(open(sys.argv[1]))
h = json.loads(base64.b64decode(e['header']))
name = sys.argv[3] or h['id'] + '.pouch.pgp'
open(sys.argv[2] + '/' + name, 'wb').write(base64.b64decode(e['payload']['inline']))
e['payload'] = {'detached': name}
open(sys.argv[2] + '/package.pouch', 'w').write(json.dumps(e, separators=(',', ':')))" \
		"$1" "$2" "${3:-}"
}

# 1. Keys: three agencies, keys that never expire and have no passphrase.
pouch --home "$W/s" init --agency GB-VEC-SENDER --name "Vector sender, test material" \
	--no-passphrase --expires never -q >/dev/null
pouch --home "$W/r" init --agency GB-VEC-RECIPIENT --name "Vector recipient, test material" \
	--no-passphrase --expires never -q >/dev/null
pouch --home "$W/x" init --agency XX-VEC-STRANGER --name "Vector stranger, test material" \
	--no-passphrase --expires never -q >/dev/null
S=$(fpr_of "$W/s") R=$(fpr_of "$W/r") X=$(fpr_of "$W/x")

rm -rf "$V/keys" "$V/valid" "$V/invalid"
mkdir -p "$V/keys" "$V/valid" "$V/invalid"
for a in s:GB-VEC-SENDER:$S r:GB-VEC-RECIPIENT:$R x:XX-VEC-STRANGER:$X; do
	h=${a%%:*} rest=${a#*:}
	code=${rest%%:*} fpr=${rest#*:}
	pouch --home "$W/$h" key export -o "$W/$code.asc" -q
	# An armor header that says what the key is; OpenPGP readers ignore it.
	sed "1a Comment: $NOTE" "$W/$code.asc" >"$V/keys/$code.asc"
	echo "$fpr" >"$V/keys/$code.fpr"
done
gpgq --homedir "$W/r/gnupg" --armor --comment "$NOTE" --export-secret-keys "$R" \
	>"$V/keys/GB-VEC-RECIPIENT.sec.asc"

# The sender pins the recipient, to pack for it with pouch itself.
pouch --home "$W/s" partner add GB-VEC-RECIPIENT --key "$W/GB-VEC-RECIPIENT.asc" \
	--fingerprint "$R" -q >/dev/null

# A forging home holding all three secret keys: forge-package.py signs and encrypts with any.
mkdir -m 700 "$W/f"
for h in s r x; do
	gpgq --homedir "$W/$h/gnupg" --export-secret-keys | gpgq --homedir "$W/f" --import
done

# 2. Valid packages.
# The reports (spec/report.md): routine, and urgent with what urgent needs.
"$PY" - "$W" <<'EOF'
import json, sys
r = {"format": "pouch-report/1",
     "header": {"reference": "VECTOR-1", "title": "pouch test vector (test material only: not a "
                "real case)", "created": "2026-01-01T00:00:00Z",
                "originator": {"agency": "GB-VEC-SENDER", "unit": "test vectors",
                               "officer": "VEC-1", "contact_24x7": "+441632960000"}},
     "handling": {"classification": {"tier": "OFFICIAL", "sensitive": True, "caveats": []},
                  "tlp": "TLP:AMBER", "scheme": "uk-3x5x2", "codes": ["P"],
                  "purpose": "test", "legal_basis": "test"},
     "priority": {"level": "routine"},
     "items": [{"n": 1, "text": "a test item", "grade": {"source": "2", "intelligence": "B"}}]}
json.dump(r, open(sys.argv[1] + "/report.json", "w"), indent=1)
r["priority"] = {"level": "urgent", "reason": "test", "respond_by": "2099-01-01T00:00:00Z",
                 "contact_24x7": "+441632960000"}
json.dump(r, open(sys.argv[1] + "/urgent.json", "w"), indent=1)
EOF
printf 'pouch test vector attachment: test material only, not case material\n' >"$W/note.txt"
"$PY" -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 16)' >"$W/data.bin"

# pouch's own output: 73 years is the longest whole number of years from 2026 that ends
# before 2100 (pack takes at most 100y).
d=$V/valid/inline-small
mkdir "$d" "$W/pk1"
id=$(pouch --home "$W/s" pack --to GB-VEC-RECIPIENT --report "$W/report.json" \
	--expires 73y -o "$W/pk1" -q)
cp "$W/pk1/$id.pouch" "$d/package.pouch"
expect "$d" "verify good" "open good"
GOOD=$d/package.pouch

d=$V/valid/attachments
mkdir "$d" "$W/pk2"
id=$(pouch --home "$W/s" pack --to GB-VEC-RECIPIENT --report "$W/urgent.json" \
	--attach "$W/note.txt" --attach "$W/data.bin" --priority urgent --expires 73y \
	-o "$W/pk2" -q)
cp "$W/pk2/$id.pouch" "$d/package.pouch"
expect "$d" "verify good" "open good"

d=$V/valid/two-recipients
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$X,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R,XX-VEC-STRANGER:$X" priority=information
expect "$d" "verify good" "open good"

# A detached payload need not be large to be valid: forged small, then moved out.
d=$V/valid/detached
mkdir "$d"
forge "$W/detached.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" entries='[["detached.txt", "a detached payload"]]'
detach "$W/detached.pouch" "$d"
expect "$d" "verify good" "open good"

# 3. Invalid packages. Refused by verify (no private key needed):
d=$V/invalid/header-byte-changed
mkdir "$d"
edit "$GOOD" "$d/package.pouch" "h = bytearray(b64d(e['header']))
i = h.index(b'\"id\":\"') + 6 + 35
h[i] = ord('1') if h[i] != ord('1') else ord('2')
e['header'] = b64e(bytes(h))"
expect "$d" "verify bad: the header signature does not verify: bad signature"

d=$V/invalid/signature-byte-changed
mkdir "$d"
edit "$GOOD" "$d/package.pouch" "s = bytearray(b64d(e['signature']))
s[-10] ^= 1
e['signature'] = b64e(bytes(s))"
expect "$d" "verify bad: the header signature does not verify: bad signature"

d=$V/invalid/payload-byte-changed
mkdir "$d"
edit "$GOOD" "$d/package.pouch" "p = bytearray(b64d(e['payload']['inline']))
p[len(p) // 2] ^= 1
e['payload']['inline'] = b64e(bytes(p))"
expect "$d" "verify bad: the payload's SHA-256 is not the one the header signs"

d=$V/invalid/payload-swapped
mkdir "$d"
edit "$GOOD" "$d/package.pouch" \
	"e['payload'] = json.load(open('$V/valid/two-recipients/package.pouch'))['payload']"
expect "$d" "verify bad: is not genuine: the payload"

d=$V/invalid/stranger-signed
mkdir "$d"
forge "$d/package.pouch" signer="$X" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R"
expect "$d" "verify bad: the header signature does not verify: signed by key $X"

d=$V/invalid/expired
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" created=2020-01-01T00:00:00Z expires=2020-01-02T00:00:00Z
expect "$d" "verify bad: expired on 2020-01-02T00:00:00Z"

# A genuinely signed header with a member the format does not have.
d=$V/invalid/unknown-header-field
mkdir "$d"
forge "$W/base.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R"
"$PY" -c "import base64, json, sys
e = json.load(open(sys.argv[1]))
h = json.loads(base64.b64decode(e['header']))
h['note'] = 'unsigned extras are not allowed'
open(sys.argv[2], 'w').write(json.dumps(h, separators=(',', ':')))
open(sys.argv[3], 'wb').write(base64.b64decode(e['payload']['inline']))" \
	"$W/base.pouch" "$W/h.json" "$W/p.pgp"
"$PY" "$FORGE_ENV" "$W/f" "$S" "$W/h.json" "$W/p.pgp" >"$d/package.pouch"
expect "$d" "verify bad: malformed header: unknown field 'note'"

# A genuinely signed header without the content digest (pouch.json's SHA-256).
d=$V/invalid/header-no-content
mkdir "$d"
"$PY" -c "import base64, json, sys
e = json.load(open(sys.argv[1]))
h = json.loads(base64.b64decode(e['header']))
del h['content']
open(sys.argv[2], 'w').write(json.dumps(h, separators=(',', ':')))
open(sys.argv[3], 'wb').write(base64.b64decode(e['payload']['inline']))" \
	"$W/base.pouch" "$W/h.json" "$W/p.pgp"
"$PY" "$FORGE_ENV" "$W/f" "$S" "$W/h.json" "$W/p.pgp" >"$d/package.pouch"
expect "$d" "verify bad: malformed header: field 'content' is missing"

d=$V/invalid/unknown-envelope-field
mkdir "$d"
edit "$GOOD" "$d/package.pouch" "e['x'] = 1"
expect "$d" "verify bad: is not a valid package: unknown field 'x'"

d=$V/invalid/header-base64-line-break
mkdir "$d"
edit "$GOOD" "$d/package.pouch" "e['header'] = e['header'][:76] + '\\n' + e['header'][76:]"
expect "$d" "verify bad: 'header' is not canonical base64"

d=$V/invalid/payload-inline-and-detached
mkdir "$d"
edit "$GOOD" "$d/package.pouch" "h = json.loads(b64d(e['header']))
e['payload']['detached'] = h['id'] + '.pouch.pgp'"
expect "$d" "verify bad: 'payload' needs one of inline, detached"

d=$V/invalid/detached-misnamed
mkdir "$d"
detach "$W/detached.pouch" "$d" payload.pgp
expect "$d" "verify bad: the detached payload is not named"

d=$V/invalid/duplicate-json-keys
mkdir "$d"
raw "$GOOD" "$d/package.pouch" "assert b.startswith(b'{\"pouch\":\"envelope/1\",')
b = b'{\"pouch\":\"envelope/1\",' + b[1:]"
expect "$d" "verify bad: it is not valid JSON: duplicate object key"

d=$V/invalid/nesting-too-deep
mkdir "$d"
raw "$GOOD" "$d/package.pouch" \
	"b = b.replace(b'\"envelope/1\"', b'[' * 20 + b'\"envelope/1\"' + b']' * 20, 1)"
expect "$d" "verify bad: it nests deeper than 16 levels"

d=$V/invalid/invalid-utf8
mkdir "$d"
raw "$GOOD" "$d/package.pouch" "b = b.replace(b'\"envelope/1\"', b'\"envelope/1\\xff\"', 1)"
expect "$d" "verify bad: it is not valid JSON: unable to decode byte 0xff"

d=$V/invalid/truncated
mkdir "$d"
head -c 500 "$GOOD" >"$d/package.pouch"
expect "$d" "verify bad: it is not valid JSON: premature end of input"

d=$V/invalid/empty
mkdir "$d"
: >"$d/package.pouch"
expect "$d" "verify bad: it is empty"

# Genuine on arrival (verify passes), refused by the recipient (open):
d=$V/invalid/not-addressed
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$X,$S" sender="GB-VEC-SENDER:$S" \
	recipients="XX-VEC-STRANGER:$X"
expect "$d" "verify good" "open bad: is not addressed to GB-VEC-RECIPIENT"

d=$V/invalid/unsigned-payload
mkdir "$d"
forge "$d/package.pouch" signer="$S" payload_signer=none encrypt_to="$R,$S" \
	sender="GB-VEC-SENDER:$S" recipients="GB-VEC-RECIPIENT:$R"
expect "$d" "verify good" "open bad: does not open: not signed"

d=$V/invalid/payload-signed-by-stranger
mkdir "$d"
forge "$d/package.pouch" signer="$S" payload_signer="$X" encrypt_to="$R,$S" \
	sender="GB-VEC-SENDER:$S" recipients="GB-VEC-RECIPIENT:$R"
expect "$d" "verify good" \
	"open bad: does not open: signed by key $X, which is not in the keyring"

d=$V/invalid/payload-signed-by-recipient
mkdir "$d"
forge "$d/package.pouch" signer="$S" payload_signer="$R" encrypt_to="$R,$S" \
	sender="GB-VEC-SENDER:$S" recipients="GB-VEC-RECIPIENT:$R"
expect "$d" "verify good" "open bad: does not open: the payload is signed by $R, the header by $S"

# The signature policy (envelope.md section 5): SHA-256 or stronger, the payload signed when
# the header says the package was created, for our key and never for a passphrase.
d=$V/invalid/header-sha1
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" digest=SHA1
expect "$d" "verify bad: the header signature does not verify: signature over a SHA1 digest"

d=$V/invalid/payload-sha1
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" payload_digest=SHA1
expect "$d" "verify good" "open bad: does not open: signature over a SHA1 digest"

d=$V/invalid/payload-signed-late
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" created="$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)"
expect "$d" "verify good" "open bad: does not open: the payload was signed on"

d=$V/invalid/payload-passphrase
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to= sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" symmetric=vector
expect "$d" "verify good" "open bad: does not open: the payload is encrypted with a passphrase"

d=$V/invalid/forwarded
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" manifest_recipients="XX-VEC-STRANGER:$X"
expect "$d" "verify good" \
	"open bad: does not open: the signed content names other recipients than the header"

d=$V/invalid/content-id-differs
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" manifest_id=00000000-0000-4000-8000-000000000000
expect "$d" "verify good" "open bad: does not open: the signed content does not match the header"

# The header signs pouch.json by its SHA-256 (and pouch.json carries a fresh salt): the
# payload is genuine, its pouch.json binds the header, but is not the one the header signs.
d=$V/invalid/content-digest-differs
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" content_sha256="$(printf 'another pouch.json' |
	sha256sum | cut -c1-64)"
expect "$d" "verify good" \
	"open bad: does not open: pouch.json's SHA-256 is not the one the header signs"

d=$V/invalid/content-no-salt
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" salt=none
expect "$d" "verify good" "open bad: does not open: pouch.json has no salt"

d=$V/invalid/content-salt-malformed
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" salt="$(printf '%064d' 0 | tr 0 A)"
expect "$d" "verify good" \
	"open bad: does not open: pouch.json's salt is not 64 lower-case hex digits"

d=$V/invalid/path-traversal
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" entries='[["../evil.txt", "outside"]]'
expect "$d" "verify good" \
	"open bad: does not open: pouch.json lists attachment '../evil.txt': invalid attachment name"

d=$V/invalid/absolute-path
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" entries='[["/tmp/pouch-vector-evil.txt", "outside"]]'
expect "$d" "verify good" "open bad: does not open: pouch.json lists attachment \
'/tmp/pouch-vector-evil.txt': invalid attachment name"

d=$V/invalid/symlink
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" link=passwd:/etc/passwd
expect "$d" "verify good" \
	"open bad: does not open: cannot extract 'attachments/passwd': a symbolic link"

CLASH="differs only in case or not at all"
d=$V/invalid/duplicate-names
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" entries='[["a.txt", "first"], ["a.txt", "second"]]'
expect "$d" "verify good" \
	"open bad: does not open: pouch.json lists attachment 'a.txt': the name of attachment \
'a.txt' $CLASH from 'a.txt'"

d=$V/invalid/duplicate-names-case
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" entries='[["a.txt", "first"], ["A.TXT", "second"]]'
expect "$d" "verify good" \
	"open bad: does not open: pouch.json lists attachment 'A.TXT': the name of attachment \
'A.TXT' $CLASH from 'a.txt'"

d=$V/invalid/unlisted-attachment
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" entries='[["!hidden.txt", "not in pouch.json"]]'
expect "$d" "verify good" \
	"open bad: does not open: cannot extract 'attachments/hidden.txt': pouch.json does not list it"

# The list names a.txt twice and the archive holds a.txt and extra.exe: the count matches.
d=$V/invalid/attachment-listed-twice
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" entries='[["a.txt", "first"], ["extra.exe", "MZ"]]' \
	list='["a.txt", "a.txt"]'
expect "$d" "verify good" \
	"open bad: does not open: pouch.json lists attachment 'a.txt': the name of attachment \
'a.txt' $CLASH from 'a.txt'"

d=$V/invalid/attachments-out-of-order
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" entries='[["a.txt", "first"], ["b.txt", "second"]]' \
	list='["b.txt", "a.txt"]'
expect "$d" "verify good" "open bad: does not open: cannot extract 'attachments/a.txt': out of \
order: pouch.json lists it as attachment 2, not 1"

# U+00E9 precomposed, and e with U+0301 COMBINING ACUTE ACCENT: one name.
d=$V/invalid/duplicate-names-normalisation
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" \
	entries='[["\u00e9.txt", "first"], ["e\u0301.txt", "second"]]'
expect "$d" "verify good" "open bad: does not open: pouch.json lists attachment 'e$(printf \
'\314\201').txt': the name of attachment 'e$(printf '\314\201').txt' $CLASH"

# U+202E RIGHT-TO-LEFT OVERRIDE: shown as "invoiceexe.txt", it is an .exe.
d=$V/invalid/attachment-name-bidi
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" entries='[["invoice\u202etxt.exe", "MZ"]]'
expect "$d" "verify good" "open bad: does not open: pouch.json lists attachment \
'invoice\\xe2\\x80\\xaetxt.exe': invalid attachment name 'invoice\\xe2\\x80\\xaetxt.exe': \
bidirectional, invisible and format characters are not allowed"

d=$V/invalid/attachment-name-leading-dash
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" entries='[["-rf", "x"]]'
expect "$d" "verify good" "open bad: does not open: pouch.json lists attachment '-rf': invalid \
attachment name '-rf': it must not start with '-'"

d=$V/invalid/attachment-name-trailing-dot
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" entries='[["report.pdf.exe.", "MZ"]]'
expect "$d" "verify good" "open bad: does not open: pouch.json lists attachment \
'report.pdf.exe.': invalid attachment name 'report.pdf.exe.': it must not end with a dot or a space"

# 4 MiB of zeros, compressed (which pouch never does) into a few KiB of payload.
d=$V/invalid/decompression-bomb
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" zeros=4194304 compress=zlib
expect "$d" "verify good" "open bad: does not open: the payload is compressed: pouch refuses \
compressed payloads"

# Random bytes, compressed: no bomb, and refused all the same.
d=$V/invalid/compressed
mkdir "$d"
forge "$d/package.pouch" signer="$S" encrypt_to="$R,$S" sender="GB-VEC-SENDER:$S" \
	recipients="GB-VEC-RECIPIENT:$R" random=3000 compress=zlib
expect "$d" "verify good" "open bad: does not open: the payload is compressed: pouch refuses \
compressed payloads"

echo "made $(ls "$V/valid" | wc -l) valid and $(ls "$V/invalid" | wc -l) invalid vectors" \
	"in $V ($(du -sh "$V" | cut -f1)); now run tests/e2e/t2300-vectors.sh"
