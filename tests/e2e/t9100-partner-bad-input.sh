#!/bin/sh
# Hostile and mistaken input to the partner directory: each refused with one line naming the
# subject, the documented exit status, and the home exactly as it was.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/certs.sh"

expect_success 'setup: an agency, a partner, and keys of every kind' '
	init_agency a GB-NCA-CEOP &&
	testkeys_make "$KEYS" GOOD && testkeys_make "$KEYS" OTHER &&
	testkeys_make "$KEYS" SIGNONLY none &&
	testkeys_make "$KEYS" OLD encr 1d 20200101T000000 &&
	testkeys_make "$KEYS" REVOKED && testkeys_revoked "$KEYS" REVOKED &&
	testkeys_secret "$KEYS" GOOD && certs_make &&
	cat GOOD.asc OTHER.asc >TWO.asc &&
	pouch --home a partner add GB-MET --key OTHER.asc >/dev/null &&
	pouch --home a key export -o OURS.asc
'

expect_success 'a malformed key file' '
	printf "not a key\n" >junk.asc &&
	refused 1 "key file .junk.asc. holds no OpenPGP key" partner add US-NCMEC --key junk.asc &&
	printf -- "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n" \
		>armor.asc &&
	refused 1 "key file .armor.asc." partner add US-NCMEC --key armor.asc &&
	head -c 300 GOOD.asc >truncated.asc &&
	refused 1 "key file .truncated.asc." partner add US-NCMEC --key truncated.asc
'

expect_success 'an empty key file' '
	: >empty.asc &&
	refused 1 "key file .empty.asc. is empty" partner add US-NCMEC --key empty.asc
'

expect_success 'a missing or unreadable key file' '
	refused 2 "cannot open .nothere.asc.: No such file or directory" \
		partner add US-NCMEC --key nothere.asc &&
	refused 3 "cannot read .$TRASH.: is a directory" partner add US-NCMEC --key "$TRASH"
'

expect_success 'a secret key offered as a partner key is never imported' '
	refused 1 "key file .GOOD.sec.asc. holds a secret key" \
		partner add US-NCMEC --key GOOD.sec.asc &&
	test "$(gpg --homedir a/gnupg --with-colons --list-secret-keys | grep -c ^sec)" = 1
'

expect_success 'a key without an encryption subkey' '
	refused 1 "key $(cat SIGNONLY.fpr) in .SIGNONLY.asc. has no usable encryption subkey" \
		partner add US-NCMEC --key SIGNONLY.asc
'

expect_success 'an expired key' '
	refused 1 "key $(cat OLD.fpr) in .OLD.asc. expired on 2020-01-02T00:00:00Z" \
		partner add US-NCMEC --key OLD.asc
'

expect_success 'a revoked key' '
	refused 1 "key $(cat REVOKED.fpr) in .REVOKED.revoked.asc. is revoked" \
		partner add US-NCMEC --key REVOKED.revoked.asc
'

expect_success 'a fingerprint mismatch' '
	refused 1 "fingerprint mismatch for key file .GOOD.asc.: the key is $(cat GOOD.fpr), \
expected $(cat OTHER.fpr)" \
		partner add US-NCMEC --key GOOD.asc --fingerprint "$(cat OTHER.fpr)"
'

expect_success 'a malformed fingerprint' '
	refused 2 "invalid fingerprint .1234.: expected 40 hexadecimal digits" \
		partner add US-NCMEC --key GOOD.asc --fingerprint 1234 &&
	refused 2 "invalid fingerprint" \
		partner add US-NCMEC --key GOOD.asc --fingerprint "$(cat GOOD.fpr)0" &&
	refused 2 "invalid fingerprint" \
		partner add US-NCMEC --key GOOD.asc --fingerprint "$(cat GOOD.fpr | tr 0-9 g)"
'

expect_success 'two keys in one file' '
	refused 1 "key file .TWO.asc. holds 2 keys: give one partner key per file" \
		partner add US-NCMEC --key TWO.asc
'

expect_success 'an http:// endpoint' '
	refused 2 "invalid endpoint .http://pouch.ncmec.example.: not https" \
		partner add US-NCMEC --key GOOD.asc --endpoint http://pouch.ncmec.example
'

expect_success 'malformed endpoints' '
	for url in "pouch.ncmec.example" "https://" "https://:8443" "https://a b" \
		"https://user@host" "https://host:0" "https://host:70000" "https://host:x" \
		"https://-host" "https://host/?q=1" "https://host/#f" "ftp://host" \
		"https://[::1" "$(printf "https://host/\033[2J")"; do
		refused 2 "invalid endpoint .*expected https://host\[:port\]\[/path\]" \
			partner add US-NCMEC --key GOOD.asc --endpoint "$url" ||
			{ echo "accepted [$url]"; exit 1; }
	done
'

expect_success 'an invalid agency code' '
	for code in us.ncmec U "US NCMEC" US- "US_NCMEC" "../GB-MET" ""; do
		refused 2 "invalid agency code" partner add "$code" --key GOOD.asc ||
			{ echo "accepted [$code]"; exit 1; }
	done
'

expect_success 'a duplicate agency code, in any case' '
	refused 1 "partner .GB-MET. is already in the directory" \
		partner add GB-MET --key GOOD.asc &&
	refused 1 "partner .GB-MET. is already in the directory" \
		partner add gb-Met --key GOOD.asc
'

expect_success 'our own code or our own key' '
	refused 1 ".GB-NCA-CEOP. is our own agency code" partner add GB-NCA-CEOP --key GOOD.asc &&
	refused 1 "key [0-9A-F]{40} is our own agency key" partner add US-NCMEC --key OURS.asc
'

expect_success 'a key already pinned for another partner' '
	refused 1 "key $(cat OTHER.fpr) is already pinned for partner .GB-MET." \
		partner add US-NCMEC --key OTHER.asc
'

expect_success 'bad TLS trust options' '
	echo "not pem" >bad.pem &&
	printf -- "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n%s\n%s\n%s\n" \
		"-----BEGIN PRIVATE KEY-----" MIIB "-----END PRIVATE KEY-----" >withkey.pem &&
	refused 2 "CA file .bad.pem. holds no PEM certificate" \
		partner add US-NCMEC --key GOOD.asc --endpoint https://h --ca bad.pem &&
	refused 1 "CA file .withkey.pem. holds a private key" \
		partner add US-NCMEC --key GOOD.asc --endpoint https://h --ca withkey.pem &&
	refused 2 "invalid pin .abc." \
		partner add US-NCMEC --key GOOD.asc --endpoint https://h --pin abc &&
	refused 2 "--ca, --pin and --client-cert need --endpoint" \
		partner add US-NCMEC --key GOOD.asc --pin "$(printf "%064d" 0)" &&
	refused 2 "CA file .bad.pem. holds no PEM certificate" \
		partner add US-NCMEC --key GOOD.asc --endpoint https://h --ca bad.pem \
		--pin "$(printf "%064d" 0)" &&
	printf -- "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" >fake.pem &&
	refused 2 "CA file .fake.pem. does not parse" \
		partner add US-NCMEC --key GOOD.asc --endpoint https://h --ca fake.pem
'

expect_success 'a client certificate and key that do not belong together' '
	refused 1 "client key .other.key. does not belong to the certificate in .client.pem." \
		partner add US-NCMEC --key GOOD.asc --endpoint https://h --client-cert client.pem \
		--client-key other.key &&
	! grep -q -- "$(key_line other.key)" err
'

expect_success 'an encrypted client key' '
	refused 1 "client key .enc.key. is encrypted" partner add US-NCMEC --key GOOD.asc \
		--endpoint https://h --client-cert client.pem --client-key enc.key
'

expect_success 'a client certificate without its key, or the other way round' '
	refused 2 "give --client-cert and --client-key together" partner add US-NCMEC \
		--key GOOD.asc --endpoint https://h --client-cert client.pem &&
	refused 2 "give --client-cert and --client-key together" partner add US-NCMEC \
		--key GOOD.asc --endpoint https://h --client-key client.key &&
	refused 2 "--ca, --pin and --client-cert need --endpoint" partner add US-NCMEC \
		--key GOOD.asc --client-cert client.pem --client-key client.key
'

expect_success 'a key where the certificate belongs, a certificate where the key belongs' '
	cat client.pem client.key >both.pem &&
	refused 1 "client certificate .both.pem. holds a private key" partner add US-NCMEC \
		--key GOOD.asc --endpoint https://h --client-cert both.pem --client-key client.key &&
	refused 2 "client key .client.pem. holds no PEM private key" partner add US-NCMEC \
		--key GOOD.asc --endpoint https://h --client-cert client.pem --client-key client.pem
'

expect_success 'a client key or certificate file too large' '
	{ cat client.key; head -c 70000 /dev/zero | tr "\0" "\n"; } >big.key &&
	refused 1 "cannot read .big.key.: larger than 65536 bytes" partner add US-NCMEC \
		--key GOOD.asc --endpoint https://h --client-cert client.pem --client-key big.key
'

expect_success 'a bad or taken client common name' '
	refused 2 "invalid client common name" partner add US-NCMEC --key GOOD.asc \
		--client-cn "$(printf "a\tb")" &&
	refused 2 "invalid client common name" partner add US-NCMEC --key GOOD.asc \
		--client-cn "$(printf "%065d" 0)" &&
	refused 2 "invalid client common name" partner add US-NCMEC --key GOOD.asc --client-cn "" &&
	refused 1 "client common name .GB-MET. is already partner .GB-MET..s" \
		partner add US-NCMEC --key GOOD.asc --client-cn GB-MET &&
	refused 1 "client common name .GB-NCA-CEOP. is our own agency.s" \
		partner add US-NCMEC --key GOOD.asc --client-cn GB-NCA-CEOP
'

expect_success 'partner set: nothing to change, conflicts, bad values, unknown partner' '
	pouch --home a partner set GB-MET --endpoint https://h --ca ca.pem >/dev/null &&
	refused 2 "nothing to change" partner set GB-MET &&
	refused 2 "give --endpoint or --no-endpoint, not both" \
		partner set GB-MET --endpoint https://h --no-endpoint &&
	refused 2 "--no-endpoint drops the TLS settings" partner set GB-MET --no-endpoint \
		--pin "$(printf "%064d" 0)" &&
	refused 2 "give --ca and --pin, or --no-tls, not both" partner set GB-MET --no-tls \
		--ca ca.pem &&
	refused 2 "give --client-cert and --client-key, or --no-client, not both" \
		partner set GB-MET --no-client --client-cert client.pem --client-key client.key &&
	refused 2 "give --client-cn or --no-client-cn, not both" \
		partner set GB-MET --client-cn x --no-client-cn &&
	refused 2 "invalid endpoint" partner set GB-MET --endpoint http://h &&
	refused 2 "invalid pin" partner set GB-MET --pin 12 &&
	refused 2 "no partner .US-NCMEC. in the directory" partner set US-NCMEC --no-tls &&
	refused 1 "client key .other.key. does not belong" partner set GB-MET \
		--client-cert client.pem --client-key other.key &&
	refused 1 "client key .enc.key. is encrypted" partner set GB-MET \
		--client-cert client.pem --client-key enc.key &&
	must_fail 2 pouch --home a partner set GB-MET --pin 1 --pin 2 &&
	head -1 err | grep -q "^pouch: option .--pin. given twice" &&
	must_fail 2 pouch --home a partner set GB-MET US-NCMEC --no-tls &&
	head -1 err | grep -q "^pouch: give one partner code" &&
	test_cmp ca.pem a/partners/GB-MET.ca.pem &&
	pouch --home a partner set GB-MET --no-endpoint >/dev/null &&
	refused 2 "partner .GB-MET. has no endpoint for TLS settings" \
		partner set GB-MET --pin "$(printf "%064d" 0)"
'

expect_success 'a command run before pouch init' '
	must_fail 3 pouch --home fresh partner add US-NCMEC --key GOOD.asc &&
	error_is "no agency identity in .$TRASH/fresh.: run .pouch init. first" &&
	test ! -e fresh
'

expect_success 'an unwritable home' '
	chmod -R go+rX a && chmod 755 "$TRASH" &&
	home_state a >before &&
	cp GOOD.asc /tmp/ph-good.$$.asc && chmod 644 /tmp/ph-good.$$.asc &&
	must_fail 3 pouch_as_nobody --home "$TRASH/a" partner add US-NCMEC \
		--key /tmp/ph-good.$$.asc;
	st=$?; rm -f /tmp/ph-good.$$.asc; chmod -R go-rwx a; test $st = 0 &&
	error_is "cannot import key file .*: GnuPG imported nothing into .$TRASH/a/gnupg." &&
	home_state a >after && test_cmp before after
'

expect_success 'a corrupted partner file is named, and the others still listed' '
	testkeys_make "$KEYS" ZZ-LAST &&
	pouch --home a partner add ZZ-LAST --key ZZ-LAST.asc >/dev/null &&
	cp a/partners/GB-MET.json met.json.good &&
	printf "{\"format\": \"pouch-partner/1\", \"code\": \"GB-MET\", \"code\": \"X\"}" \
		>a/partners/GB-MET.json &&
	must_fail 3 pouch --home a partner list &&
	error_is "partner file .$TRASH/a/partners/GB-MET.json. is corrupt: .*duplicate" &&
	grep -q "^ZZ-LAST " out &&
	must_fail 3 pouch --home a partner show GB-MET &&
	error_is "partner file .$TRASH/a/partners/GB-MET.json. is corrupt"
'

expect_success 'corruptions of every kind are reported, never crashed on' '
	good=$(cat met.json.good) &&
	for bad in "" "{" "[]" "null" "{\"format\": \"pouch-partner/1\"}" \
		"$(echo "$good" | sed "s/\"GB-MET\"/\"GB-MEX\"/")" \
		"$(echo "$good" | sed "s/\"fingerprint\": \"\([0-9A-F]*\)\"/\"fingerprint\": \"zz\"/")" \
		"$(echo "$good" | sed "s/\"added\": \"[^\"]*\"/\"added\": 12/")" \
		"$(echo "$good" | sed "s/\"format\"/\"extra\": 1, \"format\"/")" \
		"$(echo "$good" | sed "s/\"tls\": null/\"tls\": {\"ca_file\": \"..\/..\/etc\/passwd\"}/")" \
		"$(printf "{\"a\":%s1%s}" "$(printf "[%.0s" $(seq 40))" "$(printf "]%.0s" $(seq 40))")" \
		"$(printf "{\"code\": \"GB-\\\\u0000MET\"}")"; do
		printf "%s" "$bad" >a/partners/GB-MET.json &&
		must_fail 3 pouch --home a partner show GB-MET &&
		error_is "partner file .$TRASH/a/partners/GB-MET.json. is corrupt" ||
			{ echo "case: $bad"; exit 1; }
	done &&
	head -c 2000000 /dev/zero | tr "\0" " " >a/partners/GB-MET.json &&
	must_fail 3 pouch --home a partner show GB-MET &&
	error_is "partner file .* is corrupt: larger than" &&
	cp met.json.good a/partners/GB-MET.json &&
	pouch --home a partner show GB-MET >/dev/null
'

expect_success 'a corrupted partner file blocks adding keys (fail closed)' '
	echo "{" >a/partners/GB-MET.json &&
	refused 3 "partner file .$TRASH/a/partners/GB-MET.json. is corrupt" \
		partner add US-NCMEC --key GOOD.asc &&
	cp met.json.good a/partners/GB-MET.json
'

test_done
