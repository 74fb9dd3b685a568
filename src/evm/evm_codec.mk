# src/evm/evm_codec.mk: address, bytes32, hex, keccak-256, ABI, RLP.
