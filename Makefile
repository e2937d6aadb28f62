# pouch: build, test and install.  Plain GNU make; outputs go to $(BUILD).
# Quick start on a fresh Debian 12 machine, as root: `make demo`, `make check`.

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
SANITIZE ?=
# FAULTS=1 compiles in the fault-injection hook (POUCH_FAULT=site:n); only test builds have it.
FAULTS ?=
EXTRA_CFLAGS ?=
EXTRA_LDFLAGS ?=
PROVE ?= prove
# Test scripts run side by side (each in its own scratch directory, on ports the kernel picks);
# the slowest start first so that the jobs end together (`prove --timer` shows the times).
TEST_JOBS ?= 6
PROVE_FLAGS ?= -j$(TEST_JOBS) --failures --comments

# Debian 12 packages the build, the tests and the programs need (sqlite3 and systemd: the
# tests read the stores with the sqlite3 shell and check the unit with systemd-analyze).
DEBS = gcc make pkg-config perl gnupg gpg-agent libgpgme-dev libjansson-dev libcmocka-dev \
       libarchive-dev libgcrypt20-dev libcurl4-openssl-dev libmicrohttpd-dev libgnutls28-dev \
       libsqlite3-dev openssl curl python3 python3-jsonschema python3-yaml util-linux time bc \
       sqlite3 systemd scdoc mandoc bsdextrautils

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PKGS = gpgme gpg-error libgcrypt jansson libarchive libcurl libmicrohttpd gnutls sqlite3
WARN = -Wall -Wextra -Wpedantic -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
       -Wvla -Wwrite-strings -Wformat=2
CFLAGS ?= -O2 -g
# CFLAGS and LDFLAGS stay the user's (optimisation, hardening); the project's flags come apart.
ALL_CFLAGS = -std=c17 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) -Ipkg \
             -DPOUCH_VERSION='"$(VERSION)"' $(if $(FAULTS),-DPOUCH_FAULTS) $(SAN_FLAGS) $(CFLAGS) \
             $(EXTRA_CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) -pthread $(LDFLAGS) $(EXTRA_LDFLAGS)
ifneq ($(SANITIZE),)
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=$(SANITIZE) -fno-omit-frame-pointer
endif

# pkg-config is asked only by goals that compile, so `make deps` works before it is installed.
NEED_LIBS := $(filter-out deps fuzz-deps clean help uninstall,$(or $(MAKECMDGOALS),all))
ifneq ($(NEED_LIBS),)
ifeq ($(filter check demo bench fuzz deb,$(MAKECMDGOALS)),)
ifneq ($(shell pkg-config --exists $(PKGS) cmocka 2>/dev/null && echo ok),ok)
$(error missing libraries ($(PKGS) cmocka): run 'make deps' as root)
endif
LIB_CFLAGS := $(shell pkg-config --cflags $(PKGS))
LIB_LIBS := $(shell pkg-config --libs $(PKGS))
# The programs load libcurl and libarchive when a command first needs them (pkg/base/dynlib.h)
# instead of linking them: their dozens of dependencies would cost every run of pouch.
PROG_LIBS := $(shell pkg-config --libs $(filter-out libcurl libarchive,$(PKGS)))
CMOCKA_LIBS := $(shell pkg-config --libs cmocka)
endif
endif

PKG_SRC := $(sort $(wildcard pkg/*/*.c))
PKG_OBJ := $(PKG_SRC:%.c=$(BUILD)/%.o)
POUCH_SRC := $(sort $(wildcard cmd/pouch/*.c))
POUCH_OBJ := $(POUCH_SRC:%.c=$(BUILD)/%.o)
POUCHD_SRC := $(sort $(wildcard cmd/pouchd/*.c))
POUCHD_OBJ := $(POUCHD_SRC:%.c=$(BUILD)/%.o)
# Man pages, written once in scdoc (docs/man/NAME.N.scd) and built to $(BUILD)/man/NAME.N;
# `make test` lints them with mandoc, and pouch carries them as text for `pouch help`.
MAN_SRC := $(sort $(wildcard docs/man/*.scd))
MAN_PAGES := $(MAN_SRC:docs/man/%.scd=$(BUILD)/man/%)
POUCH_OBJ += $(BUILD)/gen/help_pages.o
ifeq ($(origin SOURCE_DATE_EPOCH),undefined)
SOURCE_DATE_EPOCH := $(or $(shell git log -1 --format=%ct -- docs/man 2>/dev/null),$(shell date +%s))
endif
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
HDRS := $(wildcard pkg/*/*.h cmd/pouch/*.h cmd/pouchd/*.h tests/unit/*.h)
# Fuzz harnesses (tests/fuzz/fuzz_NAME.c): replayed over their corpus by a plain driver in
# every build ($(BUILD)/fuzz/fuzz_NAME, part of `make test`), searched with libFuzzer by
# `make fuzz`.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_RUN := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_HDRS := $(HDRS) tests/fuzz/fuzz.h

.PHONY: all deps check test run-tests unit-build asan-check demo bench install clean help fuzz \
	fuzz-build fuzz-deps fuzz-merge man man-lint
.DELETE_ON_ERROR:

all: $(BUILD)/pouch $(if $(POUCHD_SRC),$(BUILD)/pouchd)

help:
	@echo 'targets: all deps check test demo bench fuzz fuzz-merge man install uninstall deb clean'

$(BUILD)/%.o: %.c $(HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -c -o $@ $<

$(BUILD)/libpouch.a: $(PKG_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/pouch: $(POUCH_OBJ) $(BUILD)/libpouch.a
	$(CC) $(ALL_CFLAGS) -o $@ $(POUCH_OBJ) $(BUILD)/libpouch.a $(ALL_LDFLAGS) $(PROG_LIBS)

$(BUILD)/pouchd: $(POUCHD_OBJ) $(BUILD)/libpouch.a
	$(CC) $(ALL_CFLAGS) -o $@ $(POUCHD_OBJ) $(BUILD)/libpouch.a $(ALL_LDFLAGS) $(PROG_LIBS)

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libpouch.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -o $@ $< $(BUILD)/libpouch.a $(ALL_LDFLAGS) $(LIB_LIBS) \
	  $(CMOCKA_LIBS)

unit-build: $(UNIT_BIN) $(FUZZ_RUN)

# The standalone driver: each harness over its committed inputs, once (TAP, for prove).
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c tests/fuzz/fuzz.c \
		      $(BUILD)/libpouch.a $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -Itests/fuzz -o $@ $< tests/fuzz/driver.c tests/fuzz/fuzz.c \
	  $(BUILD)/libpouch.a $(ALL_LDFLAGS) $(LIB_LIBS)

# The libFuzzer binaries, in a clang build of their own (make fuzz sets BUILD, CC and flags).
FUZZ_LF := $(FUZZ_NAMES:%=$(BUILD)/fuzz/lf/fuzz_%)
$(BUILD)/fuzz/lf/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.c $(BUILD)/libpouch.a $(FUZZ_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -fsanitize=fuzzer -Itests/fuzz -o $@ $< tests/fuzz/fuzz.c \
	  $(BUILD)/libpouch.a $(ALL_LDFLAGS) $(LIB_LIBS)

fuzz-build: $(FUZZ_LF)

man: $(MAN_PAGES)

man-lint: $(MAN_PAGES)
	mandoc -Tlint -W warning $(MAN_PAGES)

$(BUILD)/man/%: docs/man/%.scd docs/man/tidy.awk
	@mkdir -p $(dir $@)
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) scdoc <$< >$@.scdoc
	awk -f docs/man/tidy.awk $@.scdoc >$@ && rm -f $@.scdoc

$(BUILD)/gen/help_pages.c: $(MAN_PAGES) docs/man/help-pages.sh
	@mkdir -p $(dir $@)
	sh docs/man/help-pages.sh $(MAN_PAGES) >$@

$(BUILD)/gen/help_pages.o: $(BUILD)/gen/help_pages.c cmd/pouch/cmd.h
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -Icmd/pouch -c -o $@ $<

# Installs the Debian packages that are missing; as non-root prints the exact command instead.
deps:
	@missing=$$(for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
	    || echo $$p; done | tr '\n' ' ' | sed 's/ *$$//'); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "make: missing Debian packages; run as root:" >&2; \
	  echo "apt-get update && apt-get install -y $$missing" >&2; exit 1; fi; \
	echo "installing: $$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing

# The same TAP suites, run by prove, against test builds of their own in $(BUILD)/test (with
# the fault-injection hook, which the programs `make all` builds never have).
# Compiles on every core (BUILD_JOBS), then runs the scripts TEST_JOBS at a time.
BUILD_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test:
	$(MAKE) --no-print-directory -j$(BUILD_JOBS) all unit-build man-lint BUILD=$(BUILD)/test FAULTS=1
	$(MAKE) --no-print-directory run-tests BUILD=$(BUILD)/test FAULTS=1

E2E_SLOW = t8301 t9640 t9500 t6150 t8203 t8310 t5100 t6000 t6100 t9200 t8302 t8202 t2200 t8300 \
	   t0530 t9920 t8200 t1200 t9560 t9600 t8201 t9310 t9100 t9900 t9352 t5800 t9710 t2300 \
	   t3310 t3200 t3210 t7020 t7010 t3000 t0600 t9550 t9580 t9570 t9610 t9260 t9520 t9220 \
	   t9300 t9510 t5000 t4010
E2E_ALL = $(sort $(wildcard tests/e2e/t*.sh))
E2E_FIRST = $(foreach t,$(E2E_SLOW),$(filter tests/e2e/$(t)-%,$(E2E_ALL)))
E2E = $(E2E_FIRST) $(filter-out $(E2E_FIRST),$(E2E_ALL))
UNIT_SLOW = $(foreach t,test_audit test_https test_receipt test_pgp,\
	    $(filter $(BUILD)/unit/$(t)%,$(UNIT_BIN)))

# The agencies' homes most scripts start from are made once per run (tests/e2e/fixtures.sh).
run-tests: all unit-build man-lint
	fx=$$(mktemp -d /tmp/pf.XXXXXX) && trap 'rm -rf "$$fx"' EXIT && \
	POUCH_BUILD=$(abspath $(BUILD)) sh tests/e2e/fixtures.sh "$$fx" && \
	CMOCKA_MESSAGE_OUTPUT=TAP POUCH_BUILD=$(abspath $(BUILD)) POUCH_FIXTURES="$$fx" \
	  $(PROVE) $(PROVE_FLAGS) $(E2E) $(UNIT_SLOW) $(filter-out $(UNIT_SLOW),$(UNIT_BIN)) \
	  $(FUZZ_RUN)

asan-check:
	$(MAKE) --no-print-directory test BUILD=build/asan SANITIZE=address,undefined CFLAGS='-O1 -g'

# The main job end to end, narrated, on throwaway keys in a scratch directory.
demo: deps
	$(MAKE) --no-print-directory all
	POUCH_BIN=$(abspath $(BUILD))/pouch sh tests/demo/demo.sh

# Debian packages only `make bench` needs: wrk and nginx (the exchange baselines; nginx is
# installed with service starts forbidden and only ever runs as the bench's own child) and
# libssl-dev (the client-certificate shim wrk is run with).
BENCH_DEBS = wrk nginx libssl-dev

# Figures, not tests: pouch against gpg, pouchd against nginx, push and pull against curl, on
# this machine, each timed in turn with its baseline (tests/bench/bench.sh, exchange.sh; knobs
# there and in docs/performance.md). `BENCH_QUICK=1 make bench` checks it end to end, scaled down.
bench: deps
	sh tests/bench/deps.sh $(BENCH_DEBS)
	$(MAKE) --no-print-directory all
	CC='$(CC)' POUCH_BIN=$(abspath $(BUILD))/pouch sh tests/bench/bench.sh

# Debian packages only `make fuzz` needs: clang and its runtime (libFuzzer, the sanitizers).
FUZZ_DEBS = clang libclang-rt-14-dev
FUZZ_TIME ?= 60
FUZZ_BUILD = build/fuzz
FUZZ_FLAGS = BUILD=$(FUZZ_BUILD) CC=clang SANITIZE=address,undefined CFLAGS='-O1 -g' \
	     EXTRA_CFLAGS='-fsanitize=fuzzer-no-link'

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEBS='$(FUZZ_DEBS)'

# Each harness searches for FUZZ_TIME seconds (one job: the machine is shared) with ASan and
# UBSan, from its committed corpus and regressions; new inputs go to $(FUZZ_BUILD)/corpus, a
# crash to $(FUZZ_BUILD)/crashes and fails the target. Summary: $(FUZZ_BUILD)/summary.txt.
fuzz: deps fuzz-deps
	$(MAKE) --no-print-directory $(FUZZ_FLAGS) fuzz-build
	sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TIME) $(FUZZ_NAMES)

# Folds what `make fuzz` found into the committed corpora, minimised (libFuzzer -merge=1).
fuzz-merge:
	$(MAKE) --no-print-directory $(FUZZ_FLAGS) fuzz-build
	sh tests/fuzz/run.sh --merge $(FUZZ_BUILD) 0 $(FUZZ_NAMES)

check: deps
	$(MAKE) --no-print-directory test
	$(MAKE) --no-print-directory asan-check

# --- install, uninstall, deb ---
# GNU-style directories, each settable on the command line (`make install PREFIX=/usr
# DESTDIR=/tmp/stage`). pouchd reads $(SYSCONFDIR)/pouchd/pouchd.json; install never writes
# there (the example goes to $(DOCDIR)/examples).
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/pouch
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
# systemd reads /usr/local/lib/sysusers.d and /usr/lib/sysusers.d.
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# zsh looks in /usr/local/share/zsh/site-functions and (Debian) /usr/share/zsh/vendor-completions.
ZSHCOMPDIR ?= $(DATADIR)/zsh/$(if $(filter /usr,$(PREFIX)),vendor-completions,site-functions)
# What install wrote, for uninstall (paths without DESTDIR).
MANIFEST = $(DATADIR)/pouch/install-manifest
# t9910-completion.sh completes in a real zsh (and skips those checks without one).
DEBS += zsh

# Lines "MODE SOURCE TARGET" for packaging/install.sh: the programs, the man pages (each in
# man$(section) by its suffix), completion, the unit (made from its template in a temporary
# directory, with the paths of this install), the sysusers.d entry, the example configuration,
# and the spec (spec/**) with the documentation.
install-list = \
	echo "0755 $(BUILD)/pouch $(BINDIR)/pouch"; \
	echo "0755 $(BUILD)/pouchd $(SBINDIR)/pouchd"; \
	for p in $(MAN_PAGES); do echo "0644 $$p $(MANDIR)/man$${p\#\#*.}/$${p\#\#*/}"; done; \
	echo "0644 cmd/pouch/completion/pouch.bash $(BASHCOMPDIR)/pouch"; \
	echo "0644 cmd/pouch/completion/_pouch $(ZSHCOMPDIR)/_pouch"; \
	echo "0644 $$tmp/pouchd.service $(UNITDIR)/pouchd.service"; \
	echo "0644 cmd/pouchd/pouchd.sysusers $(SYSUSERSDIR)/pouchd.conf"; \
	echo "0644 cmd/pouchd/pouchd.json.example $(DOCDIR)/examples/pouchd.json"; \
	echo "0644 cmd/pouchd/pouchd.json.README $(DOCDIR)/examples/README"; \
	echo "0644 README.md $(DOCDIR)/README.md"; \
	find spec docs -type f 2>/dev/null | LC_ALL=C sort | sed 's|.*|0644 & $(DOCDIR)/&|'

install: all $(MAN_PAGES)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
	  -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' cmd/pouchd/pouchd.service.in >"$$tmp/pouchd.service" && \
	{ $(install-list); } | sh packaging/install.sh install '$(DESTDIR)' '$(MANIFEST)'
	@# The user exists at once on this machine; a package or image runs systemd-sysusers itself.
	@if [ -z '$(DESTDIR)' ] && command -v systemd-sysusers >/dev/null 2>&1; then \
	  systemd-sysusers $(SYSUSERSDIR)/pouchd.conf; fi

# Removes what install recorded in the manifest (the pouchd user stays, as packages leave it).
uninstall:
	@sh packaging/install.sh uninstall '$(DESTDIR)' '$(MANIFEST)'

# A Debian package from this tree, in $(BUILD)/deb: built, staged with make install, checked
# with lintian (an error fails the target). Needs DEB_DEBS.
DEB_DEBS = dpkg-dev lintian binutils
deb: deps
	@$(MAKE) --no-print-directory deps DEBS='$(DEB_DEBS)'
	MAKE='$(MAKE)' sh packaging/deb.sh '$(BUILD)/deb' '$(VERSION)'

.PHONY: uninstall deb
# --- end install, uninstall, deb ---

clean:
	rm -rf $(BUILD) build
