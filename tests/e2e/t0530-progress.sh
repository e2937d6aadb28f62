#!/bin/sh
# Progress on a terminal for the long steps, one line format everywhere
# ("LABEL  12.3 MiB / 40.0 MiB  5.1 MiB/s  0:05 left" on stderr, redrawn with a carriage
# return and cleared at the end); nothing with -q or when stderr is not a terminal.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

# on_tty COMMAND: runs COMMAND with a terminal as its standard error (and output): tty.out.
on_tty() { script -qec "$1" /dev/null >tty.out 2>&1 </dev/null; }

# LINE: the progress line's shape, for grep -E.
LINE='[0-9.]+ (B|KiB|MiB) / [0-9.]+ (B|KiB|MiB)  [0-9.]+ (B|KiB|MiB)/s  ([0-9]+:[0-9][0-9]|-:--) left'

expect_success 'setup: two partners and a multi-MiB attachment' '
	init_agency a GB-NCA && init_agency b GB-MET && partners a b &&
	write_report report.json t &&
	head -c 6000000 /dev/urandom >big.bin && mkdir pk
'

expect_success 'pack on a terminal shows the line, then clears it' '
	on_tty "\"$POUCH_BIN\" --home a pack --to GB-MET --report report.json --attach big.bin -o pk/one.pouch" &&
	test -f pk/one.pouch &&
	clear=$(printf "\r\033[K") &&
	grep -aqF "${clear}pack  " tty.out &&
	tr "\r" "\n" <tty.out | grep -aEq "^.\[Kpack  $LINE" &&
	grep -aq "packed pk/one.pouch" tty.out
'

expect_success 'open on a terminal shows the same line' '
	on_tty "\"$POUCH_BIN\" --home b open pk/one.pouch -o o1" &&
	test_cmp big.bin o1/attachments/big.bin &&
	tr "\r" "\n" <tty.out | grep -aEq "^.\[Kopen  $LINE" &&
	grep -aq "opened package" tty.out
'

expect_success 'with -q, or with stderr not a terminal, nothing is drawn' '
	on_tty "\"$POUCH_BIN\" --home a -q pack --to GB-MET --report report.json --attach big.bin -o pk/two.pouch" &&
	test -f pk/two.pouch && ! grep -aq " left" tty.out && ! grep -aq "MiB" tty.out &&
	on_tty "\"$POUCH_BIN\" --home b open pk/two.pouch -o o2 -q" &&
	! grep -aq " left" tty.out &&
	pouch --home a pack --to GB-MET --report report.json --attach big.bin \
		-o pk/three.pouch >out 2>err &&
	! grep -q "left\|MiB" err && test "$(wc -l <err)" = 1 &&
	pouch --home b open pk/three.pouch -o o3 >out 2>err && test ! -s err
'

expect_success 'a small pack draws nothing, even on a terminal' '
	on_tty "\"$POUCH_BIN\" --home a pack --to GB-MET --report report.json -o pk/small.pouch" &&
	test -f pk/small.pouch && ! grep -aq " left" tty.out
'

expect_success 'push and pull on a terminal show the same line, labelled by package' '
	exchange_setup &&
	id=$(pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o pk) &&
	on_tty "\"$POUCH_BIN\" --home ceop push pk/$id.pouch" &&
	grep -aq "delivered $id to GB-MET" tty.out &&
	short=$(echo "$id" | cut -c1-8) &&
	tr "\r" "\n" <tty.out | grep -aEq "^.\[Kpush $short envelope  $LINE" &&
	on_tty "\"$POUCH_BIN\" --home met pull" &&
	grep -aq "good $id from GB-NCA-CEOP" tty.out &&
	tr "\r" "\n" <tty.out | grep -aEq "^.\[Kpull $id  $LINE"
'

expect_success 'push and pull without a terminal draw nothing' '
	id=$(pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o pk) &&
	pouch --home ceop push "pk/$id.pouch" >out 2>err && test ! -s err &&
	pouch --home met pull >out 2>err && grep -q "good $id" out && ! grep -q "left" err
'

expect_success 'pull --from takes a code in any case' '
	pouch --home met pull --from gb-met >out 2>err &&
	must_fail 2 pouch --home met pull --from "gb met" && grep -q "GB MET" err
'

test_done
