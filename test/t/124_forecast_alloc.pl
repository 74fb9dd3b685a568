# 124_forecast_alloc: the allocator's solvers against quadprog and HiGHS.
#
# Mean-variance (forecast_allocate_mv): R draws 18 problems with fixed seeds
# (n = 3 to 20 assets, random positive-definite covariances A A'/k plus a
# diagonal, caps, one to three groups with caps, risk aversion 1, 3 or 10)
# and solves them with quadprog::solve.QP (Goldfarb-Idnani, an exact dual
# active-set method).  Ten have no turnover penalty: the same strictly
# convex QP, solved exactly by both (ours: SLSQP, then the KKT system of the
# active set solved by LAPACK), so weights agree within 1e-6 and the
# utility within 1e-9 relative; both are rounding-level in practice (about
# 1e-15), the margin covers condition numbers up to 1e4 or so.  Eight have a
# turnover penalty, given to quadprog in the split form (w, u, v) with
# w - u + v = w0: quadprog needs a positive-definite matrix, so u and v get a
# ridge eps = 1e-9.  quadprog then maximises f - eps/2 (|u|^2 + |v|^2), so
# f(ours) - f(quadprog) lies in [0, eps/2 |w* - w0|^2] within [0, 1e-9]
# (weights on the simplex: |w - w0|^2 <= 2); we assert it lies in
# [-1e-12, 1e-9], and weights within 1e-6 (the ridge moves quadprog's
# optimum by about 1e-9 here).  Our status must be 'optimal' (the KKT polish
# confirmed the optimum).
#
# Linear programs (forecast_linprog): Python draws 72 programs with a fixed
# seed (inequalities, equalities incl. redundant ones, negative lower
# bounds, free and upper-bounded-only variables, degenerate vertices built
# from sums of rows and zero slacks, all constraints through the origin,
# Beale's cycling example, unbounded and infeasible ones) and solves each with
# scipy.optimize.linprog(method='highs').  The status must agree; at an
# optimum the objective within 1e-9 relative (of max(1, |objective|): both
# are vertex solutions recomputed from the data, rounding-level apart), our
# x feasible within 1e-9 (relative to 1 + |b|) with c'x the objective
# reported, and x within 1e-6 of HiGHS's where the optimum is unique (Python
# checks that: the optimal face, objective within 1e-10 of the optimum, is
# narrower than 1e-7 along every variable).
#
# CVaR (forecast_allocate_cvar): 24 scenario sets (S = 20 to 250, n = 3 to
# 12, beta 0.8 to 0.99, normal and fat-tailed returns, caps, groups, some
# with a minimum expected return between the least and most achievable)
# whose Rockafellar-Uryasev program Python solves with HiGHS: CVaR within
# 1e-9 relative of HiGHS's optimum (plus 1e-15 absolute: CVaRs are near
# 0.01); weights feasible within 1e-12; the CVaR and VaR recomputed here at
# our weights by Acerbi's formula ((k - beta S) L_(k) + sum of the losses
# above, over (1 - beta) S, with k = ceil(beta S)) equal to ours within
# 1e-12 relative; weights within 1e-6 of HiGHS's where the optimum is unique
# (checked as above).  Bad inputs, one per line, with their SQLSTATEs; a
# cancel during a long CVaR program.  No timing is asserted.
use strict;
use warnings;

use JSON::PP;
use List::Util qw(max sum);
use POSIX qw(ceil);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('alloc', preload => 0);
my $dir = PostgreSQL::Test::Utils::tempdir();

sub write_file
{
	my ($path, $text) = @_;
	open(my $fh, '>', $path) or die "cannot write $path: $!";
	print $fh $text;
	close $fh;
}

# '{a,b,c}' and '{{..},{..}}' literals from Perl arrays, every digit kept
# (Perl prints numbers with 15 significant digits).
sub num { my ($x) = @_; return $x =~ /Infinity/ ? $x : sprintf('%.17g', $x); }

sub vec_lit
{
	my ($v) = @_;
	return 'NULL' unless defined $v;
	return "'{" . join(',', map { num($_) } @$v) . "}'";
}

sub mat_lit
{
	my ($m) = @_;
	return 'NULL' unless defined $m;
	return "'{" . join(',', map { '{' . join(',', map { num($_) } @$_) . '}' } @$m) . "}'";
}


sub maxdiff
{
	my ($a, $b) = @_;
	return max(map { abs($a->[$_] - $b->[$_]) } 0 .. $#$a);
}

# ---- mean-variance against quadprog ----
my $mv_r = <<'R';
suppressMessages(library(quadprog))
args <- commandArgs(TRUE)
out <- file(args[1], 'w')
f <- function(v) paste(sprintf('%.17g', v), collapse=',')
set.seed(124)
eps <- 1e-9
cases <- list()
ns <- c(3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 3, 5, 8, 12, 20, 4, 10, 16)
for (k in seq_along(ns)) {
  n <- ns[k]
  turn <- k > 10
  A <- matrix(rnorm(n * (n + 2)), n, n + 2)
  S <- A %*% t(A) / (n + 2) * 0.04 + diag(runif(n, 0.0005, 0.002))
  S <- (S + t(S)) / 2
  mu <- rnorm(n, 0.05, 0.03)
  gamma <- c(1, 3, 10)[(k %% 3) + 1]
  caps <- runif(n, 1.5 / n, 3 / n)
  G <- if (n >= 4) sample(1:3, 1) else 1
  groups <- sample(0:G, n, replace=TRUE)
  gcaps <- runif(G, 0.2, 0.6)
  reach <- function() sum(caps[groups == 0]) + sum(sapply(1:G, function(g) min(gcaps[g], sum(caps[groups == g]))))
  while (reach() < 1.05) gcaps <- gcaps + 0.1
  w0 <- runif(n); w0 <- w0 / sum(w0)
  tau <- if (turn) c(0.002, 0.01, 0.05)[(k %% 3) + 1] else 0
  # constraints (columns of Amat): sum w = 1; w >= 0; -w >= -caps; -sum_g w >= -gcap_g
  if (!turn) {
    D <- gamma * S; d <- mu
    Am <- cbind(rep(1, n), diag(n), -diag(n))
    b0 <- c(1, rep(0, n), -caps)
    for (g in 1:G) { Am <- cbind(Am, -(groups == g)); b0 <- c(b0, -gcaps[g]) }
    sol <- solve.QP(D, d, Am, b0, meq=1)
    w <- sol$solution
  } else {
    # (w, u, v), w - u + v = w0; a ridge of eps on u and v keeps Dmat positive definite
    N <- 3 * n; Z <- matrix(0, n, n)
    D <- rbind(cbind(gamma * S, Z, Z), cbind(Z, eps * diag(n), Z), cbind(Z, Z, eps * diag(n)))
    d <- c(mu, rep(-tau, n), rep(-tau, n))
    I <- diag(n)
    Am <- cbind(c(rep(1, n), rep(0, 2 * n)), rbind(I, -I, I),
                rbind(I, Z, Z), rbind(-I, Z, Z), rbind(Z, I, Z), rbind(Z, Z, I))
    b0 <- c(1, w0, rep(0, n), -caps, rep(0, 2 * n))
    for (g in 1:G) { Am <- cbind(Am, c(-(groups == g), rep(0, 2 * n))); b0 <- c(b0, -gcaps[g]) }
    sol <- solve.QP(D, d, Am, b0, meq=n + 1)
    w <- sol$solution[1:n]
  }
  obj <- sum(mu * w) - gamma / 2 * drop(t(w) %*% S %*% w) - tau * sum(abs(w - w0))
  writeLines(paste(sprintf('mv%02d', k), n, sprintf('%.17g', gamma), f(mu), f(t(S)), f(caps),
                   paste(groups, collapse=','), f(gcaps), f(w0), sprintf('%.17g', tau), f(w),
                   sprintf('%.17g', obj), sep='\t'), out)
}
close(out)
R
write_file("$dir/mv.R", $mv_r);
system('Rscript', '--vanilla', "$dir/mv.R", "$dir/mv.tsv") == 0 or die 'R failed';
open(my $mvf, '<', "$dir/mv.tsv") or die;
my @mv = map { chomp; [ split /\t/ ] } <$mvf>;
close $mvf;
is(scalar(@mv), 18, 'R solved 18 mean-variance problems');
for my $c (@mv)
{
	my ($id, $n, $gamma, $mu, $cov, $caps, $groups, $gcaps, $w0, $tau, $w, $obj) = @$c;
	my @cv = split /,/, $cov;
	my $covm = [ map { [ @cv[ $_ * $n .. $_ * $n + $n - 1 ] ] } 0 .. $n - 1 ];
	my $sql = sprintf(
		"SELECT array_to_string(weights, ','), objective, status FROM amplified.forecast_allocate_mv(%s, %s, %s, %s, %s, %s, %s, %s)",
		"'{$mu}'", mat_lit($covm), $gamma, "'{$caps}'", "'{$groups}'", "'{$gcaps}'", "'{$w0}'", $tau);
	my ($ws, $o, $st) = split /\|/, $node->safe_psql('postgres', $sql);
	my @ours = split /,/, $ws;
	my @theirs = split /,/, $w;
	is($st, 'optimal', "$id: status optimal");
	my $dw = maxdiff(\@ours, \@theirs);
	ok($dw <= 1e-6, "$id: weights within 1e-6 of quadprog's") or diag("max difference $dw");
	if ($tau == 0)
	{
		ok(abs($o - $obj) <= 1e-9 * abs($obj), "$id: utility within 1e-9 relative of quadprog's")
		  or diag("ours $o, quadprog $obj");
	}
	else
	{
		ok($o - $obj >= -1e-12 && $o - $obj <= 1e-9, "$id: utility at least quadprog's (ridge eps = 1e-9), within 1e-9")
		  or diag("ours $o, quadprog $obj");
	}
	# the weights meet every constraint
	my @cp = split /,/, $caps;
	my @gr = split /,/, $groups;
	my @gc = split /,/, $gcaps;
	my %gs;
	$gs{ $gr[$_] } += $ours[$_] for 0 .. $#ours;
	my $bad = abs(sum(@ours) - 1) > 1e-12;
	$bad ||= $ours[$_] < 0 || $ours[$_] > $cp[$_] for 0 .. $#ours;
	$bad ||= ($gs{$_} // 0) > $gc[ $_ - 1 ] + 1e-12 for 1 .. scalar(@gc);
	ok(!$bad, "$id: weights within budget, caps and group caps");
}

# ---- linear programs and CVaR against HiGHS ----
my $gen_py = <<'PY';
import json, sys
import numpy as np
from scipy.optimize import linprog

out = open(sys.argv[1], 'w')
rng = np.random.default_rng(20261207)

def solve(c, A_ub, b_ub, A_eq, b_eq, bounds):
    return linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method='highs')

def unique(c, A_ub, b_ub, A_eq, b_eq, bounds, opt, idx):
    # the optimal face's extent along each variable in idx: unique when all are tiny
    A2 = np.vstack([A_ub, c]) if A_ub is not None and len(A_ub) else np.array([c])
    b2 = np.append(b_ub if b_ub is not None else [], opt + 1e-10 * (1 + abs(opt)))
    for j in idx:
        e = np.zeros(len(c)); e[j] = 1
        lo = solve(e, A2, b2, A_eq, b_eq, bounds)
        hi = solve(-e, A2, b2, A_eq, b_eq, bounds)
        if lo.status != 0 or hi.status != 0 or hi.x[j] - lo.x[j] > 1e-7:
            return False
    return True

def emit(d):
    out.write(json.dumps(d) + '\n')

def lst(a):
    return None if a is None else np.asarray(a, dtype=float).tolist()

def lp_case(cid, c, A_ub, b_ub, A_eq, b_eq, lb, ub, check_unique=True):
    n = len(c)
    bounds = [(None if not np.isfinite(l) else l, None if not np.isfinite(u) else u) for l, u in zip(lb, ub)]
    r = solve(c, A_ub, b_ub, A_eq, b_eq, bounds)
    st = {0: 'optimal', 2: 'infeasible', 3: 'unbounded'}.get(r.status, 'other%d' % r.status)
    d = dict(id=cid, kind='lp', c=lst(c), a_ub=lst(A_ub), b_ub=lst(b_ub), a_eq=lst(A_eq), b_eq=lst(b_eq),
             lb=[l if np.isfinite(l) else ('-Infinity' if l < 0 else 'Infinity') for l in lb],
             ub=[u if np.isfinite(u) else ('-Infinity' if u < 0 else 'Infinity') for u in ub],
             status=st)
    if r.status == 0:
        d['objective'] = r.fun
        d['x'] = r.x.tolist()
        d['unique'] = bool(check_unique and unique(c, A_ub, b_ub, A_eq, b_eq, bounds, r.fun, range(n)))
    emit(d)

# Beale's example, which cycles under the textbook rule
lp_case('beale', np.array([-0.75, 20, -0.5, 6]),
        np.array([[0.25, -8, -1, 9], [0.5, -12, -0.5, 3], [0, 0, 1, 0]]), np.array([0, 0, 1.0]),
        None, None, np.zeros(4), np.full(4, np.inf))

for k in range(60):
    n = int(rng.integers(2, 16))
    m = int(rng.integers(1, 13))
    me = int(rng.integers(0, 4)) if k % 3 else 0
    A = rng.normal(size=(m, n))
    x0 = rng.uniform(0, 1, n)
    slack = rng.uniform(0, 1, m) * (rng.uniform(size=m) > 0.4)
    b = A @ x0 + slack
    lb = np.zeros(n)
    ub = x0 + rng.uniform(0.1, 2, n)
    kind = k % 6
    if kind == 1:
        lb = x0 - rng.uniform(0.1, 2, n)      # negative lower bounds
    if kind == 2:
        free = rng.uniform(size=n) < 0.4
        lb[free] = -np.inf; ub[free] = np.inf  # free variables, bounded by a box row
        A = np.vstack([A, np.eye(n)[free], -np.eye(n)[free]])
        b = np.append(b, np.concatenate([x0[free] + 1, -(x0[free] - 1)]))
    if kind == 3:
        lb[:] = -np.inf                          # upper bounds only
    if kind == 4 and m >= 2:
        # degenerate: rows that are sums of others (active together), a zero-slack copy
        A = np.vstack([A, A[0] + A[1], A[0]]); b = np.append(b, [b[0] + b[1], b[0]])
    Ae = be = None
    if me:
        Ae = rng.normal(size=(me, n)); be = Ae @ x0
        if kind == 5:
            Ae = np.vstack([Ae, Ae[0] * 2 - Ae[-1]]); be = np.append(be, be[0] * 2 - be[-1])  # redundant
    c = rng.normal(size=n)
    lp_case('lp%02d' % k, c, A, b, Ae, be, lb, ub)

# unbounded: a column no row restrains, with a negative cost
for k in range(5):
    n = int(rng.integers(3, 8)); m = int(rng.integers(1, 6))
    A = np.abs(rng.normal(size=(m, n))); A[:, 0] = -np.abs(rng.normal(size=m))
    b = rng.uniform(0.5, 2, m)
    c = rng.normal(size=n); c[0] = -abs(c[0]) - 0.1
    lp_case('unbounded%d' % k, c, A, b, None, None, np.zeros(n), np.full(n, np.inf))
# infeasible: sum x <= 1 and sum x >= 2 within boxes; an inconsistent equality
for k in range(5):
    n = int(rng.integers(2, 8)); m = int(rng.integers(1, 5))
    A = rng.normal(size=(m, n)); b = A @ rng.uniform(0, 1, n) + 1
    A = np.vstack([A, np.ones(n), -np.ones(n)]); b = np.append(b, [1, -2])
    Ae = be = None
    if k % 2:
        A = A[:-1]; b = b[:-1]
        Ae = np.array([np.ones(n)]); be = np.array([n * 3.0])   # above the box
    lp_case('infeasible%d' % k, rng.normal(size=n), A, b, Ae, be, np.zeros(n), np.full(n, 2.0))
# degenerate at the origin: many constraints through 0
n = 6
A = rng.normal(size=(12, n)); b = np.zeros(12)
lp_case('origin', rng.normal(size=n), A, b, None, None, np.zeros(n), np.ones(n))

# ---- CVaR ----
def cvar_lp(R, beta, caps, groups, gcaps, mu, target, budget):
    S, n = R.shape
    nv = n + 1 + S
    c = np.zeros(nv); c[n] = 1; c[n + 1:] = 1 / ((1 - beta) * S)
    A = np.zeros((S, nv)); A[:, :n] = -R; A[:, n] = -1; A[np.arange(S), n + 1 + np.arange(S)] = -1
    b = np.zeros(S)
    rows = []; rhs = []
    for g in range(1, len(gcaps) + 1):
        r = np.zeros(nv); r[:n] = (groups == g); rows.append(r); rhs.append(gcaps[g - 1])
    if target is not None:
        r = np.zeros(nv); r[:n] = -mu; rows.append(r); rhs.append(-target)
    if rows:
        A = np.vstack([A, rows]); b = np.append(b, rhs)
    Ae = np.zeros((1, nv)); Ae[0, :n] = 1
    bounds = [(0, caps[i]) for i in range(n)] + [(None, None)] + [(0, None)] * S
    return c, A, b, Ae, np.array([budget]), bounds

for k in range(24):
    S = [20, 50, 100, 250][k % 4]; n = [3, 5, 8, 12][(k // 4) % 4]
    beta = [0.8, 0.9, 0.95, 0.99][(k // 2) % 4]
    L = rng.normal(size=(n, n)) * 0.01
    R = rng.normal(size=(S, n)) @ L.T + rng.normal(0.001, 0.002, n)
    if k % 3 == 0:
        R = R * np.sqrt(3 / rng.chisquare(3, size=(S, 1)))     # fat tails
    budget = 1.0
    caps = rng.uniform(1.5 / n, 3.0 / n, n)
    G = int(rng.integers(0, 3))
    groups = rng.integers(0, G + 1, n) if G else np.zeros(n, dtype=int)
    gcaps = rng.uniform(0.3, 0.8, G)
    # feasible: the groups and the free assets must hold the budget
    while sum(min(gcaps[g - 1], caps[groups == g].sum()) for g in range(1, G + 1)) + caps[groups == 0].sum() < 1.05:
        gcaps = gcaps + 0.1
    mu = R.mean(axis=0); target = None
    if k % 4 == 1:
        c, A, b, Ae, be, bounds = cvar_lp(R, beta, caps, groups, gcaps, mu, None, budget)
        e = np.zeros(len(c)); e[:n] = -mu
        hi = -solve(e, A, b, Ae, be, bounds).fun
        lo = solve(-e, A, b, Ae, be, bounds).fun
        target = 0.3 * lo + 0.7 * hi
    c, A, b, Ae, be, bounds = cvar_lp(R, beta, caps, groups, gcaps, mu, target, budget)
    r = solve(c, A, b, Ae, be, bounds)
    emit(dict(id='cvar%02d' % k, kind='cvar', scenarios=R.tolist(), beta=beta, caps=caps.tolist(),
              groups=[int(g) for g in groups] if G else None, group_caps=gcaps.tolist() if G else None,
              min_return=target, budget=budget, status='optimal' if r.status == 0 else 'other',
              objective=r.fun, w=r.x[:n].tolist(),
              unique=bool(unique(c, A, b, Ae, be, bounds, r.fun, range(n)))))
out.close()
PY
write_file("$dir/gen.py", $gen_py);
system('/usr/bin/python3', "$dir/gen.py", "$dir/cases.jsonl") == 0 or die 'python failed';
open(my $jf, '<', "$dir/cases.jsonl") or die;
my @cases = map { decode_json($_) } <$jf>;
close $jf;
my @lps = grep { $_->{kind} eq 'lp' } @cases;
my @cvs = grep { $_->{kind} eq 'cvar' } @cases;
is(scalar(@lps), 72, 'Python solved 72 linear programs');
is(scalar(@cvs), 24, 'Python solved 24 CVaR programs');

for my $c (@lps)
{
	my $id = $c->{id};
	my $sql = sprintf(
		"SELECT coalesce(array_to_string(x, ','), ''), objective, status FROM amplified.forecast_linprog(%s, %s, %s, %s, %s, %s, %s)",
		vec_lit($c->{c}), mat_lit($c->{a_ub}), vec_lit($c->{b_ub}), mat_lit($c->{a_eq}),
		vec_lit($c->{b_eq}), vec_lit($c->{lb}), vec_lit($c->{ub}));
	my ($xs, $o, $st) = split /\|/, $node->safe_psql('postgres', $sql);
	is($st, $c->{status}, "$id: status $c->{status} as HiGHS");
	next unless $c->{status} eq 'optimal' && $st eq 'optimal';
	my $ref = $c->{objective};
	ok(abs($o - $ref) <= 1e-9 * max(1, abs($ref)), "$id: objective within 1e-9 of HiGHS's")
	  or diag("ours $o, HiGHS $ref");
	my @x = split /,/, $xs;
	my $viol = 0;
	for my $k (0 .. $#{ $c->{a_ub} // [] })
	{
		my $ax = sum(map { $c->{a_ub}[$k][$_] * $x[$_] } 0 .. $#x);
		$viol = max($viol, ($ax - $c->{b_ub}[$k]) / (1 + abs($c->{b_ub}[$k])));
	}
	for my $k (0 .. $#{ $c->{a_eq} // [] })
	{
		my $ax = sum(map { $c->{a_eq}[$k][$_] * $x[$_] } 0 .. $#x);
		$viol = max($viol, abs($ax - $c->{b_eq}[$k]) / (1 + abs($c->{b_eq}[$k])));
	}
	for my $j (0 .. $#x)
	{
		my ($l, $u) = ($c->{lb}[$j], $c->{ub}[$j]);
		$viol = max($viol, $l - $x[$j]) unless $l =~ /Infinity/;
		$viol = max($viol, $x[$j] - $u) unless $u =~ /Infinity/;
	}
	ok($viol <= 1e-9, "$id: x feasible") or diag("violation $viol");
	my $cx = sum(map { $c->{c}[$_] * $x[$_] } 0 .. $#x);
	ok(abs($cx - $o) <= 1e-12 * max(1, abs($o)), "$id: c'x is the objective reported");
	if ($c->{unique})
	{
		my $dx = maxdiff(\@x, $c->{x});
		ok($dx <= 1e-6, "$id: x within 1e-6 of HiGHS's (unique optimum)") or diag("max difference $dx");
	}
}

for my $c (@cvs)
{
	my $id = $c->{id};
	my $sql = sprintf(
		"SELECT array_to_string(weights, ','), cvar, var, expected_return, status FROM amplified.forecast_allocate_cvar(%s, %s, %s, %s, %s, %s, NULL, %s)",
		mat_lit($c->{scenarios}), num($c->{beta}), vec_lit($c->{caps}),
		defined $c->{groups} ? vec_lit($c->{groups}) . '::int[]' : 'NULL',
		vec_lit($c->{group_caps}), defined $c->{min_return} ? num($c->{min_return}) : 'NULL',
		num($c->{budget}));
	my ($ws, $cvar, $var, $er, $st) = split /\|/, $node->safe_psql('postgres', $sql);
	my @w = split /,/, $ws;
	is($st, 'optimal', "$id: status optimal");
	my $ref = $c->{objective};
	ok(abs($cvar - $ref) <= 1e-9 * abs($ref) + 1e-15, "$id: CVaR within 1e-9 relative of HiGHS's optimum")
	  or diag("ours $cvar, HiGHS $ref");

	# feasibility
	my $n = scalar(@w);
	my $bad = abs(sum(@w) - $c->{budget}) > 1e-12;
	$bad ||= $w[$_] < 0 || $w[$_] > $c->{caps}[$_] for 0 .. $n - 1;
	if (defined $c->{groups})
	{
		my %gs;
		$gs{ $c->{groups}[$_] } += $w[$_] for 0 .. $n - 1;
		$bad ||= ($gs{$_} // 0) > $c->{group_caps}[ $_ - 1 ] + 1e-12 for 1 .. scalar(@{ $c->{group_caps} });
	}
	my $s_n = scalar(@{ $c->{scenarios} });
	my @mu = map { my $i = $_; sum(map { $_->[$i] } @{ $c->{scenarios} }) / $s_n } 0 .. $n - 1;
	my $mw = sum(map { $mu[$_] * $w[$_] } 0 .. $n - 1);
	$bad ||= $mw < $c->{min_return} - 1e-12 if defined $c->{min_return};
	ok(!$bad, "$id: weights within budget, caps, group caps and minimum return")
	  or diag("sum " . sum(@w) . ", weights @w, mu'w $mw");
	ok(abs($er - $mw) <= 1e-12 * max(1e-3, abs($mw)), "$id: expected return is the scenario mean's");

	# VaR and CVaR by hand (Acerbi's formula)
	my @loss = sort { $a <=> $b } map { my $r = $_; -sum(map { $r->[$_] * $w[$_] } 0 .. $n - 1) } @{ $c->{scenarios} };
	my $k = ceil($c->{beta} * $s_n - 1e-9);
	my $tail = sum(0, @loss[ $k .. $s_n - 1 ]);
	my $hand = (($k - $c->{beta} * $s_n) * $loss[ $k - 1 ] + $tail) / ((1 - $c->{beta}) * $s_n);
	ok(abs($hand - $cvar) <= 1e-12 * max(1e-3, abs($hand)), "$id: CVaR at the weights recomputed by hand")
	  or diag("by hand $hand, reported $cvar");
	ok(abs($loss[ $k - 1 ] - $var) <= 1e-15, "$id: VaR is the ${k}th smallest loss of $s_n");
	if ($c->{unique})
	{
		my $dw = maxdiff(\@w, $c->{w});
		ok($dw <= 1e-6, "$id: weights within 1e-6 of HiGHS's (unique optimum)") or diag("max difference $dw");
	}
}

# ---- bad inputs ----
my $cov2 = "'{{0.04,0.01},{0.01,0.09}}'";
my @bad = (
	[ "forecast_allocate_mv('{0.1,0.2,0.3}', $cov2)", '2202E', 'cov must be a 3 by 3 matrix', 'mv: mu and cov of different sizes' ],
	[ "forecast_allocate_mv('{0.1,0.2}', '{0.04,0.09}')", '2202E', 'cov must be a 2 by 2 matrix', 'mv: a one-dimensional cov' ],
	[ "forecast_allocate_mv('{0.1,NaN}', $cov2)", '22023', 'mu must hold finite values', 'mv: NaN in mu' ],
	[ "forecast_allocate_mv('{0.1,0.2}', '{{0.04,Infinity},{Infinity,0.09}}')", '22023', 'cov must hold finite values', 'mv: infinite covariance' ],
	[ "forecast_allocate_mv('{0.1,NULL}', $cov2)", '22004', 'mu must not contain NULLs', 'mv: NULL in mu' ],
	[ "forecast_allocate_mv('{0.1,0.2}', '{{0.04,0.01},{0.02,0.09}}')", '22023', 'not symmetric', 'mv: an asymmetric cov' ],
	[ "forecast_allocate_mv('{0.1,0.2}', '{{1,2},{2,1}}')", '22023', 'not positive semi-definite', 'mv: an indefinite cov' ],
	[ "forecast_allocate_mv('{0.1,0.2}', '{{-1,0},{0,1}}')", '22023', 'not positive semi-definite', 'mv: a negative variance' ],
	[ "forecast_allocate_mv('{0.1,0.2}', $cov2, caps => '{0.4,0.5}')", '22023', 'the caps cannot hold the budget: at most 0.9 of 1', 'mv: caps below the budget' ],
	[ "forecast_allocate_mv('{0.1,0.2}', $cov2, caps => '{0.4,0.5,0.6}')", '2202E', 'caps has 3 values but there are 2 assets', 'mv: caps of the wrong length' ],
	[ "forecast_allocate_mv('{0.1,0.2}', $cov2, groups => '{1,1}', group_caps => '{0.7}')", '22023', 'the caps cannot hold the budget: at most 0.7 of 1', 'mv: group caps below the budget' ],
	[ "forecast_allocate_mv('{0.1,0.2}', $cov2, groups => '{1,2}', group_caps => '{0.7}')", '22023', 'group 2 of asset 2 is not a group', 'mv: a group without a cap' ],
	[ "forecast_allocate_mv('{0.1,0.2}', $cov2, groups => '{1,1}')", '22023', 'groups and group_caps go together', 'mv: groups without caps' ],
	[ "forecast_allocate_mv('{0.1,0.2}', $cov2, risk_aversion => -1)", '22023', 'risk_aversion must be', 'mv: negative risk aversion' ],
	[ "forecast_allocate_mv('{0.1,0.2}', $cov2, current => '{1}', turnover_penalty => 0.1)", '2202E', 'current has 1 values but there are 2 assets', 'mv: current of the wrong length' ],
	[ "forecast_allocate_mv('{0.1,0.2}', $cov2, turnover_penalty => 'NaN')", '22023', 'turnover_penalty must be', 'mv: NaN turnover penalty' ],
	[ "forecast_allocate_mv('{0.1,0.2}', $cov2, budget => -1)", '22023', 'budget must be', 'mv: negative budget' ],
	[ "forecast_linprog('{1,2}', '{{1,2,3}}', '{1}')", '2202E', 'a_ub has 3 columns but there are 2 variables', 'linprog: a_ub of the wrong width' ],
	[ "forecast_linprog('{1,2}', '{{1,2}}', '{1,2}')", '2202E', 'b_ub has 2 values but there are 1 rows', 'linprog: b_ub of the wrong length' ],
	[ "forecast_linprog('{1,NaN}', '{{1,2}}', '{1}')", '22023', 'c must hold finite values', 'linprog: NaN in c' ],
	[ "forecast_linprog('{1,2}', '{{1,2}}', NULL)", '22023', 'a_ub and b_ub go together', 'linprog: a_ub without b_ub' ],
	[ "forecast_linprog('{1,2}', lb => '{0,NaN}')", '22023', 'lb must not hold NaN', 'linprog: NaN bound' ],
	[ "forecast_linprog('{1,2}', ub => '{1}')", '2202E', 'ub has 1 values but there are 2 variables', 'linprog: ub of the wrong length' ],
	[ "forecast_allocate_cvar('{{0.01,0.02},{-0.01,0.0}}', 1)", '22023', 'beta must lie strictly between 0 and 1', 'cvar: beta of 1' ],
	[ "forecast_allocate_cvar('{0.01,0.02}')", '2202E', 'scenarios must be a matrix', 'cvar: one-dimensional scenarios' ],
	[ "forecast_allocate_cvar('{{0.01,Infinity},{-0.01,0.0}}')", '22023', 'scenarios must hold finite values', 'cvar: infinite return' ],
	[ "forecast_allocate_cvar('{{0.01,0.02},{-0.01,0.0}}', min_return => 0.05)", '22023', 'no allocation meets the constraints', 'cvar: unreachable minimum return' ],
	[ "forecast_allocate_cvar('{{0.01,0.02},{-0.01,0.0}}', min_return => 0.01, mu => '{0.1}')", '2202E', 'mu has 1 values but there are 2 assets', 'cvar: mu of the wrong length' ],
	[ "forecast_allocate_cvar('{{0.01,0.02},{-0.01,0.0}}', caps => '{0.3,0.3}')", '22023', 'the caps cannot hold the budget', 'cvar: caps below the budget' ],
);
for my $b (@bad)
{
	my ($call, $state, $msg, $what) = @$b;
	my ($rc, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\nSELECT * FROM amplified.$call");
	like($err, qr/ERROR:  $state: .*\Q$msg\E/, "$what: $state") or diag($err);
}

# a budget of 0 leaves nothing to place; the turnover is what is sold
is($node->safe_psql('postgres', q{SELECT weights, turnover, status FROM amplified.forecast_allocate_mv('{0.1,0.2}', '{{0.04,0.01},{0.01,0.09}}', budget => 0, current => '{0.5,0.5}', turnover_penalty => 0.1)}),
	'{0,0}|1|optimal', 'mv: a budget of 0 gives zero weights');

# infeasible and unbounded programs are statuses of forecast_linprog, not errors
is($node->safe_psql('postgres', q{SELECT status FROM amplified.forecast_linprog('{1,1}', '{{1,1},{-1,-1}}', '{1,-2}')}),
	'infeasible', 'linprog: an infeasible program has that status');
is($node->safe_psql('postgres', q{SELECT status || coalesce(objective::text, '-') FROM amplified.forecast_linprog('{-1,1}')}),
	'unbounded-', 'linprog: an unbounded program has that status and no objective');

# A cancel stops the simplex at its next pivot: 2000 scenarios of 20 assets
# take far longer than the 200 ms timeout; the server carries on.
my ($rc, $cout, $cerr) = $node->psql('postgres', <<'SQL');
SET statement_timeout = '200ms';
SELECT cvar FROM amplified.forecast_allocate_cvar(
  (SELECT array_agg(r ORDER BY s) FROM (SELECT s, array_agg(sin(s * 12.9898 + a * 78.233) * 0.02 ORDER BY a) r
     FROM generate_series(1, 2000) s, generate_series(1, 20) a GROUP BY s) q), 0.95);
SQL
like($cerr, qr/canceling statement due to statement timeout/, 'a statement timeout cancels a long CVaR program');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server carries on after the cancel');

done_testing();
