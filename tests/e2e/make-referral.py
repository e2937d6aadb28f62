#!/usr/bin/env python3
"""Writes a fictional referral naming N persons spread over several force areas, and the
routing table that splits it (spec/report.md section 13, spec/route.md).

usage: make-referral.py N REPORT ROUTES [AGENCY=PREFIX,PREFIX ...]

Each area is an agency code with the GB postcode prefixes it takes (by default GB-MET takes
SW and E, GB-GMP takes M, US-NCMEC every US person). Person i (p1 .. pN) is in area i mod the
number of areas; each person has one item about it, and every third person also has a media
entry about it. Two shared items, a shared offence and the originator are the context every
agency's report holds. The person counts per agency go to standard output, one `AGENCY N` a
line, in the byte order of the codes (the order pouch route writes them). No real data."""
import json
import sys

DEFAULT_AREAS = ["GB-MET=SW,E", "GB-GMP=M", "US-NCMEC=US"]


def areas_of(args):
    out = []
    for a in args:
        code, _, prefixes = a.partition("=")
        out.append((code, [p for p in prefixes.split(",") if p]))
    return out


def location(prefixes, i):
    """The location of person i in an area: a US area (prefix US) by country, else a GB
    postcode under one of the area's prefixes."""
    if prefixes == ["US"]:
        return {"country": "US", "region": "US-VA"}
    pre = prefixes[i % len(prefixes)]
    return {"country": "GB", "postcode": "%s%d %dAA" % (pre, 1 + i % 9, i % 10)}


def grade(i):
    return {"source": "12"[i % 2], "intelligence": "ABC"[i % 3]}


def main(argv):
    if len(argv) < 4 or not argv[1].isdigit() or int(argv[1]) < 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    n, report_path, routes_path = int(argv[1]), argv[2], argv[3]
    areas = areas_of(argv[4:] or DEFAULT_AREAS)
    persons, items, media, counts = [], [], [], {}
    items.append({"n": 1, "kind": "provenance", "shared": True, "grade": grade(0),
                  "text": "Fictional CyberTip bundle of %d reports, no real data." % n})
    items.append({"n": 2, "kind": "intelligence", "shared": True, "grade": grade(1),
                  "text": "The accounts below used one fictional service in the same week."})
    for i in range(n):
        code, prefixes = areas[i % len(areas)]
        pid = "p%d" % (i + 1)
        counts[code] = counts.get(code, 0) + 1
        persons.append({"role": "suspect" if i % 4 else "victim", "id": pid,
                        "location": location(prefixes, i),
                        "accounts": [{"service": "example-chat", "user_id": "u%06d" % i}]})
        items.append({"n": len(items) + 1, "kind": "intelligence", "about": [pid],
                      "grade": grade(i),
                      "text": "Fictional account u%06d uploaded files in the period." % i})
        if i % 3 == 0:
            media.append({"hashes": {"sha256": "%064x" % (i + 1)},
                          "viewed_by_provider": False, "about": [pid]})
    report = {
        "format": "pouch-report/1",
        "header": {
            "reference": "REF-%d" % n,
            "title": "Fictional bulk referral of %d persons" % n,
            "created": "2026-11-23T10:21:00Z",
            "originator": {"agency": "GB-NCA-CEOP", "unit": "referrals",
                           "officer": "REF-17", "contact_24x7": "+441632960000"},
            "referral_source": "ncmec-cybertip"},
        "handling": {"classification": {"tier": "OFFICIAL", "sensitive": True, "caveats": []},
                     "tlp": "TLP:AMBER", "scheme": "uk-3x5x2", "codes": ["P"],
                     "purpose": "safeguarding", "legal_basis": "fictional"},
        "priority": {"level": "routine"},
        "offences": [{"type": "csam-distribution", "shared": True}],
        "items": items,
        "persons": persons,
        "media": media}
    routes = []
    for code, prefixes in areas:
        if prefixes == ["US"]:
            routes.append({"country": "US", "agency": code})
        else:
            routes += [{"country": "GB", "postcode": p, "agency": code} for p in prefixes]
    with open(report_path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    with open(routes_path, "w", encoding="utf-8") as f:
        json.dump({"format": "pouch-routes/1", "routes": routes}, f, indent=1)
        f.write("\n")
    for code in sorted(counts, key=lambda c: c.encode()):
        print(code, counts[code])


if __name__ == "__main__":
    main(sys.argv)
