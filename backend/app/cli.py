"""Command-line options of the app. Bad values end with a message and exit code 2."""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import os
import sys
from typing import Callable

from ..core.portable import START_METHOD_ENV, START_METHODS
from ..engine.limits import DEFAULT_HISTORY, DEFAULT_SHUTDOWN_TIMEOUT_MS, MAX_HISTORY, MAX_PROCESSES, MAX_THREADS
from .display import display_problem
from .jobs import DEFAULT_CPU_LIMIT, DEFAULT_STEP_SECONDS, DEFAULT_STEPS
from .paths import DEFAULT_QML

LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
BUILT_IN_MODES = ("gui", "events", "thread", "process", "asyncio")
THEMES = ("system", "light", "dark")


def _bounded(kind: Callable[[str], float], low: float, high: float, what: str) -> Callable[[str], float]:
    """An argparse type: ``kind(text)`` within [low, high], or a readable error."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not low <= value <= high:  # also rejects NaN
            raise argparse.ArgumentTypeError(
                f"{text!r} is out of range: use {what} from {_readable(low)} to {_readable(high)}"
            )
        return value

    return parse


def _readable(number: float) -> str:
    """100,000,000 rather than 1e+08; 0.5 as 0.5."""
    return f"{int(number):,}" if float(number).is_integer() else f"{number:g}"


MAX_STEP_SECONDS = 3600.0
MAX_NOTIFY_AFTER_S = 86400.0
# A task that ran at least this long is worth a desktop notification (offthread.app.notify).
DEFAULT_NOTIFY_AFTER_S = 10.0


def _positive_seconds(text: str) -> float:
    """A step's length: above 0 (a step of 0 s would not be a step), at most an hour; one message for every miss."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= MAX_STEP_SECONDS:  # also rejects NaN
        raise argparse.ArgumentTypeError(
            f"{text!r} is out of range: use a number of seconds above 0 and at most {_readable(MAX_STEP_SECONDS)}"
        )
    return value


def _notify_after(text: str) -> float | None:
    """Seconds from 0 to a day, or "off" (None)."""
    if text.strip().lower() == "off":
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds, nor 'off'") from None
    if not 0 <= value <= MAX_NOTIFY_AFTER_S:  # also rejects NaN
        raise argparse.ArgumentTypeError(
            f"{text!r} is out of range: use a number of seconds from 0 to {_readable(MAX_NOTIFY_AFTER_S)}, or 'off'"
        )
    return value


def version() -> str:
    """The installed package's version ("0.1.0"), as pip knows it."""
    try:
        return importlib.metadata.version("offthread")
    except importlib.metadata.PackageNotFoundError:  # run from a copy that pip did not install
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        # "offthread", "main.py", or "python -m offthread" (argparse would say "__main__.py")
        prog="python -m offthread" if sys.argv[0].endswith("__main__.py") else None,
        description="A QML app that runs long work off the GUI thread, on threads or in worker "
        "processes, while its window stays alive. Its gui and events modes run the work on the "
        "GUI thread instead, to show what goes wrong there.",
        epilog="Ctrl+C and SIGTERM quit like closing the window: running work is cancelled, "
        "waited for (at most --shutdown-timeout), and the exit code is 0.",
    )
    parser.add_argument("--version", action="version", version=f"offthread {version()}")
    _add_engine_options(parser)
    _add_window_options(parser)
    _add_job_options(parser)
    return parser


def _add_whole_number(
    parser: argparse.ArgumentParser,
    flag: str,
    low: int,
    high: int,
    *,
    default: int | None,
    help: str,
    metavar: str = "N",
) -> None:
    """An option that takes a whole number from ``low`` to ``high`` (of milliseconds, for metavar MS)."""
    what = "a whole number of milliseconds" if metavar == "MS" else "a whole number"
    parser.add_argument(flag, metavar=metavar, type=_bounded(int, low, high, what), default=default, help=help)


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    """Where tasks run: how many at once, in which mode, and how many ended ones the list keeps."""
    cores = os.cpu_count() or 1
    _add_whole_number(
        parser,
        "--threads",
        1,
        MAX_THREADS,
        default=None,
        help=f"most tasks that run at once; the rest queue (default: the last run's, else {cores}, the CPU count)",
    )
    _add_whole_number(
        parser,
        "--processes",
        1,
        MAX_PROCESSES,
        default=cores,
        help=f"worker processes of process mode, started in the background once the window shows (default: {cores})",
    )
    _add_whole_number(
        parser,
        "--history",
        0,
        MAX_HISTORY,
        default=DEFAULT_HISTORY,
        help="ended tasks the list keeps; older ones leave it, oldest first, and the list says how many "
        f"(default: {DEFAULT_HISTORY:,}; 0 keeps none). Running and queued tasks always stay",
    )
    parser.add_argument(
        "--mode",
        choices=BUILT_IN_MODES,
        default=None,
        help="the mode selected at start, where the buttons' tasks run (default: the last run's, else thread)",
    )
    parser.add_argument(
        "--start-method",
        choices=START_METHODS,
        default=None,
        help="how process mode starts its workers: forkserver (the default where there is one) or spawn "
        "(the default elsewhere); the same as OFFTHREAD_START_METHOD",
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="add a 'dask' mode that sends tasks to the dask.distributed scheduler at ADDRESS "
        "(e.g. tcp://host:8786), or to a new local cluster if ADDRESS is 'local'; needs distributed installed",
    )


def _add_window_options(parser: argparse.ArgumentParser) -> None:
    """What the window loads, how it looks, and what the app logs."""
    parser.add_argument(
        "--qml",
        metavar="PATH",
        default=str(DEFAULT_QML),
        help="root QML file to load instead of qml/Main.qml, e.g. a designer's variant; "
        "its root must be a Window that declares 'required property QtObject backend'",
    )
    parser.add_argument(
        "--theme",
        choices=THEMES,
        default=None,
        help="light or dark colours, or the desktop's where Qt can tell (default: the last run's, else system)",
    )
    parser.add_argument(
        "--reset-settings",
        action="store_true",
        help="forget what earlier runs remembered (theme, mode, thread count, the window's size and place) "
        "and start from the defaults",
    )
    parser.add_argument(
        "--notify-after",
        metavar="S",
        type=_notify_after,
        default=DEFAULT_NOTIFY_AFTER_S,
        help="a task that ran S seconds or more and ends while the window is not active raises a desktop "
        f"notification; 'off' for none (default: {DEFAULT_NOTIFY_AFTER_S:g})",
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="reload the UI whenever a file in the root QML file's folder is saved; "
        "QML errors then show in the window instead of ending the app",
    )
    parser.add_argument(
        "--log-level",
        type=str.lower,
        choices=LOG_LEVELS,
        default="warning",
        help="least severe messages to show on stderr, Qt's and QML's included (default: warning)",
    )


def _add_job_options(parser: argparse.ArgumentParser) -> None:
    """How big the demo's jobs are, and how long a quit waits for them."""
    _add_whole_number(
        parser, "--steps", 1, 1000, default=DEFAULT_STEPS, help=f"steps of the DANGER! job (default: {DEFAULT_STEPS})"
    )
    parser.add_argument(
        "--step-seconds",
        metavar="S",
        type=_positive_seconds,
        default=DEFAULT_STEP_SECONDS,
        help=f"seconds per step of the DANGER! job (default: {DEFAULT_STEP_SECONDS:g})",
    )
    _add_whole_number(
        parser,
        "--cpu-limit",
        10,
        100_000_000,
        default=DEFAULT_CPU_LIMIT,
        help=f"the CPU job counts the primes below N (default: {DEFAULT_CPU_LIMIT}, a few seconds)",
    )
    _add_whole_number(
        parser,
        "--shutdown-timeout",
        0,
        60000,
        default=DEFAULT_SHUTDOWN_TIMEOUT_MS,
        help="on quit, how long to wait for running tasks to stop before leaving them "
        f"behind (default: {DEFAULT_SHUTDOWN_TIMEOUT_MS})",
        metavar="MS",
    )


def _qt_version() -> tuple[int, int]:
    """The Qt binding's version, (major, minor); the binding is loaded already (launch.binding_problem)."""
    from ..engine import qt

    major, minor = qt.VERSION.split(".")[:2]
    return int(major), int(minor)


def _start_method_problem(option: str | None) -> str:
    """What is wrong with the start method asked for (the option's, else the variable's), or "".
    Checked here, not when process mode is first used, and without importing multiprocessing."""
    name = option or os.environ.get(START_METHOD_ENV, "")
    source = "--start-method" if option else START_METHOD_ENV
    if name and name not in START_METHODS:
        return f"{source}: {name!r} is not a start method of process mode: use forkserver or spawn"
    if name == "forkserver" and sys.platform == "win32":
        return f"{source}: forkserver is not available on Windows: use spawn"
    return ""


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv``, set up logging and run the app; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    problem = _start_method_problem(args.start_method)
    if problem:
        parser.error(problem)
    if args.start_method:  # the pool reads it when process mode is first used
        os.environ[START_METHOD_ENV] = args.start_method
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper()),
        format="%(levelname)s %(name)s: %(message)s",
    )
    problem = display_problem(qt_version=_qt_version())
    if problem:
        sys.stderr.write(f"error: {problem}\n")
        return 1
    from .run import run_app  # Qt is loaded from here on, not for --help or a bad option

    return run_app(
        args.qml,
        max_threads=args.threads,
        processes=args.processes,
        mode=args.mode,
        dask=args.dask,
        steps=args.steps,
        step_seconds=args.step_seconds,
        cpu_limit=args.cpu_limit,
        shutdown_timeout_ms=args.shutdown_timeout,
        live=args.live,
        theme=args.theme,
        history=args.history,
        reset_settings=args.reset_settings,
        notify_after=args.notify_after,
    )
