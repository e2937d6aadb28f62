#!/bin/sh
# make bench, exchange part (called by bench.sh): pouchd and pouch over TLS on 127.0.0.1 against
# nginx and curl doing the same transfers on this machine, in the same run. Prints figures;
# asserts nothing. POUCH_BUILD is the directory holding pouch and pouchd.
#   BENCH_EXCHANGE_N       packages pushed and pulled (default 1000; each costs about 0.6 s
#                          in all, packing included, on a 2-core machine)
#   BENCH_WRK_SECONDS      length of each wrk run (default 10)
#   BENCH_WRK_CONNECTIONS  wrk's connections (default 16; 2 threads)
#
# The set-up is the exchange tests' own (tests/e2e/lib-pouchd.sh, sourced with tests/e2e/lib.sh
# for its scratch directory, pouch wrapper and agency helpers): GB-MET runs pouchd; GB-NCA-CEOP
# sends to it with a client certificate; both CAs are throwaway ones made with openssl.
#
# Every pouchd route that serves a package needs a client certificate, and wrk has no option
# for one (nor have h2load and ab). The bench therefore preloads a small shim into wrk
# (wrk-client-cert.c: it wraps OpenSSL's SSL_CTX_new and loads a certificate and key into the
# context), so the fetch is measured with wrk as such, mutual TLS included; the baseline is the
# same wrk with the same shim and certificate against nginx serving the same bytes at the same
# path with ssl_verify_client on and the same client CA. nginx is a foreground child with its
# own configuration in the scratch directory, on a free port of 127.0.0.1, stopped at the end.
# pouchd runs with --rate-limit 0 here: a benchmark client is one agency asking as fast as it
# can, which the default limit (600 a minute) would answer with 429s.
set -u

N=${BENCH_EXCHANGE_N:-1000}
WRK_SECONDS=${BENCH_WRK_SECONDS:-10}
WRK_CONNS=${BENCH_WRK_CONNECTIONS:-16}
. "$(dirname "$0")/../e2e/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
NGINX_PID=
# stop_nginx: a fast stop of our nginx (master and workers), waiting until it is gone.
stop_nginx() {
	[ -n "$NGINX_PID" ] || return 0
	kill -TERM "$NGINX_PID" 2>/dev/null
	wait "$NGINX_PID" 2>/dev/null
	NGINX_PID=
}
# Neither nginx nor pouchd outlives the script, whatever way it ends.
trap 'stop_nginx; stop_pouchd KILL; cleanup' EXIT

fail() {
	echo "bench: $*" >&2
	exit 1
}

# hwm PID: the peak resident set size of a live process in KiB (VmHWM).
hwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}
mib() { echo "$1 / 1024" | bc -l; }
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }

# free_port: a port of 127.0.0.1 nothing listens on at this moment.
free_port() {
	"$SYSTEM_PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# restart_pouchd DATA: pouchd on the same port with the store DATA (created when missing).
restart_pouchd() {
	stop_pouchd || fail "pouchd did not stop"
	POUCHD_LISTEN=127.0.0.1:$PORT start_pouchd metgw "$1" --rate-limit 0 ||
		fail "pouchd did not start again on port $PORT"
}

# tls_params PORT: the protocol and cipher suite a client with met's certificate gets.
tls_params() {
	openssl s_client -connect "127.0.0.1:$1" -brief -cert met.pem -key met.key \
		-CAfile servers.ca.pem </dev/null 2>&1 |
		awk -F': ' '/^Protocol version/ { p = $2 } /^Ciphersuite/ { c = $2 }
			END { print p " " c }'
}

# run_wrk PORT OUT: wrk on the stored package's path as GB-MET (a recipient), into OUT.
run_wrk() {
	LD_PRELOAD="$TRASH/wrk-client-cert.so" WRK_CLIENT_CERT=met.pem WRK_CLIENT_KEY=met.key \
		wrk -t2 -c"$WRK_CONNS" -d"${WRK_SECONDS}s" --latency \
		"https://127.0.0.1:$1/v1/packages/$ID" >"$2" 2>&1 || { cat "$2" >&2; fail "wrk failed"; }
	if grep -Eq 'Non-2xx|Socket errors' "$2"; then
		cat "$2" >&2
		fail "wrk saw refused requests or socket errors"
	fi
}

# wrk_figures OUT: "requests-per-second p50 p99" of a wrk report.
wrk_figures() {
	awk '/^Requests\/sec:/ { r = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
		END { print r, p50, p99 }' "$1"
}

echo
echo "exchange over TLS on 127.0.0.1 (setting up: agencies, certificates, $N packages)"
exchange_setup 2>setup.err || { cat setup.err >&2; fail "exchange set-up failed"; }
PORT=$(pouchd_port)
restart_pouchd data
# The shim is built here, with the project's warnings, from tests/bench/wrk-client-cert.c.
${CC:-cc} -std=c17 -Wall -Wextra -Wpedantic -Werror -O2 -shared -fPIC \
	-o "$TRASH/wrk-client-cert.so" "$SRC_DIR/tests/bench/wrk-client-cert.c" -lssl -lcrypto \
	-ldl || fail "cannot build the wrk shim"

# Set-up, not measured: N small packages from GB-NCA-CEOP to GB-MET, packed two at a time.
cp "$SRC_DIR/tests/bench/report.json" report.json
head -c 20000 /dev/urandom >small.bin
mkdir pk
t0=$(now)
seq "$N" | xargs -P2 -I{} "$POUCH_BIN" --home ceop pack -q --to GB-MET --report report.json \
	--attach small.bin -o pk >/dev/null || fail "packing failed"
for _f in pk/*.pouch; do
	_f=${_f#pk/}
	echo "${_f%.pouch}"
done >ids
[ "$(wc -l <ids)" -eq "$N" ] || fail "packed $(wc -l <ids) packages, not $N"
pack_s=$(secs "$t0" "$(now)")
ID=$(head -1 ids)
SIZE=$(wc -c <"pk/$ID.pouch")

# --- one stored package fetched with wrk: pouchd, then nginx --------------------------------
st=$(req ceop PUT "/v1/packages/$ID" -H 'Content-Type: application/json' \
	--data-binary "@pk/$ID.pouch") || fail "cannot store the package"
[ "$st" = 201 ] || { cat body.out >&2; fail "storing the package answered $st"; }
# A fresh pouchd, so its peak RSS is that of serving (the store stays).
restart_pouchd data
PD_PID=$(cat "$TRASH/.pouchd.pid")
pd_idle=$(hwm "$PD_PID")
pd_tls=$(tls_params "$PORT")
run_wrk "$PORT" wrk-pouchd.out
pd_peak=$(hwm "$PD_PID")
# shellcheck disable=SC2046 # split on purpose: the figures
set -- $(wrk_figures wrk-pouchd.out)
pd_rps=$1 pd_p50=$2 pd_p99=$3

mkdir -p ng/www/v1/packages ng/tmp
install -m 0644 "pk/$ID.pouch" "ng/www/v1/packages/$ID"
# nginx's workers drop root for nobody, and store the baseline's uploads here.
chmod 1777 ng/www/v1/packages
NG_PORT=
for _try in 1 2 3 4 5; do
	_p=$(free_port)
	cat >ng/nginx.conf <<-EOF
		daemon off;
		worker_processes auto;
		pid $TRASH/ng/nginx.pid;
		error_log $TRASH/ng/error.log;
		events { worker_connections 1024; }
		http {
		    types { }
		    default_type application/json;
		    access_log $TRASH/ng/access.log;
		    keepalive_requests 1000000;
		    client_body_temp_path $TRASH/ng/tmp/body;
		    proxy_temp_path $TRASH/ng/tmp/proxy;
		    fastcgi_temp_path $TRASH/ng/tmp/fastcgi;
		    uwsgi_temp_path $TRASH/ng/tmp/uwsgi;
		    scgi_temp_path $TRASH/ng/tmp/scgi;
		    server {
		        listen 127.0.0.1:$_p ssl;
		        ssl_protocols TLSv1.2 TLSv1.3;
		        ssl_certificate $TRASH/srv.pem;
		        ssl_certificate_key $TRASH/srv.key;
		        ssl_client_certificate $TRASH/clients.ca.pem;
		        ssl_verify_client on;
		        root $TRASH/ng/www;
		        client_max_body_size 16m;
		        dav_methods PUT;
		    }
		}
	EOF
	"$NGINX" -p "$TRASH/ng/" -c "$TRASH/ng/nginx.conf" -e "$TRASH/ng/error.log" 2>>ng/error.log &
	NGINX_PID=$!
	_i=0
	while [ $_i -lt 100 ] && kill -0 "$NGINX_PID" 2>/dev/null; do
		if [ "$(curl -s --cacert servers.ca.pem --cert met.pem --key met.key -o body.out \
			-w '%{http_code}' "https://127.0.0.1:$_p/v1/packages/$ID")" = 200 ]; then
			NG_PORT=$_p
			break
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	[ -n "$NG_PORT" ] && break
	stop_nginx
done
[ -n "$NG_PORT" ] || { cat ng/error.log >&2; fail "nginx did not start"; }
cmp -s body.out "pk/$ID.pouch" || fail "nginx does not serve the package's bytes"
ng_tls=$(tls_params "$NG_PORT")
run_wrk "$NG_PORT" wrk-nginx.out
ng_peak=0 ng_n=0
for _pid in "$NGINX_PID" $(ps -o pid= --ppid "$NGINX_PID"); do
	ng_peak=$((ng_peak + $(hwm "$_pid"))) ng_n=$((ng_n + 1))
done
# shellcheck disable=SC2046 # split on purpose: the figures
set -- $(wrk_figures wrk-nginx.out)
ng_rps=$1 ng_p50=$2 ng_p99=$3

echo
echo "fetch one stored package ($SIZE-byte envelope) with wrk: 2 threads, $WRK_CONNS connections,"
echo "$WRK_SECONDS s each, a client certificate on every connection; $pd_tls (pouchd),"
echo "$ng_tls (nginx):"
printf '  pouchd %7.0f req/s %6.1f MB/s   p50 %-8s p99 %-8s peak RSS %5.1f MiB (%.1f idle)\n' \
	"$pd_rps" "$(echo "$pd_rps * $SIZE / 1048576" | bc -l)" "$pd_p50" "$pd_p99" \
	"$(mib "$pd_peak")" "$(mib "$pd_idle")"
printf '  nginx  %7.0f req/s %6.1f MB/s   p50 %-8s p99 %-8s peak RSS %5.1f MiB (%d processes)\n' \
	"$ng_rps" "$(echo "$ng_rps * $SIZE / 1048576" | bc -l)" "$ng_p50" "$ng_p99" \
	"$(mib "$ng_peak")" "$ng_n"
printf '  ratio %.2f\n' "$(echo "$ng_rps / $pd_rps" | bc -l)"

# --- push and pull of N packages: curl with nginx, then pouch with pouchd --------------------
# The baseline moves the same files over one connection each way with curl (several URLs on one
# command line reuse the connection), with the same client certificates, to and from the nginx
# above (WebDAV PUT switched on): PUT every envelope as GB-NCA-CEOP, then GET every one as
# GB-MET. So the ratio is what the exchange's verification and bookkeeping cost over moving the
# bytes: pouch verifying before sending, its durable outbox and database, pouchd verifying and
# storing on arrival, the listing, pouch verifying on arrival, its inbox, and a signed receipt
# sent back for each package. pouchd's own share of the push is printed apart (from the ms of
# its log lines). curl to pouchd instead would cost the bench another server-side verification
# of every package (minutes on a 2-core machine) to measure what that share already separates.
rm -f "ng/www/v1/packages/$ID"
NG_URL="https://127.0.0.1:$NG_PORT"
mkdir dl
while read -r id; do
	printf 'url = "%s/v1/packages/%s"\nupload-file = "pk/%s.pouch"\noutput = "/dev/null"\n' \
		"$NG_URL" "$id" "$id"
done <ids >up.cfg
while read -r id; do
	printf 'url = "%s/v1/packages/%s"\noutput = "dl/%s.pouch"\n' "$NG_URL" "$id" "$id"
done <ids >down.cfg
# curl_all CLIENT CONFIG OUT: one curl for every transfer of CONFIG as CLIENT; OUT gets a line
# "STATUS NEW-CONNECTIONS" per transfer.
curl_all() {
	curl -sS --cacert servers.ca.pem --cert "$1.pem" --key "$1.key" \
		-H 'Content-Type: application/json' -H 'Expect:' -w '%{http_code} %{num_connects}\n' \
		-K "$2" >"$3" || fail "curl failed ($2)"
}
# connections OUT: how many connections the transfers of OUT opened.
connections() { awk '{ n += $2 } END { print n }' "$1"; }
t0=$(now)
curl_all ceop up.cfg up.out
t1=$(now)
curl_all met down.cfg down.out
t2=$(now)
stop_nginx
[ "$(grep -c '^201 ' up.out)" -eq "$N" ] || fail "curl's uploads were not all stored (201)"
[ "$(grep -c '^200 ' down.out)" -eq "$N" ] || fail "curl's downloads did not all succeed"
while read -r id; do
	cmp -s "pk/$id.pouch" "dl/$id.pouch" || fail "curl fetched other bytes for $id"
done <ids
curl_up=$(secs "$t0" "$t1") curl_down=$(secs "$t1" "$t2")
curl_conns="$(connections up.out) and $(connections down.out)"

restart_pouchd data-x
PD_PID=$(cat "$TRASH/.pouchd.pid")
# timed NAME COMMAND...: runs COMMAND with its output in NAME.out; prints "STATUS SECONDS KIB"
# (exit status, elapsed time, peak RSS).
timed() {
	_name=$1
	shift
	/usr/bin/time -f '%e %M' -o .time "$@" >"$_name.out" 2>&1
	echo "$? $(tail -1 .time)"
}
# checked NAME WORD STATUS: NAME exited 0 and said WORD at the start of N lines.
checked() {
	[ "$3" = 0 ] && [ "$(grep -c "^$2 " "$1.out")" -eq "$N" ] && return 0
	tail -5 "$1.out" >&2
	fail "pouch $1 exited $3 or did not say '$2' for all $N packages"
}
# shellcheck disable=SC2046 # split on purpose: the figures
set -- $(timed push "$POUCH_BIN" --home ceop push pk/*.pouch)
checked push delivered "$1"
push_s=$2 push_k=$3
# pouchd's own milliseconds in the package PUTs, from its log lines.
push_srv=$(awk '/ PUT \/v1\/packages\/\{id\} / { sub(/.* ms=/, ""); n += $1 } END { print n + 0 }' \
	pouchd.log)
# shellcheck disable=SC2046 # split on purpose: the figures
set -- $(timed pull "$POUCH_BIN" --home met pull)
checked pull good "$1"
pull_s=$2 pull_k=$3
pd_xpeak=$(hwm "$PD_PID")

echo
echo "push and pull of $N small packages (20 KB attachment) through pouchd; the baseline is curl"
printf 'to and from nginx, one connection each way (it opened %s); packing took %.0f s\n' \
	"$curl_conns" "$pack_s"
echo "(set-up, not counted):"
echo "         pouch packages/s   seconds   peak RSS    curl packages/s   seconds    ratio"
xrow() { # name pouch-seconds pouch-KiB curl-seconds
	printf '  %-4s %15.1f %11.1f %6.1f MiB %18.1f %9.2f %8.1f\n' "$1" \
		"$(echo "$N / $2" | bc -l)" "$2" "$(mib "$3")" "$(echo "$N / $4" | bc -l)" "$4" \
		"$(echo "$2 / $4" | bc -l)"
}
xrow push "$push_s" "$push_k" "$curl_up"
xrow pull "$pull_s" "$pull_k" "$curl_down"
printf '  pouchd: peak RSS %.1f MiB over the push and the pull; %.1f s of the push were its own\n' \
	"$(mib "$pd_xpeak")" "$(echo "$push_srv / 1000" | bc -l)"
echo "  (verifying and storing on arrival: the ms of its log lines)"
echo "  (ratio: pouch's or pouchd's time over the baseline's, nginx's or curl's; MB = MiB)"
