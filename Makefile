# Schutzpfad — the two commands of the README: `make run` and `make test`.
# Everything else here is what those two need on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 5000
HOST   ?= 127.0.0.1
export SCHUTZPFAD_INSTANCE ?= $(CURDIR)/instance

.PHONY: run test venv system-deps lint typecheck layers pytest bench load clean translations rules migration-volume \
	reliability reliability-sqlite reliability-postgresql

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## make run: set up, create the demo database (SQLite) and serve the app on $(HOST):$(PORT)
run: venv
	SCHUTZPFAD_ALLOW_NO_MFA=1 $(BIN)/schutzpfad init --demo
	SCHUTZPFAD_ALLOW_NO_MFA=1 $(BIN)/schutzpfad serve --host $(HOST) --port $(PORT)

## make test: set up (system packages too, when root) and run the whole suite
test: venv system-deps lint layers typecheck pytest

system-deps:
	@bash .ci/system-deps

lint: venv
	$(BIN)/ruff check engine web audit tests bench

layers: venv
	$(BIN)/lint-imports

typecheck: venv
	$(BIN)/mypy

# pytest under coverage: branch coverage of engine, web, audit; the floor is fail_under in pyproject.toml.
# TEST_JOBS worker processes (pytest-xdist; each starts its own PostgreSQL cluster and servers): the
# suite waits on subprocesses, browsers and databases much of the time, so two workers use both cores.
TEST_JOBS ?= 2
pytest: venv
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --cov --cov-report=term

## make rules: the rules register's proof (docs/rules.md): each enforced rule's recorded mutation
## (tests/rules/mutations.py) applied in a temporary copy, that rule's tests run, "R07 killed" or
## "R07 survived" per rule and a total; non-zero if any survives. RULES="R07 R15" runs only those.
RULES ?=
rules: venv
	$(BIN)/python -m tests.rules $(RULES)

## make migration-volume: 1,000 running cases of the fixture process, and 1,000 of the shipped traeger_8a
## and kkg4, at every task migrated (or refused) and run to their end
## (tests/integration/test_case_migration_volume.py; skipped in `make test`)
MIGRATION_CASES ?= 1000
migration-volume: venv
	SCHUTZPFAD_MIGRATION_CASES=$(MIGRATION_CASES) $(BIN)/python -m pytest -q -s -p no:cacheprovider \
		tests/integration/test_case_migration_volume.py

## make bench: the benchmarks of bench/ (figures go to docs/performance.md)
bench: venv
	$(BIN)/python -m bench

## make load: locust, 50 users on the journey's mixed workload, one and two gunicorn processes on one
## throw-away PostgreSQL; deadlines and mails counted afterwards (bench/load, docs/performance.md)
load: venv
	$(BIN)/python -m bench.load

## make reliability: the long run of tests/reliability (docs/reliability.md): 1,000 SIGKILL trials and
## 100 races per database, SQLite and PostgreSQL side by side, 200 schemathesis examples per operation,
## 1,000 fuzz examples per property; the figures go to reliability-figures.jsonl.
## KILL_SECONDS=N time-boxes the SIGKILL trials (the figures then say how many fitted).
KILL_TRIALS       ?= 1000
RACE_ROUNDS       ?= 100
SCHEMATHESIS_EXAMPLES ?= 200
FUZZ_EXAMPLES     ?= 1000
KILL_SECONDS      ?= 0
RELIABILITY_TESTS ?= tests/reliability
RELIABILITY_FIGURES := $(CURDIR)/reliability-figures.jsonl
RELIABILITY_RUN = SCHUTZPFAD_RELIABILITY_REPORT=$(RELIABILITY_FIGURES) SCHUTZPFAD_KILL_TRIALS=$(KILL_TRIALS) \
	SCHUTZPFAD_RACE_ROUNDS=$(RACE_ROUNDS) SCHUTZPFAD_KILL_SECONDS=$(KILL_SECONDS) \
	SCHUTZPFAD_SCHEMATHESIS_EXAMPLES=$(SCHEMATHESIS_EXAMPLES) SCHUTZPFAD_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	$(BIN)/python -m pytest -q -p no:cacheprovider $(RELIABILITY_TESTS)

reliability: venv system-deps
	rm -f $(RELIABILITY_FIGURES)
	$(MAKE) -j2 reliability-sqlite reliability-postgresql
	cat $(RELIABILITY_FIGURES)

reliability-sqlite:
	$(RELIABILITY_RUN) -m "not postgres"

reliability-postgresql:
	$(RELIABILITY_RUN) -m postgres

## make translations: extract the UI's texts, merge them into the catalogs, compile (then translate
## the new entries of web/translations/en/LC_MESSAGES/messages.po and run it again)
translations: venv
	$(BIN)/pybabel extract -F web/babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o web/translations/messages.pot .
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations --no-wrap --ignore-obsolete
	$(BIN)/pybabel compile -d web/translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
