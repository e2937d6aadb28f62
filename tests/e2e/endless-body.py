#!/usr/bin/env python3
"""A request whose chunked body does not end, for the pouchd tests.

endless-body.py PORT CAFILE CLIENT METHOD PATH GIVE-UP [HEADER...]: sends METHOD PATH to
127.0.0.1:PORT with a client certificate (CLIENT.pem and CLIENT.key, or "-" for none), the
headers ("Name: value"; Content-Type application/json when none is given) and a chunked body
that never ends, reading between chunks. Prints the answer's status,
its body, how many body bytes were sent before it came ("sent N") and whether the server then
closed the connection ("closed", or "open" after ten minutes); exit 0. Gives up after
GIVE-UP bytes without an answer (exit 1), or when the connection ends without one (exit 2)."""
import select
import socket
import ssl
import sys

port, cafile, client, method, path, give_up = sys.argv[1:7]
headers = sys.argv[7:]
if not any(h.lower().startswith("content-type:") for h in headers):
    headers.append("Content-Type: application/json")
ctx = ssl.create_default_context(cafile=cafile)
if client != "-":
    ctx.load_cert_chain(client + ".pem", client + ".key")
sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(port))),
                       server_hostname="127.0.0.1")
sock.sendall((f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             + "".join(h + "\r\n" for h in headers)
             + "Transfer-Encoding: chunked\r\n\r\n").encode())
chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"
sent, got, closed = 0, b"", False


def answer():
    head, _, body = got.partition(b"\r\n\r\n")
    print(head.split(b"\r\n")[0].decode().split(" ")[1])
    print(body.decode())
    print("sent", sent)
    print("closed" if closed else "open")
    sys.exit(0)


sock.settimeout(600)
while sent < int(give_up):
    try:
        if sock.pending() or select.select([sock], [], [], 0)[0]:
            sock.settimeout(0)
            try:
                data = sock.recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                continue  # a TLS record without data (a session ticket)
            finally:
                sock.settimeout(600)
            if not data:
                break
            got += data
            continue
        sock.sendall(chunk)
        sent += 65536
    except OSError:
        break
sock.settimeout(600)
try:
    while True:
        data = sock.recv(65536)
        if not data:
            closed = True
            break
        got += data
except (TimeoutError, socket.timeout):
    pass
except OSError:
    closed = True
if b"\r\n\r\n" in got:
    answer()
print("no answer after", sent, "bytes")
sys.exit(1 if sent >= int(give_up) else 2)
