/*
 * crypto - the few primitives affild needs, from OpenSSL's libcrypto:
 * a streaming SHA-256 (duplicate files), HMAC-SHA-256 (invitation tokens are
 * stored only as a keyed hash), random tokens from the kernel and base64
 * (tokens, RFC 2047 encoded words).
 *
 * Digests are written as lower-case hex into caller buffers of
 * CRYPTO_HEX_LEN bytes.  Functions return 0, or -1 after logging.
 */
#ifndef AFFILD_CRYPTO_H
#define AFFILD_CRYPTO_H

#include <stddef.h>

#define CRYPTO_HEX_LEN 65	/* 64 hex digits and the NUL */
#define CRYPTO_TOKEN_LEN 23	/* 128 bits in base64url, and the NUL */

struct sha256_ctx;

struct sha256_ctx *sha256_begin(void);	/* owned: sha256_end() frees */
void sha256_update(struct sha256_ctx *c, const void *p, size_t n);
int sha256_end(struct sha256_ctx *c, char hex[CRYPTO_HEX_LEN]);

/* hmac_sha256_hex - HMAC of msg under key, as hex */
int hmac_sha256_hex(const void *key, size_t keylen, const char *msg,
		    char hex[CRYPTO_HEX_LEN]);

/* random_bytes - n bytes from getrandom(2) */
int random_bytes(void *p, size_t n);

/* crypto_equal - two strings compared in time independent of their bytes */
int crypto_equal(const char *a, const char *b);

/* random_token - 128 random bits as a URL-safe string */
int random_token(char out[CRYPTO_TOKEN_LEN]);

/*
 * token_sign - the personal link's token of an invitation: 128 bits of
 * HMAC-SHA-256 under key of (employee id, n, expires), URL-safe.  Nothing
 * is stored: the token is checked by signing the record's values again,
 * so a new link (n + 1) or a revoked one (expires cleared) kills the old.
 */
int token_sign(const void *key, size_t keylen, long long id, int n,
	       const char *expires, char out[CRYPTO_TOKEN_LEN]);

/* CRYPTO_B64_LEN - the bytes base64 makes of n, with '=' padding */
#define CRYPTO_B64_LEN(n) (((n) + 2) / 3 * 4)

/* crypto_base64 - n bytes of p in base64 (RFC 4648, '=' padded) into out,
 * which holds CRYPTO_B64_LEN(n) + 1 bytes; the length written, or -1 */
int crypto_base64(const void *p, size_t n, char *out);

#endif
