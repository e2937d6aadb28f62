#!/usr/bin/env python3
"""Writes the first seeds of the fuzz corpora (tests/fuzz/corpus/NAME/seed-*), from spec/vectors
(decrypted with the vectors' published test key: the tar archives and pouch.json inside) and
from hand-made cases. Run from the top of the tree with gpg installed; then `make fuzz-merge`
keeps what adds coverage. Test material only, like spec/vectors.
Usage: python3 tests/fuzz/seeds.py"""
import base64
import glob
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile

OUT = 'tests/fuzz/corpus'
MAX = 65536  # make fuzz runs with -max_len=65536


def put(name, case, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX:
        return
    os.makedirs(os.path.join(OUT, name), exist_ok=True)
    with open(os.path.join(OUT, name, 'seed-' + case), 'wb') as f:
        f.write(data)


def decrypt_all():
    """Every vector's payload, decrypted: {case: tar bytes}."""
    home = tempfile.mkdtemp(prefix='ps.', dir='/tmp')
    env = dict(os.environ, GNUPGHOME=home)
    out = {}
    try:
        subprocess.run(['gpg', '-q', '--batch', '--import', 'spec/vectors/keys/GB-VEC-RECIPIENT.sec.asc',
                        'spec/vectors/keys/GB-VEC-SENDER.asc'], env=env, check=True,
                       capture_output=True)
        for p in sorted(glob.glob('spec/vectors/*/*/package.pouch')):
            case = p.split('/')[2] + '-' + p.split('/')[3]
            raw = open(p, 'rb').read()
            put('envelope', case, raw)
            try:
                e = json.loads(raw)
                put('header', case, base64.b64decode(e['header'], validate=False))
                pl = e['payload']
                data = (base64.b64decode(pl['inline']) if 'inline' in pl else
                        open(os.path.join(os.path.dirname(p), pl['detached']), 'rb').read())
            except Exception:
                continue
            r = subprocess.run(['gpg', '--batch', '-q', '--decrypt'], input=data, env=env,
                               capture_output=True)
            if r.stdout:
                out[case] = r.stdout
    finally:
        subprocess.run(['gpgconf', '--homedir', home, '--kill', 'all'], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)
    return out


def tar_of(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=fmt) as t:
        for name, kind, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mode = 0o600
            if kind == 'file':
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                ti.type = kind
                ti.linkname = data
                t.addfile(ti)
    return buf.getvalue()


# A valid report (spec/report.md) with the header's markings, urgent as the header is.
REPORT = {"format": "pouch-report/1",
          "header": {"reference": "FUZZ-1", "title": "fuzz seed",
                     "created": "2026-01-01T00:00:00Z",
                     "originator": {"agency": "GB-VEC-SENDER", "unit": "fuzz", "officer": "F1",
                                    "contact_24x7": "+441632960000"}},
          "handling": {"classification": {"tier": "OFFICIAL", "sensitive": True, "caveats": []},
                       "tlp": "TLP:AMBER", "scheme": "uk-3x5x2", "codes": ["P"],
                       "purpose": "test", "legal_basis": "test"},
          "priority": {"level": "urgent", "reason": "test", "respond_by": "2099-01-01T00:00:00Z",
                       "contact_24x7": "+441632960000"},
          "items": [{"n": 1, "text": "a fuzz item", "grade": {"source": "2", "intelligence": "B"}}]}


def manifest_for(att):
    m = {"format": "pouch-content/1", "id": "46151008-dd1c-495c-be82-67204c2899ab",
         "sender": {"agency": "GB-VEC-SENDER",
                    "fingerprint": "ECDD3190EE6271070ACE1F5BF386F923ABFAC68E"},
         "recipients": [{"agency": "GB-VEC-RECIPIENT",
                         "fingerprint": "0FF2F50F52DC1A0BD5F3A40430C401690B74E2FD"}],
         "created": "2026-12-07T19:17:32Z", "expires": "2099-11-19T19:17:32Z",
         "priority": "urgent", "classification": "OFFICIAL", "tlp": "TLP:AMBER",
         "salt": hashlib.sha256(repr(att).encode()).hexdigest(), "report": REPORT,
         "attachments": [{"name": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                         for n, d in att]}
    m["report"] = dict(REPORT, attachments=[dict(a, media_type="text/plain")
                                            for a in m["attachments"]])
    return json.dumps(m, separators=(',', ':'))


def main():
    tars = decrypt_all()
    for case, data in tars.items():
        put('archive', case, data)
        try:
            with tarfile.open(fileobj=io.BytesIO(data)) as t:
                m = t.extractfile('pouch.json')
                if m:
                    put('manifest', case, m.read())
        except Exception:
            pass
    files = [('hello.txt', b'hello\n'), ('empty', b'')]
    put('manifest', 'binds', manifest_for(files))
    put('manifest', 'one-listed-twice', manifest_for([files[0], files[0], files[1]]))
    put('manifest', 'none', manifest_for([]))
    man = manifest_for(files).encode()
    for fmt, tag in ((tarfile.PAX_FORMAT, 'pax'), (tarfile.GNU_FORMAT, 'gnu'),
                     (tarfile.USTAR_FORMAT, 'ustar')):
        put('archive', 'ok-' + tag, tar_of([('pouch.json', 'file', man),
                                            ('attachments/hello.txt', 'file', b'hello\n'),
                                            ('attachments/empty', 'file', b'')], fmt))
    bad = {
        'symlink': [('pouch.json', 'file', man), ('attachments/x', tarfile.SYMTYPE, '/etc/passwd')],
        'hardlink': [('pouch.json', 'file', man), ('attachments/x', tarfile.LNKTYPE, 'pouch.json')],
        'dir': [('pouch.json', 'file', man), ('attachments/d', tarfile.DIRTYPE, '')],
        'fifo': [('pouch.json', 'file', man), ('attachments/f', tarfile.FIFOTYPE, '')],
        'dotdot': [('pouch.json', 'file', man), ('attachments/../x', 'file', b'x')],
        'case': [('pouch.json', 'file', man), ('attachments/a', 'file', b'1'),
                 ('attachments/A', 'file', b'2')],
        'no-manifest': [('attachments/a', 'file', b'1')],
    }
    for case, entries in bad.items():
        put('archive', case, tar_of(entries))
    put('archive', 'truncated', tar_of(bad['case'])[:1536])

    receipt_body = {"format": "pouch-receipt/1", "package": "1dd83bf9-7365-4a9a-ab85-9fe6b1102ec7",
                    "header_sha256": "5e3a6819b6a2bdd013b243d0a8241659070a516acaddf1b334140ccd9b7abad1",
                    "sender": "GB-VEC-SENDER",
                    "recipient": {"agency": "GB-VEC-RECIPIENT",
                                  "fingerprint": "81C91FB1EF24F6237F38076841465CD97C0BE9B1"},
                    "verdict": "accepted", "reason": None, "time": "2026-11-23T12:45:00Z"}
    for verdict, reason in (('accepted', None), ('rejected', 'not addressed to us \u00e9')):
        b = dict(receipt_body, verdict=verdict, reason=reason)
        body = json.dumps(b, separators=(',', ':'), ensure_ascii=False).encode()
        put('receipt', verdict, json.dumps({"pouch": "receipt/1",
                                            "receipt": base64.b64encode(body).decode(),
                                            "signature": base64.b64encode(b'\x88\x75sig').decode()},
                                           separators=(',', ':')) + '\n')

    put('records', 'partner', open('keys/GB-MET.example.json', 'rb').read())
    put('records', 'agency', json.dumps({
        "format": "pouch-agency/1", "code": "GB-NCA", "name": "National Crime Agency",
        "created": "2026-11-23T10:00:00Z", "gateway": False,
        "keys": [{"fingerprint": "FBBF4FA6BB706BA35D4EBD29F57C2BAFB1737504",
                  "created": "2026-11-23T10:00:00Z", "expires": None, "retired": None,
                  "verify_until": None},
                 {"fingerprint": "81C91FB1EF24F6237F38076841465CD97C0BE9B1",
                  "created": "2025-11-23T10:00:00Z", "expires": "2027-11-23T10:00:00Z",
                  "retired": "2026-11-23T10:00:00Z", "verify_until": "2026-12-23T10:00:00Z"}]},
        indent=2))
    put('records', 'endpoint', json.dumps({
        "format": "pouch-endpoint/1", "endpoint": "https://pouch.nca.example:8443/x",
        "tls": {"ca_file": "endpoint.ca.pem",
                "pin": "sha256//Ys8k1fsF7uDq3VUsFGEqhyNSvnOkhu/ZNgB/1KG8Pq8="},
        "client": {"cert": "endpoint.client.pem", "key": "endpoint.client.key"},
        "updated": "2026-11-23T10:00:00Z"}, indent=2))

    for i, s in enumerate(['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYg==', 'Zh==', 'Zm9v\nYmFy',
                           '////', 'A===']):
        put('base64', str(i), s)
    for i, s in enumerate(['2026-11-23T10:21:00Z', '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z',
                           '9999-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '2026-11-23 10:21:00Z',
                           '1h', '30d', '52w', '100y', '101y', '0d', '9999999999999999999d']):
        put('time', str(i), s)
    for i, s in enumerate(['GB-NCA', 'gb-nca', '-GB', 'F639 31D0 D9E4 B087 20B3  EB68 1F06 BDF6 806D 3DC9',
                           'National Crime Agency \u00e9', 'a\u202eb', '\xc0\xaf',
                           'https://pouch.nca.example:8443/x', 'https://[::1]:443/', 'http://x',
                           'https://user@host/', 'sha256//Ys8k1fsF7uDq3VUsFGEqhyNSvnOkhu/ZNgB/1KG8Pq8=',
                           '62cf2cd5fb3b1bd1a4d0b79b1fb04e1b1f4d3a5b62c79cf4cd38d7e8a9d4c3a0',
                           '1dd83bf9-7365-4a9a-ab85-9fe6b1102ec7', 'a\\b\x01\x7f']):
        put('validate', str(i), s)
    for i, s in enumerate(['/v1/health', '/v1/packages/1dd83bf9-7365-4a9a-ab85-9fe6b1102ec7',
                           '/v1/packages/1dd83bf9-7365-4a9a-ab85-9fe6b1102ec7/payload',
                           '/v1/packages/1dd83bf9-7365-4a9a-ab85-9fe6b1102ec7/receipt',
                           '/v1/uploads/1dd83bf9-7365-4a9a-ab85-9fe6b1102ec7', '/v1/receipts',
                           '0', '5', '+5', '007', ' 5', '-1', '18446744073709551615',
                           '18446744073709551616', 'bytes=0-', 'bytes=123-', 'bytes=-5',
                           'bytes=1-2', '999999999999999999']):
        put('request', str(i), s)

    x509_seeds()


def x509_seeds():
    """A CA certificate, a bundle of two, and a certificate with its key (refused as a CA file),
    made with openssl in a scratch directory."""
    tmp = tempfile.mkdtemp(prefix='px.', dir='/tmp')
    try:
        pems = []
        for i in range(2):
            key, crt = os.path.join(tmp, '%d.key' % i), os.path.join(tmp, '%d.pem' % i)
            subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                            'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt,
                            '-days', '30', '-subj', '/CN=fuzz seed %d' % i], check=True,
                           capture_output=True)
            pems.append((open(crt, 'rb').read(), open(key, 'rb').read()))
        put('x509', 'ca', pems[0][0])
        put('x509', 'bundle', pems[0][0] + pems[1][0])
        put('x509', 'cert-and-key', pems[0][0] + pems[0][1])
        put('x509', 'key', pems[1][1])
        put('x509', 'cut', pems[0][0][:200])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
