# 123_forecast_lstm: the lstm kind against its own finite differences, an
# independent numpy implementation, and the data.
#
# Gradient: forecast_lstm_gradient_check compares the backpropagated
# gradient of the training loss with central differences of the same loss
# for every parameter, on random nets and sequences of several shapes.  The
# loss is O(1) (standard-normal data), so with eps = 1e-6 the differences
# carry a rounding error of about 1e-16 * L / 1e-6, some 1e-10, whatever the
# size of the component, and a truncation error of eps^2 f''' ~ 1e-12; the
# relative error is measured against max(|analytic|, |numeric|, 1e-2), so
# it is below 1e-8 for a correct gradient, and a wrong term (an error the
# size of a component, 1e-3 .. 1) is far above the bound of 1e-6.  That the
# check measures real differences: the truncation error must scale as eps^2
# (the largest error at eps 1e-2 is 100 times the one at eps 1e-3, 90..110
# allowed: the eps^4 terms are a percent at most), and at eps 1e-3 the
# relative errors already exceed 1e-6.
#
# numpy: a forward pass written here with numpy from the documented state
# layout (native doubles) must give our forecasts (recursive, from the
# training tail and from a given y), our in-sample sigma and our training
# loss to 1e-12 relative: the same arithmetic in double precision, only
# summation order and the exp/tanh implementations differ (a few ulps, and
# the gates contract rather than amplify them).  Its own central differences
# (eps 1e-6) of its loss must match our backpropagated gradient to 1e-6 with
# the same near-zero floor as above (errors about 1e-10).
#
# Learning (an AR(2) too, below): a sine of period 25 with N(0, 0.2^2) noise (numpy seed 123),
# trained on the first 800 values; one-step forecasts of the last 200 (each
# after the series up to the step before) must beat the naive last-value
# forecast (RMSE about 0.31) by at least 20 % and come within 25 % of the
# noise sd 0.2 (the best any forecaster can do).
#
# Determinism, a cancel during a long training, bad inputs.  No timing is
# asserted.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('lstm', preload => 0);
my $dir = PostgreSQL::Test::Utils::tempdir();
my $python = '/usr/bin/python3';

# Run python code on stdin input, return its stdout.
sub python
{
	my ($code, $input) = @_;
	my ($out, $err);
	my $ok = IPC::Run::run([ $python, '-c', $code ], '<', \$input, '>', \$out, '2>', \$err);
	ok($ok, 'python ran') or diag($err);
	return $out;
}

# An SQL statement's error SQLSTATE (or 'ok').
sub sqlstate
{
	my ($sql) = @_;
	my ($rc, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n$sql", on_error_stop => 0);
	return $1 if $err =~ /ERROR:\s+([0-9A-Z]{5}):/;
	return 'ok';
}

# ---- the gradient against central differences ----

my $rows = $node->safe_psql('postgres', <<'SQL');
SELECT s, w, h, count(*), sum(checked), max(max_rel_error), max(max_abs_error)
  FROM generate_series(1, 4) s,
       (VALUES (1, 1), (4, 3), (8, 4), (16, 8), (24, 12)) v(w, h),
       amplified.forecast_lstm_gradient_check(s, w, h) g
 GROUP BY s, w, h ORDER BY s, w, h
SQL
for my $line (split /\n/, $rows)
{
	my ($s, $w, $h, $groups, $checked, $rel, $abs) = split /\|/, $line;
	my $p = 4 * $h + 4 * $h * $h + 4 * $h + $h + 1;
	ok($groups == 13 && $checked == $p, "seed $s, window $w, hidden $h: all $p parameters in 13 groups checked")
	  or diag("$groups groups, $checked parameters");
	ok($rel < 1e-6, "seed $s, window $w, hidden $h: gradient within 1e-6 relative of central differences")
	  or diag("max relative error $rel, max absolute error $abs");
}
is($node->safe_psql('postgres',
		q{SELECT string_agg(parameter, ',' ORDER BY ordinality) FROM amplified.forecast_lstm_gradient_check(9) WITH ORDINALITY}),
	'W_i,W_f,W_g,W_o,U_i,U_f,U_g,U_o,b_i,b_f,b_g,b_o,head', 'every parameter group reported');

my ($e2, $e3, $r3) = split /\|/, $node->safe_psql('postgres', <<'SQL');
SELECT max(max_abs_error) FILTER (WHERE eps = 1e-2), max(max_abs_error) FILTER (WHERE eps = 1e-3),
       max(max_rel_error) FILTER (WHERE eps = 1e-3)
  FROM unnest(ARRAY[1e-2, 1e-3]::float8[]) eps, amplified.forecast_lstm_gradient_check(5, 8, 4, eps)
SQL
my $ratio = $e2 / $e3;
ok($ratio > 90 && $ratio < 110, 'the difference error scales as eps^2 (a real comparison)')
  or diag("errors $e2 at eps 1e-2, $e3 at 1e-3, ratio $ratio");
ok($r3 > 1e-6, 'an error of a truncated difference at eps 1e-3 fails the 1e-6 bound') or diag($r3);

# ---- data: a noisy sine from numpy ----

my $series = python(<<'PY', '');
import numpy as np
r = np.random.default_rng(123)
t = np.arange(1, 1001)
y = np.sin(2 * np.pi * t / 25) + 0.2 * r.standard_normal(1000)
print('{' + ','.join('%.17g' % v for v in y) + '}')
PY
chomp $series;
$node->safe_psql('postgres', <<"SQL");
CREATE TABLE s AS SELECT '$series'::float8[] AS y;
CREATE TABLE f AS SELECT amplified.forecast_fit('lstm', y[1:800], NULL,
	'{"seed": 7, "hidden": 8, "epochs": 40}') AS f FROM s;
SQL

my ($kind, $window, $hidden, $params, $epochs_run, $sigma) = split /\|/, $node->safe_psql('postgres',
	q{SELECT (f).kind, (f).summary->>'window', (f).summary->>'hidden', (f).summary->>'parameters',
	         (f).summary->>'epochs_run', (f).sigma FROM f});
is("$kind $window $hidden $params $epochs_run", 'lstm 16 8 329 40', 'summary: window, hidden, parameters, epochs run');

# ---- against numpy ----

my $input = join("\n",
	$node->safe_psql('postgres', q{SELECT encode((f).state, 'hex') FROM f}),
	$node->safe_psql('postgres', q{SELECT array_to_string(y, ',') FROM s}),
	$node->safe_psql('postgres', q{SELECT string_agg(mean::text, ',' ORDER BY step) || ';' || string_agg(sd::text, ',' ORDER BY step) FROM f, amplified.forecast_fit_forecast(f.f, 5)}),
	$node->safe_psql('postgres', q{SELECT string_agg(mean::text, ',' ORDER BY step) FROM f, s, amplified.forecast_fit_forecast(f.f, 3, s.y[1:900])}),
	$node->safe_psql('postgres', q{SELECT g.loss || ';' || array_to_string(g.gradient, ',') FROM f, s, amplified.forecast_lstm_loss_gradient(f.f, s.y[801:1000]) g}),
	$node->safe_psql('postgres', q{SELECT (f).sigma || ';' || ((f).summary->>'train_loss') FROM f}),
) . "\n";
my $check = python(<<'PY', $input);
import sys, struct
import numpy as np
from scipy.special import expit

lines = sys.stdin.read().split('\n')
state = bytes.fromhex(lines[0])
y = np.array([float(v) for v in lines[1].split(',')])
fc_mean, fc_sd = [[float(v) for v in p.split(',')] for p in lines[2].split(';')]
fc_y = [float(v) for v in lines[3].split(',')]
loss_s, grad_s = lines[4].split(';')
our_loss = float(loss_s)
our_grad = np.array([float(v) for v in grad_s.split(',')])
our_sigma, our_train_loss = [float(v) for v in lines[5].split(';')]

# the documented layout: magic, version, window, hidden, nparams, epochs_run
# (uint32 x2, int32 x4), mean, sd, sigma, train_loss, val_loss, theta, tail
magic, version, T, H, P, epochs_run, mean, sd, sigma, train_loss, val_loss = \
    struct.unpack_from('=IIiiii5d', state, 0)
assert magic == 0x4D54534C and version == 1 and P == 4 * H + 4 * H * H + 4 * H + H + 1
rest = np.frombuffer(state, dtype='=f8', offset=64)
assert len(rest) == P + T
theta0, tail = rest[:P].copy(), rest[P:]

def forward(theta, X):
    """one-step predictions (standardised) of the windows X (n x T)"""
    W = theta[:4 * H].reshape(4, H)
    U = theta[4 * H:4 * H + 4 * H * H].reshape(4, H, H)
    b = theta[4 * H + 4 * H * H:8 * H + 4 * H * H].reshape(4, H)
    w, bh = theta[8 * H + 4 * H * H:8 * H + 4 * H * H + H], theta[-1]
    h = np.zeros((X.shape[0], H)); c = np.zeros((X.shape[0], H))
    for t in range(T):
        a = X[:, t, None, None] * W[None] + b[None] + np.einsum('kjl,nl->nkj', U, h)
        i, f, g, o = expit(a[:, 0]), expit(a[:, 1]), np.tanh(a[:, 2]), expit(a[:, 3])
        c = f * c + i * g
        h = o * np.tanh(c)
    return h @ w + bh

def windows(z):
    n = len(z) - T
    return np.array([z[k:k + T] for k in range(n)]), z[T:]

def loss(theta, z):
    X, tgt = windows(z)
    return np.mean((forward(theta, X) - tgt) ** 2)

def recursive(start, h):
    z = list((start - mean) / sd); out = []
    for _ in range(h):
        v = forward(theta0, np.array([z[-T:]]))[0]
        out.append(v * sd + mean); z.append(v)
    return np.array(out)

def rel(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-12)))

ytrain = y[:800]
print('tail', float(np.max(np.abs(tail - ytrain[-T:]))))
print('scaling', rel([mean, sd], [ytrain.mean(), ytrain.std()]))
print('forecast', rel(recursive(ytrain[-T:], 5), fc_mean))
print('forecast_sd', rel(sigma * np.sqrt(np.arange(1, 6)), fc_sd))
print('forecast_y', rel(recursive(y[:900][-T:], 3), fc_y))
X, tgt = windows((ytrain - mean) / sd)
print('sigma', rel(np.sqrt(np.mean(((forward(theta0, X) - tgt) * sd) ** 2)), our_sigma))
print('train_loss', rel(np.mean((forward(theta0, X) - tgt) ** 2), our_train_loss))
zt = (y[800:] - mean) / sd
print('loss', rel(loss(theta0, zt), our_loss))
eps = 1e-6
worst = 0.0
for k in range(P):
    tp = theta0.copy(); tp[k] += eps
    tm = theta0.copy(); tm[k] -= eps
    fd = (loss(tp, zt) - loss(tm, zt)) / (2 * eps)
    worst = max(worst, abs(fd - our_grad[k]) / max(abs(fd), abs(our_grad[k]), 1e-2))
print('gradient', worst)
print('gradient_norm', float(np.linalg.norm(our_grad)))
PY
my %py = map { split / / } split /\n/, $check;
diag('numpy: ' . join(', ', map { "$_ $py{$_}" } sort keys %py));
ok(defined $py{tail} && $py{tail} == 0, 'the state keeps the last window of the training series') or diag($py{tail});
ok($py{scaling} < 1e-12, 'the state scales with the training mean and sd') or diag($py{scaling});
for my $k (qw(forecast forecast_y sigma train_loss loss forecast_sd))
{
	ok(defined $py{$k} && $py{$k} < 1e-12, "numpy: $k within 1e-12 relative") or diag($py{$k} // 'missing');
}
ok(defined $py{gradient} && $py{gradient} < 1e-6, 'numpy central differences: our gradient within 1e-6')
  or diag($py{gradient} // 'missing');
ok($py{gradient_norm} > 1e-3, 'the compared gradient is not trivially zero') or diag($py{gradient_norm});

# ---- learning ----

my ($lstm, $naive) = split /\|/, $node->safe_psql('postgres', <<'SQL');
SELECT sqrt(avg((fc.mean - s.y[t + 1]) ^ 2)), sqrt(avg((s.y[t] - s.y[t + 1]) ^ 2))
  FROM s, f, generate_series(800, 999) t, amplified.forecast_fit_forecast(f.f, 1, s.y[1:t]) fc
SQL
diag(sprintf('one-step RMSE on the last 200: lstm %.4f, naive %.4f, noise sd 0.2', $lstm, $naive));
ok($lstm < 0.8 * $naive, 'the lstm beats the naive forecast by 20 % at least');
ok($lstm < 0.25, 'the lstm comes within 25 % of the noise sd');

# An AR(2), y_t = 1.2 y_{t-1} - 0.5 y_{t-2} + e_t (numpy seed 321, burn-in
# 100), trained with early stopping on the first 800 values: on the last
# 200 the one-step RMSE must be within 10 % of the true model's (the floor,
# about 1) and 10 % below the naive forecast's (about 1.18).
my $ar = python(<<'PY', '');
import numpy as np
r = np.random.default_rng(321)
e = r.standard_normal(1100)
y = np.zeros(1100)
for t in range(2, 1100):
    y[t] = 1.2 * y[t - 1] - 0.5 * y[t - 2] + e[t]
print('{' + ','.join('%.17g' % v for v in y[100:]) + '}')
PY
chomp $ar;
my ($ar_lstm, $ar_naive, $ar_true, $ar_epochs) = split /\|/, $node->safe_psql('postgres', <<"SQL");
CREATE TABLE ar AS SELECT '$ar'::float8[] AS y;
CREATE TABLE far AS SELECT amplified.forecast_fit('lstm', y[1:800], NULL,
	'{"seed": 7, "hidden": 8, "window": 8, "epochs": 200, "learning_rate": 0.003, "validation": 0.2}') AS f FROM ar;
SELECT sqrt(avg((fc.mean - ar.y[t + 1]) ^ 2)), sqrt(avg((ar.y[t] - ar.y[t + 1]) ^ 2)),
       sqrt(avg((1.2 * ar.y[t] - 0.5 * ar.y[t - 1] - ar.y[t + 1]) ^ 2)), max((far.f).summary->>'epochs_run')
  FROM ar, far, generate_series(800, 999) t, amplified.forecast_fit_forecast(far.f, 1, ar.y[1:t]) fc
SQL
diag(sprintf('AR(2): one-step RMSE lstm %.4f, naive %.4f, true model %.4f; %s epochs', $ar_lstm, $ar_naive, $ar_true, $ar_epochs));
ok($ar_lstm < 1.1 * $ar_true, 'AR(2): the lstm comes within 10 % of the true model');
ok($ar_lstm < 0.9 * $ar_naive, 'AR(2): the lstm beats the naive forecast by 10 %');

# validation and early stopping
my ($vw, $vl, $er) = split /\|/, $node->safe_psql('postgres', q{
SELECT (g.summary->>'validation_windows'), (g.summary->>'validation_loss') IS NOT NULL,
       (g.summary->>'epochs_run')::int
  FROM s, amplified.forecast_fit('lstm', s.y[1:400], NULL,
	'{"seed": 3, "hidden": 4, "epochs": 500, "validation": 0.25, "patience": 3}') g});
is("$vw $vl", '96 t', 'validation: the last quarter of the 384 windows held out, its loss reported');
ok($er >= 4 && $er < 500, 'early stopping ends the training before its 500 epochs') or diag($er);

# ---- determinism ----

is($node->safe_psql('postgres', q{
SELECT (a).state = (b).state, (a).state <> (c).state
  FROM (SELECT amplified.forecast_fit('lstm', y[1:300], NULL, '{"seed": 11, "hidden": 4, "epochs": 5}') a,
               amplified.forecast_fit('lstm', y[1:300], NULL, '{"seed": 11, "hidden": 4, "epochs": 5}') b,
               amplified.forecast_fit('lstm', y[1:300], NULL, '{"seed": 12, "hidden": 4, "epochs": 5}') c
          FROM s) x}), 't|t', 'the same seed gives the same state bytes, another seed another state');

# ---- a cancel during a long training ----

$node->safe_psql('postgres',
	'CREATE TABLE big AS SELECT ARRAY(SELECT sin(i * 0.3) + 0.001 * (i % 17) FROM generate_series(1, 300000) i) AS y');
my ($rc, $cout, $cerr) = $node->psql('postgres', <<'SQL', on_error_stop => 0);
\set VERBOSITY verbose
SET statement_timeout = '200ms';
SELECT (amplified.forecast_fit('lstm', y, NULL, '{"seed": 1}')).sigma FROM big;
RESET statement_timeout;
SELECT 'still here';
SQL
like($cerr, qr/ERROR:\s+57014: canceling statement due to statement timeout/, 'a statement timeout cancels a long training (57014)');
like($cout, qr/still here/, 'the session carries on after the cancel');

# ---- bad inputs ----

is(sqlstate(q{SELECT amplified.forecast_fit('lstm', ARRAY[1, 2, 3, 4, 5]::float8[], NULL, '{"window": 4}')}),
	'22023', 'a series too short for the window');
is(sqlstate(q{SELECT amplified.forecast_fit('lstm', y[1:100], NULL, '{"windw": 4}') FROM s}),
	'22023', 'an unknown parameter');
is(sqlstate(q{SELECT amplified.forecast_fit('lstm', y[1:100], NULL, '{"hidden": 0}') FROM s}),
	'22023', 'a parameter out of range');
is(sqlstate(q{SELECT amplified.forecast_fit('lstm', y[1:100], NULL, '{"window": 10, "validation": 0.9, "batch_size": "x"}') FROM s}),
	'22023', 'a parameter of the wrong type');
is(sqlstate(q{SELECT * FROM f, amplified.forecast_fit_forecast(f.f, 2, ARRAY[1, 2, 3]::float8[])}),
	'22023', 'a forecast after fewer values than the window');
is(sqlstate(q{SELECT * FROM f, amplified.forecast_fit_forecast(f.f, 2, ARRAY(SELECT 'NaN'::float8 FROM generate_series(1, 16)))}),
	'22023', 'a forecast after values that are not finite');
my $fit = q{ROW('lstm', 1, %s, NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit};
my %bad = (
	'a wrong magic'    => q{overlay((f).state placing '\x00'::bytea from 1)},
	'a wrong version'  => q{overlay((f).state placing '\x09'::bytea from 5)},
	'a truncated state' => q{substring((f).state from 1 for length((f).state) - 8)},
	'an extra byte'    => q{(f).state || '\x00'::bytea},
	'a wrong hidden size' => q{overlay((f).state placing '\x07'::bytea from 13)},
	'a weight that is NaN' => q{overlay((f).state placing '\x000000000000f87f'::bytea from 65)},
	'an empty state'   => q{''::bytea},
);
for my $what (sort keys %bad)
{
	is(sqlstate(sprintf(q{SELECT * FROM f, amplified.forecast_fit_forecast(%s, 1)}, sprintf($fit, $bad{$what}))),
		'XX001', "corrupted state: $what");
}
is(sqlstate(sprintf(q{SELECT amplified.forecast_lstm_loss_gradient(%s, s.y) FROM f, s},
		sprintf($fit, $bad{'a wrong magic'}))), 'XX001', 'the loss gradient checks the state too');
is(sqlstate(q{SELECT * FROM amplified.forecast_lstm_gradient_check(1, 0, 4)}), '22023',
	'the gradient check rejects a window of 0');

done_testing();
