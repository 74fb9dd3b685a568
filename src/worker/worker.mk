# src/worker/worker.mk: the launcher, the dynamic workers and shared memory.
OBJS       += src/worker/shmem.o src/worker/kinds.o src/worker/launcher.o src/worker/heartbeat.o src/worker/status.o
SQL_PIECES += src/worker/worker.sql
REGRESS    += worker
ISOLATION  += wake_at_commit
