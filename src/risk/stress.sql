-- ---- stress tests: scenarios and the exact revaluation of one position ----
--
-- A scenario is a set of shocks (risk_scenarios.shocks):
--   {"peg":   {"<asset address>" | "lst" | "lrt" | "usd": factor, ...},
--    "price": {"<asset address>" | "lst" | "lrt" | "usd": factor, ...},
--    "class": {"<asset address>": "lst" | "lrt" | "usd", ...},
--    "borrow_rate_mult": x}
-- A factor multiplies an asset's price in ETH (the reference every builtin
-- scenario is written in); an address key wins over its class's key, and the
-- peg and price factors multiply.  An asset's price in a strategy's
-- numeraire moves by factor(asset) / factor(numeraire).  "class" names the
-- class of assets the scenario is about when risk_asset_classes does not.
-- borrow_rate_mult scales the borrow rates: it changes no value now, and is
-- reported as one more day of interest on the debts.  This module holds the
-- scenarios and the pure revaluation of a position (a v3 range, a Morpho or
-- Aave position); src/strategy/stress.sql applies them to a strategy.

CREATE TABLE @extschema@.risk_scenarios (
	name			text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
	description		text NOT NULL CHECK (length(description) BETWEEN 1 AND 1000),
	kind			text NOT NULL DEFAULT 'user' CHECK (kind IN ('historical', 'user')),
	shocks			jsonb NOT NULL,
	builtin			boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.risk_scenarios IS
	'Stress scenarios: historical episodes (builtin) and the admins'' own, each a set of shocks (peg, price, class, borrow_rate_mult)';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_scenarios', 'WHERE NOT builtin');

-- The class of an asset on a chain when the scenario does not say it: an
-- LRT, an LST or a USD stablecoin.  LSTs need no row when they are watched
-- with kind 'lst' (tokens module); LRTs and stablecoins do.
CREATE TABLE @extschema@.risk_asset_classes (
	chain_id		bigint NOT NULL REFERENCES @extschema@.chains ON DELETE CASCADE,
	asset			@extschema@.address NOT NULL,
	class			text NOT NULL CHECK (class IN ('lst', 'lrt', 'usd')),
	PRIMARY KEY (chain_id, asset)
);
COMMENT ON TABLE @extschema@.risk_asset_classes IS
	'The class (lst, lrt, usd) of assets, for the class keys of stress scenarios; watched LSTs are lst without a row';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.risk_asset_classes', '');

-- The shocks of a scenario, checked: the four keys and nothing else, factors
-- positive numbers (at most 1000), keys addresses or classes.
CREATE FUNCTION @extschema@.risk_scenario_check(shocks jsonb)
RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	k text;
	sub text;
	v jsonb;
BEGIN
	IF shocks IS NULL OR jsonb_typeof(shocks) <> 'object' THEN
		RAISE EXCEPTION 'the shocks of a scenario must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR k, v IN SELECT e.key, e.value FROM jsonb_each(shocks) e LOOP
		IF k = 'borrow_rate_mult' THEN
			IF jsonb_typeof(v) <> 'number' OR (v #>> '{}')::numeric < 0 OR (v #>> '{}')::numeric > 1000 THEN
				RAISE EXCEPTION 'borrow_rate_mult must be a number from 0 to 1000, not %', v
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
		ELSIF k IN ('peg', 'price', 'class') THEN
			IF jsonb_typeof(v) <> 'object' THEN
				RAISE EXCEPTION 'shock "%" must be an object of asset addresses or classes', k
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			FOR sub IN SELECT jsonb_object_keys(v) LOOP
				IF sub !~ '^0x[0-9a-fA-F]{40}$' AND (k = 'class' OR sub NOT IN ('lst', 'lrt', 'usd')) THEN
					RAISE EXCEPTION 'shock "%" has key "%": an asset address%', k, sub,
						CASE WHEN k = 'class' THEN '' ELSE ' or lst, lrt, usd' END
						USING ERRCODE = 'invalid_parameter_value';
				END IF;
				IF k = 'class' THEN
					IF coalesce(v ->> sub, '') NOT IN ('lst', 'lrt', 'usd') THEN
						RAISE EXCEPTION 'the class of % must be lst, lrt or usd, not %', sub, v -> sub
							USING ERRCODE = 'invalid_parameter_value';
					END IF;
				ELSIF jsonb_typeof(v -> sub) <> 'number' OR (v ->> sub)::numeric <= 0 OR (v ->> sub)::numeric > 1000 THEN
					RAISE EXCEPTION 'shock "%" of "%" must be a factor above 0 and at most 1000, not %', k, sub, v -> sub
						USING ERRCODE = 'invalid_parameter_value';
				END IF;
			END LOOP;
		ELSE
			RAISE EXCEPTION 'unknown shock "%"', k
				USING ERRCODE = 'invalid_parameter_value', HINT = 'Shocks are peg, price, class and borrow_rate_mult.';
		END IF;
	END LOOP;
	RETURN shocks;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_scenario_check(jsonb) IS
	'the shocks of a stress scenario, checked (22023 on a bad one): peg, price, class, borrow_rate_mult';

CREATE FUNCTION @extschema@.risk_scenarios_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
BEGIN
	PERFORM risk_scenario_check(NEW.shocks);
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_scenarios_check() IS 'trigger of risk_scenarios: the shocks are checked';
CREATE TRIGGER risk_scenarios_check BEFORE INSERT OR UPDATE ON @extschema@.risk_scenarios
	FOR EACH ROW EXECUTE FUNCTION @extschema@.risk_scenarios_check();
CREATE TRIGGER risk_scenarios_keep_builtin BEFORE UPDATE OR DELETE ON @extschema@.risk_scenarios
	FOR EACH ROW EXECUTE FUNCTION @extschema@.registry_keep_builtin('description');

-- The multiplier of an asset's price (in ETH) in a scenario: peg times price
-- factor, each from the asset's address key, else its class's key, else 1.
CREATE FUNCTION @extschema@.risk_scenario_factor(shocks jsonb, asset @extschema@.address, asset_class text DEFAULT NULL)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
RETURN coalesce((shocks -> 'peg' ->> lower(asset::text))::float8, (shocks -> 'peg' ->> asset_class)::float8, 1)
	 * coalesce((shocks -> 'price' ->> lower(asset::text))::float8, (shocks -> 'price' ->> asset_class)::float8, 1);
COMMENT ON FUNCTION @extschema@.risk_scenario_factor(jsonb, @extschema@.address, text) IS
	'the multiplier of an asset''s price in a scenario: peg x price factor, by address key, else by class key (lst, lrt, usd), else 1';

-- The class of an asset on a chain for a scenario: the scenario's "class",
-- else risk_asset_classes, else lst for a token watched with kind lst.
CREATE FUNCTION @extschema@.risk_asset_class(shocks jsonb, chain_id bigint, asset @extschema@.address)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
RETURN coalesce(shocks -> 'class' ->> lower(asset::text),
	(SELECT c.class FROM risk_asset_classes c WHERE c.chain_id = $2 AND c.asset = $3),
	(SELECT 'lst' FROM watched_contracts w WHERE w.chain_id = $2 AND w.address = $3 AND w.kind = 'lst'));
COMMENT ON FUNCTION @extschema@.risk_asset_class(jsonb, bigint, @extschema@.address) IS
	'an asset''s class for a scenario: its "class" entry, else risk_asset_classes, else lst when watched with kind lst, else NULL';

-- A Uniswap v3 range under a shock: factor is the move of token0's price
-- against token1's (f0 / f1), the pool's square-root price moves by its
-- square root (rounded down to an integer), and the amounts are the exact
-- pool math's at both prices.
CREATE FUNCTION @extschema@.risk_stress_univ3(sqrt_price @extschema@.uint256, tick_lower int, tick_upper int,
	liquidity @extschema@.uint256, factor float8,
	OUT sqrt_price_after @extschema@.uint256,
	OUT amount0_before @extschema@.uint256, OUT amount1_before @extschema@.uint256,
	OUT amount0_after @extschema@.uint256, OUT amount1_after @extschema@.uint256)
RETURNS record
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	sa uint256 := univ3_sqrt_price_at_tick(tick_lower);
	sb uint256 := univ3_sqrt_price_at_tick(tick_upper);
BEGIN
	IF NOT factor > 0 OR factor = 'Infinity' THEN
		RAISE EXCEPTION 'the price factor must be positive and finite, not %', factor USING ERRCODE = 'invalid_parameter_value';
	END IF;
	sqrt_price_after := least(greatest(floor(sqrt_price::numeric * sqrt(factor::numeric)),
		univ3_sqrt_price_at_tick(univ3_min_tick())::numeric),
		univ3_sqrt_price_at_tick(univ3_max_tick())::numeric - 1)::uint256;
	SELECT a.amount0, a.amount1 INTO amount0_before, amount1_before
	  FROM univ3_amounts_for_liquidity(sqrt_price, sa, sb, liquidity) a;
	SELECT a.amount0, a.amount1 INTO amount0_after, amount1_after
	  FROM univ3_amounts_for_liquidity(sqrt_price_after, sa, sb, liquidity) a;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_stress_univ3(@extschema@.uint256, int, int, @extschema@.uint256, float8) IS
	'a v3 range under a shock of token0 against token1 (factor f0/f1): sqrt price x sqrt(factor) rounded down, amounts at both prices (univ3_amounts_for_liquidity)';

-- A Morpho Blue position under a shock of its collateral against its loan
-- token: the oracle price times factor (rounded down), the health factors
-- before and after (morpho_health_factor), and when it falls below 1 a full
-- liquidation as Morpho.liquidate computes it with the market's incentive:
-- all the borrow shares repaid, or, when that would seize more than the
-- collateral, all the collateral seized (the rest is bad debt, which Morpho
-- writes off: the position's debt after is then 0).  Amounts are raw units.
CREATE FUNCTION @extschema@.risk_stress_morpho(collateral @extschema@.uint256, borrow_shares @extschema@.uint256,
	total_borrow_assets @extschema@.uint256, total_borrow_shares @extschema@.uint256,
	price @extschema@.uint256, lltv @extschema@.uint256, factor float8,
	OUT price_after @extschema@.uint256, OUT health_before numeric, OUT health_after numeric,
	OUT liquidated boolean, OUT debt_repaid @extschema@.uint256, OUT repaid_shares @extschema@.uint256,
	OUT collateral_seized @extschema@.uint256, OUT bad_debt @extschema@.uint256)
RETURNS record
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	l record;
BEGIN
	IF NOT factor > 0 OR factor = 'Infinity' THEN
		RAISE EXCEPTION 'the price factor must be positive and finite, not %', factor USING ERRCODE = 'invalid_parameter_value';
	END IF;
	price_after := floor(price::numeric * factor::numeric)::uint256;
	health_before := morpho_health_factor(collateral, borrow_shares, total_borrow_assets, total_borrow_shares, price, lltv);
	health_after := morpho_health_factor(collateral, borrow_shares, total_borrow_assets, total_borrow_shares, price_after, lltv);
	liquidated := coalesce(health_after < 1, false);
	debt_repaid := '0'; repaid_shares := '0'; collateral_seized := '0'; bad_debt := '0';
	IF NOT liquidated THEN
		RETURN;
	END IF;
	SELECT * INTO l FROM morpho_liquidate('0', borrow_shares, total_borrow_assets, total_borrow_shares, price_after, lltv);
	IF l.seized_assets::numeric > collateral::numeric THEN
		SELECT * INTO l FROM morpho_liquidate(collateral, '0', total_borrow_assets, total_borrow_shares, price_after, lltv);
		bad_debt := (morpho_to_assets(borrow_shares, total_borrow_assets, total_borrow_shares, true)::numeric
					 - l.repaid_assets::numeric)::uint256;
	END IF;
	debt_repaid := l.repaid_assets;
	repaid_shares := l.repaid_shares;
	collateral_seized := l.seized_assets;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_stress_morpho(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256,
	@extschema@.uint256, @extschema@.uint256, @extschema@.uint256, float8) IS
	'a Morpho position under a shock of its collateral against its loan (factor): shocked oracle price, health before and after, and below 1 the full liquidation (morpho_liquidate): debt repaid, shares, collateral seized, bad debt';

-- An Aave v3 position under a shock of its collateral against its debt: the
-- account's health factor (WAD) times factor, exact for one collateral and
-- one debt reserve (the leverage kind's) and an approximation otherwise
-- (every collateral taken to move alike).  Below 1 the liquidation of the
-- close factor's share of the debt (aave_close_factor_bps) with the
-- reserve's bonus (aave_liquidation_amounts, which caps the debt covered at
-- the close factor), at the shocked prices.
CREATE FUNCTION @extschema@.risk_stress_aave(health_factor @extschema@.uint256, debt @extschema@.uint256,
	collateral @extschema@.uint256, collateral_price @extschema@.uint256, collateral_decimals int,
	debt_price @extschema@.uint256, debt_decimals int, liquidation_bonus_bps int, factor float8,
	OUT health_after @extschema@.uint256, OUT liquidated boolean,
	OUT debt_repaid @extschema@.uint256, OUT collateral_seized @extschema@.uint256)
RETURNS record
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	l record;
	wad numeric := 1000000000000000000;
BEGIN
	IF NOT factor > 0 OR factor = 'Infinity' THEN
		RAISE EXCEPTION 'the price factor must be positive and finite, not %', factor USING ERRCODE = 'invalid_parameter_value';
	END IF;
	health_after := least(floor(health_factor::numeric * factor::numeric),
		115792089237316195423570985008687907853269984665640564039457584007913129639935)::uint256;
	liquidated := health_after::numeric < wad;
	debt_repaid := '0'; collateral_seized := '0';
	IF NOT liquidated THEN
		RETURN;
	END IF;
	SELECT * INTO l FROM aave_liquidation_amounts(
		debt, debt, health_after, collateral,
		greatest(floor(collateral_price::numeric * factor::numeric), 1)::uint256, collateral_decimals,
		debt_price, debt_decimals, liquidation_bonus_bps);
	debt_repaid := l.actual_debt_to_cover;
	collateral_seized := (l.actual_collateral_to_liquidate::numeric + l.liquidation_protocol_fee::numeric)::uint256;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_stress_aave(@extschema@.uint256, @extschema@.uint256, @extschema@.uint256,
	@extschema@.uint256, int, @extschema@.uint256, int, int, float8) IS
	'an Aave position under a shock of its collateral against its debt (factor): health factor x factor (exact for one collateral and one debt), and below 1 the close factor''s liquidation with the reserve''s bonus';

INSERT INTO @extschema@.risk_scenarios (name, description, kind, shocks, builtin) VALUES
	('steth_june_2022', 'June 2022: stETH traded at 0.935 ETH; every LST at 0.935 of its exchange rate', 'historical',
	 '{"peg": {"lst": 0.935}}', true),
	('lrt_april_2024', 'April 2024: ezETH traded below 0.8 ETH for hours; every LRT 20 % below its exchange rate', 'historical',
	 '{"peg": {"lrt": 0.8}}', true),
	('eth_minus_30', 'ETH -30 % against USD in a day: ETH-denominated assets keep their ETH prices, USD stablecoins gain 1/0.7', 'historical',
	 '{"price": {"usd": 1.4285714285714286}}', true),
	('borrow_rates_x3', 'Borrow rates x3: no value moves; one more day of interest at twice the rate on every debt', 'historical',
	 '{"borrow_rate_mult": 3}', true);

-- The linear stress of a set of exposures (the gate's view of what a
-- proposal leaves): in each scenario of risk_scenarios every exposure's
-- notional moves by its asset's price factor against the numeraire's,
-- notional x (f(asset) / f(numeraire) - 1), so its loss is notional x
-- (1 - f(asset) / f(numeraire)), positive when value is lost.  The factors
-- are risk_scenario_factor's with the asset's class (risk_asset_class); a
-- NULL numeraire is ETH, the scenarios' reference (factor 1).  This is the
-- first-order stress of the exposures' notionals: it does not revalue a v3
-- range along its curve, nor liquidate a loan, as strategy_stress does for
-- a strategy's positions.  value is the sum of the notionals, loss_share
-- loss / value (NULL when the value is not positive).
CREATE FUNCTION @extschema@.risk_stress_exposures(chain_id bigint, exposures @extschema@.risk_exposure[],
	numeraire @extschema@.address DEFAULT NULL)
RETURNS TABLE (scenario text, value numeric, loss numeric, loss_share numeric)
LANGUAGE sql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH e AS (SELECT x.asset, sum(x.notional) AS notional FROM unnest(exposures) x
				WHERE x.notional IS NOT NULL GROUP BY x.asset),
	v AS (SELECT coalesce(sum(e.notional), 0) AS value FROM e),
	l AS (SELECT sc.name,
				 coalesce(sum(e.notional * (1 - (risk_scenario_factor(sc.shocks, e.asset, risk_asset_class(sc.shocks, $1, e.asset))
						/ CASE WHEN numeraire IS NULL THEN 1::float8
							   ELSE risk_scenario_factor(sc.shocks, numeraire, risk_asset_class(sc.shocks, $1, numeraire)) END)::numeric)), 0) AS loss
			FROM risk_scenarios sc LEFT JOIN e ON true
		   GROUP BY sc.name)
	SELECT l.name, v.value, trim_scale(round(l.loss, 18)), CASE WHEN v.value > 0 THEN trim_scale(round(l.loss / v.value, 18)) END
	  FROM l CROSS JOIN v ORDER BY l.name
$$;
COMMENT ON FUNCTION @extschema@.risk_stress_exposures(bigint, @extschema@.risk_exposure[], @extschema@.address) IS
	'the linear (first-order) stress of exposures per scenario: loss = sum of notional x (1 - factor(asset) / factor(numeraire)), positive a loss, and loss / value; strategy_stress revalues positions exactly';

-- The stress check (registered in risk_checks as "stress"): the worst
-- scenario's linear loss of the exposures a proposal leaves
-- (risk_stress_exposures, in ETH terms) against the strategy's
-- max_stress_loss (numeraire) and max_stress_loss_share (loss / value).
-- Reasons carry the scenario and the figures:
-- limit:max_stress_loss:<scenario>:<loss>><limit>.  An action that only
-- reduces risk, or a hold, is not held back.
CREATE FUNCTION @extschema@.risk_check_stress(strategy_id bigint, chain bigint, assets @extschema@.address[],
	proposal @extschema@.risk_proposal)
RETURNS @extschema@.risk_finding[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	max_loss numeric := risk_limit(strategy_id, 'max_stress_loss');
	max_share numeric := risk_limit(strategy_id, 'max_stress_loss_share');
	f risk_finding[] := '{}';
	w record;
BEGIN
	IF coalesce(proposal.reduces_risk, false) OR proposal.action = 'hold'
	   OR (max_loss IS NULL AND max_share IS NULL)
	   OR NOT EXISTS (SELECT 1 FROM unnest(proposal.exposures) x WHERE x.notional IS NOT NULL AND x.notional <> 0) THEN
		RETURN f;
	END IF;
	-- the worst scenario: the largest loss (the first name on a tie)
	SELECT s.* INTO w FROM risk_stress_exposures(chain, proposal.exposures) s ORDER BY s.loss DESC, s.scenario LIMIT 1;
	IF w.scenario IS NULL OR w.loss <= 0 THEN
		RETURN f;
	END IF;
	IF max_loss IS NOT NULL AND w.loss > max_loss THEN
		f := f || ROW(format('limit:max_stress_loss:%s:%s>%s', w.scenario, risk_figure(w.loss), risk_figure(max_loss)),
					  'ok', true)::risk_finding;
	END IF;
	IF max_share IS NOT NULL AND (w.value <= 0 OR w.loss / w.value > max_share) THEN
		f := f || ROW(format('limit:max_stress_loss_share:%s:%s>%s', w.scenario,
							 CASE WHEN w.value > 0 THEN risk_figure(w.loss / w.value) ELSE 'inf' END,
							 risk_figure(max_share)), 'ok', true)::risk_finding;
	END IF;
	RETURN f;
END
$$;
COMMENT ON FUNCTION @extschema@.risk_check_stress(bigint, bigint, @extschema@.address[], @extschema@.risk_proposal) IS
	'risk check "stress": the worst scenario''s linear loss of the exposures a proposal leaves against max_stress_loss and max_stress_loss_share';
INSERT INTO @extschema@.risk_checks (name, check_fn, description, builtin) VALUES
	('stress', '@extschema@.risk_check_stress', 'The worst stress scenario''s linear loss of the exposures a proposal leaves, against the strategy''s limits', true);

-- ---- privileges ----
REVOKE ALL ON TABLE @extschema@.risk_scenarios, @extschema@.risk_asset_classes FROM PUBLIC;
GRANT SELECT ON @extschema@.risk_scenarios, @extschema@.risk_asset_classes TO amplified_reader;
GRANT INSERT (name, description, kind, shocks), UPDATE (name, description, kind, shocks), DELETE
	ON @extschema@.risk_scenarios TO amplified_admin;
GRANT INSERT, UPDATE, DELETE ON @extschema@.risk_asset_classes TO amplified_admin;
REVOKE ALL ON FUNCTION @extschema@.risk_scenarios_check() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.risk_asset_class(jsonb, bigint, @extschema@.address) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.risk_asset_class(jsonb, bigint, @extschema@.address) TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.risk_stress_exposures(bigint, @extschema@.risk_exposure[], @extschema@.address),
	@extschema@.risk_check_stress(bigint, bigint, @extschema@.address[], @extschema@.risk_proposal) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.risk_stress_exposures(bigint, @extschema@.risk_exposure[], @extschema@.address)
	TO amplified_reader;
