# The README's two commands: `make run` opens the app, `make test` runs the
# tests headless. Both set up .venv-pyside2 (Python 3.8-3.10, PySide2 5.15) or,
# where no such Python is found, .venv-pyside6 (Python 3.11+, PySide6) on first
# use, and say which; QT_API=pyside2 or QT_API=pyside6 chooses (scripts/setup-venv).
# Extra options, e.g. make run ARGS="--threads 1", make test PYTEST_ARGS="-k cancel"
ARGS ?=
PYTEST_ARGS ?=

.PHONY: run example live test lint qmllint qmltypes preview soak bench bundle screenshot clean

run:
	@scripts/setup-venv -- python main.py $(ARGS)

# The second app, built on the engine alone: search as you type (examples/search).
example:
	@scripts/setup-venv -- python examples/search/main.py $(ARGS)

# For designers: the app, reloading qml/ whenever a file in it is saved.
live:
	@scripts/setup-venv -- python main.py --live $(ARGS)

test:
	@scripts/setup-venv test -- python -m pytest $(PYTEST_ARGS)

# ruff (lint and format) over the tree, and mypy (strict for the engine's
# core and engine layers). mypy reads PySide6's type stubs, so lint always
# uses the PySide6 venv (Python 3.11+); PySide2 ships none.
lint:
	@QT_API=pyside6 scripts/setup-venv test -- sh -c 'ruff check . && ruff format --check . && mypy'

# Qt 6's qmllint over every QML file, with the app's types (qml/types) or, for
# the preview, the stand-in module (qml/preview); any warning fails it.
QMLLINT = pyside6-qmllint --max-warnings 0 --unused-imports warning
qmllint:
	@QT_API=pyside6 scripts/setup-venv test -- sh -c '$(QMLLINT) -I qml/types qml/*.qml qml/style/*.qml backend/app/qml/*.qml \
		&& $(QMLLINT) -I qml/types examples/search/*.qml \
		&& $(QMLLINT) -I qml/preview qml/Preview.qml qml/preview/Offthread/*.qml && echo "qmllint: no warnings"'

# Make qml/types/Offthread/ again from the Python types QML sees (after changing them).
qmltypes:
	@QT_API=pyside6 scripts/setup-venv test -- python scripts/qmltypes.py

# The real UI on the stand-in backend, with no Python of ours: Qt 6's QML runner.
preview:
	@QT_API=pyside6 scripts/setup-venv -- pyside6-qml qml/Preview.qml

# The randomized stateful test for minutes, with new random examples each
# time (CI runs a fixed, short set): make soak SOAK=2000 for longer.
SOAK ?= 500
soak:
	@scripts/setup-venv test -- env OFFTHREAD_SOAK=$(SOAK) python -m pytest tests/test_stateful.py -p no:cacheprovider --timeout 0

# Benchmarks print our figures beside the tutorial pattern's and a baseline,
# measured in one run (about 32 minutes in all on 2 cores; startup.py and
# idle_cpu.py need a display, and run themselves under xvfb-run without one).
bench:
	@scripts/setup-venv bench -- env QT_QPA_PLATFORM=offscreen sh -c \
		'python bench/submit_many.py && python bench/progress_reports.py && python bench/gui_lag.py \
		&& python bench/cpu_load.py && python bench/process_costs.py && python bench/big_results.py && python bench/queue_many.py \
		&& python bench/history.py && python bench/filter_rows.py && python bench/asyncio_many.py && python bench/startup.py && python bench/idle_cpu.py && python bench/run_qml.py'

# The app as one folder that runs without Python: dist/offthread/offthread
# (PyInstaller, on PySide6; docs/designers.md). tests/test_bundle.py builds it too.
bundle:
	@QT_API=pyside6 scripts/setup-venv bundle -- python scripts/bundle.py

# Refresh docs/screenshot.png (light) and docs/screenshot-dark.png (dark)
# from the real app with tasks in every state (needs xvfb-run).
screenshot:
	@scripts/setup-venv -- scripts/screenshot

# .venv is where versions before PySide6 support kept their one venv.
clean:
	rm -rf .venv-pyside2 .venv-pyside6 .venv .pytest_cache *.egg-info build dist
