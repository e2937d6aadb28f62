#!/usr/bin/python3
# Test helper: makes packages pouch itself would never make (hostile archives, wrong signers,
# compressed bombs, mismatched bindings), with real OpenPGP from gpg and a header signed over
# its exact bytes. Test material only.
# usage: forge-package.py GNUPGHOME OUT key=value...
#   signer=FPR          signs the header (required)
#   payload_signer=FPR  signs the payload (default: signer; "none": encrypt only)
#   encrypt_to=FPR,...  payload recipients (required)
#   sender=CODE:FPR     recipients=CODE:FPR,...   (the header's; the manifest's by default)
#   manifest_recipients=CODE:FPR,...   manifest_id=ID   id=ID   priority=P
#   classification=TIER  tlp=LABEL  (the header's and pouch.json's; OFFICIAL, TLP:AMBER)
#   created=T expires=T   entries=JSON [[name, text], ...] after pouch.json (attachments/NAME
#   listed in the manifest unless their name starts with "!", which is archived unlisted)
#   list=JSON ["name", ...]  pouch.json lists exactly these instead, in this order (a name
#                       listed twice, or not archived, is listed all the same)
#   link=NAME:TARGET    adds a symbolic link entry     zeros=N   an attachment of N zero bytes
#   random=N            an attachment of N random bytes (they do not compress)
#   report=JSON         the report inside (default: a small valid one with the priority given
#                       and the attachments listed; an "attachments" member of JSON is kept)
#   compress=zlib       compresses the OpenPGP message
#   compress_inside=1   the signed message as one-pass signature, compressed data packet
#                       (algorithm 0) holding the literal data, signature
#   digest=ALGO  payload_digest=ALGO   the header's and the payload's signature digest (SHA1...)
#   payload_time=T      the payload is signed at T (gpg's --faked-system-time)
#   symmetric=PASS      the payload is also encrypted with passphrase PASS (encrypt_to may be
#                       empty: then only with it)
#   compress_after=WHERE  the signed message as one-pass signature, literal data, signature,
#                       and a compressed data packet (ZIP) after the signature (WHERE "end") or
#                       between the data and the signature ("data")
#   compress_holds=WHAT the packets it holds: "padding" (default: 100000 octets of padding),
#                       "markers" (a thousand marker packets) or "literal" (literal data)
#   salt=HEX            pouch.json's salt (default: 64 fresh random hex digits; "none": no salt)
#   provenance=FILE     pouch.json's provenance member: the JSON object in FILE
#   content_sha256=HEX  the header's content digest (default: the SHA-256 of pouch.json)
import base64, datetime, hashlib, io, json, os, subprocess, sys, tarfile, tempfile, uuid, zlib

home, out = sys.argv[1:3]
o = dict(a.split("=", 1) for a in sys.argv[3:])
now = datetime.datetime.utcnow().replace(microsecond=0)
fmt = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")
party = lambda s: {"agency": s.split(":")[0], "fingerprint": s.split(":")[1]}
pid = o.get("id", str(uuid.uuid4()))
sender = party(o["sender"])
rcpt = [party(p) for p in o["recipients"].split(",")]
created = o.get("created", fmt(now))
expires = o.get("expires", fmt(now + datetime.timedelta(days=1)))
priority = o.get("priority", "routine")
tier, tlp = o.get("classification", "OFFICIAL"), o.get("tlp", "TLP:AMBER")

entries = [(n, t.encode()) for n, t in json.loads(o.get("entries", "[]"))]
if "zeros" in o:
    entries.append(("zeros", bytes(int(o["zeros"]))))
if "random" in o:
    entries.append(("random", os.urandom(int(o["random"]))))
listed = [{"name": n, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
          for n, b in entries if not n.startswith("!")]
if "list" in o:  # the listed names, in this order, each as first archived (else empty)
    first = {}
    for n, b in entries:
        first.setdefault(n.lstrip("!"), b)
    listed = [{"name": n, "size": len(first.get(n, b"")),
               "sha256": hashlib.sha256(first.get(n, b"")).hexdigest()}
              for n in json.loads(o["list"])]
report = json.loads(o["report"]) if "report" in o else {
    "format": "pouch-report/1",
    "header": {"reference": "FORGED-1", "title": "forged", "created": created,
               "originator": {"agency": sender["agency"], "unit": "test", "officer": "T1",
                              "contact_24x7": "+441632960000"}},
    "handling": {"classification": {"tier": tier, "sensitive": True, "caveats": []},
                 "tlp": tlp, "scheme": "uk-3x5x2", "codes": ["P"],
                 "purpose": "test", "legal_basis": "test"},
    "priority": dict({"level": priority}, **({"reason": "test", "respond_by": expires,
                                               "contact_24x7": "+441632960000"}
                                              if priority in ("immediate", "urgent") else {})),
    "items": [{"n": 1, "text": "a forged item", "grade": {"source": "2", "intelligence": "B"}}]}
report.setdefault("attachments", [dict(a, media_type="application/octet-stream")
                                  for a in listed])
mrcpt = [party(p) for p in o.get("manifest_recipients", o["recipients"]).split(",")]
content = {"format": "pouch-content/1", "id": o.get("manifest_id", pid), "sender": sender,
           "recipients": mrcpt, "created": created, "expires": expires, "priority": priority,
           "classification": tier, "tlp": tlp, "salt": o.get("salt", os.urandom(32).hex()),
           "report": report, "attachments": listed}
if content["salt"] == "none":
    del content["salt"]
if "provenance" in o:
    content["provenance"] = json.load(open(o["provenance"]))
manifest = json.dumps(content).encode()
tar = io.BytesIO()
with tarfile.open(fileobj=tar, mode="w", format=tarfile.PAX_FORMAT) as t:
    def add(name, data):
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), 0o600
        t.addfile(info, io.BytesIO(data))
    add("pouch.json", manifest)
    for n, b in entries:
        add("attachments/" + n.lstrip("!") if not n.startswith("/") else n, b)
    if "link" in o:
        info = tarfile.TarInfo("attachments/" + o["link"].split(":")[0])
        info.type, info.linkname = tarfile.SYMTYPE, o["link"].split(":")[1]
        t.addfile(info)

gpg = ["gpg", "--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback",
       "--passphrase", o.get("symmetric", ""), "--trust-model", "always",
       "--compress-algo", o.get("compress", "none")]
signer = o.get("payload_signer", o["signer"])
to = [r for r in o["encrypt_to"].split(",") if r]
cmd = gpg + (["--encrypt"] if to else []) + sum((["-r", r] for r in to), [])
if "symmetric" in o:
    cmd += ["--symmetric"]
if signer != "none":
    cmd += ["--sign", "--local-user", signer]
if "payload_digest" in o:
    cmd += ["--digest-algo", o["payload_digest"]]
if "payload_time" in o:
    cmd += ["--faked-system-time",
            o["payload_time"].replace("-", "").replace(":", "").rstrip("Z") + "!"]
inner = tar.getvalue()
if "compress_inside" in o or "compress_after" in o:
    # compress_inside: one-pass signature, compressed data (algorithm 0) holding the literal
    # data, signature: the compressed packet comes after the first, not first
    with tempfile.NamedTemporaryFile() as f:  # from a file, the literal has a length
        f.write(inner)
        f.flush()
        signed = subprocess.run(gpg + ["--sign", "--local-user", signer, "-o", "-", f.name],
                                stdout=subprocess.PIPE, check=True).stdout
    packets, i = [], 0
    while i < len(signed):  # gpg's packet headers here: old format, 1- 2- or 4-octet length
        n = 1 << (signed[i] & 3)
        body = int.from_bytes(signed[i + 1:i + 1 + n], "big")
        packets.append(signed[i:i + 1 + n + body])
        i += 1 + n + body
    ops, lit, sig = packets
    body = b"\0" + lit
    inner = ops + b"\xc8\xff" + len(body).to_bytes(4, "big") + body + sig
    if "compress_after" in o:  # new-format packets, five-octet lengths
        pkt = lambda tag, b: bytes([0xc0 | tag, 0xff]) + len(b).to_bytes(4, "big") + b
        more = {"padding": pkt(21, bytes(100000)), "markers": b"\xa8\x03PGP" * 1000,
                "literal": pkt(11, b"b\0\0\0\0\0" + bytes(100000))}[
                    o.get("compress_holds", "padding")]
        z = zlib.compressobj(9, zlib.DEFLATED, -15)
        comp = pkt(8, b"\x01" + z.compress(more) + z.flush())
        inner = ops + lit + (comp + sig if o["compress_after"] == "data" else sig + comp)
    cmd = gpg + ["--encrypt", "--no-literal"] + sum((["-r", r] for r in
                                                     o["encrypt_to"].split(",")), [])
payload = subprocess.run(cmd + ["-o", "-"], input=inner, stdout=subprocess.PIPE,
                         check=True).stdout
header = json.dumps({"format": "pouch-header/1", "id": pid, "sender": sender,
                     "recipients": rcpt, "created": created, "expires": expires,
                     "priority": priority, "classification": tier, "tlp": tlp,
                     "content": {"sha256": o.get("content_sha256",
                                                 hashlib.sha256(manifest).hexdigest())},
                     "payload": {"size": len(payload),
                                 "sha256": hashlib.sha256(payload).hexdigest()}},
                    separators=(",", ":")).encode()
hdigest = ["--digest-algo", o["digest"]] if "digest" in o else []
sig = subprocess.run(gpg + hdigest + ["--local-user", o["signer"], "--detach-sign", "-o", "-"],
                     input=header, stdout=subprocess.PIPE, check=True).stdout
with open(out, "w") as f:
    json.dump({"pouch": "envelope/1", "header": base64.b64encode(header).decode(),
               "signature": base64.b64encode(sig).decode(),
               "payload": {"inline": base64.b64encode(payload).decode()}}, f)
