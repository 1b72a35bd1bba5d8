# The two commands a user needs: `make run` and `make test`.
# Each sets up its own virtualenv from the pinned requirements on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DBT := $(BIN)/dbt
export DBT_TARGET ?= duckdb
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)

.PHONY: run test build dbt-test pytest lint docs fixtures clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

## run: build every model on DuckDB and print a summary of the serving views
run: $(STAMP)
	$(DBT) build --target $(DBT_TARGET)
	$(BIN)/python -m livepeer_analytics.summary

## test: the whole suite: dbt build (data + unit tests), pytest, lint
test: $(STAMP)
	$(DBT) build --target $(DBT_TARGET)
	$(BIN)/python -m pytest -q tests/integration
	$(MAKE) lint

## lint: sqlfluff over models, macros-using SQL, analyses and tests
lint: $(STAMP)
	$(BIN)/sqlfluff lint models analyses tests

## docs: build the dbt docs site into target/
docs: $(STAMP)
	$(DBT) docs generate --target $(DBT_TARGET)

## fixtures: regenerate the fixture seed files from their scenario definitions
fixtures: $(STAMP)
	$(BIN)/python -m livepeer_analytics.fixture_events

clean:
	rm -rf target logs dbt_packages livepeer.duckdb
