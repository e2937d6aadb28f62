#!/bin/sh
# pouchd's messages: every line it writes starts with the UTC time (RFC 3339) and "pouchd: ",
# whatever path it was started by, errors and usage errors included; a --config file that is
# missing is said so in one line naming it.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

TS='[0-9]\{4\}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'

# log_lines FILE: every line of FILE is "TIME pouchd: ...", and there is at least one.
log_lines() {
	test -s "$1" && ! grep -v "^$TS pouchd: " "$1"
}

expect_success '--config naming a missing file: one line naming it, exit 2' '
	must_fail 2 "$POUCHD_BIN" --config "$TRASH/missing.json" &&
	test "$(wc -l <err)" -eq 1 &&
	grep -q "^$TS pouchd: configuration file .$TRASH/missing.json. does not exist$" err &&
	test ! -s out
'

expect_success 'usage errors: timestamped, "pouchd:" whatever the path it was run by' '
	mkdir -p bin && ln -s "$POUCHD_BIN" bin/my-daemon &&
	for args in "--bogus" "--listen" "-x" "extra" "--config a --config b" \
		"--home a --home b"; do
		must_fail 2 bin/my-daemon $args &&
		log_lines err && test "$(wc -l <err)" -eq 1 &&
		! grep -q "my-daemon\|$POUCH_BUILD" err || { echo "$args:"; cat err; exit 1; }
	done &&
	must_fail 2 bin/my-daemon --bogus && grep -q "pouchd: unknown option .--bogus." err &&
	must_fail 2 bin/my-daemon --listen && grep -q "pouchd: option .--listen. needs a value" err
'

expect_success 'a missing setting and a home without an identity are log lines too' '
	must_fail 2 "$POUCHD_BIN" --home h && log_lines err &&
	grep -q "pouchd: missing setting .cert." err &&
	must_fail 3 "$POUCHD_BIN" --home h --data d --cert c.pem --key k --client-ca ca &&
	log_lines err && grep -q "pouchd: no agency identity in .h." err
'

expect_success 'a running pouchd: every log line, start to stop, starts with its UTC time' '
	init_agency met GB-MET &&
	make_ca servers && make_ca clients &&
	make_cert servers srv 127.0.0.1 server &&
	make_cert clients stranger GB-STRANGER client &&
	before=$(date -u +%Y-%m-%dT%H:%M:%SZ) &&
	start_pouchd met data &&
	req - GET /v1/health >/dev/null &&
	req stranger GET /v1/packages >/dev/null &&
	stop_pouchd TERM &&
	after=$(date -u +%Y-%m-%dT%H:%M:%SZ) &&
	log_lines pouchd.log &&
	grep -q "^$TS pouchd: listening on " pouchd.log &&
	logged "^$TS pouchd: GET /v1/health status=200" &&
	grep -q "^$TS pouchd: stopped$" pouchd.log &&
	cut -d" " -f1 pouchd.log | while read -r t; do
		{ [ "$t" = "$before" ] || [ "$t" \> "$before" ]; } &&
		{ [ "$t" = "$after" ] || [ "$t" \< "$after" ]; } ||
			{ echo "$t not within $before..$after"; exit 1; }
	done
'

test_done
