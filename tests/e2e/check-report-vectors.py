#!/usr/bin/python3
# Test helper: the report vectors (spec/vectors/report/) against spec/report.schema.json with
# python3-jsonschema, and against pouch's verdicts. usage:
#   check-report-vectors.py SPEC POUCH_VERDICTS
#     POUCH_VERDICTS has one line per vector, "valid NAME" or "invalid NAME" (pouch's verdict);
#     prints one line per disagreement (schema or pouch against the vector's directory; for
#     beyond/, the schema valid and pouch invalid) and exits 1 if any.
#   check-report-vectors.py SPEC --coverage
#     every enum value of the schema is used by a valid vector, and every required member of
#     every object of the schema is missing in an invalid vector (its .expected says so).
import glob
import json
import os
import sys

import jsonschema

spec = sys.argv[1]
schema = json.load(open(os.path.join(spec, "report.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
vectors = os.path.join(spec, "vectors", "report")
problems = []


def cases(kind):
    for path in sorted(glob.glob(os.path.join(vectors, kind, "*.json"))):
        yield os.path.basename(path)[:-5], path


if sys.argv[2] == "--coverage":
    enums, required = set(), set()

    def walk(node):
        if isinstance(node, dict):
            for v in node.get("enum", []):
                enums.add(v)
            if "const" in node and isinstance(node["const"], str):
                enums.add(node["const"])
            for m in node.get("required", []):
                required.add(m)
            for k, v in node.items():
                if k != "not":  # members that must not appear together are not required
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(schema)
    used = set()

    def strings(node):
        if isinstance(node, str):
            used.add(node)
        elif isinstance(node, dict):
            for v in node.values():
                strings(v)
        elif isinstance(node, list):
            for v in node:
                strings(v)
    for _, path in cases("valid"):
        strings(json.load(open(path)))
    for v in sorted(enums - used):
        problems.append("no valid vector uses the value %r" % v)
    expected = " ".join(open(p).read() for p in glob.glob(os.path.join(vectors, "invalid",
                                                                          "*.expected")))
    for m in sorted(required):
        if ("%s: missing" % m) not in expected:
            problems.append("no invalid vector lacks a required %r" % m)
else:
    pouch = dict(reversed(line.split()) for line in open(sys.argv[2]) if line.strip())
    for kind in ("valid", "invalid"):
        for name, path in cases(kind):
            schema_says = "valid" if validator.is_valid(json.load(open(path))) else "invalid"
            if schema_says != kind:
                problems.append("%s/%s: the schema says %s" % (kind, name, schema_says))
            if pouch.get(name) != kind:
                problems.append("%s/%s: pouch says %s" % (kind, name, pouch.get(name)))
            if pouch.get(name) != schema_says:
                problems.append("%s/%s: pouch and the schema disagree" % (kind, name))
    # beyond/: a rule the schema cannot state (report.md section 13): the schema accepts the
    # report, pouch refuses it. One the schema refuses belongs in invalid/.
    for name, path in cases("beyond"):
        if not validator.is_valid(json.load(open(path))):
            problems.append("beyond/%s: the schema says invalid (an invalid/ vector)" % name)
        if pouch.get(name) != "invalid":
            problems.append("beyond/%s: pouch says %s" % (name, pouch.get(name)))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
