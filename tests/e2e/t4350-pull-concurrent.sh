#!/bin/sh
# pouch pull with several packages on their way at once: a package in the middle of the listing
# whose bytes were altered on the server, and one whose header no longer matches its signature,
# are quarantined while every other is stored, the reports keep the listing's order, and the
# cursor is right (a second pull fetches nothing). A concurrent pull that fails at a commit, or
# is stopped and killed with SIGKILL in the middle, then run again, stores every package exactly
# once and sends every receipt once.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

JSON='Content-Type: application/json'

rows() { sqlite3 met/state.db "$1"; }
FAULTS=
case $("$POUCH_BIN" --version) in *"fault injection"*) FAULTS=1 ;; esac

# put_new N: N packages from the centre for GB-MET put on pouchd one after another (so listed
# in this order); their ids are added to ids.
put_new() {
	_k=0 && while [ $_k -lt "$1" ]; do
		_id=$(pouch --home ceop pack --to GB-MET --report report.json -o pk 2>/dev/null) &&
		_st=$(req ceop PUT "/v1/packages/$_id" -H "$JSON" --data-binary "@pk/$_id.pouch") &&
		test "$_st" = 201 && echo "$_id" >>ids || { echo "PUT $_id: $_st"; return 1; }
		_k=$((_k + 1))
	done
}

# flip ID MEMBER: one base64 character of the stored envelope's MEMBER ("header" or the inline
# payload) changed in place on the server: same size, other bytes.
flip() {
	"$SYSTEM_PYTHON" -S -c 'import json, sys
p = "data/packages/%s.pouch" % sys.argv[1]
raw = open(p).read()
env = json.loads(raw)
b64 = env["header"] if sys.argv[2] == "header" else env["payload"]["inline"]
i = raw.index(b64) + len(b64) // 2
raw = raw[:i] + ("A" if raw[i] != "A" else "B") + raw[i + 1:]
open(p, "w").write(raw)' "$1" "$2"
}

# once: every package of ids has exactly one row and its files in the inbox (byte for byte) or
# the quarantine, nothing is left in incoming/, and pouchd took each receipt once.
once() {
	_n=$(wc -l <ids)
	test "$(rows "SELECT count(*) FROM incoming")" = "$_n" ||
		{ echo "$(rows "SELECT count(*) FROM incoming") rows for $_n packages"; return 1; }
	test "$(rows "SELECT count(DISTINCT id) FROM incoming")" = "$_n" || { echo twice; return 1; }
	test "$(rows "SELECT count(*) FROM incoming WHERE receipt IS NOT NULL AND
		receipt_sent IS NULL")" = 0 || { echo "receipts not sent"; return 1; }
	for id in $(cat ids); do
		if [ "$(rows "SELECT verdict FROM incoming WHERE id = '$id'")" = good ]; then
			cmp "met/inbox/$id.pouch" "pk/$id.pouch" || return 1
		else
			test -e "met/quarantine/$id.pouch" || { echo "$id not kept"; return 1; }
		fi
	done &&
	test "$(ls met/inbox met/quarantine | grep -c '\.pouch$')" = "$_n" &&
	test -z "$(ls -A met/incoming)" &&
	logged_count "$(rows "SELECT count(*) FROM incoming WHERE receipt IS NOT NULL")" \
		"PUT /v1/packages/{id}/receipt status=201"
}

expect_success 'setup: twelve packages for GB-MET on its pouchd, two of them forged' '
	exchange_setup && write_report report.json t && mkdir pk && put_new 12 &&
	bad1=$(sed -n 5p ids) && bad2=$(sed -n 8p ids) &&
	flip "$bad1" payload && flip "$bad2" header && echo "$bad1 $bad2" >bad
'

expect_success 'a concurrent pull quarantines the two forged packages and stores the others' '
	read -r bad1 bad2 <bad && must_fail 1 pouch --home met pull --limit 5 &&
	test "$(grep -c "^good " out)" = 10 && test "$(grep -c "^quarantined " out)" = 2 &&
	grep -Eqx "quarantined $bad1 from GB-NCA-CEOP: .*SHA-256.*" out &&
	grep -Eq "^quarantined $bad2 from GB-NCA-CEOP: " out &&
	test -e "met/quarantine/$bad1.pouch" && test -e "met/quarantine/$bad2.pouch" &&
	test ! -e "met/inbox/$bad1.pouch" && test ! -e "met/inbox/$bad2.pouch" &&
	for id in $(grep -v -e "$bad1" -e "$bad2" ids); do
		grep -qx "good $id from GB-NCA-CEOP -> inbox/$id.pouch" out &&
		cmp "met/inbox/$id.pouch" "pk/$id.pouch" || return 1
	done &&
	test "$(rows "SELECT count(*) FROM incoming WHERE verdict = '"'good'"'")" = 10 &&
	test "$(rows "SELECT count(*) FROM incoming WHERE verdict = '"'bad'"'")" = 2 &&
	test -z "$(ls -A met/incoming)"
'

expect_success 'the reports come in the listing order' '
	sed "s/^[a-z]* \([^ ]*\) .*/\1/" out >order && test_cmp ids order
'

expect_success 'the cursor is the last package'"'"'s: a second pull fetches nothing new' '
	listing met >/dev/null && cp body.out list.json &&
	"$SYSTEM_PYTHON" -S -c "import json; print(json.load(open(\"list.json\"))[\"packages\"][-1][\"cursor\"])" \
		>want && rows "SELECT value FROM cursor WHERE kind = '"'packages'"'" >have &&
	test_cmp want have && echo cursor ok &&
	before=$(grep -c "GET /v1/packages/{id} status=200" pouchd.log) &&
	pouch --home met pull >out 2>err && test ! -s out &&
	test "$(grep -c "GET /v1/packages/{id} status=200" pouchd.log)" = "$before" &&
	once && pouch --home met audit verify >/dev/null
'

# A test build fails or stops at the fault sites (POUCH_FAULT); another skips these two.
[ -n "$FAULTS" ] || { test_done; exit; }

expect_success 'a concurrent pull failing at its second commit, run again: each package once' '
	put_new 12 &&
	must_fail 3 env POUCH_FAULT=db.commit:2 "$POUCH_BIN" --home met pull --limit 5 &&
	test "$(rows "SELECT count(*) FROM incoming")" -lt "$(wc -l <ids)" &&
	pouch --home met pull --limit 5 >out 2>err && once
'

expect_success 'a concurrent pull stopped at a rename and killed, run again: each package once' '
	put_new 12 &&
	{ POUCH_FAULT=fs.rename:9:stop "$POUCH_BIN" --home met pull --limit 5 >/dev/null 2>&1 & } &&
	pid=$! && wait_stopped "$pid" && kill -KILL "$pid" && { wait "$pid"; true; } &&
	test "$(rows "SELECT count(*) FROM incoming")" -lt "$(wc -l <ids)" &&
	pouch --home met pull --limit 5 >out 2>err && once &&
	pouch --home met audit verify >/dev/null
'

test_done
