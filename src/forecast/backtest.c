/*
 * src/forecast/backtest.c
 *
 * Walk-forward backtests.  forecast_backtest() re-reads a model's source,
 * and for each fold retrains the model's kind, with its params and seed, on
 * rows strictly before the fold's forecast origin (less an optional purge
 * gap, and within an optional rolling window), forecasts the horizon rows
 * from the origin, and scores the forecast beside three naive baselines that
 * see only the target before the origin: the last value, the mean of the
 * last values, and (given a season) the value one season back.  Each
 * fold's row bounds and scores are stored, so that anyone can check that no
 * training window reached its origin.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "forecast/forecast_int.h"

/* The methods scored in every fold. */
typedef enum
{
	BT_MODEL = 0,
	BT_NAIVE,
	BT_MEAN,
	BT_SEASONAL,
	BT_NMETHODS
} BtMethod;

static const char *const bt_method_names[BT_NMETHODS] = {"model", "naive", "mean", "seasonal_naive"};

/* A fold's scores of one method (NaN: undefined). */
typedef struct BtScore
{
	double		mae;
	double		rmse;
	double		mase;
	double		direction;
	double		coverage;
} BtScore;

/*
 * Score a forecast (mean, sd per step) of the h actual values y[0..h-1]
 * made at an origin whose last known value is last; scale is the MASE
 * denominator (NaN or 0: no MASE); z the interval's normal quantile.
 */
static BtScore
Score(const double *y, const double *mean, const double *sd, int h,
	  double last, double scale, double z)
{
	BtScore		s;
	double		sae = 0,
				sse = 0;
	int			ndir = 0,
				okdir = 0,
				ncov = 0,
				incov = 0,
				i;

	for (i = 0; i < h; i++)
	{
		double		e = y[i] - mean[i];
		double		actual = y[i] - last,
					pred = mean[i] - last;

		sae += fabs(e);
		sse += e * e;
		if (actual != 0)
		{
			ndir++;
			if ((actual > 0 && pred > 0) || (actual < 0 && pred < 0))
				okdir++;
		}
		if (isfinite(sd[i]))
		{
			ncov++;
			if (fabs(e) <= z * sd[i])
				incov++;
		}
	}
	s.mae = sae / h;
	s.rmse = sqrt(sse / h);
	s.mase = (isfinite(scale) && scale > 0) ? s.mae / scale : NAN;
	s.direction = ndir > 0 ? (double) okdir / ndir : NAN;
	s.coverage = ncov > 0 ? (double) incov / ncov : NAN;
	return s;
}

/* Root mean square of the lag-m differences of y[a..b-1] (NaN when none). */
static double
DiffRms(const double *y, int a, int b, int m)
{
	double		ss = 0;
	int			n = 0,
				t;

	for (t = a + m; t < b; t++)
	{
		double		d = y[t] - y[t - m];

		ss += d * d;
		n++;
	}
	return n > 0 ? sqrt(ss / n) : NAN;
}

/* Mean absolute lag-m difference of y[a..b-1]: the MASE scale. */
static double
DiffMae(const double *y, int a, int b, int m)
{
	double		s = 0;
	int			n = 0,
				t;

	for (t = a + m; t < b; t++)
	{
		s += fabs(y[t] - y[t - m]);
		n++;
	}
	return n > 0 ? s / n : NAN;
}

/* A float8 datum, SQL NULL for NaN. */
static void
PutFloat(double v, Datum *d, char *null)
{
	*d = Float8GetDatum(v);
	*null = isfinite(v) ? ' ' : 'n';
}

PG_FUNCTION_INFO_V1(forecast_backtest);

/*
 * forecast_backtest(model_id, folds, horizon, purge, min_train, season,
 * level, rolling_window, average_window): a walk-forward backtest of a
 * model; returns the backtest's id (rows in forecast_backtest_folds).
 */
Datum
forecast_backtest(PG_FUNCTION_ARGS)
{
	int64		model_id;
	int			folds,
				h,
				purge,
				min_train,
				season,
				rolling,
				average;
	double		level,
				z;
	ForecastLiveModel m;
	ForecastSource src;
	ForecastTrainCtx pctx;
	const double *y;
	int			n,
				p,
				first,
				last,
				k,
				i;
	int		   *origins;
	int64		bt_id;
	MemoryContext fold_cxt,
				old;
	TimestampTz started = GetCurrentTimestamp();

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) ||
		PG_ARGISNULL(6) || PG_ARGISNULL(8))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model_id, folds, horizon, purge, level and average_window must not be NULL")));
	model_id = PG_GETARG_INT64(0);
	folds = PG_GETARG_INT32(1);
	h = PG_GETARG_INT32(2);
	purge = PG_GETARG_INT32(3);
	level = PG_GETARG_FLOAT8(6);
	average = PG_GETARG_INT32(8);
	season = PG_ARGISNULL(5) ? 0 : PG_GETARG_INT32(5);
	rolling = PG_ARGISNULL(7) ? 0 : PG_GETARG_INT32(7);
	if (folds < 1 || folds > 10000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("folds must be between 1 and 10000: %d", folds)));
	ForecastCheckHorizon(h);
	if (purge < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("purge must not be negative: %d", purge)));
	if (!PG_ARGISNULL(5) && season < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("season must be at least 2: %d", season)));
	if (!PG_ARGISNULL(7) && rolling < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rolling_window must be at least 2 rows: %d", rolling)));
	if (average < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("average_window must be at least 1: %d", average)));
	if (!(level > 0 && level < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("level must be between 0 and 1 (exclusive): %g", level)));
	z = ForecastNormalQuantile(0.5 + level / 2);

	ForecastGetModel(NULL, model_id, &m);

	/*
	 * The source is the trainer's query and runs as the caller: only a
	 * caller with the trainer's privileges may run it (else a query written
	 * by one user would run with another's rights).
	 */
	{
		Oid			trainer = get_role_oid(m.trained_by, true);

		if (!OidIsValid(trainer) || !has_privs_of_role(GetUserId(), trainer))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to backtest model " INT64_FORMAT, model_id),
					 errdetail("Its source query was written by role \"%s\" and would run with your privileges.",
							   m.trained_by),
					 errhint("Backtest it as a member of \"%s\", or train your own model on the same source.",
							 m.trained_by)));
	}
	if (strcmp(m.kind->name, "garch") == 0 && !ForecastParamBool(m.params, "returns", true))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a garch model trained on prices cannot be backtested"),
				 errdetail("Its forecasts are of log returns and their volatility, not of the prices in its source."),
				 errhint("Train it on returns (\"returns\": true) to backtest it.")));
	/* the data as of now, read as the caller, as at training */
	ForecastLoadSource(m.source, m.target, m.kind->series, NULL, 0, &src);
	if (src.d.p != m.nfeatures)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the source of model " INT64_FORMAT " now returns %d features, not the %d it was trained on",
						model_id, src.d.p, m.nfeatures)));
	for (i = 0; i < m.nfeatures; i++)
		if (strcmp(src.names[i], m.features[i]) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("feature %d of the source of model " INT64_FORMAT " is now \"%s\", not \"%s\"",
							i + 1, model_id, src.names[i], m.features[i])));
	n = src.d.n;
	p = src.d.p;
	y = src.d.y;

	/* the folds' origins: evenly spread from first to last */
	min_train = PG_ARGISNULL(4) ? Max(n / 2, 2) : PG_GETARG_INT32(4);
	if (min_train < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("min_train must be at least 1: %d", min_train)));
	/* in 64 bits: min_train + purge may not fit an int */
	if ((int64) min_train + purge > (int64) n - h ||
		(int64) n - h - min_train - purge + 1 < folds)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d rows are too few for %d folds of horizon %d after %d training rows and a purge of %d",
						n, folds, h, min_train, purge),
				 errdetail("The origins must lie between row %lld and row %d, one row apart at least.",
						   (long long) min_train + purge + 1, n - h + 1)));
	first = min_train + purge;
	last = n - h;
	origins = palloc(folds * sizeof(int));
	for (k = 0; k < folds; k++)
		origins[k] = folds == 1 ? last :
			first + (int) (((int64) k * (last - first)) / (folds - 1));

	/* the backtest's row, then one row per fold and method */
	SPI_connect();
	{
		Oid			types[12] = {INT8OID, INT4OID, INT4OID, INT4OID, INT4OID, INT4OID, FLOAT8OID,
		INT4OID, INT4OID, INT4OID, TEXTOID, TIMESTAMPTZOID};
		Datum		values[12];
		char		nulls[12];
		bool		isnull;

		memset(nulls, ' ', sizeof(nulls));
		values[0] = Int64GetDatum(model_id);
		values[1] = Int32GetDatum(folds);
		values[2] = Int32GetDatum(h);
		values[3] = Int32GetDatum(purge);
		values[4] = Int32GetDatum(min_train);
		values[5] = Int32GetDatum(season);
		nulls[5] = season ? ' ' : 'n';
		values[6] = Float8GetDatum(level);
		values[7] = Int32GetDatum(rolling);
		nulls[7] = rolling ? ' ' : 'n';
		values[8] = Int32GetDatum(average);
		values[9] = Int32GetDatum(n);
		values[10] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
		values[11] = TimestampTzGetDatum(started);
		ForecastRegistryExec("INSERT INTO amplified.forecast_backtests "
							 "(model_id, folds, horizon, purge, min_train, season, level, rolling_window, "
							 "average_window, rows, run_by, started_at) "
							 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::name, $12) RETURNING id",
							 12, types, values, nulls, false, 1);
		bt_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}

	memset(&pctx, 0, sizeof(pctx));
	pctx.seed = (uint64) m.seed;
	fold_cxt = AllocSetContextCreate(CurrentMemoryContext, "forecast backtest fold", ALLOCSET_DEFAULT_SIZES);
	/* Begin right before the PG_TRY whose PG_FINALLY ends it */
	ForecastProgressBegin(&pctx, "backtest", m.project, m.kind->name, model_id);
	PG_TRY();
	{
		for (k = 0; k < folds; k++)
		{
			int			origin = origins[k];
			int			train_end = origin - purge;
			int			train_start = rolling ? Max(0, train_end - rolling) : 0;
			ForecastData d;
			ForecastFit fit;
			double	   *means[BT_NMETHODS],
					   *sds[BT_NMETHODS];
			BtScore		score[BT_NMETHODS];
			double		scale,
						lastv;
			int			meth,
						j;
			void	   *model;

			ForecastProgress(&pctx, "fold", k, folds);

			/*
			 * No look-ahead: the training rows end purge rows before the
			 * origin; and every index below stays inside the data.
			 */
			if (origin < 1 || origin + h > n || train_start < 0 || train_end < 1 ||
				train_end > origin - purge || train_start >= train_end)
				elog(ERROR, "fold %d: training rows [%d, %d) do not end before its origin %d less %d",
					 k + 1, train_start, train_end, origin, purge);
			lastv = y[origin - 1];

			MemoryContextReset(fold_cxt);
			old = MemoryContextSwitchTo(fold_cxt);
			for (meth = 0; meth < BT_NMETHODS; meth++)
			{
				means[meth] = palloc(h * sizeof(double));
				sds[meth] = palloc(h * sizeof(double));
			}

			/* the model, retrained on [train_start, train_end) */
			d.n = train_end - train_start;
			d.p = p;
			d.x = p > 0 ? src.d.x + (Size) train_start * p : NULL;
			d.y = y + train_start;
			d.names = src.d.names;
			ForecastTrainRun(m.kind, &d, m.params, (uint64) m.seed, "backtest", m.project,
							 model_id, &fit);
			model = ForecastModelLoad(m.kind, fit.state, 0);
			if (m.kind->series)
				m.kind->forecast(model, y + train_start, origin - train_start, h,
								 means[BT_MODEL], sds[BT_MODEL]);
			else
			{
				m.kind->predict(model, src.d.x + (Size) origin * p, h, p, means[BT_MODEL]);
				for (j = 0; j < h; j++)
					sds[BT_MODEL][j] = fit.sigma;
			}

			/* the baselines: the target before the origin only */
			{
				double		rms1 = DiffRms(y, train_start, origin, 1);
				double		avg = 0,
							ss = 0,
							run = 0;
				int			a = Min(average, origin - train_start),
							cnt = 0,
							t;

				for (t = origin - a; t < origin; t++)
					avg += y[t] / a;

				/*
				 * The one-step errors of the trailing mean over the history,
				 * with a running sum (one pass, however long the window).
				 */
				for (t = train_start; t < train_start + a; t++)
					run += y[t];
				for (t = train_start + a; t < origin; t++)
				{
					double		mt = run / a;

					ss += (y[t] - mt) * (y[t] - mt);
					cnt++;
					run += y[t] - y[t - a];
					if ((t & 0xFFFF) == 0)
						CHECK_FOR_INTERRUPTS();
				}
				for (j = 0; j < h; j++)
				{
					means[BT_NAIVE][j] = lastv;
					sds[BT_NAIVE][j] = rms1 * sqrt(j + 1.0);
					means[BT_MEAN][j] = avg;
					sds[BT_MEAN][j] = cnt > 0 ? sqrt(ss / cnt) : NAN;
					if (season)
					{
						int			back = origin - season + (j % season);

						means[BT_SEASONAL][j] = back >= 0 ? y[back] : NAN;
						sds[BT_SEASONAL][j] = DiffRms(y, train_start, origin, season) *
							sqrt((double) (j / season + 1));
					}
				}
			}

			scale = DiffMae(y, train_start, train_end, season ? season : 1);
			for (meth = 0; meth < BT_NMETHODS; meth++)
			{
				Oid			types[13] = {INT8OID, INT4OID, TEXTOID, INT4OID, INT4OID, INT4OID, INT4OID,
				TIMESTAMPTZOID, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID};
				Datum		values[13];
				char		nulls[13];

				if (meth == BT_SEASONAL && (season == 0 || origin - season < 0))
					continue;
				score[meth] = Score(y + origin, means[meth], sds[meth], h, lastv, scale, z);
				memset(nulls, ' ', sizeof(nulls));
				values[0] = Int64GetDatum(bt_id);
				values[1] = Int32GetDatum(k + 1);
				values[2] = CStringGetTextDatum(bt_method_names[meth]);
				/* row bounds as 1-based row numbers of the source */
				values[3] = Int32GetDatum(train_start + 1);
				values[4] = Int32GetDatum(train_end);
				values[5] = Int32GetDatum(origin + 1);
				values[6] = Int32GetDatum(origin + h);
				values[7] = src.times ? TimestampTzGetDatum(src.times[origin]) : (Datum) 0;
				nulls[7] = src.times ? ' ' : 'n';
				PutFloat(score[meth].mae, &values[8], &nulls[8]);
				PutFloat(score[meth].rmse, &values[9], &nulls[9]);
				PutFloat(score[meth].mase, &values[10], &nulls[10]);
				PutFloat(score[meth].direction, &values[11], &nulls[11]);
				PutFloat(score[meth].coverage, &values[12], &nulls[12]);
				ForecastRegistryExec("INSERT INTO amplified.forecast_backtest_folds "
									 "(backtest_id, fold, method, train_first_row, train_last_row, origin_row, "
									 "test_last_row, origin_at, mae, rmse, mase, direction, coverage) "
									 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
									 13, types, values, nulls, false, 0);
			}
			MemoryContextSwitchTo(old);
		}
		ForecastProgress(&pctx, "done", folds, folds);
	}
	PG_FINALLY();
	{
		ForecastProgressEnd(&pctx);
	}
	PG_END_TRY();
	MemoryContextDelete(fold_cxt);

	{
		Oid			types[1] = {INT8OID};
		Datum		values[1];

		values[0] = Int64GetDatum(bt_id);
		ForecastRegistryExec("UPDATE amplified.forecast_backtests SET finished_at = pg_catalog.clock_timestamp() "
							 "WHERE id OPERATOR(pg_catalog.=) $1",
							 1, types, values, NULL, false, 0);
	}
	SPI_finish();
	PG_RETURN_INT64(bt_id);
}
