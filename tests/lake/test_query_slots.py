"""Queries beyond the process's slots wait their turn, and the wait is counted for the page."""

from __future__ import annotations

import contextvars
import threading
import time
from pathlib import Path

import pytest

from guanxi.core.config import ConfigError, load
from guanxi.lake import Lake, QueryLimits
from guanxi.lake.store import QUEUED


def test_a_query_beyond_the_slots_waits_and_the_wait_is_counted(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake", limits=QueryLimits(slots=1))
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lake.query_slot():
            entered.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(5)
    waited: list[float] = []

    def second() -> None:
        with lake.query_slot():
            waited.append(QUEUED.get())

    context = contextvars.copy_context()
    other = threading.Thread(target=context.run, args=(second,))
    other.start()
    time.sleep(0.3)
    assert not waited  # still queued behind the first query
    release.set()
    holder.join(5)
    other.join(5)
    assert waited and waited[0] >= 0.25


def test_nested_use_of_a_slot_does_not_deadlock(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake", limits=QueryLimits(slots=1))
    with lake.query_slot(), lake.query_slot():
        pass


@pytest.mark.parametrize("value", ["0", "many", "65"])
def test_bad_slot_counts_are_named(value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GUANXI_QUERY_SLOTS"):
        load({"GUANXI_HOME": str(tmp_path), "GUANXI_QUERY_SLOTS": value})
