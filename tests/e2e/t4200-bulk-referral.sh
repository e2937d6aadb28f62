#!/bin/sh
# A bulk referral end to end on 127.0.0.1: a referral naming 60 persons in three agencies' areas
# (tests/e2e/make-referral.py) is split by pouch route, the reports packed by one pack --batch
# (-j 2), pushed by one pouch push to GB-MET's pouchd (which serves GB-GMP and US-NCMEC too),
# and each agency pulls, verifies and opens its own: the persons each opened report holds are
# those the table routed to that agency, none twice, none lost; the audit trails verify.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

N=60
AGENCIES="GB-GMP GB-MET US-NCMEC"

# home_of AGENCY: the test's home of that agency.
home_of() {
	case $1 in GB-GMP) echo gmp ;; GB-MET) echo met ;; US-NCMEC) echo ncmec ;; esac
}

url() { echo "https://127.0.0.1:$(pouchd_port)"; }

expect_success 'setup: GB-MET runs pouchd for itself, GB-GMP and US-NCMEC; the centre sends' '
	exchange_setup && init_agency gmp GB-GMP && partners ceop gmp && partners met gmp &&
	pouch --home gmp key export -o gmp.asc &&
	pouch --home metgw partner add GB-GMP --key gmp.asc -q >/dev/null &&
	make_cert clients gmp GB-GMP client &&
	pouch --home gmp endpoint set --endpoint "$(url)" --ca servers.ca.pem \
		--client-cert gmp.pem --client-key gmp.key -q >/dev/null &&
	for a in GB-GMP US-NCMEC; do
		pouch --home ceop partner set "$a" --endpoint "$(url)" --ca servers.ca.pem \
			--client-cert ceop.pem --client-key ceop.key -q >/dev/null || return 1
	done
'

expect_success 'the generated referral and table are valid; the counts add up to N' '
	"$SYSTEM_PYTHON" "$SRC_DIR/tests/e2e/make-referral.py" $N referral.json routes.json \
		>promised &&
	pouch report validate referral.json &&
	test "$(cut -d" " -f1 promised | tr "\n" " ")" = "$AGENCIES " &&
	test "$(awk "{s += \$2} END {print s}" promised)" = $N
'

expect_success 'route: one report per agency, every person routed, the batch file written' '
	pouch --home ceop route referral.json --table routes.json -o split \
		--batch-out split.jsonl >routed &&
	while read -r a n; do
		grep -q "^$a: $n persons, $((n + 2)) items: split/$a.json$" routed ||
			{ cat out; return 1; }
	done <promised &&
	test "$(wc -l <routed)" = 3 && ! grep -q unrouted routed &&
	test "$(wc -l <split.jsonl)" = 3
'

expect_success 'pack --batch -j2 packs the three; one push delivers them all' '
	mkdir pk && pouch --home ceop pack --batch split.jsonl -j 2 -o pk >packed &&
	test "$(cut -d" " -f1 packed | tr "\n" " ")" = "1 2 3 " &&
	set -- pk/*.pouch && test $# = 3 &&
	pouch --home ceop push pk/*.pouch >pushed &&
	for a in $AGENCIES; do
		grep -c "^delivered .* to $a " pushed >n.$a && test "$(cat n.$a)" = 1 || return 1
	done
'

# id_for AGENCY: the id of the package packed for AGENCY (pack --batch prints the lines in the
# order of split.jsonl, which is route's order of the agencies).
id_for() {
	_l=$(grep -n "\"to\":\[\"$1\"\]" split.jsonl | cut -d: -f1) &&
	sed -n "s/^$_l //p" packed
}

expect_success 'each agency pulls its package, verifies it and opens it' '
	for a in $AGENCIES; do
		h=$(home_of "$a") && id=$(id_for "$a") && test -n "$id" &&
		pouch --home "$h" pull >pull.$a &&
		test "$(ls "$h/inbox" | grep -c "\.pouch$")" = 1 &&
		test -e "$h/inbox/$id.pouch" &&
		pouch --home "$h" verify "$h/inbox/$id.pouch" &&
		pouch --home "$h" open "$h/inbox/$id.pouch" -o "opened-$a" || return 1
	done &&
	pouch --home ceop pull &&
	for a in $AGENCIES; do
		pouch --home ceop status "$(id_for "$a")" >st.$a &&
		grep -q "$a.*accepted" st.$a || { cat st.$a; return 1; }
	done
'

expect_success 'each opened report holds the persons routed to its agency: none lost, none twice' '
	"$SYSTEM_PYTHON" - $N <<-\EOF
	import json, sys
	n = int(sys.argv[1])
	promised = dict(l.split() for l in open("promised"))
	original = json.load(open("referral.json"))
	seen = []
	for agency, count in promised.items():
	    c = json.load(open("opened-%s/pouch.json" % agency))
	    assert c["sender"]["agency"] == "GB-NCA-CEOP", c["sender"]
	    assert [r["agency"] for r in c["recipients"]] == [agency], c["recipients"]
	    r = c["report"]
	    ids = [p["id"] for p in r["persons"]]
	    assert len(ids) == int(count), (agency, len(ids), count)
	    assert r["header"]["reference"] == original["header"]["reference"] + "/" + agency
	    assert r["handling"] == original["handling"], agency
	    about = sorted(i["about"][0] for i in r["items"] if "about" in i)
	    assert about == sorted(ids), agency
	    assert sum(1 for i in r["items"] if i.get("shared")) == 2, agency
	    seen += ids
	assert len(seen) == len(set(seen)) == n, (len(seen), len(set(seen)))
	assert set(seen) == {p["id"] for p in original["persons"]}
	EOF
'

expect_success 'every audit trail verifies' '
	for h in ceop met gmp ncmec; do pouch --home "$h" audit verify >/dev/null || return 1; done
'

test_done
