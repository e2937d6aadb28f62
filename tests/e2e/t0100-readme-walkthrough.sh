#!/bin/sh
# The README's walkthrough, run for real: a first exchange between two agencies on 127.0.0.1,
# then a referral split between two forces, packed as a batch and sent at once.
#
# The convention this test holds README.md to:
# - The walkthrough is the text between the lines `<!-- walkthrough -->` and
#   `<!-- /walkthrough -->` (one pair or several, read in order). Every ```sh fenced block in it
#   is run, in order, in one POSIX shell (sh, with set -eu) in an empty directory, with `pouch`
#   and `pouchd` from the build first on PATH. Fences of any other kind (```text, plain ```)
#   are not run.
# - The values the reader chooses or learns on the way are shell variables, listed (NAME=value,
#   one a line) in the ```sh block that follows the line `<!-- walkthrough-settings -->`; that
#   block is not run. The test sets exactly those names itself, before each block as soon as the
#   value is known: B_LISTEN=127.0.0.1:0 (the kernel picks the port), B_SAN=IP:127.0.0.1,
#   A_FPR and B_FPR from `pouch whoami` in the homes a and b, and B_URL from the port that the
#   log pouchd.log names once pouchd listens. Every other variable a block uses must be set
#   by an earlier block.
# - pouchd is the only program the walkthrough leaves running in the background; the test
#   stops it at the end.
# A README change that breaks any command, or this convention, fails the test.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

README="$SRC_DIR/README.md"
SETTINGS="A_FPR B_FPR B_LISTEN B_SAN B_URL"
WALK="$TRASH/walk"

expect_success 'the README marks its walkthrough and lists the values the reader sets' '
	"$SYSTEM_PYTHON" - "$README" "$SETTINGS" "$TRASH/walk.sh" <<-\EOF
	import re, sys
	readme, want, out = sys.argv[1], sys.argv[2].split(), sys.argv[3]
	lines = open(readme, encoding="utf-8").read().split("\n")

	def fences(lines):
	    """The ```sh blocks of lines, each as a list of lines."""
	    blocks, cur = [], None
	    for ln in lines:
	        if cur is None and ln.strip() == "```sh":
	            cur = []
	        elif cur is not None and ln.strip() == "```":
	            blocks.append(cur)
	            cur = None
	        elif cur is not None:
	            cur.append(ln)
	    assert cur is None, "a ```sh block is not closed"
	    return blocks

	# The walkthrough may come in several parts, each between its own pair of markers.
	begins = [i for i, ln in enumerate(lines) if ln == "<!-- walkthrough -->"]
	ends = [i for i, ln in enumerate(lines) if ln == "<!-- /walkthrough -->"]
	assert begins and len(begins) == len(ends), "the walkthrough markers do not pair up"
	bounds = sorted(begins + ends)
	assert bounds == [x for pair in zip(begins, ends) for x in pair], \
	    "the walkthrough markers are out of order"
	begin = begins[0]
	blocks = [b for s, e in zip(begins, ends) for b in fences(lines[s + 1:e])]
	assert len(blocks) >= 5, "only %d walkthrough blocks" % len(blocks)
	s = lines.index("<!-- walkthrough-settings -->")
	settings = fences(lines[s + 1:begin])
	assert settings, "no ```sh block after <!-- walkthrough-settings -->"
	names = [m.group(1) for ln in settings[0]
	         for m in [re.match(r"([A-Z_][A-Z0-9_]*)=", ln)] if m]
	assert sorted(names) == sorted(want), \
	    "the README lists %s, the test sets %s" % (sorted(names), sorted(want))

	# Every variable a block uses is a setting, or set by that block or an earlier one.
	known = set(names) | {"PATH", "HOME", "PWD"}
	for i, b in enumerate(blocks, 1):
	    text = "\n".join(b)
	    text = re.sub(r"<<\x27EOF\x27\n.*?\nEOF\n", "", text + "\n", flags=re.S)
	    known |= set(re.findall(r"(?m)(?:^|[\s;(])([A-Za-z_][A-Za-z0-9_]*)=", text))
	    known |= set(re.findall(r"\bfor ([A-Za-z_][A-Za-z0-9_]*) in\b", text))
	    used = set(re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", text))
	    assert used <= known, "block %d uses %s, which nothing sets" % (i, sorted(used - known))

	with open(out, "w") as f:
	    f.write("set -eu\n. \"$WALK_LIB\"\n")
	    for i, b in enumerate(blocks, 1):
	        f.write("reader_sets\necho \"== block %d\"\n%s\n" % (i, "\n".join(b)))
	    f.write("reader_sets\necho \"== end\"\n")
	EOF
'

# What the reader does between the blocks: set each value once it is known. The pid of the
# last background job (pouchd) goes where lib-pouchd.sh stops it from.
cat >"$TRASH/walk-lib.sh" <<\EOF
B_LISTEN=127.0.0.1:0
B_SAN=IP:127.0.0.1
A_FPR= B_FPR= B_URL=
fpr_of() {
	pouch --home "$1" whoami --json |
		"$WALK_PY" -c 'import json, sys; print(json.load(sys.stdin)["fingerprint"])'
}
# The port pouchd's log names, once it listens (up to 10 minutes; pouchd must stay alive).
port_of_log() {
	_i=0
	while [ $_i -lt 6000 ]; do
		_p=$(sed -n 's/.*listening on .* port \([0-9][0-9]*\).*/\1/p' pouchd.log 2>/dev/null)
		[ -n "$_p" ] && { echo "$_p"; return 0; }
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "walkthrough: pouchd did not start:" >&2
	cat pouchd.log >&2
	return 1
}
reader_sets() {
	_bg=${!:-}
	[ -z "$_bg" ] || echo "$_bg" >"$WALK_PIDFILE"
	if [ -z "$A_FPR" ] && [ -e a/agency.json ]; then A_FPR=$(fpr_of a); fi
	if [ -z "$B_FPR" ] && [ -e b/agency.json ]; then B_FPR=$(fpr_of b); fi
	if [ -z "$B_URL" ] && [ -n "$_bg" ]; then
		B_URL="https://127.0.0.1:$(port_of_log "$_bg")"
	fi
}
EOF

expect_success 'the walkthrough runs to the end on 127.0.0.1, pouchd on a free port' '
	mkdir "$WALK" &&
	(
		cd "$WALK" &&
		PATH="$POUCH_BUILD:$PATH" WALK_LIB="$TRASH/walk-lib.sh" WALK_PY="$SYSTEM_PYTHON" \
			WALK_PIDFILE="$TRASH/.pouchd.pid" sh "$TRASH/walk.sh" >"$TRASH/walk.out" 2>&1
	) || { tail -n 40 "$TRASH/walk.out"; false; }
'

expect_success 'B opened the package: the report and the attachment as A packed them' '
	"$SYSTEM_PYTHON" - "$WALK" <<-\EOF
	import glob, hashlib, json, os, sys
	walk = sys.argv[1]
	homes = ("a", "b", "b-gw", "b-data", "c")
	opened = [p for p in glob.glob(walk + "/**/pouch.json", recursive=True)
	          if os.path.relpath(p, walk).split(os.sep)[0] not in homes
	          and not os.path.relpath(p, walk).startswith("bulk-")]
	assert len(opened) == 1, "opened packages: %s" % opened
	content = json.load(open(opened[0]))
	assert content["sender"]["agency"] == "GB-NCA-CEOP", content["sender"]
	assert [r["agency"] for r in content["recipients"]] == ["GB-MET"], content["recipients"]
	report = json.load(open(walk + "/report.json"))
	# pack fills in the attachments list (spec/report.md section 11)
	report["attachments"] = [dict(a, media_type="text/plain") for a in content["attachments"]]
	assert content["report"] == report, content["report"]
	assert content["attachments"], "no attachments"
	for att in content["attachments"]:
	    got = open(os.path.join(os.path.dirname(opened[0]), "attachments", att["name"]),
	               "rb").read()
	    assert got == open(os.path.join(walk, att["name"]), "rb").read(), att["name"]
	    assert hashlib.sha256(got).hexdigest() == att["sha256"], att["name"]
	EOF
'

expect_success 'the bulk referral: B and C each opened their own persons, and only them' '
	"$SYSTEM_PYTHON" - "$WALK" <<-\EOF
	import glob, json, sys
	walk = sys.argv[1]
	got = {}
	for p in glob.glob(walk + "/bulk-*/pouch.json"):
	    c = json.load(open(p))
	    assert c["sender"]["agency"] == "GB-NCA-CEOP", c["sender"]
	    r = c["report"]
	    got[c["recipients"][0]["agency"]] = ([x["id"] for x in r["persons"]],
	                                         [i["n"] for i in r["items"]])
	assert got == {"GB-MET": (["p1", "p3"], [1, 2, 4]),
	               "GB-GMP": (["p2", "p4"], [1, 3, 4])}, got
	EOF
'

expect_success 'pouchd took the package from A, and A saw B'\''s receipt accepted' '
	logged "PUT /v1/packages/{id} status=201 agency=GB-NCA-CEOP" "$WALK/pouchd.log" &&
	logged "PUT /v1/packages/{id}/receipt status=201 agency=GB-MET" "$WALK/pouchd.log" &&
	grep -q "GB-MET: delivered .*receipt accepted" "$TRASH/walk.out"
'

expect_success 'the audit trails of A, B and C verify' '
	pouch --home "$WALK/a" audit verify && pouch --home "$WALK/b" audit verify &&
	pouch --home "$WALK/c" audit verify
'

expect_success 'pouchd stops on SIGTERM' '
	stop_pouchd && grep -q "stopped" "$WALK/pouchd.log"
'

test_done
