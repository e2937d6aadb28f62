#!/bin/sh
# Memory while refusing: valid JSON just under a size cap but with a million members or
# elements (an envelope, a report, an envelope pushed to pouchd) is refused by its structure
# before a tree is built, and peak RSS stays under 64 MiB for any input, accepted or refused.
# The RSS figures are skipped under AddressSanitizer, which inflates RSS; the refusals are not.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

RSS_MAX=65536 # KiB
if grep -q __asan_init "$POUCH_BIN"; then ASAN=1; else ASAN=; fi

# rss_ok FILE: /usr/bin/time -f %M wrote a peak RSS under RSS_MAX KiB as FILE's last line.
rss_ok() {
	[ -n "$ASAN" ] && return 0
	_kib=$(tail -n 1 "$1")
	echo "peak RSS $_kib KiB"
	[ "$_kib" -lt "$RSS_MAX" ] || { echo "peak RSS $_kib KiB, want under $RSS_MAX"; return 1; }
}

# measured FILE ARGS...: pouch ARGS, its peak RSS written to FILE.
measured() {
	_f=$1
	shift
	/usr/bin/time -f %M -o "$_f" "$POUCH_BIN" "$@"
}

# wide OUT PREFIX N SUFFIX: a JSON text of PREFIX, N members "mNNNNNNN":0, SUFFIX.
wide() {
	"$SYSTEM_PYTHON" -c 'import sys
n = int(sys.argv[3])
with open(sys.argv[1], "w") as f:
    f.write(sys.argv[2])
    f.write(",".join("\"m%07d\":0" % i for i in range(n)))
    f.write(sys.argv[4])' "$@"
}

# long OUT PREFIX N SUFFIX: a JSON text of PREFIX, N times "x", SUFFIX.
long() {
	"$SYSTEM_PYTHON" -c 'import sys
with open(sys.argv[1], "w") as f:
    f.write(sys.argv[2] + "x" * int(sys.argv[3]) + sys.argv[4])' "$@"
}

expect_success 'setup: two partners and pouchd for GB-MET' '
	exchange_setup && write_report report.json t
'

expect_success 'an envelope with a million members, under 16 MiB: refused in bounded memory' '
	wide wide.pouch "{\"pouch\":\"envelope/1\"," 1000000 "}" &&
	test "$(stat -c %s wide.pouch)" -lt 16777216 &&
	must_fail 1 measured rss1 --home met verify wide.pouch &&
	error_is ".wide.pouch. is not a valid package: it has more than 100000 members and \
elements$" && rss_ok rss1
'

expect_success 'an envelope with a million array elements, or nested too deep' '
	"$SYSTEM_PYTHON" -c "open(\"arr.pouch\", \"w\").write(\"{\\\"pouch\\\":[\" + \
\",\".join([\"0\"] * 1000000) + \"]}\")" &&
	must_fail 1 measured rss2 --home met verify arr.pouch &&
	error_is ".arr.pouch. is not a valid package: it has more than 100000 members" &&
	rss_ok rss2 &&
	"$SYSTEM_PYTHON" -c "open(\"deep.pouch\", \"w\").write(\"[\" * 100000 + \"]\" * 100000)" &&
	must_fail 1 measured rss3 --home met verify deep.pouch &&
	error_is ".deep.pouch. is not a valid package: it nests deeper than 16 levels$" &&
	rss_ok rss3
'

expect_success 'open refuses it the same way' '
	must_fail 1 measured rss4 --home met open wide.pouch -o opened &&
	error_is ".wide.pouch. is not a valid package: it has more than 100000 members" &&
	rss_ok rss4 && test ! -e opened
'

expect_success 'a report with a million members is refused by pack' '
	mkdir po && wide wide.json "{" 1000000 "}" &&
	must_fail 2 measured rss5 --home ceop pack --to GB-MET --report wide.json -o po &&
	error_is "report .wide.json. has more than 100000 members and elements$" &&
	rss_ok rss5 && test -z "$(ls po)"
'

expect_success 'a genuine 8 MiB package is packed, verified and opened in bounded memory' '
	head -c 8000000 /dev/urandom >att.bin && mkdir pk &&
	measured rss6 --home ceop pack --to GB-MET --report report.json --attach att.bin -o pk \
		>id 2>/dev/null && rss_ok rss6 &&
	test ! -e "pk/$(cat id).pouch.pgp" &&
	measured rss7 --home met verify "pk/$(cat id).pouch" >/dev/null && rss_ok rss7 &&
	measured rss8 --home met open "pk/$(cat id).pouch" -o opened >/dev/null &&
	rss_ok rss8 && cmp att.bin opened/attachments/att.bin
'

expect_success 'a report of one 16 MiB string is packed and opened in bounded memory' '
	write_report small.json t && "$SYSTEM_PYTHON" -c "import json
r = json.load(open(\"small.json\"))
r[\"items\"][0][\"text\"] = \"@@\"
t = json.dumps(r)
open(\"long.json\", \"w\").write(t.replace(\"@@\", \"x\" * (16 * 1024 * 1024 - 16 - len(t))))" &&
	test "$(stat -c %s long.json)" -gt 16777000 && mkdir pl &&
	measured rss9 --home ceop pack --to GB-MET --report long.json -o pl >idl 2>/dev/null &&
	rss_ok rss9 &&
	measured rss10 --home met open "pl/$(cat idl).pouch" -o openl >/dev/null && rss_ok rss10 &&
	"$SYSTEM_PYTHON" -c "import json
r = json.load(open(\"long.json\"))
r[\"attachments\"] = []
assert json.load(open(\"openl/pouch.json\"))[\"report\"] == r"
'

expect_success 'an envelope of one 16 MiB string is refused in bounded memory' '
	long long.pouch "{\"pouch\":\"" $((16 * 1024 * 1024 - 20)) "\"}" &&
	must_fail 1 measured rss11 --home met verify long.pouch &&
	error_is ".long.pouch. is not a valid package: not a pouch envelope/1$" && rss_ok rss11
'

expect_success 'pouchd refuses the million-member envelope without growing past 64 MiB' '
	id=0f8c3c55-6c0e-4c3b-9d3a-3f2d1e0c9b8a &&
	is_status 422 ceop PUT "/v1/packages/$id" -H "Content-Type: application/json" \
		--data-binary @wide.pouch &&
	error_code not_genuine && logged "more than 100000 members" &&
	is_status 422 ceop PUT "/v1/packages/$id" -H "Content-Type: application/json" \
		--data-binary @arr.pouch &&
	hwm=$(awk "/^VmHWM:/ { print \$2 }" "/proc/$(cat "$TRASH/.pouchd.pid")/status") &&
	echo "pouchd peak RSS $hwm KiB" && { [ -n "$ASAN" ] || [ "$hwm" -lt "$RSS_MAX" ]; }
'

test_done
