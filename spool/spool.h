/*
 * spool - the folders employers drop files into, and the moves that carry a
 * file through its life: in/ → .affild/work/<id> → archive/ or quarantine/.
 *
 * Layout (spool.md):
 *   <spool>/<numero>/in/, in/validation/, out/, out/validation/
 *   <spool>/portail/in/, portail/out/
 *   <spool>/.affild/work/, archive/<numero>/<AAAA-MM>/, quarantine/<numero>/
 *   <spool>/.affild/admin/in/, admin/out/: the admin drop (affilctl)
 *
 * Every move is a rename(2) inside one file system followed by an fsync of
 * the folders involved, so a crash leaves each file in exactly one place.
 *
 * Readiness ("is this file complete?") is its own small part, spool_ready.c:
 * a name that arrived by rename is ready at once; anything else once its
 * size, mtime and ctime have not changed for the employer's settle time.
 */
#ifndef AFFILD_SPOOL_H
#define AFFILD_SPOOL_H

#include <stddef.h>
#include <sys/types.h>

#include "common/date.h"
#include "config/config.h"

#define SPOOL_PORTAL "portail"
/* The admin drop's name where an employer's numero goes (file rows,
 * archive/ and quarantine/ folders); its folder is .affild/admin/. */
#define SPOOL_ADMIN "admin"
#define SPOOL_PATH_MAX 4096
/*
 * The longest drop name affild applies: its report is "<name>.<id>.cr.csv",
 * its bulletins "<name>.<id>.bulletin-<line>.pdf", all within NAME_MAX (255).
 * A longer name is refused (E015) with its report under the name cut here.
 */
#define SPOOL_NAME_MAX 200

/*
 * spool_name_fit - name, or its first SPOOL_NAME_MAX bytes cut before a
 * UTF-8 sequence, into out (SPOOL_NAME_MAX + 1 bytes at least); 1 when cut.
 */
int spool_name_fit(const char *name, char *out, size_t outlen);
/* spool_path - "<spool>/<a>/<b>..." into out; -1 when it does not fit */
int spool_path(char *out, size_t outlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * spool_drop_dir - the folder of drop (an employer's numero, "portail",
 * or SPOOL_ADMIN) under spool: "<spool>/<drop>", or "<spool>/.affild/admin"
 * for the admin drop; -1 when it does not fit.
 */
int spool_drop_dir(const char *spool, const char *drop, char *out,
		   size_t outlen);

/*
 * Layout (spool_layout.c).  spool_prepare - create and repair every folder;
 * owners: also set owners (run as root: spool.user, the employers'
 * sftp_group); verbose: print what changed.  -1 after logging what could
 * not be done (a missing group is named, never created).
 */
int spool_prepare(const struct cfg *cfg, int owners, int verbose);
/*
 * spool_check - every folder there with the owners and modes of the layout
 * for the daemon account uid; each difference is logged as path, expected,
 * found.  -1 when the daemon must not run (with spool.sftp_chroot false,
 * only missing folders count; other differences are warnings).
 */
int spool_check(const struct cfg *cfg, uid_t uid);

/* spool_temp_name - names never taken: .*, *.part, *.filepart, *.tmp, *~ */
int spool_temp_name(const char *name);

/* spool_fsync_dir - fsync a folder so a rename in it is durable */
int spool_fsync_dir(const char *dir);
/*
 * spool_mkdirs - create the missing folders of path (path itself too unless
 * parents_only), each with exactly mode whatever the umask; existing ones
 * are left as they are.  verbose: print each one made.  0, or -1 after a
 * log_err.
 */
int spool_mkdirs(const char *path, mode_t mode, int parents_only,
		 int verbose);
/* spool_move - rename from → to, then fsync both folders */
int spool_move(const char *from, const char *to);
/* spool_take - the same for a claim: 1, and nothing logged, when from is
 * gone (another daemon of a shared spool claimed it first) */
int spool_take(const char *from, const char *to);

/* spool_free_ok - 1 when dir's file system has factor*size bytes free;
 * free_bytes (may be NULL) gets what is free */
int spool_free_ok(const char *dir, long long size, long long factor,
		  long long *free_bytes);

/* Retention (spool_retention.c): files deleted by one pass. */
struct spool_purged {
	long archive, quarantine, out, print;
};

/*
 * spool_retention - delete originals in archive/ and quarantine/ claimed
 * more than the configured days before today, and files of every out/
 * older than spool.out_retention_days (by mtime, against now).  Nothing
 * else is ever deleted.
 */
void spool_retention(const struct cfg *cfg, struct date today, time_t now,
		     struct spool_purged *n);

/* Readiness (spool_ready.c). */
struct spool_ready;

struct spool_ready *spool_ready_new(void);
void spool_ready_free(struct spool_ready *r);
/* spool_ready_moved - name arrived by rename: ready at once */
void spool_ready_moved(struct spool_ready *r, const char *path);
/*
 * spool_ready_check - is path ready now?  1 ready, 0 not yet (remember it),
 * -1 not a candidate (gone, not a regular file: logged once).
 * now_ms is the monotonic clock.
 */
int spool_ready_check(struct spool_ready *r, const char *path, int settle_ms,
		      long long now_ms);
/* spool_ready_forget - the file was claimed or vanished */
void spool_ready_forget(struct spool_ready *r, const char *path);
/*
 * spool_ready_unreadable - path could not be opened (EACCES): 1 the first
 * time, so the caller logs once per file; forgotten with the file.
 * spool_ready_unreadable_count - how many such files are known, for metrics.
 */
int spool_ready_unreadable(struct spool_ready *r, const char *path);
size_t spool_ready_unreadable_count(const struct spool_ready *r);
/*
 * spool_ready_waiting - files looked at and not claimed yet: still
 * settling, or ready but not taken (no room); neither refused nor
 * unreadable.  affild --once waits one settle time for them.
 */
size_t spool_ready_waiting(const struct spool_ready *r);
/* spool_ready_sweep - forget what was not looked at for max_age_ms */
void spool_ready_sweep(struct spool_ready *r, long long now_ms,
		       long long max_age_ms);

/*
 * Trigger mode (readiness: trigger): NAME.ok or NAME.done marks NAME ready.
 * spool_trigger_marker - 1 when name is such a marker.
 * spool_ready_trigger - 1 ready (*suffix: the marker's, static), 0 not
 * yet, -1 never (not a regular file: logged once).
 * spool_ready_marker - a marker seen: logged once while its file is absent.
 */
int spool_trigger_marker(const char *name);
int spool_ready_trigger(struct spool_ready *r, const char *path,
			const char **suffix);
void spool_ready_marker(struct spool_ready *r, const char *marker_path);

#endif
