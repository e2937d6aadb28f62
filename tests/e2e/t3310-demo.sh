#!/bin/sh
# make demo (tests/demo/demo.sh) runs to the end with this build: the first exchange, then the
# three reports of tests/demo/reports/ written from the templates, an invalid edit refused by
# validate and by pack, each packed, pushed, pulled and opened as written, every receipt
# accepted. Its scratch directory (here inside the trash directory) is gone afterwards.
. "$(dirname "$0")/lib.sh"

expect_success 'the demo runs to the end' '
	mkdir tmp &&
	TMPDIR=$TRASH/tmp POUCH_BIN=$POUCH_BIN sh "$SRC_DIR/tests/demo/demo.sh" >demo.log 2>&1 ||
		{ cat demo.log; return 1; }
	grep -q "^== Done" demo.log && test -z "$(ls tmp)"
'

expect_success 'it writes the reports from the templates and refuses the skeleton as it is' '
	grep -q "^\$ pouch report new --template immediate" demo.log &&
	grep -q "\"level\": \"immediate\"," demo.log &&
	grep -q "^pouch: report .*skeleton.json. is not valid: [0-9]* errors$" demo.log
'

expect_success 'an invalid edit is refused by validate and by pack, with the same message' '
	test "$(grep -c "^pouch: handling.conditions: missing: required with 3x5x2 handling code C" \
		demo.log)" = 2
'

expect_success 'the three reports are valid, packed, pushed, pulled and opened as written' '
	for r in dissemination referral immediate; do
		grep -q "^pouch: report .*/$r.json. is valid$" demo.log &&
		grep -q "^\$ pouch --home ceop pack --to GB-MET --report $r.json" demo.log &&
		grep -q "^opened package .* into .*/case-$r$" demo.log || return 1
	done &&
	test "$(grep -c "^delivered .* to GB-MET" demo.log)" = 4 &&
	test "$(grep -c "^good .* from GB-NCA-CEOP -> inbox/" demo.log)" = 4 &&
	test "$(grep -c "^receipt accepted for " demo.log)" = 4 &&
	grep -q "^Each report arrived as written, the attachment intact.$" demo.log
'

expect_success 'the officer reads the immediate one with its markings and box first' '
	grep -q "^!! PRIORITY: IMMEDIATE" demo.log && grep -q "^OFFICIAL-SENSITIVE$" demo.log
'

expect_success 'the referral is forwarded; the code C dissemination only with a permission' '
	grep -q "^\$ pouch --home met forward case-referral --to GB-SURREY" demo.log &&
	grep -q "^pouch: forwarding to .GB-SURREY. is refused by rule 3x5x2-C: " demo.log &&
	grep -q "^pouch: permission for package .* to GB-SURREY, until " demo.log &&
	test "$(grep -c "^pouch: packed .*/fwd/" demo.log)" = 2 &&
	! grep -q "provenance does not check" demo.log
'

test_done
