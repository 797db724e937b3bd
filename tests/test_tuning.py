"""offthread.tune_gui_process: the process-wide settings an app makes once its window shows."""

from __future__ import annotations

import gc
import sys

import pytest

import offthread
from offthread.engine.tuning import COLLECTOR_THRESHOLDS, GUI_SWITCH_INTERVAL_S


@pytest.fixture
def restored():
    """Put the interpreter's settings back as they were: other tests run in this process."""
    interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    sys.setswitchinterval(interval)


def test_it_sets_the_switch_interval_freezes_what_exists_and_spaces_the_middle_collections(restored):
    gc.unfreeze()
    sys.setswitchinterval(0.005)
    made_before = [object()]  # a container made before the call: frozen with the rest
    offthread.tune_gui_process()
    assert sys.getswitchinterval() == pytest.approx(GUI_SWITCH_INTERVAL_S)
    assert gc.get_threshold() == COLLECTOR_THRESHOLDS
    assert COLLECTOR_THRESHOLDS[1] >= 100 * 10  # a hundred times Python's default
    assert gc.get_freeze_count() > 0
    assert not any(o is made_before for o in gc.get_objects())  # frozen objects are left out of collections


def test_a_switch_interval_of_its_own(restored):
    offthread.tune_gui_process(0.002)
    assert sys.getswitchinterval() == pytest.approx(0.002)


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (0, ValueError, "a positive number of seconds, not 0"),
        (-1.0, ValueError, "a positive number of seconds, not -1.0"),
        (float("nan"), ValueError, "a positive number of seconds, not nan"),
        (float("inf"), ValueError, "a positive number of seconds, not inf"),
        ("0.001", TypeError, "a number of seconds, not str"),
        (True, TypeError, "a number of seconds, not bool"),
    ],
)
def test_a_switch_interval_that_is_not_a_positive_number_is_refused_with_a_message(restored, bad, error, message):
    before, thresholds = sys.getswitchinterval(), gc.get_threshold()
    with pytest.raises(error, match=f"switch_interval must be {message}"):
        offthread.tune_gui_process(bad)
    assert sys.getswitchinterval() == before and gc.get_threshold() == thresholds  # nothing was changed
