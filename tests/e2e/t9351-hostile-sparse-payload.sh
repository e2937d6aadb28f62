#!/bin/sh
# A huge sparse file (no disk space, terabytes to read) as the detached payload beside a
# genuine envelope, or as the envelope given to push: the size is compared with what the signed
# header says (or with the envelope cap) before a byte is hashed, so the refusal costs nothing.
# The issue's example was 40 GiB; 4 TiB here makes hashing it take far more CPU time than the
# limit below on any machine, while the refusal takes a fraction of a second: a pouch that
# hashes first is killed by SIGXCPU (a crash for must_fail), whatever the machine's load.
. "$(dirname "$0")/lib.sh"

HUGE=4398046511104 # 4 TiB

# capped ARGS...: pouch with at most 60 s of CPU time.
capped() {
	(ulimit -t 60 && exec "$POUCH_BIN" "$@")
}

expect_success 'setup: a genuine detached package, its payload then made a sparse 4 TiB' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && partners ceop met &&
	write_report report.json t &&
	head -c 9000000 /dev/urandom >big.bin && mkdir big sp &&
	pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o big >id &&
	id=$(cat id) && cp "big/$id.pouch" sp/ && truncate -s "$HUGE" "sp/$id.pouch.pgp" &&
	test "$(stat -c %s "sp/$id.pouch.pgp")" = "$HUGE"
'

expect_success 'verify refuses it by its size' '
	id=$(cat id) &&
	must_fail 1 capped --home met verify "sp/$id.pouch" &&
	error_is "package .sp/$id.pouch. is not genuine: the payload is $HUGE bytes, the header \
says [0-9]+$"
'

expect_success 'open refuses it by its size and writes nothing' '
	id=$(cat id) &&
	must_fail 1 capped --home met open "sp/$id.pouch" -o opened &&
	error_is "package .sp/$id.pouch. is not genuine: the payload is $HUGE bytes" &&
	test ! -e opened && test -z "$(ls met/seen 2>/dev/null)"
'

expect_success 'push refuses it by its size and queues nothing' '
	id=$(cat id) &&
	must_fail 1 capped --home ceop push "sp/$id.pouch" &&
	error_is "package .sp/$id.pouch. is not genuine: the payload is $HUGE bytes" &&
	test -z "$(ls ceop/outbox 2>/dev/null)"
'

expect_success 'a sparse 4 TiB envelope: verify and push refuse it by its size' '
	truncate -s "$HUGE" huge.pouch &&
	must_fail 1 capped --home met verify huge.pouch &&
	error_is ".huge.pouch. is not a package: larger than 16777216 bytes" &&
	must_fail 1 capped --home ceop push huge.pouch &&
	error_is "cannot read .huge.pouch.: larger than 16777216 bytes"
'

expect_success 'the genuine package still verifies' '
	pouch --home met verify "big/$(cat id).pouch" >/dev/null
'

test_done
