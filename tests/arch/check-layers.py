#!/usr/bin/env python3
"""pouch's architecture, checked: pkg/'s layers (ARCHITECTURE.md), include directions, the
object files' references (nm), no cycles between files, each foreign library in its modules,
and no source file over 600 lines. TAP output; usage: check-layers.py SRC_DIR BUILD_DIR."""
import collections
import os
import re
import subprocess
import sys

# Lowest first: a file may use its own layer and those before it, never one after it.
LAYERS = ["base", "report", "crypto", "directory", "audit", "package", "exchange", "server"]

# Each foreign library's headers, and the only files that may include them.
FOREIGN = {
    r"gpgme\.h": {"pkg/crypto/pgp_internal.h"},
    r"curl/": {"pkg/exchange/https_internal.h"},
    r"microhttpd\.h": {"pkg/server/httpd_internal.h", "pkg/server/httpd.c",
                       "pkg/server/httpd_req.c"},
    r"archive(_entry)?\.h": {"pkg/package/archive_internal.h"},
    r"sqlite3\.h": {"pkg/base/db.c"},
    r"jansson\.h": {"pkg/base/json.h"},
    r"gnutls/": {"pkg/crypto/x509.c", "pkg/server/httpd_internal.h", "pkg/server/httpd.c",
                 "pkg/server/httpd_req.c", "pkg/server/httpd_conn.c"},
}

MAX_LINES = 600

src, build = sys.argv[1], sys.argv[2]
results = []


def check(name, problems):
    results.append((name, problems))


def sources(*tops):
    for top in tops:
        for root, _, files in os.walk(os.path.join(src, top)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(root, f), src)


def layer_of(rel):
    parts = rel.split("/")
    return parts[1] if parts[0] == "pkg" and len(parts) == 3 else None


INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
pkg_files = list(sources("pkg"))
all_files = pkg_files + list(sources("cmd", "tests/unit", "tests/fuzz"))

# 1. Every pkg/ file sits in a known layer's folder.
check("every pkg/ file is in a layer folder (%s)" % ", ".join(LAYERS),
      ["%s: not in pkg/LAYER/" % f for f in pkg_files if layer_of(f) not in LAYERS])

# 2. ARCHITECTURE.md names the same layers in the same order.
arch = open(os.path.join(src, "ARCHITECTURE.md")).read()
named = re.findall(r"^\d+\. `pkg/([a-z]+)/`", arch, re.M)
check("ARCHITECTURE.md lists the layers in order",
      [] if named == LAYERS else ["ARCHITECTURE.md lists %s, expected %s" % (named, LAYERS)])

# 3. Includes go down (or across) only; pkg/ never includes cmd/ or tests/.
problems = []
for f in pkg_files:
    mine = layer_of(f)
    for kind, inc in INCLUDE.findall(open(os.path.join(src, f)).read()):
        if kind != '"':
            continue
        top = inc.split("/")[0]
        if "/" not in inc or top not in LAYERS:
            problems.append("%s includes \"%s\": not a pkg/LAYER/ header" % (f, inc))
        elif mine in LAYERS and LAYERS.index(top) > LAYERS.index(mine):
            problems.append("%s (%s) includes %s (a higher layer)" % (f, mine, inc))
check("pkg/ includes only its own or lower layers", problems)

# 4. Each foreign library is included only by its module's files.
problems = []
for f in all_files:
    for kind, inc in INCLUDE.findall(open(os.path.join(src, f)).read()):
        for pat, allowed in FOREIGN.items():
            if kind == "<" and re.match(pat, inc) and f not in allowed and \
                    not f.startswith("tests/"):
                problems.append("%s includes <%s> (only %s may)" % (f, inc, ", ".join(sorted(allowed))))
check("each foreign library is behind its own module", problems)

# 5. No source file over MAX_LINES lines.
problems = []
for f in all_files:
    n = sum(1 for _ in open(os.path.join(src, f)))
    if n > MAX_LINES:
        problems.append("%s: %d lines" % (f, n))
check("no source file over %d lines" % MAX_LINES, problems)


# 6. The objects: references go down, and no two files depend on each other (no cycles).
def objects(top):
    """The objects built from today's sources (a build directory may hold stale ones)."""
    out = []
    for root, _, files in os.walk(os.path.join(build, top)):
        for f in sorted(files):
            o = os.path.join(root, f)
            if f.endswith(".o") and os.path.exists(os.path.join(src, os.path.relpath(o, build))[:-2] + ".c"):
                out.append(o)
    return out


def graph(objs):
    defs, refs = {}, collections.defaultdict(set)
    for o in objs:
        text = subprocess.run(["nm", o], capture_output=True, text=True, check=True).stdout
        for line in text.splitlines():
            p = line.split()
            if len(p) == 3 and p[1] in "TDBRCV":
                defs[p[2]] = o
            elif len(p) == 2 and p[0] == "U":
                refs[o].add(p[1])
    g = {o: set() for o in objs}
    for o in objs:
        g[o] |= {defs[s] for s in refs[o] if s in defs and defs[s] != o}
    return g


def cycles(g):
    index, low, stack, on, found, n = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in g[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(os.path.relpath(c, build) for c in comp))

    for v in g:
        if v not in index:
            visit(v)
    return found


pkg_objs = objects("pkg")
if not pkg_objs:
    print("Bail out! no objects under %s/pkg: build first" % build)
    sys.exit(1)
g = graph(pkg_objs)
problems = []
for o, uses in g.items():
    mine = os.path.relpath(o, build).split("/")[1]
    for u in uses:
        theirs = os.path.relpath(u, build).split("/")[1]
        if LAYERS.index(theirs) > LAYERS.index(mine):
            problems.append("%s (%s) uses %s (a higher layer)" % (
                os.path.relpath(o, build), mine, os.path.relpath(u, build)))
check("pkg/ objects reference only their own or lower layers", problems)
for top in ("pkg", "cmd/pouch", "cmd/pouchd"):
    g = graph(objects(top)) if top != "pkg" else g
    check("no cycle between the files of %s/" % top,
          ["cycle: %s" % " <-> ".join(c) for c in cycles(g)])

print("1..%d" % len(results))
failed = 0
for i, (name, problems) in enumerate(results, 1):
    print("%s %d - %s" % ("not ok" if problems else "ok", i, name))
    for p in problems:
        print("#   %s" % p)
    failed += bool(problems)
sys.exit(1 if failed else 0)
