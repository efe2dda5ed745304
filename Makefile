# ckan-pgtools: the only build file.  Targets: all check install demo bench
# fuzz lint clean deps.  `make check SAN=1` builds and tests under ASan+UBSan.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
SHAREDIR ?= $(PREFIX)/share/ckan-pgtools
DESTDIR ?=
VERSION = 0.1.0

CC ?= cc
FUZZCC ?= clang
FUZZ_SECONDS ?= 3
# A test file that runs longer is stopped (TERM, then KILL 30 s later) and fails: a hang
# must not eat CI's budget.  The longest file takes ~7 min here.
TEST_TIMEOUT ?= 1200

ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT = -O1
else
BUILD ?= build
SANFLAGS =
OPT = -O2
endif

# Dependencies are looked up when a recipe runs, so `make deps` can install them first.
DEP_CFLAGS = $(shell pkg-config --cflags inih libpcre2-8 2>/dev/null) -I$(shell pg_config --includedir 2>/dev/null || echo /usr/include/postgresql)
# libinih and PCRE2 are linked statically: each shared object costs every start.
DEP_LIBS = -Wl,-Bstatic $(shell pkg-config --libs inih libpcre2-8 2>/dev/null) -Wl,-Bdynamic -ldl -lm

# Warnings are errors in our own and CI builds; a distribution build sets
# WERROR= so that a newer compiler's new warning does not break it.
WERROR ?= -Werror
WARN = -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DCKP_VERSION='"$(VERSION)"' $(WARN) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -Icommon $(DEP_CFLAGS)
# Only the tests, their helpers and the fuzz targets see tests/lib (tap.h,
# dump helpers): no production object can include a test header by accident.
TEST_CFLAGS = $(ALL_CFLAGS) -Itests/lib
ALL_LDFLAGS = $(SANFLAGS) -Wl,--as-needed $(LDFLAGS)

TOOLS = $(patsubst tools/%.c,%,$(wildcard tools/*.c))
SCRIPTS = $(filter-out %.c,$(wildcard tools/*))
COMMON_SRC = $(wildcard common/*.c)
# The parameter tables are data (data/*.tsv) turned into C by the build.
GEN_SRC = build/gen/pgparams_data.c
COMMON_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(COMMON_SRC)) $(BUILD)/gen/pgparams_data.o
UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_BIN = $(patsubst %.c,$(BUILD)/%,$(UNIT_SRC))
HELPER_SRC = $(filter-out tests/lib/faultinject.c,$(wildcard tests/lib/*.c))
HELPER_BIN = $(patsubst %.c,$(BUILD)/%,$(HELPER_SRC))
FUZZ_SRC = $(wildcard tests/fuzz/*.c)
# Fuzz targets always carry ASan and UBSan: one build serves check and check SAN=1.
FUZZDIR = build/fuzz
FUZZ_BIN = $(patsubst tests/fuzz/%.c,$(FUZZDIR)/%,$(FUZZ_SRC))
BIN = $(addprefix $(BUILD)/bin/,$(TOOLS))
MANPAGES = $(wildcard man/man1/*.1)
SHARE = $(wildcard share/*.sql share/*.awk)

.PHONY: all check check-build install demo bench fuzz fuzz-build lint clean deps test-deps
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BIN)

$(BUILD)/common/%.o: common/%.c $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tools/%.o: tools/%.c $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c $(wildcard common/*.h tests/lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -c -o $@ $<

$(GEN_SRC): tests/lib/gen-pgparams.sh $(wildcard data/pg_settings/*.tsv) data/pg_param_changes.tsv
	@mkdir -p $(dir $@)
	sh tests/lib/gen-pgparams.sh $@

$(BUILD)/gen/pgparams_data.o: $(GEN_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libcommon.a: $(COMMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/tools/%.o $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libcommon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(BUILD)/tests/lib/%: $(BUILD)/tests/lib/%.o $(BUILD)/libcommon.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

# libFuzzer targets: clang with the fuzzer, ASan and UBSan, over the common sources.
$(FUZZDIR)/%: tests/fuzz/%.c $(COMMON_SRC) $(GEN_SRC) $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(FUZZCC) -std=c11 -D_GNU_SOURCE -DCKP_VERSION='"$(VERSION)"' -g -O1 -fsanitize=fuzzer,address,undefined \
		-Icommon -Itests/lib $(DEP_CFLAGS) -o $@ $< $(COMMON_SRC) $(GEN_SRC) $(DEP_LIBS) -lm

deps:
	@sh tests/lib/deps.sh build

test-deps:
	@sh tests/lib/deps.sh test

check-build: $(BIN) $(UNIT_BIN) $(HELPER_BIN)

fuzz-build: $(FUZZ_BIN)

# Everything under tests/ is TAP; BUILD tells the scripts which binaries to test.
check: test-deps
	@$(MAKE) --no-print-directory check-build fuzz-build
	BUILD=$(abspath $(BUILD)) FUZZ_DIR=$(abspath $(FUZZDIR)) SAN=$(SAN) FUZZ_SECONDS=$(FUZZ_SECONDS) \
		prove -r --timer --exec 'timeout -k 30 $(TEST_TIMEOUT) sh' tests/unit tests/cli tests/server tests/fuzz tests/pkg

fuzz: test-deps
	@$(MAKE) --no-print-directory fuzz-build
	BUILD=$(abspath $(BUILD)) FUZZ_DIR=$(abspath $(FUZZDIR)) FUZZ_SECONDS=$${FUZZ_SECONDS:-120} prove -v tests/fuzz

demo: test-deps
	@$(MAKE) --no-print-directory all
	BUILD=$(abspath $(BUILD)) sh tests/lib/demo.sh

bench: test-deps
	@$(MAKE) --no-print-directory all
	@for b in bench/*.sh; do BUILD=$(abspath $(BUILD)) sh "$$b" || exit 2; done

lint:
	@for m in $(MANPAGES); do mandoc -Tlint -Wwarning $$m || exit 2; done
	shellcheck -x .ci/run tests/lib/*.sh bench/*.sh $(SCRIPTS)
	shellcheck -s bash completions/bash/*

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(BIN) $(SCRIPTS) $(DESTDIR)$(BINDIR)
	$(if $(MANPAGES),install -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1)
	for t in $(TOOLS) $(notdir $(SCRIPTS)); do \
		if [ -f completions/bash/$$t ]; then install -m 0644 completions/bash/$$t $(DESTDIR)$(BASHCOMPDIR)/$$t; fi; \
		if [ -f completions/zsh/_$$t ]; then install -m 0644 completions/zsh/_$$t $(DESTDIR)$(ZSHCOMPDIR)/_$$t; fi; \
	done
	$(if $(SHARE),install -d $(DESTDIR)$(SHAREDIR))
	$(if $(SHARE),install -m 0644 $(SHARE) $(DESTDIR)$(SHAREDIR))

clean:
	rm -rf build build-san
