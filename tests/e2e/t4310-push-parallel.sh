#!/bin/sh
# pouch push with several packages on their way at once per endpoint: every package stored
# exactly once, one line per delivery, complete and in the order queued whichever transfer ends
# first (the same with --json), one attempt each; a push killed with several on their way and
# run again stores nothing twice and leaves nothing behind; --parallel's bounds.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

url() { echo "https://127.0.0.1:$(pouchd_port)"; }
crow() { sqlite3 ceop/state.db "$1"; }
delivered() { crow "SELECT count(*) FROM delivery WHERE state = 'delivered'"; }

# pack_n N FILE: N packages for GB-MET packed into pk/ by one batch; their ids, in the order
# push lists them (the order queued, then the id), go to FILE.
pack_n() {
	: >"$2.jsonl" && _k=0 && while [ $_k -lt "$1" ]; do
		printf '{"to": "GB-MET", "report": "%s"}\n' "$TRASH/report.json" >>"$2.jsonl"
		_k=$((_k + 1))
	done &&
	pouch --home ceop pack --batch "$2.jsonl" -o pk -j 2 >"$2.lines" &&
	test "$(wc -l <"$2.lines")" = "$1" && cut -d" " -f2 "$2.lines" | LC_ALL=C sort >"$2"
}

# paths FILE: the envelopes of the ids in FILE.
paths() { sed 's|^\(.*\)$|pk/\1.pouch|' "$1"; }

expect_success 'setup: the centre has 12 packages for GB-MET' '
	exchange_setup && write_report report.json "parallel" && mkdir pk && pack_n 12 set1
'

expect_success '4 on their way at once: each stored once, every line there and in order' '
	pouch --home ceop push --parallel 4 $(paths set1) >out &&
	while read -r id; do
		echo "delivered $id to GB-MET ($(url))"
	done <set1 >want && test_cmp want out &&
	listing met >listed.ids &&
	while read -r id; do
		test "$(grep -cx "$id" listed.ids)" = 1 || { echo "listed not once: $id"; return 1; }
		cmp "data/packages/$id.pouch" "pk/$id.pouch" || return 1
	done <set1 &&
	test "$(crow "SELECT count(*) FROM delivery WHERE state = '\''delivered'\'' AND attempts = 1")" = 12 &&
	test "$(grep -c " PUT /v1/packages/{id} status=201 " pouchd.log)" = 12
'

expect_success 'the audit trail has one delivered attempt per package, in the same order' '
	pouch --home ceop audit show --json >a.json &&
	"$SYSTEM_PYTHON" -S -c "import json, sys
want = open(sys.argv[1]).read().split()
got = [e[\"id\"] for e in json.load(open(\"a.json\"))
       if e[\"event\"] == \"push-attempt\" and e[\"verdict\"] == \"delivered\"]
assert got == want, (got, want)" set1 &&
	pouch --home ceop audit verify >/dev/null
'

expect_success 'push --json --parallel 3: one object per delivery in order, then the summary' '
	pack_n 6 set2 &&
	pouch --home ceop push --json --parallel 3 $(paths set2) >out.json &&
	"$SYSTEM_PYTHON" -S -c "import json, sys
r = [json.loads(l) for l in open(\"out.json\")]
want = open(sys.argv[1]).read().split()
assert [d[\"id\"] for d in r[:-1]] == want, r
assert all(d[\"type\"] == \"delivery\" and d[\"state\"] == \"delivered\" and
           d[\"attempts\"] == 1 for d in r[:-1]), r
assert r[-1] == {\"type\": \"summary\", \"delivered\": 6, \"queued\": 0, \"failed\": 0}, r[-1]" \
		set2
'

expect_success 'a push killed with several on their way, run again, stores nothing twice' '
	pack_n 16 set3 && before=$(delivered) || return 1
	"$POUCH_BIN" --home ceop push --parallel 4 --retries 0 $(paths set3) >/dev/null 2>&1 &
	pid=$!
	wait_until "[ \"\$(delivered)\" -gt $before ] || ended $pid" &&
	kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	pouch --home ceop push >out &&
	test "$(crow "SELECT count(*) FROM delivery WHERE state <> '\''delivered'\''")" = 0 &&
	cat set1 set2 set3 >all && listing met >listed.ids &&
	while read -r id; do
		test "$(grep -cx "$id" listed.ids)" = 1 || { echo "listed not once: $id"; return 1; }
		cmp "data/packages/$id.pouch" "pk/$id.pouch" || return 1
	done <all &&
	outbox_whole ceop && store_whole data && ! ls -A ceop/outbox | grep -q "^\." &&
	pouch --home ceop audit verify >/dev/null
'

# stored: how many packages pouchd has answered 201 since it started.
stored() { grep -c " PUT /v1/packages/{id} status=201 " pouchd.log; }

# Without timing: pouchd holds the second package it verifies (the test build's
# pgp.verify:2:hold=PATH fault) until PATH exists. Over one connection nothing more could be
# stored meanwhile; with several, the others go on.
if case $("$POUCH_BIN" --version) in *"fault injection"*) true ;; *) false ;; esac; then
	expect_success 'while pouchd holds one package, the others go on over other connections' '
		pack_n 8 set4 && stop_pouchd &&
		POUCH_FAULT="pgp.verify:2:hold=$TRASH/gate" POUCHD_LISTEN="127.0.0.1:$(pouchd_port)" \
			start_pouchd metgw data || return 1
		"$POUCH_BIN" --home ceop push --parallel 4 $(paths set4) >out 2>err &
		pid=$!
		wait_until "test -e gate.held || ended $pid" && test -e gate.held &&
		wait_until "[ \$(stored) -ge 3 ] || ended $pid" && ! ended $pid &&
		: >gate && wait $pid && test "$(grep -c "^delivered " out)" = 8 &&
		stop_pouchd && POUCHD_LISTEN="127.0.0.1:$(pouchd_port)" start_pouchd metgw data
	'
else
	skip_test 'while pouchd holds one package, the others go on' 'not a fault-injection build'
fi

expect_success '--parallel takes 1 to 16, a usage error otherwise' '
	must_fail 2 pouch --home ceop push --parallel 0 && grep -q "parallel must be" err &&
	must_fail 2 pouch --home ceop push --parallel 17 && grep -q "parallel must be" err &&
	must_fail 2 pouch --home ceop push --parallel x && grep -q "parallel must be" err &&
	must_fail 2 pouch --home ceop push --parallel 2 --parallel 3
'

test_done
