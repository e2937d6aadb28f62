#!/bin/sh
# pouchd reads a client certificate's common name decoded, as the certificate holds it, not in
# the escaped form of a DN string: a partner whose CN holds ',' '+' '"' '\' or UTF-8 text logs
# in once its record carries that name. A subject with two CNs, or a CN that is not text, is
# refused.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

# cn_cert NAME SUBJECT [OPENSSL ARGS]: NAME.pem/NAME.key for clients, with that -subj.
cn_cert() {
	_n=$1 _s=$2
	shift 2
	printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' >"$_n.ext" &&
	printf 'keyUsage=critical,digitalSignature\n' >>"$_n.ext" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$_n.key" \
		-out "$_n.csr" -subj "$_s" "$@" 2>/dev/null &&
	openssl x509 -req -in "$_n.csr" -CA clients.ca.pem -CAkey clients.ca.key \
		-CAcreateserial -out "$_n.pem" -days 30 -extfile "$_n.ext" 2>/dev/null &&
	chmod 600 "$_n.key" && rm -f "$_n.csr" "$_n.ext"
}

expect_success 'setup: GB-MET runs pouchd; partners with names that DN strings escape' '
	exchange_setup &&
	cn_cert police "/CN=Police, Force\\+1" &&
	openssl x509 -in police.pem -noout -subject -nameopt RFC2253 | grep -q "Force\\\\+1" &&
	pouch --home metgw partner set GB-NCA-CEOP --client-cn "Police, Force+1" -q &&
	cn_cert quote "/CN=Agency \"Q\"; a=b <c> #1 \\\\x" &&
	pouch --home metgw partner set US-NCMEC --client-cn "Agency \"Q\"; a=b <c> #1 \\x" -q
'

expect_success 'a CN with a comma and a plus sign logs in as its partner' '
	is_status 200 police GET /v1/packages && test "$(jget body.out packages)" = "[]" &&
	logged "^[0-9TZ:-]* pouchd: GET /v1/packages status=200 agency=GB-NCA-CEOP"
'

expect_success 'a CN with quotes, semicolon, equals, angle brackets, hash and backslash too' '
	is_status 200 quote GET /v1/packages &&
	logged "^[0-9TZ:-]* pouchd: GET /v1/packages status=200 agency=US-NCMEC"
'

expect_success 'the escaped form of the name is not the name' '
	pouch --home metgw partner set GB-NCA-CEOP --client-cn "Police\\, Force\\+1" -q &&
	is_status 403 police GET /v1/packages && error_code unknown_agency &&
	pouch --home metgw partner set GB-NCA-CEOP --client-cn "Police, Force+1" -q
'

expect_success 'a UTF-8 CN: the partner record takes it and the partner logs in' '
	cn_cert munich "/CN=Polizei München" -utf8 &&
	pouch --home metgw partner set GB-NCA-CEOP --client-cn "Polizei München" -q &&
	pouch --home metgw partner show GB-NCA-CEOP | grep -q "^client cn: Polizei München$" &&
	is_status 200 munich GET /v1/packages
'

expect_success 'client_cn stays text: control and bidirectional characters, over 64 refused' '
	for cn in "$(printf "a\033b")" "$(printf "a\342\200\256b")" "" \
		"$(printf "%065d" 0)" "$(printf "a\302\205b")"; do
		must_fail 2 pouch --home metgw partner set GB-NCA-CEOP --client-cn "$cn" &&
		grep -q "invalid client common name" err || return 1
	done &&
	pouch --home metgw partner set GB-NCA-CEOP --client-cn "$(printf "%064d" 0)" -q
'

expect_success 'a subject with two CNs is refused: the name must be one' '
	pouch --home metgw partner set GB-NCA-CEOP --client-cn A -q &&
	cn_cert two "/CN=A/CN=B" && is_status 403 two GET /v1/packages &&
	cn_cert multi "/CN=A+CN=B" -multivalue-rdn && is_status 403 multi GET /v1/packages &&
	error_code untrusted_client_certificate &&
	cn_cert one "/O=A/CN=A" && is_status 200 one GET /v1/packages
'

test_done
