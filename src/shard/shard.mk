# src/shard/shard.mk: shards behind a coordinator (postgres_fdw).
# shard.sql: v_shard_books (what a shard shows its coordinator), and on the
# coordinator the registry (shards, shard_chains), shard_add/remove/refresh,
# the shard_* tables partitioned by chain whose partitions are the shards'
# foreign tables, and the cluster_* functions and v_cluster_* views.  It
# reads the strategy engine's and risk module's views: after strategy.mk.
SQL_PIECES += src/shard/shard.sql
