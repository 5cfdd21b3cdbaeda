"""The fact lake (no Django imports): ``write(table, batch)`` and ``table(name)``."""

from __future__ import annotations

import os

import ibis
import pyarrow as pa

from guanxi.lake.engines import QueryLimits
from guanxi.lake.store import Lake, LakeError, WriteResult

__all__ = ["Lake", "LakeError", "QueryLimits", "WriteResult", "configure", "get", "table", "write"]

_default: Lake | None = None


def configure(root: str, *, engine: str = "duckdb", limits: QueryLimits | None = None) -> Lake:
    """Set the process-wide lake (Django does this at start-up from its settings)."""
    global _default
    _default = Lake(root, engine=engine, limits=limits)
    return _default


def get() -> Lake:
    if _default is None:
        return configure(
            os.environ.get("GUANXI_LAKE", "var/lake"),
            engine=os.environ.get("GUANXI_ENGINE", "duckdb"),
        )
    return _default


def write(name: str, batch: pa.Table) -> WriteResult:
    return get().write(name, batch)


def table(name: str) -> ibis.Table:
    return get().table(name)
