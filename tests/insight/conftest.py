"""A fake model family for the run machinery's tests (the real families fit for seconds)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from guanxi.insight import runs
from guanxi.insight.job_api import FitFailed, JobResult, Progress


class FakeJob:
    """A clv "fit" that hands back what the test set; reports progress on the way."""

    def __init__(self) -> None:
        self.customers: dict[str, dict[str, Any]] = {}
        self.metrics: dict[str, Any] = {"customers": 0}
        self.fail: Exception | None = None
        self.seen: list[dict[str, Any]] = []
        self.steps = 3

    def __call__(self, params: dict[str, Any], progress: Progress) -> JobResult:
        self.seen.append(params)
        for i in range(self.steps):
            progress(i / self.steps, f"step {i + 1}")
        if self.fail is not None:
            raise self.fail
        return JobResult(metrics=dict(self.metrics), customers=dict(self.customers))


@pytest.fixture
def fake_clv() -> Iterator[FakeJob]:
    job = FakeJob()
    runs.register("clv", job)
    yield job
    runs.register("clv", None)


@pytest.fixture
def register() -> Iterator[Callable[[str, Any], None]]:
    kinds: list[str] = []

    def add(kind: str, fit: Any) -> None:
        kinds.append(kind)
        runs.register(kind, fit)

    yield add
    for kind in kinds:
        runs.register(kind, None)


__all__ = ["FakeJob", "FitFailed"]
