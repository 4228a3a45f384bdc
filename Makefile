# Two commands: `make run` serves the tool on the local stack, `make test` runs the whole suite.
# Both install what they need first (Python virtualenv, npm packages, Debian's Chromium).

VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install lint lock clean

run: install
	bin/run-local

test: install system-deps
	$(PY) -m pytest

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements/dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work here).
.PHONY: system-deps
system-deps:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Re-pin every Python dependency after editing pyproject.toml.
lock:
	$(VENV)/bin/pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 -o requirements/base.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements/dev.txt

clean:
	rm -rf $(VENV) node_modules var/static
