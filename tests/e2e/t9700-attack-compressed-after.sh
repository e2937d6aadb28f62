#!/bin/sh
# Hostile packages, issue 9 item 9 again: a compressed data packet after the literal data (after
# the signature, or between the data and the signature) is refused as compression, as one before
# the data is. gpg decompresses such a packet and, when it holds no second literal data (padding,
# markers), reports a good signature: the package would open, and a bomb of padding costs time
# without a byte of output to cap.
. "$(dirname "$0")/lib.sh"

. "$SRC_DIR/tests/e2e/lib-forge.sh"
COMPRESSED="the payload is compressed: pouch refuses compressed payloads"

expect_success 'setup: a centre and a force' 'setup_forge'

. ./fprs 2>/dev/null || true

for case in end:padding end:markers end:literal data:padding data:literal; do
	expect_success "a compressed data packet after the data (${case%:*}) holding ${case#*:}" '
		rm -rf opened met/seen/* &&
		forged c.pouch random=3000 compress_after=${case%:*} compress_holds=${case#*:} &&
		must_fail 1 pouch --home met open c.pouch -o opened &&
		error_is "package .c.pouch. does not open: $COMPRESSED" && nothing_left
	'
done

expect_success 'the same signed message without the compressed packet opens' '
	forged p.pouch random=3000 &&
	pouch --home met open p.pouch -o plain >/dev/null &&
	test "$(stat -c %s plain/attachments/random)" = 3000
'

test_done
