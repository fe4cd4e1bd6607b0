# The two commands a new machine needs: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install demo test up down status bench clean system-deps

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  (echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip "setuptools<82" wheel
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

install: $(BIN)/.installed

# Debian packages the tests use (Prometheus' promtool and server, Chromium for the portal tests);
# installed only when missing and only where we may (root on a Debian-like system).
system-deps:
	@$(BIN)/python -m epun.system_deps

up: install
	$(BIN)/epun up

down:
	$(BIN)/epun down

status: install
	$(BIN)/epun status

demo: install
	$(BIN)/epun up
	$(BIN)/epun demo

test: install system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/epun up
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean: down
	rm -rf .epun $(VENV)
