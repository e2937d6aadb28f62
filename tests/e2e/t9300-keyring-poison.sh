#!/bin/sh
# Keyring poisoning: a certificate that binds another agency's key (or ours) as its own subkey,
# by fingerprint or by the same key material under another creation time (keygrip), or that
# holds one key twice, is refused by every import path before the keyring changes; and a
# keyring poisoned before (by an older pouch) makes lookups fail by name, never pick a key.
. "$(dirname "$0")/lib.sh"

# grip HOME FPR: the keygrip of key FPR (primary or subkey) in GnuPG home HOME.
grip() {
	gpg --homedir "$1" --with-colons --with-keygrip --list-keys "$2" |
		awk -F: -v f="$2" '/^fpr/ { hit = ($10 == f) } /^grp/ && hit { print $10; exit }'
}

# created HOME FPR: the creation time of key FPR (primary or subkey), in seconds.
created() {
	gpg --homedir "$1" --with-colons --list-keys "$2" |
		awk -F: -v f="$2" '/^(pub|sub)/ { t = $6 } /^fpr/ && $10 == f { print t; exit }'
}

# bind EVIL GRIP TIME: the attacker's certificate EVIL (in $KEYS) gets the key with keygrip
# GRIP as a new subkey created at TIME (seconds), which gpg signs for with the attacker's key.
# gpg only binds key material its agent holds, so the victim's secret key was imported into
# $KEYS; a real attacker needs only the public key to bind an encryption subkey (no back
# signature), by writing the packets itself.
bind() {
	printf 'addkey\n13\n%s\nQ\n0\nsave\n' "$2" |
		gpg --homedir "$KEYS" --faked-system-time "$3!" --batch --expert --no-tty \
			--pinentry-mode loopback --passphrase '' --command-fd 0 \
			--edit-key "$(cat "$1.fpr")" >/dev/null 2>&1
}

# evil NAME: a fresh attacker certificate, older than every key it will bind.
evil() {
	testkeys_make "$KEYS" "$1" encr never 20200101T000000
}

# export_evil NAME: writes NAME.asc again, with the subkeys bound since.
export_evil() {
	testkeys_gpg "$KEYS" --armor --export "$(cat "$1.fpr")" >"$1.asc"
}

# held FILE KEY CERT OTHER: the error refusing key file FILE (a regex), whose certificate CERT
# holds KEY, which certificate OTHER holds already.
held() {
	echo "cannot import key file .$1.: key $2 of certificate $3 is already in the keyring" \
		"under certificate $4\$"
}

# secret HOME: imports a pouch home's secret key into $KEYS, for bind.
secret() {
	gpg --homedir "$1/gnupg" --batch --pinentry-mode loopback --passphrase '' \
		--export-secret-keys | testkeys_gpg "$KEYS" --import
}

expect_success 'setup: we (GB-A) pin the victim GB-V; the attacker has both secret keys' '
	init_agency a GB-A && init_agency v GB-V && partners a v &&
	pouch --home a whoami --json >a.json && pouch --home v whoami --json >v.json &&
	A=$(json_field a.json fingerprint) && V=$(json_field v.json fingerprint) &&
	echo "$A" >A.fpr && echo "$V" >V.fpr &&
	gpg --homedir v/gnupg --with-colons --list-keys "$V" |
		awk -F: "/^fpr/ { n++ } /^fpr/ && n == 2 { print \$10 }" >VE.fpr &&
	test -s VE.fpr && secret a && secret v
'

A=$(cat A.fpr 2>/dev/null) V=$(cat V.fpr 2>/dev/null) VE=$(cat VE.fpr 2>/dev/null)
ANY='[0-9A-F]{40}'

expect_success 'partner add refuses a certificate holding the victim'"'"'s primary key' '
	evil EVIL1 && bind EVIL1 "$(grip v/gnupg "$V")" "$(created v/gnupg "$V")" &&
	export_evil EVIL1 &&
	gpg --homedir "$KEYS" --with-colons --list-keys "$(cat EVIL1.fpr)" | grep -q "fpr:*$V:" &&
	refused 1 "$(held EVIL1.asc "$V" "$(cat EVIL1.fpr)" "$V")" \
		partner add GB-EVIL --key EVIL1.asc --fingerprint "$(cat EVIL1.fpr)"
'

expect_success 'the same key material with another creation time is caught by its keygrip' '
	evil EVIL2 && bind EVIL2 "$(grip v/gnupg "$VE")" 1700000000 && export_evil EVIL2 &&
	! gpg --homedir "$KEYS" --with-colons --list-keys "$(cat EVIL2.fpr)" | grep -q "$VE" &&
	refused 1 "$(held EVIL2.asc "$ANY" "$(cat EVIL2.fpr)" "$V")" \
		partner add GB-EVIL --key EVIL2.asc
'

expect_success 'partner add refuses a certificate holding our own key' '
	evil EVIL3 && bind EVIL3 "$(grip a/gnupg "$A")" "$(created a/gnupg "$A")" &&
	export_evil EVIL3 &&
	refused 1 "$(held EVIL3.asc "$A" "$(cat EVIL3.fpr)" "$A")" \
		partner add GB-EVIL --key EVIL3.asc
'

expect_success 'partner add-key refuses it too' '
	refused 1 "$(held EVIL1.asc "$V" "$(cat EVIL1.fpr)" "$V")" \
		partner add-key GB-V --key EVIL1.asc
'

expect_success 'a certificate that holds one key twice is refused' '
	evil EVIL4 && bind EVIL4 "$(grip v/gnupg "$VE")" 1700000000 &&
	bind EVIL4 "$(grip v/gnupg "$VE")" 1700000100 && export_evil EVIL4 &&
	refused 1 \
		"cannot import key file .EVIL4.asc.: certificate $(cat EVIL4.fpr) holds key $ANY twice$" \
		partner add GB-EVIL --key EVIL4.asc
'

expect_success 'genuine packages still flow, and every partner is listed' '
	write_report r.json && mkdir out1 out2 out3 &&
	pouch --home a pack --to GB-V --report r.json -o out1 >/dev/null &&
	pouch --home v open out1/*.pouch -o opened >/dev/null &&
	pouch --home v pack --to GB-A --report r.json -o out2 >/dev/null &&
	pouch --home a verify out2/*.pouch >/dev/null &&
	pouch --home a partner list >list && grep -q "^GB-V " list
'

expect_success 'a home that holds the attacker (pinned before) refuses the victim next' '
	init_agency c GB-C &&
	testkeys_gpg "$KEYS" --armor --export "$(cat EVIL2.fpr)" >e2.asc &&
	pouch --home c partner add GB-EVIL --key e2.asc -q >/dev/null 2>&1 &&
	pouch --home v key export -o v.asc &&
	home_state c >before &&
	must_fail 1 pouch --home c partner add GB-V --key v.asc &&
	error_is "$(held v.asc "$ANY" "$V" "$(cat EVIL2.fpr)")" &&
	home_state c >after && test_cmp before after
'

expect_success 'a gateway home refuses the certificate as the agency'"'"'s new key (key add)' '
	pouch --home a key export -o a.asc &&
	pouch --home g init --gateway --code GB-A --key a.asc --fingerprint "$A" >/dev/null &&
	pouch --home g partner add GB-V --key v.asc -q >/dev/null &&
	{ home_state g; true; } >before &&
	must_fail 1 pouch --home g key add --key EVIL1.asc --fingerprint "$(cat EVIL1.fpr)" &&
	error_is "$(held EVIL1.asc "$V" "$(cat EVIL1.fpr)" "$V")" &&
	{ home_state g; true; } >after && test_cmp before after
'

expect_success 'a keyring poisoned before: lookups fail by name, never pick a key' '
	cp -a a p && rm -f p/gnupg/S.* &&
	testkeys_gpg "$KEYS" --export "$(cat EVIL1.fpr)" | gpg --homedir p/gnupg --batch --import \
		2>/dev/null &&
	must_fail 3 pouch --home p pack --to GB-V --report r.json -o out3 &&
	grep -q "key $V is held by more than one certificate" err &&
	must_fail 1 pouch --home p verify out2/*.pouch &&
	grep -q "held by more than one certificate" err
'

test_done
