#!/bin/sh
# --json, every command: what it prints on success and on failure validates against its schema in
# spec/cli/ (python3-jsonschema), the last line of a failure is the error object, streams are JSON
# Lines, and every command in pouch's table has a schema, each closed to unknown members.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

check_output() { pyrun "$SRC_DIR/tests/e2e/check-json-output.py" "$SRC_DIR/spec" "$@"; }

# The commands of pouch's table (its rows: { "partner add", cmd_partner_add, ...), one per line,
# words joined by '-' (audit-show); each is also in pouch --help.
commands() {
	grep -ho '{ *"[a-z][a-z -]*", *cmd_[a-z_]*' "$SRC_DIR"/cmd/pouch/*.c |
		sed 's/^{ *"//; s/",.*//' | sort -u >.cmds.words &&
	pouch --help >.help && while read -r _w; do
		grep -q "^ *$_w  " .help || { echo "not in pouch --help: $_w" >&2; return 1; }
	done <.cmds.words && sed "s/ /-/g" .cmds.words
}

# The other outputs of a command, each with its own schema pouch-COMMAND-MODE.schema.json:
# pack --batch prints JSON Lines, not pack's one object.
modes() {
	echo pack-batch
}

# jcheck COMMAND STATUS ARGS...: 'pouch ARGS --json' exits STATUS, and its stdout (in out)
# passes check-json-output.py for COMMAND; COMMAND and whether it failed go to checked.
jcheck() {
	_c=$1 _want=$2
	shift 2
	pouch "$@" --json >out 2>err
	_got=$?
	if [ "$_got" != "$_want" ]; then
		echo "'pouch $* --json' exited $_got, expected $_want:"
		cat out err
		return 1
	fi
	check_output "$_c" "$_got" out || { cat out; return 1; }
	if [ "$_got" = 0 ]; then echo "$_c ok" >>checked; else echo "$_c failed" >>checked; fi
}

# error_code CODE: the error object in out has that code.
json_error_is() {
	[ "$(tail -n 1 out | jget /dev/stdin error.code)" = "$1" ] ||
		{ echo "want error code $1, got:"; cat out; return 1; }
}

expect_success 'every command has a schema, each valid and closed to unknown members' '
	commands >cmds && test "$(wc -l <cmds)" -ge 20 && grep -qx partner-add-key cmds &&
	modes >>cmds && check_output --schemas $(cat cmds)
'

expect_success 'the schema check fails on a missing schema and an open object' '
	cp -r "$SRC_DIR/spec" myspec && rm myspec/cli/pouch-whoami.schema.json &&
	! pyrun "$SRC_DIR/tests/e2e/check-json-output.py" myspec --schemas \
		$(cat cmds) >msg && grep -q "pouch-whoami.schema.json: missing" msg &&
	cp "$SRC_DIR/spec/cli/pouch-whoami.schema.json" myspec/cli/ &&
	sed -i "0,/\"additionalProperties\": false/s//\"additionalProperties\": true/" \
		myspec/cli/common.schema.json &&
	! pyrun "$SRC_DIR/tests/e2e/check-json-output.py" myspec --schemas \
		$(cat cmds) >msg && grep -q "additionalProperties: false" msg
'

expect_success 'setup: three agencies, pouchd, a report' '
	exchange_setup && write_report report.json t0600 && mkdir pk
'

expect_success 'init, whoami' '
	jcheck init 0 --home z init --agency ZZ-TEST --name "Z test" --no-passphrase &&
	test "$(jget out agency)" = ZZ-TEST &&
	jcheck init 1 --home z init --agency ZZ-TEST --name "Z test" --no-passphrase &&
	json_error_is exists &&
	jcheck whoami 0 --home met whoami && test "$(jget out agency)" = GB-MET &&
	jcheck whoami 3 --home nowhere whoami && json_error_is not_initialised
'

expect_success 'a usage error is the error object, also before --json is read' '
	jcheck whoami 2 --home met whoami extra && json_error_is usage &&
	jcheck pack 2 --home met pack --bogus && json_error_is usage &&
	test "$(tail -n 1 out | jget /dev/stdin error.exit)" = 2 &&
	jcheck whoami 2 --home met nosuchcommand && json_error_is usage
'

expect_success 'key export (stdout and -o), key rotate' '
	jcheck key-export 0 --home z key export &&
	jget out key >z.asc && gpg --show-keys z.asc >/dev/null 2>&1 &&
	test "$(jget out path)" = null &&
	jcheck key-export 0 --home z key export -o z1.asc && test "$(jget out path)" = z1.asc &&
	test "$(cat z.asc)" = "$(cat z1.asc)" &&
	jcheck key-export 1 --home z key export -o z1.asc && json_error_is exists &&
	pouch --home met partner add ZZ-TEST --key z1.asc -q >/dev/null &&
	pouch --home z whoami --json >zw.json &&
	pouch --home zgw init --gateway --code ZZ-TEST --key z1.asc \
		--fingerprint "$(jget zw.json fingerprint)" >/dev/null 2>&1 &&
	jcheck key-rotate 0 --home z key rotate --no-passphrase &&
	test "$(jget out keys.1.fingerprint)" = "$(jget out fingerprint)" &&
	jcheck key-rotate 2 --home z key rotate extra && json_error_is usage
'

expect_success 'key add (gateway), partner add, add-key, set, show, list' '
	pouch --home z key export -o z2.asc && pouch --home z whoami --json >zw.json &&
	jcheck key-add 0 --home zgw key add --key z2.asc --fingerprint "$(jget zw.json fingerprint)" &&
	jcheck key-add 1 --home zgw key add --key z2.asc --fingerprint "$(jget zw.json fingerprint)" &&
	jcheck partner-add-key 0 --home met partner add-key ZZ-TEST --key z2.asc &&
	test "$(jget out agency)" = ZZ-TEST && test "$(jget out keys.1.state)" = valid &&
	jcheck partner-add-key 1 --home met partner add-key ZZ-TEST --key z2.asc &&
	testkeys_make "$KEYS" XX-REV &&
	jcheck partner-add 0 --home z partner add XX-REV --key XX-REV.asc &&
	jcheck partner-add 1 --home z partner add XX-REV --key XX-REV.asc &&
	json_error_is exists &&
	jcheck partner-set 0 --home z partner set XX-REV --endpoint https://127.0.0.1:3/p &&
	test "$(jget out endpoint)" = https://127.0.0.1:3/p &&
	jcheck partner-set 2 --home z partner set NO-SUCH --no-endpoint && json_error_is not_found &&
	jcheck partner-show 0 --home met partner show GB-NCA-CEOP &&
	jcheck partner-show 2 --home met partner show NO-SUCH && json_error_is not_found &&
	jcheck partner-list 0 --home met partner list &&
	test "$(jget out 0.agency)" = GB-NCA-CEOP &&
	jcheck partner-list 2 --home met partner list extra
'

expect_success 'partner revoke, partner remove' '
	jcheck partner-revoke 1 --home z partner revoke XX-REV --revocation report.json &&
	jcheck partner-revoke 0 --home z partner revoke XX-REV --revocation XX-REV.rev &&
	test "$(jget out fingerprint)" = "$(cat XX-REV.fpr)" &&
	jcheck partner-remove 0 --home z partner remove XX-REV &&
	jcheck partner-remove 2 --home z partner remove XX-REV && json_error_is not_found
'

expect_success 'endpoint set, endpoint show' '
	jcheck endpoint-show 2 --home z endpoint show && json_error_is not_found &&
	jcheck endpoint-set 0 --home z endpoint set --endpoint https://127.0.0.1:1/pouch &&
	jcheck endpoint-set 2 --home z endpoint set --endpoint http://127.0.0.1:1 &&
	jcheck endpoint-show 0 --home met endpoint show
'

expect_success 'pack, verify' '
	jcheck pack 0 --home ceop pack --to GB-MET --report report.json -o pk &&
	jget out id >id1 && test "$(jget out path)" = "pk/$(cat id1).pouch" &&
	test "$(jget out detached)" = false &&
	jcheck pack 2 --home ceop pack --to NO-SUCH --report report.json -o pk &&
	jcheck verify 0 --home met verify "pk/$(cat id1).pouch" &&
	test "$(jget out sender)" = GB-NCA-CEOP && test "$(jget out recipients)" = "[\"GB-MET\"]" &&
	jcheck verify 1 --home met verify report.json && json_error_is not_genuine
'

expect_success 'pack --batch: JSON Lines, one per line of the batch, then the summary' '
	mkdir bpk && echo "{\"to\": \"GB-MET\", \"report\": \"report.json\"}" >good.jsonl &&
	jcheck pack-batch 0 --home ceop pack --batch good.jsonl -o bpk &&
	test "$(wc -l <out)" = 2 && test "$(head -n 1 out | jget /dev/stdin status)" = packed &&
	test "$(sed -n 2p out | jget /dev/stdin type)" = summary &&
	jcheck pack-batch 0 --home ceop pack --batch good.jsonl -o bpk &&
	test "$(head -n 1 out | jget /dev/stdin status)" = done &&
	cp good.jsonl bad.jsonl && echo "{\"to\": \"GB-MET\"}" >>bad.jsonl &&
	jcheck pack-batch 1 --home ceop pack --batch bad.jsonl -o bpk --all-or-nothing &&
	test "$(wc -l <out)" = 4 && test "$(head -n 1 out | jget /dev/stdin status)" = withdrawn &&
	test "$(sed -n 2p out | jget /dev/stdin status)" = failed &&
	test "$(sed -n 3p out | jget /dev/stdin failed_lines)" = "[2]" && json_error_is refused &&
	jcheck pack-batch 1 --home ceop pack --batch bad.jsonl -o bpk &&
	test "$(head -n 1 out | jget /dev/stdin status)" = packed &&
	jcheck pack-batch 2 --home ceop pack --batch bad.jsonl -o bpk -j 0 && json_error_is usage
'

expect_success 'push: JSON Lines, one per delivery, then the summary; a queued one is exit 3' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id2 &&
	jcheck push 0 --home ceop push "pk/$(cat id1).pouch" "pk/$(cat id2).pouch" &&
	test "$(wc -l <out)" = 3 && test "$(sed -n 3p out | jget /dev/stdin type)" = summary &&
	test "$(sed -n 3p out | jget /dev/stdin delivered)" = 2 &&
	pouch --home ceop pack --to US-NCMEC --report report.json -o pk >id3 &&
	jcheck push 3 --home ceop push "pk/$(cat id3).pouch" &&
	test "$(head -n 1 out | jget /dev/stdin state)" = queued && json_error_is network
'

expect_success 'status, outbox' '
	jcheck status 0 --home ceop status "$(cat id1)" &&
	jcheck status 1 --home ceop status 00000000-0000-4000-8000-000000000000 &&
	jcheck outbox 0 --home ceop outbox --all && jcheck outbox 0 --home met outbox &&
	jcheck outbox 2 --home ceop outbox extra
'

expect_success 'outbox retry (JSON Lines as push), outbox cancel' '
	pouch --home ceop partner show GB-MET --json >met.json &&
	pouch --home ceop partner set GB-MET --endpoint https://127.0.0.1:1 -q >/dev/null &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id4 &&
	must_fail 3 pouch --home ceop push --retries 0 "pk/$(cat id4).pouch" &&
	pouch --home ceop partner set GB-MET --endpoint "$(jget met.json endpoint)" -q >/dev/null &&
	jcheck outbox-retry 0 --home ceop outbox retry "$(cat id4)" &&
	test "$(head -n 1 out | jget /dev/stdin state)" = delivered &&
	jcheck outbox-retry 3 --home ceop outbox retry "$(cat id3)" && json_error_is network &&
	jcheck outbox-cancel 0 --home ceop outbox cancel "$(cat id3)" --to US-NCMEC &&
	test "$(jget out cancelled)" = 1 && test "$(jget out recipient)" = US-NCMEC &&
	jcheck outbox-cancel 1 --home ceop outbox cancel "$(cat id3)" && json_error_is refused &&
	jcheck outbox-retry 2 --home ceop outbox retry 00000000-0000-4000-8000-000000000000 &&
	json_error_is not_found
'

expect_success 'pull: JSON Lines of packages and receipts, then the summary' '
	jcheck pull 0 --home met pull && test "$(tail -n 1 out | jget /dev/stdin type)" = summary &&
	test "$(grep -c "\"type\":\"good\"" out)" = 3 &&
	test "$(tail -n 1 out | jget /dev/stdin good)" = 3 &&
	jcheck pull 0 --home ceop pull --from GB-MET &&
	grep -q "\"type\":\"receipt\"" out &&
	jcheck pull 2 --home z pull --from NO-SUCH
'

expect_success 'inbox, open, show' '
	jcheck inbox 0 --home met inbox && test "$(jget out 0.verdict)" = good &&
	jcheck inbox 2 --home met inbox extra &&
	jcheck open 0 --home met open "pk/$(cat id1).pouch" -o opened &&
	test "$(jget out path)" = opened && test "$(jget out sender)" = GB-NCA-CEOP &&
	jcheck open 2 --home met open nosuch.pouch -o opened2 &&
	jcheck show 0 --home met show opened && test "$(jget out sender)" = GB-NCA-CEOP &&
	test "$(jget out derived.grades.0.grade)" = 2B &&
	jcheck show 2 --home met show nosuch
'

expect_success 'route (a person in no area: the result, then the error)' '
	cat >routes.json <<-\EOF &&
	{"format": "pouch-routes/1", "routes": [{"country": "GB", "agency": "GB-MET"},
	 {"country": "FR", "agency": "FR-NONE"}]}
	EOF
	"$SYSTEM_PYTHON" -S -c "import json
r = json.load(open(\"report.json\"))
r[\"items\"][0][\"shared\"] = True
r[\"persons\"] = [{\"role\": \"suspect\", \"id\": \"p1\", \"country\": \"GB\"},
                  {\"role\": \"suspect\", \"location\": {\"country\": \"FR\"}}]
json.dump(r, open(\"routed.json\", \"w\"))" &&
	jcheck route 1 --home ceop route routed.json --table routes.json -o split &&
	test "$(head -n 1 out | jget /dev/stdin outputs.0.agency)" = GB-MET &&
	json_error_is refused &&
	jcheck route 0 --home ceop route routed.json --table routes.json -o split --force \
		--allow-unrouted --batch-out split.jsonl
'

expect_success 'ceiling, permit, forward' '
	jcheck ceiling 0 --home z ceiling && test "$(jget out ceiling)" = null &&
	jcheck ceiling 0 --home z ceiling secret && test "$(jget out ceiling)" = SECRET &&
	jcheck ceiling 2 --home z ceiling COSMIC &&
	jcheck permit 0 --home ceop permit "$(cat id1)" --to US-NCMEC &&
	test "$(jget out grantee)" = US-NCMEC &&
	jcheck permit 0 --home ceop permit "$(cat id1)" --to US-NCMEC -o perm.json &&
	test "$(jget out path)" = perm.json &&
	jcheck permit 2 --home ceop permit not-an-id --to US-NCMEC &&
	write_report marked.json &&
	pouch --home ceop pack --to GB-MET --report marked.json -o pk >idm &&
	pouch --home met open "pk/$(cat idm).pouch" -o marked >/dev/null &&
	jcheck forward 0 --home met forward marked --to US-NCMEC -o pk &&
	test "$(jget out original.id)" = "$(cat idm)" && test "$(jget out permission)" = null &&
	write_report c.json && "$SYSTEM_PYTHON" -S -c "import json
r = json.load(open(\"c.json\"))
r[\"handling\"].update(codes=[\"C\"], conditions=\"not to be passed on\")
json.dump(r, open(\"c.json\", \"w\"))" &&
	pouch --home ceop pack --to GB-MET --report c.json -o pk >idc &&
	pouch --home met open "pk/$(cat idc).pouch" -o cmarked >/dev/null &&
	jcheck forward 1 --home met forward cmarked --to US-NCMEC -o pk
'

expect_success 'audit show, audit verify (a broken trail: the report, then the error)' '
	jcheck audit-show 0 --home met audit show && jcheck audit-show 2 --home met audit show x &&
	jcheck audit-verify 0 --home met audit verify &&
	sed -i "0,/\"verdict\":\"good\"/s//\"verdict\":\"bad\"/" met/audit.log &&
	jcheck audit-verify 1 --home met audit verify && test "$(wc -l <out)" = 2 &&
	test "$(head -n 1 out | jget /dev/stdin intact)" = false && json_error_is not_genuine
'

expect_success 'report new, report validate (an invalid report: the verdict, then the error)' '
	jcheck report-new 0 report new --scheme europol-4x4 &&
	jcheck report-new 0 report new -o skeleton.json && test -f skeleton.json &&
	jcheck report-new 2 report new --scheme 9x9x9 &&
	jcheck report-validate 0 report validate report.json &&
	jcheck report-validate 1 report validate skeleton.json && test "$(wc -l <out)" = 2 &&
	jcheck report-validate 2 report validate missing.json
'

expect_success 'the check fails on a renamed member, an unknown one, and a missing error line' '
	pouch --home met whoami --json >w.json &&
	sed "s/\"agency\":/\"code\":/" w.json >renamed.json &&
	! check_output whoami 0 renamed.json >msg && grep -q "code" msg &&
	sed "s/^{/{\"extra\":1,/" w.json >extra.json &&
	! check_output whoami 0 extra.json >msg && grep -q "extra" msg &&
	! check_output whoami 3 w.json >msg && grep -q "no error object" msg
'

expect_success 'every command was checked, succeeding and failing' '
	for c in $(cat cmds); do
		grep -qx "$c ok" checked && grep -qx "$c failed" checked ||
			{ echo "not checked both ways: $c"; return 1; }
	done
'

test_done
