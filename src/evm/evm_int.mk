# src/evm/evm_int.mk: 256-bit integers and units.
