# elearn: two commands.
#   make run   set everything up (ffmpeg, a Chinese font, packages) and serve http://127.0.0.1:5000 with the embedded worker
#   make test  the same setup plus test dependencies, then the whole suite (page scripts: ES2017 check, Node tests)
# The first Python 3.11+ that really runs (a pyenv shim may exist for a version that is not active).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
            $$p -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null && command -v $$p && break; done)
VENV   := .venv
PY     := $(VENV)/bin/python
VENDOR := elearn/static/vendor
# Compiled translation catalogues (git-ignored): made at setup, never by the running app.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard elearn/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test setup setup-test system-deps system-deps-test frontend catalogues clean i18n

run: setup
	$(PY) run.py

test: setup-test
	node scripts/check-js.js
	node --test tests/js/*.test.js
	$(PY) -m pytest $(PYTEST_ARGS)

setup: system-deps $(VENV)/.installed frontend catalogues

setup-test: system-deps-test $(VENV)/.installed-dev frontend catalogues

system-deps:
	@scripts/system-deps.sh

system-deps-test:
	@scripts/system-deps.sh test

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "elearn needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@ $(VENV)/.installed

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

frontend: node_modules/.installed
	@mkdir -p $(VENDOR)
	@cp -u node_modules/hls.js/dist/hls.min.js node_modules/tus-js-client/dist/tus.min.js $(VENDOR)/

catalogues: $(CATALOGUES)

# Re-made only when its .po is newer; the script compiles every stale one, writing each atomically.
elearn/translations/%/LC_MESSAGES/messages.mo: elearn/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(PY) scripts/i18n.py --compile

clean:
	rm -rf $(VENV) node_modules $(VENDOR) $(CATALOGUES)

# Translators: refresh the catalogues after changing user-facing strings (see scripts/i18n.py).
i18n: $(VENV)/.installed
	$(PY) scripts/i18n.py --missing
