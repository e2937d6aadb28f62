#!/bin/sh
# pouch's architecture holds (tests/arch/check-layers.py): pkg/'s layers as ARCHITECTURE.md
# lists them, includes and object references going down only, no cycles between files, each
# foreign library in its own module, no source file over 600 lines.
src=$(cd "$(dirname "$0")/../.." && pwd)
exec python3 "$src/tests/arch/check-layers.py" "$src" "${POUCH_BUILD:?set POUCH_BUILD}"
