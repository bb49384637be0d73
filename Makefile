# affild - batch back end for group health insurance affiliation.
#
#   make            build bin/affild and bin/affilctl
#   make run        install missing build dependencies, build, run the demo
#   make test       unit + end-to-end tests, both again on PostgreSQL, then
#                   under ASan+UBSan
#   make bench      benchmarks (figures in docs/performance.md)
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (docs/reliability.md)
#   make stress     the crash matrix's random loop (AFFILD_STRESS_ITERATIONS,
#                   default 1000), 10,000 files, 5,000,000 movements;
#                   tens of minutes, not part of make test
#   make CC=clang   the same with clang; both must stay warning-free
#   make transitions-doc  docs/process.md's tables from process/transition.c
#   make install    as root, or DESTDIR=... for a package (docs/operations.md)
#   make deb        dist/affild_VERSION_ARCH.deb, built from a copy of the tree

CC      ?= cc
PKGS     = libxml-2.0 sqlite3 libpq libcurl yaml-0.1 libsystemd libcrypto \
           cairo-pdf pangocairo fontconfig glib-2.0 json-c
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
           -Wstrict-prototypes -Wmissing-prototypes -Wvla
ALL_CFLAGS = $(WARN) $(CPPFLAGS) $(CFLAGS) -I. $(shell pkg-config --cflags $(PKGS))
LIBS     = $(shell pkg-config --libs $(PKGS)) -lcsv
PYTHON   = /usr/bin/python3

# One folder per stage of the data flow; daemon/ and ctl/ sit on top.
LIB_DIRS = common config parsers rules process store report mail spool
LIB_SRC  = $(sort $(wildcard $(addsuffix /*.c,$(LIB_DIRS))))
D_SRC    = $(sort $(wildcard daemon/*.c))
CTL_SRC  = $(sort $(wildcard ctl/*.c))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))

# BUILD is the object folder: build/ normally, build-asan/ for sanitizers.
BUILD   ?= build
BIN     ?= bin
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
D_OBJ    = $(D_SRC:%.c=$(BUILD)/%.o)
CTL_OBJ  = $(CTL_SRC:%.c=$(BUILD)/%.o)
# The daemon's modules without main(), for the unit tests of scan.c and
# pipeline*.c; an archive, so a test links only the members it uses.
D_LIB_OBJ = $(filter-out $(BUILD)/daemon/main.o,$(D_OBJ))
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all

.PHONY: all run deps test unit e2e test-pg test-tsan test-asan bench clean check-config install \
	uninstall deb fuzz fuzz-smoke stress fault transitions-doc

all: $(BIN)/affild $(BIN)/affilctl

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libaffild.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BIN)/affild: $(D_OBJ) $(BUILD)/libaffild.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(D_OBJ) $(BUILD)/libaffild.a $(LIBS)

$(BIN)/affilctl: $(CTL_OBJ) $(BUILD)/libaffild.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CTL_OBJ) $(BUILD)/libaffild.a $(LIBS)

$(BUILD)/libaffild-daemon.a: $(D_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

# libaffild-daemon.a first: its members call into libaffild.a.
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libaffild-daemon.a $(BUILD)/libaffild.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< \
		$(BUILD)/libaffild-daemon.a $(BUILD)/libaffild.a $(LIBS) \
		$(shell pkg-config --libs cmocka)

# The fault-injection shim of the end-to-end tests (tests/fault/fault.c),
# LD_PRELOADed into affild.  Built without the sanitizers' CFLAGS: it is
# preloaded into the ASan build too, whose runtime it must not bring.
FAULT_LIB = $(BUILD)/tests/libfault.so

fault: $(FAULT_LIB)

$(FAULT_LIB): tests/fault/fault.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) -O2 -g -fPIC -shared -o $@ $< -ldl

# --- the two set-up commands ------------------------------------------

deps:
	@sh scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo-prepare.sh
	exec $(BIN)/affild -c demo/affild.yaml

# unit and e2e one after the other, not side by side under make -j.
test: deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory test-pg
	@$(MAKE) --no-print-directory test-tsan
	@$(MAKE) --no-print-directory test-asan
	@if command -v $(FUZZ_CC) >/dev/null; then \
		$(MAKE) --no-print-directory fuzz-smoke; \
	else echo "fuzz-smoke skipped: no $(FUZZ_CC)"; fi

unit: $(UNITS)
	@sh scripts/run-units.sh $(UNITS)

# Test tools the end-to-end tests run (never installed): v_nir()/v_iban()
# over stdin, compared with python-stdnum (tests/e2e/test_validate_stdnum.py);
# docs/process.md's transition tables from process/transition.c.
TOOLS    = $(BUILD)/tools/validate_verdict $(BUILD)/tools/print_transitions

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libaffild.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libaffild.a $(LIBS)

# docs/process.md's transition tables, written from the table's cells
# (tests/unit/test_process.c fails while the doc says anything else).
transitions-doc: $(BUILD)/tools/print_transitions
	sh scripts/gen-transitions.sh $<

# The end-to-end tests spend most of their time waiting on the daemon
# (settle delays, retries, timers), so with pytest-xdist
# (python3-pytest-xdist) they run on E2E_JOBS workers at once, even on two
# cores: each test has its own temporary root, ports, accounts and names
# (tests/e2e/conftest.py spreads the longest ones over the workers).
# E2E_JOBS=1, or no xdist, runs them in one process.
E2E_JOBS ?= 4
E2E_XDIST = $(shell [ "$(E2E_JOBS)" -gt 1 ] 2>/dev/null && \
	$(PYTHON) -c 'import xdist' 2>/dev/null && echo "-n $(E2E_JOBS)")

e2e: all $(FAULT_LIB) $(TOOLS)
	cd tests/e2e && AFFILD_BIN=$(CURDIR)/$(BIN) \
		AFFILD_FAULT_LIB=$(CURDIR)/$(FAULT_LIB) \
		AFFILD_TOOLS=$(CURDIR)/$(BUILD)/tools \
		$(PYTHON) -m pytest -q -p no:cacheprovider $(E2E_XDIST) .

# The unit tests and the end-to-end suite again on PostgreSQL: a throwaway
# cluster in a temporary folder (scripts/pg-cluster.sh, fsync off: only
# affild is killed, never the machine), a database per test.  The tests of
# SQLite's own file (its faults, its lock, its upgrade) skip themselves.
test-pg: all $(UNITS) $(FAULT_LIB) $(TOOLS)
	@d=$$(mktemp -d /tmp/affild-pg.XXXXXX) && rmdir "$$d" && \
	sh scripts/pg-cluster.sh start "$$d" --fast >/dev/null && \
	trap 'sh $(CURDIR)/scripts/pg-cluster.sh stop "$$d"' EXIT && \
	trap 'exit 130' INT TERM && \
	AFFILD_TEST_PG="$$d" sh scripts/run-units.sh $(UNITS) && \
	cd tests/e2e && AFFILD_TEST_PG="$$d" AFFILD_BIN=$(CURDIR)/$(BIN) \
		AFFILD_FAULT_LIB=$(CURDIR)/$(FAULT_LIB) \
		AFFILD_TOOLS=$(CURDIR)/$(BUILD)/tools \
		$(PYTHON) -m pytest -q -p no:cacheprovider $(E2E_XDIST) .

# SIGKILL at random named points and random moments, restarted without the
# shim each time (tests/e2e/test_crash_matrix.py); AFFILD_STRESS_SEED
# replays a run.
AFFILD_STRESS_ITERATIONS ?= 1000
stress: all $(FAULT_LIB)
	cd tests/e2e && AFFILD_BIN=$(CURDIR)/$(BIN) \
		AFFILD_FAULT_LIB=$(CURDIR)/$(FAULT_LIB) \
		AFFILD_STRESS_ITERATIONS=$(AFFILD_STRESS_ITERATIONS) \
		$(PYTHON) -m pytest -q -s -p no:cacheprovider \
		test_crash_matrix.py -k stress
	cd tests/e2e && AFFILD_BIN=$(CURDIR)/$(BIN) AFFILD_STRESS=1 \
		$(PYTHON) -m pytest -q -s -p no:cacheprovider test_load.py

# The crash test's loop is shorter under the sanitizers (tests/e2e/test_spool_crash.py).
# The Paris clock from two threads at once (tests/unit/test_date.c) under
# ThreadSanitizer: the first race fails the run.
TSAN_SRC = tests/unit/test_date.c common/date.c common/log.c common/util.c \
           common/utf8.c

build-tsan/test_date: $(TSAN_SRC) common/date.h common/log.h common/util.h \
		common/utf8.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O1 -g -fsanitize=thread -I. \
		$(shell pkg-config --cflags glib-2.0 cmocka) -o $@ $(TSAN_SRC) \
		$(shell pkg-config --libs glib-2.0 cmocka) -lpthread

# And the daemon built with ThreadSanitizer, the SMTP sender thread at work
# beside the main loop (test_smtp.py, test_mail_record.py): a race stops
# the daemon, and the test with it.
TSAN_E2E = test_smtp.py test_mail_record.py

test-tsan: build-tsan/test_date
	TSAN_OPTIONS=halt_on_error=1 build-tsan/test_date
	@$(MAKE) --no-print-directory BUILD=build-tsan BIN=build-tsan/bin \
		CFLAGS="-O1 -g -fsanitize=thread" all
	cd tests/e2e && TSAN_OPTIONS=halt_on_error=1 \
		AFFILD_BIN=$(CURDIR)/build-tsan/bin \
		$(PYTHON) -m pytest -q -p no:cacheprovider $(E2E_XDIST) $(TSAN_E2E)

test-asan:
	@AFFILD_CRASH_ITERATIONS=40 AFFILD_SANITIZED=1 \
	$(MAKE) --no-print-directory BUILD=build-asan BIN=build-asan/bin \
		CFLAGS="$(ASAN_FLAGS)" unit
	@AFFILD_CRASH_ITERATIONS=40 AFFILD_SANITIZED=1 \
	$(MAKE) --no-print-directory BUILD=build-asan BIN=build-asan/bin \
		CFLAGS="$(ASAN_FLAGS)" e2e

bench: all
	@sh bench/run.sh

# The timers' due check against the library (bench/bench_timers.sh).
$(BUILD)/bench/bench_timers: bench/bench_timers.c $(BUILD)/libaffild.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libaffild.a $(LIBS)

# --- fuzzing: clang's libFuzzer with ASan+UBSan, objects in build-fuzz/ ---
# The daemon's library is rebuilt with coverage instrumentation, and libcsv
# from fuzz/libcsv/ (Debian ships no source in its -dev package) so that
# the CSV parser under our reader is instrumented too.  fuzz-smoke replays
# fuzz/regress/ and fuzzes each target a few seconds: part of make test.

FUZZ_CC      = clang
FUZZ_BUILD   = build-fuzz
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_TARGETS = csv xml config validate
FUZZ_SAN     = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=all
FUZZ_CFLAGS  = $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -Ifuzz/libcsv \
               -I. $(shell pkg-config --cflags $(PKGS))
FUZZ_LIB_OBJ = $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o) \
               $(FUZZ_BUILD)/fuzz/libcsv/libcsv.o $(FUZZ_BUILD)/fuzz/fuzz_input.o
FUZZ_BINS    = $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

# libcsv's own code is C89 of 2008: its warnings are not ours to fix.
$(FUZZ_BUILD)/fuzz/libcsv/libcsv.o: fuzz/libcsv/libcsv.c fuzz/libcsv/csv.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -w -c $< -o $@

$(FUZZ_BUILD)/libaffild.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/fuzz/fuzz_%.o $(FUZZ_BUILD)/libaffild.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_BUILD)/libaffild.a $(shell pkg-config --libs $(PKGS))

fuzz: $(FUZZ_BINS)
	@sh scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke: $(FUZZ_BINS)
	@sh scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

# --- installation (packagers: make install DESTDIR=...) -----------------
#
# The unit runs as user affild: affild.sysusers makes that account and
# affild.tmpfiles its folders and the group of /etc/affild/affild.yaml and
# token.key (0640 root:affild).  Installing straight onto this system
# (no DESTDIR) applies both at once, as the .deb's postinst does; with
# DESTDIR the package does it.  Nothing is enabled or started.
# Man pages and the bash completion are installed when present.

PREFIX      ?= /usr
SYSCONF     ?= /etc
UNITDIR     ?= /lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
TMPFILESDIR ?= /usr/lib/tmpfiles.d
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DATADIR      = $(PREFIX)/share/affild
DOCDIR       = $(PREFIX)/share/doc/affild
MAN5         = $(wildcard man/*.5)
MAN8         = $(wildcard man/*.8)
BASHCOMP     = $(wildcard packaging/affilctl.bash-completion)

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(DATADIR)/templates/fr $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(SYSCONF)/affild/employers.d
	install -m 0755 $(BIN)/affild $(DESTDIR)$(PREFIX)/sbin/affild
	install -m 0755 $(BIN)/affilctl $(DESTDIR)$(PREFIX)/bin/affilctl
	install -m 0644 templates/fr/* $(DESTDIR)$(DATADIR)/templates/fr/
	install -m 0644 schemas/mouvements.xsd $(DESTDIR)$(DATADIR)/mouvements.xsd
	install -m 0644 docs/*.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 packaging/affild.service $(DESTDIR)$(UNITDIR)/affild.service
	install -m 0644 packaging/affild.sysusers $(DESTDIR)$(SYSUSERSDIR)/affild.conf
	install -m 0644 packaging/affild.tmpfiles $(DESTDIR)$(TMPFILESDIR)/affild.conf
	$(if $(MAN5),install -d $(DESTDIR)$(MANDIR)/man5)
	$(if $(MAN5),install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(MAN8),install -d $(DESTDIR)$(MANDIR)/man8)
	$(if $(MAN8),install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)
	$(if $(BASHCOMP),install -d $(DESTDIR)$(BASHCOMPDIR))
	$(if $(BASHCOMP),install -m 0644 $(BASHCOMP) $(DESTDIR)$(BASHCOMPDIR)/affilctl)
	test -e $(DESTDIR)$(SYSCONF)/affild/affild.yaml || \
		install -m 0640 packaging/affild.yaml $(DESTDIR)$(SYSCONF)/affild/affild.yaml
	@if [ -z "$(DESTDIR)" ]; then \
		set -x; systemd-sysusers $(SYSUSERSDIR)/affild.conf && \
		systemd-tmpfiles --create $(TMPFILESDIR)/affild.conf; \
	fi

# Leaves /etc/affild, the spool, the database and the account: they are
# the site's data (apt's purge does not remove them either).
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/affild $(DESTDIR)$(PREFIX)/bin/affilctl \
		$(DESTDIR)$(UNITDIR)/affild.service \
		$(DESTDIR)$(SYSUSERSDIR)/affild.conf \
		$(DESTDIR)$(TMPFILESDIR)/affild.conf \
		$(DESTDIR)$(BASHCOMPDIR)/affilctl \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

# --- Debian package ------------------------------------------------------
#
# Built from a copy of the tree in dist/src/ (without the build folders),
# so that debian/rules clean does not remove this tree's bin/ and build/
# and dpkg-buildpackage's results do not land in the parent folder.  The
# package runs no tests (make test needs root and services).

DEB_EXCLUDE = --exclude=./.git --exclude=./build --exclude=./build-asan \
	--exclude=./build-clang --exclude=./build-tsan \
	--exclude=./build-fuzz --exclude=./bin --exclude=./run --exclude=./dist \
	--exclude=__pycache__

deb:
	rm -rf dist/src
	mkdir -p dist/src/affild
	tar -c $(DEB_EXCLUDE) -f - . | tar -x -C dist/src/affild
	cd dist/src/affild && dpkg-buildpackage -b -us -uc
	mv dist/src/*.deb dist/src/*.buildinfo dist/src/*.changes dist/
	rm -rf dist/src
	@ls dist/*.deb

clean:
	rm -rf build build-asan build-tsan build-fuzz bin dist

-include $(LIB_OBJ:.o=.d) $(D_OBJ:.o=.d) $(CTL_OBJ:.o=.d) \
	$(wildcard $(FUZZ_BUILD)/*/*.d $(FUZZ_BUILD)/fuzz/*/*.d)
