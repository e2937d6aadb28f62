#!/usr/bin/python3
"""Test server for tests/e2e/t9710-pull-claimed-sender.sh: a hostile partner's endpoint that lists
one package under a sender and an id it chooses and serves the bytes of FILE for it, over real
TLS on 127.0.0.1. Test material only.

Usage: lying_endpoint.py CERT KEY CLIENT_CA PORTFILE SENDER ID FILE
  The list of packages holds (SENDER, ID) with FILE's size and SHA-256; GET of the package
  serves FILE; the list of receipts is empty; a receipt filed is taken (201).
Writes the port it listens on to PORTFILE. Runs until killed, or for an hour at most.
"""

import hashlib
import http.server
import json
import sys

import endpoint_tls

CERT, KEY, CA, PORTFILE, SENDER, PID, FILE = sys.argv[1:8]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, data, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        body = open(FILE, "rb").read()
        path = self.path.split("?")[0]
        if path == "/v1/packages":
            item = {"id": PID, "sender": SENDER, "recipients": ["GB-MET"],
                    "digest": hashlib.sha256(body).hexdigest(), "size": len(body),
                    "payload": None, "received": "2026-01-01T00:00:00Z", "cursor": "1"}
            done = "after=" in self.path
            self.send(200, json.dumps({"packages": [] if done else [item], "next": None,
                                       "has_more": False}).encode())
        elif path == "/v1/receipts":
            self.send(200, json.dumps({"receipts": [], "next": None,
                                       "has_more": False}).encode())
        elif path == "/v1/packages/" + PID:
            self.send(200, body)
        else:
            self.send(404, b'{"error":{"code":"not_found","message":"not found"}}')

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send(201, b"{}")


def main():
    endpoint_tls.serve(Handler, CERT, KEY, CA, PORTFILE)


if __name__ == "__main__":
    main()
