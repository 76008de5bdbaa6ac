# Two commands: `make run` (set up, start with demo data) and `make test` (set up, run the suite).
# Everything else is a step they call. Works on a fresh machine with Python 3.11 and Node.js.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := shegong/static/vendor/.built
CATALOGS := $(patsubst %.po,%.mo,$(wildcard shegong/locale/*/LC_MESSAGES/django.po))
PYTEST_ARGS ?= -n 2

.PHONY: run test check lint typecheck install assets messages clean e2e browser system-packages

run: install
	$(BIN)/shegong run

test: install browser
	$(BIN)/pytest $(PYTEST_ARGS)

check: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shegong
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

install: system-packages $(STAMP) $(ASSETS) $(CATALOGS)

# Debian packages needed at run time: Pango for WeasyPrint (printed documents as PDF) and a CJK
# font so Chinese prints. Only what is missing is installed (needs root or sudo then).
DEBIAN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk
system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

$(ASSETS): package.json package-lock.json scripts/build-assets.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $(ASSETS)

# Compiled with Babel (pure Python): a fresh machine needs no GNU gettext.
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

# Developers with GNU gettext refresh the English catalog after changing interface text.
messages: install
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=node_modules

e2e: install browser
	$(BIN)/python e2e/screenshots.py

# Debian's chromium for the browser journeys (`pytest -m journey`) and `make e2e`.
browser:
	@scripts/install-browser.sh

clean:
	rm -rf $(VENV) node_modules shegong/static/vendor
