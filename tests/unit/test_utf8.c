/*
 * test_utf8 - one definition of UTF-8 (common/utf8.c): overlong forms,
 * surrogates, code points past U+10FFFF, characters cut short, 4-byte
 * characters, the boundaries of each range; the stream check agrees with
 * the one-shot check however the bytes are cut into chunks; cuts never
 * split a character.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/utf8.h"

struct sample {
	const char *bytes;
	size_t len;
	int valid;
};

#define S(lit, ok) { lit, sizeof(lit) - 1, ok }

static const struct sample samples[] = {
	S("", 1),
	S("plain ASCII", 1),
	S("a\0b", 1),			/* NUL is U+0000 here */
	S("\x7F", 1),
	S("\xC2\x80", 1),		/* U+0080, first 2-byte */
	S("\xDF\xBF", 1),		/* U+07FF, last 2-byte */
	S("\xE0\xA0\x80", 1),		/* U+0800, first 3-byte */
	S("\xED\x9F\xBF", 1),		/* U+D7FF, before the surrogates */
	S("\xEE\x80\x80", 1),		/* U+E000, after them */
	S("\xEF\xBF\xBD", 1),		/* U+FFFD */
	S("\xEF\xBF\xBF", 1),		/* U+FFFF */
	S("\xF0\x90\x80\x80", 1),	/* U+10000, first 4-byte */
	S("\xF0\x9F\x98\x80", 1),	/* an emoji */
	S("\xF4\x8F\xBF\xBF", 1),	/* U+10FFFF, the last */
	S("Fran\xC3\xA7ois \xC5\x93uvre", 1),
	/* overlong forms */
	S("\xC0\x80", 0), S("\xC1\xBF", 0), S("\xE0\x80\x80", 0),
	S("\xE0\x9F\xBF", 0), S("\xF0\x80\x80\x80", 0),
	S("\xF0\x8F\xBF\xBF", 0),
	/* surrogates */
	S("\xED\xA0\x80", 0), S("\xED\xBF\xBF", 0),
	S("\xED\xA0\xBD\xED\xB8\x80", 0),	/* CESU-8 of an emoji */
	/* past U+10FFFF, and bytes UTF-8 never uses */
	S("\xF4\x90\x80\x80", 0), S("\xF5\x80\x80\x80", 0), S("\xFE", 0),
	S("\xFF", 0),
	/* cut short, or a stray continuation */
	S("\xC3", 0), S("a\xE2\x82", 0), S("\xF0\x9F\x98", 0), S("\x80", 0),
	S("\xC3\xA9\xBF", 0), S("\xC3(", 0), S("\xE2(\xAC", 0),
	S("caf\xE9", 0),		/* Latin-1 */
};

/* Each sample, whole: one verdict for utf8_valid() and the stream. */
static void test_valid(void **state)
{
	struct utf8_stream u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];

		assert_int_equal(utf8_valid(s->bytes, s->len), s->valid);
		utf8_stream_init(&u);
		(void)utf8_stream_feed(&u, s->bytes, s->len);
		assert_int_equal(utf8_stream_end(&u), s->valid);
	}
}

/* The stream's verdict does not depend on where the chunks end. */
static void test_stream_chunks(void **state)
{
	char buf[64];
	struct utf8_stream u;
	size_t i, cut, n;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];

		n = (size_t)snprintf(buf, sizeof(buf), "ab");
		memcpy(buf + n, s->bytes, s->len);
		n += s->len;
		memcpy(buf + n, "yz", 2);
		n += 2;
		for (cut = 0; cut <= n; cut++) {
			utf8_stream_init(&u);
			(void)utf8_stream_feed(&u, buf, cut);
			(void)utf8_stream_feed(&u, buf + cut, n - cut);
			assert_int_equal(utf8_stream_end(&u), s->valid);
		}
	}
	/* A character unfinished at the end is not valid. */
	utf8_stream_init(&u);
	assert_int_equal(utf8_stream_feed(&u, "\xF0\x9F", 2), 0);
	assert_int_equal(utf8_stream_end(&u), 0);
	/* Once bad, always bad. */
	utf8_stream_init(&u);
	assert_int_equal(utf8_stream_feed(&u, "\xFF", 1), -1);
	assert_int_equal(utf8_stream_feed(&u, "abc", 3), -1);
	assert_int_equal(utf8_stream_end(&u), 0);
}

static void test_char_len(void **state)
{
	(void)state;
	assert_int_equal(utf8_char_len("a", 1), 1);
	assert_int_equal(utf8_char_len("\xC3\xA9x", 3), 2);
	assert_int_equal(utf8_char_len("\xE2\x82\xAC", 3), 3);
	assert_int_equal(utf8_char_len("\xF0\x9F\x98\x80", 4), 4);
	assert_int_equal(utf8_char_len("\xF0\x9F\x98\x80", 3), 0);
	assert_int_equal(utf8_char_len("\xC0\xAF", 2), 0);
	assert_int_equal(utf8_char_len("\xED\xA0\x80", 3), 0);
	assert_int_equal(utf8_char_len("\x80", 1), 0);
	assert_int_equal(utf8_next("\xC3\xA9"), 2);
	assert_int_equal(utf8_next("\xC3"), 1);	/* never past the NUL */
	assert_int_equal(utf8_next("\xFF\xA9"), 1);
	assert_int_equal(utf8_next(""), 0);
}

/* Cuts: at most max bytes, never inside a character. */
static void test_cut(void **state)
{
	const char *s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";	/* aé€😀z */
	char t[32];
	size_t len = strlen(s);

	(void)state;
	assert_int_equal(utf8_cut(s, len, 0), 0);
	assert_int_equal(utf8_cut(s, len, 1), 1);
	assert_int_equal(utf8_cut(s, len, 2), 1);
	assert_int_equal(utf8_cut(s, len, 3), 3);
	assert_int_equal(utf8_cut(s, len, 5), 3);
	assert_int_equal(utf8_cut(s, len, 6), 6);
	assert_int_equal(utf8_cut(s, len, 9), 6);
	assert_int_equal(utf8_cut(s, len, 10), 10);
	assert_int_equal(utf8_cut(s, len, 100), len);
	/* A bad byte is kept as one; a character cut by the end is not. */
	assert_int_equal(utf8_cut("a\xFF" "b", 3, 3), 3);
	assert_int_equal(utf8_cut("ab\xE2\x82", 4, 4), 2);
	snprintf(t, sizeof(t), "%s", "x\xF0\x9F\x98");
	utf8_trim(t);
	assert_string_equal(t, "x");
	snprintf(t, sizeof(t), "%s", "d\xC3\xA9j\xC3\xA0");
	utf8_trim(t);
	assert_string_equal(t, "d\xC3\xA9j\xC3\xA0");
}

static void test_controls_and_counts(void **state)
{
	(void)state;
	assert_int_equal(utf8_control_len("\t"), 1);
	assert_int_equal(utf8_control_len("\x7F"), 1);
	assert_int_equal(utf8_control_len("\xC2\x85"), 2);	/* NEL */
	assert_int_equal(utf8_control_len("\xC2\x9F"), 2);
	assert_int_equal(utf8_control_len("\xC2\xA0"), 0);	/* NBSP */
	assert_int_equal(utf8_control_len("a"), 0);
	assert_int_equal(utf8_control_len(""), 0);
	assert_true(utf8_is_continuation(0x80));
	assert_true(utf8_is_continuation(0xBF));
	assert_false(utf8_is_continuation(0xC3));
	assert_false(utf8_is_continuation('a'));
	assert_int_equal(utf8_chars("Pr\xC3\xA9nom"), 6);
	assert_int_equal(utf8_chars("\xF0\x9F\x98\x80!"), 2);
	assert_int_equal(utf8_chars("\xFF\xFE"), 2);
	assert_int_equal(utf8_chars(""), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_stream_chunks),
		cmocka_unit_test(test_char_len),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_controls_and_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
