# 111_risk_var: VaR and CVaR, Monte Carlo, Euler contributions and the
# backtests against R.
#
# An R script (below; it uses only R itself and the cvar package) draws
# seeded series (normal, Student-t with 4 degrees of freedom, skewed gamma,
# a short one) and writes, per series, confidence and method, the VaR and
# the expected shortfall as docs/risk.md defines them: quantile(type = 7)
# and the mean of the tail for historical and FHS (the EWMA filter written
# out in R), cvar::VaR / cvar::ES over qnorm, qt (scaled to the sample
# variance) and the Cornish-Fisher quantile function (ES by numerical
# integration there, a closed form in C); qnorm and qt on a grid; Kupiec
# and Christoffersen statistics computed by hand; rolling backtests; the
# closed-form normal VaR and Euler allocation of a three-asset portfolio
# and the standard errors of a Monte Carlo estimate.  Published values:
# normal VaR at 99% of a 1-day sigma of 2% is 4.6527% (the brief's Jorion
# figure) and Hull's Microsoft/AT&T example (Options, Futures, and Other
# Derivatives, 5th ed., ch. 16, with z = 2.33): 10-day 99% VaR $1,473,621
# and $368,405; Jorion's non-rejection region for Kupiec's test at 5%,
# T = 255, p = 1%: N < 7.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('riskvar', preload => 0);
my $dir = PostgreSQL::Test::Utils::tempdir();

my $rscript = <<'RSCRIPT';
suppressMessages(library(cvar))
args <- commandArgs(trailingOnly = TRUE)
out <- file(args[1], "w")
set.seed(111)
series <- list(
  norm = rnorm(500, 0.0005, 0.02),
  heavy = 0.0002 + 0.01 * rt(750, 4),
  skew = -0.01 * (rgamma(300, 2) - 2),
  short = c(-0.031, 0.012, 0.004, -0.007, 0.019, -0.012, 0.002, 0.008, -0.015, 0.011))
num <- function(x) formatC(x, digits = 17, format = "g")
for (nm in names(series))
  writeLines(paste("series", nm, paste(num(series[[nm]]), collapse = ","), sep = "\t"), out)
ctl <- list(rel.tol = 1e-12, subdivisions = 2000L)
# Cornish-Fisher quantile of the standardized variable
qcf <- function(p, S, K) {
  z <- qnorm(p)
  z + (z^2 - 1) * S / 6 + (z^3 - 3 * z) * K / 24 - (2 * z^3 - 5 * z) * S^2 / 36
}
case <- function(nm, conf, method, shape, var, es)
  writeLines(paste("case", nm, conf, method, shape, num(var), num(es), sep = "\t"), out)
for (nm in names(series)) {
  x <- series[[nm]]; n <- length(x); m <- mean(x); s <- sd(x)
  d <- x - m; m2 <- mean(d^2); S <- mean(d^3) / m2^1.5; K <- mean(d^4) / m2^2 - 3
  for (conf in c(0.9, 0.95, 0.975, 0.99)) {
    a <- 1 - conf
    q <- quantile(x, a, type = 7, names = FALSE)
    case(nm, conf, "historical", "", -q, -mean(x[x <= q]))
    case(nm, conf, "normal", "", VaR(qnorm, a, mean = m, sd = s),
         ES(qnorm, a, mean = m, sd = s, control = ctl))
    for (nu in c(3, 5, 8.5)) {
      sc <- s * sqrt((nu - 2) / nu)
      case(nm, conf, "t", nu, VaR(qt, a, df = nu, intercept = m, slope = sc),
           ES(qt, a, df = nu, intercept = m, slope = sc, control = ctl))
    }
    if (K > 0) {
      nu <- 4 + 6 / K; sc <- s * sqrt((nu - 2) / nu)
      case(nm, conf, "t", "", VaR(qt, a, df = nu, intercept = m, slope = sc),
           ES(qt, a, df = nu, intercept = m, slope = sc, control = ctl))
    }
    case(nm, conf, "cornish_fisher", "", VaR(qcf, a, S = S, K = K, intercept = m, slope = s),
         ES(qcf, a, S = S, K = K, intercept = m, slope = s, control = ctl))
    # filtered historical simulation, EWMA lambda 0.94 started at mean(x^2)
    s2 <- mean(x^2); z <- numeric(n)
    for (t in 1:n) { z[t] <- x[t] / sqrt(s2); s2 <- 0.94 * s2 + 0.06 * x[t]^2 }
    qz <- quantile(z, a, type = 7, names = FALSE)
    case(nm, conf, "fhs_ewma", "", -sqrt(s2) * qz, -sqrt(s2) * mean(z[z <= qz]))
  }
}
# quantiles: normal and Student-t
for (conf in c(0.6, 0.9, 0.95, 0.99, 0.999, 0.99999, 0.999999999999))
  writeLines(paste("qnorm", conf, num(qnorm(1 - conf)), sep = "\t"), out)
for (conf in c(0.6, 0.9, 0.95, 0.99, 0.999, 0.99999))
  for (nu in c(2.5, 3, 4.5, 5, 10, 30, 100, 1999, 2001, 1e5))
    writeLines(paste("qt", conf, nu, num(qt(1 - conf, nu)), sep = "\t"), out)
# Kupiec by hand
kup <- function(n, x, p) {
  lr <- -2 * (log((1 - p)^(n - x) * p^x) - log((1 - x / n)^(n - x) * (x / n)^x))
  c(lr, pchisq(lr, 1, lower.tail = FALSE))
}
for (k in list(c(250, 0, 0.01), c(250, 250, 0.01), c(250, 2, 0.01), c(250, 8, 0.01),
               c(500, 5, 0.01), c(1000, 70, 0.05), c(255, 6, 0.01), c(255, 7, 0.01))) {
  r <- kup(k[1], k[2], k[3])
  writeLines(paste("kupiec", k[1], k[2], k[3], num(r[1]), num(r[2]), sep = "\t"), out)
}
# Christoffersen by hand
chr <- function(h) {
  a <- h[-length(h)]; b <- h[-1]
  n00 <- sum(!a & !b); n01 <- sum(!a & b); n10 <- sum(a & !b); n11 <- sum(a & b)
  xl <- function(k, p) if (k == 0) 0 else k * log(p)
  p01 <- if (n00 + n01 > 0) n01 / (n00 + n01) else 0
  p11 <- if (n10 + n11 > 0) n11 / (n10 + n11) else 0
  p <- (n01 + n11) / (n00 + n01 + n10 + n11)
  l1 <- xl(n00, 1 - p01) + xl(n01, p01) + xl(n10, 1 - p11) + xl(n11, p11)
  l0 <- xl(n00 + n10, 1 - p) + xl(n01 + n11, p)
  lr <- max(-2 * (l0 - l1), 0)
  c(lr, pchisq(lr, 1, lower.tail = FALSE))
}
hs <- list(c(F, F, T, T, F, F, F, T, F), c(F, F, F, F), c(T, T, T), rep(c(F, F, T), 20),
           c(rep(F, 40), T, T, T, rep(F, 40)), as.logical(rbinom(300, 1, 0.05)))
for (h in hs) {
  r <- chr(h)
  writeLines(paste("chr", paste(ifelse(h, "t", "f"), collapse = ","), num(r[1]), num(r[2]), sep = "\t"), out)
}
# rolling backtests: the VaR at t from the window before t only
bt <- function(nm, w, conf, method) {
  x <- series[[nm]]
  a <- 1 - conf; hits <- logical(0)
  for (t in (w + 1):length(x)) {
    y <- x[(t - w):(t - 1)]
    v <- if (method == "historical") -quantile(y, a, type = 7, names = FALSE)
         else -(mean(y) + sd(y) * qnorm(a))
    hits <- c(hits, -x[t] > v)
  }
  k <- kup(length(hits), sum(hits), a); c2 <- chr(hits)
  writeLines(paste("backtest", nm, w, conf, method, length(hits), sum(hits), num(length(hits) * a),
                   num(k[1]), num(k[2]), num(c2[1]), num(c2[2]), sep = "\t"), out)
}
bt("heavy", 250, 0.99, "historical"); bt("heavy", 250, 0.95, "normal")
bt("heavy", 100, 0.975, "historical"); bt("norm", 60, 0.95, "normal")
# portfolio: normal closed form, Euler allocation, Monte Carlo standard errors
w <- c(0.5, 0.3, 0.2); vol <- c(0.02, 0.035, 0.01)
R <- matrix(c(1, 0.6, -0.2, 0.6, 1, 0.1, -0.2, 0.1, 1), 3)
S <- diag(vol) %*% R %*% diag(vol)
writeLines(paste("cov", paste(num(c(S)), collapse = ","), sep = "\t"), out)
sp <- sqrt(drop(t(w) %*% S %*% w))
for (conf in c(0.95, 0.99)) {
  a <- 1 - conf; z <- qnorm(conf)
  mvar <- z * drop(S %*% w) / sp
  writeLines(paste("euler", conf, num(z * sp), paste(num(mvar), collapse = ","), sep = "\t"), out)
  es <- sp * dnorm(z) / a
  # standard errors of the empirical quantile and of the tail mean for N paths
  N <- 200000
  se_q <- sqrt(a * (1 - a) / N) / (dnorm(z) / sp)
  ez2 <- 1 + z * dnorm(z) / a; ez <- dnorm(z) / a
  se_es <- sp * sqrt((ez2 - ez^2 + (1 - a) * (ez - z)^2) / (N * a))
  writeLines(paste("mc", conf, sprintf("%d", N), num(z * sp), num(es), num(se_q), num(se_es), sep = "\t"), out)
}
close(out)
RSCRIPT
open(my $fh, '>', "$dir/ref.R") or die;
print $fh $rscript;
close($fh);
my ($stdout, $stderr);
my $ok = IPC::Run::run([ 'Rscript', "$dir/ref.R", "$dir/ref.tsv" ], '>', \$stdout, '2>', \$stderr);
ok($ok, 'R wrote the reference values') or BAIL_OUT("Rscript failed: $stderr");

my (%series, @cases, @qnorm, @qt, @kupiec, @chr, @bt, @euler, @mc, $cov);
open($fh, '<', "$dir/ref.tsv") or die;
while (my $line = <$fh>)
{
	chomp $line;
	my @f = split /\t/, $line, -1;
	my $kind = shift @f;
	if ($kind eq 'series') { $series{ $f[0] } = $f[1]; }
	elsif ($kind eq 'case') { push @cases, [@f]; }
	elsif ($kind eq 'qnorm') { push @qnorm, [@f]; }
	elsif ($kind eq 'qt') { push @qt, [@f]; }
	elsif ($kind eq 'kupiec') { push @kupiec, [@f]; }
	elsif ($kind eq 'chr') { push @chr, [@f]; }
	elsif ($kind eq 'backtest') { push @bt, [@f]; }
	elsif ($kind eq 'euler') { push @euler, [@f]; }
	elsif ($kind eq 'mc') { push @mc, [@f]; }
	elsif ($kind eq 'cov') { $cov = $f[0]; }
}
close($fh);
is(scalar(@cases), 124, 'R gave every method case');

sub sq { my ($sql) = @_; return $node->safe_psql('postgres', "SET search_path = amplified, public; $sql"); }
# relative difference, against at least 1e-3 (returns are of order 1e-2: a VaR near 0
# is a difference of two such numbers)
sub rel { my ($a, $b) = @_; return abs($a - $b) / (abs($b) > 1e-3 ? abs($b) : 1e-3); }

# ---- risk_var / risk_cvar per method against R ----
my %tol = (historical => [ 1e-13, 1e-13 ], normal => [ 1e-13, 1e-9 ], t => [ 1e-10, 1e-8 ],
	cornish_fisher => [ 1e-13, 1e-8 ], fhs_ewma => [ 1e-12, 1e-12 ]);
my %bad;
my %count;
for my $c (@cases)
{
	my ($name, $conf, $method, $shape, $var, $es) = @$c;
	my $sh = $shape eq '' ? 'NULL' : $shape;
	my ($gv, $ge) = split /\|/, sq("SELECT risk_var('{$series{$name}}', $conf, '$method', $sh), "
		  . "risk_cvar('{$series{$name}}', $conf, '$method', $sh)");
	$count{$method}++;
	my ($tv, $te) = @{ $tol{$method} };
	if (rel($gv, $var) > $tv || rel($ge, $es) > $te)
	{
		push @{ $bad{$method} }, "$name conf=$conf shape=$shape var $gv vs R $var, es $ge vs R $es";
	}
}
for my $m (sort keys %tol)
{
	ok(!$bad{$m}, "risk_var/risk_cvar $m agree with R on $count{$m} cases")
	  or diag(join("\n", @{ $bad{$m} }[ 0 .. (@{ $bad{$m} } > 5 ? 4 : $#{ $bad{$m} }) ]));
}
# CVaR is never below VaR
is(sq("SELECT count(*) FROM unnest('{historical,normal,t,cornish_fisher,fhs_ewma}'::text[]) m, "
	  . "unnest('{0.9,0.95,0.99}'::float8[]) c, (VALUES ('{$series{heavy}}'::float8[]), ('{$series{skew}}')) s(r) "
	  . "WHERE risk_cvar(r, c, m) < risk_var(r, c, m)"), '0', 'CVaR >= VaR for every method');

# ---- the quantile functions, through series {-1, 1} (mean 0, sd sqrt 2) ----
my @qbad;
for my $c (@qnorm)
{
	my ($conf, $z) = @$c;
	my $got = sq("SELECT -risk_var('{-1,1}', $conf, 'normal') / sqrt(2::float8)");
	push @qbad, "qnorm conf=$conf $got vs $z" if rel($got, $z) > 1e-14;
}
ok(!@qbad, 'AS241 matches R qnorm to 1e-14 on ' . scalar(@qnorm) . ' levels') or diag(join("\n", @qbad));
@qbad = ();
for my $c (@qt)
{
	my ($conf, $nu, $t) = @$c;
	my $got = sq("SELECT -risk_var('{-1,1}', $conf, 't', $nu) / (sqrt(2::float8) * sqrt(($nu - 2) / ${nu}::float8))");
	push @qbad, "qt conf=$conf nu=$nu $got vs $t" if rel($got, $t) > 1e-10;
}
ok(!@qbad, 'Student-t quantile matches R qt to 1e-10 on ' . scalar(@qt) . ' points') or diag(join("\n", @qbad));

# ---- published values ----
is(sq("SELECT round((100 * risk_var(ARRAY[-0.02 / sqrt(2::float8), 0.02 / sqrt(2::float8)], 0.99, 'normal'))::numeric, 4)"),
	'4.6527', 'normal 99% VaR of a 2% daily sigma is 4.6527%');
# Hull: $10M Microsoft (2%/day), $5M AT&T (1%/day), correlation 0.3, 10 days, z = 2.33
is(sq("SELECT round(sum(component) * sqrt(10) * 2.33 / 2.3263478740408408) FROM "
	  . "risk_var_contributions('{10000000}', '{{0.0004}}', 0.99)"), '1473621', 'Hull: Microsoft 10-day 99% VaR $1,473,621');
is(sq("SELECT round(sum(component) * sqrt(10) * 2.33 / 2.3263478740408408) FROM "
	  . "risk_var_contributions('{5000000}', '{{0.0001}}', 0.99)"), '368405', 'Hull: AT&T 10-day 99% VaR $368,405');
is(sq("SELECT round(sum(component) / 2.3263478740408408) FROM "
	  . "risk_var_contributions('{10000000,5000000}', '{{0.0004,0.00006},{0.00006,0.0001}}', 0.99)"),
	'220227', 'Hull: the portfolio\'s daily standard deviation $220,227');

# ---- Euler contributions ----
for my $e (@euler)
{
	my ($conf, $var, $marg) = @$e;
	my @m = split /,/, $marg;
	my $res = sq("SELECT string_agg(marginal || ',' || component, ';' ORDER BY asset) FROM "
		  . "risk_var_contributions('{0.5,0.3,0.2}', '{$cov}', $conf)");
	my @rows = map { [ split /,/ ] } split /;/, $res;
	my @w = (0.5, 0.3, 0.2);
	my ($sum, $mbad) = (0, 0);
	for my $i (0 .. 2)
	{
		$sum += $rows[$i][1];
		$mbad++ if rel($rows[$i][0], $m[$i]) > 1e-12 || rel($rows[$i][1], $w[$i] * $m[$i]) > 1e-12;
	}
	is($mbad, 0, "Euler marginals at $conf match R");
	ok(rel($sum, $var) < 1e-12, "components sum to the normal VaR at $conf ($sum vs $var)");
}

# ---- Monte Carlo ----
my $mc1 = sq("SELECT var || ',' || cvar FROM risk_var_mc('{0.5,0.3,0.2}', '{$cov}', 0.99, 20000, 42)");
my $mc2 = sq("SELECT var || ',' || cvar FROM risk_var_mc('{0.5,0.3,0.2}', '{$cov}', 0.99, 20000, 42)");
my $mc3 = sq("SELECT var || ',' || cvar FROM risk_var_mc('{0.5,0.3,0.2}', '{$cov}', 0.99, 20000, 43)");
is($mc1, $mc2, 'Monte Carlo is reproducible for a seed');
isnt($mc1, $mc3, 'another seed draws other paths');
# a 2-D matrix and the same numbers flat give the same answer
my @c = split /,/, $cov;
my $cov2d = '{' . join(',', map { '{' . join(',', @c[ 3 * $_ .. 3 * $_ + 2 ]) . '}' } 0 .. 2) . '}';
is(sq("SELECT var || ',' || cvar FROM risk_var_mc('{0.5,0.3,0.2}', '$cov2d', 0.99, 20000, 42)"), $mc1,
	'a 3 x 3 covariance and the flat one agree');
for my $m (@mc)
{
	my ($conf, $n, $var, $es, $se_q, $se_es) = @$m;
	for my $seed (1, 2)
	{
		my ($gv, $ge) = split /,/, sq("SELECT var || ',' || cvar FROM risk_var_mc('{0.5,0.3,0.2}', '{$cov}', $conf, $n, $seed)");
		ok(abs($gv - $var) < 3 * $se_q, "MC VaR at $conf, seed $seed within 3 SE of the closed form ($gv vs $var, SE $se_q)");
		ok(abs($ge - $es) < 3 * $se_es, "MC CVaR at $conf, seed $seed within 3 SE of the closed form ($ge vs $es, SE $se_es)");
	}
	# ten days scale the standard deviation by sqrt(10)
	my $g10 = sq("SELECT var FROM risk_var_mc('{0.5,0.3,0.2}', '{$cov}', $conf, $n, 5, 10)");
	ok(abs($g10 - sqrt(10) * $var) < 3 * sqrt(10) * $se_q, "MC 10-day VaR at $conf within 3 SE of sqrt(10) x the 1-day closed form");
}

# ---- Kupiec and Christoffersen ----
my @kbad;
for my $k (@kupiec)
{
	my ($n, $x, $p, $lr, $pv) = @$k;
	my ($glr, $gp) = split /\|/, sq("SELECT lr, p_value FROM risk_kupiec($n, $x, $p)");
	push @kbad, "kupiec($n,$x,$p) $glr,$gp vs $lr,$pv" if rel($glr, $lr) > 1e-9 || rel($gp, $pv) > 1e-9;
}
ok(!@kbad, 'Kupiec LR and p-values match R by hand (0 and n exceedances included)') or diag(join("\n", @kbad));
ok(sq("SELECT p_value > 0.05 FROM risk_kupiec(255, 6, 0.01)") eq 't'
	  && sq("SELECT p_value < 0.05 FROM risk_kupiec(255, 7, 0.01)") eq 't',
	'Jorion: T = 255, p = 1%, 5% test: 6 exceedances accepted, 7 rejected');
my @cbad;
for my $c (@chr)
{
	my ($h, $lr, $pv) = @$c;
	my ($glr, $gp) = split /\|/, sq("SELECT lr, p_value FROM risk_christoffersen('{$h}')");
	push @cbad, "christoffersen($h) $glr,$gp vs $lr,$pv"
	  if abs($glr - $lr) > 1e-9 * (1 + abs($lr)) || abs($gp - $pv) > 1e-9;
}
ok(!@cbad, 'Christoffersen LR and p-values match R by hand on ' . scalar(@chr) . ' sequences') or diag(join("\n", @cbad));

# ---- rolling backtests (no look-ahead) ----
for my $b (@bt)
{
	my ($name, $w, $conf, $method, $n, $x, $exp, $klr, $kp, $clr, $cp) = @$b;
	my @g = split /\|/, sq("SELECT n, exceedances, expected, kupiec_lr, kupiec_p, christoffersen_lr, christoffersen_p "
		  . "FROM risk_var_backtest('{$series{$name}}', $w, $conf, '$method')");
	ok($g[0] == $n && $g[1] == $x && rel($g[2], $exp) < 1e-12
		  && rel($g[3], $klr) < 1e-9 && abs($g[4] - $kp) < 1e-9
		  && abs($g[5] - $clr) < 1e-9 * (1 + $clr) && abs($g[6] - $cp) < 1e-9,
		"backtest $name window $w $conf $method: $n days, $x exceedances as R")
	  or diag("got @g, R $n $x $exp $klr $kp $clr $cp");
}
# the last return cannot change the VaR used on the day itself: appending a
# crash moves only that day's hit
my $h = $series{heavy};
is(sq("SELECT exceedances FROM risk_var_backtest('{$h,-0.5}', 250, 0.99, 'historical')"),
	sq("SELECT exceedances + 1 FROM risk_var_backtest('{$h}', 250, 0.99, 'historical')"),
	'a crash on the last day is one more exceedance and nothing else');

# ---- fhs_garch: through risk_garch_fit when installed, else its error and a stand-in ----
my $has = sq("SELECT to_regprocedure('amplified.risk_garch_fit(float8[],text)') IS NOT NULL");
my ($mu, $omega, $alpha, $beta);
my ($gv, $ge);
if ($has eq 'f')
{
	my ($ret, $out, $err) = $node->psql('postgres',
		"SET search_path = amplified; SELECT risk_var('{$series{heavy}}', 0.99, 'fhs_garch')",
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	like($err, qr/22023.*risk_garch_fit/s, 'fhs_garch without the volatility module: 22023 naming risk_garch_fit');
	($mu, $omega, $alpha, $beta) = (0.0003, 2e-6, 0.08, 0.9);
	($gv, $ge) = split /\|/, sq(<<"SQL");
BEGIN;
CREATE FUNCTION amplified.risk_garch_fit(r float8[], dist text DEFAULT 'normal', OUT mu float8,
	OUT omega float8, OUT alpha float8, OUT beta float8, OUT shape float8, OUT loglik float8,
	OUT se jsonb, OUT converged boolean)
LANGUAGE sql IMMUTABLE AS \$\$ SELECT ${mu}::float8, ${omega}::float8, ${alpha}::float8, ${beta}::float8, NULL::float8, 0::float8, '{}'::jsonb, true \$\$;
SELECT risk_var('{$series{heavy}}', 0.99, 'fhs_garch'), risk_cvar('{$series{heavy}}', 0.99, 'fhs_garch');
ROLLBACK;
SQL
}
else
{
	pass('risk_garch_fit is installed');
	($mu, $omega, $alpha, $beta) = split /\|/,
	  sq("SELECT mu, omega, alpha, beta FROM risk_garch_fit('{$series{heavy}}', 'normal')");
	($gv, $ge) = split /\|/, sq("SELECT risk_var('{$series{heavy}}', 0.99, 'fhs_garch'), risk_cvar('{$series{heavy}}', 0.99, 'fhs_garch')");
}
open($fh, '>', "$dir/fhs.R") or die;
print $fh <<"RSCRIPT";
x <- c($series{heavy}); mu <- $mu; omega <- $omega; alpha <- $alpha; beta <- $beta
e <- x - mu; h <- mean(e^2); z <- numeric(length(x))
for (t in seq_along(x)) { z[t] <- e[t] / sqrt(h); h <- omega + alpha * e[t]^2 + beta * h }
q <- quantile(z, 0.01, type = 7, names = FALSE)
cat(formatC(-(mu + sqrt(h) * q), digits = 17, format = "g"), formatC(-(mu + sqrt(h) * mean(z[z <= q])), digits = 17, format = "g"))
RSCRIPT
close($fh);
IPC::Run::run([ 'Rscript', "$dir/fhs.R" ], '>', \$stdout, '2>', \$stderr) or diag($stderr);
my ($rv, $re) = split ' ', $stdout;
ok(rel($gv, $rv) < 1e-12 && rel($ge, $re) < 1e-12, "fhs_garch VaR and CVaR match R's GARCH filter ($gv vs $rv, $ge vs $re)");

done_testing();
