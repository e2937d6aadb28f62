#!/bin/sh
# Hostile packages, issue 9 item 9: a compressed payload is refused as such, whatever its size
# and algorithm, before any plaintext is written; spec section 7 (recovery with gpg and tar)
# warns that the recipe has none of pouch's defences.
. "$(dirname "$0")/lib.sh"

forge() { "$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/forge-package.py" "$@"; }
fpr() { pouch --home "$1" whoami --json >.w.json && json_field .w.json fingerprint; }
nothing_left() {
	test ! -e opened && ! ls -a . | grep -q "opened.part" &&
	test -z "$(ls met/seen 2>/dev/null)"
}
COMPRESSED="the payload is compressed: pouch refuses compressed payloads"

expect_success 'setup: a centre and a force' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && partners ceop met &&
	C=$(fpr ceop) && M=$(fpr met) && echo "C=$C M=$M" >fprs
'

. ./fprs 2>/dev/null || true

# compressed OUT key=value...: a package from the centre to the force.
compressed() {
	_out=$1
	shift
	forge ceop/gnupg "$_out" signer=$C encrypt_to=$M sender=GB-NCA-CEOP:$C \
		recipients=GB-MET:$M "$@"
}

expect_success 'a decompression bomb is refused for its compression, not its size' '
	compressed bomb.pouch zeros=20000000 compress=zlib &&
	test "$(stat -c %s bomb.pouch)" -lt 200000 &&
	must_fail 1 pouch --home met open bomb.pouch -o opened &&
	error_is "package .bomb.pouch. does not open: $COMPRESSED" && nothing_left
'

expect_success 'a small compressed payload of random bytes, with every algorithm' '
	for algo in zip zlib bzip2; do
		compressed small.pouch random=30000 compress=$algo &&
		must_fail 1 pouch --home met open small.pouch -o opened &&
		error_is "package .small.pouch. does not open: $COMPRESSED" && nothing_left ||
		{ echo "$algo not refused" >&2; exit 1; }
	done
'

expect_success 'a compressed data packet after the one-pass signature, not first' '
	compressed inside.pouch random=3000 compress_inside=1 &&
	must_fail 1 pouch --home met open inside.pouch -o opened &&
	error_is "package .inside.pouch. does not open: $COMPRESSED" && nothing_left
'

expect_success 'the same package uncompressed opens (the helper is sound)' '
	compressed plain.pouch random=30000 &&
	pouch --home met open plain.pouch -o plain >/dev/null &&
	test "$(stat -c %s plain/attachments/random)" = 30000
'

expect_success 'verify (no private key) does not see inside: the package verifies' '
	pouch --home met verify bomb.pouch >/dev/null
'

expect_success 'spec section 7 warns that the gpg and tar recipe has no defences' '
	sed -n "/^## 7\\./,/^## 8\\./p" "$SRC_DIR/spec/envelope.md" >s7 &&
	grep -q "This recipe has none of pouch.s defences" s7 &&
	grep -q "only on a package that .pouch verify. accepted" s7 &&
	grep -q "compress" s7
'

test_done
