# 134_pnl_identity: the P&L attribution (src/strategy/pnl.sql) against the
# ground truth of randomized synthetic histories.
#
# A simulator (seeded: setseed(0.134)) runs 10 strategies × 40 snapshots
# from events and writes each snapshot with the engine's own writer
# (strategy_record_snapshot), as a kind would: the numeraire (6 decimals)
# in the wallet and supplied (an index that grows), a token x (8 decimals)
# and an LST (18 decimals, a staking rate that grows) in the wallet and in
# a Uniswap v3 NFT of x/LST (constant liquidity between rebalances, its
# amounts exact at a tick that walks, fees that accrue and are collected),
# a debt (18 decimals, an index that grows: hedge and interest paid);
# prices random walks with nine decimals.  Between snapshots, at random:
# recorded deposits and withdrawals (strategy_flows), realised swaps (the
# pool's Swap log paying the vault, a trade at a loss), swaps known by
# their quote only, collects, rebalances (burn and mint at the current
# tick, the tick held still), liquidity removed at the start price or added
# at the end price (the divergence is on the liquidity held throughout), mined transactions paying gas, unmined ones,
# and deposits nobody recorded.  The simulator writes the ground truth of
# every component per period from the events; the test asserts that every
# component of every block period equals it, that value_change = Σ pnl_
# exactly on every period without an unrecorded deposit, and that
# v_pnl_attribution_check lists exactly those, each with the deposit as its
# unexplained amount.  Hours and days are checked against their blocks.
# The identity on a chain run (the demo's scenario) is checked at the end of
# 090_strategy_e2e.pl.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use AmpTest;

my ($S, $N) = (10, 40);

my $node = AmpTest::node('pnl', preload => 0);
sub sql { return $node->safe_psql('postgres', "SET search_path = amplified, public;\n$_[0]"); }

sql(q{SELECT add_chain(999134, 'pnl-identity', ARRAY['http://127.0.0.1:9'], confirmations => 0, enabled => false)});
sql(q{CREATE TABLE truth (strategy_id bigint, block_end bigint, component text, value numeric NOT NULL DEFAULT 0,
		PRIMARY KEY (strategy_id, block_end, component))});

# The simulator.  Raw amounts are numeric (exact); whole = raw × 10^-decimals.
sql(<<"EOS");
CREATE FUNCTION t_leg(a address, pos text, raw numeric, d int, price numeric, owed numeric DEFAULT 0,
	rate numeric DEFAULT NULL, accrual text DEFAULT NULL, l numeric DEFAULT NULL, tl int DEFAULT NULL, tu int DEFAULT NULL,
	sq numeric DEFAULT NULL) RETURNS strategy_holding LANGUAGE sql
	RETURN ROW(a, pos, raw, d, price, owed, rate, accrual, l, tl, tu, sq)::strategy_holding;
CREATE FUNCTION t_amt(tick int, l numeric, tl int, tu int, OUT a0 numeric, OUT a1 numeric) LANGUAGE sql
	AS \$\$ SELECT x.amount0::numeric, x.amount1::numeric FROM univ3_amounts_for_liquidity(univ3_sqrt_price_at_tick(tick),
			univ3_sqrt_price_at_tick(tl), univ3_sqrt_price_at_tick(tu), l::uint256) x \$\$;
CREATE FUNCTION t_truth(sid bigint, b bigint, c text, v numeric) RETURNS void LANGUAGE sql
	AS \$\$ INSERT INTO truth VALUES (sid, b, c, v) ON CONFLICT (strategy_id, block_end, component)
			DO UPDATE SET value = truth.value + excluded.value \$\$;
DO \$sim\$
DECLARE
	num address := '0x00000000000000000000000000000000000000a1';
	x address := '0x00000000000000000000000000000000000000b2';
	lst address := '0x00000000000000000000000000000000000000c3';
	dbt address := '0x00000000000000000000000000000000000000d4';
	ux numeric := 1e-8; ul numeric := 1e-18; un numeric := 1e-6; ud numeric := 1e-18;
	sid bigint; owner address; blk bigint; nb bigint; t timestamptz; tx int := 0; b bigint;
	px numeric; pl numeric; pd numeric; rate numeric; sidx numeric; didx numeric;
	px0 numeric; pl0 numeric; pd0 numeric; rate0 numeric;
	w_num numeric; w_x numeric; w_l numeric; sup numeric; debt numeric;
	nft int; l numeric; tick int; tick0 int; tl int; tu int; ox numeric; ol numeric;
	am record; am0 record; lg numeric; lx numeric; g numeric; gd numeric; fx numeric; fl numeric;
	amt numeric; dx numeric; dl numeric; q numeric; used bigint; gwei int; rebal boolean; acted text;
BEGIN
	PERFORM setseed(0.134);
	FOR k IN 1..$S LOOP
		owner := ('0x' || lpad(to_hex(61440 + k), 40, '0'))::address;
		INSERT INTO strategies (name, kind, chain_id, owner, params) VALUES ('pnl random ' || k, 'lp_univ3', 999134, owner,
			jsonb_build_object('pool', '0x00000000000000000000000000000000000000e0', 'token0', x::text, 'token1', lst::text,
							   'decimals0', 8, 'decimals1', 18))
			RETURNING id INTO sid;
		px := round((1 + random() * 3000)::numeric, 9); pl := round((1 + random() * 2)::numeric, 9);
		pd := round((0.5 + random() * 100)::numeric, 9);
		rate := 1e18 + floor(random() * 1e17); sidx := 1; didx := 1;
		w_num := floor(random() * 1e12) + 1e11; w_x := floor(random() * 1e14) + 1e13; w_l := floor(random() * 1e21) + 1e20;
		sup := floor(random() * 1e13); debt := floor(random() * 1e20);
		nft := 1; tick := -60000 + floor(random() * 120000)::int; tl := tick - 3000; tu := tick + 3000;
		l := floor(random() * 1e16) + 1e15; ox := 0; ol := 0;
		blk := 1000; t := '2026-01-01 00:00Z'::timestamptz + random() * interval '1 day';
		FOR n IN 1..$N LOOP
			IF n > 1 THEN
				nb := blk + 2 + floor(random() * 300)::int;
				PERFORM t_truth(sid, nb, c, 0) FROM unnest(ARRAY['fees', 'divergence', 'staking_yield', 'interest_earned',
					'interest_paid', 'hedge', 'incentives', 'gas', 'swap_cost', 'price', 'flows', 'unexplained']) c;
				-- what the strategy does (at most one of these a period)
				acted := (ARRAY['none', 'none', 'swap', 'quote', 'collect', 'rebalance', 'shrink', 'grow', 'none'])[1 + floor(random() * 9)::int];
				rebal := acted = 'rebalance';
				-- the market moves
				px0 := px; pl0 := pl; pd0 := pd; rate0 := rate; tick0 := tick;
				px := round(px * exp((random() - 0.5) * 0.1)::numeric, 9);
				pl := round(pl * exp((random() - 0.5) * 0.05)::numeric, 9);
				pd := round(pd * exp((random() - 0.5) * 0.1)::numeric, 9);
				rate := rate + floor(random() * 1e14);
				IF NOT rebal THEN tick := tick + floor((random() - 0.5) * 800)::int; END IF;
				-- the market's doing on the start holdings (long legs: wallets and the NFT, principal and owed)
				am0 := t_amt(tick0, l, tl, tu);
				lx := w_x + am0.a0 + ox;	-- x held long, raw
				lg := w_l + am0.a1 + ol;	-- LST held long, raw
				PERFORM t_truth(sid, nb, 'staking_yield', lg * ul * pl * (1 - rate0 / rate));
				PERFORM t_truth(sid, nb, 'price', lx * ux * (px - px0) + lg * ul * (pl - pl0) - lg * ul * pl * (1 - rate0 / rate));
				PERFORM t_truth(sid, nb, 'hedge', -debt * ud * (pd - pd0));
				-- interest: the supply and the debt grow by their index's growth
				g := round((random() * 0.001)::numeric, 6); gd := round((random() * 0.002)::numeric, 6);
				PERFORM t_truth(sid, nb, 'interest_earned', sup * g * un);
				PERFORM t_truth(sid, nb, 'interest_paid', -debt * gd * ud * pd);
				sup := sup * (1 + g); sidx := sidx * (1 + g); debt := debt * (1 + gd); didx := didx * (1 + gd);
				-- liquidity removed at the start price, into the wallet
				IF acted = 'shrink' THEN
					lx := floor(l * random() * 0.5);
					am := t_amt(tick0, l - lx, tl, tu);
					w_x := w_x + am0.a0 - am.a0; w_l := w_l + am0.a1 - am.a1;
					l := l - lx; am0 := am;
				END IF;
				-- the NFT diverges with the liquidity it held throughout (in a
				-- rebalance the tick is held)
				am := t_amt(tick, l, tl, tu);
				PERFORM t_truth(sid, nb, 'divergence', (am.a0 - am0.a0) * ux * px + (am.a1 - am0.a1) * ul * pl);
				-- fees accrue (not in a period that collects or rebalances)
				IF acted NOT IN ('collect', 'rebalance') THEN
					fx := floor(random() * 1e7); fl := floor(random() * 1e16);
					ox := ox + fx; ol := ol + fl;
					PERFORM t_truth(sid, nb, 'fees', fx * ux * px + fl * ul * pl);
				ELSE
					w_x := w_x + ox; w_l := w_l + ol; ox := 0; ol := 0;
				END IF;
				-- liquidity added at the end price, from the wallet
				IF acted = 'grow' THEN
					dx := floor(l * (1 + random() * 0.2));
					am0 := t_amt(tick, dx, tl, tu);
					IF am0.a0 - am.a0 < w_x * 0.9 AND am0.a1 - am.a1 < w_l * 0.9 THEN
						w_x := w_x - (am0.a0 - am.a0); w_l := w_l - (am0.a1 - am.a1);
						l := dx;
					END IF;
				END IF;
				IF rebal THEN
					-- burn into the wallet, mint a new NFT from it, at the same tick
					w_x := w_x + am.a0; w_l := w_l + am.a1;
					nft := nft + 1; l := floor(l * (0.5 + random())); tl := tick - 1000 - floor(random() * 3000)::int;
					tu := tick + 1000 + floor(random() * 3000)::int;
					am := t_amt(tick, l, tl, tu);
					-- no more than the wallet holds
					IF am.a0 > w_x * 0.9 OR am.a1 > w_l * 0.9 THEN
						l := floor(l * least(w_x * 0.9 / greatest(am.a0, 1), w_l * 0.9 / greatest(am.a1, 1)));
						am := t_amt(tick, l, tl, tu);
					END IF;
					w_x := w_x - am.a0; w_l := w_l - am.a1;
				END IF;
				-- a mined transaction of the strategy (its gas), sometimes an unmined one
				IF acted IN ('swap', 'quote', 'collect', 'rebalance') OR random() < 0.2 THEN
					b := blk + 1 + floor(random() * (nb - blk - 1))::int;
					used := 21000 + floor(random() * 500000); gwei := 1 + floor(random() * 50)::int; tx := tx + 1;
					INSERT INTO tx_intents (chain_id, sender, target, value, data, strategy_id, status, nonce, block_number)
						VALUES (999134, owner, x, '0', '\\x', sid, 'mined', tx, b);
					INSERT INTO tx_attempts (intent_id, chain_id, sender, nonce, tx_type, gas_limit, raw, hash, status, block_number,
							gas_used, effective_gas_price)
						SELECT max(id), 999134, owner, tx, 2, 1000000, '\\x01', ('0x' || lpad(to_hex(tx), 64, '0'))::bytes32, 'mined', b,
							   used, (gwei::text || '000000000')::uint256 FROM tx_intents;
					PERFORM t_truth(sid, nb, 'gas', -(used * gwei * 1e-9));
					PERFORM t_truth(sid, nb, 'flows', used * gwei * 1e-9);
					IF acted = 'swap' THEN
						-- sells dx of x for the LST at 0.3 % below the end price: the pool's log to the vault
						dx := floor(w_x * random() * 0.1); dl := floor(dx * ux * px / pl * 0.997 / ul);
						w_x := w_x - dx; w_l := w_l + dl;
						INSERT INTO blocks (chain_id, number, hash, parent_hash, timestamp)
							VALUES (999134, b, ('0x' || lpad(to_hex(b), 8, '0') || lpad(to_hex(k), 56, '0'))::bytes32,
									('0x' || lpad(to_hex(b - 1), 8, '0') || lpad(to_hex(k), 56, '0'))::bytes32, t)
							ON CONFLICT DO NOTHING;
						INSERT INTO univ3_swaps (chain_id, block_number, log_index, pool, sender, recipient, amount0, amount1,
								sqrt_price_x96, liquidity, tick)
							VALUES (999134, b, k, '0x00000000000000000000000000000000000000e0', '0x00000000000000000000000000000000000000e9',
									owner, dx::text::int256, (-dl)::text::int256, univ3_sqrt_price_at_tick(tick), '1', tick);
						PERFORM t_truth(sid, nb, 'swap_cost', dl * ul * pl - dx * ux * px);
					ELSIF acted = 'quote' THEN
						-- buys x with the numeraire at a cost its decision quoted (exact at the end price)
						amt := floor(w_num * random() * 0.1); dx := floor(amt * un / px * 0.995 / ux);
						q := amt * un - dx * ux * px;
						w_num := w_num - amt; w_x := w_x + dx;
						INSERT INTO decisions (strategy_id, chain_id, block_number, last_block_number, action, status, plan, intents, intent_ids)
							SELECT sid, 999134, blk, blk, 'rebalance', 'enqueued', jsonb_build_object('swap_cost', q),
								   '[{"step": "swap"}]', ARRAY[max(id)] FROM tx_intents;
						PERFORM t_truth(sid, nb, 'swap_cost', -q);
					END IF;
				END IF;
				IF random() < 0.15 THEN
					-- a decision whose swap never got mined: no cost
					INSERT INTO decisions (strategy_id, chain_id, block_number, last_block_number, action, status, plan, intents, intent_ids)
						VALUES (sid, 999134, blk, blk, 'rebalance', 'enqueued', '{"swap_cost": 5}', '[{"step": "swap"}]', ARRAY[-1]::bigint[]);
				END IF;
				-- capital recorded moving in or out
				IF random() < 0.3 THEN
					amt := round(((random() - 0.3) * 1000)::numeric, 6);
					IF amt <> 0 THEN
						IF random() < 0.5 THEN
							w_num := w_num + amt / un;
							INSERT INTO strategy_flows (strategy_id, block_number, asset, amount) VALUES (sid, nb - 1, num, amt);
							PERFORM t_truth(sid, nb, 'flows', amt);
						ELSE
							amt := round(amt / 1000, 8);
							w_x := w_x + amt / ux;
							INSERT INTO strategy_flows (strategy_id, block_number, asset, amount) VALUES (sid, nb - 1, x, amt);
							PERFORM t_truth(sid, nb, 'flows', amt * px);
						END IF;
					END IF;
				END IF;
				-- capital nobody recorded
				IF random() < 0.05 THEN
					amt := round((1 + random() * 100)::numeric, 6);
					w_num := w_num + amt / un;
					PERFORM t_truth(sid, nb, 'unexplained', amt);
				END IF;
				blk := nb;
				t := t + (5 + floor(random() * CASE WHEN random() < 0.2 THEN 1500 ELSE 90 END)) * interval '1 minute';
			END IF;
			am := t_amt(tick, l, tl, tu);
			PERFORM strategy_record_snapshot(sid, blk, t, ROW(num, 0, ARRAY[
				t_leg(num, 'wallet', w_num, 6, 1),
				t_leg(x, 'wallet', w_x, 8, px),
				t_leg(lst, 'wallet', w_l, 18, pl, 0, rate, 'staking'),
				t_leg(num, 'morpho:1', sup, 6, 1, 0, sidx, 'interest'),
				t_leg(dbt, 'morpho:2', -debt, 18, pd, 0, didx, 'interest'),
				t_leg(x, 'univ3:' || nft, am.a0 + ox, 8, px, ox, NULL, NULL, l, tl, tu, univ3_sqrt_price_at_tick(tick)::numeric),
				t_leg(lst, 'univ3:' || nft, am.a1 + ol, 18, pl, ol, rate, 'staking', l, tl, tu, univ3_sqrt_price_at_tick(tick)::numeric)
				])::strategy_valuation);
		END LOOP;
	END LOOP;
END
\$sim\$;
EOS

is(sql("SELECT count(*) FROM strategy_snapshots s JOIN strategies t ON t.id = s.strategy_id WHERE t.chain_id = 999134"),
	$S * $N, "$S strategies × $N snapshots written");
sql("CREATE TABLE a AS SELECT v.* FROM v_pnl_attribution v JOIN strategies t ON t.id = v.strategy_id WHERE t.chain_id = 999134");
sql("CREATE TABLE c AS SELECT v.* FROM v_pnl_attribution_check v JOIN strategies t ON t.id = v.strategy_id WHERE t.chain_id = 999134");
is(sql("SELECT count(*) FROM a WHERE period = 'block'"), $S * ($N - 1), 'one block period per snapshot but the first');
is(sql("SELECT count(DISTINCT (strategy_id, block_end)) FROM truth"), $S * ($N - 1), 'a ground truth for every block period');

# Every component of every block period is its ground truth (to 20
# decimals: a staking rate's ratio is a numeric division).
for my $comp (qw(fees divergence staking_yield interest_earned interest_paid hedge incentives gas swap_cost price flows))
{
	my $bad = sql("SELECT count(*) FROM truth t JOIN a ON a.strategy_id = t.strategy_id AND a.period = 'block' AND a.block_end = t.block_end
		WHERE t.component = '$comp' AND round((to_jsonb(a) ->> 'pnl_$comp')::numeric, 20) IS DISTINCT FROM round(t.value, 20)");
	is($bad, '0', "pnl_$comp equals its ground truth on every block period")
	  or diag(sql("SELECT string_agg(format('%s/%s: %s against %s', t.strategy_id, t.block_end, to_jsonb(a) ->> 'pnl_$comp', t.value), E'\\n')
		FROM (SELECT * FROM truth t WHERE t.component = '$comp' ORDER BY 1, 2) t JOIN a ON a.strategy_id = t.strategy_id
		AND a.period = 'block' AND a.block_end = t.block_end
		WHERE round((to_jsonb(a) ->> 'pnl_$comp')::numeric, 20) IS DISTINCT FROM round(t.value, 20)"));
	cmp_ok(sql("SELECT count(*) FROM truth WHERE component = '$comp' AND value <> 0"), '>', $comp eq 'incentives' ? -1 : $S,
		"  ($comp is non-zero in many periods)") unless $comp eq 'incentives';
}

# The identity: exact on every period the data explain; the check view
# lists exactly the periods with an unrecorded deposit, by its amount.
my $unrec = sql("SELECT count(*) FROM truth WHERE component = 'unexplained' AND value <> 0");
cmp_ok($unrec, '>', 3, "$unrec periods with a deposit nobody recorded");
is(sql("SELECT count(*) FROM c JOIN truth t ON t.strategy_id = c.strategy_id AND t.block_end = c.block_end AND t.component = 'unexplained'
		WHERE c.period = 'block' AND (c.balanced IS DISTINCT FROM (t.value = 0) OR c.unexplained <> t.value)"), '0',
	'check view: unbalanced exactly where a deposit went unrecorded, unexplained exactly its amount');
is(sql("SELECT count(*) FROM c WHERE period = 'block' AND balanced AND value_change <> explained"), '0',
	'value_change = Σ pnl_ exactly (numeric equality) on every balanced block period');
is(sql("SELECT count(*) FROM c WHERE period = 'block' AND NOT balanced"), $unrec, 'no other period is unbalanced');

# Hours and days are the sums of their block periods.
my $sum = "pnl_fees + pnl_divergence + pnl_staking_yield + pnl_interest_earned + pnl_interest_paid + pnl_hedge
	+ pnl_incentives + pnl_gas + pnl_swap_cost + pnl_price + pnl_flows";
for my $p (qw(hour day))
{
	is(sql("SELECT count(*) FROM a p CROSS JOIN LATERAL
			(SELECT sum(b.value_change) AS ch, sum(b.pnl_fees + b.pnl_divergence + b.pnl_staking_yield + b.pnl_interest_earned
					+ b.pnl_interest_paid + b.pnl_hedge + b.pnl_incentives + b.pnl_gas + b.pnl_swap_cost + b.pnl_price + b.pnl_flows) AS ex
			   FROM a b WHERE b.strategy_id = p.strategy_id AND b.period = 'block'
				AND date_trunc('$p', b.at, 'UTC') + interval '1 $p' = p.at) q
			WHERE p.period = '$p' AND (p.value_change IS DISTINCT FROM q.ch OR $sum IS DISTINCT FROM q.ex)"), '0',
		"$p: value change and components are the sums of its block periods");
	is(sql("SELECT count(*) FROM c p WHERE p.period = '$p' AND p.unexplained <>
			(SELECT sum(t.value) FROM a b JOIN truth t ON t.strategy_id = b.strategy_id AND t.block_end = b.block_end AND t.component = 'unexplained'
			  WHERE b.strategy_id = p.strategy_id AND b.period = 'block' AND date_trunc('$p', b.at, 'UTC') + interval '1 $p' = p.at)"), '0',
		"$p: the check view's unexplained is the unrecorded deposits in it");
}
is(sql("SELECT count(*) FROM (SELECT a.strategy_id, sum(a.value_change) AS ch,
		   (SELECT y.value FROM strategy_snapshots y WHERE y.strategy_id = a.strategy_id ORDER BY y.block_number DESC LIMIT 1)
			 - (SELECT y.value FROM strategy_snapshots y WHERE y.strategy_id = a.strategy_id ORDER BY y.block_number LIMIT 1) AS total
		  FROM a WHERE a.period = 'day' GROUP BY a.strategy_id) z WHERE ch <> total"), '0',
	"the days of a strategy chain from its first snapshot's value to its last");
# The engine's running staking yield and interest are the same figures.
is(sql("SELECT count(*) FROM strategies st WHERE st.chain_id = 999134 AND (
		 (SELECT round(max(y.staking_yield) - min(y.staking_yield), 15) FROM strategy_snapshots y WHERE y.strategy_id = st.id)
		   <> (SELECT round(sum(pnl_staking_yield), 15) FROM a WHERE a.strategy_id = st.id AND a.period = 'block')
		 OR (SELECT max(y.interest_earned) + max(y.interest_paid) FROM strategy_snapshots y WHERE y.strategy_id = st.id)
		   <> (SELECT sum(pnl_interest_earned - pnl_interest_paid) FROM a WHERE a.strategy_id = st.id AND a.period = 'block'))"), '0',
	'strategy_snapshots: the running staking yield and interest sum the same figures');

done_testing();
