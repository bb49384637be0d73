/*
 * crypto - SHA-256, HMAC and random tokens.  libcrypto's only home.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include "crypto.h"
#include "log.h"
#include "util.h"

struct sha256_ctx {
	EVP_MD_CTX *md;
	int failed;
};

static void to_hex(const unsigned char *d, unsigned n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

/* sha256_begin - start a digest; never NULL */
struct sha256_ctx *sha256_begin(void)
{
	struct sha256_ctx *c = xcalloc(1, sizeof(*c));

	c->md = EVP_MD_CTX_new();
	if (c->md == NULL || EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1)
		c->failed = 1;
	return c;
}

void sha256_update(struct sha256_ctx *c, const void *p, size_t n)
{
	if (!c->failed && EVP_DigestUpdate(c->md, p, n) != 1)
		c->failed = 1;
}

/* sha256_end - finish, write the hex digest and free the context */
int sha256_end(struct sha256_ctx *c, char hex[CRYPTO_HEX_LEN])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	int rc = -1;

	if (!c->failed && EVP_DigestFinal_ex(c->md, d, &n) == 1 && n == 32) {
		to_hex(d, n, hex);
		rc = 0;
	} else {
		log_err("event=sha256_failed");
	}
	EVP_MD_CTX_free(c->md);
	free(c);
	return rc;
}

int hmac_sha256_hex(const void *key, size_t keylen, const char *msg,
		    char hex[CRYPTO_HEX_LEN])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
		 strlen(msg), d, &n) == NULL || n != 32) {
		log_err("event=hmac_failed");
		return -1;
	}
	to_hex(d, n, hex);
	return 0;
}

int random_bytes(void *p, size_t n)
{
	unsigned char *q = p;
	ssize_t got;

	while (n > 0) {
		got = getrandom(q, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			log_err_errno("event=getrandom_failed");
			return -1;
		}
		q += got;
		n -= (size_t)got;
	}
	return 0;
}

/* crypto_base64 - libcrypto's base64, '=' padded, NUL-terminated */
int crypto_base64(const void *p, size_t n, char *out)
{
	int len;

	if (n > (size_t)INT_MAX / 4 * 3)
		return -1;
	len = EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return len < 0 ? -1 : len;
}

/* b64url - n bytes in base64url without padding into out */
static int b64url(const unsigned char *p, size_t n, char *out)
{
	char b64[CRYPTO_B64_LEN(32) + 1];
	int len, i;

	if (n > 32 || (len = crypto_base64(p, n, b64)) < 0)
		return -1;
	for (i = 0; i < len && b64[i] != '='; i++)
		out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	out[i] = '\0';
	return 0;
}

/* random_token - 16 random bytes in base64url without padding: base64,
 * then the URL-safe alphabet of RFC 4648 section 5 ('-' and '_') */
int random_token(char out[CRYPTO_TOKEN_LEN])
{
	unsigned char r[16];

	if (random_bytes(r, sizeof(r)) < 0)
		return -1;
	return b64url(r, sizeof(r), out);
}

/* token_sign - see crypto.h */
int token_sign(const void *key, size_t keylen, long long id, int n,
	       const char *expires, char out[CRYPTO_TOKEN_LEN])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	char msg[96];
	int len;

	len = snprintf(msg, sizeof(msg), "affild-link:2:%lld:%d:%s", id, n,
		       expires ? expires : "");
	if (len < 0 || (size_t)len >= sizeof(msg) ||
	    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
		 (size_t)len, d, &dlen) == NULL || dlen < 16) {
		log_err("event=crypto_error what=token_sign");
		return -1;
	}
	return b64url(d, 16, out);
}

int crypto_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return la == lb && CRYPTO_memcmp(a, b, la) == 0;
}
