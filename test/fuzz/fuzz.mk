# test/fuzz/fuzz.mk: libFuzzer harnesses for the hex, ABI and RLP decoders
# (clang, AddressSanitizer and UndefinedBehaviorSanitizer).  Included at the
# end of the Makefile.
#
#   make fuzz                      build them into test/fuzz/build/
#   make fuzz FUZZ_OUT=/some/dir   build them elsewhere (the TAP test does)
#   test/fuzz/build/fuzz_rlp test/fuzz/corpus/rlp -max_total_time=60
#
# The pure codecs compile outside the server; abi_codec.c and u256_math.c
# include postgres.h for types only, so they take the server's headers and
# link libpgport (for its snprintf), never the server itself.

FUZZ_CC      ?= clang
FUZZ_OUT     ?= test/fuzz/build
FUZZ_FLAGS   ?= -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Wno-ignored-attributes
FUZZ_SRCDIR  := $(dir $(lastword $(MAKEFILE_LIST)))../..
FUZZ_CODEC   := $(addprefix $(FUZZ_SRCDIR)/src/evm/,codec_util.c hex.c keccak.c eip55.c abi_codec.c rlp_codec.c u256_math.c)
FUZZ_HEADERS := $(wildcard $(FUZZ_SRCDIR)/src/evm/*.h) $(FUZZ_SRCDIR)/test/fuzz/fuzz_common.h
FUZZ_TARGETS := $(addprefix $(FUZZ_OUT)/,fuzz_hex fuzz_abi fuzz_rlp)

fuzz: $(FUZZ_TARGETS)

$(FUZZ_OUT)/fuzz_%: $(FUZZ_SRCDIR)/test/fuzz/fuzz_%.c $(FUZZ_CODEC) $(FUZZ_HEADERS)
	@mkdir -p $(FUZZ_OUT)
	$(FUZZ_CC) $(FUZZ_FLAGS) -I$(FUZZ_SRCDIR)/src -I$(FUZZ_SRCDIR)/test/fuzz \
		-I$(shell $(PG_CONFIG) --includedir-server) \
		-o $@ $< $(FUZZ_CODEC) $(shell $(PG_CONFIG) --pkglibdir)/libpgport.a -lnettle -lm
