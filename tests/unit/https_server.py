#!/usr/bin/env python3
"""Test server for tests/unit/test_https_*.c: canned behaviours by path over real TLS on 127.0.0.1.

Usage: https_server.py DIR, where DIR holds ca.pem, server.pem and server.key. Listens on four
ports chosen by the system and prints them on one line: "MAIN MTLS MTLS12 PROXY". MAIN serves the
paths below; MTLS serves them too but requires a client certificate issued by ca.pem; MTLS12 is
MTLS limited to TLS 1.2, where a refused client certificate ends the handshake itself; PROXY is a
plain HTTP CONNECT proxy. Runs until killed or until its standard input closes (the test ended).

Paths: /json; /conn (this connection's number); /hits?path=P (requests to P so far, "CONNECT"
for proxy tunnels); /redirect (302 to /target); /target; /big?n=N&chunked=0|1; /bigheaders;
/status?code=C[&retry=S]; /sleep?ms=M; /stall (sends 10 of 1000 bytes, the rest two minutes later);
/echo (the body's length and SHA-256 and some request headers); /file?n=N[&mode=norange|badrange]
(Range-aware download of N bytes of FILE_BYTE); /uploads/NAME (GET: the staged offset and
SHA-256; PATCH with Upload-Offset equal to the staged size appends, else 409); /whoami (the
client certificate's CN).
"""

import hashlib
import http.server
import json
import os
import select
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

LOCK = threading.Lock()
HITS = {}
CONNS = [0]
UPLOADS = {}


def file_bytes(n):
    """The download's content: byte i is (7 * i + i // 251) mod 256 (https_fixture.h agrees)."""
    return bytes((7 * i + i // 251) & 0xFF for i in range(n))


def count(key):
    with LOCK:
        HITS[key] = HITS.get(key, 0) + 1


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        with LOCK:
            CONNS[0] += 1
            self.conn = CONNS[0]

    def log_message(self, *args):
        pass

    def handle_expect_100(self):
        # A field on the interim response, which the client must not report as the final one's.
        self.send_response_only(100)
        self.send_header("X-Interim", "1")
        self.end_headers()
        return True

    def send(self, status, body=b"", headers=(), ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def json(self, status, obj, headers=()):
        self.send(status, json.dumps(obj).encode(), headers)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        count(url.path)
        try:
            getattr(self, "r_" + url.path.strip("/").split("/")[0], self.r_missing)(url, q)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout):
            self.close_connection = True

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = route

    def r_missing(self, url, q):
        self.json(404, {"error": {"code": "not_found", "message": url.path}})

    def r_json(self, url, q):
        self.json(200, {"ok": True})

    def r_conn(self, url, q):
        self.json(200, {"conn": self.conn, "port": self.client_address[1]})

    def r_hits(self, url, q):
        with LOCK:
            self.json(200, {"hits": HITS.get(q["path"], 0)})

    def r_redirect(self, url, q):
        self.json(302, {"moved": True}, [("Location", "/target")])

    def r_target(self, url, q):
        self.json(200, {"target": True})

    def r_big(self, url, q):
        n = int(q["n"])
        chunk = b"x" * 16384
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if q.get("chunked") == "1":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while n > 0:
                part = chunk[: min(n, len(chunk))]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                n -= len(part)
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(n))
            self.end_headers()
            while n > 0:
                self.wfile.write(chunk[: min(n, len(chunk))])
                n -= len(chunk)

    def r_bigheaders(self, url, q):
        self.send(200, b"{}", [("X-Filler-%d" % i, "f" * 1000) for i in range(80)])

    def r_status(self, url, q):
        code = int(q["code"])
        headers = [("Retry-After", q["retry"])] if "retry" in q else []
        self.json(code, {"error": {"code": "status_%d" % code, "message": "canned"}}, headers)

    def r_sleep(self, url, q):
        time.sleep(int(q["ms"]) / 1000)
        self.json(200, {"slept": True})

    def r_stall(self, url, q):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"s" * 10)
        self.wfile.flush()
        time.sleep(120)
        self.wfile.write(b"s" * 990)

    def r_echo(self, url, q):
        data = self.body()
        self.json(200, {
            "method": self.command,
            "length": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "content_type": self.headers.get("Content-Type"),
            "expect": self.headers.get("Expect"),
            "user_agent": self.headers.get("User-Agent"),
        })

    def r_file(self, url, q):
        data = file_bytes(int(q["n"]))
        mode = q.get("mode", "")
        rng = self.headers.get("Range")
        if rng and mode != "norange":
            start = int(rng.split("=")[1].split("-")[0])
            shown = start + 1 if mode == "badrange" else start
            self.send(206, data[start:], [
                ("Content-Range", "bytes %d-%d/%d" % (shown, len(data) - 1, len(data)))],
                "application/octet-stream")
        else:
            self.send(200, data, (), "application/octet-stream")

    def r_uploads(self, url, q):
        name = url.path.split("/")[2]
        with LOCK:
            staged = UPLOADS.setdefault(name, bytearray())
            if self.command == "PATCH":
                data = self.body()
                if int(self.headers.get("Upload-Offset", "-1")) != len(staged):
                    self.json(409, {"error": {"code": "offset_mismatch", "message": "offset"},
                                    "offset": len(staged)})
                    return
                staged += data
            self.json(200, {"offset": len(staged), "sha256": hashlib.sha256(staged).hexdigest()},
                      [("Upload-Offset", str(len(staged)))])

    def r_whoami(self, url, q):
        cert = self.connection.getpeercert() or {}
        cn = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
        self.json(200, {"cn": cn[0] if cn else None})


class TLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, ctx):
        self.ctx = ctx
        super().__init__(("127.0.0.1", 0), Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        # Headers and body go in two writes: without this, Nagle and delayed ACKs cost 40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr

    def finish_request(self, request, client_address):
        # The handshake runs in the connection's thread: a slow or failing client blocks
        # nobody else.
        try:
            request.settimeout(600)
            request.do_handshake()
        except (ssl.SSLError, OSError):
            return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass


class Tunnel(socketserver.BaseRequestHandler):
    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head:
            got = self.request.recv(4096)
            if not got:
                return
            head += got
        method, target = head.split(b" ")[:2]
        if method != b"CONNECT":
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        host, port = target.decode().rsplit(":", 1)
        count("CONNECT")
        with socket.create_connection((host, int(port))) as up:
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            ends = [self.request, up]
            while True:
                ready, _, _ = select.select(ends, [], [], 30)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (up if s is self.request else self.request).sendall(data)


class ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass


def context(d, client_ca, tls12=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(os.path.join(d, "server.pem"), os.path.join(d, "server.key"))
    if client_ca:
        ctx.load_verify_locations(os.path.join(d, "ca.pem"))
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def main():
    d = sys.argv[1]
    servers = [TLSServer(context(d, False)), TLSServer(context(d, True)),
               TLSServer(context(d, True, True)), ProxyServer(("127.0.0.1", 0), Tunnel)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(" ".join(str(s.server_address[1]) for s in servers), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
