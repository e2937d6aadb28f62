#!/bin/sh
# The audit trail records every change of trust, with the agency codes and key fingerprints it
# concerns and no secret: init, key rotate, key add (gateway), partner add, add-key, set,
# revoke, remove, endpoint set. Each leaves its entry, and audit verify stays intact.
. "$(dirname "$0")/lib.sh"

fpr() { pouch --home "$1" whoami --json >.w.json && json_field .w.json fingerprint; }

# entry HOME EVENT: the last entry of that event in HOME's trail, as JSON, into entry.json.
entry() {
	pouch --home "$1" audit show --json >.audit.json &&
	"$SYSTEM_PYTHON" -S -c 'import json, sys
e = [e for e in json.load(open(".audit.json")) if e["event"] == sys.argv[1]]
assert e, "no %s entry" % sys.argv[1]
json.dump(e[-1], open("entry.json", "w"))' "$2"
}

# is FIELD VALUE: entry.json has FIELD set to VALUE ("-": no such field).
is() {
	_v=$("$SYSTEM_PYTHON" -S -c 'import json, sys
print(json.load(open("entry.json")).get(sys.argv[1], "-"))' "$1") &&
	{ [ "$_v" = "$2" ] || { echo "$1 is '$_v', want '$2'"; cat entry.json; return 1; }; }
}

intact() { pouch --home "$1" audit verify >/dev/null; }

expect_success 'init records our code and key fingerprint' '
	pouch --home a init --agency GB-A --name "Agency A" --no-passphrase >/dev/null &&
	entry a init && is agency GB-A && is fingerprint "$(fpr a)" && is verdict - && intact a
'

expect_success 'key rotate records the new key and the one it retires' '
	OLD=$(fpr a) && pouch --home a key rotate --no-passphrase -o a2.asc >/dev/null 2>&1 &&
	entry a key-rotate && is agency GB-A && is fingerprint "$(fpr a)" &&
	is reason "retires key $OLD" && intact a
'

expect_success 'partner add, add-key, set, revoke and remove each record theirs' '
	testkeys_make "$KEYS" GB-P && testkeys_make "$KEYS" GB-P-2 &&
	pouch --home a partner add GB-P --key GB-P.asc --fingerprint "$(cat GB-P.fpr)" -q \
		>/dev/null &&
	entry a partner-add && is agency GB-P && is fingerprint "$(cat GB-P.fpr)" &&
	is endpoint - &&
	pouch --home a partner add-key GB-P --key GB-P-2.asc -q >/dev/null &&
	entry a partner-add-key && is agency GB-P && is fingerprint "$(cat GB-P-2.fpr)" &&
	pouch --home a partner set GB-P --endpoint https://pouch.p.example -q >/dev/null &&
	entry a partner-set && is agency GB-P && is endpoint https://pouch.p.example &&
	is reason "changed: endpoint" &&
	pouch --home a partner revoke GB-P --revocation GB-P.rev >/dev/null &&
	entry a partner-revoke && is agency GB-P && is fingerprint "$(cat GB-P.fpr)" &&
	is verdict revoked &&
	pouch --home a partner remove GB-P -q >/dev/null &&
	entry a partner-remove && is agency GB-P &&
	is fingerprint "$(cat GB-P.fpr),$(cat GB-P-2.fpr)" && intact a
'

expect_success 'endpoint set records our code and the URL' '
	pouch --home a endpoint set --endpoint https://pouch.a.example:8443 -q >/dev/null &&
	entry a endpoint-set && is agency GB-A && is endpoint https://pouch.a.example:8443 &&
	intact a
'

expect_success 'a gateway home records its init and key add' '
	pouch --home a key export -o a.asc &&
	pouch --home gw init --gateway --agency GB-A --key a.asc --fingerprint "$(fpr a)" \
		>/dev/null 2>&1 &&
	entry gw init && is agency GB-A && is fingerprint "$(fpr a)" && is verdict gateway &&
	pouch --home a key rotate --no-passphrase -o a3.asc >/dev/null 2>&1 &&
	pouch --home gw key add --key a3.asc --fingerprint "$(fpr a)" >/dev/null &&
	entry gw key-add && is agency GB-A && is fingerprint "$(fpr a)" && intact gw
'

expect_success 'no entry holds a secret: no key material, no passphrase' '
	! grep -q "PRIVATE KEY\|BEGIN PGP" a/audit.log gw/audit.log &&
	test "$(grep -c "\"event\":\"partner-" a/audit.log)" = 5
'

expect_success 'audit verify finds an edited fingerprint (after the next checkpoint)' '
	write_report report.json t7030 &&
	testkeys_make "$KEYS" GB-Q && pouch --home a partner add GB-Q --key GB-Q.asc -q \
		>/dev/null && pouch --home a pack --to GB-Q --report report.json -o . >/dev/null &&
	intact a &&
	"$SYSTEM_PYTHON" -S -c "import re
t = open(\"a/audit.log\").read()
i = t.index(\"\\\"fingerprint\\\":\\\"\") + 15
open(\"a/audit.log\", \"w\").write(t[:i] + (\"B\" if t[i] == \"A\" else \"A\") + t[i + 1:])" &&
	must_fail 1 pouch --home a audit verify && grep -q "audit trail broken at entry" err
'

test_done
