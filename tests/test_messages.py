"""Mistakes a user of the engine makes, each met with a message that says what to do."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from .test_app import app_environment


def square(x: int) -> int:
    return x * x


@pytest.mark.parametrize("args", [5, "ab", {"x": 1}, range(3)])
def test_args_that_are_not_a_tuple_or_list_say_so(backend, args):
    with pytest.raises(TypeError, match=r"^args must be a tuple or a list of the function's arguments, such as \(5,\)"):
        backend.submit_task(square, args)
    assert backend.tasks() == []


def test_args_as_a_tuple_or_a_list_run(backend, qtbot):
    handles = [backend.submit_task(square, (3,)), backend.submit_task(square, [4])]
    qtbot.waitUntil(lambda: all(h.done for h in handles))
    assert [h.result for h in handles] == [9, 16]


def test_kwargs_that_are_not_a_dict_say_so(backend):
    with pytest.raises(TypeError, match=r"^kwargs must be a dict of keyword arguments or None, not list"):
        backend.submit_task(square, (), [("x", 3)])


def run_script(tmp_path, source: str) -> subprocess.CompletedProcess:
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=app_environment(), capture_output=True, text=True, timeout=60
    )


def test_a_task_manager_with_no_application_raises_at_once(tmp_path):
    done = run_script(
        tmp_path,
        """
        from offthread import TaskManager

        try:
            TaskManager()
        except RuntimeError as error:
            print(error)
        """,
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr  # no Qt warning about timers either
    assert done.stdout.startswith("a TaskManager needs a Qt application made before it, and its event loop running")


def test_a_function_defined_under_the_main_guard_fails_in_process_mode_with_unpicklable_task(tmp_path):
    done = run_script(
        tmp_path,
        """
        import sys

        from offthread import TaskManager
        from offthread.engine import qt
        from offthread.engine.qt.QtCore import QCoreApplication

        if __name__ == "__main__":
            def cube(x):
                return x ** 3

            app = QCoreApplication(sys.argv)
            manager = TaskManager(processes=1)
            handle = manager.submit_task(cube, (3,), mode="process")
            handle.add_done_callback(lambda h: app.quit())
            qt.run_loop(app)
            manager.shutdown()
            print(handle.state, handle.error.type)
            print(handle.error.message)
        """,
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    state, message = done.stdout.splitlines()
    assert state == "failed UnpicklableTask"
    assert message.startswith("cannot send this task to a worker process: 'cube' is not at the top level of the main")
    assert "Process mode needs a function defined at the top level of a module" in message
