# Request Inspector: `make run` sets up and opens the window, `make test` sets up and runs the tests.
# Each target creates the virtual environment it needs (.venv) on first use.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run headless test lint mutate mutate-sample setup mutate-setup system-libs install-desktop uninstall-desktop clean

run: setup system-libs
	$(PY) main.py

headless: setup
	$(PY) main.py --headless

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: setup
	$(PY) -m ruff check inspector tests bench tools setup.py
	$(PY) -m mypy

# Mutation testing (docs/TESTING.md): each module in MODULES in turn, at the lowest
# priority, JOBS mutants at once; a second run waits until the first is done.
# `make mutate-sample` tests ~30 mutants of the files the last commit changed.
# http, server, responses, testing, tls and models run a random sample of their mutants
# (SAMPLE_SIZE in tools/mutate.py). JOBS 4 on 2 cores: most tests wait on sockets and threads.
MODULES ?= inspector/tls inspector/upstream inspector/diff inspector/timeline \
	inspector/capture inspector/formats inspector/listen \
	inspector/addresses.py inspector/text.py inspector/assets.py inspector/units.py \
	inspector/limit_settings.py inspector/filter_query.py inspector/notify.py \
	inspector/simple_curl.py inspector/replay.py inspector/paths.py inspector/headless.py inspector/app.py \
	inspector/store \
	inspector/http inspector/server inspector/responses inspector/testing inspector/models
JOBS ?= 4

mutate: setup mutate-setup
	nice -n 19 $(PY) tools/mutate.py --jobs $(JOBS) run $(MODULES)

mutate-sample: setup mutate-setup
	nice -n 19 $(PY) tools/mutate.py --jobs $(JOBS) sample

setup: $(VENV)/.installed

mutate-setup: $(VENV)/.mutate-installed

$(VENV)/.mutate-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test,mutate]'
	touch $@

$(VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Qt's window-system plugin (xcb) needs a few system libraries on Linux.
system-libs:
	@sh tools/system-libs.sh

# The app in the desktop's menus: the icon and a .desktop entry under
# $(XDG_DATA_HOME) (~/.local/share), launching EXEC (this checkout's app by
# default; `make install-desktop EXEC=$$(command -v request-inspector)` for a
# pipx or pip install).
XDG_DATA_HOME ?= $(HOME)/.local/share
APP_ID := request-inspector
ICON_SIZES := 16 24 32 48 64 128 256
EXEC ?= $(CURDIR)/$(VENV)/bin/request-inspector

install-desktop: $(if $(filter file,$(origin EXEC)),setup)
	install -d $(XDG_DATA_HOME)/applications $(XDG_DATA_HOME)/icons/hicolor/scalable/apps
	sed 's|^Exec=.*|Exec=$(EXEC)|' resources/$(APP_ID).desktop > $(XDG_DATA_HOME)/applications/$(APP_ID).desktop
	install -m 644 resources/icons/$(APP_ID).svg $(XDG_DATA_HOME)/icons/hicolor/scalable/apps/$(APP_ID).svg
	for size in $(ICON_SIZES); do \
		install -d $(XDG_DATA_HOME)/icons/hicolor/$${size}x$${size}/apps && \
		install -m 644 resources/icons/$(APP_ID)-$$size.png \
			$(XDG_DATA_HOME)/icons/hicolor/$${size}x$${size}/apps/$(APP_ID).png || exit 1; \
	done
	@echo "installed $(XDG_DATA_HOME)/applications/$(APP_ID).desktop (Exec=$(EXEC)) and its icons"

uninstall-desktop:
	rm -f $(XDG_DATA_HOME)/applications/$(APP_ID).desktop \
		$(XDG_DATA_HOME)/icons/hicolor/scalable/apps/$(APP_ID).svg \
		$(foreach size,$(ICON_SIZES),$(XDG_DATA_HOME)/icons/hicolor/$(size)x$(size)/apps/$(APP_ID).png)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info build/mutate
