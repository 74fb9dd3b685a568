# src/evm/evm_codec.mk: address, bytes32, hex, keccak-256, ABI, RLP.
# The pure codecs (codec_util, hex, keccak, eip55, abi_codec, rlp_codec; see
# src/evm/codec.h) also build into the fuzz harnesses of test/fuzz/fuzz.mk.
CODEC_PURE_OBJS = src/evm/codec_util.o src/evm/hex.o src/evm/keccak.o \
                  src/evm/eip55.o src/evm/abi_codec.o src/evm/rlp_codec.o
OBJS       += $(CODEC_PURE_OBJS) src/evm/codec_pg.o src/evm/address.o \
              src/evm/bytes32.o src/evm/hashing.o src/evm/abi.o src/evm/rlp.o
SQL_PIECES += src/evm/codec.sql
REGRESS    += evm_address evm_keccak evm_abi evm_rlp
SHLIB_LINK += -lnettle
