# 121_forecast_arima: the arima and garch model kinds against R.
#
# R simulates ARMA/ARIMA series with fixed seeds (arima.sim) and fits each
# with forecast::Arima(order, include.mean = TRUE, method = "ML"): the exact
# Gaussian likelihood by a Kalman filter, which the arima kind maximises too
# (with the same concentrated sigma2, the same first d observations left
# out, the same AIC = -2 loglik + 2 (k + 1) and forecast::Arima's AICc, BIC
# and sigma2 = ssq / (m - k)).  Tolerances:
# - log-likelihood: ours at least R's - 1e-7 (we maximise the same function
#   and must not stop lower; R's optim(BFGS, reltol 1e-8) stops up to about
#   1e-6 below the maximum), and within 1e-4 of it.  For d > 0 the "not
#   lower" check is against R's arima on the differenced series (no mean):
#   Arima's own figure there comes from a diffuse prior (kappa = 1e6) on
#   the undifferenced series, which adds about 4e-7 at the same parameters;
# - AIC, AICc, BIC: within 2e-4 (the same formulas over log-likelihoods
#   within 1e-4);
# - coefficients (ar, ma, mean): within 1e-3 relative or 1 % of R's
#   standard error, whichever is larger: both optima are within 1e-6 of
#   the maximum, and a log-likelihood within eps of the maximum leaves an
#   estimate within sqrt(2 eps) standard errors of the argmax (0.0014 se
#   for eps = 1e-6, so 1 % is generous and still far below what the data
#   can tell);
# - forecasts 1..10 steps ahead (forecast::forecast, h = 10): means within
#   1e-3 relative or 1e-3 of the forecast's sd, sds within 1e-3 relative
#   (the coefficients differ by ~1e-3 se, which moves a forecast by far
#   less than 1e-3 of its sd); the same from a second series of the same
#   model the fit conditions on (R: forecast(Arima(y2, model = fit))).
# Parameter recovery: each coefficient within 3 of R's standard errors of
# the value simulated.  Order selection on n = 1000: d equals
# forecast::ndiffs (KPSS), the order and mean equal those of
# auto.arima(d = ndiffs, stepwise = FALSE, approximation = FALSE,
# method = "ML", allowdrift = FALSE, max.p = max.q = max.order = 5) and its
# AICc within 2e-4; (p, q) equal the simulated order for the clear cases
# (AR(1), MA(1), AR(2), ARMA(1,1); on the ARIMA(1,1,0) series auto.arima
# and we both pick (3,1,2), which is asserted as R's choice only).
# GARCH: the garch kind is the risk module's fit (risk_garch_fit on the same
# returns gives the very same doubles) and its forecast is
# risk_garch_forecast's, exactly; recovery on a simulated GARCH(1,1) of
# n = 3000 within 3 standard errors.  Determinism (same seed, same state
# bytes), a cancel during a long order search, bad inputs.  No timing is
# asserted.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('farima', preload => 0);
my $dir = PostgreSQL::Test::Utils::tempdir();
my $fixed_tsv = "$dir/fixed.tsv";
my $sel_tsv = "$dir/sel.tsv";
my $garch_tsv = "$dir/garch.tsv";

my $r = <<"R";
suppressMessages(library(forecast))
suppressMessages(library(fGarch))
a <- function(v) paste0('{', paste(sprintf('%.17g', v), collapse=','), '}')
fixed <- list(
  list(id='ar1',      order=c(1,0,0), seed=1, model=list(ar=0.6),                  mu=2,  tr=c(0.6, 2)),
  list(id='ar2',      order=c(2,0,0), seed=2, model=list(ar=c(0.5,-0.3)),          mu=0,  tr=c(0.5, -0.3, 0)),
  list(id='ma1',      order=c(0,0,1), seed=3, model=list(ma=0.4),                  mu=-1, tr=c(0.4, -1)),
  list(id='arma11',   order=c(1,0,1), seed=4, model=list(ar=0.7, ma=-0.3),         mu=0,  tr=c(0.7, -0.3, 0)),
  list(id='arima111', order=c(1,1,1), seed=5, model=list(order=c(1,1,1), ar=0.5, ma=0.3), mu=0, tr=c(0.5, 0.3)))
out <- file('$fixed_tsv', 'w')
for (cs in fixed) {
  set.seed(cs\$seed)
  x <- as.numeric(arima.sim(cs\$model, n=500)) + cs\$mu
  y2 <- as.numeric(arima.sim(cs\$model, n=200)) + cs\$mu
  f <- Arima(x, order=cs\$order, include.mean=TRUE, method='ML')
  fc <- forecast(f, h=10)
  f2 <- forecast(Arima(y2, model=f), h=10)
  # the exact likelihood of the differenced series (R's diffuse prior gives ~1e-7 more)
  llx <- if (cs\$order[2] == 0) f\$loglik else
    arima(diff(x, differences=cs\$order[2]), order=c(cs\$order[1], 0, cs\$order[3]), include.mean=FALSE, method='ML')\$loglik
  sdof <- function(fc) as.numeric((fc\$upper[, '95%'] - fc\$mean) / qnorm(0.975))
  cat(cs\$id, a(cs\$order), a(cs\$tr), sprintf('%.17g', c(f\$loglik, llx, f\$aic, f\$aicc, f\$bic, f\$sigma2)),
      a(coef(f)), a(sqrt(diag(f\$var.coef))), a(fc\$mean), a(sdof(fc)), a(f2\$mean), a(sdof(f2)),
      a(x), a(y2), sep='\\t', file=out)
  cat('\\n', file=out)
}
close(out)
sel <- list(
  list(id='sel_ar1',    seed=11, model=list(ar=0.7),                 mu=5, truth=c(1,0)),
  list(id='sel_ma1',    seed=12, model=list(ma=0.6),                 mu=0, truth=c(0,1)),
  list(id='sel_ar2',    seed=13, model=list(ar=c(0.6,-0.4)),         mu=0, truth=c(2,0)),
  list(id='sel_ari110', seed=14, model=list(order=c(1,1,0), ar=0.5), mu=0, truth=c(1,0)),
  list(id='sel_arma11', seed=15, model=list(ar=0.8, ma=0.5),         mu=0, truth=c(1,1)))
out <- file('$sel_tsv', 'w')
for (cs in sel) {
  set.seed(cs\$seed)
  x <- as.numeric(arima.sim(cs\$model, n=1000)) + cs\$mu
  d <- ndiffs(x)
  f <- auto.arima(x, d=d, stepwise=FALSE, approximation=FALSE, method='ML', allowdrift=FALSE,
                  max.p=5, max.q=5, max.order=5, seasonal=FALSE)
  o <- arimaorder(f)
  cat(cs\$id, d, o[1], o[3], if ('intercept' %in% names(coef(f))) 't' else 'f', sprintf('%.17g', f\$aicc),
      cs\$truth[1], cs\$truth[2], a(x), sep='\\t', file=out)
  cat('\\n', file=out)
}
close(out)
set.seed(21)
spec <- garchSpec(model=list(mu=5e-4, omega=2e-6, alpha=0.08, beta=0.9), cond.dist='norm')
g <- as.numeric(garchSim(spec, n=3000))
writeLines(paste('g3000', a(g), sep='\\t'), '$garch_tsv')
R
my ($out, $err);
my $ok = IPC::Run::run([ 'Rscript', '-e', $r ], '>', \$out, '2>', \$err);
ok($ok, 'R simulated the series and fitted them with forecast::Arima and auto.arima') or diag($err);

$node->safe_psql('postgres', <<"SQL");
CREATE TABLE fixed (id text PRIMARY KEY, ord int[], truth float8[],
	r_loglik float8, r_loglik_exact float8, r_aic float8, r_aicc float8, r_bic float8, r_sigma2 float8,
	r_coef float8[], r_se float8[], r_mean float8[], r_sd float8[], r_mean2 float8[], r_sd2 float8[],
	x float8[], y2 float8[]);
\\copy fixed FROM '$fixed_tsv'
CREATE TABLE sel (id text PRIMARY KEY, r_d int, r_p int, r_q int, r_mean bool, r_aicc float8,
	t_p int, t_q int, x float8[]);
\\copy sel FROM '$sel_tsv'
CREATE TABLE garch (id text PRIMARY KEY, r float8[]);
\\copy garch FROM '$garch_tsv'
CREATE TABLE fixed_fits AS
	SELECT id, amplified.forecast_fit('arima', x, NULL,
		jsonb_build_object('order', to_jsonb(ord), 'seed', 1)) AS f FROM fixed;
CREATE FUNCTION sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS \$\$
BEGIN
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END
\$\$;
SQL

# Compare one figure: relative tolerance, or an absolute floor.
sub close_to
{
	my ($got, $want, $rel, $abs, $name) = @_;
	my $tol = abs($want) * $rel;
	$tol = $abs if defined $abs && $abs > $tol;
	my $pass = defined $got && $got ne '' && abs($got - $want) <= $tol;
	ok($pass, $name) or diag(sprintf('%s: got %s, want %.10g, tolerance %.3g', $name, $got // 'undef', $want, $tol));
}

sub arr { my ($s) = @_; $s =~ s/[{}\[\] ]//g; return [ split /,/, $s ]; }

# ---- fixed orders against forecast::Arima ----
my $rows = $node->safe_psql('postgres', <<'SQL');
SELECT c.id, (f).loglik, (f).aic, (f).summary->>'aicc', (f).summary->>'bic', (f).summary->>'sigma2',
	   (f).summary->'ar', (f).summary->'ma', coalesce((f).summary->>'mean', 'none'),
	   (f).summary->>'converged', (f).nparams,
	   c.r_loglik, c.r_loglik_exact, c.r_aic, c.r_aicc, c.r_bic, c.r_sigma2, c.r_coef, c.r_se, c.truth, c.ord,
	   (SELECT array_agg(mean ORDER BY step) FROM amplified.forecast_fit_forecast(f, 10)),
	   (SELECT array_agg(sd ORDER BY step) FROM amplified.forecast_fit_forecast(f, 10)),
	   c.r_mean, c.r_sd,
	   (SELECT array_agg(mean ORDER BY step) FROM amplified.forecast_fit_forecast(f, 10, c.y2)),
	   (SELECT array_agg(sd ORDER BY step) FROM amplified.forecast_fit_forecast(f, 10, c.y2)),
	   c.r_mean2, c.r_sd2
  FROM fixed c JOIN fixed_fits USING (id) ORDER BY c.id
SQL
my @fixed_lines = split /\n/, $rows;
is(scalar(@fixed_lines), 5, 'five fixed-order fits');
for my $line (@fixed_lines)
{
	my ($id, $ll, $aic, $aicc, $bic, $s2, $ar, $ma, $mean, $conv, $np,
		$rll, $rllx, $raic, $raicc, $rbic, $rsig2, $rcoef, $rse, $truth, $ord,
		$fm, $fs, $rm, $rs, $fm2, $fs2, $rm2, $rs2) = split /\|/, $line;
	my @ours = (@{ arr($ar) }, @{ arr($ma) });
	push @ours, $mean unless $mean eq 'none';
	my @rc = @{ arr($rcoef) };
	my @se = @{ arr($rse) };
	my @tr = @{ arr($truth) };

	is($conv, 'true', "$id: converged");
	is(scalar(@ours), scalar(@rc), "$id: as many coefficients as R's");
	is($np, scalar(@rc) + 1, "$id: nparams counts the coefficients and sigma2");
	ok($ll >= $rllx - 1e-7, "$id: our log-likelihood is not below R's exact one") or diag("ours $ll, R $rllx");
	close_to($ll, $rll, 0, 1e-4, "$id: log-likelihood as R's");
	close_to($aic, $raic, 0, 2e-4, "$id: AIC as R's");
	close_to($aicc, $raicc, 0, 2e-4, "$id: AICc as R's");
	close_to($bic, $rbic, 0, 2e-4, "$id: BIC as R's");
	close_to($s2, $rsig2, 1e-4, undef, "$id: sigma2 as R's");
	for my $i (0 .. $#rc)
	{
		close_to($ours[$i], $rc[$i], 1e-3, 0.01 * $se[$i], "$id: coefficient " . ($i + 1) . " as R's");
		ok(abs($ours[$i] - $tr[$i]) <= 3 * $se[$i], "$id: coefficient " . ($i + 1) . " recovered within 3 standard errors")
		  or diag(sprintf('estimate %.6g, true %.6g, se %.3g', $ours[$i], $tr[$i], $se[$i]));
	}
	for my $set ([ 'after the series', $fm, $fs, $rm, $rs ], [ 'after another series', $fm2, $fs2, $rm2, $rs2 ])
	{
		my ($what, $m, $s, $wm, $ws) = @$set;
		my @m = @{ arr($m) };
		my @s = @{ arr($s) };
		my @wm = @{ arr($wm) };
		my @ws = @{ arr($ws) };
		my ($pm, $ps) = (@m == 10, @s == 10);
		for my $k (0 .. 9)
		{
			my $tol = abs($wm[$k]) * 1e-3;
			$tol = 1e-3 * $ws[$k] if 1e-3 * $ws[$k] > $tol;
			$pm &&= abs($m[$k] - $wm[$k]) <= $tol;
			$ps &&= abs($s[$k] - $ws[$k]) <= 1e-3 * $ws[$k];
		}
		ok($pm, "$id: forecast means $what as forecast::forecast's") or diag("ours @m\nR    @wm");
		ok($ps, "$id: forecast sds $what as forecast::forecast's") or diag("ours @s\nR    @ws");
	}
}

# ---- order selection against auto.arima ----
$rows = $node->safe_psql('postgres', <<'SQL');
SELECT id, (f).summary->'order'->>0, (f).summary->'order'->>1, (f).summary->'order'->>2,
	   (f).summary->>'include_mean', (f).summary->>'aicc', (f).summary->>'d_rule',
	   jsonb_array_length((f).summary->'candidates'),
	   r_d, r_p, r_q, r_mean, r_aicc, t_p, t_q
  FROM (SELECT id, amplified.forecast_fit('arima', x) AS f, r_d, r_p, r_q, r_mean, r_aicc, t_p, t_q
		  FROM sel) s ORDER BY id
SQL
my @sel_lines = split /\n/, $rows;
is(scalar(@sel_lines), 5, 'five order searches');
for my $line (@sel_lines)
{
	my ($id, $p, $d, $q, $mean, $aicc, $rule, $ncand, $rd, $rp, $rq, $rmean, $raicc, $tp, $tq) = split /\|/, $line;
	is($rule, 'kpss', "$id: d chosen by the KPSS rule");
	is($d, $rd, "$id: d as forecast::ndiffs");
	is($ncand, $d == 0 ? 42 : 21, "$id: every candidate with p + q <= 5 tried (with and without a mean when d = 0)");
	is("$p,$q", "$rp,$rq", "$id: order as auto.arima's");
	is($mean eq 'true' ? 't' : 'f', $rmean, "$id: mean or none as auto.arima");
	close_to($aicc, $raicc, 0, 2e-4, "$id: AICc of the chosen model as auto.arima's");
	if ($id ne 'sel_ari110')
	{
		is("$p,$q", "$tp,$tq", "$id: the simulated order recovered");
	}
}

# ---- garch kind: the risk module's fit and forecast ----
$rows = $node->safe_psql('postgres', <<'SQL');
WITH f AS (SELECT r, amplified.forecast_fit('garch', r, NULL, '{"dist": "normal", "seed": 3}') AS f,
				  amplified.risk_garch_fit(r, 'normal') AS g FROM garch)
SELECT ((f).summary->>'mu')::float8 = (g).mu, ((f).summary->>'omega')::float8 = (g).omega,
	   ((f).summary->>'alpha')::float8 = (g).alpha, ((f).summary->>'beta')::float8 = (g).beta,
	   (f).loglik = (g).loglik, (f).summary->>'converged',
	   abs((g).mu - 5e-4) <= 3 * ((g).se->>'mu')::float8,
	   abs((g).omega - 2e-6) <= 3 * ((g).se->>'omega')::float8,
	   abs((g).alpha - 0.08) <= 3 * ((g).se->>'alpha')::float8,
	   abs((g).beta - 0.9) <= 3 * ((g).se->>'beta')::float8,
	   (SELECT bool_and(fc.mean = (g).mu AND fc.sd = sqrt(v.v)) AND count(*) = 10
		  FROM amplified.forecast_fit_forecast(f, 10) fc
		  JOIN unnest(amplified.risk_garch_forecast(g, r, 10)) WITH ORDINALITY v(v, k) ON v.k = fc.step),
	   (SELECT bool_and(fc.sd = sqrt(v.v)) AND count(*) = 5
		  FROM amplified.forecast_fit_forecast(f, 5, r[1:1000]) fc
		  JOIN unnest(amplified.risk_garch_forecast(g, r[1:1000], 5)) WITH ORDINALITY v(v, k) ON v.k = fc.step),
	   abs(((f).summary->>'persistence')::float8 - ((g).alpha + (g).beta)) < 1e-15,
	   abs(((f).summary->>'long_run_vol')::float8 - sqrt((g).omega / (1 - (g).alpha - (g).beta))) < 1e-15
  FROM f
SQL
my @g = split /\|/, $rows;
is($g[0], 't', 'garch: mu is risk_garch_fit\'s');
is($g[1], 't', 'garch: omega is risk_garch_fit\'s');
is($g[2], 't', 'garch: alpha is risk_garch_fit\'s');
is($g[3], 't', 'garch: beta is risk_garch_fit\'s');
is($g[4], 't', 'garch: log-likelihood is risk_garch_fit\'s');
is($g[5], 'true', 'garch: converged');
is(join(',', @g[6 .. 9]), 't,t,t,t', 'garch: mu, omega, alpha, beta recovered within 3 standard errors');
is($g[10], 't', 'garch: the forecast is mu and the square root of risk_garch_forecast, exactly');
is($g[11], 't', 'garch: the forecast after another series is risk_garch_forecast\'s after it');
is($g[12], 't', 'garch: persistence is alpha + beta');
is($g[13], 't', 'garch: long-run vol is sqrt(omega / (1 - alpha - beta))');

is($node->safe_psql('postgres', <<'SQL'), 't|t|t', 'garch: t innovations and prices as risk_garch_fit of the log returns');
WITH p AS (SELECT ARRAY(SELECT 100 * exp(sum(v) OVER (ORDER BY k)) FROM unnest(r) WITH ORDINALITY u(v, k)) AS p FROM garch),
	 lr AS (SELECT p, ARRAY(SELECT ln(p[k] / p[k - 1]) FROM generate_series(2, array_length(p, 1)) k) AS lr FROM p)
SELECT ((f).summary->>'shape')::float8 = (g).shape,
	   (q).loglik = (h).loglik AND (q).summary->>'n' = (array_length(lr, 1))::text,
	   ((q).summary->>'alpha')::float8 = (h).alpha
  FROM garch, lr,
	   LATERAL amplified.forecast_fit('garch', garch.r, NULL, '{"dist": "t"}') f,
	   LATERAL amplified.risk_garch_fit(garch.r, 't') g,
	   LATERAL amplified.forecast_fit('garch', lr.p, NULL, '{"returns": false}') q,
	   LATERAL amplified.risk_garch_fit(lr.lr, 'normal') h
SQL

# ---- determinism ----
is($node->safe_psql('postgres', <<'SQL'), 't|t|t', 'the same data and seed give the same state bytes');
SELECT md5((amplified.forecast_fit('arima', x, NULL, '{"order": [1, 0, 1], "seed": 7}')).state)
	 = md5((amplified.forecast_fit('arima', x, NULL, '{"order": [1, 0, 1], "seed": 7}')).state),
	   md5((amplified.forecast_fit('arima', x, NULL, '{"max_p": 2, "max_q": 2}')).state)
	 = md5((amplified.forecast_fit('arima', x, NULL, '{"max_p": 2, "max_q": 2}')).state),
	   md5((amplified.forecast_fit('garch', x, NULL, '{"seed": 7}')).state)
	 = md5((amplified.forecast_fit('garch', x, NULL, '{"seed": 7}')).state)
  FROM fixed WHERE id = 'arma11'
SQL

# ---- a cancel during a long order search ----
$node->safe_psql('postgres',
	"CREATE TABLE big AS SELECT ARRAY(SELECT sin(i * 0.7) + cos(i * 0.013) + (i % 11) * 0.1 FROM generate_series(1, 200000) i) AS y");
my ($rc, $cout, $cerr) = $node->psql('postgres', <<'SQL');
SET statement_timeout = '200ms';
SELECT (amplified.forecast_fit('arima', y, NULL, '{"max_p": 5, "max_q": 5}')).aic FROM big;
SQL
like($cerr, qr/canceling statement due to statement timeout/, 'a statement timeout cancels a long order search');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the session carries on after the cancel');

# ---- bad inputs ----
my %bad = (
	'too short series' => [ q{amplified.forecast_fit('arima', '{1,2,3}')}, '22023' ],
	'too short for the order' => [ q{amplified.forecast_fit('arima', '{1,2,4,3,5,4,6}', NULL, '{"order": [3, 0, 3]}')}, '22023' ],
	'constant series' => [ q{amplified.forecast_fit('arima', array_fill(2.5::float8, ARRAY[100]))}, '22023' ],
	'constant after differencing' => [ q{amplified.forecast_fit('arima', ARRAY(SELECT i::float8 FROM generate_series(1, 100) i), NULL, '{"d": 1}')}, '22023' ],
	'NaN in the series' => [ q{amplified.forecast_fit('arima', '{1,2,NaN,3,4,5,6,7}')}, '22023' ],
	'order of two numbers' => [ q{amplified.forecast_fit('arima', x, NULL, '{"order": [1, 0]}') FROM fixed WHERE id = 'ar1'}, '22023' ],
	'negative order' => [ q{amplified.forecast_fit('arima', x, NULL, '{"order": [-1, 0, 0]}') FROM fixed WHERE id = 'ar1'}, '22023' ],
	'order too large' => [ q{amplified.forecast_fit('arima', x, NULL, '{"order": [11, 0, 0]}') FROM fixed WHERE id = 'ar1'}, '22023' ],
	'd and order disagree' => [ q{amplified.forecast_fit('arima', x, NULL, '{"order": [1, 0, 0], "d": 1}') FROM fixed WHERE id = 'ar1'}, '22023' ],
	'unknown param' => [ q{amplified.forecast_fit('arima', x, NULL, '{"ordre": [1, 0, 0]}') FROM fixed WHERE id = 'ar1'}, '22023' ],
	'unknown method' => [ q{amplified.forecast_fit('arima', x, NULL, '{"method": "CSS"}') FROM fixed WHERE id = 'ar1'}, '22023' ],
	'bad max_p' => [ q{amplified.forecast_fit('arima', x, NULL, '{"max_p": -1}') FROM fixed WHERE id = 'ar1'}, '22023' ],
	'garch: unknown dist' => [ q{amplified.forecast_fit('garch', x, NULL, '{"dist": "ged"}') FROM fixed WHERE id = 'ar1'}, '22023' ],
	'garch: too short' => [ q{amplified.forecast_fit('garch', '{0.01,-0.02,0.01}')}, '22023' ],
	'garch: constant' => [ q{amplified.forecast_fit('garch', array_fill(0.01::float8, ARRAY[100]))}, '22023' ],
	'garch: negative price' => [ q{amplified.forecast_fit('garch', '{1,2,-1,3,4,5,6,7,8,9,10,11,12}', NULL, '{"returns": false}')}, '22023' ],
	'garch: unknown param' => [ q{amplified.forecast_fit('garch', x, NULL, '{"order": [1, 1]}') FROM fixed WHERE id = 'ar1'}, '22023' ],
	'arima: state truncated' => [ q{amplified.forecast_fit_forecast(ROW('arima', 1, substring((f).state FROM 1 FOR 40), NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit, 3) FROM fixed_fits WHERE id = 'ar1'}, 'XX001' ],
	'arima: bad magic' => [ q{amplified.forecast_fit_forecast(ROW('arima', 1, overlay((f).state PLACING '\xffff'::bytea FROM 1), NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit, 3) FROM fixed_fits WHERE id = 'ar1'}, 'XX001' ],
	'arima: p out of range' => [ q{amplified.forecast_fit_forecast(ROW('arima', 1, overlay((f).state PLACING '\x63000000'::bytea FROM 9), NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit, 3) FROM fixed_fits WHERE id = 'ar1'}, 'XX001' ],
	'arima: a garch state' => [ q{amplified.forecast_fit_forecast(ROW('arima', 1, (amplified.forecast_fit('garch', x)).state, NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit, 3) FROM fixed WHERE id = 'ar1'}, 'XX001' ],
	'garch: an arima state' => [ q{amplified.forecast_fit_forecast(ROW('garch', 1, (f).state, NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit, 3) FROM fixed_fits WHERE id = 'ar1'}, 'XX001' ],
	'garch: empty state' => [ q{amplified.forecast_fit_forecast(ROW('garch', 1, ''::bytea, NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit, 3)}, 'XX001' ],
	'arima: forecast from too short a series' => [ q{amplified.forecast_fit_forecast(f, 3, '{1}') FROM fixed_fits WHERE id = 'arima111'}, '22023' ],
);
for my $name (sort keys %bad)
{
	my ($sql, $want) = @{ $bad{$name} };
	my $q = "SELECT $sql";
	$q =~ s/'/''/g;
	is($node->safe_psql('postgres', "SELECT sqlstate_of('$q')"), $want, "bad input: $name -> $want");
}

done_testing();
