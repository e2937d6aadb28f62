#!/bin/sh
# pouchd's TLS (issue 9, item 17): AEAD suites only (no CBC, no SHA-1 MAC), chosen in the
# server's order; session resumption with tickets, a resumed partner still known by its
# certificate; client keys under 2048 bits (RSA) or on weak curves refused, strong ones taken.
. "$(dirname "$0")/lib.sh"
. "$SRC_DIR/tests/e2e/lib-pouchd.sh"

GET='GET /v1/packages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'

# s_client ARGS...: one request (GET /v1/packages) through openssl s_client; its output in
# s.out, whatever its status (a refused handshake is looked for in the output).
s_client() {
	printf "$GET" | openssl s_client -connect "127.0.0.1:$(pouchd_port)" \
		-CAfile servers.ca.pem -ign_eof "$@" >s.out 2>&1
	grep -q CONNECTED s.out || { cat s.out; return 1; }
}

# cipher_is NAME: the handshake in s.out agreed on cipher NAME.
cipher_is() {
	grep -q "^New, TLSv1.[23], Cipher is $1\$" s.out || { cat s.out; return 1; }
}

# client_cert NAME KEY-ARGS...: NAME.pem, NAME.key for GB-NCA-CEOP from the clients CA, the key
# made with openssl req's KEY-ARGS.
client_cert() {
	_n=$1
	shift
	printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' >"$_n.ext" &&
	openssl req "$@" -nodes -keyout "$_n.key" -out "$_n.csr" -subj "/CN=GB-NCA-CEOP" \
		2>/dev/null &&
	openssl x509 -req -in "$_n.csr" -CA clients.ca.pem -CAkey clients.ca.key \
		-CAcreateserial -out "$_n.pem" -days 30 -extfile "$_n.ext" 2>/dev/null
}

# as_client NAME: GET /v1/packages with NAME.pem/NAME.key from a client that would use any
# key (OpenSSL's security level 0); prints the status, the body goes to body.out.
as_client() {
	"$SYSTEM_PYTHON" -c 'import socket, ssl, sys
ctx = ssl.create_default_context(cafile="servers.ca.pem")
ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
ctx.load_cert_chain(sys.argv[2] + ".pem", sys.argv[2] + ".key")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))),
                    server_hostname="127.0.0.1")
s.sendall(b"GET /v1/packages HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
d = b""
while True:
    x = s.recv(65536)
    if not x:
        break
    d += x
head, _, body = d.partition(b"\r\n\r\n")
open("body.out", "wb").write(body)
print(head.split(b" ")[1].decode())' "$(pouchd_port)" "$1"
}

expect_success 'setup: pouchd; the centre is a partner' '
	init_agency met GB-MET && init_agency ceop GB-NCA-CEOP && partners met ceop &&
	make_ca servers && make_ca clients &&
	make_cert servers srv 127.0.0.1 server &&
	make_cert clients ceop GB-NCA-CEOP client &&
	start_pouchd met data
'

expect_success 'TLS 1.2 suites with CBC and SHA-1 are refused, AEAD ones taken' '
	for c in ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA ECDHE-ECDSA-AES128-SHA256 \
		ECDHE-ECDSA-AES256-SHA384; do
		s_client -tls1_2 -cipher "$c" &&
		if grep -q "^New, TLSv1" s.out; then cat s.out; return 1; fi || return 1
	done &&
	s_client -tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305 &&
	cipher_is ECDHE-ECDSA-CHACHA20-POLY1305
'

expect_success 'the server chooses the cipher by its own order, not the client'"'"'s' '
	s_client -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384 &&
	cipher_is ECDHE-ECDSA-AES256-GCM-SHA384 &&
	s_client -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384 &&
	cipher_is TLS_AES_256_GCM_SHA384
'

expect_success 'a returning partner resumes its session, and is still known by its certificate' '
	for v in -tls1_3 -tls1_2; do
		rm -f sess.pem &&
		s_client $v -cert ceop.pem -key ceop.key -sess_out sess.pem &&
		grep -q "^New, TLSv1" s.out && test -s sess.pem &&
		s_client $v -sess_in sess.pem &&
		{ grep -q "^Reused, TLSv1" s.out || { cat s.out; return 1; }; } &&
		grep -q "HTTP/1.1 200 OK" s.out && grep -q "\"packages\":\[" s.out || return 1
	done
'

expect_success 'client RSA keys under 2048 bits are refused: 403 untrusted_client_certificate' '
	client_cert rsa1024 -newkey rsa:1024 &&
	test "$(as_client rsa1024)" = 403 && error_code untrusted_client_certificate &&
	client_cert rsa1536 -newkey rsa:1536 &&
	test "$(as_client rsa1536)" = 403 && error_code untrusted_client_certificate
'

expect_success 'RSA 2048, ECDSA P-256 and P-384, and Ed25519 client keys are taken' '
	client_cert rsa2048 -newkey rsa:2048 && test "$(as_client rsa2048)" = 200 &&
	client_cert p256 -newkey ec -pkeyopt ec_paramgen_curve:P-256 &&
	test "$(as_client p256)" = 200 &&
	client_cert p384 -newkey ec -pkeyopt ec_paramgen_curve:P-384 &&
	test "$(as_client p384)" = 200 &&
	client_cert ed25519 -newkey ed25519 && test "$(as_client ed25519)" = 200
'

expect_success 'a client certificate on a weak curve (P-224) does not name a partner' '
	client_cert p224 -newkey ec -pkeyopt ec_paramgen_curve:P-224 &&
	_st=$(as_client p224) &&
	{ test "$_st" = 401 || test "$_st" = 403; }
'

test_done
