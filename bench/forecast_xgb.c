/*
 * bench/forecast_xgb.c
 *
 * The baseline of bench/forecast.sh's trees: XGBoost's C API called
 * directly, on the same rows and parameters as the SQL side, so the ratio
 * shows what training and serving through SQL cost on top of the library.
 *
 *   forecast_xgb DATA.csv ROWS COLS ROUNDS RUNS
 *
 * DATA.csv: ROWS lines of COLS features then the target.  Prints the best
 * of RUNS training times and prediction times (of every row, given as a new
 * matrix, as serving sees them), in ms.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <xgboost/c_api.h>

#define CHECK(call) do { if ((call) != 0) { fprintf(stderr, "%s: %s\n", #call, XGBGetLastError()); exit(1); } } while (0)

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	FILE	   *f;
	int			rows,
				cols,
				rounds,
				runs,
				r,
				c,
				run,
				i;
	float	   *x,
			   *y;
	double		best_train = INFINITY,
				best_pred = INFINITY,
				checksum = 0;

	if (argc != 6)
	{
		fprintf(stderr, "usage: forecast_xgb DATA.csv ROWS COLS ROUNDS RUNS\n");
		return 2;
	}
	rows = atoi(argv[2]);
	cols = atoi(argv[3]);
	rounds = atoi(argv[4]);
	runs = atoi(argv[5]);
	x = malloc(sizeof(float) * rows * cols);
	y = malloc(sizeof(float) * rows);
	f = fopen(argv[1], "r");
	if (!f || !x || !y)
		return 1;
	for (r = 0; r < rows; r++)
	{
		for (c = 0; c < cols; c++)
			if (fscanf(f, "%f,", &x[r * cols + c]) != 1)
				return 1;
		if (fscanf(f, "%f", &y[r]) != 1)
			return 1;
	}
	fclose(f);

	for (run = 0; run < runs; run++)
	{
		DMatrixHandle d;
		BoosterHandle b;
		bst_ulong	len;
		const float *out;
		double		t0 = now_ms(),
					t1;

		CHECK(XGDMatrixCreateFromMat_omp(x, rows, cols, NAN, &d, 1));
		CHECK(XGDMatrixSetFloatInfo(d, "label", y, rows));
		CHECK(XGBoosterCreate(&d, 1, &b));
		CHECK(XGBoosterSetParam(b, "nthread", "1"));
		CHECK(XGBoosterSetParam(b, "seed", "1"));
		CHECK(XGBoosterSetParam(b, "max_depth", "6"));
		CHECK(XGBoosterSetParam(b, "eta", "0.3"));
		CHECK(XGBoosterSetParam(b, "objective", "reg:squarederror"));
		CHECK(XGBoosterSetParam(b, "tree_method", "hist"));
		for (i = 0; i < rounds; i++)
			CHECK(XGBoosterUpdateOneIter(b, i, d));
		t1 = now_ms();
		if (t1 - t0 < best_train)
			best_train = t1 - t0;
		/* serving: the rows arrive as a new matrix (no prediction cache) */
		t0 = now_ms();
		{
			DMatrixHandle q;

			CHECK(XGDMatrixCreateFromMat_omp(x, rows, cols, NAN, &q, 1));
			CHECK(XGBoosterPredict(b, q, 0, 0, 0, &len, &out));
			checksum = out[0];
			XGDMatrixFree(q);
		}
		t1 = now_ms();
		if (t1 - t0 < best_pred)
			best_pred = t1 - t0;
		XGBoosterFree(b);
		XGDMatrixFree(d);
	}
	printf("%.3f %.3f %.6f\n", best_train, best_pred, checksum);
	return 0;
}
