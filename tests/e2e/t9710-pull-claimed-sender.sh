#!/bin/sh
# Issue 9 item 2 in pull, from another side: a hostile partner's endpoint lists a package under
# another sender's (sender, id) and serves bytes that do not verify (a forgery, or the genuine
# envelope it got as a co-recipient, cut short). The quarantined download must not take the
# sender's id: the genuine package, listed later by our own endpoint, is still pulled, good.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
JSON="Content-Type: application/json"

# start_liar SENDER ID FILE: the lying endpoint, as US-NCMEC's endpoint in met's directory.
start_liar() {
	stop_liar
	rm -f liar.port
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/lying_endpoint.py" srv.pem srv.key clients.ca.pem \
		liar.port "$@" </dev/null 2>liar.err &
	echo $! >"$TRASH/.liar.pid"
	wait_until 'test -s liar.port || ended "$(cat "$TRASH/.liar.pid")"' &&
		[ -s liar.port ] || { cat liar.err >&2; return 1; }
	pouch --home met partner set US-NCMEC --endpoint "https://127.0.0.1:$(cat liar.port)" \
		--ca servers.ca.pem --client-cert met.pem --client-key met.key -q >/dev/null
}
stop_liar() {
	[ -s "$TRASH/.liar.pid" ] || return 0
	kill "$(cat "$TRASH/.liar.pid")" 2>/dev/null
	: >"$TRASH/.liar.pid"
}
trap 'stop_liar; stop_pouchd KILL; cleanup' EXIT

verdict() { sqlite3 met/state.db "SELECT verdict FROM incoming WHERE id = '$1' AND source = '$2'"; }
own() { echo "https://127.0.0.1:$(pouchd_port)"; }
liar() { echo "https://127.0.0.1:$(cat liar.port)"; }

expect_success 'setup: GB-MET runs pouchd; the centre packs for GB-MET and US-NCMEC' '
	exchange_setup && write_report report.json t && mkdir pk
'

for how in forged cut; do
	expect_success "US-NCMEC lists the centre's id first ($how); the genuine one still comes" '
		id=$(pouch --home ceop pack --to GB-MET,US-NCMEC --report report.json -o pk) &&
		if [ $how = forged ]; then
			sed "s/\"header\":\"./\"header\":\"A/" "pk/$id.pouch" >lie.pouch
		else
			head -c 1000 "pk/$id.pouch" >lie.pouch
		fi &&
		start_liar GB-NCA-CEOP "$id" lie.pouch &&
		must_fail 1 pouch --home met pull &&
		grep -q "^quarantined $id from GB-NCA-CEOP: " out &&
		test "$(verdict "$id" "$(liar)")" = bad &&
		req ceop PUT "/v1/packages/$id" -H "$JSON" --data-binary "@pk/$id.pouch" >st &&
		test "$(cat st)" = 201 &&
		pouch --home met pull >out 2>err &&
		grep -q "^good $id from GB-NCA-CEOP -> inbox/" out &&
		test "$(verdict "$id" "$(own)")" = good &&
		cmp "$(pouch --home met inbox --json | "$SYSTEM_PYTHON" -c "import json, sys
print([i[\"path\"] for i in json.load(sys.stdin) if i[\"id\"] == sys.argv[1]][0])" "$id")" \
			"pk/$id.pouch"
	'
done

expect_success 'a second pull from the lying endpoint does not undo the genuine package' '
	id=$(sqlite3 met/state.db "SELECT id FROM incoming WHERE verdict = \"good\" LIMIT 1") &&
	start_liar GB-NCA-CEOP "$id" lie.pouch &&
	pouch --home met pull >out 2>err && ! grep -q "$id" out &&
	test "$(sqlite3 met/state.db "SELECT verdict FROM incoming WHERE id = \"$id\"")" = good
'

test_done
