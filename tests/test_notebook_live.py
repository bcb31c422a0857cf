"""The refresh loop: at most N refreshes a second with a trailing flush (on a fake clock), nothing lost,
stopping joins the thread, and the loop runs in the context of the thread that started it."""

from __future__ import annotations

import contextvars
import itertools
import threading
import time

import pytest

from livegraph.notebook._live import Live


class FakeTime:
    """A clock that moves only when the loop waits; while it waits, a producer writes at `rate` a second."""

    def __init__(self, rate: float, until: float) -> None:
        self.now = 0.0
        self.rate = rate
        self.until = until
        self.produced: list[str] = []
        self.pending: list[str] = []

    def clock(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        seconds = max(seconds, 0.003)  # a real wait never returns in no time
        end = min(self.now + seconds, self.until)
        while len(self.produced) < int(end * self.rate + 1e-6):
            piece = f"{len(self.produced)},"
            self.produced.append(piece)
            self.pending.append(piece)
        self.now = end
        return self.now >= self.until


def test_at_most_twenty_sends_a_second_and_a_trailing_flush() -> None:
    fake = FakeTime(rate=5000, until=10.0)
    sends: list[tuple[float, str]] = []

    def refresh() -> None:
        if fake.pending:
            sends.append((fake.now, "".join(fake.pending)))
            fake.pending.clear()
        fake.now += 0.004  # sending takes time too

    live = Live(refresh, per_second=20, clock=fake.clock, wait=fake.wait)
    live._loop()
    assert fake.pending  # written after the last refresh of the loop
    live.start()  # auto_refresh with a fake wait: start() only arms stop()
    live.stop()
    assert fake.pending == []
    times = [t for t, _ in sends]
    assert all(b - a >= 0.05 - 1e-9 for a, b in itertools.pairwise(times))
    assert max(sum(1 for t in times if s <= t < s + 1 - 1e-6) for s in times) <= 20
    assert len(sends) == 200
    assert "".join(text for _, text in sends) == "".join(fake.produced)
    assert len(fake.produced) == 50_000


def test_the_loop_ticks_while_idle_so_the_clock_in_the_status_line_moves() -> None:
    calls: list[float] = []
    fake = FakeTime(rate=0, until=1.0)
    Live(lambda: calls.append(fake.now), per_second=8, clock=fake.clock, wait=fake.wait)._loop()
    assert calls == [0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875]  # the view's refresh decides to send nothing


def test_a_real_loop_refreshes_on_its_thread_and_stop_joins_it() -> None:
    seen: list[str] = []
    live = Live(lambda: seen.append(threading.current_thread().name), per_second=50)
    live.start()
    live.start()
    time.sleep(0.3)
    live.stop()
    assert live._thread is None and not live.running
    assert 5 <= len(seen) <= 17
    assert set(seen[:-1]) == {"livegraph-refresh"}
    assert seen[-1] == threading.current_thread().name  # the final flush
    count = len(seen)
    time.sleep(0.1)
    live.stop()
    assert len(seen) == count


def test_the_loop_runs_in_the_context_that_started_it() -> None:
    parent: contextvars.ContextVar[str] = contextvars.ContextVar("parent", default="none")
    seen: list[str] = []
    live = Live(lambda: seen.append(parent.get()), per_second=100)
    token = parent.set("cell 7")
    live.start()
    parent.reset(token)
    time.sleep(0.1)
    live.stop()
    assert seen and set(seen) == {"cell 7"}


def test_manual_refresh_without_a_thread() -> None:
    calls: list[int] = []
    live = Live(lambda: calls.append(1), auto_refresh=False)
    live.start()
    assert live.running and live._thread is None
    live.refresh()
    live.stop()
    assert calls == [1, 1]


def test_a_failing_refresh_warns_once_stops_the_loop_and_never_raises() -> None:
    def broken() -> None:
        raise OSError("comm closed")

    live = Live(broken, per_second=100)
    with pytest.warns(RuntimeWarning, match=r"livegraph: the live view could not refresh: OSError\('comm closed'\)"):
        live.start()
        time.sleep(0.1)
        live.stop()
    assert isinstance(live.error, OSError)


def test_per_second_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"^per_second must be > 0, not 0$"):
        Live(lambda: None, per_second=0)
