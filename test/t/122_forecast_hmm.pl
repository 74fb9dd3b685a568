# 122_forecast_hmm: the hmm kind against pomegranate 0.14.8 and the simulation.
#
# Python (numpy, fixed seeds) simulates a two-state and a three-state Gaussian
# hidden Markov chain of returns (n = 3000, well-separated states) and runs
# pomegranate's HiddenMarkovModel (NormalDistribution states, from_matrix)
# on each.  Tolerances:
# - fixed parameters: the forward log-likelihood within 1e-9 absolute of
#   pomegranate's log_probability once pomegranate's own offset is taken
#   off (its normal log-density uses sqrt(2 pi) rounded to 2.50662827463,
#   3.99e-13 too high per point, 1.2e-9 on 3000 points); what remains is
#   rounding (ours a scaled forward pass, its a log-space one): 2.6e-10 at
#   most on these series; the Viterbi path identical, point by point; the
#   filtered probabilities at the end of a series and the h-step predictive
#   means and sds (the state distribution carried by the transition matrix,
#   computed in numpy from pomegranate's predict_proba) within 1e-9
#   absolute;
# - Baum-Welch from the same start: after 10 iterations (pomegranate's
#   max_iterations = 9 makes 10 re-estimations: it re-estimates once more
#   before it checks the count) every mean, sd, transition and initial
#   probability within 1e-9 relative or 1e-12 absolute: the same textbook
#   updates (pomegranate's variance is E[y^2] - E[y]^2, ours the weighted
#   squared deviations, which differ by rounding only); run to convergence
#   with the same stop rule (a log-likelihood gain of at most 1e-6), within
#   1e-6 relative or 1e-9 absolute, and the same number of iterations (the
#   largest gap seen is 5e-11 relative, on a small transition probability);
#   the log-likelihoods of both within 1e-12 relative (6e-10 seen);
# - recovery from our own restarts (5, the default; tol 1e-10): each mean, sd and
#   persistence a_ii within 4 standard errors of the simulated value, with
#   the complete-data standard errors sd/sqrt(n pi), sd/sqrt(2 n pi) and
#   sqrt(a(1-a)/(n pi)) (the states barely overlap, so the observed-data
#   errors are only a little larger than these, and 4 of them keep a false
#   alarm below 1e-3 for each figure); the labels as simulated.
# Determinism: the same seed gives the same state bytes; another seed finds
# the same optimum (log-likelihood within 1e-6, means within 1e-6 absolute).
# Cancel, bad inputs and corrupted states.  No timing is asserted.
use strict;
use warnings;

use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('hmm', preload => 0);
my $dir = PostgreSQL::Test::Utils::tempdir();
my $out = "$dir/cases.json";

my $py = <<"PY";
import json, numpy as np
from pomegranate import HiddenMarkovModel, NormalDistribution

def sim(rng, n, mu, sd, A, s0):
    k = len(mu); s = rng.choice(k, p=s0); y = np.empty(n); st = np.empty(n, int)
    for t in range(n):
        y[t] = rng.normal(mu[s], sd[s]); st[t] = s
        s = rng.choice(k, p=A[s])
    return y, st

def model(mu, sd, A, s0):
    m = HiddenMarkovModel.from_matrix(np.array(A), [NormalDistribution(mu[i], sd[i]) for i in range(len(mu))],
                                      np.array(s0), state_names=['s%d' % i for i in range(len(mu))])
    m.bake()
    return m

def params(m, k):
    st = [s for s in m.states if s.distribution is not None]
    idx = {s.name: i for i, s in enumerate(m.states)}
    order = [idx['s%d' % i] for i in range(k)]
    T = m.dense_transition_matrix()
    mu = [st[i].distribution.parameters[0] for i in range(k)]
    sd = [st[i].distribution.parameters[1] for i in range(k)]
    A = T[np.ix_(order, order)]
    s0 = T[m.start_index, order]
    # canonical order, as ours: sd ascending
    p = sorted(range(k), key=lambda i: (sd[i], mu[i]))
    return dict(means=[mu[i] for i in p], sds=[sd[i] for i in p],
                trans=[[A[i][j] for j in p] for i in p], start=[s0[i] for i in p])

# pomegranate's normal log-density uses sqrt(2 pi) rounded to 2.50662827463,
# which adds 3.99e-13 to each point's log-density: take it off.
def ll(m, y):
    return m.log_probability(y) - len(y) * (0.5 * np.log(2 * np.pi) - np.log(2.50662827463))

def serve(m, P, y, h):
    fp = m.predict_proba(y)[-1]
    names = [s.name for s in m.states if s.distribution is not None]
    fp = np.array([fp[names.index('s%d' % i)] for i in range(len(P['means']))])
    A = np.array(P['trans']); mu = np.array(P['means']); sd = np.array(P['sds'])
    fc = []; p = fp
    for _ in range(h):
        p = p @ A
        m1 = p @ mu; m2 = p @ (sd ** 2 + mu ** 2)
        fc.append([m1, np.sqrt(m2 - m1 ** 2)])
    lp, path = m.viterbi(y)
    path = [int(s.name[1:]) + 1 for _, s in path if s.name.startswith('s')]
    return dict(ll=ll(m, y), path=path, probs=list(fp), fc=fc)

cases = [
    dict(id='two', seed=20261207, n=3000, mu=[0.0005, -0.001], sd=[0.01, 0.03],
         A=[[0.98, 0.02], [0.04, 0.96]], labels=['calm', 'volatile'],
         fixed=dict(means=[0.001, -0.002], sds=[0.012, 0.025], trans=[[0.9, 0.1], [0.2, 0.8]], start=[0.5, 0.5])),
    dict(id='three', seed=7, n=3000, mu=[0.0, 0.004, -0.001], sd=[0.005, 0.01, 0.03],
         A=[[0.97, 0.02, 0.01], [0.02, 0.96, 0.02], [0.03, 0.03, 0.94]], labels=['ranging', 'trending', 'volatile'],
         fixed=dict(means=[0.0005, 0.002, 0.0], sds=[0.006, 0.012, 0.025],
                    trans=[[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.1, 0.1, 0.8]], start=[0.2, 0.3, 0.5])),
]
with open('$out', 'w') as f:
    for c in cases:
        rng = np.random.default_rng(c['seed'])
        k = len(c['mu'])
        pi = np.linalg.matrix_power(np.array(c['A']), 1000)[0]
        y, st = sim(rng, c['n'], c['mu'], c['sd'], c['A'], pi)
        y2 = y[:500] * 1.1
        P = c['fixed']
        m = model(P['means'], P['sds'], P['trans'], P['start'])
        c['train'] = serve(m, P, y, 5)
        c['other'] = serve(m, P, y2, 5)
        m = model(P['means'], P['sds'], P['trans'], P['start'])
        m.fit([y], algorithm='baum-welch', max_iterations=9, stop_threshold=-1e300, verbose=False)
        c['bw10'] = params(m, k); c['bw10']['ll'] = ll(m, y)
        m = model(P['means'], P['sds'], P['trans'], P['start'])
        _, hist = m.fit([y], algorithm='baum-welch', stop_threshold=1e-6, verbose=False, return_history=True)
        c['bwconv'] = params(m, k); c['bwconv']['ll'] = ll(m, y)
        c['bwconv']['iterations'] = len(hist.epochs)
        c['pi'] = list(pi)
        c['y'] = list(y); c['y2'] = list(y2)
        f.write(json.dumps(c) + '\\n')
PY
my ($pout, $perr);
my $ok = IPC::Run::run([ '/usr/bin/python3', '-c', $py ], '>', \$pout, '2>', \$perr);
ok($ok, 'python simulated the series and ran pomegranate on them') or diag($perr);

open(my $fh, '<', $out) or die "cannot read $out: $!";
my @cases = map { decode_json($_) } grep { /\S/ } <$fh>;
close $fh;
is(scalar(@cases), 2, 'two cases');

# Compare one figure: relative tolerance, or an absolute floor.
sub close_to
{
	my ($got, $want, $rel, $abs, $name) = @_;
	my $tol = abs($want) * $rel;
	$tol = $abs if defined $abs && $abs > $tol;
	my $pass = defined $got && $got ne '' && abs($got - $want) <= $tol;
	ok($pass, $name) or diag(sprintf('%s: got %s, want %.17g, tolerance %.3g', $name, $got // 'undef', $want, $tol));
}

# All values of a list within tolerance (one assertion).
sub all_close
{
	my ($got, $want, $rel, $abs, $name) = @_;
	my $pass = @$got == @$want;
	my $worst = '';
	for my $i (0 .. $#$want)
	{
		my $tol = abs($want->[$i]) * $rel;
		$tol = $abs if $abs > $tol;
		if (!defined $got->[$i] || abs($got->[$i] - $want->[$i]) > $tol)
		{
			$pass = 0;
			$worst .= sprintf(' [%d] got %s want %.17g;', $i, $got->[$i] // 'undef', $want->[$i]);
		}
	}
	ok($pass, $name) or diag("$name:$worst");
}

sub arr { return "'{" . join(',', map { sprintf('%.17g', $_) } @{ $_[0] }) . "}'::float8[]" }

# The flattened fitted parameters of a summary, in state order.
sub fitted
{
	my ($s) = @_;
	my $j = decode_json($s);
	return {
		means => [ map { $_->{mean} } @{ $j->{states} } ],
		sds => [ map { $_->{sd} } @{ $j->{states} } ],
		trans => [ map { @$_ } @{ $j->{transition} } ],
		start => $j->{initial},
		labels => [ map { $_->{label} } @{ $j->{states} } ],
		json => $j,
	};
}

for my $c (@cases)
{
	my $id = $c->{id};
	my $k = scalar @{ $c->{mu} };
	my $P = $c->{fixed};
	my $init = encode_json({ init => $P, max_iter => 0 });
	$node->safe_psql('postgres', "CREATE TABLE fixed_$id AS SELECT amplified.forecast_fit('hmm', "
		  . arr($c->{y}) . ", params => '$init') f, " . arr($c->{y2}) . " y2");

	# (a) fixed parameters: likelihood, Viterbi path, regime, forecast
	for my $which ([ 'train', 'NULL' ], [ 'other', 'y2' ])
	{
		my ($w, $yarg) = @$which;
		my $ref = $c->{$w};
		my ($ll, $path, $probs, $state) = split /\|/, $node->safe_psql('postgres',
			"SELECT amplified.forecast_hmm_loglik(f, $yarg), array_to_string(amplified.forecast_hmm_viterbi(f, $yarg), ','), "
			  . "array_to_string((amplified.forecast_fit_regime(f, $yarg)).probs, ','), (amplified.forecast_fit_regime(f, $yarg)).state FROM fixed_$id");
		close_to($ll, $ref->{ll}, 0, 1e-9, "$id/$w: log-likelihood at fixed parameters as pomegranate's");
		my @p = split /,/, $path;
		my $same = @p == @{ $ref->{path} };
		my $diff = 0;
		for my $t (0 .. $#p) { $diff++ if $p[$t] != $ref->{path}[$t] }
		ok($same && $diff == 0, "$id/$w: Viterbi path as pomegranate's") or diag("$diff points differ");
		all_close([ split /,/, $probs ], $ref->{probs}, 0, 1e-9, "$id/$w: filtered probabilities at the end as pomegranate's");
		my $best = 0;
		for my $j (1 .. $k - 1) { $best = $j if $ref->{probs}[$j] > $ref->{probs}[$best] }
		is($state, $best + 1, "$id/$w: the regime is the most probable state");
		my $fc = $node->safe_psql('postgres',
			"SELECT string_agg(mean || ',' || sd, ',' ORDER BY step) FROM fixed_$id, amplified.forecast_fit_forecast(f, 5, $yarg)");
		all_close([ split /,/, $fc ], [ map { @$_ } @{ $ref->{fc} } ], 0, 1e-9,
			"$id/$w: 5-step forecast means and sds as the propagated mixture");
	}

	# (b) Baum-Welch from the same start
	for my $run ([ 'bw10', '"max_iter": 10, "tol": 0', 1e-9, 1e-12 ], [ 'bwconv', '"tol": 1e-6', 1e-6, 1e-9 ])
	{
		my ($name, $extra, $rel, $abs) = @$run;
		my $ref = $c->{$name};
		my $pj = encode_json({ init => $P });
		$pj =~ s/\}$/, $extra}/;
		my ($sum, $ll) = split /\|/, $node->safe_psql('postgres',
			"SELECT (f).summary, (f).loglik FROM (SELECT amplified.forecast_fit('hmm', " . arr($c->{y}) . ", params => '$pj') f) x");
		my $f = fitted($sum);
		all_close($f->{means}, $ref->{means}, $rel, $abs, "$id/$name: means as pomegranate's Baum-Welch");
		all_close($f->{sds}, $ref->{sds}, $rel, $abs, "$id/$name: sds as pomegranate's");
		all_close($f->{trans}, [ map { @$_ } @{ $ref->{trans} } ], $rel, $abs, "$id/$name: transitions as pomegranate's");
		all_close($f->{start}, $ref->{start}, $rel, $abs, "$id/$name: initial probabilities as pomegranate's");
		close_to($ll, $ref->{ll}, 1e-12, undef, "$id/$name: log-likelihood as pomegranate's");
		is($f->{json}{iterations}, $ref->{iterations}, "$id/$name: as many iterations as pomegranate")
		  if $name eq 'bwconv';
	}

	# (c) recovery from our own restarts, and the labels
	my ($sum, $bytes, $sum8, $bytes2, $ll7, $ll8) = split /\|/, $node->safe_psql('postgres', <<"SQL");
SELECT (a).summary, md5((a).state), (b).summary, md5((c).state), (a).loglik, (b).loglik
  FROM (SELECT amplified.forecast_fit('hmm', y, params => '{"states": $k, "seed": 7, "tol": 1e-10}') a,
			   amplified.forecast_fit('hmm', y, params => '{"states": $k, "seed": 8, "tol": 1e-10}') b,
			   amplified.forecast_fit('hmm', y, params => '{"states": $k, "seed": 7, "tol": 1e-10}') c
		  FROM (SELECT ${\ arr($c->{y}) } y) s) x
SQL
	my $f = fitted($sum);
	my $n = $c->{n};
	diag(sprintf('%s: means %s sds %s persistence %s', $id, join(' ', map { sprintf('%.5f', $_) } @{ $f->{means} }),
		join(' ', map { sprintf('%.5f', $_) } @{ $f->{sds} }),
		join(' ', map { sprintf('%.4f', $f->{trans}[ $_ * $k + $_ ]) } 0 .. $k - 1)));
	for my $j (0 .. $k - 1)
	{
		my $np = $n * $c->{pi}[$j];
		my $a = $c->{A}[$j][$j];
		my %se = (mean => $c->{sd}[$j] / sqrt($np), sd => $c->{sd}[$j] / sqrt(2 * $np),
			persistence => sqrt($a * (1 - $a) / $np));
		my %got = (mean => $f->{means}[$j], sd => $f->{sds}[$j], persistence => $f->{trans}[ $j * $k + $j ]);
		my %want = (mean => $c->{mu}[$j], sd => $c->{sd}[$j], persistence => $a);
		for my $what (qw(mean sd persistence))
		{
			ok(abs($got{$what} - $want{$what}) <= 4 * $se{$what}, "$id: state " . ($j + 1) . " $what recovered within 4 standard errors")
			  or diag(sprintf('got %.6g, simulated %.6g, se %.3g', $got{$what}, $want{$what}, $se{$what}));
		}
	}
	is(join(',', @{ $f->{labels} }), join(',', @{ $c->{labels} }), "$id: states labelled as simulated");

	# (d) determinism
	is($bytes2, $bytes, "$id: the same seed gives the same state");
	my $f8 = fitted($sum8);
	close_to($ll8, $ll7, 0, 1e-6, "$id: another seed finds the same log-likelihood");
	all_close($f8->{means}, $f->{means}, 0, 1e-6, "$id: another seed finds the same means");
}

# User labels replace the default ones, in state order.
is($node->safe_psql('postgres', <<"SQL"), '{low,high}|high', 'user labels');
SELECT r.labels, r.label FROM (SELECT (amplified.forecast_fit_regime(amplified.forecast_fit('hmm', y,
	params => '{"states": 2, "seed": 1, "labels": ["low", "high"]}'), ARRAY[0.0, 0.05, -0.06, 0.07])).*
  FROM (SELECT ${\ arr($cases[0]{y}) } y) s) r
SQL

# (e) a cancel stops a long fit: 8 states, 20000 points, many restarts, no
# stop on the gain; the session carries on.
$node->safe_psql('postgres',
	'CREATE TABLE big AS SELECT ARRAY(SELECT sin(i * 0.7) * 0.01 * (1 + (i % 7)) FROM generate_series(1, 20000) i) AS y');
my ($rc, $cout, $cerr) = $node->psql('postgres', <<'SQL');
SET statement_timeout = '500ms';
SELECT (amplified.forecast_fit('hmm', y, params => '{"states": 8, "restarts": 1000, "max_iter": 1000000, "tol": 0}')).loglik FROM big;
SQL
like($cerr, qr/canceling statement due to statement timeout/, 'a statement timeout cancels a long fit');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the session carries on after the cancel');

# (f) bad inputs, one per line: the SQLSTATE of each.
sub sqlstate
{
	my ($sql) = @_;
	my ($r, $o, $e) = $node->psql('postgres', "\\set VERBOSITY verbose\n$sql");
	return $e =~ /ERROR:\s+([0-9A-Z]{5})/ ? $1 : "no error ($o)";
}
my $y = arr($cases[0]{y});
my %bad = (
	'states 1' => [ "SELECT amplified.forecast_fit('hmm', $y, params => '{\"states\": 1}')", '22023' ],
	'states 9' => [ "SELECT amplified.forecast_fit('hmm', $y, params => '{\"states\": 9}')", '22023' ],
	'series too short' => [ "SELECT amplified.forecast_fit('hmm', (SELECT array_agg(random()) FROM generate_series(1, 139)))", '22023' ],
	'constant series' => [ "SELECT amplified.forecast_fit('hmm', array_fill(0.01::float8, ARRAY[1000]))", '22023' ],
	'unknown parameter' => [ "SELECT amplified.forecast_fit('hmm', $y, params => '{\"state\": 3}')", '22023' ],
	'labels of the wrong length' => [ "SELECT amplified.forecast_fit('hmm', $y, params => '{\"states\": 2, \"labels\": [\"a\"]}')", '22023' ],
	'labels not strings' => [ "SELECT amplified.forecast_fit('hmm', $y, params => '{\"states\": 2, \"labels\": [1, 2]}')", '22023' ],
	'init rows not summing to 1' => [ "SELECT amplified.forecast_fit('hmm', $y, params => '{\"init\": {\"means\": [0, 0], \"sds\": [1, 2], \"trans\": [[0.5, 0.6], [0.5, 0.5]]}}')", '22023' ],
	'init of another size than states' => [ "SELECT amplified.forecast_fit('hmm', $y, params => '{\"states\": 3, \"init\": {\"means\": [0, 0], \"sds\": [1, 2], \"trans\": [[0.5, 0.5], [0.5, 0.5]]}}')", '22023' ],
	'restarts 0' => [ "SELECT amplified.forecast_fit('hmm', $y, params => '{\"restarts\": 0}')", '22023' ],
	'features given' => [ "SELECT amplified.forecast_fit('hmm', $y, $y)", '22023' ],
	'empty y to serve' => [ "SELECT amplified.forecast_hmm_loglik(f, '{}') FROM fixed_two", '22023' ],
	'NaN in y to serve' => [ "SELECT amplified.forecast_hmm_viterbi(f, '{0.1, NaN}') FROM fixed_two", '22023' ],
	'a fit of another kind' => [ "SELECT amplified.forecast_hmm_viterbi(ROW('arima', 1, f.state, NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit) FROM (SELECT (f).* FROM fixed_two) f", '42809' ],
	'state of junk bytes' => [ "SELECT amplified.forecast_fit_regime(ROW('hmm', 1, '\\x0001'::bytea, NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit)", 'XX001' ],
	'truncated state' => [ "SELECT amplified.forecast_hmm_viterbi(ROW('hmm', 1, substring(f.state from 1 for length(f.state) - 1), NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit) FROM (SELECT (f).* FROM fixed_two) f", 'XX001' ],
	'state with a bad magic' => [ "SELECT amplified.forecast_hmm_loglik(ROW('hmm', 1, overlay(f.state placing '\\x00'::bytea from 1), NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit) FROM (SELECT (f).* FROM fixed_two) f", 'XX001' ],
	'state with a NaN mean' => [ "SELECT fc.* FROM (SELECT (f).* FROM fixed_two) f, amplified.forecast_fit_forecast(ROW('hmm', 1, overlay(f.state placing '\\x000000000000f87f'::bytea from 25), NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit, 3) fc", 'XX001' ],
	'state with a bad transition row' => [ "SELECT amplified.forecast_fit_regime(ROW('hmm', 1, overlay(f.state placing '\\x0000000000000000'::bytea from 25 + 6 * 8), NULL, NULL, NULL, NULL, 0)::amplified.forecast_fit) FROM (SELECT (f).* FROM fixed_two) f", 'XX001' ],
);
for my $name (sort keys %bad)
{
	is(sqlstate($bad{$name}[0]), $bad{$name}[1], "bad input: $name");
}

done_testing();
