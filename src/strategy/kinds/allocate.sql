-- src/strategy/kinds/allocate.sql: the allocate kind of strategy: capital
-- of one ERC-20 (e.g. WETH) moved between the vaults of member strategies
-- toward the weights of the forecast module's allocator (mean-variance or
-- CVaR, src/forecast/alloc.sql), when they drift beyond a band and the
-- expected gain beats the cost.  Each move is an ERC-20 transfer from an
-- over-weight member's vault to an under-weight one's: an intent sent from
-- the member's owner (strategy_intent.sender; the enqueue guard accepts the
-- vaults of the members the parameters name, strategy_member_vaults),
-- through the risk gate and the queue like any other.  One file holds the
-- kind: its validate, sync, gather and policy functions, its row of
-- strategy_kinds, and allocate_backtest over the members' history.
-- docs/forecast.md ("Strategies that use the models") describes it.

-- Validate allocate parameters.  members: strategy ids or objects
-- {strategy_id, cap, group, forecast_project}; each becomes an object with
-- the member's owner (so that a new member is a new address: strategy_update
-- refuses it, strategy_update_contracts may).
CREATE FUNCTION @extschema@.strategy_validate_allocate(params jsonb, chain_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := params;
	k text := 'allocate';
	m jsonb;
	ms jsonb := '[]';
	mem strategies;
	mid bigint;
	i int := 0;
	g text;
	caps numeric := 0;
BEGIN
	PERFORM strategy_check_keys(k, p, ARRAY['members', 'asset', 'asset_decimals', 'method', 'risk_aversion', 'beta',
		'group_caps', 'band', 'min_gain_factor', 'gas_cost', 'horizon', 'return_interval', 'lookback', 'min_history',
		'lambda', 'turnover_penalty', 'min_transfer', 'deadline_seconds']);
	IF strategy_param_address(k, p, 'asset') IS NULL THEN
		PERFORM strategy_param_error(k, 'asset', 'the ERC-20 moved between the members (e.g. WETH) is required');
	END IF;
	IF jsonb_typeof(p -> 'members') IS DISTINCT FROM 'array' OR jsonb_array_length(p -> 'members') < 2 THEN
		PERFORM strategy_param_error(k, 'members', 'an array of at least two member strategies (ids or {"strategy_id", ...})');
	END IF;
	FOR m IN SELECT value FROM jsonb_array_elements(p -> 'members') LOOP
		i := i + 1;
		IF jsonb_typeof(m) = 'number' THEN
			m := jsonb_build_object('strategy_id', m);
		END IF;
		IF jsonb_typeof(m) <> 'object' THEN
			PERFORM strategy_param_error(k, format('members[%s]', i), 'a strategy id or an object');
		END IF;
		PERFORM strategy_check_keys('allocate member', m, ARRAY['strategy_id', 'owner', 'cap', 'group', 'forecast_project']);
		mid := strategy_param_number(k, m, 'strategy_id', 1, 9223372036854775807);
		IF mid IS NULL OR mid <> (m ->> 'strategy_id')::numeric THEN
			PERFORM strategy_param_error(k, format('members[%s].strategy_id', i), 'a strategy id is required');
		END IF;
		SELECT * INTO mem FROM strategies x WHERE x.id = mid;
		IF NOT FOUND THEN
			PERFORM strategy_param_error(k, format('members[%s].strategy_id', i), format('strategy %s does not exist', mid));
		END IF;
		IF mem.chain_id <> chain_id THEN
			PERFORM strategy_param_error(k, format('members[%s].strategy_id', i),
				format('strategy %s is on chain %s, not %s', mid, mem.chain_id, chain_id));
		END IF;
		IF mem.kind = 'allocate' THEN
			PERFORM strategy_param_error(k, format('members[%s].strategy_id', i), 'a member cannot be an allocate strategy');
		END IF;
		IF m ? 'owner' AND strategy_param_address(k, m, 'owner') IS DISTINCT FROM mem.owner THEN
			PERFORM strategy_param_error(k, format('members[%s].owner', i), format('strategy %s''s owner is %s', mid, mem.owner));
		END IF;
		IF m ? 'group' AND (jsonb_typeof(m -> 'group') <> 'string' OR m ->> 'group' !~ '^[a-z][a-z0-9_]{0,62}$') THEN
			PERFORM strategy_param_error(k, format('members[%s].group', i), 'a group name such as "aave"');
		END IF;
		IF m ? 'forecast_project' AND (jsonb_typeof(m -> 'forecast_project') <> 'string'
									   OR m ->> 'forecast_project' !~ '^[a-z][a-z0-9_]{0,62}$') THEN
			PERFORM strategy_param_error(k, format('members[%s].forecast_project', i), 'a forecast project name');
		END IF;
		m := m || jsonb_build_object('strategy_id', mid, 'owner', mem.owner::text,
			'cap', coalesce(strategy_param_number(k, m, 'cap', 0, 1), 1));
		caps := caps + (m ->> 'cap')::numeric;
		ms := ms || jsonb_build_array(m);
	END LOOP;
	IF (SELECT count(DISTINCT e ->> 'strategy_id') FROM jsonb_array_elements(ms) e) <> jsonb_array_length(ms) THEN
		PERFORM strategy_param_error(k, 'members', 'each strategy at most once');
	END IF;
	IF caps < 1 THEN
		PERFORM strategy_param_error(k, 'members', format('the caps add up to %s: they must reach 1', caps));
	END IF;
	IF p ? 'group_caps' THEN
		IF jsonb_typeof(p -> 'group_caps') <> 'object' THEN
			PERFORM strategy_param_error(k, 'group_caps', 'an object of caps per group, such as {"aave": 0.6}');
		END IF;
		FOR g IN SELECT jsonb_object_keys(p -> 'group_caps') LOOP
			PERFORM strategy_param_number(k, p -> 'group_caps', g, 0, 1);
			IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(ms) e WHERE e ->> 'group' = g) THEN
				PERFORM strategy_param_error(k, format('group_caps.%s', g), 'no member is in this group');
			END IF;
		END LOOP;
	END IF;
	IF NOT p ? 'asset_decimals' THEN
		p := p || jsonb_build_object('asset_decimals', (strategy_read_word(chain_id, (p ->> 'asset')::address, 'decimals()', 'uint8') #>> '{}')::int);
	END IF;
	PERFORM strategy_param_number(k, p, 'asset_decimals', 0, 77);
	p := p || jsonb_build_object(
		'members', ms,
		'method', coalesce(p -> 'method', '"mv"'),
		'risk_aversion', coalesce(strategy_param_number(k, p, 'risk_aversion', 0, 1e6), 1),
		'beta', coalesce(strategy_param_number(k, p, 'beta', 0.5, 0.9999), 0.95),
		'group_caps', coalesce(p -> 'group_caps', '{}'),
		'band', coalesce(strategy_param_number(k, p, 'band', 0, 1), 0.05),
		'min_gain_factor', coalesce(strategy_param_number(k, p, 'min_gain_factor', 0, 1e6), 2),
		'gas_cost', coalesce(strategy_param_number(k, p, 'gas_cost', 0, 1e30), 0),
		'horizon', coalesce(strategy_param_number(k, p, 'horizon', 1, 100000), 7),
		'return_interval', coalesce(p -> 'return_interval', '"1 day"'),
		'lookback', coalesce(strategy_param_number(k, p, 'lookback', 2, 100000), 90),
		'min_history', coalesce(strategy_param_number(k, p, 'min_history', 2, 100000), 10),
		'lambda', coalesce(strategy_param_number(k, p, 'lambda', 0.5, 0.9999), 0.94),
		'turnover_penalty', coalesce(strategy_param_number(k, p, 'turnover_penalty', 0, 100), 0),
		'min_transfer', coalesce(strategy_param_number(k, p, 'min_transfer', 0, 1e30), 0),
		'deadline_seconds', coalesce(strategy_param_number(k, p, 'deadline_seconds', 60, 604800), 3600));
	IF jsonb_typeof(p -> 'method') <> 'string' OR p ->> 'method' NOT IN ('mv', 'cvar') THEN
		PERFORM strategy_param_error(k, 'method', '"mv" (mean-variance) or "cvar" (least CVaR)');
	END IF;
	PERFORM strategy_param_interval(k, p, 'return_interval', '1 minute', '365 days');
	IF (p ->> 'horizon')::numeric <> trunc((p ->> 'horizon')::numeric)
	   OR (p ->> 'lookback')::numeric <> trunc((p ->> 'lookback')::numeric)
	   OR (p ->> 'min_history')::numeric <> trunc((p ->> 'min_history')::numeric) THEN
		PERFORM strategy_param_error(k, 'horizon', 'horizon, lookback and min_history are whole numbers of periods');
	END IF;
	IF (p ->> 'min_history')::int > (p ->> 'lookback')::int THEN
		PERFORM strategy_param_error(k, 'min_history', 'at most lookback');
	END IF;
	RETURN p;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_validate_allocate(jsonb, bigint) IS
	'allocate parameters checked: members (same chain, each once, caps reaching 1) completed with their owners, groups and their caps, defaults filled';

-- allocate: each member vault's balance of the asset, as "member" positions
-- (position_id the member's strategy id), read at the block.
CREATE FUNCTION @extschema@.strategy_sync_allocate(s @extschema@.strategies, block bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	m jsonb;
	bal uint256;
	v_asset address := (s.params ->> 'asset')::address;
BEGIN
	PERFORM strategy_require_block(s.chain_id, block);
	PERFORM strategy_clear_positions(s.id);
	FOR m IN SELECT e FROM jsonb_array_elements(s.params -> 'members') e LOOP
		bal := (abi_decode('(uint256)', strategy_eth_call(s.chain_id, s.owner, v_asset,
			abi_encode_call('balanceOf(address)', jsonb_build_array(m ->> 'owner')), block)) ->> 0)::uint256;
		PERFORM strategy_put_position(s.id, block, ROW('member', v_asset, (m ->> 'strategy_id')::numeric, bal::int256,
			jsonb_build_object('owner', m ->> 'owner', 'strategy_id', (m ->> 'strategy_id')::bigint))::strategy_position);
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_sync_allocate(@extschema@.strategies, bigint) IS
	'allocate positions at a block: each member vault''s balance of the asset ("member" positions, position_id = member strategy id)';

-- The members' returns per period (return_interval) up to a time, rows
-- oldest first, one column per member in the parameters' order: a member's
-- value at the last snapshot of each period, less what the allocate
-- strategy's own mined transfers moved into it since the period before,
-- over its value then, minus 1.  Only the periods in which every member has
-- a return, the last lookback of them.  buckets: the end of each period.
CREATE FUNCTION @extschema@.allocate_member_returns(s @extschema@.strategies, upto timestamptz,
	OUT buckets timestamptz[], OUT returns float8[])
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	n int := jsonb_array_length(s.params -> 'members');
	unit numeric := strategy_unit((s.params ->> 'asset_decimals')::int);
BEGIN
	WITH mem AS (
		SELECT o::int AS j, (e ->> 'strategy_id')::bigint AS sid
		  FROM jsonb_array_elements(s.params -> 'members') WITH ORDINALITY x(e, o)),
	-- The allocate strategy's transfers that were mined, per member and block (+ in, - out).
	flows AS (
		SELECT i.block_number, (t ->> 'to_strategy')::bigint AS sid, (t ->> 'amount')::numeric * unit AS amount
		  FROM decisions d
		  CROSS JOIN LATERAL jsonb_array_elements(coalesce(d.plan -> 'transfers', '[]')) t
		  JOIN tx_intents i ON i.decision_id = d.id AND split_part(i.idempotency_key, ':', 5) = t ->> 'n'
		 WHERE d.strategy_id = s.id AND i.status IN ('mined', 'confirmed')
		UNION ALL
		SELECT i.block_number, (t ->> 'from_strategy')::bigint, -(t ->> 'amount')::numeric * unit
		  FROM decisions d
		  CROSS JOIN LATERAL jsonb_array_elements(coalesce(d.plan -> 'transfers', '[]')) t
		  JOIN tx_intents i ON i.decision_id = d.id AND split_part(i.idempotency_key, ':', 5) = t ->> 'n'
		 WHERE d.strategy_id = s.id AND i.status IN ('mined', 'confirmed')),
	snaps AS (
		SELECT DISTINCT ON (m.j, b) m.j, m.sid, x.block_number, x.value,
			   date_bin((s.params ->> 'return_interval')::interval, x.at, '2000-01-01Z') AS b
		  FROM mem m JOIN strategy_snapshots x ON x.strategy_id = m.sid
		 WHERE x.at <= upto
		 ORDER BY m.j, b, x.block_number DESC),
	rets AS (
		SELECT j, b, CASE WHEN prev_value > 0 THEN
				((value - coalesce((SELECT sum(f.amount) FROM flows f WHERE f.sid = q.sid
										AND f.block_number > q.prev_block AND f.block_number <= q.block_number), 0))
				 / prev_value - 1)::float8 END AS r
		  FROM (SELECT *, lag(value) OVER w AS prev_value, lag(block_number) OVER w AS prev_block
				  FROM snaps WINDOW w AS (PARTITION BY j ORDER BY b)) q
		 WHERE prev_value IS NOT NULL),
	full_rows AS (
		SELECT b, array_agg(r ORDER BY j) AS row
		  FROM rets WHERE r IS NOT NULL
		 GROUP BY b HAVING count(*) = n
		 ORDER BY b DESC LIMIT (s.params ->> 'lookback')::int)
	SELECT array_agg(f.b ORDER BY f.b),
		   CASE WHEN count(*) > 0 THEN array_agg(f.row ORDER BY f.b) END
	  INTO buckets, returns
	  FROM full_rows f;
	-- array_agg of arrays is the T x n matrix.
END
$$;
COMMENT ON FUNCTION @extschema@.allocate_member_returns(@extschema@.strategies, timestamptz) IS
	'the allocate members'' returns per return_interval from their snapshots (the strategy''s own mined transfers taken out), T x n oldest first, over the periods every member has';

-- allocate state: per member its vault's balance, last value, whether its
-- own intents are in flight, its expected return per period (its forecast
-- project's live series model, else the mean of its returns) and the
-- members' return matrix.  Forecast errors are recorded, not raised.
CREATE FUNCTION @extschema@.strategy_gather_allocate(s @extschema@.strategies, block bigint)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	v_asset address := (p ->> 'asset')::address;
	unit numeric := strategy_unit((p ->> 'asset_decimals')::int);
	v_at timestamptz := ingest_block_time(s.chain_id, block);
	rm record;
	m jsonb;
	j int := 0;
	col float8[];
	mu float8;
	src text;
	err text;
	fc jsonb;
	mems jsonb := '[]';
	bal numeric;
	total numeric := 0;
	holdings strategy_holding[] := '{}';
BEGIN
	SELECT * INTO rm FROM allocate_member_returns(s, v_at);
	FOR m IN SELECT e FROM jsonb_array_elements(p -> 'members') e LOOP
		j := j + 1;
		bal := coalesce((SELECT x.amount::numeric FROM positions x WHERE x.strategy_id = s.id AND x.protocol = 'member'
						  AND x.asset = v_asset AND x.position_id = (m ->> 'strategy_id')::numeric), 0);
		col := CASE WHEN rm.returns IS NOT NULL THEN ARRAY(SELECT rm.returns[t][j] FROM generate_series(1, array_length(rm.returns, 1)) t) END;
		mu := NULL;
		src := 'history';
		err := NULL;
		fc := NULL;
		IF m ? 'forecast_project' THEN
			BEGIN
				SELECT jsonb_build_object('model_id', min(f.model_id), 'means', jsonb_agg(f.mean ORDER BY f.step)), avg(f.mean)
				  INTO fc, mu
				  FROM forecast_predict_horizon(m ->> 'forecast_project', (p ->> 'horizon')::int,
												CASE WHEN cardinality(col) > 0 THEN col END) f;
				src := 'forecast';
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS err = MESSAGE_TEXT;
				mu := NULL;
			END;
			IF mu IS NULL OR mu = 'NaN'::float8 THEN
				src := 'history';
				mu := NULL;
			END IF;
		END IF;
		IF mu IS NULL AND cardinality(col) > 0 THEN
			mu := (SELECT avg(x) FROM unnest(col) x);
		END IF;
		mems := mems || jsonb_build_array(jsonb_build_object(
			'strategy_id', (m ->> 'strategy_id')::bigint, 'owner', m ->> 'owner',
			'balance', bal::text, 'amount', bal * unit,
			'value', (SELECT x.value FROM strategy_snapshots x WHERE x.strategy_id = (m ->> 'strategy_id')::bigint
					   AND x.block_number <= block ORDER BY x.block_number DESC LIMIT 1),
			'busy', txq_strategy_busy((m ->> 'strategy_id')::bigint, block),
			'mu', mu, 'mu_source', src, 'forecast', fc, 'forecast_error', err));
		total := total + bal * unit;
		holdings := holdings || ROW(v_asset, 'member:' || (m ->> 'strategy_id'), bal, (p ->> 'asset_decimals')::int,
									1, 0, NULL, NULL, NULL, NULL, NULL, NULL)::strategy_holding;
	END LOOP;
	RETURN jsonb_build_object(
		'kind', 'allocate', 'block_number', block, 'at', v_at,
		'members', mems,
		'periods', coalesce(to_jsonb(rm.buckets), '[]'),
		'returns', coalesce(to_jsonb(rm.returns), '[]'),
		'valuation', strategy_valuation_json(v_asset, total, holdings));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_gather_allocate(@extschema@.strategies, bigint) IS
	'inputs of an allocate decision at a block: per member balance, value, busy, expected return and its source; the members'' return matrix';

-- CVaR at level beta of the loss -r'w over equally likely scenarios (rows),
-- as Rockafellar and Uryasev define it at alpha = VaR: alpha + the mean
-- excess of the loss over alpha / (1 - beta).
CREATE FUNCTION @extschema@.allocate_cvar_of(scenarios float8[], w float8[], beta float8)
RETURNS float8
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH l AS (
		SELECT t, -sum(scenarios[t][j] * w[j]) AS loss
		  FROM generate_series(1, array_length(scenarios, 1)) t, generate_series(1, array_length(w, 1)) j
		 GROUP BY t),
	a AS (SELECT percentile_disc(beta) WITHIN GROUP (ORDER BY loss) AS alpha, count(*) AS n FROM l)
	SELECT a.alpha + (SELECT sum(greatest(l.loss - a.alpha, 0)) FROM l) / ((1 - beta) * a.n) FROM a
$$;
COMMENT ON FUNCTION @extschema@.allocate_cvar_of(float8[], float8[], float8) IS
	'CVaR at level beta of the loss -r''w of weights w over equally likely return scenarios (rows), alpha = VaR + mean excess / (1 - beta)';

-- Target weights of the allocator for a return matrix (T x n, oldest
-- first), expected returns per period and current weights, with the
-- parameters of an allocate strategy (method, risk_aversion, beta, caps,
-- groups and group caps, lambda, turnover_penalty).  The covariance is the
-- risk engine's EWMA covariance of the returns (risk_ewma_covariance); the
-- CVaR scenarios are the returns themselves.  gain is the improvement of
-- the solver's objective per period: mv mu'(w - w0) - risk_aversion/2
-- (w'Σw - w0'Σw0); cvar mu'(w - w0) / 1 (per period) and, apart, the CVaR
-- reduction (cvar_reduction, per period too).
CREATE FUNCTION @extschema@.allocate_target(params jsonb, returns float8[], mu float8[], current float8[],
	OUT weights float8[], OUT status text, OUT mean_gain float8, OUT risk_gain float8)
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	n int := jsonb_array_length(params -> 'members');
	caps float8[] := ARRAY(SELECT coalesce((e ->> 'cap')::float8, 1) FROM jsonb_array_elements(params -> 'members') WITH ORDINALITY x(e, o) ORDER BY o);
	gnames text[] := ARRAY(SELECT g FROM jsonb_object_keys(coalesce(params -> 'group_caps', '{}')) g ORDER BY g);
	groups int[];
	gcaps float8[];
	cov float8[];
	ra float8 := coalesce((params ->> 'risk_aversion')::float8, 1);
	beta float8 := coalesce((params ->> 'beta')::float8, 0.95);
	r record;
BEGIN
	IF cardinality(gnames) > 0 THEN
		groups := ARRAY(SELECT coalesce(array_position(gnames, e ->> 'group'), 0)
						  FROM jsonb_array_elements(params -> 'members') WITH ORDINALITY x(e, o) ORDER BY o);
		gcaps := ARRAY(SELECT (params -> 'group_caps' ->> g)::float8 FROM unnest(gnames) WITH ORDINALITY u(g, o) ORDER BY o);
	END IF;
	IF params ->> 'method' = 'cvar' THEN
		SELECT * INTO r FROM forecast_allocate_cvar(returns, beta, caps, groups, gcaps, NULL, mu, 1);
		weights := r.weights;
		status := r.status;
		IF weights IS NOT NULL THEN
			mean_gain := (SELECT sum(mu[j] * (weights[j] - current[j])) FROM generate_series(1, n) j);
			risk_gain := allocate_cvar_of(returns, current, beta) - allocate_cvar_of(returns, weights, beta);
		END IF;
	ELSE
		cov := risk_ewma_covariance(returns, coalesce((params ->> 'lambda')::float8, 0.94));
		SELECT * INTO r FROM forecast_allocate_mv(mu, cov, ra, caps, groups, gcaps, current,
			coalesce((params ->> 'turnover_penalty')::float8, 0), 1);
		weights := r.weights;
		status := r.status;
		IF weights IS NOT NULL THEN
			mean_gain := (SELECT sum(mu[j] * (weights[j] - current[j])) FROM generate_series(1, n) j);
			risk_gain := -ra / 2 * (SELECT sum(cov[a][b] * (weights[a] * weights[b] - current[a] * current[b]))
									  FROM generate_series(1, n) a, generate_series(1, n) b);
		END IF;
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.allocate_target(jsonb, float8[], float8[], float8[]) IS
	'the allocator''s target weights for a return matrix, expected returns and current weights under allocate parameters; the solver status, the mean and risk parts of the objective''s gain per period';

-- allocate: move the asset toward the allocator's weights when they drift
-- beyond the band and the expected gain over the horizon beats the cost of
-- the transfers by min_gain_factor.
CREATE FUNCTION @extschema@.strategy_policy_allocate(s @extschema@.strategies, state jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p jsonb := s.params;
	v_asset address := (p ->> 'asset')::address;
	dec int := (p ->> 'asset_decimals')::int;
	unit numeric := strategy_unit(dec);
	n int := jsonb_array_length(p -> 'members');
	mems jsonb := state -> 'members';
	rets float8[];
	t int := jsonb_array_length(coalesce(state -> 'returns', '[]'));
	bal numeric[];
	total numeric;
	w0 float8[];
	mu float8[];
	tg record;
	drift float8;
	gain float8;
	cost numeric;
	delta numeric[];
	transfers jsonb := '[]';
	intents jsonb := '[]';
	snd int;
	rcv int;
	amt numeric;
	k int := 0;
	plan jsonb;
	turnover numeric := 0;
BEGIN
	IF strategy_state_stale(state, p) THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["stale_chain_data"]'::jsonb, 'intents', '[]'::jsonb);
	END IF;
	IF EXISTS (SELECT 1 FROM jsonb_array_elements(mems) m WHERE (m ->> 'busy')::boolean) THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["member_busy"]'::jsonb, 'intents', '[]'::jsonb);
	END IF;
	bal := ARRAY(SELECT (m ->> 'balance')::numeric FROM jsonb_array_elements(mems) WITH ORDINALITY x(m, o) ORDER BY o);
	total := (SELECT sum(b) FROM unnest(bal) b);
	IF total IS NULL OR total = 0 THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["empty_vaults"]'::jsonb, 'intents', '[]'::jsonb);
	END IF;
	IF t < (p ->> 'min_history')::int
	   OR EXISTS (SELECT 1 FROM jsonb_array_elements(mems) m WHERE m ->> 'mu' IS NULL) THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["insufficient_history"]'::jsonb, 'intents', '[]'::jsonb,
			'plan', jsonb_build_object('periods', t, 'min_history', (p ->> 'min_history')::int));
	END IF;
	rets := ARRAY(SELECT ARRAY(SELECT (v #>> '{}')::float8 FROM jsonb_array_elements(r) WITH ORDINALITY y(v, q) ORDER BY q)
					FROM jsonb_array_elements(state -> 'returns') WITH ORDINALITY x(r, o) ORDER BY o);
	w0 := ARRAY(SELECT (b / total)::float8 FROM unnest(bal) WITH ORDINALITY u(b, o) ORDER BY o);
	mu := ARRAY(SELECT (m ->> 'mu')::float8 FROM jsonb_array_elements(mems) WITH ORDINALITY x(m, o) ORDER BY o);
	SELECT * INTO tg FROM allocate_target(p, rets, mu, w0);
	IF tg.weights IS NULL OR tg.status NOT IN ('optimal', 'converged', 'roundoff_limited') THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', jsonb_build_array('solver_' || coalesce(tg.status, 'failed')),
			'intents', '[]'::jsonb, 'plan', jsonb_build_object('status', tg.status, 'current', to_jsonb(w0), 'mu', to_jsonb(mu)));
	END IF;
	drift := (SELECT max(abs(tg.weights[j] - w0[j])) FROM generate_series(1, n) j);
	-- The gain over the horizon, in whole units of the asset.
	gain := (coalesce(tg.mean_gain, 0) * (p ->> 'horizon')::float8
			 + coalesce(tg.risk_gain, 0) * CASE WHEN p ->> 'method' = 'cvar' THEN 1 ELSE (p ->> 'horizon')::float8 END)
			* (total * unit)::float8;

	-- Transfers: the largest excess to the largest shortfall, in raw units
	-- (each member's target floored: what rounding leaves stays put).
	delta := ARRAY(SELECT floor(tg.weights[j]::numeric * total) - bal[j] FROM generate_series(1, n) j);
	LOOP
		snd := (SELECT j FROM generate_series(1, n) j WHERE delta[j] < 0 ORDER BY delta[j], j LIMIT 1);
		rcv := (SELECT j FROM generate_series(1, n) j WHERE delta[j] > 0 ORDER BY delta[j] DESC, j LIMIT 1);
		EXIT WHEN snd IS NULL OR rcv IS NULL;
		amt := least(-delta[snd], delta[rcv]);
		delta[snd] := delta[snd] + amt;
		delta[rcv] := delta[rcv] - amt;
		CONTINUE WHEN amt * unit < (p ->> 'min_transfer')::numeric;
		k := k + 1;
		transfers := transfers || jsonb_build_array(jsonb_build_object('n', k,
			'from_strategy', (mems -> (snd - 1) ->> 'strategy_id')::bigint, 'from', mems -> (snd - 1) ->> 'owner',
			'to_strategy', (mems -> (rcv - 1) ->> 'strategy_id')::bigint, 'to', mems -> (rcv - 1) ->> 'owner',
			'amount', amt::text, 'value', amt * unit));
		intents := intents || jsonb_build_array(allocate_transfer_intent(v_asset, (mems -> (snd - 1) ->> 'owner')::address,
			(mems -> (rcv - 1) ->> 'owner')::address, amt::uint256));
		turnover := turnover + amt * unit;
	END LOOP;
	cost := k * (p ->> 'gas_cost')::numeric;
	plan := jsonb_build_object('method', p ->> 'method', 'status', tg.status,
		'members', (SELECT jsonb_agg(jsonb_build_object('strategy_id', (m ->> 'strategy_id')::bigint,
			'current', w0[o], 'target', tg.weights[o], 'mu', mu[o], 'mu_source', m ->> 'mu_source') ORDER BY o)
			FROM jsonb_array_elements(mems) WITH ORDINALITY x(m, o)),
		'current', to_jsonb(w0), 'target', to_jsonb(tg.weights), 'drift', drift, 'band', (p ->> 'band')::float8,
		'total', total * unit, 'periods', t, 'horizon', (p ->> 'horizon')::int,
		'mean_gain', tg.mean_gain, 'risk_gain', tg.risk_gain, 'expected_gain', gain,
		'cost', cost, 'min_gain_factor', (p ->> 'min_gain_factor')::numeric,
		'transfers', transfers);
	IF drift <= (p ->> 'band')::float8 THEN
		RETURN jsonb_build_object('action', 'hold', 'reasons', '["within_band"]'::jsonb, 'plan', plan - 'transfers',
			'intents', '[]'::jsonb);
	END IF;
	IF gain <= cost * (p ->> 'min_gain_factor')::numeric OR k = 0 THEN
		RETURN jsonb_build_object('action', 'hold',
			'reasons', CASE WHEN k = 0 THEN '["transfers_below_minimum"]'::jsonb ELSE '["gain_below_cost"]'::jsonb END,
			'plan', plan - 'transfers', 'intents', '[]'::jsonb);
	END IF;
	RETURN jsonb_build_object('action', 'rebalance', 'reasons', '["drift_above_band"]'::jsonb,
		'plan', plan, 'intents', intents,
		'proposal', jsonb_build_object('action', 'rebalance', 'reduces_risk', false,
			'value', total * unit, 'turnover', turnover,
			'assets', jsonb_build_array(v_asset::text), 'chain_id', s.chain_id));
END
$$;
COMMENT ON FUNCTION @extschema@.strategy_policy_allocate(@extschema@.strategies, jsonb) IS
	'allocate decision: target weights from the allocator, and ERC-20 transfers between member vaults when the drift passes the band and the gain beats the cost; or hold';

-- An ERC-20 transfer from a member's vault to another's: the intent names
-- the sending vault (strategy_intent.sender).
CREATE FUNCTION @extschema@.allocate_transfer_intent(token @extschema@.address, sender @extschema@.address,
	recipient @extschema@.address, amount @extschema@.uint256)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN @extschema@.strategy_intent('transfer', token,
		@extschema@.abi_encode_call('transfer(address,uint256)', jsonb_build_array(recipient::text, amount::text)),
		format('transfer %s of %s from %s to %s', amount, token, sender, recipient))
	|| jsonb_build_object('from', sender::text);
COMMENT ON FUNCTION @extschema@.allocate_transfer_intent(@extschema@.address, @extschema@.address, @extschema@.address, @extschema@.uint256) IS
	'an intent of an ERC-20 transfer sent from a member''s vault to another''s';

INSERT INTO @extschema@.strategy_kinds (kind, validate, sync, gather, policy, description, builtin) VALUES
	('allocate', '@extschema@.strategy_validate_allocate', '@extschema@.strategy_sync_allocate',
	 '@extschema@.strategy_gather_allocate', '@extschema@.strategy_policy_allocate',
	 'Move an ERC-20 between the vaults of member strategies toward the allocator''s weights (mean-variance or CVaR) when they drift beyond a band and the gain beats the cost',
	 true);

-- ---- backtest ----

-- The allocator over a history of member returns (T x n, oldest first),
-- against equal weights and the best single member, without look-ahead:
-- from row min_history + 1 on, every rebalance_every periods the weights
-- are set from the rows before (the last lookback of them: their means as
-- expected returns, their EWMA covariance or the rows as CVaR scenarios);
-- between rebalances the weights drift with the returns.  Equal weights are
-- reset to 1/n at the same times.  The best single member is chosen in
-- hindsight (the highest compounded return over the same periods): a bound,
-- not a strategy, and labelled so.  Per method: the periods evaluated, the
-- annualised return (compounded), the annualised volatility, the Sharpe
-- ratio (strategy_sharpe, no risk-free rate), the maximum drawdown of the
-- compounded value and the turnover (one-way: the sum over rebalances of
-- half the absolute weight changes).
CREATE FUNCTION @extschema@.allocate_backtest_returns(params jsonb, returns float8[], rebalance_every int DEFAULT 1,
	periods_per_year float8 DEFAULT 365)
RETURNS TABLE (method text, member int, periods int, annual_return float8, volatility float8, sharpe float8,
	max_drawdown float8, turnover float8)
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	n int := jsonb_array_length(params -> 'members');
	tt int := coalesce(array_length(returns, 1), 0);
	h int := coalesce((params ->> 'min_history')::int, 10);
	lb int := coalesce((params ->> 'lookback')::int, 90);
	w float8[];
	e float8[];
	win float8[];
	mu float8[];
	tg record;
	rp float8;
	re float8;
	ra float8[] := '{}';
	rq float8[] := '{}';
	to_a float8 := 0;
	to_e float8 := 0;
	t int;
	j int;
	lo int;
	best int;
BEGIN
	IF returns IS NULL OR array_ndims(returns) <> 2 OR array_length(returns, 2) <> n THEN
		RAISE EXCEPTION 'returns must be a T x % array (one column per member)', n USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF rebalance_every IS NULL OR rebalance_every < 1 OR periods_per_year IS NULL OR periods_per_year <= 0 THEN
		RAISE EXCEPTION 'rebalance_every must be at least 1 and periods_per_year positive' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF tt <= h THEN
		RAISE EXCEPTION 'a backtest needs more than min_history (%) periods, there are %', h, tt
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	w := array_fill(1.0::float8 / n, ARRAY[n]);
	e := w;
	FOR t IN h + 1 .. tt LOOP
		IF (t - h - 1) % rebalance_every = 0 THEN
			-- Only the rows before t.
			lo := greatest(1, t - lb);
			win := returns[lo:t - 1][1:n];
			mu := ARRAY(SELECT avg(win[q][c]) FROM generate_series(1, n) c, generate_series(1, t - lo) q GROUP BY c ORDER BY c);
			SELECT * INTO tg FROM allocate_target(params, win, mu, w);
			IF tg.weights IS NOT NULL AND tg.status IN ('optimal', 'converged', 'roundoff_limited') THEN
				to_a := to_a + (SELECT sum(abs(tg.weights[c] - w[c])) FROM generate_series(1, n) c) / 2;
				w := tg.weights;
			END IF;
			to_e := to_e + (SELECT sum(abs(1.0 / n - e[c])) FROM generate_series(1, n) c) / 2;
			e := array_fill(1.0::float8 / n, ARRAY[n]);
		END IF;
		rp := (SELECT sum(w[c] * returns[t][c]) FROM generate_series(1, n) c);
		re := (SELECT sum(e[c] * returns[t][c]) FROM generate_series(1, n) c);
		ra := ra || rp;
		rq := rq || re;
		w := ARRAY(SELECT w[c] * (1 + returns[t][c]) / (1 + rp) FROM generate_series(1, n) c);
		e := ARRAY(SELECT e[c] * (1 + returns[t][c]) / (1 + re) FROM generate_series(1, n) c);
	END LOOP;
	SELECT c INTO best FROM generate_series(1, n) c
	 ORDER BY (SELECT sum(ln(1 + returns[q][c])) FROM generate_series(h + 1, tt) q) DESC, c LIMIT 1;
	RETURN QUERY
	SELECT x.method, x.member, cardinality(x.r),
		   exp(sum(ln(1 + v)) * periods_per_year / cardinality(x.r)) - 1,
		   stddev_samp(v) * sqrt(periods_per_year),
		   strategy_sharpe(x.r, periods_per_year),
		   (SELECT max(1 - d.cv / greatest(1, d.cm))
			  FROM (SELECT c.cv, max(c.cv) OVER (ORDER BY c.o) AS cm
					  FROM (SELECT z.o, exp(sum(ln(1 + z.y)) OVER (ORDER BY z.o)) AS cv
							  FROM unnest(x.r) WITH ORDINALITY z(y, o)) c) d),
		   x.turnover
	  FROM (VALUES ('allocator_' || coalesce(params ->> 'method', 'mv'), NULL::int, ra, to_a, 1),
				   ('equal_weight', NULL, rq, to_e, 2),
				   ('best_single_hindsight', best,
					ARRAY(SELECT returns[q][best] FROM generate_series(h + 1, tt) q ORDER BY q), 0::float8, 3)) x(method, member, r, turnover, o)
	 CROSS JOIN LATERAL unnest(x.r) v
	 GROUP BY x.method, x.member, x.r, x.turnover, x.o
	 ORDER BY x.o;
END
$$;
COMMENT ON FUNCTION @extschema@.allocate_backtest_returns(jsonb, float8[], int, float8) IS
	'the allocator over a return history (no look-ahead: weights at t from the rows before t) against equal weights and the best single member in hindsight: annualised return, volatility, Sharpe, max drawdown, turnover';

-- An allocate strategy's backtest over its members' snapshot history (all
-- of it, per return_interval; the strategy's own transfers taken out).
-- member is the best single member's strategy id.
CREATE FUNCTION @extschema@.allocate_backtest(strategy_id bigint, rebalance_every int DEFAULT 1,
	periods_per_year float8 DEFAULT NULL)
RETURNS TABLE (method text, member bigint, periods int, annual_return float8, volatility float8, sharpe float8,
	max_drawdown float8, turnover float8)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	s strategies;
	rm record;
BEGIN
	SELECT * INTO s FROM strategies x WHERE x.id = allocate_backtest.strategy_id AND x.kind = 'allocate';
	IF NOT FOUND THEN
		RAISE EXCEPTION 'strategy % is not an allocate strategy', allocate_backtest.strategy_id USING ERRCODE = 'undefined_object';
	END IF;
	s.params := s.params || '{"lookback": 100000000}';
	SELECT * INTO rm FROM allocate_member_returns(s, 'infinity');
	RETURN QUERY
	SELECT b.method, (s.params -> 'members' -> (b.member - 1) ->> 'strategy_id')::bigint, b.periods, b.annual_return,
		   b.volatility, b.sharpe, b.max_drawdown, b.turnover
	  FROM allocate_backtest_returns(s.params || jsonb_build_object('lookback', (SELECT x.params -> 'lookback' FROM strategies x WHERE x.id = s.id)),
			coalesce(rm.returns, '{}'), rebalance_every,
			coalesce(periods_per_year, extract(epoch FROM interval '365 days') / extract(epoch FROM (s.params ->> 'return_interval')::interval))) b;
END
$$;
COMMENT ON FUNCTION @extschema@.allocate_backtest(bigint, int, float8) IS
	'backtest of an allocate strategy over its members'' snapshot history: the allocator, equal weights, the best single member (hindsight)';

-- Privileges: the kind's slots lose PUBLIC's EXECUTE when its row is
-- registered; its helpers are internal but for the backtests (analysts)
-- and the pure functions (allocate_transfer_intent only builds calldata:
-- PUBLIC, as the other pure functions).
REVOKE ALL ON FUNCTION @extschema@.allocate_member_returns(@extschema@.strategies, timestamptz),
	@extschema@.allocate_target(jsonb, float8[], float8[], float8[]),
	@extschema@.allocate_backtest_returns(jsonb, float8[], int, float8),
	@extschema@.allocate_backtest(bigint, int, float8) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.allocate_target(jsonb, float8[], float8[], float8[]),
	@extschema@.allocate_backtest_returns(jsonb, float8[], int, float8),
	@extschema@.allocate_backtest(bigint, int, float8) TO amplified_analyst;
