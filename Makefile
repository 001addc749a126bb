# make run: install, migrate, seed an empty database, serve. make test: install, run every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
TEST_JOBS ?= 2
export FLASK_APP := warehouse_app

RUN_PACKAGES := libzbar0
TEST_PACKAGES := libzbar0 chromium ffmpeg poppler-utils fonts-dejavu-core

.PHONY: run test install bench lint system-run system-test clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: system-run $(BIN)/.installed

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty
	@echo "Serving on http://$(HOST):$(PORT)  (HOST=0.0.0.0 to reach it from phones on the LAN)"
	$(BIN)/gunicorn -c python:warehouse_app.serving --workers $(WORKERS) --bind $(HOST):$(PORT) \
		--access-logfile - 'warehouse_app:create_app()'

# Two test processes (pytest-xdist, a PostgreSQL database each), then the tests marked
# "alone" by themselves (they restart the PostgreSQL server, or time the served app under
# load); 5 = none of those was selected.
test: system-test $(BIN)/.installed
	$(BIN)/python -m pytest -n $(TEST_JOBS) -m "not alone" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m alone $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(BIN)/.installed
	$(BIN)/ruff check warehouse_app tests bench

bench: install
	$(BIN)/python bench/ledger.py

# System packages: installed with apt-get when run as root, else one line saying what to do.
define need_packages
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing system packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "Missing system packages:$$missing. Run: sudo apt-get install$$missing"; exit 1; \
		fi; \
	fi
endef

system-run:
	$(call need_packages,$(RUN_PACKAGES))

system-test:
	$(call need_packages,$(TEST_PACKAGES))

clean:
	rm -rf $(VENV) .pytest_cache
