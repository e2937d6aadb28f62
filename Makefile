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
PROVE_FLAGS ?= -j2 --failures --comments

# Debian 12 packages the build, the tests and the programs need.
DEBS = gcc make pkg-config perl gnupg gpg-agent libgpgme-dev libjansson-dev libcmocka-dev \
       libarchive-dev libgcrypt20-dev libcurl4-openssl-dev libmicrohttpd-dev libgnutls28-dev \
       libsqlite3-dev openssl curl python3 python3-jsonschema python3-yaml util-linux time bc

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PKGS = gpgme gpg-error libgcrypt jansson libarchive libcurl libmicrohttpd gnutls sqlite3
WARN = -Wall -Wextra -Wpedantic -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
       -Wvla -Wwrite-strings -Wformat=2
CFLAGS ?= -O2 -g
# CFLAGS and LDFLAGS stay the user's (optimisation, hardening); the project's flags come apart.
ALL_CFLAGS = -std=c17 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) -Ipkg/include \
             -DPOUCH_VERSION='"$(VERSION)"' $(if $(FAULTS),-DPOUCH_FAULTS) $(SAN_FLAGS) $(CFLAGS) \
             $(EXTRA_CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) -pthread $(LDFLAGS) $(EXTRA_LDFLAGS)
ifneq ($(SANITIZE),)
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-sanitize-recover=$(SANITIZE) -fno-omit-frame-pointer
endif

# pkg-config is asked only by goals that compile, so `make deps` works before it is installed.
NEED_LIBS := $(filter-out deps clean help,$(or $(MAKECMDGOALS),all))
ifneq ($(NEED_LIBS),)
ifeq ($(filter check demo bench,$(MAKECMDGOALS)),)
ifneq ($(shell pkg-config --exists $(PKGS) cmocka 2>/dev/null && echo ok),ok)
$(error missing libraries ($(PKGS) cmocka): run 'make deps' as root)
endif
LIB_CFLAGS := $(shell pkg-config --cflags $(PKGS))
LIB_LIBS := $(shell pkg-config --libs $(PKGS))
CMOCKA_LIBS := $(shell pkg-config --libs cmocka)
endif
endif

PKG_SRC := $(sort $(wildcard pkg/*.c))
PKG_OBJ := $(PKG_SRC:%.c=$(BUILD)/%.o)
POUCH_SRC := $(sort $(wildcard cmd/pouch/*.c))
POUCH_OBJ := $(POUCH_SRC:%.c=$(BUILD)/%.o)
POUCHD_SRC := $(sort $(wildcard cmd/pouchd/*.c))
POUCHD_OBJ := $(POUCHD_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
HDRS := $(wildcard pkg/include/pouch/*.h pkg/*.h cmd/pouch/*.h cmd/pouchd/*.h tests/unit/*.h)

.PHONY: all deps check test run-tests unit-build asan-check demo bench install clean help
.DELETE_ON_ERROR:

all: $(BUILD)/pouch $(if $(POUCHD_SRC),$(BUILD)/pouchd)

help:
	@echo 'targets: all deps check test demo bench install clean'

$(BUILD)/%.o: %.c $(HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -c -o $@ $<

$(BUILD)/libpouch.a: $(PKG_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/pouch: $(POUCH_OBJ) $(BUILD)/libpouch.a
	$(CC) $(ALL_CFLAGS) -o $@ $(POUCH_OBJ) $(BUILD)/libpouch.a $(ALL_LDFLAGS) $(LIB_LIBS)

$(BUILD)/pouchd: $(POUCHD_OBJ) $(BUILD)/libpouch.a
	$(CC) $(ALL_CFLAGS) -o $@ $(POUCHD_OBJ) $(BUILD)/libpouch.a $(ALL_LDFLAGS) $(LIB_LIBS)

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/libpouch.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LIB_CFLAGS) -o $@ $< $(BUILD)/libpouch.a $(ALL_LDFLAGS) $(LIB_LIBS) \
	  $(CMOCKA_LIBS)

unit-build: $(UNIT_BIN)

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
test:
	$(MAKE) --no-print-directory run-tests BUILD=$(BUILD)/test FAULTS=1

run-tests: all unit-build
	CMOCKA_MESSAGE_OUTPUT=TAP POUCH_BUILD=$(abspath $(BUILD)) \
	  $(PROVE) $(PROVE_FLAGS) $(UNIT_BIN) $(sort $(wildcard tests/e2e/t*.sh))

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
# this machine (tests/bench/bench.sh, tests/bench/exchange.sh).
bench: deps
	sh tests/bench/deps.sh $(BENCH_DEBS)
	$(MAKE) --no-print-directory all
	CC='$(CC)' POUCH_BIN=$(abspath $(BUILD))/pouch sh tests/bench/bench.sh

check: deps
	$(MAKE) --no-print-directory test
	$(MAKE) --no-print-directory asan-check

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/pouch $(DESTDIR)$(PREFIX)/bin/pouch
	install -m 0755 $(BUILD)/pouchd $(DESTDIR)$(PREFIX)/bin/pouchd
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/share/doc/pouch
	install -m 0644 cmd/pouchd/pouchd.service $(DESTDIR)$(PREFIX)/lib/systemd/system/
	install -m 0644 spec/protocol.md $(DESTDIR)$(PREFIX)/share/doc/pouch/protocol.md
	install -m 0644 cmd/pouch/pouch.1 $(DESTDIR)$(PREFIX)/share/man/man1/pouch.1

clean:
	rm -rf $(BUILD) build
