#!/bin/sh
# Special files where pouch expects a regular one: a FIFO (which would block an open for ever)
# or a device, given as an envelope, a detached payload, a report, an attachment, a key, a
# passphrase file, a record of the home, a configuration. Each is refused at once with one line
# naming the file. timeout turns a hang into a failure (exit 124) rather than a stuck run.
. "$(dirname "$0")/lib.sh"

P="timeout 600 $POUCH_BIN"

expect_success 'setup: two partners, a genuine inline and a genuine detached package' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && partners ceop met &&
	write_report report.json t &&
	mkdir pk && pouch --home ceop pack --to GB-MET --report report.json -o pk >id &&
	head -c 9000000 /dev/urandom >big.bin && mkdir big &&
	pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o big >idb &&
	test -f "big/$(cat idb).pouch.pgp" && mkfifo fifo
'

expect_success 'a FIFO as the envelope: verify, open and push refuse it' '
	must_fail 3 $P --home met verify fifo &&
	error_is "cannot read .fifo.: not a regular file$" &&
	must_fail 3 $P --home met open fifo -o out1 &&
	error_is "cannot read .fifo.: not a regular file$" && test ! -e out1 &&
	must_fail 3 $P --home ceop push fifo &&
	error_is "cannot read .fifo.: not a regular file$"
'

expect_success 'a FIFO as the detached payload beside a genuine envelope' '
	id=$(cat idb) && mkdir fp && cp "big/$id.pouch" fp/ && mkfifo "fp/$id.pouch.pgp" &&
	must_fail 1 $P --home met verify "fp/$id.pouch" &&
	error_is ".* is not genuine: cannot read the payload .fp/$id.pouch.pgp.: not a regular \
file$" &&
	must_fail 1 $P --home met open "fp/$id.pouch" -o out2 &&
	error_is ".* is not genuine: cannot read the payload .fp/$id.pouch.pgp.: not a regular \
file$" && test ! -e out2 &&
	must_fail 1 $P --home ceop push "fp/$id.pouch" &&
	error_is ".* is not genuine: cannot read the payload"
'

expect_success 'a FIFO or a device as the report or an attachment of pack' '
	mkdir po &&
	must_fail 3 $P --home ceop pack --to GB-MET --report fifo -o po &&
	error_is "cannot read .fifo.: not a regular file$" &&
	must_fail 3 $P --home ceop pack --to GB-MET --report report.json --attach fifo -o po &&
	error_is "cannot read attachment .fifo.: not a regular file$" &&
	must_fail 3 $P --home ceop pack --to GB-MET --report report.json \
		--attach /dev/zero -o po &&
	error_is "cannot read attachment ./dev/zero.: not a regular file$" &&
	test -z "$(ls po)"
'

expect_success 'a FIFO as a key file: partner add, partner add-key' '
	must_fail 3 $P --home ceop partner add US-NCMEC --key fifo &&
	error_is "cannot read .fifo.: not a regular file$" &&
	must_fail 3 $P --home ceop partner add-key GB-MET --key fifo --fingerprint \
		0123456789ABCDEF0123456789ABCDEF01234567 &&
	error_is "cannot read .fifo.: not a regular file$"
'

expect_success 'a FIFO as a passphrase file' '
	must_fail 3 $P --home p init --agency GB-P --name P --passphrase-file fifo &&
	error_is "cannot read passphrase file .fifo.: not a regular file$" && test ! -e p
'

expect_success 'a FIFO as a TLS file of an endpoint' '
	must_fail 3 $P --home ceop endpoint set --endpoint https://h --ca fifo &&
	error_is "cannot read .fifo.: not a regular file$"
'

expect_success 'a FIFO in place of a partner record, the agency record, the audit trail' '
	cp -r met m2 && rm m2/partners/GB-NCA-CEOP.json && mkfifo m2/partners/GB-NCA-CEOP.json &&
	must_fail 3 $P --home m2 partner show GB-NCA-CEOP &&
	error_is ".*cannot read .[^ ]*m2/partners/GB-NCA-CEOP.json.: not a regular file$" &&
	must_fail 3 $P --home m2 verify "pk/$(cat id).pouch" &&
	grep -q "not a regular file" err &&
	cp -r met m3 && rm m3/agency.json && mkfifo m3/agency.json &&
	must_fail 3 $P --home m3 whoami &&
	error_is ".*cannot read .[^ ]*m3/agency.json.: not a regular file$" &&
	cp -r met m4 && rm -f m4/audit.log && mkfifo m4/audit.log &&
	must_fail 3 $P --home m4 audit verify &&
	error_is ".*cannot read the audit trail .[^ ]*m4/audit.log.: not a regular file$"
'

expect_success 'a FIFO as the configuration of pouchd' '
	must_fail 2 timeout 600 "$POUCH_BUILD/pouchd" --config fifo &&
	grep -q "cannot read .fifo.: not a regular file" err
'

expect_success 'the genuine packages still verify' '
	pouch --home met verify "pk/$(cat id).pouch" >/dev/null &&
	pouch --home met verify "big/$(cat idb).pouch" >/dev/null
'

test_done
