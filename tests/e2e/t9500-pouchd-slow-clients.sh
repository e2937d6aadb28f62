#!/bin/sh
# pouchd under slow clients (issue 9, item 10): a thousand connections from the partner's own
# address that never bring a request (silent TCP, a ClientHello a byte at a time, a request
# head a line at a time, before or after a first request) neither lock the partner out nor
# stay: each address holds a bounded number of connections, the longest-waiting making room,
# and the TLS handshake and request head have a deadline that trickling bytes do not move.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

SLOW="$SRC_DIR/tests/e2e/slow-clients.py"

slow_stop() {
	[ -s .slow.pid ] && kill "$(cat .slow.pid)" 2>/dev/null
	: >.slow.pid
}

# slow_start N [TICK]: slow clients in the background (status in slow.json, pid in .slow.pid),
# those that keep their connection after a first request with the partner's certificate;
# returns once every one was opened and its TLS handshake done or refused.
slow_start() {
	slow_stop
	rm -f slow.json
	"$SYSTEM_PYTHON" "$SLOW" "$(pouchd_port)" servers.ca.pem "$1" slow.json "${2:-2}" ceop \
		2>slow.err &
	echo $! >.slow.pid
	slow_wait ready true
}

# slow_wait FIELD VALUE: waits until slow.json's FIELD reads VALUE.
slow_wait() {
	_field=$1 _value=$2
	wait_until '[ "$(jget slow.json "$_field" 2>/dev/null)" = "$_value" ]' && return 0
	echo "slow clients: $1 is not $2:"
	cat slow.json slow.err
	return 1
}

# metric NAME: a sample's value in /v1/metrics (NAME with its labels, as printed).
metric() {
	req - GET /v1/metrics >/dev/null &&
	awk -v n="$1" '$1 == n { print $2 }' body.out
}

trap 'slow_stop; stop_pouchd KILL; cleanup' EXIT

# The deadline for a request head is a minute: long enough for every handshake a test counts
# on a busy machine, short enough to see it close the slow connections.
expect_success 'setup: GB-MET runs pouchd, the default connection limits; the centre is a partner' '
	ulimit -n 4096 &&
	init_agency met GB-MET && init_agency ceop GB-NCA-CEOP && partners met ceop &&
	make_ca servers && make_ca clients &&
	make_cert servers srv 127.0.0.1 server &&
	make_cert clients ceop GB-NCA-CEOP client &&
	write_report report.json t && mkdir pk &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >id &&
	start_pouchd met data --head-timeout 60
'

expect_success 'a partner is served while 1,000 slow connections from its address are open' '
	ulimit -n 4096 &&
	slow_start 1000 &&
	test "$(jget slow.json connected)" = 1000 &&
	is_status 200 ceop GET /v1/packages --max-time 120 &&
	is_status 201 ceop PUT "/v1/packages/$(cat id)" -H "Content-Type: application/json" \
		--data-binary "@pk/$(cat id).pouch" --max-time 120 &&
	test "$(metric "pouchd_connections_closed_total{reason=\"displaced\"}")" -gt 0
'

expect_success 'the slow connections do not stay: the head deadline closes them all' '
	slow_wait open 0 &&
	test "$(metric "pouchd_connections_closed_total{reason=\"head_timeout\"}")" -gt 0 &&
	slow_stop
'

expect_success 'trickled bytes do not move the deadline (handshake, first and later heads)' '
	stop_pouchd && start_pouchd met data --head-timeout 60 &&
	slow_start 40 0.5 &&
	test "$(jget slow.json handshakes)" = 20 &&
	slow_wait open 0 &&
	test "$(metric "pouchd_connections_closed_total{reason=\"head_timeout\"}")" -ge 40 &&
	test "$(metric "pouchd_connections_closed_total{reason=\"displaced\"}")" = 0 &&
	slow_stop &&
	is_status 200 ceop GET /v1/packages
'

expect_success 'a connection without a trusted certificate gets one answer, a partner'"'"'s more' '
	curl -sS -v --cacert servers.ca.pem -o /dev/null "https://127.0.0.1:$(pouchd_port)/v1/health" \
		2>curl.err &&
	grep -qi "^< connection: close" curl.err &&
	curl -sS -v --cacert servers.ca.pem --cert ceop.pem --key ceop.key -o /dev/null \
		"https://127.0.0.1:$(pouchd_port)/v1/health" 2>curl.err &&
	! grep -qi "^< connection: close" curl.err
'

expect_success 'one address holds at most max_connections_per_address connections' '
	stop_pouchd && start_pouchd met data --max-connections-per-address 8 &&
	slow_start 30 &&
	test "$(jget slow.json connected)" = 30 &&
	test "$(jget slow.json open)" -le 8 &&
	test "$(metric pouchd_connections_waiting)" -le 8 &&
	is_status 200 ceop GET /v1/packages &&
	slow_stop
'

expect_success 'the limits come from the configuration file too, and are checked' '
	stop_pouchd &&
	printf "{\"max_connections\": 64, \"max_connections_per_address\": 4, " >conf.json &&
	printf "\"head_timeout\": 60, \"idle_timeout\": 600}\n" >>conf.json &&
	start_pouchd met data --config conf.json &&
	is_status 200 ceop GET /v1/packages &&
	stop_pouchd &&
	for bad in "\"head_timeout\": 0" "\"idle_timeout\": 3601" \
		"\"max_connections_per_address\": -1"; do
		echo "{$bad}" >bad.json &&
		must_fail 2 "$POUCHD_BIN" --config bad.json --home met --data data \
			--cert srv.pem --key srv.key --client-ca clients.ca.pem &&
		grep -q "^[0-9TZ:-]* pouchd: bad configuration .*bad.json" err || return 1
	done
'

test_done
