# anbao: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages the test suite drives as real components (checked by program or file).
DEB_PACKAGES := openssl libreoffice-writer-nogui poppler-utils chromium fonts-noto-cjk
DEB_PROBES := /usr/bin/openssl /usr/bin/soffice /usr/bin/pdftotext /usr/bin/chromium \
              /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

# The pure cores, type-checked strictly (pyproject.toml [tool.mypy] overrides).
MYPY_STRICT := src/anbao/conf.py src/anbao/audit/core.py src/anbao/accounts/core.py \
               src/anbao/jobs/core.py src/anbao/reports/core.py src/anbao/engagement/core \
               src/anbao/sm src/anbao/pki/core src/anbao/enrolment/core.py \
               src/anbao/oidc/core.py

.PHONY: install run test test-unit test-postgres system-deps lint bench clean messages js

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "anbao needs Python >= 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed: installing Debian's python3-venv"; \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq python3-venv && \
	  $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/anbao init
	$(BIN)/anbao serve --host $(HOST) --port $(PORT)

system-deps:
	@missing=""; for f in $(DEB_PROBES); do [ -e "$$f" ] || missing="$$missing $$f"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages (missing:$$missing)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES); \
	fi

lint: install
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/lint-imports
	$(BIN)/mypy $(MYPY_STRICT)

test: install system-deps lint
	$(BIN)/pytest -q -p no:cacheprovider -m "not postgres" --cov=anbao --cov-report=term:skip-covered
	ANBAO_TEST_DATABASE=postgres $(BIN)/pytest -q -p no:cacheprovider -m "not external and not e2e" tests/integration

test-unit: install
	$(BIN)/pytest -q tests/unit

messages:
	for app in src/anbao/*/locale; do (cd $$(dirname $$app) && ../../../$(BIN)/django-admin compilemessages); done

# The browser's SM2 bundle (needs Node.js and npm; the built file is committed, run needs neither).
js:
	cd js && npm ci --no-audit --no-fund && npm run build

bench: install
	@ls bench/*.py >/dev/null 2>&1 && for b in bench/*.py; do $(BIN)/python $$b; done || echo "no benchmarks yet"

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache
