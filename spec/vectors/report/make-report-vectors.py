#!/usr/bin/python3
# Test material only: makes spec/vectors/report/ (valid/NAME.json, invalid/NAME.json with
# invalid/NAME.expected, a text pouch's error output must contain; beyond/NAME.json with
# beyond/NAME.expected, reports the schema accepts and pouch refuses for a rule JSON Schema cannot
# state: person ids unique, about naming persons of the report). Run by hand from the
# repository root: python3 spec/vectors/report/make-report-vectors.py; commit what it writes.
# Every code-list value of spec/report.md has a valid vector, every required member, unknown
# member and conditional rule an invalid one. tests/e2e/t3000-report-vectors.sh checks that
# pouch and python3-jsonschema both reach every verdict.
import copy
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

BASE = {
    "format": "pouch-report/1",
    "header": {
        "reference": "VEC-0001", "version": 1, "title": "test vector (not a real case)",
        "created": "2026-11-23T10:21:00Z",
        "originator": {"agency": "GB-VEC", "unit": "test unit", "officer": "VEC-17",
                       "contact_24x7": "+441632960000"},
        "referral_source": "internal",
        "external_references": [{"scheme": "force", "value": "F-1"}]},
    "handling": {
        "classification": {"tier": "OFFICIAL", "sensitive": True, "caveats": ["UK EYES ONLY"]},
        "tlp": "TLP:AMBER", "scheme": "uk-3x5x2", "codes": ["P"], "purpose": "test",
        "legal_basis": "test", "permissions": ["none"], "review_date": "2027-01-01",
        "source_reference": "SRC-1"},
    "priority": {"level": "routine", "source_priority": {"scheme": "ncmec-cybertip", "value": "2"}},
    "offences": [{"type": "online-enticement", "annotations": ["sextortion"], "details": "x"}],
    "items": [{"n": 1, "kind": "intelligence", "text": "an item",
               "grade": {"source": "2", "intelligence": "B"}},
              {"n": 2, "kind": "provenance", "text": "where it came from",
               "grade": {"source": "1", "intelligence": "A"}}],
    "persons": [{
        "role": "suspect", "names": ["A. Test"], "dob": "1990-01-31", "approx_age": 35,
        "addresses": ["1 Test Street"], "phones": ["+441632960001"], "emails": ["a@b.example"],
        "accounts": [{"service": "chat", "user_id": "42", "screen_names": ["t"],
                      "profile_urls": ["https://chat.example/t"]}],
        "ip_events": [{"address": "192.0.2.1", "port": 443, "event": "login",
                       "time": "2026-11-01T09:00:00+01:00"}],
        "device_ids": [{"type": "imei", "value": "490154203237518"}],
        "country": "GB", "risk_flags": ["access-to-children"],
        "victim": {"identified": False, "safeguarding": "none"}}],
    "media": [{"hashes": {"md5": "0" * 32, "sha1": "1" * 40, "sha256": "2" * 64},
               "name": "a.jpg", "size": 1000, "media_type": "image/jpeg",
               "categories": [{"scheme": "uk-sentencing", "code": "C"}],
               "graded_by": "provider", "grade_trusted": True, "viewed_by_provider": True,
               "flags": ["publicly-available"]}],
    "actions": [{"action": "data-preservation", "details": "x", "due": "2026-12-01T00:00:00Z"}],
    "attachments": [{"name": "note.txt", "size": 3, "sha256": "3" * 64,
                     "media_type": "text/plain"}],
}

GRADES = {
    "uk-3x5x2": ("source", ["1", "2", "3"], "intelligence", ["A", "B", "C", "D", "E"], ["P"]),
    "uk-5x5x5": ("source", ["A", "B", "C", "D", "E"], "intelligence", ["1", "2", "3", "4", "5"],
                 ["1"]),
    "europol-4x4": ("source", ["A", "B", "C", "X"], "accuracy", ["1", "2", "3", "4"], ["H0"]),
}

valid, invalid, beyond = {}, {}, {}


def base(scheme="uk-3x5x2"):
    r = copy.deepcopy(BASE)
    s1, v1, s2, v2, codes = GRADES[scheme]
    r["handling"]["scheme"], r["handling"]["codes"] = scheme, list(codes)
    for i in r["items"]:
        i["grade"] = {s1: v1[0], s2: v2[0]}
    return r


def at(r, path):
    for p in path:
        r = r[p]
    return r


def setv(r, path, value):
    at(r, path[:-1])[path[-1]] = value
    return r


def shown(path):
    out = ""
    for p in path:
        out += "[%d]" % p if isinstance(p, int) else ("." if out else "") + p
    return out


def ok(name, r):
    assert name not in valid, name
    valid[name] = r


def bad(name, r, expected):
    assert name not in invalid and name not in beyond, name
    invalid[name] = (r, expected)


def refused(name, r, expected):
    """A report the schema accepts and pouch refuses (report.md section 13)."""
    assert name not in invalid and name not in beyond, name
    beyond[name] = (r, expected)


def routed():
    """The base with two persons, p1 in Manchester and p2 in the US, and every routed list's
    element about one of them or shared."""
    r = base()
    p1 = r["persons"][0]
    p1["id"] = "p1"
    del p1["country"]
    p1["location"] = {"country": "GB", "region": "GB-MAN", "postcode": "M1 4BT"}
    r["persons"].append({"role": "victim", "id": "p2", "country": "US"})
    r["offences"][0]["shared"] = True
    r["items"][0]["about"] = ["p1", "p2"]
    r["items"][1]["shared"] = True
    r["media"][0]["about"] = ["p2"]
    r["actions"][0]["about"] = ["p1"]
    r["attachments"][0]["shared"] = True
    return r


# Valid: the bases, then every code-list value.
for s in GRADES:
    ok("scheme-" + s, base(s))
    s1, v1, s2, v2, _ = GRADES[s]
    for v in v1:
        ok("grade-%s-%s-%s" % (s, s1, v), setv(base(s), ["items", 0, "grade", s1], v))
    for v in v2:
        ok("grade-%s-%s-%s" % (s, s2, v), setv(base(s), ["items", 0, "grade", s2], v))
minimal = base()
for k in ("offences", "persons", "media", "actions", "attachments"):
    del minimal[k]
for k in ("version", "referral_source", "external_references"):
    del minimal["header"][k]
for k in ("permissions", "review_date", "source_reference"):
    del minimal["handling"][k]
minimal["priority"] = {"level": "routine"}
minimal["items"] = [{"n": 1, "text": "one item", "grade": {"source": "2", "intelligence": "B"}}]
minimal["handling"]["classification"]["caveats"] = []
ok("minimal", minimal)

for v in ("ncmec-cybertip", "industry", "international-partner", "public", "internal", "other"):
    ok("referral-source-" + v, setv(base(), ["header", "referral_source"], v))
for v in ("ncmec", "siena", "interpol", "icse", "caid", "force", "other"):
    ok("external-reference-" + v, setv(base(), ["header", "external_references", 0, "scheme"], v))
for v in ("OFFICIAL", "SECRET", "TOP SECRET"):
    ok("tier-" + v.replace(" ", "-").lower(), setv(base(), ["handling", "classification", "tier"], v))
ok("sensitive-false", setv(base(), ["handling", "classification", "sensitive"], False))
for v in ("TLP:RED", "TLP:AMBER+STRICT", "TLP:AMBER", "TLP:GREEN", "TLP:CLEAR"):
    ok("tlp-" + v[4:].replace("+", "-").lower(), setv(base(), ["handling", "tlp"], v))
for s, codes, cond in (("uk-3x5x2", ["P", "C"], ["C"]),
                       ("uk-5x5x5", ["1", "2", "3", "4", "5"], ["2", "3", "5"]),
                       ("europol-4x4", ["H0", "H1", "H2", "H3"], ["H3"])):
    for c in codes:
        r = setv(base(s), ["handling", "codes"], [c])
        if c in cond:
            r["handling"]["conditions"] = "only for safeguarding"
        ok("code-%s-%s" % (s, c), r)
r = setv(base("europol-4x4"), ["handling", "codes"], ["H0", "H1", "H2", "H3"])
r["handling"]["conditions"] = "other restrictions"
ok("code-europol-4x4-set", r)
ok("conditions-without-need", setv(base(), ["handling", "conditions"], "a courtesy"))
for v in ("immediate", "urgent"):
    ok("priority-" + v, setv(base(), ["priority"], {
        "level": v, "reason": "a child at risk", "respond_by": "2026-11-23T12:00:00Z",
        "contact_24x7": "+441632960000"}))
for v in ("routine", "information"):
    ok("priority-" + v, setv(base(), ["priority", "level"], v))
for v in ("csam-possession", "csam-manufacture", "csam-distribution", "child-sex-trafficking",
          "child-sex-tourism", "child-sexual-molestation", "misleading-domain-name",
          "misleading-words-or-images", "online-enticement", "unsolicited-obscene-material",
          "other"):
    ok("offence-" + v, setv(base(), ["offences", 0, "type"], v))
ok("item-kind-absent", (lambda r: (r["items"][0].pop("kind"), r)[1])(base()))
for v in ("suspect", "victim", "intended-recipient", "reporter", "witness", "associate"):
    ok("role-" + v, setv(base(), ["persons", 0, "role"], v))
for v in ("login", "registration", "purchase", "upload", "other", "unknown"):
    ok("ip-event-" + v, setv(base(), ["persons", 0, "ip_events", 0, "event"], v))
ok("ip-v6", setv(base(), ["persons", 0, "ip_events", 0, "address"], "2001:db8::1"))
for v in ("imei", "iccid", "imsi", "meid", "mac", "advertising-id", "other"):
    ok("device-" + v, setv(base(), ["persons", 0, "device_ids", 0, "type"], v))
for v in ("access-to-children", "access-to-firearms", "registered-sex-offender"):
    ok("risk-flag-" + v, setv(base(), ["persons", 0, "risk_flags"], [v]))
for s, codes in (("uk-sentencing", ["A", "B", "C"]), ("uk-legacy", ["1", "2", "3", "4", "5"]),
                 ("project-vic", ["0", "5"]), ("other", ["any text"])):
    for c in codes:
        ok("category-%s-%s" % (s, c.replace(" ", "-")),
           setv(base(), ["media", 0, "categories", 0], {"scheme": s, "code": c}))
for v in ("publicly-available", "victim-identified", "self-generated", "interpol-baseline"):
    ok("media-flag-" + v, setv(base(), ["media", 0, "flags"], [v]))
ok("media-one-hash", setv(base(), ["media", 0, "hashes"], {"sha1": "a" * 40}))
for v in ("safeguarding-visit", "data-preservation", "subscriber-check",
          "victim-identification", "arrest", "search", "deconfliction",
          "intelligence-development", "other"):
    ok("action-" + v, setv(base(), ["actions", 0, "action"], v))
ok("time-offset-fraction", setv(base(), ["header", "created"], "2026-11-23T11:21:00.5+01:00"))
ok("integer-as-real", setv(base(), ["items", 0, "n"], 1.0))
ok("attachment-name-only", setv(base(), ["attachments", 0], {"name": "x.bin"}))
ok("non-ascii-text", setv(base(), ["header", "title"], "Dossier é 例"))

# Routing (report.md section 13): ids, locations, about and shared.
ok("routed", routed())
ok("location-country-only", setv(routed(), ["persons", 0, "location"], {"country": "GB"}))
ok("person-id-without-about", setv(base(), ["persons", 0, "id"], "A-1.b_2"))

# Invalid: every required member missing, an unknown member in every object.
OBJECTS = {
    (): ["format", "header", "handling", "priority", "items"],
    ("header",): ["reference", "title", "created", "originator"],
    ("header", "originator"): ["agency", "unit", "officer", "contact_24x7"],
    ("header", "external_references", 0): ["scheme", "value"],
    ("handling",): ["classification", "tlp", "scheme", "codes", "purpose", "legal_basis"],
    ("handling", "classification"): ["tier", "sensitive", "caveats"],
    ("priority",): ["level"],
    ("priority", "source_priority"): ["scheme", "value"],
    ("offences", 0): ["type"],
    ("items", 0): ["n", "text", "grade"],
    ("items", 0, "grade"): ["source", "intelligence"],
    ("persons", 0): ["role"],
    ("persons", 0, "accounts", 0): ["service"],
    ("persons", 0, "ip_events", 0): ["address", "event", "time"],
    ("persons", 0, "device_ids", 0): ["type", "value"],
    ("persons", 0, "victim"): ["identified"],
    ("media", 0): ["hashes", "viewed_by_provider"],
    ("media", 0, "hashes"): [],
    ("media", 0, "categories", 0): ["scheme", "code"],
    ("actions", 0): ["action", "due"],
    ("attachments", 0): ["name"],
}
for path, required in OBJECTS.items():
    tag = "-".join(str(p) for p in path) or "report"
    for m in required:
        r = base()
        del at(r, path)[m]
        bad("missing-%s-%s" % (tag, m), r, "%s: missing" % shown(list(path) + [m]))
    bad("unknown-in-" + tag, setv(base(), list(path) + ["extra"], 1),
        "%s: unknown member" % shown(list(path) + ["extra"]))
r = routed()
del r["persons"][0]["location"]["country"]
bad("missing-persons-0-location-country", r, "persons[0].location.country: missing")
bad("unknown-in-persons-0-location", setv(routed(), ["persons", 0, "location", "extra"], 1),
    "persons[0].location.extra: unknown member")
for s in ("uk-5x5x5", "europol-4x4"):
    s2 = GRADES[s][2]
    r = base(s)
    del r["items"][0]["grade"][s2]
    bad("missing-grade-%s-%s" % (s, s2), r, "items[0].grade.%s: missing" % s2)

# Conditional requirements.
for s, c in (("uk-3x5x2", "C"), ("uk-5x5x5", "2"), ("uk-5x5x5", "3"), ("uk-5x5x5", "5"),
             ("europol-4x4", "H3")):
    bad("conditions-missing-%s-%s" % (s, c), setv(base(s), ["handling", "codes"], [c]),
        "handling.conditions: missing: required with")
r = setv(base("europol-4x4"), ["handling", "codes"], ["H0", "H3"])
bad("conditions-missing-europol-set", r, "handling.conditions: missing")
for level in ("immediate", "urgent"):
    for m in ("reason", "respond_by", "contact_24x7"):
        p = {"level": level, "reason": "r", "respond_by": "2026-11-23T12:00:00Z",
             "contact_24x7": "+441632960000"}
        del p[m]
        bad("priority-%s-without-%s" % (level, m), setv(base(), ["priority"], p),
            "priority.%s: missing: required for an %s report" % (m, level))

# Wrong values: codes, grades, enums.
bad("code-3x5x2-X", setv(base(), ["handling", "codes"], ["X"]),
    "handling.codes[0]: 'X' is not a 3x5x2 handling code (P or C)")
bad("code-3x5x2-two", setv(base(), ["handling", "codes"], ["P", "C"]),
    "handling.codes: a 3x5x2 report has exactly one handling code")
bad("code-5x5x5-two", setv(base("uk-5x5x5"), ["handling", "codes"], ["1", "4"]),
    "handling.codes: a 5x5x5 report has exactly one handling code")
bad("code-5x5x5-6", setv(base("uk-5x5x5"), ["handling", "codes"], ["6"]),
    "handling.codes[0]: '6' is not a 5x5x5 handling code")
bad("code-5x5x5-P", setv(base("uk-5x5x5"), ["handling", "codes"], ["P"]),
    "handling.codes[0]: 'P' is not a 5x5x5 handling code")
bad("code-europol-H4", setv(base("europol-4x4"), ["handling", "codes"], ["H4"]),
    "handling.codes[0]: 'H4' is not a Europol handling code")
bad("code-europol-twice", setv(base("europol-4x4"), ["handling", "codes"], ["H0", "H0"]),
    "handling.codes[1]: 'H0' appears twice")
bad("code-number", setv(base("uk-5x5x5"), ["handling", "codes"], [1]),
    "handling.codes[0]: expected a string, got a number")
bad("codes-empty", setv(base(), ["handling", "codes"], []), "handling.codes: needs at least 1")
bad("codes-not-array", setv(base(), ["handling", "codes"], "P"),
    "handling.codes: expected an array")
for s, (s1, v1, s2, v2, _) in GRADES.items():
    other = {"uk-3x5x2": ("A", "1"), "uk-5x5x5": ("1", "A"), "europol-4x4": ("D", "5")}[s]
    bad("grade-%s-bad-%s" % (s, s1), setv(base(s), ["items", 0, "grade", s1], other[0]),
        "items[0].grade.%s: '%s' is not a" % (s1, other[0]))
    bad("grade-%s-bad-%s" % (s, s2), setv(base(s), ["items", 1, "grade", s2], other[1]),
        "items[1].grade.%s: '%s' is not a" % (s2, other[1]))
r = base("europol-4x4")
r["items"][0]["grade"] = {"source": "A", "intelligence": "1"}
bad("grade-europol-with-intelligence", r, "items[0].grade.intelligence: unknown member")
bad("grade-number", setv(base(), ["items", 0, "grade", "source"], 2),
    "items[0].grade.source: a number is not a 3x5x2 source evaluation")
bad("grade-not-object", setv(base(), ["items", 0, "grade"], "2B"),
    "items[0].grade: expected a grade")
ENUMS = [
    (["format"], "pouch-report/2"), (["header", "referral_source"], "email"),
    (["header", "external_references", 0, "scheme"], "europol"),
    (["handling", "classification", "tier"], "OFFICIAL-SENSITIVE"),
    (["handling", "classification", "tier"], "RESTRICTED"), (["handling", "tlp"], "TLP:WHITE"),
    (["handling", "tlp"], "tlp:red"), (["handling", "scheme"], "9x9x9"),
    (["priority", "level"], "high"), (["offences", 0, "type"], "grooming"),
    (["items", 0, "kind"], "note"), (["persons", 0, "role"], "offender"),
    (["persons", 0, "ip_events", 0, "event"], "logout"),
    (["persons", 0, "device_ids", 0, "type"], "serial"),
    (["persons", 0, "risk_flags", 0], "violent"),
    (["media", 0, "categories", 0, "scheme"], "copine"), (["media", 0, "flags", 0], "hot"),
    (["actions", 0, "action"], "visit"),
]
for path, v in ENUMS:
    bad("enum-%s-%s" % ("-".join(str(p) for p in path), v.replace(":", "-").replace("/", "-")),
        setv(base(), path, v), "%s: '%s' is not" % (shown(path), v))
bad("category-uk-sentencing-D", setv(base(), ["media", 0, "categories", 0, "code"], "D"),
    "media[0].categories[0].code: 'D' is not a UK Sentencing Council category (A, B or C)")
r = setv(base(), ["media", 0, "categories", 0], {"scheme": "uk-legacy", "code": "6"})
bad("category-uk-legacy-6", r, "'6' is not a UK legacy level")
r = setv(base(), ["media", 0, "categories", 0], {"scheme": "project-vic", "code": 1})
bad("category-bare-number", r, "media[0].categories[0].code: expected text, got a number")

# Forms of values.
FORMS = [
    ("created-no-zone", ["header", "created"], "2026-11-23T10:21:00"),
    ("created-date-only", ["header", "created"], "2026-11-23"),
    ("created-month-13", ["header", "created"], "2026-13-01T00:00:00Z"),
    ("created-newline", ["header", "created"], "2026-11-23T10:21:00Z\n"),
    ("created-number", ["header", "created"], 1796000000),
    ("review-date-time", ["handling", "review_date"], "2027-01-01T00:00:00Z"),
    ("agency-lower", ["header", "originator", "agency"], "gb-vec"),
    ("agency-long", ["header", "originator", "agency"], "GB-" + "X" * 31),
    ("phone-national", ["persons", 0, "phones", 0], "01632960001"),
    ("phone-long", ["persons", 0, "phones", 0], "+4416329600011234"),
    ("email-no-at", ["persons", 0, "emails", 0], "nobody"),
    ("email-space", ["persons", 0, "emails", 0], "a b@c.example"),
    ("country-lower", ["persons", 0, "country"], "gb"),
    ("country-alpha3", ["persons", 0, "country"], "GBR"),
    ("url-ftp", ["persons", 0, "accounts", 0, "profile_urls", 0], "ftp://x.example/t"),
    ("ip-name", ["persons", 0, "ip_events", 0, "address"], "host.example"),
    ("port-big", ["persons", 0, "ip_events", 0, "port"], 70000),
    ("port-negative", ["persons", 0, "ip_events", 0, "port"], -1),
    ("md5-short", ["media", 0, "hashes", "md5"], "0" * 31),
    ("sha1-upper", ["media", 0, "hashes", "sha1"], "A" * 40),
    ("sha256-long", ["media", 0, "hashes", "sha256"], "2" * 65),
    ("media-type-no-slash", ["media", 0, "media_type"], "jpeg"),
    ("size-negative", ["media", 0, "size"], -1),
    ("size-fraction", ["media", 0, "size"], 1.5),
    ("size-string", ["attachments", 0, "size"], "3"),
    ("attachment-sha256-upper", ["attachments", 0, "sha256"], "A" * 64),
    ("attachment-name-empty", ["attachments", 0, "name"], ""),
    ("attachment-name-long", ["attachments", 0, "name"], "x" * 256),
    ("item-n-zero", ["items", 0, "n"], 0),
    ("item-n-string", ["items", 0, "n"], "1"),
    ("age-131", ["persons", 0, "approx_age"], 131),
    ("version-zero", ["header", "version"], 0),
    ("sensitive-string", ["handling", "classification", "sensitive"], "yes"),
    ("viewed-null", ["media", 0, "viewed_by_provider"], None),
    ("title-empty", ["header", "title"], ""),
    ("title-number", ["header", "title"], 7),
    ("title-placeholder", ["header", "title"], "FILL IN: a short title"),
    ("tlp-placeholder", ["handling", "tlp"], "FILL IN: TLP:RED or TLP:AMBER"),
    ("conditions-empty", ["handling", "conditions"], ""),
    ("items-empty", ["items"], []),
    ("items-object", ["items"], {"n": 1}),
    ("header-array", ["header"], []),
    ("hashes-empty", ["media", 0, "hashes"], {}),
    ("caveats-twice", ["handling", "classification", "caveats"], ["UK EYES ONLY"] * 2),
    ("risk-flags-twice", ["persons", 0, "risk_flags"], ["access-to-children"] * 2),
    ("names-not-array", ["persons", 0, "names"], "A. Test"),
]
for name, path, v in FORMS:
    expected = shown(path) + ":"
    if name.endswith("-twice"):
        expected = shown(path) + "[1]: '%s' appears twice" % v[1]
    if name == "created-newline":
        expected = "header.created: '2026-11-23T10:21:00Z\\x0a' is not an RFC 3339 time"
    bad(name, setv(base(), path, v), expected)
ROUTING = [
    ("person-country-and-location", ["persons", 0, "country"], "GB",
     "persons[0].location: not with country"),
    ("about-and-shared", ["items", 0, "shared"], True, "items[0].shared: not with about"),
    ("shared-false", ["items", 1, "shared"], False, "items[1].shared: expected true"),
    ("about-empty", ["media", 0, "about"], [], "media[0].about: needs at least 1"),
    ("about-twice", ["actions", 0, "about"], ["p1", "p1"],
     "actions[0].about[1]: 'p1' appears twice"),
    ("about-not-id", ["items", 0, "about", 0], "p 1", "items[0].about[0]: 'p 1' is not a person id"),
    ("person-id-space", ["persons", 0, "id"], "p 1", "persons[0].id: 'p 1' is not a person id"),
    ("person-id-long", ["persons", 1, "id"], "p" * 33, "persons[1].id: '%s' is not" % ("p" * 33)),
    ("location-country-lower", ["persons", 0, "location", "country"], "gb",
     "persons[0].location.country: 'gb' is not"),
    ("location-postcode-empty", ["persons", 0, "location", "postcode"], "",
     "persons[0].location.postcode: empty"),
]
for name, path, v, expected in ROUTING:
    bad(name, setv(routed(), path, v), expected)
refused("about-unknown-id", setv(routed(), ["items", 0, "about", 1], "p9"),
        "items[0].about[1]: 'p9' is no person's id in this report")
refused("about-attachment-unknown-id", setv(routed(), ["attachments", 0], {"name": "x.bin",
                                                                          "about": ["P1"]}),
        "attachments[0].about[0]: 'P1' is no person's id in this report")
r = routed()
del r["persons"]
refused("about-without-persons", r, "items[0].about[0]: 'p1' is no person's id in this report")
refused("person-id-twice", setv(routed(), ["persons", 1, "id"], "p1"),
        "persons[1].id: 'p1' is also the id of persons[0]")

r = base()
r["handling"]["codes"], r["handling"]["tlp"], r["items"][1]["grade"]["source"] = ["X"], "RED", "9"
bad("three-errors", r, "handling.tlp: 'RED' is not a TLP label")

for d in ("valid", "invalid", "beyond"):
    shutil.rmtree(os.path.join(HERE, d), ignore_errors=True)
    os.mkdir(os.path.join(HERE, d))
for name, r in valid.items():
    with open(os.path.join(HERE, "valid", name + ".json"), "w") as f:
        json.dump(r, f, indent=1, ensure_ascii=False)
        f.write("\n")
for d, cases in (("invalid", invalid), ("beyond", beyond)):
    for name, (r, expected) in cases.items():
        with open(os.path.join(HERE, d, name + ".json"), "w") as f:
            json.dump(r, f, indent=1, ensure_ascii=False)
            f.write("\n")
        with open(os.path.join(HERE, d, name + ".expected"), "w") as f:
            f.write(expected + "\n")
print("made %d valid, %d invalid and %d beyond-the-schema report vectors" %
      (len(valid), len(invalid), len(beyond)))
