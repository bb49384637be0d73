# affild - batch back end for group health insurance affiliation.
#
#   make            build bin/affild and bin/affilctl
#   make run        install missing build dependencies, build, run the demo
#   make test       unit + end-to-end tests, then both again under ASan+UBSan
#   make bench      benchmarks (figures in docs/performance.md)
#   make CC=clang   the same with clang; both must stay warning-free
#   make install    as root, or DESTDIR=... for a package (docs/operations.md)
#   make deb        dist/affild_VERSION_ARCH.deb, built from a copy of the tree

CC      ?= cc
PKGS     = libxml-2.0 sqlite3 libcurl yaml-0.1 libsystemd libcrypto \
           cairo-pdf pangocairo fontconfig glib-2.0
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
           -Wstrict-prototypes -Wmissing-prototypes -Wvla
ALL_CFLAGS = $(WARN) $(CPPFLAGS) $(CFLAGS) -I. $(shell pkg-config --cflags $(PKGS))
LIBS     = $(shell pkg-config --libs $(PKGS)) -lcsv
PYTHON   = /usr/bin/python3

# One folder per stage of the data flow; daemon/ and ctl/ sit on top.
LIB_DIRS = common config parsers rules store report mail spool
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
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all

.PHONY: all run deps test unit e2e test-tsan test-asan bench clean check-config install \
	uninstall deb

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

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libaffild.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< \
		$(BUILD)/libaffild.a $(LIBS) $(shell pkg-config --libs cmocka)

# --- the two set-up commands ------------------------------------------

deps:
	@sh scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo-prepare.sh
	exec $(BIN)/affild -c demo/affild.yaml

test: deps
	@$(MAKE) --no-print-directory unit e2e
	@$(MAKE) --no-print-directory test-tsan
	@$(MAKE) --no-print-directory test-asan

unit: $(UNITS)
	@sh scripts/run-units.sh $(UNITS)

# Test tools the end-to-end tests run (never installed): v_nir()/v_iban()
# over stdin, compared with python-stdnum (tests/e2e/test_validate_stdnum.py).
TOOLS    = $(BUILD)/tools/validate_verdict

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libaffild.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libaffild.a $(LIBS)

e2e: all $(TOOLS)
	cd tests/e2e && AFFILD_BIN=$(CURDIR)/$(BIN) AFFILD_TOOLS=$(CURDIR)/$(BUILD)/tools \
		$(PYTHON) -m pytest -q -p no:cacheprovider .

# The crash test's loop is shorter under the sanitizers (tests/e2e/test_spool_crash.py).
# The Paris clock from two threads at once (tests/unit/test_date.c) under
# ThreadSanitizer: the first race fails the run.
TSAN_SRC = tests/unit/test_date.c common/date.c common/log.c common/util.c

build-tsan/test_date: $(TSAN_SRC) common/date.h common/log.h common/util.h
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O1 -g -fsanitize=thread -I. \
		$(shell pkg-config --cflags glib-2.0 cmocka) -o $@ $(TSAN_SRC) \
		$(shell pkg-config --libs glib-2.0 cmocka) -lpthread

test-tsan: build-tsan/test_date
	TSAN_OPTIONS=halt_on_error=1 build-tsan/test_date

test-asan:
	@AFFILD_CRASH_ITERATIONS=40 AFFILD_SANITIZED=1 \
	$(MAKE) --no-print-directory BUILD=build-asan BIN=build-asan/bin \
		CFLAGS="$(ASAN_FLAGS)" unit e2e

bench: all
	@sh bench/run.sh

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
	--exclude=./build-clang --exclude=./bin --exclude=./run --exclude=./dist \
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
	rm -rf build build-asan build-tsan bin dist

-include $(LIB_OBJ:.o=.d) $(D_OBJ:.o=.d) $(CTL_OBJ:.o=.d)
