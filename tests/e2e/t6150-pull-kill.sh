#!/bin/sh
# pouch pull killed with kill -9 at many points (after growing delays, and in the middle of a
# large download), then pulled again: every package exactly once in the inbox, never a partial
# file there, every receipt sent and filed once, partial downloads resumed, the audit trail intact.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

JSON='Content-Type: application/json'
OCTETS='Content-Type: application/offset+octet-stream'
N_SMALL=30
N_BIG=3

# put CLIENT ID: puts pk/ID.pouch on pouchd, its detached payload first.
put() {
	if [ -e "pk/$2.pouch.pgp" ]; then
		_st=$(req "$1" PATCH "/v1/uploads/$2" -H "$OCTETS" -H "Upload-Offset: 0" \
			--data-binary "@pk/$2.pouch.pgp") && test "$_st" = 200 || return 1
	fi
	_st=$(req "$1" PUT "/v1/packages/$2" -H "$JSON" --data-binary "@pk/$2.pouch") &&
	test "$_st" = 201
}

rows() { sqlite3 met/state.db "$1"; }

# consistent: whatever a killed pull left, the inbox holds only whole packages and every
# recorded package has its files in place.
consistent() {
	for f in met/inbox/*; do
		[ -e "$f" ] || continue
		cmp -s "$f" "pk/$(basename "$f")" || { echo "partial or wrong: $f"; return 1; }
	done &&
	for id in $(rows "SELECT id FROM incoming"); do
		test -e "met/inbox/$id.pouch" || { echo "recorded but missing: $id"; return 1; }
		if [ -e "pk/$id.pouch.pgp" ]; then test -e "met/inbox/$id.pouch.pgp" || return 1; fi
	done
}

# kill_pull WHEN: starts a pull (the binary itself, so that $! is its pid) and kills it with
# SIGKILL: WHEN "part" in the middle of a large download (a test build stops it at a write
# well into the payload; another build waits until a download moves on in incoming/), WHEN
# "+1" as soon as it has recorded one more package, else after WHEN seconds.
kill_pull() {
	_before=$(rows "SELECT count(*) FROM incoming")
	case $1 in
	part) [ -n "$FAULTS" ] && export POUCH_FAULT=fs.write:100:stop ;;
	esac
	"$POUCH_BIN" --home met pull --limit 4 >/dev/null 2>&1 &
	_pid=$!
	unset POUCH_FAULT
	if [ "$1" = part ] && [ -n "$FAULTS" ]; then
		wait_stopped "$_pid"
	elif [ "$1" = part ]; then
		_was=$(part_size)
		wait_until '_now=$(part_size); [ "$_now" -gt 0 ] && [ "$_now" != "$_was" ] ||
			ended "$_pid"'
	elif [ "$1" = +1 ]; then
		wait_until '[ "$(rows "SELECT count(*) FROM incoming")" -gt "$_before" ] ||
			ended "$_pid"'
	else
		sleep "$1"
	fi
	kill -9 "$_pid" 2>/dev/null
	kill -CONT "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	return 0
}

# part_size: the size of the first partial download in met/incoming/ (0: none).
part_size() {
	for _p in met/incoming/*.pgp.part; do
		[ -e "$_p" ] && stat -c %s "$_p" && return
	done
	echo 0
}

FAULTS=
case $("$POUCH_BIN" --version) in *"fault injection"*) FAULTS=1 ;; esac

expect_success 'setup: GB-MET serves 3 large (9 MB, detached) and 30 small packages' '
	exchange_setup && write_report report.json t && mkdir pk &&
	head -c 9000000 /dev/urandom >big.bin &&
	i=0 && while [ $i -lt $N_BIG ]; do
		id=$(pouch --home ceop pack --to GB-MET --report report.json --attach big.bin \
			-o pk 2>/dev/null) && put ceop "$id" && echo "$id" >>ids || return 1
		i=$((i + 1))
	done &&
	i=0 && while [ $i -lt $N_SMALL ]; do
		id=$(pouch --home ceop pack --to GB-MET --report report.json -o pk) &&
		put ceop "$id" && echo "$id" >>ids || return 1
		i=$((i + 1))
	done
'

expect_success 'killed in the middle of a large download: partial bytes stay in incoming/ only' '
	kill_pull part && consistent &&
	ls met/incoming | grep -q "pgp.part$" && ! ls met/inbox | grep -q part
'

expect_success 'killed mid-download once more: still consistent' '
	kill_pull part && consistent
'

# Kills after a delay land wherever the machine's speed puts them; those after one more
# package recorded each find the pull further on, however fast or slow it runs.
expect_success 'killed after growing delays: the inbox holds only whole, recorded packages' '
	for d in 0.05 +1 0.1 0.2 +1 0.3 0.5 +1 0.7 1 +1 1.4 2 +1 3; do
		kill_pull "$d" && consistent || { echo "after $d"; return 1; }
		rows "SELECT count(*) FROM incoming" >>counts
	done &&
	sort -nu counts >distinct && cat distinct &&
	test "$(wc -l <distinct)" -ge 3 && test "$(head -n 1 distinct)" -lt 33
'

expect_success 'a last pull completes: every package once, nothing partial, downloads resumed' '
	pouch --home met pull >out 2>err && test "$(rows "SELECT count(*) FROM incoming")" = 33 &&
	test "$(rows "SELECT count(DISTINCT id) FROM incoming WHERE verdict = \"good\"")" = 33 &&
	for id in $(cat ids); do
		cmp "met/inbox/$id.pouch" "pk/$id.pouch" || return 1
		if [ -e "pk/$id.pouch.pgp" ]; then
			cmp "met/inbox/$id.pouch.pgp" "pk/$id.pouch.pgp" || return 1
		fi
	done &&
	test "$(ls met/inbox | wc -l)" = 36 && test -z "$(ls -A met/incoming)" &&
	test -z "$(ls -A met/quarantine)" &&
	logged "GET /v1/packages/{id}/payload status=206"
'

expect_success 'every receipt was sent and filed exactly once, never a different one' '
	test "$(rows "SELECT count(*) FROM incoming WHERE receipt_sent IS NULL")" = 0 &&
	is_status 200 ceop GET "/v1/receipts?limit=1000" &&
	"$SYSTEM_PYTHON" -c "import json
items = json.load(open(\"body.out\"))[\"receipts\"]
ids = open(\"ids\").read().split()
assert sorted(i[\"package\"] for i in items) == sorted(ids), items
assert all(i[\"verdict\"] == \"accepted\" for i in items)" &&
	logged_count 33 "PUT /v1/packages/{id}/receipt status=201" &&
	! grep -q "receipt status=409" pouchd.log && ! grep -q warning err
'

expect_success 'the audit trail survived the kills intact, every package recorded' '
	pouch --home met audit verify >/dev/null &&
	for id in $(cat ids); do grep -q "\"event\":\"verify\".*\"id\":\"$id\"" met/audit.log ||
		grep -q "\"id\":\"$id\".*\"event\":\"verify\"" met/audit.log || return 1; done
'

test_done
