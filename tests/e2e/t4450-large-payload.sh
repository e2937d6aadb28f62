#!/bin/sh
# Large packages stream: pack seals the archive as it is made and hashes the payload as it is
# written; open decrypts straight into the extraction and hashes each attachment as it is
# written. What the header and pouch.json declare must still be exact, and a package that fails
# anywhere in the stream leaves nothing behind, with the decryption's verdict before the
# archive's.
. "$(dirname "$0")/lib.sh"

. "$SRC_DIR/tests/e2e/lib-forge.sh"

# nothing_at_all: no output directory 'opened', no work directory of open's beside it, no
# seen record more than in ./seen.before.
nothing_at_all() {
	test ! -e opened && ! ls -a . | grep -q "pouch-open" &&
	ls met/seen >seen.after && test_cmp seen.before seen.after
}

expect_success 'setup: a centre and a force; attachments across many 1 MiB buffers' '
	setup_forge && write_report report.json t &&
	head -c 10485761 /dev/urandom >big.bin && head -c 3000001 /dev/urandom >mid.bin &&
	echo "a note" >note.txt && mkdir pk
'

. ./fprs 2>/dev/null || true

expect_success 'pack: the header signs the size and SHA-256 of the payload as written' '
	pouch --home ceop pack --to GB-MET --report report.json --attach big.bin \
		--attach note.txt --attach mid.bin -o pk >id &&
	test -f "pk/$(cat id).pouch.pgp" &&
	pouch --home met verify "pk/$(cat id).pouch" --json >v.json &&
	"$SYSTEM_PYTHON" - "pk/$(cat id).pouch.pgp" <<-\PY
	import hashlib, json, os, sys
	p = json.load(open("v.json"))["payload"]
	data = open(sys.argv[1], "rb").read()
	assert p["size"] == len(data) == os.stat(sys.argv[1]).st_size, (p, len(data))
	assert p["sha256"] == hashlib.sha256(data).hexdigest(), p
	PY
'

expect_success 'open: every attachment byte for byte, as pouch.json declares it, 0600' '
	pouch --home met open "pk/$(cat id).pouch" -o big >out &&
	test_cmp big.bin big/attachments/big.bin &&
	test_cmp mid.bin big/attachments/mid.bin &&
	test_cmp note.txt big/attachments/note.txt &&
	test "$(stat -c %a big/attachments/big.bin)" = 600 &&
	test "$(ls big/attachments | wc -l)" = 3 && ! ls -a . | grep -q "pouch-open" &&
	"$SYSTEM_PYTHON" - <<-\PY
	import hashlib, json
	m = json.load(open("big/pouch.json"))
	for a in m["attachments"]:
	    data = open("big/attachments/" + a["name"], "rb").read()
	    assert a["size"] == len(data), a
	    assert a["sha256"] == hashlib.sha256(data).hexdigest(), a
	PY
'

expect_success 'the same package inline (under the inline limit) opens the same' '
	pouch --home ceop pack --to GB-MET --report report.json --attach mid.bin -o pk >id2 &&
	test ! -e "pk/$(cat id2).pouch.pgp" &&
	pouch --home met open "pk/$(cat id2).pouch" -o inline >out &&
	test_cmp mid.bin inline/attachments/mid.bin && ls met/seen >seen.before
'

# tampered IN OUT OFFSET: IN with one payload byte flipped at OFFSET, its header made anew for
# the payload it now has and signed by the centre: only the decryption can tell.
tampered() {
	"$SYSTEM_PYTHON" - "$@" <<-\PY
	import base64, hashlib, json, subprocess, sys
	src, out, off = sys.argv[1], sys.argv[2], int(sys.argv[3])
	env = json.load(open(src))
	payload = bytearray(base64.b64decode(env["payload"]["inline"]))
	payload[off] ^= 0x40
	h = json.loads(base64.b64decode(env["header"]))
	h["payload"] = {"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
	header = json.dumps(h, separators=(",", ":")).encode()
	fpr = h["sender"]["fingerprint"]
	sig = subprocess.run(["gpg", "--homedir", "ceop/gnupg", "--batch", "--no-tty",
	                      "--local-user", fpr, "--detach-sign", "-o", "-"], input=header,
	                     stdout=subprocess.PIPE, check=True).stdout
	env["header"] = base64.b64encode(header).decode()
	env["signature"] = base64.b64encode(sig).decode()
	env["payload"]["inline"] = base64.b64encode(bytes(payload)).decode()
	json.dump(env, open(out, "w"))
	PY
}

expect_success 'a payload tampered in the middle: the decryption refuses it, nothing is left' '
	forged whole.pouch random=3000000 && pouch --home met verify whole.pouch >/dev/null &&
	tampered whole.pouch bad.pouch 1500000 &&
	pouch --home met verify bad.pouch >/dev/null &&
	must_fail 1 pouch --home met open bad.pouch -o opened &&
	error_is ".* does not open: cannot decrypt: .*" && nothing_at_all
'

expect_success 'a payload tampered near its end (past the archive): refused the same way' '
	size=$("$SYSTEM_PYTHON" -c "import base64, json, sys
print(len(base64.b64decode(json.load(open(sys.argv[1]))[\"payload\"][\"inline\"])))" \
		whole.pouch) &&
	tampered whole.pouch bad.pouch $((size - 30)) &&
	must_fail 1 pouch --home met open bad.pouch -o opened &&
	grep -q "does not open" err && nothing_at_all
'

expect_success 'a compressed payload is still refused while the decryption runs beside' '
	forged comp.pouch random=2000000 compress_after=end &&
	must_fail 1 pouch --home met open comp.pouch -o opened &&
	error_is ".* does not open: the payload holds .*|.* does not open: the payload is compressed.*" &&
	nothing_at_all &&
	forged comp2.pouch random=2000000 compress=zlib &&
	must_fail 1 pouch --home met open comp2.pouch -o opened &&
	error_is ".* does not open: the payload is compressed: pouch refuses compressed payloads" &&
	nothing_at_all
'

test_done
