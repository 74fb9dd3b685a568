# src/evm/evm.mk: the EVM value module (see src/evm/evm.h).
include src/evm/evm_int.mk
include src/evm/evm_codec.mk
