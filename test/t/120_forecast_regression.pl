# 120_forecast_regression: the feature kinds linear, ridge and xgboost
# against scikit-learn, statsmodels and XGBoost's own Python package.
#
# Python (Debian's python3 with numpy, scikit-learn 1.2, statsmodels and
# python3-xgboost 1.7.4, the very library we link) simulates the data with a
# fixed seed and computes the references.  Tolerances:
# - linear and ridge coefficients, intercepts and predictions: 1e-9 of the
#   largest reference magnitude.  Both sides solve the same centred system
#   in double precision (SVD through LAPACK dgelsd for least squares, a
#   Cholesky solve of X'X + alpha I for ridge); the designs have condition
#   numbers below 10^3 (the scaled ridge case is standardized first), so the
#   two results differ by a few condition numbers times 1e-16, a million
#   times below the tolerance; a wrong centring, a penalised intercept or a
#   wrong back-scaling moves them by 1e-3 or more;
# - R^2, standard errors, log-likelihood and AIC against statsmodels' OLS:
#   1e-9 relative, the same closed forms;
# - the rank-deficient design against numpy.linalg.lstsq on the centred
#   data (the same cut of small singular values, eps * max(n, p)): 1e-9;
# - xgboost: the saved model is byte for byte the one Python's xgboost.train
#   saves with the same parameters, nthread 1 and seed (the same library,
#   the same float32 data, the same single-threaded order of sums), and the
#   predictions of held-out rows equal Python's to 1e-6 relative (float32
#   has 24 bits, 6e-8; identical trees give identical sums, so this leaves
#   room only for the conversion to float8);
# - recovery: the linear model's coefficients lie within 4 of their own
#   standard errors of the simulated ones (a miss has probability below
#   1e-4 per coefficient); on y = sin(2 x1) + x2^2 + noise (sd 0.1) trees
#   beat the linear fit on 1000 held-out rows by a factor of 3 at least (the
#   linear model cannot fit sin or the square: its RMSE is about 1.2), and
#   on a linear target the linear fit's held-out RMSE is within 10 % of the
#   noise sd (0.1; 500 rows give it a standard error of 3 %) while the trees'
#   stays below a quarter of the target's sd;
# - determinism: the same seed gives the same state bytes, another seed
#   other predictions (subsample 0.7 makes the seed matter).
# Threads: after trainings and predictions the backend has exactly one
# thread (/proc/<pid>/task), and the postmaster never maps libxgboost nor
# amplified_forecast while the backend that trained does.  A statement
# timeout cancels a long xgboost training (57014) between rounds; the
# session carries on, still with one thread.  No timing is asserted.
use strict;
use warnings;

use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('fcreg', preload => 1);
my $dir = PostgreSQL::Test::Utils::tempdir();
my $python = -x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3';

my $py = <<'PY';
import json
import sys

import numpy as np
import statsmodels.api as sm
import xgboost as xgb
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

out = sys.argv[1]
rng = np.random.default_rng(20240117)
data = {}
ref = {}


def arr(a):
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        return '{' + ','.join(repr(float(v)) for v in a) + '}'
    return '{' + ','.join(arr(r) for r in a) + '}'


def f(a):
    return [float(v) for v in np.ravel(a)]


# linear with correlated features and a known model
n, p = 400, 4
mix = np.array([[1, 0.5, 0, 0], [0, 1, 0.3, 0], [0, 0, 1, 0.2], [0, 0, 0, 1.0]])
X = rng.normal(size=(n, p)) @ mix
beta = np.array([1.0, -2.0, 0.5, 0.0])
y = 3.0 + X @ beta + rng.normal(scale=0.7, size=n)
Xt = rng.normal(size=(50, p)) @ mix
data['lin'] = (y, X, Xt)
m = LinearRegression().fit(X, y)
o = sm.OLS(y, sm.add_constant(X)).fit()
ref['linear'] = dict(intercept=float(m.intercept_), coef=f(m.coef_), pred=f(m.predict(Xt)),
                     r2=float(m.score(X, y)), se=f(o.bse[1:]), intercept_se=float(o.bse[0]),
                     llf=float(o.llf), aic=float(o.aic), sigma=float(np.sqrt(o.scale)),
                     truth=[3.0] + f(beta))
m = LinearRegression(fit_intercept=False).fit(X, y)
ref['linear_noint'] = dict(intercept=0.0, coef=f(m.coef_), pred=f(m.predict(Xt)))
for name, alpha, icpt in (('ridge1', 1.0, True), ('ridge50', 50.0, True), ('ridge_noint', 5.0, False)):
    m = Ridge(alpha=alpha, fit_intercept=icpt).fit(X, y)
    ref[name] = dict(intercept=float(m.intercept_), coef=f(m.coef_), pred=f(m.predict(Xt)))
scale = np.array([1, 10, 100, 0.1])
pipe = make_pipeline(StandardScaler(), Ridge(alpha=50.0)).fit(X * scale, y)
sc, rd = pipe[0], pipe[1]
ref['ridge_std'] = dict(intercept=float(rd.intercept_ - np.sum(rd.coef_ * sc.mean_ / sc.scale_)),
                        coef=f(rd.coef_ / sc.scale_), pred=f(pipe.predict(Xt * scale)))
data['lin_scaled'] = (y, X * scale, Xt * scale)

# a rank-deficient design: x4 = x1 - 2 x2
X = rng.normal(size=(200, 3))
X = np.column_stack([X, X[:, 0] - 2 * X[:, 1]])
y = 1.0 + X[:, 0] + 0.5 * X[:, 2] + rng.normal(scale=0.3, size=200)
Xt = rng.normal(size=(20, 4))
data['rank'] = (y, X, Xt)
xm, ym = X.mean(axis=0), y.mean()
c, _, rank, _ = np.linalg.lstsq(X - xm, y - ym, rcond=None)
ref['rank'] = dict(intercept=float(ym - xm @ c), coef=f(c), pred=f(ym - xm @ c + Xt @ c),
                   rank=int(rank))

# a non-linear target and a linear one, each with held-out rows
X = rng.uniform(-2, 2, size=(4000, 4))
y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + rng.normal(scale=0.1, size=4000)
data['nonlin'] = (y[:3000], X[:3000], X[3000:])
ref['nonlin_test'] = f(y[3000:])
X = rng.uniform(-1, 1, size=(2500, 3))
y = 2 + 3 * X[:, 0] - 2 * X[:, 1] + rng.normal(scale=0.1, size=2500)
data['lintarget'] = (y[:2000], X[:2000], X[2000:])
ref['lintarget_test'] = f(y[2000:])

# xgboost.train on the non-linear data, three parameter sets
sets = {
    'xgb_default': ({'seed': 7}, 50),
    'xgb_hist': ({'seed': 42, 'subsample': 0.8, 'colsample_bytree': 0.7, 'max_depth': 4,
                  'eta': 0.1, 'lambda': 2.0, 'alpha': 0.5, 'gamma': 0.1, 'min_child_weight': 3.0,
                  'tree_method': 'hist', 'max_bin': 64}, 80),
    'xgb_exact': ({'seed': 3, 'tree_method': 'exact', 'objective': 'reg:pseudohubererror',
                   'base_score': 0.2, 'learning_rate': 0.2, 'subsample': 0.9}, 40),
}
y, X, Xt = data['nonlin']
for name, (params, rounds) in sets.items():
    dtrain = xgb.DMatrix(X, label=y)
    bst = xgb.train(dict(params, nthread=1, verbosity=0), dtrain, num_boost_round=rounds)
    ref[name] = dict(params=dict(params, n_estimators=rounds),
                     pred=f(bst.predict(xgb.DMatrix(Xt)).astype(np.float64)),
                     model=bytes(bst.save_raw('ubj')).hex())

with open(out + '/data.tsv', 'w') as fh:
    for k, (y, X, Xt) in data.items():
        fh.write('\t'.join([k, arr(y), arr(X), arr(Xt)]) + '\n')
with open(out + '/ref.json', 'w') as fh:
    json.dump(ref, fh)
PY

my ($out, $err);
my $ok = IPC::Run::run([ $python, '-c', $py, $dir ], '>', \$out, '2>', \$err);
ok($ok, 'python simulated the data and fitted scikit-learn, statsmodels and xgboost') or diag($err);
my $ref = do
{
	local $/;
	open(my $fh, '<', "$dir/ref.json") or die "ref.json: $!";
	decode_json(<$fh>);
};

$node->safe_psql('postgres', <<"SQL");
CREATE TABLE d (id text PRIMARY KEY, y float8[], x float8[], xt float8[]);
\\copy d FROM '$dir/data.tsv'
SQL

my $json = JSON::PP->new->canonical;

sub sql { return $node->safe_psql('postgres', shift) }

# Compare two vectors: the largest difference within $tol of the largest reference magnitude.
sub vec_close
{
	my ($got, $want, $tol, $name) = @_;
	my ($max, $diff) = (0, 0);
	if (@$got != @$want)
	{
		fail($name);
		diag(sprintf('%s: %d values, want %d', $name, scalar(@$got), scalar(@$want)));
		return;
	}
	for my $i (0 .. $#$want)
	{
		$max = abs($want->[$i]) if abs($want->[$i]) > $max;
		my $d = abs($got->[$i] - $want->[$i]);
		$diff = $d if $d > $diff;
	}
	ok($diff <= $tol * $max, $name)
	  or diag(sprintf('%s: largest difference %.3g, tolerance %.3g', $name, $diff, $tol * $max));
}

sub close_rel
{
	my ($got, $want, $tol, $name) = @_;
	ok(abs($got - $want) <= $tol * abs($want), $name)
	  or diag(sprintf('%s: got %.12g, want %.12g', $name, $got, $want));
}

sub parr { my $s = shift; $s =~ s/[{}]//g; return [ split /,/, $s ] }

# Fit kind on data set $data with $params into table fits under $id.
sql('CREATE TABLE fits (id text PRIMARY KEY, data text, f amplified.forecast_fit)');

sub fit
{
	my ($id, $kind, $data, $params) = @_;
	$params = $json->encode($params);
	sql("INSERT INTO fits SELECT '$id', '$data', amplified.forecast_fit('$kind', y, x, '$params') FROM d WHERE id = '$data'");
}

# ---- linear and ridge against scikit-learn ----
fit('linear', 'linear', 'lin', {});
fit('linear_noint', 'linear', 'lin', { fit_intercept => JSON::PP::false });
fit('ridge1', 'ridge', 'lin', {});
fit('ridge50', 'ridge', 'lin', { alpha => 50 });
fit('ridge_noint', 'ridge', 'lin', { alpha => 5, fit_intercept => JSON::PP::false });
fit('ridge_std', 'ridge', 'lin_scaled', { alpha => 50, standardize => JSON::PP::true });
for my $id (qw(linear linear_noint ridge1 ridge50 ridge_noint ridge_std))
{
	my ($summary, $pred) = split /\|/, sql(
		"SELECT (f).summary, amplified.forecast_fit_predict(f, d.xt) FROM fits JOIN d ON d.id = fits.data WHERE fits.id = '$id'");
	my $s = decode_json($summary);
	my $r = $ref->{$id};
	vec_close([ $s->{intercept}, @{ $s->{coefficients} } ], [ $r->{intercept}, @{ $r->{coef} } ],
		1e-9, "$id: intercept and coefficients as scikit-learn's");
	vec_close(parr($pred), $r->{pred}, 1e-9, "$id: predictions of held-out rows as scikit-learn's");
	is($s->{n} . '/' . $s->{p}, '400/4', "$id: summary n and p");
}

# ---- linear against statsmodels' OLS, and recovery ----
{
	my ($summary, $sigma, $loglik, $aic, $np) = split /\|/,
	  sql("SELECT (f).summary, (f).sigma, (f).loglik, (f).aic, (f).nparams FROM fits WHERE id = 'linear'");
	my $s = decode_json($summary);
	my $r = $ref->{linear};
	close_rel($s->{r2}, $r->{r2}, 1e-9, 'linear: r2 as scikit-learn\'s score');
	vec_close([ $s->{intercept_se}, @{ $s->{se} } ], [ $r->{intercept_se}, @{ $r->{se} } ], 1e-9,
		'linear: standard errors as statsmodels\'');
	close_rel($sigma, $r->{sigma}, 1e-9, 'linear: sigma as statsmodels\' residual sd (n - p - 1)');
	close_rel($loglik, $r->{llf}, 1e-9, 'linear: log-likelihood as statsmodels\'');
	close_rel($aic, $r->{aic}, 1e-9, 'linear: AIC as statsmodels\'');
	is($np, 5, 'linear: 5 parameters (intercept and 4 slopes)');
	my @est = ($s->{intercept}, @{ $s->{coefficients} });
	my @se = ($s->{intercept_se}, @{ $s->{se} });
	for my $i (0 .. 4)
	{
		ok(abs($est[$i] - $r->{truth}[$i]) <= 4 * $se[$i],
			"linear: coefficient $i recovered within 4 standard errors")
		  or diag("estimate $est[$i], true $r->{truth}[$i], se $se[$i]");
	}
}

# ---- a rank-deficient design: the minimum-norm solution, the rank, a notice ----
{
	my ($rc, $o, $e) = $node->psql('postgres', <<'SQL');
INSERT INTO fits SELECT 'rank', 'rank', amplified.forecast_fit('linear', y, x) FROM d WHERE id = 'rank';
SQL
	like($e, qr/the design has rank 3, less than its 4 features/, 'rank-deficient design: a notice says so');
	my ($summary, $pred) = split /\|/, sql(
		"SELECT (f).summary, amplified.forecast_fit_predict(f, d.xt) FROM fits JOIN d ON d.id = fits.data WHERE fits.id = 'rank'");
	my $s = decode_json($summary);
	my $r = $ref->{rank};
	is($s->{rank}, $r->{rank}, 'rank-deficient design: rank 3 as numpy\'s');
	vec_close([ $s->{intercept}, @{ $s->{coefficients} } ], [ $r->{intercept}, @{ $r->{coef} } ],
		1e-9, 'rank-deficient design: the minimum-norm coefficients of numpy.linalg.lstsq');
	vec_close(parr($pred), $r->{pred}, 1e-9, 'rank-deficient design: predictions as numpy\'s');
	ok(!exists $s->{se}, 'rank-deficient design: no standard errors');
}

# ---- xgboost against Python's xgboost.train ----
for my $id (qw(xgb_default xgb_hist xgb_exact))
{
	my $r = $ref->{$id};
	fit($id, 'xgboost', 'nonlin', $r->{params});
	my ($model, $pred, $summary) = split /\|/, sql(
		"SELECT encode(substring((f).state from 25), 'hex'), amplified.forecast_fit_predict(f, d.xt), (f).summary "
		  . "FROM fits JOIN d ON d.id = fits.data WHERE fits.id = '$id'");
	ok($model eq $r->{model}, "$id: the saved model is byte for byte Python's")
	  or diag(sprintf('%s: %d bytes, Python %d', $id, length($model) / 2, length($r->{model}) / 2));
	vec_close(parr($pred), $r->{pred}, 1e-6, "$id: predictions of held-out rows as Python's");
	my $s = decode_json($summary);
	is($s->{rounds}, $r->{params}{n_estimators}, "$id: summary rounds");
	is($s->{n} . '/' . $s->{p} . '/' . scalar(@{ $s->{importance_gain} }), '3000/4/4',
		"$id: summary n, p and one importance per feature");
}
{
	my $s = decode_json(sql("SELECT (f).summary FROM fits WHERE id = 'xgb_default'"));
	my $g = $s->{importance_gain};
	ok($g->[0] > $g->[2] && $g->[1] > $g->[3], 'xgboost: the features of the target gain more than the noise ones');
	is($json->encode($s->{params}),
		'{"alpha":0,"base_score":0.5,"colsample_bytree":1,"eta":0.3,"gamma":0,"lambda":1,"max_bin":256,'
		  . '"max_depth":6,"min_child_weight":1,"n_estimators":50,"objective":"reg:squarederror",'
		  . '"subsample":1,"tree_method":"auto"}',
		'xgboost: summary params show XGBoost 1.7\'s defaults');
}

# ---- recovery: trees beat a line on a non-linear target, not on a linear one ----
sub rmse
{
	my ($pred, $y) = @_;
	my $ss = 0;
	$ss += ($pred->[$_] - $y->[$_])**2 for 0 .. $#$y;
	return sqrt($ss / @$y);
}
fit('nl_lin', 'linear', 'nonlin', {});
fit('lt_lin', 'linear', 'lintarget', {});
fit('lt_xgb', 'xgboost', 'lintarget', { seed => 1 });
my %rmse;
for my $id (qw(xgb_default nl_lin lt_lin lt_xgb))
{
	my $pred = sql("SELECT amplified.forecast_fit_predict(f, d.xt) FROM fits JOIN d ON d.id = fits.data WHERE fits.id = '$id'");
	my $data = $id =~ /^lt_/ ? 'lintarget_test' : 'nonlin_test';
	$rmse{$id} = rmse(parr($pred), $ref->{$data});
}
diag(join(' ', map { sprintf('%s %.4f', $_, $rmse{$_}) } sort keys %rmse));
ok($rmse{xgb_default} * 3 < $rmse{nl_lin}, 'non-linear target: xgboost\'s held-out RMSE a third of linear\'s at most');
ok(abs($rmse{lt_lin} - 0.1) <= 0.01, 'linear target: linear\'s held-out RMSE is the noise sd within 10 %');
{
	my $t = $ref->{lintarget_test};
	my $mean = 0;
	$mean += $_ / @$t for @$t;
	my $sd = rmse([ ($mean) x @$t ], $t);
	ok($rmse{lt_xgb} < 0.25 * $sd, 'linear target: xgboost\'s held-out RMSE below a quarter of the target\'s sd')
	  or diag("target sd $sd");
}
ok($rmse{lt_lin} < $rmse{lt_xgb}, 'linear target: linear beats xgboost');

# ---- determinism ----
{
	my ($same, $diff) = split /\|/, sql(sprintf(<<'SQL', 5, 5, 6));
SELECT (a).state = (b).state, amplified.forecast_fit_predict(a, d.xt) <> amplified.forecast_fit_predict(c, d.xt)
  FROM d,
	   LATERAL amplified.forecast_fit('xgboost', d.y, d.x, '{"subsample": 0.7, "n_estimators": 20, "seed": %d}') a,
	   LATERAL amplified.forecast_fit('xgboost', d.y, d.x, '{"subsample": 0.7, "n_estimators": 20, "seed": %d}') b,
	   LATERAL amplified.forecast_fit('xgboost', d.y, d.x, '{"subsample": 0.7, "n_estimators": 20, "seed": %d}') c
 WHERE d.id = 'nonlin'
SQL
	is($same, 't', 'xgboost: the same seed gives the same state bytes');
	is($diff, 't', 'xgboost: another seed gives other predictions');
}

# ---- threads and libraries ----
my $backend = <<'SQL';
SELECT count(*) FROM pg_ls_dir('/proc/' || pg_backend_pid() || '/task');
SELECT pg_read_file('/proc/self/maps') LIKE '%libxgboost%',
	   pg_read_file('/proc/self/maps') LIKE '%amplified_forecast%';
SQL
sql(<<'SQL');
CREATE TABLE big AS
SELECT array_agg(y ORDER BY i) AS y, array_agg(x ORDER BY i) AS x
  FROM (SELECT i, sin(x[1]) + x[2] ^ 2 + x[3] * x[4] AS y, x
		  FROM (SELECT i, ARRAY(SELECT sin(i * 0.37 + j * 1.3) * 2 + cos(i * 0.011 * j)
								  FROM generate_series(1, 10) j) AS x
				  FROM generate_series(1, 20000) i) s) t
SQL
my $threads = sql(<<"SQL");
SELECT length(amplified.forecast_fit_predict(amplified.forecast_fit('xgboost', y, x,
		'{"n_estimators": 20, "subsample": 0.8, "tree_method": "hist", "seed": 1}'), x)::text) > 0 FROM big;
SELECT cardinality(amplified.forecast_fit_predict(amplified.forecast_fit('ridge', y, x), x)) FROM big;
$backend
SQL
is($threads, "t\n20000\n1\nt|t", 'after an xgboost training of 20000 x 10 and predictions the backend has one thread');
my $pm = $node->safe_psql('postgres', "SELECT pg_read_file('postmaster.pid')");
my ($pmpid) = split /\n/, $pm;
my $maps = slurp_file("/proc/$pmpid/maps");
ok(length($maps) > 0 && $maps !~ /libxgboost/ && $maps !~ /amplified_forecast/,
	'the postmaster maps neither libxgboost nor amplified_forecast');
like($maps, qr/amplified\.so/, 'the postmaster maps the preloaded amplified library (the check can see libraries)');

# ---- cancel: a statement timeout stops a long training between rounds ----
{
	my ($rc, $o, $e) = $node->psql('postgres', <<"SQL", on_error_stop => 0);
\\set VERBOSITY verbose
SET statement_timeout = '500ms';
SELECT (amplified.forecast_fit('xgboost', y, x, '{"n_estimators": 100000, "tree_method": "exact", "max_depth": 10, "seed": 1}')).sigma FROM big;
RESET statement_timeout;
SELECT 'alive';
$backend
SQL
	like($e, qr/ERROR:\s+57014: canceling statement due to statement timeout/, 'a statement timeout cancels a long xgboost training (57014)');
	is($o, "alive\n1\nt|t", 'the session carries on after the cancel, with one thread');
}

# ---- bad input ----
sub sqlstate_is
{
	my ($q, $code, $name) = @_;
	my ($rc, $o, $e) = $node->psql('postgres', "\\set VERBOSITY verbose\n$q");
	like($e, qr/ERROR:\s+$code:/, "$name ($code)") or diag($e);
}
my $xy = q{'{1,2,3,4}', '{{1,0},{2,1},{3,0},{4,1}}'};
sqlstate_is("SELECT amplified.forecast_fit('xgboost', $xy, '{\"depth\": 3}')", '22023', 'xgboost: an unknown parameter');
sqlstate_is("SELECT amplified.forecast_fit('linear', $xy, '{\"alpha\": 3}')", '22023', 'linear: ridge\'s alpha is unknown to it');
sqlstate_is("SELECT amplified.forecast_fit('xgboost', $xy, '{\"max_depth\": \"six\"}')", '22023', 'xgboost: a string for max_depth');
sqlstate_is("SELECT amplified.forecast_fit('xgboost', $xy, '{\"subsample\": 0}')", '22023', 'xgboost: subsample 0');
sqlstate_is("SELECT amplified.forecast_fit('xgboost', $xy, '{\"objective\": \"binary:logistic\"}')", '22023', 'xgboost: an objective not offered');
sqlstate_is("SELECT amplified.forecast_fit('xgboost', $xy, '{\"eta\": 0.1, \"learning_rate\": 0.1}')", '22023', 'xgboost: eta and learning_rate both');
sqlstate_is("SELECT amplified.forecast_fit('ridge', $xy, '{\"alpha\": -1}')", '22023', 'ridge: a negative alpha');
sqlstate_is("SELECT amplified.forecast_fit('ridge', $xy, '{\"fit_intercept\": 1}')", '22023', 'ridge: a number for fit_intercept');
sqlstate_is(q{SELECT amplified.forecast_fit('linear', '{1,2,NULL}', '{{1},{2},{3}}')}, '22004', 'linear: a NULL in y');
sqlstate_is(q{SELECT amplified.forecast_fit('xgboost', '{1,2,3}', '{{1},{NULL},{3}}')}, '22004', 'xgboost: a NULL in x');
sqlstate_is(q{SELECT amplified.forecast_fit('xgboost', '{1,2,3}', '{{1},{NaN},{3}}')}, '22023', 'xgboost: NaN in x');
sqlstate_is(q{SELECT amplified.forecast_fit('ridge', '{1,NaN,3}', '{{1},{2},{3}}')}, '22023', 'ridge: NaN in y');
sqlstate_is("SELECT amplified.forecast_fit_predict(f, '{1,2,3}') FROM fits WHERE id = 'linear'", '22023', 'linear: 3 features for a model of 4');
sqlstate_is("SELECT amplified.forecast_fit_predict(f, '{1,2,3}') FROM fits WHERE id = 'xgb_default'", '22023', 'xgboost: 3 features for a model of 4');
for my $id (qw(linear xgb_default))
{
	sqlstate_is("SELECT amplified.forecast_fit_predict(ROW((f).kind, (f).seed, set_byte((f).state, 40, get_byte((f).state, 40) # 1), "
		  . "(f).summary, (f).sigma, (f).loglik, (f).aic, (f).nparams)::amplified.forecast_fit, '{1,2,3,4}') FROM fits WHERE id = '$id'",
		'XX001', "$id: a state with one bit flipped");
	sqlstate_is("SELECT amplified.forecast_fit_predict(ROW((f).kind, (f).seed, substring((f).state from 1 for 30), "
		  . "(f).summary, (f).sigma, (f).loglik, (f).aic, (f).nparams)::amplified.forecast_fit, '{1,2,3,4}') FROM fits WHERE id = '$id'",
		'XX001', "$id: a truncated state");
}
sqlstate_is("SELECT amplified.forecast_fit_predict(ROW('xgboost', (f).seed, (f).state, "
	  . "(f).summary, (f).sigma, (f).loglik, (f).aic, (f).nparams)::amplified.forecast_fit, '{1,2,3,4}') FROM fits WHERE id = 'linear'",
	'XX001', 'a linear state served as xgboost');
sqlstate_is("SELECT amplified.forecast_fit_predict(ROW('linear', 0, '\\x00'::bytea, NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit, '{1}')",
	'XX001', 'a one-byte state');

done_testing();
