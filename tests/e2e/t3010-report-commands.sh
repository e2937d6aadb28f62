#!/bin/sh
# pouch report new and pouch report validate: skeletons for every scheme and template whose
# placeholders validation refuses one by one, and which validate once filled in; every error
# at once with its JSON path; standard input, --json, -o, and the usage errors. No home needed.
. "$(dirname "$0")/lib.sh"

V=$SRC_DIR/spec/vectors/report
FILL="$SYSTEM_PYTHON $SRC_DIR/tests/e2e/fill-skeleton.py"

# jpath FILE A.B.0: the member at that path of the JSON in FILE.
jpath() {
	"$SYSTEM_PYTHON" -S -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$1" "$2"
}

expect_success 'report new: a skeleton for every scheme and template, refused until filled in' '
	for s in uk-3x5x2 uk-5x5x5 europol-4x4; do
		for t in dissemination referral immediate; do
			pouch report new --scheme $s --template $t >sk.json || return 1
			test "$(jpath sk.json handling.scheme)" = $s || return 1
			placeholders=$(grep -o "\"FILL IN:" sk.json | wc -l) &&
			test "$placeholders" -gt 15 || return 1
			must_fail 1 pouch report validate sk.json || return 1
			test "$(grep -c ": not filled in: .FILL IN:" err)" = "$placeholders" ||
				{ echo "$s $t: not every placeholder refused"; cat err; return 1; }
			tail -n 1 err | grep -q "^pouch: report .sk.json. is not valid: $placeholders errors$" ||
				return 1
			$FILL sk.json filled.json && pouch report validate filled.json ||
				{ echo "$s $t: filled in, still invalid"; return 1; }
		done
	done
'

expect_success 'report new: the default is a 3x5x2 dissemination; immediate asks why and who' '
	pouch report new >d.json && test "$(jpath d.json handling.scheme)" = uk-3x5x2 &&
	test "$(jpath d.json actions.0.action | cut -c1-8)" = "FILL IN:" &&
	pouch report new --template immediate >i.json &&
	test "$(jpath i.json priority.level)" = immediate &&
	grep -q "\"reason\": \"FILL IN: why a child" i.json &&
	grep -q "\"contact_24x7\": \"FILL IN: who to phone" i.json &&
	pouch report new --template referral >r.json &&
	grep -q "\"referral_source\"" r.json && grep -q "\"viewed_by_provider\"" r.json
'

expect_success 'report new -o writes a new file, never replaces one; --json is one line' '
	pouch report new -o new.json 2>msg && grep -q "FILL IN" new.json &&
	test "$(stat -c %a new.json)" = 600 && grep -q "replace every" msg &&
	must_fail 1 pouch report new -o new.json && cmp -s new.json new.json &&
	pouch report new --json >one.json && test "$(wc -l <one.json)" = 1 &&
	pouch report new -o n2.json --json >p.json && test "$(json_field p.json path)" = n2.json
'

expect_success 'report new: usage errors exit 2 and write nothing' '
	must_fail 2 pouch report new --scheme 9x9x9 -o x.json &&
	grep -q "unknown scheme .9x9x9." err && test ! -e x.json &&
	must_fail 2 pouch report new --template memo &&
	grep -q "unknown template .memo." err &&
	must_fail 2 pouch report new --scheme uk-3x5x2 --scheme uk-5x5x5 &&
	must_fail 2 pouch report new extra
'

expect_success 'report validate: a valid report is exit 0, quiet on stdout' '
	write_report ok.json && pouch report validate ok.json >out 2>err &&
	test ! -s out && grep -q "report .ok.json. is valid" err &&
	pouch -q report validate ok.json 2>err && test ! -s err
'

expect_success 'report validate: every error at once, each with its path and what is expected' '
	must_fail 1 pouch report validate "$V/invalid/three-errors.json" &&
	grep -qx "pouch: handling.codes\[0\]: .X. is not a 3x5x2 handling code (P or C)" err &&
	grep -qx "pouch: handling.tlp: .RED. is not a TLP label (TLP:RED, TLP:AMBER+STRICT, TLP:AMBER, TLP:GREEN or TLP:CLEAR)" err &&
	grep -qx "pouch: items\[1\].grade.source: .9. is not a 3x5x2 source evaluation (1, 2 or 3)" err &&
	test "$(wc -l <err)" = 4 &&
	grep -q "^pouch: report .*three-errors.json. is not valid: 3 errors$" err
'

expect_success 'report validate: conditions, immediate needs, unknown members' '
	"$SYSTEM_PYTHON" -c "import json
r = json.load(open(\"ok.json\"))
r[\"handling\"][\"codes\"] = [\"C\"]
r[\"priority\"] = {\"level\": \"immediate\"}
r[\"header\"][\"colour\"] = \"red\"
json.dump(r, open(\"c.json\", \"w\"))" &&
	must_fail 1 pouch report validate c.json &&
	grep -q "^pouch: handling.conditions: missing: required with 3x5x2 handling code C" err &&
	grep -q "^pouch: priority.reason: missing: required for an immediate report$" err &&
	grep -q "^pouch: priority.respond_by: missing" err &&
	grep -q "^pouch: priority.contact_24x7: missing" err &&
	grep -q "^pouch: header.colour: unknown member$" err &&
	grep -q "is not valid: 5 errors$" err
'

expect_success 'report validate: hundreds of errors are capped, with the count' '
	"$SYSTEM_PYTHON" -c "import json
r = json.load(open(\"ok.json\"))
r[\"items\"] = [{\"n\": 0, \"text\": \"\", \"grade\": {}}] * 300
json.dump(r, open(\"many.json\", \"w\"))" &&
	must_fail 1 pouch report validate many.json &&
	test "$(wc -l <err)" = 202 && grep -qx "pouch: 1000 more errors not shown" err &&
	grep -q "is not valid: 1200 errors$" err
'

expect_success 'report validate: - reads standard input; --json gives the verdict, then the error' '
	pouch report validate - <ok.json 2>err && grep -q "report .-. is valid" err &&
	pouch report validate - --json <ok.json >j && test "$(json_field j valid)" = True &&
	must_fail 1 pouch report validate --json "$V/invalid/three-errors.json" &&
	test "$(wc -l <out)" = 2 && head -n 1 out >v.json &&
	test "$(json_field v.json valid)" = False &&
	test "$(jpath v.json errors.1)" = "handling.codes[0]: '"'"'X'"'"' is not a 3x5x2 handling code (P or C)" &&
	tail -n 1 out | grep -q "\"code\":\"refused\""
'

expect_success 'report validate: a file that is not a report object is a usage error' '
	must_fail 2 pouch report validate missing.json && grep -q "cannot open .missing.json." err &&
	echo "[1]" >list.json && must_fail 2 pouch report validate list.json &&
	error_is "report .list.json. is not a JSON object" &&
	printf "{\"a\": 1, \"a\": 2}" >dup.json && must_fail 2 pouch report validate dup.json &&
	must_fail 2 pouch report validate && must_fail 2 pouch report validate a.json b.json
'

test_done
