#!/bin/sh
# pouch open: a package addressed to us is verified, decrypted within a cap, checked inside
# (signer, binding, attachments) and unpacked into a new private directory; the id is recorded.
# Every failure writes nothing and records nothing.
. "$(dirname "$0")/lib.sh"

. "$SRC_DIR/tests/e2e/lib-forge.sh"

expect_success 'setup: a centre, a force, a third agency; a package for the force' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && init_agency ncmec US-NCMEC &&
	partners ceop met && partners ceop ncmec && partners met ncmec &&
	write_report report.json t && echo "a note" >note.txt &&
	head -c 200000 /dev/urandom >photo.jpg &&
	mkdir pk && pouch --home ceop pack --to GB-MET --report report.json --attach note.txt \
		--attach photo.jpg -o pk >id &&
	C=$(fpr ceop) && M=$(fpr met) && N=$(fpr ncmec) &&
	echo "C=$C M=$M N=$N" >fprs
'

. ./fprs 2>/dev/null || true

expect_success 'open extracts into a new private directory, files 0600' '
	pouch --home met open "pk/$(cat id).pouch" -o opened >out &&
	grep -q "^opened package $(cat id) from GB-NCA-CEOP into opened$" out &&
	test "$(stat -c %a opened)" = 700 && test "$(stat -c %a opened/attachments)" = 700 &&
	test "$(stat -c %a opened/pouch.json)" = 600 &&
	test "$(stat -c %a opened/attachments/photo.jpg)" = 600 &&
	test_cmp photo.jpg opened/attachments/photo.jpg &&
	test_cmp note.txt opened/attachments/note.txt &&
	"$SYSTEM_PYTHON" - <<-\PY
	import hashlib, json
	m = json.load(open("opened/pouch.json"))
	r = json.load(open("report.json"))
	r["attachments"] = [{"name": n, "size": len(open(n, "rb").read()),
	                     "sha256": hashlib.sha256(open(n, "rb").read()).hexdigest(),
	                     "media_type": t}
	                    for n, t in (("note.txt", "text/plain"), ("photo.jpg", "image/jpeg"))]
	assert m["report"] == r, m
	PY
'

expect_success 'opening the same package again says so' '
	pouch --home met open "pk/$(cat id).pouch" -o again >out 2>msg &&
	grep -q "package $(cat id) was opened before, on 20" msg &&
	pouch --home met open "pk/$(cat id).pouch" -o again2 --json >j &&
	test "$(json_field j seen_before)" = True
'

expect_success 'without -o it opens into ./ID, and never over an existing directory' '
	id=$(cat id) && mkdir w && (cd w &&
	pouch --home ../met open "../pk/$id.pouch" >/dev/null) &&
	test -d "w/$id/attachments" &&
	must_fail 1 pouch --home met open "pk/$(cat id).pouch" -o opened &&
	error_is ".opened. exists: choose a new directory with -o"
'

expect_success 'open --json names the directory; a bad -o fails before decrypting' '
	pouch --home met open "pk/$(cat id).pouch" -o "j dir" --json >j &&
	test "$(json_field j path)" = "j dir" && test "$(json_field j sender)" = GB-NCA-CEOP &&
	must_fail 2 pouch --home met open "pk/$(cat id).pouch" -o "" &&
	error_is "invalid output directory: empty" &&
	must_fail 3 pouch --home met open "pk/$(cat id).pouch" -o nowhere/x &&
	error_is "cannot create .nowhere/x.: its parent is not a directory"
'

expect_success 'a wrong passphrase is our trouble (exit 3), not a bad package' '
	printf "right\n" >pass && printf "wrong\n" >bad && chmod 600 pass bad &&
	pouch --home locked init --agency GB-LOCK --name L --passphrase-file pass >/dev/null &&
	partners ceop locked &&
	pouch --home ceop pack --to GB-LOCK --report report.json -o pk >idl &&
	gpgconf --homedir locked/gnupg --kill gpg-agent &&
	must_fail 3 pouch --home locked open "pk/$(cat idl).pouch" -o lk --passphrase-file bad &&
	error_is "cannot use our secret key: Bad passphrase" && test ! -e lk &&
	pouch --home locked open "pk/$(cat idl).pouch" -o lk --passphrase-file pass >/dev/null &&
	test -f lk/pouch.json
'

expect_success 'the sender reopens what it sent; with --no-self it cannot' '
	pouch --home ceop open "pk/$(cat id).pouch" -o mine >/dev/null &&
	pouch --home ceop pack --to GB-MET --report report.json --no-self -o pk >id2 &&
	must_fail 1 pouch --home ceop open "pk/$(cat id2).pouch" -o mine2 &&
	error_is "package .* does not open: cannot decrypt: not encrypted to our key" &&
	test ! -e mine2
'

rm -rf met/seen opened
expect_success 'a package not addressed to us' '
	pouch --home ceop pack --to US-NCMEC --report report.json -o pk >id3 &&
	must_fail 1 pouch --home met open "pk/$(cat id3).pouch" -o opened &&
	error_is "package $(cat id3) is not addressed to GB-MET" && nothing_left
'

expect_success 'a different package reusing a seen id is a conflict' '
	pouch --home met open "pk/$(cat id).pouch" -o first >/dev/null &&
	forge ceop/gnupg conflict.pouch signer=$C encrypt_to=$M sender=GB-NCA-CEOP:$C \
		recipients=GB-MET:$M id=$(cat id) &&
	must_fail 1 pouch --home met open conflict.pouch -o opened &&
	error_is "package id $(cat id) conflicts with a different package opened before" &&
	test ! -e opened && rm -rf met/seen first
'

expect_success 'a forged package of the right shape opens (the helper is sound)' '
	forge ceop/gnupg ok.pouch signer=$C encrypt_to=$M sender=GB-NCA-CEOP:$C \
		recipients=GB-MET:$M entries="[[\"a.txt\", \"hello\"]]" &&
	pouch --home met open ok.pouch -o okdir >/dev/null &&
	test "$(cat okdir/attachments/a.txt)" = hello &&
	rm -rf met/seen
'

expect_success 'an unsigned payload' '
	forge ceop/gnupg bad.pouch signer=$C payload_signer=none encrypt_to=$M \
		sender=GB-NCA-CEOP:$C recipients=GB-MET:$M &&
	must_fail 1 pouch --home met open bad.pouch -o opened &&
	error_is "package .bad.pouch. does not open: not signed" && nothing_left
'

expect_success 'a payload signed by a different key than the header' '
	mkdir -m 700 both && cp ceop/gnupg/pubring.kbx both/ &&
	cp -r ceop/gnupg/private-keys-v1.d both/ &&
	testkeys_gpg ncmec/gnupg --armor --export-secret-keys "$N" |
		testkeys_gpg both --import &&
	forge both bad.pouch signer=$C payload_signer=$N encrypt_to=$M \
		sender=GB-NCA-CEOP:$C recipients=GB-MET:$M &&
	must_fail 1 pouch --home met open bad.pouch -o opened &&
	error_is "package .bad.pouch. does not open: the payload is signed by $N, the header \
by $C" &&
	nothing_left
'

expect_success 'surreptitious forwarding: signed content for the force, re-sent to another' '
	forge ceop/gnupg fwd.pouch signer=$C encrypt_to=$N sender=GB-NCA-CEOP:$C \
		recipients=US-NCMEC:$N manifest_recipients=GB-MET:$M &&
	must_fail 1 pouch --home ncmec open fwd.pouch -o opened &&
	error_is "package .fwd.pouch. does not open: the signed content names other recipients \
than the header" &&
	test ! -e opened
'

expect_success 'a manifest for another package id' '
	forge ceop/gnupg bad.pouch signer=$C encrypt_to=$M sender=GB-NCA-CEOP:$C \
		recipients=GB-MET:$M manifest_id=00000000-0000-4000-8000-000000000000 &&
	must_fail 1 pouch --home met open bad.pouch -o opened &&
	error_is ".* does not open: the signed content does not match the header" && nothing_left
'

expect_success 'a decompression bomb' '
	forge ceop/gnupg bomb.pouch signer=$C encrypt_to=$M sender=GB-NCA-CEOP:$C \
		recipients=GB-MET:$M zeros=50000000 compress=zlib &&
	test "$(stat -c %s bomb.pouch)" -lt 1000000 &&
	must_fail 1 pouch --home met open bomb.pouch -o opened &&
	error_is ".* does not open: the payload is compressed: pouch refuses compressed payloads" &&
	nothing_left
'

expect_success 'hostile attachment names inside the archive' '
	for entries in "[[\"../evil\", \"x\"]]" "[[\"/etc/evil\", \"x\"]]" \
		"[[\"a\\u001bb\", \"x\"]]" "[[\"a.txt\", \"x\"], [\"a.txt\", \"y\"]]" \
		"[[\"a.txt\", \"x\"], [\"A.TXT\", \"y\"]]" "[[\"!hidden\", \"x\"]]" \
		"[[\"sub/x\", \"x\"]]"; do
		forge ceop/gnupg bad.pouch signer=$C encrypt_to=$M sender=GB-NCA-CEOP:$C \
			recipients=GB-MET:$M entries="$entries" &&
		must_fail 1 pouch --home met open bad.pouch -o opened &&
		grep -q "does not open" err && nothing_left || { echo "case $entries"; exit 1; }
	done &&
	test ! -e "$TRASH/evil" && test ! -e /etc/evil
'

expect_success 'a symbolic link inside the archive' '
	forge ceop/gnupg bad.pouch signer=$C encrypt_to=$M sender=GB-NCA-CEOP:$C \
		recipients=GB-MET:$M link=l:/etc/passwd &&
	must_fail 1 pouch --home met open bad.pouch -o opened && nothing_left
'

expect_success 'a truncated or empty package' '
	head -c 2000 "pk/$(cat id).pouch" >trunc.pouch && : >empty.pouch &&
	must_fail 1 pouch --home met open trunc.pouch -o opened &&
	must_fail 1 pouch --home met open empty.pouch -o opened && nothing_left
'

test_done
