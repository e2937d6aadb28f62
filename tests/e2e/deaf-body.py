#!/usr/bin/env python3
"""A client that sends its whole body before it reads a byte, for the pouchd tests.

deaf-body.py PORT CAFILE CLIENT METHOD PATH BYTES [HEADER...]: sends METHOD PATH to
127.0.0.1:PORT with a client certificate (CLIENT.pem and CLIENT.key, or "-" for none), the
headers ("Name: value") and a chunked body of BYTES bytes, all of it, whatever the server
answers meanwhile, as a client that polls for the answer only between writes may; only then
reads the answer until the server closes. Prints the answer's status and body and exits 0;
exits 2 saying "reset while sending" when the connection was reset before the body was all
sent (a server that closes on a body it has not read resets the connection, and many clients,
curl among them, then report the failed write and never read the answer), or "no answer"."""
import socket
import ssl
import sys

port, cafile, client, method, path, size = sys.argv[1:7]
headers = sys.argv[7:]
ctx = ssl.create_default_context(cafile=cafile)
if client != "-":
    ctx.load_cert_chain(client + ".pem", client + ".key")
sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(port)), timeout=600),
                       server_hostname="127.0.0.1")
got = b""
try:
    sock.sendall((f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "".join(h + "\r\n" for h in headers)
                  + "Transfer-Encoding: chunked\r\n\r\n").encode())
    left = int(size)
    while left > 0:
        n = min(left, 65536)
        sock.sendall(b"%x\r\n" % n + b" " * n + b"\r\n")
        left -= n
    sock.sendall(b"0\r\n\r\n")
except (BrokenPipeError, ConnectionResetError, ssl.SSLError) as e:
    print("reset while sending:", e)
    sys.exit(2)
try:
    while True:
        data = sock.recv(65536)
        if not data:
            break
        got += data
except (ConnectionResetError, ssl.SSLError, OSError):
    pass
if not got:
    print("no answer")
    sys.exit(2)
head, _, body = got.partition(b"\r\n\r\n")
print(head.split(b"\r\n")[0].decode().split(" ")[1])
print(body.decode(errors="replace"))
