#!/bin/sh
# Hostile packages, issue 9 item 9: a compressed payload is refused as such, whatever its size
# and algorithm, before any plaintext is written; spec section 7 (recovery with gpg and tar)
# warns that the recipe has none of pouch's defences.
. "$(dirname "$0")/lib.sh"

. "$SRC_DIR/tests/e2e/lib-forge.sh"
COMPRESSED="the payload is compressed: pouch refuses compressed payloads"

expect_success 'setup: a centre and a force' 'setup_forge'

. ./fprs 2>/dev/null || true

expect_success 'a decompression bomb is refused for its compression, not its size' '
	forged bomb.pouch zeros=20000000 compress=zlib &&
	test "$(stat -c %s bomb.pouch)" -lt 200000 &&
	must_fail 1 pouch --home met open bomb.pouch -o opened &&
	error_is "package .bomb.pouch. does not open: $COMPRESSED" && nothing_left
'

expect_success 'a small compressed payload of random bytes, with every algorithm' '
	for algo in zip zlib bzip2; do
		forged small.pouch random=30000 compress=$algo &&
		must_fail 1 pouch --home met open small.pouch -o opened &&
		error_is "package .small.pouch. does not open: $COMPRESSED" && nothing_left ||
		{ echo "$algo not refused" >&2; exit 1; }
	done
'

expect_success 'a compressed data packet after the one-pass signature, not first' '
	forged inside.pouch random=3000 compress_inside=1 &&
	must_fail 1 pouch --home met open inside.pouch -o opened &&
	error_is "package .inside.pouch. does not open: $COMPRESSED" && nothing_left
'

expect_success 'the same package uncompressed opens (the helper is sound)' '
	forged plain.pouch random=30000 &&
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
