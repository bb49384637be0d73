/*
 * test_message - mail/message.c: the exact bytes of rendered emails.
 *
 * Known inputs give known bytes (headers compared exactly), long subjects
 * fold into encoded words that each decode to whole UTF-8 characters,
 * header injection is refused, and the same input always gives the same
 * bytes.  Run with AFFILD_EML_DIR=DIR to also write sample .eml files
 * there for tests/unit/check_eml.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/utf8.h"
#include "mail/message.h"

#define T_WINTER 1730800000	/* 2024-11-05 09:46:40 UTC */
#define T_SUMMER 1720000000	/* 2024-07-03 09:46:40 UTC */

static struct mail_msg base_msg(void)
{
	struct mail_msg m = {
		.from = "Affild <noreply@assureur.example>",
		.to = "jean.dupont@example.com",
		.subject = "Votre affiliation à la complémentaire",
		.body_text = "Bonjour Jean,\n\nA bientôt.\n",
		.body_html = NULL,
		.message_id = "1.20241105@affild.example",
		.date = T_WINTER,
	};
	return m;
}

/* render - m into a fresh buffer; asserts the expected return */
static void render(const struct mail_msg *m, struct buf *out, int want)
{
	buf_init(out, 1 << 20);
	assert_int_equal(mail_msg_render(m, out), want);
}

/* header_line - the whole (folded) header field "name: ...", CRLF excluded */
static char *header_line(const char *msg, const char *name)
{
	char key[64];
	const char *p, *end;

	snprintf(key, sizeof(key), "\r\n%s: ", name);
	if (strncmp(msg, key + 2, strlen(key + 2)) == 0)
		p = msg;
	else if ((p = strstr(msg, key)) != NULL)
		p += 2;
	else
		return NULL;
	for (end = p; !(end[0] == '\r' && end[2] != ' '); end++)
		;
	return strndup(p, (size_t)(end - p));
}

static void assert_header(const char *msg, const char *name,
			  const char *want)
{
	char *got = header_line(msg, name);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* assert_crlf_only - no bare LF, no bare CR, lines within max */
static void assert_crlf_only(const struct buf *b, size_t max_line)
{
	size_t i, col = 0;

	for (i = 0; i < b->len; i++) {
		if (b->data[i] == '\n') {
			assert_true(i > 0 && b->data[i - 1] == '\r');
			col = 0;
		} else if (b->data[i] == '\r') {
			assert_true(i + 1 < b->len && b->data[i + 1] == '\n');
		} else {
			col++;
			assert_true(col <= max_line);
		}
	}
}

static void test_exact_message(void **state)
{
	struct mail_msg m = base_msg();
	struct buf out;

	(void)state;
	render(&m, &out, 0);
	assert_string_equal(buf_str(&out),
		"Date: Tue, 05 Nov 2024 10:46:40 +0100\r\n"
		"From: Affild <noreply@assureur.example>\r\n"
		"To: jean.dupont@example.com\r\n"
		"Subject: =?UTF-8?B?Vm90cmUgYWZmaWxpYXRpb24gw6AgbGEgY29tcGzDqW1lbnRhaXJl?=\r\n"
		"Message-ID: <1.20241105@affild.example>\r\n"
		"MIME-Version: 1.0\r\n"
		"Auto-Submitted: auto-generated\r\n"
		"Content-Type: text/plain; charset=UTF-8\r\n"
		"Content-Transfer-Encoding: quoted-printable\r\n"
		"\r\n"
		"Bonjour Jean,\r\n"
		"\r\n"
		"A bient=C3=B4t.\r\n");
	buf_free(&out);
}

static void test_date_summer_time(void **state)
{
	struct mail_msg m = base_msg();
	struct buf out;

	(void)state;
	m.date = T_SUMMER;
	render(&m, &out, 0);
	assert_header(buf_str(&out), "Date", "Date: Wed, 03 Jul 2024 11:46:40 +0200");
	buf_free(&out);
}

static void test_ascii_subject_plain(void **state)
{
	struct mail_msg m = base_msg();
	struct buf out;

	(void)state;
	m.subject = "Compte rendu du fichier AFF_20241105.csv";
	render(&m, &out, 0);
	assert_header(buf_str(&out), "Subject",
		      "Subject: Compte rendu du fichier AFF_20241105.csv");
	buf_free(&out);

	/* "=?" in ASCII text could be misread as an encoded word. */
	m.subject = "a =?b?= c";
	render(&m, &out, 0);
	assert_header(buf_str(&out), "Subject", "Subject: =?UTF-8?B?YSA9P2I/PSBj?=");
	buf_free(&out);
}

static void test_ascii_subject_folds_at_spaces(void **state)
{
	static const char subject[] =
		"Compte rendu du traitement de votre fichier "
		"AFFILIATIONS_ENTREPRISE_12345678_NOVEMBRE_2024.csv "
		"pour la periode de paie de novembre";
	struct mail_msg m = base_msg();
	struct buf out;
	char *line, *p, *q;

	(void)state;
	m.subject = subject;
	render(&m, &out, 0);
	line = header_line(buf_str(&out), "Subject");
	assert_non_null(line);
	assert_non_null(strstr(line, "\r\n "));
	/* Unfolding (RFC 5322 2.2.3) removes the CRLFs and nothing else. */
	for (p = q = line; *p; p++)
		if (*p != '\r' && *p != '\n')
			*q++ = *p;
	*q = '\0';
	assert_string_equal(line + strlen("Subject: "), subject);
	assert_crlf_only(&out, 78);
	free(line);
	buf_free(&out);
}

/* decode_word - the bytes of one "=?UTF-8?B?...?=" word, appended to dec */
static void decode_word(const char *w, size_t n, struct buf *dec)
{
	unsigned char raw[64];
	size_t b64 = n - 12, pad = 0;
	int len;

	assert_true(n <= 75);
	assert_memory_equal(w, "=?UTF-8?B?", 10);
	assert_memory_equal(w + n - 2, "?=", 2);
	len = EVP_DecodeBlock(raw, (const unsigned char *)w + 10, (int)b64);
	assert_true(len >= 0);
	pad = (w[n - 3] == '=') + (w[n - 4] == '=');
	len -= (int)pad;
	/* Each word on its own is whole UTF-8 characters. */
	assert_true(utf8_valid((const char *)raw, (size_t)len));
	assert_int_equal(buf_add(dec, raw, (size_t)len), 0);
}

static void test_long_subject_encoded_words(void **state)
{
	static const char subject[] =
		"Fin de votre contrat de travail : vos garanties santé sont "
		"maintenues gratuitement — portabilité jusqu’au 20/10/2025 "
		"pour Éloïse Dupont-Lévêque 😀 et sa famille, "
		"à titre gratuit, sans démarche supplémentaire à prévoir";
	struct mail_msg m = base_msg();
	struct buf out, dec;
	char *line, *p, *end;
	int words = 0;

	(void)state;
	m.subject = subject;
	render(&m, &out, 0);
	assert_crlf_only(&out, 76);
	line = header_line(buf_str(&out), "Subject");
	assert_non_null(line);
	buf_init(&dec, 4096);
	for (p = line; (p = strstr(p, "=?UTF-8?B?")) != NULL; p = end + 2) {
		end = strstr(p + 10, "?=");
		assert_non_null(end);
		decode_word(p, (size_t)(end + 2 - p), &dec);
		words++;
	}
	assert_true(words >= 5);
	assert_string_equal(buf_str(&dec), subject);
	/* First word shares its line with "Subject: ", then one per line. */
	assert_memory_equal(line, "Subject: =?UTF-8?B?", 19);
	assert_non_null(strstr(line, "?=\r\n =?UTF-8?B?"));
	free(line);
	buf_free(&dec);
	buf_free(&out);
}

static void test_from_forms(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "noreply@assureur.example", "From: noreply@assureur.example" },
		{ "Service Adhesions <a@assureur.example>",
		  "From: Service Adhesions <a@assureur.example>" },
		{ "\"M. Dupont\" <a@assureur.example>",
		  "From: \"M. Dupont\" <a@assureur.example>" },
		{ "M. Dupont <a@assureur.example>",
		  "From: \"M. Dupont\" <a@assureur.example>" },
		{ "Mutuelle Générale <a@assureur.example>",
		  "From: =?UTF-8?B?TXV0dWVsbGUgR8OpbsOpcmFsZQ==?= <a@assureur.example>" },
	};
	struct mail_msg m = base_msg();
	struct buf out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m.from = cases[i].in;
		render(&m, &out, 0);
		assert_header(buf_str(&out), "From", cases[i].want);
		buf_free(&out);
	}
}

static void test_injection_refused(void **state)
{
	struct mail_msg m;
	struct buf out;
	int i;

	(void)state;
	for (i = 0; i < 11; i++) {
		m = base_msg();
		switch (i) {
		case 0: m.to = "a@example.com\r\nBcc: victim@example.com"; break;
		case 1: m.to = "a@example.com\nBcc: victim@example.com"; break;
		case 2: m.subject = "Bonjour\r\nBcc: victim@example.com"; break;
		case 3: m.subject = "Bonjour\nX: y"; break;
		case 4: m.subject = "tab\there"; break;
		case 5: m.from = "Evil\r\nBcc: v@example.com <a@example.com>"; break;
		case 6: m.from = "a@example.com\r\nBcc: v@example.com"; break;
		case 7: m.message_id = "1@x\r\nBcc: v@example.com"; break;
		case 8: m.subject = "C1 \xC2\x85 next line"; break;
		case 9: m.from = "Na\"me <a@example.com>"; break;
		case 10: m.to = "Jean <a@example.com>"; break;
		}
		buf_init(&out, 1 << 16);
		assert_int_equal(buf_addstr(&out, "kept"), 0);
		assert_int_equal(mail_msg_render(&m, &out), -1);
		assert_string_equal(buf_str(&out), "kept");
		buf_free(&out);
	}
}

static void test_invalid_utf8_refused(void **state)
{
	struct mail_msg m = base_msg();
	struct buf out;

	(void)state;
	m.subject = "caf\xE9";		/* Latin-1 */
	render(&m, &out, -1);
	buf_free(&out);
	m = base_msg();
	m.body_text = "tronqu\xC3";
	render(&m, &out, -1);
	buf_free(&out);
	m = base_msg();
	m.body_html = "<p>\xC0\xAF</p>";	/* overlong "/" */
	render(&m, &out, -1);
	buf_free(&out);
}

static void test_addr_ok(void **state)
{
	static const char *good[] = {
		"a@b", "jean.dupont@example.com", "j+tag@mail.example.fr",
		"o'brien@example.ie", "x_y-z@sub-domain.example.com",
	};
	static const char *bad[] = {
		"", "@example.com", "jean@", "jean", "jean@@example.com",
		".jean@example.com", "jean.@example.com", "je..an@example.com",
		"jean dupont@example.com", "\"jean\"@example.com",
		"jean@[192.0.2.1]", "jean@-example.com", "jean@example-.com",
		"jean@example..com", "jean@exa_mple.com", "jéan@example.com",
		"jean@example.com\r\n", "jean@exämple.com", "<jean@example.com>",
	};
	char longer[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(mail_addr_ok(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(mail_addr_ok(bad[i]));
	assert_false(mail_addr_ok(NULL));
	memset(longer, 'a', 65);
	snprintf(longer + 65, sizeof(longer) - 65, "@example.com");
	assert_false(mail_addr_ok(longer));	/* local part over 64 */
	memset(longer, 'a', sizeof(longer));
	longer[0] = 'x', longer[1] = '@';
	for (i = 65; i < 250; i += 64)
		longer[i] = '.';
	longer[255] = '\0';
	assert_false(mail_addr_ok(longer));	/* over 254 */
	longer[254] = '\0';
	assert_true(mail_addr_ok(longer));	/* exactly 254 */
}

static void test_identical_bytes(void **state)
{
	struct mail_msg m = base_msg();
	struct buf a, b;

	(void)state;
	m.body_html = "<p>Bonjour Jean</p>\n";
	render(&m, &a, 0);
	render(&m, &b, 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	buf_free(&a);
	buf_free(&b);
}

static void test_multipart(void **state)
{
	struct mail_msg m = base_msg();
	struct buf out, other;
	const char *s, *ct;
	char boundary[64], delim[128];

	(void)state;
	m.body_html = "<p>Bonjour Jean, à bientôt</p>\n";
	render(&m, &out, 0);
	s = buf_str(&out);
	ct = strstr(s, "Content-Type: multipart/alternative; boundary=\"=_affild_");
	assert_non_null(ct);
	assert_int_equal(sscanf(ct, "Content-Type: multipart/alternative; "
				"boundary=\"%63[^\"]\"", boundary), 1);
	snprintf(delim, sizeof(delim), "\r\n--%s\r\nContent-Type: text/html;", boundary);
	assert_non_null(strstr(s, delim));
	snprintf(delim, sizeof(delim), "\r\n\r\n--%s\r\nContent-Type: text/plain;", boundary);
	assert_non_null(strstr(s, delim));
	snprintf(delim, sizeof(delim), "\r\n--%s--\r\n", boundary);
	assert_true(strlen(s) > strlen(delim));
	assert_string_equal(s + strlen(s) - strlen(delim), delim);
	assert_non_null(strstr(s, "<p>Bonjour Jean, =C3=A0 bient=C3=B4t</p>\r\n"));
	assert_crlf_only(&out, 76);

	/* Another Message-ID, another boundary. */
	m.message_id = "2.20241105@affild.example";
	render(&m, &other, 0);
	assert_null(strstr(buf_str(&other), boundary));
	buf_free(&other);
	buf_free(&out);
}

static void test_quoted_printable(void **state)
{
	struct mail_msg m = base_msg();
	struct buf out, crlf;
	char longline[301];
	const char *body;

	(void)state;
	memset(longline, 'x', 300);
	longline[300] = '\0';
	m.body_text = "a=b\ntrailing space \n.dot\nr\xC3\xA9sum\xC3\xA9\n";
	render(&m, &out, 0);
	body = strstr(buf_str(&out), "\r\n\r\n") + 4;
	assert_string_equal(body, "a=3Db\r\ntrailing space=20\r\n=2Edot\r\n"
			    "r=C3=A9sum=C3=A9\r\n");
	buf_free(&out);

	/* CRLF input gives the same bytes as LF input. */
	m.body_text = "ligne 1\nligne 2\n";
	render(&m, &out, 0);
	m.body_text = "ligne 1\r\nligne 2\r\n";
	render(&m, &crlf, 0);
	assert_string_equal(buf_str(&out), buf_str(&crlf));
	buf_free(&out);
	buf_free(&crlf);

	/* Long lines get soft breaks; no line passes 76. */
	m.body_text = longline;
	render(&m, &out, 0);
	assert_non_null(strstr(buf_str(&out), "=\r\n"));
	assert_crlf_only(&out, 76);
	buf_free(&out);

	/* A body without final newline still ends the message with CRLF. */
	m.body_text = "sans fin";
	render(&m, &out, 0);
	assert_string_equal(buf_str(&out) + out.len - 10, "sans fin\r\n");
	buf_free(&out);
}

static void test_max_exceeded(void **state)
{
	struct mail_msg m = base_msg();
	struct buf out;

	(void)state;
	buf_init(&out, 200);
	assert_int_equal(buf_addstr(&out, "kept"), 0);
	assert_int_equal(mail_msg_render(&m, &out), -1);
	assert_string_equal(buf_str(&out), "kept");
	buf_free(&out);
}

static void test_bad_message_id_and_to(void **state)
{
	static const char *ids[] = {
		"", "nobrackets", "<1@x>", "a b@x", "1@", "@x", "1@x@y",
	};
	struct mail_msg m = base_msg();
	struct buf out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		m.message_id = ids[i];
		render(&m, &out, -1);
		buf_free(&out);
	}
	m = base_msg();
	m.to = NULL;
	render(&m, &out, -1);
	buf_free(&out);
}

/* test_write_samples - .eml files into AFFILD_EML_DIR for check_eml.py */
static void test_write_samples(void **state)
{
	const char *dir = getenv("AFFILD_EML_DIR");
	struct mail_msg m = base_msg();
	struct buf out;
	char path[512];
	FILE *fp;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		if (i == 1) {
			m.from = "Mutuelle Générale des Salariés <a@assureur.example>";
			m.subject = "Fin de votre contrat de travail : vos garanties "
				    "santé sont maintenues gratuitement — 😀 ok";
		}
		if (i == 2)
			m.body_html = "<p>Bonjour Jean, à bientôt</p>\n";
		render(&m, &out, 0);
		snprintf(path, sizeof(path), "%s/sample%d.eml", dir, i);
		fp = fopen(path, "wb");
		assert_non_null(fp);
		assert_int_equal(fwrite(out.data, 1, out.len, fp), out.len);
		assert_int_equal(fclose(fp), 0);
		buf_free(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_message),
		cmocka_unit_test(test_date_summer_time),
		cmocka_unit_test(test_ascii_subject_plain),
		cmocka_unit_test(test_ascii_subject_folds_at_spaces),
		cmocka_unit_test(test_long_subject_encoded_words),
		cmocka_unit_test(test_from_forms),
		cmocka_unit_test(test_injection_refused),
		cmocka_unit_test(test_invalid_utf8_refused),
		cmocka_unit_test(test_addr_ok),
		cmocka_unit_test(test_identical_bytes),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_quoted_printable),
		cmocka_unit_test(test_max_exceeded),
		cmocka_unit_test(test_bad_message_id_and_to),
	};
	const struct CMUnitTest samples[] = {
		cmocka_unit_test(test_write_samples),
	};
	int rc;

	/* The Date header is in local time; pin the zone production uses. */
	setenv("TZ", "Europe/Paris", 1);
	tzset();
	log_init("test_message", LOG_LEVEL_ERR);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (rc == 0 && getenv("AFFILD_EML_DIR") != NULL)
		rc = cmocka_run_group_tests(samples, NULL, NULL);
	return rc;
}
