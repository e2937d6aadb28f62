/* Throwaway X.509 material for the unit tests, made with the openssl command line in a directory
 * the test made under /tmp. Test material only: nothing here is a real certificate. */
#ifndef POUCH_TEST_CERTS_H
#define POUCH_TEST_CERTS_H

#include "fixture.h"

/* The files certs_make writes in its directory. */
#define CERT_CA "ca.pem"              /* a self-signed CA */
#define CERT_CLIENT "client.pem"      /* a client certificate the CA issued (CN GB-NCA-CEOP) */
#define CERT_CLIENT_KEY "client.key"  /* its key, PKCS#8 ("PRIVATE KEY") */
#define CERT_CLIENT_EC "client-ec.key" /* the same key, "EC PRIVATE KEY" */
#define CERT_CHAIN "chain.pem"        /* the client certificate, then the CA */
#define CERT_RSA "rsa.pem"            /* a self-signed RSA certificate... */
#define CERT_RSA_KEY "rsa.key"        /* ...and its "RSA PRIVATE KEY" */
#define CERT_OTHER_KEY "other.key"    /* a key that belongs to no certificate here */
#define CERT_ENC_KEY "enc.key"        /* the client key, "ENCRYPTED PRIVATE KEY" (pass x) */
#define CERT_RSA_ENC_KEY "rsa-enc.key" /* the RSA key, encrypted with a Proc-Type header */

/* Makes the files above in dir. Returns 0, or -1 when openssl failed. */
FIXTURE_FN int certs_make(const char *dir)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && exec >/dev/null 2>&1 && "
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		 "-keyout ca.key -out " CERT_CA " -subj /CN=Test-CA -days 2 && "
		 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		 "-keyout " CERT_CLIENT_KEY " -out client.csr -subj /CN=GB-NCA-CEOP && "
		 "openssl x509 -req -in client.csr -CA " CERT_CA " -CAkey ca.key -CAcreateserial "
		 "-out " CERT_CLIENT " -days 2 && "
		 "openssl ec -in " CERT_CLIENT_KEY " -out " CERT_CLIENT_EC " && "
		 "cat " CERT_CLIENT " " CERT_CA " >" CERT_CHAIN " && "
		 "openssl genrsa -traditional -out " CERT_RSA_KEY " 2048 && "
		 "openssl req -new -x509 -key " CERT_RSA_KEY " -out " CERT_RSA " -subj /CN=R "
		 "-days 2 && "
		 "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
		 "-out " CERT_OTHER_KEY " && "
		 "openssl pkey -in " CERT_CLIENT_KEY " -aes256 -passout pass:x -out " CERT_ENC_KEY
		 " && openssl rsa -in " CERT_RSA_KEY " -traditional -aes256 -passout pass:x "
		 "-out " CERT_RSA_ENC_KEY,
		 dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The directory of the group's certificates, made once by certs_setup. */
static __attribute__((unused)) char certs_dir[32];

/* cmocka group setup: the certificates, in a fresh directory under /tmp. */
FIXTURE_FN int certs_setup(void **state)
{
	(void)state;
	strcpy(certs_dir, "/tmp/pu.XXXXXX");
	return mkdtemp(certs_dir) ? certs_make(certs_dir) : -1;
}

/* cmocka group teardown: the certificates go. */
FIXTURE_FN int certs_teardown(void **state)
{
	(void)state;
	return pouch_fs_remove_tree(certs_dir, NULL);
}

/* The path of a file in the certificates' directory; valid for the next three calls too. */
FIXTURE_FN const char *cert(const char *name)
{
	static char buf[4][96];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", certs_dir, name);
	return buf[k];
}

#endif
