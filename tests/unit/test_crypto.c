/*
 * test_crypto - base64 through libcrypto (RFC 4648's test vectors), the
 * URL-safe random token made from it, and FNV-1a 64 (common/util.c)
 * against its published values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/crypto.h"
#include "common/util.h"

static void test_base64(void **state)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	char out[CRYPTO_B64_LEN(6) + 1];
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(v); i++) {
		assert_int_equal(crypto_base64(v[i][0], strlen(v[i][0]), out),
				 (int)strlen(v[i][1]));
		assert_string_equal(out, v[i][1]);
	}
	assert_int_equal(crypto_base64("\xfb\xff", 2, out), 4);
	assert_string_equal(out, "+/8=");
}

static void test_random_token(void **state)
{
	char a[CRYPTO_TOKEN_LEN], b[CRYPTO_TOKEN_LEN];

	(void)state;
	assert_int_equal(random_token(a), 0);
	assert_int_equal(random_token(b), 0);
	assert_int_equal(strlen(a), CRYPTO_TOKEN_LEN - 1);
	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
				"opqrstuvwxyz0123456789-_"), strlen(a));
	assert_string_not_equal(a, b);
}

/* token_sign - the invitation link: 22 URL-safe characters, the same for
 * the same (key, id, n, expires) and different when any of them changes,
 * which is what kills an old link */
static void test_token_sign(void **state)
{
	static const unsigned char key[32] = "0123456789abcdef0123456789abcde";
	static const unsigned char other[32] = "1123456789abcdef0123456789abcde";
	char a[CRYPTO_TOKEN_LEN], b[CRYPTO_TOKEN_LEN];

	(void)state;
	assert_int_equal(token_sign(key, sizeof(key), 42, 1, "2027-01-05", a), 0);
	assert_int_equal(strlen(a), 22);
	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				"qrstuvwxyz0123456789-_"), 22);
	assert_int_equal(token_sign(key, sizeof(key), 42, 1, "2027-01-05", b), 0);
	assert_string_equal(a, b);
	assert_int_equal(token_sign(key, sizeof(key), 42, 2, "2027-01-05", b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(token_sign(key, sizeof(key), 43, 1, "2027-01-05", b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(token_sign(key, sizeof(key), 42, 1, "2027-01-06", b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(token_sign(other, sizeof(other), 42, 1, "2027-01-05",
				    b), 0);
	assert_string_not_equal(a, b);
	/* "1" + "2" never reads as "12": the fields are separated */
	assert_int_equal(token_sign(key, sizeof(key), 1, 21, "x", a), 0);
	assert_int_equal(token_sign(key, sizeof(key), 12, 1, "x", b), 0);
	assert_string_not_equal(a, b);
}

static void test_fnv1a64(void **state)
{
	(void)state;
	assert_true(fnv1a64("") == 0xcbf29ce484222325ULL);
	assert_true(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
	assert_true(fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_random_token),
		cmocka_unit_test(test_fnv1a64),
		cmocka_unit_test(test_token_sign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
