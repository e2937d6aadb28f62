# Test material only: throwaway X.509 certificates for the end-to-end tests, made with the
# openssl command line in the current directory (a test's trash directory). Sourced after lib.sh.

# certs_make [CN]: writes
#   ca.pem, ca.key          a self-signed CA
#   client.pem, client.key  a client certificate the CA issued (CN, default GB-NCA-CEOP) and its
#                           key (PKCS#8, unencrypted)
#   chain.pem               client.pem followed by ca.pem
#   other.key               a key that belongs to no certificate here
#   enc.key                 client.key encrypted with the passphrase x
certs_make() {
	{
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.pem -subj /CN=Test-CA -days 2 &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout client.key -out client.csr -subj "/CN=${1:-GB-NCA-CEOP}" &&
		openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-out client.pem -days 2 &&
		cat client.pem ca.pem >chain.pem &&
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key &&
		openssl pkey -in client.key -aes256 -passout pass:x -out enc.key
	} >/dev/null 2>&1
}

# key_line FILE: the second line of a PEM file, key material no output may show.
key_line() {
	sed -n 2p "$1"
}
