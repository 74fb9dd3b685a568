# src/txq/txq.mk: the transaction queue, its signers and the tx worker.
OBJS       += src/txq/tx_codec.o src/txq/secp.o src/txq/keys.o src/txq/signer.o \
              src/txq/txq_sql.o src/txq/worker.o
SQL_PIECES += src/txq/txq_sign.sql src/txq/txq.sql
SHLIB_LINK += -lsecp256k1
REGRESS    += txq_codec
ISOLATION  += txq_claim txq_idempotency txq_rate_limit txq_adopt_cancel
