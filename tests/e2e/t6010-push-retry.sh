#!/bin/sh
# pouch push against an endpoint that fails on purpose (tests/e2e/flaky_endpoint.py, over real
# TLS on 127.0.0.1): 500 then success is retried and delivered, 429 waits for its Retry-After,
# a server that keeps failing leaves the package queued after the retries, an endpoint that gave
# up is not tried again for the next package in the same run, and a slow transfer shows a
# progress bar on a terminal only.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

# start_fake SCRIPT: the flaky endpoint with that script of answers (fake.log: its requests).
start_fake() {
	stop_fake
	# Cleared before the endpoint starts (not in the background with it), so that the wait
	# below never reads the port of the one before.
	rm -f fake.port && : >fake.log || return 1
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/flaky_endpoint.py" srv.pem srv.key clients.ca.pem \
		fake.port fake.log "$1" </dev/null 2>fake.err &
	echo $! >"$TRASH/.fake.pid"
	wait_until 'test -s fake.port || ended "$(cat "$TRASH/.fake.pid")"' && [ -s fake.port ]
}

stop_fake() {
	[ -s "$TRASH/.fake.pid" ] || return 0
	kill "$(cat "$TRASH/.fake.pid")" 2>/dev/null
	: >"$TRASH/.fake.pid"
}
trap 'stop_fake; stop_pouchd KILL; cleanup' EXIT

fake() { echo "https://127.0.0.1:$(cat fake.port)"; }

# statuses: the statuses the fake endpoint answered, space separated.
statuses() { awk '{ s = s (NR > 1 ? " " : "") $3 } END { print s }' fake.log; }

delivery() {
	pouch --home ceop status "$1" --json >.st.json && jget .st.json "deliveries.0.$2"
}

pack() { pouch --home ceop pack --to GB-MET --report report.json -o pk; }

expect_success 'setup: the centre has GB-MET as a partner with TLS settings' '
	exchange_setup && stop_pouchd && write_report report.json t && mkdir pk
'

expect_success 'a server answering 500 and then 201 is retried, and the package delivered' '
	start_fake 500,201 && pack >id1 &&
	pouch --home ceop push --endpoint "$(fake)" "pk/$(cat id1).pouch" >out 2>err &&
	echo "delivered $(cat id1) to GB-MET ($(fake))" >want && test_cmp want out &&
	test "$(statuses)" = "500 201" &&
	grep -q "^pouch: retrying $(cat id1) for GB-MET in [0-9.]* s: internal: scripted 500$" err &&
	test "$(delivery "$(cat id1)" attempts)" = 2 &&
	test "$(delivery "$(cat id1)" state)" = delivered &&
	test "$(delivery "$(cat id1)" endpoint)" = "$(fake)"
'

expect_success '429 with Retry-After: the next attempt waits at least that long' '
	start_fake 429:2,201 && pack >id2 &&
	pouch --home ceop push --endpoint "$(fake)" "pk/$(cat id2).pouch" >out 2>err &&
	grep -q "^delivered $(cat id2) to GB-MET" out &&
	test "$(statuses)" = "429 201" &&
	grep -q "retrying $(cat id2) for GB-MET in 2.0 s: rate_limited: slow down" err &&
	awk "NR == 1 { t = \$4 } NR == 2 { exit !(\$4 - t >= 2.0) }" fake.log
'

expect_success 'a server that keeps failing: queued after --retries more attempts, exit 3' '
	start_fake 503 && pack >id3 &&
	must_fail 3 pouch --home ceop push --retries 2 --endpoint "$(fake)" "pk/$(cat id3).pouch" &&
	grep -q "^queued $(cat id3) for GB-MET: unavailable: scripted 503$" out &&
	test "$(statuses)" = "503 503 503" && test "$(grep -c retrying err)" = 2 &&
	test "$(delivery "$(cat id3)" attempts)" = 3 &&
	test "$(delivery "$(cat id3)" reason)" = "unavailable: scripted 503" &&
	pouch --home ceop outbox >ob &&
	grep -q "^  GB-MET: queued (attempts 3): unavailable: scripted 503$" ob
'

expect_success 'a Retry-After beyond the cap is not waited for in this run' '
	start_fake 429:120,201 && pack >id4 &&
	must_fail 3 pouch --home ceop push --endpoint "$(fake)" "pk/$(cat id4).pouch" &&
	grep -q "^queued $(cat id4) for GB-MET: rate_limited: slow down$" out &&
	test "$(statuses)" = 429 && ! grep -q retrying err
'

expect_success 'a Retry-After pouch cannot read counts as none: retried as usual' '
	start_fake 429:5x,201 && pack >id7 &&
	pouch --home ceop push --endpoint "$(fake)" "pk/$(cat id7).pouch" >out 2>err &&
	grep -q "^delivered $(cat id7) to GB-MET" out &&
	test "$(statuses)" = "429 201"
'

expect_success 'an endpoint that gave up is not tried again for the next package' '
	start_fake 503 && pack >id5 && pack >id6 &&
	must_fail 3 pouch --home ceop push --retries 0 --endpoint "$(fake)" \
		"pk/$(cat id5).pouch" "pk/$(cat id6).pouch" &&
	grep -q "^queued $(cat id5) for GB-MET: unavailable: scripted 503$" out &&
	grep -q "^queued $(cat id6) for GB-MET: unavailable: scripted 503$" out &&
	test "$(statuses)" = 503 &&
	a5=$(delivery "$(cat id5)" attempts) && a6=$(delivery "$(cat id6)" attempts) &&
	case "$a5$a6" in 10 | 01) ;; *) false ;; esac &&
	test "$(delivery "$(cat id5)" reason)" = "unavailable: scripted 503" &&
	test "$(delivery "$(cat id6)" reason)" = "unavailable: scripted 503"
'

expect_success 'a permanent refusal (4xx) is not retried: failed with the reason, exit 1' '
	start_fake 409 && pack >id7 &&
	must_fail 1 pouch --home ceop push --endpoint "$(fake)" "pk/$(cat id7).pouch" &&
	grep -q "^failed $(cat id7) for GB-MET: id_conflict: scripted 409$" out &&
	test "$(statuses)" = 409
'

expect_success 'a later flush goes to the endpoint each package was queued with' '
	stop_fake && start_fake 201 &&
	must_fail 3 pouch --home ceop push --retries 0 &&
	test -z "$(statuses)" &&
	grep -q "^queued $(cat id3) for GB-MET: cannot reach" out
'

# on_tty COMMAND: runs COMMAND with a terminal as its standard error (and output): tty.out.
on_tty() { script -qec "$1" /dev/null >tty.out 2>&1 </dev/null; }

expect_success 'a transfer over a second draws a progress line on a terminal, then clears it' '
	start_fake slow:2 && pack >id8 && pack >id9 && pack >id10 &&
	on_tty "\"$POUCH_BIN\" --home ceop push --endpoint $(fake) pk/$(cat id8).pouch" &&
	clear=$(printf "\r\033[K") &&
	grep -qF "${clear}push $(cut -c1-8 id8) envelope  " tty.out &&
	grep -qE "envelope  [0-9.]+ (B|KiB) / [0-9.]+ (B|KiB)  [0-9.]+ (B|KiB)/s  .* left" tty.out &&
	grep -qF "$clear""delivered $(cat id8) to GB-MET" tty.out &&
	on_tty "\"$POUCH_BIN\" --home ceop -q push --endpoint $(fake) pk/$(cat id9).pouch" &&
	! grep -q "envelope" tty.out && grep -q "^delivered $(cat id9) to GB-MET" tty.out &&
	pouch --home ceop push --endpoint "$(fake)" "pk/$(cat id10).pouch" >out 2>err &&
	test ! -s err && grep -q "^delivered $(cat id10)" out
'

test_done
