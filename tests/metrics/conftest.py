"""Every lake-backed metric test here runs on DuckDB and on Spark (see ``tests/engines.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from guanxi.lake import Lake
from tests.engines import ENGINES, installed_lake


@pytest.fixture(params=ENGINES)
def lake(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Lake]:
    """An empty lake on one engine, installed as the process-wide default for the test."""
    if request.param == "pyspark":
        request.getfixturevalue("spark_session")
    yield from installed_lake(tmp_path / "lake", request.param)
