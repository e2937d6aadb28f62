#!/bin/sh
# spec/openapi.yaml and spec/receipt.schema.json: the document lints clean and the lint catches
# breakage; every component schema accepts good bodies and refuses bad ones; responses are
# checked per operation and status; the receipt schema agrees with the OpenAPI document; and
# protocol.md names every route and every error code with the status the OpenAPI gives it.
. "$(dirname "$0")/lib.sh"

SPEC=$SRC_DIR/spec/openapi.yaml
RECEIPT_SCHEMA=$SRC_DIR/spec/receipt.schema.json
oa() { pyrun "$SRC_DIR/tests/e2e/check-openapi.py" "$@"; }
# rs DEF FILE...: FILEs against $defs/DEF of receipt.schema.json ("-": the whole).
rs() { pyrun "$SRC_DIR/tests/e2e/check-envelope-schema.py" "$RECEIPT_SCHEMA" "$@"; }

# accepts COMPONENT FILE...: every FILE is valid against components/schemas/COMPONENT.
accepts() {
	oa "$SPEC" "$@"
}

# one_line LABEL TEXT: ./err is exactly one line "check-openapi: LABEL: ..." holding TEXT.
one_line() {
	if [ "$(wc -l <err)" -ne 1 ] || ! grep -qF -- "check-openapi: $1: " err ||
		! grep -qF -- "$2" err; then
		echo "expected one line 'check-openapi: $1: ...' holding '$2', got:" >&2
		cat err >&2
		return 1
	fi
}

# refuses COMPONENT FILE TEXT [FILE TEXT]...: one run of the checker refuses every FILE (exit
# 1) with exactly one line each, "check-openapi: FILE: ..." holding its TEXT.
refuses() {
	_c=$1
	shift
	: >refused.list
	while [ $# -ge 2 ]; do
		printf "%s\t%s\n" "$1" "$2" >>refused.list
		shift 2
	done
	[ $# -eq 0 ] || { echo "refuses: a FILE without its TEXT" >&2; return 1; }
	# shellcheck disable=SC2046 # file names without blanks, one word each
	must_fail 1 oa "$SPEC" "$_c" $(cut -f 1 refused.list) || return 1
	if [ "$(wc -l <err)" -ne "$(wc -l <refused.list)" ]; then
		echo "expected $(wc -l <refused.list) lines, got:" >&2
		cat err >&2
		return 1
	fi
	while IFS="	" read -r _f _t; do
		if [ "$(grep -cF -- "check-openapi: $_f: " err)" -ne 1 ] ||
			! grep -F -- "check-openapi: $_f: " err | grep -qF -- "$_t"; then
			echo "expected one line 'check-openapi: $_f: ...' holding '$_t', got:" >&2
			cat err >&2
			return 1
		fi
	done <refused.list
}

# variant IN OUT SED-EXPR: OUT is IN edited by the expression, which must change something.
variant() {
	sed "$3" "$1" >"$2" && ! cmp -s "$1" "$2" ||
		{ echo "variant: '$3' changes nothing in $1" >&2; return 1; }
}

# lint_refuses TEXT PYTHON: a copy of the spec, edited by PYTHON (d is the document), fails
# the lint with a line holding TEXT.
lint_refuses() {
	"$SYSTEM_PYTHON" -c "import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
$2
yaml.safe_dump(d, open(sys.argv[2], 'w'), sort_keys=False)" s/openapi.yaml s/edited.yaml &&
	must_fail 1 oa s/edited.yaml --lint &&
	grep -qF -- "check-openapi: s/edited.yaml: " err && grep -qF -- "$1" err ||
		{ echo "lint did not say '$1':" >&2; cat err >&2; return 1; }
}

expect_success 'setup: sample bodies' '
	cat >rec.json <<-\EOF &&
	{"id": "3f0c9a52-6d1e-4b7a-9c2d-5e8f1a0b4c6d", "sender": "GB-NCA-CEOP",
	 "recipients": ["GB-MET", "US-NCMEC"],
	 "digest": "4c503ca67761e5c4aaecfe996244c25d8c0b40902d1085c85b4468bd567548c6",
	 "size": 6143, "payload": null, "received": "2026-11-23T10:22:05Z", "cursor": "41"}
	EOF
	cat >rec-detached.json <<-\EOF &&
	{"id": "0b7e2d4c-91a3-4f60-a8d5-2c6e9f1b3a70", "sender": "GB-NCA-CEOP",
	 "recipients": ["GB-MET"],
	 "digest": "1e0584a25d9f43bf5cbd0aec01eb1af2220ed085b4e7f1837b0d89958cae353a",
	 "size": 1843, "received": "2026-11-23T10:30:00Z", "cursor": "42",
	 "payload": {"size": 12582912,
	             "sha256": "239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5"}}
	EOF
	cat >body.json <<-\EOF &&
	{"format": "pouch-receipt/1", "package": "3f0c9a52-6d1e-4b7a-9c2d-5e8f1a0b4c6d",
	 "header_sha256": "1e0584a25d9f43bf5cbd0aec01eb1af2220ed085b4e7f1837b0d89958cae353a",
	 "sender": "GB-NCA-CEOP",
	 "recipient": {"agency": "GB-MET", "fingerprint": "C53C21CAE2BC5DB78D7BFDA2936B06BDEE3D8BF9"},
	 "verdict": "accepted", "reason": null, "time": "2026-11-23T10:25:40Z"}
	EOF
	printf "not a real signature, only bytes" >sig.bin &&
	printf "{\"pouch\": \"receipt/1\", \"receipt\": \"%s\", \"signature\": \"%s\"}\n" \
		"$(base64 -w0 body.json)" "$(base64 -w0 sig.bin)" >receipt.json &&
	printf "{\"package\": \"3f0c9a52-6d1e-4b7a-9c2d-5e8f1a0b4c6d\", \"from\": \"GB-MET\",
	 \"verdict\": \"accepted\", \"received\": \"2026-11-23T10:25:41Z\", \"cursor\": \"7\",
	 \"receipt\": %s}\n" "$(cat receipt.json)" >rrec.json &&
	mkdir s && cp "$SRC_DIR"/spec/openapi.yaml "$SRC_DIR"/spec/*.json s/
'

expect_success 'the OpenAPI document lints clean' '
	oa "$SPEC" --lint 2>err && test ! -s err
'

expect_success 'the lint refuses a document that is not OpenAPI 3.1' '
	lint_refuses "openapi is '"'"'3.0.3'"'"', not 3.1.x" "d[\"openapi\"] = \"3.0.3\""
'

expect_success 'the lint refuses a $ref that resolves to nothing, in the spec or beside it' '
	lint_refuses "/components/schemas/PackageRecord/properties/id: \$ref" \
		"d[\"components\"][\"schemas\"][\"PackageRecord\"][\"properties\"][\"id\"] = \
{\"\$ref\": \"#/components/schemas/Nothing\"}" &&
	lint_refuses "is neither in the spec nor beside it" \
		"d[\"components\"][\"schemas\"][\"ReceiptFile\"][\"\$ref\"] = \"nothing.schema.json\"" &&
	lint_refuses "/components/schemas/Envelope: \$ref '"'"'envelope.schema.json#/\$defs/nothing" \
		"d[\"components\"][\"schemas\"][\"Envelope\"][\"\$ref\"] = \
\"envelope.schema.json#/\$defs/nothing\""
'

expect_success 'the lint refuses a component schema that is not a valid 2020-12 schema' '
	lint_refuses "/components/schemas/Health: not a valid 2020-12 schema" \
		"d[\"components\"][\"schemas\"][\"Health\"][\"properties\"][\"status\"] = {\"type\": 5}"
'

expect_success 'the lint refuses an operation without responses, or with an unquoted status' '
	lint_refuses "GET /v1/health: no responses" \
		"del d[\"paths\"][\"/v1/health\"][\"get\"][\"responses\"]" &&
	lint_refuses "GET /v1/health: response key 200 is not a quoted status" \
		"r = d[\"paths\"][\"/v1/health\"][\"get\"][\"responses\"]; r[200] = r.pop(\"200\")"
'

expect_success 'the lint refuses path parameters that do not match the path' '
	lint_refuses "GET /v1/packages/{id}/payload: path parameters [] but the path has" \
		"d[\"paths\"][\"/v1/packages/{id}/payload\"][\"parameters\"] = []"
'

expect_success 'the lint refuses duplicate YAML keys (which PyYAML would silently merge)' '
	sed "s/^  version: 1.0.0$/&\n  version: 2.0.0/" s/openapi.yaml >s/dup.yaml &&
	! cmp -s s/openapi.yaml s/dup.yaml &&
	must_fail 1 oa s/dup.yaml --lint && one_line s/dup.yaml "duplicate key '"'"'version'"'"'"
'

expect_success 'the lint checks the sibling schemas it reaches through $ref' '
	cp s/envelope.schema.json envelope.keep &&
	sed "s|\"\$ref\": \"#/\$defs/priority\"|\"\$ref\": \"#/\$defs/nothing\"|" envelope.keep \
		>s/envelope.schema.json && ! cmp -s envelope.keep s/envelope.schema.json &&
	must_fail 1 oa s/openapi.yaml --lint && cp envelope.keep s/envelope.schema.json &&
	grep -qF "envelope.schema.json#/\$defs/header/properties/priority" err
'

expect_success 'PackageRecord: inline and detached records are valid' '
	accepts PackageRecord rec.json rec-detached.json
'

expect_success 'PackageRecord: an extra member is refused' '
	variant rec.json pr-extra.json "s/\"size\": 6143,/&\"note\": \"x\",/" &&
	refuses PackageRecord \
		pr-extra.json "/: Additional properties are not allowed ('"'"'note'"'"'"
'

expect_success 'PackageRecord: a cursor that is a number, empty or not URL-safe is refused' '
	variant rec.json pr-cursor-number.json "s/\"cursor\": \"41\"/\"cursor\": 41/" &&
	variant rec.json pr-cursor-blank.json "s/\"cursor\": \"41\"/\"cursor\": \"4 1\"/" &&
	variant rec.json pr-cursor-empty.json "s/\"cursor\": \"41\"/\"cursor\": \"\"/" &&
	refuses PackageRecord \
		pr-cursor-number.json "/cursor: 41 is not of type '"'"'string'"'"'" \
		pr-cursor-blank.json "/cursor: " \
		pr-cursor-empty.json "/cursor: "
'

expect_success 'PackageRecord: an id in upper case, of version 1, or with a final newline' '
	variant rec.json pr-id-upper.json "s/3f0c9a52-6d1e-4b7a/3F0C9A52-6D1E-4B7A/" &&
	variant rec.json pr-id-v1.json "s/3f0c9a52-6d1e-4b7a/3f0c9a52-6d1e-1b7a/" &&
	variant rec.json pr-id-newline.json "s/5e8f1a0b4c6d\"/5e8f1a0b4c6d\\\\n\"/" &&
	grep -qF "4c6d\\n\"" pr-id-newline.json &&
	refuses PackageRecord \
		pr-id-upper.json "/id: " pr-id-v1.json "/id: " pr-id-newline.json "/id: "
'

expect_success 'PackageRecord: a bad digest, size, sender, time, recipients or payload' '
	variant rec.json pr-digest.json "s/\"4c503ca6/\"4C503CA6/" &&
	variant rec.json pr-size-0.json "s/\"size\": 6143/\"size\": 0/" &&
	variant rec.json pr-size-big.json "s/\"size\": 6143/\"size\": 16777217/" &&
	variant rec.json pr-sender.json "s/\"GB-NCA-CEOP\"/\"gb-nca-ceop\"/" &&
	variant rec.json pr-time.json "s/10:22:05Z/10:22:05.5Z/" &&
	variant rec.json pr-no-recipients.json "s/\\[\"GB-MET\", \"US-NCMEC\"\\]/[]/" &&
	variant rec.json pr-twice.json "s/\"US-NCMEC\"/\"GB-MET\"/" &&
	variant rec-detached.json pr-payload.json "/\"sha256\"/d; s/12582912,/12582912}}/" &&
	variant rec.json pr-no-payload.json "s/, \"payload\": null//" &&
	refuses PackageRecord \
		pr-digest.json "/digest: " \
		pr-size-0.json "/size: 0 is less than the minimum of 1" \
		pr-size-big.json "/size: " \
		pr-sender.json "/sender: " \
		pr-time.json "/received: " \
		pr-no-recipients.json "/recipients: [] is" \
		pr-twice.json "/recipients: " \
		pr-payload.json "/payload: " \
		pr-no-payload.json "'"'"'payload'"'"' is a required property"
'

expect_success 'PackageList: pages, empty pages and a last page are valid' '
	printf "{\"packages\": [%s, %s], \"next\": \"42\", \"has_more\": true}\n" \
		"$(cat rec.json)" "$(cat rec-detached.json)" >list.json &&
	echo "{\"packages\": [], \"next\": \"42\", \"has_more\": false}" >list-empty.json &&
	echo "{\"packages\": [], \"next\": null, \"has_more\": false}" >list-none.json &&
	accepts PackageList list.json list-empty.json list-none.json
'

expect_success 'PackageList: has_more without next, an empty page with more, a bad item' '
	echo "{\"packages\": [], \"next\": null, \"has_more\": true}" >pl-no-next.json &&
	echo "{\"packages\": [], \"next\": \"42\", \"has_more\": true}" >pl-more.json &&
	variant list.json pl-item.json "s/\"cursor\": \"42\"/\"cursor\": 42/" &&
	variant list-empty.json pl-no-more.json "s/, \"has_more\": false//" &&
	variant list-empty.json pl-next.json "s/\"next\": \"42\"/\"next\": 42/" &&
	refuses PackageList \
		pl-no-next.json "/next: None is not of type '"'"'string'"'"'" \
		pl-more.json "/has_more: False was expected" \
		pl-item.json "/packages/1/cursor: " \
		pl-no-more.json "'"'"'has_more'"'"' is a required property" \
		pl-next.json "/next: "
'

expect_success 'Error: a plain error and an offset_mismatch with its offset are valid' '
	echo "{\"error\": {\"code\": \"not_found\", \"message\": \"no package\"}}" >err-nf.json &&
	printf "{\"error\": {\"code\": \"offset_mismatch\", \"message\": \"at 5\"},
	 \"id\": \"3f0c9a52-6d1e-4b7a-9c2d-5e8f1a0b4c6d\", \"offset\": 5}\n" >err-om.json &&
	accepts Error err-nf.json err-om.json
'

expect_success 'Error: an unknown shape, an unknown code, a misplaced or missing offset' '
	echo "{\"code\": \"not_found\", \"message\": \"no package\"}" >e-flat.json &&
	variant err-nf.json e-code.json "s/not_found/no_such_thing/" &&
	variant err-nf.json e-offset.json "s/}}/}, \"offset\": 5}/" &&
	variant err-nf.json e-inner-offset.json "s/}}/, \"offset\": 5}}/" &&
	variant err-om.json e-no-offset.json "s/, \"offset\": 5//" &&
	variant err-om.json e-no-id.json "s/ \"id\": \"[^\"]*\",//" &&
	variant err-nf.json e-extra.json "s/}}/, \"detail\": \"x\"}}/" &&
	refuses Error \
		e-flat.json "/: Additional properties are not allowed" \
		e-code.json "/error/code: '"'"'no_such_thing'"'"' is not one of" \
		e-offset.json "/: " \
		e-inner-offset.json "/error: Additional properties are not allowed" \
		e-no-offset.json "/: '"'"'offset'"'"' is a required property" \
		e-no-id.json "/: '"'"'id'"'"' is a required property" \
		e-extra.json "/error: Additional properties are not allowed"
'

expect_success 'Error: a message of two lines, or empty, is refused' '
	variant err-nf.json e-lines.json "s/no package/no\\\\npackage/" &&
	variant err-nf.json e-empty.json "s/no package//" &&
	refuses Error e-lines.json "/error/message: " e-empty.json "/error/message: "
'

expect_success 'UploadState: valid, and refused with a negative or textual offset or more' '
	echo "{\"id\": \"3f0c9a52-6d1e-4b7a-9c2d-5e8f1a0b4c6d\", \"offset\": 5242880}" >up.json &&
	accepts UploadState up.json &&
	variant up.json up-negative.json "s/5242880/-1/" &&
	variant up.json up-text.json "s/5242880/\"5242880\"/" &&
	variant up.json up-extra.json "s/}/, \"size\": 1}/" &&
	refuses UploadState \
		up-negative.json "/offset: -1 is less than the minimum of 0" \
		up-text.json "/offset: " \
		up-extra.json "/: Additional properties are not allowed"
'

expect_success 'ReceiptFile: valid' '
	accepts ReceiptFile receipt.json
'

expect_success 'ReceiptFile: a missing member, an extra one, another format, bad base64' '
	variant receipt.json rf-missing.json "s/, \"signature\": \"[^\"]*\"//" &&
	variant receipt.json rf-extra.json "s/}$/, \"note\": \"x\"}/" &&
	variant receipt.json rf-format.json "s|receipt/1|receipt/2|" &&
	variant receipt.json rf-base64.json "s/\"signature\": \"[^\"]*\"/\"signature\": \"QR==\"/" &&
	variant receipt.json rf-lines.json "s/\"receipt\": \"\\(.\\{8\\}\\)/\"receipt\": \"\\1\\\\n/" &&
	refuses ReceiptFile \
		rf-missing.json "'"'"'signature'"'"' is a required property" \
		rf-extra.json "/: Additional properties are not allowed" \
		rf-format.json "/pouch: '"'"'receipt/1'"'"' was expected" \
		rf-base64.json "/signature: " \
		rf-lines.json "/receipt: "
'

expect_success 'ReceiptBody: accepted without a reason and rejected with one are valid' '
	variant body.json body-rejected.json \
		"s/\"accepted\", \"reason\": null/\"rejected\", \"reason\": \"not genuine: bad digest\"/" &&
	long=$(printf "%0512d" 0) &&
	variant body-rejected.json rb-512.json "s/\"reason\": \"[^\"]*\"/\"reason\": \"$long\"/" &&
	accepts ReceiptBody body.json body-rejected.json rb-512.json
'

expect_success 'ReceiptBody: a reason that does not suit the verdict, or is malformed' '
	variant body.json rb-reason.json "s/\"reason\": null/\"reason\": \"fine\"/" &&
	variant body-rejected.json rb-noreason.json "s/\"reason\": \"[^\"]*\"/\"reason\": null/" &&
	variant body-rejected.json rb-control.json "s/not genuine/not\\\\u0007genuine/" &&
	variant rb-512.json rb-513.json "s/\"reason\": \"/&0/" &&
	refuses ReceiptBody \
		rb-reason.json "/reason: " \
		rb-noreason.json "/reason: " \
		rb-control.json "/reason: " \
		rb-513.json "/reason: "
'

expect_success 'ReceiptBody: a bad fingerprint, time, format, verdict or a missing member' '
	variant body.json rb-fpr.json "s/\"C53C21CAE2BC/\"c53c21cae2bc/" &&
	variant body.json rb-time.json "s/10:25:40Z/10:25:40+01:00/" &&
	variant body.json rb-format.json "s|pouch-receipt/1|pouch-receipt/2|" &&
	variant body.json rb-verdict.json "s/\"accepted\"/\"maybe\"/" &&
	variant body.json rb-missing.json "s/, \"time\": \"[^\"]*\"//" &&
	refuses ReceiptBody \
		rb-fpr.json "/recipient/fingerprint: " \
		rb-time.json "/time: " \
		rb-format.json "/format: " \
		rb-verdict.json "/verdict: " \
		rb-missing.json "'"'"'time'"'"' is a required property"
'

expect_success 'ReceiptRecord and ReceiptList: valid, and refused when an inner part is bad' '
	printf "{\"receipts\": [%s], \"next\": \"7\", \"has_more\": false}\n" "$(cat rrec.json)" \
		>rlist.json &&
	accepts ReceiptRecord rrec.json && accepts ReceiptList rlist.json &&
	variant rrec.json rr-verdict.json "s/\"verdict\": \"accepted\"/\"verdict\": \"maybe\"/" &&
	variant rrec.json rr-receipt.json "s/, \"signature\": \"[^\"]*\"//" &&
	refuses ReceiptRecord \
		rr-verdict.json "/verdict: " \
		rr-receipt.json "/receipt: '"'"'signature'"'"' is a required property" &&
	variant rlist.json rl-from.json "s/\"from\": \"GB-MET\"/\"from\": \"\"/" &&
	variant rlist.json rl-more.json "s/\"has_more\": false/\"has_more\": \"no\"/" &&
	refuses ReceiptList rl-from.json "/receipts/0/from: " rl-more.json "/has_more: "
'

expect_success 'Health: valid, and refused with another status, version form or member' '
	echo "{\"status\": \"ok\", \"version\": \"0.1.0\"}" >health.json &&
	accepts Health health.json &&
	variant health.json h-status.json "s/\"ok\"/\"fine\"/" &&
	variant health.json h-version.json "s/\"0.1.0\"/\"v0.1.0\"/" &&
	variant health.json h-newline.json "s/\"0.1.0\"/\"0.1.0\\\\n\"/" &&
	variant health.json h-extra.json "s/}/, \"uptime\": 5}/" &&
	refuses Health \
		h-status.json "/status: '"'"'fine'"'"' is not one of" \
		h-version.json "/version: " \
		h-newline.json "/version: " \
		h-extra.json "/: Additional properties are not allowed"
'

# failing LOG: the sorted names of the files that LOG reports invalid (lines "NAME: ..." or
# "check-openapi: NAME: ...").
failing() {
	sed -e "s/^check-openapi: //" -e "s/: .*//" "$1" | sort -u
}

expect_success 'receipt.schema.json agrees with the OpenAPI receipt schemas on every sample' '
	ls receipt.json rf-*.json >files && ls rf-*.json >want &&
	! oa "$SPEC" ReceiptFile $(cat files) 2>log && failing log >got && test_cmp want got &&
	! rs - $(cat files) >log && failing log >got && test_cmp want got &&
	ls body.json body-rejected.json rb-*.json >files &&
	ls rb-*.json | grep -vx rb-512.json >want &&
	! oa "$SPEC" ReceiptBody $(cat files) 2>log && failing log >got && test_cmp want got &&
	! rs body $(cat files) >log && failing log >got && test_cmp want got
'

expect_success 'receipt.schema.json shares its value forms with envelope.schema.json' '
	"$SYSTEM_PYTHON" -c "import json, sys
r = json.load(open(sys.argv[1]))[\"\$defs\"]
e = json.load(open(sys.argv[2]))[\"\$defs\"]
for k in (\"base64\", \"agency_code\", \"fingerprint\", \"id\", \"time\", \"sha256\", \"party\"):
    if r[k] != e[k]:
        sys.exit(\"\$defs/%s differs\" % k)" "$RECEIPT_SCHEMA" "$SRC_DIR/spec/envelope.schema.json"
'

expect_success '--response: bodies against the operation and status the spec gives' '
	oa "$SPEC" --response PUT "/v1/packages/{id}" 201 rec.json &&
	oa "$SPEC" --response PUT "/v1/packages/{id}" 200 rec.json &&
	oa "$SPEC" --response GET "/v1/packages/{id}" 200 \
		"$SRC_DIR/spec/vectors/valid/inline-small/package.pouch" &&
	oa "$SPEC" --response GET /v1/packages 200 list.json &&
	oa "$SPEC" --response GET /v1/receipts 200 rlist.json &&
	oa "$SPEC" --response PUT "/v1/packages/{id}/receipt" 201 rrec.json &&
	oa "$SPEC" --response PATCH "/v1/uploads/{id}" 200 up.json &&
	oa "$SPEC" --response PATCH "/v1/uploads/{id}" 409 err-om.json &&
	oa "$SPEC" --response GET "/v1/packages/{id}" 404 err-nf.json &&
	oa "$SPEC" --response GET /v1/health 200 health.json
'

expect_success '--response: a body, or an error code, that the operation does not give' '
	must_fail 1 oa "$SPEC" --response PUT "/v1/packages/{id}" 201 err-nf.json &&
	one_line err-nf.json "/: Additional properties are not allowed" &&
	echo "{\"error\": {\"code\": \"receipt_conflict\", \"message\": \"x\"}}" >rc.json &&
	oa "$SPEC" --response PUT "/v1/packages/{id}/receipt" 409 rc.json &&
	must_fail 1 oa "$SPEC" --response PUT "/v1/packages/{id}" 409 rc.json &&
	one_line rc.json "/error/code: '"'"'receipt_conflict'"'"' is not one of ['"'"'id_conflict'"'"'," &&
	echo "{\"error\": {\"code\": \"payload_missing\", \"message\": \"x\"}}" >pm.json &&
	oa "$SPEC" --response PUT "/v1/packages/{id}" 422 pm.json &&
	echo "{\"error\": {\"code\": \"upload_busy\", \"message\": \"x\"}}" >busy.json &&
	oa "$SPEC" --response PUT "/v1/packages/{id}" 409 busy.json &&
	oa "$SPEC" --response PATCH "/v1/uploads/{id}" 409 busy.json &&
	must_fail 1 oa "$SPEC" --response PUT "/v1/packages/{id}/receipt" 409 busy.json &&
	one_line busy.json "/error/code: " &&
	echo "{\"error\": {\"code\": \"range_not_satisfiable\", \"message\": \"x\"}}" >rns.json &&
	oa "$SPEC" --response GET "/v1/packages/{id}/payload" 416 rns.json &&
	must_fail 1 oa "$SPEC" --response GET "/v1/packages/{id}/payload" 400 rns.json &&
	one_line rns.json "/error/code: " &&
	must_fail 1 oa "$SPEC" --response PUT "/v1/packages/{id}/receipt" 422 pm.json &&
	one_line pm.json "/error/code: " &&
	must_fail 1 oa "$SPEC" --response GET /v1/health 200 err-nf.json &&
	one_line err-nf.json "/: "
'

expect_success '--response: a status, path or JSON body the spec does not have' '
	must_fail 1 oa "$SPEC" --response PUT "/v1/packages/{id}" 418 err-nf.json &&
	one_line err-nf.json "the spec gives no response 418 for PUT /v1/packages/{id}" &&
	must_fail 1 oa "$SPEC" --response GET /v1/nothing 200 err-nf.json &&
	one_line err-nf.json "the spec has no path '"'"'/v1/nothing'"'"'" &&
	must_fail 1 oa "$SPEC" --response DELETE "/v1/packages/{id}" 200 err-nf.json &&
	one_line err-nf.json "no operation DELETE /v1/packages/{id}" &&
	must_fail 1 oa "$SPEC" --response GET "/v1/packages/{id}/payload" 200 err-nf.json &&
	one_line err-nf.json "no JSON body for 200 of GET /v1/packages/{id}/payload"
'

expect_success 'a file that is not strict JSON is refused in one line' '
	printf "{\"status\": \"ok\", \"status\": \"ok\", \"version\": \"0.1.0\"}" >dup.json &&
	must_fail 1 oa "$SPEC" Health dup.json && one_line dup.json "duplicate member name" &&
	printf "{\"id\": \"3f0c9a52-6d1e-4b7a-9c2d-5e8f1a0b4c6d\", \"offset\": NaN}" >nan.json &&
	must_fail 1 oa "$SPEC" UploadState nan.json && one_line nan.json "NaN is not JSON" &&
	printf "{\"status\": \"ok\"" >cut.json &&
	must_fail 1 oa "$SPEC" Health cut.json && one_line cut.json "not a JSON document" &&
	printf "{\"status\": \"\\377\"}" >latin.json &&
	must_fail 1 oa "$SPEC" Health latin.json && one_line latin.json "not a JSON document" &&
	must_fail 1 oa "$SPEC" Health missing.json && one_line missing.json "not a JSON document"
'

expect_success 'misuse exits 2: an unknown component, a bad method or status, bad arguments' '
	must_fail 2 oa "$SPEC" NoSuchThing health.json && grep -q "no schema" err &&
	must_fail 2 oa "$SPEC" --response FETCH /v1/health 200 health.json &&
	must_fail 2 oa "$SPEC" --response GET /v1/health 2000 health.json &&
	must_fail 2 oa "$SPEC" &&
	must_fail 2 oa "$SPEC" --lint extra
'

expect_success 'protocol.md names every route, every error code with its status, and sections' '
	cat >consistency.py <<-\EOF &&
	import re, sys, yaml
	spec = yaml.safe_load(open(sys.argv[1]))
	md = open(sys.argv[2]).read()
	bad = []
	for path, item in spec["paths"].items():
	    for method in set(item) - {"parameters"}:
	        if "`%s %s`" % (method.upper(), path) not in md:
	            bad.append("route %s %s is not in protocol.md" % (method.upper(), path))
	table = dict(re.findall(r"^\| `([a-z_]+)` \| (\d{3}) \|", md, re.M))
	codes = spec["components"]["schemas"]["ErrorCode"]["enum"]
	if sorted(table) != sorted(codes):
	    bad.append("code tables differ: %s and %s" % (sorted(table), sorted(codes)))
	ops = [o for i in spec["paths"].values() for o in i.values() if "responses" in o]
	for name, resp in spec["components"]["responses"].items():
	    allowed = resp["content"]["application/json"]["schema"]["allOf"][1]
	    for code in allowed["properties"]["error"]["properties"]["code"]["enum"]:
	        for status, r in (sr for o in ops for sr in o["responses"].items()):
	            if r.get("$ref") == "#/components/responses/" + name and table.get(code) != status:
	                bad.append("%s: %s under %s, protocol.md: %s" % (name, code, status,
	                                                                  table.get(code)))
	heads = set(re.findall(r"^#+ (\d+(?:\.\d+)?)\.? ", md, re.M))
	cited = re.findall(r"sections? (\d+(?:\.\d+)?)(?: and (\d+(?:\.\d+)?))?",
	                   open(sys.argv[1]).read())
	bad += ["openapi.yaml cites section %s" % n for c in cited for n in c if n and n not in heads]
	print("\n".join(bad))
	sys.exit(1 if bad else 0)
	EOF
	"$SYSTEM_PYTHON" consistency.py "$SPEC" "$SRC_DIR/spec/protocol.md"
'

test_done
