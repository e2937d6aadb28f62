#!/usr/bin/python3
# Test helper: builds an envelope from a header and a payload, signing the header's exact bytes
# with any key in a GnuPG home, so tests can make packages pouch itself would never make.
# usage: forge-envelope.py GNUPGHOME SIGNER_FPR HEADER_FILE PAYLOAD_FILE > ENVELOPE
# With FORGE_TIME set (gpg's --faked-system-time form), the signature is made at that time.
import base64
import json
import os
import subprocess
import sys

home, signer, header_file, payload_file = sys.argv[1:5]
header = open(header_file, "rb").read()
sig = subprocess.run(
    ["gpg", "--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback",
     "--passphrase", "", "--local-user", signer, "--detach-sign", "-o", "-"]
    + (["--faked-system-time", os.environ["FORGE_TIME"]] if "FORGE_TIME" in os.environ else []),
    input=header, stdout=subprocess.PIPE, check=True).stdout
payload = open(payload_file, "rb").read()
json.dump({"pouch": "envelope/1",
           "header": base64.b64encode(header).decode(),
           "signature": base64.b64encode(sig).decode(),
           "payload": {"inline": base64.b64encode(payload).decode()}}, sys.stdout)
