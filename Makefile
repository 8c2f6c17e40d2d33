# Kneadwell. `make run` serves the app on SQLite with a demo organisation; `make test` runs every test.
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test test-sqlite test-postgres lint format bench messages clean

# uv itself, when the machine has none: a private copy from PyPI, pinned.
$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --frozen --python python3.11 --compile-bytecode

run: install
	.venv/bin/kneadwell serve --demo --host $(HOST) --port $(PORT)

# The whole suite on the database DATABASE_URL names (SQLite by default). CI runs it on both.
test: install
	.venv/bin/pytest -n 2 $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$${PG_URL:-postgres://postgres@127.0.0.1:5432/test} .venv/bin/pytest -n 2 $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/mypy

format: install
	.venv/bin/ruff check --fix src tests benchmarks

bench: install
	.venv/bin/python benchmarks/run.py

# Extract the marked strings into locale/<lang>/LC_MESSAGES/django.po (needs GNU gettext's xgettext), then
# compile the .mo files with polib (docs/languages.md). Commit both.
messages: install
	cd src/kneadwell && ../../.venv/bin/python -m django makemessages --settings=kneadwell.settings \
		-l es -l ar --no-obsolete --no-wrap --add-location=file -i '*/migrations/*' -i 'static/vendor/*'
	.venv/bin/python -m kneadwell.core.catalogues

clean:
	rm -rf .venv .tools var .mypy_cache .ruff_cache
