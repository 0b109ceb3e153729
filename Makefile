# exch: build, run, test, bench.
#
# The module is built by nginx's own build system from ./config against a copy
# of an nginx source tree (Debian's nginx-dev by default); everything lands in
# build/ (build/asan/ with SANITIZE=1).  Nothing is written into the sources.

SHELL := /bin/bash

NGINX_SRC ?= /usr/share/nginx/src
NGINX_BIN ?= /usr/sbin/nginx
PYTHON    ?= /usr/bin/python3
SANITIZE  ?=

ifeq ($(SANITIZE),1)
B         := $(CURDIR)/build/asan
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
OPT       := -O1
else
B         := $(CURDIR)/build
SAN_FLAGS :=
OPT       := -O2
endif

CC        ?= gcc
WARN      := -Wall -Wextra -Werror -Wno-unused-parameter -Wpointer-arith
CFLAGS    := -g $(OPT) -fPIC $(WARN) $(SAN_FLAGS) -D_GNU_SOURCE \
             -fstack-protector-strong
LDFLAGS   := $(SAN_FLAGS)

# What the store library links with, outside nginx (exchctl, unit tests).
STORE_INCS := -Istore $(shell pkg-config --cflags libxml-2.0 2>/dev/null) \
              $(shell pkg-config --cflags gmime-3.0 2>/dev/null)
STORE_LIBS := -llmdb -lxml2 -lcrypt -lzstd -lcrypto -lpthread \
              $(shell pkg-config --libs gmime-3.0 2>/dev/null)

MODULE     := $(B)/modules/ngx_exch_module.so
NGX_DIR    := $(B)/nginx
NGX_OBJS   := $(NGX_DIR)/objs

SRC_DIRS   := store ngx_exch_core_module ngx_exch_mapi_module \
              ngx_exch_ews_module ngx_exch_autodiscover_module
MOD_SRCS   := $(wildcard $(addsuffix /*.c,$(SRC_DIRS)))
MOD_HDRS   := $(wildcard $(addsuffix /*.h,$(SRC_DIRS)))

# The nginx-free code: the store and the codecs (files named exch_*.c in the
# module folders include no nginx header), for the tools, tests and fuzzers.
LIB_SRCS   := $(wildcard store/*.c) $(wildcard ngx_exch_*/exch_*.c)
LIB_OBJS   := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRCS))
LIB_INCS   := $(addprefix -I,$(SRC_DIRS))

# tools/NAME.c is one tool; tools/exchctl_*.c are more of exchctl
TOOLS      := $(patsubst tools/%.c,$(B)/bin/%,\
                $(filter-out tools/exchctl_%.c,$(wildcard tools/*.c)))
EXCHCTL_SRCS := $(wildcard tools/exchctl*.c)
BENCHES    := $(patsubst bench/%.c,$(B)/bench/%,$(wildcard bench/*.c))
UNIT_TESTS := $(patsubst t/unit/%.c,$(B)/t/%,$(wildcard t/unit/*.c))
FUZZERS    := $(patsubst fuzz/%.c,$(B)/fuzz/%,$(wildcard fuzz/*.c))
FUZZ_OBJS  := $(patsubst %.c,$(B)/fuzz/obj/%.o,$(LIB_SRCS))
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE \
              -fsanitize=fuzzer-no-link,address,undefined

export EXCH_BUILD := $(B)

# the objects are not intermediates to throw away after each link
.SECONDARY: $(LIB_OBJS) $(FUZZ_OBJS)


.PHONY: all deps module tools unit fuzz benches run test bench clean

all: module tools unit fuzz benches

deps:
	@tools/deps

module: $(MODULE)

tools: $(TOOLS)

unit: $(UNIT_TESTS)

fuzz: $(FUZZERS)

benches: $(BENCHES)


# configure runs again when ./config or the set of source files changes.
$(B)/sources: FORCE
	@mkdir -p $(B)
	@echo "$(sort $(MOD_SRCS) $(MOD_HDRS)) $(SANITIZE)" > $@.new
	@cmp -s $@.new $@ && rm $@.new || mv $@.new $@

$(NGX_OBJS)/Makefile: config $(B)/sources
	rm -rf $(NGX_DIR)
	mkdir -p $(B)
	cp -a $(NGINX_SRC)/. $(NGX_DIR)
	cd $(NGX_DIR) && \
	if [ -f conf_flags ]; then . ./conf_flags; \
	else NGX_CONF_FLAGS=(--with-compat --with-threads --with-http_ssl_module); \
	fi && \
	./configure "$${NGX_CONF_FLAGS[@]}" \
	    --with-cc-opt="-g $(OPT) -fPIC -fstack-protector-strong $(SAN_FLAGS)" \
	    --with-ld-opt="$(SAN_FLAGS)" \
	    --add-dynamic-module=$(CURDIR) > $(B)/configure.log \
	|| { cat $(B)/configure.log; exit 1; }

$(MODULE): $(NGX_OBJS)/Makefile $(MOD_SRCS) $(MOD_HDRS)
	$(MAKE) -C $(NGX_DIR) -f objs/Makefile modules
	mkdir -p $(dir $@)
	cp $(NGX_OBJS)/ngx_exch_core_module.so $@

$(B)/obj/%.o: %.c $(MOD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_INCS) $(STORE_INCS) -c $< -o $@

# exchctl's default store is the one make run uses
$(B)/bin/exchctl: $(EXCHCTL_SRCS) $(wildcard tools/exchctl*.h) $(LIB_OBJS) \
                  $(MOD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_INCS) $(STORE_INCS) \
	    -DEXCH_DEFAULT_STORE='"$(CURDIR)/var/store"' $(EXCHCTL_SRCS) \
	    $(LIB_OBJS) -o $@ $(LDFLAGS) $(STORE_LIBS)

$(B)/bin/%: tools/%.c $(LIB_OBJS) $(MOD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_INCS) $(STORE_INCS) \
	    -DEXCH_DEFAULT_STORE='"$(CURDIR)/var/store"' $< $(LIB_OBJS) -o $@ \
	    $(LDFLAGS) $(STORE_LIBS)

$(B)/bench/%: bench/%.c $(LIB_OBJS) $(MOD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_INCS) $(STORE_INCS) $< $(LIB_OBJS) -o $@ \
	    $(LDFLAGS) $(STORE_LIBS)

$(B)/t/%: t/unit/%.c t/unit/tap.h $(LIB_OBJS) $(MOD_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIB_INCS) $(STORE_INCS) -It/unit $< $(LIB_OBJS) -o $@ \
	    $(LDFLAGS) $(STORE_LIBS)


# Fuzz targets: clang's libFuzzer, with ASan and UBSan, over the nginx-free code.
$(B)/fuzz/obj/%.o: %.c $(MOD_HDRS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) $(LIB_INCS) $(STORE_INCS) -c $< -o $@

$(B)/fuzz/%: fuzz/%.c $(FUZZ_OBJS) $(MOD_HDRS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer $(LIB_INCS) $(STORE_INCS) $< \
	    $(FUZZ_OBJS) -o $@ $(STORE_LIBS)


run: deps all
	tools/run

test: deps all
	EXCH_SANITIZE=$(SANITIZE) $(PYTHON) -m pytest t/ $(PYTEST_ARGS)

bench: deps all
	bench/run

clean:
	rm -rf build

FORCE:
