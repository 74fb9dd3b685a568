# src/ingest/ingest.mk: the ingest workers and the chain data they write.
OBJS       += src/ingest/fetch.o src/ingest/registry.o src/ingest/decode.o src/ingest/store.o src/ingest/worker.o
SQL_PIECES += src/ingest/ingest.sql src/ingest/partitions.sql
ISOLATION  += ingest_retention
