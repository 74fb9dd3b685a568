/*
 * src/forecast/lstm.c
 *
 * The lstm kind: a small long short-term memory network for one series,
 * written out in C with nothing but libm.  The series is standardised with
 * its training mean and standard deviation; a window of its last `window`
 * values runs through one LSTM layer of `hidden` units (input, forget, cell
 * and output gates, h and c starting at zero) and a linear head reads the
 * last hidden state to predict the next value.  Training minimises the mean
 * squared one-step error over all windows of the series by mini-batch Adam,
 * the gradient from backpropagation through time over the window, clipped to
 * a global norm; the weights start Glorot-uniform (forget-gate bias 1) and
 * the batches are shuffled, all from the model's seeded generator, so one
 * seed gives bit-identical states.  A forecast runs the net recursively:
 * each predicted value is appended to the window for the next step.
 *
 * The same loss-and-gradient code serves training, the gradient check
 * (forecast_lstm_gradient_check, which compares it with central finite
 * differences of the same loss) and forecast_lstm_loss_gradient (which lets
 * a test compare it with an independent implementation).
 *
 * The state holds doubles in the server's native byte order (the layout is
 * in LstmStateHeader and docs/forecast.md); the loader checks magic,
 * version, shapes, size and finiteness and errors with
 * ERRCODE_DATA_CORRUPTED (XX001) on anything else.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "forecast/forecast.h"

#define LSTM_MAGIC		0x4D54534CU /* "LSTM" read as little-endian bytes */
#define LSTM_VERSION	1
#define LSTM_MAX_WINDOW 1024
#define LSTM_MAX_HIDDEN 256
/* Report progress (and honour a cancel) at least every this many windows. */
#define LSTM_PROGRESS_EVERY 256

/* The gates, in the order their blocks are stored. */
enum
{
	LSTM_I, LSTM_F, LSTM_G, LSTM_O, LSTM_NGATES
};

static const char *const lstm_gate_names = "ifgo";

/*
 * The shape of a net and where each parameter group sits in the flat
 * parameter vector theta:
 *   W   4 blocks of H input weights (gates i, f, g, o; one input),
 *   U   4 blocks of H x H recurrent weights (row j: unit j, column l: h[l]),
 *   b   4 blocks of H biases,
 *   head H weights then one bias.
 */
typedef struct LstmShape
{
	int			window;			/* T */
	int			hidden;			/* H */
	int			nparams;		/* P */
	int			off_w;
	int			off_u;
	int			off_b;
	int			off_head;
} LstmShape;

/* Scratch for one window's forward and backward pass. */
typedef struct LstmWork
{
	double	   *gates;			/* T x 4H activations (i, f, g, o) */
	double	   *c;				/* (T + 1) x H cell states, c[0] = 0 */
	double	   *h;				/* (T + 1) x H hidden states, h[0] = 0 */
	double	   *da;				/* 4H gate pre-activation gradients */
	double	   *dh;				/* H */
	double	   *dc;				/* H */
	double	   *dhprev;			/* H */
} LstmWork;

/* The serialized state's fixed part; then doubles: theta[P], tail[window]. */
typedef struct LstmStateHeader
{
	uint32		magic;
	uint32		version;
	int32		window;
	int32		hidden;
	int32		nparams;
	int32		epochs_run;
	double		mean;			/* scaling of the series */
	double		sd;
	double		sigma;			/* in-sample one-step residual sd */
	double		train_loss;		/* standardised mean squared error */
	double		val_loss;		/* NaN without validation */
} LstmStateHeader;

/* A loaded model: the header and views of theta and the tail. */
typedef struct LstmModel
{
	LstmStateHeader hdr;
	LstmShape	shape;
	double	   *theta;
	double	   *tail;
} LstmModel;

static const char *const lstm_params[] = {
	"window", "hidden", "learning_rate", "epochs", "batch_size", "beta1", "beta2",
	"eps", "clip", "validation", "patience", NULL
};

/* The layout of a net with window T and H hidden units. */
static LstmShape
LstmShapeOf(int window, int hidden)
{
	LstmShape	s;
	int			h = hidden;

	s.window = window;
	s.hidden = hidden;
	s.off_w = 0;
	s.off_u = s.off_w + LSTM_NGATES * h;
	s.off_b = s.off_u + LSTM_NGATES * h * h;
	s.off_head = s.off_b + LSTM_NGATES * h;
	s.nparams = s.off_head + h + 1;
	return s;
}

/* Scratch for a net of shape s, in CurrentMemoryContext. */
static void
LstmWorkAlloc(const LstmShape *s, LstmWork *w)
{
	int			t = s->window,
				h = s->hidden;

	w->gates = palloc0(sizeof(double) * t * LSTM_NGATES * h);
	w->c = palloc0(sizeof(double) * (t + 1) * h);
	w->h = palloc0(sizeof(double) * (t + 1) * h);
	w->da = palloc0(sizeof(double) * LSTM_NGATES * h);
	w->dh = palloc0(sizeof(double) * h);
	w->dc = palloc0(sizeof(double) * h);
	w->dhprev = palloc0(sizeof(double) * h);
}

/* The logistic function, written to stay finite for any argument. */
static inline double
Sigmoid(double a)
{
	if (a >= 0)
		return 1.0 / (1.0 + exp(-a));
	else
	{
		double		e = exp(a);

		return e / (1.0 + e);
	}
}

/*
 * The forward pass over one window x[0..T-1] (standardised): the predicted
 * next value (standardised), every activation kept in w for the backward
 * pass.
 */
static double
LstmForward(const LstmShape *s, const double *theta, const double *x, LstmWork *w)
{
	int			T = s->window,
				H = s->hidden,
				t,
				j,
				l,
				k;
	const double *W = theta + s->off_w;
	const double *U = theta + s->off_u;
	const double *b = theta + s->off_b;
	const double *head = theta + s->off_head;
	double		y;

	memset(w->c, 0, sizeof(double) * H);
	memset(w->h, 0, sizeof(double) * H);
	for (t = 0; t < T; t++)
	{
		const double *hp = w->h + t * H;
		const double *cp = w->c + t * H;
		double	   *g = w->gates + t * LSTM_NGATES * H;
		double	   *cn = w->c + (t + 1) * H;
		double	   *hn = w->h + (t + 1) * H;

		for (k = 0; k < LSTM_NGATES; k++)
			for (j = 0; j < H; j++)
			{
				const double *urow = U + (k * H + j) * H;
				double		a = W[k * H + j] * x[t] + b[k * H + j];

				for (l = 0; l < H; l++)
					a += urow[l] * hp[l];
				g[k * H + j] = k == LSTM_G ? tanh(a) : Sigmoid(a);
			}
		for (j = 0; j < H; j++)
		{
			double		ig = g[LSTM_I * H + j],
						fg = g[LSTM_F * H + j],
						gg = g[LSTM_G * H + j],
						og = g[LSTM_O * H + j];

			cn[j] = fg * cp[j] + ig * gg;
			hn[j] = og * tanh(cn[j]);
		}
	}
	y = head[H];
	for (j = 0; j < H; j++)
		y += head[j] * w->h[T * H + j];
	return y;
}

/*
 * Backpropagation through time of one window after LstmForward on it:
 * adds dy times the gradient of the prediction to grad (P values).
 */
static void
LstmBackward(const LstmShape *s, const double *theta, const double *x, LstmWork *w,
			 double dy, double *grad)
{
	int			T = s->window,
				H = s->hidden,
				t,
				j,
				l,
				k;
	const double *U = theta + s->off_u;
	const double *head = theta + s->off_head;
	double	   *gW = grad + s->off_w;
	double	   *gU = grad + s->off_u;
	double	   *gb = grad + s->off_b;
	double	   *ghead = grad + s->off_head;

	for (j = 0; j < H; j++)
	{
		ghead[j] += dy * w->h[T * H + j];
		w->dh[j] = dy * head[j];
		w->dc[j] = 0;
	}
	ghead[H] += dy;
	for (t = T - 1; t >= 0; t--)
	{
		const double *g = w->gates + t * LSTM_NGATES * H;
		const double *cp = w->c + t * H;
		const double *cn = w->c + (t + 1) * H;
		const double *hp = w->h + t * H;

		for (j = 0; j < H; j++)
		{
			double		ig = g[LSTM_I * H + j],
						fg = g[LSTM_F * H + j],
						gg = g[LSTM_G * H + j],
						og = g[LSTM_O * H + j],
						tc = tanh(cn[j]),
						dc = w->dc[j] + w->dh[j] * og * (1 - tc * tc);

			w->da[LSTM_I * H + j] = dc * gg * ig * (1 - ig);
			w->da[LSTM_F * H + j] = dc * cp[j] * fg * (1 - fg);
			w->da[LSTM_G * H + j] = dc * ig * (1 - gg * gg);
			w->da[LSTM_O * H + j] = w->dh[j] * tc * og * (1 - og);
			w->dc[j] = dc * fg;
		}
		memset(w->dhprev, 0, sizeof(double) * H);
		for (k = 0; k < LSTM_NGATES; k++)
			for (j = 0; j < H; j++)
			{
				double		da = w->da[k * H + j];
				const double *urow = U + (k * H + j) * H;
				double	   *gurow = gU + (k * H + j) * H;

				gW[k * H + j] += da * x[t];
				gb[k * H + j] += da;
				for (l = 0; l < H; l++)
				{
					gurow[l] += da * hp[l];
					w->dhprev[l] += urow[l] * da;
				}
			}
		memcpy(w->dh, w->dhprev, sizeof(double) * H);
	}
}

/* A training's progress: reported every LSTM_PROGRESS_EVERY windows. */
typedef struct LstmTick
{
	ForecastTrainCtx *ctx;
	int			epoch;
	int			epochs;
	int64		seen;			/* windows run through the net so far */
} LstmTick;

/*
 * The training loss: the mean over the nb windows idx[] of the squared
 * error of the one-step prediction, window i being z[i..i+T-1] and its
 * target z[i+T] (z standardised).  grad (P values, or NULL) gets its
 * gradient.  tick (or NULL) hears about progress every
 * LSTM_PROGRESS_EVERY windows, which is also where a cancel lands.
 */
static double
LstmLoss(const LstmShape *s, const double *theta, const double *z, const int *idx, int nb,
		 double *grad, LstmWork *w, LstmTick *tick)
{
	double		sum = 0;
	int			b;

	if (grad)
		memset(grad, 0, sizeof(double) * s->nparams);
	for (b = 0; b < nb; b++)
	{
		const double *x = z + idx[b];
		double		e = LstmForward(s, theta, x, w) - x[s->window];

		sum += e * e;
		if (grad)
			LstmBackward(s, theta, x, w, 2.0 * e / nb, grad);
		if (tick && ++tick->seen % LSTM_PROGRESS_EVERY == 0)
			ForecastProgress(tick->ctx, "epoch", tick->epoch, tick->epochs);
	}
	return nb > 0 ? sum / nb : NAN;
}

/*
 * Initial weights from rng: each weight matrix Glorot-uniform on
 * (-sqrt(6 / (fan_in + fan_out)), +...), per gate (W_k: 1 -> H, U_k:
 * H -> H, the head: H -> 1); biases 0 but the forget gate's, 1, so the cell
 * remembers from the start.  The draws go in theta's order.
 */
static void
LstmInit(const LstmShape *s, double *theta, ForecastRng *rng)
{
	int			H = s->hidden,
				i;
	double		lw = sqrt(6.0 / (1 + H)),
				lu = sqrt(6.0 / (2.0 * H)),
				lh = sqrt(6.0 / (H + 1));

	for (i = 0; i < LSTM_NGATES * H; i++)
		theta[s->off_w + i] = lw * (2 * ForecastRngUniform(rng) - 1);
	for (i = 0; i < LSTM_NGATES * H * H; i++)
		theta[s->off_u + i] = lu * (2 * ForecastRngUniform(rng) - 1);
	for (i = 0; i < LSTM_NGATES * H; i++)
		theta[s->off_b + i] = i / H == LSTM_F ? 1.0 : 0.0;
	for (i = 0; i < H; i++)
		theta[s->off_head + i] = lh * (2 * ForecastRngUniform(rng) - 1);
	theta[s->off_head + H] = 0;
}

/* ---- the state ---- */

/* Serialize a trained model. */
static bytea *
LstmStateBuild(const LstmStateHeader *hdr, const double *theta, const double *tail)
{
	Size		len = sizeof(LstmStateHeader) +
		sizeof(double) * ((Size) hdr->nparams + hdr->window);
	char	   *buf = palloc(len);
	bytea	   *out;

	memcpy(buf, hdr, sizeof(LstmStateHeader));
	memcpy(buf + sizeof(LstmStateHeader), theta, sizeof(double) * hdr->nparams);
	memcpy(buf + sizeof(LstmStateHeader) + sizeof(double) * hdr->nparams, tail,
		   sizeof(double) * hdr->window);
	out = ForecastBytea(buf, len);
	pfree(buf);
	return out;
}

/* An error for a state that is not a valid lstm state. */
static void
LstmCorrupt(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid lstm model state: %s", why)));
}

/* Check and load a state (see forecast.h); XX001 on anything not ours. */
static void *
LstmLoad(const bytea *state)
{
	LstmModel  *m = palloc0(sizeof(LstmModel));
	Size		len = VARSIZE_ANY_EXHDR(state);
	const char *p = VARDATA_ANY(state);
	Size		ndoubles;
	int			i;

	if (len < sizeof(LstmStateHeader))
		LstmCorrupt("too short");
	memcpy(&m->hdr, p, sizeof(LstmStateHeader));
	if (m->hdr.magic != LSTM_MAGIC)
		LstmCorrupt("bad magic");
	if (m->hdr.version != LSTM_VERSION)
		LstmCorrupt("unknown version");
	if (m->hdr.window < 1 || m->hdr.window > LSTM_MAX_WINDOW ||
		m->hdr.hidden < 1 || m->hdr.hidden > LSTM_MAX_HIDDEN || m->hdr.epochs_run < 0)
		LstmCorrupt("bad shape");
	m->shape = LstmShapeOf(m->hdr.window, m->hdr.hidden);
	if (m->hdr.nparams != m->shape.nparams)
		LstmCorrupt("bad parameter count");
	ndoubles = (Size) m->hdr.nparams + m->hdr.window;
	if (len != sizeof(LstmStateHeader) + sizeof(double) * ndoubles)
		LstmCorrupt("bad size");
	if (!isfinite(m->hdr.mean) || !isfinite(m->hdr.sd) || !(m->hdr.sd > 0) ||
		!isfinite(m->hdr.sigma) || m->hdr.sigma < 0)
		LstmCorrupt("bad scaling");
	m->theta = palloc(sizeof(double) * ndoubles);
	memcpy(m->theta, p + sizeof(LstmStateHeader), sizeof(double) * ndoubles);
	m->tail = m->theta + m->hdr.nparams;
	for (i = 0; i < (int) ndoubles; i++)
		if (!isfinite(m->theta[i]))
			LstmCorrupt("a weight or value is not finite");
	return m;
}

/* ---- training ---- */

/* Adam's moments and step count. */
typedef struct LstmAdam
{
	double	   *m;
	double	   *v;
	int64		t;
} LstmAdam;

/* The training's hyper-parameters. */
typedef struct LstmOptions
{
	int			window;
	int			hidden;
	double		learning_rate;
	int			epochs;
	int			batch_size;
	double		beta1;
	double		beta2;
	double		eps;
	double		clip;
	double		validation;
	int			patience;
} LstmOptions;

/*
 * One Adam step on theta with gradient g, after scaling g down to global
 * norm clip when it is longer (clip 0: no clipping).
 */
static void
LstmAdamStep(const LstmOptions *o, LstmAdam *a, double *theta, double *g, int P)
{
	double		norm = 0,
				c1,
				c2;
	int			i;

	for (i = 0; i < P; i++)
		norm += g[i] * g[i];
	norm = sqrt(norm);
	if (o->clip > 0 && norm > o->clip)
		for (i = 0; i < P; i++)
			g[i] *= o->clip / norm;
	a->t++;
	c1 = 1 - pow(o->beta1, (double) a->t);
	c2 = 1 - pow(o->beta2, (double) a->t);
	for (i = 0; i < P; i++)
	{
		a->m[i] = o->beta1 * a->m[i] + (1 - o->beta1) * g[i];
		a->v[i] = o->beta2 * a->v[i] + (1 - o->beta2) * g[i] * g[i];
		theta[i] -= o->learning_rate * (a->m[i] / c1) / (sqrt(a->v[i] / c2) + o->eps);
	}
}

/* Read and check the hyper-parameters. */
static void
LstmReadOptions(Jsonb *params, LstmOptions *o)
{
	o->window = ForecastParamInt(params, "window", 16, 1, LSTM_MAX_WINDOW);
	o->hidden = ForecastParamInt(params, "hidden", 16, 1, LSTM_MAX_HIDDEN);
	o->learning_rate = ForecastParamFloat(params, "learning_rate", 1e-2, 1e-12, 10);
	o->epochs = ForecastParamInt(params, "epochs", 100, 1, 1000000);
	o->batch_size = ForecastParamInt(params, "batch_size", 32, 1, 1000000);
	o->beta1 = ForecastParamFloat(params, "beta1", 0.9, 0, 0.999999);
	o->beta2 = ForecastParamFloat(params, "beta2", 0.999, 0, 0.999999999);
	o->eps = ForecastParamFloat(params, "eps", 1e-8, 1e-300, 1);
	o->clip = ForecastParamFloat(params, "clip", 5, 0, 1e12);
	o->validation = ForecastParamFloat(params, "validation", 0, 0, 0.9);
	o->patience = ForecastParamInt(params, "patience", 10, 1, 1000000);
}

/* A double as JSON (null for NaN or infinity). */
static void
JsonDouble(StringInfo s, const char *key, double v)
{
	if (isfinite(v))
		appendStringInfo(s, "\"%s\": %.17g", key, v);
	else
		appendStringInfo(s, "\"%s\": null", key);
}

/*
 * Train (see the file's comment).  With validation > 0 the last share of
 * the windows (in time order) is held out: the weights of the epoch with
 * the lowest held-out loss are kept, and training stops after patience
 * epochs without a new lowest.
 */
static void
LstmTrain(const ForecastData *d, ForecastTrainCtx *ctx, ForecastFit *out)
{
	LstmOptions o;
	LstmShape	s;
	LstmWork	w;
	LstmAdam	adam;
	LstmTick	tick;
	LstmStateHeader hdr;
	double	   *z,
			   *theta,
			   *best,
			   *grad,
				mean = 0,
				var = 0,
				sd,
				best_val = INFINITY,
				sse = 0;
	int		   *idx;
	int			n = d->n,
				m,
				nval,
				ntrain,
				P,
				epoch,
				since_best = 0,
				epochs_run = 0,
				i;
	StringInfoData js;

	LstmReadOptions(ctx->params, &o);
	if (n < o.window + 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the series has %d values; a window of %d needs at least %d",
						n, o.window, o.window + 2)));
	s = LstmShapeOf(o.window, o.hidden);
	P = s.nparams;
	m = n - o.window;			/* windows */
	nval = (int) ceil(o.validation * m);
	if (o.validation > 0 && (nval < 1 || m - nval < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("validation %g leaves no window to train or to validate on", o.validation),
				 errdetail("The series has %d windows of %d values.", m, o.window)));
	ntrain = m - nval;

	/* standardise (two passes, for accuracy) */
	for (i = 0; i < n; i++)
		mean += d->y[i];
	mean /= n;
	for (i = 0; i < n; i++)
		var += (d->y[i] - mean) * (d->y[i] - mean);
	sd = sqrt(var / n);
	if (!(sd > 0) || !isfinite(sd))
		sd = 1;					/* a constant series: nothing to scale */
	z = palloc(sizeof(double) * n);
	for (i = 0; i < n; i++)
		z[i] = (d->y[i] - mean) / sd;

	theta = palloc(sizeof(double) * P);
	best = palloc(sizeof(double) * P);
	grad = palloc(sizeof(double) * P);
	adam.m = palloc0(sizeof(double) * P);
	adam.v = palloc0(sizeof(double) * P);
	adam.t = 0;
	LstmWorkAlloc(&s, &w);
	LstmInit(&s, theta, &ctx->rng);
	memcpy(best, theta, sizeof(double) * P);
	idx = palloc(sizeof(int) * m);
	tick.ctx = ctx;
	tick.epoch = 0;
	tick.epochs = o.epochs;
	tick.seen = 0;

	for (epoch = 0; epoch < o.epochs; epoch++)
	{
		int			start;

		tick.epoch = epoch;
		ForecastProgress(ctx, "epoch", epoch, o.epochs);
		/* the training windows in a fresh order (Fisher-Yates) */
		for (i = 0; i < ntrain; i++)
			idx[i] = i;
		for (i = ntrain - 1; i > 0; i--)
		{
			int			r = (int) (ForecastRngUniform(&ctx->rng) * (i + 1));
			int			tmp = idx[i];

			idx[i] = idx[r];
			idx[r] = tmp;
		}
		for (start = 0; start < ntrain; start += o.batch_size)
		{
			int			nb = Min(o.batch_size, ntrain - start);

			/* progress (and a cancel) at least every LSTM_PROGRESS_EVERY windows */
			LstmLoss(&s, theta, z, idx + start, nb, grad, &w, &tick);
			LstmAdamStep(&o, &adam, theta, grad, P);
		}
		epochs_run = epoch + 1;
		for (i = 0; i < P; i++)
			if (!isfinite(theta[i]))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("lstm training diverged in epoch %d", epoch + 1),
						 errhint("Lower learning_rate or clip.")));
		if (nval > 0)
		{
			double		vl;

			for (i = 0; i < nval; i++)
				idx[i] = ntrain + i;
			vl = LstmLoss(&s, theta, z, idx, nval, NULL, &w, &tick);
			if (vl < best_val)
			{
				best_val = vl;
				memcpy(best, theta, sizeof(double) * P);
				since_best = 0;
			}
			else if (++since_best >= o.patience)
				break;
		}
	}
	ForecastProgress(ctx, "epoch", epochs_run, o.epochs);
	if (nval > 0)
		memcpy(theta, best, sizeof(double) * P);

	/* final losses and the in-sample one-step residual sd (original units) */
	for (i = 0; i < m; i++)
		idx[i] = i;
	memset(&hdr, 0, sizeof(hdr));
	hdr.train_loss = LstmLoss(&s, theta, z, idx, ntrain, NULL, &w, &tick);
	hdr.val_loss = nval > 0 ? LstmLoss(&s, theta, z, idx + ntrain, nval, NULL, &w, &tick) : NAN;
	sse = hdr.train_loss * ntrain + (nval > 0 ? hdr.val_loss * nval : 0);

	hdr.magic = LSTM_MAGIC;
	hdr.version = LSTM_VERSION;
	hdr.window = o.window;
	hdr.hidden = o.hidden;
	hdr.nparams = P;
	hdr.epochs_run = epochs_run;
	hdr.mean = mean;
	hdr.sd = sd;
	hdr.sigma = sqrt(sse / m) * sd;
	out->state = LstmStateBuild(&hdr, theta, d->y + n - o.window);
	out->sigma = hdr.sigma;

	initStringInfo(&js);
	appendStringInfo(&js, "{\"window\": %d, \"hidden\": %d, \"layers\": 1, "
					 "\"parameters\": %d, \"epochs\": %d, \"epochs_run\": %d, "
					 "\"windows\": %d, \"validation_windows\": %d, ",
					 o.window, o.hidden, P, o.epochs, epochs_run, ntrain, nval);
	JsonDouble(&js, "train_loss", hdr.train_loss);
	appendStringInfoString(&js, ", ");
	JsonDouble(&js, "validation_loss", hdr.val_loss);
	appendStringInfoString(&js, ", ");
	JsonDouble(&js, "scale_mean", mean);
	appendStringInfoString(&js, ", ");
	JsonDouble(&js, "scale_sd", sd);
	appendStringInfoString(&js, ", ");
	JsonDouble(&js, "sigma", hdr.sigma);
	appendStringInfo(&js, ", \"learning_rate\": %.17g, \"batch_size\": %d, \"clip\": %.17g}",
					 o.learning_rate, o.batch_size, o.clip);
	out->summary = ForecastJsonb(js.data);
}

/* ---- serving ---- */

/*
 * The window a forecast starts from, standardised: the training tail, or
 * the last window values of y (22023 when y is shorter or not finite).
 */
static double *
LstmStartWindow(const LstmModel *m, const double *y, int n, int extra)
{
	int			T = m->hdr.window,
				i;
	double	   *z = palloc(sizeof(double) * (T + extra + 1));
	const double *src = m->tail;

	if (y != NULL)
	{
		if (n < T)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("y has %d values; the model's window needs at least %d", n, T)));
		src = y + n - T;
	}
	for (i = 0; i < T; i++)
	{
		if (!isfinite(src[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("y must hold finite numbers")));
		z[i] = (src[i] - m->hdr.mean) / m->hdr.sd;
	}
	return z;
}

/*
 * The forecast of h steps: the net's prediction of the next value,
 * appended to the window, and again.  The sd of step k is the in-sample
 * one-step residual sd times sqrt(k): exact for a random walk's errors, an
 * approximation otherwise (docs/forecast.md).
 */
static void
LstmForecast(void *model, const double *y, int n, int h, double *mean, double *sd)
{
	LstmModel  *m = (LstmModel *) model;
	int			T = m->hdr.window,
				k;
	double	   *z = LstmStartWindow(m, y, n, 0);
	LstmWork	w;

	LstmWorkAlloc(&m->shape, &w);
	for (k = 0; k < h; k++)
	{
		double		next = LstmForward(&m->shape, m->theta, z, &w);

		mean[k] = next * m->hdr.sd + m->hdr.mean;
		sd[k] = m->hdr.sigma * sqrt((double) (k + 1));
		memmove(z, z + 1, sizeof(double) * (T - 1));
		z[T - 1] = next;
		if ((k + 1) % 1024 == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

const ForecastKind ForecastKindLstm = {
	.name = "lstm",
	.series = true,
	.param_names = lstm_params,
	.train = LstmTrain,
	.load = LstmLoad,
	.predict = NULL,
	.forecast = LstmForecast,
	.regime = NULL,
};

/* ---- checks of the gradient ---- */

/* The name of parameter group g (0..12: W_i..W_o, U_i..U_o, b_i..b_o, head). */
static void
LstmGroupName(int g, char *buf)
{
	static const char *const kinds[] = {"W", "U", "b"};

	if (g < 3 * LSTM_NGATES)
		snprintf(buf, 8, "%s_%c", kinds[g / LSTM_NGATES], lstm_gate_names[g % LSTM_NGATES]);
	else
		strcpy(buf, "head");
}

/* The range [*lo, *hi) of group g in theta. */
static void
LstmGroupRange(const LstmShape *s, int g, int *lo, int *hi)
{
	int			H = s->hidden;

	if (g < LSTM_NGATES)
		*lo = s->off_w + g * H, *hi = *lo + H;
	else if (g < 2 * LSTM_NGATES)
		*lo = s->off_u + (g - LSTM_NGATES) * H * H, *hi = *lo + H * H;
	else if (g < 3 * LSTM_NGATES)
		*lo = s->off_b + (g - 2 * LSTM_NGATES) * H, *hi = *lo + H;
	else
		*lo = s->off_head, *hi = s->nparams;
}

PG_FUNCTION_INFO_V1(forecast_lstm_gradient_check);

/*
 * forecast_lstm_gradient_check(seed, window, hidden, eps): a random net
 * (the training's initialisation, then every weight moved by a normal draw
 * of sd 0.5, all from the seed) on a random standard-normal sequence of
 * window + 8 values (8 windows); the training loss's gradient by
 * backpropagation against central differences (L(p + eps) - L(p - eps)) /
 * 2 eps of the same loss function, per parameter group: the largest
 * absolute error, the largest relative error |a - f| / max(|a|, |f|, 1e-2)
 * (the floor: below it a difference with eps 1e-6 cannot resolve relative
 * errors, see docs), and how many parameters were compared.
 */
Datum
forecast_lstm_gradient_check(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		seed = PG_GETARG_INT64(0);
	int			window = PG_GETARG_INT32(1),
				hidden = PG_GETARG_INT32(2);
	double		eps = PG_GETARG_FLOAT8(3);
	const int	nwin = 8;
	LstmShape	s;
	LstmWork	w;
	ForecastRng rng;
	double	   *theta,
			   *grad,
			   *z;
	int			idx[8],
				i,
				g;

	if (seed < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("seed must not be negative")));
	if (window < 1 || window > 64 || hidden < 1 || hidden > 32)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("window must be between 1 and 64 and hidden between 1 and 32")));
	if (!(eps > 0 && eps < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("eps must be between 0 and 1")));

	InitMaterializedSRF(fcinfo, 0);
	s = LstmShapeOf(window, hidden);
	ForecastRngSeed(&rng, (uint64) seed);
	theta = palloc(sizeof(double) * s.nparams);
	grad = palloc(sizeof(double) * s.nparams);
	z = palloc(sizeof(double) * (window + nwin));
	LstmWorkAlloc(&s, &w);
	LstmInit(&s, theta, &rng);
	for (i = 0; i < s.nparams; i++)
		theta[i] += 0.5 * ForecastRngNormal(&rng);
	for (i = 0; i < window + nwin; i++)
		z[i] = ForecastRngNormal(&rng);
	for (i = 0; i < nwin; i++)
		idx[i] = i;
	LstmLoss(&s, theta, z, idx, nwin, grad, &w, NULL);

	for (g = 0; g < 3 * LSTM_NGATES + 1; g++)
	{
		int			lo,
					hi;
		double		maxabs = 0,
					maxrel = 0;
		char		name[8];
		Datum		values[4];
		bool		nulls[4] = {0};

		LstmGroupRange(&s, g, &lo, &hi);
		for (i = lo; i < hi; i++)
		{
			double		keep = theta[i],
						lp,
						lm,
						fd,
						err;

			theta[i] = keep + eps;
			lp = LstmLoss(&s, theta, z, idx, nwin, NULL, &w, NULL);
			theta[i] = keep - eps;
			lm = LstmLoss(&s, theta, z, idx, nwin, NULL, &w, NULL);
			theta[i] = keep;
			fd = (lp - lm) / (2 * eps);
			err = fabs(fd - grad[i]);
			maxabs = Max(maxabs, err);
			maxrel = Max(maxrel, err / Max(Max(fabs(fd), fabs(grad[i])), 1e-2));
		}
		CHECK_FOR_INTERRUPTS();
		LstmGroupName(g, name);
		values[0] = CStringGetTextDatum(name);
		values[1] = Float8GetDatum(maxabs);
		values[2] = Float8GetDatum(maxrel);
		values[3] = Int32GetDatum(hi - lo);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(forecast_lstm_loss_gradient);

/*
 * forecast_lstm_loss_gradient(fit, y): the training loss of an lstm fit on
 * the series y (every window of y, standardised with the fit's mean and
 * sd) and its gradient in the state's parameter order, as training
 * computes them; for checks against an independent implementation.
 */
Datum
forecast_lstm_loss_gradient(PG_FUNCTION_ARGS)
{
	HeapTupleHeader fit = PG_GETARG_HEAPTUPLEHEADER(0);
	ArrayType  *ya = PG_GETARG_ARRAYTYPE_P(1);
	bool		isnull;
	Datum		kd,
				sd;
	LstmModel  *m;
	LstmWork	w;
	Datum	   *elems;
	bool	   *enulls;
	int			n,
				i,
				nwin,
				*idx;
	double	   *z,
			   *grad,
				loss;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {0};
	Datum	   *gd;

	kd = GetAttributeByName(fit, "kind", &isnull);
	if (isnull || strcmp(TextDatumGetCString(kd), "lstm") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("the fit is not an lstm model")));
	sd = GetAttributeByName(fit, "state", &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the fit has no state")));
	m = LstmLoad(DatumGetByteaPP(sd));
	if (ARR_NDIM(ya) > 1 || ARR_ELEMTYPE(ya) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("y must have one dimension")));
	deconstruct_array(ya, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &enulls, &n);
	if (n < m->hdr.window + 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("y has %d values; the model's window needs at least %d",
						n, m->hdr.window + 1)));
	z = palloc(sizeof(double) * n);
	for (i = 0; i < n; i++)
	{
		double		v = DatumGetFloat8(elems[i]);

		if (enulls[i] || !isfinite(v))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("y must hold finite numbers")));
		z[i] = (v - m->hdr.mean) / m->hdr.sd;
	}
	nwin = n - m->hdr.window;
	idx = palloc(sizeof(int) * nwin);
	for (i = 0; i < nwin; i++)
		idx[i] = i;
	grad = palloc(sizeof(double) * m->shape.nparams);
	LstmWorkAlloc(&m->shape, &w);
	loss = LstmLoss(&m->shape, m->theta, z, idx, nwin, grad, &w, NULL);

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	gd = palloc(sizeof(Datum) * m->shape.nparams);
	for (i = 0; i < m->shape.nparams; i++)
		gd[i] = Float8GetDatum(grad[i]);
	values[0] = Float8GetDatum(loss);
	values[1] = PointerGetDatum(construct_array(gd, m->shape.nparams, FLOAT8OID, 8,
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
