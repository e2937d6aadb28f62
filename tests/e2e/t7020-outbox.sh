#!/bin/sh
# pouch outbox retry and cancel, and partner remove cancelling a partner's deliveries: a failed
# delivery can be tried again, a stale one (a partner without an endpoint) taken out of the
# queue so that a later push is not exit 3 for ever; a configuration fault (a missing client
# certificate) stays queued until it is fixed; every change is in the audit trail.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

# start_fake SCRIPT: tests/e2e/flaky_endpoint.py answering pushes from SCRIPT (fake.log).
start_fake() {
	rm -f fake.port && : >fake.log || return 1
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/flaky_endpoint.py" srv.pem srv.key clients.ca.pem \
		fake.port fake.log "$1" </dev/null 2>fake.err &
	echo $! >"$TRASH/.fake.pid"
	wait_until 'test -s fake.port || ended "$(cat "$TRASH/.fake.pid")"' && [ -s fake.port ]
}
stop_fake() { [ -s "$TRASH/.fake.pid" ] && kill "$(cat "$TRASH/.fake.pid")" 2>/dev/null; :; }
trap 'stop_fake; stop_pouchd KILL; cleanup' EXIT

# state ID RECIPIENT: the state of that delivery, as pouch status --json says.
state() {
	pouch --home ceop status "$1" --json >.st.json &&
	"$SYSTEM_PYTHON" -S -c 'import json, sys
print([d["state"] for d in json.load(open(".st.json"))["deliveries"]
       if d["recipient"] == sys.argv[1]][0])' "$2"
}

# audited EVENT ID AGENCY [VERDICT]: ceop's audit trail has such an entry.
audited() {
	pouch --home ceop audit show --json >.audit.json &&
	"$SYSTEM_PYTHON" -S -c 'import json, sys
ev, i, ag, v = (sys.argv[1:] + [None])[:4]
a = json.load(open(".audit.json"))
assert any(e["event"] == ev and e.get("id") == i and e.get("agency") == ag and
           (v is None or e.get("verdict") == v) for e in a), sys.argv' \
		"$@"
}

expect_success 'setup: a package for GB-MET (an endpoint) and US-NCMEC (none): exit 3' '
	exchange_setup && mkdir pk && write_report report.json t7020 &&
	pouch --home ceop pack --to GB-MET,US-NCMEC --report report.json -o pk >id1 &&
	must_fail 3 pouch --home ceop push "pk/$(cat id1).pouch" &&
	grep -q "^delivered $(cat id1) to GB-MET" out &&
	grep -q "^queued $(cat id1) for US-NCMEC: " out &&
	must_fail 3 pouch --home ceop push && grep -q "^queued $(cat id1) for US-NCMEC: " out
'

expect_success 'outbox cancel --to takes the stale delivery out of the queue; push is exit 0' '
	pouch --home ceop outbox cancel "$(cat id1)" --to us-ncmec >out &&
	echo "cancelled 1 delivery of $(cat id1) to US-NCMEC" >want && test_cmp want out &&
	test "$(state "$(cat id1)" US-NCMEC)" = cancelled &&
	test "$(state "$(cat id1)" GB-MET)" = delivered &&
	audited outbox-cancel "$(cat id1)" US-NCMEC cancelled &&
	pouch --home ceop push >out && test ! -s out &&
	pouch --home ceop outbox >out 2>err && test ! -s out &&
	grep -q "nothing is waiting for delivery" err &&
	pouch --home ceop outbox --all >out &&
	grep -q "^  US-NCMEC: cancelled (attempts [0-9]*): cancelled by hand$" out
'

expect_success 'nothing left to cancel, an unknown package or recipient: refused or usage' '
	must_fail 1 pouch --home ceop outbox cancel "$(cat id1)" &&
	error_is "nothing to cancel: every delivery of package $(cat id1) was delivered or \
cancelled" &&
	must_fail 2 pouch --home ceop outbox cancel 00000000-0000-4000-8000-000000000000 &&
	error_is "no package .00000000-0000-4000-8000-000000000000. in the outbox" &&
	must_fail 2 pouch --home ceop outbox cancel "$(cat id1)" --to NL-POL &&
	error_is "package $(cat id1) is not for .NL-POL." &&
	must_fail 2 pouch --home ceop outbox cancel && must_fail 2 pouch --home ceop outbox retry &&
	must_fail 2 pouch --home ceop outbox cancel "$(cat id1)" --to "bad code"
'

expect_success 'outbox retry queues a cancelled delivery again and tries it now' '
	must_fail 3 pouch --home ceop outbox retry "$(cut -c1-8 id1)" --to US-NCMEC &&
	grep -q "^queued $(cat id1) for US-NCMEC: " out &&
	grep -q "queued 1 delivery of $(cat id1) again" err &&
	test "$(state "$(cat id1)" US-NCMEC)" = queued &&
	audited outbox-retry "$(cat id1)" US-NCMEC queued
'

expect_success 'partner remove cancels its deliveries still in the outbox, with an audit entry' '
	pouch --home ceop pack --to US-NCMEC --report report.json -o pk >id2 &&
	must_fail 3 pouch --home ceop push "pk/$(cat id2).pouch" &&
	pouch --home ceop partner remove US-NCMEC --json >out 2>err &&
	test "$(jget out cancelled)" = 2 &&
	grep -q "cancelled 2 deliveries to US-NCMEC still in the outbox" err &&
	test "$(state "$(cat id1)" US-NCMEC)" = cancelled &&
	test "$(state "$(cat id2)" US-NCMEC)" = cancelled &&
	audited outbox-cancel "$(cat id2)" US-NCMEC cancelled &&
	"$SYSTEM_PYTHON" -S -c "import json
a = json.load(open(\".audit.json\"))
assert any(e[\"event\"] == \"partner-remove\" and e[\"agency\"] == \"US-NCMEC\" and
           len(e[\"fingerprint\"]) == 40 for e in a), a
assert any(e[\"event\"] == \"outbox-cancel\" and e.get(\"reason\") == \"partner removed\"
           for e in a), a" &&
	pouch --home ceop push >out && test ! -s out &&
	pouch --home ceop audit verify >/dev/null
'

expect_success 'a failed delivery (refused for good) is retried by outbox retry' '
	start_fake 409,201 &&
	url="https://127.0.0.1:$(cat fake.port)" &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id3 &&
	must_fail 1 pouch --home ceop push --endpoint "$url" "pk/$(cat id3).pouch" &&
	grep -q "^failed $(cat id3) for GB-MET: id_conflict: scripted 409$" out &&
	pouch --home ceop outbox >out && grep -q "^  GB-MET: failed (attempts 1)" out &&
	pouch --home ceop outbox retry "$(cat id3)" --json >out &&
	test "$(head -n 1 out | jget /dev/stdin state)" = delivered &&
	test "$(tail -n 1 out | jget /dev/stdin delivered)" = 1 &&
	test "$(state "$(cat id3)" GB-MET)" = delivered &&
	must_fail 1 pouch --home ceop outbox retry "$(cat id3)" &&
	error_is "nothing to retry: every delivery of package $(cat id3) was delivered" &&
	stop_fake
'

expect_success 'a missing client certificate leaves the delivery queued until it is back' '
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id4 &&
	mv ceop/partners/GB-MET.client.pem cert.saved &&
	must_fail 3 pouch --home ceop push "pk/$(cat id4).pouch" &&
	grep -q "^queued $(cat id4) for GB-MET: " out &&
	test "$(state "$(cat id4)" GB-MET)" = queued &&
	mv cert.saved ceop/partners/GB-MET.client.pem &&
	pouch --home ceop push >out && grep -q "^delivered $(cat id4) to GB-MET" out
'

expect_success 'the state is at schema version 3, which knows cancelled deliveries' '
	sqlite3 ceop/state.db "PRAGMA user_version" >v && test "$(cat v)" = 3 &&
	sqlite3 ceop/state.db "SELECT count(*) FROM delivery WHERE state = \"cancelled\"" >n &&
	test "$(cat n)" = 2
'

test_done
