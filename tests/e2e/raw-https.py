#!/usr/bin/env python3
"""Test helper: sends the bytes of stdin over TLS to 127.0.0.1:PORT as they are (no HTTP
client in between to tidy them), with the client certificate NAME.pem/NAME.key unless NAME
is "-", and writes every byte the server answers, until it closes the connection, to stdout
(requests ask for that with "Connection: close").
Usage: raw-https.py PORT CA NAME <request"""
import socket
import ssl
import sys


def main():
    port, ca, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    ctx = ssl.create_default_context(cafile=ca)
    if name != "-":
        ctx.load_cert_chain(name + ".pem", name + ".key")
    request = sys.stdin.buffer.read()
    out = b""
    with socket.create_connection(("127.0.0.1", port), timeout=600) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
            s.sendall(request)
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    out += chunk
            except (socket.timeout, ssl.SSLError, ConnectionError):
                pass
    sys.stdout.buffer.write(out)


main()
