#!/bin/sh
# spec/vectors: every test vector behaves as its expected file says, at a GB-VEC-RECIPIENT set
# up from the committed keys alone; valid envelopes, headers and content match the schema.
. "$(dirname "$0")/lib.sh"

VEC=$SRC_DIR/spec/vectors
SCHEMA=$SRC_DIR/spec/envelope.schema.json
# check_def DEF FILE...: FILEs against $defs/DEF of the envelope schema ("-": the whole).
check_def() { pyrun "$SRC_DIR/tests/e2e/check-envelope-schema.py" "$SCHEMA" "$@"; }
# edit_json IN OUT PYTHON: rewrites JSON file IN to OUT with its value j changed by PYTHON.
edit_json() {
	"$SYSTEM_PYTHON" -c "import base64, json, sys
j = json.load(open(sys.argv[1]))
$3
json.dump(j, open(sys.argv[2], 'w'))" "$1" "$2"
}

# error_has TEXT: ./err is one line "pouch: ..." holding TEXT (a fixed string).
error_has() {
	if [ "$(wc -l <err)" -ne 1 ] || ! grep -q '^pouch: ' err || ! grep -qF -- "$1" err; then
		echo "expected one error line holding '$1', got:" >&2
		cat err >&2
		return 1
	fi
}

# check_vector DIR KIND: runs each line of DIR/expected against the home r, on a copy of DIR
# (the messages then name no vector path), each from a clean state: no seen records, no output
# directory. A valid vector starts "verify good" and has no "bad" line; an invalid one has one.
check_vector() {
	_pkg=v/package.pouch
	case $2 in
	valid) head -n 1 "$1/expected" | grep -qx "verify good" && ! grep -q " bad" "$1/expected" ;;
	*) grep -q "^[a-z]* bad: ." "$1/expected" ;;
	esac || { echo "$1/expected does not suit the $2 vectors" >&2; return 1; }
	rm -rf v && cp -r "$1" v || return 1
	grep -qF -- "\`$(basename "$1")\`" "$VEC/README.md" ||
		{ echo "README.md does not list $(basename "$1")" >&2; return 1; }
	while IFS= read -r _line; do
		rm -rf r/seen opened
		case $_line in
		"verify good")
			pouch --home r verify "$_pkg" >out &&
			grep -q "^good package [0-9a-f-]* from GB-VEC-SENDER " out ;;
		"open good")
			pouch --home r open "$_pkg" -o opened >out &&
			grep -q "^opened package [0-9a-f-]* from GB-VEC-SENDER into opened$" out &&
			test -f opened/pouch.json ;;
		"verify bad: "*)
			must_fail 1 pouch --home r verify "$_pkg" && error_has "${_line#verify bad: }" ;;
		"open bad: "*)
			must_fail 1 pouch --home r open "$_pkg" -o opened &&
			error_has "${_line#open bad: }" && test ! -e opened &&
			test -z "$(ls r/seen 2>/dev/null)" ;;
		*)
			echo "unknown expectation '$_line'" >&2
			false ;;
		esac || { echo "failed: $_line" >&2; return 1; }
	done <"$1/expected"
}

expect_success 'setup: GB-VEC-RECIPIENT from the committed secret key; GB-VEC-SENDER pinned' '
	R=$(cat "$VEC/keys/GB-VEC-RECIPIENT.fpr") && S=$(cat "$VEC/keys/GB-VEC-SENDER.fpr") &&
	init_agency r GB-VEC-RECIPIENT "Vector recipient" &&
	pouch --home r whoami --json >w.json && made=$(json_field w.json fingerprint) &&
	testkeys_gpg r/gnupg --import "$VEC/keys/GB-VEC-RECIPIENT.sec.asc" &&
	testkeys_gpg r/gnupg --yes --delete-secret-and-public-key "$made" &&
	"$SYSTEM_PYTHON" -c "import json, subprocess, sys, time
path, home, fpr = sys.argv[1:4]
rows = subprocess.run([\"gpg\", \"--homedir\", home, \"--with-colons\", \"--list-keys\", fpr],
                      stdout=subprocess.PIPE, check=True, text=True).stdout.splitlines()
made = int(next(r for r in rows if r.startswith(\"pub:\")).split(\":\")[5])
a = json.load(open(path))
a[\"keys\"] = [{\"fingerprint\": fpr, \"expires\": None, \"retired\": None,
              \"verify_until\": None,
              \"created\": time.strftime(\"%Y-%m-%dT%H:%M:%SZ\", time.gmtime(made))}]
json.dump(a, open(path, \"w\"), indent=2)" r/agency.json r/gnupg "$R" &&
	pouch --home r whoami --json >w.json && test "$(json_field w.json fingerprint)" = "$R" &&
	pouch --home r partner add GB-VEC-SENDER --key "$VEC/keys/GB-VEC-SENDER.asc" \
		--fingerprint "$S" -q >/dev/null &&
	test "$(stat -c %a r/agency.json)" = 600
'

expect_success 'the vector set: the cases README.md lists, each with package and expected' '
	sed -n "s/^- \`\([a-z0-9-]*\)\` (\(valid\|invalid\)).*/\2\/\1/p" "$VEC/README.md" |
		sort >listed &&
	(cd "$VEC" && ls -d valid/* invalid/*) | sort >present &&
	test_cmp listed present &&
	test "$(grep -c ^valid/ present)" -ge 4 && test "$(grep -c ^invalid/ present)" -ge 18 &&
	for d in $(cat present); do
		test -f "$VEC/$d/package.pouch" && test -s "$VEC/$d/expected" || exit 1
	done
'

for vec in "$VEC"/valid/* "$VEC"/invalid/*; do
	VEC_DIR=$vec VEC_KIND=$(basename "$(dirname "$vec")")
	expect_success "$VEC_KIND/$(basename "$vec"): $(tr '\n' ';' <"$vec/expected" |
		sed 's/;$//; s/;/; /g')" 'check_vector "$VEC_DIR" "$VEC_KIND"'
done

expect_success 'the valid envelopes and their decoded headers match the schema' '
	pyrun "$SRC_DIR/tests/e2e/check-schema.py" "$SCHEMA" \
		"$VEC"/valid/*/package.pouch &&
	check_def - "$VEC"/valid/*/package.pouch &&
	for d in "$VEC"/valid/*; do
		b64_member "$d/package.pouch" header "h-$(basename "$d").json" || exit 1
	done &&
	check_def header h-*.json && test "$(ls h-*.json | wc -l)" -ge 4
'

expect_success 'the decoded pouch.json of valid/attachments matches $defs/content' '
	rm -rf r/seen opened &&
	pouch --home r open "$VEC/valid/attachments/package.pouch" -o opened >/dev/null &&
	check_def content opened/pouch.json &&
	"$SYSTEM_PYTHON" -c "import json
m = json.load(open(\"opened/pouch.json\"))
assert [a[\"name\"] for a in m[\"attachments\"]] == [\"note.txt\", \"data.bin\"], m" &&
	grep -q "test material only" opened/attachments/note.txt
'

expect_success 'the schema refuses broken envelopes, headers and content' '
	good=$VEC/valid/inline-small/package.pouch &&
	b64_member "$good" header h.json && cp opened/pouch.json c.json &&
	for bad in unknown-envelope-field nesting-too-deep payload-inline-and-detached \
		header-base64-line-break; do
		must_fail 1 check_def - "$VEC/invalid/$bad/package.pouch" ||
			{ echo "accepted: $bad"; exit 1; }
	done &&
	edit_json "$good" e1.json "j[\"pouch\"] = \"envelope/2\"" &&
	edit_json "$good" e2.json "j[\"payload\"] = {\"detached\": \"../x.pouch.pgp\"}" &&
	edit_json "$good" e3.json "j[\"signature\"] = j[\"signature\"][:-1]" &&
	for f in e1 e2 e3; do
		must_fail 1 check_def - $f.json || { echo "accepted: $f"; exit 1; }
	done &&
	b64_member "$VEC/invalid/unknown-header-field/package.pouch" header h0.json &&
	edit_json h.json h1.json "j[\"id\"] = j[\"id\"].upper()" &&
	edit_json h.json h2.json "j[\"priority\"] = \"high\"" &&
	edit_json h.json h3.json "j[\"recipients\"] = []" &&
	edit_json h.json h4.json "j[\"payload\"][\"size\"] = -1" &&
	edit_json h.json h5.json "p = j[\"sender\"]; p[\"fingerprint\"] = p[\"fingerprint\"].lower()" &&
	edit_json h.json h6.json "j[\"created\"] = \"2026-11-23 12:00:00\"" &&
	edit_json h.json h7.json "j[\"sender\"][\"agency\"] += \"\\n\"" &&
	edit_json h.json h8.json "j[\"expires\"] = \"\\uff12\" + j[\"expires\"][1:]" &&
	edit_json h.json h9.json "j[\"recipients\"] *= 2" &&
	for f in h0 h1 h2 h3 h4 h5 h6 h7 h8 h9; do
		must_fail 1 check_def header $f.json || { echo "accepted: $f"; exit 1; }
	done &&
	edit_json c.json c1.json "j[\"attachments\"][0][\"name\"] = \"../evil\"" &&
	edit_json c.json c2.json "j[\"attachments\"][0][\"sha256\"] = \"AB\" * 32" &&
	edit_json c.json c3.json "j[\"report\"] = [1]" &&
	edit_json c.json c4.json "j[\"format\"] = \"pouch-header/1\"" &&
	for f in c1 c2 c3 c4; do
		must_fail 1 check_def content $f.json || { echo "accepted: $f"; exit 1; }
	done &&
	check_def header h.json && check_def content c.json
'

test_done
