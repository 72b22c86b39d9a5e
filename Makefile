# POP Platform. `make run` to use it, `make test` to test it; both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint check lock messages clean bench bench-pdf load load-ceiling faults

# The development lock has the production lock's pins plus the test and lint tools; the
# production image installs requirements/production.lock only.
$(STAMP): requirements/development.lock requirements/production.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/development.lock
	touch $(STAMP)

setup: $(STAMP)

## run: migrate, seed the demo and serve http://127.0.0.1:$(PORT) (PORT, default 8000) with a
## Celery worker and beat
PORT ?= 8000
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	PORT=$(PORT) bin/run-local

## test: the whole test suite (SQLite unless DATABASE_URL is set)
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## bench: 10,000 people on PostgreSQL (BENCH_DATABASE_URL, default pop_bench on
## 127.0.0.1:5432), served by gunicorn and loaded from a second process; writes
## bench/results.md. Not part of `make test`.
bench: $(STAMP)
	$(BIN)/python bench/run.py

## faults: the fault tests (Redis down, PostgreSQL restarted under load, worker killed)
## with more load than in `make test`, printing what happened. Needs DATABASE_URL
## (PostgreSQL) and REDIS_URL, as the integration tests do.
faults: $(STAMP)
	POP_FAULTS_THREADS=$${POP_FAULTS_THREADS:-4} POP_FAULTS_ROUNDS=$${POP_FAULTS_ROUNDS:-3} \
	POP_FAULTS_REQUESTS=$${POP_FAULTS_REQUESTS:-150} \
	DJANGO_LOG_LEVEL=$${DJANGO_LOG_LEVEL:-ERROR} $(BIN)/python -m pytest -s -q \
		tests/integration/test_redis_down.py tests/integration/test_worker_killed.py \
		tests/integration/test_postgresql_restart.py $(PYTEST_ARGS)

## lint: ruff, import layering, migrations and translations
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python scripts/check_translations.py

## messages: extract translatable text into locale/nl and compile it
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l nl --no-location --no-obsolete \
		--ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

## load: 200 signed-in requests per second for 60 s (open loop, a realistic mix of pages)
## against the 10,000-person demo served as in production; writes bench/load-results.md
## and fails on any server error. Not part of `make test`. LOAD_RATE, LOAD_SECONDS,
## LOAD_REUSE=true (keep the seeded database of the last run): see bench/loadtest.py.
load: $(STAMP)
	$(BIN)/python bench/loadtest.py

## load-ceiling: requests/s of single pages (a static file, the bare signed-in view, home,
## own plan) loaded by wrk (apt-get install wrk); writes bench/ceiling-results.md
load-ceiling: $(STAMP)
	$(BIN)/python bench/ceiling.py

## bench-pdf: median time of a 6-page plan PDF through the app and through WeasyPrint alone
bench-pdf: $(STAMP)
	$(BIN)/python bench/pdf_bench.py

## lock: re-pin requirements/production.lock and requirements/development.lock from
## pyproject.toml. Needs uv (https://docs.astral.sh/uv/): `.venv/bin/pip install uv`.
UV ?= $(shell command -v uv || echo $(BIN)/uv)
lock:
	@test -x "$(UV)" || { echo "make lock needs uv: run '$(BIN)/pip install uv' (or pipx install uv)"; exit 1; }
	$(UV) pip compile pyproject.toml --python-version 3.11 --generate-hashes \
		-o requirements/production.lock
	$(UV) pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes \
		-c requirements/production.lock -o requirements/development.lock

clean:
	rm -rf $(VENV) var
