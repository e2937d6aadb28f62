#!/bin/sh
# pouchd: a refused push discards the caller's staged upload of its id, whatever refused it
# (verification, another sender, an id conflict, a malformed envelope, a bad request), so that
# forged bytes never stand in for the genuine payload; an unfinished upload is kept.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

JSON='Content-Type: application/json'

# push CLIENT ID FILE [CONTENT-TYPE]: PUT FILE as package ID.
push() {
	req "$1" PUT "/v1/packages/$2" -H "${4:-$JSON}" --data-binary "@$3"
}

expect_success 'setup: GB-MET runs pouchd; two packages of the centre with detached payloads' '
	exchange_setup && write_report report.json t && mkdir pk &&
	head -c 9000000 /dev/urandom >big.bin &&
	pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o pk >p &&
	pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o pk >q &&
	P=$(cat p) && test -s "pk/$P.pouch.pgp" &&
	head -c "$(stat -c %s "pk/$P.pouch.pgp")" /dev/urandom >forged.bin
'
P=$(cat p 2>/dev/null) Q=$(cat q 2>/dev/null)

expect_success 'forged payload bytes: 422 not_genuine, and the staged bytes are gone' '
	test "$(stage ceop "$P" forged.bin)" = 200 &&
	echo 12345 >five.bin && test "$(stage ncmec "$P" five.bin)" = 200 &&
	test "$(push ceop "$P" "pk/$P.pouch")" = 422 && error_code not_genuine &&
	test "$(staged ceop "$P")" = 0 && test ! -e "data/uploads/GB-NCA-CEOP.$P" &&
	test "$(staged ncmec "$P")" = 6
'

expect_success 'the genuine payload then goes through at once, not 24 hours later' '
	test "$(stage ceop "$P" "pk/$P.pouch.pgp")" = 200 &&
	test "$(push ceop "$P" "pk/$P.pouch")" = 201 &&
	test "$(jget body.out payload.size)" = "$(stat -c %s "pk/$P.pouch.pgp")" &&
	test "$(staged ceop "$P")" = 0
'

expect_success 'a package of its own under a stored id: 409 id_conflict, the staged bytes gone' '
	N=$(pouch --home ncmec whoami --json | jget /dev/stdin fingerprint) &&
	M=$(pouch --home met whoami --json | jget /dev/stdin fingerprint) &&
	for f in first second; do
		"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/forge-package.py" ncmec/gnupg "$f.pouch" \
			signer=$N encrypt_to=$M sender=US-NCMEC:$N recipients=GB-MET:$M id=$P ||
			return 1
	done && ! cmp -s first.pouch second.pouch &&
	test "$(push ncmec "$P" first.pouch)" = 201 &&
	test "$(staged ncmec "$P")" = 6 && test "$(stage ncmec "$P" five.bin 6)" = 200 &&
	test "$(push ncmec "$P" second.pouch)" = 409 && error_code id_conflict &&
	test "$(staged ncmec "$P")" = 0 && test ! -e "data/uploads/US-NCMEC.$P"
'

expect_success 'a package of another agency: 403 sender_mismatch, and the staged bytes are gone' '
	test "$(stage ncmec "$Q" "pk/$Q.pouch.pgp")" = 200 &&
	test "$(push ncmec "$Q" "pk/$Q.pouch")" = 403 && error_code sender_mismatch &&
	test "$(staged ncmec "$Q")" = 0 && test -z "$(ls data/uploads)"
'

expect_success 'a malformed envelope: refused, and the staged bytes are gone' '
	test "$(stage ceop "$Q" five.bin)" = 200 && echo "{}" >bad.pouch &&
	st=$(push ceop "$Q" bad.pouch) && case $st in 4??) ;; *) false ;; esac &&
	test "$(staged ceop "$Q")" = 0
'

expect_success 'a push that is not JSON or is over the limit: refused, the staged bytes gone' '
	test "$(stage ceop "$Q" five.bin)" = 200 &&
	test "$(push ceop "$Q" "pk/$Q.pouch" "Content-Type: text/plain")" = 415 &&
	test "$(staged ceop "$Q")" = 0 &&
	test "$(stage ceop "$Q" five.bin)" = 200 && head -c 17000000 /dev/zero >huge.pouch &&
	test "$(push ceop "$Q" huge.pouch)" = 413 && error_code too_large &&
	test "$(staged ceop "$Q")" = 0
'

expect_success 'an unfinished upload is kept for the client to complete, then stored' '
	head -c 100000 "pk/$Q.pouch.pgp" >head.bin &&
	tail -c +100001 "pk/$Q.pouch.pgp" >rest.bin &&
	test "$(stage ceop "$Q" head.bin)" = 200 &&
	test "$(push ceop "$Q" "pk/$Q.pouch")" = 422 && error_code payload_missing &&
	test "$(staged ceop "$Q")" = 100000 &&
	test "$(stage ceop "$Q" rest.bin 100000)" = 200 &&
	test "$(push ceop "$Q" "pk/$Q.pouch")" = 201 &&
	test -z "$(find data/uploads data/tmp -mindepth 1)"
'

test_done
