# OneStop: two commands set up everything on a fresh machine.
#   make demo   build and serve the demo area on SQLite
#   make test   run the whole test suite (SQLite unless DATABASE_URL says otherwise)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_PEOPLE ?= 20000
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install browser lint clean

# The stamp is rebuilt when the pinned dependencies change.
$(VENV)/.installed: pyproject.toml package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "OneStop needs Python 3.11 or newer" or 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/onestop migrate --noinput
	$(BIN)/onestop load_reference
	$(BIN)/onestop demo --people $(DEMO_PEOPLE) --host $(HOST) --port $(PORT)

# Browser tests drive Debian's chromium; it is installed when missing and we are root.
# Elsewhere they are skipped with a message saying why (never in CI, where they must run).
browser:
	@bash scripts/install-chromium || echo "chromium not installed: browser tests will be skipped"

test: install browser
	ONESTOP_ENV=test $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

clean:
	rm -rf $(VENV) node_modules var
