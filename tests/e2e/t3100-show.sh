#!/bin/sh
# pouch show: an opened package's report for a person. The markings banner first, then the
# conditions, then the priority (immediate boxed, with the reminder to phone); grades spelled
# out in each scheme; hostile report text and paths never reach the terminal raw; attachments
# held to their files (a mismatch refused); the package found by directory, pouch.json or id;
# --json validates; the showing is recorded in the audit trail without the report's content.
. "$(dirname "$0")/lib.sh"

# edit_report IN OUT PYTHON: OUT is the report IN with r changed by PYTHON.
edit_report() {
	"$SYSTEM_PYTHON" -c "import json, sys
r = json.load(open(sys.argv[1]))
$3
json.dump(r, open(sys.argv[2], \"w\"))" "$1" "$2"
}
# send NAME REPORT [ATTACHMENT...]: ceop packs REPORT for met, met opens it into NAME.
send() {
	_n=$1 _r=$2
	shift 2
	_a=
	for _f in "$@"; do _a="$_a --attach $_f"; done
	# shellcheck disable=SC2086
	pouch --home ceop pack --to GB-MET --report "$_r" $_a -o pk >"$_n.id" 2>/dev/null &&
	pouch --home met open "pk/$(cat "$_n.id").pouch" -o "$_n" >/dev/null
}
# safe FILE: FILE is safe on a terminal (tests/e2e/show-check.py).
safe() {
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/show-check.py" "$1"
}
# line_of PATTERN: the number of the first line of out matching the extended regex.
line_of() {
	grep -En -- "$1" out | head -n 1 | cut -d: -f1
}

expect_success 'setup: a centre and a force, partners; a report with conditions' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && partners ceop met &&
	mkdir pk && echo "a note" >note.txt && write_report plain.json "Plain title" &&
	edit_report plain.json cond.json "
r[\"handling\"][\"codes\"] = [\"C\"]
r[\"handling\"][\"conditions\"] = \"Not for court. Safeguarding only.\"
r[\"handling\"][\"classification\"][\"caveats\"] = [\"UK EYES ONLY\"]" &&
	send cond cond.json note.txt
'

expect_success 'the banner comes first, then the conditions, the priority, the header, items' '
	pouch --home met show cond >out &&
	test "$(sed -n 1p out)" = "$(printf "%072d" 0 | tr 0 =)" &&
	test "$(sed -n 2p out)" = "OFFICIAL-SENSITIVE  UK EYES ONLY" &&
	test "$(sed -n 3p out)" = "TLP:AMBER: the recipient'"'"'s organisation and its clients" &&
	test "$(sed -n 4p out)" = \
		"Handling code C (UK 3x5x2): lawful sharing permitted subject to conditions" &&
	c=$(line_of "^CONDITIONS") && p=$(line_of "^PRIORITY: routine") &&
	t=$(line_of "^Title +Plain title$") && i=$(line_of "^INTELLIGENCE ITEMS") &&
	a=$(line_of "^ATTACHMENTS \(1;") &&
	test "$c" = 7 && test "$p" -gt "$c" && test "$t" -gt "$p" && test "$i" -gt "$t" &&
	test "$a" -gt "$i" &&
	test "$(sed -n 8p out)" = "    Not for court. Safeguarding only." &&
	grep -q "^  - note.txt, 7 bytes, text/plain$" out &&
	grep -q "^    sha256 *$(sha256sum <note.txt | cut -c1-64)$" out && safe out
'

expect_success 'the package by its directory, its pouch.json, and its id (./ID, as open does)' '
	pouch --home met show cond >dir.out &&
	pouch --home met show cond/pouch.json >file.out && test_cmp dir.out file.out &&
	id=$(cat cond.id) && pouch --home met open "pk/$id.pouch" >/dev/null 2>&1 &&
	pouch --home met show "$id" >id.out && grep -q "^Package  *$id from GB-NCA-CEOP, in $id$" id.out &&
	mkdir elsewhere && (cd elsewhere && must_fail 2 pouch --home ../met show "$id") &&
	mv elsewhere/err err &&
	error_is "package $id was opened, but not into ./$id" &&
	(cd elsewhere && must_fail 2 pouch --home ../ceop show "$id") && mv elsewhere/err err &&
	error_is "no package .$id. was opened in this home" &&
	must_fail 2 pouch --home met show no-such-dir &&
	error_is "no package .no-such-dir. was opened"
'

expect_success 'usage errors: no argument, two, standard input' '
	must_fail 2 pouch --home met show && must_fail 2 pouch --home met show cond cond &&
	must_fail 2 pouch --home met show - && grep -q "not standard input" err
'

expect_success 'immediate: boxed, upper case, reason, respond-by, 24/7 contact, phone reminder' '
	write_report imm.json "Child at risk" immediate && send imm imm.json &&
	pouch --home met show imm >out && safe out &&
	box=$(printf "%072d" 0 | tr 0 !) && p=$(line_of "^!! PRIORITY: IMMEDIATE") &&
	test "$(sed -n "$((p - 1))p" out)" = "$box" &&
	test "$p" -gt "$(line_of "^CONDITIONS")" && test "$p" -lt "$(line_of "^Reference")" &&
	grep -q "^!! REASON: *test: a child believed at risk$" out &&
	grep -q "^!! RESPOND BY: *2099-01-01T00:00:00Z$" out &&
	grep -q "^!! 24/7 CONTACT: *+441632960000$" out &&
	grep -q "^!! PHONE THE 24/7 CONTACT NOW" out &&
	test "$(grep -c "^$box$" out)" = 2 &&
	pouch --home met show cond >out && ! grep -q "^!!" out
'

expect_success 'grades and handling codes spelled out in each of the three schemes' '
	edit_report plain.json g3.json "
r[\"items\"] = [{\"n\": 1, \"text\": \"x\", \"grade\": {\"source\": \"2\", \"intelligence\": \"B\"}},
              {\"n\": 2, \"kind\": \"provenance\", \"text\": \"y\",
               \"grade\": {\"source\": \"3\", \"intelligence\": \"E\"}}]" &&
	edit_report plain.json g5.json "
h = r[\"handling\"]; h[\"scheme\"] = \"uk-5x5x5\"; h[\"codes\"] = [\"4\"]
r[\"items\"][0][\"grade\"] = {\"source\": \"E\", \"intelligence\": \"4\"}" &&
	edit_report plain.json g4.json "
h = r[\"handling\"]; h[\"scheme\"] = \"europol-4x4\"; h[\"codes\"] = [\"H0\", \"H2\"]
r[\"items\"][0][\"grade\"] = {\"source\": \"X\", \"accuracy\": \"3\"}" &&
	send g3 g3.json && send g5 g5.json && send g4 g4.json &&
	pouch --home met show g3 >out &&
	grep -q "^  1\. grade 2B (UK 3x5x2): 2 untested source / B known indirectly, corroborated$" out &&
	grep -q "^  2\. \[provenance\] grade 3E (UK 3x5x2): 3 not reliable source / E suspected to be false$" out &&
	grep -q "^Handling code P (UK 3x5x2): lawful sharing permitted$" out &&
	pouch --home met show g5 >out &&
	grep -q "^  1\. grade E4 (UK 5x5x5 (legacy)): E untested source / 4 cannot be judged$" out &&
	grep -q "^Handling code 4 (UK 5x5x5 (legacy)): originating agency only$" out &&
	pouch --home met show g4 >out &&
	grep -q "^  1\. grade X3 (Europol 4x4): X source cannot be assessed / 3 not known personally to the source but corroborated$" out &&
	grep -q "^Handling code H0 (Europol 4x4): only for preventing and combating crime$" out &&
	grep -q "^Handling code H2 (Europol 4x4): not to be disseminated without the provider.s permission$" out
'

expect_success 'persons, media (never viewed by the provider), actions, offences' '
	edit_report plain.json full.json "
r[\"offences\"] = [{\"type\": \"online-enticement\", \"annotations\": [\"sextortion\"]}]
r[\"persons\"] = [{\"role\": \"victim\", \"approx_age\": 13, \"victim\": {\"identified\": False},
                  \"accounts\": [{\"service\": \"chat\", \"screen_names\": [\"kid13\"]}]},
                 {\"role\": \"suspect\", \"risk_flags\": [\"access-to-children\"],
                  \"ip_events\": [{\"address\": \"192.0.2.7\", \"port\": 443, \"event\": \"login\",
                                  \"time\": \"2026-11-01T09:00:00Z\"}],
                  \"device_ids\": [{\"type\": \"imei\", \"value\": \"490154203237518\"}]}]
r[\"media\"] = [{\"hashes\": {\"md5\": \"0\" * 32}, \"viewed_by_provider\": False,
                \"categories\": [{\"scheme\": \"project-vic\", \"code\": \"1\"}]}]
r[\"actions\"] = [{\"action\": \"safeguarding-visit\", \"due\": \"2026-12-08T12:00:00Z\"}]" &&
	send full full.json && pouch --home met show full >out && safe out &&
	grep -q "^  - online-enticement (sextortion)$" out &&
	grep -q "^  \[1\] VICTIM$" out && grep -q "^    victim  *NOT identified$" out &&
	grep -q "^    age  *about 13$" out && grep -q "^        screen names  *kid13$" out &&
	grep -q "^  \[2\] SUSPECT$" out && grep -q "^    RISK  *ACCESS TO CHILDREN$" out &&
	grep -q "^    IP event  *login 192.0.2.7 port 443 at 2026-11-01T09:00:00Z$" out &&
	grep -q "^    device  *imei 490154203237518$" out &&
	grep -q "^    NEVER VIEWED BY THE PROVIDER" out &&
	grep -q "^    categories  *project-vic:1$" out &&
	grep -q "^  - safeguarding-visit, due 2026-12-08T12:00:00Z$" out
'

expect_success 'hostile text: control characters, escapes, bidi, invisibles never reach the terminal' '
	edit_report plain.json hostile.json "
esc = chr(27)
r[\"header\"][\"title\"] = \"T\" + esc + \"[2J\" + esc + \"]0;owned\" + chr(7) + \"\\r\\nX\" + chr(0x9b) + \"31m\"
r[\"handling\"][\"codes\"] = [\"C\"]
r[\"handling\"][\"conditions\"] = \"keep\" + chr(0x202e) + \"evil\" + chr(0x2066) + chr(0x200b) + chr(0x2028) + chr(0x200f) + chr(0x61c) + \"\\nsecond line\\r\" + chr(0x7f) + chr(0xfeff) + \"\\\\x1b\"
r[\"items\"][0][\"text\"] = \"line one\\nline two\\tend \" + \"L\" * 20000
r[\"header\"][\"originator\"][\"unit\"] = chr(0xe0041) + chr(0x85) + \"u\"
r[\"header\"][\"external_references\"] = [{\"scheme\": \"other\", \"value\": esc + \"P\" + esc + chr(0x5c)}]" &&
	send hostile hostile.json && pouch --home met show hostile >out && safe out &&
	! LC_ALL=C grep -q "$(printf "\033")" out &&
	grep -qF "Title           T\\x1b[2J\\x1b]0;owned\\x07\\x0d\\x0aX\\u009b31m" out &&
	grep -qF "    keep\\u202eevil\\u2066\\u200b\\u2028\\u200f\\u061c" out &&
	grep -qxF "    second line\\x0d\\x7f\\ufeff\\\\x1b" out &&
	grep -qxF "    line two\\x09end $("$SYSTEM_PYTHON" -c "print(\"L\" * 20000)")" out &&
	grep -qF "unit            \\U000e0041\\u0085u" out &&
	grep -qF "other: \\x1bP\\x1b\\\\" out &&
	test "$(sed -n 2p out)" = "OFFICIAL-SENSITIVE" && test "$(sed -n 5p out)" = "$(sed -n 1p out)"
'

expect_success 'hostile path: the directory name is escaped too (invalid UTF-8, ESC)' '
	bad=$(printf "d\033[31m\377") && cp -Rp cond "$bad" &&
	pouch --home met show "$bad" >out && safe out &&
	grep -qF "in d\\x1b[31m\\xff" out &&
	must_fail 1 pouch --home met show "$bad/attachments/note.txt" && safe err
'

expect_success 'attachments held to their files: changed, resized, missing, extra, a link' '
	cp -Rp cond c1 && printf "a nose\n" >c1/attachments/note.txt &&
	must_fail 1 pouch --home met show c1 &&
	error_is "attachment .note.txt. in .c1. does not match the package: its SHA-256 differs$" &&
	test ! -s out &&
	cp -Rp cond c2 && echo more >>c2/attachments/note.txt && must_fail 1 pouch --home met show c2 &&
	error_is "attachment .note.txt. in .c2. does not match the package: 12 bytes, the package lists 7$" &&
	cp -Rp cond c3 && rm c3/attachments/note.txt && must_fail 1 pouch --home met show c3 &&
	error_is "attachment .note.txt. is missing from .c3.$" &&
	cp -Rp cond c4 && echo x >c4/attachments/extra && must_fail 1 pouch --home met show c4 &&
	error_is ".c4/attachments. holds .extra., which the package does not list$" &&
	cp -Rp cond c5 && mv c5/attachments/note.txt c5/n && ln -s ../n c5/attachments/note.txt &&
	must_fail 1 pouch --home met show c5 && error_is "attachment .note.txt. in .c5. cannot be read as a regular file$"
'

expect_success 'a pouch.json or report that is not an opened package'"'"'s is refused' '
	cp -Rp cond r1 && edit_report cond/pouch.json r1/pouch.json "r[\"report\"][\"handling\"][\"tlp\"] = \"TLP:PURPLE\"" &&
	must_fail 1 pouch --home met show r1 && error_is "the report in .r1/pouch.json. is not valid: handling.tlp" &&
	cp -Rp cond r2 && edit_report cond/pouch.json r2/pouch.json "r[\"report\"][\"handling\"][\"tlp\"] = \"TLP:CLEAR\"" &&
	must_fail 1 pouch --home met show r2 && error_is "the report in .r2/pouch.json. does not show the priority, classification and TLP" &&
	cp -Rp cond r3 && edit_report cond/pouch.json r3/pouch.json "r[\"report\"][\"attachments\"][0][\"size\"] = 8" &&
	must_fail 1 pouch --home met show r3 && error_is "the report in .r3/pouch.json. does not list its attachments" &&
	mkdir r4 && must_fail 1 pouch --home met show r4 && error_is ".r4. is not an opened package: it holds no pouch.json$" &&
	must_fail 1 pouch --home met show plain.json && error_is ".plain.json. is not the pouch.json of an opened package$" &&
	printf "{\"a\":1,\"a\":2}" >dup.json && must_fail 1 pouch --home met show dup.json
'

expect_success '--json: the report and what show derived, valid against its schema' '
	pouch --home met show g4 --json >out &&
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/check-json-output.py" "$SRC_DIR/spec" show 0 out &&
	"$SYSTEM_PYTHON" -c "import json, sys
j = json.load(open(\"out\")); d = j[\"derived\"]
assert j[\"report\"][\"handling\"][\"scheme\"] == \"europol-4x4\", j
assert d[\"grades\"] == [{\"n\": 1, \"grade\": \"X3\", \"meaning\": \"X source cannot be assessed / 3 not known personally to the source but corroborated\"}], d
assert [c[\"code\"] for c in d[\"codes\"]] == [\"H0\", \"H2\"] and d[\"immediate\"] is False, d" &&
	pouch --home met show cond --json >out &&
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/check-json-output.py" "$SRC_DIR/spec" show 0 out &&
	test "$(sed "s/.*\"attachments\":\[{\"name\":\"note.txt\",\"matches\":true}\].*/ok/" out)" = ok &&
	pouch --home met show imm --json >out && grep -q "\"immediate\":true" out &&
	must_fail 1 pouch --home met show c1 --json &&
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/check-json-output.py" "$SRC_DIR/spec" show 1 out
'

expect_success 'the audit trail records each showing, never the report'"'"'s content' '
	pouch --home met audit show --json >audit.json &&
	"$SYSTEM_PYTHON" -c "import json
e = [x for x in json.load(open(\"audit.json\")) if x[\"event\"] == \"conditions-shown\"]
ids = {x[\"id\"] for x in e}
assert open(\"cond.id\").read().strip() in ids, e
assert {x[\"agency\"] for x in e} == {\"GB-NCA-CEOP\"}, e
assert {x[\"verdict\"] for x in e} == {\"displayed\", \"exported\"}, e" &&
	! grep -q "Safeguarding only\|Plain title\|owned" met/audit.log &&
	pouch --home met audit verify >/dev/null &&
	n=$(grep -c conditions-shown met/audit.log) &&
	must_fail 1 pouch --home met show c1 && test "$(grep -c conditions-shown met/audit.log)" = "$n"
'

expect_success 'no record, no showing: an audit trail that cannot be written shows nothing' '
	printf "not an entry" >>met/audit.log &&
	must_fail 3 pouch --home met show cond && test ! -s out &&
	grep -q "cannot append to the audit trail" err
'

test_done
