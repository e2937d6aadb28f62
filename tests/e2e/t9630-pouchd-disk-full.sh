#!/bin/sh
# pouchd on a full disk: a push, an upload or a database write the disk cannot hold is 507
# insufficient_storage with a JSON body, nothing half-stored, and /v1/health says the store is
# not writable until a write succeeds again. The disk is a real 4 MiB tmpfs (skipped where
# mounting is not allowed); a file size limit (ulimit -f: EFBIG, and SIGXFSZ ignored) is
# tested everywhere.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

trap 'stop_pouchd KILL; umount "$TRASH/full" 2>/dev/null; cleanup' EXIT

JSON='Content-Type: application/json'
CHUNKED='Transfer-Encoding: chunked'

# push CLIENT FILE [CURL ARGS]: PUT the envelope FILE.
push() {
	_c=$1 _f=$2
	shift 2
	req "$_c" PUT "/v1/packages/$(basename "$_f" .pouch)" -H "$JSON" --data-binary "@$_f" "$@"
}

# writable WANT: health answers 200, and the store is writable (true) or not (false).
writable() {
	is_status 200 - GET /v1/health && api_ok GET /v1/health 200 &&
	test "$(jget body.out store.writable)" = "$1" &&
	if [ "$1" = true ]; then test "$(jget body.out status)" = ok
	else test "$(jget body.out status)" = degraded; fi
}

# nothing_stored DIR: no package file, no request directory, no package listed for GB-MET.
nothing_stored() {
	test -z "$(find "$1/packages" "$1/tmp" -mindepth 1)" &&
	is_status 200 met GET /v1/packages && test "$(jget body.out packages)" = "[]"
}

# on_tmpfs 'description' 'commands': a case that needs the tmpfs, skipped without it.
on_tmpfs() {
	if [ -e tmpfs.ok ]; then expect_success "$1" "$2"; else skip_test "$1" "cannot mount a tmpfs"; fi
}

expect_success 'setup: packages, and a 4 MiB tmpfs for the store where mounting is allowed' '
	exchange_setup && stop_pouchd &&
	write_report report.json t && mkdir pk &&
	head -c 2000000 /dev/urandom >two.bin && head -c 3000000 /dev/urandom >three.bin &&
	pouch --home ceop pack --to GB-MET --report report.json --attach two.bin -o pk >big &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >small &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >small2 &&
	for i in a b; do cat /proc/sys/kernel/random/uuid >id$i || return 1; done &&
	mkdir full && if mount -t tmpfs -o size=4m,mode=0700 tmpfs full 2>/dev/null; then
		touch tmpfs.ok && start_pouchd metgw full/data --min-free 0 && writable true
	fi
'
A=$(cat ida 2>/dev/null) B=$(cat idb 2>/dev/null)
BIG=pk/$(cat big 2>/dev/null).pouch SMALL=pk/$(cat small 2>/dev/null).pouch
SMALL2=pk/$(cat small2 2>/dev/null).pouch

on_tmpfs 'an upload the disk cannot hold: 507 insufficient_storage, nothing appended' '
	test "$(stage ceop "$A" three.bin)" = 200 &&
	test "$(stage ceop "$B" two.bin 0 -H "$CHUNKED")" = 507 &&
	error_code insufficient_storage && api_ok PATCH /v1/uploads/{id} 507 &&
	test ! -e "full/data/uploads/GB-NCA-CEOP.$B" && test "$(staged ceop "$B")" = 0 &&
	test "$(stage ceop "$B" two.bin)" = 507 && error_code insufficient_storage &&
	test ! -e "full/data/uploads/GB-NCA-CEOP.$B" &&
	test "$(stage ceop "$A" two.bin 3000000 -H "$CHUNKED")" = 507 &&
	cmp three.bin "full/data/uploads/GB-NCA-CEOP.$A" && logged "store full"
'

on_tmpfs 'health says the store is not writable' '
	writable false
'

# pouchd answers 507 as soon as the disk refuses a write, before the body has all arrived, and
# reads and drops the rest until curl has read the answer and closed.
on_tmpfs 'a push the disk cannot hold: 507, nothing stored, with or without a length' '
	n=$(grep -c "pouchd: PUT /v1/packages/{id} status=507 " pouchd.log);
	test "$(push ceop "$BIG")" = 507 && error_code insufficient_storage &&
	api_ok PUT /v1/packages/{id} 507 &&
	logged_count $((n + 1)) "pouchd: PUT /v1/packages/{id} status=507 " && nothing_stored full/data &&
	test "$(push ceop "$BIG" -H "$CHUNKED")" = 507 && error_code insufficient_storage &&
	logged_count $((n + 2)) "pouchd: PUT /v1/packages/{id} status=507 " && nothing_stored full/data
'

on_tmpfs 'with room again, the first write that succeeds makes the store writable again' '
	echo "{}" >bad.pouch &&
	st=$(req ceop PUT "/v1/packages/$A" -H "$JSON" --data-binary @bad.pouch) &&
	case $st in 4??) ;; *) false ;; esac && test "$(staged ceop "$A")" = 0 &&
	writable false && test "$(stage ceop "$B" two.bin)" = 200 && writable true
'

on_tmpfs 'a database that cannot grow: 507, the package not half-stored, then stored' '
	free=$(stat -f -c "%a * %S" full | xargs expr) &&
	room=$(( ($(stat -c %s "$SMALL") + 4095) / 4096 * 4096 )) &&
	dd if=/dev/zero of=full/filler bs=4096 count=$(( (free - room) / 4096 )) 2>/dev/null &&
	test "$(push ceop "$SMALL")" = 507 && error_code insufficient_storage &&
	nothing_stored full/data && writable false &&
	rm full/filler && test "$(push ceop "$SMALL")" = 201 && writable true &&
	test "$(find full/data/packages -type f | wc -l)" = 1
'

on_tmpfs 'the store opens again after all that, intact' '
	stop_pouchd && start_pouchd metgw full/data --min-free 0 &&
	is_status 200 met GET /v1/packages && test "$(jget body.out packages.0.id)" = "$(cat small)" &&
	test "$(staged ceop "$B")" = 2000000 && test -z "$(find full/data/tmp -mindepth 1)"
'

expect_success 'a file size limit (EFBIG) is 507 too, and does not kill pouchd (SIGXFSZ)' '
	stop_pouchd && umount full 2>/dev/null; rm -rf full/data &&
	(ulimit -f 1024 && start_pouchd metgw data2 --min-free 0) &&
	test "$(stage ceop "$A" two.bin 0 -H "$CHUNKED")" = 507 && error_code insufficient_storage &&
	kill -0 "$(cat "$TRASH/.pouchd.pid")" && test ! -e "data2/uploads/GB-NCA-CEOP.$A" &&
	writable false && test "$(push ceop "$SMALL2")" = 201 && writable true
'

expect_success 'a reserve of free space: no write starts below it' '
	stop_pouchd && start_pouchd metgw data2 --min-free 1000000G &&
	writable false && test "$(push ceop "$SMALL")" = 507 && error_code insufficient_storage &&
	test "$(stage ceop "$B" two.bin)" = 507 && error_code insufficient_storage &&
	is_status 200 met GET /v1/packages && test "$(jget body.out packages.0.id)" = "$(cat small2)"
'

test_done
