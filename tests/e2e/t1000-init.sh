#!/bin/sh
# pouch init and whoami: the agency identity, its key and its protection.
. "$(dirname "$0")/lib.sh"

expect_success 'init creates a private home with an identity' '
	pouch --home "$TRASH/a" init --agency GB-NCA-CEOP --name "National Crime Agency CEOP" \
		--no-passphrase >out &&
	grep -q "^initialised GB-NCA-CEOP (National Crime Agency CEOP) in $TRASH/a\$" out &&
	test "$(stat -c %a a)" = 700 &&
	test "$(stat -c %a a/gnupg)" = 700 &&
	test "$(stat -c %a a/partners)" = 700 &&
	test "$(stat -c %a a/agency.json)" = 600
'

expect_success 'the key is ed25519 (sign, certify) with a cv25519 encryption subkey' '
	gpg --homedir a/gnupg --with-colons --list-secret-keys >keys &&
	test "$(grep -c ^sec keys)" = 1 &&
	grep "^sec" keys | cut -d: -f4,12,17 >got &&
	echo "22:scESC:ed25519" >expect && test_cmp expect got &&
	grep "^ssb" keys | cut -d: -f4,12,17 >got &&
	echo "18:e:cv25519" >expect && test_cmp expect got
'

expect_success 'the key expires after two years by default' '
	now=$(date +%s) &&
	exp=$(gpg --homedir a/gnupg --with-colons --list-keys | awk -F: "/^pub/ { print \$7 }") &&
	days=$(( (exp - now) / 86400 )) &&
	echo "expires $exp, now $now: $days days" &&
	test "$days" -ge 729 && test "$days" -le 730 &&
	sub=$(gpg --homedir a/gnupg --with-colons --list-keys | awk -F: "/^sub/ { print \$7 }") &&
	echo "subkey expires $sub" &&
	# gpg makes the subkey in a second call: its expiry may be a second or two later.
	test $((sub - exp)) -ge 0 && test $((sub - exp)) -le 2
'

expect_success 'whoami shows code, name, fingerprint and expiry' '
	fpr=$(gpg --homedir a/gnupg --with-colons --list-keys | awk -F: "/^fpr/ { print \$10; exit }") &&
	pouch --home a whoami >out &&
	grep -q "^agency: *GB-NCA-CEOP\$" out &&
	grep -q "^name: *National Crime Agency CEOP\$" out &&
	grep -q "^fingerprint: *$fpr\$" out &&
	grep -Eq "^expires: *20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\$" out
'

expect_success 'whoami --json gives the same facts' '
	pouch --home a whoami --json >j &&
	pouch --home a --json whoami >j2 && test_cmp j j2 &&
	test "$(json_field j agency)" = GB-NCA-CEOP &&
	test "$(json_field j fingerprint)" = "$(gpg --homedir a/gnupg --with-colons --list-keys |
		awk -F: "/^fpr/ { print \$10; exit }")"
'

expect_success 'init refuses to replace an identity without --force' '
	home_state a >before &&
	must_fail 1 pouch --home a init --agency GB-OTHER --name Other --no-passphrase &&
	error_is "./tmp/ph\.[^/]*/a. already holds the identity of GB-NCA-CEOP: use --force" &&
	home_state a >after && test_cmp before after
'

expect_success 'init --force replaces the identity with a new key' '
	old=$(json_field j fingerprint) &&
	pouch --home a init --agency GB-NEW --name "New" --no-passphrase --force >/dev/null &&
	pouch --home a whoami --json >j &&
	test "$(json_field j agency)" = GB-NEW &&
	test "$(json_field j fingerprint)" != "$old"
'

expect_success '--expires sets the lifetime; never means no expiry' '
	pouch --home e1 init --agency GB-E --name E --no-passphrase --expires 30d >/dev/null &&
	exp=$(gpg --homedir e1/gnupg --with-colons --list-keys | awk -F: "/^pub/ { print \$7 }") &&
	days=$(( (exp - $(date +%s)) / 86400 )) && test "$days" -ge 29 && test "$days" -le 30 &&
	pouch --home e2 init --agency GB-E --name E --no-passphrase --expires never >/dev/null &&
	pouch --home e2 whoami >out && grep -q "^expires: *never\$" out
'

expect_success 'an invalid --expires is a usage error and creates nothing' '
	for e in 0d 2x y -1d 101y; do
		must_fail 2 pouch --home e3 init --agency GB-E --name E --no-passphrase \
			--expires "$e" && grep -q "invalid --expires" err && test ! -e e3 || exit 1
	done
'

expect_success '--no-passphrase leaves the key usable without one' '
	echo data >d &&
	gpg --homedir e2/gnupg --batch --pinentry-mode loopback --passphrase "" -o d.sig \
		--detach-sign d
'

expect_success '--passphrase-file protects the key with that passphrase' '
	printf "correct horse battery staple\n" >pass && chmod 600 pass &&
	pouch --home p init --agency GB-P --name P --passphrase-file pass >/dev/null &&
	gpgconf --homedir p/gnupg --kill gpg-agent &&
	! gpg --homedir p/gnupg --batch --pinentry-mode loopback --passphrase wrong \
		-o d.bad --detach-sign d 2>/dev/null &&
	gpg --homedir p/gnupg --batch --pinentry-mode loopback \
		--passphrase "correct horse battery staple" -o d.sig2 --detach-sign d
'

expect_success 'a passphrase file others can read is refused' '
	chmod 644 pass &&
	must_fail 1 pouch --home p2 init --agency GB-P --name P --passphrase-file pass &&
	error_is "passphrase file .pass. is readable by others: chmod 600 it" &&
	test ! -e p2
'

expect_success 'an empty or missing passphrase file is a usage error' '
	: >empty && chmod 600 empty &&
	must_fail 2 pouch --home p3 init --agency GB-P --name P --passphrase-file empty &&
	error_is "passphrase file .empty. is empty" &&
	must_fail 2 pouch --home p3 init --agency GB-P --name P --passphrase-file nothere &&
	error_is "cannot open passphrase file .nothere.: No such file or directory" &&
	test ! -e p3
'

expect_success 'passphrases are never taken on the command line' '
	must_fail 2 pouch --home p4 init --agency GB-P --name P --passphrase-fil secret &&
	error_is "cannot open passphrase file .secret." &&
	must_fail 2 pouch --home p4 init --agency GB-P --name P --passphrase-file pass \
		--no-passphrase &&
	test ! -e p4
'

expect_success 'invalid agency codes are refused everywhere they enter' '
	for code in g "GB MET" gb.met -GB GB- GB_MET ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456 "GB-É"; do
		must_fail 2 pouch --home c init --agency "$code" --name N --no-passphrase &&
		error_is "invalid agency code .* use 2 to 32 characters" &&
		test ! -e c || { echo "accepted [$code]"; exit 1; }
	done &&
	pouch --home c init --agency AB --name N --no-passphrase >/dev/null &&
	pouch --home c2 init --agency ABCDEFGHIJKLMNOPQRSTUVWXYZ012345 --name N \
		--no-passphrase >/dev/null
'

expect_success 'an invalid agency name is refused' '
	must_fail 2 pouch --home n init --agency GB-N --name "$(printf "bad\033[2Jname")" \
		--no-passphrase &&
	error_is "invalid agency name .bad.x1b\[2Jname.: control characters" &&
	must_fail 2 pouch --home n init --agency GB-N --name "" --no-passphrase &&
	must_fail 2 pouch --home n init --agency GB-N --name "a <b@c>" --no-passphrase &&
	test ! -e n
'

expect_success 'missing --agency or --name is a usage error' '
	must_fail 2 pouch --home m init --name N --no-passphrase && grep -q "missing --agency" err &&
	must_fail 2 pouch --home m init --agency GB-M --no-passphrase && grep -q "missing --name" err &&
	test ! -e m
'

expect_success 'an unwritable home is an operational error that leaves nothing' '
	mkdir ro && chmod 555 ro &&
	must_fail 3 pouch_as_nobody --home "$TRASH/ro/h" init --agency GB-R --name R \
		--no-passphrase &&
	error_is "cannot create directory .$TRASH/ro/h.: Permission denied" &&
	test ! -e ro/h
'

# gpg-agent cannot start when its socket path is too long: a real failure after the home's
# directories were made. (Where /run/user/UID exists the socket goes there instead.)
long=$TRASH/$(printf "l%.0s" $(seq 110))
if [ -d "/run/user/$(id -u)" ]; then
	skip_test 'a failed key generation leaves nothing behind' "/run/user/$(id -u) exists"
else
	expect_success 'a failed key generation leaves nothing behind' '
		must_fail 3 pouch --home "$long/x/h" init --agency GB-L --name L --no-passphrase &&
		error_is "cannot generate the agency key: gpg-agent did not start for" &&
		test ! -e "$long" &&
		mkdir -p "$long/e" &&
		must_fail 3 pouch --home "$long/e" init --agency GB-L --name L --no-passphrase &&
		test -z "$(ls -A "$long/e")"
	'
fi

expect_success 'a corrupted agency file is named, not crashed on' '
	cp -r e2 bad && echo "{\"format\": " >bad/agency.json &&
	must_fail 3 pouch --home bad whoami &&
	error_is "agency file .$TRASH/bad/agency.json. is corrupt: it is not valid JSON" &&
	echo "[]" >bad/agency.json &&
	must_fail 3 pouch --home bad whoami && error_is "agency file .* is corrupt"
'

test_done
