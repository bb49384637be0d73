/*
 * report - streaming compte rendu writer, CSV or XML.
 *
 * Every write is checked, and the first failure sticks: a report that could
 * not be written whole is never renamed into out/ (report_close() says -1
 * and the file's transaction is rolled back).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "report/report.h"

struct report {
	FILE *fp;
	char *path;
	enum report_format fmt;
	int failed;
};

static void xml_attr(FILE *fp, const char *name, const char *v);

/* check - after a write: the first failure logged with errno and path */
static int check(struct report *r)
{
	if (ferror(r->fp) && !r->failed) {
		r->failed = 1;
		log_err_errno("event=report_write_failed path=%s", r->path);
	}
	return r->failed ? -1 : 0;
}

/* report_open - a fresh temporary report at path */
struct report *report_open(const char *path, enum report_format fmt,
			   const char *input_name)
{
	char qp[LOG_QUOTE_MAX];
	struct report *r;
	int fd;

	if (unlink(path) < 0 && errno != ENOENT) {
		log_err_errno("event=report_unlink path=%s",
			      log_quote(qp, sizeof(qp), path));
		return NULL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0) {
		log_err_errno("event=report_create path=%s",
			      log_quote(qp, sizeof(qp), path));
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->fp = fdopen(fd, "w");
	if (r->fp == NULL) {
		log_err_errno("event=report_create path=%s",
			      log_quote(qp, sizeof(qp), path));
		close(fd);
		free(r);
		return NULL;
	}
	r->path = xstrdup(path);
	r->fmt = fmt;
	if (fmt == REPORT_CSV)
		fputs("\xEF\xBB\xBFligne;operation;nir;resultat;code;champ;"
		      "message\r\n", r->fp);
	else if (fmt == REPORT_TABLE)
		fputs("\xEF\xBB\xBF", r->fp);
	else
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
		      r->fp);
	if (fmt == REPORT_XML) {
		fputs("<compte_rendu", r->fp);
		xml_attr(r->fp, "fichier", input_name);
		fputs(">\n", r->fp);
	}
	return r;
}

/* csv_cell - one cell: formula guard, then RFC 4180 quoting if needed */
static void csv_cell(FILE *fp, const char *v)
{
	int guard = strchr("=+-@\t\r", v[0]) != NULL && v[0] != '\0';
	int quote = guard || strpbrk(v, ";\"\r\n") != NULL;

	if (quote)
		fputc('"', fp);
	if (guard)
		fputc('\'', fp);
	for (; *v; v++) {
		if (*v == '"')
			fputc('"', fp);
		fputc(*v, fp);
	}
	if (quote)
		fputc('"', fp);
}

/* utf8_len - length of the valid UTF-8 sequence at s, 0 if invalid */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/*
 * xml_attr - name="value", escaped.  XML 1.0 has no way to write most
 * control characters, and a file name may not be UTF-8: both become
 * U+FFFD so that the report always parses.
 */
static void xml_attr(FILE *fp, const char *name, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t n;

	fprintf(fp, " %s=\"", name);
	while (*p) {
		switch (*p) {
		case '"': fputs("&quot;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '\n': fputs("&#10;", fp); break;
		case '\r': fputs("&#13;", fp); break;
		case '\t': fputs("&#9;", fp); break;
		default:
			n = utf8_len(p);
			if (n == 0 || *p < 0x20) {
				fputs("\xEF\xBF\xBD", fp);
				p++;
				continue;
			}
			fwrite(p, 1, n, fp);
			p += n;
			continue;
		}
		p++;
	}
	fputc('"', fp);
}

int report_line(struct report *r, long line, const char *op, const char *nir,
		const char *result, const char *code, const char *field,
		const char *msg)
{
	if (r->fmt == REPORT_CSV) {
		fprintf(r->fp, "%ld;", line);
		csv_cell(r->fp, op ? op : "");
		fputc(';', r->fp);
		csv_cell(r->fp, nir ? nir : "");
		fprintf(r->fp, ";%s;%s;", result, code);
		csv_cell(r->fp, field ? field : "");
		fputc(';', r->fp);
		csv_cell(r->fp, msg ? msg : "");
		fputs("\r\n", r->fp);
	} else {
		fprintf(r->fp, "  <ligne numero=\"%ld\"", line);
		xml_attr(r->fp, "operation", op ? op : "");
		xml_attr(r->fp, "nir", nir ? nir : "");
		xml_attr(r->fp, "resultat", result);
		xml_attr(r->fp, "code", code);
		xml_attr(r->fp, "champ", field ? field : "");
		xml_attr(r->fp, "message", msg ? msg : "");
		fputs("/>\n", r->fp);
	}
	return check(r);
}

int report_row(struct report *r, const char *const *vals, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i)
			fputc(';', r->fp);
		csv_cell(r->fp, vals[i] ? vals[i] : "");
	}
	fputs("\r\n", r->fp);
	return check(r);
}

const char *report_result(int rc)
{
	return rc == 0 ? "ACCEPTE" : rc == 1 ? "AVERTISSEMENT" : "REJETE";
}

int report_summary(struct report *r, int rc, const struct report_counts *c,
		   const char *note)
{
	char msg[512], code[8];

	snprintf(code, sizeof(code), "CR%d", rc);
	snprintf(msg, sizeof(msg), "code retour %d : %ld mouvement%s, %ld "
		 "accepté%s, %ld rejeté%s, %ld avertissement%s%s%s", rc,
		 c->movements, c->movements > 1 ? "s" : "", c->accepted,
		 c->accepted > 1 ? "s" : "", c->rejected,
		 c->rejected > 1 ? "s" : "", c->warnings,
		 c->warnings > 1 ? "s" : "", note ? " ; " : "",
		 note ? note : "");
	if (r->fmt == REPORT_CSV)
		return report_line(r, 0, "FICHIER", "", report_result(rc),
				   code, "", msg);
	report_line(r, 0, "FICHIER", "", report_result(rc), code, "", msg);
	fprintf(r->fp, "  <resume code_retour=\"%d\" mouvements=\"%ld\" "
		"acceptes=\"%ld\" rejetes=\"%ld\" avertissements=\"%ld\"/>\n"
		"</compte_rendu>\n", rc, c->movements, c->accepted,
		c->rejected, c->warnings);
	return check(r);
}

/* report_close - make the report durable; it is renamed by the caller */
int report_close(struct report *r)
{
	char qp[LOG_QUOTE_MAX];
	int rc = r->failed ? -1 : 0;

	if (fflush(r->fp) != 0 || fsync(fileno(r->fp)) != 0) {
		log_err_errno("event=report_sync path=%s",
			      log_quote(qp, sizeof(qp), r->path));
		rc = -1;
	}
	if (fclose(r->fp) != 0) {
		log_err_errno("event=report_close path=%s",
			      log_quote(qp, sizeof(qp), r->path));
		rc = -1;
	}
	free(r->path);
	free(r);
	return rc;
}

void report_discard(struct report *r)
{
	if (r == NULL)
		return;
	(void)fclose(r->fp);
	(void)unlink(r->path);
	free(r->path);
	free(r);
}
