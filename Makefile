# The README's two commands: `make run` opens the app, `make test` runs the
# tests headless. Both create .venv (Python 3.8-3.10, PySide2 5.15) on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
# Extra options, e.g. make run ARGS="--threads 1", make test PYTEST_ARGS="-k cancel"
ARGS ?=
PYTEST_ARGS ?=

.PHONY: run live test bench screenshot clean

run:
	@scripts/setup-venv $(VENV)
	$(PY) main.py $(ARGS)

# For designers: the app, reloading qml/ whenever a file in it is saved.
live:
	@scripts/setup-venv $(VENV)
	$(PY) main.py --live $(ARGS)

test:
	@scripts/setup-venv $(VENV) test
	$(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks print our figures beside the tutorial pattern's and a baseline,
# measured in one run (about 15 minutes in all on 2 cores).
bench:
	@scripts/setup-venv $(VENV)
	QT_QPA_PLATFORM=offscreen $(PY) bench/submit_many.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/progress_reports.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/gui_lag.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/cpu_load.py
	QT_QPA_PLATFORM=offscreen $(PY) bench/process_costs.py

# Refresh docs/screenshot.png (needs xvfb-run, xdotool and ImageMagick's import).
screenshot:
	@scripts/setup-venv $(VENV)
	scripts/screenshot docs/screenshot.png

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info
