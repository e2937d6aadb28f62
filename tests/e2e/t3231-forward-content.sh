#!/bin/sh
# A forward's provenance proves the report is the originator's: the originator's signed header
# signs the original pouch.json by its SHA-256, so every recipient that pins the originator
# checks the report and the attachment list at every hop (spec/forward.md section 3). A report
# edited after opening is not forwarded; a forged provenance is warned of on open and refused
# on forward.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/t3200-forward.lib"

# forge_by_met OUT PROVENANCE REPORT ATTACHMENT: a package the Met (a pinned partner) makes for
# Kent by hand, signed with its own key, holding REPORT (a file), ATTACHMENT (a file, listed as
# the report lists it) and the provenance object in the file PROVENANCE.
forge_by_met() {
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/forge-package.py" met/gnupg "$1" signer="$M" \
		encrypt_to="$K,$M" sender="GB-MET:$M" recipients="GB-KENT:$K" tlp=TLP:GREEN \
		report="$(cat "$3")" provenance="$2" \
		entries="$("$SYSTEM_PYTHON" -S -c 'import json, os, sys
print(json.dumps([[os.path.basename(sys.argv[1]), open(sys.argv[1]).read()]]))' "$4")"
}
# forged_hop NAME PYTHON: NAME.pouch, forged by the Met for Kent (forge_by_met) with the
# provenance it would carry for package b, opened in b/ (the originator's header, signature and
# pouch.json), holding b.txt; p (the provenance), c (the original pouch.json, parsed: written
# back into p's content when changed) and r (the report in hand) first changed by PYTHON.
forged_hop() {
	"$SYSTEM_PYTHON" -S -c "import base64, copy, json, sys
o = json.load(open('b/origin.json'))
raw = open('b/pouch.json', 'rb').read()
c = json.loads(raw)
r = copy.deepcopy(c['report'])
h = json.loads(base64.b64decode(o['header']))
p = {'format': 'pouch-provenance/1',
     'origin': {'agency': h['sender']['agency'], 'fingerprint': h['sender']['fingerprint'],
                'id': h['id']},
     'header': o['header'], 'signature': o['signature'],
     'content': base64.b64encode(raw).decode(), 'permission': None}
before = json.dumps(c)
$2
if json.dumps(c) != before:
    p['content'] = base64.b64encode(json.dumps(c).encode()).decode()
json.dump(p, open(sys.argv[1] + '.json', 'w'))
json.dump(r, open(sys.argv[1] + '.report', 'w'))" "$1" &&
	forge_by_met "$1.pouch" "$1.json" "$1.report" b.txt
}
# warned_then_refused PKG TEXT: Kent opens PKG (its sender, the Met, signed it) with a warning
# holding TEXT, and refuses to forward it, naming the same reason.
warned_then_refused() {
	rm -rf at-kent && pouch --home kent open "$1" -o at-kent >/dev/null 2>msg &&
	{ grep -q "^pouch: warning: forwarded package: its provenance does not check: $2" msg || { cat msg; false; }; } &&
	! grep -q "originator.s, signed by it" msg &&
	ls pk >.before &&
	must_fail 1 pouch --home kent forward at-kent --to GB-NCA-CEOP -o pk &&
	error_is "package [0-9a-f-]* from GB-MET is refused: its provenance does not check: $2" &&
	ls pk >.after && test_cmp .before .after
}

expect_success 'setup: the centre, the Met, Kent, NCMEC; NCMEC pins Kent as well' '
	forward_setup && partners kent ncmec &&
	M=$(fpr met) && K=$(fpr kent) && echo "M=$M K=$K" >fprs
'

. ./fprs 2>/dev/null || true

expect_success 'a chain CEOP, Met, Kent, NCMEC: each recipient is told the report is the originator'\''s' '
	sent a uk-3x5x2 P TLP:GREEN && forwarded_to a GB-KENT &&
	pouch --home kent open "pk/$(cat a.fwd).pouch" -o a-kent >/dev/null 2>msg1 &&
	grep -q "originator GB-NCA-CEOP (package $(cat a.id)), .*: the report and its attachment list are the originator.s, signed by it$" msg1 &&
	pouch --home kent forward a-kent --to US-NCMEC -o pk --json >j 2>/dev/null &&
	pouch --home ncmec open "pk/$(json_field j id).pouch" -o a-ncmec >/dev/null 2>msg2 &&
	grep -q "^pouch: forwarded from package $(cat a.fwd) of GB-MET; originator GB-NCA-CEOP (package $(cat a.id)), .*: the report and its attachment list are the originator.s, signed by it$" msg2 &&
	test_cmp a.txt a-ncmec/attachments/a.txt &&
	pouch --home ncmec show a-ncmec >shown && grep -q "GB-NCA-CEOP" shown
'

expect_success 'by hand: each hop'\''s content hashes to its signed header'\''s content.sha256' '
	pouch --home ceop key export -o ceop.asc 2>/dev/null &&
	pouch --home met key export -o met.asc 2>/dev/null &&
	mkdir -m 700 kr && gpg --homedir kr --batch --quiet --import ceop.asc met.asc 2>/dev/null &&
	"$SYSTEM_PYTHON" -S - <<-\PY &&
	import base64, hashlib, json
	m, hops = json.load(open("a-ncmec/pouch.json")), 0
	while "provenance" in m:
	    p = m["provenance"]
	    hdr, raw = base64.b64decode(p["header"]), base64.b64decode(p["content"])
	    h = json.loads(hdr)
	    assert hashlib.sha256(raw).hexdigest() == h["content"]["sha256"], h
	    open("hop%d.hdr" % hops, "wb").write(hdr)
	    open("hop%d.sig" % hops, "wb").write(base64.b64decode(p["signature"]))
	    c = json.loads(raw)
	    assert c["report"] == m["report"] and c["attachments"] == m["attachments"]
	    m, hops = c, hops + 1
	assert hops == 2 and h["sender"]["agency"] == "GB-NCA-CEOP", (hops, h)
	PY
	gpg --homedir kr --batch --verify hop0.sig hop0.hdr 2>/dev/null &&
	gpg --homedir kr --batch --verify hop1.sig hop1.hdr 2>/dev/null
'

expect_success 'a report edited after opening is not forwarded, nor its attachment list' '
	sent b uk-3x5x2 P TLP:GREEN && cp -r b b-title && cp -r b b-list &&
	"$SYSTEM_PYTHON" -S -c "import json
for d, f in ((\"b-title\", lambda m: m[\"report\"][\"header\"].update(title=\"edited\")),
             (\"b-list\", lambda m: m[\"attachments\"][0].update(size=1))):
    m = json.load(open(d + \"/pouch.json\"))
    f(m)
    json.dump(m, open(d + \"/pouch.json\", \"w\"))" &&
	ls pk >.before &&
	for d in b-title b-list; do
		must_fail 1 pouch --home met forward $d --to GB-KENT -o pk &&
		error_is ".$d. is refused: pouch.json.s SHA-256 is not the one the header signs \(altered\)" ||
			exit 1
	done &&
	ls pk >.after && test_cmp .before .after &&
	pouch --home met audit show --json >audit.json &&
	"$SYSTEM_PYTHON" -S -c "import json
e = [e for e in json.load(open(\"audit.json\")) if e[\"event\"] == \"forward\"][-1]
assert e[\"verdict\"] == \"refused\" and \"SHA-256\" in e[\"reason\"], e"
'

expect_success 'a forged provenance whose content the originator never signed: warned, refused' '
	forged_hop f1 "c[\"report\"][\"header\"][\"title\"] = r[\"header\"][\"title\"] = \"forged\"" &&
	warned_then_refused f1.pouch "the content of package $(cat b.id): pouch.json.s SHA-256 is not the one the header signs .altered."
'

expect_success 'a provenance whose content is genuine but not the report in hand: warned, refused' '
	forged_hop f2 "r[\"header\"][\"title\"] = \"not what the centre wrote\"" &&
	warned_then_refused f2.pouch "the report is not the one package $(cat b.id) held"
'

expect_success 'a provenance naming another origin: warned, refused' '
	forged_hop f3 "p[\"origin\"][\"agency\"] = \"GB-MET\"" &&
	warned_then_refused f3.pouch "its origin is not the first sender.s"
'

expect_success 'the genuine provenance, forged into a package by hand, checks' '
	forged_hop f4 "" &&
	pouch --home kent open f4.pouch -o f4-kent >/dev/null 2>msg &&
	grep -q "the report and its attachment list are the originator.s, signed by it$" msg
'

test_done
