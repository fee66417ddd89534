# The two commands of the README are `make demo` and `make test`; everything else supports them.
# Stamps under .stamps/ make a second `make setup` fast when nothing changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
export GRIDGOV_DATA_DIR ?= $(CURDIR)/var

.PHONY: setup demo test test-fast lint format serve worker clean messages

setup: $(STAMPS)/python $(STAMPS)/assets $(STAMPS)/translations $(STAMPS)/fonts

# The CJK font that PDFs embed; without root the setup goes on and says what is missing.
$(STAMPS)/fonts: scripts/system-packages
	@mkdir -p $(STAMPS)
	-bash scripts/system-packages fonts && touch $@

$(STAMPS)/python: requirements.lock pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-input -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-input --no-deps --no-build-isolation -e .
	@touch $@

$(STAMPS)/node: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMPS)/assets: $(STAMPS)/node scripts/build_assets.py
	$(BIN)/python scripts/build_assets.py
	@touch $@

$(STAMPS)/translations: $(STAMPS)/python $(wildcard gridgov/locale/*/LC_MESSAGES/*.po gridgov/*/locale/*/LC_MESSAGES/*.po)
	$(BIN)/python scripts/compile_translations.py
	@touch $@

demo: setup
	$(BIN)/gridgov demo

test: setup
	bash scripts/system-packages test
	bash scripts/run-tests

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: setup
	$(BIN)/python scripts/makemessages.py

clean:
	rm -rf $(VENV) node_modules $(STAMPS) gridgov/static/vendor
