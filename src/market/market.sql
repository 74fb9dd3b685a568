-- src/market/market.sql: the market-data layer.  Price and rate series per
-- asset, from whichever protocol provides them, as the one place where
-- yield, risk and forecasting read history (docs/market.md).
--
-- market sits before the protocol modules in the install script and knows
-- them only through two tables:
--   market_sources  a registry of functions: each source (a pool's price, an
--                   LST's exchange rate, an oracle's answer) names the
--                   function that yields its observations; the protocol
--                   modules register theirs in their own pieces.
--   market_feeds    which source, read at which contract, gives an asset's
--                   price in a quote asset (or its rate), and how its raw
--                   values are scaled and inverted.
-- A source function takes (chain_id bigint, contract address, from_ts
-- timestamptz, to_ts timestamptz) and returns market_point[]: the
-- observation in effect at from_ts (the latest at or before it, with its
-- own time), then every observation in (from_ts, to_ts], in chain order,
-- with the raw value as numeric.

-- One observation of a source: its block time, its block and the raw value.
CREATE TYPE @extschema@.market_point AS (
	at				timestamptz,
	block_number	bigint,
	value			numeric
);
COMMENT ON TYPE @extschema@.market_point IS
	'one observation of a market source: block time, block number, raw value (what source functions return, as an array)';

CREATE TABLE @extschema@.market_sources (
	name			text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
	provides		text NOT NULL CHECK (provides IN ('price', 'rate')),
	series			regproc NOT NULL,
	description		text NOT NULL,
	builtin			boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE @extschema@.market_sources IS
	'Sources of market data: what each provides (price or rate) and the function that yields its observations (registered by the protocol modules)';
-- Rows the modules register at install are rebuilt by CREATE EXTENSION;
-- pg_dump keeps the ones users add.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.market_sources', 'WHERE NOT builtin');

-- market_sources is a registry of functions (src/amplified.sql): only the
-- extension owner's functions, of exactly the slot's signature, and called
-- by their schema-qualified names.
CREATE TRIGGER market_sources_check BEFORE INSERT OR UPDATE ON @extschema@.market_sources
	FOR EACH ROW EXECUTE FUNCTION @extschema@.registry_check_row(
		'series', 'bigint,@extschema@.address,timestamptz,timestamptz', '@extschema@.market_point[]');
CREATE TRIGGER market_sources_keep_builtin BEFORE UPDATE OR DELETE ON @extschema@.market_sources
	FOR EACH ROW EXECUTE FUNCTION @extschema@.registry_keep_builtin('description');

-- A feed: asset's price in quote (or asset's rate, quote then naming the
-- underlying if wanted) from a source read at a contract.  The source's raw
-- value is multiplied by 10^scale, then inverted (1 / value) if inverted.
-- When several feeds fit a question and no source is named, the lowest
-- priority wins (then the lowest id).
CREATE TABLE @extschema@.market_feeds (
	id				bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	chain_id		bigint NOT NULL,
	asset			@extschema@.address NOT NULL,
	quote			@extschema@.address,
	source			text NOT NULL REFERENCES @extschema@.market_sources ON UPDATE CASCADE ON DELETE RESTRICT,
	contract		@extschema@.address NOT NULL,
	scale			integer NOT NULL DEFAULT 0 CHECK (scale BETWEEN -77 AND 77),
	inverted		boolean NOT NULL DEFAULT false,
	priority		integer NOT NULL DEFAULT 100,
	description		text,
	UNIQUE NULLS NOT DISTINCT (chain_id, asset, quote, source, contract)
);
CREATE INDEX market_feeds_asset_idx ON @extschema@.market_feeds (chain_id, asset, quote);
COMMENT ON TABLE @extschema@.market_feeds IS
	'Which source, read at which contract, gives an asset''s price in a quote (or its rate); raw value * 10^scale, inverted if asked';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.market_feeds', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.market_feeds_id_seq', '');

-- A price feed names its quote, and its source must provide what it is
-- used for.
CREATE FUNCTION @extschema@.market_feeds_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	p text := (SELECT s.provides FROM @extschema@.market_sources s WHERE s.name = NEW.source);
BEGIN
	IF p = 'price' AND NEW.quote IS NULL THEN
		RAISE EXCEPTION 'a price feed needs a quote asset' USING ERRCODE = 'not_null_violation',
			DETAIL = format('Source "%s" provides prices: say in which asset the price of %s is quoted.', NEW.source, NEW.asset);
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER market_feeds_check BEFORE INSERT OR UPDATE ON @extschema@.market_feeds
	FOR EACH ROW EXECUTE FUNCTION @extschema@.market_feeds_check();
REVOKE ALL ON FUNCTION @extschema@.market_feeds_check() FROM PUBLIC;

-- Rejects a window or bucket the series cannot serve (22023): a NULL or
-- reversed window, a bucket that is not positive or has months or years
-- (their length varies; a day counts as 86400 seconds), or one that cuts
-- the window into more than 100000 buckets, which needs finite bounds.
CREATE FUNCTION @extschema@.market_check_window(from_ts timestamptz, to_ts timestamptz, bucket interval)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF from_ts IS NULL OR to_ts IS NULL OR from_ts > to_ts THEN
		RAISE EXCEPTION 'from_ts must not be NULL nor after to_ts' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = format('The window was %s to %s.', coalesce(from_ts::text, 'NULL'), coalesce(to_ts::text, 'NULL'));
	END IF;
	IF bucket IS NULL THEN
		RETURN;
	END IF;
	IF extract(month FROM bucket) <> 0 OR extract(year FROM bucket) <> 0 OR bucket <= interval '0' THEN
		RAISE EXCEPTION 'bucket must be a positive interval of days, hours, minutes or seconds, not "%"', bucket
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Months and years vary in length; a day counts as 86400 seconds.';
	END IF;
	IF NOT isfinite(from_ts) OR NOT isfinite(to_ts)
	   OR extract(epoch FROM to_ts - from_ts) / extract(epoch FROM bucket) > 100000 THEN
		RAISE EXCEPTION 'bucket "%" cuts the window into too many buckets', bucket
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A bucketed series needs finite bounds and at most 100000 buckets.';
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.market_check_window(timestamptz, timestamptz, interval) IS
	'refuse a NULL or reversed window, or a bucket that is not a positive fixed length or makes over 100000 buckets (22023)';

-- The feed that answers for an asset (and quote) of a kind: the one of the
-- named source, else the one of lowest priority.  42704 for an unknown
-- source (or one that provides the other kind), 55000 when no feed is
-- configured.
CREATE FUNCTION @extschema@.market_feed(chain_id bigint, asset @extschema@.address, quote @extschema@.address,
	provides text, source text DEFAULT NULL)
RETURNS @extschema@.market_feeds
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	f market_feeds;
	p text;
BEGIN
	IF source IS NOT NULL THEN
		SELECT s.provides INTO p FROM market_sources s WHERE s.name = market_feed.source;
		IF p IS DISTINCT FROM market_feed.provides THEN
			RAISE EXCEPTION 'unknown % source "%"', market_feed.provides, market_feed.source
				USING ERRCODE = 'undefined_object',
					  HINT = format('The %s sources are listed in market_sources: %s.', market_feed.provides,
						  coalesce((SELECT string_agg(s.name, ', ' ORDER BY s.name) FROM market_sources s
									 WHERE s.provides = market_feed.provides), 'none'));
		END IF;
	END IF;
	SELECT x.* INTO f
	  FROM market_feeds x JOIN market_sources s ON s.name = x.source
	 WHERE x.chain_id = market_feed.chain_id AND x.asset = market_feed.asset
	   AND (market_feed.provides = 'rate' OR x.quote = market_feed.quote)
	   AND s.provides = market_feed.provides
	   AND (market_feed.source IS NULL OR x.source = market_feed.source)
	 ORDER BY x.priority, x.id LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no % feed of % configured on chain %', provides,
			CASE WHEN provides = 'price' THEN format('%s in %s', asset, quote) ELSE asset::text END, chain_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Add a row to market_feeds naming the source and the contract to read (docs/market.md).';
	END IF;
	RETURN f;
END
$$;
COMMENT ON FUNCTION @extschema@.market_feed(bigint, @extschema@.address, @extschema@.address, text, text) IS
	'the feed that answers for an asset''s price in a quote (or its rate): of the named source, else of lowest priority';

-- A feed's observations over the window, scaled and inverted: the
-- observation in effect at from_ts, then every one in (from_ts, to_ts].
CREATE FUNCTION @extschema@.market_feed_points(f @extschema@.market_feeds, from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (at timestamptz, block_number bigint, value numeric)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	pts market_point[];
	fn text := (SELECT registry_call_name(s.series) FROM market_sources s WHERE s.name = f.source);
BEGIN
	IF fn IS NULL THEN
		RAISE EXCEPTION 'unknown market source "%"', f.source USING ERRCODE = 'undefined_object';
	END IF;
	EXECUTE format('SELECT %s($1, $2, $3, $4)', fn) INTO pts USING f.chain_id, f.contract, from_ts, to_ts;
	RETURN QUERY
	SELECT p.at, p.block_number,
		   CASE WHEN NOT f.inverted THEN v.x WHEN v.x <> 0 THEN 1 / v.x END
	  FROM unnest(pts) WITH ORDINALITY p(at, block_number, value, o)
	 CROSS JOIN LATERAL (SELECT p.value * ('1e' || f.scale)::numeric AS x) v
	 WHERE p.value IS NOT NULL
	 ORDER BY p.o;
END
$$;
COMMENT ON FUNCTION @extschema@.market_feed_points(@extschema@.market_feeds, timestamptz, timestamptz) IS
	'a feed''s scaled (and inverted) observations: the one in effect at from_ts, then those up to to_ts';

-- A feed's series: without a bucket, every observation in (from_ts, to_ts]
-- after the one in effect at from_ts; with a bucket, one row per bucket end
-- from_ts, from_ts + bucket, ... up to to_ts, holding the last observation
-- at or before that end (a bucket without observations repeats the last
-- value; none before the first known value).
CREATE FUNCTION @extschema@.market_series(f @extschema@.market_feeds, from_ts timestamptz, to_ts timestamptz,
	bucket interval)
RETURNS TABLE (at timestamptz, block_number bigint, value numeric)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	WITH pts AS (
		SELECT p.*, row_number() OVER () AS o FROM market_feed_points($1, $2, $3) p),
	w(secs) AS (SELECT extract(epoch FROM $4)),
	-- each observation's bucket: the first k whose end from_ts + k * bucket
	-- is at or after it; the last observation of each
	per AS (
		SELECT DISTINCT ON (b.k) b.k, p.block_number, p.value
		  FROM w, pts p
		 CROSS JOIN LATERAL (SELECT greatest(0, ceil(extract(epoch FROM p.at - $2) / w.secs))::bigint AS k) b
		 WHERE w.secs IS NOT NULL
		 ORDER BY b.k, p.o DESC),
	grid AS (
		SELECT g.k, $2 + make_interval(secs => g.k * w.secs) AS at, per.block_number, per.value,
			   count(per.k) OVER (ORDER BY g.k) AS grp
		  FROM w CROSS JOIN LATERAL generate_series(0, floor(extract(epoch FROM $3 - $2) / w.secs)::bigint) g(k)
		  LEFT JOIN per ON per.k = g.k
		 WHERE w.secs IS NOT NULL)
	SELECT t.at, t.block_number, t.value
	  FROM (SELECT p.at, p.block_number, p.value, p.o AS ord FROM pts p WHERE $4 IS NULL
			UNION ALL
			SELECT g.at, first_value(g.block_number) OVER x, first_value(g.value) OVER x, g.k
			  FROM grid g
			 WHERE g.grp > 0
			WINDOW x AS (PARTITION BY g.grp ORDER BY g.k)) t
	 ORDER BY t.ord
$$;
COMMENT ON FUNCTION @extschema@.market_series(@extschema@.market_feeds, timestamptz, timestamptz, interval) IS
	'a feed''s observations over a window, or with a bucket the last observation at or before each bucket end';

-- A series of the feed that answers for an asset (and quote) of a kind:
-- the window and bucket checked, the feed chosen (market_feed), its
-- observations (market_series), each with the feed's source.
CREATE FUNCTION @extschema@.market_feed_series(chain_id bigint, asset @extschema@.address, quote @extschema@.address,
	provides text, from_ts timestamptz, to_ts timestamptz, bucket interval, source_name text)
RETURNS TABLE (at timestamptz, block_number bigint, value numeric, source text)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	f market_feeds;
BEGIN
	PERFORM market_check_window(from_ts, to_ts, bucket);
	f := market_feed(chain_id, asset, quote, provides, source_name);
	RETURN QUERY SELECT s.at, s.block_number, s.value, f.source FROM market_series(f, from_ts, to_ts, bucket) s;
END
$$;
COMMENT ON FUNCTION @extschema@.market_feed_series(bigint, @extschema@.address, @extschema@.address, text, timestamptz, timestamptz, interval, text) IS
	'the series of the feed that answers for an asset''s price in a quote (or its rate), each row with its source';

-- ---- the API ----

-- An asset's price in a quote asset over (from_ts, to_ts]: the price in
-- effect at from_ts (its own time, at or before from_ts), then every
-- observation up to to_ts; with a bucket, the last price at or before each
-- bucket end from_ts + k * bucket (docs/market.md).
CREATE FUNCTION @extschema@.market_price_series(chain_id bigint, asset @extschema@.address, quote @extschema@.address,
	from_ts timestamptz, to_ts timestamptz, bucket interval DEFAULT NULL, source text DEFAULT NULL)
RETURNS TABLE (at timestamptz, block_number bigint, value float8, source text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT s.at, s.block_number, s.value::float8, s.source FROM market_feed_series($1, $2, $3, 'price', $4, $5, $6, $7) s
$$;
COMMENT ON FUNCTION @extschema@.market_price_series(bigint, @extschema@.address, @extschema@.address, timestamptz, timestamptz, interval, text) IS
	'an asset''s price in a quote over a window (the price in effect at from_ts first), or the last price per bucket';

-- An asset's rate (an LST's exchange rate, in whole units of its
-- underlying) over a window: as market_price_series, exact.
CREATE FUNCTION @extschema@.market_rate_series(chain_id bigint, asset @extschema@.address,
	from_ts timestamptz, to_ts timestamptz, bucket interval DEFAULT NULL, source text DEFAULT NULL)
RETURNS TABLE (at timestamptz, block_number bigint, value numeric, source text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT s.at, s.block_number, s.value, s.source FROM market_feed_series($1, $2, NULL, 'rate', $3, $4, $5, $6) s
$$;
COMMENT ON FUNCTION @extschema@.market_rate_series(bigint, @extschema@.address, timestamptz, timestamptz, interval, text) IS
	'an asset''s rate over a window (the rate in effect at from_ts first), or the last rate per bucket; exact';

-- An asset's price in a quote at a time: the latest observation at or
-- before it (NULL when there is none).
CREATE FUNCTION @extschema@.market_price_at(chain_id bigint, asset @extschema@.address, quote @extschema@.address,
	at timestamptz DEFAULT now(), source text DEFAULT NULL)
RETURNS float8
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT s.value FROM market_price_series($1, $2, $3, $4, $4, NULL, $5) s ORDER BY s.at DESC, s.block_number DESC LIMIT 1
$$;
COMMENT ON FUNCTION @extschema@.market_price_at(bigint, @extschema@.address, @extschema@.address, timestamptz, text) IS
	'an asset''s price in a quote at a time (latest observation at or before it)';

-- An asset's rate at a time, exact (NULL when there is none).
CREATE FUNCTION @extschema@.market_rate_at(chain_id bigint, asset @extschema@.address,
	at timestamptz DEFAULT now(), source text DEFAULT NULL)
RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
	SELECT s.value FROM market_rate_series($1, $2, $3, $3, NULL, $4) s ORDER BY s.at DESC, s.block_number DESC LIMIT 1
$$;
COMMENT ON FUNCTION @extschema@.market_rate_at(bigint, @extschema@.address, timestamptz, text) IS
	'an asset''s rate at a time (latest observation at or before it), exact';

-- Sources and feeds are configuration: readers see them, the admin writes.
REVOKE ALL ON @extschema@.market_sources, @extschema@.market_feeds FROM PUBLIC;
GRANT SELECT ON @extschema@.market_sources, @extschema@.market_feeds TO amplified_reader;
GRANT INSERT, UPDATE, DELETE ON @extschema@.market_feeds TO amplified_admin;
-- Every column of a source but builtin (the install script's rows).
GRANT INSERT (name, provides, series, description), UPDATE (name, provides, series, description), DELETE
	ON @extschema@.market_sources TO amplified_admin;
REVOKE ALL ON FUNCTION @extschema@.market_feed(bigint, @extschema@.address, @extschema@.address, text, text),
	@extschema@.market_feed_points(@extschema@.market_feeds, timestamptz, timestamptz),
	@extschema@.market_series(@extschema@.market_feeds, timestamptz, timestamptz, interval),
	@extschema@.market_feed_series(bigint, @extschema@.address, @extschema@.address, text, timestamptz, timestamptz, interval, text),
	@extschema@.market_price_series(bigint, @extschema@.address, @extschema@.address, timestamptz, timestamptz, interval, text),
	@extschema@.market_rate_series(bigint, @extschema@.address, timestamptz, timestamptz, interval, text),
	@extschema@.market_price_at(bigint, @extschema@.address, @extschema@.address, timestamptz, text),
	@extschema@.market_rate_at(bigint, @extschema@.address, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.market_feed(bigint, @extschema@.address, @extschema@.address, text, text),
	@extschema@.market_feed_points(@extschema@.market_feeds, timestamptz, timestamptz),
	@extschema@.market_series(@extschema@.market_feeds, timestamptz, timestamptz, interval),
	@extschema@.market_feed_series(bigint, @extschema@.address, @extschema@.address, text, timestamptz, timestamptz, interval, text),
	@extschema@.market_price_series(bigint, @extschema@.address, @extschema@.address, timestamptz, timestamptz, interval, text),
	@extschema@.market_rate_series(bigint, @extschema@.address, timestamptz, timestamptz, interval, text),
	@extschema@.market_price_at(bigint, @extschema@.address, @extschema@.address, timestamptz, text),
	@extschema@.market_rate_at(bigint, @extschema@.address, timestamptz, text) TO amplified_reader;
