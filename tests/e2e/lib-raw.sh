# Raw HTTP for the pouchd hostile-input tests, sourced after lib-pouchd.sh: requests written
# byte for byte (no HTTP client tidies them) over TLS, and checks on the answer and the log.

# raw CLIENT FORMAT [ARGS]: sends printf FORMAT ARGS as the request, as CLIENT ("-": no
# certificate); the whole answer goes to resp, its body (dechunked) to resp.body, and the
# status is printed.
raw() {
	_who=$1
	shift
	# shellcheck disable=SC2059
	printf "$@" | "$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/raw-https.py" "$(pouchd_port)" \
		servers.ca.pem "$_who" >resp || return 1
	# The body after the head, its chunks joined when it came chunked (a listing streams).
	"$SYSTEM_PYTHON" -S -c 'import re, sys
data = open("resp", "rb").read()
head, _, body = data.partition(b"\r\n\r\n")
if re.search(rb"(?im)^transfer-encoding:\s*chunked", head):
    out = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        n = int(size.split(b";")[0], 16)
        if n == 0:
            break
        out, body = out + rest[:n], rest[n + 2:]
    body = out
open("resp.body", "wb").write(body)' || return 1
	sed -n '1s/^HTTP\/1\.1 \([0-9]*\) .*/\1/p' resp
}

# json_error STATUS CODE: resp is one answer (one status line) with that status and a JSON
# error body with that code.
json_error() {
	[ "$(grep -c '^HTTP/1' resp)" = 1 ] &&
	[ "$(sed -n '1s/^HTTP\/1\.1 \([0-9]*\) .*/\1/p' resp)" = "$1" ] &&
	grep -qi '^Content-Type: application/json' resp &&
	[ "$(jget resp.body error.code)" = "$2" ] ||
		{ echo "want $1 $2, got:"; cat resp; echo; return 1; }
}

# bad_request CLIENT FORMAT [ARGS]: the raw request gets a JSON 400 bad_request.
bad_request() {
	raw "$@" >/dev/null && json_error 400 bad_request
}

# log_clean: pouchd.log holds no raw control byte but the newlines (no ESC, no CR, no NUL).
log_clean() {
	if LC_ALL=C tr -d '\n' <pouchd.log | LC_ALL=C grep -aq '[[:cntrl:]]'; then
		echo "a control byte reached the log:"
		cat -A pouchd.log
		return 1
	fi
}

# metric NAME: the value of an unlabelled metric of pouchd.
metric() {
	req - GET /v1/metrics >/dev/null && sed -n "s/^$1 //p" body.out
}
