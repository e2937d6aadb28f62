#!/bin/sh
# Numbers in pouchd's headers and parameters have one form, plain decimal digits: a sign, a
# leading zero, a space, hex or a value past its range is a JSON 400 wherever it comes
# (Content-Length, Upload-Offset, Range, limit, after). A cursor the endpoint never gave the
# caller for that list is a 400, not an empty page. A Content-Length that libmicrohttpd refuses
# itself is logged and counted.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
. "$SRC_DIR/tests/e2e/lib-raw.sh"

H='Host: 127.0.0.1\r\nConnection: close\r\n'
OCT='Content-Type: application/offset+octet-stream\r\n'
CL0='Content-Length: 0\r\n\r\n'

expect_success 'setup: GB-NCA-CEOP pushes two packages to GB-MET, which lists them' '
	exchange_setup && write_report report.json t && mkdir pk &&
	for i in 1 2; do
		pouch --home ceop pack --to GB-MET --report report.json -o pk >id$i &&
		is_status 201 ceop PUT "/v1/packages/$(cat id$i)" \
			-H "Content-Type: application/json" --data-binary "@pk/$(cat id$i).pouch" ||
			return 1
	done &&
	is_status 200 met GET "/v1/packages?limit=1" && jget body.out next >c1 &&
	is_status 200 met GET "/v1/packages?after=$(cat c1)" && jget body.out next >c2 &&
	test "$(jget body.out packages.0.id)" = "$(cat id2)"
'

expect_success 'limit: a sign, leading zeros, spaces, hex, huge or empty values are a 400' '
	for v in %%2B5 +5 007 00 %%205 5%%20 0x5 -1 99999999999999999999999 1e2 ""; do
		bad_request met "GET /v1/packages?limit=$v HTTP/1.1\r\n$H\r\n" || return 1
	done &&
	test "$(raw met "GET /v1/packages?limit=1000 HTTP/1.1\r\n$H\r\n")" = 200
'

expect_success 'after: a cursor in another form than the one given out is a 400' '
	c=$(cat c1) &&
	for v in "0$c" "%%2B$c" "+$c" "%%20$c" "$c%%20" "-$c" "$c.0" ""; do
		bad_request met "GET /v1/packages?after=$v HTTP/1.1\r\n$H\r\n" || return 1
	done
'

expect_success 'after: a cursor never given out is a 400, not an empty page' '
	bad_request met "GET /v1/packages?after=$(($(cat c2) + 1)) HTTP/1.1\r\n$H\r\n" &&
	bad_request met "GET /v1/packages?after=99999 HTTP/1.1\r\n$H\r\n" &&
	bad_request met "GET /v1/packages?after=0 HTTP/1.1\r\n$H\r\n" &&
	bad_request met "GET /v1/packages?after=9223372036854775807 HTTP/1.1\r\n$H\r\n" &&
	bad_request met "GET /v1/receipts?after=99999 HTTP/1.1\r\n$H\r\n"
'

expect_success 'after: a cursor of another caller or another list is a 400' '
	bad_request ceop "GET /v1/packages?after=$(cat c1) HTTP/1.1\r\n$H\r\n" &&
	bad_request met "GET /v1/receipts?after=$(cat c1) HTTP/1.1\r\n$H\r\n"
'

expect_success 'after: the cursors given out still page' '
	test "$(raw met "GET /v1/packages?after=$(cat c1) HTTP/1.1\r\n$H\r\n")" = 200 &&
	test "$(jget resp.body packages.0.id)" = "$(cat id2)" &&
	test "$(raw met "GET /v1/packages?after=$(cat c2) HTTP/1.1\r\n$H\r\n")" = 200 &&
	test "$(jget resp.body packages)" = "[]" && test "$(jget resp.body next)" = "$(cat c2)"
'

expect_success 'Upload-Offset: only plain decimal digits' '
	id=$(cat id1) &&
	for v in +0 00 0x0 "0 0" 0.0 -0 18446744073709551616 99999999999999999999; do
		bad_request ceop "PATCH /v1/uploads/$id HTTP/1.1\r\n$H${OCT}Upload-Offset: $v\r\n$CL0" ||
			return 1
	done &&
	bad_request ceop \
		"PATCH /v1/uploads/$id HTTP/1.1\r\n$H${OCT}Upload-Offset: 0\r\nUpload-Offset: 0\r\n$CL0" &&
	bad_request ceop "PATCH /v1/uploads/$id HTTP/1.1\r\n$H${OCT}Upload-Offset: 0\0335\r\n$CL0" &&
	bad_request ceop "PATCH /v1/uploads/$id HTTP/1.1\r\n$H${OCT}Upload-Offset: 0\r5\r\n$CL0"
'

expect_success 'Range: only bytes=N- with N in plain decimal digits' '
	id=$(cat id1) &&
	for v in bytes=00- bytes=+0- "bytes= 0-" bytes=0x0- bytes=99999999999999999999- bytes=-; do
		bad_request met "GET /v1/packages/$id/payload HTTP/1.1\r\n${H}Range: $v\r\n\r\n" ||
			return 1
	done
'

expect_success 'Content-Length with leading zeros, repeated, or beside chunked: a JSON 400' '
	bad_request - "GET /v1/health HTTP/1.1\r\n${H}Content-Length: 00\r\n\r\n" &&
	bad_request ceop "GET /v1/packages HTTP/1.1\r\n${H}Content-Length: 007\r\n\r\n1234567" &&
	bad_request - "GET /v1/health HTTP/1.1\r\n${H}Content-Length: 0\r\n$CL0" &&
	bad_request - \
		"GET /v1/health HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" &&
	bad_request - "GET /v1/health HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\n"
'

expect_success 'a Content-Length libmicrohttpd refuses itself is logged and counted' '
	before=$(metric pouchd_malformed_requests_total) &&
	for v in +5 -5 0x5 abc 99999999999999999999999; do
		raw - "PUT /v1/packages/$(cat id1) HTTP/1.1\r\n${H}Content-Length: $v\r\n\r\nhi" \
			>/dev/null || return 1
		sed -n 1p resp | grep -q "^HTTP/1.1 4" || return 1
	done &&
	after=$(metric pouchd_malformed_requests_total) &&
	test "$after" -ge $((before + 5)) &&
	logged_count 5 "^[0-9TZ:-]* pouchd: - /v1/packages/$(cat id1) refused by the HTTP parser"
'

expect_success 'no raw control byte reached the log' '
	log_clean
'

test_done
