"""Bench material only: grows a stopped pouchd's store to TOTAL packages for the listing figure.

Usage: seed-store.py DATA TOTAL AGENCY
Prints "STORED CURSOR": how many packages the store holds, and the cursor (seq) in the middle of
AGENCY's package list, the `after` the bench lists from.

Storing 100,000 real packages through pouchd would take hours of verification, and only the
listing is timed. So this bypasses pouchd, and verification, on purpose: it copies the index
rows of the newest stored package (and its recipients) under fresh package ids, each with its
files hard-linked to that package's (a fresh copy when a file has as many links as the file
system allows), in one transaction. The store stays one pouchd opens and tidies as its own:
every row has its files and every file its row. Never point it at a store that matters.
"""
import errno
import os
import shutil
import sqlite3
import sys
import uuid


def link(src, dst):
    """Hard-links src to dst; returns the file later links should come from."""
    try:
        os.link(src, dst)
        return src
    except OSError as e:
        if e.errno != errno.EMLINK:
            raise
    shutil.copyfile(src, dst)
    return dst


def main():
    data, total, agency = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    db = sqlite3.connect(os.path.join(data, "pouchd.db"))
    cols = [r[1] for r in db.execute("PRAGMA table_info(packages)")]
    have = db.execute("SELECT count(*) FROM packages").fetchone()[0]
    tpl = db.execute("SELECT * FROM packages ORDER BY seq DESC LIMIT 1").fetchone()
    if tpl is None:
        sys.exit("seed-store: no stored package to copy in '%s'" % data)
    row = dict(zip(cols, tpl))
    recipients = db.execute("SELECT pos, agency FROM recipients WHERE package = ?",
                            (row["seq"],)).fetchall()
    packages = os.path.join(data, "packages")
    exts = [".pouch"] + ([".pouch.pgp"] if row["payload_size"] is not None else [])
    src = {e: os.path.join(packages, row["name"] + e) for e in exts}
    names = [c for c in cols if c != "seq"]
    sql = "INSERT INTO packages (%s) VALUES (%s)" % (", ".join(names),
                                                     ", ".join("?" * len(names)))
    with db:
        for _ in range(total - have):
            row["id"] = row["name"] = str(uuid.uuid4())
            seq = db.execute(sql, [row[c] for c in names]).lastrowid
            db.executemany("INSERT INTO recipients (package, pos, agency) VALUES (?, ?, ?)",
                           [(seq, pos, a) for pos, a in recipients])
            for e in exts:
                src[e] = link(src[e], os.path.join(packages, row["name"] + e))
    stored = db.execute("SELECT count(*) FROM packages").fetchone()[0]
    listed = db.execute("SELECT count(*) FROM recipients WHERE agency = ?",
                        (agency,)).fetchone()[0]
    cursor = db.execute("SELECT package FROM recipients WHERE agency = ? ORDER BY package "
                        "LIMIT 1 OFFSET ?", (agency, listed // 2)).fetchone()
    if cursor is None:
        sys.exit("seed-store: '%s' has no package in '%s'" % (agency, data))
    db.close()
    print(stored, cursor[0])


main()
