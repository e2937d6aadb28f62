#!/usr/bin/python3
# Checks pouch's --json output against spec/cli/ (JSON Schema 2020-12, python3-jsonschema).
# usage: check-json-output.py SPEC COMMAND STATUS FILE
#          every line of FILE (the stdout of 'pouch COMMAND --json' that exited STATUS) is one
#          JSON value valid against SPEC/cli/pouch-COMMAND.schema.json; with STATUS 0 none is
#          an error object, otherwise the last one is, with "exit": STATUS, and no other.
#        check-json-output.py SPEC --schemas COMMAND...
#          every schema in SPEC/cli is a valid schema whose objects all forbid members they do not
#          name (additionalProperties: false), and the commands given (pouch's command table,
#          and its commands' other outputs such as pack-batch) and the command schemas are the
#          same set.
# Prints one line per problem and exits 1 if any.
import glob
import json
import os
import sys

import jsonschema

spec, problems = sys.argv[1], []
schemas = {}
for path in sorted(glob.glob(os.path.join(spec, "*.schema.json")) +
                   glob.glob(os.path.join(spec, "cli", "*.schema.json"))):
    schemas[path] = json.load(open(path))

try:  # jsonschema 4.18 and later: the referencing library
    from referencing import Registry, Resource
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values())

    def validator(s):
        return jsonschema.Draft202012Validator(s, registry=registry)
except ImportError:  # Debian 12's jsonschema 4.10
    store = {s["$id"]: s for s in schemas.values()}

    def validator(s):
        return jsonschema.Draft202012Validator(
            s, resolver=jsonschema.RefResolver.from_schema(s, store=store))


def schema_file(command):
    return os.path.join(spec, "cli", "pouch-%s.schema.json" % command.replace(" ", "-"))


def closed(node, where):
    """Every object schema that names its members forbids the others."""
    if isinstance(node, dict):
        if "properties" in node and node.get("additionalProperties") is not False:
            problems.append("%s: an object without additionalProperties: false" % where)
        for k, v in node.items():
            closed(v, "%s/%s" % (where, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            closed(v, "%s/%d" % (where, i))


if sys.argv[2] == "--schemas":
    for path, s in schemas.items():
        if "/cli/" not in path:
            continue
        try:
            jsonschema.Draft202012Validator.check_schema(s)
        except jsonschema.SchemaError as e:
            problems.append("%s: not a valid schema: %s" % (path, e.message))
        if s.get("$id") != "https://pouch.invalid/spec/cli/" + os.path.basename(path):
            problems.append("%s: $id is not its own name" % path)
        closed(s, os.path.basename(path))
    want = {schema_file(c) for c in sys.argv[3:]}
    have = {p for p in schemas if os.path.basename(p).startswith("pouch-")}
    for p in sorted(want - have):
        problems.append("%s: missing: every command has a schema for its --json output" % p)
    for p in sorted(have - want):
        problems.append("%s: names no command of pouch" % p)
else:
    command, status, out = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    whole = schemas[schema_file(command)]
    # A line is the command's result or the error object (the schema's oneOf): checked against
    # the one it claims to be, so that a problem is named in that one's terms.
    check_result = validator({"$ref": whole["$id"] + "#/$defs/result"})
    check_error = validator(schemas[os.path.join(spec, "cli", "error.schema.json")])
    if whole.get("oneOf") != [{"$ref": "#/$defs/result"}, {"$ref": "error.schema.json"}]:
        problems.append("%s: not oneOf its result and the error object" % schema_file(command))
    lines = open(out, encoding="utf-8").read().split("\n")
    if lines[-1] != "":
        problems.append("%s: the output does not end with a newline" % out)
    lines = lines[:-1]
    if not lines:
        problems.append("%s: no output" % out)
    errors = []
    for n, line in enumerate(lines, 1):
        try:
            value = json.loads(line)
        except ValueError as e:
            problems.append("%s:%d: not one JSON value: %s" % (out, n, e))
            continue
        is_error = isinstance(value, dict) and "error" in value
        check = check_error if is_error else check_result
        for e in sorted(check.iter_errors(value), key=lambda e: list(e.path)):
            # Of the branches of a oneOf, the one that came closest says what is wrong.
            while e.context:
                e = jsonschema.exceptions.best_match(e.context)
            problems.append("%s:%d: /%s: %s" % (out, n, "/".join(map(str, e.absolute_path)),
                                                e.message))
        if is_error:
            errors.append((n, value["error"]))
    if status == 0 and errors:
        problems.append("%s: exit 0 with an error object" % out)
    if status != 0:
        if not errors or errors[-1][0] != len(lines):
            problems.append("%s: exit %d but the last line is no error object" % (out, status))
        elif len(errors) > 1:
            problems.append("%s: more than one error object" % out)
        elif errors[-1][1].get("exit") != status:
            problems.append("%s: the error object says exit %s, the status was %d" %
                            (out, errors[-1][1].get("exit"), status))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
