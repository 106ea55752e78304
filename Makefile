# Schutzpfad — the two commands of the README: `make run` and `make test`.
# Everything else here is what those two need on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 5000
HOST   ?= 127.0.0.1
export SCHUTZPFAD_INSTANCE ?= $(CURDIR)/instance

.PHONY: run test venv system-deps lint typecheck layers pytest bench clean translations

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

# pytest under coverage: branch coverage of engine, web, audit; the floor is fail_under in pyproject.toml
pytest: venv
	$(BIN)/python -m pytest -q --cov --cov-report=term

## make bench: the benchmarks of bench/ (figures go to docs/performance.md)
bench: venv
	$(BIN)/python -m bench

## make translations: extract the UI's texts, merge them into the catalogs, compile (then translate
## the new entries of web/translations/en/LC_MESSAGES/messages.po and run it again)
translations: venv
	$(BIN)/pybabel extract -F web/babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o web/translations/messages.pot .
	$(BIN)/pybabel update -i web/translations/messages.pot -d web/translations --no-wrap --ignore-obsolete
	$(BIN)/pybabel compile -d web/translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
