# 131_derivs_pendle: Pendle v2 fixed-yield math against an integer port of
# the contracts and Pendle's documentation.
#
# The reference is a port of pendle-core-v2-public's MarketMathCore.sol,
# LogExpMath.sol, PMath.sol and PYIndex.sol / SYUtils.sol written here in
# Python integers at 1e18, as the contracts compute: Solidity's signed
# division (truncation toward zero), divDown / mulDown, LogExpMath's exp and
# ln (power-of-two decompositions, the 20- and 36-decimal series and their
# constants), the sign-magnitude SY <-> asset conversions (assetToSyUp for
# what the account pays), the fee's two branches, the reserve's integer
# percent, and every revert (expired, insufficient PT, proportion above
# 96 %, exchange rate below 1).  4000 random markets (an hour to two years
# to expiry, PT share 5-90 %, SY index 1-1.5, scalar root 2-80, implied APY
# 0.2-50 %, fee root up to 0.5 %, reserve 0-100 %, trades from 1e-7 of the
# pool's PT to 120 %, one market in 97 expired).
#
# pendle_wei_* run the contract's integer math in C (src/derivs/pendle_wei.c)
# and must equal the port exactly: every revert with its SQLSTATE, every
# amount and lnImpliedRate to the wei, every quote; LogExpMath alone over its
# domain (3000 arguments of exp and ln, and ln_36's bounds).
#
# The float8 functions (pendle.c) compute the same formulas in doubles.
# Tolerances against the port:
# - amounts (SY to the account, fee, reserve share, new reserves): within
#   1e-9 of the trade's size (|net SY|) plus 1e-15 of the SY reserve (a few
#   float8 steps of the reserve, which the new reserve is computed from);
#   the float8 path loses at most ~1e-16 / (fee rate - 1) relative on the
#   fee (1 - e^x for x near 1e-8 at short expiries), i.e. ~1e-8 of a fee
#   that is itself ~1e-5 of the trade; measured: about 1e-13 of the trade;
# - ln implied rates: within 1e-10 absolute (the exchange rate minus 1 is
#   as small as ~1e-6 at an hour to expiry, which costs float8 ~1e-10 of it,
#   times a rate of ~0.1; measured about 2e-12);
# - the quote (rate scalar, anchor, fee rate, exchange rate): 1e-12
#   relative;
# - errors: the same SQLSTATE wherever the port reverts, except within 1e-9
#   of a threshold (96 % proportion, exchange rate 1), where 1e-18 integer
#   steps and float8 may fall on either side: those cases are counted, not
#   compared, and must be few.
# PT price and implied APY: against the closed form in 50-digit decimals
# (1e-14 relative) and round trips over a grid of APYs and maturities.
# Pendle's documented examples: docs.pendle.finance, "Using Pendle" (buying
# PT-aUSDC with a maturity of 1 year at 5 % implied yield returns 1.05 USDC
# per USDC at maturity: PT at 1/1.05) and "APY Calculation" (implied APY =
# e^lnImpliedRate - 1, the market's lnImpliedRate / 1e18).  Pendle's pages
# give no worked swap amounts; the swaps rest on the port.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my $node = AmpTest::node('pendle', preload => 0);
my $dir = PostgreSQL::Test::Utils::tempdir();

sub sq { my ($sql) = @_; return $node->safe_psql('postgres', "SET search_path = amplified, public; $sql"); }

my $port_py = <<'PY';
import math, random, sys
from decimal import Decimal, getcontext
getcontext().prec = 60
ONE = 10**18
YEAR = 365 * 86400
MAX_PROP = ONE * 96 // 100
NEAR = Decimal('1e-9')

class Revert(Exception):
    pass

def tdiv(a, b):
    # Solidity's signed division truncates toward zero
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q

def mul_down(a, b): return tdiv(a * b, ONE)
def div_down(a, b): return tdiv(a * ONE, b)

# LogExpMath, from the Solidity: 18-decimal arguments, 20-decimal
# intermediates, the 36-decimal series near 1.
ONE_20 = 10**20
ONE_36 = 10**36
LEM_X = [128 * ONE, 64 * ONE] + [2**(5 - k) * ONE_20 if k <= 5 else ONE_20 // 2**(k - 5) for k in range(10)]
LEM_A = [38877084059945950922200000000000000000000000000000000000, 6235149080811616882910000000,
         7896296018268069516100000000000000, 888611052050787263676000000, 298095798704172827474000,
         5459815003314423907810, 738905609893065022723, 271828182845904523536, 164872127070012814685,
         128402541668774148407, 113314845306682631683, 106449445891785942956]

def exp18(x):
    if x < -41 * ONE or x > 130 * ONE: raise Revert('22003')
    if x < 0:
        return tdiv(ONE * ONE, exp18(-x))
    if x >= LEM_X[0]:
        x -= LEM_X[0]; first = LEM_A[0]
    elif x >= LEM_X[1]:
        x -= LEM_X[1]; first = LEM_A[1]
    else:
        first = 1
    x *= 100
    product = ONE_20
    for n in range(2, 10):
        if x >= LEM_X[n]:
            x -= LEM_X[n]
            product = tdiv(product * LEM_A[n], ONE_20)
    total = ONE_20 + x
    term = x
    for n in range(2, 13):
        term = tdiv(tdiv(term * x, ONE_20), n)
        total += term
    return tdiv(tdiv(product * total, ONE_20) * first, 100)

def ln36(x):
    x *= ONE
    z = tdiv((x - ONE_36) * ONE_36, x + ONE_36)
    z2 = tdiv(z * z, ONE_36)
    num = z; total = num
    for k in range(3, 16, 2):
        num = tdiv(num * z2, ONE_36)
        total += tdiv(num, k)
    return total * 2

def ln_plain(a):
    if a < ONE:
        return -ln_plain(tdiv(ONE * ONE, a))
    total = 0
    for n in (0, 1):
        if a >= LEM_A[n] * ONE:
            a = tdiv(a, LEM_A[n]); total += LEM_X[n]
    total *= 100; a *= 100
    for n in range(2, 12):
        if a >= LEM_A[n]:
            a = tdiv(a * ONE_20, LEM_A[n]); total += LEM_X[n]
    z = tdiv((a - ONE_20) * ONE_20, a + ONE_20)
    z2 = tdiv(z * z, ONE_20)
    num = z; series = num
    for k in range(3, 12, 2):
        num = tdiv(num * z2, ONE_20)
        series += tdiv(num, k)
    return tdiv(total + series * 2, 100)

def ln18(a):
    if a <= 0: raise Revert('22023')
    if ONE - 10**17 < a < ONE + 10**17:
        return tdiv(ln36(a), ONE)
    return ln_plain(a)

def sy_to_asset(index, sy):
    s = -1 if sy < 0 else 1
    return s * (abs(sy) * index // ONE)

def asset_to_sy(index, a):
    s = -1 if a < 0 else 1
    return s * (abs(a) * ONE // index)

def asset_to_sy_up(index, a):
    s = -1 if a < 0 else 1
    return s * ((abs(a) * ONE + index - 1) // index)

class Port:
    def __init__(self):
        self.near = False
    def watch(self, v, threshold):
        if abs(Decimal(v - threshold)) <= NEAR * ONE:
            self.near = True
    def rate_scalar(self, root, tte):
        rs = tdiv(root * YEAR, tte)
        if rs <= 0: raise Revert('22023')
        return rs
    def rate_from_implied(self, ln_rate, tte):
        return exp18(ln_rate * tte // YEAR)
    def log_proportion(self, p):
        if p == ONE: raise Revert('22003')
        return ln18(div_down(p, ONE - p))
    def exchange_rate(self, pt, asset, rs, anchor, net_pt):
        num = pt - net_pt
        if num < 0: raise Revert('22023')
        p = div_down(num, pt + asset)
        self.watch(p, MAX_PROP)
        if p > MAX_PROP: raise Revert('22003')
        er = div_down(self.log_proportion(p), rs) + anchor
        self.watch(er, ONE)
        if er < ONE: raise Revert('22003')
        return er
    def rate_anchor(self, pt, last_ln, asset, rs, tte):
        ner = self.rate_from_implied(last_ln, tte)
        self.watch(ner, ONE)
        if ner < ONE: raise Revert('22003')
        p = div_down(pt, pt + asset)
        return ner - div_down(self.log_proportion(p), rs)
    def ln_implied_rate(self, pt, asset, rs, anchor, tte):
        er = self.exchange_rate(pt, asset, rs, anchor, 0)
        return ln18(er) * YEAR // tte
    def precompute(self, m, now):
        if m['expiry'] <= now: raise Revert('22023')
        tte = m['expiry'] - now
        rs = self.rate_scalar(m['root'], tte)
        asset = sy_to_asset(m['index'], m['sy'])
        if m['pt'] == 0 or asset == 0: raise Revert('22023')
        anchor = self.rate_anchor(m['pt'], m['ln'], asset, rs, tte)
        fee = self.rate_from_implied(m['fee'], tte)
        return tte, rs, asset, anchor, fee
    def trade(self, m, net_pt, now):
        if m['expiry'] <= now: raise Revert('22023')
        if m['pt'] <= net_pt: raise Revert('22023')
        tte, rs, asset, anchor, fee_rate = self.precompute(m, now)
        pre = self.exchange_rate(m['pt'], asset, rs, anchor, net_pt)
        pre_asset = -div_down(net_pt, pre)
        if net_pt > 0:
            post = div_down(pre, fee_rate)
            self.watch(post, ONE)
            if post < ONE: raise Revert('22003')
            fee = mul_down(pre_asset, ONE - fee_rate)
        else:
            fee = -tdiv(pre_asset * (ONE - fee_rate), fee_rate)
        reserve = tdiv(fee * m['pct'], 100)
        to_account = pre_asset - fee
        idx = m['index']
        sy_acc = asset_to_sy_up(idx, to_account) if to_account < 0 else asset_to_sy(idx, to_account)
        sy_fee = asset_to_sy(idx, fee)
        sy_res = asset_to_sy(idx, reserve)
        new_pt = m['pt'] - net_pt
        new_sy = m['sy'] - (sy_acc + sy_res)
        if new_pt < 0 or new_sy < 0: raise Revert('22003')
        new_ln = self.ln_implied_rate(new_pt, sy_to_asset(idx, new_sy), rs, anchor, tte)
        if new_ln == 0: raise Revert('22003')
        return sy_acc, sy_fee, sy_res, new_pt, new_sy, new_ln

def wei(x):
    return int((Decimal(x) * ONE).to_integral_value())

def exact(v):
    return str(Decimal(v) / ONE)

rng = random.Random(int(sys.argv[2]))
rng_high = random.Random(int(sys.argv[2]) + 1)
ncases = int(sys.argv[3])
nhigh = int(sys.argv[4])
out = open(sys.argv[1], 'w')
out.write('CREATE TABLE pendle_cases (id int, side text, total_pt float8, total_sy float8, sy_index float8, '
          'scalar_root float8, last_ln float8, fee_root float8, pct float8, expiry bigint, now bigint, amount float8, '
          'e_state text, e_near boolean, e_sy numeric, e_fee numeric, e_res numeric, e_pt numeric, e_newsy numeric, '
          'e_ln numeric, q_rs numeric, q_asset numeric, q_anchor numeric, q_fee numeric, q_er numeric, '
          'w_pt numeric, w_sy numeric, w_index numeric, w_root numeric, w_ln numeric, w_fee numeric, w_amount numeric);\n')
rows = []
now0 = 1767225600
for i in range(ncases + nhigh):
    R = rng if i < ncases else rng_high
    tte = int(math.exp(R.uniform(math.log(3600), math.log(2 * YEAR))))
    pt = float('%.6g' % math.exp(R.uniform(math.log(1e2), math.log(1e7))))
    p0 = R.uniform(0.05, 0.9)
    index = float('%.8g' % R.uniform(1.0, 1.5))
    sy = float('%.9g' % (pt * (1 - p0) / p0 / index))
    root = float('%.6g' % R.uniform(2, 80))
    apy = R.uniform(0.002, 0.5)
    ln = float('%.12g' % math.log1p(apy))
    fee = float('%.8g' % math.log1p(R.uniform(0.00005, 0.005)))
    pct = float(R.choice([0, 0, 20, 50, 80, 100, R.randint(0, 100)]))
    side = R.choice(['sell', 'buy'])
    if R.random() < 0.3:
        frac = R.uniform(0.05, 1.2)   # large: many revert (96 %, rate below 1, too little PT)
    else:
        frac = math.exp(R.uniform(math.log(1e-7), math.log(0.05)))
    amount = float('%.10g' % (pt * frac))
    expiry = now0 + tte
    if i % 97 == 0 and i < ncases:
        expiry = now0 - R.randint(0, 86400)   # expired markets
    if i >= ncases:
        # a PT share above 96 %: precompute passes, the quote has no exchange
        # rate, and buying PT back under 96 % trades
        sy = float('%.9g' % (pt * (1 - R.uniform(0.961, 0.99)) / R.uniform(0.961, 0.99) / index))
        side = 'buy' if R.random() < 0.8 else 'sell'
        amount = float('%.10g' % (pt * R.uniform(0.02, 0.5)))
    m = dict(pt=wei(pt), sy=wei(sy), index=wei(index), root=wei(root), ln=wei(ln), fee=wei(fee),
             pct=int(pct), expiry=expiry)
    port = Port()
    vals = dict(state='ok')
    try:
        # getMarketPreCompute; the current exchange rate may revert on its own
        tte_, rs, asset, anchor, fee_rate = port.precompute(m, now0)
        vals.update(q_rs=exact(rs), q_asset=exact(asset), q_anchor=exact(anchor), q_fee=exact(fee_rate))
        er = port.exchange_rate(m['pt'], asset, rs, anchor, 0)
        vals.update(q_er=exact(er))
    except Revert as e:
        pass
    try:
        net = -wei(amount) if side == 'sell' else wei(amount)
        sy_acc, sy_fee, sy_res, new_pt, new_sy, new_ln = port.trade(m, net, now0)
        vals.update(e_sy=exact(-sy_acc if side == 'buy' else sy_acc), e_fee=exact(sy_fee), e_res=exact(sy_res),
                    e_pt=exact(new_pt), e_newsy=exact(new_sy), e_ln=exact(new_ln))
    except Revert as e:
        vals['state'] = str(e)
    def v(k):
        return vals[k] if k in vals else 'NULL'
    rows.append("(%d, '%s', %r, %r, %r, %r, %r, %r, %r, %d, %d, %r, '%s', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %d, %d, %d, %d, %d, %d, %d)" % (
        i, side, pt, sy, index, root, ln, fee, pct, expiry, now0, amount, vals['state'],
        'true' if port.near else 'false', v('e_sy'), v('e_fee'), v('e_res'), v('e_pt'), v('e_newsy'), v('e_ln'),
        v('q_rs'), v('q_asset'), v('q_anchor'), v('q_fee'), v('q_er'),
        m['pt'], m['sy'], m['index'], m['root'], m['ln'], m['fee'], wei(amount)))
for k in range(0, len(rows), 500):
    out.write('INSERT INTO pendle_cases VALUES\n' + ',\n'.join(rows[k:k + 500]) + ';\n')

# LogExpMath alone: exp over [-41, 130], ln over (0, 1e40), dense near 1
out.write('CREATE TABLE pendle_lem_cases (x numeric, e_exp numeric, e_ln numeric);\n')
lrow = []
for k in range(3000):
    if k % 3 == 0:
        x = int(rng.uniform(-41, 130) * ONE) + rng.randint(-10**6, 10**6)
    elif k % 3 == 1:
        x = int(math.exp(rng.uniform(math.log(1e-18), math.log(1e40))) * ONE) + rng.randint(0, 10**6)
    else:
        x = ONE + int(rng.uniform(-0.15, 0.15) * ONE)
    ee = exp18(x) if -41 * ONE <= x <= 130 * ONE else None
    el = ln18(x) if x > 0 else None
    lrow.append('(%d, %s, %s)' % (x, 'NULL' if ee is None else ee, 'NULL' if el is None else el))
lrow += ['(%d, %d, %d)' % (x, exp18(x), ln18(x)) for x in (ONE - 10**17, ONE - 10**17 + 1, ONE + 10**17 - 1, ONE + 10**17, 1, 130 * ONE)]
out.write('INSERT INTO pendle_lem_cases VALUES\n' + ',\n'.join(lrow) + ';\n')

# PT price against the closed form in decimals: (apy, seconds, price)
out.write('CREATE TABLE pendle_pt_cases (apy float8, seconds bigint, price numeric);\n')
prow = []
for apy in [0.0, 0.001, 0.01, 0.034, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0]:
    for secs in [1, 3600, 86400, 7 * 86400, 30 * 86400, 120 * 86400, 365 * 86400, 2 * 365 * 86400, 10 * 365 * 86400]:
        d = (Decimal(1) + Decimal(apy)) ** (-Decimal(secs) / Decimal(YEAR))
        prow.append('(%r, %d, %s)' % (apy, secs, d))
out.write('INSERT INTO pendle_pt_cases VALUES\n' + ',\n'.join(prow) + ';\n')
out.close()
PY

open(my $pf, '>', "$dir/port.py") or die;
print $pf $port_py;
close $pf;
my $ncases = 4000;
my $nhigh = 200;
system('/usr/bin/python3', "$dir/port.py", "$dir/cases.sql", 131, $ncases, $nhigh) == 0 or die 'python failed';
open(my $cf, '<', "$dir/cases.sql") or die;
my $cases_sql = do { local $/; <$cf> };
close $cf;
$node->safe_psql('postgres', $cases_sql);
is(sq('SELECT count(*) FROM pendle_cases'), $ncases + $nhigh,
	"$ncases random market states and trades from the port, and $nhigh pools above 96 % PT");

# Run every case through the SQL functions; errors become their SQLSTATE.
sq(q{
CREATE FUNCTION public.pendle_trade(c public.pendle_cases, OUT state text, OUT sy float8, OUT fee float8, OUT res float8,
	OUT pt float8, OUT newsy float8, OUT ln float8) LANGUAGE plpgsql AS $$
DECLARE m amplified.pendle_market_state := amplified.pendle_market(c.total_pt, c.total_sy, c.scalar_root, c.last_ln,
	c.fee_root, c.expiry, c.sy_index, c.pct);
BEGIN
	state := 'ok';
	IF c.side = 'sell' THEN
		SELECT net_sy_to_account, net_sy_fee, net_sy_to_reserve, new_total_pt, new_total_sy, new_ln_implied_rate
		  INTO sy, fee, res, pt, newsy, ln FROM amplified.pendle_swap_exact_pt_for_sy(m, c.amount, c.now);
	ELSE
		SELECT net_sy_to_market, net_sy_fee, net_sy_to_reserve, new_total_pt, new_total_sy, new_ln_implied_rate
		  INTO sy, fee, res, pt, newsy, ln FROM amplified.pendle_swap_sy_for_exact_pt(m, c.amount, c.now);
	END IF;
EXCEPTION WHEN OTHERS THEN
	state := SQLSTATE;
END $$;
CREATE TABLE pendle_results AS
SELECT c.*, r.* FROM pendle_cases c, LATERAL public.pendle_trade(c) r;
});

# The same cases on the contract's integers: bit for bit.
sq(q{
CREATE FUNCTION public.pendle_trade_wei(c public.pendle_cases, OUT wstate text, OUT wsy numeric, OUT wfee numeric,
	OUT wres numeric, OUT wpt numeric, OUT wnewsy numeric, OUT wln numeric) LANGUAGE plpgsql AS $$
DECLARE m amplified.pendle_market_wei := ROW(c.w_pt, c.w_sy, c.w_index, c.w_root, c.w_ln, c.w_fee, c.pct::int, c.expiry);
BEGIN
	wstate := 'ok';
	IF c.side = 'sell' THEN
		SELECT net_sy_to_account, net_sy_fee, net_sy_to_reserve, new_total_pt, new_total_sy, new_ln_implied_rate
		  INTO wsy, wfee, wres, wpt, wnewsy, wln FROM amplified.pendle_wei_swap_exact_pt_for_sy(m, c.w_amount, c.now);
	ELSE
		SELECT net_sy_to_market, net_sy_fee, net_sy_to_reserve, new_total_pt, new_total_sy, new_ln_implied_rate
		  INTO wsy, wfee, wres, wpt, wnewsy, wln FROM amplified.pendle_wei_swap_sy_for_exact_pt(m, c.w_amount, c.now);
	END IF;
EXCEPTION WHEN OTHERS THEN
	wstate := SQLSTATE;
END $$;
CREATE TABLE pendle_wei_results AS
SELECT c.*, r.* FROM pendle_cases c, LATERAL public.pendle_trade_wei(c) r;
});
is(sq(q{SELECT count(*) FROM pendle_wei_results WHERE wstate <> e_state}), '0',
	'on integers: every case reverts (with its SQLSTATE) or trades exactly as the port, thresholds included');
note(sq(q{SELECT string_agg(format('case %s: port %s, sql %s', id, e_state, wstate), E'\n')
	FROM (SELECT * FROM pendle_wei_results WHERE wstate <> e_state LIMIT 5) x}));
is(sq(q{SELECT count(*) FROM pendle_wei_results WHERE e_state = 'ok' AND
	(wsy, wfee, wres, wpt, wnewsy, wln) IS DISTINCT FROM
	(e_sy * 1e18, e_fee * 1e18, e_res * 1e18, e_pt * 1e18, e_newsy * 1e18, e_ln * 1e18)}), '0',
	'on integers: SY amount, fee, reserve share, new reserves and new lnImpliedRate equal to the wei');
note(sq(q{SELECT string_agg(format('case %s: %s / %s', id, wsy, e_sy * 1e18), E'\n')
	FROM (SELECT * FROM pendle_wei_results WHERE e_state = 'ok' AND wsy <> e_sy * 1e18 LIMIT 3) x}));
is(sq(q{SELECT count(*) FROM pendle_cases c, amplified.pendle_wei_quote(ROW(c.w_pt, c.w_sy, c.w_index, c.w_root, c.w_ln,
	c.w_fee, c.pct::int, c.expiry)::amplified.pendle_market_wei, c.now) q
	WHERE q_rs IS NOT NULL AND (q.rate_scalar, q.total_asset, q.rate_anchor, q.fee_rate, q.exchange_rate)
		IS DISTINCT FROM (q_rs * 1e18, q_asset * 1e18, q_anchor * 1e18, q_fee * 1e18, q_er * 1e18)}), '0',
	'on integers: rate scalar, total asset, rate anchor, fee rate and exchange rate equal to the wei');

# LogExpMath alone over its domain, against the port.
is(sq(q{SELECT count(*) FROM pendle_lem_cases WHERE e_exp IS NOT NULL AND pendle_wei_exp(x) <> e_exp}), '0',
	'LogExpMath.exp bit for bit over [-41, 130]');
is(sq(q{SELECT count(*) FROM pendle_lem_cases WHERE e_ln IS NOT NULL AND pendle_wei_ln(x) <> e_ln}), '0',
	'LogExpMath.ln bit for bit over (0, 1e40), both branches and the ln_36 bounds');
my ($nexp, $nln) = split /\|/, sq(q{SELECT count(e_exp), count(e_ln) FROM pendle_lem_cases});
cmp_ok($nexp, '>', 2000, "exp: $nexp arguments");
cmp_ok($nln, '>', 2000, "ln: $nln arguments");
cmp_ok(sq(q{SELECT count(*) FROM pendle_lem_cases WHERE x > 9e17 AND x < 1.1e18}), '>', 500,
	"of which more than 500 in ln_36's range");
my ($total, $ok, $errs, $near) = split /\|/, sq(q{
	SELECT count(*), count(*) FILTER (WHERE e_state = 'ok'), count(*) FILTER (WHERE e_state <> 'ok'),
		   count(*) FILTER (WHERE e_near) FROM pendle_results});
note("cases: $total, trades $ok, reverts $errs, near a threshold $near");
cmp_ok($ok, '>', $ncases / 2, 'most trades go through in the port');
cmp_ok($errs, '>', $ncases / 20, 'and a good number revert');
cmp_ok($near, '<', $ncases / 100, 'few cases sit within 1e-9 of a threshold');

is(sq(q{SELECT count(*) FROM pendle_results WHERE NOT e_near AND e_state <> state}), '0',
	'every case outside the threshold band: the same outcome (trade or SQLSTATE) as the port');
note(sq(q{SELECT string_agg(format('case %s: port %s, sql %s', id, e_state, state), E'\n')
	FROM (SELECT * FROM pendle_results WHERE NOT e_near AND e_state <> state LIMIT 5) x}));
is(sq(q{SELECT string_agg(DISTINCT e_state, ',' ORDER BY e_state) FROM pendle_results}), '22003,22023,ok',
	'the port reverts with both classes (out of range, bad parameter) and trades');

my $worst = sq(q{
	SELECT max(greatest(abs(sy - e_sy), abs(fee - e_fee), abs(res - e_res), abs(pt - e_pt), abs(newsy - e_newsy))
			   / (abs(e_sy) + 1e-6 * abs(e_newsy))),
		   max(abs(ln - e_ln))
	  FROM pendle_results WHERE e_state = 'ok' AND state = 'ok'});
my ($amt_err, $ln_err) = split /\|/, $worst;
note("largest amount error / trade size: $amt_err; largest ln implied rate error: $ln_err");
cmp_ok($amt_err, '<', 1e-9, 'swap amounts, fee, reserve share and new reserves within 1e-9 of the trade size');
cmp_ok($ln_err, '<', 1e-10, 'new ln implied rate within 1e-10');
is(sq(q{SELECT count(*) FROM pendle_results WHERE e_state = 'ok' AND (sign(fee) <> sign(e_fee) OR sy <= 0)}), '0',
	'fees positive, and SY flows the way the swap says');

# The quote: rate scalar, total asset, anchor, fee rate and exchange rate.
my $qworst = sq(q{
	SELECT max(greatest(abs(q.rate_scalar / q_rs - 1), abs(q.total_asset / q_asset - 1),
			abs(q.rate_anchor / q_anchor - 1), abs(q.fee_rate / q_fee - 1), abs(q.exchange_rate / q_er - 1))),
		   max(abs(q.ln_implied_rate - last_ln)), max(abs(q.implied_apy - (exp(last_ln) - 1))), count(*)
	  FROM pendle_cases c, pendle_market_quote(pendle_market(c.total_pt, c.total_sy, c.scalar_root, c.last_ln,
			c.fee_root, c.expiry, c.sy_index, c.pct), c.now) q
	 WHERE q_rs IS NOT NULL});
my ($qerr, $qln, $qapy, $qn) = split /\|/, $qworst;
note("quotes: $qn, largest relative error $qerr, ln rate $qln, apy $qapy");
cmp_ok($qn, '>', $ncases * 0.9, 'quotes of the live markets');
cmp_ok($qerr, '<', 1e-12, 'rate scalar, total asset, rate anchor, fee rate, exchange rate within 1e-12 relative');
cmp_ok($qln, '<', 1e-10, 'the quote keeps the last ln implied rate (the anchor keeps it continuous)');
cmp_ok($qapy, '<', 1e-10, 'and its implied APY is e^lnImpliedRate - 1 (Pendle\'s APY page)');

# Pools above 96 % PT: getMarketPreCompute passes, so the contract trades
# (buying PT back under 96 %) while _getExchangeRate at the current share
# would revert; the quote gives the precompute and a NULL exchange rate.
my ($hq, $hnoer, $htrades) = split /\|/, sq(qq{
	SELECT count(*) FILTER (WHERE q_rs IS NOT NULL), count(*) FILTER (WHERE q_rs IS NOT NULL AND q_er IS NULL),
		   count(*) FILTER (WHERE e_state = 'ok')
	  FROM pendle_cases WHERE id >= $ncases});
note("pools above 96 %: $hq precomputed, $hnoer without an exchange rate, $htrades trades");
cmp_ok($hnoer, '>', $nhigh / 2, 'pools above 96 % PT: most have a precompute but no current exchange rate in the port');
cmp_ok($htrades, '>', $nhigh / 10, 'and the port trades on a good number of them');
is(sq(qq{SELECT count(*) FROM pendle_cases c, amplified.pendle_wei_quote(ROW(c.w_pt, c.w_sy, c.w_index, c.w_root, c.w_ln,
	c.w_fee, c.pct::int, c.expiry)::amplified.pendle_market_wei, c.now) q
	WHERE q_rs IS NOT NULL AND (q.exchange_rate IS NULL) <> (q_er IS NULL)}), '0',
	'on integers: the quote has no exchange rate exactly where the port reverts on it');
is(sq(qq{SELECT count(*) FROM pendle_cases c, pendle_market_quote(pendle_market(c.total_pt, c.total_sy, c.scalar_root,
		c.last_ln, c.fee_root, c.expiry, c.sy_index, c.pct), c.now) q
	WHERE q_rs IS NOT NULL AND q_er IS NULL AND NOT e_near
	  AND coalesce(q.exchange_rate, q.ln_implied_rate, q.implied_apy, q.pt_price_asset, q.pt_price_sy) IS NOT NULL}), '0',
	'in float8: where the port has no exchange rate, the quote\'s five rate fields are NULL');
is(sq(qq{SELECT count(*) FROM pendle_results WHERE id >= $ncases AND e_state = 'ok' AND state <> 'ok'}), '0',
	'in float8: every trade the port makes on a pool above 96 % goes through');

# Time decay: the same market later quotes the same implied rate, and its PT
# price rises toward 1.
is(sq(q{
	SELECT bool_and(abs(b.ln_implied_rate - a.ln_implied_rate) < 1e-10 AND b.pt_price_asset > a.pt_price_asset
				  AND b.rate_scalar > a.rate_scalar)
	  FROM pendle_cases c,
		   pendle_market_quote(pendle_market(c.total_pt, c.total_sy, c.scalar_root, c.last_ln, c.fee_root, c.expiry,
				c.sy_index, c.pct), c.now) a,
		   pendle_market_quote(pendle_market(c.total_pt, c.total_sy, c.scalar_root, c.last_ln, c.fee_root, c.expiry,
				c.sy_index, c.pct), c.now + (c.expiry - c.now) / 2) b
	 WHERE q_er IS NOT NULL AND c.expiry - c.now > 7200}), 't',
	'halfway to expiry: the same implied rate, a higher PT price, a steeper curve (larger rate scalar)');

# PT price and implied APY.
is(sq(q{SELECT max(abs(pendle_pt_price(apy, seconds) / price - 1)) < 1e-14 FROM pendle_pt_cases}), 't',
	'PT price = (1 + apy)^(-t / 365 days) within 1e-14 of 50-digit decimals over a grid');
is(sq(q{SELECT max(abs(pendle_implied_apy(price::float8, seconds) - apy) / (1 + apy)) < 1e-9
	FROM pendle_pt_cases WHERE seconds >= 86400}), 't',
	'implied APY of the exact price within 1e-9 (a day or more to maturity)');
is(sq(q{SELECT max(abs(pendle_implied_apy(pendle_pt_price(a, s), s) - a) / (1 + a)) < 1e-10
	FROM generate_series(-0.5, 2.0, 0.01) a, unnest(ARRAY[3600, 86400, 2592000, 31536000, 94608000]::bigint[]) s}), 't',
	'round trip APY -> PT price -> APY over 251 APYs x 5 maturities');
is(sq(q{SELECT max(abs(pendle_pt_price(pendle_implied_apy(p, s), s) - p)) < 1e-14
	FROM (SELECT p, s FROM generate_series(0.05, 1.0, 0.005) p, unnest(ARRAY[2592000, 31536000, 94608000]::bigint[]) s
		  UNION ALL SELECT p, s FROM generate_series(0.999, 1.0, 0.00001) p, unnest(ARRAY[3600, 86400]::bigint[]) s) x}), 't',
	'round trip PT price -> APY -> PT price');
is(sq(q{SELECT round(pendle_pt_price(0.05, 31536000)::numeric, 12) = round(1 / 1.05, 12)
	AND round(pendle_implied_apy(1 / 1.05, 31536000)::numeric, 12) = 0.05}), 't',
	'Pendle docs: PT-aUSDC, 1 year at 5 % implied: 1 USDC buys PT worth 1.05 USDC at maturity');
is(sq(q{SELECT abs(pendle_yt_price(0.05, 31536000) - (1 - 1 / 1.05)) < 1e-15
	AND pendle_yt_price(0.05, 0) = 0 AND pendle_pt_price(0.05, 0) = 1}), 't',
	'YT = 1 - PT in the asset; at maturity PT = 1, YT = 0');
is(sq(q{SELECT abs(pendle_initial_ln_implied_rate(1000, 1000, 20, 1.05, 31536000) - ln(1.05)) < 1e-15}), 't',
	'a balanced pool (logit 0) quotes its initial anchor: ln implied rate = ln(anchor) over a year');

done_testing();
