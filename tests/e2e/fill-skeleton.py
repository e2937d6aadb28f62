#!/usr/bin/python3
# Test helper: fills in a skeleton of `pouch report new` as a person would, replacing every
# "FILL IN:" placeholder with a value the model allows (chosen by the member's name and the
# report's scheme) and deleting the conditions a routine code does not need.
# usage: fill-skeleton.py IN OUT
import json
import sys

r = json.load(open(sys.argv[1]))
scheme = r["handling"]["scheme"]
GRADE = {"uk-3x5x2": {"source": "2", "intelligence": "B"},
         "uk-5x5x5": {"source": "B", "intelligence": "2"},
         "europol-4x4": {"source": "B", "accuracy": "2"}}[scheme]
CODE = {"uk-3x5x2": "P", "uk-5x5x5": "1", "europol-4x4": "H0"}[scheme]
BY_NAME = {
    "agency": "GB-TEST", "contact_24x7": "+441632960000", "tlp": "TLP:AMBER",
    "level": "routine", "type": "online-enticement", "event": "login", "country": "GB",
    "action": "data-preservation", "referral_source": "ncmec-cybertip", "scheme": "ncmec",
    "address": "192.0.2.1", "approx_age": 12, "identified": True, "sha256": "a" * 64,
    "viewed_by_provider": False, "code": "B", "created": "2026-11-23T10:21:00Z",
    "respond_by": "2026-11-23T12:00:00Z", "due": "2026-11-30T12:00:00Z",
    "time": "2026-11-01T09:00:00+01:00",
}
BY_NAME.update(GRADE)


def fill(node, key=None):
    if isinstance(node, dict):
        return {k: fill(v, k) for k, v in node.items()}
    if isinstance(node, list):
        return [CODE if key == "codes" else fill(v, key) for v in node]
    if isinstance(node, str) and node.startswith("FILL IN:"):
        return BY_NAME.get(key, "filled in: " + (key or "text"))
    return node


r = fill(r)
if scheme != "uk-3x5x2" or r["handling"]["codes"] != ["C"]:
    r["handling"].pop("conditions", None)
json.dump(r, open(sys.argv[2], "w"), indent=1)
