#!/usr/bin/env python3
"""show-check.py FILE: FILE (what pouch show printed) is safe on a terminal: valid UTF-8, no
control character but the newline (no ESC, CR, DEL, C1), and none of the characters that change
how text around them is shown (bidirectional marks, embeddings, overrides and isolates,
zero-width and other invisible format characters, line and paragraph separators). Exit 1
naming the first offending byte offset otherwise."""
import sys
import unicodedata

data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("%s: not UTF-8 at byte %d" % (sys.argv[1], e.start))
for i, c in enumerate(text):
    cp = ord(c)
    bad = (cp < 0x20 and c != "\n") or 0x7f <= cp <= 0x9f
    bad = bad or (c != "\n" and unicodedata.category(c) in ("Cf", "Zl", "Zp", "Cc", "Cs", "Cn"))
    if bad:
        sys.exit("%s: U+%04X at character %d" % (sys.argv[1], cp, i))
