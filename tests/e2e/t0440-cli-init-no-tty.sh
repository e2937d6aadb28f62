#!/bin/sh
# Without a passphrase option, pouch init and pouch key rotate ask gpg-agent's pinentry on the
# terminal; without a terminal they fail at once (exit 2) naming the options, before any key
# is made and before any gpg-agent is started (a pinentry with no terminal can be left
# spinning after pouch has gone).
. "$(dirname "$0")/lib.sh"

# nowait ARGS...: pouch, stopped after five minutes should it wait for a passphrase after all
# (a regression must fail the test, not hang it).
nowait() {
	timeout 300 "$POUCH_BIN" "$@"
}

# agent_for GNUPGHOME: a gpg-agent process of that home, if one runs.
agent_for() {
	pgrep -f -- "gpg-agent.*--homedir $1( |$)" || pgrep -f -- "gpg-agent.*--homedir=$1( |$)"
}

expect_success 'init with stdin not a terminal and no passphrase option: exit 2 at once' '
	must_fail 2 nowait --home "$TRASH/h1" init --agency GB-A --name A </dev/null &&
	grep -q "^pouch: no terminal to ask for the key.s passphrase: give --passphrase-file" err &&
	grep -q "passphrase: give --passphrase-file FILE or --no-passphrase$" err &&
	grep -q "^usage: pouch init" err &&
	test ! -e "$TRASH/h1" &&
	! agent_for "$TRASH/h1/gnupg"
'

expect_success 'the same in a home that exists: nothing made in it, no agent started' '
	mkdir -m 700 h2 &&
	must_fail 2 nowait --home h2 init --agency GB-A --name A --expires 1y </dev/null &&
	grep -q "^pouch: no terminal" err &&
	test -z "$(ls h2)" &&
	! agent_for "$TRASH/h2/gnupg"
'

expect_success 'stdin from a pipe is no terminal either' '
	echo secret | must_fail 2 nowait --home h3 init --agency GB-A --name A &&
	grep -q "^pouch: no terminal" err && test ! -e h3
'

expect_success 'with --no-passphrase or --passphrase-file no terminal is needed' '
	pouch --home a init --agency GB-A --name A --no-passphrase </dev/null >/dev/null &&
	printf "correct horse\n" >pass && chmod 600 pass &&
	pouch --home b init --agency GB-B --name B --passphrase-file pass </dev/null >/dev/null &&
	test -f a/agency.json && test -f b/agency.json
'

expect_success 'key rotate without a terminal and no passphrase option: exit 2, key kept' '
	pouch --home a whoami >before &&
	must_fail 2 nowait --home a key rotate </dev/null &&
	grep -q "^pouch: no terminal to ask for the key.s passphrase" err &&
	grep -q "^usage: pouch key rotate" err &&
	pouch --home a whoami >after && test_cmp before after
'

expect_success 'pack without a terminal never waits for a pinentry: a protected key fails' '
	pouch --home a key export >a.asc &&
	pouch --home b partner add GB-A --key a.asc \
		--fingerprint "$(pouch --home a whoami | sed -n "s/^fingerprint: *//p")" -q \
		>/dev/null &&
	write_report r.json &&
	must_fail 3 nowait --home b pack --to GB-A --report r.json </dev/null &&
	grep -q "^pouch: cannot sign.*: No passphrase given" err &&
	test -z "$(ls ./*.pouch 2>/dev/null)" &&
	nowait --home b pack --to GB-A --report r.json --passphrase-file pass </dev/null \
		>/dev/null 2>&1 &&
	test -n "$(ls ./*.pouch)"
'

expect_success 'an unprotected key signs without a terminal' '
	pouch --home b key export >b.asc &&
	pouch --home a partner add GB-B --key b.asc \
		--fingerprint "$(pouch --home b whoami | sed -n "s/^fingerprint: *//p")" -q \
		>/dev/null &&
	mkdir out-a &&
	nowait --home a pack --to GB-B --report r.json -o out-a </dev/null >/dev/null 2>&1 &&
	test -n "$(ls out-a/*.pouch)"
'

expect_success 'a usage error is still reported as such, whatever stdin is' '
	must_fail 2 pouch --home h4 init --agency GB-A </dev/null &&
	grep -q "^pouch: missing --name" err && test ! -e h4
'

test_done
