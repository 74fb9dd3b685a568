-- src/forecast/forecast.sql: models trained and served in SQL (docs/forecast.md).
-- The C functions are in the module's own library, amplified_forecast,
-- loaded by a backend on first use.

-- The trainings and backtests running now, one row per backend.
CREATE FUNCTION @extschema@.forecast_progress(
	OUT pid int, OUT userid oid, OUT task text, OUT project text, OUT kind text,
	OUT model_id bigint, OUT phase text, OUT done bigint, OUT total bigint,
	OUT started timestamptz, OUT updated timestamptz)
RETURNS SETOF record
AS '$libdir/amplified_forecast', 'forecast_progress'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION @extschema@.forecast_progress() IS
	'the trainings and backtests running now (what v_forecast_progress shows)';

-- ---- the kinds on arrays (no registry) ----

-- A trained model as a value: its kind, the seed it was trained with, its
-- serialized state, a summary for people (coefficients, order, states ...),
-- and the in-sample figures (residual standard deviation, log-likelihood,
-- AIC, number of parameters) when the kind has them.
CREATE TYPE @extschema@.forecast_fit AS (
	kind		text,
	seed		bigint,
	state		bytea,
	summary		jsonb,
	sigma		float8,
	loglik		float8,
	aic			float8,
	nparams		int
);
COMMENT ON TYPE @extschema@.forecast_fit IS
	'a model trained on arrays by forecast_fit: kind, seed, serialized state, summary and in-sample figures';

CREATE FUNCTION @extschema@.forecast_fit(kind text, y float8[], x float8[] DEFAULT NULL,
	params jsonb DEFAULT '{}')
RETURNS @extschema@.forecast_fit
AS '$libdir/amplified_forecast', 'forecast_fit'
LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_fit(text, float8[], float8[], jsonb) IS
	'train a model kind on arrays: y the target (or the series, oldest first), x the features (rows by columns); params as forecast_train';

CREATE FUNCTION @extschema@.forecast_fit_predict(fit @extschema@.forecast_fit, x float8[])
RETURNS float8[]
AS '$libdir/amplified_forecast', 'forecast_fit_predict'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_fit_predict(@extschema@.forecast_fit, float8[]) IS
	'a feature model''s prediction for each row of x (one row when x has one dimension)';

CREATE FUNCTION @extschema@.forecast_fit_forecast(fit @extschema@.forecast_fit, horizon int,
	y float8[] DEFAULT NULL)
RETURNS TABLE (step int, mean float8, sd float8)
AS '$libdir/amplified_forecast', 'forecast_fit_forecast'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_fit_forecast(@extschema@.forecast_fit, int, float8[]) IS
	'a series model''s forecast 1..horizon steps after its training series (or after y, with the fitted parameters): mean and standard deviation';

CREATE FUNCTION @extschema@.forecast_fit_regime(fit @extschema@.forecast_fit, y float8[] DEFAULT NULL,
	OUT state int, OUT label text, OUT probs float8[], OUT labels text[])
RETURNS record
AS '$libdir/amplified_forecast', 'forecast_fit_regime'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.forecast_fit_regime(@extschema@.forecast_fit, float8[]) IS
	'a regime model''s most likely state at the end of its training series (or of y), its label, and every state''s probability and label';

-- Math on the caller's arrays: analysts and up.  forecast_progress shows
-- who trains what: readers see it (dashboards).
REVOKE ALL ON FUNCTION @extschema@.forecast_fit(text, float8[], float8[], jsonb),
	@extschema@.forecast_fit_predict(@extschema@.forecast_fit, float8[]),
	@extschema@.forecast_fit_forecast(@extschema@.forecast_fit, int, float8[]),
	@extschema@.forecast_fit_regime(@extschema@.forecast_fit, float8[]),
	@extschema@.forecast_progress() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.forecast_fit(text, float8[], float8[], jsonb),
	@extschema@.forecast_fit_predict(@extschema@.forecast_fit, float8[]),
	@extschema@.forecast_fit_forecast(@extschema@.forecast_fit, int, float8[]),
	@extschema@.forecast_fit_regime(@extschema@.forecast_fit, float8[]) TO amplified_analyst;
GRANT EXECUTE ON FUNCTION @extschema@.forecast_progress() TO amplified_reader;

-- ---- the registry ----

-- A project: a name under which models of one task are trained, compared
-- and deployed (one live model at a time).  regression: feature models
-- (linear, ridge, xgboost); series: series models (arima, garch, hmm, lstm).
CREATE TABLE @extschema@.forecast_projects (
	name		text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
	task		text NOT NULL CHECK (task IN ('regression', 'series')),
	created_by	name NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.forecast_projects IS
	'forecasting projects: a name, its task (regression or series), who created it and when';
-- Projects, models, deployments and backtests are the books of forecasting:
-- dumped (the states' seals verify under the dumped forecast_keys).
SELECT pg_catalog.pg_extension_config_dump('@extschema@.forecast_projects', '');

-- A trained model: everything needed to serve it, to retrain it
-- identically (kind, params, source, target, seed) and to judge it.
CREATE TABLE @extschema@.forecast_models (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project		text NOT NULL REFERENCES @extschema@.forecast_projects (name) ON DELETE CASCADE,
	kind		text NOT NULL,
	params		jsonb NOT NULL,
	source		text NOT NULL,
	target		text NOT NULL,
	features	text[] NOT NULL,
	time_column	text,
	train_rows	int NOT NULL,
	train_from	timestamptz,
	train_to	timestamptz,
	seed		bigint NOT NULL,
	state		bytea NOT NULL,
	summary		jsonb,
	metrics		jsonb NOT NULL,
	trained_by	name NOT NULL,
	trained_at	timestamptz NOT NULL DEFAULT now(),
	train_seconds float8 NOT NULL
);
CREATE INDEX forecast_models_project_idx ON @extschema@.forecast_models (project, id);
COMMENT ON TABLE @extschema@.forecast_models IS
	'trained models: kind, hyper-parameters, source query, target, features, training window, seed, serialized state, summary, in-sample metrics, who trained it and when';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.forecast_models', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.forecast_models_id_seq', '');

-- Deployments, newest last: the live model of a project is its latest
-- deployment's.  previous_id is the deployment that was live before this
-- one; a rollback goes back to it (so repeated rollbacks walk back).
CREATE TABLE @extschema@.forecast_deployments (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project		text NOT NULL REFERENCES @extschema@.forecast_projects (name) ON DELETE CASCADE,
	model_id	bigint NOT NULL REFERENCES @extschema@.forecast_models (id) ON DELETE CASCADE,
	previous_id	bigint REFERENCES @extschema@.forecast_deployments (id) ON DELETE SET NULL,
	reason		text NOT NULL CHECK (reason IN ('first model', 'deploy', 'rollback')),
	deployed_by	name NOT NULL,
	deployed_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX forecast_deployments_project_idx ON @extschema@.forecast_deployments (project, id);
COMMENT ON TABLE @extschema@.forecast_deployments IS
	'model deployments, newest last: a project''s live model is its latest deployment''s; previous_id is what a rollback returns to';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.forecast_deployments', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.forecast_deployments_id_seq', '');

-- Walk-forward backtests and their folds: each fold's training rows
-- [train_first_row, train_last_row] end before its origin_row by at least
-- the purge gap; its forecast covers [origin_row, test_last_row].  Rows are
-- numbered from 1 in the order of the model's source.
CREATE TABLE @extschema@.forecast_backtests (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	model_id	bigint NOT NULL REFERENCES @extschema@.forecast_models (id) ON DELETE CASCADE,
	folds		int NOT NULL,
	horizon		int NOT NULL,
	purge		int NOT NULL,
	min_train	int NOT NULL,
	season		int,
	level		float8 NOT NULL,
	rolling_window int,
	average_window int NOT NULL,
	rows		int NOT NULL,
	run_by		name NOT NULL,
	started_at	timestamptz NOT NULL,
	finished_at	timestamptz
);
CREATE INDEX forecast_backtests_model_idx ON @extschema@.forecast_backtests (model_id, id);
COMMENT ON TABLE @extschema@.forecast_backtests IS
	'walk-forward backtests of models: folds, horizon, purge gap, minimum training rows, season, interval level, rolling window, baseline mean window';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.forecast_backtests', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.forecast_backtests_id_seq', '');

CREATE TABLE @extschema@.forecast_backtest_folds (
	backtest_id	bigint NOT NULL REFERENCES @extschema@.forecast_backtests (id) ON DELETE CASCADE,
	fold		int NOT NULL,
	method		text NOT NULL CHECK (method IN ('model', 'naive', 'mean', 'seasonal_naive')),
	train_first_row int NOT NULL,
	train_last_row int NOT NULL,
	origin_row	int NOT NULL,
	test_last_row int NOT NULL,
	origin_at	timestamptz,
	mae			float8,
	rmse		float8,
	mase		float8,
	direction	float8,
	coverage	float8,
	PRIMARY KEY (backtest_id, fold, method),
	CHECK (train_last_row < origin_row)
);
COMMENT ON TABLE @extschema@.forecast_backtest_folds IS
	'each fold of a backtest, per method (the model and the naive baselines): training and test rows, and MAE, RMSE, MASE, directional accuracy, interval coverage';
SELECT pg_catalog.pg_extension_config_dump('@extschema@.forecast_backtest_folds', '');

-- Registry writes, called by forecast_train as the tables' owner: the
-- project (created on first use, locked so that two first trainings cannot
-- both deploy), the model, its deployment when the project has no live
-- model.  Returns the model's id.
CREATE FUNCTION @extschema@.forecast_record_model(project text, task text, kind text, params jsonb,
	source text, target text, features text[], time_column text, train_rows int,
	train_from timestamptz, train_to timestamptz, seed bigint, state bytea, summary jsonb,
	metrics jsonb, trained_by name, train_seconds float8)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	p forecast_projects;
	mid bigint;
BEGIN
	INSERT INTO forecast_projects (name, task, created_by) VALUES ($1, $2, $16)
		ON CONFLICT (name) DO NOTHING;
	SELECT * INTO p FROM forecast_projects f WHERE f.name = $1 FOR UPDATE;
	IF p.task <> $2 THEN
		RAISE EXCEPTION 'project "%" holds % models, and kind % is a % model', $1, p.task, $3,
			CASE $2 WHEN 'series' THEN 'series' ELSE 'regression' END
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use another project for it.';
	END IF;
	INSERT INTO forecast_models (project, kind, params, source, target, features, time_column,
		train_rows, train_from, train_to, seed, state, summary, metrics, trained_by, train_seconds)
	VALUES ($1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
	RETURNING id INTO mid;
	IF NOT EXISTS (SELECT FROM forecast_deployments d WHERE d.project = $1) THEN
		INSERT INTO forecast_deployments (project, model_id, reason, deployed_by)
		VALUES ($1, mid, 'first model', $16);
	END IF;
	RETURN mid;
END
$$;
COMMENT ON FUNCTION @extschema@.forecast_record_model(text, text, text, jsonb, text, text, text[], text, int,
	timestamptz, timestamptz, bigint, bytea, jsonb, jsonb, name, float8) IS
	'internal: records a trained model (and its first deployment), called by forecast_train as the registry''s owner';

-- ---- the API ----

CREATE FUNCTION @extschema@.forecast_train(project text, kind text, source text, target text,
	params jsonb DEFAULT '{}')
RETURNS bigint
AS '$libdir/amplified_forecast', 'forecast_train'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.forecast_train(text, text, text, text, jsonb) IS
	'train a model of a kind on the rows of a query (target column; the other number columns are the features; series kinds: the target in time order) and record it; deployed when the project has no live model; returns the model id';

-- Deploy a model: it becomes its project's live model.
CREATE FUNCTION @extschema@.forecast_deploy(model_id bigint)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	m forecast_models;
	live forecast_deployments;
	did bigint;
BEGIN
	SELECT * INTO m FROM forecast_models f WHERE f.id = $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model % does not exist', $1 USING ERRCODE = 'undefined_object';
	END IF;
	PERFORM FROM forecast_projects p WHERE p.name = m.project FOR UPDATE;
	SELECT * INTO live FROM forecast_deployments d WHERE d.project = m.project ORDER BY d.id DESC LIMIT 1;
	IF FOUND AND live.model_id = m.id THEN
		RAISE NOTICE 'model % is already the live model of project "%"', m.id, m.project;
		RETURN live.id;
	END IF;
	INSERT INTO forecast_deployments (project, model_id, previous_id, reason, deployed_by)
	VALUES (m.project, m.id, live.id, 'deploy', session_user)
	RETURNING id INTO did;
	RETURN did;
END
$$;
COMMENT ON FUNCTION @extschema@.forecast_deploy(bigint) IS
	'make a model its project''s live model; returns the deployment id';

-- Roll a project back to the model that was live before its live one.
CREATE FUNCTION @extschema@.forecast_rollback(project text)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, @extschema@, pg_temp
AS $$
DECLARE
	live forecast_deployments;
	prev forecast_deployments;
	did bigint;
BEGIN
	PERFORM FROM forecast_projects p WHERE p.name = $1 FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'project "%" does not exist', $1 USING ERRCODE = 'undefined_object';
	END IF;
	SELECT * INTO live FROM forecast_deployments d WHERE d.project = $1 ORDER BY d.id DESC LIMIT 1;
	SELECT * INTO prev FROM forecast_deployments d WHERE d.id = live.previous_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'project "%" has no earlier deployment to roll back to', $1
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Model %s is live and was the first deployed.', live.model_id);
	END IF;
	INSERT INTO forecast_deployments (project, model_id, previous_id, reason, deployed_by)
	VALUES ($1, prev.model_id, prev.previous_id, 'rollback', session_user)
	RETURNING id INTO did;
	RETURN prev.model_id;
END
$$;
COMMENT ON FUNCTION @extschema@.forecast_rollback(text) IS
	'roll a project back to the model that was live before its live one (repeated: further back); returns that model''s id';

CREATE FUNCTION @extschema@.forecast_predict(project text, features jsonb)
RETURNS float8
AS '$libdir/amplified_forecast', 'forecast_predict'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION @extschema@.forecast_predict(text, jsonb) IS
	'the live feature model''s prediction for one row of features (a JSON object of feature names and numbers)';

CREATE FUNCTION @extschema@.forecast_predict_batch(project text, source text)
RETURNS TABLE (ord bigint, prediction float8)
AS '$libdir/amplified_forecast', 'forecast_predict_batch'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION @extschema@.forecast_predict_batch(text, text) IS
	'the live feature model''s prediction for every row of a query (its columns named as the features), numbered in the query''s order';

CREATE FUNCTION @extschema@.forecast_predict_horizon(project text, horizon int,
	recent float8[] DEFAULT NULL, level float8 DEFAULT 0.95)
RETURNS TABLE (step int, mean float8, sd float8, lo float8, hi float8, model_id bigint)
AS '$libdir/amplified_forecast', 'forecast_predict_horizon'
LANGUAGE C STABLE;
COMMENT ON FUNCTION @extschema@.forecast_predict_horizon(text, int, float8[], float8) IS
	'the live series model''s forecast 1..horizon steps after its training series (or after recent), with a central interval at level';

CREATE FUNCTION @extschema@.forecast_regime(project text, recent float8[] DEFAULT NULL,
	OUT model_id bigint, OUT state int, OUT label text, OUT probs float8[], OUT labels text[])
RETURNS record
AS '$libdir/amplified_forecast', 'forecast_regime'
LANGUAGE C STABLE;
COMMENT ON FUNCTION @extschema@.forecast_regime(text, float8[]) IS
	'the live regime model''s most likely state at the end of its training series (or of recent), its label, and every state''s probability and label';

CREATE FUNCTION @extschema@.forecast_backtest(model_id bigint, folds int DEFAULT 5, horizon int DEFAULT 1,
	purge int DEFAULT 0, min_train int DEFAULT NULL, season int DEFAULT NULL, level float8 DEFAULT 0.8,
	rolling_window int DEFAULT NULL, average_window int DEFAULT 5)
RETURNS bigint
AS '$libdir/amplified_forecast', 'forecast_backtest'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION @extschema@.forecast_backtest(bigint, int, int, int, int, int, float8, int, int) IS
	'walk-forward backtest of a model: retrain before each origin (less purge rows), forecast horizon rows, score beside naive baselines; returns the backtest id';

-- ---- views ----

CREATE VIEW @extschema@.v_forecast_progress AS
SELECT p.pid, r.rolname AS username, p.task, p.project, p.kind, p.model_id, p.phase,
	   p.done, p.total,
	   CASE WHEN p.total > 0 THEN round(100.0 * p.done / p.total, 1) END AS percent,
	   p.started, p.updated, now() - p.started AS elapsed
  FROM @extschema@.forecast_progress() p
  LEFT JOIN pg_catalog.pg_roles r ON r.oid = p.userid;
COMMENT ON VIEW @extschema@.v_forecast_progress IS
	'trainings and backtests running now: backend, user, project, kind, phase, step of total, percent, started, last report, elapsed';

-- Each backtest's scores per method, averaged over its folds.
CREATE VIEW @extschema@.v_forecast_backtests AS
SELECT b.id AS backtest_id, b.model_id, m.project, m.kind, f.method, count(*)::int AS folds,
	   b.horizon, b.purge, avg(f.mae) AS mae, avg(f.rmse) AS rmse, avg(f.mase) AS mase,
	   avg(f.direction) AS direction, avg(f.coverage) AS coverage, b.level,
	   max(f.train_last_row) AS last_train_row, b.finished_at AS at
  FROM @extschema@.forecast_backtests b
  JOIN @extschema@.forecast_models m ON m.id = b.model_id
  JOIN @extschema@.forecast_backtest_folds f ON f.backtest_id = b.id
 WHERE b.finished_at IS NOT NULL
 GROUP BY b.id, m.project, m.kind, f.method;
COMMENT ON VIEW @extschema@.v_forecast_backtests IS
	'each finished backtest''s mean scores per method (model and baselines) over its folds';

-- Each model beside its baselines in its latest finished backtest.
CREATE VIEW @extschema@.v_forecast_models AS
WITH latest AS (
	SELECT DISTINCT ON (b.model_id) b.model_id, b.id
	  FROM @extschema@.forecast_backtests b
	 WHERE b.finished_at IS NOT NULL
	 ORDER BY b.model_id, b.id DESC),
scores AS (
	SELECT v.* FROM @extschema@.v_forecast_backtests v JOIN latest l ON l.id = v.backtest_id),
live AS (
	SELECT DISTINCT ON (d.project) d.project, d.model_id
	  FROM @extschema@.forecast_deployments d ORDER BY d.project, d.id DESC),
cmp AS (
	SELECT s.model_id,
		   max(s.rmse) FILTER (WHERE s.method = 'model') AS rmse,
		   max(s.mae) FILTER (WHERE s.method = 'model') AS mae,
		   max(s.mase) FILTER (WHERE s.method = 'model') AS mase,
		   max(s.direction) FILTER (WHERE s.method = 'model') AS direction,
		   max(s.coverage) FILTER (WHERE s.method = 'model') AS coverage,
		   max(s.rmse) FILTER (WHERE s.method = 'naive') AS naive_rmse,
		   max(s.rmse) FILTER (WHERE s.method = 'mean') AS mean_rmse,
		   max(s.rmse) FILTER (WHERE s.method = 'seasonal_naive') AS seasonal_naive_rmse,
		   max(s.backtest_id) AS backtest_id, max(s.folds) AS folds
	  FROM scores s GROUP BY s.model_id)
SELECT m.id AS model_id, m.project, m.kind, (l.model_id IS NOT NULL) AS live,
	   m.trained_at, m.trained_by, m.seed, m.train_rows, m.train_from, m.train_to,
	   c.backtest_id, c.folds, c.rmse, c.mae, c.mase, c.direction, c.coverage,
	   c.naive_rmse, c.mean_rmse, c.seasonal_naive_rmse, b.best_baseline, b.best_baseline_rmse,
	   1 - c.rmse / NULLIF(b.best_baseline_rmse, 0) AS skill,
	   CASE WHEN c.backtest_id IS NULL THEN 'not backtested'
			WHEN c.rmse < b.best_baseline_rmse THEN 'beats the baselines'
			ELSE 'does not beat ' || b.best_baseline END AS verdict,
	   m.trained_at AS at
  FROM @extschema@.forecast_models m
  LEFT JOIN live l ON l.model_id = m.id
  LEFT JOIN cmp c ON c.model_id = m.id
  LEFT JOIN LATERAL (
	SELECT x.name AS best_baseline, x.rmse AS best_baseline_rmse
	  FROM (VALUES ('naive', c.naive_rmse), ('mean', c.mean_rmse), ('seasonal_naive', c.seasonal_naive_rmse)) x(name, rmse)
	 WHERE x.rmse IS NOT NULL ORDER BY x.rmse LIMIT 1) b ON true;
COMMENT ON VIEW @extschema@.v_forecast_models IS
	'every model, whether it is live, and its skill in its latest backtest against the best naive baseline (skill = 1 - rmse / baseline rmse; verdict says whether it beats them)';

REVOKE ALL ON @extschema@.forecast_projects, @extschema@.forecast_models, @extschema@.forecast_deployments,
	@extschema@.forecast_backtests, @extschema@.forecast_backtest_folds,
	@extschema@.v_forecast_progress, @extschema@.v_forecast_backtests, @extschema@.v_forecast_models FROM PUBLIC;
GRANT SELECT ON @extschema@.forecast_projects, @extschema@.forecast_models, @extschema@.forecast_deployments,
	@extschema@.forecast_backtests, @extschema@.forecast_backtest_folds,
	@extschema@.v_forecast_progress, @extschema@.v_forecast_backtests, @extschema@.v_forecast_models
	TO amplified_reader;
REVOKE ALL ON FUNCTION @extschema@.forecast_record_model(text, text, text, jsonb, text, text, text[], text, int,
	timestamptz, timestamptz, bigint, bytea, jsonb, jsonb, name, float8),
	@extschema@.forecast_train(text, text, text, text, jsonb),
	@extschema@.forecast_deploy(bigint), @extschema@.forecast_rollback(text),
	@extschema@.forecast_predict(text, jsonb), @extschema@.forecast_predict_batch(text, text),
	@extschema@.forecast_predict_horizon(text, int, float8[], float8),
	@extschema@.forecast_regime(text, float8[]),
	@extschema@.forecast_backtest(bigint, int, int, int, int, int, float8, int, int) FROM PUBLIC;
-- Analysts train, backtest and predict; operators (who run the strategies
-- that read the live models) choose what is live.
GRANT EXECUTE ON FUNCTION @extschema@.forecast_train(text, text, text, text, jsonb),
	@extschema@.forecast_predict(text, jsonb), @extschema@.forecast_predict_batch(text, text),
	@extschema@.forecast_predict_horizon(text, int, float8[], float8),
	@extschema@.forecast_regime(text, float8[]),
	@extschema@.forecast_backtest(bigint, int, int, int, int, int, float8, int, int) TO amplified_analyst;
GRANT EXECUTE ON FUNCTION @extschema@.forecast_deploy(bigint), @extschema@.forecast_rollback(text)
	TO amplified_operator;

-- The keys that seal model states (seal.c): every state a training makes
-- ends with an HMAC-SHA256 tag under the oldest key, and a state is read
-- only when a key here verifies its tag, so no hand-made bytes ever reach a
-- kind's parser.  The extension's owner alone reads them.  Dumped with the
-- database: a restore adds the old keys beside the new install's, and the
-- oldest (the dumped one) keeps signing.
CREATE TABLE @extschema@.forecast_keys (
	key			bytea PRIMARY KEY CHECK (length(key) = 32),
	created_at	timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE @extschema@.forecast_keys IS
	'keys of the HMAC-SHA256 seals on model states: the oldest signs, any verifies (the extension owner''s only)';
INSERT INTO @extschema@.forecast_keys (key) VALUES (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));
SELECT pg_catalog.pg_extension_config_dump('@extschema@.forecast_keys', '');
REVOKE ALL ON @extschema@.forecast_keys FROM PUBLIC;
