#!/bin/sh
# pouchd keeps client-certificate verdicts and its map of client names to agencies between
# requests: a change of the partner directory still takes effect on the very next request,
# without a restart and also on a connection kept alive from before the change.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

JSON='Content-Type: application/json'

# settled: metgw's agency file and partner directory were last changed 3 seconds ago or more,
# so that pouchd keeps the map it builds from them (a map built from files changed within the
# last two seconds is built again on every request): the change that follows meets a kept map.
settled() {
	wait_until 'test $(($(date +%s) - $(stat -c "%Y %Z" metgw/agency.json metgw/partners \
		metgw/partners/* | tr " " "\n" | sort -n | tail -1))) -ge 3'
}

# keepalive CLIENT: two GET /v1/packages on one TLS connection as CLIENT, the second once the
# file go exists; ka.out gets a line per answer: the status and the error code or "-".
keepalive() {
	rm -f go ka.out
	"$SYSTEM_PYTHON" - "$(pouchd_port)" "$1" >ka.out 2>ka.err <<-\PY &
	import json, os, socket, ssl, sys, time
	port, who = int(sys.argv[1]), sys.argv[2]
	ctx = ssl.create_default_context(cafile="servers.ca.pem")
	ctx.load_cert_chain(who + ".pem", who + ".key")
	s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
	                    server_hostname="127.0.0.1")
	f = s.makefile("rb")
	def ask():
	    s.sendall(b"GET /v1/packages?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	    status = int(f.readline().split()[1])
	    head = {}
	    while True:
	        line = f.readline().strip()
	        if not line:
	            break
	        name, _, value = line.partition(b":")
	        head[name.strip().lower()] = value.strip()
	    if head.get(b"transfer-encoding") == b"chunked":
	        body = b""
	        while True:
	            n = int(f.readline().split(b";")[0], 16)
	            body += f.read(n)
	            f.readline()
	            if n == 0:
	                break
	    else:
	        body = f.read(int(head.get(b"content-length", b"0")))
	    body = json.loads(body)
	    print(status, body.get("error", {}).get("code", "-"), flush=True)
	ask()
	while not os.path.exists("go"):
	    time.sleep(0.05)
	ask()
	PY
	KA_PID=$!
}

expect_success 'setup: GB-MET runs pouchd; a package from the centre is packed' '
	exchange_setup && write_report report.json MARKER-CONTENT-84a0 && mkdir pk &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >old-id &&
	make_ca rogue && make_cert rogue rogue GB-NCA-CEOP client &&
	init_agency fr FR-OCRVP && partners met fr && make_cert clients fr FR-OCRVP client
'

expect_success 'an agency that is not a partner yet is refused' '
	settled &&
	is_status 403 fr GET /v1/packages && error_code unknown_agency &&
	is_status 200 ceop GET /v1/packages
'

expect_success 'a partner added while pouchd runs pushes and fetches at once' '
	pouch --home fr key export -o fr.asc &&
	pouch --home metgw partner add FR-OCRVP --key fr.asc -q >/dev/null &&
	is_status 200 fr GET /v1/packages &&
	pouch --home fr pack --to GB-MET --report report.json -o pk >fr-id &&
	is_status 201 fr PUT "/v1/packages/$(cat fr-id)" -H "$JSON" \
		--data-binary "@pk/$(cat fr-id).pouch" &&
	is_status 200 fr GET "/v1/packages/$(cat fr-id)" && cmp body.out "pk/$(cat fr-id).pouch"
'

expect_success 'a partner removed while pouchd runs is refused on its kept-alive connection' '
	settled &&
	keepalive ceop &&
	wait_until "test -s ka.out || ended $KA_PID" && test -s ka.out &&
	pouch --home metgw partner remove GB-NCA-CEOP >/dev/null &&
	: >go &&
	wait_until "ended $KA_PID" &&
	printf "200 -\n403 unknown_agency\n" >want && test_cmp want ka.out &&
	is_status 403 ceop GET /v1/packages && error_code unknown_agency
'

expect_success 'curl on one connection: refused on both requests, the second after a close' '
	curl -sS --cacert servers.ca.pem --cert ceop.pem --key ceop.key -o /dev/null -o /dev/null \
		-w "%{http_code}\n" "https://127.0.0.1:$(pouchd_port)/v1/packages" \
		"https://127.0.0.1:$(pouchd_port)/v1/packages" >codes &&
	printf "403\n403\n" >want && test_cmp want codes
'

expect_success 'the partner comes back with a rotated key: the new key is taken, the old not' '
	pouch --home ceop key rotate --no-passphrase -o rotated.asc >/dev/null 2>&1 &&
	pouch --home ceop pack --to GB-MET --report report.json -o pk >new-id &&
	pouch --home metgw partner add GB-NCA-CEOP --key rotated.asc -q >/dev/null &&
	is_status 201 ceop PUT "/v1/packages/$(cat new-id)" -H "$JSON" \
		--data-binary "@pk/$(cat new-id).pouch" &&
	st=$(req ceop PUT "/v1/packages/$(cat old-id)" -H "$JSON" \
		--data-binary "@pk/$(cat old-id).pouch") &&
	test "$st" = 422 && error_code not_genuine && test "$(listed ceop "$(cat old-id)")" = 0
'

expect_success 'a client certificate replaced for the same name is taken; a stranger'"'"'s not' '
	settled &&
	is_status 200 ceop GET /v1/packages &&
	make_cert clients ceop2 GB-NCA-CEOP client &&
	is_status 200 ceop2 GET /v1/packages &&
	is_status 200 ceop2 GET "/v1/packages/$(cat new-id)" &&
	cmp body.out "pk/$(cat new-id).pouch" &&
	is_status 403 rogue GET /v1/packages && error_code untrusted_client_certificate
'

expect_success 'an edit in place of a partner file takes effect on the next request' '
	settled &&
	is_status 200 fr GET /v1/packages &&
	"$SYSTEM_PYTHON" -c "import json
p = json.load(open(\"metgw/partners/FR-OCRVP.json\"))
p[\"client_cn\"] = \"FR-OCRVP-2\"
open(\"metgw/partners/FR-OCRVP.json\", \"w\").write(json.dumps(p))" &&
	is_status 403 fr GET /v1/packages && error_code unknown_agency
'

expect_success 'two agencies behind one name refuse both until the record is mended' '
	settled &&
	is_status 200 ceop GET /v1/packages &&
	cp metgw/partners/FR-OCRVP.json fr.saved &&
	"$SYSTEM_PYTHON" -c "import json
p = json.load(open(\"metgw/partners/FR-OCRVP.json\"))
p[\"client_cn\"] = \"GB-NCA-CEOP\"
open(\"metgw/partners/FR-OCRVP.json\", \"w\").write(json.dumps(p))" &&
	is_status 500 ceop GET /v1/packages &&
	logged "names both .FR-OCRVP. and .GB-NCA-CEOP." &&
	cp fr.saved metgw/partners/FR-OCRVP.json &&
	is_status 200 ceop GET /v1/packages
'

test_done
