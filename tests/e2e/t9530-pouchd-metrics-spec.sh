#!/bin/sh
# The metrics pouchd gives are the ones spec/protocol.md section 4.9 lists (issue 9, item 17):
# each with the type and labels the table gives it, counters named _total and gauges not.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

expect_success 'setup: pouchd; the centre is a partner and makes a few requests' '
	init_agency met GB-MET && init_agency ceop GB-NCA-CEOP && partners met ceop &&
	make_ca servers && make_ca clients &&
	make_cert servers srv 127.0.0.1 server &&
	make_cert clients ceop GB-NCA-CEOP client &&
	start_pouchd met data &&
	is_status 200 ceop GET /v1/packages && is_status 404 - GET /v1/nothing &&
	is_status 200 - GET /v1/metrics && cp body.out metrics.txt
'

expect_success 'every metric given is in the spec with its type and labels, and the reverse' '
	"$SYSTEM_PYTHON" - "$SRC_DIR/spec/protocol.md" metrics.txt <<-\EOF
	import re, sys
	spec = open(sys.argv[1]).read()
	section = spec.split("### 4.9 ", 1)[1].split("\n## ", 1)[0]
	table = {}
	for m in re.finditer(r"^\| `(pouchd_\w+)` \| (\w+) \| ([^|]*)\|", section, re.M):
	    table[m.group(1)] = (m.group(2), set(re.findall(r"`(\w+)`", m.group(3))))
	bad = []
	if not table:
	    bad.append("protocol.md 4.9 lists no metrics")
	types = {}
	for line in open(sys.argv[2]):
	    if line.startswith("# TYPE "):
	        _, _, name, kind = line.split()
	        types[name] = kind
	        if name not in table:
	            bad.append("%s (%s) is not in protocol.md 4.9" % (name, kind))
	        elif table[name][0] != kind:
	            bad.append("%s is a %s, protocol.md says %s" % (name, kind, table[name][0]))
	    elif not line.startswith("#") and line.strip():
	        m = re.match(r"(\w+)(?:\{(.*)\})? \S+$", line.strip())
	        if not m:
	            bad.append("not a sample: %r" % line)
	            continue
	        labels = set(re.findall(r"(\w+)=\"", m.group(2) or ""))
	        if m.group(1) in table and not labels <= table[m.group(1)][1]:
	            bad.append("%s has labels %s" % (m.group(1), sorted(labels)))
	for name, (kind, _) in table.items():
	    if name not in types:
	        bad.append("%s is in protocol.md but not given" % name)
	    if kind not in ("counter", "gauge") or (kind == "counter") != name.endswith("_total"):
	        bad.append("%s: a %s" % (name, kind))
	print("\n".join(bad))
	sys.exit(1 if bad else 0)
	EOF
'

test_done
