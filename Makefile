# The two commands a user needs: `make run` and `make test`.
# Each sets up its own virtualenv from the pinned requirements on first use.
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
export DBT_TARGET ?= duckdb
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)

# dbt through the project's launcher (livepeer_analytics/dbt_cli.py): chdb in-process,
# partial parsing kept across warehouses.
DBT := $(BIN)/python -m livepeer_analytics.dbt_cli

.PHONY: run test build nightly unit fuzz lint docs fixtures bench serve loadtest clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

## run: build every model on DBT_TARGET and print a summary of the serving views
run: build
	$(BIN)/python -m livepeer_analytics.summary

## build: the hourly job on DBT_TARGET: dbt build (seeds, models and data
## tests) under the warehouse's run lock (livepeer_analytics/build.py)
build: $(STAMP)
	@$(BIN)/python -m livepeer_analytics.build $(DBT_ARGS)

## nightly: every data test over every row on DBT_TARGET (dbt test, under the run
## lock); `make build` tests only the rows each run wrote
nightly: $(STAMP)
	@$(BIN)/python -m livepeer_analytics.build --nightly $(DBT_ARGS)

## unit: the dbt unit tests (code checks of every classification rule) on DBT_TARGET
unit: $(STAMP)
	$(DBT) test --select "test_type:unit" --target $(DBT_TARGET)

## test: the whole suite: build, nightly and unit tests on DuckDB and on chdb, pytest, lint
test: $(STAMP)
	$(MAKE) build DBT_TARGET=duckdb
	$(MAKE) nightly DBT_TARGET=duckdb
	$(MAKE) unit DBT_TARGET=duckdb
	$(MAKE) build DBT_TARGET=chdb
	$(MAKE) nightly DBT_TARGET=chdb
	$(MAKE) unit DBT_TARGET=chdb
	$(BIN)/python -m pytest -q tests/integration
	$(MAKE) lint

## fuzz: the property-based fuzz test alone (tests/integration/test_fuzz.py) with a
## larger budget: FUZZ_EXAMPLES examples per engine (default 25) from a random
## seed, printed; LIVEPEER_FUZZ_SEED=<seed> replays one. `make test` runs it with
## 2 examples per engine and a fixed seed.
FUZZ_EXAMPLES ?= 25
fuzz: $(STAMP)
	LIVEPEER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -s tests/integration/test_fuzz.py

## lint: sqlfluff over models, analyses and tests (compiled against an empty
## database, so every model renders as on a full build)
lint: $(STAMP)
	rm -f target/lint.duckdb
	DBT_TARGET=duckdb LIVEPEER_DUCKDB=target/lint.duckdb DBT_TARGET_PATH=target/lint \
		$(BIN)/sqlfluff lint models analyses tests

## docs: build the dbt docs site into target/
docs: $(STAMP)
	$(DBT) docs generate --target $(DBT_TARGET)

## bench: the hourly build at production volume on DuckDB (1 and 8 days) and chdb (1 day),
## with +1 hour and a no-op run; BENCH_ARGS=--quick for a small volume, --target duckdb/chdb
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
