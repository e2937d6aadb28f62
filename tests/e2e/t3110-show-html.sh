#!/bin/sh
# pouch show --format html: the view of pouch show as one self-contained HTML document for the
# case file. The same content in the same order as the text view (the banner again at the
# end), every piece of report text HTML-escaped as well as terminal-escaped, no script and
# nothing loaded from elsewhere; -o writes it atomically with mode 0600 and never replaces a
# file without --force; --format and --json do not conflict silently.
. "$(dirname "$0")/lib.sh"

# edit_report IN OUT PYTHON: OUT is the report IN with r changed by PYTHON.
edit_report() {
	"$SYSTEM_PYTHON" -c "import json, sys
r = json.load(open(sys.argv[1]))
$3
json.dump(r, open(sys.argv[2], \"w\"))" "$1" "$2"
}
# send NAME REPORT: ceop packs REPORT for met, met opens it into NAME.
send() {
	pouch --home ceop pack --to GB-MET --report "$2" -o pk >"$1.id" 2>/dev/null &&
	pouch --home met open "pk/$(cat "$1.id").pouch" -o "$1" >/dev/null
}
# html_check HTML TEXT: HTML parses, loads and runs nothing, carries the policy, and says
# exactly what the text view TEXT says: its first <pre> the banner, the second the rest, the
# third the banner again; the title the classification and the reference.
html_check() {
	"$SYSTEM_PYTHON" -c '
import html.parser, re, sys
doc = open(sys.argv[1], encoding="utf-8").read()
text = open(sys.argv[2], encoding="utf-8").read()
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.pres, self.title, self.cur, self.open = [], [], None, None, []
    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br"):
            self.open.append(tag)
        if tag in ("pre", "title", "style"):
            self.cur = ""
    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, (tag, self.open)
        if tag == "pre":
            self.pres.append(self.cur)
        elif tag == "title":
            self.title = self.cur
        self.cur = None
    def handle_data(self, data):
        if self.cur is not None:
            self.cur += data
        else:
            assert not data.strip(), data
    def handle_decl(self, decl):
        assert decl == "DOCTYPE html", decl
    def unknown_decl(self, data):
        raise AssertionError(data)
p = P()
p.feed(doc)
p.close()
assert not p.open, p.open
names = [t for t, _ in p.tags]
assert names[:2] == ["html", "head"] and "script" not in names, names
allowed = {"html", "head", "meta", "title", "style", "body", "pre"}
assert set(names) <= allowed, names
for t, a in p.tags:
    for k in a:
        assert k in ("lang", "charset", "http-equiv", "content", "name", "class"), (t, k)
csp = [a for t, a in p.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
assert csp == [{"http-equiv": "Content-Security-Policy",
                "content": "default-src '"'none'; style-src 'unsafe-inline'"'"}], csp
assert names.index("meta") < names.index("style") < names.index("body"), names
assert not re.search(r"(?i)url\(|@import|https?:|//", doc.split("<style>")[1].split("</style>")[0])
assert len(p.pres) == 3, len(p.pres)
banner, body, again = p.pres
assert banner == again and banner.startswith("=" * 72), banner
assert banner + "\n" + body == text, "not the text view"
lines = text.split("\n")
ref = [l for l in lines if l.startswith("Reference ")]
assert p.title == lines[1] + (" \u2014 " + ref[0].split(None, 1)[1] if ref else ""), p.title
# Outside the markup, no < and no & but those of a character reference.
for m in re.finditer(r"<(/?)([a-zA-Z!]+)", doc):
    assert m.group(2).lower() in allowed | {"!doctype"}, m.group(0)
for m in re.finditer(r"&", doc):
    assert re.match(r"&(amp|lt|gt|quot|#39);", doc[m.start():]), doc[m.start():m.start() + 20]
' "$1" "$2"
}

expect_success 'setup: a centre and a force, partners; a full report and an immediate one' '
	init_agency ceop GB-NCA-CEOP && init_agency met GB-MET && partners ceop met &&
	mkdir pk && write_report plain.json "Plain title" &&
	edit_report plain.json full.json "
h = r[\"handling\"]; h[\"codes\"] = [\"C\"]; h[\"conditions\"] = \"Not for court.\"
h[\"classification\"][\"caveats\"] = [\"UK EYES ONLY\"]
r[\"offences\"] = [{\"type\": \"online-enticement\", \"annotations\": [\"sextortion\"]}]
r[\"persons\"] = [{\"role\": \"victim\", \"approx_age\": 13, \"victim\": {\"identified\": False}}]
r[\"media\"] = [{\"hashes\": {\"md5\": \"0\" * 32}, \"viewed_by_provider\": False}]
r[\"actions\"] = [{\"action\": \"safeguarding-visit\", \"due\": \"2026-12-08T12:00:00Z\"}]" &&
	send full full.json && write_report imm.json "Child at risk" immediate && send imm imm.json
'

expect_success 'html: the text view between the banner first and last, every section' '
	pouch --home met show full >text && pouch --home met show full --format html >out &&
	html_check out text && "$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/show-check.py" out &&
	for s in CONDITIONS "PRIORITY: routine" "INTELLIGENCE ITEMS" OFFENCES PERSONS \
		"MEDIA (metadata)" "REQUESTED ACTIONS" ATTACHMENTS "Title           Plain title"; do
		grep -qF "$s" out || { echo "no $s"; return 1; }
	done &&
	test "$(grep -c "^OFFICIAL-SENSITIVE  UK EYES ONLY$" out)" = 2 &&
	test "$(grep -c "^Handling code C (UK 3x5x2)" out)" = 2 &&
	grep -q "<title>OFFICIAL-SENSITIVE  UK EYES ONLY — " out &&
	test "$(sed -n 1p out)" = "<!DOCTYPE html>" && test "$(tail -n 1 out)" = "</html>" &&
	pouch --home met show imm --format html >out && pouch --home met show imm >imm.text &&
	html_check out imm.text && grep -q "^!! PRIORITY: IMMEDIATE" out &&
	grep -q "<pre class=\"view immediate\">" out &&
	pouch --home met show full --format html | grep -q "<pre class=\"view\">CONDITIONS" &&
	pouch --home met show full --format text >text2 && test_cmp text text2 &&
	pouch --home met show full --format json >j1 && pouch --home met show full --json >j2 &&
	test_cmp j1 j2 && pouch --home met --json show full --format json >j3 && test_cmp j1 j3
'

expect_success 'hostile report text is escaped for HTML and for the terminal alike' '
	edit_report plain.json hostile.json "
esc = chr(27)
r[\"header\"][\"title\"] = \"<script>alert(1)</script>&amp;<img src=http://x.invalid/a>\"
r[\"header\"][\"reference\"] = \"</title><script>x()</script>\" + esc + \"[2J\"
r[\"handling\"][\"conditions\"] = \"keep\" + chr(0x202e) + \"evil\" + chr(0x2066) + \"\\\"q\\\" \" + chr(39) + \"a\" + chr(39) + \" & <b>\"
r[\"items\"][0][\"text\"] = \"<a href=\\\"https://x.invalid/\\\">x</a> <style>@import url(//x)</style>\"" &&
	send hostile hostile.json && pouch --home met show hostile --format html >out &&
	pouch --home met show hostile >text && html_check out text &&
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/show-check.py" out &&
	! grep -qi "<script\|<img\|<a \|<b>\|<style>@" out &&
	! LC_ALL=C grep -q "$(printf "\033")" out &&
	grep -qF "&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;&lt;img src=http://x.invalid/a&gt;" out &&
	grep -qF "keep\\u202eevil\\u2066&quot;q&quot; &#39;a&#39; &amp; &lt;b&gt;" out &&
	grep -qF "<title>OFFICIAL-SENSITIVE — &lt;/title&gt;&lt;script&gt;x()&lt;/script&gt;\\x1b[2J</title>" out
'

expect_success '-o FILE: written whole with mode 0600, never replaced without --force' '
	pouch --home met show full --format html -o case.html 2>note &&
	test "$(stat -c %a case.html)" = 600 && pouch --home met show full --format html >want &&
	test_cmp want case.html && grep -q "wrote the html view of .* to .case.html." note &&
	echo old >case.html && must_fail 1 pouch --home met show full --format html -o case.html &&
	error_is ".case.html. exists: use --force to replace it" && test "$(cat case.html)" = old &&
	pouch --home met show full --format html -o case.html --force 2>/dev/null &&
	test_cmp want case.html && test "$(stat -c %a case.html)" = 600 &&
	test -z "$(ls -A . | grep -v "^case.html$" | grep "case.html")" &&
	pouch --home met show full -o - >text2 && pouch --home met show full >text && test_cmp text text2 &&
	pouch --home met show full --json -o j.json 2>/dev/null &&
	pouch --home met show full --json >j && test_cmp j j.json &&
	must_fail 3 pouch --home met show full --format html -o no-such-dir/x.html &&
	test ! -e no-such-dir
'

expect_success 'usage errors: an unknown format, --json with another, --force without -o' '
	must_fail 2 pouch --home met show full --format bogus && grep -q "unknown format .bogus." err &&
	must_fail 2 pouch --home met show full --format html --json &&
	grep -q -- "--json and --format html conflict" err &&
	must_fail 2 pouch --home met --json show full --format text &&
	must_fail 2 pouch --home met show full --format html --format text &&
	must_fail 2 pouch --home met show full --force &&
	must_fail 2 pouch --home met show full --format html --force -o - &&
	must_fail 2 pouch --home /nonexistent show full --format bogus
'

expect_success 'the audit trail: a showing as html or to a file is an export' '
	pouch --home met audit show --json >audit.json &&
	"$SYSTEM_PYTHON" -c "import json
e = [x for x in json.load(open(\"audit.json\")) if x[\"event\"] == \"conditions-shown\"]
v = [x[\"verdict\"] for x in e]
assert \"exported\" in v and \"displayed\" in v, v" &&
	n=$(grep -c "\"exported\"" met/audit.log) &&
	pouch --home met show full --format html >/dev/null &&
	test "$(grep -c "\"exported\"" met/audit.log)" = $((n + 1))
'

test_done
