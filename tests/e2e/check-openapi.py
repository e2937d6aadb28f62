#!/usr/bin/python3
# Test helper: checks JSON bodies against spec/openapi.yaml (OpenAPI 3.1, JSON Schema 2020-12)
# and lints the document, with Debian's python3-yaml and python3-jsonschema only.
# usage: check-openapi.py SPEC COMPONENT FILE...   each FILE against components/schemas/COMPONENT
#        check-openapi.py SPEC --response METHOD PATH STATUS FILE...
#                                     each FILE as that operation's JSON response body for STATUS
#        check-openapi.py SPEC --lint                the document is self-consistent
# Exit 0 when all is valid; 1 when not, with one line "check-openapi: FILE: REASON" on stderr
# for each invalid FILE (--lint: one line per problem); 2 on misuse. References resolve inside
# SPEC and to the *.json files beside it (by file name or by $id); nothing is fetched.
import ast
import json
import os
import pathlib
import re
import sys
import urllib.parse

import jsonschema
import yaml

PROG = "check-openapi"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DIALECT = "https://json-schema.org/draft/2020-12/schema"


class Invalid(Exception):
    """FILE (or the spec) does not conform; the message is the one-line reason."""


def misuse(message):
    print(f"{PROG}: {message}", file=sys.stderr)
    sys.exit(2)


def load_ecma_pattern():
    """check-envelope-schema.py's ecma_pattern (ECMA-262 reading of "pattern": a final $ only
    at the very end, \\d ASCII). That file is a script that runs when imported, so its one
    function is taken from its syntax tree rather than copied here."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check-envelope-schema.py")
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    body = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "ecma_pattern"]
    if len(body) != 1:
        misuse(f"no function ecma_pattern in '{path}'")
    scope = {"re": re, "jsonschema": jsonschema}
    exec(compile(ast.Module(body=body, type_ignores=[]), path, "exec"), scope)
    return scope["ecma_pattern"]


Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                        {"pattern": load_ecma_pattern()})


class LocalResolver(jsonschema.RefResolver):
    """Resolves only what the store holds: the spec and its sibling schemas."""

    def resolve_remote(self, uri):
        raise jsonschema.RefResolutionError(f"'{uri}' is neither in the spec nor beside it")


class UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML with duplicate mapping keys refused (PyYAML keeps the last one silently); libyaml's
    parser when PyYAML has it (five times faster)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def strict_json(path):
    """The JSON document in path: UTF-8, no duplicate names, no NaN or Infinity."""

    def pairs(items):
        names = [k for k, _ in items]
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate member name in {names}")
        return dict(items)

    def constant(name):
        raise ValueError(f"{name} is not JSON")

    try:
        text = open(path, "rb").read().decode("utf-8")
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except (OSError, ValueError) as e:
        raise Invalid(f"not a JSON document: {e}")


class Spec:
    def __init__(self, path):
        self.path = pathlib.Path(path).resolve()
        try:
            self.doc = yaml.load(self.path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
            raise Invalid(f"cannot read: {' '.join(str(e).split())}")
        if not isinstance(self.doc, dict):
            raise Invalid("not an OpenAPI document (no mapping at the top)")
        self.base = self.path.as_uri()
        store = {}
        for sibling in sorted(self.path.parent.glob("*.json")):
            try:
                schema = strict_json(sibling)
            except Invalid as e:
                raise Invalid(f"{sibling.name}: {e}")
            store[sibling.as_uri()] = schema
            if isinstance(schema, dict) and isinstance(schema.get("$id"), str):
                store[schema["$id"]] = schema
        self.resolver = LocalResolver(self.base, self.doc, store=store)

    def resolve(self, ref, base=None):
        """What ref (relative to base, else the spec) points at; Invalid when nothing."""
        if base is not None:
            self.resolver.push_scope(base)
        try:
            return self.resolver.resolve(ref)[1]
        except jsonschema.RefResolutionError as e:
            raise Invalid(f"$ref '{ref}' does not resolve: {e}")
        finally:
            if base is not None:
                self.resolver.pop_scope()

    def deref(self, obj):
        """An OpenAPI object that may be a Reference Object, followed to its target."""
        seen = set()
        while isinstance(obj, dict) and isinstance(obj.get("$ref"), str):
            if obj["$ref"] in seen:
                raise Invalid(f"$ref '{obj['$ref']}' refers to itself")
            seen.add(obj["$ref"])
            obj = self.resolve(obj["$ref"])
        return obj

    def validate(self, schema, instance):
        """Invalid with the most relevant error when instance does not match schema."""
        validator = Validator(schema, resolver=self.resolver)
        try:
            error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
        except jsonschema.RefResolutionError as e:
            raise Invalid(f"a $ref does not resolve: {e}")
        if error is not None:
            where = "/" + "/".join(map(str, error.absolute_path))
            raise Invalid(f"{where}: {' '.join(error.message.split())[:200]}")

    def operation(self, method, path):
        item = self.deref(self.doc.get("paths", {}).get(path))
        if not isinstance(item, dict):
            raise Invalid(f"the spec has no path '{path}'")
        op = item.get(method.lower())
        if not isinstance(op, dict):
            raise Invalid(f"the spec has no operation {method.upper()} {path}")
        return op

    def response_schema(self, method, path, status):
        op = self.operation(method, path)
        responses = op.get("responses", {})
        key = next((k for k in (status, status[:1] + "XX", "default") if k in responses), None)
        if key is None:
            raise Invalid(f"the spec gives no response {status} for {method.upper()} {path}")
        content = self.deref(responses[key]).get("content", {})
        if "schema" not in content.get("application/json", {}):
            raise Invalid(f"the spec gives no JSON body for {status} of {method.upper()} {path}")
        return content["application/json"]["schema"]


def walk(node, where=""):
    """Every (location, mapping) in a YAML or JSON tree."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{where}/{i}")


def lint(spec):
    """Problems in the document, one line each."""
    doc = spec.doc
    problems = []
    if not re.fullmatch(r"3\.1\.\d+", str(doc.get("openapi"))):
        problems.append(f"openapi is {doc.get('openapi')!r}, not 3.1.x")
    if doc.get("jsonSchemaDialect", DIALECT) != DIALECT:
        problems.append(f"jsonSchemaDialect is not {DIALECT} (this checker validates as that)")
    info = doc.get("info")
    if not (isinstance(info, dict) and isinstance(info.get("title"), str)
            and isinstance(info.get("version"), str)):
        problems.append("info needs a title and a version (strings)")
    if not isinstance(doc.get("paths"), dict) or not doc["paths"]:
        problems.append("paths is missing or empty")

    # Every $ref: in the spec, and in each sibling schema reached (against that one's base).
    external = {}
    pending = [(spec.base, doc)]
    while pending:
        url, tree = pending.pop()
        base = tree.get("$id", url) if url != spec.base and isinstance(tree, dict) else url
        for where, node in walk(tree):
            ref = node.get("$ref")
            if not isinstance(ref, str):
                continue
            try:
                spec.resolve(ref, base)
            except Invalid as e:
                problems.append(f"{'' if url == spec.base else url + '#'}{where}: {e}")
                continue
            target = urllib.parse.urljoin(base, ref).split("#")[0]
            if target not in (spec.base, base) and target not in external:
                external[target] = spec.resolve(target)
                pending.append((target, external[target]))

    # Every schema (components and inline ones) against the 2020-12 meta-schema.
    schemas = [(f"/components/schemas/{name}", s)
               for name, s in doc.get("components", {}).get("schemas", {}).items()]
    for where, node in walk(doc.get("paths", {}), "/paths"):
        if isinstance(node.get("schema"), (dict, bool)):
            schemas.append((f"{where}/schema", node["schema"]))
    for where, node in walk(doc.get("components", {}), "/components"):
        if isinstance(node.get("schema"), (dict, bool)):
            schemas.append((f"{where}/schema", node["schema"]))
    schemas += [(url, schema) for url, schema in external.items()]
    for where, schema in schemas:
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as e:
            problems.append(f"{where}: not a valid 2020-12 schema: {e.message}")

    schemes = doc.get("components", {}).get("securitySchemes", {})
    operation_ids = set()
    for path, item in doc.get("paths", {}).items():
        try:
            problems += lint_path(spec, path, item, schemes, operation_ids)
        except Invalid as e:
            problems.append(f"/paths/{path}: {e}")
    for requirement in doc.get("security", []):
        problems += [f"security: no securityScheme '{n}'" for n in requirement if n not in schemes]
    return problems


def lint_path(spec, path, item, schemes, operation_ids):
    """Problems in one path item: its operations, their responses and path parameters."""
    problems = []
    item = spec.deref(item)
    template = set(re.findall(r"\{([^}]+)\}", path))
    shared = [spec.deref(p) for p in item.get("parameters", [])]
    ops = [(m, item[m]) for m in METHODS if m in item]
    if not ops:
        problems.append(f"{path}: no operation")
    for method, op in ops:
        name = f"{method.upper()} {path}"
        responses = op.get("responses")
        if not isinstance(responses, dict) or not responses:
            problems.append(f"{name}: no responses")
            responses = {}
        for status, response in responses.items():
            if not (isinstance(status, str) and re.fullmatch(r"[1-5](\d\d|XX)|default", status)):
                problems.append(f"{name}: response key {status!r} is not a quoted status")
            if not isinstance(spec.deref(response).get("description"), str):
                problems.append(f"{name} {status}: response without a description")
        opid = op.get("operationId")
        if opid in operation_ids:
            problems.append(f"{name}: operationId '{opid}' used twice")
        operation_ids.add(opid)
        params = shared + [spec.deref(p) for p in op.get("parameters", [])]
        declared = {p.get("name") for p in params if p.get("in") == "path"}
        for p in params:
            if p.get("in") == "path" and p.get("required") is not True:
                problems.append(f"{name}: path parameter '{p.get('name')}' not required: true")
        if declared != template:
            problems.append(f"{name}: path parameters {sorted(declared)} but the path has "
                            f"{sorted(template)}")
        for requirement in op.get("security", []):
            problems += [f"{name}: no securityScheme '{n}'" for n in requirement
                         if n not in schemes]
    return problems


def main(argv):
    if len(argv) == 3 and argv[2] == "--lint":
        files, mode = [], "lint"
    elif len(argv) >= 7 and argv[2] == "--response":
        files, mode = argv[6:], "response"
    elif len(argv) >= 4 and not argv[2].startswith("-"):
        files, mode = argv[3:], "component"
    else:
        misuse("usage: check-openapi.py SPEC (COMPONENT FILE... | --response METHOD PATH STATUS "
               "FILE... | --lint)")
    try:
        spec = Spec(argv[1])
    except Invalid as e:
        print(f"{PROG}: {argv[1]}: {e}", file=sys.stderr)
        return 1
    if mode == "lint":
        problems = lint(spec)
        for problem in problems:
            print(f"{PROG}: {argv[1]}: {problem}", file=sys.stderr)
        return 1 if problems else 0
    if mode == "component":
        if argv[2] not in spec.doc.get("components", {}).get("schemas", {}):
            misuse(f"{argv[1]}: no schema components/schemas/{argv[2]}")
        schema = {"$ref": "#/components/schemas/" + argv[2]}
    else:
        method, path, status = argv[3:6]
        if method.lower() not in METHODS or not re.fullmatch(r"[1-5]\d\d", status):
            misuse(f"not a method and status: '{method}' '{status}'")
        try:
            schema = spec.response_schema(method, path, status)
        except Invalid as e:
            schema = e
    bad = 0
    for label in files:
        try:
            if isinstance(schema, Invalid):
                raise schema
            spec.validate(schema, strict_json(label))
        except Invalid as e:
            print(f"{PROG}: {label}: {e}", file=sys.stderr)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
