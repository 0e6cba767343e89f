# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run PORT=8001` when 8000 is taken; `make test PYTEST_ARGS="tests/people -x"` for a part.
PORT ?= 8000
# One test process per core (pytest-xdist); a test module stays in one process, so module-scoped
# fixtures (the demo loaded once) are not repeated.
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: run test bench lint build-packages system-packages worker messages extract

$(STAMP): pyproject.toml
	@$(MAKE) -s build-packages
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
		(echo "Kvalis needs Python >= 3.12 (.python-version says 3.12)"; exit 1)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# Debian packages, installed only when missing: `apt_install` gets the commands' package names.
define apt_install
	if [ -n "$(1)" ]; then \
		echo "Installing$(1)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			$$SUDO apt-get install -y -qq $(1) >/dev/null; \
	fi
endef

# What `make run` needs: ICU headers for PyICU (Lithuanian order), msgfmt for the catalogues.
build-packages:
	@missing=""; \
	command -v pkg-config >/dev/null || missing="$$missing pkg-config"; \
	pkg-config --exists icu-i18n 2>/dev/null || missing="$$missing libicu-dev"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	$(call apt_install,$$missing)

# What `make test` adds: Chromium drives the browser journeys, pdftotext reads PDFs back.
# DejaVu Sans (found through fontconfig) draws the final report's participant annex.
system-packages: build-packages
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v fc-match >/dev/null || missing="$$missing fontconfig"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || missing="$$missing fonts-dejavu-core"; \
	$(call apt_install,$$missing)

# Tasks (e-mail, certificates) run in the web process here, so the demo needs no worker.
# Absolute links (QR codes, certificate verification, e-mail) follow the port unless SITE_URL
# is given, on the command line or in the environment: `make run SITE_URL=https://…`.
run: SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(STAMP) messages
	@mkdir -p var
	$(BIN)/kvalis migrate --noinput
	SITE_URL=$(SITE_URL) TASKS_IMMEDIATE=1 $(BIN)/kvalis demo --if-empty
	SITE_URL=$(SITE_URL) TASKS_IMMEDIATE=1 $(BIN)/kvalis runserver 127.0.0.1:$(PORT)

worker: $(STAMP)
	$(BIN)/kvalis db_worker

# Compiled message catalogues (.mo) are built, not committed.
messages: $(STAMP)
	@command -v msgfmt >/dev/null || $(MAKE) -s build-packages
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
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
