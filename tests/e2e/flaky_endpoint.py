#!/usr/bin/python3
"""Test server for tests/e2e/t6010-push-retry.sh: a pouch endpoint that answers pushes from a
script of statuses, over real TLS on 127.0.0.1. Test material only.

Usage: flaky_endpoint.py CERT KEY CLIENT_CA PORTFILE LOG SCRIPT
  SCRIPT: comma-separated answers to PUT /v1/packages/ID, one per request in order, the last
  repeated: a status (500, 503, 409, ...; 200 and 201 answer a package record with the SHA-256
  of the body received), 429:S for 429 with "Retry-After: S", or slow:S for a 201 after S
  seconds.
Writes the port it listens on to PORTFILE and one line per request to LOG:
  "PUT ID STATUS SECONDS" (SECONDS since the server started, as a float).
Runs until killed, or for an hour at most (never outliving a test that forgot it).
"""

import hashlib
import http.server
import json
import sys
import threading
import time

import endpoint_tls

CERT, KEY, CA, PORTFILE, LOG, SCRIPT = sys.argv[1:7]
ANSWERS = SCRIPT.split(",")
STATE = {"n": 0}
START = time.monotonic()
LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        pid = self.path.rsplit("/", 1)[-1]
        with LOCK:
            a = ANSWERS[min(STATE["n"], len(ANSWERS) - 1)]
            STATE["n"] += 1
            with open(LOG, "a") as f:
                f.write("PUT %s %s %.3f\n" % (pid, a.split(":")[0], time.monotonic() - START))
        if a.startswith("slow:"):
            time.sleep(float(a.split(":")[1]))
            a = "201"
        if a in ("200", "201"):
            self.answer(int(a), {"id": pid, "sender": "GB-NCA-CEOP", "recipients": ["GB-MET"],
                                 "digest": hashlib.sha256(body).hexdigest(), "size": len(body),
                                 "payload": None, "received": "2026-01-01T00:00:00Z",
                                 "cursor": "1"})
        elif a.startswith("429:"):
            self.answer(429, {"error": {"code": "rate_limited", "message": "slow down"}},
                        [("Retry-After", a.split(":")[1])])
        else:
            code = {409: "id_conflict", 500: "internal", 503: "unavailable"}.get(int(a), "bad")
            self.answer(int(a), {"error": {"code": code, "message": "scripted %s" % a}})


def main():
    endpoint_tls.serve(Handler, CERT, KEY, CA, PORTFILE)


if __name__ == "__main__":
    main()
