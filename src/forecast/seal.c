/*
 * src/forecast/seal.c
 *
 * Model states are sealed: every state a training produces ends with an
 * HMAC-SHA256 tag under a key of the database's own (amplified.forecast_keys,
 * readable by the extension's owner only), and every state is checked
 * before a kind reads it.  A forecast_fit value is an ordinary composite a
 * user can build by hand; without the seal a crafted state would reach the
 * kinds' parsers, and XGBoost's model parser is not written for hostile
 * input.  With it, only states this database's trainings produced are ever
 * parsed.  Keys are dumped with the database (pg_extension_config_dump), so
 * a restored database serves its models; every key in the table verifies,
 * the oldest signs.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "forecast/forecast_int.h"

#define SEAL_TAG_LEN PG_SHA256_DIGEST_LENGTH
#define SEAL_KEY_LEN 32
#define SEAL_MAX_KEYS 16

/* The keys, oldest first; *n gets how many (an error when there is none). */
static void
SealKeys(uint8 keys[SEAL_MAX_KEYS][SEAL_KEY_LEN], int *n)
{
	uint64		i;

	SPI_connect();
	ForecastRegistryExec("SELECT k.key FROM amplified.forecast_keys k ORDER BY k.created_at, k.key LIMIT 16",
						 0, NULL, NULL, NULL, true, 0);
	*n = 0;
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		bytea	   *k = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));

		if (isnull || VARSIZE_ANY_EXHDR(k) != SEAL_KEY_LEN)
			continue;
		memcpy(keys[*n], VARDATA_ANY(k), SEAL_KEY_LEN);
		(*n)++;
	}
	SPI_finish();
	if (*n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("amplified.forecast_keys holds no key"),
				 errhint("Insert one: INSERT INTO amplified.forecast_keys (key) VALUES (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())).")));
}

/* The HMAC-SHA256 of data under key into tag. */
static void
SealTag(const uint8 *key, const uint8 *data, size_t len, uint8 *tag)
{
	pg_hmac_ctx *ctx = pg_hmac_create(PG_SHA256);

	if (ctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory")));
	if (pg_hmac_init(ctx, key, SEAL_KEY_LEN) < 0 ||
		pg_hmac_update(ctx, data, len) < 0 ||
		pg_hmac_final(ctx, tag, SEAL_TAG_LEN) < 0)
	{
		pg_hmac_free(ctx);
		elog(ERROR, "could not compute an HMAC-SHA256");
	}
	pg_hmac_free(ctx);
}

/* A copy of state with its tag appended, under the oldest key. */
bytea *
ForecastStateSeal(const bytea *state)
{
	uint8		keys[SEAL_MAX_KEYS][SEAL_KEY_LEN];
	int			n;
	Size		len = VARSIZE_ANY_EXHDR(state);
	bytea	   *out;

	SealKeys(keys, &n);
	if (len > MaxAllocSize - VARHDRSZ - SEAL_TAG_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the model state is too large: %zu bytes", len)));
	out = palloc(VARHDRSZ + len + SEAL_TAG_LEN);
	SET_VARSIZE(out, VARHDRSZ + len + SEAL_TAG_LEN);
	memcpy(VARDATA(out), VARDATA_ANY(state), len);
	SealTag(keys[0], (const uint8 *) VARDATA_ANY(state), len, (uint8 *) VARDATA(out) + len);
	return out;
}

/*
 * The state inside a sealed state, after checking its tag against every
 * key: XX001 for a state this database did not produce.
 */
bytea *
ForecastStateOpen(const bytea *sealed)
{
	uint8		keys[SEAL_MAX_KEYS][SEAL_KEY_LEN];
	uint8		tag[SEAL_TAG_LEN];
	int			n,
				k,
				i;
	Size		len = VARSIZE_ANY_EXHDR(sealed);
	const uint8 *data = (const uint8 *) VARDATA_ANY(sealed);
	bool		ok = false;
	bytea	   *out;

	if (len < SEAL_TAG_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("model state is not one this database produced"),
				 errdetail("It is %zu bytes long, shorter than its seal.", len)));
	SealKeys(keys, &n);
	len -= SEAL_TAG_LEN;
	for (k = 0; k < n && !ok; k++)
	{
		uint8		diff = 0;

		SealTag(keys[k], data, len, tag);
		/* in constant time */
		for (i = 0; i < SEAL_TAG_LEN; i++)
			diff |= tag[i] ^ data[len + i];
		ok = diff == 0;
	}
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("model state is not one this database produced"),
				 errdetail("Its seal does not match: it was changed, or made elsewhere.")));
	out = palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	memcpy(VARDATA(out), data, len);
	return out;
}
