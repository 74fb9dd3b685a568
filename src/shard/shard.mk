# src/shard/shard.mk: shards behind a coordinator (postgres_fdw).
# shard.sql, on the coordinator (the shards are read through the strategy
# module's v_strategy_books and v_positions and the risk module's v_risk):
# the registry (shards, shard_chains), shard_add/remove/refresh,
# the shard_* tables partitioned by chain whose partitions are the shards'
# foreign tables, and the cluster_* functions and v_cluster_* views.  It
# reads the strategy engine's and risk module's views: after strategy.mk.
SQL_PIECES += src/shard/shard.sql
