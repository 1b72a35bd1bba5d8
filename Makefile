# The two commands a user needs: `make run` and `make test` (`make check` while editing).
# Each sets up its own virtualenv from the pinned requirements on first use:
# requirements.txt for running, plus requirements-dev.txt for testing and linting.
#
#   make run                      build on DuckDB (embedded, the default)
#   DBT_TARGET=chdb make run      build on the ClickHouse engine in-process
#   DBT_TARGET=clickhouse make run   build on a ClickHouse server (CLICKHOUSE_*)
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
export DBT_TARGET ?= duckdb
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)

# dbt through the project's launcher (livepeer_analytics/dbt_cli.py): chdb in-process,
# partial parsing kept across warehouses.
DBT := $(BIN)/python -m livepeer_analytics.dbt_cli
# pytest in two processes, one per core (tests/integration; markers and settings in
# pyproject.toml). Tests reading one history of hourly runs go to one process together.
PYTEST := $(BIN)/python -m pytest -n 2 --dist loadgroup
# The edit loop's tier: no chdb, no browser, nothing marked slow.
FAST := not slow and not chdb and not browser

.PHONY: run test check build nightly unit fuzz lint docs fixtures bench serve loadtest clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(DEV_STAMP)

## run: build every model on DBT_TARGET and print a summary of the serving views
## (the hourly job of `make build`, then the summary; docs/incremental.md)
run: $(STAMP)
	@$(BIN)/python -m livepeer_analytics.build --summary $(DBT_ARGS)

## build: the hourly job on DBT_TARGET: dbt build (seeds, models and data
## tests) under the warehouse's run lock (livepeer_analytics/build.py)
build: $(STAMP)
	@$(BIN)/python -m livepeer_analytics.build $(DBT_ARGS)

## nightly: every data test over every row on DBT_TARGET (dbt test, under the run
## lock); `make build` tests only the rows each run wrote
nightly: $(STAMP)
	@$(BIN)/python -m livepeer_analytics.build --nightly $(DBT_ARGS)

## unit: the dbt unit tests (code checks of every classification rule) on DBT_TARGET,
## against the warehouse the last build made (dbt reads the parents' columns there)
unit: $(STAMP)
	$(DBT) test --select "test_type:unit" --target $(DBT_TARGET)

## test: the whole suite (what CI runs): lint, then every pytest test on both cores:
## builds, nightly and unit tests on DuckDB and chdb, histories of hourly runs with
## kills, fuzzing, the API and the dashboard in a browser (docs/development.md)
test: $(DEV_STAMP)
	$(MAKE) --no-print-directory lint
	$(PYTEST) --durations=15

## check: the edit loop, a few minutes: lint and the fast tier of pytest (a DuckDB
## build of the fixture seed, its unit and nightly tests, the API over it, ...)
check: $(DEV_STAMP)
	$(MAKE) --no-print-directory lint
	$(PYTEST) -m "$(FAST)"

## fuzz: the property-based fuzz test alone (tests/integration/test_fuzz.py) with a
## larger budget: FUZZ_EXAMPLES examples per engine (default 25) from a random
## seed, printed; LIVEPEER_FUZZ_SEED=<seed> replays one. `make test` runs it with
## the default budget of test_fuzz.py and a fixed seed.
FUZZ_EXAMPLES ?= 25
fuzz: $(DEV_STAMP)
	LIVEPEER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -s tests/integration/test_fuzz.py

## lint: sqlfluff over models, analyses and tests (compiled against an empty
## database, so every model renders as on a full build), ruff over the Python
lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	rm -f target/lint.duckdb
	DBT_TARGET=duckdb LIVEPEER_DUCKDB=target/lint.duckdb DBT_TARGET_PATH=target/lint \
		$(BIN)/sqlfluff lint models analyses tests --processes 2

## docs: the views' formulas into their docs pages (from the views' YAML), then the dbt docs site into target/
docs: $(STAMP)
	$(BIN)/python -m livepeer_devtools.view_docs
	$(DBT) docs generate --target $(DBT_TARGET)

## bench: the job at production volume on DuckDB (1 and 8 days) and chdb (1 day): full build,
## +1 hour, +1 minute and nothing new, per phase and model; BENCH_ARGS=--quick for a small volume, --target duckdb/chdb
## for one engine (not part of make test; results in target/bench.json)
bench: $(STAMP)
	$(BIN)/python -m livepeer_devtools.bench $(BENCH_ARGS)

## serve: the read API (livepeer_analytics/api) over the warehouse the last `make run` built
## on DBT_TARGET, on 127.0.0.1:8000; SERVE_ARGS="--host H --port P", LIVEPEER_API_* settings
## (docs/serving-api.md)
serve: $(STAMP)
	$(BIN)/python -m livepeer_analytics.api $(SERVE_ARGS)

## loadtest: a bounded load test of the API on loopback (1, 8 and 32 clients; not part of
## make test): by default on the 8-day bench warehouse; LOADTEST_ARGS="--duckdb FILE" for another
loadtest: $(STAMP)
	$(BIN)/python -m livepeer_devtools.loadtest $(LOADTEST_ARGS)

## fixtures: regenerate the fixture seed files from their scenario definitions
fixtures: $(STAMP)
	$(BIN)/python -m livepeer_devtools.fixture_events

clean:
	rm -rf target logs dbt_packages livepeer.duckdb .chdb
