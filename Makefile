# Request Inspector: `make run` sets up and opens the window, `make test` sets up and runs the tests.
# Each target creates the virtual environment it needs (.venv) on first use.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run headless test lint setup system-libs clean

run: setup system-libs
	$(PY) main.py

headless: setup
	$(PY) main.py --headless

test: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest

lint: setup
	$(PY) -m ruff check inspector tests bench tools
	$(PY) -m mypy

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Qt's window-system plugin (xcb) needs a few system libraries on Linux.
system-libs:
	@sh tools/system-libs.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
