#!/usr/bin/python3
# Test helper: a report of make demo (tests/demo/reports/) against the schema and the skeleton
# it was written from. usage: check-demo-report.py SCHEMA SKELETON REPORT
#   - python3-jsonschema finds it valid against SCHEMA (spec/report.schema.json);
#   - it has every member of SKELETON (`pouch report new` with its scheme and template), at the
#     same path (array elements taken together), except those whose placeholder says to delete
#     them when they do not apply; and every value the skeleton fixes (a scheme, a role, a
#     priority level, an action) is there at the same path, the created time excepted;
#   - its values are fictional ones: phone numbers in Ofcom's drama ranges, e-mail addresses
#     and URLs under example.org, .com or .net, IP addresses in the documentation ranges, and
#     media hashes of the harmless lines "pouch demo: harmless stand-in file N\n".
# Prints one line per problem and exits 1 if any.
import hashlib
import ipaddress
import json
import re
import sys

import jsonschema

schema, skeleton, report = (json.load(open(p)) for p in sys.argv[1:4])
problems = []
for e in jsonschema.Draft202012Validator(schema).iter_errors(report):
    problems.append("schema: %s: %s" % ("/".join(map(str, e.absolute_path)), e.message))


def walk(node, path, members, values):
    if isinstance(node, dict):
        for k, v in node.items():
            members.add(path + "." + k)
            walk(v, path + "." + k, members, values)
    elif isinstance(node, list):
        for v in node:
            walk(v, path + "[]", members, values)
    else:
        values.setdefault(path, set()).add(json.dumps(node))


def optional(node, path):
    """Members whose placeholder says to delete them when they do not apply."""
    out = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and v.startswith("FILL IN:") and "delete" in v:
                out.add(path + "." + k)
            out |= optional(v, path + "." + k)
    elif isinstance(node, list):
        for v in node:
            out |= optional(v, path + "[]")
    return out


sk_members, sk_values, members, values = set(), {}, set(), {}
walk(skeleton, "", sk_members, sk_values)
walk(report, "", members, values)
for m in sorted(sk_members - members - optional(skeleton, "")):
    problems.append("template member %s is missing" % m[1:])
for path, vs in sorted(sk_values.items()):
    for v in sorted(vs):
        if path != ".header.created" and not v.startswith('"FILL IN:') and \
                v not in values.get(path, set()):
            problems.append("template value %s at %s is missing" % (v, path[1:]))

DOC_NETS = [ipaddress.ip_network(n) for n in
            ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]
DRAMA = re.compile(r"^\+44(7700900|1632960|2079460|1134960|1174960|1314960|1414960|"
                   r"1514960|1214960|1164960|2890180)\d{3}")
HARMLESS = {}
for n in range(1, 10):
    b = b"pouch demo: harmless stand-in file %d\n" % n
    for alg in ("md5", "sha1", "sha256"):
        HARMLESS[hashlib.new(alg, b).hexdigest()] = alg


def fictional(node, key):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "hashes":
                for alg, h in v.items():
                    if HARMLESS.get(h) != alg:
                        problems.append("%s %s is not a hash of a harmless line" % (alg, h))
            else:
                fictional(v, k)
    elif isinstance(node, list):
        for v in node:
            fictional(v, key)
    elif isinstance(node, str):
        if key in ("phones", "contact_24x7") and not DRAMA.match(node):
            problems.append("%s %r is not in a drama range" % (key, node))
        for addr in re.findall(r"[\w.+-]+@([\w.-]+)", node):
            if addr not in ("example.org", "example.com", "example.net"):
                problems.append("e-mail domain %r is not an example domain" % addr)
        for host in re.findall(r"https?://([^/\s]+)", node):
            if not re.match(r"^([\w-]+\.)*example\.(org|com|net)$", host):
                problems.append("URL host %r is not an example domain" % host)
        for ip in re.findall(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", node):
            if not any(ipaddress.ip_address(ip) in n for n in DOC_NETS):
                problems.append("IP address %s is not in a documentation range" % ip)


fictional(report, None)
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
