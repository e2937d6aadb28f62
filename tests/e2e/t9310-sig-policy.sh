#!/bin/sh
# Signature policy: digests weaker than SHA-256 are refused on every signature pouch checks
# (header, payload, audit checkpoints; receipts share the check: tests/unit/test_pgp.c), pouch
# signs with SHA-512, the payload's signature is dated with the header's created, and a payload
# encrypted with a passphrase is refused without any prompt.
. "$(dirname "$0")/lib.sh"

FORGE="$SYSTEM_PYTHON $SRC_DIR/tests/e2e/forge-package.py"

# forge OUT key=value...: a package from GB-S to GB-A, forged with the sender's real key.
forge() {
	_o=$1
	shift
	$FORGE "$KEYS" "$_o" signer="$S" encrypt_to="$A" sender="GB-S:$S" recipients="GB-A:$A" \
		"$@"
}

# sig_digest FILE HOME: the digest algorithm number of the first signature (or one-pass
# signature) packet in FILE, read with GnuPG home HOME (which decrypts an encrypted FILE).
sig_digest() {
	gpg --homedir "$2" --batch --pinentry-mode loopback --passphrase '' --list-packets "$1" \
		2>/dev/null | sed -n 's/^.*[[:space:],]digest \(algo \)\{0,1\}\([0-9]*\),.*$/\2/p' | head -1
}

# iso SECONDS: an RFC 3339 UTC time.
iso() {
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

# GB-S's key is made as of 2020 (gpg.conf's faked-system-time while it is made), so that it can
# sign an hour before now.
# GB-S's key is made as of 2020 (gpg.conf's faked-system-time while it is made), so that it can
# sign an hour before now.
# old_agency DIR CODE: init_agency with a key made as of 2020 (gpg.conf's faked-system-time
# while it is made), so that gpg can sign and encrypt with it as of an hour ago.
old_agency() {
	mkdir -p -m 700 "$1/gnupg" &&
	echo "faked-system-time 20200101T000000" >"$1/gnupg/gpg.conf" &&
	pouch --home "$1" init --agency "$2" --name "Agency $2" --no-passphrase --expires never \
		>/dev/null && rm "$1/gnupg/gpg.conf"
}

expect_success 'setup: GB-S and GB-A pin each other; the forger holds GB-S'"'"'s secret key' '
	old_agency a GB-A && old_agency s GB-S && partners a s &&
	pouch --home a whoami --json >a.json && pouch --home s whoami --json >s.json &&
	json_field a.json fingerprint >A.fpr && json_field s.json fingerprint >S.fpr &&
	gpg --homedir s/gnupg --batch --export-secret-keys | testkeys_gpg "$KEYS" --import &&
	gpg --homedir a/gnupg --batch --export | testkeys_gpg "$KEYS" --import &&
	write_report r.json
'

A=$(cat A.fpr 2>/dev/null) S=$(cat S.fpr 2>/dev/null)
SYM="the payload is encrypted with a passphrase, not to our key: pouch never asks for one"

expect_success 'a forged package with SHA-256 signatures verifies and opens (control)' '
	mkdir ok && forge ok/p.pouch && pouch --home a verify ok/p.pouch >/dev/null &&
	pouch --home a open ok/p.pouch -o ok/out >/dev/null
'

for d in SHA1 RIPEMD160 SHA224 MD5; do
	expect_success "a header signed over $d is refused by verify and open" "
		mkdir h$d && forge h$d/p.pouch digest=$d &&
		test \"\$(b64_member h$d/p.pouch signature h$d/sig && sig_digest h$d/sig s/gnupg)\" != 8 &&
		must_fail 1 pouch --home a verify h$d/p.pouch &&
		error_is \"package .h$d/p.pouch. is not genuine: the header signature does not \
verify: signature over a $d digest: weaker than SHA-256$\" &&
		must_fail 1 pouch --home a open h$d/p.pouch -o h$d/out &&
		error_is \".*signature over a $d digest: weaker than SHA-256$\" && test ! -e h$d/out
	"
done

for d in SHA1 RIPEMD160 SHA224; do
	expect_success "a payload signed over $d verifies but does not open" "
		mkdir p$d && forge p$d/p.pouch payload_digest=$d &&
		pouch --home a verify p$d/p.pouch >/dev/null &&
		must_fail 1 pouch --home a open p$d/p.pouch -o p$d/out &&
		error_is \"package .p$d/p.pouch. does not open: signature over a $d digest: \
weaker than SHA-256$\" &&
		test ! -e p$d/out
	"
done

expect_success 'a payload signed an hour before or after created does not open' '
	now=$(date +%s) && c=$(iso "$now") &&
	mkdir early late && forge early/p.pouch created="$c" payload_time="$(iso $((now - 3600)))" &&
	forge late/p.pouch created="$c" payload_time="$(iso $((now + 3600)))" &&
	for x in early late; do
		pouch --home a verify $x/p.pouch >/dev/null &&
		must_fail 1 pouch --home a open $x/p.pouch -o $x/out &&
		error_is "package .$x/p.pouch. does not open: the payload was signed on .*, \
not when the header says the package was created \($c\)$" &&
		test ! -e $x/out || return 1
	done
'

expect_success 'a payload signed within the clock skew of created opens' '
	now=$(date +%s) && mkdir skew &&
	forge skew/p.pouch created="$(iso "$now")" payload_time="$(iso $((now - 50)))" &&
	pouch --home a open skew/p.pouch -o skew/out >/dev/null
'

expect_success 'a payload encrypted with a passphrase only: exit 1, no prompt' '
	mkdir sym && forge sym/p.pouch encrypt_to= symmetric=hunter2 &&
	pouch --home a verify sym/p.pouch >/dev/null &&
	must_fail 1 pouch --home a open sym/p.pouch -o sym/out </dev/null &&
	error_is "package .sym/p.pouch. does not open: $SYM$" &&
	test ! -e sym/out
'

expect_success 'a payload for our key and also for a passphrase is refused the same way' '
	mkdir both && forge both/p.pouch symmetric=hunter2 &&
	must_fail 1 pouch --home a open both/p.pouch -o both/out </dev/null &&
	error_is "package .both/p.pouch. does not open: $SYM$"
'

expect_success 'our protected key without its passphrase: exit 3, no prompt' '
	echo "correct horse" >pass && chmod 600 pass && mkdir -p prot &&
	pouch --home k init --agency GB-K --name K --passphrase-file pass >/dev/null 2>&1 &&
	pouch --home k key export -o k.asc -q && pouch --home s key export -o s.asc -q &&
	pouch --home s partner add GB-K --key k.asc -q >/dev/null &&
	pouch --home k partner add GB-S --key s.asc -q >/dev/null &&
	id=$(pouch --home s pack --to GB-K --report r.json -o prot -q) &&
	gpgconf --homedir k/gnupg --kill gpg-agent &&
	must_fail 3 pouch --home k open prot/$id.pouch -o prot/out </dev/null &&
	error_is "cannot use our secret key: it is protected by a passphrase, and none was given" &&
	pouch --home k open prot/$id.pouch -o prot/out --passphrase-file pass >/dev/null
'

expect_success 'pouch signs the header, the payload and checkpoints with SHA-512' '
	mkdir own && id=$(pouch --home s pack --to GB-A --report r.json -o own -q) &&
	b64_member own/$id.pouch signature own/h.sig && test "$(sig_digest own/h.sig s/gnupg)" = 10 &&
	b64_member own/$id.pouch payload.inline own/p.pgp &&
	test "$(sig_digest own/p.pgp a/gnupg)" = 10 &&
	tail -1 s/audit.log >own/line && grep -q "\"event\":\"checkpoint\"" own/line &&
	"$SYSTEM_PYTHON" -c "import base64, json, sys
open(sys.argv[2], \"wb\").write(base64.b64decode(json.load(open(sys.argv[1]))[\"signature\"]))" \
		own/line own/c.sig &&
	test "$(sig_digest own/c.sig s/gnupg)" = 10
'

expect_success 'an audit checkpoint signed over SHA-1 breaks the trail' '
	"$SYSTEM_PYTHON" - s "$S" <<-\EOF &&
	import base64, hashlib, json, subprocess, sys
	home, fpr = sys.argv[1], sys.argv[2]
	lines = open(home + "/audit.log", "rb").read().split(b"\n")[:-1]
	rec = json.loads(lines[-1])
	text = "pouch-audit-checkpoint/1\nseq: %d\nhead: %s\n" % (rec["head_seq"], rec["head"])
	sig = subprocess.run(["gpg", "--homedir", home + "/gnupg", "--batch", "--pinentry-mode",
	                      "loopback", "--passphrase", "", "--digest-algo", "SHA1",
	                      "--local-user", fpr, "--detach-sign", "-o", "-"],
	                     input=text.encode(), stdout=subprocess.PIPE, check=True).stdout
	lines[-1] = lines[-1].replace(rec["signature"].encode(), base64.b64encode(sig))
	open(home + "/audit.log", "wb").write(b"\n".join(lines) + b"\n")
	head = json.load(open(home + "/audit.head"))
	head["sha256"] = hashlib.sha256(lines[-1]).hexdigest()
	open(home + "/audit.head", "w").write(json.dumps(head, indent=2) + "\n")
	EOF
	must_fail 1 pouch --home s audit verify &&
	grep -q "signature over a SHA1 digest: weaker than SHA-256" out err
'

test_done
