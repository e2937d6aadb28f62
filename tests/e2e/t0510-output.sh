#!/bin/sh
# -o means the same on every command that writes: pack -o FILE.pouch writes that file (a
# detached payload beside it, as the spec names it, ID.pouch.pgp), -o DIR an existing directory
# keeps ID.pouch; nothing is ever replaced.
. "$(dirname "$0")/lib.sh"

expect_success 'setup: two partners' '
	init_agency a GB-NCA && init_agency b GB-MET && partners a b &&
	write_report report.json t &&
	head -c 9000000 /dev/urandom >big.bin
'

expect_success 'pack -o FILE.pouch writes exactly that file, which verifies and opens' '
	pouch --home a pack --to GB-MET --report report.json -o small.pouch >id 2>err &&
	test -f small.pouch && test ! -e "$(cat id).pouch" &&
	grep -q "packed small.pouch" err &&
	pouch --home b verify small.pouch >out && grep -q "^good package $(cat id)" out &&
	pouch --home b open small.pouch -o o1 >/dev/null && test -f o1/pouch.json
'

expect_success 'pack -o FILE.pouch with a detached payload puts ID.pouch.pgp beside it' '
	mkdir sub &&
	pouch --home a pack --to GB-MET --report report.json --attach big.bin \
		-o sub/large.pouch >id2 &&
	test -f sub/large.pouch && test -f "sub/$(cat id2).pouch.pgp" &&
	test "$(ls sub | wc -l)" = 2 &&
	pouch --home b verify sub/large.pouch >out && grep -q "^good package $(cat id2)" out &&
	pouch --home b open sub/large.pouch -o o2 >/dev/null && test_cmp big.bin o2/attachments/big.bin
'

expect_success 'pack -o DIR (an existing directory, with or without a slash) keeps ID.pouch' '
	mkdir d &&
	pouch --home a pack --to GB-MET --report report.json -o d >id3 &&
	test -f "d/$(cat id3).pouch" &&
	pouch --home a pack --to GB-MET --report report.json -o d/ >id4 &&
	test -f "d/$(cat id4).pouch" && test "$(ls d | wc -l)" = 2
'

expect_success 'an existing file is never replaced, and nothing else is written' '
	cp small.pouch keep.pouch &&
	must_fail 1 pouch --home a pack --to GB-MET --report report.json -o small.pouch &&
	error_is "cannot write .small.pouch.: it exists" &&
	cmp small.pouch keep.pouch && test "$(ls *.pouch | wc -l)" = 2
'

expect_success 'a missing directory, or a path ending in / that is none, is an error' '
	must_fail 3 pouch --home a pack --to GB-MET --report report.json -o nodir/ &&
	error_is "cannot write in .nodir/.: no such directory" &&
	must_fail 3 pouch --home a pack --to GB-MET --report report.json -o nodir/x.pouch &&
	error_is "cannot write .nodir/x.pouch.: no directory .nodir." &&
	test ! -e nodir
'

expect_success 'open -o - is a usage error; key export -o FILE is never replaced without --force' '
	must_fail 2 pouch --home b open small.pouch -o - &&
	grep -q "give -o DIR" err &&
	pouch --home a key export -o k.asc 2>/dev/null &&
	must_fail 1 pouch --home a key export -o k.asc &&
	pouch --home a key export -o k.asc --force 2>/dev/null
'

test_done
