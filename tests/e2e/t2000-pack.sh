#!/bin/sh
# pouch pack: a report and attachments sealed for one or several partners, readable with
# stock gpg and tar by following spec/envelope.md.
. "$(dirname "$0")/lib.sh"

expect_success 'setup: a national centre and two partners' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && init_agency ncmec US-NCMEC &&
	partners ceop met && partners ceop ncmec &&
	write_report report.json dissemination urgent &&
	write_report immediate.json dissemination immediate &&
	echo "first attachment" >note.txt &&
	head -c 300000 /dev/urandom >photo.jpg
'

expect_success 'pack prints the package id and writes ID.pouch' '
	mkdir pk &&
	pouch --home ceop pack --to GB-MET --report report.json --attach note.txt \
		--attach photo.jpg --priority urgent -o pk >id &&
	id=$(cat id) &&
	echo "$id" | grep -Eq "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$" &&
	test -f "pk/$id.pouch" && test ! -e "pk/$id.pouch.pgp" &&
	test "$(ls -A pk | wc -l)" = 1
'

expect_success 'the header carries routing facts only, and its signature verifies with gpg' '
	id=$(cat id) &&
	b64_member "pk/$id.pouch" header header.json &&
	b64_member "pk/$id.pouch" signature header.sig &&
	gpg --homedir met/gnupg --verify header.sig header.json 2>log &&
	grep -q "Good signature" log &&
	"$SYSTEM_PYTHON" - header.json "$id" <<-\PY &&
	import json, sys
	h = json.load(open(sys.argv[1]))
	assert sorted(h) == sorted(["format", "id", "sender", "recipients", "created",
	                            "expires", "priority", "classification", "tlp",
	                            "content", "payload"]), h
	assert h["id"] == sys.argv[2] and h["priority"] == "urgent", h
	assert h["classification"] == "OFFICIAL" and h["tlp"] == "TLP:AMBER", h
	assert h["sender"]["agency"] == "GB-NCA-CEOP", h
	assert [r["agency"] for r in h["recipients"]] == ["GB-MET"], h
	PY
	! grep -q dissemination header.json
'

expect_success 'the payload decrypts and verifies with gpg and opens with tar' '
	id=$(cat id) &&
	b64_member "pk/$id.pouch" payload.inline payload.pgp &&
	test "$(sha256sum <payload.pgp | cut -d" " -f1)" = \
		"$("$SYSTEM_PYTHON" -c \
"import json; print(json.load(open(\"header.json\"))[\"payload\"][\"sha256\"])")" &&
	gpg --homedir met/gnupg --batch --decrypt payload.pgp >content.tar 2>log &&
	grep -q "Good signature" log &&
	tar -tf content.tar >names &&
	printf "pouch.json\nattachments/note.txt\nattachments/photo.jpg\n" >expect &&
	test_cmp expect names &&
	mkdir x && tar -xf content.tar -C x &&
	test_cmp photo.jpg x/attachments/photo.jpg &&
	"$SYSTEM_PYTHON" -c "import json; m=json.load(open(\"x/pouch.json\")); \
		assert m[\"report\"][\"header\"][\"title\"] == \"dissemination\", m; \
		assert [a[\"name\"] for a in m[\"attachments\"]] == [\"note.txt\", \"photo.jpg\"]"
'

expect_success 'the sender can decrypt its own package, unless --no-self' '
	id=$(cat id) &&
	gpg --homedir ceop/gnupg --batch --decrypt payload.pgp >/dev/null 2>&1 &&
	pouch --home ceop pack --to GB-MET --report report.json --no-self -o pk >id2 &&
	b64_member "pk/$(cat id2).pouch" payload.inline self.pgp &&
	! gpg --homedir ceop/gnupg --batch --decrypt self.pgp >/dev/null 2>&1
'

expect_success 'a package for several recipients opens for each' '
	pouch --home ceop pack --to GB-MET,US-NCMEC --report report.json -o pk >id3 &&
	b64_member "pk/$(cat id3).pouch" payload.inline multi.pgp &&
	gpg --homedir met/gnupg --batch --decrypt multi.pgp >/dev/null 2>&1 &&
	gpg --homedir ncmec/gnupg --batch --decrypt multi.pgp >/dev/null 2>&1
'

expect_success 'pack --json prints the id as JSON' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk --json >j &&
	test "$(json_field j id)" != ""
'

expect_success 'a payload over 8 MiB travels detached beside the envelope' '
	head -c 9000000 /dev/urandom >big.bin && mkdir big &&
	pouch --home ceop pack --to GB-MET --report report.json --attach big.bin -o big >idb &&
	id=$(cat idb) && test -f "big/$id.pouch" && test -f "big/$id.pouch.pgp" &&
	"$SYSTEM_PYTHON" -c "import json,sys; e=json.load(open(\"big/$id.pouch\")); \
		assert e[\"payload\"] == {\"detached\": \"$id.pouch.pgp\"}, e[\"payload\"]" &&
	gpg --homedir met/gnupg --batch --decrypt "big/$id.pouch.pgp" 2>/dev/null |
		tar -xOf - attachments/big.bin | cmp - big.bin
'

expect_success 'an immediate package reminds the sender to phone as well' '
	pouch --home ceop pack --to GB-MET --report immediate.json --priority immediate -o pk \
		>/dev/null 2>msg &&
	grep -q "also phone the recipient.s 24/7 contact" msg
'

expect_success 'bad input is refused and leaves no file behind' '
	mkdir empty &&
	must_fail 2 pouch --home ceop pack --to GB-MET --report missing.json -o empty &&
	error_is "cannot open .missing.json." &&
	echo "[1]" >list.json &&
	must_fail 2 pouch --home ceop pack --to GB-MET --report list.json -o empty &&
	error_is "report .list.json. is not a JSON object" &&
	printf "{\"a\": 1, \"a\": 2}" >dup.json &&
	must_fail 2 pouch --home ceop pack --to GB-MET --report dup.json -o empty &&
	must_fail 2 pouch --home ceop pack --to GB-NONE --report report.json -o empty &&
	error_is "no partner .GB-NONE. in the directory" &&
	must_fail 2 pouch --home ceop pack --to gb_met --report report.json -o empty &&
	must_fail 2 pouch --home ceop pack --to GB-MET,GB-MET --report report.json -o empty &&
	must_fail 2 pouch --home ceop pack --to GB-MET, --report report.json -o empty &&
	error_is "invalid agency code ..: use 2 to 32" &&
	must_fail 2 pouch --home ceop pack --to GB-MET --report report.json --priority high \
		-o empty &&
	error_is "invalid priority .high." &&
	mkdir d2 && cp note.txt d2/ &&
	must_fail 2 pouch --home ceop pack --to GB-MET --report report.json --attach note.txt \
		--attach d2/note.txt -o empty &&
	error_is "two attachments are named .note.txt." &&
	must_fail 2 pouch --home ceop pack --to GB-MET --report report.json --attach nope -o empty &&
	must_fail 2 pouch --home ceop pack --report report.json -o empty &&
	test -z "$(ls -A empty)"
'

test_done
