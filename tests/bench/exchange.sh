#!/bin/sh
# make bench, exchange part (called by bench.sh): pouchd and pouch over TLS on 127.0.0.1 against
# nginx and curl doing the same transfers on this machine, in the same run, each timed in turn
# with its baseline. Prints figures beside their targets; asserts nothing. POUCH_BUILD is the
# directory holding pouch and pouchd. BENCH_QUICK=1 scales every count down; the knobs:
#   BENCH_EXCHANGE_N       packages pushed and pulled (default 1000), ...
#   BENCH_EXCHANGE_ROUNDS  ... in this many rounds (default 2), each round curl's uploads,
#                          pouch push, curl's downloads and pouch pull in turn
#   BENCH_WRK_SECONDS      length of each wrk run on one stored package (default 5) ...
#   BENCH_WRK_ROUNDS       ... run this many times each, pouchd and nginx in turn (default 3)
#   BENCH_WRK_CONNECTIONS  wrk's connections (default 16; 2 threads)
#   BENCH_CLIENTS          clients pushing at once to one pouchd (default 8), the same
#                          BENCH_EXCHANGE_N packages shared out among them
#   BENCH_LIST_SMALL       packages stored for the first listing figure (default 1000) ...
#   BENCH_LIST_LARGE       ... and for the second (default 100000)
#   BENCH_LIST_SECONDS     length of each wrk run on the listing (default 5) ...
#   BENCH_LIST_ROUNDS      ... run this many times for each store, in turn (default 3)
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

. "$(dirname "$0")/../e2e/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"
BENCH_TMP=$TRASH
. "$SRC_DIR/tests/bench/common.sh"
N=$(knob BENCH_EXCHANGE_N 1000 24)
ROUNDS=$(knob BENCH_EXCHANGE_ROUNDS 2 2)
WRK_SECONDS=$(knob BENCH_WRK_SECONDS 5 1)
WRK_ROUNDS=$(knob BENCH_WRK_ROUNDS 3 1)
WRK_CONNS=$(knob BENCH_WRK_CONNECTIONS 16 16)
CLIENTS=$(knob BENCH_CLIENTS 8 8)
LIST_SMALL=$(knob BENCH_LIST_SMALL 1000 200)
LIST_LARGE=$(knob BENCH_LIST_LARGE 100000 5000)
LIST_SECONDS=$(knob BENCH_LIST_SECONDS 5 1)
LIST_ROUNDS=$(knob BENCH_LIST_ROUNDS 3 2)
LIST_LIMIT=100 # what pouch pull asks for per page by default

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

# free_port: a port of 127.0.0.1 nothing listens on at this moment.
free_port() {
	"$SYSTEM_PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# restart_pouchd DATA: pouchd on the same port with the store DATA (created when missing);
# PD_PID is its process.
restart_pouchd() {
	stop_pouchd || fail "pouchd did not stop"
	POUCHD_LISTEN=127.0.0.1:$PORT start_pouchd metgw "$1" --rate-limit 0 ||
		fail "pouchd did not start again on port $PORT"
	PD_PID=$(cat "$TRASH/.pouchd.pid")
}

# tls_params PORT: the protocol and cipher suite a client with met's certificate gets.
tls_params() {
	openssl s_client -connect "127.0.0.1:$1" -brief -cert met.pem -key met.key \
		-CAfile servers.ca.pem </dev/null 2>&1 |
		awk -F': ' '/^Protocol version/ { p = $2 } /^Ciphersuite/ { c = $2 }
			END { print p " " c }'
}

# run_wrk PORT PATH OUT CONNECTIONS SECONDS: wrk on PATH as GB-MET (a recipient); appends
# "requests-per-second p50-ms p99-ms" to OUT.figures.
run_wrk() {
	_t=2
	[ "$4" -ge 2 ] || _t=1
	LD_PRELOAD="$TRASH/wrk-client-cert.so" WRK_CLIENT_CERT=met.pem WRK_CLIENT_KEY=met.key \
		wrk -t$_t -c"$4" -d"$5s" --latency "https://127.0.0.1:$1$2" >"$3" 2>&1 ||
		{ cat "$3" >&2; fail "wrk failed"; }
	if grep -Eq 'Non-2xx|Socket errors' "$3"; then
		cat "$3" >&2
		fail "wrk saw refused requests or socket errors"
	fi
	awk 'function ms(v) {
			if (v ~ /us$/) return v * 0.001
			if (v ~ /ms$/) return v + 0
			if (v ~ /m$/) return v * 60000
			return v * 1000
		}
		/^Requests\/sec:/ { r = $2 } $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
		END { print r, p50, p99 }' "$3" >>"$3.figures"
}

# wrk_summary FIGURES: "mean-requests-per-second median-p50-ms largest-p99-ms" over the runs.
wrk_summary() {
	_p50=$(awk '{ print $2 }' "$1" | sort -g |
		awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	awk -v p50="$_p50" '{ r += $1; if ($3 > p99) p99 = $3 }
		END { printf "%.0f %.2f %.2f\n", r / NR, p50, p99 }' "$1"
}

echo
echo "exchange over TLS on 127.0.0.1 (setting up: agencies, certificates, $N packages; load"
echo "average $(load))"
exchange_setup 2>setup.err || { cat setup.err >&2; fail "exchange set-up failed"; }
PORT=$(pouchd_port)
restart_pouchd data
# The shim is built here, with the project's warnings, from tests/bench/wrk-client-cert.c.
${CC:-cc} -std=c17 -Wall -Wextra -Wpedantic -Werror -O2 -shared -fPIC \
	-o "$TRASH/wrk-client-cert.so" "$SRC_DIR/tests/bench/wrk-client-cert.c" -lssl -lcrypto \
	-ldl || fail "cannot build the wrk shim"

# Set-up, not measured: N small packages from GB-NCA-CEOP to GB-MET, in one batch.
cp "$SRC_DIR/tests/bench/report.json" report.json
head -c 20000 /dev/urandom >small.bin
mkdir pk
i=0
while [ $i -lt "$N" ]; do
	echo '{"to": "GB-MET", "report": "report.json", "attachments": ["small.bin"]}'
	i=$((i + 1))
done >pk.jsonl
t0=$(now)
"$POUCH_BIN" --home ceop pack -q --batch pk.jsonl -o pk >packed.out 2>pack.err ||
	{ cat pack.err >&2; fail "packing failed"; }
awk '{ print $2 }' packed.out >ids
[ "$(ls pk/*.pouch | wc -l)" -eq "$N" ] && [ "$(wc -l <ids)" -eq "$N" ] ||
	fail "packed $(wc -l <ids) packages, not $N"
pack_s=$(secs "$t0" "$(now)")
ID=$(head -1 ids)
SIZE=$(wc -c <"pk/$ID.pouch")
# The concurrent clients: one copy of GB-NCA-CEOP's home each (a home runs one push at a
# time), made before any push, so each has the packages to send as its own (no GnuPG socket
# copied: each starts its own agent).
c=1
while [ $c -le "$CLIENTS" ]; do
	cp -a ceop "ceop$c" && find "ceop$c" -type s -delete || fail "cannot copy the home ceop"
	c=$((c + 1))
done

# --- one stored package fetched with wrk: pouchd and nginx in turn --------------------------
st=$(req ceop PUT "/v1/packages/$ID" -H 'Content-Type: application/json' \
	--data-binary "@pk/$ID.pouch") || fail "cannot store the package"
[ "$st" = 201 ] || { cat body.out >&2; fail "storing the package answered $st"; }

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

# A fresh pouchd, so its peak RSS is that of serving (the store stays).
restart_pouchd data
pd_idle=$(hwm "$PD_PID")
pd_tls=$(tls_params "$PORT")
ng_tls=$(tls_params "$NG_PORT")
r=0
while [ $r -lt "$WRK_ROUNDS" ]; do
	run_wrk "$PORT" "/v1/packages/$ID" wrk-pouchd.out "$WRK_CONNS" "$WRK_SECONDS"
	run_wrk "$NG_PORT" "/v1/packages/$ID" wrk-nginx.out "$WRK_CONNS" "$WRK_SECONDS"
	r=$((r + 1))
done
pd_peak=$(hwm "$PD_PID")
ng_peak=0 ng_n=0
# nginx's master and its workers (children read from /proc: no procps needed).
for _pid in "$NGINX_PID" $(grep -l "^PPid:[[:space:]]*$NGINX_PID\$" /proc/[0-9]*/status 2>/dev/null |
	cut -d/ -f3); do
	ng_peak=$((ng_peak + $(hwm "$_pid"))) ng_n=$((ng_n + 1))
done
# shellcheck disable=SC2046 # split on purpose: the figures
set -- $(wrk_summary wrk-pouchd.out.figures)
pd_rps=$1 pd_p50=$2 pd_p99=$3
# shellcheck disable=SC2046
set -- $(wrk_summary wrk-nginx.out.figures)
ng_rps=$1 ng_p50=$2 ng_p99=$3

echo
echo "fetch one stored package ($SIZE-byte envelope) with wrk: 2 threads, $WRK_CONNS connections,"
echo "$(counted "$WRK_ROUNDS" run) of $WRK_SECONDS s each, pouchd and nginx in turn, a client certificate on"
echo "every connection; pouchd $pd_tls, nginx $ng_tls;"
echo "mean req/s, median p50, largest p99:"
printf '  pouchd %7.0f req/s %6.1f MB/s   p50 %6.2f ms   p99 %6.2f ms   peak RSS %5.1f MiB (%.1f idle)\n' \
	"$pd_rps" "$(echo "$pd_rps * $SIZE / 1048576" | bc -l)" "$pd_p50" "$pd_p99" \
	"$(mib "$pd_peak")" "$(mib "$pd_idle")"
printf '  nginx  %7.0f req/s %6.1f MB/s   p50 %6.2f ms   p99 %6.2f ms   peak RSS %5.1f MiB (%d processes)\n' \
	"$ng_rps" "$(echo "$ng_rps * $SIZE / 1048576" | bc -l)" "$ng_p50" "$ng_p99" \
	"$(mib "$ng_peak")" "$ng_n"
fetch_r=$(ratio "$pd_rps" "$ng_rps")
echo "  pouchd's rate over nginx's: $fetch_r $(target "$fetch_r" '>=' 0.6)"

# --- push and pull of N packages: curl with nginx and pouch with pouchd, in turn ------------
# The baseline moves the same files over one connection each way with curl (several URLs on one
# command line reuse the connection), with the same client certificates, to and from the nginx
# above (WebDAV PUT switched on): PUT every envelope as GB-NCA-CEOP, then GET every one as
# GB-MET. So the ratio is what the exchange's verification and bookkeeping cost over moving the
# bytes: pouch verifying before sending, its durable outbox and database, pouchd verifying and
# storing on arrival, the listing, pouch verifying on arrival, its inbox, and a signed receipt
# sent back for each package. pouchd's own share of the push is printed apart (from the ms of
# its log lines). curl to pouchd instead would cost the bench another server-side verification
# of every package (minutes on a 2-core machine) to measure what that share already separates.
# The N packages go in ROUNDS rounds of N / ROUNDS: curl uploads them, pouch pushes them, curl
# downloads them, pouch pulls them (each pull fetches what that round's push stored).
rm -f "ng/www/v1/packages/$ID"
NG_URL="https://127.0.0.1:$NG_PORT"
mkdir dl
split -d -n "l/$ROUNDS" ids round.
# curl_all CLIENT CONFIG OUT: one curl for every transfer of CONFIG as CLIENT; OUT gets a line
# "STATUS NEW-CONNECTIONS" per transfer.
curl_all() {
	curl -sS --cacert servers.ca.pem --cert "$1.pem" --key "$1.key" \
		-H 'Content-Type: application/json' -H 'Expect:' -w '%{http_code} %{num_connects}\n' \
		-K "$2" >"$3"
}
# connections OUT...: how many connections the transfers of OUT opened.
connections() { cat "$@" | awk '{ n += $2 } END { print n }'; }
# checked OUT WORD STATUS COUNT: a pouch command exited 0 and said WORD at the start of COUNT
# lines of OUT.
checked() {
	[ "$3" = 0 ] && [ "$(grep -c "^$2 " "$1")" -eq "$4" ] && return 0
	tail -5 "$1" >&2
	echo "bench: pouch ($1) exited $3 or did not say '$2' for all $4 packages" >&2
	return 1
}
# files IDS: the package files of the ids in the file IDS.
files() { sed 's|.*|pk/&.pouch|' "$1"; }
push_round() { # IDS
	# shellcheck disable=SC2046 # split on purpose: one argument a file
	rss m.push "$POUCH_BIN" --home ceop push $(files "$1") >push.out 2>&1
	checked push.out delivered $? "$(wc -l <"$1")"
}
pull_round() { # IDS
	rss m.pull "$POUCH_BIN" --home met pull >pull.out 2>&1
	checked pull.out good $? "$(wc -l <"$1")"
}
restart_pouchd data-x
for _r in round.*; do
	while read -r id; do
		printf 'url = "%s/v1/packages/%s"\nupload-file = "pk/%s.pouch"\noutput = "/dev/null"\n' \
			"$NG_URL" "$id" "$id"
	done <"$_r" >up.cfg
	while read -r id; do
		printf 'url = "%s/v1/packages/%s"\noutput = "dl/%s.pouch"\n' "$NG_URL" "$id" "$id"
	done <"$_r" >down.cfg
	lap t.up curl_all ceop up.cfg "up.$_r.out" || fail "curl failed"
	lap t.push push_round "$_r" || fail "pouch push failed"
	lap t.down curl_all met down.cfg "down.$_r.out" || fail "curl failed"
	lap t.pull pull_round "$_r" || fail "pouch pull failed"
done
pd_xpeak=$(hwm "$PD_PID")
stop_nginx
[ "$(cat up.round.* | grep -c '^201 ')" -eq "$N" ] || fail "curl's uploads were not all stored (201)"
[ "$(cat down.round.* | grep -c '^200 ')" -eq "$N" ] || fail "curl's downloads did not all succeed"
while read -r id; do
	cmp -s "pk/$id.pouch" "dl/$id.pouch" || fail "curl fetched other bytes for $id"
done <ids
# pouchd's own milliseconds in the package PUTs, from its log lines.
push_srv=$(awk '/ PUT \/v1\/packages\/\{id\} / { sub(/.* ms=/, ""); n += $1 } END { print n + 0 }' \
	pouchd.log)

echo
echo "push and pull of $N small packages (20 KB attachment) through pouchd, in $(counted "$ROUNDS" round)"
echo "of $((N / ROUNDS)) (each round: curl's uploads, pouch push, curl's downloads, pouch pull);"
echo "the baseline is curl to and from nginx, one connection each way (it opened"
echo "$(connections up.round.*) and $(connections down.round.*)); packing took $(printf %.0f "$pack_s") s (set-up, not counted):"
echo "         pouch packages/s   seconds   peak RSS    curl packages/s   seconds    ratio"
xrow() { # name pouch-times pouch-rss curl-times target
	_p=$(total "$2") _c=$(total "$4")
	_rate=$(echo "$N / $_p" | bc -l)
	printf '  %-4s %15.1f %11.1f %6.1f MiB %18.1f %9.2f %8.1f  %s\n' "$1" "$_rate" "$_p" \
		"$(peak "$3")" "$(echo "$N / $_c" | bc -l)" "$_c" "$(ratio "$_p" "$_c")" \
		"$(target "$_rate" '>=' "$5")"
}
xrow push t.push m.push t.up 40
xrow pull t.pull m.pull t.down 25
printf '  pouchd: peak RSS %.1f MiB over the push and the pull; %.1f s of the push were its own\n' \
	"$(mib "$pd_xpeak")" "$(echo "$push_srv / 1000" | bc -l)"
echo "  (verifying and storing on arrival: the ms of its log lines)"
echo "  (ratio: pouch's time over curl's; targets: packages/s)"
push_rate=$(echo "$N / $(total t.push)" | bc -l)

# --- CLIENTS clients pushing at once to one pouchd -----------------------------------------
# The same N packages, shared out round-robin among CLIENTS copies of GB-NCA-CEOP's home, each
# pushed by its own `pouch push` at the same time to a pouchd with an empty store. The baseline
# is one client's push rate above, measured in this run.
restart_pouchd data-c
split -d -n "r/$CLIENTS" ids client.
slices=$(ls client.??)
t0=$(now)
pids="" c=1
for _s in $slices; do
	# shellcheck disable=SC2046 # split on purpose: one argument a file
	(rss "m.client$c" "$POUCH_BIN" --home "ceop$c" push $(files "$_s") >"$_s.out" 2>&1
		echo $? >"$_s.status") &
	pids="$pids $!"
	c=$((c + 1))
done
# shellcheck disable=SC2086 # split on purpose: the processes
wait $pids
for _s in $slices; do
	checked "$_s.out" delivered "$(cat "$_s.status")" "$(wc -l <"$_s")" ||
		fail "a concurrent push failed"
done
conc_s=$(secs "$t0" "$(now)")
stored=$(sqlite3 data-c/pouchd.db 'SELECT count(*) FROM packages')
[ "$stored" -eq "$N" ] || fail "pouchd stored $stored of the $N packages pushed at once"
pd_cpeak=$(hwm "$PD_PID")
cat m.client* >m.clients
conc_rate=$(echo "$N / $conc_s" | bc -l)

echo
echo "$CLIENTS clients pushing at once to one pouchd ($N packages in all, $((N / CLIENTS)) each,"
echo "each client its own home and connection):"
printf '  pouchd accepted %.1f packages/s (%.1f s)   %.2f times one client'"'"'s rate (%.1f/s)\n' \
	"$conc_rate" "$conc_s" "$(ratio "$conc_rate" "$push_rate")" "$push_rate"
printf '  peak RSS: pouchd %.1f MiB, each pouch push %s MiB at most\n' "$(mib "$pd_cpeak")" \
	"$(peak m.clients)"

# --- listing by cursor, with LIST_SMALL and with LIST_LARGE packages stored -----------------
# Two stores grown from the push's one (pouchd stopped) by seed-store.py: it copies the index
# rows and files of one stored package under fresh ids. That bypasses pouchd's verification on
# purpose: storing 100,000 real packages would take hours, and only the listing is timed. Then
# pouchd serves each store in turn, and wrk (one connection: one request after the other) asks
# GB-MET's list from the cursor in its middle, what `pouch pull` asks (limit 100).
stop_pouchd || fail "pouchd did not stop"
cp -a data-x data-l1 || fail "cannot copy the store"
seed() { # DATA TOTAL
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/bench/seed-store.py" "$1" "$2" GB-MET >"$1.seeded" ||
		fail "cannot seed the store $1"
}
seed data-l1 "$LIST_SMALL"
cp -a data-l1 data-l2 || fail "cannot copy the store"
seed data-l2 "$LIST_LARGE"
r=0
while [ $r -lt "$LIST_ROUNDS" ]; do
	for _d in l1 l2; do
		restart_pouchd "data-$_d"
		run_wrk "$PORT" "/v1/packages?after=$(cut -d' ' -f2 "data-$_d.seeded")&limit=$LIST_LIMIT" \
			"wrk-$_d.out" 1 "$LIST_SECONDS"
		hwm "$PD_PID" >>"m.$_d"
	done
	r=$((r + 1))
done
st=$(req met GET "/v1/packages?after=$(cut -d' ' -f2 data-l2.seeded)&limit=$LIST_LIMIT") &&
	[ "$st" = 200 ] || fail "the listing answered $st"
listed=$(jget body.out packages | "$SYSTEM_PYTHON" -S -c 'import json, sys
print(len(json.load(sys.stdin)))')

echo
echo "listing by cursor: GET /v1/packages?after=CURSOR&limit=$LIST_LIMIT as GB-MET, CURSOR in the"
echo "middle of its list ($listed packages a page, $(wc -c <body.out) bytes); wrk, one connection,"
echo "$(counted "$LIST_ROUNDS" run) of $LIST_SECONDS s for each store, in turn; median p50, largest p99:"
list_row() { # name
	_n=$1
	# shellcheck disable=SC2046 # split on purpose: the figures
	set -- $(wrk_summary "wrk-$_n.out.figures") "$(cut -d' ' -f1 "data-$_n.seeded")"
	printf '  %7d stored   p50 %6.2f ms   p99 %6.2f ms   %6.0f req/s   pouchd peak RSS %5.1f MiB\n' \
		"$4" "$2" "$3" "$1" "$(peak "m.$_n")"
	echo "$2" >"p50.$_n"
}
list_row l1
list_row l2
list_r=$(ratio "$(cat p50.l2)" "$(cat p50.l1)")
echo "  p50 with $(cut -d' ' -f1 data-l2.seeded) over p50 with $(cut -d' ' -f1 data-l1.seeded): $list_r $(target "$list_r" '<=' 1.25) (near 1)"
