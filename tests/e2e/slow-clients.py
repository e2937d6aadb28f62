#!/usr/bin/env python3
"""Slow clients for the pouchd tests: slow-clients.py PORT CAFILE N STATUS [TICK [CLIENT]].

Opens N connections to 127.0.0.1:PORT, none of which ever completes a request, in four kinds
(a quarter each): plain TCP that sends nothing; TCP that sends a TLS ClientHello one byte per
tick; TLS without a client certificate that sends a request head one header line per tick;
and TLS that makes one complete request (GET /v1/health), reads the answer, then sends the
next request head one line per tick (with the client certificate CLIENT.pem and CLIENT.key
when given: the server closes other connections after one answer). TICK is in seconds
(default 2). Connections the server
closes are not opened again. STATUS is rewritten (JSON: connected, handshakes, open, ready)
whenever a count changes; "ready" is set once every connection was opened and every TLS
handshake done or refused. Runs until killed, or ten minutes at most."""
import json
import os
import selectors
import socket
import ssl
import sys
import time

port, cafile, total, status_path = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
tick = float(sys.argv[5]) if len(sys.argv) > 5 else 2.0
ctx = ssl.create_default_context(cafile=cafile)
partner = ssl.create_default_context(cafile=cafile)
if len(sys.argv) > 6:
    partner.load_cert_chain(sys.argv[6] + ".pem", sys.argv[6] + ".key")

# A genuine ClientHello, to be sent one byte at a time.
_in, _out = ssl.MemoryBIO(), ssl.MemoryBIO()
_obj = ctx.wrap_bio(_in, _out, server_hostname="127.0.0.1")
try:
    _obj.do_handshake()
except ssl.SSLWantReadError:
    pass
HELLO = _out.read()
HEALTH = b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
HEAD = b"GET /v1/packages HTTP/1.1\r\nHost: 127.0.0.1\r\n"

sel = selectors.DefaultSelector()
conns = []
counts = {"connected": 0, "handshakes": 0, "open": 0, "ready": False}
last = None


def report():
    global last
    counts["open"] = sum(1 for c in conns if c["open"])
    if counts == last:
        return
    last = dict(counts)
    with open(status_path + ".tmp", "w") as f:
        json.dump(counts, f)
    os.replace(status_path + ".tmp", status_path)


def close(c):
    if c["open"]:
        c["open"] = False
        try:
            sel.unregister(c["sock"])
        except (KeyError, ValueError):
            pass
        c["sock"].close()


for i in range(total):
    kind = ("silent", "hello", "head", "keepalive")[i % 4]
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    c = {"kind": kind, "sock": s, "open": True, "state": "connecting", "sent": 0, "got": b""}
    conns.append(c)
    sel.register(s, selectors.EVENT_WRITE, c)


def step(c):
    """Moves c on after an event: connected, handshake progress, answer, or the end."""
    s = c["sock"]
    try:
        if c["state"] == "connecting":
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                return close(c)
            counts["connected"] += 1
            if c["kind"] in ("head", "keepalive"):
                tls = partner if c["kind"] == "keepalive" else ctx
                c["sock"] = s = tls.wrap_socket(s, server_hostname="127.0.0.1",
                                                do_handshake_on_connect=False)
                sel.modify(s, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
                c["state"] = "handshake"
                return step(c)
            c["state"] = "slow"
            sel.modify(s, selectors.EVENT_READ, c)
            return
        if c["state"] == "handshake":
            try:
                s.do_handshake()
            except ssl.SSLWantReadError:
                return sel.modify(s, selectors.EVENT_READ, c)
            except ssl.SSLWantWriteError:
                return sel.modify(s, selectors.EVENT_WRITE, c)
            counts["handshakes"] += 1
            sel.modify(s, selectors.EVENT_READ, c)
            if c["kind"] == "keepalive":
                s.sendall(HEALTH)
                c["state"] = "answer"
            else:
                s.sendall(HEAD)
                c["state"] = "slow"
            return
        data = s.recv(65536)
        if not data:
            return close(c)
        if c["state"] == "answer":
            c["got"] += data
            if b"\r\n\r\n" in c["got"] and c["got"].endswith(b"}"):
                s.sendall(HEAD)
                c["state"] = "slow"
    except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
        return
    except (OSError, ssl.SSLError):
        return close(c)


def trickle(c):
    s = c["sock"]
    try:
        if c["kind"] == "hello" and c["sent"] < len(HELLO):
            s.send(HELLO[c["sent"]:c["sent"] + 1])
        elif c["kind"] in ("head", "keepalive"):
            s.send(b"X-Slow-%d: x\r\n" % c["sent"])
        c["sent"] += 1
    except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
        pass
    except (OSError, ssl.SSLError):
        close(c)


give_up = time.monotonic() + 600
next_tick = time.monotonic() + tick
while time.monotonic() < give_up:
    for key, _ in sel.select(timeout=0.2):
        step(key.data)
    now = time.monotonic()
    if not counts["ready"] and all(
            not c["open"] or c["state"] in ("slow", "answer") for c in conns):
        counts["ready"] = True
    if now >= next_tick:
        next_tick = now + tick
        for c in conns:
            if c["open"] and c["state"] == "slow":
                trickle(c)
    report()
