# 137_ranking: strategy_ranking / v_strategy_ranking (src/strategy/outcomes.sql)
# against a reference computed here by /usr/bin/python3 (its statistics
# module) from the raw snapshots and flows, not from the views.
#
# Seeded (srand 137): three strategies whose only leg is their numeraire
# (decimals 0, price 1, so the value is the amount), snapshots at random
# times over 45 days (none on some days, several on others) with random
# gains and losses, and deposits and withdrawals recorded in strategy_flows
# (the value jumps by them; they must not count as returns).  A fourth
# strategy's value only moves by a deposit: its return is nil.  The
# reference: per UTC day holding snapshots, r = (last value of the day -
# value before the day's first snapshot - flows in between) / that value;
# the index chained from them, total and annualised return (365.25 days a
# year, none under 7 days), volatility, Sharpe, Sortino, maximum drawdown on
# the index, Calmar; over the days whose start is in [end - window, end) for
# windows of 7, 30 days and all, ending at one given time for every strategy.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use IPC::Run qw(run);
use AmpTest;

srand(137);
my $JSON = JSON::PP->new->canonical;
my $PY = '/usr/bin/python3';
plan skip_all => "$PY is missing" unless -x $PY;

my $node = AmpTest::node('ranking', preload => 0);
sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }

my $NUM = '0x00000000000000000000000000000000000000a1';
sql(q{SELECT add_chain(999137, 'ranking', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false)});

# end: a fixed time, 45 days after the first snapshot's day
my $t0 = 1767225600;    # 2026-01-01 00:00 UTC
my $end = $t0 + 45 * 86400 + 7 * 3600;
my (%snaps, %flows);
my $sqlall = '';
for my $k (1 .. 4)
{
	my $name = "rank $k";
	my $id = sql(sprintf(q{SELECT id FROM strategy_create('%s', 'lp_univ3', 999137, '0x%040x', '{"pool": "0x00000000000000000000000000000000000000e0",
		"position_manager": "0x00000000000000000000000000000000000000c0", "token0": "0x00000000000000000000000000000000000000a0",
		"token1": "0x00000000000000000000000000000000000000a1", "fee": 500, "tick_spacing": 10, "decimals0": 18, "decimals1": 18}')},
		$name, 0xf100 + $k));
	my ($block, $value, $t) = (100, 1000 + int(rand(1000)), $t0 + int(rand(3600)));
	my @s;
	while ($t < $end + 86400)
	{
		push @s, [ $block, $t, $value ];
		# the next snapshot: minutes to two days later
		$t += 600 + int(rand(rand() < 0.2 ? 2 * 86400 : 30000));
		$block += 1 + int(rand(5));
		if ($k == 4)
		{
			# a deposit of 500 at one block: the only change
			if (@s == 10) { $flows{$id}{$block} = 500; $value += 500; }
			next;
		}
		$value += int($value * (rand(0.1) - 0.045));
		if (rand() < 0.15)
		{
			my $f = rand() < 0.6 ? 200 + int(rand(800)) : -int($value * rand(0.3));
			$flows{$id}{$block} += $f;
			$value += $f;
		}
	}
	$snaps{$id} = \@s;
	for my $x (@s)
	{
		$sqlall .= sprintf(qq{INSERT INTO strategy_snapshots (strategy_id, block_number, at, numeraire, value, hold_value, holdings, hold_basis)
			VALUES (%d, %d, to_timestamp(%d), '%s', %d, %d, ARRAY[ROW('%s', 'wallet', %d, 0, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding], '{}');\n},
			$id, $x->[0], $x->[1], $NUM, $x->[2], $x->[2], $NUM, $x->[2]);
	}
	for my $b (sort { $a <=> $b } keys %{ $flows{$id} || {} })
	{
		next unless $flows{$id}{$b};
		$sqlall .= sprintf(qq{INSERT INTO strategy_flows (strategy_id, block_number, asset, amount) VALUES (%d, %d, '%s', %d);\n},
			$id, $b, $NUM, $flows{$id}{$b});
	}
}
sql($sqlall);
ok(sql("SELECT count(*) FROM strategy_flows") > 5, 'deposits and withdrawals recorded');

# ---- the reference ----
my $py = <<'PY';
import json, math, statistics, sys
from decimal import Decimal
d = json.load(sys.stdin)
out = {}
for sid, snaps in d["snaps"].items():
    flows = {int(b): Decimal(a) for b, a in d["flows"].get(sid, {}).items()}
    snaps = sorted(snaps)
    days = {}
    for i in range(1, len(snaps)):
        b0, t0, v0 = snaps[i - 1]
        b1, t1, v1 = snaps[i]
        day = t1 // 86400 * 86400
        f = sum((a for b, a in flows.items() if b0 < b <= b1), Decimal(0))
        if day not in days:
            days[day] = [Decimal(v0), Decimal(v1), f]
        else:
            days[day][1] = Decimal(v1)
            days[day][2] += f
    res = {}
    for label, win in (("7d", 7 * 86400), ("30d", 30 * 86400), ("all", None)):
        sel = sorted(x for x in days if x < d["end"] and (win is None or x >= d["end"] - win))
        sel = [x for x in sel if days[x][0] > 0]
        if not sel:
            continue
        r = [float((days[x][1] - days[x][0] - days[x][2]) / days[x][0]) for x in sel]
        idx, peak, mdd = 1.0, 1.0, 0.0
        for x in r:
            idx *= 1 + x
            peak = max(peak, idx)
            mdd = max(mdd, 1 - idx / peak)
        n = len(r)
        e = {"days": n, "total_return": idx - 1, "max_drawdown": mdd,
             "start_value": str(days[sel[0]][0]), "end_value": str(days[sel[-1]][1]),
             "flows": str(sum((days[x][2] for x in sel), Decimal(0)))}
        if n >= 7:
            ann = idx ** (365.25 / n) - 1
            sd = statistics.stdev(r)
            m = statistics.mean(r)
            down = math.sqrt(statistics.mean([min(x, 0) ** 2 for x in r]))
            e.update(annualised_return=ann, volatility=sd * math.sqrt(365.25),
                     sharpe=m / sd * math.sqrt(365.25) if sd > 0 else None,
                     sortino=m * math.sqrt(365.25) / down if down > 0 else None,
                     calmar=ann / mdd if mdd > 0 else None)
        else:
            e.update(annualised_return=None, volatility=None, sharpe=None, sortino=None, calmar=None)
        res[label] = e
    out[sid] = res
json.dump(out, sys.stdout)
PY
my $in = $JSON->encode({ end => $end, snaps => \%snaps, flows => \%flows });
my ($pyout, $pyerr);
ok(run([ $PY, '-c', $py ], \$in, \$pyout, \$pyerr), 'python3 computed the reference') or diag($pyerr);
my $ref = $JSON->decode($pyout);

sub near
{
	my ($a, $b) = @_;
	return 1 if !defined $a && !defined $b;
	return 0 if !defined $a || !defined $b;
	return abs($a - $b) <= 1e-9 * (abs($b) > 1e-12 ? abs($b) : 1e-12);
}

my @F = qw(total_return annualised_return volatility sharpe sortino max_drawdown calmar);
my ($checked, $annualised) = (0, 0);
for my $w ([ '7d', "'7 days'" ], [ '30d', "'30 days'" ], [ 'all', 'NULL' ])
{
	my ($label, $span) = @$w;
	my $got = $JSON->decode(sql("SELECT coalesce(jsonb_object_agg(strategy_id, to_jsonb(r)), '{}')
		FROM strategy_ranking($span, to_timestamp($end)) r"));
	for my $sid (sort keys %snaps)
	{
		my $e = $ref->{$sid}{$label};
		my $g = $got->{$sid};
		is(defined $g ? 1 : 0, defined $e ? 1 : 0, "strategy $sid $label: a row when it has days in the window");
		next unless $e && $g;
		is($g->{days}, $e->{days}, "strategy $sid $label: $e->{days} daily returns");
		is($g->{start_value} + 0, $e->{start_value} + 0, "strategy $sid $label: start value");
		is($g->{end_value} + 0, $e->{end_value} + 0, "strategy $sid $label: end value");
		is($g->{flows} + 0, $e->{flows} + 0, "strategy $sid $label: flows $e->{flows}");
		for my $f (@F)
		{
			ok(near($g->{$f}, $e->{$f}), "strategy $sid $label: $f") or diag("got " . ($g->{$f} // 'NULL') . ", Python " . ($e->{$f} // 'NULL'));
			$checked++;
			$annualised++ if $f eq 'sharpe' && defined $e->{$f};
		}
	}
}
cmp_ok($annualised, '>=', 6, 'the annualised figures were compared (7 days and more)');

# The deposit-only strategy: a return of nil, no drawdown; without the
# flows left out it would have gained 500 / value.
my ($dep) = sort { $b <=> $a } keys %snaps;
is(sql("SELECT total_return || ' ' || max_drawdown FROM strategy_ranking(NULL, to_timestamp($end)) WHERE strategy_id = $dep"), '0 0',
	'a deposit is not a return: total return 0, drawdown 0');
cmp_ok(sql("SELECT sum(value_change) FROM v_pnl_attribution WHERE strategy_id = $dep AND period = 'day'"), '==', 500,
	'while its value rose by the deposit');

# A window under 7 days: no annualised figures.
is(sql("SELECT count(*) FROM strategy_ranking('5 days', to_timestamp($end)) WHERE annualised_return IS NULL AND sharpe IS NULL
	AND volatility IS NULL AND calmar IS NULL AND total_return IS NOT NULL"), sql("SELECT count(*) FROM strategy_ranking('5 days', to_timestamp($end))"),
	'a 5-day window: total return only');

# v_strategy_ranking: the same function over its windows ending now().
is(sql("SELECT count(*) FROM v_strategy_ranking v JOIN strategy_ranking(NULL, now()) r USING (strategy_id)
	WHERE v.\"window\" = 'all' AND v.sharpe IS NOT DISTINCT FROM r.sharpe AND v.days = r.days"),
	sql("SELECT count(*) FROM strategy_ranking(NULL, now())"), 'v_strategy_ranking all = strategy_ranking(NULL, now())');

done_testing();
