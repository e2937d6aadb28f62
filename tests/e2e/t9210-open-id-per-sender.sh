#!/bin/sh
# pouch open: an id belongs to its sender. A pinned partner that learnt another agency's package
# id (as a co-recipient) and sends its own package under it first does not block the genuine
# one, nor the other way round; each sender's id is recorded and checked on its own.
. "$(dirname "$0")/lib.sh"

forge() { "$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/forge-package.py" "$@"; }
fpr() { pouch --home "$1" whoami --json >.w.json && json_field .w.json fingerprint; }

expect_success 'setup: the centre and NCMEC, both partners of the force; the centre packs' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && init_agency ncmec US-NCMEC &&
	partners ceop met && partners ncmec met && partners ceop ncmec &&
	write_report report.json t && mkdir pk &&
	pouch --home ceop pack --to GB-MET,US-NCMEC --report report.json -o pk >id &&
	pouch --home ceop pack --to GB-MET,US-NCMEC --report report.json -o pk >id2 &&
	C=$(fpr ceop) && M=$(fpr met) && N=$(fpr ncmec) && echo "C=$C M=$M N=$N" >fprs
'

. ./fprs 2>/dev/null || true

expect_success 'NCMEC, a co-recipient, sends its own package under the id first' '
	forge ncmec/gnupg squat.pouch signer=$N encrypt_to=$M sender=US-NCMEC:$N \
		recipients=GB-MET:$M id=$(cat id) entries="[[\"n.txt\", \"ncmec\"]]" &&
	pouch --home met open squat.pouch -o squat >out &&
	grep -q "^opened package $(cat id) from US-NCMEC into squat$" out
'

expect_success 'the genuine package under that id still opens' '
	pouch --home met open "pk/$(cat id).pouch" -o genuine --json >j &&
	test "$(json_field j sender)" = GB-NCA-CEOP &&
	test "$(json_field j seen_before)" = False && test -f genuine/pouch.json &&
	test -f "met/seen/GB-NCA-CEOP.$(cat id)" && test -f "met/seen/US-NCMEC.$(cat id)"
'

expect_success 'and the other way round: the genuine first, then the squatter' '
	pouch --home met open "pk/$(cat id2).pouch" -o genuine2 >/dev/null &&
	forge ncmec/gnupg squat2.pouch signer=$N encrypt_to=$M sender=US-NCMEC:$N \
		recipients=GB-MET:$M id=$(cat id2) &&
	pouch --home met open squat2.pouch -o squat2 --json >j &&
	test "$(json_field j sender)" = US-NCMEC && test "$(json_field j seen_before)" = False
'

expect_success 'each sender is still held to its own id: another package of its own conflicts' '
	forge ncmec/gnupg squat3.pouch signer=$N encrypt_to=$M sender=US-NCMEC:$N \
		recipients=GB-MET:$M id=$(cat id) entries="[[\"n.txt\", \"other\"]]" &&
	must_fail 1 pouch --home met open squat3.pouch -o squat3 &&
	error_is "package id $(cat id) conflicts with a different package opened before" &&
	test ! -e squat3 &&
	forge ceop/gnupg again.pouch signer=$C encrypt_to=$M sender=GB-NCA-CEOP:$C \
		recipients=GB-MET:$M id=$(cat id2) &&
	must_fail 1 pouch --home met open again.pouch -o again &&
	error_is "package id $(cat id2) conflicts with a different package opened before" &&
	test ! -e again
'

expect_success 'reopening either package of a shared id is "seen before", not a conflict' '
	pouch --home met open squat.pouch -o squat.re --json >j &&
	test "$(json_field j seen_before)" = True &&
	pouch --home met open "pk/$(cat id).pouch" -o genuine.re --json >j &&
	test "$(json_field j seen_before)" = True
'

test_done
