# The two commands a new machine needs: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install demo test unit lint cluster up down status bench fuzz clean system-deps

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  (echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip "setuptools<82" wheel
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

install: $(BIN)/.installed

# ruff and mypy at the versions the `lint` extra pins, installed the first time
$(BIN)/.lint-installed: $(BIN)/.installed pyproject.toml
	$(BIN)/python -m pip install -q -e ".[lint]"
	touch $@

# Debian packages the tests use (Prometheus' promtool and server, Chromium for the portal tests,
# Pango and fonts for the reports' PDF); installed only when missing and only where we may (root
# on a Debian-like system).
system-deps:
	@$(BIN)/python -m epun.system_deps

up: install
	$(BIN)/epun up

down:
	$(BIN)/epun down

status: install
	$(BIN)/epun status

demo: install system-deps
	$(BIN)/epun up
	$(BIN)/epun demo

test: install system-deps
	$(BIN)/python -m pytest -m "not cluster" $(PYTEST_ARGS)

# ruff (line length 100, rules E, F, W) over the repository and mypy (with the pydantic plugin)
# over shared, services, epun and bench, as pyproject.toml configures them; both must pass.
lint: $(BIN)/.lint-installed
	$(BIN)/ruff check .
	$(BIN)/mypy

# The full cluster drill: three RabbitMQ nodes of its own, two processes of every service, 5,000
# writes through the API while a broker node stops and one process of each service is killed.
cluster: install system-deps
	$(BIN)/python -m pytest tests/integration/test_cluster.py -m cluster -s $(PYTEST_ARGS)

# The fast tiers: domain rules and use cases on in-memory units of work (no broker, no database);
# rendered documents and deployment files are checked by `make test`.
unit: install
	$(BIN)/python -m pytest tests/unit tests/use_cases tests/repositories -q \
	  -m "not integration and not documents and not deploy" $(PYTEST_ARGS)

# schemathesis against the local stack's document (`make up` first): every operation, all checks,
# the settings of schemathesis.toml (seed, phases, the business rules' documented refusals); it
# prints its counts of server errors, answers contradicting the document and invalid requests
# accepted. FUZZ_EXAMPLES sets the examples per operation; `make test` runs
# the same with fewer (tests/integration/test_api_fuzzing.py).
FUZZ_EXAMPLES ?= 30
fuzz: install
	$(BIN)/epun up
	$(BIN)/python -m tests.fuzzing --examples $(FUZZ_EXAMPLES)

bench: install
	$(BIN)/epun up
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean: down
	rm -rf .epun $(VENV)
