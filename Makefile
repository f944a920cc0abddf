# mailtls - make demo | make test | make | make install
# Plain make with pkg-config. Objects for the release build go to build/, the sanitizer
# build used by the tests to build/asan/.

PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man/man1

PKGS      = openssl libevent libevent_openssl libevent_pthreads jansson libunbound yaml-0.1 expat
# libcurl, libgsasl and libidn2: headers only; net/https.c, proto/sasl.c and base/addr.c
# open them when a fetch, a login or a name in other scripts needs them (the unit tests
# that drive libgsasl's server side link it).
CURL_CFLAGS := $(shell pkg-config --cflags libcurl libgsasl libidn2 2>/dev/null)
GSASL_LIBS := $(shell pkg-config --libs libgsasl 2>/dev/null)
CC       ?= cc
WARN      = -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CURL_CFLAGS)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lresolv -lm
SAN       = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Layers as folders, bottom to top (ARCHITECTURE.md; tests/layers.sh checks the includes).
LAYERS = base conf model net proto tls pki mailpolicy engine out cmd
SRCS = $(wildcard $(LAYERS:%=src/%/*.c))
HDRS = $(wildcard src/*/*.h)
INC = -Isrc
MAIN = src/main.c
OBJS = $(SRCS:src/%.c=build/%.o)
AOBJS = $(SRCS:src/%.c=build/asan/%.o)
UNIT = $(wildcard tests/unit/test_*.c)
UNITBIN = $(UNIT:tests/unit/%.c=build/asan/%)
# The transport replaced at its seam (tests/unit/fake_io.c) for transcripts and fuzzing.
AOBJS_FAKE = $(filter-out build/asan/net/io.o,$(AOBJS)) build/asan/fake_io.o

# Fuzz targets: one file each in tests/fuzz/. `make test` replays their corpora and saved
# crash inputs through a plain main() (build/asan/fuzz_*); `make fuzz` runs libFuzzer.
FUZZ = $(filter-out replay,$(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/*.c)))
FUZZREPLAY = $(FUZZ:%=build/asan/fuzz_%)
FUZZ_CC ?= clang
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FOBJS = $(filter-out build/fuzz/obj/net/io.o,$(SRCS:src/%.c=build/fuzz/obj/%.o)) build/fuzz/obj/fake_io.o
SECONDS ?= 60
JOBS ?=

.PHONY: all deps demo test unit e2e install clean lab-start lab-stop bench fuzz fuzz-build

all: build/mailtls

build/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) -std=c11 $(CPPFLAGS) $(CFLAGS) $(WARN) $(INC) $(PKG_CFLAGS) -c $< -o $@

build/mailtls: $(OBJS) build/main.o
	$(CC) $(CFLAGS) -Wl,--as-needed -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

build/asan/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) -std=c11 $(CPPFLAGS) -O1 -g $(SAN) $(WARN) $(INC) $(PKG_CFLAGS) -c $< -o $@

build/asan/mailtls: $(AOBJS) build/asan/main.o
	$(CC) $(SAN) -o $@ $^ $(PKG_LIBS)

build/asan/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(AOBJS)
	$(CC) -std=c11 $(CPPFLAGS) -O1 -g $(SAN) $(WARN) -Wno-missing-prototypes $(INC) $(PKG_CFLAGS) \
		-o $@ $< $(AOBJS) $(PKG_LIBS) $(GSASL_LIBS) -ldl $$(pkg-config --libs cmocka)

# The session machine's tests run over the fake transport instead of the socket.
build/asan/test_transcripts: tests/unit/test_transcripts.c $(AOBJS_FAKE)
	$(CC) -std=c11 $(CPPFLAGS) -O1 -g $(SAN) $(WARN) -Wno-missing-prototypes $(INC) -Itests/unit \
		$(PKG_CFLAGS) -o $@ $< $(AOBJS_FAKE) $(PKG_LIBS) $(GSASL_LIBS) -ldl $$(pkg-config --libs cmocka)

build/asan/fake_io.o: tests/unit/fake_io.c tests/unit/fake_io.h $(HDRS) | build/asan
	$(CC) -std=c11 $(CPPFLAGS) -O1 -g $(SAN) $(WARN) $(INC) $(PKG_CFLAGS) -c $< -o $@

build/asan/fuzz_%: tests/fuzz/%.c tests/fuzz/replay.c $(wildcard tests/fuzz/*.h tests/fuzz/*.inc) $(AOBJS_FAKE)
	$(CC) -std=c11 $(CPPFLAGS) -O1 -g $(SAN) $(WARN) -Wno-missing-prototypes $(INC) -Itests/unit \
		-Itests/fuzz $(PKG_CFLAGS) -o $@ $< tests/fuzz/replay.c $(AOBJS_FAKE) $(PKG_LIBS)

build/fuzz/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 $(CPPFLAGS) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(WARN) \
		$(INC) $(PKG_CFLAGS) -c $< -o $@

build/fuzz/obj/fake_io.o: tests/unit/fake_io.c tests/unit/fake_io.h $(HDRS) | build/fuzz/obj
	$(FUZZ_CC) -std=c11 $(CPPFLAGS) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(WARN) $(INC) \
		$(PKG_CFLAGS) -c $< -o $@

build/fuzz/%: tests/fuzz/%.c $(wildcard tests/fuzz/*.h tests/fuzz/*.inc) $(FOBJS)
	$(FUZZ_CC) -std=c11 $(CPPFLAGS) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer $(WARN) \
		-Wno-missing-prototypes $(INC) -Itests/unit -Itests/fuzz $(PKG_CFLAGS) -o $@ $< \
		$(FOBJS) $(PKG_LIBS)

build build/asan build/fuzz/obj:
	mkdir -p $@

# The built-in TLS profiles are data/tls-profiles.yml itself (.incbin in the object).
build/model/tlsprofile.o build/asan/model/tlsprofile.o build/fuzz/obj/model/tlsprofile.o: \
	data/tls-profiles.yml

deps:
	@sh scripts/deps.sh

# The whole suite: packages, the sanitizer build, unit tests, end-to-end tests against the lab.
test: deps
	@$(MAKE) --no-print-directory build/asan/mailtls $(UNITBIN) $(FUZZREPLAY)
	@sh tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory build/mailtls
	@sh scripts/demo.sh

install: build/mailtls
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 755 build/mailtls $(DESTDIR)$(BINDIR)/mailtls
	install -m 644 docs/mailtls.1 $(DESTDIR)$(MANDIR)/mailtls.1

# libFuzzer with ASan+UBSan (clang): every target for SECONDS (default 60) each, JOBS at
# once; prints executions, exec/s, coverage and findings per target.
fuzz-build:
	@sh scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory $(FUZZ:%=build/fuzz/%)

fuzz: fuzz-build
	@JOBS=$(JOBS) sh tests/fuzz/run.sh $(SECONDS) $(FUZZ)

bench: deps build/mailtls
	@sh bench/single.sh

clean:
	rm -rf build
