#!/usr/bin/python3
# Test helper: validates JSON files against one definition of a JSON Schema (draft 2020-12)
# with python3-jsonschema: DEF names an entry of its $defs ("header", "content"), "-" the whole.
# usage: check-envelope-schema.py SCHEMA DEF FILE...; one line per invalid file, exit 1 if any
# is invalid, 2 on misuse.
import glob
import json
import os
import re
import sys

import jsonschema


def ecma_pattern(validator, pattern, instance, schema):
    """pattern as ECMA-262 (the schema's dialect) reads it, where Python's re differs: a final
    $ matches only at the very end (Python's also before a final newline) and \\d is ASCII."""
    if not validator.is_type(instance, "string"):
        return
    if not re.search(re.sub(r"(?<!\\)\$$", r"\\Z", pattern), instance, re.ASCII):
        yield jsonschema.ValidationError(f"{instance[:80]!r} does not match {pattern!r}")


if len(sys.argv) < 4:
    print("usage: check-envelope-schema.py SCHEMA DEF FILE...", file=sys.stderr)
    sys.exit(2)
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
name = sys.argv[2]
if name != "-":
    if name not in schema.get("$defs", {}):
        print(f"{sys.argv[1]}: no definition '$defs/{name}'", file=sys.stderr)
        sys.exit(2)
    # The same $id and $defs, so the definition's own "#/$defs/..." references still resolve.
    schema = {"$schema": schema["$schema"], "$id": schema["$id"], "$defs": schema["$defs"],
              "$ref": "#/$defs/" + name}
Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                        {"pattern": ecma_pattern})
# The schemas beside SCHEMA, by their $id, so that a reference to one (report.schema.json)
# resolves without fetching anything.
store = {}
for sibling in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])),
                                             "*.json"))):
    contents = json.load(open(sibling))
    if isinstance(contents, dict) and "$id" in contents:
        store[contents["$id"]] = contents
validator = Validator(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=store))
bad = 0
for path in sys.argv[3:]:
    try:
        doc = json.load(open(path))
    except (OSError, ValueError) as e:
        print(f"{path}: cannot read: {e}", file=sys.stderr)
        sys.exit(2)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors:
        # A failing base64 member would be quoted whole: keep the line short.
        print(f"{path}: {'/'.join(map(str, e.path))}: {e.message[:200]}")
    bad += bool(errors)
sys.exit(1 if bad else 0)
