"""The fact lake (no Django imports): ``write(table, batch)`` and ``table(name)``.

Importing this package is cheap: the lake's libraries (Ibis, PyArrow, DuckDB, deltalake) are
imported when the lake is first used, so that commands which never read it (``guanxi
--help``, ``guanxi users list``) do not pay for them at start-up.
"""

from __future__ import annotations

import importlib
import os
import threading
from typing import TYPE_CHECKING, Any

from guanxi.lake.engines import QueryLimits

if TYPE_CHECKING:
    import ibis
    import pyarrow as pa

    from guanxi.lake.store import Lake, LakeError, WriteResult

__all__ = ["Lake", "LakeError", "QueryLimits", "WriteResult", "configure", "get", "table", "write"]

_default: Lake | None = None
_settings: tuple[str, str, QueryLimits | None] | None = None
_opening = threading.Lock()


def configure(root: str, *, engine: str = "duckdb", limits: QueryLimits | None = None) -> None:
    """Set the process-wide lake (Django does this at start-up from its settings); it is
    opened on first use (``get``)."""
    global _default, _settings
    _default, _settings = None, (root, engine, limits)


def get() -> Lake:
    global _default
    with _opening:
        if _default is None:
            from guanxi.lake.store import Lake

            root, engine, limits = _settings or (
                os.environ.get("GUANXI_LAKE", "var/lake"),
                os.environ.get("GUANXI_ENGINE", "duckdb"),
                None,
            )
            _default = Lake(root, engine=engine, limits=limits)
        return _default


def write(name: str, batch: pa.Table) -> WriteResult:
    return get().write(name, batch)


def table(name: str) -> ibis.Table:
    return get().table(name)


def __getattr__(name: str) -> Any:
    """``Lake``, ``LakeError`` and ``WriteResult``, imported from ``store`` when first asked."""
    if name in ("Lake", "LakeError", "WriteResult"):
        return getattr(importlib.import_module("guanxi.lake.store"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
