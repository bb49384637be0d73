/*
 * test_log - one event is one line, whatever the values hold.
 *
 * A file name is chosen by whoever uploads it: a newline and a fake
 * "event=file_processed" in it must not make a second log line, and a quote
 * in it must not close name="..." to add fake key=value pairs.  stderr is
 * redirected to a temporary file and read back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"

static char out[8192];

/* capture_begin - stderr into a fresh temporary file; returns the saved fd */
static int capture_begin(FILE **tmp)
{
	int saved;

	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	*tmp = tmpfile();
	assert_non_null(*tmp);
	assert_true(dup2(fileno(*tmp), 2) == 2);
	return saved;
}

/* capture_end - restore stderr; out holds what was written */
static const char *capture_end(FILE *tmp, int saved)
{
	size_t n;

	fflush(stderr);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, sizeof(out) - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return out;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_newline_in_value_stays_one_line(void **state)
{
	const char *name = "a.csv\naffild: info: event=file_processed id=X "
			   "employer=99999999";
	char q[LOG_QUOTE_MAX];
	FILE *tmp;
	int saved;

	(void)state;
	saved = capture_begin(&tmp);
	log_info("event=file_claimed employer=12345678 name=%s",
		 log_quote(q, sizeof(q), name));
	capture_end(tmp, saved);
	assert_int_equal(count_lines(out), 1);
	assert_string_equal(out, "affild: info: event=file_claimed "
			    "employer=12345678 name=\"a.csv\\naffild: info: "
			    "event=file_processed id=X employer=99999999\"\n");
}

static void test_controls_escaped_even_unquoted(void **state)
{
	FILE *tmp;
	int saved;

	(void)state;
	/* A caller that forgot log_quote still gets one line. */
	saved = capture_begin(&tmp);
	log_warn("path=%s", "x\r\ny\tz\x01\x7f" "\xc2\x85" "\xff" "é");
	capture_end(tmp, saved);
	assert_int_equal(count_lines(out), 1);
	assert_string_equal(out, "affild: warning: path=x\\r\\ny\\tz\\x01"
			    "\\x7F\\xC2\\x85\\xFFé\n");
}

static void test_quote_cannot_be_closed(void **state)
{
	char q[LOG_QUOTE_MAX];

	(void)state;
	assert_string_equal(log_quote(q, sizeof(q),
				      "x\" employer=\"99999999\\"),
			    "\"x\\\" employer=\\\"99999999\\\\\"");
	/* Plain values stay bare, as they always were. */
	assert_string_equal(log_quote(q, sizeof(q), "/srv/in/a.csv"),
			    "/srv/in/a.csv");
	assert_string_equal(log_quote(q, sizeof(q), "Lefèvre.csv"),
			    "Lefèvre.csv");
	/* A space or '=' would start a fake pair: quoted. */
	assert_string_equal(log_quote(q, sizeof(q), "a employer=9"),
			    "\"a employer=9\"");
	assert_string_equal(log_quote(q, sizeof(q), ""), "\"\"");
	assert_string_equal(log_quote(q, sizeof(q), NULL), "\"\"");
}

static void test_quote_truncates_whole_escapes(void **state)
{
	char q[12], big[600];

	(void)state;
	/* 12 bytes: the quotes, "...", NUL leave room for 6 bytes. */
	assert_string_equal(log_quote(q, sizeof(q), "abcd\n\n\n"),
			    "\"abcd\\n...\"");
	assert_string_equal(log_quote(q, sizeof(q), "a b"), "\"a b\"");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(strlen(log_quote(q, sizeof(q), big)), sizeof(q) - 1);
}

static void test_journal_prefix_one_line(void **state)
{
	FILE *tmp;
	int saved;

	(void)state;
	setenv("JOURNAL_STREAM", "8:1", 1);
	log_init("affild", LOG_LEVEL_DEBUG);
	saved = capture_begin(&tmp);
	log_err("event=x reason=%s", "a\nb");
	capture_end(tmp, saved);
	unsetenv("JOURNAL_STREAM");
	log_init("affild", LOG_LEVEL_INFO);
	assert_string_equal(out, "<3>event=x reason=a\\nb\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_newline_in_value_stays_one_line),
		cmocka_unit_test(test_controls_escaped_even_unquoted),
		cmocka_unit_test(test_quote_cannot_be_closed),
		cmocka_unit_test(test_quote_truncates_whole_escapes),
		cmocka_unit_test(test_journal_prefix_one_line),
	};

	log_init("affild", LOG_LEVEL_INFO);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
