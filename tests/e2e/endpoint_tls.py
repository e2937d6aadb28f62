"""Test helper for the fake endpoints (flaky_endpoint.py, lying_endpoint.py): serves a handler
over real TLS on 127.0.0.1, a free port written to PORTFILE, until killed or for an hour at
most (never outliving a test that forgot it). Test material only."""

import http.server
import os
import ssl
import threading
import time


def serve(handler, cert, key, ca, portfile):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % httpd.server_address[1])
    os.rename(portfile + ".tmp", portfile)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    time.sleep(3600)
