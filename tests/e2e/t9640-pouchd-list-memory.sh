#!/bin/sh
# pouchd's memory under concurrent listing: 200 partners' requests at once for pages of 1,000
# packages (and of 1,000 receipts) keep pouchd's peak RSS (VmHWM) under 128 MiB; each answer
# is the whole page or 503 with Retry-After (at most max_listings pages in progress), and a
# page streams to a slow reader while the slot stays taken.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

# hwm: pouchd's peak resident set size in KiB.
hwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$(cat "$TRASH/.pouchd.pid")/status"
}

# The client: N threads, each with its own TLS connection (client certificate ceop.pem), send
# GET PATH together once all are connected, and check every answer.
cat >load.py <<'EOF'
import http.client, json, socket, ssl, sys, threading

port, path, member = sys.argv[1], sys.argv[2], sys.argv[4]
n, want = int(sys.argv[3]), int(sys.argv[5])
ctx = ssl.create_default_context(cafile="servers.ca.pem")
ctx.load_cert_chain("ceop.pem", "ceop.key")

def connect(rcvbuf=0):
    c = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx, timeout=300)
    if rcvbuf:
        s = socket.create_connection(("127.0.0.1", int(port)))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        c.sock = ctx.wrap_socket(s, server_hostname="127.0.0.1")
    else:
        c.connect()
    return c

def check(status, retry, body):
    if status == 200:
        page = json.loads(body)
        assert len(page[member]) == want and page["has_more"] is False, "short page"
        assert page["next"] == page[member][-1]["cursor"], "bad next"
        return "ok"
    assert status == 503, "status %d: %r" % (status, body[:200])
    assert retry and int(retry) >= 1, "503 without Retry-After"
    assert json.loads(body)["error"]["code"] == "unavailable", body
    return "busy"

def get(c):
    c.request("GET", path)
    r = c.getresponse()
    return check(r.status, r.getheader("Retry-After"), r.read())

if n == 0:
    # One slow reader takes the only slot; a second request meanwhile is 503.
    slow = connect(rcvbuf=4096)
    slow.request("GET", path)
    r = slow.getresponse()
    assert r.status == 200 and r.getheader("Content-Length") is None, r.status
    assert get(connect()) == "busy", "a second page while the first streams"
    assert check(r.status, None, r.read()) == "ok"
    slow.close()
    assert get(connect()) == "ok", "the slot is free again"
    print("ok")
    sys.exit(0)

conns = [connect() for _ in range(n)]
barrier = threading.Barrier(n)
out = [None] * n
def one(i):
    barrier.wait()
    try:
        out[i] = get(conns[i])
    except Exception as e:
        out[i] = "error: %s" % e
threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in threads: t.start()
for t in threads: t.join()
bad = [o for o in out if o not in ("ok", "busy")]
assert not bad, bad[:3]
assert out.count("ok") >= 1, out
print("%d whole pages, %d busy" % (out.count("ok"), out.count("busy")))
EOF

# The store gets 1,000 packages for the centre with 32 recipients each, and 1,000 receipts of
# about 2 KB for packages it sent, written straight into the index (the listing reads only it).
cat >fill.py <<'EOF'
import base64, hashlib, json, os, sqlite3, sys, time, uuid

db = sqlite3.connect(sys.argv[1])
now = int(time.time())
hexd = lambda s: hashlib.sha256(s.encode()).hexdigest()
others = ["XX-%s" % ("R%02d" % i).ljust(29, "X") for i in range(31)]
for i in range(1000):
    pid = str(uuid.uuid4())
    cur = db.execute("INSERT INTO packages (id, sender, name, digest, size, payload_size, "
                     "payload_sha256, header_sha256, received) "
                     "VALUES (?,?,?,?,?,NULL,NULL,?,?)",
                     (pid, "GB-MET", pid, hexd(pid), 2000, hexd("h" + pid), now))
    seq = cur.lastrowid
    for pos, code in enumerate(["GB-NCA-CEOP"] + others):
        db.execute("INSERT INTO recipients (package, pos, agency) VALUES (?,?,?)",
                   (seq, pos, code))
    body = json.dumps({"pouch": "receipt/1",
                       "receipt": base64.b64encode(os.urandom(1000)).decode(),
                       "signature": base64.b64encode(os.urandom(400)).decode()})
    db.execute("INSERT INTO receipts (package, sender, agency, verdict, sha256, body, received)"
               " VALUES (?,?,?,?,?,?,?)",
               (seq, "GB-NCA-CEOP", "US-NCMEC", "accepted", hexd(body), body.encode(), now))
db.commit()
EOF

ASAN=
ldd "$POUCHD_BIN" | grep -q libasan && ASAN=1

expect_success 'setup: a store with 1,000 packages and 1,000 receipts for the centre' '
	exchange_setup && stop_pouchd &&
	"$SYSTEM_PYTHON" fill.py data/pouchd.db &&
	start_pouchd metgw data --max-connections-per-address 256 &&
	is_status 200 ceop GET "/v1/packages?limit=1000" && api_ok GET /v1/packages 200 &&
	test "$(jget body.out has_more)" = false && test "$(jget body.out packages.999.recipients.31)" &&
	is_status 200 ceop GET "/v1/receipts?limit=1000" && api_ok GET /v1/receipts 200 &&
	test "$(jget body.out receipts.999.from)" = US-NCMEC &&
	echo "pouchd started: VmHWM $(hwm) kB" >&2
'

expect_success '200 concurrent pages of 1,000 packages: whole pages or 503, peak RSS bounded' '
	"$SYSTEM_PYTHON" load.py "$(pouchd_port)" "/v1/packages?limit=1000" 200 packages 1000 &&
	peak=$(hwm) && echo "pouchd after 200 package lists: VmHWM $peak kB" >&2 &&
	if [ -n "$ASAN" ]; then echo "ASan build: peak RSS not asserted" >&2
	else test "$peak" -lt 131072; fi
'

expect_success '200 concurrent pages of 1,000 receipts: the same' '
	"$SYSTEM_PYTHON" load.py "$(pouchd_port)" "/v1/receipts?limit=1000" 200 receipts 1000 &&
	peak=$(hwm) && echo "pouchd after 200 receipt lists: VmHWM $peak kB" >&2 &&
	if [ -n "$ASAN" ]; then echo "ASan build: peak RSS not asserted" >&2
	else test "$peak" -lt 131072; fi
'

expect_success 'a page streams to a slow reader and holds its slot; over the cap is 503' '
	stop_pouchd && start_pouchd metgw data --max-listings 1 --max-connections-per-address 256 &&
	"$SYSTEM_PYTHON" load.py "$(pouchd_port)" "/v1/packages?limit=1000" 0 packages 1000
'

test_done
