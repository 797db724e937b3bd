"""Running one benchmark case in a fresh process, so that one case cannot slow or crash another."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Union

ROOT = Path(__file__).resolve().parent.parent


def run_child(script: str, *args: Any, timeout_s: float) -> Union[Any, str]:
    """Run ``script --child ARGS...``; return the JSON its last stdout line holds.

    On failure, return a short string instead: the signal that killed it
    (the tutorial's pattern ends in SIGSEGV now and then), its exit code and
    last stderr line, or the timeout.
    """
    try:
        done = subprocess.run(
            [sys.executable, script, "--child", *map(str, args)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return f"timeout ({timeout_s:g} s)"
    if done.returncode < 0:
        return signal.Signals(-done.returncode).name
    if done.returncode != 0:
        return f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])
