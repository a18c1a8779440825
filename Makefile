# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app

.PHONY: run worker test test-days soak bench screenshots translations translations-update install install-dev system-deps lint format clean

# Debian packages the app needs: the DejaVu fonts PDF reports embed (Vietnamese letters).
# Installed only when missing, and only where apt-get can run (root).
SYSTEM_PACKAGES := fonts-dejavu-core
# And its tests: poppler-utils (they read PDFs back with pdftotext), Pango and
# HarfBuzz-subset (WeasyPrint makes a PDF from a web page to upload as evidence), Debian's
# Chromium for the browser journeys, Java for the HTML checker (vnu.jar), `nginx -t` for
# deploy/nginx, and an OpenLDAP server (slapd) the directory sign-in tests start.
TEST_SYSTEM_PACKAGES := poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
  chromium openjdk-17-jre-headless nginx-light slapd ldap-utils
PACKAGES ?= $(SYSTEM_PACKAGES)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

# The Vietnamese and English catalogues, compiled (.mo files are not committed).
translations: $(VENV)/.installed
	$(BIN)/python -c "from tracker.infra.i18n import compile_catalogues; compile_catalogues()"

# After changing user-facing text: extract, merge into the catalogues, list what is untranslated.
translations-update: install-dev
	$(BIN)/python scripts/i18n.py

install-dev: $(VENV)/.installed-dev

system-deps:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing $$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    (apt-get install -y -q $$missing || (apt-get update -q && apt-get install -y -q $$missing)) >/dev/null; \
	  else echo "Please install these Debian packages: $$missing" >&2; exit 1; fi; \
	fi

run: install translations
	-@$(MAKE) --no-print-directory system-deps PACKAGES="$(SYSTEM_PACKAGES)" || echo "PDF reports stay off until the fonts are installed."
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# A Celery worker with the scheduler inside it, for development (production runs them as
# two services: deploy/). The web server must name the same broker to send it jobs:
#   JOBS_BROKER_URL=redis://127.0.0.1:6379/1 make run
JOBS_BROKER_URL ?= redis://127.0.0.1:6379/1
worker: install translations
	JOBS_BROKER_URL=$(JOBS_BROKER_URL) $(BIN)/celery --app app.celery_app worker --beat \
	  --loglevel INFO --concurrency 2 --schedule instance/celerybeat-schedule

test: install-dev translations
	@$(MAKE) --no-print-directory system-deps PACKAGES="$(SYSTEM_PACKAGES) $(TEST_SYSTEM_PACKAGES)"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/pytest -n auto

# The suite again with the clock set to instants where dates go wrong (CI runs this): a new
# year in Vietnam while UTC is still in the old one, 29 February, the first hour of a quarter
# in Vietnam (still the last day of the previous one in UTC). TEST_DAYS="..." for others.
# The instants run side by side (two cores), each in its own log under .test-days/, printed
# after; the wheel build and the tests marked slow or browser (real servers, the fuzz, a
# memory measurement, Chromium and the HTML checker over logic the other tests already
# run at those instants) are left to `make test`, to keep CI under 30 minutes.
TEST_DAYS ?= 2026-12-31T18:00:00+00:00 2028-02-29T09:00:00+07:00 2027-04-01T00:30:00+07:00
# Tests that no date can change, left to `make test`: who may open which route, the API's
# fuzz against its document, file limits and sniffing, migrations, deployment files.
TEST_DAYS_IGNORE := tests/test_package.py tests/test_migrations.py tests/test_deploy.py \
  tests/api/test_openapi.py tests/org/test_import_limits.py tests/work/test_evidence.py \
  tests/web/test_route_walk.py tests/web/test_permission_matrix.py tests/web/test_scope_matrix.py
test-days: install-dev translations
	@$(MAKE) --no-print-directory system-deps PACKAGES="$(SYSTEM_PACKAGES) $(TEST_SYSTEM_PACKAGES)"
	@rm -rf .test-days && mkdir -p .test-days
	@for instant in $(TEST_DAYS); do \
	  (TRACKER_TEST_NOW=$$instant $(BIN)/pytest $(addprefix --ignore=,$(TEST_DAYS_IGNORE)) -m "not slow and not browser" \
	    > .test-days/$$instant.log 2>&1; echo $$? > .test-days/$$instant.rc) & \
	done; wait
	@failed=0; for instant in $(TEST_DAYS); do \
	  echo "== pytest with the clock at $$instant"; tail -n 40 .test-days/$$instant.log; \
	  [ "$$(cat .test-days/$$instant.rc)" = 0 ] || failed=1; \
	done; exit $$failed

# Load and faults against PostgreSQL (127.0.0.1:5432, user postgres): see scripts/soak.py.
soak: install-dev translations
	$(BIN)/python scripts/soak.py

# National scale, measured: see scripts/bench.py (BENCH_TASKS, BENCH_DATABASES, ...).
bench: install-dev translations
	$(BIN)/python scripts/bench.py

# The README's pictures of the main screens in both languages (docs/screens/).
screenshots: install-dev translations
	$(BIN)/python scripts/screenshots.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) *.egg-info
