/*
 * fault - an LD_PRELOAD shim that makes chosen calls of affild fail, or
 * kill it, at a named point: test tooling (tests/e2e/test_crash_matrix.py,
 * test_io_faults.py), never linked into affild.
 *
 *   LD_PRELOAD=build/tests/libfault.so \
 *   AFFILD_FAULT="op=rename,path=*.cr.csv,nth=1,action=errno:EIO" affild
 *
 * AFFILD_FAULT: rules separated by ';', each key=value pairs joined by ',':
 *   op=        write (write) | pwrite (pwrite, pwrite64: SQLite's pages)
 *              | fsync | fdatasync | rename (rename, renameat) | open
 *              (open, open64, openat, openat64 with O_CREAT or O_TMPFILE)
 *              | open_any (any of them) | unlink | mkdir; several joined
 *              by '|'
 *   path=      fnmatch(3) glob, flags 0 ('*' crosses '/'), default "*", on
 *              the path as given (openat/renameat: as given, relative to
 *              their dirfd); rename: the NEW path; write, pwrite, fsync,
 *              fdatasync: readlink(/proc/self/fd/N), e.g.
 *              "anon_inode:[eventfd]"
 *   from=      rename: a glob on the old path too
 *   nth=       the Nth matching call is the first hit (1-based, default 1)
 *   count=     how many calls are hit from the Nth on (default 1; 0: all)
 *   after_ms=  calls within this many ms of the shim's load do not count
 *   after_rule= calls before rule N has hit do not count ("the 3rd write
 *              to the WAL after the report was created")
 *   action=    errno:EIO (ENOSPC, EDQUOT, EROFS, EACCES...): not made,
 *              -1 with that errno | kill: SIGKILL instead of the call |
 *              kill_after: SIGKILL once it returned | delay:MS: made MS ms
 *              late | trace: made, only logged (to find a point's nth)
 * Each hit is one line on stderr, before any kill, so that a test can tell
 * the point was reached: "affild-fault: rule=1 op=rename call=1 ...".
 * Calls are counted across threads (atomics); rules are parsed at load.
 *
 * Covered: calls through the PLT, i.e. affild's own open/write/fsync/
 * rename/unlink/mkdir, libsqlite3's open64/pwrite64/fdatasync/write/
 * unlink/mkdir, libcurl's open/rename, cairo's writes (affild's callback).
 * Not covered: glibc's internal calls.  stdio (fprintf, fwrite, fflush,
 * fclose) writes through the internal __write, so a report written with
 * stdio (report.c) cannot be failed at write(2), only at its fsync(2);
 * fopen(3)'s open, syscall(2), stores into mmap'd memory (SQLite's -shm),
 * pwritev, writev and send are not seen either.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
	OP_WRITE = 1 << 0, OP_PWRITE = 1 << 1, OP_FSYNC = 1 << 2,
	OP_FDATASYNC = 1 << 3, OP_RENAME = 1 << 4, OP_OPEN = 1 << 5,
	OP_OPEN_ANY = 1 << 6, OP_UNLINK = 1 << 7, OP_MKDIR = 1 << 8,
};

static const struct { const char *name; unsigned op; } op_names[] = {
	{ "write", OP_WRITE }, { "pwrite", OP_PWRITE }, { "fsync", OP_FSYNC },
	{ "fdatasync", OP_FDATASYNC }, { "rename", OP_RENAME },
	{ "renameat", OP_RENAME }, { "open", OP_OPEN }, { "openat", OP_OPEN },
	{ "open_any", OP_OPEN_ANY }, { "unlink", OP_UNLINK },
	{ "mkdir", OP_MKDIR },
};

#define E(e) { #e, e }
static const struct { const char *name; int err; } errno_names[] = {
	E(EIO), E(ENOSPC), E(EDQUOT), E(EROFS), E(EACCES), E(EPERM),
	E(ENOENT), E(EEXIST), E(EXDEV), E(EMFILE), E(ENFILE), E(ENOMEM),
	E(EINTR), E(EAGAIN), E(EBUSY), E(EFBIG), E(ENAMETOOLONG),
};
#undef E
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define RULES_MAX 8
#define GLOB_MAX 512

enum action { ACT_ERRNO, ACT_KILL, ACT_KILL_AFTER, ACT_TRACE, ACT_DELAY };

struct rule {
	unsigned ops;
	char path[GLOB_MAX];
	char from[GLOB_MAX];		/* "" = any */
	long nth, count, after_ms;
	int after_rule;			/* 0, or a rule that must hit first */
	enum action action;
	char action_text[32];		/* as written, for the log line */
	int err;
	long calls;			/* matching calls so far (atomic) */
};

static struct rule rules[RULES_MAX];
static int nrules;
static unsigned ops_wanted;		/* the union of the rules' ops */
static long long loaded_ms;

/* The next definition of each function we wrap (libc's), found lazily:
 * another library's constructor may call us before ours has run. */
#define REAL(name) \
	static __typeof__(name) *real_##name; \
	if (real_##name == NULL) \
		real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* say - one line on stderr, through libc's write, not ours */
static void say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;
	REAL(write);

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || real_write == NULL)
		return;
	n = n > (int)sizeof(line) - 2 ? (int)sizeof(line) - 2 : n;
	line[n++] = '\n';
	(void)!real_write(2, line, (size_t)n);
}

/* parse_ops - "rename|write" into a mask; 0 if a name is unknown */
static unsigned parse_ops(const char *v)
{
	char buf[128], *save = NULL, *tok;
	unsigned mask = 0;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, "|", &save); tok;
	     tok = strtok_r(NULL, "|", &save)) {
		for (i = 0; i < NELEM(op_names); i++)
			if (strcmp(tok, op_names[i].name) == 0)
				break;
		if (i == NELEM(op_names))
			return 0;
		mask |= op_names[i].op;
	}
	return mask;
}

/* parse_number - a non-negative decimal, or -1 */
static long parse_number(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	return *v && *end == '\0' && n >= 0 ? n : -1;
}

/* parse_action - errno:NAME, kill, kill_after, delay:MS, trace; or -1 */
static int parse_action(struct rule *r, const char *v)
{
	size_t i;

	snprintf(r->action_text, sizeof(r->action_text), "%s", v);
	if (strncmp(v, "delay:", 6) == 0) {
		r->action = ACT_DELAY;
		return (r->err = (int)parse_number(v + 6)) < 0 ? -1 : 0;
	}
	r->action = strcmp(v, "trace") == 0 ? ACT_TRACE :
		    strcmp(v, "kill") == 0 ? ACT_KILL :
		    strcmp(v, "kill_after") == 0 ? ACT_KILL_AFTER : ACT_ERRNO;
	if (r->action != ACT_ERRNO)
		return 0;
	for (i = 0; strncmp(v, "errno:", 6) == 0 && i < NELEM(errno_names); i++)
		if (strcmp(v + 6, errno_names[i].name) == 0)
			return (r->err = errno_names[i].err) ? 0 : -1;
	return -1;
}

/* parse_rule - "op=...,path=...,..." into r; -1 with a message if bad */
static int parse_rule(struct rule *r, char *text)
{
	char *save = NULL, *kv, *eq, *last = text;
	int bad = 0;

	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "*");
	r->nth = r->count = 1;
	for (kv = strtok_r(text, ",", &save); kv && !bad;
	     kv = strtok_r(NULL, ",", &save)) {
		last = kv;
		if ((eq = strchr(kv, '=')) == NULL) {
			bad = 1;
			break;
		}
		*eq++ = '\0';
		if (strcmp(kv, "op") == 0)
			bad = (r->ops = parse_ops(eq)) == 0;
		else if (strcmp(kv, "path") == 0 || strcmp(kv, "from") == 0)
			bad = snprintf(*kv == 'p' ? r->path : r->from, GLOB_MAX,
				       "%s", eq) >= GLOB_MAX;
		else if (strcmp(kv, "nth") == 0)
			bad = (r->nth = parse_number(eq)) < 1;
		else if (strcmp(kv, "count") == 0)
			bad = (r->count = parse_number(eq)) < 0;
		else if (strcmp(kv, "after_rule") == 0)
			bad = (r->after_rule = (int)parse_number(eq)) < 1 ||
			      r->after_rule > RULES_MAX;
		else if (strcmp(kv, "after_ms") == 0)
			bad = (r->after_ms = parse_number(eq)) < 0;
		else if (strcmp(kv, "action") == 0)
			bad = parse_action(r, eq) < 0;
		else
			bad = 1;
	}
	if (bad || r->ops == 0) {
		say("affild-fault: bad rule near \"%s\"", last);
		return -1;
	}
	return 0;
}

/* load - parse AFFILD_FAULT once; a bad spec is fatal: a test that thinks
 * it injects a fault must not silently run without it */
__attribute__((constructor)) static void load(void)
{
	const char *env = getenv("AFFILD_FAULT");
	char *buf, *save = NULL, *text;

	loaded_ms = mono_ms();
	if (env == NULL || (buf = strdup(env)) == NULL)
		return;		/* buf is kept: the rules are for the process */
	for (text = strtok_r(buf, ";", &save); text;
	     text = strtok_r(NULL, ";", &save)) {
		if (nrules == RULES_MAX || parse_rule(&rules[nrules], text) < 0) {
			say("affild-fault: bad AFFILD_FAULT \"%s\"", env);
			_exit(70);
		}
		ops_wanted |= rules[nrules++].ops;
	}
}

/* die - SIGKILL to the whole process, now; never returns */
static void die(void)
{
	for (;;) {
		kill(getpid(), SIGKILL);
		pause();
	}
}

/*
 * fault - the verdict for one call: 0 go on, -1 fail (errno set), 1 make
 * the call then die (kill_after).  kill dies here.  The first rule that
 * hits decides; every matching rule counts the call.
 */
static int fault(unsigned op, const char *fn, const char *path,
		 const char *from)
{
	long long now = -1;
	int i, verdict = 0;

	for (i = 0; i < nrules; i++) {
		struct rule *r = &rules[i];
		long n;

		if (!(r->ops & op) || path == NULL ||
		    fnmatch(r->path, path, 0) != 0 ||
		    (r->from[0] && (from == NULL ||
				    fnmatch(r->from, from, 0) != 0)))
			continue;
		if (r->after_rule && __atomic_load_n(&rules[r->after_rule - 1].
						     calls, __ATOMIC_SEQ_CST) <
				     rules[r->after_rule - 1].nth)
			continue;
		if (r->after_ms > 0) {
			if (now < 0)
				now = mono_ms();
			if (now - loaded_ms < r->after_ms)
				continue;
		}
		n = __atomic_add_fetch(&r->calls, 1, __ATOMIC_SEQ_CST);
		if (verdict != 0 || n < r->nth ||
		    (r->count > 0 && n >= r->nth + r->count))
			continue;
		say("affild-fault: rule=%d op=%s call=%ld action=%s path=%s%s%s",
		    i + 1, fn, n, r->action_text, path,
		    from ? " from=" : "", from ? from : "");
		if (r->action == ACT_KILL)
			die();
		if (r->action == ACT_DELAY)
			usleep((useconds_t)r->err * 1000);
		if (r->action == ACT_TRACE || r->action == ACT_DELAY)
			continue;
		if (r->action == ACT_ERRNO)
			errno = r->err;
		verdict = r->action == ACT_KILL_AFTER ? 1 : -1;
	}
	return verdict;
}

/* fault_fd - the same for a descriptor, named by /proc/self/fd */
static int fault_fd(unsigned op, const char *fn, int fd)
{
	char link[64], path[GLOB_MAX];
	ssize_t n;

	if (!(ops_wanted & op))
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	return fault(op, fn, path, NULL);
}

/*
 * The wrappers.  WRAP: the verdict, then the real call unless it failed;
 * kill_after dies once it returned.  REAL is resolved per function.
 */
#define WRAP(verdict, call) do { \
	int v_ = (verdict); \
	__typeof__(call) rc_; \
	if (v_ < 0) \
		return -1; \
	rc_ = call; \
	if (v_ > 0) \
		die(); \
	return rc_; \
} while (0)

/* open_op - O_CREAT (or O_TMPFILE) opens are "open", all are "open_any" */
static unsigned open_op(int flags)
{
	return OP_OPEN_ANY | ((flags & O_CREAT) ||
			      (flags & O_TMPFILE) == O_TMPFILE ? OP_OPEN : 0);
}

/* OPEN - open, open64, openat, openat64: the mode is there with O_CREAT */
#define OPEN(name, params, args) \
int name params \
{ \
	mode_t mode = 0; \
	REAL(name); \
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) { \
		va_list ap; \
		va_start(ap, flags); \
		mode = va_arg(ap, mode_t); \
		va_end(ap); \
	} \
	WRAP(fault(open_op(flags), #name, path, NULL), real_##name args); \
}

OPEN(open, (const char *path, int flags, ...), (path, flags, mode))
OPEN(open64, (const char *path, int flags, ...), (path, flags, mode))
OPEN(openat, (int dirfd, const char *path, int flags, ...),
     (dirfd, path, flags, mode))
OPEN(openat64, (int dirfd, const char *path, int flags, ...),
     (dirfd, path, flags, mode))

/* BY_FD - a call on a descriptor, matched by the file's name */
#define BY_FD(type, name, op, params, args) \
type name params \
{ \
	REAL(name); \
	WRAP(fault_fd(op, #name, fd), real_##name args); \
}

BY_FD(ssize_t, write, OP_WRITE, (int fd, const void *buf, size_t len),
      (fd, buf, len))
BY_FD(ssize_t, pwrite, OP_PWRITE,
      (int fd, const void *buf, size_t len, off_t off), (fd, buf, len, off))
BY_FD(ssize_t, pwrite64, OP_PWRITE,
      (int fd, const void *buf, size_t len, off64_t off), (fd, buf, len, off))
BY_FD(int, fsync, OP_FSYNC, (int fd), (fd))
BY_FD(int, fdatasync, OP_FDATASYNC, (int fd), (fd))

/* BY_PATH - a call on a path (rename: on its new path, and its old) */
#define BY_PATH(name, op, params, path, from, args) \
int name params \
{ \
	REAL(name); \
	WRAP(fault(op, #name, path, from), real_##name args); \
}

BY_PATH(rename, OP_RENAME, (const char *from, const char *to), to, from,
	(from, to))
BY_PATH(renameat, OP_RENAME, (int fromfd, const char *from, int tofd,
	const char *to), to, from, (fromfd, from, tofd, to))
BY_PATH(unlink, OP_UNLINK, (const char *path), path, NULL, (path))
BY_PATH(mkdir, OP_MKDIR, (const char *path, mode_t mode), path, NULL,
	(path, mode))
