# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench lint system-packages worker messages extract

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
		(echo "Kvalis needs Python >= 3.12 (.python-version says 3.12)"; exit 1)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# Chromium drives the browser journeys, pdftotext reads PDFs back in tests.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	if [ -n "$$missing" ]; then \
		echo "Installing$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

run: $(STAMP) messages
	@mkdir -p var
	$(BIN)/kvalis migrate --noinput
	$(BIN)/kvalis demo --if-empty
	$(BIN)/kvalis runserver 127.0.0.1:8000

worker: $(STAMP)
	$(BIN)/kvalis db_worker

# Compiled message catalogues (.mo) are built, not committed.
messages: $(STAMP)
	@command -v msgfmt >/dev/null || $(MAKE) -s system-packages
	@cd src/kvalis && ../../$(BIN)/kvalis compilemessages -v0

# Extract translatable strings into one app's Lithuanian catalogue: make extract APP=enrolment
# Without APP: the shared catalogue (templates/, access.py, lib/, accounts).
APPS_WITH_CATALOGUES = $(patsubst src/kvalis/%/locale,%,$(wildcard src/kvalis/*/locale))
extract: $(STAMP)
ifdef APP
	@mkdir -p src/kvalis/$(APP)/locale
	cd src/kvalis/$(APP) && ../../../$(BIN)/kvalis makemessages -l lt --no-obsolete
else
	cd src/kvalis && ../../$(BIN)/kvalis makemessages -l lt --no-obsolete \
		$(foreach app,$(APPS_WITH_CATALOGUES),-i '$(app)/*')
endif

test: $(STAMP) system-packages messages
	$(BIN)/kvalis makemigrations --check --dry-run
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
