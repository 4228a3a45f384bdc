# Two commands: `make run` serves the tool on the local stack, `make test` runs the whole suite.
# Both install what they need first (Python virtualenv, npm packages, Debian's Chromium and
# PostgreSQL).

VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test test-postgres install lint lock release clean messages

run: install
	bin/run-local

# The whole suite on SQLite, then its database tests again on PostgreSQL (production's database).
test: install system-deps
	$(PY) -m pytest
	bin/with-postgres $(PY) -m pytest -m "database and not browser"

# Only the PostgreSQL tier: a throwaway cluster on a free loopback port (bin/with-postgres).
test-postgres: install system-deps
	bin/with-postgres $(PY) -m pytest -m "database and not browser"

# The translations (docs/languages.md): each catalogue compiled from its .po, never committed.
# django-admin without settings: compiling needs none (the app's would ask for a secret key).
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

install: $(VENV)/.installed node_modules/.installed $(MO)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(VENV)/.installed | gettext
	env -u DJANGO_SETTINGS_MODULE $(VENV)/bin/django-admin compilemessages --locale $* \
	  --ignore .venv --ignore node_modules --ignore var >/dev/null

# Refresh the catalogues from the templates and the code, then translate what is new.
messages: $(VENV)/.installed | gettext
	bin/messages

$(VENV)/.installed: requirements/dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work here);
# the PostgreSQL tier runs Debian's PostgreSQL server binaries.
.PHONY: system-deps
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -z "$$missing" ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; }

# GNU gettext compiles the catalogues (make install, so make run too): Debian's, when missing.
.PHONY: gettext
gettext:
	@command -v msgfmt >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq gettext >/dev/null; }

# Performance: pages beside their raw DynamoDB calls, ingestion rates, worker memory
# (docs/performance.md). Loads its tables into var/bench/ once; `make bench BENCH_ARGS=--quick`.
.PHONY: bench
bench: install
	$(PY) -m bench $(BENCH_ARGS)

# Mutation testing of the guards (docs/testing.md): mutmut mutates the functions that guard
# access and the audit trail and runs the tests that cover them. Not part of `make test`.
.PHONY: mutants
mutants: install
	$(PY) bin/mutants

# The audit trail at a year's size on a throwaway PostgreSQL (docs/performance.md, "The audit
# trail"): `make bench-audit AUDIT_ROWS=20000000` (default 2000000; BENCH_ARGS as above).
.PHONY: bench-audit
AUDIT_ROWS ?= 2000000
bench-audit: install system-deps
	bin/with-postgres $(PY) -m bench --only audit --audit-rows $(AUDIT_ROWS) $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Re-pin every Python dependency after editing pyproject.toml.
lock:
	$(VENV)/bin/pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 -o requirements/base.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements/dev.txt

# The artifact hosts install without a package index: dist/phone-lookup-<version>.tar.gz, the
# app with its wheels and hashed lock (bin/release; docs/deploy.md, "Installing on a host").
release: install
	$(VENV)/bin/pip install --quiet uv
	bin/release

clean:
	rm -rf $(VENV) node_modules var/static dist mutants
