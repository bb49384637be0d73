/*
 * report - streaming compte rendu writer, CSV or XML.
 *
 * Every write is checked, and the first failure sticks: a report that could
 * not be written whole is never renamed into out/ (report_close() says -1
 * and the file's transaction is rolled back).
 *
 * The XML report is written by libxml2's xmlTextWriter, which does the
 * escaping, through an output buffer over the report's FILE: each <ligne/>
 * is pushed to the file as it is written, nothing is built in memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlwriter.h>

#include "common/log.h"
#include "common/utf8.h"
#include "common/util.h"
#include "report/report.h"

struct report {
	FILE *fp;
	xmlTextWriterPtr xw;	/* REPORT_XML: writes into fp */
	char *path;
	enum report_format fmt;
	int failed;
};

/* check - after a write: the first failure logged with errno and path;
 * xml_rc is what libxml2's writer said (0 for the CSV formats) */
static int check(struct report *r, int xml_rc)
{
	if ((ferror(r->fp) || xml_rc < 0) && !r->failed) {
		r->failed = 1;
		log_err_errno("event=report_write_failed path=%s", r->path);
	}
	return r->failed ? -1 : 0;
}

/* csv_cell - one cell: formula guard, then RFC 4180 quoting if needed */
static void csv_cell(FILE *fp, const char *v)
{
	int guard = strchr("=+-@\t\r", v[0]) != NULL && v[0] != '\0';
	int quote = guard || strpbrk(v, ";\"\r\n") != NULL;
	size_t n;

	if (!quote) {		/* the common case: the value as it is */
		fputs(v, fp);
		return;
	}
	fputc('"', fp);
	if (guard)
		fputc('\'', fp);
	while (*v) {		/* each '"' doubled */
		n = strcspn(v, "\"");
		fwrite(v, 1, n, fp);
		v += n;
		if (*v == '"') {
			fputs("\"\"", fp);
			v++;
		}
	}
	fputc('"', fp);
}

/*
 * xml_clean - v as XML 1.0 can carry it: a byte that is not UTF-8 and a
 * control character other than TAB, LF and CR (XML has no way to write
 * them, even escaped) become U+FFFD, so that the report always parses.
 * Returns v itself when it is clean, else a copy in *tmp (owned: free).
 */
static const char *xml_clean(const char *v, char **tmp)
{
	size_t n, o = 0, len = strlen(v);
	const char *p;
	int clean = utf8_valid(v, len);

	for (p = v; clean && *p; p++)
		clean = (unsigned char)*p >= 0x20 || strchr("\t\n\r", *p);
	*tmp = NULL;
	if (clean)
		return v;
	*tmp = xmalloc(3 * len + 1);
	for (p = v; *p; p += n) {
		n = utf8_char_len(p, strnlen(p, 4));
		if (n == 0 || ((unsigned char)*p < 0x20 &&
			       strchr("\t\n\r", *p) == NULL)) {
			memcpy(*tmp + o, "\xEF\xBF\xBD", 3);
			o += 3;
			n = 1;
			continue;
		}
		memcpy(*tmp + o, p, n);
		o += n;
	}
	(*tmp)[o] = '\0';
	return *tmp;
}

/* xml_attr - name="value": escaping is libxml2's, cleaning ours */
static int xml_attr(xmlTextWriterPtr xw, const char *name, const char *v)
{
	char *tmp;
	int rc;

	rc = xmlTextWriterWriteAttribute(xw, BAD_CAST name,
					 BAD_CAST xml_clean(v, &tmp));
	free(tmp);
	return rc;
}

/* xml_out - libxml2's output buffer writes through the report's FILE, so
 * that ferror() and report_close()'s fsync see every byte */
static int xml_out(void *ctx, const char *buf, int len)
{
	return fwrite(buf, 1, (size_t)len, ctx) == (size_t)len ? len : -1;
}

/* xml_start - the writer over r->fp and the open <compte_rendu> */
static int xml_start(struct report *r, const char *input_name)
{
	xmlOutputBufferPtr out = xmlOutputBufferCreateIO(xml_out, NULL, r->fp,
							 NULL);

	if (out == NULL || (r->xw = xmlNewTextWriter(out)) == NULL) {
		if (out != NULL)
			(void)xmlOutputBufferClose(out);
		return -1;
	}
	if (xmlTextWriterSetIndent(r->xw, 1) < 0 ||
	    xmlTextWriterSetIndentString(r->xw, BAD_CAST "  ") < 0 ||
	    xmlTextWriterStartDocument(r->xw, NULL, "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(r->xw, BAD_CAST "compte_rendu") < 0 ||
	    xml_attr(r->xw, "fichier", input_name) < 0)
		return -1;
	return 0;
}

/* xml_line - one <ligne/>, pushed to the FILE at once */
static int xml_line(struct report *r, long line, const char *const v[6])
{
	static const char *const names[6] = { "operation", "nir", "resultat",
					      "code", "champ", "message" };
	int i;

	if (xmlTextWriterStartElement(r->xw, BAD_CAST "ligne") < 0 ||
	    xmlTextWriterWriteFormatAttribute(r->xw, BAD_CAST "numero", "%ld",
					      line) < 0)
		return -1;
	for (i = 0; i < 6; i++)
		if (xml_attr(r->xw, names[i], v[i]) < 0)
			return -1;
	if (xmlTextWriterEndElement(r->xw) < 0 ||
	    xmlTextWriterFlush(r->xw) < 0)
		return -1;
	return 0;
}

/* xml_end - <resume/> and the end of the document */
static int xml_end(struct report *r, int rc, const struct report_counts *c)
{
	if (xmlTextWriterStartElement(r->xw, BAD_CAST "resume") < 0 ||
	    xmlTextWriterWriteFormatAttribute(r->xw, BAD_CAST "code_retour",
					      "%d", rc) < 0 ||
	    xmlTextWriterWriteFormatAttribute(r->xw, BAD_CAST "mouvements",
					      "%ld", c->movements) < 0 ||
	    xmlTextWriterWriteFormatAttribute(r->xw, BAD_CAST "acceptes",
					      "%ld", c->accepted) < 0 ||
	    xmlTextWriterWriteFormatAttribute(r->xw, BAD_CAST "rejetes",
					      "%ld", c->rejected) < 0 ||
	    xmlTextWriterWriteFormatAttribute(r->xw, BAD_CAST
					      "avertissements", "%ld",
					      c->warnings) < 0 ||
	    xmlTextWriterEndDocument(r->xw) < 0 ||
	    xmlTextWriterFlush(r->xw) < 0)
		return -1;
	return 0;
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
	else if (xml_start(r, input_name) < 0)
		(void)check(r, -1);	/* report_close() will say so */
	return r;
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
		const char *const v[6] = { op ? op : "", nir ? nir : "",
			result, code, field ? field : "", msg ? msg : "" };

		if (r->failed)
			return -1;
		return check(r, xml_line(r, line, v));
	}
	return check(r, 0);
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
	return check(r, 0);
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
	if (report_line(r, 0, "FICHIER", "", report_result(rc), code, "",
			msg) < 0)
		return -1;
	return check(r, xml_end(r, rc, c));
}

/* xml_free - the writer released; its output buffer does not own fp */
static void xml_free(struct report *r)
{
	if (r->xw != NULL)
		xmlFreeTextWriter(r->xw);
	r->xw = NULL;
}

/* report_close - make the report durable; it is renamed by the caller */
int report_close(struct report *r)
{
	char qp[LOG_QUOTE_MAX];
	int rc;

	if (r->xw != NULL && xmlTextWriterFlush(r->xw) < 0)
		(void)check(r, -1);
	xml_free(r);
	rc = r->failed ? -1 : 0;
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
	xml_free(r);
	(void)fclose(r->fp);
	(void)unlink(r->path);
	free(r->path);
	free(r);
}
