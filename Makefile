# Two commands on a fresh machine: `make run` serves, `make test` tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The official JavaScript Socket.IO client, pinned in package-lock.json, for one system test.
NODE_STAMP := node_modules/.installed

.PHONY: run test lint format migrate bench clean node-deps

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# Without npm, tests/system/test_js_client.py is skipped (it prints why); all else runs.
node-deps:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(NODE_STAMP); \
	else echo "npm not found: the socket.io-client compatibility test will be skipped"; fi

migrate: $(STAMP)
	$(BIN)/flask --app app db upgrade

run: migrate
	$(BIN)/python app.py

test: $(STAMP) node-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: migrate
	$(BIN)/python bench/capture_ingest.py

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
