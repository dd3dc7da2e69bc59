# PMO Service: the two commands are `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The embedded default runs on local settings; the full stack only needs DATABASE_URL and
# CELERY_BROKER_URL (or REDIS_URL) in the environment.
export DJANGO_SETTINGS_MODULE ?= pmo_service.settings.local

.PHONY: install run test worker beat bench bench-data loadtest lint check audit lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs exactly the pinned versions in requirements.lock (see `make lock`).
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (admin: /admin/, API docs: /api/docs/)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest --ds=pmo_service.settings.test $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A pmo_service worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A pmo_service beat --loglevel=INFO --schedule=/tmp/pmo-celerybeat-schedule

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

# Served load test: gunicorn + a Celery worker on PostgreSQL and Redis, driven by locust
# (docs/benchmarks.md, "Load test"). LOAD_ARGS="--quick" for a short smoke run.
loadtest: install
	$(BIN)/python -m bench.load $(LOAD_ARGS)

# Only the scale dataset (about a minute) into pmo_bench; then `python -m bench --reuse --case X`.
bench-data: install
	$(BIN)/python -m bench build

lint: install
	$(BIN)/ruff check .

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .

# Known vulnerabilities in the pinned dependencies (PyPA advisories via the PyPI JSON API).
# --strict also fails when a package could not be checked, so an unreachable service or an
# unknown package never passes silently.
audit: install
	$(BIN)/pip-audit --requirement requirements.lock --no-deps --disable-pip --strict \
		--progress-spinner off

# Re-resolve the pinned versions from the ranges in pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet ".[dev]"
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -vi '^pmo-service' > requirements.lock
	rm -rf .lock-venv build *.egg-info

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
