# src/evm/evm_int.mk: 256-bit integers and units.
OBJS       += src/evm/u256_math.o src/evm/uint256.o src/evm/int256.o \
              src/evm/int_agg.o src/evm/units.o
SQL_PIECES += src/evm/uint256.sql src/evm/units.sql
REGRESS    += evm_uint256 evm_int256 evm_units
