# src/rpc/rpc.mk: the JSON-RPC client (libcurl) and chain configuration.
OBJS       += src/rpc/http.o src/rpc/client.o src/rpc/json.o src/rpc/outbound.o src/rpc/rpc_sql.o
SQL_PIECES += src/rpc/rpc.sql
SHLIB_LINK += -lcurl
REGRESS    += rpc_config
