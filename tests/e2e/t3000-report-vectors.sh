#!/bin/sh
# The report model (spec/report.md): every vector in spec/vectors/report/ gets the verdict of
# its directory from pouch report validate (exit 0, or exit 1 naming the expected error) and
# from python3-jsonschema on spec/report.schema.json; the two never disagree, but on the vectors
# of beyond/ (rules JSON Schema cannot state: the schema accepts, pouch refuses), and the vectors
# cover every code-list value and every required member of the schema.
. "$(dirname "$0")/lib.sh"

V=$SRC_DIR/spec/vectors/report
CHECK="$SYSTEM_PYTHON $SRC_DIR/tests/e2e/check-report-vectors.py $SRC_DIR/spec"

# verdicts DIR: "valid NAME" or "invalid NAME" for each vector, as pouch sees it; an invalid
# verdict must be exit 1 with the vector's expected text among the errors.
verdicts() {
	for f in "$1"/valid/*.json "$1"/invalid/*.json "$1"/beyond/*.json; do
		n=$(basename "$f" .json)
		pouch report validate "$f" >/dev/null 2>err
		case $? in
		0) echo "valid $n" ;;
		1)
			e=${f%.json}.expected
			if [ -f "$e" ] && ! grep -qF -- "$(cat "$e")" err; then
				echo "$n: pouch does not say '$(cat "$e")':" >&2
				cat err >&2
				echo "wrong-message $n"
			else
				echo "invalid $n"
			fi
			;;
		*) echo "$n: pouch exited $?" >&2 && echo "failed $n" ;;
		esac
	done
}

expect_success 'the vectors are there: over 100 valid and 150 invalid' '
	test "$(ls "$V"/valid/*.json | wc -l)" -gt 100 &&
	test "$(ls "$V"/invalid/*.json | wc -l)" -gt 150 &&
	test "$(ls "$V"/invalid/*.expected | wc -l)" = "$(ls "$V"/invalid/*.json | wc -l)" &&
	test "$(ls "$V"/beyond/*.expected | wc -l)" = "$(ls "$V"/beyond/*.json | wc -l)"
'

expect_success 'pouch and python3-jsonschema reach every vector'\''s verdict' '
	verdicts "$V" >verdicts && $CHECK verdicts
'

expect_success 'the vectors cover every code-list value and every required member' '
	$CHECK --coverage
'

expect_success 'the check is not vacuous: a valid vector moved to invalid/ fails it' '
	cp -r "$SRC_DIR/spec" myspec && mv myspec/vectors/report/valid/tlp-red.json \
		myspec/vectors/report/invalid/ &&
	! $SYSTEM_PYTHON "$SRC_DIR/tests/e2e/check-report-vectors.py" myspec verdicts >msg &&
	grep -q "invalid/tlp-red: the schema says valid" msg &&
	grep -q "invalid/tlp-red: pouch says valid" msg
'

expect_success 'pouch and a schema that differ are caught: a schema that allows TLP:WHITE' '
	cp -r "$SRC_DIR/spec" myspec2 &&
	$SYSTEM_PYTHON -c "import json, sys
s = json.load(open(sys.argv[1]))
s[\"\$defs\"][\"handling\"][\"properties\"][\"tlp\"][\"enum\"].append(\"TLP:WHITE\")
json.dump(s, open(sys.argv[2], \"w\"))" "$SRC_DIR/spec/report.schema.json" \
		myspec2/report.schema.json &&
	! $SYSTEM_PYTHON "$SRC_DIR/tests/e2e/check-report-vectors.py" myspec2 verdicts >msg &&
	grep -q "invalid/enum-handling-tlp-TLP-WHITE: pouch and the schema disagree" msg
'

expect_success 'the generator makes exactly the vectors in the tree' '
	cp -r "$V" regen && rm -rf regen/valid regen/invalid regen/beyond &&
	$SYSTEM_PYTHON regen/make-report-vectors.py >/dev/null &&
	diff -r "$V" regen
'

test_done
