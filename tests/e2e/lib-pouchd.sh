# Exchange test library, sourced after lib.sh: throwaway certificates made with openssl, and a
# real pouchd started on 127.0.0.1 (a free port it picks) and stopped when the script ends.
POUCHD_BIN="$POUCH_BUILD/pouchd"
[ -x "$POUCHD_BIN" ] || { echo "Bail out! no pouchd binary at $POUCHD_BIN"; exit 1; }
OPENAPI="$SRC_DIR/spec/openapi.yaml"

# make_ca NAME: a test CA in NAME.ca.pem and NAME.ca.key.
make_ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.ca.key" -out "$1.ca.pem" -days 30 -subj "/CN=$1 test CA (pouch tests)" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# make_cert CA NAME CN server|client: NAME.pem and NAME.key issued by CA for that purpose (a
# server certificate is for IP 127.0.0.1).
make_cert() {
	if [ "$4" = server ]; then
		printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$2.ext"
	else
		printf 'extendedKeyUsage=clientAuth\n' >"$2.ext"
	fi
	printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' >>"$2.ext" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$2.key" \
		-out "$2.csr" -subj "/CN=$3" 2>/dev/null &&
	openssl x509 -req -in "$2.csr" -CA "$1.ca.pem" -CAkey "$1.ca.key" -CAcreateserial \
		-out "$2.pem" -days 30 -extfile "$2.ext" 2>/dev/null &&
	chmod 600 "$2.key" && rm -f "$2.csr" "$2.ext"
}

# start_pouchd HOME DATA [FLAGS...]: starts pouchd with the server certificate srv.pem and the
# client CA clients.ca.pem of the trash directory, on POUCHD_LISTEN (default 127.0.0.1:0, a
# free port; give 127.0.0.1:$(pouchd_port) to restart on the same one). Tests run in
# subshells, so its pid and port go to files (.pouchd.pid, .pouchd.port); its log goes to
# pouchd.log. Its deadlines for a request head and an idle connection are ones a busy machine
# does not miss, unless the test gives its own (or a configuration file).
start_pouchd() {
	_home=$1 _data=$2
	shift 2
	case " $* " in
	*" --config "*) ;;
	*)
		case " $* " in *" --head-timeout "*) ;; *) set -- --head-timeout 300 "$@" ;; esac
		case " $* " in *" --idle-timeout "*) ;; *) set -- --idle-timeout 600 "$@" ;; esac
		;;
	esac
	: >pouchd.log
	"$POUCHD_BIN" --home "$_home" --data "$_data" --listen "${POUCHD_LISTEN:-127.0.0.1:0}" \
		--cert srv.pem --key srv.key --client-ca clients.ca.pem "$@" 2>>pouchd.log &
	echo $! >"$TRASH/.pouchd.pid"
	# However long it takes: until the port is in the log, or pouchd has ended.
	wait_until '_port=$(sed -n "s/^.*pouchd: listening on .* port \([0-9]*\) .*/\1/p" \
		pouchd.log); [ -n "$_port" ] || ended "$(cat "$TRASH/.pouchd.pid")"'
	if [ -n "$_port" ]; then
		echo "$_port" >"$TRASH/.pouchd.port"
		return 0
	fi
	cat pouchd.log >&2
	return 1
}

pouchd_port() { cat "$TRASH/.pouchd.port"; }

# stop_pouchd [SIGNAL]: sends SIGNAL (TERM by default) and waits until pouchd is gone.
stop_pouchd() {
	[ -s "$TRASH/.pouchd.pid" ] || return 0
	_pid=$(cat "$TRASH/.pouchd.pid")
	: >"$TRASH/.pouchd.pid"
	kill "-${1:-TERM}" "$_pid" 2>/dev/null || return 0
	wait_until 'ended "$_pid"'
}

# pouchd never outlives the script, whatever way it ends.
trap 'stop_pouchd KILL; cleanup' EXIT

# req CLIENT METHOD PATH [CURL ARGS...]: one request as CLIENT (NAME of NAME.pem/NAME.key, or
# "-" for none). The body goes to body.out, the status is printed.
req() {
	_who=$1 _method=$2 _path=$3
	shift 3
	if [ "$_who" = - ]; then set -- "$@"; else set -- --cert "$_who.pem" --key "$_who.key" "$@"; fi
	curl -sS --cacert servers.ca.pem -o body.out -w '%{http_code}' -X "$_method" "$@" \
		"https://127.0.0.1:$(pouchd_port)$_path"
}

# is_status WANT CLIENT METHOD PATH [ARGS]: the request answers WANT.
is_status() {
	_want=$1
	shift
	_got=$(req "$@") || return 1
	[ "$_got" = "$_want" ] || { echo "status $_got, want $_want:"; cat body.out; echo; return 1; }
}

# jget FILE PATH: the JSON value at a dotted path (numbers index arrays); strings bare, other
# values as JSON.
jget() {
	"$SYSTEM_PYTHON" -S -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
}

# error_code CODE: body.out is an error body with that stable code.
error_code() {
	[ "$(jget body.out error.code 2>/dev/null)" = "$1" ] ||
		{ echo "want error $1, got:"; cat body.out; echo; return 1; }
}

# api_ok METHOD PATH STATUS: body.out matches spec/openapi.yaml's response schema.
api_ok() {
	pyrun "$SRC_DIR/tests/e2e/check-openapi.py" "$OPENAPI" --response "$1" "$2" "$3" \
		body.out
}

# gateway HOME GWHOME: GWHOME becomes the gateway home of HOME's agency (its public key only)
# and pins the same partners HOME pins.
gateway() {
	pouch --home "$1" key export -o "$TRASH/.gw.asc" &&
	pouch --home "$1" whoami --json >"$TRASH/.gw.json" &&
	pouch --home "$2" init --gateway --code "$(jget "$TRASH/.gw.json" agency)" \
		--key "$TRASH/.gw.asc" --fingerprint "$(jget "$TRASH/.gw.json" fingerprint)" \
		>/dev/null 2>&1 &&
	for _p in "$1"/partners/*.json; do
		[ -e "$_p" ] || continue
		_c=$(basename "$_p" .json)
		pouch --home "$1" partner show "$_c" --json >"$TRASH/.gw.p.json" &&
		gpg --homedir "$1/gnupg" --batch --armor --export \
			"$(jget "$TRASH/.gw.p.json" keys.0.fingerprint)" >"$TRASH/.gw.k.asc" &&
		pouch --home "$2" partner add "$_c" --key "$TRASH/.gw.k.asc" -q >/dev/null ||
			return 1
	done
	rm -f "$TRASH"/.gw.*
}

# exchange_setup: the force GB-MET (home met) runs pouchd (gateway home metgw, data in data/)
# on 127.0.0.1; the national centre GB-NCA-CEOP (home ceop) and US-NCMEC (home ncmec) are its
# partners and reach it with client certificates issued by the clients CA (files ceop.pem,
# ncmec.pem, met.pem and their keys). Servers are certified by the servers CA (srv.pem). The
# partners' GB-MET records and met's own endpoint point at that pouchd. Start it again with
# start_pouchd metgw data.
exchange_setup() {
	init_agency met GB-MET && init_agency ceop GB-NCA-CEOP && init_agency ncmec US-NCMEC &&
	partners met ceop && partners met ncmec && partners ceop ncmec &&
	gateway met metgw &&
	make_ca servers && make_ca clients &&
	make_cert servers srv 127.0.0.1 server &&
	make_cert clients ceop GB-NCA-CEOP client && make_cert clients met GB-MET client &&
	make_cert clients ncmec US-NCMEC client &&
	start_pouchd metgw data &&
	_url="https://127.0.0.1:$(pouchd_port)" &&
	for _a in ceop ncmec; do
		pouch --home "$_a" partner set GB-MET --endpoint "$_url" --ca servers.ca.pem \
			--client-cert "$_a.pem" --client-key "$_a.key" -q >/dev/null || return 1
	done &&
	pouch --home met endpoint set --endpoint "$_url" --ca servers.ca.pem \
		--client-cert met.pem --client-key met.key -q >/dev/null
}

# listing CLIENT: the ids in pouchd's listing for CLIENT, one a line, as often as listed.
listing() {
	req "$1" GET "/v1/packages?limit=1000" >/dev/null &&
	"$SYSTEM_PYTHON" -S -c 'import json
for p in json.load(open("body.out"))["packages"]:
    print(p["id"])'
}

# listed CLIENT ID: how many times pouchd's listing for CLIENT shows package ID.
listed() {
	listing "$1" >"$TRASH/.listed" && grep -cx "$2" "$TRASH/.listed"
}

# outbox_whole HOME: every package HOME has queued has its files in its outbox, byte for byte
# as in pk/, and the outbox holds nothing else (no partial or temporary file).
outbox_whole() {
	for _f in "$1"/outbox/* "$1"/outbox/.[!.]*; do
		[ -e "$_f" ] || continue
		cmp -s "$_f" "pk/$(basename "$_f")" || { echo "partial or stray: $_f"; return 1; }
	done &&
	for _id in $(sqlite3 "$1/state.db" "SELECT id FROM outgoing" 2>/dev/null); do
		test -e "$1/outbox/$_id.pouch" || { echo "queued but missing: $_id"; return 1; }
	done
}

# store_whole DATA: pouchd's store in DATA holds whole packages only (as in pk/), each once
# and with its row, and every row has its file. A request pouchd is still finishing (its
# client killed) moves its files in and then commits their row, so the check is repeated
# until it holds, however long that takes; a store whose pouchd was killed is checked after
# the restart, which tidies what the kill left.
store_whole() {
	wait_until "store_whole_now '$1' >/dev/null 2>&1" || store_whole_now "$1"
}

store_whole_now() {
	sqlite3 "$1/pouchd.db" "SELECT id FROM packages" >"$TRASH/.rows" || return 1
	for _f in "$1"/packages/*; do
		[ -e "$_f" ] || continue
		cmp -s "$_f" "pk/$(basename "$_f")" || { echo "partial on the server: $_f"; return 1; }
		_id=$(basename "$_f" | sed 's/\.pouch.*//')
		test "$(grep -cx "$_id" "$TRASH/.rows")" = 1 ||
			{ echo "stored without its row: $_f"; return 1; }
	done &&
	for _id in $(cat "$TRASH/.rows"); do
		test -e "$1/packages/$_id.pouch" || { echo "row without its file: $_id"; return 1; }
	done
}

# stage CLIENT ID FILE [OFFSET [CURL ARGS...]]: appends FILE to CLIENT's staged upload for ID
# at OFFSET (default 0); prints the status.
stage() {
	_c=$1 _i=$2 _f=$3 _o=${4:-0}
	shift 3
	[ $# -gt 0 ] && shift
	req "$_c" PATCH "/v1/uploads/$_i" -H "Content-Type: application/offset+octet-stream" \
		-H "Upload-Offset: $_o" --data-binary "@$_f" "$@"
}

# staged CLIENT ID: the size of CLIENT's staged upload for ID.
staged() {
	_st=$(req "$1" GET "/v1/uploads/$2") && test "$_st" = 200 && jget body.out offset
}

# partial CLIENT METHOD PATH FILE BYTES [HEADER...]: a request (tests/e2e/partial-body.py)
# whose body is FILE but that sends only its first BYTES bytes and then holds the connection
# open: PARTIAL_PID is its process (kill it for a client gone mid-body). It ends by itself
# when pouchd does.
partial() {
	_c=$1 _m=$2 _p=$3 _f=$4 _n=$5
	shift 5
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/partial-body.py" "$(pouchd_port)" servers.ca.pem \
		"$_c" "$_m" "$_p" "$_f" "$_n" "$@" </dev/null >/dev/null 2>partial.err &
	PARTIAL_PID=$!
}

# arrived FILE BYTES: FILE (a glob) exists and holds exactly BYTES bytes (what pouchd wrote of
# a body so far).
arrived() {
	for _a in $1; do
		[ -f "$_a" ] && [ "$(stat -c %s "$_a")" = "$2" ] && return 0
	done
	return 1
}

# logged PATTERN [FILE]: waits until pouchd's log (FILE, default pouchd.log) has a line matching
# PATTERN (grep's basic regex). pouchd logs a request once it is finished, which can be after
# its client has read the answer: a test reads the log only through this (or logged_count).
logged() {
	_w=0
	until grep -q -- "$1" "${2:-pouchd.log}"; do
		_w=$((_w + 1))
		[ $_w -lt 6000 ] || { echo "never logged: $1" >&2; return 1; }
		sleep 0.1
	done
}

# logged_count N PATTERN: waits until pouchd.log has at least N lines matching PATTERN, then is
# true when it has exactly N.
logged_count() {
	_w=0
	until [ "$(grep -c -- "$2" pouchd.log)" -ge "$1" ]; do
		_w=$((_w + 1))
		[ $_w -lt 6000 ] || { echo "logged $(grep -c -- "$2" pouchd.log) of $1: $2" >&2; return 1; }
		sleep 0.1
	done
	[ "$(grep -c -- "$2" pouchd.log)" -eq "$1" ]
}

# aborted METHOD ID: pouchd has logged METHOD's request for ID as aborted, and so is done with
# it (what a client gone mid-body left is tidied before that line).
aborted() {
	grep -q "$1 [^ ]* status=[0-9]* aborted agency=[^ ]* id=$2 " pouchd.log
}
