-- src/tokens/read.sql: the read models of token data: LST/LRT exchange
-- rates (lst_rates) and oracle answers (oracle_rounds).  Every module that
-- needs a rate or an answer calls these; none reads the tables itself
-- (docs/tokens.md).  They also register the exchange rate and the oracle
-- answer as sources of the market-data layer (src/market/market.sql).
--
-- The one rule for an LST's rate: a token's rate series is the reads of one
-- method (stEthPerToken(), getExchangeRate() or convertToAssets(1e18)), the
-- method of the token's latest read (of those in its latest read block,
-- the first by name), unless a caller names one.  Times are block times.

-- The method of a token's latest exchange-rate read (NULL without reads).
-- Like every latest-row read here, it searches the chain's newest ranges
-- first (ingest_window_from), then, only when they hold nothing, every
-- block below them: the same answer, without one index probe per range
-- (the bound is a variable: the older ranges are pruned at executor start).
CREATE FUNCTION @extschema@.token_lst_method(chain_id bigint, token @extschema@.address)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	lo bigint := ingest_window_from($1, 9223372036854775807);
	m text;
BEGIN
	LOOP
		SELECT r.method INTO m FROM lst_rates r
		 WHERE r.chain_id = $1 AND r.token = $2 AND r.block_number >= lo
		 ORDER BY r.block_number DESC, r.method LIMIT 1;
		IF FOUND OR lo = -9223372036854775807 - 1 THEN
			RETURN m;
		END IF;
		lo := -9223372036854775807 - 1;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.token_lst_method(bigint, @extschema@.address) IS
	'the exchange-rate method of a token''s latest read: the method of its rate series';

-- THE LST-rate read: a token's latest exchange-rate read at or before a
-- block and a time, of the given method or the token's (no row if none).
-- The other point reads are this one at a block or at a time.
-- (plpgsql, whose parameters cannot share a name with a result column:
-- token_lst_rate_latest below is the read with its documented names.)
CREATE FUNCTION @extschema@.token_lst_rate_search(chain_id bigint, token @extschema@.address,
	block bigint, upto timestamptz, method text)
RETURNS TABLE (block_number bigint, at timestamptz, rate @extschema@.uint256)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	m text := coalesce($5, token_lst_method($1, $2));
	lo bigint;
BEGIN
	IF m IS NULL THEN
		RETURN;
	END IF;
	lo := ingest_window_from($1, $3, $4);
	WHILE lo IS NOT NULL LOOP
		RETURN QUERY
		SELECT r.block_number, b.timestamp, r.rate
		  FROM lst_rates r
		  JOIN blocks b ON b.chain_id = r.chain_id AND b.number = r.block_number
		 WHERE r.chain_id = $1 AND r.token = $2 AND r.method = m
		   AND r.block_number >= lo AND r.block_number <= $3 AND b.number >= lo AND b.number <= $3
		   AND b.timestamp <= $4
		 ORDER BY r.block_number DESC LIMIT 1;
		EXIT WHEN FOUND OR lo = -9223372036854775807 - 1;
		lo := -9223372036854775807 - 1;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.token_lst_rate_search(bigint, @extschema@.address, bigint, timestamptz, text) IS
	'token_lst_rate_latest''s search: the newest ranges up to the block first, then the older ones';

CREATE FUNCTION @extschema@.token_lst_rate_latest(chain_id bigint, token @extschema@.address,
	block bigint DEFAULT 9223372036854775807, at timestamptz DEFAULT 'infinity', method text DEFAULT NULL)
RETURNS TABLE (block_number bigint, at timestamptz, rate @extschema@.uint256)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT * FROM token_lst_rate_search($1, $2, $3, $4, $5)
$$;
COMMENT ON FUNCTION @extschema@.token_lst_rate_latest(bigint, @extschema@.address, bigint, timestamptz, text) IS
	'an LST''s latest exchange-rate read at or before a block and a time (of the token''s method unless one is given): the one rate read';

-- A token's exchange rate (1e18 scale) at a block: its latest read of the
-- token's method at or before the block (NULL when none).
CREATE FUNCTION @extschema@.token_lst_rate_at(chain_id bigint, token @extschema@.address, block bigint)
RETURNS @extschema@.uint256
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT l.rate FROM token_lst_rate_latest($1, $2, $3) l
$$;
COMMENT ON FUNCTION @extschema@.token_lst_rate_at(bigint, @extschema@.address, bigint) IS
	'an LST''s exchange rate (1e18 scale) at a block: its latest read of the token''s method at or before it';

-- A token's latest exchange-rate read at or before a time, of the given
-- method or the token's (no row if none).
CREATE FUNCTION @extschema@.token_lst_rate_at_time(chain_id bigint, token @extschema@.address,
	at timestamptz DEFAULT now(), method text DEFAULT NULL)
RETURNS TABLE (block_number bigint, at timestamptz, rate @extschema@.uint256)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT * FROM token_lst_rate_latest($1, $2, 9223372036854775807, $3, $4)
$$;
COMMENT ON FUNCTION @extschema@.token_lst_rate_at_time(bigint, @extschema@.address, timestamptz, text) IS
	'an LST''s latest exchange-rate read at or before a time (of the token''s method unless one is given)';

-- A token's exchange-rate reads over a window: first the read in effect at
-- from_ts (token_lst_rate_at_time), then every read after it up to to_ts,
-- oldest first.  The read in effect bounds the index scan of the window.
CREATE FUNCTION @extschema@.token_lst_rate_series(chain_id bigint, token @extschema@.address,
	from_ts timestamptz DEFAULT '-infinity', to_ts timestamptz DEFAULT now(), method text DEFAULT NULL)
RETURNS TABLE (block_number bigint, at timestamptz, method text, rate @extschema@.uint256)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH m(method) AS (SELECT coalesce($5, token_lst_method($1, $2))),
	first AS (SELECT p.block_number, p.at, p.rate FROM m, token_lst_rate_at_time($1, $2, $3, m.method) p)
	SELECT t.block_number, t.at, m.method, t.rate
	  FROM m, (SELECT * FROM first
			   UNION ALL
			   SELECT r.block_number, b.timestamp, r.rate
				 FROM m, lst_rates r
				 JOIN blocks b ON b.chain_id = r.chain_id AND b.number = r.block_number
				WHERE r.chain_id = $1 AND r.token = $2 AND r.method = m.method
				  AND r.block_number >= coalesce((SELECT f.block_number FROM first f), 0)
				  AND b.timestamp > $3 AND b.timestamp <= $4) t
	 ORDER BY t.block_number
$$;
COMMENT ON FUNCTION @extschema@.token_lst_rate_series(bigint, @extschema@.address, timestamptz, timestamptz, text) IS
	'an LST''s exchange-rate read in effect at from_ts, then every read up to to_ts, oldest first';

-- An oracle's latest reading (latestRoundData()) at or before a time (no
-- row if none).
-- (Its search is plpgsql, whose parameters cannot share a name with a
-- result column: token_oracle_answer_at below is the read.)
CREATE FUNCTION @extschema@.token_oracle_answer_search(chain_id bigint, oracle @extschema@.address, upto timestamptz)
RETURNS TABLE (block_number bigint, at timestamptz, round_id @extschema@.uint256, answer @extschema@.int256,
	started_at timestamptz, updated_at timestamptz, answered_in_round @extschema@.uint256)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
	lo bigint := ingest_window_from($1, 9223372036854775807, $3);
BEGIN
	-- The newest ranges up to the block of that time first, as above.
	WHILE lo IS NOT NULL LOOP
		RETURN QUERY
		SELECT o.block_number, b.timestamp, o.round_id, o.answer, o.started_at, o.updated_at, o.answered_in_round
		  FROM oracle_rounds o JOIN blocks b ON b.chain_id = o.chain_id AND b.number = o.block_number
		 WHERE o.chain_id = $1 AND o.oracle = $2 AND o.block_number >= lo AND b.number >= lo AND b.timestamp <= $3
		 ORDER BY o.block_number DESC LIMIT 1;
		EXIT WHEN FOUND OR lo = -9223372036854775807 - 1;
		lo := -9223372036854775807 - 1;
	END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@.token_oracle_answer_search(bigint, @extschema@.address, timestamptz) IS
	'token_oracle_answer_at''s search: the newest ranges up to the block of the time first, then the older ones';

CREATE FUNCTION @extschema@.token_oracle_answer_at(chain_id bigint, oracle @extschema@.address,
	at timestamptz DEFAULT now())
RETURNS TABLE (block_number bigint, at timestamptz, round_id @extschema@.uint256, answer @extschema@.int256,
	started_at timestamptz, updated_at timestamptz, answered_in_round @extschema@.uint256)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT * FROM token_oracle_answer_search($1, $2, $3)
$$;
COMMENT ON FUNCTION @extschema@.token_oracle_answer_at(bigint, @extschema@.address, timestamptz) IS
	'an oracle''s latest ingested round at or before a time';

-- An oracle's readings over a window: first the one in effect at from_ts
-- (token_oracle_answer_at), then every reading after it up to to_ts,
-- oldest first.
CREATE FUNCTION @extschema@.token_oracle_answers(chain_id bigint, oracle @extschema@.address,
	from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (block_number bigint, at timestamptz, round_id @extschema@.uint256, answer @extschema@.int256,
	updated_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH first AS (SELECT f.block_number, f.at, f.round_id, f.answer, f.updated_at
					 FROM token_oracle_answer_at($1, $2, $3) f)
	SELECT t.* FROM (
		SELECT * FROM first
		UNION ALL
		SELECT o.block_number, b.timestamp, o.round_id, o.answer, o.updated_at
		  FROM oracle_rounds o JOIN blocks b ON b.chain_id = o.chain_id AND b.number = o.block_number
		 WHERE o.chain_id = $1 AND o.oracle = $2
		   AND o.block_number >= coalesce((SELECT f.block_number FROM first f), 0)
		   AND b.timestamp > $3 AND b.timestamp <= $4) t
	 ORDER BY t.block_number
$$;
COMMENT ON FUNCTION @extschema@.token_oracle_answers(bigint, @extschema@.address, timestamptz, timestamptz) IS
	'an oracle''s round in effect at from_ts, then every reading up to to_ts, oldest first';

-- Market source lst_rate: a token's raw exchange rate (1e18 scale: a feed
-- gives it scale -18) in effect at from_ts and at every read up to to_ts.
CREATE FUNCTION @extschema@.token_market_lst_rates(chain_id bigint, token @extschema@.address,
	from_ts timestamptz, to_ts timestamptz)
RETURNS @extschema@.market_point[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce(array_agg(ROW(r.at, r.block_number, r.rate::numeric)::market_point ORDER BY r.block_number), '{}')
	  FROM token_lst_rate_series($1, $2, $3, $4) r
$$;
COMMENT ON FUNCTION @extschema@.token_market_lst_rates(bigint, @extschema@.address, timestamptz, timestamptz) IS
	'market source lst_rate: an LST''s raw exchange rate in effect at from_ts, then at every read up to to_ts';

-- Market source oracle: an oracle's raw positive answers (a feed gives
-- them scale -decimals) in effect at from_ts and at every reading up to
-- to_ts.
CREATE FUNCTION @extschema@.token_market_oracle_answers(chain_id bigint, oracle @extschema@.address,
	from_ts timestamptz, to_ts timestamptz)
RETURNS @extschema@.market_point[]
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT coalesce(array_agg(ROW(o.at, o.block_number, o.answer::numeric)::market_point ORDER BY o.block_number), '{}')
	  FROM token_oracle_answers($1, $2, $3, $4) o
	 WHERE o.answer > 0::int256
$$;
COMMENT ON FUNCTION @extschema@.token_market_oracle_answers(bigint, @extschema@.address, timestamptz, timestamptz) IS
	'market source oracle: an oracle''s raw positive answer in effect at from_ts, then at every reading up to to_ts';

INSERT INTO @extschema@.market_sources (name, provides, series, description, builtin) VALUES
	('lst_rate', 'rate', '@extschema@.token_market_lst_rates'::regproc,
	 'LST/LRT exchange rate (contract: the token), reads of the token''s method, 1e18 scale: give the feed scale -18', true),
	('oracle', 'price', '@extschema@.token_market_oracle_answers'::regproc,
	 'Chainlink-style oracle (contract: the aggregator), positive answers: give the feed scale -decimals', true);

-- They read chain data: for readers, as the tables they read.
REVOKE ALL ON FUNCTION @extschema@.token_lst_method(bigint, @extschema@.address),
	@extschema@.token_lst_rate_search(bigint, @extschema@.address, bigint, timestamptz, text),
	@extschema@.token_oracle_answer_search(bigint, @extschema@.address, timestamptz),
	@extschema@.token_lst_rate_at(bigint, @extschema@.address, bigint),
	@extschema@.token_lst_rate_at_time(bigint, @extschema@.address, timestamptz, text),
	@extschema@.token_lst_rate_latest(bigint, @extschema@.address, bigint, timestamptz, text),
	@extschema@.token_lst_rate_series(bigint, @extschema@.address, timestamptz, timestamptz, text),
	@extschema@.token_oracle_answer_at(bigint, @extschema@.address, timestamptz),
	@extschema@.token_oracle_answers(bigint, @extschema@.address, timestamptz, timestamptz),
	@extschema@.token_market_lst_rates(bigint, @extschema@.address, timestamptz, timestamptz),
	@extschema@.token_market_oracle_answers(bigint, @extschema@.address, timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.token_lst_method(bigint, @extschema@.address),
	@extschema@.token_lst_rate_search(bigint, @extschema@.address, bigint, timestamptz, text),
	@extschema@.token_oracle_answer_search(bigint, @extschema@.address, timestamptz),
	@extschema@.token_lst_rate_at(bigint, @extschema@.address, bigint),
	@extschema@.token_lst_rate_at_time(bigint, @extschema@.address, timestamptz, text),
	@extschema@.token_lst_rate_latest(bigint, @extschema@.address, bigint, timestamptz, text),
	@extschema@.token_lst_rate_series(bigint, @extschema@.address, timestamptz, timestamptz, text),
	@extschema@.token_oracle_answer_at(bigint, @extschema@.address, timestamptz),
	@extschema@.token_oracle_answers(bigint, @extschema@.address, timestamptz, timestamptz),
	@extschema@.token_market_lst_rates(bigint, @extschema@.address, timestamptz, timestamptz),
	@extschema@.token_market_oracle_answers(bigint, @extschema@.address, timestamptz, timestamptz) TO amplified_reader;
