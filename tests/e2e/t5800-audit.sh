#!/bin/sh
# pouch audit: pack, verify and open leave hash-chained entries (never report contents), the
# signing commands add checkpoints, 'audit verify' names the first broken entry, 'audit show'
# lists the trail, and a command whose entry cannot be written fails without acting.
. "$(dirname "$0")/lib.sh"

forge() { "$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/forge-package.py" "$@"; }
fpr() { pouch --home "$1" whoami --json >.w.json && json_field .w.json fingerprint; }
# py SCRIPT ARGS...: a short Python check or edit.
py() {
	_s=$1
	shift
	"$SYSTEM_PYTHON" -c "$_s" "$@"
}
# last_events HOME N: the events of the last N entries, space separated.
last_events() {
	pouch --home "$1" audit show --json >.s.json &&
	py 'import json, sys; print(" ".join(e["event"] for e in
	json.load(open(".s.json"))[-int(sys.argv[1]):]))' "$2"
}
# edit_line HOME N PYTHON_EXPR: replaces line N of HOME's audit.log by the expression's value
# (l is the line as text).
edit_line() {
	py 'import sys
p = sys.argv[1] + "/audit.log"; n = int(sys.argv[2]) - 1
lines = open(p).read().split("\n")
l = lines[n]; lines[n] = eval(sys.argv[3])
open(p, "w").write("\n".join(lines))' "$@"
}

expect_success 'setup: a centre and a force; a report and an attachment with markers' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && partners ceop met &&
	# The trails start empty here: t7030 tests the entries of these changes of trust.
	rm -f ceop/audit.log ceop/audit.head met/audit.log met/audit.head &&
	write_report report.json MARKER-REPORT-5c1e &&
	echo "MARKER-ATTACH-77d0" >MARKER-NAME-a41f.txt && mkdir pk &&
	C=$(fpr ceop) && M=$(fpr met) && echo "C=$C M=$M" >fprs
'
. ./fprs 2>/dev/null || true

expect_success 'an empty trail verifies as empty and shows nothing' '
	pouch --home met audit verify >out && test "$(cat out)" = "audit trail empty: no entries" &&
	pouch --home met audit show >out && test ! -s out &&
	pouch --home met audit show --json >out && test "$(cat out)" = "[]" &&
	pouch --home met audit verify --json >out &&
	py "import json; r = json.load(open(\"out\")); assert r == {\"intact\": True, \
\"entries\": 0, \"checkpoints\": 0, \"last_checkpoint\": None, \"uncovered\": 0, \
\"head\": None, \"broken\": None}, r"
'

expect_success 'pack records the package, then a checkpoint signs the chain' '
	pouch --home ceop pack --to GB-MET --report report.json --attach MARKER-NAME-a41f.txt \
		-o pk >id &&
	test "$(last_events ceop 9)" = "pack checkpoint" &&
	test "$(stat -c %a ceop/audit.log)" = 600 &&
	py "import json, hashlib, sys
e = json.load(open(\".s.json\"))
p = e[0]; c = e[1]
d = hashlib.sha256(open(\"pk/\" + sys.argv[1] + \".pouch\", \"rb\").read()).hexdigest()
assert p[\"seq\"] == 1 and p[\"id\"] == sys.argv[1] and p[\"agency\"] == \"GB-MET\", p
assert p[\"digest\"] == d and p[\"prev\"] == \"0\" * 64, p
assert c[\"seq\"] == 2 and c[\"head_seq\"] == 1 and c[\"signer\"] == sys.argv[2], c
assert c[\"head\"] == c[\"prev\"] == hashlib.sha256(open(\"ceop/audit.log\", \"rb\").read() \
.split(b\"\\n\")[0]).hexdigest(), c" "$(cat id)" "$C"
'

expect_success 'verify records the good verdict, and adds no checkpoint (no private key)' '
	pouch --home met verify "pk/$(cat id).pouch" >/dev/null &&
	test "$(last_events met 9)" = "verify" &&
	py "import json, sys
e = json.load(open(\".s.json\"))[-1]
assert e[\"verdict\"] == \"good\" and e[\"id\"] == sys.argv[1], e
assert e[\"agency\"] == \"GB-NCA-CEOP\" and len(e[\"digest\"]) == 64, e" "$(cat id)"
'

expect_success 'a bad verdict is recorded too, with its reason but not the path' '
	head -c 100 "pk/$(cat id).pouch" >MARKER-PATH-0b9e.pouch &&
	must_fail 1 pouch --home met verify MARKER-PATH-0b9e.pouch &&
	error_is ".MARKER-PATH-0b9e.pouch. is not a valid package" &&
	test "$(last_events met 1)" = "verify" &&
	py "import json
e = json.load(open(\".s.json\"))[-1]
assert e[\"verdict\"] == \"bad\" and \"id\" not in e, e
assert e[\"reason\"].startswith(\"'\''...'\'' is not a valid package: \"), e"
'

expect_success 'open records the opening and a checkpoint' '
	pouch --home met open "pk/$(cat id).pouch" -o opened >/dev/null &&
	test "$(last_events met 2)" = "open checkpoint" &&
	py "import json
e = json.load(open(\".s.json\"))[-2]
assert e[\"verdict\"] == \"opened\" and e[\"agency\"] == \"GB-NCA-CEOP\", e"
'

expect_success 'a refused open is recorded, a hostile name in its reason left out' '
	forge ceop/gnupg hostile.pouch signer=$C encrypt_to=$M sender=GB-NCA-CEOP:$C \
		recipients=GB-MET:$M link=MARKER-LINK-3e8a:/etc/passwd &&
	must_fail 1 pouch --home met open hostile.pouch -o opened2 &&
	grep -q MARKER-LINK-3e8a err &&
	test "$(last_events met 2)" = "open checkpoint" &&
	py "import json
e = json.load(open(\".s.json\"))[-2]
assert e[\"verdict\"] == \"refused\" and e[\"reason\"], e"
'

expect_success 'no report content, attachment, name or path appears in either trail' '
	for m in MARKER-REPORT-5c1e MARKER-ATTACH-77d0 MARKER-NAME-a41f MARKER-PATH-0b9e \
		MARKER-LINK-3e8a title pk/; do
		! grep -q "$m" ceop/audit.log met/audit.log || { echo "found $m"; exit 1; }
	done
'

expect_success 'audit verify: both trails intact, every entry signed' '
	pouch --home ceop audit verify >out &&
	test "$(cat out)" = "audit trail intact: 2 entries, 1 checkpoint, last checkpoint at \
entry 2 (every entry signed)" &&
	pouch --home met verify "pk/$(cat id).pouch" >/dev/null &&
	pouch --home met audit verify >out &&
	test "$(cat out)" = "audit trail intact: 7 entries, 2 checkpoints, last checkpoint at \
entry 6 (1 entry after it not yet signed)" &&
	pouch --home met audit verify --json >out &&
	py "import json; r = json.load(open(\"out\")); assert r == {\"intact\": True, \
\"entries\": 7, \"checkpoints\": 2, \"last_checkpoint\": 6, \"uncovered\": 1, \"head\": 6, \
\"broken\": None}, r"
'

expect_success 'audit show: one row per entry; --json is an array of the entries as logged' '
	pouch --home met audit show >out &&
	test "$(wc -l <out)" = 7 &&
	grep -Eq "^ +3 20[0-9-]+T[0-9:]+Z open +$(cat id) GB-NCA-CEOP +opened$" out &&
	grep -Eq "^ +4 .* checkpoint +- +- +-$" out &&
	pouch --home met audit show --json >out && test "$(wc -l <out)" = 1 &&
	py "import json
allowed = {\"seq\", \"time\", \"event\", \"prev\", \"id\", \"agency\", \"digest\", \
\"verdict\", \"reason\", \"endpoint\", \"head_seq\", \"head\", \"signer\", \"signature\"}
e = json.load(open(\"out\"))
assert isinstance(e, list) and [x[\"seq\"] for x in e] == list(range(1, 8)), e
assert all(set(x) <= allowed and {\"seq\", \"time\", \"event\", \"prev\"} <= set(x) \
for x in e), e
assert open(\"met/audit.log\").read().split(\"\\n\")[:7] == \
[json.dumps(x, separators=(\",\", \":\")) for x in e]"
'

expect_success 'audit show escapes control bytes from the log' '
	cp met/audit.log saved.log && cp met/audit.head saved.head &&
	py "import hashlib, json
p = \"met/audit.log\"; last = open(p).read().split(\"\\n\")[-2]
e = {\"seq\": 8, \"time\": \"2026-01-01T00:00:00Z\", \"event\": \"pull\",
     \"prev\": hashlib.sha256(last.encode()).hexdigest(), \"agency\": \"\\u001b[31mX\"}
open(p, \"a\").write(json.dumps(e, separators=(\",\", \":\")) + \"\\n\")" &&
	pouch --home met audit verify >/dev/null &&
	pouch --home met audit show >out &&
	grep -q "pull .*\\\\x1b\\[31mX" out && ! grep -q "$(printf "\033")" out &&
	cp saved.log met/audit.log
'

expect_success 'an edited entry: verify names the entry after it (exit 1)' '
	edit_line met 2 "l.replace(\"\\\"bad\\\"\", \"\\\"good\\\"\")" &&
	must_fail 1 pouch --home met audit verify &&
	error_is "audit trail broken at entry 3: prev hash does not match entry 2" &&
	test ! -s out &&
	must_fail 1 pouch --home met audit verify --json &&
	py "import json; r, e = [json.loads(l) for l in open(\"out\")]; \
assert r[\"intact\"] is False and \
r[\"broken\"] == {\"entry\": 3, \"reason\": \"prev hash does not match entry 2\"} and \
r[\"entries\"] == 2, r; assert e[\"error\"][\"code\"] == \"not_genuine\", e" &&
	cp saved.log met/audit.log && pouch --home met audit verify >/dev/null
'

expect_success 'a deleted entry, and lines that are not strict JSON, are named' '
	sed -i 2d met/audit.log &&
	must_fail 1 pouch --home met audit verify &&
	error_is "audit trail broken at entry 2: its seq is 3, expected 2 \(entries missing or \
out of order\)" &&
	cp saved.log met/audit.log &&
	edit_line met 3 "l[:-1] + \",\\\"seq\\\":3}\"" &&
	must_fail 1 pouch --home met audit verify &&
	error_is "audit trail broken at entry 3: it is not valid JSON: duplicate object key" &&
	cp saved.log met/audit.log &&
	edit_line met 1 "l.replace(\"\\\"time\\\"\", \"\\\"when\\\"\")" &&
	must_fail 1 pouch --home met audit verify &&
	error_is "audit trail broken at entry 1: unknown field .when." &&
	must_fail 1 pouch --home met audit show &&
	error_is "audit trail broken at entry 1: unknown field .when." &&
	cp saved.log met/audit.log
'

expect_success 'a forged checkpoint signature is named' '
	edit_line met 6 "l[:-20] + (\"A\" if l[-20] != \"A\" else \"B\") + l[-19:]" &&
	must_fail 1 pouch --home met audit verify &&
	error_is "audit trail broken at entry 6: (bad checkpoint signature|field .signature. is \
not base64)" &&
	cp saved.log met/audit.log
'

expect_success 'a trail cut below the signed head: entries removed' '
	head -n 4 saved.log >met/audit.log &&
	must_fail 1 pouch --home met audit verify &&
	error_is "audit trail broken at entry 5: the log ends at entry 4 but audit.head names \
checkpoint 6 \(entries removed\)" &&
	rm met/audit.log &&
	must_fail 1 pouch --home met audit verify &&
	error_is "audit trail broken at entry 1: the log is missing or empty but audit.head \
names checkpoint 6" &&
	cp saved.log met/audit.log && pouch --home met audit verify >/dev/null
'

expect_success 'no record, no action: pack leaves no package, verify prints no verdict' '
	mv ceop/audit.log ceop/real.log && ln -s real.log ceop/audit.log && mkdir pk2 &&
	must_fail 3 pouch --home ceop pack --to GB-MET --report report.json -o pk2 &&
	error_is "cannot append to the audit trail .*/ceop/audit.log.: " &&
	test -z "$(ls -A pk2)" &&
	must_fail 3 pouch --home ceop verify "pk/$(cat id).pouch" &&
	test ! -s out && error_is "cannot append to the audit trail " &&
	printf "junk\n" >ceop/junk.log && rm ceop/audit.log && mv ceop/junk.log ceop/audit.log &&
	must_fail 3 pouch --home ceop open "pk/$(cat id).pouch" -o mine &&
	test ! -e mine &&
	grep -q "^pouch: cannot append to the audit trail .*its last line is not an audit entry" err &&
	mv ceop/real.log ceop/audit.log && pouch --home ceop audit verify >/dev/null
'

expect_success 'a key with a passphrase: pack signs its checkpoint with it, verify adds none' '
	printf "right\n" >pass && chmod 600 pass &&
	pouch --home locked init --agency GB-LOCK --name L --passphrase-file pass >/dev/null &&
	partners locked met && gpgconf --homedir locked/gnupg --kill gpg-agent &&
	rm -f locked/audit.log locked/audit.head &&
	pouch --home locked pack --to GB-MET --report report.json -o pk --passphrase-file pass \
		>idl &&
	test "$(last_events locked 9)" = "pack checkpoint" &&
	gpgconf --homedir locked/gnupg --kill gpg-agent &&
	pouch --home locked verify "pk/$(cat idl).pouch" >/dev/null &&
	test "$(last_events locked 9)" = "pack checkpoint verify"
'

expect_success 'concurrent pouch processes append one chain' '
	for i in 1 2 3 4; do
		(for j in 1 2 3; do pouch --home met verify "pk/$(cat id).pouch" >/dev/null ||
			exit 1; done) &
	done; wait &&
	pouch --home met audit verify >out &&
	grep -q "^audit trail intact: 20 entries, 2 checkpoints" out
'

expect_success 'usage: pouch audit lists its commands; usage errors are not recorded' '
	cp met/audit.log before.log &&
	must_fail 2 pouch --home met open nothing.pouch -o x &&
	must_fail 2 pouch --home met verify nothing.pouch &&
	test_cmp before.log met/audit.log &&
	must_fail 2 pouch --home met audit && grep -q "audit verify" err &&
	pouch audit verify --help >out && grep -q "usage: pouch audit verify" out &&
	must_fail 2 pouch --home met audit show extra &&
	grep -q "unexpected argument .extra." err
'

test_done
