#!/usr/bin/env python3
"""A client that goes away mid-body, for the pouchd tests: no rate and no clock decide how much
of the body the server has when the client is gone.

partial-body.py PORT CAFILE CLIENT METHOD PATH FILE BYTES [HEADER...]: sends METHOD PATH to
127.0.0.1:PORT with the client certificate CLIENT.pem/CLIENT.key, the headers ("Name: value")
and a Content-Length of FILE's whole size, then only FILE's first BYTES bytes, and holds the
connection open, reading what the server sends, until it is killed (the client that went away)
or the server closes it."""
import os
import socket
import ssl
import sys

port, cafile, client, method, path, name, cut = sys.argv[1:8]
headers = sys.argv[8:]
size, cut = os.path.getsize(name), int(cut)
if not 0 < cut < size:
    sys.exit(f"partial-body.py: BYTES must be between 0 and {size}, not {cut}")
ctx = ssl.create_default_context(cafile=cafile)
ctx.load_cert_chain(client + ".pem", client + ".key")
sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(port))),
                       server_hostname="127.0.0.1")
sock.sendall((f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "".join(h + "\r\n" for h in headers)
              + f"Content-Length: {size}\r\n\r\n").encode())
with open(name, "rb") as f:
    sock.sendall(f.read(cut))
try:
    while sock.recv(65536):
        pass
except OSError:
    pass
