#!/bin/sh
# An unknown command is a usage error that suggests the nearest command, one-word or two-word,
# as git and sq do; nothing is suggested when nothing is close.
. "$(dirname "$0")/lib.sh"

pouch --help | sed -n "s/^  \([a-z][a-z-]*\( [a-z][a-z-]*\)\?\)  .*/\1/p" >commands

expect_success 'a swapped pair of letters suggests the command' '
	must_fail 2 pouch pakc &&
	error_is "unknown command .pakc. \(did you mean .pack.\?\)$" &&
	must_fail 2 pouch --home "$TRASH/none" verfiy x.pouch &&
	error_is "unknown command .verfiy. \(did you mean .verify.\?\)$" &&
	test ! -e "$TRASH/none"
'

expect_success 'a mistyped verb of a group suggests the two-word command' '
	must_fail 2 pouch partner ad GB-X --key k &&
	error_is "unknown command .partner ad. \(did you mean .partner add.\?\)$" &&
	must_fail 2 pouch key rotat &&
	error_is "unknown command .key rotat. \(did you mean .key rotate.\?\)$" &&
	must_fail 2 pouch partner --home "$TRASH/none" shwo GB-X &&
	error_is "unknown command .partner shwo. \(did you mean .partner show.\?\)$"
'

expect_success 'a mistyped group suggests the group or its command' '
	must_fail 2 pouch partnr add GB-X &&
	error_is "unknown command .partnr add. \(did you mean .partner add.\?\)$" &&
	must_fail 2 pouch partnr &&
	error_is "unknown command .partnr. \(did you mean .partner.\?\)$"
'

expect_success 'every command, one letter short, is suggested' '
	while read -r c; do
		typo=${c%?}
		must_fail 2 pouch $typo &&
		error_is "unknown command .$typo. \(did you mean .$c.\?\)$" ||
			{ echo "for $c"; exit 1; }
	done <commands
'

expect_success 'nothing close: no suggestion, and where to look' '
	must_fail 2 pouch xyzzy &&
	grep -q "^pouch: unknown command .xyzzy. (see .pouch --help.)$" err &&
	! grep -q "did you mean" err &&
	must_fail 2 pouch partner frobnicate &&
	grep -q "^pouch: unknown command .partner frobnicate.$" err &&
	grep -q "^  partner add " err && ! grep -q "did you mean" err &&
	must_fail 2 pouch p &&
	! grep -q "did you mean" err
'

expect_success 'help for a mistyped command suggests too' '
	must_fail 2 pouch help pakc &&
	error_is "unknown command .pakc. \(did you mean .pack.\?\)$"
'

test_done
