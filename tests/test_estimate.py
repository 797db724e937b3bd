"""The estimator on a fake clock: rate and time left as tqdm smooths them, stalls, pauses, start and end."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from offthread.core.estimate import ITEMS, PERCENT, Estimate, Timing


class FakeClock:
    """Seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


WALL_START = 1_700_000_000.0  # the wall clock's time when the fake clock reads 1000


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def estimate_on(clock: FakeClock, **options) -> Estimate:
    estimate = Estimate(clock, wall=lambda: WALL_START + clock.now - 1000.0, **options)
    estimate.start()
    return estimate


def run_at(estimate: Estimate, clock: FakeClock, rate: float, seconds: int, value: float = 0.0, total=None) -> float:
    """Report ``value`` growing at ``rate`` per second, once a second for ``seconds``; the last value."""
    for _ in range(seconds):
        clock.tick(1.0)
        value += rate
        estimate.report(value, total)
    return value


def test_at_a_constant_rate_the_eta_is_within_5_percent_after_a_few_reports(clock):
    estimate = estimate_on(clock)
    estimate.report(0, 1000)
    done = run_at(estimate, clock, 10.0, 3, total=1000)  # 10 items a second, out of 1,000
    timing = estimate.timing()
    true_eta = (1000 - done) / 10.0
    assert timing.eta == pytest.approx(true_eta, rel=0.05)
    assert timing.rate == pytest.approx(10.0, rel=0.05)
    assert timing.unit == ITEMS


def test_the_eta_counts_down_between_reports(clock):
    estimate = estimate_on(clock)
    estimate.report(0)
    run_at(estimate, clock, 5.0, 4)  # a percent: 5 % a second, 20 % done
    assert estimate.unit == PERCENT and estimate.rate == pytest.approx(5.0)
    assert estimate.eta() == pytest.approx(16.0)
    clock.tick(0.5)
    assert estimate.eta() == pytest.approx(15.5)
    assert estimate.eta_s(clock.now) == 16.0  # whole seconds, rounded up


def test_a_change_of_rate_is_followed(clock):
    estimate = estimate_on(clock)
    estimate.report(0, 10_000)
    done = run_at(estimate, clock, 10.0, 10, total=10_000)
    assert estimate.rate == pytest.approx(10.0)
    done = run_at(estimate, clock, 40.0, 3, done, total=10_000)
    assert 10.0 < estimate.rate < 40.0  # on its way, smoothed
    done = run_at(estimate, clock, 40.0, 12, done, total=10_000)
    assert estimate.rate == pytest.approx(40.0, rel=0.05)
    assert estimate.eta() == pytest.approx((10_000 - done) / 40.0, rel=0.05)


def test_the_smoothing_weighs_the_newest_observation_as_tqdm_does(clock):
    estimate = estimate_on(clock, smoothing=1.0)  # 1: the newest observation alone
    estimate.report(0)
    done = run_at(estimate, clock, 2.0, 3)
    run_at(estimate, clock, 8.0, 1, done)
    assert estimate.rate == 8.0


def test_the_rate_is_unknown_until_two_reports_over_a_second_of_running(clock):
    estimate = estimate_on(clock)
    assert estimate.timing().rate is None and estimate.timing().eta is None  # no report
    estimate.report(10)
    clock.tick(0.6)
    estimate.report(20)  # two reports, 0.6 s in
    assert estimate.timing().rate is None and estimate.eta_s(clock.now) == -1.0
    clock.tick(0.6)
    estimate.report(30)  # 1.2 s in
    assert estimate.timing().rate == pytest.approx(16.7, rel=0.01)
    assert estimate.timing().eta is not None


def test_a_rate_of_nothing_is_unknown_not_zero(clock):
    estimate = estimate_on(clock)
    estimate.report(0, 10, "0 / 10")
    clock.tick(2)
    estimate.report(0, 10, "still 0 / 10")  # a new text is a sign of life, not a rate
    assert estimate.timing().rate is None and estimate.timing().eta is None


def test_reports_closer_than_half_a_second_are_one_observation(clock):
    estimate = estimate_on(clock, smoothing=1.0)
    estimate.report(0)
    clock.tick(1.0)
    estimate.report(10)  # 10 % a second
    for step in range(1, 5):  # a burst at 100 % a second, 0.1 s long: not yet an observation
        clock.tick(0.025)
        estimate.report(10 + 2.5 * step)
    assert estimate.rate == 10.0


def test_a_stall_shows_after_stall_after_seconds_without_progress(clock):
    estimate = estimate_on(clock, stall_after=10)
    estimate.report(0)
    run_at(estimate, clock, 5.0, 2)
    assert estimate.timing().rate == 5.0
    clock.tick(9.5)
    assert estimate.timing().stalled_for is None
    clock.tick(1.0)
    timing = estimate.timing()
    assert timing.stalled_for == pytest.approx(10.5)
    assert (timing.rate, timing.eta) == (None, None)  # a rate that no longer holds is not shown
    assert estimate.stalled_s(clock.now) == 10.0
    estimate.report(15)
    assert estimate.timing().stalled_for is None and estimate.timing().rate is not None


def test_a_new_text_counts_as_progress_for_a_count_with_no_total(clock):
    estimate = estimate_on(clock, stall_after=5)
    estimate.report(0, None, "10 done")
    clock.tick(4)
    estimate.report(0, None, "20 done")
    clock.tick(4)
    assert estimate.timing().stalled_for is None
    clock.tick(1)
    assert estimate.timing().stalled_for == pytest.approx(5.0)


def test_no_stall_before_the_first_report_nor_while_paused(clock):
    estimate = estimate_on(clock, stall_after=5)
    clock.tick(60)
    assert estimate.timing().stalled_for is None  # it may report nothing and work all the same
    estimate.report(10)
    estimate.pause()
    clock.tick(60)
    assert estimate.timing().stalled_for is None
    assert estimate.timing().paused_for == 60.0


def test_paused_time_is_excluded_from_elapsed_and_from_the_rate(clock):
    estimate = estimate_on(clock)
    estimate.report(0)
    done = run_at(estimate, clock, 10.0, 3)
    estimate.pause()
    clock.tick(12.4)
    assert estimate.timing().paused_for == pytest.approx(12.4)
    assert estimate.paused_s(clock.now) == 12.0
    assert estimate.timing().elapsed == pytest.approx(3.0)
    estimate.resume()
    assert estimate.timing().paused_for is None
    clock.tick(1.0)
    estimate.report(done + 10.0)
    assert estimate.rate == pytest.approx(10.0)  # the pause did not slow it down
    assert estimate.timing().elapsed == pytest.approx(4.0)
    assert estimate.paused_seconds() == pytest.approx(12.4)


def test_the_eta_does_not_count_down_while_paused(clock):
    estimate = estimate_on(clock)
    estimate.report(0)
    run_at(estimate, clock, 10.0, 2)
    before = estimate.eta()
    estimate.pause()
    clock.tick(30)
    assert estimate.eta() == pytest.approx(before)


def test_progress_that_goes_back_or_a_new_total_starts_the_rate_afresh(clock):
    estimate = estimate_on(clock)
    estimate.report(0, 100)
    run_at(estimate, clock, 10.0, 3, total=100)
    assert estimate.rate == 10.0
    estimate.report(0, 50)  # a second phase, with its own total
    assert estimate.timing().rate is None
    run_at(estimate, clock, 5.0, 2, total=50)
    assert estimate.rate == 5.0 and estimate.unit == ITEMS
    estimate.report(1)  # back to a percent
    assert estimate.timing().rate is None and estimate.unit == PERCENT


def test_start_and_end_times_by_the_wall_clock(clock):
    estimate = Estimate(clock, wall=lambda: WALL_START + clock.now - 1000.0)
    assert estimate.timing().started_at is None and estimate.started_ms == 0.0
    clock.tick(5)
    estimate.start(at=clock.now - 2)  # a start noted before the estimate heard of it
    assert estimate.timing().started_at == datetime.fromtimestamp(WALL_START + 3)
    assert estimate.started_ms == (WALL_START + 3) * 1000
    estimate.report(50)
    clock.tick(4)
    estimate.end()
    timing = estimate.timing()
    assert timing.ended_at == datetime.fromtimestamp(WALL_START + 9)
    assert timing.elapsed == 6.0
    assert (timing.rate, timing.eta, timing.stalled_for, timing.paused_for) == (None, None, None, None)
    clock.tick(100)
    assert estimate.timing().elapsed == 6.0  # it has ended: its time stopped


def test_ending_while_paused_closes_the_pause(clock):
    estimate = estimate_on(clock)
    clock.tick(2)
    estimate.pause()
    clock.tick(5)
    estimate.end()
    clock.tick(5)
    assert estimate.timing() == Timing(
        elapsed=2.0,
        rate=None,
        unit=PERCENT,
        eta=None,
        stalled_for=None,
        paused_for=None,
        started_at=datetime.fromtimestamp(WALL_START),
        ended_at=datetime.fromtimestamp(WALL_START + 7),
    )


def test_events_out_of_order_change_nothing(clock):
    estimate = Estimate(clock)
    estimate.report(10)  # before the start
    estimate.pause()
    estimate.end()
    assert estimate.timing().elapsed == 0.0 and estimate.timing().paused_for is None
    estimate.start()
    estimate.start()  # a second start keeps the first
    clock.tick(3)
    estimate.end()
    estimate.report(50)  # after the end
    estimate.pause()
    assert estimate.timing().elapsed == 3.0 and estimate.timing().paused_for is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"smoothing": 0}, "smoothing must be a number above 0, at most 1, not 0"),
        ({"smoothing": 1.5}, "smoothing must be a number above 0, at most 1, not 1.5"),
        ({"stall_after": -1}, "stall_after must be a number above 0, not -1"),
        ({"stall_after": math.nan}, "stall_after must be a number above 0, not nan"),
    ],
)
def test_bad_options_say_what_is_wrong(options, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        Estimate(**options)


def test_a_bad_option_type_or_report_says_what_is_wrong(clock):
    with pytest.raises(TypeError, match="stall_after must be a number, not str"):
        Estimate(stall_after="10")  # type: ignore[arg-type]
    estimate = estimate_on(clock)
    with pytest.raises(ValueError, match="stall_after must be a number above 0, not 0"):
        estimate.stall_after = 0
    estimate.stall_after = 30
    assert estimate.stall_after == 30.0
    with pytest.raises(ValueError, match="progress must be a finite number from 0, not nan"):
        estimate.report(math.nan)
    with pytest.raises(ValueError, match="the progress total must be a finite number above 0, not 0"):
        estimate.report(1, 0)
