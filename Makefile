# Two commands on a fresh machine: `make run` serves, `make test` tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The test and lint tools (requirements-dev.txt) on top: `make test` needs them, `make run` does not.
DEV_STAMP := $(VENV)/.installed-dev
# The official JavaScript Socket.IO client, pinned in package-lock.json, for one system test.
NODE_STAMP := node_modules/.installed

.PHONY: run test lint format migrate bench clean node-deps fonts widget widget-check

# The widget (static/widget/*.ts) built by esbuild into static/dist/ (never committed): the
# loader served at /widget.js and the app at /widget/app.js, each with a .gz beside it; and
# the console (static/console/) into static/dist/console/ (see scripts/build_static.mjs).
WIDGET_SOURCES := $(wildcard static/widget/*.ts) static/widget/tsconfig.json scripts/build_static.mjs
# The agent console (static/console/, Preact), built by the same script into static/dist/console/.
CONSOLE_SOURCES := $(wildcard static/console/*.ts static/console/*.tsx static/console/*.css \
	static/console/*/*.ts static/console/*/*.tsx static/console/*/*.css) static/console/tsconfig.json
WIDGET_BUILT := static/dist/widget.js

# Transcript PDFs need TrueType fonts with the glyphs: DejaVu Sans (Latin, Greek, Cyrillic,
# Arabic) and Droid Sans Fallback (CJK); chatwidget/core/transcripts.py FONTS names the same
# files. Installed with apt-get when missing and running as root; otherwise we say what to do.
FONT_FILES := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
	/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf \
	/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf
FONT_PACKAGES := fonts-dejavu-core fonts-droid-fallback
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends

PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt
	touch $(STAMP)

# Both files in one pip run, so that pip resolves the shared pins (python-socketio) together.
$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PIP_INSTALL) -r requirements.txt -r requirements-dev.txt
	touch $(DEV_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# Without npm, tests/system/test_js_client.py is skipped (it prints why); all else runs.
node-deps:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(NODE_STAMP); \
	else echo "npm not found: the socket.io-client compatibility test will be skipped"; fi

$(WIDGET_BUILT): $(WIDGET_SOURCES) $(CONSOLE_SOURCES) $(NODE_STAMP)
	node scripts/build_static.mjs

widget: $(WIDGET_BUILT)

# Types (tsc --noEmit) and the weight budgets: loader <= 4 KB, loader + app <= 25 KB gzipped;
# the console's app.js + app.css <= 60 KB gzipped.
widget-check: $(WIDGET_BUILT)
	node_modules/.bin/tsc --noEmit -p static/widget
	node_modules/.bin/tsc --noEmit -p static/console
	node scripts/build_static.mjs --check

fonts:
	@missing=""; for f in $(FONT_FILES); do test -f "$$f" || missing="$$missing $$f"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing the transcript fonts: $(FONT_PACKAGES)"; \
		$(APT_INSTALL) $(FONT_PACKAGES) || { apt-get update -q && $(APT_INSTALL) $(FONT_PACKAGES); }; \
	else \
		echo "transcript PDFs need fonts missing here:$$missing"; \
		echo "install them as root: apt-get install --no-install-recommends $(FONT_PACKAGES)"; \
	fi

# The browser tests (tests/browser/) drive Debian's Chromium through Playwright for Python;
# Playwright's own browser download does not work here. Installed with apt-get when missing and
# running as root; otherwise we say what to do, and the browser tests are skipped saying why.
CHROMIUM := /usr/bin/chromium
.PHONY: chromium
chromium:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Chromium for the browser tests"; \
		$(APT_INSTALL) chromium || { apt-get update -q && $(APT_INSTALL) chromium; }; \
	else \
		echo "$(CHROMIUM) missing: the browser tests (tests/browser/) will be skipped"; \
		echo "install it as root: apt-get install --no-install-recommends chromium"; \
	fi
# A prerequisite of `make test` (the browser tests run in its pytest run), on its own line.
test: chromium

migrate: $(STAMP)
	$(BIN)/flask --app app db upgrade

run: fonts migrate widget
	$(BIN)/python app.py

test: $(DEV_STAMP) node-deps fonts widget-check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: migrate
	$(BIN)/python bench/capture_ingest.py

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules static/dist
