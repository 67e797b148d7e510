# Everything runs inside .venv, created on first use with the pinned versions of constraints.txt.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The browser tests drive Debian's Chromium through its ChromeDriver, with a CJK font so Chinese
# descriptions render as glyphs; installed once if missing.
BROWSER := /usr/bin/chromedriver
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
# Spectral and Redocly lint the bundle in the tests, at the versions tests/lint pins (npm ci);
# without Node.js those tests are skipped, and say so.
LINTERS := $(VENV)/lint/.installed

.PHONY: build test test-lowest dist fuzz check golden clean

# Reinstalled when a dependency changes: ours, or the client's (its template). Not when models change:
# the client is installed in editable mode, so new model modules are seen without reinstalling.
$(STAMP): pyproject.toml constraints.txt templates/python/pyproject.toml.jinja
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e generated/python
	touch $(STAMP)

$(BROWSER):
	if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver \
	  || echo "warning: chromium could not be installed; the browser test will fail and say so" >&2

$(CJK_FONT):
	if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-wqy-microhei \
	  || echo "warning: no CJK font could be installed; the CJK browser test will fail and say so" >&2

## import specs/apifox/*, validate, generate generated/
build: $(STAMP)
	$(BIN)/replicate-codegen build

$(LINTERS): tests/lint/package.json tests/lint/package-lock.json | $(STAMP)
	mkdir -p $(VENV)/lint && cp tests/lint/package.json tests/lint/package-lock.json $(VENV)/lint/
	if command -v npm >/dev/null; then \
	  (cd $(VENV)/lint && npm ci --no-audit --no-fund --silent) && touch $@ \
	  || echo "warning: the OpenAPI linters could not be installed; their tests will be skipped" >&2; \
	else echo "warning: no npm: the OpenAPI linters' tests will be skipped" >&2; fi

## the whole test suite
test: $(STAMP) $(BROWSER) $(CJK_FONT) $(LINTERS)
	$(BIN)/ruff check generator tests bench templates/python/runtime
	$(BIN)/mypy
	$(BIN)/pytest

## the generated clients' behaviour tests, the clients run with the lowest versions they declare of their
## dependencies (tests/client/lowest.txt) in a virtual environment of their own
LOWEST := $(VENV)/lowest
CLIENT_TESTS := tests/client/test_schema_shapes.py tests/client/test_file_inputs.py tests/client/test_streaming.py \
                tests/client/test_outputs.py tests/client/test_property.py
test-lowest: $(STAMP)
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/pip install --quiet --disable-pip-version-check -r tests/client/lowest.txt
	REPLICATE_CODEGEN_CLIENT_PYTHON=$(CURDIR)/$(LOWEST)/bin/python $(BIN)/pytest $(CLIENT_TESTS) -k "not mypy and not in_its_type"

## the client's wheel and sdist in dist/, their metadata checked as PyPI would (twine check)
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist generated/python
	$(BIN)/twine check --strict dist/*

## the property test of hostile catalogues, from a random seed and for many examples (minutes)
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -n 0 tests/client/test_property.py

## fail when generated/ is not what the specs produce
check: $(STAMP)
	$(BIN)/replicate-codegen generate --check

## refresh every golden record after an intended change: specs/models and generated/, the tests' own
## catalogue (tests/fixtures/catalog), the records of the real pages and documents (tests/golden/)
golden: build
	cd tests/fixtures/catalog && $(CURDIR)/$(BIN)/replicate-codegen build
	UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/importing/test_real_pages.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
