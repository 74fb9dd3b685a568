# 110_risk_garch: the volatility models against R's fGarch and by hand.
#
# R simulates GARCH(1,1) series with fixed seeds (fGarch's garchSim, normal
# and standardized-t innovations, n = 500, 2000 and 5000) and fits each with
# garchFit(~garch(1,1), cond.dist = "norm" or "std", include.mean = TRUE),
# whose default start of the variance recursion (init.rec = "mci", the mean
# squared residual) and full log-likelihood are ours too.  Tolerances:
# - log-likelihood: ours at least fGarch's - 1e-6 (we maximise the same
#   function, so we must not stop lower), and within 1e-3 of it;
# - estimates: within 1e-3 relative or 1 % of fGarch's standard error,
#   whichever is larger: two optimisers (nlminb there, BOBYQA here) stop at
#   slightly different points where the likelihood is flat, and a move of a
#   hundredth of a standard error is far below what the data can tell;
# - standard errors: within 1 % of the ones R computes here from a
#   central-difference Hessian of the same log-likelihood at fGarch's
#   estimates with steps of 1e-5 relative (converged: steps of 1e-4 give the
#   same figures to 0.1 %), and within 15 % of fGarch's own: fGarch's come
#   from optimhess, differences of numerical gradients with steps of 1e-3 on
#   the scaled parameters, which is 5 % of an alpha of 0.02, and on the
#   short t series they are 11 % below the converged figure;
# - conditional variances at fGarch's own estimates: 1e-9 relative (the same
#   recursion, same start).
# Parameter recovery: on n = 5000 each estimate lies within 3 standard
# errors of the value simulated.  EWMA against the recursion and the
# weighted-sum form computed here, and the h-step forecasts against the
# closed form; a cancel during a long fit.  No timing is asserted.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('garch', preload => 0);
my $dir = PostgreSQL::Test::Utils::tempdir();
my $tsv = "$dir/cases.tsv";

# id, dist, n, seed, mu, omega, alpha, beta, shape (NA for normal)
my @cases = (
	[ 'norm500',  'normal', 500,  101, 5e-4, 2e-6, 0.08, 0.90, 'NA' ],
	[ 'norm2000', 'normal', 2000, 42,  5e-4, 2e-6, 0.08, 0.90, 'NA' ],
	[ 't500',     't',      500,  303, 3e-4, 3e-6, 0.10, 0.85, 5 ],
	[ 't2000',    't',      2000, 7,   3e-4, 3e-6, 0.10, 0.85, 5 ],
	[ 'norm5000', 'normal', 5000, 11,  2e-4, 1e-6, 0.06, 0.92, 'NA' ],
	[ 't5000',    't',      5000, 13,  2e-4, 1e-6, 0.06, 0.92, 6 ],
);
my $rcases = join(",\n", map {
	my ($id, $dist, $n, $seed, @p) = @$_;
	"list(id='$id', dist='$dist', n=$n, seed=$seed, p=c(" . join(',', @p) . "))"
} @cases);

my $r = <<"R";
suppressMessages(library(fGarch))
cases <- list($rcases)
out <- file('$tsv', 'w')
g <- function(v) ifelse(is.na(v), '\\\\N', sprintf('%.17g', v))
for (cs in cases) {
  set.seed(cs\$seed)
  model <- list(mu=cs\$p[1], omega=cs\$p[2], alpha=cs\$p[3], beta=cs\$p[4])
  if (cs\$dist == 't') model\$shape <- cs\$p[5]
  spec <- garchSpec(model=model, cond.dist=if (cs\$dist == 't') 'std' else 'norm')
  x <- as.numeric(garchSim(spec, n=cs\$n))
  f <- garchFit(~garch(1,1), data=x, cond.dist=if (cs\$dist == 't') 'std' else 'norm',
                include.mean=TRUE, trace=FALSE)
  co <- coef(f); se <- f\@fit\$se.coef; h <- f\@h.t
  sh <- if (cs\$dist == 't') co['shape'] else NA
  ssh <- if (cs\$dist == 't') se['shape'] else NA
  # standard errors from a converged central-difference Hessian at fGarch's estimates
  s <- sd(x)
  q <- c(co['mu'] / s, co['omega'] / s^2, co['alpha1'], co['beta1'], if (cs\$dist == 't') co['shape'])
  ll <- function(q) {
    z <- x - q[1] * s; n <- length(x); h <- numeric(n)
    h[1] <- q[2] * s^2 + (q[3] + q[4]) * mean(z^2)
    for (i in 2:n) h[i] <- q[2] * s^2 + q[3] * z[i - 1]^2 + q[4] * h[i - 1]
    if (length(q) == 5) sum(log(dstd(z, 0, sqrt(h), q[5]))) else sum(dnorm(z, 0, sqrt(h), log=TRUE))
  }
  k <- length(q); H <- matrix(0, k, k); d <- 1e-5 * pmax(abs(q), 0.1)
  for (i in 1:k) for (j in 1:i) {
    e <- function(si, sj) { qq <- q; qq[i] <- qq[i] + si * d[i]; qq[j] <- qq[j] + sj * d[j]; ll(qq) }
    H[i, j] <- H[j, i] <- (e(1, 1) - e(1, -1) - e(-1, 1) + e(-1, -1)) / (4 * d[i] * d[j])
  }
  ref <- sqrt(diag(solve(-H))) * c(s, s^2, 1, 1, 1)[1:k]
  if (k == 4) ref <- c(ref, NA)
  cat(cs\$id, cs\$dist, g(cs\$p[1:4]), g(cs\$p[5]),
      g(c(co['mu'], co['omega'], co['alpha1'], co['beta1'])), g(sh), g(-f\@fit\$llh),
      g(c(se['mu'], se['omega'], se['alpha1'], se['beta1'])), g(ssh),
      g(h[c(1, 2, 10, length(h))]), g(ref),
      paste0('{', paste(sprintf('%.17g', x), collapse=','), '}'), sep='\\t', file=out)
  cat('\\n', file=out)
}
close(out)
R
my ($out, $err);
my $ok = IPC::Run::run([ 'Rscript', '-e', $r ], '>', \$out, '2>', \$err);
ok($ok, 'R simulated the series and fitted them with fGarch') or diag($err);

$node->safe_psql('postgres', <<"SQL");
CREATE TABLE cases (id text PRIMARY KEY, dist text,
	t_mu float8, t_omega float8, t_alpha float8, t_beta float8, t_shape float8,
	f_mu float8, f_omega float8, f_alpha float8, f_beta float8, f_shape float8, f_loglik float8,
	fs_mu float8, fs_omega float8, fs_alpha float8, fs_beta float8, fs_shape float8,
	h1 float8, h2 float8, h10 float8, hn float8,
	rs_mu float8, rs_omega float8, rs_alpha float8, rs_beta float8, rs_shape float8, series float8[]);
\\copy cases FROM '$tsv'
CREATE TABLE fits AS
	SELECT c.id, f.* FROM cases c, LATERAL amplified.risk_garch_fit(c.series, c.dist) f;
SQL
is($node->safe_psql('postgres', 'SELECT count(*) FROM fits'), scalar(@cases), 'every series fitted');

# Compare one figure: relative tolerance, or an absolute floor.
sub close_to
{
	my ($got, $want, $rel, $abs, $name) = @_;
	my $tol = abs($want) * $rel;
	$tol = $abs if defined $abs && $abs > $tol;
	my $pass = abs($got - $want) <= $tol;
	ok($pass, $name) or diag(sprintf('%s: got %.10g, want %.10g, tolerance %.3g', $name, $got, $want, $tol));
}

my @par = qw(mu omega alpha beta shape);
my $rows = $node->safe_psql('postgres', <<'SQL');
SELECT c.id, c.dist, f.converged,
	   f.mu, f.omega, f.alpha, f.beta, coalesce(f.shape, 0), f.loglik,
	   coalesce((f.se->>'mu')::float8, -1), coalesce((f.se->>'omega')::float8, -1),
	   coalesce((f.se->>'alpha')::float8, -1), coalesce((f.se->>'beta')::float8, -1),
	   coalesce((f.se->>'shape')::float8, -1),
	   c.f_mu, c.f_omega, c.f_alpha, c.f_beta, coalesce(c.f_shape, 0), c.f_loglik,
	   c.fs_mu, c.fs_omega, c.fs_alpha, c.fs_beta, coalesce(c.fs_shape, 0),
	   c.t_mu, c.t_omega, c.t_alpha, c.t_beta, coalesce(c.t_shape, 0),
	   c.rs_mu, c.rs_omega, c.rs_alpha, c.rs_beta, coalesce(c.rs_shape, 0)
  FROM cases c JOIN fits f USING (id) ORDER BY c.id
SQL
for my $line (split /\n/, $rows)
{
	my ($id, $dist, $conv, @v) = split /\|/, $line;
	my @ours = @v[0 .. 4];
	my $ll = $v[5];
	my @se = @v[6 .. 10];
	my @theirs = @v[11 .. 15];
	my $fll = $v[16];
	my @fse = @v[17 .. 21];
	my @true = @v[22 .. 26];
	my @rse = @v[27 .. 31];
	my $k = $dist eq 't' ? 5 : 4;

	is($conv, 't', "$id: converged");
	diag(sprintf('%s: ours %s loglik %.6f; fGarch %s loglik %.6f', $id,
		join(' ', map { sprintf('%s=%.6g(%.3g)', $par[$_], $ours[$_], $se[$_]) } 0 .. $k - 1), $ll,
		join(' ', map { sprintf('%s=%.6g(%.3g)', $par[$_], $theirs[$_], $fse[$_]) } 0 .. $k - 1), $fll));
	ok($ll >= $fll - 1e-6, "$id: our log-likelihood is not below fGarch's")
	  or diag("ours $ll, fGarch $fll");
	close_to($ll, $fll, 0, 1e-3, "$id: log-likelihood as fGarch's");
	if ($dist eq 't')
	{
		ok($theirs[4] < 9.9, "$id: fGarch's shape is inside its box (shape <= 10)");
	}
	for my $i (0 .. $k - 1)
	{
		close_to($ours[$i], $theirs[$i], 1e-3, 0.01 * $fse[$i], "$id: $par[$i] as fGarch's");
		close_to($se[$i], $rse[$i], 0.01, undef, "$id: standard error of $par[$i] as R's converged Hessian");
		close_to($se[$i], $fse[$i], 0.15, undef, "$id: standard error of $par[$i] near fGarch's");
	}
	if ($id =~ /5000/)
	{
		for my $i (0 .. $k - 1)
		{
			ok(abs($ours[$i] - $true[$i]) <= 3 * $se[$i], "$id: $par[$i] recovered within 3 standard errors")
			  or diag(sprintf('estimate %.6g, true %.6g, se %.3g', $ours[$i], $true[$i], $se[$i]));
		}
	}
}

# Conditional variances at fGarch's estimates: the same recursion, the same start.
$rows = $node->safe_psql('postgres', <<'SQL');
SELECT c.id, h[1], c.h1, h[2], c.h2, h[10], c.h10, h[array_length(h, 1)], c.hn
  FROM cases c, LATERAL amplified.risk_garch_conditional_variance(c.f_mu, c.f_omega, c.f_alpha, c.f_beta, c.series) h
 ORDER BY c.id
SQL
for my $line (split /\n/, $rows)
{
	my ($id, @h) = split /\|/, $line;
	my $pass = 1;
	for (my $i = 0; $i < @h; $i += 2)
	{
		$pass &&= abs($h[$i] - $h[$i + 1]) <= 1e-9 * abs($h[$i + 1]);
	}
	ok($pass, "$id: conditional variances at fGarch's estimates as fGarch's h.t") or diag("@h");
}

# h-step forecasts from the fit (the composite passed on) against the closed form.
$rows = $node->safe_psql('postgres', <<'SQL');
SELECT c.id, f.mu, f.omega, f.alpha, f.beta, c.series[array_length(c.series, 1)],
	   h[array_length(h, 1)], array_to_string(fc, ',')
  FROM cases c JOIN fits f USING (id),
	   LATERAL amplified.risk_garch_conditional_variance(ROW(f.mu, f.omega, f.alpha, f.beta, f.shape,
			f.loglik, f.se, f.converged)::amplified.risk_garch_model, c.series) h,
	   LATERAL amplified.risk_garch_forecast(amplified.risk_garch_fit(c.series, c.dist), c.series, 10) fc
 WHERE c.id IN ('norm2000', 't2000')
SQL
for my $line (split /\n/, $rows)
{
	my ($id, $mu, $omega, $alpha, $beta, $rn, $hn, $fc) = split /\|/, $line;
	my @fc = split /,/, $fc;
	my $next = $omega + $alpha * ($rn - $mu)**2 + $beta * $hn;
	my $v = $omega / (1 - $alpha - $beta);
	my $pass = @fc == 10;
	for my $k (1 .. 10)
	{
		my $want = $v + ($alpha + $beta)**($k - 1) * ($next - $v);
		$pass &&= abs($fc[$k - 1] - $want) <= 1e-12 * $want;
	}
	ok($pass, "$id: 10-step forecast follows the closed form") or diag("$fc");
}

# EWMA: the recursion seeded with the mean squared return, and its forecast
# as RiskMetrics' weighted sum (1 - l) sum l^j r[n-j]^2 plus l^n times the seed.
my ($series) = $node->safe_psql('postgres', q{SELECT array_to_string(series, ',') FROM cases WHERE id = 'norm500'});
my @x = split /,/, $series;
for my $lambda (0.94, 0.97)
{
	my ($got, $fc) = split /\|/, $node->safe_psql('postgres',
		"SELECT array_to_string(amplified.risk_ewma_variance(series, $lambda), ','), "
		  . "amplified.risk_ewma_forecast(series, $lambda) FROM cases WHERE id = 'norm500'");
	my @got = split /,/, $got;
	my $seed = 0;
	$seed += $_ * $_ for @x;
	$seed /= @x;
	my $v = $seed;
	my $pass = @got == @x;
	for my $t (0 .. $#x)
	{
		$pass &&= abs($got[$t] - $v) <= 1e-12 * $v;
		$v = $lambda * $v + (1 - $lambda) * $x[$t]**2;
	}
	ok($pass, "EWMA variance series, lambda $lambda, as the recursion");
	my $sum = 0;
	for my $j (0 .. $#x)
	{
		$sum += (1 - $lambda) * $lambda**$j * $x[$#x - $j]**2;
	}
	$sum += $lambda**@x * $seed;
	close_to($fc, $sum, 1e-12, undef, "EWMA forecast, lambda $lambda, as the weighted sum");
}

# A cancel stops the optimiser cleanly: a t fit of 400,000 returns runs far
# longer than the 100 ms timeout; the session and the server carry on.
$node->safe_psql('postgres',
	'CREATE TABLE big AS SELECT ARRAY(SELECT sin(i * 0.7) * 0.01 * (1 + (i % 7)) FROM generate_series(1, 400000) i) AS r');
my ($rc, $cout, $cerr) = $node->psql('postgres', <<'SQL');
SET statement_timeout = '100ms';
SELECT f.converged FROM big, amplified.risk_garch_fit(big.r, 't') f;
SQL
like($cerr, qr/canceling statement due to statement timeout/, 'a statement timeout cancels a long fit');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server carries on after the cancel');

done_testing();
