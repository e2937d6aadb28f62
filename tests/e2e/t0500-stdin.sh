#!/bin/sh
# '-' is standard input or output wherever a file is read or written: read with the same caps
# as a file, once per command line, and never left behind.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/certs.sh"

export TMPDIR="$TRASH/tmp"
mkdir "$TMPDIR"

expect_success 'setup: two agencies' '
	init_agency a GB-NCA && init_agency b GB-MET &&
	write_report report.json "from a pipe" &&
	pouch --home b key export -o b.asc &&
	pouch --home a key export | pouch --home b partner add GB-NCA --key - -q >/dev/null
'

expect_success 'key export -o - writes the key to stdout, as without -o' '
	pouch --home a key export -o - >dash.asc &&
	pouch --home a key export >plain.asc &&
	test_cmp plain.asc dash.asc && grep -q "BEGIN PGP PUBLIC KEY BLOCK" dash.asc &&
	test ! -e ./- &&
	must_fail 2 pouch --home a key export -o - --force
'

expect_success 'partner add --key - reads the key from stdin' '
	pouch --home a partner add GB-MET --key - <b.asc >out &&
	grep -q "GB-MET" out && pouch --home a partner show GB-MET >/dev/null &&
	test -z "$(ls -A "$TMPDIR")"
'

expect_success 'pack --report - reads the report from stdin' '
	mkdir pk &&
	pouch --home a pack --to GB-MET --report - -o pk <report.json >id &&
	test -f "pk/$(cat id).pouch" &&
	pouch --home b open "pk/$(cat id).pouch" -o opened >/dev/null &&
	grep -q "from a pipe" opened/pouch.json &&
	test -z "$(ls -A "$TMPDIR")"
'

expect_success 'a report on stdin is never in a named file: killed mid-read, nothing is left' '
	mkfifo in &&
	{ "$POUCH_BIN" --home a pack --to GB-MET --report - -o pk <in >/dev/null 2>&1 & } &&
	pid=$! && exec 3>in && cat report.json >&3 &&
	wait_until "ls -l /proc/$pid/fd 2>/dev/null | grep -q \"$TMPDIR/\"";
	seen=$? && reading=$(ls -A "$TMPDIR") &&
	kill -9 $pid; exec 3>&-; ! wait $pid &&
	test $seen -eq 0 && test -z "$reading" && test -z "$(ls -A "$TMPDIR")" && rm in
'

expect_success 'a report on stdin is held to the file cap, and the error names -' '
	must_fail 2 pouch --home a pack --to GB-MET --report - -o pk </dev/null &&
	grep -q "report '"'"'-'"'"'" err && ! grep -q "pouch-stdin" err &&
	head -c 17000000 /dev/zero >big &&
	must_fail 1 pouch --home a pack --to GB-MET --report - -o pk <big &&
	error_is "standard input is larger than 16777216 bytes" &&
	test -z "$(ls -A "$TMPDIR")"
'

expect_success 'verify - and open - take an inline package on stdin' '
	pouch --home b verify - <"pk/$(cat id).pouch" >out &&
	grep -q "^good package $(cat id) from GB-NCA" out &&
	pouch --home b --json verify - <"pk/$(cat id).pouch" >out &&
	grep -q "\"path\":\"-\"" out || grep -q "\"-\"" out &&
	pouch --home b open - -o from-stdin <"pk/$(cat id).pouch" >out &&
	grep -q "from a pipe" from-stdin/pouch.json &&
	test -z "$(ls -A "$TMPDIR")"
'

expect_success 'a package with a detached payload cannot come from stdin: a clear error' '
	head -c 9000000 /dev/urandom >big.bin &&
	pouch --home a pack --to GB-MET --report report.json --attach big.bin -o pk >id2 &&
	test -f "pk/$(cat id2).pouch.pgp" &&
	must_fail 2 pouch --home b verify - <"pk/$(cat id2).pouch" &&
	error_is "cannot verify a package from standard input: its payload travels beside it.*$(cat id2).pouch.pgp" &&
	must_fail 2 pouch --home b open - <"pk/$(cat id2).pouch" &&
	error_is "cannot open a package from standard input" &&
	test -z "$(ls -A "$TMPDIR")" &&
	pouch --home b audit show >log && ! grep -q "\"bad\"" log
'

expect_success 'a bad package on stdin is a bad verdict, named -' '
	printf "not an envelope" >junk &&
	must_fail 1 pouch --home b verify - <junk &&
	! grep -q "pouch-stdin" err && test -z "$(ls -A "$TMPDIR")"
'

expect_success 'standard input is read once: two - on one command line is a usage error' '
	must_fail 2 pouch --home a partner add GB-X --key - --ca - </dev/null &&
	grep -q "standard input is read once: --key and --ca are both" err &&
	must_fail 2 pouch --home a endpoint set --endpoint https://127.0.0.1:1 \
		--client-cert - --client-key - </dev/null &&
	grep -q "standard input is read once" err &&
	must_fail 2 pouch --home a pack --to GB-MET --report - --attach - </dev/null &&
	grep -q "has no name" err
'

expect_success 'pack -o - is a usage error: a package may have a payload beside it' '
	must_fail 2 pouch --home a pack --to GB-MET --report report.json -o - &&
	grep -q "cannot go to standard output" err
'

expect_success 'partner add-key and partner revoke read - too' '
	testkeys_make "$KEYS" US-NCMEC &&
	pouch --home a partner add US-NCMEC --key US-NCMEC.asc >/dev/null &&
	testkeys_make "$KEYS" US-NEXT &&
	pouch --home a partner add-key us-ncmec --key - <US-NEXT.asc >out &&
	grep -q "$(cat US-NEXT.fpr)" out &&
	pouch --home a partner revoke us-ncmec --revocation - <US-NCMEC.rev >out &&
	grep -q "^revoked key $(cat US-NCMEC.fpr) of partner US-NCMEC" out &&
	must_fail 1 pouch --home a partner revoke US-NCMEC --revocation - </dev/null &&
	error_is "revocation file .-. is empty" &&
	test -z "$(ls -A "$TMPDIR")"
'

expect_success 'endpoint set and partner set take one TLS file from stdin' '
	certs_make &&
	pouch --home a endpoint set --endpoint https://127.0.0.1:8443/pouch --ca - \
		--client-cert chain.pem --client-key client.key <ca.pem >/dev/null 2>&1 &&
	test_cmp ca.pem a/endpoint.ca.pem &&
	pouch --home a partner set gb-met --endpoint https://127.0.0.1:8443/pouch \
		--client-cert chain.pem --client-key - <client.key -q >/dev/null &&
	test_cmp client.key a/partners/GB-MET.client.key &&
	head -c 2000000 /dev/zero >big.pem &&
	must_fail 1 pouch --home a endpoint set --endpoint https://127.0.0.1:8443/pouch --ca - \
		<big.pem &&
	error_is "standard input is larger than 1048576 bytes" &&
	test -z "$(ls -A "$TMPDIR")"
'

expect_success 'key add --key - (a gateway follows its agency key rotation)' '
	pouch --home a key export -o a1.asc &&
	pouch --home g init --gateway --agency GB-NCA --key a1.asc \
		--fingerprint "$(pouch --home a whoami | sed -n "s/^fingerprint: *//p")" >/dev/null 2>&1 &&
	pouch --home a key rotate --no-passphrase >/dev/null 2>&1 &&
	fpr=$(pouch --home a whoami | sed -n "s/^fingerprint: *//p") &&
	pouch --home a key export | pouch --home g key add --key - --fingerprint "$fpr" >out &&
	grep -q "^new key: *$fpr" out &&
	test -z "$(ls -A "$TMPDIR")"
'

test_done
