#!/bin/sh
# Issue 9 item 8, the sender's side: pack refuses attachment names that lie on screen with a
# clear error naming the file (escaped), and names that are one (case, normalisation), before
# anything is written.
. "$(dirname "$0")/lib.sh"

expect_success 'setup: a centre that packs for a force' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && partners ceop met &&
	write_report report.json && mkdir pk f
'

# pack_refuses FILE PATTERN: packing FILE is a usage error (exit 2) matching the pattern, and
# writes nothing.
pack_refuses() {
	must_fail 2 pouch --home ceop pack --to GB-MET --report report.json --attach "$1" -o pk &&
	error_is "$2" && test -z "$(ls -A pk)" &&
	! grep -q "$(printf "\342\200\256\|\342\201\246\|\342\200\213")" err
}

expect_success 'a right-to-left override: the error names the file, escaped' '
	f="f/invoice$(printf "\342\200\256")txt.exe" && echo x >"$f" &&
	pack_refuses "$f" "attachment .f/invoice\\\\xe2\\\\x80\\\\xaetxt.exe.: invalid attachment \
name .invoice\\\\xe2\\\\x80\\\\xaetxt.exe.: bidirectional, invisible and format characters are \
not allowed"
'

expect_success 'isolates, marks and invisible characters' '
	for c in "\342\201\246" "\342\201\251" "\342\200\216" "\342\200\217" "\330\234" \
		"\342\200\213" "\302\255" "\357\273\277"; do
		f="f/a$(printf "$c")b.txt" && echo x >"$f" &&
		pack_refuses "$f" "attachment .*: invalid attachment name .*: bidirectional" ||
		exit 1
	done
'

expect_success 'a leading dash, a trailing dot or space' '
	echo x >f/-rf && echo x >"f/a.exe." && echo x >"f/a.exe " && echo x >"f/ lead" &&
	pack_refuses f/-rf "attachment .f/-rf.: invalid attachment name .-rf.: it must not start \
with .-." &&
	pack_refuses "f/a.exe." "attachment .f/a.exe..: invalid attachment name .a.exe..: it \
must not end with a dot or a space" &&
	pack_refuses "f/a.exe " "attachment .f/a.exe .: invalid attachment name .a.exe .: it \
must not end with" &&
	pack_refuses "f/ lead" "attachment .f/ lead.: invalid attachment name . lead.: it must \
not start with a space"
'

expect_success 'two names that are one: precomposed and decomposed, Unicode case' '
	mkdir n1 n2 && echo 1 >"n1/$(printf "\303\251").txt" &&
	echo 2 >"n2/e$(printf "\314\201").txt" &&
	must_fail 2 pouch --home ceop pack --to GB-MET --report report.json \
		--attach n1/*.txt --attach n2/*.txt -o pk &&
	error_is "two attachments are named alike: the name of attachment .e.*\\.txt. differs \
only in case or not at all from" && test -z "$(ls -A pk)" &&
	mkdir c1 c2 && echo 1 >"c1/$(printf "\320\226").txt" &&
	echo 2 >"c2/$(printf "\320\266").txt" &&
	must_fail 2 pouch --home ceop pack --to GB-MET --report report.json \
		--attach c1/*.txt --attach c2/*.txt -o pk &&
	error_is "two attachments are named alike" && test -z "$(ls -A pk)"
'

expect_success 'ordinary names still pack' '
	echo x >"f/a-b c.txt" && echo y >f/.hidden &&
	pouch --home ceop pack --to GB-MET --report report.json --attach "f/a-b c.txt" \
		--attach f/.hidden -o pk >/dev/null && test "$(ls pk | wc -l)" = 1
'

test_done
