#!/bin/sh
# pouchd decides on the raw request target, before anything decodes it: a NUL, a control byte,
# a malformed or needless percent-encoding, or a dot or empty segment is a JSON 400, never a
# cut path that another route serves; methods that are not HTTP tokens too. Every such request
# is counted, and no byte of it reaches the log unescaped.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
. "$SRC_DIR/tests/e2e/lib-raw.sh"

H='Host: 127.0.0.1\r\nConnection: close\r\n\r\n'

expect_success 'setup: GB-MET runs pouchd, GB-NCA-CEOP is its partner' '
	exchange_setup && test "$(raw ceop "GET /v1/health HTTP/1.1\r\n$H")" = 200
'

expect_success 'a %00 in the path is a JSON 400, not the route before it' '
	bad_request - "GET /v1/health%%00/x HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/packages%%00/../health HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/health%%00 HTTP/1.1\r\n$H"
'

expect_success 'encoded control bytes and CR LF in the path are a JSON 400' '
	for e in %%01 %%0a %%0d%%0a %%1b %%1f %%7f %%0D; do
		bad_request ceop "GET /v1/health$e HTTP/1.1\r\n$H" || return 1
	done
'

expect_success 'raw bytes that must be encoded are a JSON 400' '
	bad_request ceop "GET /v1/hea\001lth HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/health\033[2J HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/health\177 HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/h\303\251alth HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/health#x HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/\"health HTTP/1.1\r\n$H"
'

expect_success 'non-canonical encodings are a JSON 400: needless, lower-case, broken, of a slash' '
	for p in /v1/%%68ealth /v1/health%%2e /v1%%2fhealth /v1%%2Fhealth /v1/health%%2 \
		/v1/health%% /v1/health%%zz /v1/health%%c3 /v1/pa%%63kages; do
		bad_request ceop "GET $p HTTP/1.1\r\n$H" || return 1
	done
'

expect_success 'dot and empty segments are a JSON 400' '
	for p in /v1/./health /v1/x/../health /v1//health /v1/health/ /v1/health/. \
		/./v1/health; do
		bad_request ceop "GET $p HTTP/1.1\r\n$H" || return 1
	done
'

expect_success 'a query with a NUL, a control byte or a bad encoding is a JSON 400' '
	bad_request ceop "GET /v1/packages?after=1%%00x HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/packages?limit=5%%00 HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/packages?limit=%%0d%%0a5 HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/packages?limit=\0335 HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/packages?limit=%%g5 HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/packages?limit=5&limit=1000 HTTP/1.1\r\n$H" &&
	bad_request ceop "GET /v1/packages?after HTTP/1.1\r\n$H"
'

expect_success 'a method that is not an HTTP token is a JSON 400' '
	bad_request - "G\033[31mET /v1/health HTTP/1.1\r\n$H" &&
	bad_request ceop "GE\001T /v1/packages HTTP/1.1\r\n$H" &&
	bad_request ceop "GET\"X /v1/packages HTTP/1.1\r\n$H"
'

expect_success 'canonical requests still work, with a query' '
	test "$(raw ceop "GET /v1/packages?limit=5 HTTP/1.1\r\n$H")" = 200 &&
	test "$(jget resp.body has_more)" = false &&
	test "$(raw - "GET /v1/health HTTP/1.1\r\n$H")" = 200
'

expect_success 'every refused request is counted as malformed' '
	n=$(metric pouchd_malformed_requests_total) && echo "$n" && test "$n" -ge 41
'

expect_success 'no raw control byte reached the log; the method is there escaped' '
	log_clean && logged "^[0-9TZ:-]* pouchd: G\\\\x1b\\[31mET /v1/health status=400"
'

test_done
